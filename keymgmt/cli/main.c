/* efc-keymgmt: the issuer's key ceremony tool (docs/keymgmt.md). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: efc-keymgmt COMMAND [options]   (efc-keymgmt COMMAND --help for each)\n"
          "       efc-keymgmt --help | --version\n"
          "\n"
          "init             create an issuer keystore of fresh master keys\n"
          "personalise      derive one OBE's keys into an OBE profile file\n"
          "export-operator  write a toll charger's key file (one MKEY-F generation)\n"
          "rotate           set the current AutoPASS generation and MAcK reference\n"
          "list             key names, generations and fingerprints (never key values)\n"
          "audit            print the audit log, or --verify its hash chain\n"
          "derive           compute one derivation from given keys (key-ceremony checks)\n"
          "\n"
          "Passphrases come from --pass-file FILE or the environment (EFC_KEYSTORE_PASS,\n"
          "EFC_OBE_PASS, EFC_OPERATOR_PASS), never from the command line.\n"
          "exit status: 0 success, 1 bad input (one-line error on stderr), 2 bad usage.\n");
}

static int run(int argc, char **argv) {
  static const struct {
    const char *name;
    int (*run)(int, char **);
  } cmds[] = {
      {"init", cmd_init},
      {"personalise", cmd_personalise},
      {"export-operator", cmd_export_operator},
      {"rotate", cmd_rotate},
      {"list", cmd_list},
      {"audit", cmd_audit},
      {"derive", cmd_derive},
  };
  int rv = io_cli_main_opt(argc, argv, "efc-keymgmt", usage);
  if (rv >= 0) return rv;
  if (argc < 2) {
    usage(stderr);
    return IO_CLI_EXIT_USAGE;
  }
  if (strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return IO_CLI_EXIT_OK;
  }
  for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
    if (strcmp(argv[1], cmds[i].name) == 0) return cmds[i].run(argc - 1, argv + 1);
  return io_cli_usage("efc-keymgmt", "efc-keymgmt", "unknown command '%s'", argv[1]);
}

/* stdout checked last: a result that did not reach its file is a failed run. */
int main(int argc, char **argv) { return io_cli_stdout_close("efc-keymgmt", run(argc, argv)); }
