/* efc-keymgmt export-operator: the toll charger's subset of the master keys. */
#include <stdio.h>
#include <stdlib.h>
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
  enum { O_KEYSTORE = 256, O_PASS_FILE, O_GEN, O_OUT, O_OUT_PASS, O_FORCE };
  static const struct option opts[] = {{"keystore", required_argument, NULL, O_KEYSTORE},
                                       {"pass-file", required_argument, NULL, O_PASS_FILE},
                                       {"generation", required_argument, NULL, O_GEN},
                                       {"out", required_argument, NULL, O_OUT},
                                       {"out-pass-file", required_argument, NULL, O_OUT_PASS},
                                       {"force", no_argument, NULL, O_FORCE},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char *path = NULL, *pass_file = NULL, *gen_s = NULL, *outp = NULL, *out_pass = NULL;
  char pass[IO_PASS_MAX], err[512], gen[4], mauk[32], mack[32];
  keymgmt_keystore ks;
  keymgmt_operator_keys ok;
  bool force = false;
  long g;
  char *end;
  int c, rv;

  while ((c = cli_getopt(argc, argv, "export-operator", opts)) != -1) {
    switch (c) {
    case O_KEYSTORE:
      path = optarg;
      break;
    case O_PASS_FILE:
      pass_file = optarg;
      break;
    case O_GEN:
      gen_s = optarg;
      break;
    case O_OUT:
      outp = optarg;
      break;
    case O_OUT_PASS:
      out_pass = optarg;
      break;
    case O_FORCE:
      force = true;
      break;
    case 'h':
      usage(stdout);
      return 0;
    default:
      return EXIT_USAGE;
    }
  }
  if ((rv = cli_no_args(argc, argv, "export-operator")) != 0) return rv;
  if (!path) return cli_usage("export-operator", "--keystore FILE is required");
  if (!gen_s) return cli_usage("export-operator", "--generation G is required");
  if (!outp) return cli_usage("export-operator", "--out FILE is required");
  g = strtol(gen_s, &end, 10);
  if (*gen_s == '\0' || *end || g < 1 || g > KEYMGMT_GENERATIONS)
    return cli_fail("--generation: expected 1..%d, got '%s'", KEYMGMT_GENERATIONS, gen_s);
  if ((rv = cli_pass(pass, "export-operator", out_pass, "EFC_OPERATOR_PASS", "--out-pass-file")) !=
      0)
    return rv;
  memset(&ok, 0, sizeof(ok));
  if ((rv = cli_keystore_open(&ks, "export-operator", path, pass_file)) != 0) goto out;
  if ((rv = keymgmt_operator_keys_export(&ok, &ks, (int)g)) != 0) {
    rv = cli_fail("export-operator: %s", keymgmt_strerror(rv));
    goto out;
  }
  if ((rv = keymgmt_operator_keys_save(&ok, outp, pass, force, err, sizeof(err))) != 0) {
    rv = cli_fail("%s", err);
    goto out;
  }
  snprintf(gen, sizeof(gen), "%ld", g);
  list_bits(mauk, sizeof(mauk), ok.mauk_held, DSRC_AUK_COUNT, 1);
  list_bits(mack, sizeof(mack), ok.mack_held, KEYMGMT_MACK_REFS, 0);
  {
    const char *kv[] = {"generation", gen, "mauk_keyrefs", mauk, "mack_refs", mack, "out", outp};
    rv = cli_keystore_commit(&ks, path, "export-operator", kv, 4);
  }
  if (rv == 0)
    printf("%s: operator keys written (MKEY-F_%ld, MAuK keyRefs %s, MAcK references %s)\n", outp, g,
           mauk, mack);
out:
  io_pass_wipe(pass);
  keymgmt_keystore_wipe(&ks);
  keymgmt_operator_keys_wipe(&ok);
  return rv;
}
