/* efc-keymgmt init: a new keystore of fresh master keys, and the first audit entry. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: efc-keymgmt init --keystore FILE [--pass-file FILE]\n"
          "\n"
          "Creates FILE holding fresh issuer master keys from the CSPRNG: MKEY-N_1..5,\n"
          "MKEY-F_1..5, MAuK_1..8, MAcK_0..3 (2-key 3DES, DES parity set) and AES-MAuK_1..8,\n"
          "AES-MAcK_0..3 (AES-128). Current AutoPASS generation 1, MAcK reference 0.\n"
          "Encrypted with AES-256-GCM under a scrypt key from the passphrase (--pass-file or\n"
          "EFC_KEYSTORE_PASS). Refuses to overwrite FILE; starts the audit log FILE.audit.\n");
}

int cmd_init(int argc, char **argv) {
  static const struct option opts[] = {CLI_OPTS_KEYSTORE, CLI_OPTS_END};
  const char *v[CLI_O_OWN] = {0}, *path;
  char pass[IO_PASS_MAX], audit[4096], err[512];
  keymgmt_keystore ks;
  keymgmt_audit_entry e;
  dsrc_rng rng = dsrc_crypto_csprng();
  int rv;
  static const char *const details[] = {"autopass_generation",  "1", "mack_ref", "0", "kdf",
                                        "scrypt N=2^15 r=8 p=1"};

  if ((rv = cli_args_parse(argc, argv, "init", opts, usage, v, CLI_O_OWN)) >= 0) return rv;
  path = v[CLI_O_KEYSTORE];
  if (keymgmt_audit_path(audit, sizeof(audit), path) != 0) return cli_fail("%s: path too long", path);
  if (access(path, F_OK) == 0) return cli_fail("%s: exists; refusing to overwrite it", path);
  if (access(audit, F_OK) == 0)
    return cli_fail("%s: exists without its keystore; move it away first", audit);
  if ((rv = cli_pass(pass, "init", v[CLI_O_PASS_FILE], "EFC_KEYSTORE_PASS", "--pass-file")) != 0) return rv;

  keymgmt_keystore_generate(&ks, &rng);
  if ((rv = keymgmt_audit_entry_make(&e, &ks, "init", details, 3)) != 0) {
    io_pass_wipe(pass);
    keymgmt_keystore_wipe(&ks);
    return cli_fail("%s: cannot build the audit entry: %s", audit, keymgmt_strerror(rv));
  }
  rv = keymgmt_keystore_save(&ks, path, pass, true, err, sizeof(err));
  io_pass_wipe(pass);
  keymgmt_keystore_wipe(&ks);
  if (rv == 0) rv = keymgmt_audit_entry_append(&e, audit, err, sizeof(err));
  keymgmt_audit_entry_free(&e);
  if (rv != 0) return cli_fail("%s", err);
  printf("%s: keystore created (%d master keys); audit log %s\n", path,
         2 * KEYMGMT_GENERATIONS + 2 * DSRC_AUK_COUNT + 2 * KEYMGMT_MACK_REFS, audit);
  return 0;
}
