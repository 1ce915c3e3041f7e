/* Weighted estimates of a failure probability (docs/statistics.md, "Rare failures"). */
#include <math.h>

#include "sim/importance.h"

void sim_is_add(sim_is_sum *s, double log_w, bool failed) {
  double w = exp(log_w);
  s->n++;
  s->all_w += w;
  s->all_w2 += w * w;
  if (failed) {
    s->failures++;
    s->sw += w;
    s->sw2 += w * w;
  }
}

double sim_is_estimate(const sim_is_sum *s) { return s->n ? s->sw / (double)s->n : 0; }

double sim_is_ess(const sim_is_sum *s) { return s->sw2 > 0 ? s->sw * s->sw / s->sw2 : 0; }

bool sim_is_degenerate(const sim_is_sum *s) {
  double n = (double)s->n, m, var;
  if (s->n < 100) return false;
  m = s->all_w / n;
  var = (s->all_w2 / n - m * m) * n / (n - 1);
  return fabs(m - 1) > fmax(0.1, 4 * sqrt(var > 0 ? var : 0) / sqrt(n));
}

double sim_is_normal_upper(double alpha) {
  double lo = -40, hi = 40;
  /* Bisection on the tail 0.5 erfc(z / sqrt 2), which is exact far into it. */
  for (int i = 0; i < 200 && hi - lo > 1e-15 * (1 + fabs(lo)); i++) {
    double mid = 0.5 * (lo + hi);
    if (0.5 * erfc(mid / sqrt(2.0)) > alpha) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/* P(X <= k) for X Poisson with mean m, summed in logs (terms from j = 0 up). */
static double poisson_cdf(uint64_t k, double m) {
  double lm = log(m), lf = 0, top = -INFINITY, sum = 0;
  /* Two passes: the largest term first, so the sum neither overflows nor underflows. */
  for (uint64_t j = 0; j <= k; j++) {
    double t;
    if (j > 0) lf += log((double)j);
    t = -m + (double)j * lm - lf;
    if (t > top) top = t;
  }
  lf = 0;
  for (uint64_t j = 0; j <= k; j++) {
    if (j > 0) lf += log((double)j);
    sum += exp(-m + (double)j * lm - lf - top);
  }
  return exp(top + log(sum));
}

/* The mean where P(X <= k) (upper side) or P(X >= k) equals alpha, by bisection: both
 * move monotonically with the mean. Beyond 1,000 events the Wilson-Hilferty cube-root
 * form, whose error there is far below the other sources of error. */
static double poisson_solve(uint64_t k, double alpha, bool upper) {
  uint64_t kk = upper ? k : k - 1;
  double lo = 0, hi = (double)k + 50 + 20 * sqrt((double)k + 1);
  if (k > 1000) {
    double z = sim_is_normal_upper(alpha), a = upper ? (double)k + 1 : (double)k;
    double c = 1 - 1 / (9 * a) + (upper ? z : -z) / (3 * sqrt(a));
    return a * c * c * c;
  }
  for (int i = 0; i < 200 && hi - lo > 1e-14 * hi; i++) {
    double mid = 0.5 * (lo + hi), cdf = poisson_cdf(kk, mid);
    /* upper: P(X <= k) falls as the mean grows; lower: P(X >= k) = 1 - P(X <= k - 1) grows. */
    bool below = upper ? cdf > alpha : 1 - cdf < alpha;
    if (below) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

double sim_is_poisson_lower(uint64_t k, double alpha) { return k == 0 ? 0 : poisson_solve(k, alpha, false); }

double sim_is_poisson_upper(uint64_t k, double alpha) { return poisson_solve(k, alpha, true); }

void sim_is_bounds(const sim_is_sum *s, double alpha, double *lo, double *hi) {
  double p, ess, var, half, scale;
  uint64_t k;
  if (s->failures == 0 || s->n < 2 || !(alpha > 0 && alpha < 0.5)) {
    *lo = 0;
    *hi = 1;
    return;
  }
  p = sim_is_estimate(s);
  var = (s->sw2 / (double)s->n - p * p) * (double)s->n / (double)(s->n - 1);
  half = sim_is_normal_upper(alpha) * sqrt(var > 0 ? var : 0) / sqrt((double)s->n);
  ess = sim_is_ess(s);
  k = (uint64_t)floor(ess + 1e-9);
  if (k < 1) k = 1;
  /* The estimate is ess failures of weight p / ess each; fewer failures (floor) only widen
   * the relative interval. */
  scale = p / (double)k;
  *lo = fmin(p - half, scale * sim_is_poisson_lower(k, alpha));
  *hi = fmax(p + half, scale * sim_is_poisson_upper(k, alpha));
  if (*lo < 0) *lo = 0;
  if (*hi > 1) *hi = 1;
}
