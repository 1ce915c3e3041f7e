/* efc-scenario sensitivity (sim/sensitivity.h) against answers worked out apart from it:
 * - a parameter a group cannot use changes nothing in that group, exactly: the legacy MCU's
 *   cipher costs in the modern groups, the AES cost in AutoPASS and EN 15509 groups; the
 *   costs a group does use do change it;
 * - on a clean link with no processing time (no late answers) and a BST period far longer
 *   than a transaction, a passage's timeline is fixed by its BST phase, and the gap from a
 *   downlink frame to its uplink window adds once per uplink window the transaction uses:
 *   the public window of its window request and one private window per uplink frame of its
 *   session (sim_record.frames_up). Every passage is checked against that count, the count
 *   against the profile's exchanges (VST + 1 command for AutoPASS, VST + 5 for EN 15509 and
 *   AES), and the analysis' p99 and zone changes against count x change of the gap;
 * - the same result whatever the thread count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/runner.h"
#include "sim/sensitivity.h"
#include "sim/world.h"

static sim_scenario *load(const char *name) {
  sim_scenario *sc = malloc(sizeof(*sc));
  char path[512], err[256];
  assert_non_null(sc);
  snprintf(path, sizeof(path), "%s/%s", EFC_UNIT_DIR, name);
  if (sim_scenario_load(sc, path, err, sizeof(err)) != 0) fail_msg("%s", err);
  return sc;
}

static sim_sens_result *run(const sim_scenario *sc, uint64_t passages, unsigned threads) {
  sim_sens_result *res = malloc(sizeof(*res));
  sim_sens_options o = {.threads = threads, .passages = passages};
  char err[256];
  assert_non_null(res);
  if (sim_sens_run(sc, &o, res, err, sizeof(err)) != 0) fail_msg("%s", err);
  return res;
}

static unsigned param(const sim_sens_result *res, const char *key) {
  for (unsigned i = 0; i < res->nparams; i++)
    if (strcmp(res->params[i].key, key) == 0) return i;
  fail_msg("no parameter %s", key);
  return 0;
}

static bool same(const sim_sens_point *a, const sim_sens_point *b) {
  return a->p99_inf == b->p99_inf && a->q_inf == b->q_inf && a->unfinished == b->unfinished &&
         (a->p99_inf || a->p99_ms == b->p99_ms) && (a->q_inf || (a->q_ms == b->q_ms && a->zone_m == b->zone_m));
}

/* Parameter key at both values leaves group g exactly as at the file's values. */
static void assert_no_effect(const sim_sens_result *res, const char *key, unsigned g) {
  unsigned i = param(res, key);
  if (!same(&res->low[i][g], &res->base[g]) || !same(&res->high[i][g], &res->base[g]))
    fail_msg("%s changed %s: p99 %.3f / %.3f / %.3f ms", key, res->sc->groups[g].label, res->low[i][g].p99_ms,
             res->base[g].p99_ms, res->high[i][g].p99_ms);
}

/* sens-mix.yaml's groups: autopass, en15509-l1, aes on modern; autopass, aes on legacy. */
enum { AP_MOD, EN_MOD, AES_MOD, AP_LEG, AES_LEG };

static void test_cannot_matter(void **state) {
  sim_scenario *sc = load("sens-mix.yaml");
  sim_sens_result *res = run(sc, 300, 2);
  unsigned tdes = param(res, "timing.legacy.tdes_ms"), laes = param(res, "timing.legacy.aes_ms");
  (void)state;
  assert_int_equal(sc->ngroups, 5);
  for (unsigned g = AP_MOD; g <= AES_MOD; g++) {
    assert_int_equal(sc->groups[g].legacy, false);
    assert_no_effect(res, "timing.legacy.des_ms", g);
    assert_no_effect(res, "timing.legacy.tdes_ms", g);
    assert_no_effect(res, "timing.legacy.aes_ms", g);
  }
  assert_no_effect(res, "timing.modern.aes_ms", AP_MOD);
  assert_no_effect(res, "timing.modern.aes_ms", EN_MOD);
  assert_no_effect(res, "timing.legacy.aes_ms", AP_LEG);
  /* The costs a group does use move it: AutoPASS's GET_SECURE is triple DES, the AES
   * profile's authenticator AES; doubling the legacy costs (1 -> 2 ms, 2 -> 4 ms a block)
   * delays the answer by several milliseconds, more than a BST cycle. */
  assert_true(res->high[tdes][AP_LEG].p99_ms > res->base[AP_LEG].p99_ms);
  assert_true(res->low[tdes][AP_LEG].p99_ms < res->base[AP_LEG].p99_ms);
  assert_true(res->high[laes][AES_LEG].p99_ms > res->base[AES_LEG].p99_ms);
  for (unsigned g = 0; g < sc->ngroups; g++) {
    assert_int_equal(res->base[g].n, 300);
    assert_int_equal(res->base[g].cut, 0);
  }
  /* The worst group is the one needing the longest zone. */
  for (unsigned g = 0; g < sc->ngroups; g++) assert_true(res->base[g].zone_m <= res->base[res->worst_group].zone_m);
  free(res);
  free(sc);
}

