/* efc-bench-crypto: ns per operation of dsrc_crypto next to raw OpenSSL EVP calls.
 *
 * Fairness: every "ours" block operation sets its key on each call (the simulator's
 * operations all use a fresh or different key), so the raw EVP figures do the same: a
 * reused EVP_CIPHER_CTX / EVP_MAC_CTX, re-keyed with EVP_CipherInit_ex2(ctx, NULL, key, ...)
 * or EVP_MAC_init(ctx, key, ...) then one update, from the same kind of private library
 * context with the legacy and default providers. The "fixed key" rows show what the key
 * schedule costs. Usage: efc-bench-crypto [seconds per row, default 0.5]. */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dsrc/crypto.h"
#include "dsrc/keys.h"

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

typedef struct {
  dsrc_crypto *c;
  EVP_CIPHER_CTX *des, *tdes, *aes;
  EVP_MAC_CTX *cmac;
  uint8_t k8[8], k16[16], buf[16], attrs[17], nonce[4], obuid[4], rnd[4], t[4], tc[2];
  int fail;
} bench;

typedef int (*op_fn)(bench *b);

/* ns per call of fn over about `seconds` of calls. */
static double measure(bench *b, op_fn fn, double seconds) {
  double t0, t1;
  long n = 0, batch = 200;
  for (int i = 0; i < 200; i++) b->fail |= fn(b); /* warm-up */
  t0 = now_ns();
  do {
    for (long i = 0; i < batch; i++) b->fail |= fn(b);
    n += batch;
    t1 = now_ns();
  } while (t1 - t0 < seconds * 1e9);
  return (t1 - t0) / (double)n;
}

enum { ROUNDS = 5 };

/* The best of ROUNDS short runs: the machine's other load only ever adds time. */
static double row(bench *b, const char *name, op_fn fn, double seconds) {
  double best = 1e30;
  for (int r = 0; r < ROUNDS; r++) {
    double ns = measure(b, fn, seconds / ROUNDS);
    if (ns < best) best = ns;
  }
  printf("%-48s %9.1f ns/op\n", name, best);
  return best;
}

/* Ours and raw alternately, round by round, so drifting load hits both alike. */
static void pair(bench *b, const char *name, op_fn ours, op_fn raw, double seconds, double *ratio) {
  double bo = 1e30, br = 1e30;
  for (int r = 0; r < ROUNDS; r++) {
    double o = measure(b, ours, seconds / ROUNDS), w = measure(b, raw, seconds / ROUNDS);
    if (o < bo) bo = o;
    if (w < br) br = w;
  }
  printf("%-16s ours %8.1f  raw EVP %8.1f ns/op  ratio %.2f\n", name, bo, br, bo / br);
  *ratio = bo / br;
}

/* ---- ours ---- */
/* A new key for every call, as the schemes mostly use: dsrc_crypto keeps the schedules of
 * recent keys (crypto_internal.h), so a repeated key would measure its cache instead. */
static uint8_t *next8(bench *b) {
  b->k8[7]++;
  return b->k8;
}

static uint8_t *next16(bench *b) {
  b->k16[15]++;
  return b->k16;
}

static int our_des(bench *b) { return dsrc_crypto_des_encrypt(b->c, b->buf, next8(b), b->buf); }
static int our_tdes(bench *b) { return dsrc_crypto_tdes_encrypt(b->c, b->buf, next16(b), b->buf); }
static int our_aes(bench *b) { return dsrc_crypto_aes_encrypt(b->c, b->buf, next16(b), b->buf); }
static int our_mac3(bench *b) { return dsrc_crypto_mac3(b->c, b->buf, next16(b), b->buf, 16); }
static int our_ac_cr(bench *b) { return dsrc_en15509_ac_cr(b->c, b->buf, next8(b), b->buf); }
static int our_auth(bench *b) {
  return dsrc_en15509_authenticator(b->c, b->buf, next8(b), b->attrs, 17, b->nonce, 4);
}
static int our_obukey(bench *b) { return dsrc_autopass_obukey(b->c, b->buf, next16(b), b->obuid); }
static int our_sskey(bench *b) { return dsrc_autopass_sskey(b->c, b->buf, next16(b), b->rnd, b->t); }
static int our_apmac(bench *b) {
  return dsrc_autopass_mac(b->c, b->buf, next16(b), b->obuid, 0, b->tc, b->rnd);
}
static int our_aes_cmac(bench *b) { return dsrc_crypto_aes_cmac(b->c, b->buf, next16(b), b->buf, 16); }
static int our_aes_accr(bench *b) { return dsrc_aesref_ac_cr(b->c, b->buf, next16(b), b->rnd); }
static int our_aes_auth(bench *b) {
  return dsrc_aesref_authenticator(b->c, b->buf, next16(b), b->attrs, 17, b->nonce, 4);
}
static int our_aes_kdf(bench *b) { return dsrc_aesref_access_key(b->c, b->buf, next16(b), b->nonce); }

