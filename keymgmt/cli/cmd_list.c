/* efc-keymgmt list: what the keystore holds, by name and fingerprint, never by value. */
#include <stdio.h>

#include "cli.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: efc-keymgmt list --keystore FILE [--pass-file FILE]\n"
          "\n"
          "Prints each master key's name, generation or reference and fingerprint (first 8\n"
          "hex digits of the SHA-256 of the key; not the key), the current AutoPASS\n"
          "generation and MAcK reference, and the number of audit entries.\n");
}

static void line(const char *name, int n, const char *role, const uint8_t *key, bool current) {
  char fp[9], label[32];
  keymgmt_key_fingerprint(fp, key, KEYMGMT_KEY);
  snprintf(label, sizeof(label), "%s%d", name, n);
  printf("%-14s %-22s fingerprint %s%s\n", label, role, fp, current ? "  (current)" : "");
}

/* The MAuK (3DES or AES) of each keyRef 1..DSRC_AUK_COUNT with the MAC it gives. */
static void lines_mauk(const char *name, uint8_t (*keys)[KEYMGMT_KEY]) {
  char role[32];
  for (int i = 1; i <= DSRC_AUK_COUNT; i++) {
    enum dsrc_mac_role r = dsrc_en15509_keyref_role(i);
    snprintf(role, sizeof(role), "keyRef %d %s", i, r == DSRC_MAC_ROLE_TC ? "MAC_TC" : "MAC_TSP");
    line(name, i, role, keys[i - 1], false);
  }
}

/* The MAcK (3DES or AES) of each MasterKeyReference 0..KEYMGMT_MACK_REFS - 1. */
static void lines_mack(const char *name, uint8_t (*keys)[KEYMGMT_KEY], unsigned current) {
  char role[32];
  for (int r = 0; r < KEYMGMT_MACK_REFS; r++) {
    snprintf(role, sizeof(role), "reference %d", r);
    line(name, r, role, keys[r], (unsigned)r == current);
  }
}

/* The AutoPASS master keys (MKEY-N or MKEY-F) of each generation 1..KEYMGMT_GENERATIONS. */
static void lines_mkey(const char *name, uint8_t (*keys)[KEYMGMT_KEY], unsigned current) {
  char role[32];
  for (int g = 1; g <= KEYMGMT_GENERATIONS; g++) {
    snprintf(role, sizeof(role), "generation %d", g);
    line(name, g, role, keys[g - 1], (unsigned)g == current);
  }
}

int cmd_list(int argc, char **argv) {
  static const struct option opts[] = {CLI_OPTS_KEYSTORE, CLI_OPTS_END};
  const char *v[CLI_O_OWN] = {0}, *path;
  keymgmt_keystore ks;
  int rv;
  if ((rv = cli_args_parse(argc, argv, "list", opts, usage, v, CLI_O_OWN)) >= 0) return rv;
  path = v[CLI_O_KEYSTORE];
  if ((rv = cli_keystore_open(&ks, "list", path, v[CLI_O_PASS_FILE])) != 0) return rv;
  printf("keystore %s\n", path);
  printf("current AutoPASS generation %u, current MAcK reference %u, audit entries %llu\n",
         ks.autopass_generation, ks.mack_ref, (unsigned long long)ks.audit_count);
  lines_mkey("MKEY-N_", ks.mkey_n, ks.autopass_generation);
  lines_mkey("MKEY-F_", ks.mkey_f, ks.autopass_generation);
  lines_mauk("MAuK_", ks.mauk);
  lines_mack("MAcK_", ks.mack, ks.mack_ref);
  lines_mauk("AES-MAuK_", ks.aes_mauk);
  lines_mack("AES-MAcK_", ks.aes_mack, ks.mack_ref);
  keymgmt_keystore_wipe(&ks);
  return 0;
}
