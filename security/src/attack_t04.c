/* T4 tampering: the user rewrites data on his own OBE after personalisation. He holds the
 * device (its persistent state and its profile), not the master keys, so whatever the OBE
 * then MACs it MACs with its genuine keys. Three rewrites, each measured through the lane,
 * the issuer and the status list:
 *   (a) the transaction counter set back (AutoPASS TC, EN 15509 EquipmentStatus counter);
 *   (b) the vehicle class lowered in the profile, for a cheaper tariff;
 *   (c) AutoPASS only: efcstatus bit 0 ("moved from its holder") cleared.
 * The row is the sub-case worst for the operator (undetected with a gain, then caught
 * later rather than sooner); the evidence gives all of them. */
#include <stdio.h>
#include <string.h>

#include "issuer/issuer_analyse.h"
#include "security/attack.h"

/* The OBEs of the three sub-cases: distinct ids, so one sub-case's claims never enter
 * another's sequence analysis. */
#define T4_ID_COUNTER 0x00d40001u
#define T4_ID_CLASS 0x00d40002u
#define T4_ID_MOVED 0x00d40003u
#define T4_ID_CLEARED 0x00d40004u

typedef struct {
  int detected;
  char gained[64];
  char text[96];
  unsigned passages, wrong, lost;
} t4_case;

/* Higher is worse for the operator: an undetected rewrite that gains something, then the
 * later defences before the earlier ones, and last an attack that gains nothing. */
static int severity(int d) {
  switch (d) {
  case SEC_NOT_DETECTED: return 4;
  case SEC_BY_STATUS_LIST: return 3;
  case SEC_BY_ISSUER: return 2;
  case SEC_AT_LANE: return 1;
  default: return 0;
  }
}

static uint16_t counter_of(const sec_world *w, const obe_state *st) {
  return w->profile == EFC_PROFILE_AUTOPASS ? st->autopass_tc : (uint16_t)(st->equipment_status & 0x0fff);
}

/* The user's rewrite of the counter in the OBE's persistent store. */
static void counter_set(const sec_world *w, obe_state *st, uint16_t v) {
  if (w->profile == EFC_PROFILE_AUTOPASS) st->autopass_tc = v;
  else st->equipment_status = (uint16_t)((st->equipment_status & 0xf000) | (v & 0x0fff));
}

static void seq_text(char *out, size_t cap, unsigned flags, unsigned seq) {
  char fl[64], sq[64];
  issuer_flags_format(fl, sizeof(fl), flags);
  issuer_seq_flags_format(sq, sizeof(sq), seq, 0);
  sec_text_put(out, cap, "%s%s%s", fl, fl[0] && sq[0] ? "," : "", sq);
  if (!out[0]) sec_text_put(out, cap, "none");
}

/* (a) Honest passages, then the counter set back by p->counter_back, then more passages. */
static int sub_counter(sec_world *w, const sec_params *p, t4_case *c, char *err, size_t errlen) {
  sec_obe a;
  sec_track pre, t;
  uint16_t before, after;
  char fl[96];
  if (sec_obe_make(w, &a, T4_ID_COUNTER, NULL) != 0) return -1;
  if (sec_track_obe(w, &a, p->passages, &pre, err, errlen) != 0) return -1;
  before = counter_of(w, &a.st);
  counter_set(w, &a.st, (uint16_t)(before - (uint16_t)p->counter_back));
  after = counter_of(w, &a.st);
  if (sec_track_obe(w, &a, p->passages, &t, err, errlen) != 0) return -1;
  c->detected = t.detected;
  c->passages = t.passages;
  c->lost = t.unpaid;
  /* Every claim carries a MAC the OBE made with its genuine keys: the user gains no
   * passage; what he changes is how his device's history reads. */
  sec_text_put(c->gained, sizeof(c->gained), "%s",
               t.detected == SEC_NOT_DETECTED ? "counter history rewritten" : "-");
  seq_text(fl, sizeof(fl), t.flags, t.seq);
  sec_text_put(c->text, sizeof(c->text), "counter %u->%u: lane %u/%u, issuer %u/%u (%s), list %u/%u", before, after,
      t.lane_caught, t.passages, t.issuer_flagged, t.claims, fl, t.listed, t.passages);
  return 0;
}

/* (b) One honest passage at the personalised class, then the class lowered to the cheapest
 * tariff's. A passage charged below the honest fee and flagged by nobody is a wrong charge. */
