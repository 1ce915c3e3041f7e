/* One-line errors, option parsing, passphrase sources and hex options for efc-keymgmt. */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"
#include "dsrc/hex.h"

int cli_fail(const char *fmt, ...) {
  va_list ap;
  fputs("efc-keymgmt: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return EXIT_BAD_INPUT;
}

int cli_usage(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "efc-keymgmt: %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, " (see efc-keymgmt %s --help)\n", cmd);
  return EXIT_USAGE;
}

int cli_getopt(int argc, char **argv, const char *cmd, const struct option *opts) {
  char shortopts[128] = ":";
  size_t n = 1;
  int c;
  /* Short forms only where an option has one (val is a printable letter). */
  for (const struct option *o = opts; o->name && n + 3 < sizeof(shortopts); o++) {
    if (o->flag || o->val < 'A' || o->val > 'z') continue;
    shortopts[n++] = (char)o->val;
    if (o->has_arg == required_argument) shortopts[n++] = ':';
  }
  shortopts[n] = '\0';
  opterr = 0;
  c = getopt_long(argc, argv, shortopts, opts, NULL);
  if (c == '?') {
    if (optopt)
      cli_usage(cmd, "unknown option '-%c'", optopt);
    else
      cli_usage(cmd, "unknown option '%s'", argv[optind - 1]);
    return -2;
  }
  if (c == ':') {
    cli_usage(cmd, "option '%s' needs a value", argv[optind - 1]);
    return -2;
  }
  return c;
}

int cli_no_args(int argc, char **argv, const char *cmd) {
  if (optind < argc) return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
  return 0;
}

int cli_pass(char out[IO_PASS_MAX], const char *cmd, const char *file, const char *env,
             const char *file_opt) {
  char err[512];
  int rv = io_pass_read(out, file, env, file_opt, err, sizeof(err));
  if (rv == IO_PASS_ERR_NONE_GIVEN) return cli_usage(cmd, "%s", err);
  return rv == 0 ? 0 : cli_fail("%s", err);
}

int cli_hex(uint8_t *out, size_t cap, size_t want, size_t *got, const char *opt,
            const char *value) {
  size_t errpos = 0;
  dsrc_ssize n = dsrc_hex_decode(out, cap, value, &errpos);
  if (n == DSRC_ERR_HEX)
    return cli_fail("%s: non-hex character '%c' at position %zu", opt, value[errpos], errpos + 1);
  if (n == DSRC_ERR_HEX_ODD) return cli_fail("%s: odd number of hex digits", opt);
  if (n == DSRC_ERR_NOBUF) {
    if (want)
      return cli_fail("%s: expected %zu octets (%zu hex digits), got more", opt, want, 2 * want);
    return cli_fail("%s: longer than %zu octets", opt, cap);
  }
  if (n < 0) return cli_fail("%s: %s", opt, dsrc_strerror((int)n));
  if (want && (size_t)n != want)
    return cli_fail("%s: expected %zu octets (%zu hex digits), got %zd", opt, want, 2 * want, n);
  if (got) *got = (size_t)n;
  return 0;
}
