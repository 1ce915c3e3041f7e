/* efcsim's AES reference profile: the EN 15509 Level 1 flow with AES-128, CMAC and an
 * SP 800-108 KDF. Not a standard: a yardstick for what an AES migration costs. */
#include <string.h>

#include "crypto_internal.h"
#include "dsrc/keys.h"

int dsrc_aesref_auth_key(dsrc_crypto *c, uint8_t out[DSRC_AES_KEY], const uint8_t mauk[DSRC_AES_KEY],
                        const uint8_t pan[DSRC_PAN_LEN], const uint8_t provider[DSRC_PROVIDER_LEN]) {
  uint8_t ctx[DSRC_COMPACT_PAN_LEN + DSRC_PROVIDER_LEN];
  int rv;
  if (!pan || !provider) return DSRC_CRYPTO_ERR_ARG;
  dsrc_en15509_compact_pan(ctx, pan);
  memcpy(ctx + DSRC_COMPACT_PAN_LEN, provider, DSRC_PROVIDER_LEN);
  rv = dsrc_crypto_kbkdf(c, out, DSRC_AES_KEY, mauk, DSRC_AESREF_LABEL_AUK, ctx, sizeof(ctx));
  dsrc_crypto_wipe(ctx, sizeof(ctx));
  return rv;
}

int dsrc_aesref_access_key(dsrc_crypto *c, uint8_t out[DSRC_AES_KEY], const uint8_t mack[DSRC_AES_KEY],
                          const uint8_t ref[DSRC_AC_CR_REF_LEN]) {
  if (!ref) return DSRC_CRYPTO_ERR_ARG;
  return dsrc_crypto_kbkdf(c, out, DSRC_AES_KEY, mack, DSRC_AESREF_LABEL_ACCESS, ref,
                          DSRC_AC_CR_REF_LEN);
}

int dsrc_aesref_ac_cr(dsrc_crypto *c, uint8_t out[DSRC_SHORT_MAC_LEN],
                     const uint8_t access_key[DSRC_AES_KEY], const uint8_t rnd_obe[DSRC_RND_LEN]) {
  uint8_t mac[DSRC_AES_BLOCK];
  int rv;
  if (!out || !rnd_obe) return DSRC_CRYPTO_ERR_ARG;
  rv = dsrc_crypto_aes_cmac(c, mac, access_key, rnd_obe, DSRC_RND_LEN);
  if (rv == 0) memcpy(out, mac, DSRC_SHORT_MAC_LEN);
  dsrc_crypto_wipe(mac, sizeof(mac));
  return rv;
}

int dsrc_aesref_authenticator(dsrc_crypto *c, uint8_t out[DSRC_SHORT_MAC_LEN],
                             const uint8_t auk[DSRC_AES_KEY], const uint8_t *attrlist,
                             size_t attrlist_len, const uint8_t *nonce, size_t nonce_len) {
  uint8_t lo = (uint8_t)nonce_len;
  efc_piece pieces[3] = {{attrlist, attrlist_len}, {&lo, 1}, {nonce, nonce_len}};
  size_t total = attrlist_len + 1 + nonce_len;
  int rv;
  if (!c || !out || !auk || (!attrlist && attrlist_len > 0) || (!nonce && nonce_len > 0) ||
      nonce_len > DSRC_NONCE_MAX)
    return DSRC_CRYPTO_ERR_ARG;
  /* CMAC pads internally (and distinguishes complete from padded last blocks). */
  rv = efc_cmac_run(c->cmac_aes, auk, DSRC_AES_KEY, pieces, 3, out, DSRC_SHORT_MAC_LEN);
  if (rv == 0) c->n.aes += 1 + (total + DSRC_AES_BLOCK - 1) / DSRC_AES_BLOCK;
  return rv;
}
