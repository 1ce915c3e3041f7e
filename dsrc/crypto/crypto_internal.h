/* What the dsrc_crypto sources share: the context layout and the keyed-block helpers. */
#ifndef EFC_CRYPTO_INTERNAL_H
#define EFC_CRYPTO_INTERNAL_H

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include "dsrc/crypto.h"

struct efc_crypto {
  OSSL_LIB_CTX *lib;
  OSSL_PROVIDER *legacy, *deflt;
  EVP_CIPHER *des, *tdes, *aes;
  /* One context per cipher and direction: re-keying a context that already holds its cipher
   * costs only the key schedule, and a retail MAC keeps K1 loaded while K2 decrypts. */
  EVP_CIPHER_CTX *des_enc, *des_dec, *tdes_enc, *aes_enc;
  EVP_MAC *cmac;
  EVP_MAC_CTX *cmac_aes, *cmac_tdes;
  EVP_KDF *kbkdf;
  EVP_KDF_CTX *kbkdf_ctx; /* mode, MAC and cipher set once; holds an all-zero key at rest */
  efc_crypto_counters n;
};

/* Keys x (enc: 1 encrypt, 0 decrypt) and runs len octets (a multiple of its block) through
 * it in ECB mode. Counts nothing: callers count what the operation means. */
int efc_ecb_run(EVP_CIPHER_CTX *x, int enc, const uint8_t *key, uint8_t *out, const uint8_t *in,
                size_t len);
/* Runs len more octets through an already keyed x. */
int efc_ecb_continue(EVP_CIPHER_CTX *x, uint8_t *out, const uint8_t *in, size_t len);

/* DES CBC-MAC over a message given in pieces, padding method 1 at the end. begin keys
 * c->des_enc; nothing else may use that context until final. */
typedef struct {
  uint8_t h[EFC_DES_BLOCK];
  uint8_t part[EFC_DES_BLOCK];
  size_t fill;
  size_t total;
} efc_cbcmac;

int efc_cbcmac_begin(efc_crypto *c, efc_cbcmac *m, const uint8_t key[EFC_DES_KEY]);
int efc_cbcmac_update(efc_crypto *c, efc_cbcmac *m, const uint8_t *p, size_t len);
/* Leaves the chaining value in m->h and wipes the rest. */
int efc_cbcmac_final(efc_crypto *c, efc_cbcmac *m);

/* CMAC over pieces: keys mx, feeds n pieces, writes outlen octets. */
typedef struct {
  const uint8_t *p;
  size_t len;
} efc_piece;

int efc_cmac_run(EVP_MAC_CTX *mx, const uint8_t *key, size_t keylen, const efc_piece *pieces,
                 size_t n, uint8_t *out, size_t outlen);

#endif
