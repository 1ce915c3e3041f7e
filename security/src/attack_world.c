/* The attack harness: keys, a lane with the real engines, the real issuer and status list,
 * captures. Everything an attack leaves on disk lives in a private temporary directory. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "issuer/issuer_analyse.h"
#include "issuer/issuer_db.h"
#include "issuer/issuer_ingest.h"
#include "issuer/issuer_statuslist.h"
#include "security/attack.h"

static const char *const detect_names[SEC_DETECT_COUNT] = {"not detected", "lane", "issuer", "status list",
                                                           "attack fails"};

const char *sec_detect_name(int d) { return d >= 0 && d < SEC_DETECT_COUNT ? detect_names[d] : "?"; }

void sec_outcome_set(sec_outcome *o, int detected, const char *gained, const char *fmt, ...) {
  va_list ap;
  o->detected = detected;
  snprintf(o->gained, sizeof(o->gained), "%s", gained);
  va_start(ap, fmt);
  vsnprintf(o->evidence, sizeof(o->evidence), fmt, ap);
  va_end(ap);
}

void sec_text_put(char *out, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out, cap, fmt, ap);
  va_end(ap);
}

static void on_frame(void *ctx, const air_frame *f) {
  sec_world *w = ctx;
  io_cap_record r;
  if (!w->cap) return;
  r.t_ns = f->t_start;
  r.uplink = f->uplink;
  r.lane = w->rcfg.lane;
  r.flags = (uint8_t)((f->corrupted ? IO_CAP_CORRUPTED : 0) | (f->collided ? IO_CAP_COLLIDED : 0));
  r.lid = io_cap_frame_lid(f->frame, f->len);
  r.frame = f->frame;
  r.len = f->len;
  if (w->cap_err[0]) return;
  if (io_cap_writer_put(w->cap, &r, w->cap_err, sizeof(w->cap_err)) == 0) w->cap_frames++;
  else if (!w->cap_err[0]) snprintf(w->cap_err, sizeof(w->cap_err), "%s: cannot write", w->dir);
}

int sec_world_rse_reset(sec_world *w) {
  uint64_t now = w->l.now;
  double ber = w->l.ber;
  rse_engine *r;
  /* The new one first: on failure the world keeps the RSE it had. */
  if (rse_new(&r, &w->rcfg, w->crypto, dsrc_prng_rng(&w->prng), NULL, NULL) != 0) return -1;
  rse_del(w->r);
  w->r = r;
  air_lane_init(&w->l, w->r, ber, &w->errors);
  w->l.now = now;
  w->l.on_frame = on_frame;
  w->l.ctx = w;
  return 0;
}

int sec_world_init(sec_world *w, int profile, uint64_t seed, const issuer_options *iopt, char *err,
                   size_t errlen) {
  const char *tmp = getenv("TMPDIR");
  memset(w, 0, sizeof(*w));
  w->profile = profile;
  if (dsrc_crypto_new(&w->crypto, err, errlen) != 0) return -1;
  if (sim_keys_init(&w->keys, w->crypto, seed) != 0) {
    snprintf(err, errlen, "key set-up failed");
    dsrc_crypto_free(w->crypto);
    return -1;
  }
  snprintf(w->dir, sizeof(w->dir), "%s/efc-attack.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(w->dir)) {
    snprintf(err, errlen, "%s: cannot create a temporary directory", w->dir);
    sim_keys_wipe(&w->keys);
    dsrc_crypto_free(w->crypto);
    return -1;
  }
  if (iopt) w->iopt = *iopt;
  else issuer_options_default(&w->iopt);
  efc_status_list_init(&w->status);
  rse_config_default(&w->rcfg);
  w->rcfg.profiles[0] = (uint8_t)profile;
  w->rcfg.nprofiles = 1;
  w->rcfg.keys = &w->keys.op;
  w->rcfg.status = &w->status;
  obe_config_default(&w->ocfg);
  dsrc_prng_seed(&w->prng, seed * 7 + 1);
  dsrc_prng_seed(&w->errors, seed * 7 + 2);
  w->l.now = 0;
  if (sec_world_rse_reset(w) != 0) {
    snprintf(err, errlen, "%s", rse_strerror(RSE_ERR_NOMEM));
    sec_world_free(w);
    return -1;
  }
  return 0;
}

