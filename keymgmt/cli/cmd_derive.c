/* efc-keymgmt derive: one derivation from keys given in hex, for key-ceremony cross-checks.
 * The only command that prints key material. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dsrc/hex.h"

enum {
  O_MAUK = 256,
  O_PAN,
  O_PROVIDER,
  O_MACK,
  O_REF,
  O_ACCESSKEY,
  O_RND_OBE,
  O_AUTHKEY,
  O_ATTRLIST,
  O_NONCE,
  O_MKEY,
  O_OBUID,
  O_OBUKEY,
  O_RND1,
  O_TIME,
  O_SSKEY,
  O_EFCSTATUS,
  O_TC,
  O_RND2,
  O_END
};
#define NOPT (O_END - O_MAUK)
#define IX(o) ((o)-O_MAUK)

static const struct option opts[] = {{"mauk", required_argument, NULL, O_MAUK},
                                     {"pan", required_argument, NULL, O_PAN},
                                     {"provider", required_argument, NULL, O_PROVIDER},
                                     {"mack", required_argument, NULL, O_MACK},
                                     {"ref", required_argument, NULL, O_REF},
                                     {"accesskey", required_argument, NULL, O_ACCESSKEY},
                                     {"rnd-obe", required_argument, NULL, O_RND_OBE},
                                     {"authkey", required_argument, NULL, O_AUTHKEY},
                                     {"attrlist", required_argument, NULL, O_ATTRLIST},
                                     {"nonce", required_argument, NULL, O_NONCE},
                                     {"mkey", required_argument, NULL, O_MKEY},
                                     {"obuid", required_argument, NULL, O_OBUID},
                                     {"obukey", required_argument, NULL, O_OBUKEY},
                                     {"rnd1", required_argument, NULL, O_RND1},
                                     {"time", required_argument, NULL, O_TIME},
                                     {"sskey", required_argument, NULL, O_SSKEY},
                                     {"efcstatus", required_argument, NULL, O_EFCSTATUS},
                                     {"tc", required_argument, NULL, O_TC},
                                     {"rnd2", required_argument, NULL, O_RND2},
                                     {"help", no_argument, NULL, 'h'},
                                     {NULL, 0, NULL, 0}};

/* Octets each option takes; 0 = variable (attrlist, nonce). */
static const uint8_t opt_len[NOPT] = {16, 10, 3,  16, 2, 8,  4, 8, 0, 0,
                                      16, 4,  16, 4,  4, 16, 1, 2, 4};

enum kind { K_AUTHKEY, K_ACCESSKEY, K_AC_CR, K_AUTHENTICATOR, K_OBUKEY, K_SSKEY, K_MAC, K_N };

static const struct {
  const char *name;
  int need[6]; /* options, 0-terminated */
} kinds[K_N] = {
    [K_AUTHKEY] = {"en15509-authkey", {O_MAUK, O_PAN, O_PROVIDER}},
    [K_ACCESSKEY] = {"en15509-accesskey", {O_MACK, O_REF}},
    [K_AC_CR] = {"en15509-ac-cr", {O_ACCESSKEY, O_RND_OBE}},
    [K_AUTHENTICATOR] = {"en15509-authenticator", {O_AUTHKEY, O_ATTRLIST, O_NONCE}},
    [K_OBUKEY] = {"autopass-obukey", {O_MKEY, O_OBUID}},
    [K_SSKEY] = {"autopass-sskey", {O_OBUKEY, O_RND1, O_TIME}},
    [K_MAC] = {"autopass-mac", {O_SSKEY, O_OBUID, O_EFCSTATUS, O_TC, O_RND2}},
};

static void usage(FILE *out) {
  fprintf(
      out,
      "usage: efc-keymgmt derive KIND [options]   (all values hex; prints one hex line)\n"
      "\n"
      "  en15509-authkey        --mauk H(16) --pan H(10) --provider H(3)\n"
      "  en15509-accesskey      --mack H(16) --ref H(2)\n"
      "  en15509-ac-cr          --accesskey H(8) --rnd-obe H(4)\n"
      "  en15509-authenticator  --authkey H(8) --attrlist H --nonce H(1..127)\n"
      "  autopass-obukey        --mkey H(16) --obuid H(4)\n"
      "  autopass-sskey         --obukey H(16) --rnd1 H(4) --time H(4)\n"
      "  autopass-mac           --sskey H(16) --obuid H(4) --efcstatus H(1) --tc H(2) --rnd2 H(4)\n"
      "\n"
      "Algorithms: docs/crypto.md. The only efc-keymgmt command that prints keys.\n");
}

