/* One OBE's profile: its identity, the keys derived for it and its counters. Never a
 * master key. Built in memory from the keystore, or loaded from its sealed file. */
#include <string.h>

#include "km_internal.h"
#include "dsrc/octets.h"

enum {
  T_IDENTITY = 0x20, /* obuid(4) pan(10) context_mark(6) profiles(1) ac_cr_ref(2) */
  T_OBUKEY_N = 0x21, /* generation(1) || key(16) */
  T_OBUKEY_F = 0x22,
  T_AUK = 0x23,        /* index 1..8 || key(8) */
  T_ACCESS = 0x24,     /* key(8) */
  T_AES_AUK = 0x25,    /* index 1..8 || key(16) */
  T_AES_ACCESS = 0x26, /* key(16) */
  T_COUNTERS = 0x27,   /* autopass_tc(2) en15509_tc(2) */
  T_EXPIRY = 0x28,     /* year(2) month(1) day(1) */
  T_LPN = 0x29,        /* country(2) text(1..14) */
  T_CLASS = 0x2a,      /* unEceVehicleClass(1) */
  IDENTITY_LEN = 4 + DSRC_PAN_LEN + 6 + 1 + DSRC_AC_CR_REF_LEN,
};

bool keymgmt_pan_valid(const uint8_t pan[DSRC_PAN_LEN]) {
  /* BCD digits, then only 1-bit nibbles (F) as padding; at least one digit. */
  bool padding = false;
  for (int i = 0; i < 2 * DSRC_PAN_LEN; i++) {
    unsigned d = (pan[i / 2] >> (i % 2 ? 0 : 4)) & 15;
    if (d == 15) {
      if (i == 0) return false;
      padding = true;
    } else if (d > 9 || padding) {
      return false;
    }
  }
  return true;
}

bool keymgmt_date_valid(unsigned y, unsigned m, unsigned d) {
  static const uint8_t days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1990 || y > 2117 || m < 1 || m > 12 || d < 1 || d > days[m - 1]) return false;
  return !(m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
}

/* Identity and optional data valid for the profiles chosen. */
static bool identity_ok(const keymgmt_obe_profile *p) {
  if (p->profiles == 0 || (p->profiles & ~(unsigned)EFC_PROFILES_ALL)) return false;
  if (!keymgmt_pan_valid(p->pan) || p->context_mark[5] > 127) return false;
  if (p->ac_cr_ref[0] >= KEYMGMT_MACK_REFS) return false;
  if (p->has_expiry && !keymgmt_date_valid(p->expiry_year, p->expiry_month, p->expiry_day))
    return false;
  if (p->has_lpn && (p->lpn_len < 1 || p->lpn_len > KEYMGMT_LPN_MAX || p->lpn_country > 1023))
    return false;
  if (p->has_vehicle_class && p->vehicle_class > 7) return false;
  return true;
}

static void wipe_keys(keymgmt_obe_profile *p) {
  dsrc_crypto_wipe(p->obukey_n, sizeof(p->obukey_n));
  dsrc_crypto_wipe(p->obukey_f, sizeof(p->obukey_f));
  dsrc_crypto_wipe(p->auk, sizeof(p->auk));
  dsrc_crypto_wipe(p->access_key, sizeof(p->access_key));
  dsrc_crypto_wipe(p->aes_auk, sizeof(p->aes_auk));
  dsrc_crypto_wipe(p->aes_access_key, sizeof(p->aes_access_key));
}

int keymgmt_obe_profile_personalise(dsrc_crypto *c, keymgmt_obe_profile *p, const keymgmt_keystore *ks) {
  return keymgmt_obe_profile_personalise_partial(c, p, ks, (1u << KEYMGMT_GENERATIONS) - 1,
                                             (1u << DSRC_AUK_COUNT) - 1);
}