static int sub_class(sec_world *w, const sec_params *p, t4_case *c, char *err, size_t errlen) {
  sec_obe a;
  sec_track t;
  sec_passage honest;
  unsigned flags[SEC_CLAIMS_MAX], seq[SEC_CLAIMS_MAX], first, lower = 0, wrong = 0;
  uint8_t true_class, low = 0;
  uint32_t honest_fee, fee = 0;
  if (sec_obe_make(w, &a, T4_ID_CLASS, NULL) != 0) return -1;
  true_class = a.prof.vehicle_class;
  for (uint8_t k = 0; k < 8; k++)
    if (efc_tariff(k) < efc_tariff(low)) low = k;
  if (sec_pass(w, &a, &honest) != 0 || honest.claim < 0) {
    snprintf(err, errlen, "the honest passage made no claim");
    return -1;
  }
  honest_fee = w->claims[honest.claim].fee;
  first = w->nclaims;
  /* The OBE answers a GET of attribute 17 from its profile; the user rewrote it. */
  a.prof.vehicle_class = low;
  if (sec_track_obe(w, &a, p->passages, &t, err, errlen) != 0) return -1;
  if (sec_issuer_run(w, flags, seq, err, errlen) != 0) return -1;
  for (unsigned i = first; i < w->nclaims; i++) {
    const efc_claim *cl = &w->claims[i];
    fee = cl->fee;
    if (cl->fee < honest_fee) {
      lower++;
      if (cl->verdict == EFC_PASS && !flags[i] && !seq[i]) wrong++;
    }
  }
  c->passages = t.passages;
  c->wrong = wrong;
  c->lost = t.unpaid;
  if (!lower) {
    /* The fee did not move: the lane never took the class from the OBE. */
    c->detected = SEC_FAILED;
    sec_text_put(c->gained, sizeof(c->gained), "-");
    sec_text_put(c->text, sizeof(c->text), "class %u->%u: fee %u = honest %u (%s)", true_class, low, fee, honest_fee,
        strstr(honest.sequence, "GET.rq") ? "GET read it" : "no GET of it");
  } else {
    char fl[96];
    c->detected = t.detected;
    sec_text_put(c->gained, sizeof(c->gained), "lower fee (%u instead of %u)", fee, honest_fee);
    seq_text(fl, sizeof(fl), t.flags, t.seq);
    sec_text_put(c->text, sizeof(c->text), "class %u->%u: fee %u < %u in %u/%u, lane %u/%u, issuer %s", true_class,
                 low, fee, honest_fee, lower, t.claims, t.lane_caught, t.passages, fl);
  }
  return 0;
}

/* (c) An OBE whose moved-from-holder bit is set, and one whose user cleared it. Clearing
 * gains something only if a defence acts on the set bit. */
static int sub_efcstatus(sec_world *w, const sec_params *p, t4_case *c, char *err, size_t errlen) {
  sec_obe moved, cleared;
  sec_track tm, tc;
  unsigned first = w->nclaims, carried = 0;
  bool moved_caught;
  if (sec_obe_make(w, &moved, T4_ID_MOVED, NULL) != 0 || sec_obe_make(w, &cleared, T4_ID_CLEARED, NULL) != 0)
    return -1;
  moved.st.efcstatus |= 1;
  if (sec_track_obe(w, &moved, p->passages, &tm, err, errlen) != 0) return -1;
  for (unsigned i = first; i < w->nclaims; i++) carried += w->claims[i].efcstatus & 1;
  cleared.st.efcstatus = (uint8_t)(cleared.st.efcstatus & ~1u);
  if (sec_track_obe(w, &cleared, p->passages, &tc, err, errlen) != 0) return -1;
  moved_caught = tm.detected != SEC_NOT_DETECTED;
  c->passages = tc.passages;
  c->lost = tc.unpaid;
  c->detected = moved_caught ? tc.detected : SEC_FAILED;
  sec_text_put(c->gained, sizeof(c->gained), "%s",
               moved_caught && tc.detected == SEC_NOT_DETECTED ? "moved bit hidden" : "-");
  sec_text_put(c->text, sizeof(c->text), "moved bit in %u/%u claims: lane %u, issuer %u, list %u; cleared: %s",
               carried, tm.claims, tm.lane_caught, tm.issuer_flagged, tm.listed, sec_detect_name(tc.detected));
  return 0;
}

int sec_t04_tampering(sec_world *w, const sec_params *p, sec_outcome *out) {
  t4_case cs[3];
  unsigned n = 0, worst = 0;
  char err[200], text[3 * 96 + 8];
  size_t len = 0;
  memset(cs, 0, sizeof(cs));
  err[0] = 0;
  if (sub_counter(w, p, &cs[n], err, sizeof(err)) != 0) goto fail;
  n++;
  if (sub_class(w, p, &cs[n], err, sizeof(err)) != 0) goto fail;
  n++;
  /* efcstatus exists only in the AutoPASS answer; EN 15509 has no such bit. */
  if (w->profile == EFC_PROFILE_AUTOPASS) {
    if (sub_efcstatus(w, p, &cs[n], err, sizeof(err)) != 0) goto fail;
    n++;
  }
  for (unsigned i = 0; i < n; i++) {
    if (severity(cs[i].detected) > severity(cs[worst].detected) ||
        (cs[i].detected == cs[worst].detected && cs[i].wrong > cs[worst].wrong))
      worst = i;
    out->passages += cs[i].passages;
    out->wrong_charges += cs[i].wrong;
    out->lost_charges += cs[i].lost;
    len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s", i ? "; " : "", cs[i].text);
    if (len >= sizeof(text)) len = sizeof(text) - 1;
  }
  sec_outcome_set(out, cs[worst].detected, cs[worst].gained, "%s", text);
  return 0;
fail:
  snprintf(out->evidence, sizeof(out->evidence), "%s", err[0] ? err : "set-up failed");
  return -1;
}
