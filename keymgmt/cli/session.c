/* Opening the keystore and committing a change to it together with its audit entry. */
#include <stdio.h>

#include "cli.h"

int cli_keystore_open(efc_keystore *ks, const char *cmd, const char *path, const char *pass_file) {
  char pass[CLI_PASS_MAX], err[512];
  int rv = cli_pass(pass, cmd, pass_file, "EFC_KEYSTORE_PASS", "--pass-file");
  if (rv != 0) return rv;
  rv = efc_keystore_load(ks, path, pass, err, sizeof(err));
  cli_pass_wipe(pass);
  if (rv != 0) return cli_fail("%s", err);
  return 0;
}

int cli_keystore_commit(efc_keystore *ks, const char *path, const char *action,
                        const char *const *kv, size_t n) {
  efc_audit_entry e;
  char audit[4096], err[512];
  int rv;
  if (efc_audit_path(audit, sizeof(audit), path) != 0) return cli_fail("%s: path too long", path);
  if ((rv = efc_audit_entry_make(&e, ks, action, kv, n)) != 0)
    return cli_fail("%s: cannot build the audit entry: %s", audit, efc_km_strerror(rv));
  /* Keystore first: a crash before the rename changes nothing; a crash between the two
   * steps leaves a keystore that records one entry more than the log, which verify names. */
  rv = efc_keystore_save(ks, path, NULL, false, err, sizeof(err));
  if (rv == 0) rv = efc_audit_entry_append(&e, audit, err, sizeof(err));
  efc_audit_entry_free(&e);
  if (rv != 0) return cli_fail("%s", err);
  return 0;
}