/* ---- raw EVP ---- */
static int raw_block(EVP_CIPHER_CTX *x, const uint8_t *key, uint8_t *buf, int len) {
  int n;
  if (key && !EVP_EncryptInit_ex2(x, NULL, key, NULL, NULL)) return 1;
  return !EVP_EncryptUpdate(x, buf, &n, buf, len) || n != len;
}
static int raw_des(bench *b) { return raw_block(b->des, b->k8, b->buf, 8); }
static int raw_tdes(bench *b) { return raw_block(b->tdes, b->k16, b->buf, 8); }
static int raw_aes(bench *b) { return raw_block(b->aes, b->k16, b->buf, 16); }
static int raw_des_fixed(bench *b) { return raw_block(b->des, NULL, b->buf, 8); }
static int raw_tdes_fixed(bench *b) { return raw_block(b->tdes, NULL, b->buf, 8); }
static int raw_aes_fixed(bench *b) { return raw_block(b->aes, NULL, b->buf, 16); }
static int raw_aes_cmac(bench *b) {
  size_t got;
  return !EVP_MAC_init(b->cmac, b->k16, 16, NULL) || !EVP_MAC_update(b->cmac, b->buf, 16) ||
         !EVP_MAC_final(b->cmac, b->buf, &got, 16);
}

static EVP_CIPHER_CTX *raw_ctx(OSSL_LIB_CTX *lib, const char *name, const uint8_t *key) {
  EVP_CIPHER *ci = EVP_CIPHER_fetch(lib, name, NULL);
  EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
  if (!ci || !x || !EVP_EncryptInit_ex2(x, ci, key, NULL, NULL) ||
      !EVP_CIPHER_CTX_set_padding(x, 0)) {
    fprintf(stderr, "efc-bench-crypto: cannot set up raw %s\n", name);
    exit(1);
  }
  EVP_CIPHER_free(ci);
  return x;
}

