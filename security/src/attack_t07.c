/* T7 replay: a genuine passage is captured, and its OBE side played back into new sessions of
 * the lane's RSE, as efc-pcap replay --side obe does over UDP: the captured window request
 * and VST, then each live command answered with the next captured answer. Only layer 2 is
 * adapted (the answer's n bit and PDU number follow the live command, and it comes at once
 * with OK_OK); the T-APDUs go verbatim. The lane, the issuer and the status list then judge
 * the replays, and the victim's own next passage shows what the replays left behind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "efc/build.h"
#include "issuer/issuer_analyse.h"
#include "security/attack.h"

#define TXN_FRAMES 64

typedef struct {
  uint8_t oct[DSRC_FRAME_MAX];
  size_t len;
  bool uplink;
} cap_frame;

/* The victim's transaction as the capture holds it: every intact frame with its LID. */
typedef struct {
  uint32_t lid;
  cap_frame f[TXN_FRAMES];
  size_t n;
} cap_txn;

typedef struct {
  const cap_txn *t;
  size_t up;            /* next captured uplink to consider */
  size_t down;          /* next captured command to compare with */
  bool requested, sent_vst;
  bool have_llc;
  uint8_t last_llc;
  uint8_t last[DSRC_FRAME_MAX];
  size_t last_len;
  unsigned commands, differ; /* live commands, and those not identical to the captured ones */
} replayer;

/* Reads the capture back: the first transaction (the LID of the first window request). */
static int txn_read(const char *path, cap_txn *t, char *err, size_t errlen) {
  io_cap_reader *rd = io_cap_reader_open(path, err, errlen);
  io_cap_record r;
  int rv;
  memset(t, 0, sizeof(*t));
  if (!rd) return -1;
  while ((rv = io_cap_reader_next(rd, &r, err, errlen)) == 1) {
    dsrc_frame f;
    if ((r.flags & (IO_CAP_CORRUPTED | IO_CAP_COLLIDED)) || r.len > DSRC_FRAME_MAX ||
        dsrc_frame_decode(&f, r.frame, r.len) != 0 || f.lid_len != 4)
      continue;
    if (!t->lid && r.uplink && f.mac == DSRC_MAC_WINDOW_REQUEST) t->lid = f.lid;
    if (!t->lid || f.lid != t->lid || t->n >= TXN_FRAMES) continue;
    memcpy(t->f[t->n].oct, r.frame, r.len);
    t->f[t->n].len = r.len;
    t->f[t->n].uplink = r.uplink;
    t->n++;
  }
  io_cap_reader_close(rd);
  if (rv < 0) return -1;
  if (!t->n) {
    snprintf(err, errlen, "the capture holds no transaction");
    return -1;
  }
  return 0;
}

enum role { R_REQUEST, R_VST, R_ANSWER, R_COMMAND, R_OTHER };

static enum role role_of(const cap_frame *c) {
  dsrc_frame f;
  dsrc_tapdu t;
  unsigned pdu;
  if (dsrc_frame_decode(&f, c->oct, c->len) != 0) return R_OTHER;
  if (!c->uplink) return f.has_llc && dsrc_llc_is_acn(f.llc) && f.lsdu_len ? R_COMMAND : R_OTHER;
  if (f.mac == DSRC_MAC_WINDOW_REQUEST) return R_REQUEST;
  if (!f.lsdu_len) return R_OTHER; /* NE_OK: the answer follows later */
  if (f.mac == DSRC_MAC_UPLINK_COMMAND && dsrc_pdu_decode(&t, &pdu, f.lsdu, f.lsdu_len, NULL) > 0 &&
      t.kind == DSRC_VST)
    return R_VST;
  return R_ANSWER; /* an immediate answer, or a late one (UI) */
}

/* The next captured frame of role from *i on, or NULL. */
static const cap_frame *next_of(const cap_txn *t, size_t *i, enum role want) {
  for (; *i < t->n; (*i)++)
    if (role_of(&t->f[*i]) == want) return &t->f[(*i)++];
  return NULL;
}

