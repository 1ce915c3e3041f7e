/* Single-block DES, two-key 3DES and AES-128. */
#include <limits.h>

#include "crypto_internal.h"

int efc_ecb_run(EVP_CIPHER_CTX *x, int enc, const uint8_t *key, uint8_t *out, const uint8_t *in,
                size_t len) {
  /* NULL cipher: keep the context's cipher and provider state, change only the key. */
  if (!EVP_CipherInit_ex2(x, NULL, key, NULL, enc, NULL)) return EFC_CRYPTO_ERR_OPENSSL;
  return efc_ecb_continue(x, out, in, len);
}

int efc_ecb_continue(EVP_CIPHER_CTX *x, uint8_t *out, const uint8_t *in, size_t len) {
  int n = 0;
  if (len > INT_MAX) return EFC_CRYPTO_ERR_ARG;
  if (!EVP_CipherUpdate(x, out, &n, in, (int)len) || n != (int)len) return EFC_CRYPTO_ERR_OPENSSL;
  return 0;
}

int efc_crypto_des_encrypt(efc_crypto *c, uint8_t out[EFC_DES_BLOCK],
                           const uint8_t key[EFC_DES_KEY], const uint8_t in[EFC_DES_BLOCK]) {
  int rv;
  if (!c || !out || !key || !in) return EFC_CRYPTO_ERR_ARG;
  rv = efc_ecb_run(c->des_enc, 1, key, out, in, EFC_DES_BLOCK);
  if (rv == 0) c->n.des++;
  return rv;
}

int efc_crypto_des_decrypt(efc_crypto *c, uint8_t out[EFC_DES_BLOCK],
                           const uint8_t key[EFC_DES_KEY], const uint8_t in[EFC_DES_BLOCK]) {
  int rv;
  if (!c || !out || !key || !in) return EFC_CRYPTO_ERR_ARG;
  rv = efc_ecb_run(c->des_dec, 0, key, out, in, EFC_DES_BLOCK);
  if (rv == 0) c->n.des++;
  return rv;
}

int efc_crypto_tdes_encrypt(efc_crypto *c, uint8_t out[EFC_DES_BLOCK],
                            const uint8_t key[EFC_TDES_KEY], const uint8_t in[EFC_DES_BLOCK]) {
  int rv;
  if (!c || !out || !key || !in) return EFC_CRYPTO_ERR_ARG;
  rv = efc_ecb_run(c->tdes_enc, 1, key, out, in, EFC_DES_BLOCK);
  if (rv == 0) c->n.tdes++;
  return rv;
}

int efc_crypto_aes_encrypt(efc_crypto *c, uint8_t out[EFC_AES_BLOCK],
                           const uint8_t key[EFC_AES_KEY], const uint8_t in[EFC_AES_BLOCK]) {
  int rv;
  if (!c || !out || !key || !in) return EFC_CRYPTO_ERR_ARG;
  rv = efc_ecb_run(c->aes_enc, 1, key, out, in, EFC_AES_BLOCK);
  if (rv == 0) c->n.aes++;
  return rv;
}
