/* The exact binomial bounds, the verdicts and the sequential plan (sim/stats.h) against
 * answers that owe nothing to the code under test: closed forms, binomial tails summed
 * term by term in long double, intervals printed by R, the exact binomial test, and the
 * wrong-verdict rate of the plan on simulated streams of passages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/stats.h"

static void assert_rel(double got, double want, double rel) {
  if (!(fabs(got - want) <= rel * fabs(want)))
    fail_msg("%.17g is not within %g (relative) of %.17g", got, rel, want);
}

static void assert_abs(double got, double want, double tol) {
  if (!(fabs(got - want) <= tol)) fail_msg("%.17g is not within %g of %.17g", got, tol, want);
}

/* ---- An independent binomial: log C(n, j) and tails summed term by term. ---- */

/* A product of at most 1000 ratios when j or n - j is that small (exact to rounding however
 * large n is), else lgammal. */
static long double log_choose(uint64_t n, uint64_t j) {
  uint64_t m = j < n - j ? j : n - j;
  if (m <= 1000) {
    long double s = 0;
    for (uint64_t t = 1; t <= m; t++) s += logl((long double)(n - m + t) / (long double)t);
    return s;
  }
  return lgammal((long double)n + 1) - lgammal((long double)j + 1) - lgammal((long double)(n - j) + 1);
}

/* P(lo <= X <= hi) for X ~ Bin(n, p), every term from its logarithm; q = 1 - p is formed
 * in long double, where it is exact for a double p. */
static long double binom_range(uint64_t n, double p, uint64_t lo, uint64_t hi) {
  long double q = 1.0L - (long double)p, lp = logl((long double)p), lq = logl(q), s = 0;
  for (uint64_t i = lo; i <= hi; i++)
    s += expl(log_choose(n, i) + (long double)i * lp + (long double)(n - i) * lq);
  return s;
}

/* P(X >= k) and P(X <= k), each summed over its shorter side. */
static long double binom_ge(uint64_t k, uint64_t n, double p) {
  if (k == 0) return 1;
  return n - k <= k ? binom_range(n, p, k, n) : 1 - binom_range(n, p, 0, k - 1);
}

static long double binom_le(uint64_t k, uint64_t n, double p) {
  if (k == n) return 1;
  return k <= n - k ? binom_range(n, p, 0, k) : 1 - binom_range(n, p, k + 1, n);
}

/* 1. Closed forms. k == n: P(X >= n) = p^n, so lower = alpha^(1/n); k == 0: P(X <= 0) =
 * (1-p)^n, so upper = 1 - alpha^(1/n). The general solver also meets two: k == 1:
 * P(X >= 1) = 1 - (1-p)^n gives lower = 1 - (1-alpha)^(1/n); k == n-1: P(X <= n-1) = 1 - p^n
 * gives upper = (1-alpha)^(1/n). Values near 1 are compared in absolute terms (a double
 * there is spaced 1.1e-16), values near 0 relative. */
static void test_closed_forms(void **state) {
  (void)state;
  const uint64_t ns[] = {1, 2, 3, 10, 20, 1000, 2995, 3000, 100000, 10000000, 1000000000};
  const double alphas[] = {0.05, 0.001, 0.05 / 7, 0.5, 0.9, 1e-6};
  for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
    uint64_t n = ns[i];
    for (size_t j = 0; j < sizeof alphas / sizeof alphas[0]; j++) {
      double a = alphas[j], l = log(a) / (double)n, l1 = log1p(-a) / (double)n;
      assert_abs(sim_stats_cp_lower(n, n, a), exp(l), 4e-16);
      assert_rel(sim_stats_cp_upper(0, n, a), -expm1(l), 1e-14);
      assert_true(sim_stats_cp_lower(0, n, a) == 0);
      assert_true(sim_stats_cp_upper(n, n, a) == 1);
      if (n < 2) continue;
      assert_rel(sim_stats_cp_lower(1, n, a), -expm1(l1), 1e-13);
      assert_abs(sim_stats_cp_upper(n - 1, n, a), exp(l1), 4e-16);
      /* The failures' view: upper(k) = 1 - lower(n - k), exactly as the small side. */
      assert_rel(1 - sim_stats_cp_upper(n - 1, n, a), sim_stats_cp_lower(1, n, a), 1e-13 + 4e-16 / -expm1(l1));
    }
  }
  /* n == 0: no evidence at all. */
  assert_true(sim_stats_cp_lower(0, 0, 0.05) == 0);
  assert_true(sim_stats_cp_upper(0, 0, 0.05) == 1);
}

