/* Threat T12, key search on captured MACs: what an attacker pays to recover one key from
 * what it can capture over the air, measured on this machine and set beside published
 * hardware (docs/keysearch.md).
 *
 * - sec_keysearch_rate: trials per second of an exhaustive search run as an attacker would
 *   run it with OpenSSL 3 EVP on this CPU, on all cores, for a bounded time.
 * - sec_keysearch_extrapolate, _hw_rate, _published: the full key space and the expected
 *   time (half the space) at a measured or a published rate.
 * - sec_keysearch_candidates: how many keys a t-bit MAC leaves and how many captures pin one.
 * - sec_keysearch_demo: a real search over a reduced key space (B unknown bits of a real
 *   EN 15509 AuthenticationKey, M bits of the MAC compared) that counts the candidates.
 *
 * Functions return 0 or a negative SEC_KS_ERR_* / EFC_CRYPTO_ERR_* code; err (if non-NULL)
 * then gets a one-line reason. */
#ifndef SECURITY_KEYSEARCH_H
#define SECURITY_KEYSEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Disjoint from the other libraries' codes so one int can carry any of them. */
enum sec_ks_err {
  SEC_KS_ERR_ARG = -901,      /* unknown cipher, bits out of range, NULL pointer */
  SEC_KS_ERR_OPENSSL = -902,  /* a cipher could not be fetched or an EVP call failed */
  SEC_KS_ERR_THREAD = -903,   /* a thread could not be started */
  SEC_KS_ERR_NOMEM = -904,    /* allocation failed */
  SEC_KS_ERR_SELFTEST = -905, /* the fast trial disagrees with dsrc/keys.h: nothing measured */
  SEC_KS_ERR_OVERFLOW = -906, /* the demo found more candidates than it keeps */
};

/* What one trial computes: the MAC the attacker checks, for one candidate key. */
enum sec_ks_cipher {
  SEC_KS_DES = 0,      /* EN 15509 Authenticator: DES CBC-MAC (ISO 9797-1 alg 1), AuK */
  SEC_KS_TDES2 = 1,    /* AutoPASS MAC1/MAC2: retail MAC (alg 3) under a 2-key 3DES SSKEY */
  SEC_KS_AES128 = 2,   /* AES reference Authenticator: AES-128-CMAC, AES-AuK */
  SEC_KS_DES_ACCR = 3, /* EN 15509 Level 1 AC_CR: one DES block under the AccessKey */
  SEC_KS_CIPHERS = 4
};

#define SEC_KS_MAC_BITS 32           /* every tag of the schemes is 4 octets */
#define SEC_KS_DEFAULT_SECONDS 3.0   /* per cipher, when 0 is passed */
/* B and M for the report: B - M = 7 leaves 128 candidates after one capture, and B - 2M = -8
 * leaves the second capture the real DES search's odds (2^(56 - 2*32)) of a wrong survivor.
 * 2^22 authenticator trials take about 2 s on two cores. */
#define SEC_KS_DEMO_UNKNOWN_BITS 22
#define SEC_KS_DEMO_MAC_BITS 15
#define SEC_KS_DEMO_MAX_CANDIDATES 65536

/* Static text: short name ("DES", "3DES-2key", "AES-128", "DES (AC_CR)"), what a trial
 * computes, which key it finds. NULL for an unknown cipher. */
const char *sec_keysearch_cipher_name(int cipher);
const char *sec_keysearch_cipher_mac(int cipher);
const char *sec_keysearch_cipher_key(int cipher);
/* Effective key bits searched: 56 (DES: parity bits play no part), 112, 128; 0 if unknown. */
unsigned sec_keysearch_key_bits(int cipher);
/* Block-cipher operations in one trial of the attacker's loop, from the captured message's
 * length: DES authenticator over a 17-octet PaymentMeans list + nonce = 3, AC_CR 1, retail
 * MAC with K1 fixed over 2^56 values of K2 = 2 (DES^-1 under K2, DES under K1), AES-CMAC
 * over 22 octets = 3 (subkey + 2 blocks). 0 if unknown. */
unsigned sec_keysearch_blocks(int cipher);

/* How many captured MACs an attacker can gather under one key of this cipher's target: 0 for
 * no limit (an AuK or AccessKey answers every session), 1 for the AutoPASS SSKEY (one MAC
 * per transaction: MAC1 and MAC2 are under different SSKEYs). */
unsigned sec_keysearch_captures_per_key(int cipher);

/* Online cores (sysconf), at least 1. */
unsigned sec_keysearch_cores(void);

typedef struct {
  int cipher;
  unsigned key_bits;
  unsigned blocks_per_trial;
  unsigned threads;
  uint64_t trials;         /* all threads */
  uint64_t matches;        /* trials whose 4-octet MAC equalled the captured one */
  double seconds;          /* wall time from the common start to the last thread's stop */
  double rate;             /* trials/s, all threads */
  double rate_per_thread;  /* rate / threads */
  double ns_per_trial;     /* one thread's time per trial: 1e9 / rate_per_thread */
} sec_ks_rate;