void sec_world_free(sec_world *w) {
  DIR *d;
  sec_world_capture_abort(w);
  if (w->dir[0] && (d = opendir(w->dir))) {
    struct dirent *e;
    char path[600];
    while ((e = readdir(d)))
      if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
        snprintf(path, sizeof(path), "%s/%s", w->dir, e->d_name);
        unlink(path);
      }
    closedir(d);
    rmdir(w->dir);
  }
  rse_del(w->r);
  efc_status_list_free(&w->status);
  sim_keys_wipe(&w->keys);
  dsrc_crypto_free(w->crypto);
  memset(w, 0, sizeof(*w));
}

static int obe_start(sec_world *w, sec_obe *a) {
  obe_state_init(&a->st, &a->prof);
  return obe_init(&a->o, &w->ocfg, &a->prof, &a->st, w->crypto, dsrc_prng_rng(&w->prng), NULL, NULL) == 0 ? 0 : -1;
}

int sec_obe_make(sec_world *w, sec_obe *a, uint32_t id, const sim_keys *keys) {
  memset(a, 0, sizeof(*a));
  if (sim_obe_make(&a->prof, w->crypto, keys ? keys : &w->keys, id, EFC_PROFILES_ALL) != 0) return -1;
  return obe_start(w, a);
}

int sec_obe_make_single(sec_world *w, sec_obe *a, uint32_t id) {
  memset(a, 0, sizeof(*a));
  if (sim_obe_make(&a->prof, w->crypto, &w->keys, id, efc_profile_bit(w->profile)) != 0) return -1;
  return obe_start(w, a);
}

int sec_obe_make_operator_clone(sec_world *w, sec_obe *a, uint32_t id) {
  sim_keys forged;
  const keymgmt_operator_keys *op = &w->keys.op;
  uint8_t g = op->generation;
  int rv;
  /* The attacker's own random master keys, with what leaked from the operator in place:
   * MKEY-F of one generation, the MAC_TC MAuKs, the MAcKs. MKEY-N and the MAC_TSP MAuKs
   * never leave the issuer. */
  if (sim_keys_init(&forged, w->crypto, 0xc10e) != 0) return -1;
  memcpy(forged.issuer.mkey_f[g - 1], op->mkey_f, sizeof(op->mkey_f));
  for (int i = 0; i < DSRC_AUK_COUNT; i++)
    if (op->mauk_held & (1u << i)) {
      memcpy(forged.issuer.mauk[i], op->mauk[i], sizeof(op->mauk[i]));
      memcpy(forged.issuer.aes_mauk[i], op->aes_mauk[i], sizeof(op->aes_mauk[i]));
    }
  memcpy(forged.issuer.mack, op->mack, sizeof(forged.issuer.mack));
  memcpy(forged.issuer.aes_mack, op->aes_mack, sizeof(forged.issuer.aes_mack));
  forged.issuer.autopass_generation = g;
  forged.issuer.mack_ref = w->keys.issuer.mack_ref;
  rv = sec_obe_make(w, a, id, &forged);
  sim_keys_wipe(&forged);
  return rv;
}

/* What passage p did, its claim kept; p NULL: the RSE never opened a session. */
static void record(sec_world *w, const rse_passage *p, sec_passage *out) {
  memset(out, 0, sizeof(*out));
  out->claim = -1;
  if (!p) {
    snprintf(out->sequence, sizeof(out->sequence), "no session");
    return;
  }
  out->done = p->outcome == RSE_OUT_DONE;
  out->verdict = p->claim.verdict;
  out->reasons = p->claim.reasons;
  snprintf(out->sequence, sizeof(out->sequence), "%s", p->sequence);
  /* The RSE sends the issuer a claim for every session it finished, as efc-rse does. */
  if (out->done && w->nclaims < SEC_CLAIMS_MAX) {
    w->claims[w->nclaims] = p->claim;
    out->claim = (int)w->nclaims++;
  }
}

int sec_pass(sec_world *w, sec_obe *a, sec_passage *out) {
  rse_passage p;
  bool done = false;
  uint64_t limit = w->l.now + 2000000000u;
  obe_sleep(&a->o);
  if (air_lane_add(&w->l, &a->o, 0, UINT64_MAX) < 0) return -1;
  while (!done && w->l.now < limit) {
    air_lane_step(&w->l, limit);
    done = rse_passage_pop(w->r, &p);
  }
  air_lane_remove(&w->l, &a->o);
  /* The next passage five minutes later: a BST more than 256 s on is a new beacon to the
   * OBE (docs/profiles.md). */
  w->l.now += UINT64_C(300000000000);
  record(w, done ? &p : NULL, out);
  return 0;
}