/* 2. The defining property against the independent tail: P(X >= k | lower) = alpha and
 * P(X <= k | upper) = alpha to 1e-8. For a bound near 1 the test is made on the failures'
 * side (upper(n - k) = 1 - lower(k)), where the double holds the small number 1 - p with
 * all its digits; the near-1 value itself must match it to a few units of 1.1e-16. */
static void check_property(uint64_t k, uint64_t n, double a) {
  double lo = sim_stats_cp_lower(k, n, a), hi = sim_stats_cp_upper(k, n, a);
  if (k > 0) {
    if (!(fabs((double)(binom_ge(k, n, lo) / a) - 1) <= 1e-8))
      fail_msg("P(X >= %llu | n %llu, p %.17g) = %.12Lg, not alpha %g", (unsigned long long)k,
               (unsigned long long)n, lo, binom_ge(k, n, lo), a);
  }
  if (k < n) {
    if (!(fabs((double)(binom_le(k, n, hi) / a) - 1) <= 1e-8))
      fail_msg("P(X <= %llu | n %llu, p %.17g) = %.12Lg, not alpha %g", (unsigned long long)k,
               (unsigned long long)n, hi, binom_le(k, n, hi), a);
  }
  /* Mirror: the failures X' = n - X of a Bin(n, 1 - p). */
  assert_abs(lo, 1 - sim_stats_cp_upper(n - k, n, a), 4.5e-16);
  assert_abs(hi, 1 - sim_stats_cp_lower(n - k, n, a), 4.5e-16);
}

static void test_defining_property(void **state) {
  (void)state;
  const uint64_t ns[] = {20, 1000, 100000};
  const double alphas[] = {0.05, 0.001, 0.025, 0.05 / 7};
  for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
    uint64_t n = ns[i];
    const uint64_t ks[] = {1, 3, n / 3, n / 2, n - 3, n - 1};
    for (size_t j = 0; j < sizeof alphas / sizeof alphas[0]; j++)
      for (size_t m = 0; m < sizeof ks / sizeof ks[0]; m++) check_property(ks[m], n, alphas[j]);
  }
  /* Large n, few failures (the case of a 99.9 % target): the small side of each bound. */
  const uint64_t big[] = {1000, 10000, 1000000, 10000000, 1000000000};
  for (size_t i = 0; i < sizeof big / sizeof big[0]; i++)
    for (uint64_t f = 1; f <= 3; f++) {
      uint64_t n = big[i];
      double up = sim_stats_cp_upper(f, n, 0.05), lo = sim_stats_cp_lower(f, n, 0.05);
      assert_rel((double)binom_le(f, n, up), 0.05, 1e-8);
      assert_rel((double)binom_ge(f, n, lo), 0.05, 1e-8);
    }
}

/* 3. Published figures. Two-sided 95 % intervals as printed (7 digits) by R's
 * binom.test, which computes the Clopper-Pearson interval: the example on R's help page
 * for binom.test, binom.test(c(682, 243), p = 3/4) (Mendel's peas, from Conover,
 * Practical Nonparametric Statistics, 1971, p. 97): 0.7076683 0.7654066; and from
 * tutorials on binom.test: binom.test(9, 24, 1/6): 0.1879929 0.5940636;
 * binom.test(1, 1497, 0.0033, conf.level = 0.9): 3.426347e-05 3.164954e-03. Each was
 * rechecked to 12 digits by a 50-digit evaluation of the incomplete beta function
 * (mpmath). */
