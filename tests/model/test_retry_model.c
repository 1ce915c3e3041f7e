/* The retry model against closed forms, and its two forms against each other: the Markov
 * chain (rm_phase_solve) and the walk of the rules summed over every pattern of lost frames
 * (rm_walk) must give the same probabilities. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "retry_model.h"

static void assert_close(double got, double want, double rel, const char *what) {
  double tol = rel * fabs(want) + 1e-300;
  if (!(fabs(got - want) <= tol)) fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

/* 1 - (1 - 1e-4)^100 and 1 - (1 - 3e-4)^417, from bc -l with scale=40. */
static void test_loss(void **state) {
  (void)state;
  assert_close(rm_loss(1e-4, 100), 0.0099506613086291847, 1e-12, "1e-4, 100 bits");
  assert_close(rm_loss(3e-4, 417), 0.11760790424878462, 1e-12, "3e-4, 417 bits");
  assert_true(rm_loss(0, 1000) == 0);
}

/* The bits that give a loss probability p at BER 1e-3. */
static double bits_for(double p) { return p <= 0 ? 0 : log1p(-p) / log1p(-1e-3); }

static rm_phase command(double d, double u1, bool late, double a, double u2) {
  rm_phase ph = {RM_PHASE_COMMAND, late, bits_for(d), bits_for(u1), bits_for(a), bits_for(u2)};
  return ph;
}

/* Only the command is ever lost. by-window repeats it at once: failing takes four losses
 * in a row. realloc-first re-allocates first, which an OBE without the command cannot
 * answer, so the first loss costs two retries and three losses fail. */
static void test_command_losses(void **state) {
  const double d = 0.2;
  rm_phase ph = command(d, 0, false, 0, 0);
  rm_phase_result r;
  (void)state;
  assert_int_equal(rm_phase_solve(&ph, 1e-3, 3, RM_BY_WINDOW, &r), 0);
  for (unsigned k = 0; k <= 3; k++) assert_close(r.p_ok[k], pow(d, k) * (1 - d), 1e-12, "by-window p_ok");
  assert_close(r.p_fail, pow(d, 4), 1e-12, "by-window fail");
  assert_int_equal(rm_phase_solve(&ph, 1e-3, 3, RM_REALLOC_FIRST, &r), 0);
  assert_close(r.p_ok[0], 1 - d, 1e-12, "realloc-first k=0");
  assert_true(r.p_ok[1] == 0);
  assert_close(r.p_ok[2], d * (1 - d), 1e-12, "realloc-first k=2");
  assert_close(r.p_ok[3], d * d * (1 - d), 1e-12, "realloc-first k=3");
  assert_close(r.p_fail, d * d * d, 1e-12, "realloc-first fail");
  /* With max_retries 5: d^6 against d^5. */
  assert_int_equal(rm_phase_solve(&ph, 1e-3, 5, RM_BY_WINDOW, &r), 0);
  assert_close(r.p_fail, pow(d, 6), 1e-12, "by-window, 5 retries");
  assert_int_equal(rm_phase_solve(&ph, 1e-3, 5, RM_REALLOC_FIRST, &r), 0);
  assert_close(r.p_fail, pow(d, 5), 1e-12, "realloc-first, 5 retries");
}

/* Only answers are lost: every retry fetches the answer again, both policies alike. */
static void test_answer_losses(void **state) {
  const double u = 0.3;
  rm_phase_result r;
  (void)state;
  for (int pol = 0; pol < 2; pol++) {
    rm_phase ph = command(0, u, false, 0, 0);
    assert_int_equal(rm_phase_solve(&ph, 1e-3, 3, pol, &r), 0);
    assert_close(r.p_fail, pow(u, 4), 1e-12, "answer losses");
    ph = command(0, 0, true, 0, u);
    assert_int_equal(rm_phase_solve(&ph, 1e-3, 3, pol, &r), 0);
    assert_close(r.p_fail, pow(u, 4), 1e-12, "late answer losses");
    assert_close(r.p_ok[2], u * u * (1 - u), 1e-12, "late answer, 2 retries");
    /* The VST phase is an allocation and the VST. */
    ph = (rm_phase){RM_PHASE_VST, false, bits_for(0.1), bits_for(0.2), 0, 0};
    assert_int_equal(rm_phase_solve(&ph, 1e-3, 3, pol, &r), 0);
    assert_close(r.p_fail, pow(1 - 0.9 * 0.8, 4), 1e-12, "VST");
  }
}

/* The walk of the rules, summed over every set of lost frames of one exchange, weighted by
 * its probability, must give the chain's numbers. */
