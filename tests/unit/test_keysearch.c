/* Threat T12 (sim/keysearch.h): the reduced-space search on a real EN 15509 AuthenticationKey
 * finds the key, leaves a candidate count a Poisson model allows after one capture and only
 * the key after two; the extrapolation and candidate arithmetic against hand computation;
 * every trial loop runs and agrees with dsrc/keys.h. No timing is asserted beyond "> 0". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dsrc/keys.h"
#include "security/keysearch.h"

/* tests/vectors/crypto.txt, EN 15509 Level 1 worked example (docs/crypto.md). */
static const uint8_t VEC_AUK[8] = {0xF0, 0xA5, 0x93, 0xA8, 0x9C, 0xA1, 0xC5, 0x94};
static const uint8_t VEC_AUTH[4] = {0x62, 0xFA, 0xC8, 0x0D};

static void assert_close(double got, double want, double rel) {
  if (!(fabs(got - want) <= rel * fabs(want))) fail_msg("%.17g is not within %g of %.17g", got, rel, want);
}

/* The count after one capture: the real key plus Binomial(2^B - 1, 2^-M) wrong ones, which
 * is Poisson with mean lambda to a very good approximation; 5 sigma either side. */
static void assert_in_band(uint64_t count, unsigned b, unsigned m) {
  double lambda = (pow(2.0, b) - 1.0) / pow(2.0, m), sd = sqrt(lambda);
  double lo = 1.0 + lambda - 5 * sd, hi = 1.0 + lambda + 5 * sd;
  if (!((double)count >= lo && (double)count <= hi))
    fail_msg("%llu candidates after one capture, expected %.1f..%.1f", (unsigned long long)count, lo, hi);
}

static void check_demo(const sec_ks_demo *d, unsigned b, unsigned m) {
  assert_int_equal(d->trials, (uint64_t)1 << b);
  assert_true(d->real_in[0]);
  assert_in_band(d->candidates[0], b, m);
  assert_true(d->real_in[1]);
  assert_int_equal(d->candidates[1], 1);
  assert_true(d->pinned);
  assert_memory_equal(d->found, d->auk, 8);
  assert_true(d->rate > 0);
}

static void test_demo_worked_example(void **state) {
  (void)state;
  sec_ks_demo d;
  char err[256] = "";
  int rv = sec_keysearch_demo(&d, NULL, 20, 14, 0, err, sizeof(err));
  if (rv) fail_msg("%s", err);
  /* The key and capture 1 are the worked example's: the demo attacks what an OBE really sends. */
  assert_memory_equal(d.auk, VEC_AUK, 8);
  assert_memory_equal(d.authenticator[0], VEC_AUTH, 4);
  assert_memory_not_equal(d.authenticator[1], d.authenticator[0], 4);
  check_demo(&d, 20, 14);
}

/* Another OBE (another master key, PAN and nonces) at other B and M: the search follows
 * the key, not a remembered answer. */
static void test_demo_other_obe(void **state) {
  (void)state;
  sec_ks_demo_input in;
  sec_ks_demo d, again;
  char err[256] = "";
  sec_keysearch_demo_default(&in);
  for (int i = 0; i < 16; i++) in.mauk[i] = (uint8_t)(0xA7 * i + 0x3D);
  in.pan[7] ^= 0x5A;
  memcpy(in.nonce[0], "\x01\x02\x03\x04", 4);
  memcpy(in.nonce[1], "\xF0\x0D\xBE\xEF", 4);
  int rv = sec_keysearch_demo(&d, &in, 18, 13, 1, err, sizeof(err));
  if (rv) fail_msg("%s", err);
  assert_memory_not_equal(d.auk, VEC_AUK, 8);
  check_demo(&d, 18, 13);
  /* The thread count splits the work, it does not change the answer. */
  rv = sec_keysearch_demo(&again, &in, 18, 13, 3, err, sizeof(err));
  if (rv) fail_msg("%s", err);
  assert_int_equal(again.candidates[0], d.candidates[0]);
  assert_memory_equal(again.found, d.found, 8);
}

