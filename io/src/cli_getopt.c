/* getopt_long with one-line messages of our own: getopt's would print a second line before
 * the program's pointer to --help, and no program could name the option in its own words. */
#include <stdio.h>
#include <string.h>

#include "io/cli.h"

static int is_letter(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* The long option "--name" or "--name=value" names, or NULL. */
static const struct option *opt_find_long(const struct option *opts, const char *arg) {
  size_t n = strcspn(arg + 2, "=");
  for (const struct option *o = opts; o->name; o++)
    if (strlen(o->name) == n && strncmp(o->name, arg + 2, n) == 0) return o;
  return NULL;
}

int io_cli_getopt(int argc, char **argv, const struct option *opts, char *err, size_t errlen) {
  /* ':' first: a missing value is told apart from an unknown option. */
  char shortopts[2 + 3 * 64] = ":";
  size_t n = 1;
  const char *arg;
  int c;
  for (const struct option *o = opts; o->name && n + 3 < sizeof(shortopts); o++) {
    if (o->flag || !is_letter(o->val)) continue;
    shortopts[n++] = (char)o->val;
    if (o->has_arg != no_argument) shortopts[n++] = ':';
    if (o->has_arg == optional_argument) shortopts[n++] = ':';
  }
  shortopts[n] = '\0';
  opterr = 0;
  c = getopt_long(argc, argv, shortopts, opts, NULL);
  if (c != '?' && c != ':') return c;
  arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
  if (strncmp(arg, "--", 2) != 0)
    snprintf(err, errlen, c == ':' ? "option '-%c' needs a value" : "unknown option '-%c'", optopt);
  else if (c == ':')
    snprintf(err, errlen, "option '%s' needs a value", arg);
  else if (strchr(arg, '=') && opt_find_long(opts, arg))
    snprintf(err, errlen, "option '--%s' takes no value", opt_find_long(opts, arg)->name);
  else
    snprintf(err, errlen, "unknown option '%s'", arg);
  return '?';
}

int io_cli_getopt_default(int c, const char *prog, const char *err, void (*usage)(FILE *out)) {
  if (c == IO_CLI_OPT_VERSION) return io_cli_version_print(prog);
  if (c != 'h') return io_cli_usage(prog, prog, "%s", err);
  usage(stdout);
  return IO_CLI_EXIT_OK;
}