/* The captured answer as an immediate answer to the live command: the command's n (inverted)
 * and PDU number, OK_OK, the T-APDU verbatim. */
static size_t answer_now(uint8_t *out, size_t cap, const cap_frame *c, uint32_t lid, const dsrc_frame *cmd) {
  dsrc_frame f;
  dsrc_ssize n;
  if (dsrc_frame_decode(&f, c->oct, c->len) != 0) return 0;
  n = efc_build_answer_now(out, cap, lid, cmd, f.lsdu, f.lsdu_len);
  return n > 0 ? (size_t)n : 0;
}

static bool same_lsdu(const cap_frame *c, const dsrc_frame *live) {
  dsrc_frame f;
  return dsrc_frame_decode(&f, c->oct, c->len) == 0 && f.lsdu_len == live->lsdu_len &&
         memcmp(f.lsdu, live->lsdu, f.lsdu_len) == 0;
}

static size_t replay_uplink(void *ctx, uint64_t t, const uint8_t *down, size_t down_len, unsigned w,
                            uint64_t window_start, uint8_t *out, size_t cap) {
  replayer *r = ctx;
  const cap_frame *c;
  dsrc_frame f;
  size_t len = 0;
  (void)t;
  (void)window_start;
  if (w != 0 || dsrc_frame_decode(&f, down, down_len) != 0) return 0;
  if (f.lid_len == 1) {
    /* A BST: the captured window request, once. */
    if (r->requested || !(f.mac & DSRC_MAC_A) || !(c = next_of(r->t, &r->up, R_REQUEST)) || c->len > cap) return 0;
    memcpy(out, c->oct, len = c->len);
    r->requested = true;
  } else if (r->requested && f.lid_len == 4 && f.lid == r->t->lid) {
    if (!f.has_llc && (f.mac & DSRC_MAC_A)) {
      /* An allocation: the VST first; later ones ask for the last frame again. */
      if (!r->sent_vst && (c = next_of(r->t, &r->up, R_VST)) && c->len <= cap) {
        memcpy(out, c->oct, len = c->len);
        r->sent_vst = true;
      } else if (r->sent_vst && r->last_len && r->last_len <= cap) {
        memcpy(out, r->last, len = r->last_len);
      }
    } else if (f.has_llc && dsrc_llc_is_acn(f.llc)) {
      if (r->have_llc && f.llc == r->last_llc && r->last_len && r->last_len <= cap) {
        memcpy(out, r->last, len = r->last_len); /* a repeated command: the same answer */
      } else {
        const cap_frame *was = next_of(r->t, &r->down, R_COMMAND);
        r->commands++;
        r->differ += !was || !same_lsdu(was, &f);
        if ((c = next_of(r->t, &r->up, R_ANSWER))) len = answer_now(out, cap, c, r->t->lid, &f);
      }
      r->have_llc = true;
      r->last_llc = f.llc;
    }
  }
  if (len) {
    memcpy(r->last, out, len);
    r->last_len = len;
  }
  return len;
}