static void test_published(void **state) {
  (void)state;
  double lo, hi;
  sim_stats_cp_interval(682, 925, 0.95, &lo, &hi);
  assert_abs(lo, 0.7076683, 5e-8);
  assert_abs(hi, 0.7654066, 5e-8);
  sim_stats_cp_interval(9, 24, 0.95, &lo, &hi);
  assert_abs(lo, 0.1879929, 5e-8);
  assert_abs(hi, 0.5940636, 5e-8);
  sim_stats_cp_interval(1, 1497, 0.90, &lo, &hi);
  assert_rel(lo, 3.426347e-05, 5e-7 / 3.426347);
  assert_rel(hi, 3.164954e-03, 5e-7 / 3.164954);
  /* 0 failures in 3000: the two-sided 95 % interval's upper end is 1 - 0.025^(1/3000). */
  sim_stats_cp_interval(0, 3000, 0.95, &lo, &hi);
  assert_true(lo == 0);
  assert_rel(hi, 1 - pow(0.025, 1.0 / 3000), 1e-12);
  /* The "rule of three" (Hanley and Lippman-Hand, JAMA 249 (1983) 1743): with no event in n
   * trials the one-sided 95 % upper bound is close to 3/n; exactly -ln(0.05)/n to first
   * order, 2.9957/n. */
  assert_rel(sim_stats_cp_upper(0, 3000, 0.05) * 3000, 2.9957, 1e-3);
  /* Bad arguments. */
  sim_stats_cp_interval(5, 4, 0.95, &lo, &hi);
  assert_true(isnan(lo) && isnan(hi));
  sim_stats_cp_interval(1, 4, 1.0, &lo, &hi);
  assert_true(isnan(lo) && isnan(hi));
  assert_true(isnan(sim_stats_cp_lower(5, 4, 0.05)));
  assert_true(isnan(sim_stats_cp_upper(1, 4, 0.0)));
  assert_true(isnan(sim_stats_cp_upper(1, 4, 1.0)));
  assert_true(isnan(sim_stats_cp_lower(1, 4, NAN)));
}

/* 4. Verdicts at a 99.9 % target. */
static void test_verdict_examples(void **state) {
  (void)state;
  /* 3000 of 3000 at alpha 0.05: lower = 0.05^(1/3000) = exp(-2.99573 / 3000) = 0.9990019 >=
   * 0.999. */
  assert_int_equal(sim_stats_verdict(3000, 3000, 0.999, 0.05), SIM_DEMONSTRATED);
  /* The least n that can demonstrate with no failure is ln(0.05) / ln(0.999) = 2994.2, so
   * 2995: 0.05^(1/2995) = 0.99900026, 0.05^(1/2994) = 0.99899992 (and upper = 1). */
  assert_int_equal(sim_stats_verdict(2995, 2995, 0.999, 0.05), SIM_DEMONSTRATED);
  assert_int_equal(sim_stats_verdict(2994, 2994, 0.999, 0.05), SIM_UNDECIDED);
  /* At alpha 0.001: ln(0.001) / ln(0.999) = 6904.3, so 6905. */
  assert_int_equal(sim_stats_verdict(6905, 6905, 0.999, 0.001), SIM_DEMONSTRATED);
  assert_int_equal(sim_stats_verdict(6904, 6904, 0.999, 0.001), SIM_UNDECIDED);
  /* One failure in 3000: lower = 0.99842 < 0.999 < upper = 0.99998. */
  assert_int_equal(sim_stats_verdict(2999, 3000, 0.999, 0.05), SIM_UNDECIDED);
  /* 1000 passages at p = 0.999 expect 1 failure. 4 or more have probability
   * 1 - P(F <= 3) = 0.0190 < 0.05: refuted; 3 or more 0.0802: not. */
  assert_int_equal(sim_stats_verdict(996, 1000, 0.999, 0.05), SIM_REFUTED);
  assert_int_equal(sim_stats_verdict(997, 1000, 0.999, 0.05), SIM_UNDECIDED);
  assert_int_equal(sim_stats_verdict(900, 1000, 0.999, 0.05), SIM_REFUTED);
  /* Nothing is known from nothing; bad arguments decide nothing. */
  assert_int_equal(sim_stats_verdict(0, 0, 0.999, 0.05), SIM_UNDECIDED);
  assert_int_equal(sim_stats_verdict(5, 4, 0.999, 0.05), SIM_UNDECIDED);
  assert_int_equal(sim_stats_verdict(4, 4, NAN, 0.05), SIM_UNDECIDED);
  assert_int_equal(sim_stats_verdict(4000, 4000, 0.999, 2.0), SIM_UNDECIDED);
  assert_string_equal(sim_verdict_name(SIM_UNDECIDED), "undecided");
  assert_string_equal(sim_verdict_name(SIM_DEMONSTRATED), "demonstrated");
  assert_string_equal(sim_verdict_name(SIM_REFUTED), "refuted");
  assert_string_equal(sim_verdict_name((sim_verdict)7), "?");
}

