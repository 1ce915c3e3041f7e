/* AutoPASS GET_SECURE: key diversification, session keys, MAC1/MAC2 and the time T. */
#include <string.h>

#include "crypto_internal.h"
#include "dsrc/keys.h"

int efc_autopass_div(efc_crypto *c, uint8_t out[EFC_AUTOPASS_KEY],
                     const uint8_t key[EFC_AUTOPASS_KEY], const uint8_t d[EFC_DES_BLOCK]) {
  uint8_t in[2 * EFC_DES_BLOCK];
  int rv;
  if (!c || !out || !key || !d) return EFC_CRYPTO_ERR_ARG;
  memcpy(in, d, EFC_DES_BLOCK);
  for (int i = 0; i < EFC_DES_BLOCK; i++) in[EFC_DES_BLOCK + i] = (uint8_t)~d[i];
  /* Both halves under one key: a single keying, two ECB blocks. */
  rv = efc_ecb_run(&c->tdes_enc, key, out, in, sizeof(in));
  if (rv == 0) {
    c->n.tdes += 2;
    efc_crypto_set_parity(out, EFC_AUTOPASS_KEY);
  }
  efc_crypto_wipe(in, sizeof(in));
  return rv;
}

int efc_autopass_obukey(efc_crypto *c, uint8_t out[EFC_AUTOPASS_KEY],
                        const uint8_t mkey[EFC_AUTOPASS_KEY], const uint8_t obuid[EFC_OBUID_LEN]) {
  uint8_t d[EFC_DES_BLOCK] = {0};
  if (!obuid) return EFC_CRYPTO_ERR_ARG;
  memcpy(d + 4, obuid, EFC_OBUID_LEN);
  return efc_autopass_div(c, out, mkey, d);
}

int efc_autopass_sskey(efc_crypto *c, uint8_t out[EFC_AUTOPASS_KEY],
                       const uint8_t obukey[EFC_AUTOPASS_KEY], const uint8_t rnd1[EFC_RND_LEN],
                       const uint8_t t[4]) {
  uint8_t d[EFC_DES_BLOCK];
  if (!rnd1 || !t) return EFC_CRYPTO_ERR_ARG;
  memcpy(d, rnd1, EFC_RND_LEN);
  memcpy(d + 4, t, 4);
  return efc_autopass_div(c, out, obukey, d);
}

int efc_autopass_mac(efc_crypto *c, uint8_t out[EFC_SHORT_MAC_LEN],
                     const uint8_t sskey[EFC_AUTOPASS_KEY], const uint8_t obuid[EFC_OBUID_LEN],
                     uint8_t efcstatus, const uint8_t tc[2], const uint8_t rnd2[EFC_RND_LEN]) {
  uint8_t msg[11], mac[EFC_DES_BLOCK];
  int rv;
  if (!out || !obuid || !tc || !rnd2) return EFC_CRYPTO_ERR_ARG;
  memcpy(msg, obuid, 4);
  msg[4] = efcstatus;
  memcpy(msg + 5, tc, 2);
  memcpy(msg + 7, rnd2, 4);
  rv = efc_crypto_mac3(c, mac, sskey, msg, sizeof(msg));
  if (rv == 0) memcpy(out, mac, EFC_SHORT_MAC_LEN);
  efc_crypto_wipe(mac, sizeof(mac));
  return rv;
}

uint32_t efc_autopass_time(int64_t unix_seconds, unsigned hundredths) {
  /* Unsigned arithmetic wraps mod 2^64, and 2^32 divides 2^64: negative times too. */
  return (uint32_t)((uint64_t)unix_seconds * 100u + hundredths);
}

void efc_autopass_time_octets(uint8_t out[4], uint32_t t) {
  out[0] = (uint8_t)(t >> 24);
  out[1] = (uint8_t)(t >> 16);
  out[2] = (uint8_t)(t >> 8);
  out[3] = (uint8_t)t;
}
