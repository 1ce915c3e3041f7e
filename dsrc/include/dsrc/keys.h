/* Key derivations and MACs of the schemes efcsim compares (docs/crypto.md):
 * EN 15509 Security Level 0/1, AutoPASS GET_SECURE, and efcsim's AES reference profile.
 * Every function takes the caller's dsrc_crypto context and returns 0 or a negative
 * EFC_CRYPTO_ERR_* code. Intermediate key material is wiped before returning. */
#ifndef DSRC_KEYS_H
#define DSRC_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include "dsrc/crypto.h"

#define DSRC_PAN_LEN 10
#define DSRC_COMPACT_PAN_LEN 4
#define DSRC_PROVIDER_LEN 3 /* UPER of Provider: 10-bit country, 14-bit issuer */
#define DSRC_AC_CR_REF_LEN 2
#define DSRC_RND_LEN 4
#define DSRC_SHORT_MAC_LEN 4 /* AC_CR, Authenticator, MAC1, MAC2 */
#define DSRC_OBUID_LEN 4
#define DSRC_AUTOPASS_KEY 16
#define DSRC_AUK_COUNT 8   /* AuthenticationKey_1..8, keyRef on the wire = index */
#define DSRC_NONCE_MAX 127 /* the nonce's length fits one length octet */

/* ---- EN 15509 (DES/3DES) ---- */

/* Compact_PAN = PAN[0..3] XOR PAN[4..7]. */
void dsrc_en15509_compact_pan(uint8_t out[DSRC_COMPACT_PAN_LEN], const uint8_t pan[DSRC_PAN_LEN]);
/* AuK_i = 3DES(MAuK_i, Compact_PAN || provider || 00). */
int dsrc_en15509_auth_key(dsrc_crypto *c, uint8_t out[DSRC_DES_KEY], const uint8_t mauk[DSRC_TDES_KEY],
                         const uint8_t pan[DSRC_PAN_LEN], const uint8_t provider[DSRC_PROVIDER_LEN]);
/* AccessKey = 3DES(MAcK, ref || ref || ref || ref), ref = MasterKeyReference || Diversifier. */
int dsrc_en15509_access_key(dsrc_crypto *c, uint8_t out[DSRC_DES_KEY],
                           const uint8_t mack[DSRC_TDES_KEY], const uint8_t ref[DSRC_AC_CR_REF_LEN]);
/* AC_CR = first4(DES(AccessKey, RndOBE || 00000000)). */
int dsrc_en15509_ac_cr(dsrc_crypto *c, uint8_t out[DSRC_SHORT_MAC_LEN],
                      const uint8_t access_key[DSRC_DES_KEY], const uint8_t rnd_obe[DSRC_RND_LEN]);
/* Authenticator = first4(MAC alg 1 under AuK over pad1(attrlist || nonce_len || nonce)).
 * attrlist is the UPER AttributeList exactly as in GetStampedRs; the function adds the
 * nonce's length octet itself. nonce_len <= DSRC_NONCE_MAX. */
int dsrc_en15509_authenticator(dsrc_crypto *c, uint8_t out[DSRC_SHORT_MAC_LEN],
                              const uint8_t auk[DSRC_DES_KEY], const uint8_t *attrlist,
                              size_t attrlist_len, const uint8_t *nonce, size_t nonce_len);

/* Which MAC a keyRef (1..8) produces. efcsim default, from one constant table: 1-4 MAC_TC
 * (the toll charger holds the keys), 5-8 MAC_TSP (issuer only). CEN/TS 16439 and the SINTEF
 * report's table disagree on which half is which; see docs/crypto.md. */
enum dsrc_mac_role { DSRC_MAC_ROLE_NONE = 0, DSRC_MAC_ROLE_TC = 1, DSRC_MAC_ROLE_TSP = 2 };
enum dsrc_mac_role dsrc_en15509_keyref_role(int keyref);

