/* The one passphrase reader. The file is read with read(2), not stdio, so that no buffer
 * outside this function ever holds the passphrase, and every buffer here is wiped. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "io/pass.h"

void io_pass_wipe(char pass[IO_PASS_MAX]) { OPENSSL_cleanse(pass, IO_PASS_MAX); }

static int pass_fail(char out[IO_PASS_MAX], int rv, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int pass_fail(char out[IO_PASS_MAX], int rv, char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  io_pass_wipe(out);
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return rv;
}

/* Checks the n octets at p, the passphrase that where holds, and copies them to out. */
static int pass_take(char out[IO_PASS_MAX], const char *p, size_t n, const char *where, char *err,
                     size_t errlen) {
  if (n > IO_PASS_LEN_MAX)
    return pass_fail(out, IO_PASS_ERR_BAD, err, errlen, "%s: passphrase longer than %d octets", where,
                     IO_PASS_LEN_MAX);
  if (memchr(p, '\0', n))
    return pass_fail(out, IO_PASS_ERR_BAD, err, errlen, "%s: passphrase contains a NUL octet", where);
  if (n == 0) return pass_fail(out, IO_PASS_ERR_BAD, err, errlen, "%s: empty passphrase", where);
  memcpy(out, p, n);
  out[n] = '\0';
  return 0;
}

static int pass_from_file(char out[IO_PASS_MAX], const char *file, char *err, size_t errlen) {
  /* Room for the longest passphrase, its "\r\n" and one octet more, which tells that the
   * file is too long without reading all of it. */
  char buf[IO_PASS_LEN_MAX + 3];
  size_t n = 0;
  int fd = open(file, O_RDONLY | O_CLOEXEC), rv;
  if (fd < 0)
    return pass_fail(out, IO_PASS_ERR_READ, err, errlen, "%s: cannot read passphrase file: %s", file,
                     strerror(errno));
  /* A pipe (--pass-file /dev/stdin) may hand the octets over in pieces. */
  while (n < sizeof(buf)) {
    ssize_t got = read(fd, buf + n, sizeof(buf) - n);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      int e = errno;
      close(fd);
      OPENSSL_cleanse(buf, sizeof(buf));
      return pass_fail(out, IO_PASS_ERR_READ, err, errlen, "%s: cannot read passphrase file: %s",
                       file, strerror(e));
    }
    if (got == 0) break;
    n += (size_t)got;
  }
  close(fd);
  if (n < sizeof(buf)) {
    if (n > 0 && buf[n - 1] == '\n') n--;
    if (n > 0 && buf[n - 1] == '\r') n--;
  }
  rv = pass_take(out, buf, n, file, err, errlen);
  OPENSSL_cleanse(buf, sizeof(buf));
  return rv;
}

int io_pass_read(char out[IO_PASS_MAX], const char *file, const char *env, const char *file_opt,
                 char *err, size_t errlen) {
  const char *v;
  memset(out, 0, IO_PASS_MAX);
  if (file) return pass_from_file(out, file, err, errlen);
  if (!(v = getenv(env)))
    return pass_fail(out, IO_PASS_ERR_NONE_GIVEN, err, errlen, "no passphrase: give %s FILE or set %s",
                     file_opt, env);
  return pass_take(out, v, strlen(v), env, err, errlen);
}