int main(int argc, char **argv) {
  bench b;
  char err[256];
  double seconds = argc > 1 ? atof(argv[1]) : 0.5, ratio[4];
  OSSL_LIB_CTX *lib;
  OSSL_PROVIDER *legacy, *deflt;
  EVP_MAC *mac;
  OSSL_PARAM params[2];
  if (argc > 2 || (argc == 2 && !(seconds > 0))) {
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
      printf("usage: efc-bench-crypto [SECONDS]\n\n"
             "ns per operation of dsrc_crypto next to raw OpenSSL EVP calls, SECONDS per row\n"
             "(default 0.5), best of 5 runs.\n");
      return 0;
    }
    fprintf(stderr, "usage: efc-bench-crypto [SECONDS]\n");
    return 2;
  }
  lib = OSSL_LIB_CTX_new();
  legacy = OSSL_PROVIDER_load(lib, "legacy");
  deflt = OSSL_PROVIDER_load(lib, "default");

  memset(&b, 0, sizeof(b));
  if (dsrc_crypto_new(&b.c, err, sizeof(err)) != 0 || !legacy || !deflt) {
    fprintf(stderr, "efc-bench-crypto: %s\n", err);
    return 1;
  }
  for (int i = 0; i < 16; i++) b.k16[i] = (uint8_t)(0x10 + 3 * i);
  memcpy(b.k8, b.k16, 8);
  memcpy(b.attrs, "\x01\x20\x40\x28\x00\x00\x00\x12\x34\x56\x78\x90\x7f\x50\xde\x00\x00", 17);
  memcpy(b.nonce, "\x5a\x7f\x1c\x20", 4);
  memcpy(b.obuid, "\x00\xa1\xb2\xc3", 4);
  memcpy(b.rnd, "\x1f\x2e\x3d\x4c", 4);
  memcpy(b.t, "\x5a\xe0\xc6\x0a", 4);
  memcpy(b.tc, "\x01\x23", 2);
  b.des = raw_ctx(lib, "DES-ECB", b.k8);
  b.tdes = raw_ctx(lib, "DES-EDE-ECB", b.k16);
  b.aes = raw_ctx(lib, "AES-128-ECB", b.k16);
  mac = EVP_MAC_fetch(lib, "CMAC", NULL);
  b.cmac = EVP_MAC_CTX_new(mac);
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)"AES-128-CBC", 0);
  params[1] = OSSL_PARAM_construct_end();
  if (!b.cmac || !EVP_MAC_CTX_set_params(b.cmac, params)) return 1;

  printf(
      "efc-bench-crypto: best of %d runs over %.2f s per row; every op sets its key\n"
      "unless marked fixed key\n\n",
      ROUNDS, seconds);
  printf("-- dsrc_crypto --\n");
  row(&b, "DES block (dsrc_crypto_des_encrypt)", our_des, seconds);
  row(&b, "3DES block (dsrc_crypto_tdes_encrypt)", our_tdes, seconds);
  row(&b, "AES-128 block (dsrc_crypto_aes_encrypt)", our_aes, seconds);
  row(&b, "retail MAC, 16 octets (dsrc_crypto_mac3)", our_mac3, seconds);
  row(&b, "EN 15509 AC_CR", our_ac_cr, seconds);
  row(&b, "EN 15509 Authenticator, 17-octet PaymentMeans", our_auth, seconds);
  row(&b, "AutoPASS OBUKEY derivation", our_obukey, seconds);
  row(&b, "AutoPASS SSKEY derivation", our_sskey, seconds);
  row(&b, "AutoPASS MAC1/MAC2", our_apmac, seconds);
  row(&b, "AES-128-CMAC, 16 octets", our_aes_cmac, seconds);
  row(&b, "AES ref AC_CR (CMAC)", our_aes_accr, seconds);
  row(&b, "AES ref Authenticator (CMAC), 17-octet list", our_aes_auth, seconds);
  row(&b, "AES ref AccessKey (KBKDF-CMAC)", our_aes_kdf, seconds);
  printf("\n-- raw OpenSSL EVP, reused context --\n");
  row(&b, "DES-ECB block, re-keyed", raw_des, seconds);
  row(&b, "DES-EDE-ECB block, re-keyed", raw_tdes, seconds);
  row(&b, "AES-128-ECB block, re-keyed", raw_aes, seconds);
  row(&b, "AES-128-CMAC, 16 octets, re-keyed", raw_aes_cmac, seconds);
  row(&b, "DES-ECB block, fixed key", raw_des_fixed, seconds);
  row(&b, "DES-EDE-ECB block, fixed key", raw_tdes_fixed, seconds);
  row(&b, "AES-128-ECB block, fixed key", raw_aes_fixed, seconds);
  printf("\n-- ours vs raw, measured alternately (goal: ratio <= 1.5) --\n");
  pair(&b, "DES block", our_des, raw_des, seconds, &ratio[0]);
  pair(&b, "3DES block", our_tdes, raw_tdes, seconds, &ratio[1]);
  pair(&b, "AES-128 block", our_aes, raw_aes, seconds, &ratio[2]);
  pair(&b, "AES-128-CMAC", our_aes_cmac, raw_aes_cmac, seconds, &ratio[3]);
  if (b.fail) fprintf(stderr, "efc-bench-crypto: an operation failed\n");

  EVP_MAC_CTX_free(b.cmac);
  EVP_MAC_free(mac);
  EVP_CIPHER_CTX_free(b.des);
  EVP_CIPHER_CTX_free(b.tdes);
  EVP_CIPHER_CTX_free(b.aes);
  dsrc_crypto_free(b.c);
  OSSL_PROVIDER_unload(legacy);
  OSSL_PROVIDER_unload(deflt);
  OSSL_LIB_CTX_free(lib);
  return b.fail ? 1 : 0;
}
