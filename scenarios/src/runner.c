/* Runs a scenario's blocks on worker threads and hands them, in block order, to the report:
 * whichever thread finishes a block first, the output is the same. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sim/plan.h"
#include "sim/report.h"
#include "sim/runner.h"

typedef struct {
  const sim_world *w;
  const sim_block *blocks;
  size_t nblocks;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  size_t next;              /* next block to hand out */
  sim_record **done;        /* per block, once simulated */
  sim_frames *frames;       /* per block, when captured */
  size_t written;           /* blocks handed to the report so far */
  size_t ahead;             /* with a capture: blocks a worker may run ahead of the writer */
  int error;
  char err[640];
} pool;

static void *worker(void *arg) {
  pool *p = arg;
  dsrc_crypto *crypto;
  char err[256];
  if (dsrc_crypto_new(&crypto, err, sizeof(err)) != 0) {
    pthread_mutex_lock(&p->mu);
    p->error = -1;
    snprintf(p->err, sizeof(p->err), "%s", err);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
  }
  for (;;) {
    size_t k;
    sim_record *rec;
    int rv;
    pthread_mutex_lock(&p->mu);
    k = p->next++;
    /* A captured block's frames wait in memory until written: run only so far ahead. */
    while (p->ahead && k >= p->written + p->ahead && !p->error) pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    if (k >= p->nblocks || p->error) break;
    rec = malloc(p->blocks[k].passages * sizeof(*rec));
    rv = rec ? sim_block_run_frames(p->w, &p->blocks[k], crypto, rec, NULL, p->frames ? &p->frames[k] : NULL) : -1;
    pthread_mutex_lock(&p->mu);
    if (rv != 0) {
      p->error = -1;
      snprintf(p->err, sizeof(p->err), "block %zu failed (%d)", k, rv);
      free(rec);
    } else {
      p->done[k] = rec;
    }
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
  }
  dsrc_crypto_free(crypto);
  return NULL;
}

static void progress(uint64_t done, unsigned round, double t0) {
  struct timespec ts;
  double now, rate;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  now = (double)ts.tv_sec + ts.tv_nsec * 1e-9;
  rate = now > t0 ? (double)done / (now - t0) : 0;
  fprintf(stderr, "\rround %u: %llu passages, %.0f/s ", round, (unsigned long long)done, rate);
}

/* Fails the pool with why (its lock not held). */
static void pool_fail(pool *p, const char *why) {
  pthread_mutex_lock(&p->mu);
  if (!p->error) {
    p->error = -1;
    snprintf(p->err, sizeof(p->err), "%s", why);
  }
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
}

/* One round's blocks on the threads, handed to the report in block order. */
static void run_round(pool *p, unsigned nthreads, sim_report *rep, io_cap_writer *cap, uint64_t *cap_offset,
                      const sim_run_options *opt, uint64_t *done, double t0) {
  pthread_t *threads = calloc(nthreads, sizeof(*threads));
  unsigned started = 0;
  p->next = p->written = 0;
  p->done = calloc(p->nblocks, sizeof(*p->done));
  if (cap) p->frames = calloc(p->nblocks, sizeof(*p->frames));
  if (!threads || !p->done || (cap && !p->frames)) {
    pool_fail(p, "out of memory");
  } else {
    for (unsigned i = 0; i < nthreads; i++) started += pthread_create(&threads[i], NULL, worker, p) == 0;
    if (started == 0) pool_fail(p, "cannot start a thread");
  }
  for (size_t k = 0; k < p->nblocks && started; k++) {
    sim_record *rec;
    pthread_mutex_lock(&p->mu);
    while (!p->done[k] && !p->error) pthread_cond_wait(&p->cv, &p->mu);
    rec = p->done[k];
    p->done[k] = NULL;
    pthread_mutex_unlock(&p->mu);
    if (!rec) break;
    sim_report_add(rep, &p->blocks[k], rec, p->blocks[k].passages);
    *done += p->blocks[k].passages;
    free(rec);
    /* A full disk stops the run now rather than after every block is simulated. */
    if (ferror(rep->csv)) {
      char why[640];
      snprintf(why, sizeof(why), "%.500s/passages.csv: cannot write: %s", opt->out_dir, strerror(errno));
      pool_fail(p, why);
    }
    if (cap) {
      /* Blocks laid end to end: every block's clock starts at 0. */
      char why[400];
      if (sim_frames_write(&p->frames[k], cap, *cap_offset, why, sizeof(why)) != 0) pool_fail(p, why);
      *cap_offset += p->frames[k].end_ns;
      sim_frames_free(&p->frames[k]);
    }
    pthread_mutex_lock(&p->mu);
    p->written = k + 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    if (p->error) break;
    if (opt->progress) progress(*done, rep->rounds, t0);
  }
  for (unsigned i = 0; i < started; i++) pthread_join(threads[i], NULL);
  for (size_t k = 0; p->done && k < p->nblocks; k++) {
    free(p->done[k]);
    if (p->frames) sim_frames_free(&p->frames[k]);
  }
  free(p->done);
  free(p->frames);
  p->done = NULL;
  p->frames = NULL;
  free(threads);
}

