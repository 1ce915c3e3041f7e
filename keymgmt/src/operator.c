/* The toll charger's key file: one MKEY-F generation, the MAC_TC authentication master
 * keys, the access master keys and their AES equivalents. No MKEY-N, no other MKEY-F
 * generation, no MAC_TSP key. */
#include <string.h>

#include "km_internal.h"

enum {
  T_MKEY_F = 0x40, /* generation(1) || key(16) */
  T_MAUK = 0x41,   /* keyRef 1..8 || key */
  T_MACK = 0x42,   /* reference 0..3 || key */
  T_AES_MAUK = 0x43,
  T_AES_MACK = 0x44,
  T_MACK_REF = 0x45, /* current reference(1) */
};

int keymgmt_operator_keys_export(keymgmt_operator_keys *out, const keymgmt_keystore *ks, int generation) {
  if (!out || !ks || generation < 1 || generation > KEYMGMT_GENERATIONS) return KEYMGMT_ERR_ARG;
  memset(out, 0, sizeof(*out));
  out->generation = (uint8_t)generation;
  memcpy(out->mkey_f, ks->mkey_f[generation - 1], KEYMGMT_KEY);
  for (int ref = 1; ref <= DSRC_AUK_COUNT; ref++) {
    /* The keyRef table decides; a MAC_TSP key never leaves the issuer. */
    if (dsrc_en15509_keyref_role(ref) != DSRC_MAC_ROLE_TC) continue;
    out->mauk_held |= (uint8_t)(1u << (ref - 1));
    memcpy(out->mauk[ref - 1], ks->mauk[ref - 1], KEYMGMT_KEY);
    memcpy(out->aes_mauk[ref - 1], ks->aes_mauk[ref - 1], KEYMGMT_KEY);
  }
  /* Every reference: the lane must answer OBEs personalised under earlier references. */
  for (int r = 0; r < KEYMGMT_MACK_REFS; r++) {
    out->mack_held |= (uint8_t)(1u << r);
    memcpy(out->mack[r], ks->mack[r], KEYMGMT_KEY);
    memcpy(out->aes_mack[r], ks->aes_mack[r], KEYMGMT_KEY);
  }
  out->mack_ref = ks->mack_ref;
  return 0;
}

void keymgmt_operator_keys_wipe(keymgmt_operator_keys *ok) {
  if (ok) dsrc_crypto_wipe(ok, sizeof(*ok));
}

static void encode(const keymgmt_operator_keys *ok, km_tlv_writer *w) {
  km_tlv_put(w, T_MKEY_F, &ok->generation, 1, ok->mkey_f, KEYMGMT_KEY);
  for (int i = 0; i < DSRC_AUK_COUNT; i++) {
    uint8_t n = (uint8_t)(i + 1);
    if (!(ok->mauk_held & (1u << i))) continue;
    km_tlv_put(w, T_MAUK, &n, 1, ok->mauk[i], KEYMGMT_KEY);
    km_tlv_put(w, T_AES_MAUK, &n, 1, ok->aes_mauk[i], KEYMGMT_KEY);
  }
  for (int r = 0; r < KEYMGMT_MACK_REFS; r++) {
    uint8_t n = (uint8_t)r;
    if (!(ok->mack_held & (1u << r))) continue;
    km_tlv_put(w, T_MACK, &n, 1, ok->mack[r], KEYMGMT_KEY);
    km_tlv_put(w, T_AES_MACK, &n, 1, ok->aes_mack[r], KEYMGMT_KEY);
  }
  km_tlv_put(w, T_MACK_REF, &ok->mack_ref, 1, NULL, 0);
}

static bool item(const uint8_t *v, size_t vlen, int lo, int n, uint8_t *held,
                 uint8_t (*dst)[KEYMGMT_KEY]) {
  int i;
  if (vlen != 1 + KEYMGMT_KEY) return false;
  i = v[0] - lo;
  if (i < 0 || i >= n || (*held & (1u << i))) return false;
  *held |= (uint8_t)(1u << i);
  memcpy(dst[i], v + 1, KEYMGMT_KEY);
  return true;
}

static int decode(keymgmt_operator_keys *ok, const uint8_t *pt, size_t len) {
  km_tlv_reader r = {pt, len, 0};
  uint8_t tag, amauk = 0, amack = 0;
  const uint8_t *v;
  size_t vlen;
  int k, mkey = 0, ref = 0;
  while ((k = km_tlv_next(&r, &tag, &v, &vlen)) == 1) {
    bool good;
    switch (tag) {
    case T_MKEY_F:
      good = !mkey++ && vlen == 1 + KEYMGMT_KEY && v[0] >= 1 && v[0] <= KEYMGMT_GENERATIONS;
      if (good) {
        ok->generation = v[0];
        memcpy(ok->mkey_f, v + 1, KEYMGMT_KEY);
      }
      break;
    case T_MAUK:
      good = item(v, vlen, 1, DSRC_AUK_COUNT, &ok->mauk_held, ok->mauk);
      break;
    case T_AES_MAUK:
      good = item(v, vlen, 1, DSRC_AUK_COUNT, &amauk, ok->aes_mauk);
      break;
    case T_MACK:
      good = item(v, vlen, 0, KEYMGMT_MACK_REFS, &ok->mack_held, ok->mack);
      break;
    case T_AES_MACK:
      good = item(v, vlen, 0, KEYMGMT_MACK_REFS, &amack, ok->aes_mack);
      break;
    case T_MACK_REF:
      good = !ref++ && vlen == 1 && v[0] < KEYMGMT_MACK_REFS;
      if (good) ok->mack_ref = v[0];
      break;
    default:
      good = false;
    }
    if (!good) return KEYMGMT_ERR_CONTENT;
  }
  if (k < 0 || !mkey || !ref || amauk != ok->mauk_held || amack != ok->mack_held)
    return KEYMGMT_ERR_CONTENT;
  return 0;
}

int keymgmt_operator_keys_save(const keymgmt_operator_keys *ok, const char *path, const char *pass,
                           bool replace, char *err, size_t errlen) {
  uint8_t pt[KM_PLAINTEXT_MAX];
  km_tlv_writer w = {pt, sizeof(pt), 0, false};
  int rv;
  if (!ok || !path || ok->generation < 1 || ok->generation > KEYMGMT_GENERATIONS)
    return km_fail(err, errlen, KEYMGMT_ERR_ARG, path, "invalid operator keys");
  encode(ok, &w);
  if (w.overflow)
    rv = km_fail(err, errlen, KEYMGMT_ERR_ARG, path, "operator plaintext too large");
  else
    rv = km_seal_save(path, KM_KIND_OPERATOR, pass, NULL, pt, w.len, !replace, err, errlen);
  dsrc_crypto_wipe(pt, sizeof(pt));
  return rv;
}

int keymgmt_operator_keys_load(keymgmt_operator_keys *ok, const char *path, const char *pass, char *err,
                           size_t errlen) {
  uint8_t pt[KM_PLAINTEXT_MAX];
  size_t len = 0;
  int rv;
  if (!ok || !path) return km_fail(err, errlen, KEYMGMT_ERR_ARG, path, "invalid argument");
  memset(ok, 0, sizeof(*ok));
  rv = km_seal_load(path, KM_KIND_OPERATOR, pass, NULL, pt, &len, err, errlen);
  if (rv == 0 && (rv = decode(ok, pt, len)) != 0) {
    keymgmt_operator_keys_wipe(ok);
    km_fail(err, errlen, rv, path, "authentic but not a valid operator key file");
  }
  dsrc_crypto_wipe(pt, sizeof(pt));
  return rv;
}
