/* efc-scenario merge: the run's plan replayed over the shards' parts, round by round, into
 * the outputs of the unsharded run (sim/shard.h, docs/scaling.md). One part is open at a
 * time and one block's passages in memory, whatever the number of shards. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rse/rse.h"
#include "sim/cause.h"
#include "sim/plan.h"
#include "sim/report.h"
#include "sim/wire.h"
#include "shard_int.h"

/* A part's header (its text dropped: the set keeps one) and where it is. */
typedef struct {
  sim_shard_header h;
  char path[600];
} part;

typedef struct {
  part *v;
  size_t n, cap;
  sim_shard_run_id id;   /* the first part's, with the scenario's text */
  char id_from[600];     /* that part */
  uint32_t shards;
} part_set;

static int part_cmp(const void *a, const void *b) {
  const part *x = a, *y = b;
  if (x->h.round != y->h.round) return x->h.round < y->h.round ? -1 : 1;
  if (x->h.shard != y->h.shard) return x->h.shard < y->h.shard ? -1 : 1;
  return 0;
}

/* One file of a directory: a part is checked against the first one seen. */
static int part_add(part_set *s, const char *path, char *err, size_t errlen) {
  sim_shard_header h;
  const char *why;
  part *p;
  if (sim_shard_header_read(path, &h, err, errlen) != 0) return -1;
  if (h.plan) {
    snprintf(err, errlen, "%.500s: a round plan named as a shard's part", path);
    sim_shard_header_free(&h);
    return -1;
  }
  if (s->n == 0) {
    s->id = h.id;
    h.id.text = NULL;
    s->shards = h.shards;
    snprintf(s->id_from, sizeof(s->id_from), "%s", path);
  } else if (!sim_shard_id_same(&s->id, &h.id, &why) || h.shards != s->shards) {
    if (h.shards != s->shards && sim_shard_id_same(&s->id, &h.id, &why)) why = "cut into another number of shards";
    snprintf(err, errlen, "%.280s: not of the same run as %.280s: %s", path, s->id_from, why);
    sim_shard_header_free(&h);
    return -1;
  }
  sim_shard_header_free(&h);
  if (s->n == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 64;
    part *v = realloc(s->v, cap * sizeof(*v));
    if (!v) {
      snprintf(err, errlen, "out of memory");
      return -1;
    }
    s->v = v;
    s->cap = cap;
  }
  p = &s->v[s->n++];
  p->h = h;
  snprintf(p->path, sizeof(p->path), "%s", path);
  return 0;
}

static int parts_collect(part_set *s, const char *const *dirs, size_t ndirs, char *err, size_t errlen) {
  for (size_t i = 0; i < ndirs; i++) {
    DIR *d = opendir(dirs[i]);
    struct dirent *e;
    if (!d) {
      snprintf(err, errlen, "%.500s: cannot read the directory: %s", dirs[i], strerror(errno));
      return -1;
    }
    while ((e = readdir(d)) != NULL) {
      uint32_t shard, shards, round;
      char path[600];
      if (sim_shard_name_parse(e->d_name, &shard, &shards, &round) != 0) continue;
      if ((size_t)snprintf(path, sizeof(path), "%s/%s", dirs[i], e->d_name) >= sizeof(path)) {
        snprintf(err, errlen, "%.500s: path too long", dirs[i]);
        closedir(d);
        return -1;
      }
      if (part_add(s, path, err, errlen) != 0) {
        closedir(d);
        return -1;
      }
      /* The name is what an operator reads: it must say what the file holds. */
      if (s->v[s->n - 1].h.round != round || s->v[s->n - 1].h.shard != shard || s->shards != shards) {
        snprintf(err, errlen, "%.500s: its name does not match its header (shard %u/%u, round %u)", path,
                 s->v[s->n - 1].h.shard, s->shards, s->v[s->n - 1].h.round);
        closedir(d);
        return -1;
      }
    }
    closedir(d);
  }
  if (s->n == 0) {
    snprintf(err, errlen, "%.500s%s: no shard's part (shard-I-of-N.rR.efcpart) to merge", dirs[0],
             ndirs > 1 ? " and the other directories" : "");
    return -1;
  }
  qsort(s->v, s->n, sizeof(*s->v), part_cmp);
  for (size_t i = 1; i < s->n; i++)
    if (part_cmp(&s->v[i - 1], &s->v[i]) == 0) {
      snprintf(err, errlen, "%.280s and %.280s: two parts of shard %u/%u, round %u", s->v[i - 1].path, s->v[i].path,
               s->v[i].h.shard, s->shards, s->v[i].h.round);
      return -1;
    }
  return 0;
}

