/* EN 15509 Security Level 0/1: key diversification, AC_CR and the Authenticator. */
#include <string.h>

#include "crypto_internal.h"
#include "dsrc/keys.h"

void efc_en15509_compact_pan(uint8_t out[EFC_COMPACT_PAN_LEN], const uint8_t pan[EFC_PAN_LEN]) {
  for (int i = 0; i < EFC_COMPACT_PAN_LEN; i++) out[i] = (uint8_t)(pan[i] ^ pan[i + 4]);
}

int efc_en15509_auth_key(efc_crypto *c, uint8_t out[EFC_DES_KEY], const uint8_t mauk[EFC_TDES_KEY],
                         const uint8_t pan[EFC_PAN_LEN], const uint8_t provider[EFC_PROVIDER_LEN]) {
  uint8_t d[EFC_DES_BLOCK];
  int rv;
  if (!pan || !provider) return EFC_CRYPTO_ERR_ARG;
  efc_en15509_compact_pan(d, pan);
  memcpy(d + 4, provider, EFC_PROVIDER_LEN);
  d[7] = 0;
  rv = efc_crypto_tdes_encrypt(c, out, mauk, d);
  efc_crypto_wipe(d, sizeof(d));
  return rv;
}

int efc_en15509_access_key(efc_crypto *c, uint8_t out[EFC_DES_KEY],
                           const uint8_t mack[EFC_TDES_KEY], const uint8_t ref[EFC_AC_CR_REF_LEN]) {
  uint8_t d[EFC_DES_BLOCK];
  if (!ref) return EFC_CRYPTO_ERR_ARG;
  for (int i = 0; i < 4; i++) memcpy(d + 2 * i, ref, EFC_AC_CR_REF_LEN);
  return efc_crypto_tdes_encrypt(c, out, mack, d);
}

int efc_en15509_ac_cr(efc_crypto *c, uint8_t out[EFC_SHORT_MAC_LEN],
                      const uint8_t access_key[EFC_DES_KEY], const uint8_t rnd_obe[EFC_RND_LEN]) {
  uint8_t d[EFC_DES_BLOCK] = {0}, e[EFC_DES_BLOCK];
  int rv;
  if (!out || !rnd_obe) return EFC_CRYPTO_ERR_ARG;
  memcpy(d, rnd_obe, EFC_RND_LEN);
  rv = efc_crypto_des_encrypt(c, e, access_key, d);
  if (rv == 0) memcpy(out, e, EFC_SHORT_MAC_LEN);
  efc_crypto_wipe(e, sizeof(e));
  return rv;
}

int efc_en15509_authenticator(efc_crypto *c, uint8_t out[EFC_SHORT_MAC_LEN],
                              const uint8_t auk[EFC_DES_KEY], const uint8_t *attrlist,
                              size_t attrlist_len, const uint8_t *nonce, size_t nonce_len) {
  efc_cbcmac m;
  uint8_t lo = (uint8_t)nonce_len;
  int rv;
  if (!c || !out || !auk || (!attrlist && attrlist_len > 0) || (!nonce && nonce_len > 0) ||
      nonce_len > EFC_NONCE_MAX)
    return EFC_CRYPTO_ERR_ARG;
  /* MACed in pieces: no copy of the attribute list, whatever its length. */
  if ((rv = efc_cbcmac_begin(c, &m, auk)) == 0 &&
      (rv = efc_cbcmac_update(c, &m, attrlist, attrlist_len)) == 0 &&
      (rv = efc_cbcmac_update(c, &m, &lo, 1)) == 0 &&
      (rv = efc_cbcmac_update(c, &m, nonce, nonce_len)) == 0 && (rv = efc_cbcmac_final(c, &m)) == 0)
    memcpy(out, m.h, EFC_SHORT_MAC_LEN);
  efc_crypto_wipe(&m, sizeof(m));
  return rv;
}
