/* Parity, constant-time comparison, wiping and the CSPRNG. */
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto_internal.h"

void dsrc_crypto_set_parity(uint8_t *key, size_t len) {
  for (size_t i = 0; i < len; i++) {
    unsigned v = key[i] >> 1, ones = 0;
    while (v) {
      ones += v & 1;
      v >>= 1;
    }
    key[i] = (uint8_t)((key[i] & 0xfe) | ((ones & 1) ? 0 : 1));
  }
}

int dsrc_crypto_equal(const void *a, const void *b, size_t len) {
  return CRYPTO_memcmp(a, b, len) == 0;
}

void dsrc_crypto_wipe(void *p, size_t len) {
  if (p && len > 0) OPENSSL_cleanse(p, len);
}

int dsrc_crypto_random(uint8_t *out, size_t len) {
  if (!out && len > 0) return DSRC_CRYPTO_ERR_ARG;
  while (len > 0) {
    int k = len > 1u << 20 ? 1 << 20 : (int)len;
    if (RAND_priv_bytes(out, k) != 1) return DSRC_CRYPTO_ERR_RANDOM;
    out += k;
    len -= (size_t)k;
  }
  return 0;
}

static void csprng_fill(void *state, uint8_t *out, size_t len) {
  (void)state;
  if (dsrc_crypto_random(out, len) != 0) {
    /* Predictable "random" keys are worse than a crash. */
    fprintf(stderr, "efcsim: CSPRNG failure, aborting\n");
    abort();
  }
}

dsrc_rng dsrc_crypto_csprng(void) {
  dsrc_rng r = {csprng_fill, NULL};
  return r;
}

int dsrc_crypto_sha256(dsrc_crypto *c, uint8_t out[32], const uint8_t *msg, size_t len) {
  unsigned n = 0;
  if (!c || !out || (!msg && len > 0)) return DSRC_CRYPTO_ERR_ARG;
  if (!EVP_DigestInit_ex2(c->md, c->sha256, NULL) || !EVP_DigestUpdate(c->md, msg, len) ||
      !EVP_DigestFinal_ex(c->md, out, &n) || n != 32)
    return DSRC_CRYPTO_ERR_OPENSSL;
  c->n.sha256++;
  return 0;
}
