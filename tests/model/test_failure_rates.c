/* The simulator's failure rates against the retry model (retry_model.h), which is written
 * apart from the engines. tests/model/rates.yaml runs through the scenario runner's blocks,
 * exactly as efc-scenario run does, at BER 1e-4 and 3e-4 for every profile and both retry
 * policies. For each, the model's prediction must lie inside the 99.9 % Wilson interval of
 * the measured rate (failed passages, and passages with at least 1..4 retries), and the mean
 * retries within 3.29 standard errors. The other policy's prediction must lie outside at
 * 3e-4: the test can tell the policies apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passage.h"
#include "sim/runner.h"
#include "sim/scenario.h"

#ifndef EFC_RATE_PASSAGES_DIVISOR
#define EFC_RATE_PASSAGES_DIVISOR 1
#endif
#define Z999 3.2905267314919255 /* two-sided 99.9 % */
#define GROUPS 4
#define BERS 2

typedef struct {
  uint64_t n, failed, other, at_least[5];
  double retries, retries2;
} cell;

typedef struct {
  const sim_world *w;
  const sim_block *blocks;
  size_t nblocks, next;
  pthread_mutex_t mu;
  cell cells[GROUPS][BERS];
  int error;
} pool;

static void *worker(void *arg) {
  pool *p = arg;
  dsrc_crypto *crypto;
  char err[128];
  if (dsrc_crypto_new(&crypto, err, sizeof(err)) != 0) {
    p->error = -1;
    return NULL;
  }
  for (;;) {
    size_t k;
    sim_record *rec;
    pthread_mutex_lock(&p->mu);
    k = p->next++;
    pthread_mutex_unlock(&p->mu);
    if (k >= p->nblocks) break;
    rec = malloc(p->blocks[k].passages * sizeof(*rec));
    if (!rec || sim_block_run(p->w, &p->blocks[k], crypto, rec, NULL) != 0) {
      free(rec);
      p->error = -1;
      break;
    }
    pthread_mutex_lock(&p->mu);
    for (uint32_t i = 0; i < p->blocks[k].passages; i++) {
      cell *c = &p->cells[rec[i].group][rec[i].ber_idx];
      c->n++;
      c->failed += rec[i].outcome == SIM_FAILED;
      c->other += rec[i].outcome != SIM_FAILED && rec[i].outcome != SIM_OK;
      c->retries += rec[i].retries;
      c->retries2 += (double)rec[i].retries * rec[i].retries;
      for (unsigned j = 1; j <= 4; j++) c->at_least[j] += rec[i].retries >= j;
    }
    pthread_mutex_unlock(&p->mu);
    free(rec);
  }
  dsrc_crypto_free(crypto);
  return NULL;
}

/* The Wilson score interval of k in n at z. */
static void wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi) {
  double p = (double)k / (double)n, d = 1 + z * z / (double)n;
  double c = (p + z * z / (2.0 * (double)n)) / d;
  double h = z * sqrt(p * (1 - p) / (double)n + z * z / (4.0 * (double)n * (double)n)) / d;
  *lo = c - h < 0 ? 0 : c - h;
  *hi = c + h > 1 ? 1 : c + h;
}

static bool within(uint64_t k, uint64_t n, double p, double *lo, double *hi) {
  wilson(k, n, Z999, lo, hi);
  return p >= *lo && p <= *hi;
}

