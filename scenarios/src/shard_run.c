/* A shard's run: its share of the current round's blocks into its part (sim/shard.h). */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/plan.h"
#include "sim/pool.h"
#include "sim/report.h"
#include "shard_int.h"

/* The round the shards run now: the latest round plan in dir (*path set), else round 1. */
static int latest_round(const char *dir, uint32_t *round, char *path, size_t cap, char *err, size_t errlen) {
  DIR *d = opendir(dir);
  struct dirent *e;
  *round = 1;
  if (!d) {
    snprintf(err, errlen, "%.500s: cannot read the directory: %s", dir, strerror(errno));
    return -1;
  }
  while ((e = readdir(d)) != NULL) {
    uint32_t s, n, r;
    if (sim_shard_name_parse(e->d_name, &s, &n, &r) == 1 && r > *round) *round = r;
  }
  closedir(d);
  if (*round > 1) sim_shard_plan_name(path, cap, dir, *round);
  return 0;
}

/* Round 1's blocks, as the run plans them before any result. */
static int first_round(const sim_scenario *sc, sim_block **blocks, size_t *n, char *err, size_t errlen) {
  sim_report rep;
  sim_plan plan;
  ssize_t got;
  if (sim_report_open(&rep, sc, NULL, err, errlen) != 0) return -1;
  if (sim_plan_init(&plan, sc, &rep, err, errlen) != 0) {
    sim_report_free(&rep);
    return -1;
  }
  got = sim_plan_round(&plan, 0, blocks);
  sim_plan_free(&plan);
  sim_report_free(&rep);
  if (got <= 0) {
    snprintf(err, errlen, "%s", got < 0 ? "out of memory planning a round" : "the scenario plans no passage");
    return -1;
  }
  *n = (size_t)got;
  return 0;
}

typedef struct {
  sim_shard_writer *w;
  sim_shard_result *res;
  sim_progress bar;
  uint64_t total;
} take_ctx;

static int take_block(const sim_block *b, const sim_record *rec, size_t n, sim_frames *frames, void *ctx, char *err,
                      size_t errlen) {
  take_ctx *c = ctx;
  (void)frames;
  if (sim_shard_writer_block(c->w, b, rec, n, err, errlen) != 0) return -1;
  c->res->blocks++;
  c->res->passages += n;
  sim_progress_update(&c->bar, c->res->passages, c->total, c->res->round, sim_progress_now());
  return 0;
}

int sim_shard_run(const sim_scenario *sc, const sim_shard_options *o, sim_shard_result *res, char *err,
                  size_t errlen) {
  sim_shard_run_id id;
  sim_shard_header h, old;
  sim_block *blocks = NULL;
  size_t n = 0, lo, hi;
  char plan_path[600] = "";
  const char *why;
  int rv = -1;
  memset(res, 0, sizeof(*res));
  memset(&h, 0, sizeof(h));
  if (mkdir(o->dir, 0755) != 0 && errno != EEXIST) {
    snprintf(err, errlen, "%.500s: cannot create the directory: %s", o->dir, strerror(errno));
    return -1;
  }
  if (sim_shard_id_make(&id, sc, o->prog, err, errlen) != 0) return -1;
  if (latest_round(o->dir, &res->round, plan_path, sizeof(plan_path), err, errlen) != 0) goto out;
  if (res->round > 1) {
    sim_shard_header ph;
    if (sim_shard_plan_read(plan_path, &id, &ph, &blocks, err, errlen) != 0) goto out;
    n = ph.nblocks;
    sim_shard_header_free(&ph);
  } else if (first_round(sc, &blocks, &n, err, errlen) != 0) {
    goto out;
  }
  h.round = res->round;
  h.shard = o->shard;
  h.shards = o->shards;
  h.first_index = blocks[0].index;
  h.nblocks = (uint32_t)n;
  if (sim_shard_blocks_sha(blocks, n, h.blocks_sha) != 0) {
    snprintf(err, errlen, "SHA-256 failed");
    goto out;
  }
  sim_shard_range(blocks, n, o->shard, o->shards, &lo, &hi);
  h.lo = (uint32_t)lo;
  h.hi = (uint32_t)hi;
  h.id = id;
  sim_shard_part_name(res->path, sizeof(res->path), o->dir, o->shard, o->shards, res->round);
  /* This shard's own temporaries only: the work directory is shared, and a temporary's
   * process ID means something only on the node that wrote it, so sweeping the whole
   * directory would remove the parts other nodes are writing. */
  if (file_tmp_sweep(res->path, err, errlen) < 0) goto out;
  /* A part already there: this shard's work is done (a re-run after a requeue), unless it
   * is another run's, which is never overwritten. */
  if (access(res->path, F_OK) == 0) {
    if (sim_shard_header_read(res->path, &old, err, errlen) != 0) goto out;
    bool same = sim_shard_id_same(&id, &old.id, &why);
    if (!same || memcmp(old.blocks_sha, h.blocks_sha, 32) != 0) {
      snprintf(err, errlen, "%.500s: already there, from another run (%s); use another --out", res->path,
               same ? "other blocks" : why);
      sim_shard_header_free(&old);
      goto out;
    }
    sim_shard_header_free(&old);
    res->already = true;
    rv = 0;
    goto out;
  }
  {
    sim_keys keys;
    sim_world w = {sc, &keys};
    sim_pool_options po = {.threads = o->threads ? o->threads : 1};
    sim_shard_writer wr;
    take_ctx c = {.w = &wr, .res = res};
    char what[64];
    dsrc_crypto *crypto;
    for (size_t k = lo; k < hi; k++) c.total += blocks[k].passages;
    snprintf(what, sizeof(what), "shard %u/%u", o->shard, o->shards);
    sim_progress_start(&c.bar, o->progress, stderr, what, sim_progress_now());
    if (dsrc_crypto_new(&crypto, err, errlen) != 0) goto out;
    rv = sim_keys_init(&keys, crypto, sc->seed);
    dsrc_crypto_free(crypto);
    if (rv != 0) {
      snprintf(err, errlen, "key set-up failed");
      rv = -1;
      goto out;
    }
    rv = -1;
    if (sim_shard_writer_open(&wr, res->path, &h, err, errlen) == 0) {
      if (sim_pool_run(&w, blocks + lo, hi - lo, &po, take_block, &c, err, errlen) == 0)
        rv = sim_shard_writer_commit(&wr, err, errlen);
      else sim_shard_writer_abort(&wr);
    }
    if (sim_progress_end(&c.bar, sim_progress_now()) != 0 && rv == 0) {
      snprintf(err, errlen, "standard error: cannot write the progress");
      rv = -1;
    }
    sim_keys_wipe(&keys);
  }
out:
  free(blocks);
  sim_shard_id_free(&id);
  return rv;
}
