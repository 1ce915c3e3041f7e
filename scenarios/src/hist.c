/* Completion times as an exact multiset (sim/hist.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/hist.h"

/* Fibonacci hashing: consecutive times, which is what a lane gives, spread over the slots. */
static size_t slot_of(uint32_t key, size_t cap) { return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1); }

static void put(uint32_t *keys, uint64_t *counts, size_t cap, uint32_t key, uint64_t c) {
  size_t i = slot_of(key, cap);
  while (keys[i] && keys[i] != key) i = (i + 1) & (cap - 1);
  keys[i] = key;
  counts[i] += c;
}

/* Room for one more distinct time, the table at most half full. */
static int grow(sim_hist *h) {
  size_t cap = h->cap ? 2 * h->cap : 256;
  uint32_t *keys;
  uint64_t *counts;
  if (h->used + 1 <= h->cap / 2) return 0;
  keys = calloc(cap, sizeof(*keys));
  counts = calloc(cap, sizeof(*counts));
  if (!keys || !counts) {
    free(keys);
    free(counts);
    h->oom = true;
    return -1;
  }
  for (size_t i = 0; i < h->cap; i++)
    if (h->key[i]) put(keys, counts, cap, h->key[i], h->count[i]);
  free(h->key);
  free(h->count);
  h->key = keys;
  h->count = counts;
  h->cap = cap;
  return 0;
}

static void add_n(sim_hist *h, uint32_t key, uint64_t c) {
  size_t i;
  if (h->oom) return;
  if (h->cap) {
    i = slot_of(key, h->cap);
    while (h->key[i] && h->key[i] != key) i = (i + 1) & (h->cap - 1);
    if (h->key[i] == key) {
      h->count[i] += c;
      h->n += c;
      return;
    }
  }
  if (grow(h) != 0) return;
  put(h->key, h->count, h->cap, key, c);
  h->used++;
  h->n += c;
}

void sim_hist_add(sim_hist *h, uint32_t us) {
  if (us == UINT32_MAX) {
    h->oom = true; /* beyond the table's keys: never a lane's completion (71 minutes) */
    return;
  }
  add_n(h, us + 1, 1);
}

int sim_hist_merge(sim_hist *dst, const sim_hist *src) {
  if (src->oom) dst->oom = true;
  for (size_t i = 0; i < src->cap && !dst->oom; i++)
    if (src->key[i]) add_n(dst, src->key[i], src->count[i]);
  return dst->oom ? -1 : 0;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

int sim_hist_sort(sim_hist *h) {
  size_t k = 0;
  if (h->oom) return -1;
  free(h->sorted);
  free(h->cum);
  h->sorted = malloc((h->used ? h->used : 1) * sizeof(*h->sorted));
  h->cum = malloc((h->used ? h->used : 1) * sizeof(*h->cum));
  if (!h->sorted || !h->cum) {
    h->oom = true;
    return -1;
  }
  for (size_t i = 0; i < h->cap; i++)
    if (h->key[i]) h->sorted[k++] = h->key[i];
  qsort(h->sorted, k, sizeof(*h->sorted), cmp_u32);
  for (size_t j = 0; j < k; j++) {
    size_t i = slot_of(h->sorted[j], h->cap);
    while (h->key[i] != h->sorted[j]) i = (i + 1) & (h->cap - 1);
    h->cum[j] = (j ? h->cum[j - 1] : 0) + h->count[i];
  }
  h->nsorted = k;
  return 0;
}

double sim_hist_quantile_ms(const sim_hist *h, double q) {
  uint64_t k;
  size_t lo = 0, hi;
  if (h->n == 0 || h->oom || h->nsorted == 0) return NAN;
  k = (uint64_t)ceil(q * (double)h->n);
  if (k < 1) k = 1;
  if (k > h->n) k = h->n;
  /* The first distinct time whose count up to it reaches rank k. */
  hi = h->nsorted - 1;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (h->cum[mid] >= k) hi = mid;
    else lo = mid + 1;
  }
  return (float)((h->sorted[lo] - 1) / 1000.0);
}

void sim_hist_free(sim_hist *h) {
  free(h->key);
  free(h->count);
  free(h->sorted);
  free(h->cum);
  memset(h, 0, sizeof(*h));
}
