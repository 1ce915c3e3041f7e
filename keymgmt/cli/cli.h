/* Shared by the efc-keymgmt commands: one-line errors, option parsing, passphrases, hex. */
#ifndef EFC_KEYMGMT_CLI_H
#define EFC_KEYMGMT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "io/cli.h"
#include "io/pass.h"
#include "keymgmt/keymgmt.h"

/* Each command: argv[0] is the command name; returns the exit status. */
int cmd_init(int argc, char **argv);
int cmd_personalise(int argc, char **argv);
int cmd_export_operator(int argc, char **argv);
int cmd_rotate(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_derive(int argc, char **argv);

/* "efc-keymgmt: <text>" on stderr; returns IO_CLI_EXIT_FAILURE. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "efc-keymgmt: <cmd>: <text> (see efc-keymgmt <cmd> --help)"; returns IO_CLI_EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* io_cli_getopt with the command's usage errors: returns the option, -1 at the end, or -2
 * after printing a usage error (unknown option, missing value). */
int cli_getopt(int argc, char **argv, const char *cmd, const struct option *opts);

/* The options of the keystore commands: --keystore and --pass-file in each, then each
 * command's own from CLI_O_OWN. Small numbers, so that an array indexed by them is small,
 * and no letters, so that none has a short form. */
enum { CLI_O_KEYSTORE = 1, CLI_O_PASS_FILE, CLI_O_OWN };
#define CLI_OPTS_KEYSTORE                                   \
  {"keystore", required_argument, NULL, CLI_O_KEYSTORE}, { \
    "pass-file", required_argument, NULL, CLI_O_PASS_FILE  \
  }
#define CLI_OPTS_END                   \
  {"help", no_argument, NULL, 'h'}, { \
    NULL, 0, NULL, 0                   \
  }

/* Parses a keystore command's options: the value of each (a flag's: "") into v[val], for
 * val < n, and --help prints usage. Then the checks every such command makes: no positional
 * argument, --keystore given. Returns -1 to go on, or the exit status (0 after --help). */
int cli_args_parse(int argc, char **argv, const char *cmd, const struct option *opts,
                   void (*usage)(FILE *), const char **v, size_t n);

/* A number option in lo..hi (io_cli_u32_parse); 0, or IO_CLI_EXIT_FAILURE after a
 * one-line error naming the option. */
int cli_u32(uint32_t *out, const char *opt, const char *value, uint32_t lo, uint32_t hi);

/* The passphrase from file (if given) or the environment variable (io_pass_read); 0, or
 * the exit status after printing why (none given: 2; any other fault: 1). Wipe out with
 * io_pass_wipe. */
int cli_pass(char out[IO_PASS_MAX], const char *cmd, const char *file, const char *env,
             const char *file_opt);

/* Decodes the hex value of option opt into exactly want octets (want 0: any length up to
 * cap, *got set). 0, or IO_CLI_EXIT_FAILURE after a one-line error naming the option. */
int cli_hex(uint8_t *out, size_t cap, size_t want, size_t *got, const char *opt, const char *value);

/* Loads the keystore with the passphrase from pass_file or EFC_KEYSTORE_PASS; 0 or the
 * exit status after a one-line error. */
int cli_keystore_open(keymgmt_keystore *ks, const char *cmd, const char *path, const char *pass_file);
/* Records a change: builds the audit entry, saves the keystore (which stores the entry's
 * hash) atomically, then appends the entry to PATH.audit. 0 or the exit status. */
int cli_keystore_commit(keymgmt_keystore *ks, const char *path, const char *action,
                        const char *const *kv, size_t n);

/* Refuses a leftover positional argument. */
int cli_no_args(int argc, char **argv, const char *cmd);

#endif
