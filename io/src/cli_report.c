/* One-line errors on stderr, the form every efc-* program uses. */
#include <stdio.h>

#include "io/cli.h"

int io_cli_vreport(int status, const char *prefix, const char *help, const char *fmt, va_list ap) {
  fprintf(stderr, "%s: ", prefix);
  vfprintf(stderr, fmt, ap);
  if (help) fprintf(stderr, " (see %s --help)", help);
  fputc('\n', stderr);
  return status;
}

int io_cli_fail(int status, const char *prefix, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  status = io_cli_vreport(status, prefix, NULL, fmt, ap);
  va_end(ap);
  return status;
}

int io_cli_usage(const char *prefix, const char *help, const char *fmt, ...) {
  va_list ap;
  int status;
  va_start(ap, fmt);
  status = io_cli_vreport(IO_CLI_EXIT_USAGE, prefix, help, fmt, ap);
  va_end(ap);
  return status;
}