/* The verdict is the exact binomial test of each side: demonstrated exactly when
 * P(X >= k | target) <= alpha, refuted exactly when P(X <= k | target) < alpha, with the
 * tails summed independently (every probability of Bin(n, target), accumulated from each
 * end). Every k of n; a tail within 1e-9 of alpha (a tie the test cannot tell from
 * rounding) is skipped. */
static void check_exact_test(uint64_t n, double target, double alpha) {
  long double *le = malloc((n + 1) * sizeof *le), *ge = malloc((n + 1) * sizeof *ge), s;
  unsigned decided[3] = {0, 0, 0};
  assert_true(le && ge);
  s = 0;
  for (uint64_t k = 0; k <= n; k++) le[k] = s += binom_range(n, target, k, k);
  s = 0;
  for (uint64_t k = n + 1; k-- > 0;) ge[k] = s += binom_range(n, target, k, k);
  for (uint64_t k = 0; k <= n; k++) {
    sim_verdict want = ge[k] <= alpha ? SIM_DEMONSTRATED : le[k] < alpha ? SIM_REFUTED : SIM_UNDECIDED;
    if (fabsl(ge[k] / alpha - 1) < 1e-9L || fabsl(le[k] / alpha - 1) < 1e-9L) continue;
    sim_verdict got = sim_stats_verdict(k, n, target, alpha);
    if (got != want)
      fail_msg("k %llu of %llu at target %g, alpha %g: %s, the exact test says %s", (unsigned long long)k,
               (unsigned long long)n, target, alpha, sim_verdict_name(got), sim_verdict_name(want));
    decided[got]++;
  }
  /* Both sides occur, or the comparison proved little. */
  assert_true(decided[SIM_DEMONSTRATED] > 0 && decided[SIM_REFUTED] > 0);
  free(le);
  free(ge);
}

static void test_verdict_is_exact_test(void **state) {
  (void)state;
  check_exact_test(20, 0.5, 0.05);
  check_exact_test(200, 0.9, 0.05 / 7);
  /* A 99.9 % target can be demonstrated from n = 2995 at 0.05 and 6905 at 0.001. */
  check_exact_test(3000, 0.999, 0.05);
  check_exact_test(7000, 0.999, 0.001);
}

/* ---- 5. The stopping rule on simulated streams. ---- */

