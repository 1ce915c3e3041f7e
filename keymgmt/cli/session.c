/* Opening the keystore and committing a change to it together with its audit entry. */
#include <stdio.h>

#include "cli.h"

int cli_keystore_open(keymgmt_keystore *ks, const char *cmd, const char *path, const char *pass_file) {
  char pass[IO_PASS_MAX], err[512];
  int rv = cli_pass(pass, cmd, pass_file, "EFC_KEYSTORE_PASS", "--pass-file");
  if (rv != 0) return rv;
  rv = keymgmt_keystore_load(ks, path, pass, err, sizeof(err));
  io_pass_wipe(pass);
  if (rv != 0) return cli_fail("%s", err);
  return 0;
}

int cli_keystore_commit(keymgmt_keystore *ks, const char *path, const char *action,
                        const char *const *kv, size_t n) {
  keymgmt_audit_entry e;
  char audit[4096], err[512];
  int rv;
  if (keymgmt_audit_path(audit, sizeof(audit), path) != 0) return cli_fail("%s: path too long", path);
  if ((rv = keymgmt_audit_entry_make(&e, ks, action, kv, n)) != 0)
    return cli_fail("%s: cannot build the audit entry: %s", audit, keymgmt_strerror(rv));
  /* Keystore first: a crash before the rename changes nothing; a crash between the two
   * steps leaves a keystore that records one entry more than the log, which verify names. */
  rv = keymgmt_keystore_save(ks, path, NULL, false, err, sizeof(err));
  if (rv == 0) rv = keymgmt_audit_entry_append(&e, audit, err, sizeof(err));
  keymgmt_audit_entry_free(&e);
  if (rv != 0) return cli_fail("%s", err);
  return 0;
}
