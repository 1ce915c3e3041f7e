/* UDP endpoints for the daemons: ADDR:PORT parsing and sockets. */
#ifndef IO_UDP_H
#define IO_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dsrc/datagram.h"

typedef struct {
  struct sockaddr_storage sa;
  socklen_t len;
} io_udp_addr;

/* "127.0.0.1:7000", "[::1]:7000", "localhost:7000", the port decimal in 0..65535 (0: the
 * system picks one, for an address to listen on); 0 or -1 with a one-line err. */
int io_udp_addr_parse(io_udp_addr *a, const char *text, char *err, size_t errlen);
/* The same for an address to send to: the port in 1..65535. */
int io_udp_peer_parse(io_udp_addr *a, const char *text, char *err, size_t errlen);
/* "127.0.0.1:7000" */
void io_udp_addr_format(const io_udp_addr *a, char *out, size_t cap);
int io_udp_addr_equal(const io_udp_addr *a, const io_udp_addr *b);
/* The address a socket is bound to, formatted ("127.0.0.1:40007": the port the system
 * picked for port 0); 0 or -1. */
int io_udp_socket_where(int fd, char *out, size_t cap);

/* A non-blocking UDP socket bound to a (port 0: any); -1 with err. */
int io_udp_socket_bind(const io_udp_addr *a, char *err, size_t errlen);
/* A non-blocking UDP socket for the family of a, bound to an ephemeral port. */
int io_udp_socket_for(const io_udp_addr *a, char *err, size_t errlen);

/* The next datagram waiting on the non-blocking socket fd, read into buf (d's frame points
 * into it) and decoded: 0, 1 when it is malformed (the caller counts it and reads on), or
 * -1 when none is waiting. */
int io_udp_dg_recv(int fd, uint8_t *buf, size_t cap, io_udp_addr *from, dsrc_dg *d);

#endif
