/* A passphrase read on behalf of a program: what its error means for the exit status. */
#include "io/cli.h"

int io_cli_pass_read(char out[IO_PASS_MAX], const char *prefix, const char *help, const char *file,
                     const char *env, const char *file_opt) {
  char err[512];
  int rv = io_pass_read(out, file, env, file_opt, err, sizeof(err));
  if (rv == IO_PASS_ERR_NONE_GIVEN) return io_cli_usage(prefix, help, "%s", err);
  return rv == 0 ? 0 : io_cli_fail(IO_CLI_EXIT_FAILURE, prefix, "%s", err);
}
