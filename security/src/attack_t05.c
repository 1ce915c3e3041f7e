/* T5 denial, "I was not there": a user disputes a genuine passage of his own OBE. The issuer
 * answers with the claim: MAC1 / MAC_TSP under keys only it and the OBE hold, over data that
 * bind the time (AutoPASS: T inside SSKEY-N) and, with commitment nonces, the station, lane
 * and time (docs/claims.md). The measure: one genuine passage in the RSE's configured nonce
 * mode (p->nonce_mode) and one in the other mode (random against commit), each claim then
 * moved by the user's story to another time and to another station.
 *
 * Mapping: the denial is refuted (SEC_BY_ISSUER) when the genuine claim verifies and the
 * claim moved to another time is flagged by the issuer; otherwise it stands
 * (SEC_NOT_DETECTED: nobody can prove the passage, the charge is lost). The station is
 * reported beside it: proven or not, it does not decide the row, since a proven time
 * already pins the OBE to a transaction with this operator's lane. */
#include <stdio.h>
#include <string.h>

#include "issuer/issuer_db.h"
#include "dsrc/keys.h"
#include "security/attack.h"

#define T5_ID 0x00d50001u
#define T5_SHIFT_CS (60 * 60 * 100) /* the user's "another time": one hour off */

typedef struct {
  int mode;
  unsigned flags;      /* the genuine claim's issuer flags */
  int time_proven;     /* the database's time_proven column for it */
  unsigned moved_time; /* flags the moved claims got that the genuine one did not */
  unsigned moved_station;
  bool refuted;
} t5_run;

/* The claim as it would read had the passage been at another time or station: the RSE
 * would have sent that T and committed its nonces to that time and station. Only a MAC
 * over T or the nonce can then tell the story from what happened; a claim with the old
 * nonces would be caught by the commitment check alone, which says nothing about the OBE. */
static int claim_move(dsrc_crypto *cr, efc_claim *c, int64_t dt, int dstation) {
  int rv = 0;
  c->time_cs += dt;
  c->station = (uint16_t)(c->station + dstation);
  if (c->profile == EFC_PROFILE_AUTOPASS) dsrc_autopass_time_octets(c->t, (uint32_t)c->time_cs);
  if (c->nonce_mode != EFC_NONCE_COMMIT) return 0;
  if (c->profile == EFC_PROFILE_AUTOPASS)
    return efc_commit_with(cr, c->rnd1, "RND-1", c->station, c->lane, c->time_cs, c->salt);
  if (c->keyref_tsp) rv = efc_commit_with(cr, c->nonce_tsp, "TSP", c->station, c->lane, c->time_cs, c->salt);
  if (rv == 0 && c->keyref_tc) rv = efc_commit_with(cr, c->nonce_tc, "TC", c->station, c->lane, c->time_cs, c->salt);
  return rv;
}

static int time_proven(sec_world *w, unsigned idx, char *err, size_t errlen) {
  char path[400];
  issuer_db *db;
  sqlite3_stmt *s;
  int v = -1;
  snprintf(path, sizeof(path), "%s/claims.db", w->dir);
  if (issuer_db_open(&db, path, ISSUER_DB_READ, err, errlen) != 0) return -1;
  if (sqlite3_prepare_v2(issuer_db_sqlite(db), "SELECT time_proven FROM claims WHERE line_no = ?1", -1, &s, NULL) ==
      SQLITE_OK) {
    sqlite3_bind_int64(s, 1, (sqlite3_int64)idx + 1);
    if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
  }
  if (v < 0) sec_text_put(err, errlen, "%s: claim %u has no time_proven", path, idx + 1);
  issuer_db_close(db);
  return v;
}