/* Runs the attacker's trial loop for about `seconds` (<= 0: SEC_KS_DEFAULT_SECONDS) on
 * `threads` threads (0: every online core) and measures it. Before timing, the fast trial
 * is checked against dsrc/keys.h on the real key (SEC_KS_ERR_SELFTEST if they differ).
 * Takes seconds plus well under 0.1 s of set-up. */
int sec_keysearch_rate(sec_ks_rate *out, int cipher, double seconds, unsigned threads, char *err,
                       size_t errlen);

typedef struct {
  double keyspace;    /* 2^key_bits */
  double full_s;      /* the whole space at the rate */
  double expected_s;  /* half of it: the expected time to hit the key */
} sec_ks_time;

/* The key space and the times to search it at trials_per_s (> 0); all zero otherwise. */
sec_ks_time sec_keysearch_extrapolate(unsigned key_bits, double trials_per_s);

/* A published key-search machine: single-DES keys tested per second, each test being one
 * DES block under the candidate key against known plaintext. */
typedef struct {
  const char *name;
  int year;
  double des_keys_per_s;
  const char *source; /* where the figure is published */
} sec_ks_published;

/* The table (docs/keysearch.md gives the same sources); returns its length. */
size_t sec_keysearch_published(const sec_ks_published **out);
/* Trials/s of a published machine on this cipher's trial: des_keys_per_s divided by
 * sec_keysearch_blocks(cipher), taking one AES block to cost the machine what one DES
 * block does (a generous assumption for the attacker). 0 for an unknown cipher. */
double sec_keysearch_hw_rate(const sec_ks_published *p, int cipher);

/* The probability with which captures_to_pin captures leave the real key alone. */
#define SEC_KS_PIN_PROBABILITY 0.99

typedef struct {
  unsigned key_bits, mac_bits;
  double candidates_log2;    /* key_bits - mac_bits */
  double candidates;         /* keys expected to match one capture: 1 + (2^k - 1) 2^-t */
  unsigned captures_min;     /* ceil(k / t): fewer captures cannot carry k bits */
  double wrong_at_min;       /* wrong keys expected to survive captures_min: (2^k - 1) 2^-nt */
  double p_unique_at_min;    /* probability none does: exp(-wrong) (Poisson) */
  unsigned captures_to_pin;  /* least n whose p_unique >= SEC_KS_PIN_PROBABILITY */
  double wrong_after_pin;
  double p_unique;
} sec_ks_candidates;

/* key_bits 1..256, mac_bits 1..64. */
int sec_keysearch_candidates(sec_ks_candidates *out, unsigned key_bits, unsigned mac_bits);

typedef struct {
  unsigned unknown_bits, mac_bits, threads;
  uint8_t auk[8];              /* the real AuthenticationKey (a simulation key) */
  uint8_t nonce[2][4];         /* RndRSE of the two captured GET_STAMPED */
  uint8_t authenticator[2][4]; /* what the OBE answered */
  size_t attrlist_len;
  uint64_t trials;             /* 2^unknown_bits */
  uint64_t candidates[2];      /* keys left after capture 1, then after captures 1 and 2 */
  double expected[2];          /* 1 + (2^B - 1) 2^-M, 1 + (2^B - 1) 2^-2M */
  bool real_in[2];             /* the real key is among them */
  bool pinned;                 /* one key left after capture 2, and it is the real one */
  uint8_t found[8];            /* that key (zero unless pinned) */
  double seconds;              /* wall time of the search over the 2^B keys */
  double rate;                 /* trials/s in it */
} sec_ks_demo;

/* The inputs of a demonstration; NULL for sec_keysearch_demo means these defaults: the
 * worked example of docs/crypto.md (MAuK_1 00112233..EEFF, PAN 2800000012345678907F,
 * provider 30C001: AuK F0A593A89CA1C594; PaymentMeans attribute list; nonce 5A7F1C20) and a
 * second session with nonce 3C9E0B71. */
typedef struct {
  uint8_t mauk[16];
  uint8_t pan[10];
  uint8_t provider[3];
  const uint8_t *attrlist; /* UPER AttributeList as in GetStampedRs */
  size_t attrlist_len;     /* 1..64 */
  uint8_t nonce[2][4];
} sec_ks_demo_input;

void sec_keysearch_demo_default(sec_ks_demo_input *in);

/* Derives the AuK from in (dsrc_en15509_auth_key), computes the two authenticators as the
 * OBE does (dsrc_en15509_authenticator), then searches the 2^B keys that agree with the real
 * one outside its B lowest effective bits (bit 1..7 of octet 7, then of octet 6, ...),
 * keeping those whose authenticator agrees with capture 1 on its first M bits; the second
 * capture filters those (checked with dsrc_en15509_authenticator, M bits again).
 * unknown_bits 1..32, mac_bits 1..32, threads 0 = every online core. At the defaults it
 * takes 2^B DES authenticator trials (B = 22: about 2 s on two cores). */
int sec_keysearch_demo(sec_ks_demo *out, const sec_ks_demo_input *in, unsigned unknown_bits,
                       unsigned mac_bits, unsigned threads, char *err, size_t errlen);

/* A duration for people: "850 ms", "42 s", "3.1 h", "12 days", "380 years", "1.2e15 years";
 * returns snprintf's value. */
int sec_keysearch_format_duration(char *buf, size_t cap, double seconds);

#endif
