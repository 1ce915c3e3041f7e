/* What every efc-* program shares on its command line: the exit statuses, one-line errors,
 * getopt_long with messages of its own, and number options read with range and overflow
 * checks. Programs and their commands keep their own texts; the rules are here. */
#ifndef IO_CLI_H
#define IO_CLI_H

#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "io/pass.h"

/* The exit statuses every program documents in its --help. */
enum {
  IO_CLI_EXIT_OK = 0,
  IO_CLI_EXIT_FAILURE = 1, /* bad input, or the run failed: a one-line error on stderr */
  IO_CLI_EXIT_USAGE = 2,   /* bad usage: a one-line error on stderr */
  IO_CLI_EXIT_MORE = 3     /* not finished, by design: more to run first (efc-scenario merge:
                            * another round of the shards, docs/scaling.md) */
};

/* "PREFIX: TEXT" as one line on stderr, then " (see HELP --help)" when help is not NULL.
 * Returns status, so that a caller can return what it reports. */
int io_cli_vreport(int status, const char *prefix, const char *help, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
/* io_cli_vreport(IO_CLI_EXIT_FAILURE or another status, prefix, NULL, ...) */
int io_cli_fail(int status, const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* io_cli_vreport(IO_CLI_EXIT_USAGE, prefix, help, ...) */
int io_cli_usage(const char *prefix, const char *help, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A program's last step: flushes and closes stdout. When that fails (a full disk, a closed
 * pipe), reports "PREFIX: standard output: cannot write: REASON" and returns
 * IO_CLI_EXIT_FAILURE in place of IO_CLI_EXIT_OK; otherwise returns status. Every program's
 * main is "return io_cli_stdout_close(PROG, run(argc, argv));". */
int io_cli_stdout_close(const char *prefix, int status);

/* io_pass_read (io/pass.h) with its error reported as "PREFIX: text": 0, or the exit status,
 * IO_CLI_EXIT_USAGE with the pointer to HELP --help when no source was given, else
 * IO_CLI_EXIT_FAILURE. */
int io_cli_pass_read(char out[IO_PASS_MAX], const char *prefix, const char *help, const char *file,
                     const char *env, const char *file_opt);

/* getopt_long over opts, where an option has a short form exactly when its val is a letter.
 * getopt's own messages are off: an unknown option, a missing value or a value given to an
 * option that takes none returns '?' with a one-line err naming it. Otherwise as
 * getopt_long: the option's val, or -1 after the last option. */
int io_cli_getopt(int argc, char **argv, const struct option *opts, char *err, size_t errlen);
/* The default: of a program's option switch: 'h' prints usage on stdout and returns
 * IO_CLI_EXIT_OK; IO_CLI_OPT_VERSION prints the version (io_cli_version_print); anything else is io_cli_getopt's error err, reported as
 * "PROG: err (see PROG --help)" with IO_CLI_EXIT_USAGE. */
int io_cli_getopt_default(int c, const char *prog, const char *err, void (*usage)(FILE *out));

/* --version, in every program: {"version", no_argument, NULL, IO_CLI_OPT_VERSION} in its
 * option table, where io_cli_getopt_default answers it; a program with commands answers it
 * before the command through io_cli_main_opt. Not a letter, so no short form. */
enum { IO_CLI_OPT_VERSION = 0x10000 };
/* "efcsim VERSION (COMMIT)": the version set once in CMakeLists.txt and the git commit the
 * program was built from (its short hash, "+dirty" when tracked files differed from it,
 * "unknown" outside git), regenerated at every build (cmake/efc_version.cmake). */
const char *io_cli_version(void);
/* "PROG efcsim VERSION (COMMIT)", the line --version prints and outputs are stamped with.
 * 0, or -1 when it does not fit in cap. */
int io_cli_version_line(char *out, size_t cap, const char *prog);
/* That line on stdout, checked: IO_CLI_EXIT_OK, or IO_CLI_EXIT_FAILURE with a one-line error. */
int io_cli_version_print(const char *prog);
/* A program with commands: when argv[1] is an option (--help, -h, --version or an unknown
 * one), answers it as io_cli_getopt_default would and returns the exit status; -1 when
 * argv[1] is a command or absent (optind is 1 again then). */
int io_cli_main_opt(int argc, char **argv, const char *prog, void (*usage)(FILE *out));

/* PATH.json, the sidecar of an output whose format has no room for a comment (a capture,
 * a CSV): {"file": "NAME", "written_by": "PROG efcsim VERSION (COMMIT)"}, written to a
 * temporary file, synced and renamed into place. 0, or -1 with err naming the file. */
int io_cli_sidecar_write(const char *path, const char *prog, char *err, size_t errlen);

/* A default data file or directory named relative to the data tree ("scenarios/attacks"):
 * rel itself when it exists in the working directory; else the copy that came with the
 * program: the source tree for a program in the build tree, DIR/../share/efcsim/rel for one
 * installed in DIR (the executable's directory, from /proc/self/exe, so an installed tree
 * may be moved); else rel as given, for the reader's error. 0, or -1 when out is too small. */
int io_cli_data_find(char *out, size_t cap, const char *rel);

/* Decimal numbers: digits only (no sign, blank, base prefix or fraction), in lo..hi, where
 * an overflow is one more value out of range. 0, or -1 with a one-line err naming opt and
 * the value ("--lane: expected 1..127, got '0'"); *out is left alone then. */
int io_cli_u64_parse(uint64_t *out, const char *opt, const char *s, uint64_t lo, uint64_t hi,
                     char *err, size_t errlen);
int io_cli_u32_parse(uint32_t *out, const char *opt, const char *s, uint32_t lo, uint32_t hi,
                     char *err, size_t errlen);

/* Which ends of a double's range are excluded. */
enum { IO_CLI_ABOVE_LO = 1, IO_CLI_BELOW_HI = 2 };
/* A finite number as strtod reads it (no leading blank), within lo..hi, either end excluded
 * by flags ("--ber: expected a number in [0, 0.5), got '0.5'"). 0 or -1 with err. */
int io_cli_double_parse(double *out, const char *opt, const char *s, double lo, double hi,
                        unsigned flags, char *err, size_t errlen);

#endif