int sim_run(const sim_scenario *sc, const sim_run_options *opt, char *err, size_t errlen) {
  sim_keys keys;
  sim_world w = {sc, &keys};
  uint64_t done = 0;
  unsigned nthreads = opt->threads ? opt->threads : 1;
  dsrc_crypto *crypto;
  sim_report rep;
  sim_plan plan;
  pool p;
  io_cap_writer *cap = NULL;
  uint64_t cap_offset = 0;
  uint32_t nblocks_all = 0;
  struct timespec ts;
  double t0;
  int rv = 0;

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
  memset(&p, 0, sizeof(p));
  if (opt->pcap && !(cap = io_cap_writer_open(opt->pcap, err, errlen))) {
    sim_plan_free(&plan);
    sim_report_free(&rep);
    sim_keys_wipe(&keys);
    return -1;
  }
  p.w = &w;
  p.ahead = cap ? 2 * (size_t)nthreads : 0;
  pthread_mutex_init(&p.mu, NULL);
  pthread_cond_init(&p.cv, NULL);
  clock_gettime(CLOCK_MONOTONIC, &ts);
  t0 = (double)ts.tv_sec + ts.tv_nsec * 1e-9;
  for (;;) {
    sim_block *blocks = NULL;
    ssize_t n = sim_plan_round(&plan, nblocks_all, &blocks);
    if (n < 0) {
      pool_fail(&p, "out of memory planning a round");
      break;
    }
    if (n == 0) break;
    p.blocks = blocks;
    p.nblocks = (size_t)n;
    nblocks_all += (uint32_t)n;
    run_round(&p, nthreads, &rep, cap, &cap_offset, opt, &done, t0);
    free(blocks);
    p.blocks = NULL;
    if (p.error) break;
    if (sim_plan_look(&plan) != 0) {
      pool_fail(&p, "out of memory after a round");
      break;
    }
  }
  if (opt->progress) fputc('\n', stderr);
  if (cap && !p.error && io_cap_writer_flush(cap, p.err, sizeof(p.err)) != 0) p.error = -1;
  if (p.error) {
    snprintf(err, errlen, "%s", p.err);
    rv = -1;
  } else {
    clock_gettime(CLOCK_MONOTONIC, &ts);
    rep.wall_s = (double)ts.tv_sec + ts.tv_nsec * 1e-9 - t0;
    rep.threads = nthreads;
    rv = sim_report_finish(&rep, opt->table, opt->plots, err, errlen);
  }
  sim_plan_free(&plan);
  sim_report_free(&rep);
  /* The capture is renamed into place only when the whole run succeeded. */
  if (rv == 0 && io_cap_writer_close(cap, err, errlen) != 0) rv = -1;
  else if (rv != 0) io_cap_writer_abort(cap);
  pthread_mutex_destroy(&p.mu);
  pthread_cond_destroy(&p.cv);
  sim_keys_wipe(&keys);
  return rv;
}
