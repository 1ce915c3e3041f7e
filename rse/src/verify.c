/* Lane verification with the operator's keys: MAC2, MAC_TC and the access credentials. */
#include "rse/verify.h"

#include "dsrc/efc.h"
#include "dsrc/keys.h"

const dsrc_application *rse_vst_app(const dsrc_vst *vst, int profile) {
  for (unsigned i = 0; i < vst->apps.count; i++) {
    const dsrc_application *a = &vst->apps.items[i];
    const uint8_t *m = a->parameter.data;
    size_t want = profile == EFC_PROFILE_AUTOPASS ? 0
                  : efc_profile_level(profile)    ? DSRC_L1_PARAM_LEN
                                                  : DSRC_L0_PARAM_LEN;
    if (a->aid != DSRC_AID_EFC || !a->has_eid || !a->has_parameter || a->parameter.len < 6) continue;
    if (((uint16_t)m[3] << 8 | m[4]) != efc_profile_contract(profile)) continue;
    if (want && a->parameter.len != want) continue;
    if (want == DSRC_L1_PARAM_LEN && (m[6] != 0x02 || m[7] != 0x02 || m[10] != 0x02 || m[11] != 0x04))
      continue;
    return a;
  }
  return NULL;
}

unsigned rse_verify_mac2(dsrc_crypto *crypto, const keymgmt_operator_keys *k, const efc_claim *c) {
  uint8_t obukey[DSRC_AUTOPASS_KEY], sskey[DSRC_AUTOPASS_KEY], tc[2], mac[4];
  int rv;
  if (!k || (c->keygen & 0x0f) != k->generation) return EFC_WHY_NO_KEYS;
  tc[0] = (uint8_t)(c->tc >> 8);
  tc[1] = (uint8_t)c->tc;
  rv = dsrc_autopass_obukey(crypto, obukey, k->mkey_f, c->obuid);
  if (rv == 0) rv = dsrc_autopass_sskey(crypto, sskey, obukey, c->rnd1, c->t);
  if (rv == 0) rv = dsrc_autopass_mac(crypto, mac, sskey, c->obuid, c->efcstatus, tc, c->rnd2);
  dsrc_crypto_wipe(obukey, sizeof(obukey));
  dsrc_crypto_wipe(sskey, sizeof(sskey));
  return rv != 0 || !dsrc_crypto_equal(mac, c->mac2, 4) ? EFC_WHY_MAC : 0;
}

unsigned rse_verify_mac_tc(dsrc_crypto *crypto, const keymgmt_operator_keys *k, const efc_claim *c,
                           const uint8_t *attrlist, size_t len) {
  uint8_t i = c->keyref_tc, mac[4];
  int rv;
  if (!k || i < 1 || i > DSRC_AUK_COUNT || !(k->mauk_held & (1u << (i - 1)))) return EFC_WHY_NO_KEYS;
  if (c->profile == EFC_PROFILE_AES) {
    uint8_t auk[DSRC_AES_KEY];
    rv = dsrc_aesref_auth_key(crypto, auk, k->aes_mauk[i - 1], c->pan, c->provider);
    if (rv == 0) rv = dsrc_aesref_authenticator(crypto, mac, auk, attrlist, len, c->nonce_tc, 4);
    dsrc_crypto_wipe(auk, sizeof(auk));
  } else {
    uint8_t auk[DSRC_DES_KEY];
    rv = dsrc_en15509_auth_key(crypto, auk, k->mauk[i - 1], c->pan, c->provider);
    if (rv == 0) rv = dsrc_en15509_authenticator(crypto, mac, auk, attrlist, len, c->nonce_tc, 4);
    dsrc_crypto_wipe(auk, sizeof(auk));
  }
  return rv != 0 || !dsrc_crypto_equal(mac, c->mac_tc, 4) ? EFC_WHY_MAC : 0;
}

unsigned rse_access_credentials(dsrc_crypto *crypto, const keymgmt_operator_keys *k, int profile,
                                const uint8_t ref[2], const uint8_t rnd_obe[4], uint8_t out[4]) {
  int rv;
  if (!k || ref[0] >= KEYMGMT_MACK_REFS || !(k->mack_held & (1u << ref[0]))) return EFC_WHY_NO_KEYS;
  if (profile == EFC_PROFILE_AES) {
    uint8_t key[DSRC_AES_KEY];
    rv = dsrc_aesref_access_key(crypto, key, k->aes_mack[ref[0]], ref);
    if (rv == 0) rv = dsrc_aesref_ac_cr(crypto, out, key, rnd_obe);
    dsrc_crypto_wipe(key, sizeof(key));
  } else {
    uint8_t key[DSRC_DES_KEY];
    rv = dsrc_en15509_access_key(crypto, key, k->mack[ref[0]], ref);
    if (rv == 0) rv = dsrc_en15509_ac_cr(crypto, out, key, rnd_obe);
    dsrc_crypto_wipe(key, sizeof(key));
  }
  return rv == 0 ? 0 : EFC_WHY_NO_KEYS;
}
