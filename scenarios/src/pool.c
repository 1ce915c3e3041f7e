/* Blocks on worker threads, handed to the caller in block order: whichever thread finishes
 * a block first, the caller sees the same sequence. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/pool.h"

typedef struct {
  const sim_world *w;
  const sim_block *blocks;
  size_t nblocks;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  size_t next;              /* next block to hand out */
  sim_record **done;        /* per block, once simulated */
  sim_frames *frames;       /* per block, when captured */
  size_t written;           /* blocks handed to the caller so far */
  size_t ahead;             /* with a capture: blocks a worker may run ahead of the caller */
  int error;
  char err[640];
} pool;

/* Fails the pool with why (its lock not held); the first failure is kept. */
static void pool_fail(pool *p, const char *why) {
  pthread_mutex_lock(&p->mu);
  if (!p->error) {
    p->error = -1;
    snprintf(p->err, sizeof(p->err), "%s", why);
  }
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
}

static void *worker(void *arg) {
  pool *p = arg;
  dsrc_crypto *crypto;
  char err[256];
  if (dsrc_crypto_new(&crypto, err, sizeof(err)) != 0) {
    pool_fail(p, err);
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
    if (rv != 0) {
      char why[64];
      snprintf(why, sizeof(why), "block %zu failed (%d)", k, rv);
      free(rec);
      pool_fail(p, why);
      continue;
    }
    pthread_mutex_lock(&p->mu);
    p->done[k] = rec;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
  }
  dsrc_crypto_free(crypto);
  return NULL;
}

int sim_pool_run(const sim_world *w, const sim_block *blocks, size_t n, const sim_pool_options *opt,
                 sim_pool_take take, void *ctx, char *err, size_t errlen) {
  unsigned nthreads = opt->threads ? opt->threads : 1, started = 0;
  pthread_t *threads = calloc(nthreads, sizeof(*threads));
  pool p;
  memset(&p, 0, sizeof(p));
  p.w = w;
  p.blocks = blocks;
  p.nblocks = n;
  p.ahead = opt->frames ? 2 * (size_t)nthreads : 0;
  pthread_mutex_init(&p.mu, NULL);
  pthread_cond_init(&p.cv, NULL);
  p.done = calloc(n ? n : 1, sizeof(*p.done));
  if (opt->frames) p.frames = calloc(n ? n : 1, sizeof(*p.frames));
  if (!threads || !p.done || (opt->frames && !p.frames)) {
    pool_fail(&p, "out of memory");
  } else if (n > 0) {
    for (unsigned i = 0; i < nthreads; i++) started += pthread_create(&threads[i], NULL, worker, &p) == 0;
    if (started == 0) pool_fail(&p, "cannot start a thread");
  }
  for (size_t k = 0; k < n && started; k++) {
    sim_record *rec;
    char why[640];
    int rv;
    pthread_mutex_lock(&p.mu);
    while (!p.done[k] && !p.error) pthread_cond_wait(&p.cv, &p.mu);
    rec = p.done[k];
    p.done[k] = NULL;
    pthread_mutex_unlock(&p.mu);
    if (!rec) break;
    why[0] = '\0';
    rv = take(&blocks[k], rec, blocks[k].passages, p.frames ? &p.frames[k] : NULL, ctx, why, sizeof(why));
    free(rec);
    if (p.frames) sim_frames_free(&p.frames[k]);
    if (rv != 0) pool_fail(&p, why[0] ? why : "a block's results could not be taken");
    pthread_mutex_lock(&p.mu);
    p.written = k + 1;
    pthread_cond_broadcast(&p.cv);
    pthread_mutex_unlock(&p.mu);
    if (p.error) break;
  }
  for (unsigned i = 0; i < started; i++) pthread_join(threads[i], NULL);
  for (size_t k = 0; p.done && k < n; k++) {
    free(p.done[k]);
    if (p.frames) sim_frames_free(&p.frames[k]);
  }
  free(p.done);
  free(p.frames);
  free(threads);
  pthread_mutex_destroy(&p.mu);
  pthread_cond_destroy(&p.cv);
  if (p.error) snprintf(err, errlen, "%s", p.err);
  return p.error ? -1 : 0;
}
