/* A failure probability estimated from weighted passages: importance sampling draws the
 * rare events more often and weighs each passage by its likelihood ratio. Pure
 * computation, no I/O (docs/statistics.md, "Rare failures"). */
#ifndef SIM_IMPORTANCE_H
#define SIM_IMPORTANCE_H

#include <stdbool.h>
#include <stdint.h>

/* The sums the estimate needs, added to passage by passage. */
typedef struct {
  uint64_t n;          /* passages */
  uint64_t failures;   /* failed passages, unweighted */
  double sw, sw2;      /* sum of w and of w^2 over the failed passages */
  double all_w, all_w2; /* the same over every passage: their mean is 1 in expectation */
} sim_is_sum;

/* One passage of weight exp(log_w). */
void sim_is_add(sim_is_sum *s, double log_w, bool failed);

/* The estimate, sw / n (0 with no passage). */
double sim_is_estimate(const sim_is_sum *s);

/* The failures' effective sample size, sw^2 / sw2: as many equally weighted failures would
 * give the same relative precision (Kish). 0 with no failure. */
double sim_is_ess(const sim_is_sum *s);

/* Bounds on the failure probability, each one-sided at alpha (0 < alpha < 0.5): the wider
 * of the normal interval with the weights' sample variance and the exact Poisson interval
 * of floor(ess) failures scaled to the estimate, so a handful of heavy weights widens it.
 * No failure: 0 and 1 (nothing can be claimed from the weights). */
void sim_is_bounds(const sim_is_sum *s, double alpha, double *lo, double *hi);

/* Whether the weights cannot be trusted: their mean, 1 in expectation whatever the bias,
 * is off by more than 0.1 and by more than four of its standard errors. A bias that
 * drives the weights apart leaves the rare heavy ones unsampled, and that shows first in
 * their mean (docs/statistics.md). Needs 100 passages; fewer: false. */
bool sim_is_degenerate(const sim_is_sum *s);

/* The z with P(Z > z) = alpha for a standard normal Z (0 < alpha < 1). */
double sim_is_normal_upper(double alpha);

/* Exact (Garwood) one-sided bounds on a Poisson mean from k events: lower = the mean with
 * P(X >= k) = alpha (0 when k == 0), upper = the mean with P(X <= k) = alpha. */
double sim_is_poisson_lower(uint64_t k, double alpha);
double sim_is_poisson_upper(uint64_t k, double alpha);

#endif
