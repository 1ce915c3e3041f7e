/* The dsrc_crypto context: a private OpenSSL library context, algorithms fetched once. */
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/provider.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto_internal.h"

static const char *const texts[] = {
    "invalid argument (NULL pointer or length out of range)",
    "out of memory",
    ("OpenSSL's legacy provider module (legacy.so, Debian package libssl3) is missing: single "
     "DES is unavailable"),
    "OpenSSL default provider or algorithm unavailable",
    "OpenSSL operation failed",
    "the CSPRNG failed",
    "output buffer too small",
};

const char *dsrc_crypto_strerror(int err) {
  if (err == 0) return "success";
  int n = (int)(sizeof(texts) / sizeof(texts[0]));
  if (err <= DSRC_CRYPTO_ERR_ARG && err > DSRC_CRYPTO_ERR_ARG - n)
    return texts[DSRC_CRYPTO_ERR_ARG - err];
  return "unknown error";
}

static void set_err(char *err, size_t errlen, const char *what) {
  if (err && errlen > 0) snprintf(err, errlen, "%s", what);
}

/* A CMAC context bound to its block cipher; EVP_MAC_init later only sets the key. */
static EVP_MAC_CTX *cmac_ctx_new(EVP_MAC *mac, const char *cipher) {
  EVP_MAC_CTX *x = EVP_MAC_CTX_new(mac);
  OSSL_PARAM params[2];
  if (!x) return NULL;
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)cipher, 0);
  params[1] = OSSL_PARAM_construct_end();
  if (!EVP_MAC_CTX_set_params(x, params)) {
    EVP_MAC_CTX_free(x);
    return NULL;
  }
  return x;
}

/* The reused KBKDF context; between derivations it holds the dummy key, not a real one. */
static EVP_KDF_CTX *kbkdf_ctx_new(EVP_KDF *kdf) {
  static const uint8_t dummy[DSRC_AES_KEY] = {0};
  EVP_KDF_CTX *x = EVP_KDF_CTX_new(kdf);
  OSSL_PARAM params[5];
  if (!x) return NULL;
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, (char *)"counter", 0);
  params[1] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, (char *)"CMAC", 0);
  params[2] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_CIPHER, (char *)"AES-128-CBC", 0);
  params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)dummy, sizeof(dummy));
  params[4] = OSSL_PARAM_construct_end();
  if (!EVP_KDF_CTX_set_params(x, params)) {
    EVP_KDF_CTX_free(x);
    return NULL;
  }
  return x;
}

int dsrc_crypto_new(dsrc_crypto **out, char *err, size_t errlen) {
  dsrc_crypto *c;
  if (!out) return DSRC_CRYPTO_ERR_ARG;
  *out = NULL;
  c = calloc(1, sizeof(*c));
  if (!c) {
    set_err(err, errlen, dsrc_crypto_strerror(DSRC_CRYPTO_ERR_NOMEM));
    return DSRC_CRYPTO_ERR_NOMEM;
  }
  c->lib = OSSL_LIB_CTX_new();
  if (!c->lib) goto fail_provider;
  c->legacy = OSSL_PROVIDER_load(c->lib, "legacy");
  if (!c->legacy) {
    /* A missing module leaves errors on the thread's queue that would confuse later calls. */
    ERR_clear_error();
    set_err(err, errlen, dsrc_crypto_strerror(DSRC_CRYPTO_ERR_LEGACY));
    dsrc_crypto_free(c);
    return DSRC_CRYPTO_ERR_LEGACY;
  }
  c->deflt = OSSL_PROVIDER_load(c->lib, "default");
  if (!c->deflt) goto fail_provider;

  c->des = EVP_CIPHER_fetch(c->lib, "DES-ECB", NULL);
  c->tdes = EVP_CIPHER_fetch(c->lib, "DES-EDE-ECB", NULL);
  c->aes = EVP_CIPHER_fetch(c->lib, "AES-128-ECB", NULL);
  c->cmac = EVP_MAC_fetch(c->lib, "CMAC", NULL);
  c->kbkdf = EVP_KDF_fetch(c->lib, "KBKDF", NULL);
  c->sha256 = EVP_MD_fetch(c->lib, "SHA256", NULL);
  c->md = EVP_MD_CTX_new();
  if (!c->des || !c->tdes || !c->aes || !c->cmac || !c->kbkdf || !c->sha256 || !c->md) goto fail_provider;

  if (efc_keycache_init(&c->des_enc, c->des, 1, DSRC_DES_KEY) != 0 ||
      efc_keycache_init(&c->des_dec, c->des, 0, DSRC_DES_KEY) != 0 ||
      efc_keycache_init(&c->tdes_enc, c->tdes, 1, DSRC_TDES_KEY) != 0 ||
      efc_keycache_init(&c->aes_enc, c->aes, 1, DSRC_AES_KEY) != 0)
    goto fail_provider;
  c->cmac_aes = cmac_ctx_new(c->cmac, "AES-128-CBC");
  c->cmac_tdes = cmac_ctx_new(c->cmac, "DES-EDE3-CBC");
  c->kbkdf_ctx = kbkdf_ctx_new(c->kbkdf);
  if (!c->cmac_aes || !c->cmac_tdes || !c->kbkdf_ctx) goto fail_provider;
  *out = c;
  return 0;

fail_provider:
  ERR_clear_error();
  set_err(err, errlen, dsrc_crypto_strerror(DSRC_CRYPTO_ERR_PROVIDER));
  dsrc_crypto_free(c);
  return DSRC_CRYPTO_ERR_PROVIDER;
}

void dsrc_crypto_forget(dsrc_crypto *c) {
  if (!c) return;
  efc_keycache_forget(&c->des_enc);
  efc_keycache_forget(&c->des_dec);
  efc_keycache_forget(&c->tdes_enc);
  efc_keycache_forget(&c->aes_enc);
}

void dsrc_crypto_free(dsrc_crypto *c) {
  if (!c) return;
  EVP_KDF_CTX_free(c->kbkdf_ctx);
  EVP_MAC_CTX_free(c->cmac_aes);
  EVP_MAC_CTX_free(c->cmac_tdes);
  efc_keycache_free(&c->des_enc);
  efc_keycache_free(&c->des_dec);
  efc_keycache_free(&c->tdes_enc);
  efc_keycache_free(&c->aes_enc);
  EVP_KDF_free(c->kbkdf);
  EVP_MD_CTX_free(c->md);
  EVP_MD_free(c->sha256);
  EVP_MAC_free(c->cmac);
  EVP_CIPHER_free(c->des);
  EVP_CIPHER_free(c->tdes);
  EVP_CIPHER_free(c->aes);
  if (c->legacy) OSSL_PROVIDER_unload(c->legacy);
  if (c->deflt) OSSL_PROVIDER_unload(c->deflt);
  OSSL_LIB_CTX_free(c->lib);
  free(c);
}

dsrc_crypto_counters dsrc_crypto_counters_get(const dsrc_crypto *c) {
  dsrc_crypto_counters zero = {0, 0, 0, 0};
  return c ? c->n : zero;
}

void dsrc_crypto_counters_reset(dsrc_crypto *c) {
  if (c) c->n = (dsrc_crypto_counters){0, 0, 0, 0};
}
