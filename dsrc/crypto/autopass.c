/* AutoPASS GET_SECURE: key diversification, session keys, MAC1/MAC2 and the time T. */
#include <string.h>

#include "crypto_internal.h"
#include "dsrc/keys.h"

int dsrc_autopass_div(dsrc_crypto *c, uint8_t out[DSRC_AUTOPASS_KEY],
                     const uint8_t key[DSRC_AUTOPASS_KEY], const uint8_t d[DSRC_DES_BLOCK]) {
  uint8_t in[2 * DSRC_DES_BLOCK];
  int rv;
  if (!c || !out || !key || !d) return DSRC_CRYPTO_ERR_ARG;
  memcpy(in, d, DSRC_DES_BLOCK);
  for (int i = 0; i < DSRC_DES_BLOCK; i++) in[DSRC_DES_BLOCK + i] = (uint8_t)~d[i];
  /* Both halves under one key: a single keying, two ECB blocks. */
  rv = efc_ecb_run(&c->tdes_enc, key, out, in, sizeof(in));
  if (rv == 0) {
    c->n.tdes += 2;
    dsrc_crypto_set_parity(out, DSRC_AUTOPASS_KEY);
  }
  dsrc_crypto_wipe(in, sizeof(in));
  return rv;
}

int dsrc_autopass_obukey(dsrc_crypto *c, uint8_t out[DSRC_AUTOPASS_KEY],
                        const uint8_t mkey[DSRC_AUTOPASS_KEY], const uint8_t obuid[DSRC_OBUID_LEN]) {
  uint8_t d[DSRC_DES_BLOCK] = {0};
  if (!obuid) return DSRC_CRYPTO_ERR_ARG;
  memcpy(d + 4, obuid, DSRC_OBUID_LEN);
  return dsrc_autopass_div(c, out, mkey, d);
}

int dsrc_autopass_sskey(dsrc_crypto *c, uint8_t out[DSRC_AUTOPASS_KEY],
                       const uint8_t obukey[DSRC_AUTOPASS_KEY], const uint8_t rnd1[DSRC_RND_LEN],
                       const uint8_t t[4]) {
  uint8_t d[DSRC_DES_BLOCK];
  if (!rnd1 || !t) return DSRC_CRYPTO_ERR_ARG;
  memcpy(d, rnd1, DSRC_RND_LEN);
  memcpy(d + 4, t, 4);
  return dsrc_autopass_div(c, out, obukey, d);
}

int dsrc_autopass_mac(dsrc_crypto *c, uint8_t out[DSRC_SHORT_MAC_LEN],
                     const uint8_t sskey[DSRC_AUTOPASS_KEY], const uint8_t obuid[DSRC_OBUID_LEN],
                     uint8_t efcstatus, const uint8_t tc[2], const uint8_t rnd2[DSRC_RND_LEN]) {
  uint8_t msg[11], mac[DSRC_DES_BLOCK];
  int rv;
  if (!out || !obuid || !tc || !rnd2) return DSRC_CRYPTO_ERR_ARG;
  memcpy(msg, obuid, 4);
  msg[4] = efcstatus;
  memcpy(msg + 5, tc, 2);
  memcpy(msg + 7, rnd2, 4);
  rv = dsrc_crypto_mac3(c, mac, sskey, msg, sizeof(msg));
  if (rv == 0) memcpy(out, mac, DSRC_SHORT_MAC_LEN);
  dsrc_crypto_wipe(mac, sizeof(mac));
  return rv;
}

uint32_t dsrc_autopass_time(int64_t unix_seconds, unsigned hundredths) {
  /* Unsigned arithmetic wraps mod 2^64, and 2^32 divides 2^64: negative times too. */
  return (uint32_t)((uint64_t)unix_seconds * 100u + hundredths);
}

void dsrc_autopass_time_octets(uint8_t out[4], uint32_t t) {
  out[0] = (uint8_t)(t >> 24);
  out[1] = (uint8_t)(t >> 16);
  out[2] = (uint8_t)(t >> 8);
  out[3] = (uint8_t)t;
}
