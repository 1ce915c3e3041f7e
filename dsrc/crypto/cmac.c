/* CMAC (AES-128 and TDEA) and the SP 800-108 KBKDF over AES-CMAC. */
#include <openssl/core_names.h>
#include <string.h>

#include "crypto_internal.h"

int efc_cmac_run(EVP_MAC_CTX *mx, const uint8_t *key, size_t keylen, const efc_piece *pieces,
                 size_t n, uint8_t *out, size_t outlen) {
  uint8_t full[DSRC_AES_BLOCK];
  size_t got = 0;
  int rv = DSRC_CRYPTO_ERR_OPENSSL;
  if (!EVP_MAC_init(mx, key, keylen, NULL)) return DSRC_CRYPTO_ERR_OPENSSL;
  for (size_t i = 0; i < n; i++)
    if (pieces[i].len > 0 && !EVP_MAC_update(mx, pieces[i].p, pieces[i].len)) goto done;
  if (!EVP_MAC_final(mx, full, &got, sizeof(full)) || got < outlen) goto done;
  memcpy(out, full, outlen);
  rv = 0;
done:
  dsrc_crypto_wipe(full, sizeof(full));
  return rv;
}

/* Blocks one CMAC costs: the subkey block E(K, 0) plus at least one message block. */
static uint64_t cmac_blocks(size_t len, size_t bs) {
  size_t m = (len + bs - 1) / bs;
  return 1 + (m == 0 ? 1 : m);
}

int dsrc_crypto_aes_cmac(dsrc_crypto *c, uint8_t out[DSRC_AES_BLOCK], const uint8_t key[DSRC_AES_KEY],
                        const uint8_t *msg, size_t len) {
  efc_piece p = {msg, len};
  int rv;
  if (!c || !out || !key || (!msg && len > 0)) return DSRC_CRYPTO_ERR_ARG;
  rv = efc_cmac_run(c->cmac_aes, key, DSRC_AES_KEY, &p, 1, out, DSRC_AES_BLOCK);
  if (rv == 0) c->n.aes += cmac_blocks(len, DSRC_AES_BLOCK);
  return rv;
}

int dsrc_crypto_tdes_cmac(dsrc_crypto *c, uint8_t out[DSRC_DES_BLOCK], const uint8_t *key,
                         size_t keylen, const uint8_t *msg, size_t len) {
  uint8_t k3[24];
  efc_piece p = {msg, len};
  int rv;
  if (!c || !out || !key || (!msg && len > 0) || (keylen != 16 && keylen != 24))
    return DSRC_CRYPTO_ERR_ARG;
  /* The context is bound to three-key TDEA; a two-key key is the same cipher with K3 = K1. */
  memcpy(k3, key, keylen);
  if (keylen == 16) memcpy(k3 + 16, key, 8);
  rv = efc_cmac_run(c->cmac_tdes, k3, sizeof(k3), &p, 1, out, DSRC_DES_BLOCK);
  if (rv == 0) c->n.tdes += cmac_blocks(len, DSRC_DES_BLOCK);
  dsrc_crypto_wipe(k3, sizeof(k3));
  return rv;
}

int dsrc_crypto_kbkdf(dsrc_crypto *c, uint8_t *out, size_t outlen, const uint8_t key[DSRC_AES_KEY],
                     const char *label, const uint8_t *context, size_t context_len) {
  static const uint8_t dummy[DSRC_AES_KEY] = {0};
  OSSL_PARAM params[4];
  size_t label_len, iterations, prf_in;
  int ok;
  /* OpenSSL 3.0's KBKDF keeps the previous call's label or context when a new one is empty,
   * and cannot duplicate its context: the reused context therefore takes non-empty ones
   * only, which every efcsim derivation has. */
  if (!c || !out || !key || !label || label[0] == '\0' || !context || context_len == 0 ||
      outlen == 0 || outlen > 64)
    return DSRC_CRYPTO_ERR_ARG;
  label_len = strlen(label);
  /* Mode, MAC and cipher were set once at context creation; only the inputs change. */
  params[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, DSRC_AES_KEY);
  params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)label, label_len);
  params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)context, context_len);
  params[3] = OSSL_PARAM_construct_end();
  ok = EVP_KDF_derive(c->kbkdf_ctx, out, outlen, params) > 0;
  /* Leave no copy of the real key (nor its schedule) inside OpenSSL between calls. */
  params[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)dummy, sizeof(dummy));
  params[1] = OSSL_PARAM_construct_end();
  if (!EVP_KDF_CTX_set_params(c->kbkdf_ctx, params)) ok = 0;
  if (!ok) {
    dsrc_crypto_wipe(out, outlen);
    return DSRC_CRYPTO_ERR_OPENSSL;
  }
  /* One CMAC per 16 output octets over [i]_32 || label || 00 || context || [L]_32, keyed
   * (one subkey block) once. The dummy re-keying is housekeeping, not counted. */
  iterations = (outlen + DSRC_AES_BLOCK - 1) / DSRC_AES_BLOCK;
  prf_in = 4 + label_len + 1 + context_len + 4;
  c->n.aes += 1 + iterations * ((prf_in + DSRC_AES_BLOCK - 1) / DSRC_AES_BLOCK);
  return 0;
}