int keymgmt_obe_profile_personalise_partial(dsrc_crypto *c, keymgmt_obe_profile *p, const keymgmt_keystore *ks,
                                        unsigned generations, unsigned keyrefs) {
  const uint8_t *prov;
  int rv = 0;
  if (!c || !p || !ks || !identity_ok(p) || generations >> KEYMGMT_GENERATIONS ||
      keyrefs >> DSRC_AUK_COUNT)
    return KEYMGMT_ERR_ARG;
  prov = keymgmt_obe_profile_provider(p);
  wipe_keys(p);
  p->autopass_tc = 0;
  p->en15509_tc = 0;
  if (efc_profiles_has(p->profiles, EFC_PROFILE_AUTOPASS)) {
    for (int g = 0; g < KEYMGMT_GENERATIONS && rv == 0; g++) {
      if (!(generations >> g & 1)) continue;
      rv = dsrc_autopass_obukey(c, p->obukey_n[g], ks->mkey_n[g], p->obuid);
      if (rv == 0) rv = dsrc_autopass_obukey(c, p->obukey_f[g], ks->mkey_f[g], p->obuid);
    }
  }
  if (efc_profiles_has(p->profiles, EFC_PROFILE_EN15509_L0) ||
      efc_profiles_has(p->profiles, EFC_PROFILE_EN15509_L1)) {
    for (int i = 0; i < DSRC_AUK_COUNT && rv == 0; i++)
      if (keyrefs >> i & 1) rv = dsrc_en15509_auth_key(c, p->auk[i], ks->mauk[i], p->pan, prov);
  }
  if (efc_profiles_has(p->profiles, EFC_PROFILE_EN15509_L1) && rv == 0)
    rv = dsrc_en15509_access_key(c, p->access_key, ks->mack[p->ac_cr_ref[0]], p->ac_cr_ref);
  if (efc_profiles_has(p->profiles, EFC_PROFILE_AES)) {
    for (int i = 0; i < DSRC_AUK_COUNT && rv == 0; i++)
      if (keyrefs >> i & 1) rv = dsrc_aesref_auth_key(c, p->aes_auk[i], ks->aes_mauk[i], p->pan, prov);
    if (rv == 0)
      rv = dsrc_aesref_access_key(c, p->aes_access_key, ks->aes_mack[p->ac_cr_ref[0]], p->ac_cr_ref);
  }
  if (rv != 0) wipe_keys(p);
  return rv;
}

void keymgmt_obe_profile_wipe(keymgmt_obe_profile *p) {
  if (p) dsrc_crypto_wipe(p, sizeof(*p));
}

static void encode(const keymgmt_obe_profile *p, km_tlv_writer *w) {
  uint8_t id[IDENTITY_LEN], b[4];
  memcpy(id, p->obuid, 4);
  memcpy(id + 4, p->pan, DSRC_PAN_LEN);
  memcpy(id + 14, p->context_mark, 6);
  id[20] = (uint8_t)p->profiles;
  memcpy(id + 21, p->ac_cr_ref, 2);
  km_tlv_put(w, T_IDENTITY, id, sizeof(id), NULL, 0);
  if (efc_profiles_has(p->profiles, EFC_PROFILE_AUTOPASS)) {
    for (int g = 0; g < KEYMGMT_GENERATIONS; g++) {
      uint8_t n = (uint8_t)(g + 1);
      km_tlv_put(w, T_OBUKEY_N, &n, 1, p->obukey_n[g], DSRC_AUTOPASS_KEY);
      km_tlv_put(w, T_OBUKEY_F, &n, 1, p->obukey_f[g], DSRC_AUTOPASS_KEY);
    }
  }
  if (efc_profiles_has(p->profiles, EFC_PROFILE_EN15509_L0) ||
      efc_profiles_has(p->profiles, EFC_PROFILE_EN15509_L1)) {
    for (int i = 0; i < DSRC_AUK_COUNT; i++) {
      uint8_t n = (uint8_t)(i + 1);
      km_tlv_put(w, T_AUK, &n, 1, p->auk[i], DSRC_DES_KEY);
    }
  }
  if (efc_profiles_has(p->profiles, EFC_PROFILE_EN15509_L1))
    km_tlv_put(w, T_ACCESS, p->access_key, DSRC_DES_KEY, NULL, 0);
  if (efc_profiles_has(p->profiles, EFC_PROFILE_AES)) {
    for (int i = 0; i < DSRC_AUK_COUNT; i++) {
      uint8_t n = (uint8_t)(i + 1);
      km_tlv_put(w, T_AES_AUK, &n, 1, p->aes_auk[i], DSRC_AES_KEY);
    }
    km_tlv_put(w, T_AES_ACCESS, p->aes_access_key, DSRC_AES_KEY, NULL, 0);
  }
  dsrc_put_be16(b, p->autopass_tc);
  dsrc_put_be16(b + 2, p->en15509_tc);
  km_tlv_put(w, T_COUNTERS, b, 4, NULL, 0);
  if (p->has_expiry) {
    dsrc_put_be16(b, p->expiry_year);
    b[2] = p->expiry_month;
    b[3] = p->expiry_day;
    km_tlv_put(w, T_EXPIRY, b, 4, NULL, 0);
  }
  if (p->has_lpn) {
    dsrc_put_be16(b, p->lpn_country);
    km_tlv_put(w, T_LPN, b, 2, p->lpn, p->lpn_len);
  }
  if (p->has_vehicle_class) km_tlv_put(w, T_CLASS, &p->vehicle_class, 1, NULL, 0);
  dsrc_crypto_wipe(id, sizeof(id));
}