static int replay_run(sec_world *w, const sec_params *p, sec_outcome *out, cap_txn *txn) {
  sec_obe victim;
  sec_passage ps, after;
  unsigned flags[SEC_CLAIMS_MAX], seq[SEC_CLAIMS_MAX], lane_caught = 0, listed = 0, claims = 0, flagged = 0;
  unsigned reasons = 0, fl = 0, sq = 0, commands = 0, differ = 0, charged = 0, unpaid = 0;
  int mine[SEC_CLAIMS_MAX], first_verdict = -1;
  bool passed[SEC_CLAIMS_MAX];
  char path[400], err[300], why[96], iss[96], sqs[64], vwhy[64];
  memset(flags, 0, sizeof(flags));
  memset(seq, 0, sizeof(seq));
  if (sec_obe_make_single(w, &victim, 0x00e0e007) != 0) return -1;
  /* The genuine passage, captured. */
  if (sec_world_capture(w, "t07.pcap", path, sizeof(path), err, sizeof(err)) != 0) goto fail;
  if (sec_pass(w, &victim, &ps) != 0) goto fail;
  if (sec_world_capture_stop(w, err, sizeof(err)) != 0) goto fail;
  if (txn_read(path, txn, err, sizeof(err)) != 0) goto fail;

  /* The replays, each a new session; the issuer and its status list after each. */
  for (unsigned i = 0; i < p->passages; i++) {
    replayer r;
    memset(&r, 0, sizeof(r));
    r.t = txn;
    if (sec_pass_driven(w, replay_uplink, &r, &ps) != 0) {
      snprintf(err, sizeof(err), "replay %u could not run", i + 1);
      goto fail;
    }
    commands += r.commands;
    differ += r.differ;
    if (i == 0) first_verdict = ps.done ? ps.verdict : -1;
    if (!ps.done || ps.verdict != EFC_PASS) {
      if (ps.reasons & EFC_WHY_STATUS_LIST) listed++;
      else lane_caught++;
    }
    reasons |= ps.reasons;
    mine[i] = ps.claim;
    passed[i] = ps.done && ps.verdict == EFC_PASS;
    if (ps.claim >= 0) claims++;
    if (sec_issuer_run(w, flags, seq, err, sizeof(err)) != 0 || sec_world_status_refresh(w, err, sizeof(err)) < 0)
      goto fail;
  }
  for (unsigned i = 0; i < p->passages; i++) {
    unsigned f;
    if (mine[i] < 0) continue;
    f = flags[mine[i]] & ~(unsigned)ISSUER_UNBOUND;
    fl |= flags[mine[i]];
    sq |= seq[mine[i]];
    flagged += f || seq[mine[i]];
    /* A replay the issuer takes as sound is charged to the victim's contract. */
    if (passed[i] && !f) charged++;
    if (passed[i] && f) unpaid++;
  }
  /* What the replays left for the victim at its own next passage. */
  if (sec_pass(w, &victim, &after) != 0) goto fail;

  efc_reasons_format(why, sizeof(why), reasons);
  issuer_flags_format(iss, sizeof(iss), fl);
  issuer_seq_flags_format(sqs, sizeof(sqs), sq, 0);
  efc_reasons_format(vwhy, sizeof(vwhy), after.reasons);
  out->passages = p->passages;
  out->wrong_charges = charged;
  out->lost_charges = unpaid;
  {
    int d = first_verdict != EFC_PASS ? SEC_AT_LANE
            : flagged                 ? SEC_BY_ISSUER
            : listed                  ? SEC_BY_STATUS_LIST
                                      : SEC_NOT_DETECTED;
    sec_outcome_set(out, d, charged ? "passages charged to the victim" : "-",
                    "%u replays: lane caught %u, list %u (%s); %u/%u live commands differ from the capture; issuer: "
                    "%s%s%s %u/%u; victim next: %s%s%s%s",
                    p->passages, lane_caught, listed, why[0] ? why : "pass", differ, commands,
                    iss[0] ? iss : (sqs[0] ? "" : "sound"), iss[0] && sqs[0] ? "," : "", sqs, flagged, claims,
                    efc_verdict_name(after.verdict), vwhy[0] ? " (" : "", vwhy, vwhy[0] ? ")" : "");
  }
  return 0;
fail:
  sec_world_capture_abort(w);
  snprintf(out->evidence, sizeof(out->evidence), "%.180s", err);
  return -1;
}

int sec_t07_replay(sec_world *w, const sec_params *p, sec_outcome *out) {
  /* A few kilobytes: off the stack, and one per call, since cells run on several threads. */
  cap_txn *txn = calloc(1, sizeof(*txn));
  int rv;
  if (!txn) {
    snprintf(out->evidence, sizeof(out->evidence), "out of memory");
    return -1;
  }
  rv = replay_run(w, p, out, txn);
  free(txn);
  return rv;
}