/* ---- AutoPASS GET_SECURE (3DES) ---- */

/* div(K, d) = setparity(3DES(K, d) || 3DES(K, d XOR FF..FF)). */
int dsrc_autopass_div(dsrc_crypto *c, uint8_t out[DSRC_AUTOPASS_KEY],
                     const uint8_t key[DSRC_AUTOPASS_KEY], const uint8_t d[DSRC_DES_BLOCK]);
/* OBUKEY-X_g = div(MKEY-X_g, 00000000 || obuid). */
int dsrc_autopass_obukey(dsrc_crypto *c, uint8_t out[DSRC_AUTOPASS_KEY],
                        const uint8_t mkey[DSRC_AUTOPASS_KEY], const uint8_t obuid[DSRC_OBUID_LEN]);
/* SSKEY-X = div(OBUKEY-X_g, RND-1 || T). */
int dsrc_autopass_sskey(dsrc_crypto *c, uint8_t out[DSRC_AUTOPASS_KEY],
                       const uint8_t obukey[DSRC_AUTOPASS_KEY], const uint8_t rnd1[DSRC_RND_LEN],
                       const uint8_t t[4]);
/* MAC1/MAC2 = first4(MAC alg 3 under SSKEY over pad1(obuid || efcstatus || TC || RND-2)). */
int dsrc_autopass_mac(dsrc_crypto *c, uint8_t out[DSRC_SHORT_MAC_LEN],
                     const uint8_t sskey[DSRC_AUTOPASS_KEY], const uint8_t obuid[DSRC_OBUID_LEN],
                     uint8_t efcstatus, const uint8_t tc[2], const uint8_t rnd2[DSRC_RND_LEN]);
/* T = (unix_seconds * 100 + hundredths) mod 2^32; hundredths 0..99. */
uint32_t dsrc_autopass_time(int64_t unix_seconds, unsigned hundredths);
/* T as it goes on the wire: 4 octets big-endian. */
void dsrc_autopass_time_octets(uint8_t out[4], uint32_t t);

/* ---- efcsim AES reference profile (not a standard; docs/crypto.md) ---- */

#define DSRC_AESREF_LABEL_AUK "efcsim AuthenticationKey"
#define DSRC_AESREF_LABEL_ACCESS "efcsim AccessKey"

/* AES-AuK_i = KBKDF-CMAC(AES-MAuK_i, label AUK, context Compact_PAN || provider), 16 octets. */
int dsrc_aesref_auth_key(dsrc_crypto *c, uint8_t out[DSRC_AES_KEY], const uint8_t mauk[DSRC_AES_KEY],
                        const uint8_t pan[DSRC_PAN_LEN], const uint8_t provider[DSRC_PROVIDER_LEN]);
/* AES-AccessKey = KBKDF-CMAC(AES-MAcK, label ACCESS, context = the 2-octet reference). */
int dsrc_aesref_access_key(dsrc_crypto *c, uint8_t out[DSRC_AES_KEY], const uint8_t mack[DSRC_AES_KEY],
                          const uint8_t ref[DSRC_AC_CR_REF_LEN]);
/* AC_CR = first4(AES-CMAC(AccessKey, RndOBE)). */
int dsrc_aesref_ac_cr(dsrc_crypto *c, uint8_t out[DSRC_SHORT_MAC_LEN],
                     const uint8_t access_key[DSRC_AES_KEY], const uint8_t rnd_obe[DSRC_RND_LEN]);
/* Authenticator = first4(AES-CMAC(AuK, attrlist || nonce_len || nonce)). */
int dsrc_aesref_authenticator(dsrc_crypto *c, uint8_t out[DSRC_SHORT_MAC_LEN],
                             const uint8_t auk[DSRC_AES_KEY], const uint8_t *attrlist,
                             size_t attrlist_len, const uint8_t *nonce, size_t nonce_len);

#endif