static uint64_t splitmix64(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* Successes before the next failure, failure probability q: Geometric by inversion of a
 * uniform in (0, 1]. A stream of Bernoulli passages is the same law as its failures placed
 * at such gaps, and costs one draw per failure instead of one per passage. */
static uint64_t gap(uint64_t *s, double q) {
  double u = (double)((splitmix64(s) >> 11) + 1) * 0x1p-53;
  double g = floor(log(u) / log1p(-q));
  return g > 1e15 ? (uint64_t)1e15 : (uint64_t)g;
}

typedef struct {
  sim_seq_plan plan;
  double target, alpha_test; /* the level of each look: the plan's alpha_look */
  signed char *memo;         /* [look][k]: the verdict, -1 before it is asked */
} rule;

static sim_verdict rule_verdict(rule *r, unsigned j, uint64_t k) {
  signed char *m = &r->memo[(size_t)j * (r->plan.max + 1) + k];
  if (*m < 0) *m = (signed char)sim_stats_verdict(k, sim_seq_plan_look_n(&r->plan, j), r->target, r->alpha_test);
  return (sim_verdict)*m;
}

/* One stream of passages, each a success with probability 1 - q, through the plan: at
 * each look the verdict at alpha_look; the stream stops at the first decided one. */
static sim_verdict run_stream(rule *r, double q, uint64_t *s) {
  uint64_t next_failure = gap(s, q), failures = 0;
  for (unsigned j = 0; j < r->plan.looks; j++) {
    uint64_t n = sim_seq_plan_look_n(&r->plan, j);
    while (next_failure < n) {
      failures++;
      next_failure += 1 + gap(s, q);
    }
    sim_verdict v = rule_verdict(r, j, n - failures);
    if (v != SIM_UNDECIDED) return v;
  }
  return SIM_UNDECIDED;
}

/* The least m with P(W <= m) >= 0.999 for W ~ Bin(streams, alpha). */
static unsigned binom_quantile_999(unsigned streams, double alpha) {
  long double c = 0;
  for (unsigned m = 0; m <= streams; m++) {
    c += binom_range(streams, alpha, m, m);
    if (c >= 0.999L) return m;
  }
  return streams;
}

typedef struct {
  unsigned n[3]; /* by sim_verdict */
} tally;

static tally run_streams(rule *r, double p, unsigned streams, uint64_t seed) {
  tally t = {{0, 0, 0}};
  uint64_t s = seed;
  double q = 1 - p;
  for (unsigned i = 0; i < streams; i++) t.n[run_stream(r, q, &s)]++;
  print_message("target %.4g, first %llu, max %llu, alpha %.3g (%u looks at %.5f): p = %.10g: %u streams, "
                "%u demonstrated, %u refuted, %u undecided\n",
                r->target, (unsigned long long)r->plan.first, (unsigned long long)r->plan.max,
                r->plan.alpha, r->plan.looks, r->alpha_test, p, streams, t.n[SIM_DEMONSTRATED],
                t.n[SIM_REFUTED], t.n[SIM_UNDECIDED]);
  return t;
}

static void rule_init(rule *r, double target, uint64_t first, uint64_t max, double alpha) {
  size_t cells;
  assert_int_equal(sim_seq_plan_make(&r->plan, first, max, alpha), 0);
  r->target = target;
  r->alpha_test = r->plan.alpha_look;
  cells = (size_t)r->plan.looks * (max + 1);
  r->memo = malloc(cells);
  assert_non_null(r->memo);
  memset(r->memo, -1, cells);
}

/* At p = target a refutation is wrong; just below it (target - 1e-9, which no sample size
 * here could tell from the target) a demonstration is. Either must happen in at most a
 * fraction alpha of the streams, up to the binomial noise of the count (the 99.9 % quantile
 * of Bin(streams, alpha)). Far from the target the rule must decide most streams rightly,
 * or it would be vacuous. */
static void check_plan(double target, uint64_t first, uint64_t max, double alpha, unsigned streams,
                       double above, double below, uint64_t seed) {
  rule r;
  tally t;
  unsigned limit = binom_quantile_999(streams, alpha);
  rule_init(&r, target, first, max, alpha);
  t = run_streams(&r, target, streams, seed);
  assert_true(t.n[SIM_REFUTED] <= limit);
  t = run_streams(&r, target - 1e-9, streams, seed + 1);
  assert_true(t.n[SIM_DEMONSTRATED] <= limit);
  t = run_streams(&r, above, streams / 4, seed + 2);
  assert_true(t.n[SIM_DEMONSTRATED] >= streams / 4 * 9 / 10);
  t = run_streams(&r, below, streams / 4, seed + 3);
  assert_true(t.n[SIM_REFUTED] >= streams / 4 * 9 / 10);
  free(r.memo);
}

static void test_stopping_rule(void **state) {
  (void)state;
  check_plan(0.9, 50, 3200, 0.05, 4000, 0.99, 0.8, 0x5EED0001);
  check_plan(0.999, 1000, 64000, 0.05, 2000, 0.9999, 0.997, 0x5EED0002);
}

/* The split is what keeps the rate down: the same streams with every look at the full
 * alpha are refuted wrongly far more often than alpha allows. */
static void test_stopping_rule_needs_split(void **state) {
  (void)state;
  rule r;
  tally t;
  rule_init(&r, 0.9, 50, 3200, 0.05);
  r.alpha_test = r.plan.alpha;
  t = run_streams(&r, 0.9, 4000, 0x5EED0001);
  assert_true(t.n[SIM_REFUTED] > binom_quantile_999(4000, 0.05));
  free(r.memo);
}

/* 6. The plan's looks. */
static void test_plan(void **state) {
  (void)state;
  sim_seq_plan p;
  const uint64_t doubling[] = {1000, 2000, 4000, 8000, 16000, 32000, 64000};
  const uint64_t capped[] = {1000, 2000, 4000, 8000, 16000, 32000, 50000};

  assert_int_equal(sim_seq_plan_make(&p, 1000, 64000, 0.05), 0);
  assert_int_equal(p.looks, 7);
  assert_true(p.first == 1000 && p.max == 64000 && p.alpha == 0.05);
  assert_rel(p.alpha_look, 0.05 / 7, 1e-15);
  for (unsigned j = 0; j < 7; j++) assert_int_equal(sim_seq_plan_look_n(&p, j), doubling[j]);
  assert_int_equal(sim_seq_plan_look_n(&p, 7), 0);

  assert_int_equal(sim_seq_plan_make(&p, 1000, 50000, 0.05), 0);
  assert_int_equal(p.looks, 7);
  for (unsigned j = 0; j < 7; j++) assert_int_equal(sim_seq_plan_look_n(&p, j), capped[j]);

  /* Just past a doubling: one more, short, look at max. */
  assert_int_equal(sim_seq_plan_make(&p, 1000, 32001, 0.01), 0);
  assert_int_equal(p.looks, 7);
  assert_int_equal(sim_seq_plan_look_n(&p, 5), 32000);
  assert_int_equal(sim_seq_plan_look_n(&p, 6), 32001);

  assert_int_equal(sim_seq_plan_make(&p, 3000, 3000, 0.05), 0);
  assert_int_equal(p.looks, 1);
  assert_true(p.alpha_look == 0.05);
  assert_int_equal(sim_seq_plan_look_n(&p, 0), 3000);
  assert_int_equal(sim_seq_plan_look_n(&p, 1), 0);

  /* The largest counts: doubling stops short of overflow. */
  assert_int_equal(sim_seq_plan_make(&p, 1, UINT64_MAX, 0.05), 0);
  assert_int_equal(p.looks, 65);
  assert_true(sim_seq_plan_look_n(&p, 63) == (uint64_t)1 << 63);
  assert_true(sim_seq_plan_look_n(&p, 64) == UINT64_MAX);

  /* Bad arguments leave the plan alone. */
  memset(&p, 0x5A, sizeof p);
  assert_int_equal(sim_seq_plan_make(&p, 0, 1000, 0.05), -1);
  assert_int_equal(sim_seq_plan_make(&p, 2000, 1000, 0.05), -1);
  assert_int_equal(sim_seq_plan_make(&p, 1000, 2000, 0), -1);
  assert_int_equal(sim_seq_plan_make(&p, 1000, 2000, 1), -1);
  assert_int_equal(sim_seq_plan_make(&p, 1000, 2000, NAN), -1);
  assert_int_equal(sim_seq_plan_make(NULL, 1000, 2000, 0.05), -1);
  assert_int_equal(p.looks, 0x5A5A5A5A);
  assert_int_equal(sim_seq_plan_look_n(NULL, 0), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_closed_forms),
      cmocka_unit_test(test_defining_property),
      cmocka_unit_test(test_published),
      cmocka_unit_test(test_verdict_examples),
      cmocka_unit_test(test_verdict_is_exact_test),
      cmocka_unit_test(test_stopping_rule),
      cmocka_unit_test(test_stopping_rule_needs_split),
      cmocka_unit_test(test_plan),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
