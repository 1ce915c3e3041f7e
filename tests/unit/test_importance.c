/* Issue 17: rare failures by importance sampling.
 * - the weighted estimator's pieces against known answers: the normal quantile, exact
 *   (Garwood) Poisson bounds from published tables, Kish's effective sample size, the
 *   interval widened when a few heavy weights carry the estimate, the weights' check;
 * - the weighted estimate of whole lanes against plain sampling of the same lanes, on
 *   configurations plain sampling can afford: one OBE at two BERs (a fixed bias), several
 *   OBEs (pilots, and the collision bias beside the bit errors'); the two 95 % intervals
 *   must overlap, the weights' mean stay at 1, the reported interval be at least as wide
 *   as the failures' effective sample size supports;
 * - the collision bias weighed back: window choices that take a window another OBE took,
 *   counted with their weights, occur as often as without the bias;
 * - the same outputs on 1 and 2 threads. */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/importance.h"
#include "sim/world.h"
#include "sim/stats.h"
#include "sim_harness.h"

static void near(double got, double want, double rel) {
  if (!(fabs(got - want) <= rel * fabs(want)))
    fail_msg("got %.10g, want %.10g (within %g relative)", got, want, rel);
}

static void test_normal_quantile(void **state) {
  (void)state;
  near(sim_is_normal_upper(0.025), 1.959963984540054, 1e-12);
  near(sim_is_normal_upper(0.05), 1.6448536269514722, 1e-12);
  near(sim_is_normal_upper(1e-6), 4.753424308822899, 1e-10);
  near(sim_is_normal_upper(0.5) + 1, 1, 1e-12);
}

/* Exact 95 % (each side 2.5 %) confidence limits for a Poisson mean, as tabulated (e.g.
 * Ulm 1990; the chi-square quantiles over 2): 0 -> [0, 3.689], 1 -> [0.0253, 5.572],
 * 10 -> [4.795, 18.39], 100 -> [81.36, 121.63]. */
static void test_poisson_bounds(void **state) {
  (void)state;
  assert_true(sim_is_poisson_lower(0, 0.025) == 0);
  near(sim_is_poisson_upper(0, 0.025), 3.68888, 1e-5);
  near(sim_is_poisson_lower(1, 0.025), 0.0253178, 1e-5);
  near(sim_is_poisson_upper(1, 0.025), 5.57164, 1e-5);
  near(sim_is_poisson_lower(10, 0.025), 4.79539, 1e-5);
  near(sim_is_poisson_upper(10, 0.025), 18.3904, 1e-5);
  near(sim_is_poisson_lower(100, 0.025), 81.3647, 1e-5);
  near(sim_is_poisson_upper(100, 0.025), 121.627, 1e-5);
  /* Past 1,000 events the cube-root form takes over: it must continue the exact bounds. */
  {
    double a = sim_is_poisson_upper(1000, 0.025), b = sim_is_poisson_upper(1001, 0.025);
    double c = sim_is_poisson_lower(1000, 0.025), d = sim_is_poisson_lower(1001, 0.025);
    assert_true(b - a > 0.9 && b - a < 1.1);
    assert_true(d - c > 0.9 && d - c < 1.1);
  }
}

static void add_n(sim_is_sum *s, unsigned n, double w, bool failed) {
  for (unsigned i = 0; i < n; i++) sim_is_add(s, log(w), failed);
}

static void test_weighted_sums(void **state) {
  sim_is_sum s = {0}, heavy = {0}, even = {0}, off = {0};
  double lo, hi, lo2, hi2;
  (void)state;
  /* Kish: weights 1, 1, 2 on the failures: (1 + 1 + 2)^2 / (1 + 1 + 4). */
  add_n(&s, 2, 1, true);
  add_n(&s, 1, 2, true);
  add_n(&s, 7, 1, false);
  near(sim_is_ess(&s), 16.0 / 6.0, 1e-12);
  near(sim_is_estimate(&s), 4.0 / 10.0, 1e-12);
  /* No failure: nothing can be claimed. */
  memset(&s, 0, sizeof(s));
  add_n(&s, 1000, 1, false);
  sim_is_bounds(&s, 0.025, &lo, &hi);
  assert_true(lo == 0 && hi == 1);
  /* 100 failures of weight 1 in 10^6: the exact Poisson interval (wider than the normal
   * one) on the upper side, the normal one (wider) below: 100 - 1.96 x 10. */
  add_n(&even, 100, 1, true);
  add_n(&even, 1000000 - 100, 1, false);
  sim_is_bounds(&even, 0.025, &lo, &hi);
  near(hi, 121.627e-6, 1e-4);
  near(lo, (100 - 1.959964 * sqrt(100 * (1 - 1e-4) * 1e6 / (1e6 - 1))) * 1e-6, 1e-4);
  /* The same estimate from 2 failures of weight 50 (an effective sample of 2): the
   * interval follows 2 events, not 100. */
  add_n(&heavy, 2, 50, true);
  add_n(&heavy, 1000000 - 2, 1, false);
  near(sim_is_estimate(&heavy), 1e-4, 1e-9);
  near(sim_is_ess(&heavy), 2, 1e-12);
  sim_is_bounds(&heavy, 0.025, &lo2, &hi2);
  near(hi2, 1e-4 * sim_is_poisson_upper(2, 0.025) / 2, 1e-9);
  assert_true(hi2 > 2.5 * hi && lo2 < 0.2 * lo);
  /* The weights' mean is 1 whatever the bias; 0.5 on 1,000 passages is not. */
  assert_false(sim_is_degenerate(&even));
  add_n(&off, 1000, 0.5, false);
  assert_true(sim_is_degenerate(&off));
}

