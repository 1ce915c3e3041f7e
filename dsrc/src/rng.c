#include "dsrc/rng.h"

#include <string.h>

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void dsrc_prng_seed(dsrc_prng *p, uint64_t seed) {
  for (int i = 0; i < 4; i++) p->s[i] = splitmix64(&seed);
}

uint64_t dsrc_prng_next(dsrc_prng *p) {
  uint64_t *s = p->s, r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return r;
}

double dsrc_prng_uniform(dsrc_prng *p) { return (double)(dsrc_prng_next(p) >> 11) * 0x1.0p-53; }

uint64_t dsrc_prng_below(dsrc_prng *p, uint64_t n) {
  uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;
  do x = dsrc_prng_next(p);
  while (x >= limit);
  return x % n;
}

static void prng_fill(void *state, uint8_t *out, size_t len) {
  dsrc_prng *p = state;
  while (len > 0) {
    uint64_t x = dsrc_prng_next(p);
    size_t k = len < 8 ? len : 8;
    memcpy(out, &x, k);
    out += k;
    len -= k;
  }
}

dsrc_rng dsrc_prng_rng(dsrc_prng *p) {
  dsrc_rng r = {prng_fill, p};
  return r;
}
