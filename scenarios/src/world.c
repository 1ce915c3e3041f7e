#include <stdio.h>
#include <string.h>

#include "dsrc/keys.h"
#include "sim/world.h"

int sim_keys_init(sim_keys *k, dsrc_crypto *c, uint64_t seed) {
  dsrc_prng p;
  dsrc_rng rng;
  (void)c;
  memset(k, 0, sizeof(*k));
  dsrc_prng_seed(&p, seed ^ UINT64_C(0x6b657973)); /* "keys": apart from the traffic draws */
  rng = dsrc_prng_rng(&p);
  keymgmt_keystore_generate(&k->issuer, &rng);
  return keymgmt_operator_keys_export(&k->op, &k->issuer, k->issuer.autopass_generation);
}

void sim_keys_wipe(sim_keys *k) {
  keymgmt_keystore_wipe(&k->issuer);
  keymgmt_operator_keys_wipe(&k->op);
}

static void identity(keymgmt_obe_profile *p, const sim_keys *k, uint32_t id, unsigned profiles) {
  char digits[21];
  memset(p, 0, sizeof(*p));
  p->obuid[0] = (uint8_t)(id >> 24);
  p->obuid[1] = (uint8_t)(id >> 16);
  p->obuid[2] = (uint8_t)(id >> 8);
  p->obuid[3] = (uint8_t)id;
  /* PAN: 19 BCD digits "2800" + the id in 10 digits + "90001", padded with an F nibble. */
  memcpy(digits, "2800", 4);
  for (uint32_t i = 13, v = id; i >= 4; i--, v /= 10) digits[i] = (char)('0' + v % 10);
  memcpy(digits + 14, "90001", 6);
  for (int i = 0; i < 10; i++) {
    uint8_t hi = (uint8_t)(digits[2 * i] - '0');
    uint8_t lo = i < 9 ? (uint8_t)(digits[2 * i + 1] - '0') : 0x0f;
    p->pan[i] = (uint8_t)(hi << 4 | lo);
  }
  memcpy(p->context_mark, "\x30\xc0\x01\x00\x01\x02", 6); /* NO:1, contract 0001, version 2 */
  p->profiles = profiles;
  p->ac_cr_ref[0] = k->issuer.mack_ref;
  p->ac_cr_ref[1] = (uint8_t)id;
  p->has_expiry = true;
  p->expiry_year = 2030;
  p->expiry_month = 12;
  p->expiry_day = 31;
  p->has_lpn = true;
  p->lpn_country = 0x0c3; /* NO */
  p->lpn_len = 10;
  /* "EL" and the id's last five digits, space-padded to ten characters */
  memcpy(p->lpn, "EL00000   ", 10);
  for (uint32_t i = 6, v = id; i >= 2; i--, v /= 10) p->lpn[i] = (char)('0' + v % 10);
  p->has_vehicle_class = true;
  p->vehicle_class = 2;
}

int sim_obe_make(keymgmt_obe_profile *p, dsrc_crypto *c, const sim_keys *k, uint32_t id, unsigned profiles) {
  identity(p, k, id, profiles);
  return keymgmt_obe_profile_personalise(c, p, &k->issuer);
}

int sim_obe_make_fast(keymgmt_obe_profile *p, dsrc_crypto *c, const sim_keys *k, uint32_t id,
                      unsigned profiles, uint8_t keyref_tsp, uint8_t keyref_tc) {
  const keymgmt_keystore *ks = &k->issuer;
  unsigned g = ks->autopass_generation, ref = ks->mack_ref;
  const uint8_t *prov = p->context_mark;
  int rv = 0;
  identity(p, k, id, profiles);
  if (keyref_tsp < 1 || keyref_tsp > DSRC_AUK_COUNT || keyref_tc < 1 || keyref_tc > DSRC_AUK_COUNT ||
      g < 1 || g > KEYMGMT_GENERATIONS || ref >= KEYMGMT_MACK_REFS)
    return KEYMGMT_ERR_ARG;
  if (efc_profiles_has(profiles, EFC_PROFILE_AUTOPASS)) {
    rv = dsrc_autopass_obukey(c, p->obukey_n[g - 1], ks->mkey_n[g - 1], p->obuid);
    if (rv == 0) rv = dsrc_autopass_obukey(c, p->obukey_f[g - 1], ks->mkey_f[g - 1], p->obuid);
  }
  if (rv == 0 &&
      (efc_profiles_has(profiles, EFC_PROFILE_EN15509_L0) || efc_profiles_has(profiles, EFC_PROFILE_EN15509_L1))) {
    rv = dsrc_en15509_auth_key(c, p->auk[keyref_tsp - 1], ks->mauk[keyref_tsp - 1], p->pan, prov);
    if (rv == 0) rv = dsrc_en15509_auth_key(c, p->auk[keyref_tc - 1], ks->mauk[keyref_tc - 1], p->pan, prov);
  }
  if (rv == 0 && efc_profiles_has(profiles, EFC_PROFILE_EN15509_L1))
    rv = dsrc_en15509_access_key(c, p->access_key, ks->mack[ref], p->ac_cr_ref);
  if (rv == 0 && efc_profiles_has(profiles, EFC_PROFILE_AES)) {
    rv = dsrc_aesref_auth_key(c, p->aes_auk[keyref_tsp - 1], ks->aes_mauk[keyref_tsp - 1], p->pan, prov);
    if (rv == 0)
      rv = dsrc_aesref_auth_key(c, p->aes_auk[keyref_tc - 1], ks->aes_mauk[keyref_tc - 1], p->pan, prov);
    if (rv == 0) rv = dsrc_aesref_access_key(c, p->aes_access_key, ks->aes_mack[ref], p->ac_cr_ref);
  }
  return rv;
}