/* Runs the analysis' blocks at scenario sc into rec (the blocks' passages in order). */
static size_t run_blocks(const sim_scenario *sc, const sim_keys *keys, const sim_blocks *bl, dsrc_crypto *c,
                         sim_record *rec) {
  sim_world w = {sc, keys};
  size_t n = 0;
  for (size_t k = 0; k < bl->n; k++) {
    assert_int_equal(sim_block_run(&w, &bl->v[k], c, rec + n, NULL), 0);
    n += bl->v[k].passages;
  }
  return n;
}

static void test_gap_du_windows(void **state) {
  sim_scenario *sc = load("sens-ber0.yaml"), *var = malloc(sizeof(*var));
  sim_sens_result *res = run(sc, 60, 1);
  unsigned gi = param(res, "timing.gap_down_up_us");
  const sim_sens_param *p = &res->params[gi];
  sim_blocks bl = {.first_index = 0};
  sim_record *base, *moved;
  sim_keys keys;
  dsrc_crypto *c;
  char err[256];
  size_t n, wins[SIM_GROUPS_MAX] = {0};
  (void)state;
  assert_non_null(var);
  assert_true(p->base == 100 && p->low == 50 && p->high == 200);
  assert_int_equal(dsrc_crypto_new(&c, err, sizeof(err)), 0);
  assert_int_equal(sim_keys_init(&keys, c, sc->seed), 0);
  assert_int_equal(sim_sens_blocks(res, 0, &bl), 0);
  base = calloc(60 * sc->ngroups, sizeof(*base));
  moved = calloc(60 * sc->ngroups, sizeof(*moved));
  assert_true(base && moved);
  n = run_blocks(sc, &keys, &bl, c, base);
  assert_int_equal(n, 60 * sc->ngroups);
  /* Each passage: done, with the uplink frames of its profile's exchanges. */
  for (size_t i = 0; i < n; i++) {
    unsigned want = sc->groups[base[i].group].profile == EFC_PROFILE_AUTOPASS ? 2 : 6;
    assert_int_equal(base[i].outcome, SIM_OK);
    assert_int_equal(base[i].retries, 0);
    assert_int_equal(base[i].late, 0);
    assert_int_equal(base[i].frames_up, want);
    wins[base[i].group] = want + 1;
  }
  /* Every passage moves by its windows times the change of the gap, at both values. */
  for (int side = 0; side < 2; side++) {
    double v = side ? p->high : p->low;
    sim_sens_apply(var, sc, gi, v);
    assert_int_equal(run_blocks(var, &keys, &bl, c, moved), n);
    for (size_t i = 0; i < n; i++) {
      long want = (long)(base[i].frames_up + 1) * (long)(v - p->base);
      assert_int_equal(moved[i].outcome, SIM_OK);
      if ((long)moved[i].completion_us - base[i].completion_us != want)
        fail_msg("passage %zu (%s): %d -> %d us, want %+ld", i, sc->groups[base[i].group].label,
                 base[i].completion_us, moved[i].completion_us, want);
    }
  }
  /* And so does what the analysis measured: p99 and the required zone. */
  for (unsigned g = 0; g < sc->ngroups; g++) {
    double lo = (double)wins[g] * (p->low - p->base) / 1e3, hi = (double)wins[g] * (p->high - p->base) / 1e3;
    double v = res->top_kmh / 3.6;
    assert_false(res->base[g].p99_inf);
    assert_true(fabs(res->low[gi][g].p99_ms - res->base[g].p99_ms - lo) < 1e-9);
    assert_true(fabs(res->high[gi][g].p99_ms - res->base[g].p99_ms - hi) < 1e-9);
    assert_true(fabs(res->low[gi][g].zone_m - res->base[g].zone_m - v * lo / 1e3) < 1e-9);
    assert_true(fabs(res->high[gi][g].zone_m - res->base[g].zone_m - v * hi / 1e3) < 1e-9);
  }
  sim_keys_wipe(&keys);
  dsrc_crypto_free(c);
  free(bl.v);
  free(base);
  free(moved);
  free(var);
  free(res);
  free(sc);
}

static void test_threads(void **state) {
  sim_scenario *sc = load("sens-mix.yaml");
  sim_sens_result *a = run(sc, 200, 1), *b = run(sc, 200, 3);
  (void)state;
  a->wall_s = b->wall_s = 0;
  assert_memory_equal(a, b, sizeof(*a));
  free(a);
  free(b);
  free(sc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cannot_matter),
      cmocka_unit_test(test_gap_du_windows),
      cmocka_unit_test(test_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