int sec_pass_driven(sec_world *w, sec_uplink_fn fn, void *ctx, sec_passage *out) {
  rse_passage p;
  bool done = false;
  uint64_t limit = w->l.now + 2000000000u;
  while (!done && w->l.now < limit) {
    air_tx tx;
    if (!air_tx_begin(&w->l, limit, &tx)) continue;
    for (unsigned k = 0; k < tx.s.windows; k++) {
      uint8_t f[DSRC_FRAME_MAX];
      uint64_t ws = air_tx_window_start(&w->l, &tx, k);
      size_t n = fn(ctx, tx.t1, tx.s.frame, tx.s.len, k, ws, f, sizeof(f));
      air_uplink u;
      if (n) air_uplink_make(&w->l, &u, f, n, 0);
      air_tx_window(&w->l, &tx, k, &u, n ? 1 : 0);
    }
    air_tx_end(&w->l, &tx);
    done = rse_passage_pop(w->r, &p);
  }
  w->l.now += UINT64_C(300000000000);
  record(w, done ? &p : NULL, out);
  return 0;
}

int sec_issuer_run(sec_world *w, unsigned *flags, unsigned *seq, char *err, size_t errlen) {
  char claims[400], dbpath[400], line[2048];
  issuer_db *db = NULL;
  issuer_ingest_args ia;
  issuer_run_counts counts;
  issuer_analyse_options ao;
  sqlite3_stmt *s;
  FILE *f;
  int rv = -1;
  snprintf(claims, sizeof(claims), "%s/claims.jsonl", w->dir);
  snprintf(dbpath, sizeof(dbpath), "%s/claims.db", w->dir);
  /* The whole history each time: the analysis looks across all of an OBE's claims. */
  unlink(dbpath);
  if (!(f = fopen(claims, "w+"))) {
    snprintf(err, errlen, "%s: cannot write", claims);
    return -1;
  }
  for (unsigned i = 0; i < w->nclaims; i++) {
    if (efc_claim_format(&w->claims[i], line, sizeof(line)) < 0) {
      snprintf(err, errlen, "claim %u does not format", i);
      fclose(f);
      return -1;
    }
    fprintf(f, "%s\n", line);
  }
  /* A scratch file of the world's private directory, read back at once: not an output,
   * but a claim lost to a full disk would skew the issuer's verdicts without a word. */
  errno = EIO;
  if (fflush(f) != 0 || ferror(f)) {
    snprintf(err, errlen, "%s: cannot write: %s", claims, strerror(errno));
    fclose(f);
    return -1;
  }
  rewind(f);
  if (issuer_db_open(&db, dbpath, ISSUER_DB_WRITE, err, errlen) != 0) {
    fclose(f);
    return -1;
  }
  memset(&ia, 0, sizeof(ia));
  ia.in = f;
  ia.source = claims;
  ia.crypto = w->crypto;
  ia.ks = &w->keys.issuer;
  ia.vopt = w->iopt;
  ia.batch = ISSUER_BATCH_DEFAULT;
  ia.warn_max = ISSUER_WARN_MAX_DEFAULT;
  ia.warn = stderr;
  issuer_analyse_options_default(&ao);
  if (issuer_ingest_file(db, &ia, &counts, err, errlen) != 0 || issuer_analyse_run(db, &ao, err, errlen) != 0)
    goto out;
  if (sqlite3_prepare_v2(issuer_db_sqlite(db), "SELECT line_no, flags, seq_flags FROM claims", -1, &s, NULL) !=
      SQLITE_OK) {
    snprintf(err, errlen, "%s: %s", dbpath, sqlite3_errmsg(issuer_db_sqlite(db)));
    goto out;
  }
  for (unsigned i = 0; i < w->nclaims; i++) flags[i] = seq[i] = 0;
  while (sqlite3_step(s) == SQLITE_ROW) {
    int64_t n = sqlite3_column_int64(s, 0);
    if (n >= 1 && n <= (int64_t)w->nclaims) {
      flags[n - 1] = (unsigned)sqlite3_column_int64(s, 1);
      seq[n - 1] = (unsigned)sqlite3_column_int64(s, 2);
    }
  }
  sqlite3_finalize(s);
  rv = 0;
out:
  issuer_db_close(db);
  fclose(f);
  return rv;
}

