/* Shared by the efc-keymgmt commands: exit codes, one-line errors, passphrases, hex. */
#ifndef EFC_KEYMGMT_CLI_H
#define EFC_KEYMGMT_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "io/pass.h"
#include "keymgmt/keymgmt.h"

enum { EXIT_BAD_INPUT = 1, EXIT_USAGE = 2 };

/* Each command: argv[0] is the command name; returns the exit status. */
int cmd_init(int argc, char **argv);
int cmd_personalise(int argc, char **argv);
int cmd_export_operator(int argc, char **argv);
int cmd_rotate(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_derive(int argc, char **argv);

/* "efc-keymgmt: <text>" on stderr; returns EXIT_BAD_INPUT. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "efc-keymgmt: <cmd>: <text> (see efc-keymgmt <cmd> --help)"; returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* getopt_long over argv with our own one-line messages: returns the option, -1 at the end,
 * or -2 after printing a usage error (unknown option, missing argument). */
int cli_getopt(int argc, char **argv, const char *cmd, const struct option *opts);

/* The passphrase from file (if given) or the environment variable (io_pass_read); 0, or
 * the exit status after printing why (none given: 2; any other fault: 1). Wipe out with
 * io_pass_wipe. */
int cli_pass(char out[IO_PASS_MAX], const char *cmd, const char *file, const char *env,
             const char *file_opt);

/* Decodes the hex value of option opt into exactly want octets (want 0: any length up to
 * cap, *got set). 0, or EXIT_BAD_INPUT after a one-line error naming the option. */
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