/* The cells of a run by BER and density (-1: none swept). */
static json_t *cell_at(json_t *root, double ber, double density) {
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(root, "results"), i, c) {
    json_t *d = json_object_get(c, "obes_in_zone");
    if (fabs(json_number_value(json_object_get(c, "ber")) - ber) > 1e-12 * ber) continue;
    if (density >= 0 && (!d || fabs(json_number_value(d) - density) > 1e-9)) continue;
    return c;
  }
  fail_msg("no cell at BER %g density %g", ber, density);
  return NULL;
}

/* The weighted cell at (ber, density) of is against the plain one of plain. */
static void agree(json_t *is, json_t *plain, double ber, double density) {
  json_t *w = cell_at(is, ber, density), *p = cell_at(plain, ber, density), *imp = json_object_get(w, "importance");
  uint64_t n = (uint64_t)json_integer_value(json_object_get(p, "passages"));
  uint64_t ok = (uint64_t)json_integer_value(json_object_get(p, "successes"));
  double plo, phi, est = json_number_value(json_object_get(imp, "failure_probability"));
  double lo = json_number_value(json_array_get(json_object_get(imp, "ci95"), 0));
  double hi = json_number_value(json_array_get(json_object_get(imp, "ci95"), 1));
  double ess = json_number_value(json_object_get(imp, "ess_failures"));
  double mean_w = json_number_value(json_object_get(imp, "mean_weight"));
  double ess_w = json_number_value(json_object_get(imp, "ess_weights"));
  double nw = (double)json_integer_value(json_object_get(imp, "passages"));
  uint64_t k = (uint64_t)floor(ess + 1e-9);
  assert_string_equal(json_string_value(json_object_get(w, "sampling")), "weighted");
  sim_stats_cp_interval(n - ok, n, 0.95, &plo, &phi);
  printf("BER %g density %g: weighted %.3g [%.3g, %.3g] (ESS %.0f, mean weight %.3f) plain %.3g [%.3g, %.3g]\n", ber,
         density, est, lo, hi, ess, mean_w, (double)(n - ok) / (double)n, plo, phi);
  if (hi < plo || lo > phi) fail_msg("the weighted and plain 95 %% intervals do not overlap");
  /* The weights' mean: 1 within four of its standard errors (the weights' spread from
   * their own effective sample size) or 0.1. */
  {
    double se = mean_w * sqrt(fmax(nw / ess_w - 1, 0) / nw);
    if (fabs(mean_w - 1) > fmax(0.1, 4 * se)) fail_msg("the weights' mean is %g", mean_w);
  }
  /* The interval is at least the effective sample's exact Poisson one (summary.json keeps six
   * digits). */
  assert_true(k >= 1);
  assert_true(hi >= est * sim_is_poisson_upper(k, 0.025) / (double)k * (1 - 1e-5));
  assert_true(lo <= est * sim_is_poisson_lower(k, 0.025) / (double)k * (1 + 1e-5));
}

/* A lane both ways: is_file on 1 and 2 threads (the same outputs), plain_file once; their
 * summary.json into *is and *plain, the temporary directory removed. */
static void run_pair(const char *is_file, const char *plain_file, json_t **is, json_t **plain) {
  char tmp[] = "/tmp/efc-importance.XXXXXX", a[600], b[700];
  run_twice(is_file, tmp, a, sizeof(a));
  snprintf(b, sizeof(b), "%s/plain", tmp);
  run(plain_file, 2, b);
  *is = load(a);
  *plain = load(b);
  snprintf(a, sizeof(a), "rm -rf '%s'", tmp);
  assert_int_equal(system(a), 0);
}