int sec_world_status_refresh(sec_world *w, char *err, size_t errlen) {
  char dbpath[400], list[400];
  issuer_db *db;
  issuer_statuslist_counts n;
  int rv;
  snprintf(dbpath, sizeof(dbpath), "%s/claims.db", w->dir);
  snprintf(list, sizeof(list), "%s/statuslist.txt", w->dir);
  if (issuer_db_open(&db, dbpath, ISSUER_DB_READ, err, errlen) != 0) return -1;
  rv = issuer_statuslist_write(db, list, &n, err, errlen);
  issuer_db_close(db);
  if (rv != 0) return -1;
  efc_status_list_free(&w->status);
  efc_status_list_init(&w->status);
  if (efc_status_list_load(&w->status, list, NULL, 0, err, errlen) < 0) return -1;
  return (int)(n.reject + n.photograph);
}

int sec_world_capture(sec_world *w, const char *name, char *path, size_t cap, char *err, size_t errlen) {
  sec_world_capture_abort(w);
  snprintf(path, cap, "%s/%s", w->dir, name);
  if (!(w->cap = io_cap_writer_open(path, err, errlen))) return -1;
  w->cap_frames = 0;
  w->cap_err[0] = 0;
  return 0;
}

int sec_world_capture_stop(sec_world *w, char *err, size_t errlen) {
  io_cap_writer *c = w->cap;
  w->cap = NULL;
  if (w->cap_err[0]) {
    io_cap_writer_abort(c);
    snprintf(err, errlen, "%s", w->cap_err);
    return -1;
  }
  return io_cap_writer_close(c, err, errlen);
}

void sec_world_capture_abort(sec_world *w) {
  io_cap_writer_abort(w->cap);
  w->cap = NULL;
}

int sec_track_obe(sec_world *w, sec_obe *a, unsigned n, sec_track *t, char *err, size_t errlen) {
  unsigned flags[SEC_CLAIMS_MAX], seq[SEC_CLAIMS_MAX], mine[SEC_CLAIMS_MAX], nmine = 0;
  bool passed[SEC_CLAIMS_MAX];
  char why[96], fl[96], sq[96], line[512];
  memset(t, 0, sizeof(*t));
  for (unsigned i = 0; i < n; i++) {
    sec_passage ps;
    if (sec_pass(w, a, &ps) != 0) {
      snprintf(err, errlen, "passage %u could not run", i + 1);
      return -1;
    }
    t->passages++;
    if (i == 0) t->first_reasons = ps.reasons;
    if (!ps.done || ps.verdict != EFC_PASS) {
      if (ps.reasons & EFC_WHY_STATUS_LIST) t->listed++;
      else t->lane_caught++;
    }
    if (ps.claim >= 0 && nmine < SEC_CLAIMS_MAX) {
      passed[nmine] = ps.verdict == EFC_PASS;
      mine[nmine++] = (unsigned)ps.claim;
    }
    if (w->nclaims) {
      if (sec_issuer_run(w, flags, seq, err, errlen) != 0) return -1;
      if (sec_world_status_refresh(w, err, errlen) < 0) return -1;
    }
  }
  t->claims = nmine;
  for (unsigned i = 0; i < nmine; i++) {
    unsigned k = mine[i];
    if (flags[k] || seq[k]) t->issuer_flagged++;
    if (flags[k] && passed[i]) t->unpaid++;
    t->flags |= flags[k];
    t->seq |= seq[k];
  }
  if (t->lane_caught && !(t->first_reasons & EFC_WHY_STATUS_LIST) && (t->first_reasons || t->lane_caught == n))
    t->detected = SEC_AT_LANE;
  else if (t->issuer_flagged)
    t->detected = SEC_BY_ISSUER;
  else if (t->listed)
    t->detected = SEC_BY_STATUS_LIST;
  else
    t->detected = SEC_NOT_DETECTED;
  efc_reasons_format(why, sizeof(why), t->first_reasons);
  issuer_flags_format(fl, sizeof(fl), t->flags);
  issuer_seq_flags_format(sq, sizeof(sq), t->seq, 0);
  snprintf(line, sizeof(line), "lane: %u/%u caught%s%s%s; issuer: %u/%u claims flagged%s%s%s%s%s; list: %u stopped",
           t->lane_caught, t->passages, why[0] ? " (" : "", why, why[0] ? ")" : "", t->issuer_flagged, t->claims,
           fl[0] || sq[0] ? " (" : "", fl, fl[0] && sq[0] ? "," : "", sq, fl[0] || sq[0] ? ")" : "", t->listed);
  /* The words stay short; a cut is better than a failure. */
  memcpy(t->text, line, sizeof(t->text) - 1);
  t->text[sizeof(t->text) - 1] = 0;
  return 0;
}