static void enumerate(const rm_phase *ph, unsigned max, int policy, rm_phase_result *out) {
  rm_transaction t = {.nphases = 1};
  unsigned limit = 2 * (2 * max + 3); /* more frames than any exchange can take */
  memset(out, 0, sizeof(*out));
  t.phase[0] = *ph;
  assert_true(limit < 31);
  for (unsigned long mask = 0; mask < (1ul << limit); mask++) {
    unsigned lost[32], nlost = 0;
    rm_walk_result w;
    double p = 1;
    bool beyond = false;
    for (unsigned i = 0; i < limit; i++)
      if (mask >> i & 1) lost[nlost++] = i;
    assert_int_equal(rm_walk(&t, max, policy, lost, nlost, &w), 0);
    assert_false(w.unmodelled);
    /* A set naming a frame the walk never sent (or its RELEASE) is counted by a smaller set. */
    for (unsigned i = 0; i < nlost; i++) beyond |= lost[i] >= w.n - 1;
    if (beyond) continue;
    for (unsigned i = 0; i + 1 < w.n; i++) {
      double q = rm_loss(1e-3, w.f[i].bits);
      p *= w.f[i].lost ? q : 1 - q;
    }
    if (w.failed) {
      assert_int_equal(w.retries, max + 1);
      out->p_fail += p;
    } else {
      out->p_ok[w.retries] += p;
    }
  }
}

static void test_chain_equals_walk(void **state) {
  static const double ps[][4] = {{0.2, 0.3, 0.1, 0.4}, {0.05, 0.5, 0.3, 0.2}, {0.6, 0.1, 0.5, 0.05}};
  (void)state;
  for (unsigned c = 0; c < 3; c++)
    for (int late = 0; late < 2; late++)
      for (int pol = 0; pol < 2; pol++)
        for (unsigned max = 1; max <= 3; max++) {
          rm_phase ph = command(ps[c][0], ps[c][1], late, ps[c][2], ps[c][3]);
          rm_phase_result a, b;
          char what[96];
          double sum = 0;
          if (c == 2 && late == 0) ph = (rm_phase){RM_PHASE_VST, false, bits_for(0.3), bits_for(0.45), 0, 0};
          assert_int_equal(rm_phase_solve(&ph, 1e-3, max, pol, &a), 0);
          enumerate(&ph, max, pol, &b);
          snprintf(what, sizeof(what), "case %u late %d policy %d max %u", c, late, pol, max);
          assert_close(a.p_fail, b.p_fail, 1e-10, what);
          for (unsigned k = 0; k <= max; k++) {
            assert_close(a.p_ok[k], b.p_ok[k], 1e-10, what);
            sum += a.p_ok[k];
          }
          assert_close(sum + a.p_fail, 1, 1e-12, what);
        }
}

/* A passage of independent exchanges. */
static void test_passage(void **state) {
  rm_transaction t = {.nphases = 3};
  rm_passage_result r;
  rm_phase_result ph[3];
  double ok = 1, sum = 0, mean = 0;
  (void)state;
  t.phase[0] = (rm_phase){RM_PHASE_VST, false, bits_for(0.1), bits_for(0.2), 0, 0};
  t.phase[1] = command(0.2, 0.1, true, 0.1, 0.3);
  t.phase[2] = command(0.1, 0.2, false, 0, 0);
  assert_int_equal(rm_passage_solve(&t, 1e-3, 3, RM_BY_WINDOW, &r), 0);
  for (int i = 0; i < 3; i++) {
    assert_int_equal(rm_phase_solve(&t.phase[i], 1e-3, 3, RM_BY_WINDOW, &ph[i]), 0);
    ok *= 1 - ph[i].p_fail;
  }
  assert_close(r.p_fail, 1 - ok, 1e-12, "passage fails");
  for (unsigned j = 0; j < RM_TOTAL_MAX; j++) {
    sum += r.dist[j];
    mean += j * r.dist[j];
  }
  assert_close(sum, 1, 1e-12, "distribution");
  assert_close(r.retries_mean, mean, 1e-12, "mean");
  /* No retry at all: every exchange at k = 0. */
  assert_close(r.dist[0], ph[0].p_ok[0] * ph[1].p_ok[0] * ph[2].p_ok[0], 1e-12, "no retry");
  /* Failing with 4 retries: in an exchange, every one before it without a retry. */
  assert_close(r.dist_fail[4],
               ph[0].p_fail + ph[0].p_ok[0] * ph[1].p_fail + ph[0].p_ok[0] * ph[1].p_ok[0] * ph[2].p_fail, 1e-12,
               "fail with 4");
  assert_int_equal(rm_passage_solve(&t, 1e-3, 21, RM_BY_WINDOW, &r), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_loss),          cmocka_unit_test(test_command_losses),
      cmocka_unit_test(test_answer_losses), cmocka_unit_test(test_chain_equals_walk),
      cmocka_unit_test(test_passage),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
