/* Exact binomial bounds and the sequential plan (docs/statistics.md).
 *
 * P(X >= k | n, p) = I_p(k, n - k + 1), the regularized incomplete beta function, so each
 * bound is the root of I_t(a, b) = alpha in t. I_x(a, b) comes from its continued fraction;
 * everything is carried in logarithms, and the factor x^a y^b / B(a, b) in front of the
 * fraction is formed by a saddle-point expansion instead of lgamma differences, which for
 * a = 1e9 would cancel down to about six correct digits. */
#include "sim/stats.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>

#define LN_SQRT_2PI 0.91893853320467274178 /* log(sqrt(2 pi)) */
#define LN_2 0.69314718055994530942

/* Past this many terms the fraction is taken as it stands. Near the roots solved here it
 * needs some 4,000 contracted terms at k = n/2, n = 1e9, and tens near k = 0 or n; the cap
 * only bounds the time of a call far outside that. */
#define CF_TERMS_MAX 1000000
#define SOLVE_STEPS_MAX 300

const char *sim_verdict_name(sim_verdict v) {
  switch (v) {
  case SIM_UNDECIDED: return "undecided";
  case SIM_DEMONSTRATED: return "demonstrated";
  case SIM_REFUTED: return "refuted";
  }
  return "?";
}

/* log(1 - e^u) for u <= 0, choosing between the two forms by where each keeps its digits
 * (M. Maechler, "Accurately computing log(1 - exp(-|a|))", 2012). */
static double log1mexp(double u) {
  if (u >= 0) return -INFINITY;
  return u > -LN_2 ? log(-expm1(u)) : log1p(-exp(u));
}

/* Stirling's remainder: log Gamma(z) - ((z - 1/2) log z - z + log sqrt(2 pi)), z > 0.
 * From z = 10 on its asymptotic series, sum of B(2k) / (2k (2k - 1) z^(2k-1)), k = 1..7
 * (the first term left out is below 3e-17); below 10 the recurrence rem(z) = rem(z + 1) +
 * (z + 1/2) log(1 + 1/z) - 1 climbs there. No lgamma: it is not thread-safe everywhere
 * (signgam), and the scenario runner has several threads. */
static double stirling_rem(double z) {
  double acc = 0;
  while (z < 10) {
    acc += (z + 0.5) * log1p(1 / z) - 1;
    z += 1;
  }
  double r = 1 / z, r2 = r * r;
  return acc + r * (1.0 / 12 -
                    r2 * (1.0 / 360 -
                          r2 * (1.0 / 1260 -
                                r2 * (1.0 / 1680 -
                                      r2 * (1.0 / 1188 - r2 * (691.0 / 360360 - r2 / 156))))));
}

/* x log(x / m) + m - x, the deviance of a count x from a mean m (both > 0), given also
 * d = x - m computed by the caller without cancellation. Near m the direct form would be a
 * difference of nearly equal numbers; there it is a series in v = d / (x + m) instead
 * (C. Loader, "Fast and accurate computation of binomial probabilities", 2000). */
static double deviance(double x, double m, double d) {
  if (fabs(d) < 0.1 * (x + m)) {
    double v = d / (x + m), v2 = v * v;
    double sum = d * v, term = 2 * x * v;
    for (int j = 1; j < 200; j++) {
      term *= v2;
      double next = sum + term / (2 * j + 1);
      if (next == sum) break;
      sum = next;
    }
    return sum;
  }
  return x * log(x / m) - d;
}

/* log(x^a y^b / B(a, b)) with y = 1 - x and g = a - (a + b) x = (a + b) y - b. Writing each
 * Gamma function by Stirling's formula with its remainder, the large terms cancel exactly
 * on paper; what is left is two deviances, a square root and three small remainders. */
static double log_front(double a, double b, double x, double y, double g) {
  double c = a + b;
  return -deviance(a, c * x, g) - deviance(b, c * y, -g) + 0.5 * log(a * b / c) - LN_SQRT_2PI +
         stirling_rem(c) - stirling_rem(a) - stirling_rem(b);
}

