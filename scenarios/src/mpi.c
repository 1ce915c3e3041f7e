/* efc-scenario run --mpi (sim/mpi.h). Rank 0 is sim_run with a round executor that sends
 * blocks to the other ranks, two in flight each so that a rank starts its next block while
 * its last result travels, simulates blocks itself whenever no result is waiting, and hands
 * results to the report strictly in block order. The messages are the blocks and passages
 * of sim/wire.h behind a small header, so a block simulated on another machine gives the
 * octets it gives here. MPI's default error handler ends the whole job on a transport
 * failure; every other failure is a message to rank 0 and a clean stop of every rank. */
#include <fcntl.h>
#include <limits.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shard_int.h"
#include "sim/mpi.h"
#include "sim/pool.h"
#include "sim/wire.h"

#define IN_FLIGHT 2u /* blocks a rank holds: one simulated, one waiting */

struct sim_mpi {
  int rank, size;
  unsigned *inflight; /* per rank, blocks sent whose result has not come back */
  uint64_t *blocks;   /* per rank, blocks simulated there in the whole run */
  dsrc_crypto *crypto; /* rank 0's, for the blocks it simulates itself */
  uint8_t *buf;        /* rank 0's receive buffer */
  size_t cap;
  sim_exec exec;
};

/* A block of the round on rank 0: where it runs, and its passages once they are back. */
typedef struct {
  sim_record *rec;
  int rank;
  bool done;
} slot;

static int grow(uint8_t **buf, size_t *cap, size_t need) {
  uint8_t *p;
  if (need <= *cap) return 0;
  if (!(p = realloc(*buf, need))) return -1;
  *buf = p;
  *cap = need;
  return 0;
}

/* Rank 0: takes the result st announces from the rank that sent it. -1 with why: the
 * rank's own failure, or a result that does not fit what it was given. */
