/* Verdicts with a stated error probability on a success rate: exact (Clopper-Pearson)
 * bounds on a binomial proportion and a group-sequential plan that says when to look at the
 * counts. Pure computation: no I/O, no state (docs/statistics.md). */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include <stdint.h>

typedef enum { SIM_UNDECIDED = 0, SIM_DEMONSTRATED = 1, SIM_REFUTED = 2 } sim_verdict;

/* "undecided", "demonstrated", "refuted"; "?" for a value outside the enum. */
const char *sim_verdict_name(sim_verdict v);

/* One-sided exact (Clopper-Pearson) bounds on a binomial proportion from k successes in n
 * trials: lower = the p with P(X >= k | n, p) = alpha (0 when k == 0); upper = the p with
 * P(X <= k | n, p) = alpha (1 when k == n). n == 0: 0 and 1. 0 < alpha < 1.
 * Accurate to a few units in the last place of the double (far better than 1e-12) for n
 * up to 1e9, also with k at or next to 0 or n. NaN when k > n or alpha is not in (0, 1). */
double sim_stats_cp_lower(uint64_t k, uint64_t n, double alpha);
double sim_stats_cp_upper(uint64_t k, uint64_t n, double alpha);

/* The two-sided exact interval at confidence level conf (each side (1 - conf) / 2), for
 * plots. NaN, NaN when k > n or conf is not in (0, 1). */
void sim_stats_cp_interval(uint64_t k, uint64_t n, double conf, double *lo, double *hi);

/* DEMONSTRATED when cp_lower(alpha) >= target, REFUTED when cp_upper(alpha) < target, else
 * UNDECIDED (also for arguments the bounds refuse). Each of the two claims is wrong with
 * probability below alpha. */
sim_verdict sim_stats_verdict(uint64_t k, uint64_t n, double target, double alpha);

/* A group-sequential plan with Bonferroni alpha spending: looks after n_1 = first passages,
 * n_{j+1} = 2 n_j, the last look at exactly max (first <= max); each look tests at
 * alpha_look = alpha / looks, so the chance that any look of the plan gives a wrong verdict
 * is at most alpha, whenever the sampling stops. */
typedef struct {
  uint64_t first, max;
  unsigned looks;
  double alpha, alpha_look;
} sim_seq_plan;

/* 0, or -1 (p untouched) when p is NULL, first is 0, first > max or alpha is not in (0, 1). */
int sim_seq_plan_make(sim_seq_plan *p, uint64_t first, uint64_t max, double alpha);

/* The passages at look j = 0 .. looks-1; 0 for j >= looks. */
uint64_t sim_seq_plan_look_n(const sim_seq_plan *p, unsigned j);

#endif
