/* Completion times as an exact multiset (sim/hist.h), against the definition it replaces:
 * every time kept in a sorted array of floats and read at rank ceil(q n)
 * (sim_report_quantile). Random times with many repeats and a wide spread, every quantile
 * the outputs read and the extremes; merging two equals adding both; memory follows the
 * distinct times, not the passages; the empty and the impossible. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/hist.h"
#include "sim/report.h"

static int cmp_float(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return x < y ? -1 : x > y;
}

static uint64_t lcg(uint64_t *x) {
  *x = *x * 6364136223846793005ull + 1442695040888963407ull;
  return *x >> 33;
}

static const double qs[] = {0, 1e-9, 0.001, 0.01, 0.1, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 0.9999, 1 - 1e-12, 1};

/* n times: about `distinct` values around 40 ms, with a tail to 2 s. */
static void against_array(size_t n, uint32_t distinct, uint64_t seed) {
  sim_hist h;
  float *v = malloc(n * sizeof(*v));
  uint64_t x = seed;
  assert_non_null(v);
  memset(&h, 0, sizeof(h));
  for (size_t i = 0; i < n; i++) {
    uint32_t us = lcg(&x) % 50 == 0 ? 40000 + (uint32_t)(lcg(&x) % 2000000) : 30000 + (uint32_t)(lcg(&x) % distinct);
    sim_hist_add(&h, us);
    v[i] = (float)(us / 1000.0);
  }
  qsort(v, n, sizeof(*v), cmp_float);
  assert_int_equal(sim_hist_sort(&h), 0);
  assert_true(h.n == n);
  for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
    double a = sim_hist_quantile_ms(&h, qs[k]), b = sim_report_quantile(v, n, qs[k]);
    if (a != b) fail_msg("n %zu, q %g: %.9g from the multiset, %.9g from the array", n, qs[k], a, b);
  }
  free(v);
  sim_hist_free(&h);
}

static void test_quantiles(void **state) {
  (void)state;
  against_array(1, 10, 1);
  against_array(2, 10, 2);
  against_array(999, 3, 3);
  against_array(10000, 500, 4);
  against_array(200000, 20000, 5);
  against_array(300000, 1, 6);
}

static void test_merge(void **state) {
  sim_hist a, b, all;
  uint64_t x = 9;
  (void)state;
  memset(&a, 0, sizeof(a));
  memset(&b, 0, sizeof(b));
  memset(&all, 0, sizeof(all));
  for (int i = 0; i < 50000; i++) {
    uint32_t us = 20000 + (uint32_t)(lcg(&x) % 7000);
    sim_hist_add(i % 3 ? &a : &b, us);
    sim_hist_add(&all, us);
  }
  assert_int_equal(sim_hist_merge(&a, &b), 0);
  assert_int_equal(sim_hist_sort(&a), 0);
  assert_int_equal(sim_hist_sort(&all), 0);
  assert_true(a.n == all.n && a.used == all.used);
  for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++)
    assert_true(sim_hist_quantile_ms(&a, qs[k]) == sim_hist_quantile_ms(&all, qs[k]));
  sim_hist_free(&a);
  sim_hist_free(&b);
  sim_hist_free(&all);
}

static void test_memory(void **state) {
  sim_hist h;
  (void)state;
  memset(&h, 0, sizeof(h));
  /* Ten million passages over 100 distinct times: 100 slots in use, not 10^7 floats. */
  for (uint32_t i = 0; i < 10000000; i++) sim_hist_add(&h, 25000 + i % 100);
  assert_true(h.n == 10000000 && h.used == 100 && h.cap <= 256);
  assert_int_equal(sim_hist_sort(&h), 0);
  assert_true(sim_hist_quantile_ms(&h, 0.5) == (double)(float)(25049 / 1000.0));
  sim_hist_free(&h);
}

static void test_edges(void **state) {
  sim_hist h;
  (void)state;
  memset(&h, 0, sizeof(h));
  assert_int_equal(sim_hist_sort(&h), 0);
  assert_true(isnan(sim_hist_quantile_ms(&h, 0.5)));
  sim_hist_add(&h, 0); /* a completion of 0 us is a time like any other */
  sim_hist_add(&h, UINT32_MAX - 1);
  assert_int_equal(sim_hist_sort(&h), 0);
  assert_true(sim_hist_quantile_ms(&h, 0.5) == 0);
  assert_true(sim_hist_quantile_ms(&h, 1) == (double)(float)((UINT32_MAX - 1) / 1000.0));
  sim_hist_add(&h, UINT32_MAX); /* past the keys: the quantiles become unknown, never wrong */
  assert_int_equal(sim_hist_sort(&h), -1);
  assert_true(isnan(sim_hist_quantile_ms(&h, 0.5)));
  sim_hist_free(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_quantiles),
      cmocka_unit_test(test_merge),
      cmocka_unit_test(test_memory),
      cmocka_unit_test(test_edges),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
