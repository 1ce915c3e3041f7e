/* Sharded runs (docs/scaling.md): every shard of a run simulates its share of each round's
 * blocks into a partial result, and a merge replays the run's plan over the shards' results,
 * giving exactly the output of the unsharded run. Adaptive sampling goes round by round:
 * the merge decides the next round and writes its blocks as a round plan, which the shards
 * run next.
 *
 * A work directory W holds, for round R of a run cut into N shards:
 *   W/shard-I-of-N.rR.efcpart   shard I's blocks of round R with their passages
 *   W/round-R.efcplan           round R's blocks (R >= 2), written by the merge
 * Both are written to a temporary and renamed into place, and end in a SHA-256 of all
 * that precedes it: a shard killed half-way leaves nothing a merge would take. */
#ifndef SIM_SHARD_H
#define SIM_SHARD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/runner.h"
#include "sim/scenario.h"

#define SIM_SHARDS_MAX 100000u

/* What a run's partial results must share to be merged: the program, the scenario (its
 * path as given and its text) and what the command line changed (the budget). */
typedef struct {
  char version[160];     /* the --version line of the program that wrote it */
  char path[256];        /* the scenario file as given */
  uint8_t text_sha[32];  /* SHA-256 of its text */
  uint8_t *text;         /* its text (malloc'd; a part's alone) */
  size_t text_len;
  uint64_t seed, budget;
} sim_shard_run_id;

/* A part's or round plan's header. */
typedef struct {
  bool plan;             /* a round plan, else a part */
  uint32_t round, shard, shards;
  uint32_t first_index, nblocks; /* the round's blocks: indices first_index .. + nblocks - 1 */
  uint8_t blocks_sha[32];        /* SHA-256 of the round's blocks, encoded (sim/wire.h) */
  uint32_t lo, hi;               /* the blocks held: lo .. hi - 1 of the round */
  sim_shard_run_id id;
} sim_shard_header;

/* Shard shard's share of a round's blocks: the contiguous run [*lo, *hi) whose passages
 * fall in its 1/shards of the round's passages, so shards get about equal work. */
void sim_shard_range(const sim_block *blocks, size_t n, uint32_t shard, uint32_t shards, size_t *lo, size_t *hi);

/* "I/N" -> shard and shards (0 <= I < N <= SIM_SHARDS_MAX); -1 with err otherwise. */
int sim_shard_parse(const char *s, uint32_t *shard, uint32_t *shards, char *err, size_t errlen);

/* Reads a part's or plan's header (magic, header, not the body): 0, or -1 with err naming
 * path. h->id.text is malloc'd (sim_shard_header_free). */
int sim_shard_header_read(const char *path, sim_shard_header *h, char *err, size_t errlen);
void sim_shard_header_free(sim_shard_header *h);

/* Whether two run ids are the same run; if not, *why says what differs. */
bool sim_shard_id_same(const sim_shard_run_id *a, const sim_shard_run_id *b, const char **why);

typedef struct {
  const char *dir;       /* the work directory W */
  uint32_t shard, shards;
  unsigned threads;
  const char *prog;      /* the program, for the version line */
  bool progress;         /* a progress line on stderr */
} sim_shard_options;

typedef struct {
  uint32_t round;
  bool already;          /* the part was there already: nothing run */
  uint64_t blocks, passages;
  char path[600];
} sim_shard_result;

/* Runs shard I/N of the run's current round (the latest round plan in W, else round 1) and
 * writes its part. 0, or -1 with err. */
int sim_shard_run(const sim_scenario *sc, const sim_shard_options *o, sim_shard_result *res, char *err,
                  size_t errlen);

typedef struct {
  const char *out_dir;   /* NULL: results/NAME, NAME the scenario file's base name */
  bool plots;
  FILE *table;
  const char *prog;
  bool progress;
} sim_merge_options;

enum { SIM_MERGE_DONE = 0, SIM_MERGE_MORE = 1 };

typedef struct {
  char out_dir[600];     /* where the outputs went */
  uint32_t round;        /* SIM_MERGE_MORE: the round the shards must run next */
  uint32_t shards;
  char plan_path[600];   /* SIM_MERGE_MORE: its round plan */
  bool search;           /* the scenario is a zone search (which plots it has) */
} sim_merge_result;

/* Merges the parts in dirs[0 .. ndirs-1]: SIM_MERGE_DONE with the outputs written;
 * SIM_MERGE_MORE with the next round's plan written in dirs[0]; or -1 with err naming the
 * missing or foreign shard. */
int sim_merge(const char *const *dirs, size_t ndirs, const sim_merge_options *o, sim_merge_result *res,
              char *err, size_t errlen);

#endif
