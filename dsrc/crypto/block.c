/* Single-block DES, two-key 3DES and AES-128. */
#include <limits.h>
#include <openssl/crypto.h>
#include <string.h>

#include "crypto_internal.h"

int efc_keycache_init(efc_keycache *kc, const EVP_CIPHER *cipher, int enc, size_t keylen) {
  memset(kc, 0, sizeof(*kc));
  kc->keylen = (uint8_t)keylen;
  kc->enc = enc;
  for (int i = 0; i < EFC_KEYCACHE_SLOTS; i++) {
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    kc->ctx[i] = x;
    if (!x || !EVP_CipherInit_ex2(x, cipher, NULL, NULL, enc, NULL) || !EVP_CIPHER_CTX_set_padding(x, 0))
      return DSRC_CRYPTO_ERR_PROVIDER;
  }
  return 0;
}

void efc_keycache_forget(efc_keycache *kc) {
  static const uint8_t zero[16] = {0};
  for (int i = 0; i < EFC_KEYCACHE_SLOTS; i++) {
    if (kc->ctx[i] && kc->valid[i]) EVP_CipherInit_ex2(kc->ctx[i], NULL, zero, NULL, kc->enc, NULL);
    kc->valid[i] = 0;
  }
  dsrc_crypto_wipe(kc->key, sizeof(kc->key));
}

void efc_keycache_free(efc_keycache *kc) {
  efc_keycache_forget(kc);
  for (int i = 0; i < EFC_KEYCACHE_SLOTS; i++) EVP_CIPHER_CTX_free(kc->ctx[i]);
  memset(kc, 0, sizeof(*kc));
}

EVP_CIPHER_CTX *efc_keycache_get(efc_keycache *kc, const uint8_t *key) {
  int victim = 0;
  kc->clock++;
  for (int i = 0; i < EFC_KEYCACHE_SLOTS; i++) {
    if (kc->valid[i] && CRYPTO_memcmp(kc->key[i], key, kc->keylen) == 0) {
      kc->used[i] = kc->clock;
      return kc->ctx[i];
    }
    if (!kc->valid[i] || (kc->valid[victim] && kc->used[i] < kc->used[victim])) victim = i;
  }
  /* NULL cipher: keep the context's cipher and provider state, change only the key. */
  if (!EVP_CipherInit_ex2(kc->ctx[victim], NULL, key, NULL, kc->enc, NULL)) {
    kc->valid[victim] = 0;
    return NULL;
  }
  memcpy(kc->key[victim], key, kc->keylen);
  kc->valid[victim] = 1;
  kc->used[victim] = kc->clock;
  return kc->ctx[victim];
}

int efc_ecb_run(efc_keycache *kc, const uint8_t *key, uint8_t *out, const uint8_t *in, size_t len) {
  EVP_CIPHER_CTX *x = efc_keycache_get(kc, key);
  if (!x) return DSRC_CRYPTO_ERR_OPENSSL;
  return efc_ecb_continue(x, out, in, len);
}

int efc_ecb_continue(EVP_CIPHER_CTX *x, uint8_t *out, const uint8_t *in, size_t len) {
  int n = 0;
  if (len > INT_MAX) return DSRC_CRYPTO_ERR_ARG;
  if (!EVP_CipherUpdate(x, out, &n, in, (int)len) || n != (int)len) return DSRC_CRYPTO_ERR_OPENSSL;
  return 0;
}

int dsrc_crypto_des_encrypt(dsrc_crypto *c, uint8_t out[DSRC_DES_BLOCK],
                           const uint8_t key[DSRC_DES_KEY], const uint8_t in[DSRC_DES_BLOCK]) {
  int rv;
  if (!c || !out || !key || !in) return DSRC_CRYPTO_ERR_ARG;
  rv = efc_ecb_run(&c->des_enc, key, out, in, DSRC_DES_BLOCK);
  if (rv == 0) c->n.des++;
  return rv;
}

int dsrc_crypto_des_decrypt(dsrc_crypto *c, uint8_t out[DSRC_DES_BLOCK],
                           const uint8_t key[DSRC_DES_KEY], const uint8_t in[DSRC_DES_BLOCK]) {
  int rv;
  if (!c || !out || !key || !in) return DSRC_CRYPTO_ERR_ARG;
  rv = efc_ecb_run(&c->des_dec, key, out, in, DSRC_DES_BLOCK);
  if (rv == 0) c->n.des++;
  return rv;
}

int dsrc_crypto_tdes_encrypt(dsrc_crypto *c, uint8_t out[DSRC_DES_BLOCK],
                            const uint8_t key[DSRC_TDES_KEY], const uint8_t in[DSRC_DES_BLOCK]) {
  int rv;
  if (!c || !out || !key || !in) return DSRC_CRYPTO_ERR_ARG;
  rv = efc_ecb_run(&c->tdes_enc, key, out, in, DSRC_DES_BLOCK);
  if (rv == 0) c->n.tdes++;
  return rv;
}

int dsrc_crypto_aes_encrypt(dsrc_crypto *c, uint8_t out[DSRC_AES_BLOCK],
                           const uint8_t key[DSRC_AES_KEY], const uint8_t in[DSRC_AES_BLOCK]) {
  int rv;
  if (!c || !out || !key || !in) return DSRC_CRYPTO_ERR_ARG;
  rv = efc_ecb_run(&c->aes_enc, key, out, in, DSRC_AES_BLOCK);
  if (rv == 0) c->n.aes++;
  return rv;
}
