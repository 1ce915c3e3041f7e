/* What the dsrc_crypto sources share: the context layout and the keyed-block helpers. */
#ifndef EFC_CRYPTO_INTERNAL_H
#define EFC_CRYPTO_INTERNAL_H

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include "dsrc/crypto.h"

/* Keyed cipher contexts of one cipher and direction. The schemes use a few keys over and
 * over (a master key for every OBE, a diversified key twice in a row, the RSE checking with
 * the session key the OBE has just used), and a key schedule costs more than the block:
 * a context that already holds the key is used again. Least recently used goes first. */
#define EFC_KEYCACHE_SLOTS 4
typedef struct {
  EVP_CIPHER_CTX *ctx[EFC_KEYCACHE_SLOTS];
  uint8_t key[EFC_KEYCACHE_SLOTS][16];
  uint8_t valid[EFC_KEYCACHE_SLOTS];
  uint32_t used[EFC_KEYCACHE_SLOTS];
  uint32_t clock;
  uint8_t keylen;
  int enc;
} efc_keycache;

struct dsrc_crypto {
  OSSL_LIB_CTX *lib;
  OSSL_PROVIDER *legacy, *deflt;
  EVP_CIPHER *des, *tdes, *aes;
  /* Per cipher and direction; a retail MAC keeps K1 loaded while K2 decrypts. */
  efc_keycache des_enc, des_dec, tdes_enc, aes_enc;
  EVP_MAC *cmac;
  EVP_MAC_CTX *cmac_aes, *cmac_tdes;
  EVP_MD *sha256;
  EVP_MD_CTX *md;
  EVP_KDF *kbkdf;
  EVP_KDF_CTX *kbkdf_ctx; /* mode, MAC and cipher set once; holds an all-zero key at rest */
  dsrc_crypto_counters n;
};

/* A context of kc holding key; NULL if OpenSSL fails. */
EVP_CIPHER_CTX *efc_keycache_get(efc_keycache *kc, const uint8_t *key);
int efc_keycache_init(efc_keycache *kc, const EVP_CIPHER *cipher, int enc, size_t keylen);
/* Keys every slot with zeros and frees them. */
void efc_keycache_free(efc_keycache *kc);
/* Forgets the keys: every slot re-keyed with zeros. */
void efc_keycache_forget(efc_keycache *kc);

/* Runs len octets (a multiple of the block) through a context of kc keyed with key, in ECB
 * mode. Counts nothing: callers count what the operation means. */
int efc_ecb_run(efc_keycache *kc, const uint8_t *key, uint8_t *out, const uint8_t *in, size_t len);
/* Runs len more octets through an already keyed x. */
int efc_ecb_continue(EVP_CIPHER_CTX *x, uint8_t *out, const uint8_t *in, size_t len);

/* DES CBC-MAC over a message given in pieces, padding method 1 at the end. begin takes a
 * context of c->des_enc; nothing else may re-key c->des_enc until final. */
typedef struct {
  EVP_CIPHER_CTX *ctx; /* keyed with the MAC key */
  uint8_t h[DSRC_DES_BLOCK];
  uint8_t part[DSRC_DES_BLOCK];
  size_t fill;
  size_t total;
} efc_cbcmac;

int efc_cbcmac_begin(dsrc_crypto *c, efc_cbcmac *m, const uint8_t key[DSRC_DES_KEY]);
int efc_cbcmac_update(dsrc_crypto *c, efc_cbcmac *m, const uint8_t *p, size_t len);
/* Leaves the chaining value in m->h and wipes the rest. */
int efc_cbcmac_final(dsrc_crypto *c, efc_cbcmac *m);

/* CMAC over pieces: keys mx, feeds n pieces, writes outlen octets. */
typedef struct {
  const uint8_t *p;
  size_t len;
} efc_piece;

int efc_cmac_run(EVP_MAC_CTX *mx, const uint8_t *key, size_t keylen, const efc_piece *pieces,
                 size_t n, uint8_t *out, size_t outlen);

#endif
