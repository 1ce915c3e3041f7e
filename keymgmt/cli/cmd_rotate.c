/* efc-keymgmt rotate: the current AutoPASS generation and MAcK reference. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: efc-keymgmt rotate --keystore FILE [--autopass-generation G] [--mack-ref R]\n"
          "           [--pass-file FILE]\n"
          "\n"
          "Sets the current AutoPASS key generation (1..%d) and/or the current MAcK\n"
          "reference (0..%d) that new OBE profiles use by default. Recorded in the audit log.\n",
          KEYMGMT_GENERATIONS, KEYMGMT_MACK_REFS - 1);
}

int cmd_rotate(int argc, char **argv) {
  enum { O_GEN = CLI_O_OWN, O_REF, O_END };
  static const struct option opts[] = {CLI_OPTS_KEYSTORE,
                                       {"autopass-generation", required_argument, NULL, O_GEN},
                                       {"mack-ref", required_argument, NULL, O_REF},
                                       CLI_OPTS_END};
  const char *v[O_END] = {0}, *path, *gen_s, *ref_s;
  char gen[4], oldgen[4], ref[4], oldref[4];
  const char *kv[8];
  size_t n = 0;
  uint32_t g = 0, r = 0;
  keymgmt_keystore ks;
  int rv;

  if ((rv = cli_args_parse(argc, argv, "rotate", opts, usage, v, O_END)) >= 0) return rv;
  path = v[CLI_O_KEYSTORE];
  gen_s = v[O_GEN];
  ref_s = v[O_REF];
  if (!gen_s && !ref_s)
    return cli_usage("rotate", "give --autopass-generation G and/or --mack-ref R");
  if (gen_s && (rv = cli_u32(&g, "--autopass-generation", gen_s, 1, KEYMGMT_GENERATIONS)) != 0)
    return rv;
  if (ref_s && (rv = cli_u32(&r, "--mack-ref", ref_s, 0, KEYMGMT_MACK_REFS - 1)) != 0) return rv;
  if ((rv = cli_keystore_open(&ks, "rotate", path, v[CLI_O_PASS_FILE])) != 0) return rv;
  if (gen_s) {
    snprintf(oldgen, sizeof(oldgen), "%u", ks.autopass_generation);
    snprintf(gen, sizeof(gen), "%u", (unsigned)g);
    ks.autopass_generation = (uint8_t)g;
    kv[n++] = "autopass_generation";
    kv[n++] = gen;
    kv[n++] = "previous_autopass_generation";
    kv[n++] = oldgen;
  }
  if (ref_s) {
    snprintf(oldref, sizeof(oldref), "%u", ks.mack_ref);
    snprintf(ref, sizeof(ref), "%u", (unsigned)r);
    ks.mack_ref = (uint8_t)r;
    kv[n++] = "mack_ref";
    kv[n++] = ref;
    kv[n++] = "previous_mack_ref";
    kv[n++] = oldref;
  }
  rv = cli_keystore_commit(&ks, path, "rotate", kv, n / 2);
  if (rv == 0)
    printf("%s: current AutoPASS generation %u, MAcK reference %u\n", path, ks.autopass_generation,
           ks.mack_ref);
  keymgmt_keystore_wipe(&ks);
  return rv;
}
