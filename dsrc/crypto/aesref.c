/* efcsim's AES reference profile: the EN 15509 Level 1 flow with AES-128, CMAC and an
 * SP 800-108 KDF. Not a standard: a yardstick for what an AES migration costs. */
#include <string.h>

#include "crypto_internal.h"
#include "dsrc/keys.h"

int efc_aesref_auth_key(efc_crypto *c, uint8_t out[EFC_AES_KEY], const uint8_t mauk[EFC_AES_KEY],
                        const uint8_t pan[EFC_PAN_LEN], const uint8_t provider[EFC_PROVIDER_LEN]) {
  uint8_t ctx[EFC_COMPACT_PAN_LEN + EFC_PROVIDER_LEN];
  int rv;
  if (!pan || !provider) return EFC_CRYPTO_ERR_ARG;
  efc_en15509_compact_pan(ctx, pan);
  memcpy(ctx + EFC_COMPACT_PAN_LEN, provider, EFC_PROVIDER_LEN);
  rv = efc_crypto_kbkdf(c, out, EFC_AES_KEY, mauk, EFC_AESREF_LABEL_AUK, ctx, sizeof(ctx));
  efc_crypto_wipe(ctx, sizeof(ctx));
  return rv;
}

int efc_aesref_access_key(efc_crypto *c, uint8_t out[EFC_AES_KEY], const uint8_t mack[EFC_AES_KEY],
                          const uint8_t ref[EFC_AC_CR_REF_LEN]) {
  if (!ref) return EFC_CRYPTO_ERR_ARG;
  return efc_crypto_kbkdf(c, out, EFC_AES_KEY, mack, EFC_AESREF_LABEL_ACCESS, ref,
                          EFC_AC_CR_REF_LEN);
}

int efc_aesref_ac_cr(efc_crypto *c, uint8_t out[EFC_SHORT_MAC_LEN],
                     const uint8_t access_key[EFC_AES_KEY], const uint8_t rnd_obe[EFC_RND_LEN]) {
  uint8_t mac[EFC_AES_BLOCK];
  int rv;
  if (!out || !rnd_obe) return EFC_CRYPTO_ERR_ARG;
  rv = efc_crypto_aes_cmac(c, mac, access_key, rnd_obe, EFC_RND_LEN);
  if (rv == 0) memcpy(out, mac, EFC_SHORT_MAC_LEN);
  efc_crypto_wipe(mac, sizeof(mac));
  return rv;
}

int efc_aesref_authenticator(efc_crypto *c, uint8_t out[EFC_SHORT_MAC_LEN],
                             const uint8_t auk[EFC_AES_KEY], const uint8_t *attrlist,
                             size_t attrlist_len, const uint8_t *nonce, size_t nonce_len) {
  uint8_t lo = (uint8_t)nonce_len;
  efc_piece pieces[3] = {{attrlist, attrlist_len}, {&lo, 1}, {nonce, nonce_len}};
  size_t total = attrlist_len + 1 + nonce_len;
  int rv;
  if (!c || !out || !auk || (!attrlist && attrlist_len > 0) || (!nonce && nonce_len > 0) ||
      nonce_len > EFC_NONCE_MAX)
    return EFC_CRYPTO_ERR_ARG;
  /* CMAC pads internally (and distinguishes complete from padded last blocks). */
  rv = efc_cmac_run(c->cmac_aes, auk, EFC_AES_KEY, pieces, 3, out, EFC_SHORT_MAC_LEN);
  if (rv == 0) c->n.aes += 1 + (total + EFC_AES_BLOCK - 1) / EFC_AES_BLOCK;
  return rv;
}
