/* The issuer keystore: every master key, the current generation/reference and the audit
 * record, as a TLV plaintext inside a sealed container. */
#include <string.h>

#include "km_internal.h"

enum {
  T_MKEY_N = 0x01, /* generation(1) || key(16) */
  T_MKEY_F = 0x02,
  T_MAUK = 0x03, /* index 1..8 || key */
  T_MACK = 0x04, /* reference 0..3 || key */
  T_AES_MAUK = 0x05,
  T_AES_MACK = 0x06,
  T_STATE = 0x10, /* autopass_generation(1) || mack_ref(1) */
  T_AUDIT = 0x11, /* count(8, big-endian) || head(32) */
};

/* A 2-key 3DES key with K1 = K2 is single DES in disguise: draw again. */
static void draw_tdes(const dsrc_rng *rng, uint8_t k[KEYMGMT_KEY]) {
  do {
    dsrc_rng_bytes(rng, k, KEYMGMT_KEY);
    dsrc_crypto_set_parity(k, KEYMGMT_KEY);
  } while (dsrc_crypto_equal(k, k + 8, 8));
}

void keymgmt_keystore_generate(keymgmt_keystore *ks, const dsrc_rng *rng) {
  memset(ks, 0, sizeof(*ks));
  for (int g = 0; g < KEYMGMT_GENERATIONS; g++) {
    draw_tdes(rng, ks->mkey_n[g]);
    draw_tdes(rng, ks->mkey_f[g]);
  }
  for (int i = 0; i < DSRC_AUK_COUNT; i++) {
    draw_tdes(rng, ks->mauk[i]);
    dsrc_rng_bytes(rng, ks->aes_mauk[i], KEYMGMT_KEY);
  }
  for (int r = 0; r < KEYMGMT_MACK_REFS; r++) {
    draw_tdes(rng, ks->mack[r]);
    dsrc_rng_bytes(rng, ks->aes_mack[r], KEYMGMT_KEY);
  }
  ks->autopass_generation = 1;
  ks->mack_ref = 0;
}

void keymgmt_keystore_wipe(keymgmt_keystore *ks) {
  if (ks) dsrc_crypto_wipe(ks, sizeof(*ks));
}

static void encode(const keymgmt_keystore *ks, km_tlv_writer *w) {
  uint8_t state[2] = {ks->autopass_generation, ks->mack_ref}, count[8];
  for (int g = 0; g < KEYMGMT_GENERATIONS; g++) {
    uint8_t n = (uint8_t)(g + 1);
    km_tlv_put(w, T_MKEY_N, &n, 1, ks->mkey_n[g], KEYMGMT_KEY);
    km_tlv_put(w, T_MKEY_F, &n, 1, ks->mkey_f[g], KEYMGMT_KEY);
  }
  for (int i = 0; i < DSRC_AUK_COUNT; i++) {
    uint8_t n = (uint8_t)(i + 1);
    km_tlv_put(w, T_MAUK, &n, 1, ks->mauk[i], KEYMGMT_KEY);
    km_tlv_put(w, T_AES_MAUK, &n, 1, ks->aes_mauk[i], KEYMGMT_KEY);
  }
  for (int r = 0; r < KEYMGMT_MACK_REFS; r++) {
    uint8_t n = (uint8_t)r;
    km_tlv_put(w, T_MACK, &n, 1, ks->mack[r], KEYMGMT_KEY);
    km_tlv_put(w, T_AES_MACK, &n, 1, ks->aes_mack[r], KEYMGMT_KEY);
  }
  km_tlv_put(w, T_STATE, state, 2, NULL, 0);
  for (int i = 0; i < 8; i++) count[i] = (uint8_t)(ks->audit_count >> (56 - 8 * i));
  km_tlv_put(w, T_AUDIT, count, 8, ks->audit_head, KEYMGMT_HASH);
}

/* An indexed key item: idx within [lo, lo + n), each index once (seen is a bit set). */
static int indexed_key(const uint8_t *v, size_t vlen, int lo, int n, uint32_t *seen,
                       uint8_t (*dst)[KEYMGMT_KEY]) {
  int i;
  if (vlen != 1 + KEYMGMT_KEY) return -1;
  i = v[0] - lo;
  if (i < 0 || i >= n || (*seen & (1u << i))) return -1;
  *seen |= 1u << i;
  memcpy(dst[i], v + 1, KEYMGMT_KEY);
  return 0;
}

