/* --version: the project's version and the commit a program was built from, the same line
 * in every program and in the files they stamp (summary.json, sidecars, reports). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "efc_version.h" /* generated at build time by cmake/efc_version.cmake */
#include "io/cli.h"

const char *io_cli_version(void) { return "efcsim " EFC_VERSION " (" EFC_COMMIT ")"; }

int io_cli_version_line(char *out, size_t cap, const char *prog) {
  int n = snprintf(out, cap, "%s %s", prog, io_cli_version());
  return n >= 0 && (size_t)n < cap ? 0 : -1;
}

int io_cli_version_print(const char *prog) {
  /* help2man and scripts read this line: a short write is an error, not a shorter version. */
  if (printf("%s %s\n", prog, io_cli_version()) < 0 || fflush(stdout) != 0)
    return io_cli_fail(IO_CLI_EXIT_FAILURE, prog, "stdout: %s", strerror(errno));
  return IO_CLI_EXIT_OK;
}

int io_cli_main_opt(int argc, char **argv, const char *prog, void (*usage)(FILE *out)) {
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                       {"version", no_argument, NULL, IO_CLI_OPT_VERSION},
                                       {NULL, 0, NULL, 0}};
  char *args[3] = {NULL, NULL, NULL};
  char err[256];
  int c;
  if (argc < 2 || argv[1][0] != '-' || strcmp(argv[1], "-") == 0 || strcmp(argv[1], "--") == 0)
    return -1;
  /* Only argv[1]: what follows belongs to no option table of this level. A copy, because
   * getopt_long may permute the array it is given. */
  args[0] = argv[0];
  args[1] = argv[1];
  optind = 0; /* a full restart of getopt: the commands parse again from optind 1 */
  c = io_cli_getopt(2, args, opts, err, sizeof(err));
  optind = 1;
  if (c == -1) return -1;
  return io_cli_getopt_default(c, prog, err, usage);
}
