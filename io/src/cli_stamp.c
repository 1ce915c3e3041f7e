/* FILE.json beside an output whose format has no room for a comment (a pcap capture, a
 * CSV that spreadsheets must open as it is): which program and version wrote FILE. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io/cli.h"

/* s as the body of a JSON string: quotes, backslashes and control characters escaped. */
static int json_str_put(FILE *f, const char *s) {
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    int rv;
    if (ch == '"' || ch == '\\') rv = fprintf(f, "\\%c", ch);
    else if (ch < 0x20) rv = fprintf(f, "\\u%04x", ch);
    else rv = fputc(ch, f) == EOF ? -1 : 1;
    if (rv < 0) return -1;
  }
  return 0;
}

int io_cli_sidecar_write(const char *path, const char *prog, char *err, size_t errlen) {
  char side[4200], tmp[4300], line[256];
  const char *base = strrchr(path, '/');
  FILE *f;
  int fd, bad;
  if ((size_t)snprintf(side, sizeof(side), "%s.json", path) >= sizeof(side) ||
      (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", side, (long)getpid()) >= sizeof(tmp)) {
    snprintf(err, errlen, "%s: path too long for its sidecar", path);
    return -1;
  }
  if (io_cli_version_line(line, sizeof(line), prog) != 0) {
    snprintf(err, errlen, "%s: program name too long", side);
    return -1;
  }
  /* A temporary file renamed into place: a sidecar is whole or absent. One left by a killed
   * process of the same id is nobody's now. */
  unlink(tmp);
  if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0 || !(f = fdopen(fd, "w"))) {
    snprintf(err, errlen, "%s: cannot write: %s", tmp, strerror(errno));
    if (fd >= 0) {
      close(fd);
      unlink(tmp);
    }
    return -1;
  }
  bad = fputs("{\n \"file\": \"", f) == EOF || json_str_put(f, base ? base + 1 : path) != 0 ||
        fputs("\",\n \"written_by\": \"", f) == EOF || json_str_put(f, line) != 0 || fputs("\"\n}\n", f) == EOF;
  bad |= fflush(f) != 0;
  bad |= fsync(fileno(f)) != 0;
  if (bad) {
    int e = errno;
    fclose(f);
    unlink(tmp);
    snprintf(err, errlen, "%s: write error: %s", side, strerror(e));
    return -1;
  }
  if (fclose(f) != 0 || rename(tmp, side) != 0) {
    snprintf(err, errlen, "%s: write error: %s", side, strerror(errno));
    unlink(tmp);
    return -1;
  }
  return 0;
}