/* The continued fraction of I_x(a, b) (DLMF 8.17.22):
 *   I_x(a, b) = front / a / (1 + d1 / (1 + d2 / (1 + ...))),
 *   d(2m+1) = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1)),  d(2m) = m(b-m) x / ((a+2m-1)(a+2m)),
 * returning 1 / (1 + d1 / ...). It is summed in its even contraction
 *   1 / (e0 + n1 / (e1 + n2 / (e2 + ...))),  e0 = 1 + d1, e(m) = 1 + d(2m) + d(2m+1),
 *   n(m) = -d(2m-1) d(2m),
 * because the denominators then take the form below, in which the one difference that
 * cancels near the mean, a y - b x = g, is supplied exactly by the caller: summed plainly,
 * the fraction loses a digit for every factor of ten that x lies closer to a/(a+b) than
 * to 0 or 1. Modified Lentz method, forward; quick for x < (a+1)/(a+b+2), and finite when
 * b is an integer (n(b) = 0). */
static double beta_fraction(double a, double b, double x, double g) {
  const double tiny = 1e-300;
  double f = (g + 1) / (a + 1), c, d = 0;
  if (fabs(f) < tiny) f = tiny;
  c = f;
  for (long m = 1; m <= CF_TERMS_MAX; m++) {
    double mm = (double)m, a2m = a + 2 * mm;
    double num = (a + mm - 1) * (a + b + mm - 1) * mm * (b - mm) * x * x /
                 ((a2m - 2) * (a2m - 1) * (a2m - 1) * a2m);
    double den = ((a + mm) * g + a * (1 + 3 * mm - mm * x) + mm * (2 + 4 * mm - mm * x)) /
                     (a2m * (a2m + 1)) +
                 mm * (b - mm) * x / ((a2m - 1) * a2m);
    d = den + num * d;
    if (fabs(d) < tiny) d = tiny;
    c = den + num / c;
    if (fabs(c) < tiny) c = tiny;
    d = 1 / d;
    double delta = c * d;
    f *= delta;
    if (fabs(delta - 1) < 4 * DBL_EPSILON) break;
  }
  return 1 / f;
}

/* log I_x(a, b), log(1 - I_x(a, b)) and log of the density x^(a-1) y^(b-1) / B(a, b), for
 * a, b >= 1 and y = 1 - x. Of x and y the one <= 1/2 must be exact (the other is then the
 * rounded 1 - it): every difference that cancels is formed from that one. The fraction is
 * summed on the side where it converges; the other side follows from I_x(a, b) =
 * 1 - I_y(b, a), so the smaller of the two always has full relative accuracy. */
static void beta_inc_log(double a, double b, double x, double y, double *li, double *lj,
                         double *ldens) {
  double c = a + b, g, lf;
  if (!(x > 0) || !(y > 0)) {
    *li = x > 0 ? 0 : -INFINITY;
    *lj = x > 0 ? -INFINITY : 0;
    *ldens = -INFINITY;
    return;
  }
  g = x <= y ? a - c * x : c * y - b; /* a y - b x */
  lf = log_front(a, b, x, y, g);
  *ldens = lf - log(x) - log(y);
  if (g + 1 - 2 * x > 0) { /* x < (a + 1) / (a + b + 2) */
    *li = lf - log(a) + log(beta_fraction(a, b, x, g));
    *lj = log1mexp(*li);
  } else {
    *lj = lf - log(b) + log(beta_fraction(b, a, y, -g));
    *li = log1mexp(*lj);
  }
}

/* The t in (0, 1) at which log I_t(a, b) (upper false: increasing in t), or log(1 - I_t(a,
 * b)) (upper true: decreasing), equals la < 0; a, b >= 1; t0 in (0, 1) a first guess.
 * Both functions are concave in t (the beta distribution is log-concave for a, b >= 1),
 * so Newton's method on the logarithm lands on one side of the root after its first step
 * and closes in from there without overshooting. A bracket catches the steps that would
 * leave it (a flat tail far from the root): those bisect instead, geometrically when the
 * bracket spans orders of magnitude, as it does for roots near 0. The iteration ends when
 * a step no longer matters against min(t, 1 - t), or has stopped shrinking at a size
 * where only rounding moves it. */
static double beta_solve(double a, double b, bool upper, double la, double t0) {
  double lo = 0, hi = 1, t = t0, last = INFINITY;
  for (int it = 0; it < SOLVE_STEPS_MAX; it++) {
    double li, lj, ldens, h, slope, next, step, scale;
    bool newton;
    beta_inc_log(a, b, t, 1 - t, &li, &lj, &ldens);
    h = (upper ? lj : li) - la;
    if (h == 0) return t;
    if ((h > 0) == upper) lo = t; /* the root lies above t */
    else hi = t;
    slope = exp(ldens - (upper ? lj : li)); /* |d/dt| of the logarithm */
    next = upper ? t + h / slope : t - h / slope;
    if (next == t) return t; /* the step is below t's resolution */
    newton = next > lo && next < hi;
    if (!newton) next = lo > 0 && hi > 4 * lo ? sqrt(lo * hi) : 0.5 * (lo + hi);
    step = fabs(next - t);
    scale = next < 0.5 ? next : 1 - next;
    if (newton && (step <= 2 * DBL_EPSILON * scale || (step <= 1e-8 * scale && step > 0.5 * last)))
      return next;
    if (hi - lo <= 2 * DBL_EPSILON * hi) return next;
    last = newton ? step : INFINITY;
    t = next;
  }
  return t;
}