/* The scenario the shards ran, from its text: loaded from a private temporary, then named
 * as the shards named it (summary.json records the name). */
static int scenario_load(sim_scenario *sc, const part_set *s, char *err, size_t errlen) {
  const char *tmpdir = getenv("TMPDIR");
  char tmp[512], why[512];
  int fd, rv;
  size_t off = 0;
  snprintf(tmp, sizeof(tmp), "%s/efc-merge-scenario-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
  if ((fd = mkstemp(tmp)) < 0) {
    snprintf(err, errlen, "%.400s: cannot create a temporary: %s", tmp, strerror(errno));
    return -1;
  }
  while (off < s->id.text_len) {
    ssize_t w = write(fd, s->id.text + off, s->id.text_len - off);
    if (w <= 0) break;
    off += (size_t)w;
  }
  if (off < s->id.text_len || close(fd) != 0) {
    snprintf(err, errlen, "%.400s: cannot write: %s", tmp, strerror(errno));
    unlink(tmp);
    return -1;
  }
  rv = sim_scenario_load(sc, tmp, why, sizeof(why));
  unlink(tmp);
  if (rv != 0) {
    snprintf(err, errlen, "%.280s: its scenario does not load: %.200s", s->id_from, why);
    return -1;
  }
  snprintf(sc->path, sizeof(sc->path), "%s", s->id.path);
  if (sc->passages_auto && s->id.budget) sc->budget = s->id.budget;
  return 0;
}

/* What the report indexes by, so a forged part cannot reach past its tables. */
static bool record_ok(const sim_scenario *sc, const sim_block *b, const sim_record *x) {
  return x->block == b->index && x->outcome <= SIM_NOT_PASS && x->cause < SIM_CAUSE_COUNT &&
         x->cause_cmd < RSE_CMD_COUNT && x->cause_frame < SIM_LOSS_COUNT && x->group < sc->ngroups &&
         x->ber_idx < sc->nbers && isfinite(x->speed_kmh) && x->speed_kmh >= 0 && isfinite(x->log_w);
}

typedef struct {
  sim_report *rep;
  const sim_merge_options *o;
  uint64_t done, planned;
  unsigned round;
  sim_progress bar;
} merge_ctx;

/* One part's blocks, each checked against the plan's, into the report. */
static int part_replay(merge_ctx *m, const part *p, const sim_block *blocks, char *err, size_t errlen) {
  sim_shard_reader r;
  sim_shard_header h;
  sim_record *rec = NULL;
  size_t cap = 0;
  int rv = -1;
  if (sim_shard_reader_open(&r, p->path, &h, err, errlen) != 0) return -1;
  sim_shard_header_free(&h);
  for (uint32_t k = p->h.lo; k < p->h.hi; k++) {
    const sim_block *want = &blocks[k];
    uint8_t a[SIM_WIRE_BLOCK_LEN], b[SIM_WIRE_BLOCK_LEN];
    sim_block got;
    if (sim_shard_reader_block(&r, &got, err, errlen) != 0) goto out;
    if (sim_wire_block_encode(a, sizeof(a), &got) < 0 || sim_wire_block_encode(b, sizeof(b), want) < 0 ||
        memcmp(a, b, sizeof(a)) != 0) {
      snprintf(err, errlen, "%.500s: block %u is not the plan's", p->path, want->index);
      goto out;
    }
    if (want->passages > cap) {
      sim_record *n = realloc(rec, want->passages * sizeof(*n));
      if (!n) {
        snprintf(err, errlen, "out of memory");
        goto out;
      }
      rec = n;
      cap = want->passages;
    }
    if (sim_shard_reader_records(&r, rec, want->passages, err, errlen) != 0) goto out;
    for (uint32_t i = 0; i < want->passages; i++)
      if (!record_ok(m->rep->sc, want, &rec[i])) {
        snprintf(err, errlen, "%.500s: block %u, passage %u out of range", p->path, want->index, i);
        goto out;
      }
    sim_report_add(m->rep, want, rec, want->passages);
    m->done += want->passages;
    if (ferror(m->rep->csv)) {
      snprintf(err, errlen, "%.500s/passages.csv: cannot write: %s", m->rep->dir, strerror(errno));
      goto out;
    }
    sim_progress_update(&m->bar, m->done, m->planned, m->round, sim_progress_now());
  }
  rv = sim_shard_reader_end(&r, err, errlen);
out:
  free(rec);
  sim_shard_reader_close(&r);
  return rv;
}

/* Round round's parts, s->v[*at ..], all shards present and of this plan. */
static int round_check(const part_set *s, size_t at, uint32_t round, const sim_block *blocks, size_t n,
                       const char *dir0, char *err, size_t errlen) {
  uint8_t sha[32];
  if (sim_shard_blocks_sha(blocks, n, sha) != 0) {
    snprintf(err, errlen, "SHA-256 failed");
    return -1;
  }
  for (uint32_t i = 0; i < s->shards; i++) {
    const part *p = at + i < s->n ? &s->v[at + i] : NULL;
    size_t lo, hi;
    if (!p || p->h.round != round || p->h.shard != i) {
      char want[600];
      sim_shard_part_name(want, sizeof(want), dir0, i, s->shards, round);
      snprintf(err, errlen, "shard %u/%u of round %u is missing (no %.500s): run it again", i, s->shards, round,
               want);
      return -1;
    }
    sim_shard_range(blocks, n, i, s->shards, &lo, &hi);
    if (p->h.first_index != blocks[0].index || p->h.nblocks != n || memcmp(p->h.blocks_sha, sha, 32) != 0 ||
        p->h.lo != lo || p->h.hi != hi) {
      snprintf(err, errlen, "%.500s: its blocks are not this run's round %u (a part of an earlier run?)", p->path,
               round);
      return -1;
    }
  }
  return 0;
}

/* The next round's plan, beside the parts; one already there must be this one. */
static int plan_put(const part_set *s, const char *dir0, uint32_t round, const sim_block *blocks, size_t n,
                    sim_merge_result *res, char *err, size_t errlen) {
  sim_shard_header h;
  sim_block *old = NULL;
  uint8_t sha[32];
  sim_shard_plan_name(res->plan_path, sizeof(res->plan_path), dir0, round);
  res->round = round;
  if (access(res->plan_path, F_OK) == 0) {
    char why[640];
    if (sim_shard_plan_read(res->plan_path, &s->id, &h, &old, why, sizeof(why)) == 0) {
      bool same = sim_shard_blocks_sha(blocks, n, sha) == 0 && memcmp(sha, h.blocks_sha, 32) == 0;
      free(old);
      sim_shard_header_free(&h);
      if (same) return 0;
    }
    snprintf(err, errlen, "%.500s: already there and not this run's round %u: remove it", res->plan_path, round);
    return -1;
  }
  return sim_shard_plan_write(res->plan_path, &s->id, round, blocks, n, err, errlen);
}

int sim_merge(const char *const *dirs, size_t ndirs, const sim_merge_options *o, sim_merge_result *res,
              char *err, size_t errlen) {
  static sim_scenario sc;
  part_set s;
  sim_report rep;
  sim_plan plan;
  merge_ctx m;
  uint32_t nblocks_all = 0, round;
  size_t at = 0;
  struct timespec t0, t1;
  int rv = -1;
  bool rep_open = false, plan_open = false, bar_on = false;
  memset(res, 0, sizeof(*res));
  memset(&s, 0, sizeof(s));
  memset(&m, 0, sizeof(m));
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (ndirs == 0) {
    snprintf(err, errlen, "no directory to merge");
    return -1;
  }
  if (parts_collect(&s, dirs, ndirs, err, errlen) != 0 || scenario_load(&sc, &s, err, errlen) != 0) goto out;
  res->shards = s.shards;
  res->search = sc.search;
  if (o->out_dir) {
    snprintf(res->out_dir, sizeof(res->out_dir), "%s", o->out_dir);
  } else {
    char name[256];
    sim_scenario_name(name, sizeof(name), sc.path);
    mkdir("results", 0755);
    snprintf(res->out_dir, sizeof(res->out_dir), "results/%s", name);
  }
  if (mkdir(res->out_dir, 0755) != 0 && errno != EEXIST) {
    snprintf(err, errlen, "%.500s: cannot create the output directory: %s", res->out_dir, strerror(errno));
    goto out;
  }
  if (file_tmp_sweep_dir(res->out_dir, err, errlen) < 0) goto out;
  if (sim_report_open(&rep, &sc, res->out_dir, err, errlen) != 0) goto out;
  rep_open = true;
  rep.prog = o->prog;
  if (sim_plan_init(&plan, &sc, &rep, err, errlen) != 0) goto out;
  plan_open = true;
  m.rep = &rep;
  m.o = o;
  sim_progress_start(&m.bar, o->progress, stderr, "merge", sim_progress_now());
  bar_on = true;
  for (round = 1;; round++) {
    sim_block *blocks = NULL;
    ssize_t n = sim_plan_round(&plan, nblocks_all, &blocks);
    int bad;
    if (n < 0) {
      snprintf(err, errlen, "out of memory planning a round");
      goto out;
    }
    if (n == 0) break;
    if (at == s.n || s.v[at].h.round != round) {
      /* No part of this round: the shards have not run it yet. */
      /* Round 1 has no plan to write: the check fails, naming its first missing shard. */
      bad = round == 1 ? round_check(&s, at, round, blocks, (size_t)n, dirs[0], err, errlen)
                       : plan_put(&s, dirs[0], round, blocks, (size_t)n, res, err, errlen);
      free(blocks);
      if (bad) goto out;
      rv = SIM_MERGE_MORE;
      goto out;
    }
    m.round = round;
    for (ssize_t k = 0; k < n; k++) m.planned += blocks[k].passages;
    bad = round_check(&s, at, round, blocks, (size_t)n, dirs[0], err, errlen);
    for (uint32_t i = 0; !bad && i < s.shards; i++) bad = part_replay(&m, &s.v[at + i], blocks, err, errlen);
    free(blocks);
    if (bad) goto out;
    at += s.shards;
    nblocks_all += (uint32_t)n;
    if (sim_plan_look(&plan) != 0) {
      snprintf(err, errlen, "out of memory after a round");
      goto out;
    }
  }
  if (at < s.n) {
    snprintf(err, errlen, "%.500s: round %u, but the run ended after round %u", s.v[at].path, s.v[at].h.round,
             round - 1);
    goto out;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  rep.wall_s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
  rep.threads = 1;
  res->round = round - 1;
  bar_on = false;
  if (sim_progress_end(&m.bar, sim_progress_now()) != 0) {
    snprintf(err, errlen, "standard error: cannot write the progress");
    goto out;
  }
  rv = sim_report_finish(&rep, o->table, o->plots, err, errlen) == 0 ? SIM_MERGE_DONE : -1;
out:
  /* The bar's line ended before any error line. */
  if (bar_on && sim_progress_end(&m.bar, sim_progress_now()) != 0 && rv >= 0) {
    snprintf(err, errlen, "standard error: cannot write the progress");
    rv = -1;
  }
  if (plan_open) sim_plan_free(&plan);
  if (rep_open) sim_report_free(&rep);
  free(s.v);
  sim_shard_id_free(&s.id);
  return rv;
}
