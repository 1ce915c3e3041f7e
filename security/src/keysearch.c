/* Threat T12: exhaustive key search on the 4-octet MACs of the schemes (sim/keysearch.h,
 * docs/keysearch.md).
 *
 * The trial loops are written the way an attacker with OpenSSL would write them, not the way
 * dsrc/crypto serves the simulator: one EVP_CIPHER_CTX per thread re-keyed per candidate
 * (no key cache, no fetch, no MAC object), the captured message pre-padded, the comparison
 * on 4 octets. Each loop is checked against dsrc/keys.h before it is timed, so a fast path
 * that computed something else could not report a rate. */
#include "security/keysearch.h"
#include "dsrc/octets.h"

#include <errno.h>
#include <math.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dsrc/crypto.h"
#include "dsrc/keys.h"

/* ---- the captured material: the worked examples of docs/crypto.md (tests/vectors/crypto.txt) ---- */

static const uint8_t WX_MAUK[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                    0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};
static const uint8_t WX_MACK[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,
                                    0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10};
static const uint8_t WX_MKEY_F[16] = {0x89, 0xAB, 0xCD, 0xEF, 0x01, 0x23, 0x45, 0x67,
                                      0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10};
static const uint8_t WX_PAN[10] = {0x28, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78, 0x90, 0x7F};
static const uint8_t WX_PROVIDER[3] = {0x30, 0xC0, 0x01};
static const uint8_t WX_AC_CR_REF[2] = {0x00, 0xFF};
static const uint8_t WX_RND_OBE[4] = {0xC8, 0xA1, 0x1E, 0x6E};
/* PaymentMeans {PAN, expiry 2030-06-30, usage 0000}: the attribute list a GET_STAMPED.rs
 * carries in every EN 15509 transaction, so the one an eavesdropper has. */
static const uint8_t WX_ATTRLIST[17] = {0x01, 0x20, 0x40, 0x28, 0x00, 0x00, 0x00, 0x12, 0x34,
                                        0x56, 0x78, 0x90, 0x7F, 0x50, 0xDE, 0x00, 0x00};
static const uint8_t WX_NONCE[4] = {0x5A, 0x7F, 0x1C, 0x20};
static const uint8_t WX_NONCE2[4] = {0x3C, 0x9E, 0x0B, 0x71}; /* the demo's second session */
static const uint8_t WX_OBUID[4] = {0x00, 0xA1, 0xB2, 0xC3};
static const uint8_t WX_RND1[4] = {0x1F, 0x2E, 0x3D, 0x4C};
static const uint8_t WX_T[4] = {0x5A, 0xE0, 0xC6, 0x0A};
static const uint8_t WX_TC[2] = {0x01, 0x23};
static const uint8_t WX_RND2[4] = {0xA5, 0xB6, 0xC7, 0xD8};
#define WX_EFCSTATUS 0x00
/* obuid || efcstatus || TC || RND-2: the retail MAC's input (docs/crypto.md). */
#define AP_MSG_LEN (DSRC_OBUID_LEN + 1 + 2 + DSRC_RND_LEN)
#define NONCE_FIELD (1 + DSRC_RND_LEN) /* the nonce as MACed: length octet + RndRSE */

typedef struct {
  const char *name, *mac, *key;
  unsigned key_bits;
  unsigned per_key; /* captures per key, 0 = no limit */
} cipher_info;

static const cipher_info CIPHERS[SEC_KS_CIPHERS] = {
    [SEC_KS_DES] = {"DES", "EN 15509 Authenticator (DES CBC-MAC, ISO 9797-1 alg. 1)",
                    "AuthenticationKey", 56, 0},
    [SEC_KS_TDES2] = {"3DES-2key", "AutoPASS MAC1/MAC2 (retail MAC, ISO 9797-1 alg. 3)",
                      "SSKEY", 112, 1},
    [SEC_KS_AES128] = {"AES-128", "AES reference Authenticator (AES-128-CMAC)", "AES-AuK", 128,
                       0},
    [SEC_KS_DES_ACCR] = {"DES (AC_CR)", "EN 15509 Level 1 AC_CR (one DES block)", "AccessKey",
                         56, 0},
};

static bool cipher_ok(int cipher) { return cipher >= 0 && cipher < SEC_KS_CIPHERS; }

const char *sec_keysearch_cipher_name(int cipher) {
  return cipher_ok(cipher) ? CIPHERS[cipher].name : NULL;
}
const char *sec_keysearch_cipher_mac(int cipher) {
  return cipher_ok(cipher) ? CIPHERS[cipher].mac : NULL;
}
const char *sec_keysearch_cipher_key(int cipher) {
  return cipher_ok(cipher) ? CIPHERS[cipher].key : NULL;
}
unsigned sec_keysearch_key_bits(int cipher) {
  return cipher_ok(cipher) ? CIPHERS[cipher].key_bits : 0;
}
unsigned sec_keysearch_captures_per_key(int cipher) {
  return cipher_ok(cipher) ? CIPHERS[cipher].per_key : 0;
}

static size_t aes_blocks(size_t len) { return len == 0 ? 1 : (len + 15) / 16; }

unsigned sec_keysearch_blocks(int cipher) {
  switch (cipher) {
  case SEC_KS_DES:
    return (unsigned)(dsrc_crypto_pad1_len(sizeof(WX_ATTRLIST) + NONCE_FIELD) / DSRC_DES_BLOCK);
  case SEC_KS_DES_ACCR:
    return 1;
  case SEC_KS_TDES2:
    /* The CBC part runs under K1 only: with K1 outermost it is computed once per 2^56 K2. */
    return 2;
  case SEC_KS_AES128:
    return (unsigned)aes_blocks(sizeof(WX_ATTRLIST) + NONCE_FIELD) + 1; /* + L = E_K(0) */
  default:
    return 0;
  }
}