static void test_one_obe(void **state) {
  json_t *is, *plain;
  (void)state;
  run_pair(EFC_TEST_DIR "/scenarios/rare-is.yaml", EFC_TEST_DIR "/scenarios/rare-plain.yaml", &is, &plain);
  agree(is, plain, 1.5e-4, -1);
  agree(is, plain, 3e-4, -1);
  json_decref(is);
  json_decref(plain);
}

static void test_several_obes(void **state) {
  json_t *is, *plain, *imp;
  (void)state;
  run_pair(EFC_TEST_DIR "/scenarios/rare-multi-is.yaml", EFC_TEST_DIR "/scenarios/rare-multi-plain.yaml", &is, &plain);
  agree(is, plain, 3e-4, 2);
  /* The bit errors' bias came from pilots: a plain one, then a biased one. */
  imp = json_object_get(cell_at(is, 3e-4, 2), "importance");
  assert_true(json_integer_value(json_object_get(imp, "pilots")) >= 2);
  assert_true(json_number_value(json_object_get(imp, "bias_ber")) > 3e-4);
  near(json_number_value(json_object_get(imp, "bias_collide")), 0.5, 1e-12);
  /* Two OBEs at 250 km/h meet at the BSTs: the collision bias was drawn. */
  assert_true(json_integer_value(json_object_get(imp, "window_choices_contended")) > 100);
  json_decref(is);
  json_decref(plain);
}

/* Window choices of the weighed passages of blocks biased by beta (and by no bit error) at
 * 250 km/h with two OBEs in a 10 m zone on average: the choices made while another OBE had
 * chosen at the same BST, and those that took its window, summed as drawn and with the
 * passages' weights. */
typedef struct {
  double contended, collided, w_contended, w_collided;
} choices;

static choices window_choices(double beta, unsigned blocks) {
  static sim_scenario sc;
  sim_keys keys;
  sim_world w = {&sc, &keys};
  dsrc_crypto *crypto;
  choices ch = {0, 0, 0, 0};
  char err[256];
  if (sim_scenario_load(&sc, EFC_TEST_DIR "/scenarios/rare-multi-is.yaml", err, sizeof(err)) != 0) fail_msg("%s", err);
  assert_int_equal(dsrc_crypto_new(&crypto, err, sizeof(err)), 0);
  assert_int_equal(sim_keys_init(&keys, crypto, sc.seed), 0);
  for (unsigned k = 0; k < blocks; k++) {
    sim_block b;
    sim_record rec[9];
    double wt;
    sim_block_init(&b, &sc);
    b.ber = 1e-6;
    b.speed_kmh = 250;
    b.group = 0;
    b.headway_s = 10 / (250 / 3.6) / 2;
    b.min_headway_s = b.headway_s / 2;
    b.warmup = 4;
    b.reported = 1;
    b.passages = 9;
    b.bias_collide = beta;
    b.vehicle_base = 0x100000u + 9 * k;
    b.seed = sim_seed_mix(77, k);
    assert_int_equal(sim_block_run(&w, &b, crypto, rec, NULL), 0);
    wt = exp(rec[4].log_w);
    ch.contended += rec[4].contended;
    ch.collided += rec[4].collided;
    ch.w_contended += wt * rec[4].contended;
    ch.w_collided += wt * rec[4].collided;
  }
  sim_keys_wipe(&keys);
  dsrc_crypto_free(crypto);
  return ch;
}

static void test_collision_weights(void **state) {
  choices plain = window_choices(1e-9, 5000), biased = window_choices(0.5, 5000);
  double natural = plain.collided / plain.contended;
  (void)state;
  printf("window choices taking a taken window: %.3f of %.0f without the bias; %.3f of %.0f drawn at 0.5, "
         "%.3f weighed back\n", natural, plain.contended, biased.collided / biased.contended, biased.contended,
         biased.w_collided / biased.w_contended);
  assert_true(plain.contended > 500 && biased.contended > 500);
  /* The bias bites: drawn, far more choices collide ... */
  assert_true(biased.collided / biased.contended > natural + 0.2);
  /* ... and weighed back, as many as without it. */
  assert_true(fabs(biased.w_collided / biased.w_contended - natural) < 0.06);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_normal_quantile), cmocka_unit_test(test_poisson_bounds),
                                     cmocka_unit_test(test_weighted_sums), cmocka_unit_test(test_one_obe),
                                     cmocka_unit_test(test_several_obes), cmocka_unit_test(test_collision_weights)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
