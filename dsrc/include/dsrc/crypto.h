/* Block ciphers and MACs of the EFC security schemes, over OpenSSL 3 EVP.
 *
 * An dsrc_crypto context owns a private OpenSSL library context (with the legacy provider
 * for single DES), the fetched algorithms and reusable cipher/MAC contexts, so no call
 * fetches anything. It also counts the block operations it performs, which the timing
 * model multiplies by per-MCU costs.
 *
 * A context is NOT thread-safe: use one per thread. Functions return 0 (or a length) on
 * success and a negative EFC_CRYPTO_ERR_* code on failure. */
#ifndef DSRC_CRYPTO_H
#define DSRC_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include "dsrc/rng.h"

#define DSRC_DES_BLOCK 8
#define DSRC_DES_KEY 8
#define DSRC_TDES_KEY 16 /* two-key triple DES, K1 || K2 */
#define DSRC_AES_BLOCK 16
#define DSRC_AES_KEY 16

/* Disjoint from the dsrc codec's codes so a caller can pass either through one int. */
enum dsrc_crypto_err {
  DSRC_CRYPTO_ERR_ARG = -101,      /* NULL pointer or a length out of range */
  DSRC_CRYPTO_ERR_NOMEM = -102,    /* allocation failed */
  DSRC_CRYPTO_ERR_LEGACY = -103,   /* OpenSSL's legacy provider (legacy.so) is missing */
  DSRC_CRYPTO_ERR_PROVIDER = -104, /* the default provider or an algorithm is unavailable */
  DSRC_CRYPTO_ERR_OPENSSL = -105,  /* an OpenSSL operation failed */
  DSRC_CRYPTO_ERR_RANDOM = -106,   /* the CSPRNG failed */
  DSRC_CRYPTO_ERR_NOBUF = -107,    /* output buffer too small */
};

/* A static English text for an EFC_CRYPTO_ERR_* code; never NULL. */
const char *dsrc_crypto_strerror(int err);

typedef struct dsrc_crypto dsrc_crypto;

/* Block operations performed since creation or the last reset. Each single-DES block
 * (encrypt or decrypt) is one des op; a two- or three-key triple-DES block is one tdes op;
 * CMAC counts its subkey-generation block as well as one block per message block. A
 * SHA-256 digest (dsrc_crypto_sha256) is one sha256 op, whatever its length. */
typedef struct {
  uint64_t des;
  uint64_t tdes;
  uint64_t aes;
  uint64_t sha256;
} dsrc_crypto_counters;

/* Creates a context. On failure *out is NULL, err (if non-NULL) gets a one-line reason,
 * e.g. that the legacy provider module is missing. */
int dsrc_crypto_new(dsrc_crypto **out, char *err, size_t errlen);
void dsrc_crypto_free(dsrc_crypto *c);

/* A context keeps the key schedules of the last few keys per cipher (a master key used for
 * every OBE is keyed once, not per block); this drops them. dsrc_crypto_free does too. */
void dsrc_crypto_forget(dsrc_crypto *c);

dsrc_crypto_counters dsrc_crypto_counters_get(const dsrc_crypto *c);
void dsrc_crypto_counters_reset(dsrc_crypto *c);

/* Single DES, one block, ECB. Key parity is not checked. */
int dsrc_crypto_des_encrypt(dsrc_crypto *c, uint8_t out[DSRC_DES_BLOCK],
                           const uint8_t key[DSRC_DES_KEY], const uint8_t in[DSRC_DES_BLOCK]);
int dsrc_crypto_des_decrypt(dsrc_crypto *c, uint8_t out[DSRC_DES_BLOCK],
                           const uint8_t key[DSRC_DES_KEY], const uint8_t in[DSRC_DES_BLOCK]);
/* Two-key triple DES (EDE, K1 || K2), one block, ECB. */
int dsrc_crypto_tdes_encrypt(dsrc_crypto *c, uint8_t out[DSRC_DES_BLOCK],
                            const uint8_t key[DSRC_TDES_KEY], const uint8_t in[DSRC_DES_BLOCK]);
