/* One-line errors, option parsing, passphrase sources and hex options for efc-keymgmt. */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"
#include "dsrc/hex.h"

int cli_fail(const char *fmt, ...) {
  va_list ap;
  int rv;
  va_start(ap, fmt);
  rv = io_cli_vreport(IO_CLI_EXIT_FAILURE, "efc-keymgmt", NULL, fmt, ap);
  va_end(ap);
  return rv;
}

int cli_usage(const char *cmd, const char *fmt, ...) {
  char prefix[64], help[64];
  va_list ap;
  int rv;
  snprintf(prefix, sizeof(prefix), "efc-keymgmt: %s", cmd);
  snprintf(help, sizeof(help), "efc-keymgmt %s", cmd);
  va_start(ap, fmt);
  rv = io_cli_vreport(IO_CLI_EXIT_USAGE, prefix, help, fmt, ap);
  va_end(ap);
  return rv;
}

int cli_getopt(int argc, char **argv, const char *cmd, const struct option *opts) {
  char err[256];
  int c = io_cli_getopt(argc, argv, opts, err, sizeof(err));
  if (c != '?') return c;
  cli_usage(cmd, "%s", err);
  return -2;
}

int cli_args_parse(int argc, char **argv, const char *cmd, const struct option *opts,
                   void (*usage)(FILE *), const char **v, size_t n) {
  int c, rv;
  while ((c = cli_getopt(argc, argv, cmd, opts)) != -1) {
    if (c == 'h') {
      usage(stdout);
      return IO_CLI_EXIT_OK;
    }
    if (c < 0 || (size_t)c >= n) return IO_CLI_EXIT_USAGE;
    v[c] = optarg ? optarg : "";
  }
  if ((rv = cli_no_args(argc, argv, cmd)) != 0) return rv;
  if (!v[CLI_O_KEYSTORE]) return cli_usage(cmd, "--keystore FILE is required");
  return -1;
}

int cli_u32(uint32_t *out, const char *opt, const char *value, uint32_t lo, uint32_t hi) {
  char err[256];
  if (io_cli_u32_parse(out, opt, value, lo, hi, err, sizeof(err)) != 0) return cli_fail("%s", err);
  return 0;
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
