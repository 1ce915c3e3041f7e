#define _DEFAULT_SOURCE /* getaddrinfo, NI_MAXHOST */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/udp.h"

/* The port as decimal digits in lo..65535: getaddrinfo would take "99999" and keep its low
 * 16 bits (34463), and "0x1b58" or " 7000" on some systems. */
static int port_check(const char *text, const char *port, unsigned lo, char *err, size_t errlen) {
  unsigned long v = 0;
  size_t i;
  for (i = 0; port[i]; i++) {
    if (port[i] < '0' || port[i] > '9' || i >= 5) break;
    v = v * 10 + (unsigned long)(port[i] - '0');
  }
  if (port[i] || v < lo || v > 65535) {
    snprintf(err, errlen, "'%s': the port must be a number from %u to 65535", text, lo);
    return -1;
  }
  return 0;
}

static int addr_parse(io_udp_addr *a, const char *text, unsigned port_lo, char *err, size_t errlen) {
  char host[256], *port;
  struct addrinfo hints, *res = NULL;
  int rv;
  size_t n = strlen(text);
  if (n == 0 || n >= sizeof(host)) {
    snprintf(err, errlen, "'%s': expected ADDR:PORT", text);
    return -1;
  }
  memcpy(host, text, n + 1);
  port = strrchr(host, ':');
  if (!port || port == host || !port[1]) {
    snprintf(err, errlen, "'%s': expected ADDR:PORT", text);
    return -1;
  }
  *port++ = '\0';
  if (port_check(text, port, port_lo, err, errlen) != 0) return -1;
  if (host[0] == '[' && host[strlen(host) - 1] == ']') {
    memmove(host, host + 1, strlen(host));
    host[strlen(host) - 1] = '\0';
  }
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICSERV;
  rv = getaddrinfo(host, port, &hints, &res);
  if (rv != 0 || !res) {
    snprintf(err, errlen, "'%s': %s", text, rv ? gai_strerror(rv) : "no address");
    return -1;
  }
  memset(a, 0, sizeof(*a));
  memcpy(&a->sa, res->ai_addr, res->ai_addrlen);
  a->len = res->ai_addrlen;
  freeaddrinfo(res);
  return 0;
}

int io_udp_addr_parse(io_udp_addr *a, const char *text, char *err, size_t errlen) {
  return addr_parse(a, text, 0, err, errlen);
}

int io_udp_peer_parse(io_udp_addr *a, const char *text, char *err, size_t errlen) {
  return addr_parse(a, text, 1, err, errlen);
}

void io_udp_addr_format(const io_udp_addr *a, char *out, size_t cap) {
  char host[NI_MAXHOST], serv[NI_MAXSERV];
  if (getnameinfo((const struct sockaddr *)&a->sa, a->len, host, sizeof(host), serv, sizeof(serv),
                  NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    snprintf(out, cap, "?");
    return;
  }
  snprintf(out, cap, strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, serv);
}

int io_udp_addr_equal(const io_udp_addr *a, const io_udp_addr *b) {
  return a->len == b->len && memcmp(&a->sa, &b->sa, a->len) == 0;
}

static int nonblocking(int fd) {
  int fl = fcntl(fd, F_GETFL);
  return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int io_udp_socket_bind(const io_udp_addr *a, char *err, size_t errlen) {
  int fd = socket(a->sa.ss_family, SOCK_DGRAM, 0);
  char where[300];
  io_udp_addr_format(a, where, sizeof(where));
  if (fd < 0 || bind(fd, (const struct sockaddr *)&a->sa, a->len) != 0 || nonblocking(fd) != 0) {
    snprintf(err, errlen, "%s: cannot bind: %s", where, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}

int io_udp_socket_for(const io_udp_addr *a, char *err, size_t errlen) {
  int fd = socket(a->sa.ss_family, SOCK_DGRAM, 0);
  if (fd < 0 || nonblocking(fd) != 0) {
    snprintf(err, errlen, "cannot open a UDP socket: %s", strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}

int io_udp_socket_where(int fd, char *out, size_t cap) {
  io_udp_addr a;
  a.len = sizeof(a.sa);
  if (getsockname(fd, (struct sockaddr *)&a.sa, &a.len) != 0) return -1;
  io_udp_addr_format(&a, out, cap);
  return 0;
}

int io_udp_dg_recv(int fd, uint8_t *buf, size_t cap, io_udp_addr *from, dsrc_dg *d) {
  ssize_t n;
  from->len = sizeof(from->sa);
  n = recvfrom(fd, buf, cap, 0, (struct sockaddr *)&from->sa, &from->len);
  if (n < 0) return -1;
  return dsrc_dg_decode(d, buf, (size_t)n) == 0 ? 0 : 1;
}
