/* efc-keymgmt personalise: one OBE's derived keys and data into its own sealed file. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dsrc/hex.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: efc-keymgmt personalise --keystore FILE --obuid HEX --pan HEX --provider CC:ID\n"
          "           --profiles LIST --out OBEFILE [options]\n"
          "\n"
          "Derives the keys of one OBE from the master keys and writes them, with its identity\n"
          "and counters (all 0), to OBEFILE, encrypted under its own passphrase. OBEFILE holds\n"
          "no master key, and only the keys its profiles use.\n"
          "\n"
          "  --obuid HEX             EquipmentOBUId, 4 octets\n"
          "  --pan HEX               PAN, 10 octets of BCD padded with F\n"
          "  --provider CC:ID        contract provider: ISO 3166 alpha-2 (ITA.2 coded) and issuer\n"
          "                          identifier 0..16383, e.g. NO:1 (= 30C001)\n"
          "  --profiles LIST         comma list of autopass, en15509-l0, en15509-l1, aes\n"
          "  --ac-cr-ref HEX         AC_CR-Reference, 2 octets (MasterKeyReference 0..3 ||\n"
          "                          diversifier); default: the current MAcK reference || 00\n"
          "  --type-of-contract HEX  EFC-ContextMark typeOfContract, 2 octets (default 0001)\n"
          "  --context-version N     EFC-ContextMark contextVersion 0..127 (default 2)\n"
          "  --expiry YYYY-MM-DD     PaymentMeans expiry date (1990..2117)\n"
          "  --lpn CC:TEXT           licence plate: country and 1..14 printable ASCII characters\n"
          "  --vehicle-class N       unEceVehicleClass 0..7\n"
          "  --force                 replace an existing OBEFILE\n"
          "  --pass-file FILE        keystore passphrase (else EFC_KEYSTORE_PASS)\n"
          "  --out-pass-file FILE    OBE profile passphrase (else EFC_OBE_PASS)\n");
}

enum {
  O_KEYSTORE = CLI_O_KEYSTORE,
  O_PASS_FILE = CLI_O_PASS_FILE,
  O_OBUID = CLI_O_OWN,
  O_PAN,
  O_PROVIDER,
  O_PROFILES,
  O_OUT,
  O_OUT_PASS,
  O_AC_CR_REF,
  O_EXPIRY,
  O_LPN,
  O_CLASS,
  O_TYPE,
  O_VERSION,
  O_FORCE,
  N_OPTS
};

/* Fills the identity and optional data from the option values; 0 or the exit status. */
static int fill(keymgmt_obe_profile *p, const char *const *v) {
  uint32_t num;
  int rv;
  if ((rv = cli_hex(p->obuid, sizeof(p->obuid), 4, NULL, "--obuid", v[O_OBUID])) != 0) return rv;
  if ((rv = cli_hex(p->pan, sizeof(p->pan), 10, NULL, "--pan", v[O_PAN])) != 0) return rv;
  if (!keymgmt_pan_valid(p->pan)) return cli_fail("--pan: not BCD digits padded with F: %s", v[O_PAN]);
  if (keymgmt_provider_parse(v[O_PROVIDER], p->context_mark) != 0)
    return cli_fail("--provider: expected CC:ID (ISO 3166 alpha-2, issuer 0..16383), got '%s'",
                    v[O_PROVIDER]);
  p->context_mark[3] = 0x00;
  p->context_mark[4] = 0x01;
  p->context_mark[5] = 2;
  if (v[O_TYPE] &&
      (rv = cli_hex(p->context_mark + 3, 2, 2, NULL, "--type-of-contract", v[O_TYPE])) != 0)
    return rv;
  if (v[O_VERSION]) {
    if ((rv = cli_u32(&num, "--context-version", v[O_VERSION], 0, 127)) != 0) return rv;
    p->context_mark[5] = (uint8_t)num;
  }
  if (efc_profiles_parse(v[O_PROFILES], &p->profiles) != 0)
    return cli_fail(
        "--profiles: expected a comma list of autopass, en15509-l0, en15509-l1, aes; "
        "got '%s'",
        v[O_PROFILES]);
  if (v[O_AC_CR_REF]) {
    if ((rv = cli_hex(p->ac_cr_ref, 2, 2, NULL, "--ac-cr-ref", v[O_AC_CR_REF])) != 0) return rv;
    if (p->ac_cr_ref[0] >= KEYMGMT_MACK_REFS)
      return cli_fail("--ac-cr-ref: MasterKeyReference %u has no MAcK (0..%d)", p->ac_cr_ref[0],
                      KEYMGMT_MACK_REFS - 1);
  }
  if (v[O_EXPIRY]) {
    unsigned y, m, d;
    char tail;
    if (strlen(v[O_EXPIRY]) != 10 || sscanf(v[O_EXPIRY], "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 ||
        !keymgmt_date_valid(y, m, d))
      return cli_fail("--expiry: expected a date YYYY-MM-DD in 1990..2117, got '%s'", v[O_EXPIRY]);
    p->has_expiry = true;
    p->expiry_year = (uint16_t)y;
    p->expiry_month = (uint8_t)m;
    p->expiry_day = (uint8_t)d;
  }
  if (v[O_LPN]) {
    const char *t = v[O_LPN];
    char cc[3] = {0};
    size_t n = strlen(t);
    bool ok = n >= 4 && n <= 3 + KEYMGMT_LPN_MAX && t[2] == ':';
    if (ok) {
      memcpy(cc, t, 2);
      ok = keymgmt_country_code(cc, &p->lpn_country) == 0;
    }
    for (size_t i = 3; ok && i < n; i++) ok = t[i] >= 0x20 && t[i] <= 0x7e;
    if (!ok)
      return cli_fail("--lpn: expected CC:TEXT with 1..%d printable characters, got '%s'",
                      KEYMGMT_LPN_MAX, t);
    p->has_lpn = true;
    p->lpn_len = (uint8_t)(n - 3);
    memcpy(p->lpn, t + 3, n - 3);
  }
  if (v[O_CLASS]) {
    if ((rv = cli_u32(&num, "--vehicle-class", v[O_CLASS], 0, 7)) != 0) return rv;
    p->has_vehicle_class = true;
    p->vehicle_class = (uint8_t)num;
  }
  return 0;
}

int cmd_personalise(int argc, char **argv) {
  static const struct option opts[] = {CLI_OPTS_KEYSTORE,
                                       {"obuid", required_argument, NULL, O_OBUID},
                                       {"pan", required_argument, NULL, O_PAN},
                                       {"provider", required_argument, NULL, O_PROVIDER},
                                       {"profiles", required_argument, NULL, O_PROFILES},
                                       {"out", required_argument, NULL, O_OUT},
                                       {"out-pass-file", required_argument, NULL, O_OUT_PASS},
                                       {"ac-cr-ref", required_argument, NULL, O_AC_CR_REF},
                                       {"expiry", required_argument, NULL, O_EXPIRY},
                                       {"lpn", required_argument, NULL, O_LPN},
                                       {"vehicle-class", required_argument, NULL, O_CLASS},
                                       {"type-of-contract", required_argument, NULL, O_TYPE},
                                       {"context-version", required_argument, NULL, O_VERSION},
                                       {"force", no_argument, NULL, O_FORCE},
                                       CLI_OPTS_END};
  static const struct {
    int opt;
    const char *name;
  } required[] = {
      {O_OBUID, "--obuid HEX"},         {O_PAN, "--pan HEX"},  {O_PROVIDER, "--provider CC:ID"},
      {O_PROFILES, "--profiles LIST"}, {O_OUT, "--out OBEFILE"}};
  const char *v[N_OPTS] = {0};
  char pass[IO_PASS_MAX], err[512], obuid[9], profiles[64], ref[5];
  keymgmt_obe_profile p;
  keymgmt_keystore ks;
  dsrc_crypto *c = NULL;
  int rv;

  if ((rv = cli_args_parse(argc, argv, "personalise", opts, usage, v, N_OPTS)) >= 0) return rv;
  for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
    if (!v[required[i].opt]) return cli_usage("personalise", "%s is required", required[i].name);

  memset(&p, 0, sizeof(p));
  if ((rv = fill(&p, v)) != 0) return rv;
  /* Both passphrases before any work, so a missing one costs no scrypt run. */
  if ((rv = cli_pass(pass, "personalise", v[O_OUT_PASS], "EFC_OBE_PASS", "--out-pass-file")) != 0)
    return rv;
  if ((rv = cli_keystore_open(&ks, "personalise", v[O_KEYSTORE], v[O_PASS_FILE])) != 0) goto out;
  if (!v[O_AC_CR_REF]) {
    p.ac_cr_ref[0] = ks.mack_ref;
    p.ac_cr_ref[1] = 0x00;
  }
  if ((rv = dsrc_crypto_new(&c, err, sizeof(err))) != 0) {
    rv = cli_fail("%s", err);
    goto out;
  }
  if ((rv = keymgmt_obe_profile_personalise(c, &p, &ks)) != 0) {
    rv = cli_fail("personalise: %s", keymgmt_strerror(rv));
    goto out;
  }
  if ((rv = keymgmt_obe_profile_save(&p, v[O_OUT], pass, v[O_FORCE] != NULL, err, sizeof(err))) != 0) {
    rv = cli_fail("%s", err);
    goto out;
  }
  dsrc_hex_encode(obuid, p.obuid, 4, 1);
  dsrc_hex_encode(ref, p.ac_cr_ref, 2, 1);
  efc_profiles_format(profiles, sizeof(profiles), p.profiles);
  {
    const char *kv[] = {"obuid", obuid, "profiles", profiles, "ac_cr_ref", ref, "out", v[O_OUT]};
    rv = cli_keystore_commit(&ks, v[O_KEYSTORE], "personalise", kv, 4);
  }
  if (rv == 0) printf("%s: OBE %s personalised (%s)\n", v[O_OUT], obuid, profiles);
out:
  io_pass_wipe(pass);
  keymgmt_keystore_wipe(&ks);
  keymgmt_obe_profile_wipe(&p);
  dsrc_crypto_free(c);
  return rv;
}