static int decode(keymgmt_keystore *ks, const uint8_t *pt, size_t len, const char **what) {
  km_tlv_reader r = {pt, len, 0};
  uint32_t mkn = 0, mkf = 0, mauk = 0, mack = 0, amauk = 0, amack = 0, state = 0, audit = 0;
  uint8_t tag;
  const uint8_t *v;
  size_t vlen;
  int k;
  while ((k = km_tlv_next(&r, &tag, &v, &vlen)) == 1) {
    int bad = 0;
    switch (tag) {
    case T_MKEY_N:
      bad = indexed_key(v, vlen, 1, KEYMGMT_GENERATIONS, &mkn, ks->mkey_n);
      break;
    case T_MKEY_F:
      bad = indexed_key(v, vlen, 1, KEYMGMT_GENERATIONS, &mkf, ks->mkey_f);
      break;
    case T_MAUK:
      bad = indexed_key(v, vlen, 1, DSRC_AUK_COUNT, &mauk, ks->mauk);
      break;
    case T_MACK:
      bad = indexed_key(v, vlen, 0, KEYMGMT_MACK_REFS, &mack, ks->mack);
      break;
    case T_AES_MAUK:
      bad = indexed_key(v, vlen, 1, DSRC_AUK_COUNT, &amauk, ks->aes_mauk);
      break;
    case T_AES_MACK:
      bad = indexed_key(v, vlen, 0, KEYMGMT_MACK_REFS, &amack, ks->aes_mack);
      break;
    case T_STATE:
      if (vlen != 2 || state++ || v[0] < 1 || v[0] > KEYMGMT_GENERATIONS ||
          v[1] >= KEYMGMT_MACK_REFS) {
        bad = 1;
        break;
      }
      ks->autopass_generation = v[0];
      ks->mack_ref = v[1];
      break;
    case T_AUDIT:
      if (vlen != 8 + KEYMGMT_HASH || audit++) {
        bad = 1;
        break;
      }
      ks->audit_count = 0;
      for (int i = 0; i < 8; i++) ks->audit_count = ks->audit_count << 8 | v[i];
      memcpy(ks->audit_head, v + 8, KEYMGMT_HASH);
      break;
    default:
      bad = 1;
    }
    if (bad) {
      *what = "an unknown, repeated or malformed item";
      return KEYMGMT_ERR_CONTENT;
    }
  }
  if (k < 0) {
    *what = "an item overruns the plaintext";
    return KEYMGMT_ERR_CONTENT;
  }
  if (mkn != 0x1f || mkf != 0x1f || mauk != 0xff || mack != 0xf || amauk != 0xff || amack != 0xf ||
      !state || !audit) {
    *what = "a key or the state record is missing";
    return KEYMGMT_ERR_CONTENT;
  }
  return 0;
}

int keymgmt_keystore_load(keymgmt_keystore *ks, const char *path, const char *pass, char *err,
                      size_t errlen) {
  uint8_t pt[KM_PLAINTEXT_MAX];
  size_t len = 0;
  const char *what = "";
  int rv;
  if (!ks || !path) return km_fail(err, errlen, KEYMGMT_ERR_ARG, path, "invalid argument");
  memset(ks, 0, sizeof(*ks));
  rv = km_seal_load(path, KM_KIND_KEYSTORE, pass, &ks->seal, pt, &len, err, errlen);
  if (rv == 0 && (rv = decode(ks, pt, len, &what)) != 0) {
    keymgmt_keystore_wipe(ks);
    km_fail(err, errlen, rv, path, "authentic but not a valid keystore: %s", what);
  }
  dsrc_crypto_wipe(pt, sizeof(pt));
  return rv;
}

int keymgmt_keystore_save(keymgmt_keystore *ks, const char *path, const char *pass, bool create, char *err,
                      size_t errlen) {
  uint8_t pt[KM_PLAINTEXT_MAX];
  km_tlv_writer w = {pt, sizeof(pt), 0, false};
  int rv;
  if (!ks || !path) return km_fail(err, errlen, KEYMGMT_ERR_ARG, path, "invalid argument");
  encode(ks, &w);
  if (w.overflow) {
    rv = km_fail(err, errlen, KEYMGMT_ERR_ARG, path, "keystore plaintext too large");
  } else {
    rv = km_seal_save(path, KM_KIND_KEYSTORE, pass, &ks->seal, pt, w.len, create, err, errlen);
  }
  dsrc_crypto_wipe(pt, sizeof(pt));
  return rv;
}