/* An indexed key: index 1..n, each once. */
static bool indexed(const uint8_t *v, size_t vlen, size_t keylen, int n, uint32_t *seen,
                    uint8_t *dst) {
  int i;
  if (vlen != 1 + keylen || v[0] < 1 || v[0] > n || (*seen & (1u << (v[0] - 1)))) return false;
  i = v[0] - 1;
  *seen |= 1u << i;
  memcpy(dst + (size_t)i * keylen, v + 1, keylen);
  return true;
}

static int decode(keymgmt_obe_profile *p, const uint8_t *pt, size_t len, const char **what) {
  km_tlv_reader r = {pt, len, 0};
  uint32_t seen = 0, obn = 0, obf = 0, auk = 0, aauk = 0;
  uint8_t tag;
  const uint8_t *v;
  size_t vlen;
  int k;
  unsigned pr;
  bool des;
  *what = "an unknown, repeated or malformed item";
  while ((k = km_tlv_next(&r, &tag, &v, &vlen)) == 1) {
    bool ok = true;
    uint32_t bit = tag >= T_IDENTITY && tag <= T_CLASS ? 1u << (tag - T_IDENTITY) : 0;
    bool multi = tag == T_OBUKEY_N || tag == T_OBUKEY_F || tag == T_AUK || tag == T_AES_AUK;
    if (!bit || (!multi && (seen & bit))) return KEYMGMT_ERR_CONTENT;
    seen |= bit;
    switch (tag) {
    case T_IDENTITY:
      if ((ok = vlen == IDENTITY_LEN)) {
        memcpy(p->obuid, v, 4);
        memcpy(p->pan, v + 4, DSRC_PAN_LEN);
        memcpy(p->context_mark, v + 14, 6);
        p->profiles = v[20];
        memcpy(p->ac_cr_ref, v + 21, 2);
      }
      break;
    case T_OBUKEY_N:
      ok = indexed(v, vlen, 16, KEYMGMT_GENERATIONS, &obn, &p->obukey_n[0][0]);
      break;
    case T_OBUKEY_F:
      ok = indexed(v, vlen, 16, KEYMGMT_GENERATIONS, &obf, &p->obukey_f[0][0]);
      break;
    case T_AUK:
      ok = indexed(v, vlen, 8, DSRC_AUK_COUNT, &auk, &p->auk[0][0]);
      break;
    case T_AES_AUK:
      ok = indexed(v, vlen, 16, DSRC_AUK_COUNT, &aauk, &p->aes_auk[0][0]);
      break;
    case T_ACCESS:
      if ((ok = vlen == DSRC_DES_KEY)) memcpy(p->access_key, v, DSRC_DES_KEY);
      break;
    case T_AES_ACCESS:
      if ((ok = vlen == DSRC_AES_KEY)) memcpy(p->aes_access_key, v, DSRC_AES_KEY);
      break;
    case T_COUNTERS:
      if ((ok = vlen == 4)) {
        p->autopass_tc = dsrc_get_be16(v);
        p->en15509_tc = dsrc_get_be16(v + 2);
        ok = p->en15509_tc < 4096;
      }
      break;
    case T_EXPIRY:
      if ((ok = vlen == 4)) {
        p->has_expiry = true;
        p->expiry_year = dsrc_get_be16(v);
        p->expiry_month = v[2];
        p->expiry_day = v[3];
      }
      break;
    case T_LPN:
      if ((ok = vlen >= 3 && vlen <= 2 + KEYMGMT_LPN_MAX)) {
        p->has_lpn = true;
        p->lpn_country = dsrc_get_be16(v);
        p->lpn_len = (uint8_t)(vlen - 2);
        memcpy(p->lpn, v + 2, vlen - 2);
      }
      break;
    case T_CLASS:
      if ((ok = vlen == 1)) {
        p->has_vehicle_class = true;
        p->vehicle_class = v[0];
      }
      break;
    default:
      ok = false;
    }
    if (!ok) return KEYMGMT_ERR_CONTENT;
  }
  if (k < 0) return KEYMGMT_ERR_CONTENT;
  *what =
      "identity, counters or a key its profiles need is missing, or a key is present that "
      "they do not";
  if (!(seen & 1u << (T_IDENTITY - T_IDENTITY)) || !(seen & 1u << (T_COUNTERS - T_IDENTITY)))
    return KEYMGMT_ERR_CONTENT;
  pr = p->profiles;
  des = efc_profiles_has(pr, EFC_PROFILE_EN15509_L0) || efc_profiles_has(pr, EFC_PROFILE_EN15509_L1);
  if (obn != (efc_profiles_has(pr, EFC_PROFILE_AUTOPASS) ? 0x1fu : 0) ||
      obf != (efc_profiles_has(pr, EFC_PROFILE_AUTOPASS) ? 0x1fu : 0) || auk != (des ? 0xffu : 0) ||
      !!(seen & 1u << (T_ACCESS - T_IDENTITY)) != efc_profiles_has(pr, EFC_PROFILE_EN15509_L1) ||
      aauk != (efc_profiles_has(pr, EFC_PROFILE_AES) ? 0xffu : 0) ||
      !!(seen & 1u << (T_AES_ACCESS - T_IDENTITY)) != efc_profiles_has(pr, EFC_PROFILE_AES))
    return KEYMGMT_ERR_CONTENT;
  *what = "invalid identity or vehicle data";
  if (!identity_ok(p)) return KEYMGMT_ERR_CONTENT;
  return 0;
}

