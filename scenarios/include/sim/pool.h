/* The worker pool: blocks simulated on any number of threads and handed to the caller in
 * block order, so that whatever the thread count the caller sees the same sequence. One
 * pool serves efc-scenario run's rounds and the sensitivity analysis. */
#ifndef SIM_POOL_H
#define SIM_POOL_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/runner.h"

/* Called in block order, on the calling thread, with block b's n records (rec[0 .. n-1],
 * freed after the call) and, when the run is captured, its frames (else NULL; freed after
 * the call). Returns 0, or -1 with err to stop the pool. */
typedef int (*sim_pool_take)(const sim_block *b, const sim_record *rec, size_t n, sim_frames *frames, void *ctx,
                             char *err, size_t errlen);

typedef struct {
  unsigned threads;  /* 0 counts as 1 */
  /* Collect every block's frames (a capture). A captured block's frames wait in memory
   * until take has had them, so a worker then runs at most 2 x threads blocks ahead. */
  bool frames;
} sim_pool_options;

/* Simulates blocks[0 .. n-1] of world w and hands each to take in order. 0, or -1 with err:
 * a block that failed, out of memory, no thread, or take's own error; the first error wins
 * and the blocks after it are not handed over. */
int sim_pool_run(const sim_world *w, const sim_block *blocks, size_t n, const sim_pool_options *opt,
                 sim_pool_take take, void *ctx, char *err, size_t errlen);

/* What runs a round's blocks and hands them to take in block order, as sim_pool_run does:
 * sim_pool_run itself, or the MPI ranks (sim/mpi.h). ctx is the runner's own. */
typedef int (*sim_pool_exec)(void *ctx, const sim_world *w, const sim_block *blocks, size_t n,
                             const sim_pool_options *opt, sim_pool_take take, void *take_ctx, char *err,
                             size_t errlen);
typedef struct sim_exec {
  sim_pool_exec run;
  void *ctx;
} sim_exec;

#endif