/* The expected counts are computed, not remembered; a tiny space still pins the key. */
static void test_demo_expected_values(void **state) {
  (void)state;
  sec_ks_demo d;
  char err[256] = "";
  int rv = sec_keysearch_demo(&d, NULL, 12, 10, 0, err, sizeof(err));
  if (rv) fail_msg("%s", err);
  assert_close(d.expected[0], 1.0 + 4095.0 / 1024.0, 1e-12);
  assert_close(d.expected[1], 1.0 + 4095.0 / 1048576.0, 1e-12);
  check_demo(&d, 12, 10);
  assert_int_equal(sec_keysearch_demo(&d, NULL, 0, 8, 0, NULL, 0), SEC_KS_ERR_ARG);
  assert_int_equal(sec_keysearch_demo(&d, NULL, 24, 33, 0, NULL, 0), SEC_KS_ERR_ARG);
  /* 2^20 keys on 2 bits of MAC leave about 2^18 candidates, more than the demo keeps. */
  assert_int_equal(sec_keysearch_demo(&d, NULL, 20, 2, 0, err, sizeof(err)), SEC_KS_ERR_OVERFLOW);
}

static void test_extrapolate(void **state) {
  (void)state;
  /* At 1e9 trials/s: 2^55 trials = 36028797.018963968 s, about 417 days. */
  sec_ks_time t = sec_keysearch_extrapolate(56, 1e9);
  assert_close(t.keyspace, 72057594037927936.0, 0);
  assert_close(t.expected_s, 36028797.018963968, 1e-15);
  assert_close(t.full_s, 72057594.037927936, 1e-15);
  /* 2^111 / 1e9 and 2^127 / 1e9. */
  assert_close(sec_keysearch_extrapolate(112, 1e9).expected_s, 2.596148429267413814e24, 1e-15);
  assert_close(sec_keysearch_extrapolate(128, 1e9).expected_s, 1.7014118346046923173e29, 1e-15);
  /* Deep Crack's 9e10 keys/s: 2^55 / 9e10 = 400319.97 s, 4.6 days. */
  assert_close(sec_keysearch_extrapolate(56, 9e10).expected_s, 400319.9668773774, 1e-12);
  t = sec_keysearch_extrapolate(56, 0);
  assert_true(t.full_s == 0 && t.expected_s == 0);

  char buf[64];
  sec_keysearch_format_duration(buf, sizeof(buf), 36028797.018963968);
  assert_string_equal(buf, "417 days");
  sec_keysearch_format_duration(buf, sizeof(buf), 2.596148429267413814e24);
  assert_string_equal(buf, "8.2e+16 years");
  sec_keysearch_format_duration(buf, sizeof(buf), 0.25);
  assert_string_equal(buf, "250 ms");
}

static void test_candidates(void **state) {
  (void)state;
  sec_ks_candidates c;
  /* DES, 4-octet MAC: 2^24 wrong keys per capture; two captures leave 2^-8 wrong keys. */
  assert_int_equal(sec_keysearch_candidates(&c, 56, 32), 0);
  assert_close(c.candidates_log2, 24, 0);
  assert_close(c.candidates, 16777217.0, 1e-12);
  assert_int_equal(c.captures_min, 2);
  assert_int_equal(c.captures_to_pin, 2);
  assert_close(c.wrong_after_pin, 1.0 / 256, 1e-12);
  assert_close(c.p_unique, exp(-1.0 / 256), 1e-12);
  /* 2-key 3DES: 2^80 after one, 4 captures (3 leave 2^16). */
  assert_int_equal(sec_keysearch_candidates(&c, 112, 32), 0);
  assert_close(c.candidates, pow(2, 80), 1e-12);
  assert_int_equal(c.captures_min, 4);
  assert_int_equal(c.captures_to_pin, 4);
  assert_close(c.wrong_after_pin, pow(2, -16), 1e-9);
  /* AES-128: 4 captures carry 128 bits but leave about one wrong key (p = 1/e); 5 pin it. */
  assert_int_equal(sec_keysearch_candidates(&c, 128, 32), 0);
  assert_close(c.candidates, pow(2, 96), 1e-12);
  assert_int_equal(c.captures_min, 4);
  assert_close(c.wrong_at_min, 1.0, 1e-12);
  assert_close(c.p_unique_at_min, exp(-1.0), 1e-12);
  assert_int_equal(c.captures_to_pin, 5);
  assert_close(c.wrong_after_pin, pow(2, -32), 1e-9);
  /* The demo's scale model: B = 24, M = 16 has DES's 2^-8 after the second capture. */
  assert_int_equal(sec_keysearch_candidates(&c, 24, 16), 0);
  assert_int_equal(c.captures_to_pin, 2);
  assert_close(c.wrong_after_pin, 1.0 / 256 - pow(2, -32), 1e-12);
  assert_int_equal(sec_keysearch_candidates(&c, 0, 32), SEC_KS_ERR_ARG);
  assert_int_equal(sec_keysearch_candidates(&c, 56, 0), SEC_KS_ERR_ARG);
}