/* AES-128, one block, ECB. */
int dsrc_crypto_aes_encrypt(dsrc_crypto *c, uint8_t out[DSRC_AES_BLOCK],
                           const uint8_t key[DSRC_AES_KEY], const uint8_t in[DSRC_AES_BLOCK]);

/* ISO/IEC 9797-1 padding method 1 to blocks of 8: the padded length of a len-octet
 * message (a positive multiple of 8, so an empty message becomes one block of zeros). */
size_t dsrc_crypto_pad1_len(size_t len);
/* Writes the padded message into out (cap >= dsrc_crypto_pad1_len(len)); returns the padded
 * length or DSRC_CRYPTO_ERR_NOBUF. */
ptrdiff_t dsrc_crypto_pad1(uint8_t *out, size_t cap, const uint8_t *msg, size_t len);

/* ISO/IEC 9797-1 MAC algorithm 1 (DES CBC-MAC, zero IV, no final transformation) over the
 * message padded with method 1; the full 8-octet MAC (callers truncate). */
int dsrc_crypto_mac1(dsrc_crypto *c, uint8_t out[DSRC_DES_BLOCK], const uint8_t key[DSRC_DES_KEY],
                    const uint8_t *msg, size_t len);
/* ISO/IEC 9797-1 MAC algorithm 3 (retail MAC): DES CBC under K1, then the last block
 * decrypted under K2 and encrypted under K1; padding method 1; key = K1 || K2. */
int dsrc_crypto_mac3(dsrc_crypto *c, uint8_t out[DSRC_DES_BLOCK], const uint8_t key[DSRC_TDES_KEY],
                    const uint8_t *msg, size_t len);
/* AES-128-CMAC (NIST SP 800-38B, RFC 4493), full 16 octets. */
int dsrc_crypto_aes_cmac(dsrc_crypto *c, uint8_t out[DSRC_AES_BLOCK], const uint8_t key[DSRC_AES_KEY],
                        const uint8_t *msg, size_t len);
/* TDEA-CMAC (SP 800-38B), full 8 octets; keylen 16 (K1 || K2, K3 = K1) or 24. */
int dsrc_crypto_tdes_cmac(dsrc_crypto *c, uint8_t out[DSRC_DES_BLOCK], const uint8_t *key,
                         size_t keylen, const uint8_t *msg, size_t len);

/* NIST SP 800-108 KDF in counter mode with AES-128-CMAC as PRF, through OpenSSL's KBKDF:
 * PRF input [i]_32 || label || 00 || context || [L]_32, L = 8 * outlen. outlen 1..64; label
 * and context must not be empty (DSRC_CRYPTO_ERR_ARG; see docs/crypto.md). */
int dsrc_crypto_kbkdf(dsrc_crypto *c, uint8_t *out, size_t outlen, const uint8_t key[DSRC_AES_KEY],
                     const char *label, const uint8_t *context, size_t context_len);

/* Sets DES odd parity on every octet (the low bit is the parity bit). */
void dsrc_crypto_set_parity(uint8_t *key, size_t len);

/* SHA-256 with the digest fetched once per context. */
int dsrc_crypto_sha256(dsrc_crypto *c, uint8_t out[32], const uint8_t *msg, size_t len);
/* 1 when the len octets are equal, in time independent of where they differ. */
int dsrc_crypto_equal(const void *a, const void *b, size_t len);
/* Overwrites len octets in a way the compiler cannot elide. */
void dsrc_crypto_wipe(void *p, size_t len);
/* len octets from OpenSSL's private CSPRNG (RAND_priv_bytes); 0 or DSRC_CRYPTO_ERR_RANDOM. */
int dsrc_crypto_random(uint8_t *out, size_t len);
/* A dsrc_rng over RAND_priv_bytes for daemons' keys and nonces. The dsrc_rng interface
 * cannot report failure, so a failing CSPRNG aborts the process rather than hand out
 * predictable bytes. */
dsrc_rng dsrc_crypto_csprng(void);

#endif
