/* efc-keymgmt export-operator: the toll charger's subset of the master keys. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: efc-keymgmt export-operator --keystore FILE --generation G --out FILE\n"
          "           [--force] [--pass-file FILE] [--out-pass-file FILE]\n"
          "\n"
          "Writes the toll charger's key file: MKEY-F_G (one generation, 1..5), the MAuK of\n"
          "the keyRefs that give MAC_TC (1..4 by default; never the MAC_TSP ones), every MAcK,\n"
          "and the AES reference equivalents. Never an MKEY-N. Encrypted under its own\n"
          "passphrase (--out-pass-file or EFC_OPERATOR_PASS); keystore passphrase from\n"
          "--pass-file or EFC_KEYSTORE_PASS. --force replaces an existing FILE.\n");
}

/* "1,2,3,4" for a bit set (bit i = index i + base). */
static void list_bits(char *out, size_t cap, unsigned bits, int n, int base) {
  size_t len = 0;
  out[0] = '\0';
  for (int i = 0; i < n; i++)
    if (bits & (1u << i))
      len += (size_t)snprintf(out + len, cap - len, "%s%d", len ? "," : "", i + base);
}

int cmd_export_operator(int argc, char **argv) {
  enum { O_GEN = CLI_O_OWN, O_OUT, O_OUT_PASS, O_FORCE, O_END };
  static const struct option opts[] = {CLI_OPTS_KEYSTORE,
                                       {"generation", required_argument, NULL, O_GEN},
                                       {"out", required_argument, NULL, O_OUT},
                                       {"out-pass-file", required_argument, NULL, O_OUT_PASS},
                                       {"force", no_argument, NULL, O_FORCE},
                                       CLI_OPTS_END};
  const char *v[O_END] = {0}, *path, *outp;
  char pass[IO_PASS_MAX], err[512], gen[4], mauk[32], mack[32];
  keymgmt_keystore ks;
  keymgmt_operator_keys ok;
  uint32_t g;
  int rv;

  if ((rv = cli_args_parse(argc, argv, "export-operator", opts, usage, v, O_END)) >= 0) return rv;
  path = v[CLI_O_KEYSTORE];
  outp = v[O_OUT];
  if (!v[O_GEN]) return cli_usage("export-operator", "--generation G is required");
  if (!outp) return cli_usage("export-operator", "--out FILE is required");
  if ((rv = cli_u32(&g, "--generation", v[O_GEN], 1, KEYMGMT_GENERATIONS)) != 0) return rv;
  if ((rv = cli_pass(pass, "export-operator", v[O_OUT_PASS], "EFC_OPERATOR_PASS", "--out-pass-file")) != 0)
    return rv;
  memset(&ok, 0, sizeof(ok));
  if ((rv = cli_keystore_open(&ks, "export-operator", path, v[CLI_O_PASS_FILE])) != 0) goto out;
  if ((rv = keymgmt_operator_keys_export(&ok, &ks, (int)g)) != 0) {
    rv = cli_fail("export-operator: %s", keymgmt_strerror(rv));
    goto out;
  }
  if ((rv = keymgmt_operator_keys_save(&ok, outp, pass, v[O_FORCE] != NULL, err, sizeof(err))) != 0) {
    rv = cli_fail("%s", err);
    goto out;
  }
  snprintf(gen, sizeof(gen), "%u", (unsigned)g);
  list_bits(mauk, sizeof(mauk), ok.mauk_held, DSRC_AUK_COUNT, 1);
  list_bits(mack, sizeof(mack), ok.mack_held, KEYMGMT_MACK_REFS, 0);
  {
    const char *kv[] = {"generation", gen, "mauk_keyrefs", mauk, "mack_refs", mack, "out", outp};
    rv = cli_keystore_commit(&ks, path, "export-operator", kv, 4);
  }
  if (rv == 0)
    printf("%s: operator keys written (MKEY-F_%u, MAuK keyRefs %s, MAcK references %s)\n", outp, (unsigned)g,
           mauk, mack);
out:
  io_pass_wipe(pass);
  keymgmt_keystore_wipe(&ks);
  keymgmt_operator_keys_wipe(&ok);
  return rv;
}