static void test_blocks_and_hardware(void **state) {
  (void)state;
  /* DES: 17-octet list + 04 + 4-octet nonce = 22 octets, padded to 24: 3 blocks.
   * AES: 22 octets = 2 blocks, plus L = E_K(0). AC_CR: 1. Retail MAC inner loop: 2. */
  assert_int_equal(sec_keysearch_blocks(SEC_KS_DES), 3);
  assert_int_equal(sec_keysearch_blocks(SEC_KS_AES128), 3);
  assert_int_equal(sec_keysearch_blocks(SEC_KS_DES_ACCR), 1);
  assert_int_equal(sec_keysearch_blocks(SEC_KS_TDES2), 2);
  assert_int_equal(sec_keysearch_blocks(42), 0);
  assert_int_equal(sec_keysearch_key_bits(SEC_KS_DES), 56);
  assert_int_equal(sec_keysearch_key_bits(SEC_KS_TDES2), 112);
  assert_int_equal(sec_keysearch_key_bits(SEC_KS_AES128), 128);
  assert_int_equal(sec_keysearch_captures_per_key(SEC_KS_TDES2), 1);
  assert_int_equal(sec_keysearch_captures_per_key(SEC_KS_DES), 0);

  const sec_ks_published *p;
  size_t n = sec_keysearch_published(&p);
  assert_true(n >= 3);
  for (size_t i = 0; i < n; i++) {
    assert_true(p[i].des_keys_per_s > 1e9);
    assert_non_null(p[i].source);
    assert_true(strlen(p[i].source) > 10);
    assert_close(sec_keysearch_hw_rate(&p[i], SEC_KS_DES), p[i].des_keys_per_s / 3, 1e-15);
    assert_close(sec_keysearch_hw_rate(&p[i], SEC_KS_DES_ACCR), p[i].des_keys_per_s, 1e-15);
    assert_close(sec_keysearch_hw_rate(&p[i], SEC_KS_TDES2), p[i].des_keys_per_s / 2, 1e-15);
  }
  assert_true(sec_keysearch_hw_rate(&p[0], 42) == 0);
}

static void test_rate_every_cipher(void **state) {
  (void)state;
  char err[256] = "";
  for (int c = 0; c < SEC_KS_CIPHERS; c++) {
    sec_ks_rate r;
    int rv = sec_keysearch_rate(&r, c, 0.05, 1, err, sizeof(err));
    if (rv) fail_msg("%s: %s", sec_keysearch_cipher_name(c), err);
    assert_int_equal(r.cipher, c);
    assert_int_equal(r.threads, 1);
    assert_int_equal(r.key_bits, sec_keysearch_key_bits(c));
    assert_true(r.trials > 0 && r.rate > 0 && r.ns_per_trial > 0 && r.seconds > 0);
    assert_close(r.rate, (double)r.trials / r.seconds, 1e-12);
    assert_close(r.ns_per_trial, 1e9 / r.rate, 1e-12);
  }
  sec_ks_rate r;
  int rv = sec_keysearch_rate(&r, SEC_KS_DES, 0.05, 0, err, sizeof(err));
  if (rv) fail_msg("%s", err);
  assert_int_equal(r.threads, sec_keysearch_cores());
  assert_close(r.rate_per_thread, r.rate / r.threads, 1e-12);
  assert_int_equal(sec_keysearch_rate(&r, SEC_KS_CIPHERS, 0.05, 1, err, sizeof(err)), SEC_KS_ERR_ARG);
  assert_int_equal(sec_keysearch_rate(&r, -1, 0.05, 1, NULL, 0), SEC_KS_ERR_ARG);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_demo_worked_example), cmocka_unit_test(test_demo_other_obe),
      cmocka_unit_test(test_demo_expected_values), cmocka_unit_test(test_extrapolate),
      cmocka_unit_test(test_candidates),         cmocka_unit_test(test_blocks_and_hardware),
      cmocka_unit_test(test_rate_every_cipher),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