int keymgmt_obe_profile_save(const keymgmt_obe_profile *p, const char *path, const char *pass, bool replace,
                         char *err, size_t errlen) {
  uint8_t pt[KM_PLAINTEXT_MAX];
  km_tlv_writer w = {pt, sizeof(pt), 0, false};
  int rv;
  if (!p || !path || !identity_ok(p))
    return km_fail(err, errlen, KEYMGMT_ERR_ARG, path, "invalid OBE profile");
  encode(p, &w);
  if (w.overflow)
    rv = km_fail(err, errlen, KEYMGMT_ERR_ARG, path, "OBE profile plaintext too large");
  else
    rv = km_seal_save(path, KM_KIND_OBE, pass, NULL, pt, w.len, !replace, err, errlen);
  dsrc_crypto_wipe(pt, sizeof(pt));
  return rv;
}

int keymgmt_obe_profile_load(keymgmt_obe_profile *p, const char *path, const char *pass, char *err,
                         size_t errlen) {
  uint8_t pt[KM_PLAINTEXT_MAX];
  size_t len = 0;
  const char *what = "";
  int rv;
  if (!p || !path) return km_fail(err, errlen, KEYMGMT_ERR_ARG, path, "invalid argument");
  memset(p, 0, sizeof(*p));
  rv = km_seal_load(path, KM_KIND_OBE, pass, NULL, pt, &len, err, errlen);
  if (rv == 0 && (rv = decode(p, pt, len, &what)) != 0) {
    keymgmt_obe_profile_wipe(p);
    km_fail(err, errlen, rv, path, "authentic but not a valid OBE profile: %s", what);
  }
  dsrc_crypto_wipe(pt, sizeof(pt));
  return rv;
}
