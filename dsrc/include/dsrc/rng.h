/* Randomness comes in from outside: the core never calls a global RNG. A simulation passes
 * a seeded dsrc_prng (same seed, same run); daemons pass a CSPRNG adapter. */
#ifndef DSRC_RNG_H
#define DSRC_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  void (*fill)(void *state, uint8_t *out, size_t len);
  void *state;
} dsrc_rng;

static inline void dsrc_rng_bytes(const dsrc_rng *r, uint8_t *out, size_t len) {
  r->fill(r->state, out, len);
}

/* xoshiro256** seeded through splitmix64: fast, reproducible, not for keys. */
typedef struct {
  uint64_t s[4];
} dsrc_prng;

void dsrc_prng_seed(dsrc_prng *p, uint64_t seed);
uint64_t dsrc_prng_next(dsrc_prng *p);
/* Uniform in [0, 1). */
double dsrc_prng_uniform(dsrc_prng *p);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t dsrc_prng_below(dsrc_prng *p, uint64_t n);
/* A dsrc_rng drawing from p. */
dsrc_rng dsrc_prng_rng(dsrc_prng *p);

#endif