int cmd_derive(int argc, char **argv) {
  const char *val[NOPT] = {0};
  uint8_t buf[NOPT][1024], out[16];
  size_t len[NOPT] = {0}, outlen = 0;
  char hex[33];
  dsrc_crypto *c = NULL;
  char err[256];
  int k = -1, opt, rv;

  if (argc < 2) return cli_usage("derive", "KIND is required");
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout);
    return 0;
  }
  for (int i = 0; i < K_N; i++)
    if (strcmp(argv[1], kinds[i].name) == 0) k = i;
  if (k < 0) return cli_usage("derive", "unknown KIND '%s'", argv[1]);
  while ((opt = cli_getopt(argc - 1, argv + 1, "derive", opts)) != -1) {
    if (opt == 'h') {
      usage(stdout);
      return 0;
    }
    if (opt < O_MAUK || opt >= O_END) return IO_CLI_EXIT_USAGE;
    val[IX(opt)] = optarg;
  }
  if ((rv = cli_no_args(argc - 1, argv + 1, "derive")) != 0) return rv;
  for (int o = O_MAUK; o < O_END; o++) {
    bool needed = false;
    for (int j = 0; kinds[k].need[j]; j++) needed |= kinds[k].need[j] == o;
    if (needed && !val[IX(o)])
      return cli_usage("derive", "%s needs --%s", kinds[k].name, opts[IX(o)].name);
    if (!needed && val[IX(o)])
      return cli_usage("derive", "--%s does not apply to %s", opts[IX(o)].name, kinds[k].name);
  }
  for (int o = O_MAUK; o < O_END; o++) {
    char name[32];
    if (!val[IX(o)]) continue;
    snprintf(name, sizeof(name), "--%s", opts[IX(o)].name);
    /* A provider may also be given as CC:ID. */
    if (o == O_PROVIDER && strchr(val[IX(o)], ':')) {
      if (keymgmt_provider_parse(val[IX(o)], buf[IX(o)]) != 0)
        return cli_fail("--provider: expected 3 octets of hex or CC:ID, got '%s'", val[IX(o)]);
      len[IX(o)] = 3;
      continue;
    }
    if ((rv = cli_hex(buf[IX(o)], sizeof(buf[0]), opt_len[IX(o)], &len[IX(o)], name, val[IX(o)])) !=
        0)
      return rv;
  }
  if (val[IX(O_NONCE)] && (len[IX(O_NONCE)] < 1 || len[IX(O_NONCE)] > DSRC_NONCE_MAX))
    return cli_fail("--nonce: expected 1..%d octets, got %zu", DSRC_NONCE_MAX, len[IX(O_NONCE)]);

  if (dsrc_crypto_new(&c, err, sizeof(err)) != 0) return cli_fail("%s", err);
#define B(o) buf[IX(o)]
  switch (k) {
  case K_AUTHKEY:
    rv = dsrc_en15509_auth_key(c, out, B(O_MAUK), B(O_PAN), B(O_PROVIDER));
    outlen = 8;
    break;
  case K_ACCESSKEY:
    rv = dsrc_en15509_access_key(c, out, B(O_MACK), B(O_REF));
    outlen = 8;
    break;
  case K_AC_CR:
    rv = dsrc_en15509_ac_cr(c, out, B(O_ACCESSKEY), B(O_RND_OBE));
    outlen = 4;
    break;
  case K_AUTHENTICATOR:
    rv = dsrc_en15509_authenticator(c, out, B(O_AUTHKEY), B(O_ATTRLIST), len[IX(O_ATTRLIST)],
                                   B(O_NONCE), len[IX(O_NONCE)]);
    outlen = 4;
    break;
  case K_OBUKEY:
    rv = dsrc_autopass_obukey(c, out, B(O_MKEY), B(O_OBUID));
    outlen = 16;
    break;
  case K_SSKEY:
    rv = dsrc_autopass_sskey(c, out, B(O_OBUKEY), B(O_RND1), B(O_TIME));
    outlen = 16;
    break;
  case K_MAC:
    rv = dsrc_autopass_mac(c, out, B(O_SSKEY), B(O_OBUID), B(O_EFCSTATUS)[0], B(O_TC), B(O_RND2));
    outlen = 4;
    break;
  default:
    rv = DSRC_CRYPTO_ERR_ARG;
  }
#undef B
  dsrc_crypto_free(c);
  dsrc_crypto_wipe(buf, sizeof(buf));
  if (rv != 0) return cli_fail("derive %s: %s", kinds[k].name, dsrc_crypto_strerror(rv));
  dsrc_hex_encode(hex, out, outlen, 1);
  dsrc_crypto_wipe(out, sizeof(out));
  puts(hex);
  dsrc_crypto_wipe(hex, sizeof(hex));
  return 0;
}