static int result_recv(sim_mpi *m, const MPI_Status *st, const sim_block *blocks, size_t n, slot *s, size_t window,
                       size_t taken, char *why, size_t whylen) {
  int count, src = st->MPI_SOURCE;
  uint32_t k, status, nrec;
  sim_record *rec;
  slot *sl;
  MPI_Get_count(st, MPI_BYTE, &count);
  /* No room to receive it: a message left unreceived would hang the stop; nothing cleaner. */
  if (count < 0 || grow(&m->buf, &m->cap, (size_t)count + 1) != 0) MPI_Abort(MPI_COMM_WORLD, 1);
  MPI_Recv(m->buf, count, MPI_BYTE, src, SIM_MPI_TAG_RESULT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  m->inflight[src]--;
  if ((size_t)count < SIM_MPI_HEAD_LEN) {
    snprintf(why, whylen, "rank %d: a result of %d octets", src, count);
    return -1;
  }
  k = sim_wire_get_u32(m->buf);
  status = sim_wire_get_u32(m->buf + 4);
  nrec = sim_wire_get_u32(m->buf + 8);
  if (status != 0) {
    m->buf[count] = '\0';
    snprintf(why, whylen, "rank %d: %.500s", src, (const char *)m->buf + SIM_MPI_HEAD_LEN);
    return -1;
  }
  sl = &s[k % window];
  if (k >= n || k < taken || k - taken >= window || sl->rank != src || sl->done) {
    snprintf(why, whylen, "rank %d: a result for block %u, which it was not given", src, k);
    return -1;
  }
  if (nrec != blocks[k].passages || (size_t)count != SIM_MPI_HEAD_LEN + (size_t)nrec * SIM_WIRE_RECORD_LEN) {
    snprintf(why, whylen, "rank %d: block %u: %u passages in %d octets, %u expected", src, k, nrec, count,
             blocks[k].passages);
    return -1;
  }
  if (!(rec = malloc((nrec ? nrec : 1) * sizeof(*rec)))) {
    snprintf(why, whylen, "out of memory for block %u", k);
    return -1;
  }
  for (uint32_t i = 0; i < nrec; i++) {
    ssize_t rv = sim_wire_record_decode(&rec[i], m->buf + SIM_MPI_HEAD_LEN + (size_t)i * SIM_WIRE_RECORD_LEN,
                                        SIM_WIRE_RECORD_LEN);
    if (rv != (ssize_t)SIM_WIRE_RECORD_LEN) {
      snprintf(why, whylen, "rank %d: block %u, passage %u: %s", src, k, i,
               sim_wire_strerror(rv < 0 ? (int)rv : SIM_WIRE_ERR_SHORT));
      free(rec);
      return -1;
    }
  }
  sl->rec = rec;
  sl->done = true;
  m->blocks[src]++;
  return 0;
}

/* sim_pool_exec on rank 0: one round's blocks over the ranks, taken in block order. At most
 * window blocks are out between the next one taken and the next one handed out, which
 * bounds the results held back for an earlier block. */
static int mpi_exec(void *ctx, const sim_world *w, const sim_block *blocks, size_t n, const sim_pool_options *po,
                    sim_pool_take take, void *take_ctx, char *err, size_t errlen) {
  sim_mpi *m = ctx;
  size_t window = 4 * (size_t)m->size, next = 0, taken = 0, out = 0;
  slot *s = calloc(window, sizeof(*s));
  uint8_t msg[4 + SIM_WIRE_BLOCK_LEN];
  MPI_Status st;
  char why[640] = "";
  int error = 0, flag;

  if (!s) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  if (po->frames) {
    snprintf(why, sizeof(why), "a capture (--pcap) does not go with --mpi");
    error = -1;
  }
  for (size_t i = 0; i < window; i++) s[i].rank = -1;
  while (taken < n && !error) {
    bool busy = false;
    /* The other ranks first: they idle otherwise, rank 0 never does. */
    for (int r = 1; r < m->size; r++) {
      while (m->inflight[r] < IN_FLIGHT && next < n && next - taken < window) {
        ssize_t len;
        sim_wire_put_u32(msg, (uint32_t)next);
        len = sim_wire_block_encode(msg + 4, sizeof(msg) - 4, &blocks[next]);
        if (len != (ssize_t)SIM_WIRE_BLOCK_LEN) {
          snprintf(why, sizeof(why), "block %zu: %s", next, sim_wire_strerror(len < 0 ? (int)len : SIM_WIRE_ERR_ROOM));
          error = -1;
          break;
        }
        MPI_Send(msg, (int)sizeof(msg), MPI_BYTE, r, SIM_MPI_TAG_BLOCK, MPI_COMM_WORLD);
        s[next % window] = (slot){.rec = NULL, .rank = r, .done = false};
        m->inflight[r]++;
        out++;
        next++;
      }
      if (error) break;
    }
    if (error) break;
    /* Results that have come in. */
    for (;;) {
      MPI_Iprobe(MPI_ANY_SOURCE, SIM_MPI_TAG_RESULT, MPI_COMM_WORLD, &flag, &st);
      if (!flag) break;
      out--;
      busy = true;
      if (result_recv(m, &st, blocks, n, s, window, taken, why, sizeof(why)) != 0) {
        error = -1;
        break;
      }
    }
    if (error) break;
    /* The report's turn, in block order. */
    while (taken < n && s[taken % window].done) {
      slot *sl = &s[taken % window];
      char twhy[640] = "";
      int rv = take(&blocks[taken], sl->rec, blocks[taken].passages, NULL, take_ctx, twhy, sizeof(twhy));
      free(sl->rec);
      *sl = (slot){.rec = NULL, .rank = -1, .done = false};
      taken++;
      busy = true;
      if (rv != 0) {
        snprintf(why, sizeof(why), "%s", twhy[0] ? twhy : "a block's results could not be taken");
        error = -1;
        break;
      }
    }
    if (busy || error) continue;
    if (next < n && next - taken < window) {
      /* Nothing waiting: rank 0 simulates the next block itself. */
      slot *sl = &s[next % window];
      int rv;
      sl->rec = malloc((blocks[next].passages ? blocks[next].passages : 1) * sizeof(*sl->rec));
      rv = sl->rec ? sim_block_run(w, &blocks[next], m->crypto, sl->rec, NULL) : -1;
      if (rv != 0) {
        snprintf(why, sizeof(why), "block %zu failed (%d)", next, rv);
        error = -1;
        break;
      }
      sl->rank = 0;
      sl->done = true;
      m->blocks[0]++;
      next++;
      continue;
    }
    if (out == 0) { /* cannot happen: the block awaited is neither out nor to hand out */
      snprintf(why, sizeof(why), "block %zu: lost between the ranks", taken);
      error = -1;
      break;
    }
    MPI_Probe(MPI_ANY_SOURCE, SIM_MPI_TAG_RESULT, MPI_COMM_WORLD, &st);
    out--;
    if (result_recv(m, &st, blocks, n, s, window, taken, why, sizeof(why)) != 0) error = -1;
  }
  /* After a failure, what is still on its way is received and dropped, so that no message
   * of this round is left for the next or for the stop. */
  while (out > 0) {
    int count;
    MPI_Probe(MPI_ANY_SOURCE, SIM_MPI_TAG_RESULT, MPI_COMM_WORLD, &st);
    MPI_Get_count(&st, MPI_BYTE, &count);
    if (count >= 0 && grow(&m->buf, &m->cap, (size_t)count + 1) == 0)
      MPI_Recv(m->buf, count, MPI_BYTE, st.MPI_SOURCE, SIM_MPI_TAG_RESULT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    else
      MPI_Abort(MPI_COMM_WORLD, 1); /* no room even to drop it: nothing cleaner is left */
    m->inflight[st.MPI_SOURCE]--;
    out--;
  }
  for (size_t i = 0; i < window; i++) free(s[i].rec);
  free(s);
  if (error) snprintf(err, errlen, "%s", why);
  return error;
}

/* A rank's reply to block k: its passages, or status 1 and why. */
static int reply_build(uint8_t **buf, size_t *cap, size_t *len, uint32_t k, const sim_record *rec, uint32_t n,
                       const char *why) {
  size_t need = SIM_MPI_HEAD_LEN + (why ? strlen(why) : (size_t)n * SIM_WIRE_RECORD_LEN);
  if (grow(buf, cap, need) != 0) return -1;
  sim_wire_put_u32(*buf, k);
  sim_wire_put_u32(*buf + 4, why ? 1 : 0);
  sim_wire_put_u32(*buf + 8, why ? 0 : n);
  if (why) {
    memcpy(*buf + SIM_MPI_HEAD_LEN, why, need - SIM_MPI_HEAD_LEN);
  } else {
    for (uint32_t i = 0; i < n; i++)
      if (sim_wire_record_encode(*buf + SIM_MPI_HEAD_LEN + (size_t)i * SIM_WIRE_RECORD_LEN, SIM_WIRE_RECORD_LEN, &rec[i]) !=
          (ssize_t)SIM_WIRE_RECORD_LEN)
        return -2;
  }
  *len = need;
  return 0;
}

/* Ranks above 0: blocks simulated until rank 0 says stop. Every block gets exactly one
 * reply, so that rank 0's count of blocks out stays true whatever fails here. A rank that
 * could not start (broken says why) answers every block with that. Returns the run's
 * status as rank 0 gives it with the stop. */
static int worker_serve(const sim_world *w, dsrc_crypto *crypto, const char *broken) {
  uint8_t in[4 + SIM_WIRE_BLOCK_LEN + 1];
  uint8_t *out[2] = {NULL, NULL};
  size_t cap[2] = {0, 0};
  MPI_Request req[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
  sim_record *rec = NULL;
  size_t reccap = 0;
  uint32_t status = 1;
  int i = 0;
  for (;;) {
    MPI_Status st;
    sim_block b;
    char why[300];
    const char *fail = broken;
    size_t len = 0;
    uint32_t k = UINT32_MAX;
    int count, rv;
    MPI_Probe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
    MPI_Get_count(&st, MPI_BYTE, &count);
    if (st.MPI_TAG == SIM_MPI_TAG_STOP) {
      uint8_t s4[4] = {1, 0, 0, 0};
      MPI_Recv(s4, count == 4 ? 4 : 0, MPI_BYTE, 0, SIM_MPI_TAG_STOP, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      status = sim_wire_get_u32(s4);
      break;
    }
    /* Longer than any block: not from this program's rank 0; nothing cleaner is left. */
    if (count < 0 || (size_t)count > sizeof(in)) MPI_Abort(MPI_COMM_WORLD, 1);
    MPI_Recv(in, count, MPI_BYTE, 0, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (st.MPI_TAG != SIM_MPI_TAG_BLOCK || count < 4) {
      /* Answered all the same, so that rank 0's count of blocks out stays true. */
      snprintf(why, sizeof(why), "a message of %d octets, tag %d", count, st.MPI_TAG);
      fail = why;
    } else {
      k = sim_wire_get_u32(in);
      if (!fail && (rv = (int)sim_wire_block_decode(&b, in + 4, (size_t)count - 4)) != count - 4) {
        snprintf(why, sizeof(why), "block %u: %s", k, sim_wire_strerror(rv < 0 ? rv : SIM_WIRE_ERR_VALUE));
        fail = why;
      }
      if (!fail && b.passages > reccap) {
        sim_record *p = realloc(rec, b.passages * sizeof(*rec));
        if (p) {
          rec = p;
          reccap = b.passages;
        } else {
          fail = "out of memory";
        }
      }
      if (!fail && (rv = sim_block_run(w, &b, crypto, rec, NULL)) != 0) {
        snprintf(why, sizeof(why), "block %u failed (%d)", k, rv);
        fail = why;
      }
    }
    /* The buffer of the reply before last is free once that reply has left. */
    MPI_Wait(&req[i], MPI_STATUS_IGNORE);
    rv = reply_build(&out[i], &cap[i], &len, k, rec, fail ? 0 : b.passages, fail);
    if (rv == -2) rv = reply_build(&out[i], &cap[i], &len, k, NULL, 0, "a passage out of the wire's range");
    if (rv != 0) rv = reply_build(&out[i], &cap[i], &len, k, NULL, 0, "out of memory");
    if (rv != 0) MPI_Abort(MPI_COMM_WORLD, 1); /* not even room to say so */
    MPI_Isend(out[i], (int)len, MPI_BYTE, 0, SIM_MPI_TAG_RESULT, MPI_COMM_WORLD, &req[i]);
    i ^= 1;
  }
  MPI_Waitall(2, req, MPI_STATUSES_IGNORE);
  free(out[0]);
  free(out[1]);
  free(rec);
  return status == 0 ? 0 : -1;
}

static int worker_run(const sim_scenario *sc) {
  sim_keys keys;
  sim_world w = {sc, &keys};
  dsrc_crypto *crypto = NULL;
  char err[256] = "";
  const char *broken = NULL;
  bool have_keys = false;
  int rv;
  /* The world rank 0 has: the same keys from the same seed. */
  if (dsrc_crypto_new(&crypto, err, sizeof(err)) != 0) {
    crypto = NULL;
    broken = err;
  } else if (sim_keys_init(&keys, crypto, sc->seed) != 0) {
    broken = "key set-up failed";
  } else {
    have_keys = true;
  }
  rv = worker_serve(&w, crypto, broken);
  if (have_keys) sim_keys_wipe(&keys);
  dsrc_crypto_free(crypto);
  return broken ? -1 : rv;
}

static int root_run(sim_mpi *m, const sim_scenario *sc, const sim_run_options *opt, char *err, size_t errlen) {
  sim_run_options o = *opt;
  uint8_t s4[4];
  int rv = -1;
  if (dsrc_crypto_new(&m->crypto, err, errlen) == 0) {
    m->exec = (sim_exec){.run = mpi_exec, .ctx = m};
    o.exec = &m->exec;
    /* The table's "on N thread(s)": one block at a time per rank. */
    o.threads = (unsigned)m->size;
    rv = sim_run(sc, &o, err, errlen);
    dsrc_crypto_free(m->crypto);
    m->crypto = NULL;
  }
  /* How the load spread: a rank with few blocks is a slow node (or rank 0's share). */
  if (rv == 0 && opt->table) {
    fprintf(opt->table, "MPI: %d rank(s); blocks simulated per rank:", m->size);
    for (int r = 0; r < m->size; r++) fprintf(opt->table, " %llu", (unsigned long long)m->blocks[r]);
    fputc('\n', opt->table);
  }
  sim_wire_put_u32(s4, rv == 0 ? 0 : 1);
  for (int r = 1; r < m->size; r++) MPI_Send(s4, 4, MPI_BYTE, r, SIM_MPI_TAG_STOP, MPI_COMM_WORLD);
  return rv;
}

int sim_mpi_open(sim_mpi **out, bool *root, char *err, size_t errlen) {
  sim_mpi *m = calloc(1, sizeof(*m));
  if (!m) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  if (MPI_Init(NULL, NULL) != MPI_SUCCESS) {
    free(m);
    snprintf(err, errlen, "MPI cannot start");
    return -1;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &m->rank);
  MPI_Comm_size(MPI_COMM_WORLD, &m->size);
  m->inflight = calloc((size_t)m->size, sizeof(*m->inflight));
  m->blocks = calloc((size_t)m->size, sizeof(*m->blocks));
  if (!m->inflight || !m->blocks) {
    snprintf(err, errlen, "out of memory");
    /* Every rank must go: a rank left in MPI_Init's company would wait for this one. */
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  if (m->rank != 0) {
    int fd = open("/dev/null", O_WRONLY);
    fflush(stdout);
    fflush(stderr);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
  }
  *root = m->rank == 0;
  *out = m;
  return 0;
}

/* The run this rank would run, as a digest: the program's version line, the scenario's
 * text, seed and budget (as a shard's part records them, sim/shard.h). A file this rank
 * cannot read gives a digest of zeros, which differs from rank 0's. */
static void id_digest(const sim_scenario *sc, const char *prog, uint8_t out[SIM_MPI_ID_LEN]) {
  sim_shard_run_id id;
  char why[512];
  uint8_t buf[sizeof(id.version) + 32 + 16];
  size_t lv;
  memset(out, 0, SIM_MPI_ID_LEN);
  if (sim_shard_id_make(&id, sc, prog, why, sizeof(why)) != 0) return;
  lv = strlen(id.version) + 1;
  memcpy(buf, id.version, lv);
  memcpy(buf + lv, id.text_sha, 32);
  sim_wire_put_u64(buf + lv + 32, id.seed);
  sim_wire_put_u64(buf + lv + 40, id.budget);
  if (EVP_Digest(buf, lv + 48, out, NULL, EVP_sha256(), NULL) != 1) memset(out, 0, SIM_MPI_ID_LEN);
  sim_shard_id_free(&id);
}

/* Every rank: whether all run rank 0's run. -1 with err naming the first that does not. */
static int id_check(const sim_mpi *m, const sim_scenario *sc, const sim_run_options *opt, char *err, size_t errlen) {
  uint8_t mine[SIM_MPI_ID_LEN], root[SIM_MPI_ID_LEN];
  int differs, first;
  id_digest(sc, opt->prog, mine);
  memcpy(root, mine, sizeof(root));
  MPI_Bcast(root, (int)sizeof(root), MPI_BYTE, 0, MPI_COMM_WORLD);
  differs = memcmp(root, mine, sizeof(root)) != 0 ? m->rank : INT_MAX;
  MPI_Allreduce(&differs, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (first == INT_MAX) return 0;
  snprintf(err, errlen,
           "rank %d: another scenario text, seed, budget or efc-scenario version than rank 0's "
           "(every rank must read the same file with the same build)",
           first);
  return -1;
}

int sim_mpi_run(sim_mpi *m, const sim_scenario *sc, const sim_run_options *opt, char *err, size_t errlen) {
  int rv;
  if (id_check(m, sc, opt, err, errlen) != 0) {
    rv = -1;
  } else if (m->rank == 0) {
    rv = root_run(m, sc, opt, err, errlen);
  } else {
    rv = worker_run(sc);
    if (rv != 0) snprintf(err, errlen, "rank %d: the run failed (rank 0 says why)", m->rank);
  }
  MPI_Finalize();
  free(m->buf);
  free(m->inflight);
  free(m->blocks);
  free(m);
  return rv;
}
