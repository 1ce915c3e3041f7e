/* efc-keymgmt rotate: the current AutoPASS generation and MAcK reference. */
#include <stdio.h>
#include <stdlib.h>
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

static int parse_range(const char *opt, const char *s, long lo, long hi, long *out) {
  char *end;
  long n = strtol(s, &end, 10);
  if (*s == '\0' || *end || n < lo || n > hi)
    return cli_fail("%s: expected %ld..%ld, got '%s'", opt, lo, hi, s);
  *out = n;
  return 0;
}

int cmd_rotate(int argc, char **argv) {
  enum { O_KEYSTORE = 256, O_PASS_FILE, O_GEN, O_REF };
  static const struct option opts[] = {{"keystore", required_argument, NULL, O_KEYSTORE},
                                       {"pass-file", required_argument, NULL, O_PASS_FILE},
                                       {"autopass-generation", required_argument, NULL, O_GEN},
                                       {"mack-ref", required_argument, NULL, O_REF},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char *path = NULL, *pass_file = NULL, *gen_s = NULL, *ref_s = NULL;
  char gen[4], oldgen[4], ref[4], oldref[4];
  const char *kv[8];
  size_t n = 0;
  long g = 0, r = 0;
  keymgmt_keystore ks;
  int c, rv;

  while ((c = cli_getopt(argc, argv, "rotate", opts)) != -1) {
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
    case O_REF:
      ref_s = optarg;
      break;
    case 'h':
      usage(stdout);
      return 0;
    default:
      return EXIT_USAGE;
    }
  }
  if ((rv = cli_no_args(argc, argv, "rotate")) != 0) return rv;
  if (!path) return cli_usage("rotate", "--keystore FILE is required");
  if (!gen_s && !ref_s)
    return cli_usage("rotate", "give --autopass-generation G and/or --mack-ref R");
  if (gen_s && (rv = parse_range("--autopass-generation", gen_s, 1, KEYMGMT_GENERATIONS, &g)) != 0)
    return rv;
  if (ref_s && (rv = parse_range("--mack-ref", ref_s, 0, KEYMGMT_MACK_REFS - 1, &r)) != 0) return rv;
  if ((rv = cli_keystore_open(&ks, "rotate", path, pass_file)) != 0) return rv;
  if (gen_s) {
    snprintf(oldgen, sizeof(oldgen), "%u", ks.autopass_generation);
    snprintf(gen, sizeof(gen), "%ld", g);
    ks.autopass_generation = (uint8_t)g;
    kv[n++] = "autopass_generation";
    kv[n++] = gen;
    kv[n++] = "previous_autopass_generation";
    kv[n++] = oldgen;
  }
  if (ref_s) {
    snprintf(oldref, sizeof(oldref), "%u", ks.mack_ref);
    snprintf(ref, sizeof(ref), "%ld", r);
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