static int run_mode(sec_world *w, sec_obe *a, int mode, t5_run *r, char *err, size_t errlen) {
  unsigned flags[SEC_CLAIMS_MAX], seq[SEC_CLAIMS_MAX];
  const unsigned unsound = ISSUER_BAD_MAC | ISSUER_MISMATCH | ISSUER_NO_KEY | ISSUER_BAD_COMMIT;
  sec_passage ps;
  efc_claim moved;
  int f;
  memset(r, 0, sizeof(*r));
  r->mode = mode;
  w->rcfg.nonce_mode = (uint8_t)mode;
  sec_world_rse_reset(w);
  if (sec_pass(w, a, &ps) != 0 || ps.claim < 0) {
    sec_text_put(err, errlen, "the genuine passage made no claim (%s)", ps.sequence);
    return -1;
  }
  if (sec_issuer_run(w, flags, seq, err, errlen) != 0) return -1;
  r->flags = flags[ps.claim];
  if ((r->time_proven = time_proven(w, (unsigned)ps.claim, err, errlen)) < 0) return -1;
  /* The user's story, checked by the issuer's own verification of one claim. */
  moved = w->claims[ps.claim];
  if (claim_move(w->crypto, &moved, T5_SHIFT_CS, 0) != 0 ||
      (f = issuer_verify_claim(w->crypto, &w->keys.issuer, &w->iopt, &moved)) < 0)
    goto bad;
  r->moved_time = (unsigned)f & ~r->flags;
  moved = w->claims[ps.claim];
  if (claim_move(w->crypto, &moved, 0, 1) != 0 ||
      (f = issuer_verify_claim(w->crypto, &w->keys.issuer, &w->iopt, &moved)) < 0)
    goto bad;
  r->moved_station = (unsigned)f & ~r->flags;
  r->refuted = !(r->flags & unsound) && r->moved_time;
  return 0;
bad:
  snprintf(err, errlen, "the issuer could not check a moved claim");
  return -1;
}

static const char *mode_name(int m) {
  return m == EFC_NONCE_COMMIT ? "commit" : m == EFC_NONCE_RANDOM ? "random" : "time";
}

static void run_text(char *out, size_t cap, const t5_run *r) {
  char g[64], t[64], s[64];
  issuer_flags_format(g, sizeof(g), r->flags);
  issuer_flags_format(t, sizeof(t), r->moved_time);
  issuer_flags_format(s, sizeof(s), r->moved_station);
  sec_text_put(out, cap, "%s: %s, time_proven %d, +1h %s, station+1 %s", mode_name(r->mode), g[0] ? g : "sound",
      r->time_proven, t[0] ? t : "unflagged", s[0] ? s : "unflagged");
}

int sec_t05_denial(sec_world *w, const sec_params *p, sec_outcome *out) {
  sec_obe a;
  t5_run r[2];
  char err[200], text[2][96];
  int other = p->nonce_mode == EFC_NONCE_COMMIT ? EFC_NONCE_RANDOM : EFC_NONCE_COMMIT;
  uint8_t kept = w->rcfg.nonce_mode;
  int rv = -1;
  err[0] = 0;
  if (sec_obe_make(w, &a, T5_ID, NULL) == 0 && run_mode(w, &a, p->nonce_mode, &r[0], err, sizeof(err)) == 0 &&
      run_mode(w, &a, other, &r[1], err, sizeof(err)) == 0) {
    run_text(text[0], sizeof(text[0]), &r[0]);
    run_text(text[1], sizeof(text[1]), &r[1]);
    out->passages = 2;
    /* A denial that stands leaves the operator a passage it cannot charge. */
    out->lost_charges = r[0].refuted ? 0 : 1;
    sec_outcome_set(out, r[0].refuted ? SEC_BY_ISSUER : SEC_NOT_DETECTED,
                    r[0].refuted ? "-" : "passage disowned, charge lost",
                    "refuted iff the claim moved in time is flagged; %s; %s", text[0], text[1]);
    rv = 0;
  } else {
    snprintf(out->evidence, sizeof(out->evidence), "%s", err[0] ? err : "set-up failed");
  }
  w->rcfg.nonce_mode = kept;
  sec_world_rse_reset(w);
  return rv;
}
