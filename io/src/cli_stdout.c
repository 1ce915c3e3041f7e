/* Standard output checked at exit: a table or report that did not reach its file (a full
 * disk, a closed pipe, /dev/full) is a failed run, not a silent one. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "io/cli.h"

int io_cli_stdout_close(const char *prefix, int status) {
  int bad, e;
  /* A stream error earlier leaves errno stale; EIO names it honestly. */
  errno = EIO;
  bad = fflush(stdout) != 0 || ferror(stdout);
  e = errno;
  if (fclose(stdout) != 0 && !bad) {
    bad = 1;
    e = errno;
  }
  if (!bad) return status;
  io_cli_fail(IO_CLI_EXIT_FAILURE, prefix, "standard output: cannot write: %s", strerror(e));
  return status == IO_CLI_EXIT_OK ? IO_CLI_EXIT_FAILURE : status;
}
