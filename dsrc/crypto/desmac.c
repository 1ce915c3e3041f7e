/* ISO/IEC 9797-1 padding method 1 and MAC algorithms 1 and 3 over single DES. */
#include <string.h>

#include "crypto_internal.h"

size_t dsrc_crypto_pad1_len(size_t len) {
  /* Method 1 pads to a *positive* multiple of the block, so the empty message becomes one
   * block of zeros; a non-empty multiple of 8 gets no padding. */
  if (len == 0) return DSRC_DES_BLOCK;
  return (len + DSRC_DES_BLOCK - 1) / DSRC_DES_BLOCK * DSRC_DES_BLOCK;
}

ptrdiff_t dsrc_crypto_pad1(uint8_t *out, size_t cap, const uint8_t *msg, size_t len) {
  size_t n;
  if (!out || (!msg && len > 0)) return DSRC_CRYPTO_ERR_ARG;
  n = dsrc_crypto_pad1_len(len);
  if (n > cap) return DSRC_CRYPTO_ERR_NOBUF;
  if (len > 0) memmove(out, msg, len);
  memset(out + len, 0, n - len);
  return (ptrdiff_t)n;
}

int efc_cbcmac_begin(dsrc_crypto *c, efc_cbcmac *m, const uint8_t key[DSRC_DES_KEY]) {
  memset(m, 0, sizeof(*m));
  m->ctx = efc_keycache_get(&c->des_enc, key);
  return m->ctx ? 0 : DSRC_CRYPTO_ERR_OPENSSL;
}

static int cbcmac_block(dsrc_crypto *c, efc_cbcmac *m, const uint8_t *blk) {
  uint8_t x[DSRC_DES_BLOCK];
  int rv;
  for (int i = 0; i < DSRC_DES_BLOCK; i++) x[i] = (uint8_t)(m->h[i] ^ blk[i]);
  rv = efc_ecb_continue(m->ctx, m->h, x, DSRC_DES_BLOCK);
  if (rv == 0) c->n.des++;
  dsrc_crypto_wipe(x, sizeof(x));
  return rv;
}

int efc_cbcmac_update(dsrc_crypto *c, efc_cbcmac *m, const uint8_t *p, size_t len) {
  int rv;
  m->total += len;
  while (len > 0) {
    size_t k;
    if (m->fill == 0 && len > DSRC_DES_BLOCK) {
      /* A whole block that is not the last one so far: no copy. The last block stays
       * buffered so final knows whether anything follows. */
      if ((rv = cbcmac_block(c, m, p)) != 0) return rv;
      p += DSRC_DES_BLOCK;
      len -= DSRC_DES_BLOCK;
      continue;
    }
    if (m->fill == DSRC_DES_BLOCK) {
      if ((rv = cbcmac_block(c, m, m->part)) != 0) return rv;
      m->fill = 0;
    }
    k = DSRC_DES_BLOCK - m->fill;
    if (k > len) k = len;
    memcpy(m->part + m->fill, p, k);
    m->fill += k;
    p += k;
    len -= k;
  }
  return 0;
}

int efc_cbcmac_final(dsrc_crypto *c, efc_cbcmac *m) {
  int rv;
  /* A full buffered block goes as it is; a partial or (empty message) absent one is
   * completed with zeros: padding method 1. */
  memset(m->part + m->fill, 0, DSRC_DES_BLOCK - m->fill);
  rv = cbcmac_block(c, m, m->part);
  dsrc_crypto_wipe(m->part, sizeof(m->part));
  m->fill = 0;
  return rv;
}

int dsrc_crypto_mac1(dsrc_crypto *c, uint8_t out[DSRC_DES_BLOCK], const uint8_t key[DSRC_DES_KEY],
                    const uint8_t *msg, size_t len) {
  efc_cbcmac m;
  int rv;
  if (!c || !out || !key || (!msg && len > 0)) return DSRC_CRYPTO_ERR_ARG;
  if ((rv = efc_cbcmac_begin(c, &m, key)) == 0 && (rv = efc_cbcmac_update(c, &m, msg, len)) == 0 &&
      (rv = efc_cbcmac_final(c, &m)) == 0)
    memcpy(out, m.h, DSRC_DES_BLOCK);
  dsrc_crypto_wipe(&m, sizeof(m));
  return rv;
}

int dsrc_crypto_mac3(dsrc_crypto *c, uint8_t out[DSRC_DES_BLOCK], const uint8_t key[DSRC_TDES_KEY],
                    const uint8_t *msg, size_t len) {
  efc_cbcmac m;
  uint8_t t[DSRC_DES_BLOCK];
  int rv;
  if (!c || !out || !key || (!msg && len > 0)) return DSRC_CRYPTO_ERR_ARG;
  if ((rv = efc_cbcmac_begin(c, &m, key)) != 0 || (rv = efc_cbcmac_update(c, &m, msg, len)) != 0 ||
      (rv = efc_cbcmac_final(c, &m)) != 0)
    goto done;
  /* Output transformation 3: DES^-1 under K2, then DES under K1, which m.ctx still holds. */
  if ((rv = efc_ecb_run(&c->des_dec, key + DSRC_DES_KEY, t, m.h, DSRC_DES_BLOCK)) != 0) goto done;
  c->n.des++;
  if ((rv = efc_ecb_continue(m.ctx, out, t, DSRC_DES_BLOCK)) != 0) goto done;
  c->n.des++;
done:
  dsrc_crypto_wipe(&m, sizeof(m));
  dsrc_crypto_wipe(t, sizeof(t));
  return rv;
}
