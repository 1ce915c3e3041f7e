/* Cost of the codec for one EN 15509 Level 1 transaction (every frame of
 * tests/vectors/exchange-l1.txt decoded and re-encoded, L2 included) beside the cost of the
 * same transaction's crypto (one 3DES key derivation + 4 DES blocks, through OpenSSL), in
 * one run. Prints figures; asserts nothing. Usage: efc-bench-codec [VECTOR_FILE] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dsrc/crypto.h"
#include "dsrc/frame.h"
#include "dsrc/hex.h"

#define MAX_FRAMES 32
#define ROUNDS 7

typedef struct {
  uint8_t bytes[DSRC_FRAME_MAX];
  size_t len;
} frame_t;

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static size_t load(const char *path, frame_t *f) {
  char line[1024];
  size_t n = 0;
  FILE *in = fopen(path, "r");
  if (!in) {
    fprintf(stderr, "efc-bench-codec: %s: cannot open\n", path);
    exit(1);
  }
  while (fgets(line, sizeof(line), in) && n < MAX_FRAMES) {
    char *a = strchr(line, '|'), *b = a ? strchr(a + 1, '|') : NULL;
    dsrc_ssize len;
    if (line[0] == '#' || !b) continue;
    *b = '\0';
    len = dsrc_hex_decode(f[n].bytes, sizeof(f[n].bytes), a + 1, NULL);
    if (len <= 0) {
      fprintf(stderr, "efc-bench-codec: %s: bad frame line\n", path);
      exit(1);
    }
    f[n++].len = (size_t)len;
  }
  fclose(in);
  return n;
}

static volatile unsigned sink;

/* Decodes every frame and its PDUs into tapdus[]; returns octets decoded. */
__attribute__((noinline)) static unsigned decode_all(const frame_t *fr, size_t n, dsrc_frame *hdr, dsrc_tapdu *t, unsigned *pdu) {
  unsigned total = 0;
  for (size_t i = 0; i < n; i++) {
    if (dsrc_frame_decode(&hdr[i], fr[i].bytes, fr[i].len) != 0) abort();
    if (hdr[i].lsdu_len) {
      dsrc_ssize k = dsrc_pdu_decode(&t[i], &pdu[i], hdr[i].lsdu, hdr[i].lsdu_len, NULL);
      if (k < 0) abort();
      total += (unsigned)k;
    }
  }
  return total;
}

__attribute__((noinline)) static unsigned encode_all(size_t n, dsrc_frame *hdr, const dsrc_tapdu *t, const unsigned *pdu) {
  unsigned total = 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t lsdu[DSRC_FRAME_MAX], out[DSRC_FRAME_MAX];
    dsrc_frame f = hdr[i];
    dsrc_ssize k = 0;
    if (f.lsdu_len) {
      k = dsrc_pdu_encode(lsdu, sizeof(lsdu), pdu[i], &t[i]);
      if (k < 0) abort();
    }
    f.lsdu = lsdu;
    f.lsdu_len = (size_t)k;
    k = dsrc_frame_encode(out, sizeof(out), &f);
    if (k < 0) abort();
    total += (unsigned)k + out[k / 2];
  }
  return total;
}

/* One 3DES key derivation (AccessKey) and four DES blocks (AC_CR and the 3-block
 * authenticator CBC-MAC), each call setting its key as the real transaction does. */
__attribute__((noinline)) static void crypto_once(dsrc_crypto *c, unsigned salt) {
  uint8_t mack[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, (uint8_t)salt};
  uint8_t blk[8] = {0, 0xff, 0, 0xff, 0, 0xff, 0, (uint8_t)salt}, key[8], x[8];
  if (dsrc_crypto_tdes_encrypt(c, key, mack, blk) != 0) abort();
  for (int i = 0; i < 4; i++) {
    if (dsrc_crypto_des_encrypt(c, x, key, blk) != 0) abort();
    memcpy(blk, x, 8);
  }
  sink += blk[0];
}

int main(int argc, char **argv) {
  static frame_t fr[MAX_FRAMES];
  static dsrc_frame hdr[MAX_FRAMES];
  static dsrc_tapdu t[MAX_FRAMES];
  static unsigned pdu[MAX_FRAMES];
  const char *path = EFC_TEST_VECTORS "/exchange-l1.txt";
  size_t n;
  if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
      printf("usage: efc-bench-codec [VECTOR_FILE]\n\n"
             "Decodes and re-encodes every frame of an exchange (default: the EN 15509 Level 1\n"
             "vector, tests/vectors/exchange-l1.txt) and times it beside the same transaction's\n"
             "crypto; prints figures. EFC_BENCH_ITERS sets the transactions per round.\n");
      return 0;
    }
    fprintf(stderr, "usage: efc-bench-codec [VECTOR_FILE]\n");
    return 2;
  }
  if (argc == 2) path = argv[1];
  n = load(path, fr);
  double dec[ROUNDS], enc[ROUNDS], cry[ROUNDS];
  const unsigned iters = getenv("EFC_BENCH_ITERS") ? (unsigned)atoi(getenv("EFC_BENCH_ITERS")) : 20000;
  dsrc_crypto *c;
  char err[256];
  unsigned octets = 0;

  if (dsrc_crypto_new(&c, err, sizeof(err)) != 0) {
    fprintf(stderr, "efc-bench-codec: %s\n", err);
    return 1;
  }
  for (size_t i = 0; i < n; i++) octets += (unsigned)fr[i].len;
  for (int r = 0; r < ROUNDS; r++) {
    double t0 = now_ns();
    for (unsigned i = 0; i < iters; i++) sink += decode_all(fr, n, hdr, t, pdu);
    double t1 = now_ns();
    for (unsigned i = 0; i < iters; i++) sink += encode_all(n, hdr, t, pdu);
    double t2 = now_ns();
    for (unsigned i = 0; i < iters; i++) crypto_once(c, i);
    double t3 = now_ns();
    dec[r] = (t1 - t0) / iters;
    enc[r] = (t2 - t1) / iters;
    cry[r] = (t3 - t2) / iters;
  }
  qsort(dec, ROUNDS, sizeof(double), cmp_double);
  qsort(enc, ROUNDS, sizeof(double), cmp_double);
  qsort(cry, ROUNDS, sizeof(double), cmp_double);
  printf("EN 15509 Level 1 transaction: %zu frames, %u octets on air (unstuffed)\n", n, octets);
  printf("medians of %d rounds x %u transactions:\n", ROUNDS, iters);
  printf("  codec decode (L2 + PDUs)          %8.0f ns/transaction\n", dec[ROUNDS / 2]);
  printf("  codec encode (PDUs + L2 + FCS)    %8.0f ns/transaction\n", enc[ROUNDS / 2]);
  printf("  codec total                       %8.0f ns/transaction\n", dec[ROUNDS / 2] + enc[ROUNDS / 2]);
  printf("  crypto (1 x 3DES + 4 x DES, EVP)  %8.0f ns/transaction\n", cry[ROUNDS / 2]);
  printf("  codec / crypto                    %8.2f\n", (dec[ROUNDS / 2] + enc[ROUNDS / 2]) / cry[ROUNDS / 2]);
  dsrc_crypto_free(c);
  return 0;
}
