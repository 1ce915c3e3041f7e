/* Runs a scenario round by round: each round's blocks on the worker pool (sim/pool.h),
 * handed in block order to the report, so the output is the same whatever the threads. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sim/plan.h"
#include "sim/pool.h"
#include "sim/report.h"
#include "sim/runner.h"

/* What efc-scenario run does with each block, in block order. */
typedef struct {
  sim_report *rep;
  io_cap_writer *cap;
  uint64_t cap_offset;
  const sim_run_options *opt;
  uint64_t done;
  uint64_t planned;     /* passages of the rounds planned so far: the bar's total */
  sim_progress bar;
  double t0;
} run_ctx;

static int take_block(const sim_block *b, const sim_record *rec, size_t n, sim_frames *frames, void *ctx, char *err,
                      size_t errlen) {
  run_ctx *c = ctx;
  sim_report_add(c->rep, b, rec, n);
  c->done += n;
  /* A full disk stops the run now rather than after every block is simulated. */
  if (ferror(c->rep->csv)) {
    snprintf(err, errlen, "%.500s/passages.csv: cannot write: %s", c->opt->out_dir, strerror(errno));
    return -1;
  }
  if (c->cap) {
    /* Blocks laid end to end: every block's clock starts at 0. */
    if (sim_frames_write(frames, c->cap, c->cap_offset, err, errlen) != 0) return -1;
    c->cap_offset += frames->end_ns;
  }
  sim_progress_update(&c->bar, c->done, c->planned, c->rep->rounds, sim_progress_now());
  return 0;
}

int sim_run(const sim_scenario *sc, const sim_run_options *opt, char *err, size_t errlen) {
  sim_keys keys;
  sim_world w = {sc, &keys};
  unsigned nthreads = opt->threads ? opt->threads : 1;
  sim_pool_options po = {.threads = nthreads, .frames = opt->pcap != NULL};
  dsrc_crypto *crypto;
  sim_report rep;
  sim_plan plan;
  run_ctx c;
  uint32_t nblocks_all = 0;
  struct timespec ts;
  char why[640] = "";
  int rv = 0, error = 0;

  if (mkdir(opt->out_dir, 0755) != 0 && errno != EEXIST) {
    snprintf(err, errlen, "%s: cannot create the output directory", opt->out_dir);
    return -1;
  }
  /* Temporaries of an earlier run that was killed (docs/files.md). */
  if (file_tmp_sweep_dir(opt->out_dir, err, errlen) < 0) return -1;
  if (dsrc_crypto_new(&crypto, err, errlen) != 0) return -1;
  if (sim_keys_init(&keys, crypto, sc->seed) != 0) {
    snprintf(err, errlen, "key set-up failed");
    dsrc_crypto_free(crypto);
    return -1;
  }
  dsrc_crypto_free(crypto);
  if (sim_report_open(&rep, sc, opt->out_dir, err, errlen) != 0) {
    sim_keys_wipe(&keys);
    return -1;
  }
  rep.prog = opt->prog;
  if (sim_plan_init(&plan, sc, &rep, err, errlen) != 0) {
    sim_report_free(&rep);
    sim_keys_wipe(&keys);
    return -1;
  }
  memset(&c, 0, sizeof(c));
  c.rep = &rep;
  c.opt = opt;
  if (opt->pcap && !(c.cap = io_cap_writer_open(opt->pcap, err, errlen))) {
    sim_plan_free(&plan);
    sim_report_free(&rep);
    sim_keys_wipe(&keys);
    return -1;
  }
  clock_gettime(CLOCK_MONOTONIC, &ts);
  c.t0 = (double)ts.tv_sec + ts.tv_nsec * 1e-9;
  sim_progress_start(&c.bar, opt->progress, stderr, "run", sim_progress_now());
  /* Rounds until the plan has no more: each round's blocks on the threads, in order. */
  for (;;) {
    sim_block *blocks = NULL;
    ssize_t n = sim_plan_round(&plan, nblocks_all, &blocks);
    if (n < 0) {
      snprintf(why, sizeof(why), "out of memory planning a round");
      error = -1;
      break;
    }
    if (n == 0) break;
    nblocks_all += (uint32_t)n;
    for (ssize_t k = 0; k < n; k++) c.planned += blocks[k].passages;
    error = opt->exec ? opt->exec->run(opt->exec->ctx, &w, blocks, (size_t)n, &po, take_block, &c, why, sizeof(why))
                      : sim_pool_run(&w, blocks, (size_t)n, &po, take_block, &c, why, sizeof(why));
    free(blocks);
    if (error) break;
    if (sim_plan_look(&plan) != 0) {
      snprintf(why, sizeof(why), "out of memory after a round");
      error = -1;
      break;
    }
  }
  if (sim_progress_end(&c.bar, sim_progress_now()) != 0 && !error) {
    snprintf(why, sizeof(why), "standard error: cannot write the progress");
    error = -1;
  }
  if (c.cap && !error && io_cap_writer_flush(c.cap, why, sizeof(why)) != 0) error = -1;
  if (error) {
    snprintf(err, errlen, "%s", why);
    rv = -1;
  } else {
    clock_gettime(CLOCK_MONOTONIC, &ts);
    rep.wall_s = (double)ts.tv_sec + ts.tv_nsec * 1e-9 - c.t0;
    rep.threads = nthreads;
    rv = sim_report_finish(&rep, opt->table, opt->plots, err, errlen);
  }
  sim_plan_free(&plan);
  sim_report_free(&rep);
  /* The capture is renamed into place only when the whole run succeeded. */
  if (rv == 0 && io_cap_writer_close(c.cap, err, errlen) != 0) rv = -1;
  else if (rv != 0) io_cap_writer_abort(c.cap);
  sim_keys_wipe(&keys);
  return rv;
}