/* The lower bound for k successes in n as p and q = 1 - p, each with full relative
 * accuracy. P(X >= k | n, p) = I_p(k, n-k+1) = 1 - I_q(n-k+1, k): the solver works in the
 * variable expected to be the smaller (p when k <= n/2, else q), and the other follows as
 * 1 - t without loss. When the guess was wrong (a root above 1/2: small n, extreme
 * alpha), a second solve in the other variable, started at the first answer, restores the
 * digits of the small one. */
static void lower_pq(uint64_t k, uint64_t n, double alpha, double *p, double *q) {
  double a = (double)k, b = (double)(n - k) + 1, la = log(alpha);
  if (k == 0) { /* P(X >= 0) = 1 whatever p: no evidence against any p */
    *p = 0;
    *q = 1;
  } else if (k == n) { /* P(X >= n) = p^n */
    *p = exp(la / (double)n);
    *q = -expm1(la / (double)n);
  } else {
    bool in_p = 2 * k <= n;
    for (int pass = 0; pass < 2; pass++) {
      if (in_p) {
        *p = beta_solve(a, b, false, la, pass ? *p : a / (a + b));
        *q = 1 - *p;
        if (*p <= 0.5) break;
      } else {
        *q = beta_solve(b, a, true, la, pass ? *q : b / (a + b));
        *p = 1 - *q;
        if (*q <= 0.5) break;
      }
      in_p = !in_p;
    }
  }
}

static bool cp_args_ok(uint64_t k, uint64_t n, double alpha) {
  return k <= n && alpha > 0 && alpha < 1;
}

double sim_stats_cp_lower(uint64_t k, uint64_t n, double alpha) {
  double p, q;
  if (!cp_args_ok(k, n, alpha)) return NAN;
  lower_pq(k, n, alpha, &p, &q);
  return p;
}

/* P(X <= k | n, p) = P(n - X >= n - k) with n - X ~ Bin(n, 1 - p): the upper bound is one
 * minus the lower bound of the failures, taken from its q so no digits are lost. */
double sim_stats_cp_upper(uint64_t k, uint64_t n, double alpha) {
  double p, q;
  if (!cp_args_ok(k, n, alpha)) return NAN;
  lower_pq(n - k, n, alpha, &p, &q);
  return q;
}

void sim_stats_cp_interval(uint64_t k, uint64_t n, double conf, double *lo, double *hi) {
  if (!(conf > 0 && conf < 1) || k > n) {
    *lo = *hi = NAN;
    return;
  }
  *lo = sim_stats_cp_lower(k, n, (1 - conf) / 2);
  *hi = sim_stats_cp_upper(k, n, (1 - conf) / 2);
}

sim_verdict sim_stats_verdict(uint64_t k, uint64_t n, double target, double alpha) {
  if (sim_stats_cp_lower(k, n, alpha) >= target) return SIM_DEMONSTRATED;
  if (sim_stats_cp_upper(k, n, alpha) < target) return SIM_REFUTED;
  return SIM_UNDECIDED; /* also NaN bounds or target */
}

int sim_seq_plan_make(sim_seq_plan *p, uint64_t first, uint64_t max, double alpha) {
  unsigned looks = 1;
  if (!p || first == 0 || first > max || !(alpha > 0 && alpha < 1)) return -1;
  /* Doubling while that stays within max, then max itself (no overflow: only m <= max/2
   * is doubled). */
  for (uint64_t m = first; m < max; m = m <= max / 2 ? 2 * m : max) looks++;
  p->first = first;
  p->max = max;
  p->looks = looks;
  p->alpha = alpha;
  p->alpha_look = alpha / looks;
  return 0;
}

uint64_t sim_seq_plan_look_n(const sim_seq_plan *p, unsigned j) {
  if (!p || j >= p->looks) return 0;
  if (j == p->looks - 1) return p->max;
  return p->first << j; /* < max for every look but the last */
}
