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
  char err[512];
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

static void progress(uint64_t done, uint64_t total, double t0) {
  struct timespec ts;
  double now, rate;
  unsigned width = 40, filled = total ? (unsigned)(width * done / total) : width;
  char bar[41];
  clock_gettime(CLOCK_MONOTONIC, &ts);
  now = (double)ts.tv_sec + ts.tv_nsec * 1e-9;
  rate = now > t0 ? (double)done / (now - t0) : 0;
  memset(bar, '#', filled);
  memset(bar + filled, '.', width - filled);
  bar[width] = '\0';
  fprintf(stderr, "\r[%s] %3u%% %llu/%llu passages, %.0f/s ", bar, (unsigned)(100 * done / (total ? total : 1)),
          (unsigned long long)done, (unsigned long long)total, rate);
}

int sim_run(const sim_scenario *sc, const sim_run_options *opt, char *err, size_t errlen) {
  sim_keys keys;
  sim_world w = {sc, &keys};
  sim_block *blocks = NULL;
  size_t nblocks;
  uint64_t total = 0, done = 0;
  pthread_t *threads;
  unsigned nthreads = opt->threads ? opt->threads : 1;
  dsrc_crypto *crypto;
  sim_report rep;
  pool p;
  io_cap_writer *cap = NULL;
  uint64_t cap_offset = 0;
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
  nblocks = sim_blocks_make(sc, &blocks);
  if (nblocks == 0) {
    snprintf(err, errlen, "out of memory");
    sim_keys_wipe(&keys);
    return -1;
  }
  for (size_t i = 0; i < nblocks; i++) total += blocks[i].passages;
  if (sim_report_open(&rep, sc, opt->out_dir, err, errlen) != 0) {
    free(blocks);
    sim_keys_wipe(&keys);
    return -1;
  }
  rep.prog = opt->prog;
  memset(&p, 0, sizeof(p));
  if (opt->pcap) {
    if (!(cap = io_cap_writer_open(opt->pcap, err, errlen))) {
      sim_report_free(&rep);
      free(blocks);
      sim_keys_wipe(&keys);
      return -1;
    }
    p.frames = calloc(nblocks, sizeof(*p.frames));
    p.ahead = 2 * (size_t)nthreads;
    if (!p.frames) {
      snprintf(err, errlen, "out of memory");
      io_cap_writer_abort(cap);
      sim_report_free(&rep);
      free(blocks);
      sim_keys_wipe(&keys);
      return -1;
    }
  }
  p.w = &w;
  p.blocks = blocks;
  p.nblocks = nblocks;
  p.done = calloc(nblocks, sizeof(*p.done));
  threads = calloc(nthreads, sizeof(*threads));
  pthread_mutex_init(&p.mu, NULL);
  pthread_cond_init(&p.cv, NULL);
  clock_gettime(CLOCK_MONOTONIC, &ts);
  t0 = (double)ts.tv_sec + ts.tv_nsec * 1e-9;
  for (unsigned i = 0; i < nthreads; i++) pthread_create(&threads[i], NULL, worker, &p);

  for (size_t k = 0; k < nblocks; k++) {
    sim_record *rec;
    pthread_mutex_lock(&p.mu);
    while (!p.done[k] && !p.error) pthread_cond_wait(&p.cv, &p.mu);
    rec = p.done[k];
    p.done[k] = NULL;
    pthread_mutex_unlock(&p.mu);
    if (!rec) break;
    sim_report_add(&rep, &blocks[k], rec, blocks[k].passages);
    done += blocks[k].passages;
    free(rec);
    /* A full disk stops the run now rather than after every block is simulated. */
    if (ferror(rep.csv) && !p.error) {
      pthread_mutex_lock(&p.mu);
      p.error = -1;
      snprintf(p.err, sizeof(p.err), "%s/passages.csv: cannot write: %s", opt->out_dir, strerror(errno));
      pthread_mutex_unlock(&p.mu);
    }
    if (cap) {
      /* Blocks laid end to end: every block's clock starts at 0. */
      char why[400];
      if (sim_frames_write(&p.frames[k], cap, cap_offset, why, sizeof(why)) != 0 && !p.error) {
        pthread_mutex_lock(&p.mu);
        p.error = -1;
        snprintf(p.err, sizeof(p.err), "%s", why);
        pthread_mutex_unlock(&p.mu);
      }
      cap_offset += p.frames[k].end_ns;
      sim_frames_free(&p.frames[k]);
    }
    pthread_mutex_lock(&p.mu);
    p.written = k + 1;
    pthread_cond_broadcast(&p.cv);
    pthread_mutex_unlock(&p.mu);
    if (p.error) break;
    if (opt->progress) progress(done, total, t0);
  }
  for (unsigned i = 0; i < nthreads; i++) pthread_join(threads[i], NULL);
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
  sim_report_free(&rep);
  for (size_t k = 0; k < nblocks; k++) {
    free(p.done[k]);
    if (p.frames) sim_frames_free(&p.frames[k]);
  }
  free(p.done);
  free(p.frames);
  /* The capture is renamed into place only when the whole run succeeded. */
  if (rv == 0 && io_cap_writer_close(cap, err, errlen) != 0) rv = -1;
  else if (rv != 0) io_cap_writer_abort(cap);
  free(threads);
  free(blocks);
  pthread_mutex_destroy(&p.mu);
  pthread_cond_destroy(&p.cv);
  sim_keys_wipe(&keys);
  return rv;
}
