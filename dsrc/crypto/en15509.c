/* EN 15509 Security Level 0/1: key diversification, AC_CR and the Authenticator. */
#include <string.h>

#include "crypto_internal.h"
#include "dsrc/keys.h"

void dsrc_en15509_compact_pan(uint8_t out[DSRC_COMPACT_PAN_LEN], const uint8_t pan[DSRC_PAN_LEN]) {
  for (int i = 0; i < DSRC_COMPACT_PAN_LEN; i++) out[i] = (uint8_t)(pan[i] ^ pan[i + 4]);
}

int dsrc_en15509_auth_key(dsrc_crypto *c, uint8_t out[DSRC_DES_KEY], const uint8_t mauk[DSRC_TDES_KEY],
                         const uint8_t pan[DSRC_PAN_LEN], const uint8_t provider[DSRC_PROVIDER_LEN]) {
  uint8_t d[DSRC_DES_BLOCK];
  int rv;
  if (!pan || !provider) return DSRC_CRYPTO_ERR_ARG;
  dsrc_en15509_compact_pan(d, pan);
  memcpy(d + 4, provider, DSRC_PROVIDER_LEN);
  d[7] = 0;
  rv = dsrc_crypto_tdes_encrypt(c, out, mauk, d);
  dsrc_crypto_wipe(d, sizeof(d));
  return rv;
}

int dsrc_en15509_access_key(dsrc_crypto *c, uint8_t out[DSRC_DES_KEY],
                           const uint8_t mack[DSRC_TDES_KEY], const uint8_t ref[DSRC_AC_CR_REF_LEN]) {
  uint8_t d[DSRC_DES_BLOCK];
  if (!ref) return DSRC_CRYPTO_ERR_ARG;
  for (int i = 0; i < 4; i++) memcpy(d + 2 * i, ref, DSRC_AC_CR_REF_LEN);
  return dsrc_crypto_tdes_encrypt(c, out, mack, d);
}

int dsrc_en15509_ac_cr(dsrc_crypto *c, uint8_t out[DSRC_SHORT_MAC_LEN],
                      const uint8_t access_key[DSRC_DES_KEY], const uint8_t rnd_obe[DSRC_RND_LEN]) {
  uint8_t d[DSRC_DES_BLOCK] = {0}, e[DSRC_DES_BLOCK];
  int rv;
  if (!out || !rnd_obe) return DSRC_CRYPTO_ERR_ARG;
  memcpy(d, rnd_obe, DSRC_RND_LEN);
  rv = dsrc_crypto_des_encrypt(c, e, access_key, d);
  if (rv == 0) memcpy(out, e, DSRC_SHORT_MAC_LEN);
  dsrc_crypto_wipe(e, sizeof(e));
  return rv;
}

int dsrc_en15509_authenticator(dsrc_crypto *c, uint8_t out[DSRC_SHORT_MAC_LEN],
                              const uint8_t auk[DSRC_DES_KEY], const uint8_t *attrlist,
                              size_t attrlist_len, const uint8_t *nonce, size_t nonce_len) {
  efc_cbcmac m;
  uint8_t lo = (uint8_t)nonce_len;
  int rv;
  if (!c || !out || !auk || (!attrlist && attrlist_len > 0) || (!nonce && nonce_len > 0) ||
      nonce_len > DSRC_NONCE_MAX)
    return DSRC_CRYPTO_ERR_ARG;
  /* MACed in pieces: no copy of the attribute list, whatever its length. */
  if ((rv = efc_cbcmac_begin(c, &m, auk)) == 0 &&
      (rv = efc_cbcmac_update(c, &m, attrlist, attrlist_len)) == 0 &&
      (rv = efc_cbcmac_update(c, &m, &lo, 1)) == 0 &&
      (rv = efc_cbcmac_update(c, &m, nonce, nonce_len)) == 0 && (rv = efc_cbcmac_final(c, &m)) == 0)
    memcpy(out, m.h, DSRC_SHORT_MAC_LEN);
  dsrc_crypto_wipe(&m, sizeof(m));
  return rv;
}