unsigned sec_keysearch_cores(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1u : (unsigned)n;
}

__attribute__((format(printf, 4, 5))) static int fail(char *err, size_t errlen, int rv,
                                                      const char *fmt, ...) {
  if (err && errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return rv;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sleep_s(double s) {
  struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* ---- the attacker's trial loops ---- */

/* What every thread shares, read-only once the threads run (stop and go excepted). */
typedef struct {
  int cipher;
  OSSL_LIB_CTX *lib;
  OSSL_PROVIDER *legacy, *deflt;
  EVP_CIPHER *des_cbc, *des_ecb, *aes_ecb;
  /* DES / retail MAC: the message padded with method 1. AES: the raw message. */
  uint8_t msg[64];
  size_t msglen;
  uint8_t target[4];
  uint8_t real_key[16];
  atomic_int stop;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int go;
} ks_shared;

typedef struct {
  ks_shared *sh;
  unsigned index;
  EVP_CIPHER_CTX *x[3];
  uint8_t h[8];      /* retail MAC: the CBC chaining value under the current K1 */
  uint8_t first[32]; /* AES: 0^16 || M1, so L and C1 come out of one call */
  uint64_t trials, matches;
  int rv;
} ks_worker;

static const uint8_t ZERO[16];

static int ks_ctx(EVP_CIPHER_CTX **x, const EVP_CIPHER *ci, int enc) {
  *x = EVP_CIPHER_CTX_new();
  if (!*x || !EVP_CipherInit_ex2(*x, ci, NULL, NULL, enc, NULL) ||
      !EVP_CIPHER_CTX_set_padding(*x, 0))
    return SEC_KS_ERR_OPENSSL;
  /* A key of zeros so every later call may pass only a key. */
  return EVP_CipherInit_ex2(*x, NULL, ZERO, ZERO, enc, NULL) ? 0 : SEC_KS_ERR_OPENSSL;
}

static void ks_worker_free(ks_worker *w) {
  for (int i = 0; i < 3; i++) EVP_CIPHER_CTX_free(w->x[i]);
  memset(w->x, 0, sizeof(w->x));
}

static int ks_worker_init(ks_worker *w, ks_shared *sh, unsigned index) {
  int rv = 0;
  memset(w, 0, sizeof(*w));
  w->sh = sh;
  w->index = index;
  switch (sh->cipher) {
  case SEC_KS_DES:
    rv = ks_ctx(&w->x[0], sh->des_cbc, 1);
    break;
  case SEC_KS_DES_ACCR:
    rv = ks_ctx(&w->x[0], sh->des_ecb, 1);
    break;
  case SEC_KS_TDES2:
    if ((rv = ks_ctx(&w->x[0], sh->des_cbc, 1)) == 0 && (rv = ks_ctx(&w->x[1], sh->des_ecb, 1)) == 0)
      rv = ks_ctx(&w->x[2], sh->des_ecb, 0);
    break;
  case SEC_KS_AES128:
    rv = ks_ctx(&w->x[0], sh->aes_ecb, 1);
    memcpy(w->first + 16, sh->msg, sh->msglen < 16 ? sh->msglen : 16);
    break;
  default:
    rv = SEC_KS_ERR_ARG;
  }
  if (rv) ks_worker_free(w);
  return rv;
}

/* DES CBC-MAC: re-key (and reset the IV), the whole padded message in one call. */
static int trial_des(ks_worker *w, const uint8_t key[8], uint8_t mac[8]) {
  uint8_t out[64];
  int n;
  EVP_CIPHER_CTX *x = w->x[0];
  if (!EVP_EncryptInit_ex2(x, NULL, key, ZERO, NULL) ||
      !EVP_EncryptUpdate(x, out, &n, w->sh->msg, (int)w->sh->msglen))
    return SEC_KS_ERR_OPENSSL;
  memcpy(mac, out + w->sh->msglen - 8, 8);
  return 0;
}

static int trial_accr(ks_worker *w, const uint8_t key[8], uint8_t mac[8]) {
  int n;
  if (!EVP_EncryptInit_ex2(w->x[0], NULL, key, NULL, NULL) ||
      !EVP_EncryptUpdate(w->x[0], mac, &n, w->sh->msg, 8))
    return SEC_KS_ERR_OPENSSL;
  return 0;
}

/* Retail MAC, outer loop: the CBC part under K1 and K1 kept loaded for the final DES. */
static int trial_tdes_k1(ks_worker *w, const uint8_t k1[8]) {
  uint8_t out[64];
  int n;
  if (!EVP_EncryptInit_ex2(w->x[0], NULL, k1, ZERO, NULL) ||
      !EVP_EncryptUpdate(w->x[0], out, &n, w->sh->msg, (int)w->sh->msglen) ||
      !EVP_EncryptInit_ex2(w->x[1], NULL, k1, NULL, NULL))
    return SEC_KS_ERR_OPENSSL;
  memcpy(w->h, out + w->sh->msglen - 8, 8);
  return 0;
}

/* Inner loop: DES^-1 under the candidate K2, DES under K1. */
static int trial_tdes_k2(ks_worker *w, const uint8_t k2[8], uint8_t mac[8]) {
  uint8_t y[8];
  int n;
  if (!EVP_DecryptInit_ex2(w->x[2], NULL, k2, NULL, NULL) ||
      !EVP_DecryptUpdate(w->x[2], y, &n, w->h, 8) || !EVP_EncryptUpdate(w->x[1], mac, &n, y, 8))
    return SEC_KS_ERR_OPENSSL;
  return 0;
}

/* The CMAC subkey doubling of SP 800-38B. */
static void cmac_dbl(uint8_t out[16], const uint8_t in[16]) {
  uint8_t carry = in[0] >> 7;
  for (int i = 0; i < 15; i++) out[i] = (uint8_t)((in[i] << 1) | (in[i + 1] >> 7));
  out[15] = (uint8_t)((in[15] << 1) ^ (carry ? 0x87 : 0));
}

/* AES-CMAC on an ECB context: the subkey block and the first message block in one call,
 * then one call per remaining block. */
static int trial_aes(ks_worker *w, const uint8_t key[16], uint8_t mac[16]) {
  const ks_shared *sh = w->sh;
  size_t nb = aes_blocks(sh->msglen), lastlen = sh->msglen - (nb - 1) * 16;
  uint8_t lc[32], k1[16], k2[16], blk[16], c[16];
  int n;
  EVP_CIPHER_CTX *x = w->x[0];
  if (!EVP_EncryptInit_ex2(x, NULL, key, NULL, NULL) ||
      !EVP_EncryptUpdate(x, lc, &n, w->first, nb > 1 ? 32 : 16))
    return SEC_KS_ERR_OPENSSL;
  cmac_dbl(k1, lc);
  memcpy(c, lc + 16, 16); /* C1 when there is more than one block, unused otherwise */
  for (size_t b = 1; b + 1 < nb; b++) {
    for (int i = 0; i < 16; i++) blk[i] = c[i] ^ sh->msg[16 * b + (size_t)i];
    if (!EVP_EncryptUpdate(x, c, &n, blk, 16)) return SEC_KS_ERR_OPENSSL;
  }
  memset(blk, 0, 16);
  memcpy(blk, sh->msg + 16 * (nb - 1), lastlen);
  if (lastlen < 16) {
    blk[lastlen] = 0x80;
    cmac_dbl(k2, k1);
  } else {
    memcpy(k2, k1, 16);
  }
  for (int i = 0; i < 16; i++) blk[i] ^= k2[i] ^ (nb > 1 ? c[i] : 0);
  return EVP_EncryptUpdate(x, mac, &n, blk, 16) ? 0 : SEC_KS_ERR_OPENSSL;
}

/* 56 key bits into the 7 high bits of each octet; the parity bits are left 0 (DES ignores
 * them, so searching them would test every key 256 times). */
static void des_key_from(uint8_t key[8], uint64_t v) {
  for (int i = 0; i < 8; i++) key[i] = (uint8_t)(((v >> (7 * (7 - i))) & 0x7f) << 1);
}

/* One trial on an explicit key (the self-check's path, the same code the loop runs). */
static int trial_key(ks_worker *w, const uint8_t *key, uint8_t mac[16]) {
  int rv;
  switch (w->sh->cipher) {
  case SEC_KS_DES:
    return trial_des(w, key, mac);
  case SEC_KS_DES_ACCR:
    return trial_accr(w, key, mac);
  case SEC_KS_TDES2:
    if ((rv = trial_tdes_k1(w, key)) != 0) return rv;
    return trial_tdes_k2(w, key + 8, mac);
  case SEC_KS_AES128:
    return trial_aes(w, key, mac);
  default:
    return SEC_KS_ERR_ARG;
  }
}

enum { KS_BATCH = 256, KS_K1_EVERY = 1 << 16 };

static void *ks_thread(void *arg) {
  ks_worker *w = arg;
  ks_shared *sh = w->sh;
  uint8_t key[16], mac[16];
  /* Each thread its own slice of the key space. */
  uint64_t ctr = (uint64_t)w->index << 40, trials = 0, matches = 0;
  uint32_t want;
  int rv = 0;
  memcpy(&want, sh->target, 4);

  pthread_mutex_lock(&sh->mu);
  while (!sh->go) pthread_cond_wait(&sh->cv, &sh->mu);
  pthread_mutex_unlock(&sh->mu);

  /* Counters stay in registers: the workers sit side by side in one array, and a store per
   * trial into a shared cache line would measure the cache, not the cipher. */
  memset(key, 0, sizeof(key));
  /* One batch at least, even when the stop came before this thread was first scheduled (a
   * loaded machine, a short measurement): a rate of no trials would be no measurement. The
   * clock stops after the join, so the rate stays what was done in the time it took. */
  do {
    for (int i = 0; i < KS_BATCH && !rv; i++, ctr++) {
      uint32_t got;
      switch (sh->cipher) {
      case SEC_KS_DES:
        des_key_from(key, ctr);
        rv = trial_des(w, key, mac);
        break;
      case SEC_KS_DES_ACCR:
        des_key_from(key, ctr);
        rv = trial_accr(w, key, mac);
        break;
      case SEC_KS_TDES2:
        if (ctr % KS_K1_EVERY == 0) { /* the first trial too: ctr starts at index << 40 */
          des_key_from(key, ((uint64_t)w->index << 48) | (ctr / KS_K1_EVERY));
          if ((rv = trial_tdes_k1(w, key)) != 0) break;
        }
        des_key_from(key + 8, ctr);
        rv = trial_tdes_k2(w, key + 8, mac);
        break;
      case SEC_KS_AES128:
        key[0] = (uint8_t)w->index;
        for (int b = 0; b < 8; b++) key[8 + b] = (uint8_t)(ctr >> (56 - 8 * b));
        rv = trial_aes(w, key, mac);
        break;
      default:
        rv = SEC_KS_ERR_ARG;
      }
      memcpy(&got, mac, 4);
      matches += (got == want);
      trials++;
    }
  } while (!rv && !atomic_load_explicit(&sh->stop, memory_order_relaxed));
  if (rv) atomic_store(&sh->stop, 1);
  w->trials = trials;
  w->matches = matches;
  w->rv = rv;
  return NULL;
}

static void ks_shared_free(ks_shared *sh) {
  EVP_CIPHER_free(sh->des_cbc);
  EVP_CIPHER_free(sh->des_ecb);
  EVP_CIPHER_free(sh->aes_ecb);
  if (sh->legacy) OSSL_PROVIDER_unload(sh->legacy);
  if (sh->deflt) OSSL_PROVIDER_unload(sh->deflt);
  OSSL_LIB_CTX_free(sh->lib);
  dsrc_crypto_wipe(sh->real_key, sizeof(sh->real_key));
}

/* A private library context with the legacy provider (single DES), as dsrc/crypto has. */
static int ks_shared_open(ks_shared *sh, char *err, size_t errlen) {
  sh->lib = OSSL_LIB_CTX_new();
  if (!sh->lib) return fail(err, errlen, SEC_KS_ERR_NOMEM, "keysearch: no OpenSSL library context");
  sh->legacy = OSSL_PROVIDER_load(sh->lib, "legacy");
  sh->deflt = OSSL_PROVIDER_load(sh->lib, "default");
  if (!sh->legacy || !sh->deflt)
    return fail(err, errlen, SEC_KS_ERR_OPENSSL,
                "keysearch: OpenSSL's legacy or default provider is missing (single DES)");
  sh->des_cbc = EVP_CIPHER_fetch(sh->lib, "DES-CBC", NULL);
  sh->des_ecb = EVP_CIPHER_fetch(sh->lib, "DES-ECB", NULL);
  sh->aes_ecb = EVP_CIPHER_fetch(sh->lib, "AES-128-ECB", NULL);
  if (!sh->des_cbc || !sh->des_ecb || !sh->aes_ecb)
    return fail(err, errlen, SEC_KS_ERR_OPENSSL, "keysearch: cannot fetch DES-CBC/DES-ECB/AES-128-ECB");
  return 0;
}

/* The real key and the MAC the attacker captured, computed by dsrc/keys.h as the OBE does. */
static int ks_capture(ks_shared *sh, dsrc_crypto *c) {
  uint8_t k[16], obukey[16], m[AP_MSG_LEN];
  size_t off = 0;
  int rv;
  switch (sh->cipher) {
  case SEC_KS_DES:
    if ((rv = dsrc_en15509_auth_key(c, k, WX_MAUK, WX_PAN, WX_PROVIDER)) != 0 ||
        (rv = dsrc_en15509_authenticator(c, sh->target, k, WX_ATTRLIST, sizeof(WX_ATTRLIST),
                                        WX_NONCE, sizeof(WX_NONCE))) != 0)
      return rv;
    memcpy(sh->real_key, k, 8);
    memcpy(sh->msg, WX_ATTRLIST, sizeof(WX_ATTRLIST));
    off = sizeof(WX_ATTRLIST);
    sh->msg[off++] = sizeof(WX_NONCE);
    memcpy(sh->msg + off, WX_NONCE, sizeof(WX_NONCE));
    off += sizeof(WX_NONCE);
    break;
  case SEC_KS_DES_ACCR:
    if ((rv = dsrc_en15509_access_key(c, k, WX_MACK, WX_AC_CR_REF)) != 0 ||
        (rv = dsrc_en15509_ac_cr(c, sh->target, k, WX_RND_OBE)) != 0)
      return rv;
    memcpy(sh->real_key, k, 8);
    memcpy(sh->msg, WX_RND_OBE, 4);
    memset(sh->msg + 4, 0, 4);
    sh->msglen = 8;
    break;
  case SEC_KS_TDES2:
    if ((rv = dsrc_autopass_obukey(c, obukey, WX_MKEY_F, WX_OBUID)) != 0 ||
        (rv = dsrc_autopass_sskey(c, k, obukey, WX_RND1, WX_T)) != 0 ||
        (rv = dsrc_autopass_mac(c, sh->target, k, WX_OBUID, WX_EFCSTATUS, WX_TC, WX_RND2)) != 0)
      return rv;
    dsrc_crypto_wipe(obukey, sizeof(obukey));
    memcpy(sh->real_key, k, 16);
    memcpy(m, WX_OBUID, 4);
    m[4] = WX_EFCSTATUS;
    memcpy(m + 5, WX_TC, 2);
    memcpy(m + 7, WX_RND2, 4);
    memcpy(sh->msg, m, sizeof(m));
    off = sizeof(m);
    break;
  case SEC_KS_AES128:
    if ((rv = dsrc_aesref_auth_key(c, k, WX_MAUK, WX_PAN, WX_PROVIDER)) != 0 ||
        (rv = dsrc_aesref_authenticator(c, sh->target, k, WX_ATTRLIST, sizeof(WX_ATTRLIST),
                                       WX_NONCE, sizeof(WX_NONCE))) != 0)
      return rv;
    memcpy(sh->real_key, k, 16);
    memcpy(sh->msg, WX_ATTRLIST, sizeof(WX_ATTRLIST));
    off = sizeof(WX_ATTRLIST);
    sh->msg[off++] = sizeof(WX_NONCE);
    memcpy(sh->msg + off, WX_NONCE, sizeof(WX_NONCE));
    sh->msglen = off + sizeof(WX_NONCE);
    break;
  default:
    return SEC_KS_ERR_ARG;
  }
  if (sh->cipher == SEC_KS_DES || sh->cipher == SEC_KS_TDES2) {
    ptrdiff_t n = dsrc_crypto_pad1(sh->msg, sizeof(sh->msg), sh->msg, off);
    if (n < 0) return (int)n;
    sh->msglen = (size_t)n;
  }
  dsrc_crypto_wipe(k, sizeof(k));
  return 0;
}

/* The same MAC by dsrc/keys.h for any key: what the fast path must agree with. */
static int ks_reference(ks_shared *sh, dsrc_crypto *c, const uint8_t *key, uint8_t out[4]) {
  switch (sh->cipher) {
  case SEC_KS_DES:
    return dsrc_en15509_authenticator(c, out, key, WX_ATTRLIST, sizeof(WX_ATTRLIST), WX_NONCE,
                                     sizeof(WX_NONCE));
  case SEC_KS_DES_ACCR:
    return dsrc_en15509_ac_cr(c, out, key, WX_RND_OBE);
  case SEC_KS_TDES2:
    return dsrc_autopass_mac(c, out, key, WX_OBUID, WX_EFCSTATUS, WX_TC, WX_RND2);
  case SEC_KS_AES128:
    return dsrc_aesref_authenticator(c, out, key, WX_ATTRLIST, sizeof(WX_ATTRLIST), WX_NONCE,
                                    sizeof(WX_NONCE));
  default:
    return SEC_KS_ERR_ARG;
  }
}

/* The fast trial must give the captured MAC on the real key and dsrc's MAC on another. */
static int ks_selftest(ks_shared *sh, dsrc_crypto *c, char *err, size_t errlen) {
  ks_worker w;
  uint8_t other[16], mac[16], ref[4];
  int rv = ks_worker_init(&w, sh, 0);
  if (rv) return fail(err, errlen, rv, "keysearch: cannot set up the %s trial", CIPHERS[sh->cipher].name);
  if ((rv = trial_key(&w, sh->real_key, mac)) == 0 && memcmp(mac, sh->target, 4) != 0)
    rv = SEC_KS_ERR_SELFTEST;
  for (int i = 0; i < 16; i++) other[i] = (uint8_t)(sh->real_key[i] ^ (0x5B + 29 * i));
  if (rv == 0 && (rv = ks_reference(sh, c, other, ref)) == 0 && (rv = trial_key(&w, other, mac)) == 0 &&
      memcmp(mac, ref, 4) != 0)
    rv = SEC_KS_ERR_SELFTEST;
  ks_worker_free(&w);
  if (rv == SEC_KS_ERR_SELFTEST)
    return fail(err, errlen, rv, "keysearch: the %s trial loop disagrees with dsrc/keys.h",
                CIPHERS[sh->cipher].name);
  if (rv) return fail(err, errlen, rv, "keysearch: %s self-check failed (%d)", CIPHERS[sh->cipher].name, rv);
  return 0;
}

int sec_keysearch_rate(sec_ks_rate *out, int cipher, double seconds, unsigned threads, char *err,
                       size_t errlen) {
  ks_shared sh;
  ks_worker *w = NULL;
  pthread_t *tid = NULL;
  dsrc_crypto *c = NULL;
  unsigned started = 0;
  double t0 = 0, t1;
  int rv;

  if (!out || !cipher_ok(cipher)) return fail(err, errlen, SEC_KS_ERR_ARG, "keysearch: unknown cipher %d", cipher);
  memset(out, 0, sizeof(*out));
  if (!(seconds > 0)) seconds = SEC_KS_DEFAULT_SECONDS;
  if (threads == 0) threads = sec_keysearch_cores();
  memset(&sh, 0, sizeof(sh));
  sh.cipher = cipher;
  atomic_init(&sh.stop, 0);
  if ((rv = ks_shared_open(&sh, err, errlen)) != 0) goto done;
  if ((rv = dsrc_crypto_new(&c, err, errlen)) != 0) goto done;
  if ((rv = ks_capture(&sh, c)) != 0) {
    fail(err, errlen, rv, "keysearch: %s capture: %s", CIPHERS[cipher].name, dsrc_crypto_strerror(rv));
    goto done;
  }
  if ((rv = ks_selftest(&sh, c, err, errlen)) != 0) goto done;

  w = calloc(threads, sizeof(*w));
  tid = calloc(threads, sizeof(*tid));
  if (!w || !tid) {
    rv = fail(err, errlen, SEC_KS_ERR_NOMEM, "keysearch: out of memory");
    goto done;
  }
  pthread_mutex_init(&sh.mu, NULL);
  pthread_cond_init(&sh.cv, NULL);
  for (; started < threads; started++) {
    if ((rv = ks_worker_init(&w[started], &sh, started)) != 0) {
      fail(err, errlen, rv, "keysearch: cannot set up thread %u", started);
      break;
    }
    if (pthread_create(&tid[started], NULL, ks_thread, &w[started]) != 0) {
      ks_worker_free(&w[started]);
      rv = fail(err, errlen, SEC_KS_ERR_THREAD, "keysearch: cannot start thread %u", started);
      break;
    }
  }
  /* Release every thread at one instant; on a failure they stop at once. */
  if (rv) atomic_store(&sh.stop, 1);
  pthread_mutex_lock(&sh.mu);
  sh.go = 1;
  t0 = now_s();
  pthread_cond_broadcast(&sh.cv);
  pthread_mutex_unlock(&sh.mu);
  if (!rv) sleep_s(seconds);
  atomic_store(&sh.stop, 1);
  for (unsigned i = 0; i < started; i++) pthread_join(tid[i], NULL);
  t1 = now_s();
  pthread_cond_destroy(&sh.cv);
  pthread_mutex_destroy(&sh.mu);

  for (unsigned i = 0; i < started; i++) {
    if (!rv && w[i].rv) rv = fail(err, errlen, w[i].rv, "keysearch: an OpenSSL call failed in thread %u", i);
    out->trials += w[i].trials;
    out->matches += w[i].matches;
    ks_worker_free(&w[i]);
  }
  if (!rv) {
    out->cipher = cipher;
    out->key_bits = CIPHERS[cipher].key_bits;
    out->blocks_per_trial = sec_keysearch_blocks(cipher);
    out->threads = threads;
    out->seconds = t1 - t0;
    out->rate = (double)out->trials / out->seconds;
    out->rate_per_thread = out->rate / threads;
    out->ns_per_trial = 1e9 / out->rate_per_thread;
  }

done:
  free(w);
  free(tid);
  dsrc_crypto_free(c);
  ks_shared_free(&sh);
  return rv;
}

/* ---- extrapolation ---- */

sec_ks_time sec_keysearch_extrapolate(unsigned key_bits, double trials_per_s) {
  sec_ks_time t = {0, 0, 0};
  if (!(trials_per_s > 0) || key_bits == 0 || key_bits > 1000) return t;
  t.keyspace = ldexp(1.0, (int)key_bits);
  t.full_s = t.keyspace / trials_per_s;
  t.expected_s = t.full_s / 2;
  return t;
}

/* Published single-DES key-search rates: one DES encryption of a known plaintext per key.
 * Each entry names where the figure is printed (docs/keysearch.md quotes the passages). */
static const sec_ks_published PUBLISHED[] = {
    /* EFF press release of July 1998 ("capable of testing more than 90 billion keys per
     * second"), 1,856 custom chips, under $250,000; quoted at
     * http://cryptnet.net/people/vab/blogs/cryptowatch/1998/07/ */
    {"EFF DES Cracker (Deep Crack)", 1998, 9.0e10,
     "EFF press release, July 1998 (via cryptnet.net/people/vab/blogs/cryptowatch/1998/07/)"},
    /* "able to perform an exhaustive key search of DES at a rate of more than 2^35 keys per
     * second", 120 Spartan-3 FPGAs, under EUR 10,000: S. Kumar, C. Paar, J. Pelzl, G. Pfeiffer,
     * A. Rupp, M. Schimmler, "How to Break DES for EUR 8,980", SHARCS 2006 (abstract). */
    {"COPACOBANA (120 FPGAs)", 2006, 34359738368.0,
     "Kumar, Paar, Pelzl, Pfeiffer, Rupp, Schimmler: How to Break DES for EUR 8,980, SHARCS 2006"},
    /* "over 280 billion keys per second", 176 FPGAs on 11 cards in one 4U server (vendor
     * claim): FPGA Blog, 1 February 2010, http://fpgablog.com/posts/des-cracking-fpga/ */
    {"Pico Computing FPGA server (176 FPGAs)", 2010, 2.8e11,
     "Pico Computing via FPGA Blog, 2010-02-01 (fpgablog.com/posts/des-cracking-fpga/)"},
    /* hashcat 4.1.0 -m 14000 (DES, known plaintext, full 56-bit charset) on one GeForce GTX
     * 1080: "Speed.Dev.#1.....: 21495.5 MH/s", a user's status output on the hashcat forum
     * ("Trying to crack 8 Byte DES key", 2018), mirrored at
     * https://hashcat6.rssing.com/chan-14131099/article4045.html */
    {"hashcat on one GeForce GTX 1080 GPU", 2018, 2.14955e10,
     "hashcat forum, 2018: hashcat 4.1.0 -m 14000 status (hashcat6.rssing.com/chan-14131099/article4045.html)"},
};

size_t sec_keysearch_published(const sec_ks_published **out) {
  if (out) *out = PUBLISHED;
  return sizeof(PUBLISHED) / sizeof(PUBLISHED[0]);
}

double sec_keysearch_hw_rate(const sec_ks_published *p, int cipher) {
  unsigned b = sec_keysearch_blocks(cipher);
  return p && b ? p->des_keys_per_s / b : 0;
}

/* Expected wrong keys left after n captures of t bits each: (2^k - 1) 2^-nt. */
static double wrong_after(unsigned k, unsigned t, unsigned n) {
  int e = -(int)(n * t);
  return ldexp(1.0, (int)k + e) - ldexp(1.0, e);
}

int sec_keysearch_candidates(sec_ks_candidates *out, unsigned key_bits, unsigned mac_bits) {
  unsigned n;
  if (!out || key_bits < 1 || key_bits > 256 || mac_bits < 1 || mac_bits > 64) return SEC_KS_ERR_ARG;
  memset(out, 0, sizeof(*out));
  out->key_bits = key_bits;
  out->mac_bits = mac_bits;
  out->candidates_log2 = (double)key_bits - (double)mac_bits;
  out->candidates = 1.0 + wrong_after(key_bits, mac_bits, 1);
  out->captures_min = (key_bits + mac_bits - 1) / mac_bits;
  out->wrong_at_min = wrong_after(key_bits, mac_bits, out->captures_min);
  out->p_unique_at_min = exp(-out->wrong_at_min);
  for (n = 1; exp(-wrong_after(key_bits, mac_bits, n)) < SEC_KS_PIN_PROBABILITY; n++) {
  }
  out->captures_to_pin = n;
  out->wrong_after_pin = wrong_after(key_bits, mac_bits, n);
  out->p_unique = exp(-out->wrong_after_pin);
  return 0;
}

/* ---- the reduced-space demonstration ---- */

void sec_keysearch_demo_default(sec_ks_demo_input *in) {
  memset(in, 0, sizeof(*in));
  memcpy(in->mauk, WX_MAUK, 16);
  memcpy(in->pan, WX_PAN, 10);
  memcpy(in->provider, WX_PROVIDER, 3);
  in->attrlist = WX_ATTRLIST;
  in->attrlist_len = sizeof(WX_ATTRLIST);
  memcpy(in->nonce[0], WX_NONCE, 4);
  memcpy(in->nonce[1], WX_NONCE2, 4);
}

typedef struct {
  ks_worker w;
  const uint8_t *base; /* the real key with its B unknown bits cleared */
  unsigned unknown_bits;
  uint32_t want, mask;
  uint64_t from, to;
  uint8_t (*found)[8];
  size_t nfound, cap;
  bool overflow;
} demo_worker;

/* Index i's B bits into the key: 7 per octet from octet 7 backwards, above the parity bit. */
static void demo_key(uint8_t key[8], const uint8_t base[8], unsigned bits, uint64_t i) {
  memcpy(key, base, 8);
  for (unsigned j = 0, o = 7; j < bits; j += 7, o--) {
    unsigned take = bits - j < 7 ? bits - j : 7;
    key[o] |= (uint8_t)(((i >> j) & ((1u << take) - 1)) << 1);
  }
}

static void *demo_thread(void *arg) {
  demo_worker *d = arg;
  uint8_t key[8], mac[8];
  int rv = 0;
  for (uint64_t i = d->from; i < d->to; i++) {
    demo_key(key, d->base, d->unknown_bits, i);
    if ((rv = trial_des(&d->w, key, mac)) != 0) break;
    if (((dsrc_get_be32(mac) ^ d->want) & d->mask) != 0) continue;
    if (d->nfound == d->cap) {
      d->overflow = true;
      break;
    }
    memcpy(d->found[d->nfound++], key, 8);
  }
  d->w.rv = rv;
  return NULL;
}

int sec_keysearch_demo(sec_ks_demo *out, const sec_ks_demo_input *in, unsigned unknown_bits,
                       unsigned mac_bits, unsigned threads, char *err, size_t errlen) {
  sec_ks_demo_input def;
  ks_shared sh;
  demo_worker *d = NULL;
  pthread_t *tid = NULL;
  dsrc_crypto *c = NULL;
  uint8_t base[8], mac[8], a2[4];
  unsigned started = 0;
  uint32_t mask;
  uint64_t total = 0;
  double t0, t1;
  size_t off;
  int rv;

  if (!out || unknown_bits < 1 || unknown_bits > 32 || mac_bits < 1 || mac_bits > 32)
    return fail(err, errlen, SEC_KS_ERR_ARG, "keysearch demo: unknown bits and MAC bits must be 1..32");
  if (!in) {
    sec_keysearch_demo_default(&def);
    in = &def;
  }
  if (!in->attrlist || in->attrlist_len < 1 || in->attrlist_len > 64)
    return fail(err, errlen, SEC_KS_ERR_ARG, "keysearch demo: attribute list of 1..64 octets needed");
  memset(out, 0, sizeof(*out));
  if (threads == 0) threads = sec_keysearch_cores();
  memset(&sh, 0, sizeof(sh));
  sh.cipher = SEC_KS_DES;
  atomic_init(&sh.stop, 0);
  if ((rv = ks_shared_open(&sh, err, errlen)) != 0) goto done;
  if ((rv = dsrc_crypto_new(&c, err, errlen)) != 0) goto done;

  /* The OBE: its AuK, and the two GET_STAMPED answers an eavesdropper records. */
  out->unknown_bits = unknown_bits;
  out->mac_bits = mac_bits;
  out->threads = threads;
  out->attrlist_len = in->attrlist_len;
  memcpy(out->nonce, in->nonce, sizeof(out->nonce));
  if ((rv = dsrc_en15509_auth_key(c, out->auk, in->mauk, in->pan, in->provider)) != 0) goto crypto;
  for (int s = 0; s < 2; s++)
    if ((rv = dsrc_en15509_authenticator(c, out->authenticator[s], out->auk, in->attrlist,
                                        in->attrlist_len, in->nonce[s], DSRC_RND_LEN)) != 0)
      goto crypto;

  /* The attacker's message for capture 1, padded once. */
  memcpy(sh.msg, in->attrlist, in->attrlist_len);
  off = in->attrlist_len;
  sh.msg[off++] = DSRC_RND_LEN;
  memcpy(sh.msg + off, in->nonce[0], DSRC_RND_LEN);
  {
    ptrdiff_t n = dsrc_crypto_pad1(sh.msg, sizeof(sh.msg), sh.msg, off + DSRC_RND_LEN);
    if (n < 0) {
      rv = (int)n;
      goto crypto;
    }
    sh.msglen = (size_t)n;
  }

  /* What the attacker knows: every key bit but the B unknown ones. */
  memcpy(base, out->auk, 8);
  for (unsigned j = 0, o = 7; j < unknown_bits; j += 7, o--) {
    unsigned take = unknown_bits - j < 7 ? unknown_bits - j : 7;
    base[o] &= (uint8_t)~(((1u << take) - 1) << 1);
  }
  mask = mac_bits == 32 ? 0xFFFFFFFFu : ~(0xFFFFFFFFu >> mac_bits);

  d = calloc(threads, sizeof(*d));
  tid = calloc(threads, sizeof(*tid));
  if (!d || !tid) {
    rv = fail(err, errlen, SEC_KS_ERR_NOMEM, "keysearch demo: out of memory");
    goto done;
  }
  out->trials = (uint64_t)1 << unknown_bits;
  for (unsigned i = 0; i < threads; i++) {
    if ((rv = ks_worker_init(&d[i].w, &sh, i)) != 0) {
      fail(err, errlen, rv, "keysearch demo: cannot set up thread %u", i);
      goto done;
    }
    d[i].base = base;
    d[i].unknown_bits = unknown_bits;
    d[i].want = dsrc_get_be32(out->authenticator[0]);
    d[i].mask = mask;
    d[i].from = out->trials * i / threads;
    d[i].to = out->trials * (i + 1) / threads;
    d[i].cap = SEC_KS_DEMO_MAX_CANDIDATES;
    if (!(d[i].found = malloc(d[i].cap * sizeof(*d[i].found)))) {
      rv = fail(err, errlen, SEC_KS_ERR_NOMEM, "keysearch demo: out of memory");
      goto done;
    }
  }
  /* The fast path must reproduce the captured authenticator on the real key. */
  if ((rv = trial_des(&d[0].w, out->auk, mac)) != 0 || memcmp(mac, out->authenticator[0], 4) != 0) {
    rv = fail(err, errlen, rv ? rv : SEC_KS_ERR_SELFTEST,
              "keysearch demo: the trial loop disagrees with dsrc/keys.h or failed");
    goto done;
  }

  t0 = now_s();
  for (; started < threads; started++)
    if (pthread_create(&tid[started], NULL, demo_thread, &d[started]) != 0) {
      rv = fail(err, errlen, SEC_KS_ERR_THREAD, "keysearch demo: cannot start thread %u", started);
      break;
    }
  for (unsigned i = 0; i < started; i++) pthread_join(tid[i], NULL);
  t1 = now_s();
  if (rv) goto done;
  out->seconds = t1 - t0;
  out->rate = (double)out->trials / out->seconds;

  for (unsigned i = 0; i < threads; i++) {
    if (d[i].w.rv) {
      rv = fail(err, errlen, d[i].w.rv, "keysearch demo: an OpenSSL call failed");
      goto done;
    }
    if (d[i].overflow || total + d[i].nfound > SEC_KS_DEMO_MAX_CANDIDATES) {
      rv = fail(err, errlen, SEC_KS_ERR_OVERFLOW,
                "keysearch demo: more than %d candidates (B - M too large)", SEC_KS_DEMO_MAX_CANDIDATES);
      goto done;
    }
    total += d[i].nfound;
  }

  /* Capture 2 judges the survivors of capture 1, through dsrc/keys.h this time. */
  out->candidates[0] = total;
  for (unsigned i = 0; i < threads; i++)
    for (size_t k = 0; k < d[i].nfound; k++) {
      const uint8_t *key = d[i].found[k];
      bool real = memcmp(key, out->auk, 8) == 0;
      out->real_in[0] |= real;
      if ((rv = dsrc_en15509_authenticator(c, a2, key, in->attrlist, in->attrlist_len,
                                          in->nonce[1], DSRC_RND_LEN)) != 0)
        goto crypto;
      if (((dsrc_get_be32(a2) ^ dsrc_get_be32(out->authenticator[1])) & mask) != 0) continue;
      out->candidates[1]++;
      out->real_in[1] |= real;
      memcpy(out->found, key, 8);
    }
  out->pinned = out->candidates[1] == 1 && out->real_in[1];
  if (!out->pinned) memset(out->found, 0, 8);
  out->expected[0] = 1.0 + (ldexp(1.0, (int)unknown_bits) - 1.0) * ldexp(1.0, -(int)mac_bits);
  out->expected[1] = 1.0 + (ldexp(1.0, (int)unknown_bits) - 1.0) * ldexp(1.0, -2 * (int)mac_bits);
  rv = 0;
  goto done;

crypto:
  fail(err, errlen, rv, "keysearch demo: %s", dsrc_crypto_strerror(rv));
done:
  if (d) {
    for (unsigned i = 0; i < threads; i++) {
      ks_worker_free(&d[i].w);
      if (d[i].found) dsrc_crypto_wipe(d[i].found, d[i].cap * sizeof(*d[i].found));
      free(d[i].found);
    }
  }
  free(d);
  free(tid);
  dsrc_crypto_wipe(base, sizeof(base));
  dsrc_crypto_free(c);
  ks_shared_free(&sh);
  return rv;
}

int sec_keysearch_format_duration(char *buf, size_t cap, double s) {
  const double year = 365.25 * 86400;
  if (!(s >= 0)) return snprintf(buf, cap, "-");
  if (s < 1) return snprintf(buf, cap, "%.0f ms", s * 1e3);
  if (s < 120) return snprintf(buf, cap, "%.0f s", s);
  if (s < 7200) return snprintf(buf, cap, "%.0f min", s / 60);
  if (s < 2 * 86400) return snprintf(buf, cap, "%.1f h", s / 3600);
  if (s < 2 * year) return snprintf(buf, cap, "%.0f days", s / 86400);
  if (s < 1e6 * year) return snprintf(buf, cap, "%.0f years", s / year);
  return snprintf(buf, cap, "%.1e years", s / year);
}
