/* Completion times as an exact multiset: every time in whole microseconds with how often it
 * occurred. Its quantiles are exactly those of the sorted list of all the times, but its
 * memory grows with the distinct times (a lane's completions span milliseconds, so tens of
 * thousands at most), not with the passages: a cell of 10^10 passages fits as one of 10^4. */
#ifndef SIM_HIST_H
#define SIM_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint32_t *key;    /* open addressing: the time + 1; 0 an empty slot */
  uint64_t *count;
  size_t cap, used; /* slots (a power of two) and the distinct times in them */
  uint64_t n;       /* every time added */
  bool oom;         /* a time could not be kept: the quantiles are unknown */
  /* sim_hist_sort: the distinct times ascending and the counts up to each */
  uint32_t *sorted;
  uint64_t *cum;
  size_t nsorted;
} sim_hist;

/* us: a completion time in microseconds, below 2^32 - 1. */
void sim_hist_add(sim_hist *h, uint32_t us);
/* Adds every time of src to dst. 0, or -1 out of memory (dst->oom set). */
int sim_hist_merge(sim_hist *dst, const sim_hist *src);
/* Readies the quantiles; after it, adds are not allowed. 0, or -1 out of memory. */
int sim_hist_sort(sim_hist *h);
/* The time at rank ceil(q n) (at least 1, at most n) of the sorted times, in milliseconds
 * as a float (as (float)(us / 1000.0)), NAN when empty: the same figure a sorted array of
 * every time would give. Needs sim_hist_sort. */
double sim_hist_quantile_ms(const sim_hist *h, double q);
void sim_hist_free(sim_hist *h);

#endif