static void run_policy(const sim_scenario *base, const rm_transaction *t, int policy) {
  sim_scenario sc = *base;
  sim_keys keys;
  sim_world w = {&sc, &keys};
  dsrc_crypto *crypto;
  pool p;
  pthread_t th[2];
  char err[128];
  memset(&p, 0, sizeof(p));
  sc.rse.retry_policy = (uint8_t)policy;
  sc.passages /= EFC_RATE_PASSAGES_DIVISOR;
  assert_int_equal(dsrc_crypto_new(&crypto, err, sizeof(err)), 0);
  assert_int_equal(sim_keys_init(&keys, crypto, sc.seed), 0);
  dsrc_crypto_free(crypto);
  p.w = &w;
  p.nblocks = sim_blocks_make(&sc, (sim_block **)&p.blocks);
  assert_true(p.nblocks > 0);
  pthread_mutex_init(&p.mu, NULL);
  for (int i = 0; i < 2; i++) assert_int_equal(pthread_create(&th[i], NULL, worker, &p), 0);
  for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
  pthread_mutex_destroy(&p.mu);
  free((void *)p.blocks);
  sim_keys_wipe(&keys);
  assert_int_equal(p.error, 0);

  printf("policy %s: profile, BER: failed / passages (99.9 %% interval) model | mean retries, model\n",
         rse_retry_policy_name(policy));
  for (unsigned g = 0; g < GROUPS; g++)
    for (unsigned b = 0; b < BERS; b++) {
      const cell *c = &p.cells[g][b];
      int prof = sc.groups[g].profile;
      rm_passage_result m, other;
      double lo, hi, mean, se, ge;
      assert_int_equal(rm_passage_solve(&t[prof], sc.bers[b], sc.rse.max_retries, policy, &m), 0);
      assert_int_equal(rm_passage_solve(&t[prof], sc.bers[b], sc.rse.max_retries, !policy, &other), 0);
      assert_true(c->n > 1000);
      mean = c->retries / (double)c->n;
      se = sqrt((c->retries2 / (double)c->n - mean * mean) / (double)c->n);
      wilson(c->failed, c->n, Z999, &lo, &hi);
      printf("  %-10s %.0e: %6llu / %7llu = %.3e [%.3e, %.3e] model %.3e | %.4f, model %.4f\n",
             efc_profile_name(prof), sc.bers[b], (unsigned long long)c->failed, (unsigned long long)c->n,
             (double)c->failed / (double)c->n, lo, hi, m.p_fail, mean, m.retries_mean);
      /* Nothing but successes and the RSE giving up: the dwell is long, one OBE at a time. */
      assert_int_equal(c->other, 0);
      if (!within(c->failed, c->n, m.p_fail, &lo, &hi))
        fail_msg("%s %.0e %s: failed %llu of %llu, [%.3e, %.3e] misses the model's %.3e", efc_profile_name(prof),
                 sc.bers[b], rse_retry_policy_name(policy), (unsigned long long)c->failed,
                 (unsigned long long)c->n, lo, hi, m.p_fail);
      if (b == 1 && within(c->failed, c->n, other.p_fail, &lo, &hi))
        fail_msg("%s %.0e %s: the other policy's %.3e is inside [%.3e, %.3e] too", efc_profile_name(prof),
                 sc.bers[b], rse_retry_policy_name(policy), other.p_fail, lo, hi);
      if (fabs(mean - m.retries_mean) > Z999 * se)
        fail_msg("%s %.0e %s: mean retries %.5f, model %.5f (standard error %.5f)", efc_profile_name(prof),
                 sc.bers[b], rse_retry_policy_name(policy), mean, m.retries_mean, se);
      ge = 1;
      for (unsigned j = 1; j <= 4; j++) {
        ge -= m.dist[j - 1];
        if (!within(c->at_least[j], c->n, ge, &lo, &hi))
          fail_msg("%s %.0e %s: %llu of %llu with >= %u retries, [%.4e, %.4e] misses the model's %.4e",
                   efc_profile_name(prof), sc.bers[b], rse_retry_policy_name(policy),
                   (unsigned long long)c->at_least[j], (unsigned long long)c->n, j, lo, hi, ge);
      }
    }
}

static void test_rates(void **state) {
  sim_scenario *sc = malloc(sizeof(*sc));
  ph_world pw;
  rm_transaction t[EFC_PROFILE_COUNT];
  char err[256];
  (void)state;
  assert_non_null(sc);
  if (sim_scenario_load(sc, EFC_MODEL_DIR "/rates.yaml", err, sizeof(err)) != 0) fail_msg("%s", err);
  assert_int_equal(sc->ngroups, GROUPS);
  assert_int_equal(sc->nbers, BERS);
  /* The model's exchanges and frame sizes, from clean passages of each profile. */
  assert_int_equal(ph_world_init(&pw), 0);
  for (int p = 0; p < EFC_PROFILE_COUNT; p++) assert_int_equal(ph_transaction(&pw, p, false, 20, &t[p]), 0);
  ph_world_free(&pw);
  run_policy(sc, t, RSE_RETRY_BY_WINDOW);
  run_policy(sc, t, RSE_RETRY_REALLOC_FIRST);
  free(sc);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_rates)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
