/* FILE.json beside an output whose format has no room for a comment (a pcap capture, a
 * CSV that spreadsheets must open as it is): which program and version wrote FILE. */
#include <stdio.h>
#include <string.h>

#include "file/out.h"
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
  char side[4200], line[256];
  const char *base = strrchr(path, '/');
  file_out *out;
  FILE *f;
  if ((size_t)snprintf(side, sizeof(side), "%s.json", path) >= sizeof(side)) {
    snprintf(err, errlen, "%s: path too long for its sidecar", path);
    return -1;
  }
  if (io_cli_version_line(line, sizeof(line), prog) != 0) {
    snprintf(err, errlen, "%s: program name too long", side);
    return -1;
  }
  /* Whole or absent, like every output (docs/files.md); the errors surface at commit. */
  if (file_out_open(&out, side, 0, err, errlen) != 0) return -1;
  f = file_out_stream(out);
  fputs("{\n \"file\": \"", f);
  json_str_put(f, base ? base + 1 : path);
  fputs("\",\n \"written_by\": \"", f);
  json_str_put(f, line);
  fputs("\"\n}\n", f);
  return file_out_commit(out, err, errlen) == 0 ? 0 : -1;
}
