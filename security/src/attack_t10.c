/* T10 the operator manipulates the transaction counter. Under EN 15509 (and the AES profile,
 * which runs the Level 1 flow) the counter lives in EquipmentStatus (attr 26) and the RSE
 * writes it with SET; AutoPASS's TC belongs to the OBE, which advances it on every
 * GET_SECURE (docs/crypto.md). A dishonest operator's reader, holding the operator's access
 * keys, opens a session with an OBE between its genuine passages and SETs attr 26 back by
 * p->counter_back on the application the lane runs. Measured: the OBE's answer to the SET,
 * the counter it gives before and after, the counters of the genuine passages that follow,
 * the issuer's analysis of all the OBE's claims, and what the status list then does to the
 * OBE's next passage. The issuer sees only the OBE's claims: whatever it flags it blames on
 * the OBE (a clone), never on the operator who wrote the counter. */
#include <stdio.h>
#include <string.h>

#include "issuer/issuer_analyse.h"
#include "dsrc/efc.h"
#include "efc/msg.h"
#include "rse/verify.h"
#include "security/attack.h"

#define T10_OBUID 0x00c7e110u
#define T10_READER_BEACON 7001u

static const char *ret_name(unsigned ret) {
  /* ReturnStatus of EN 12834 */
  static const char *const names[] = {"noError",           "accessDenied", "argumentError", "complexityLimitation",
                                      "processingFailure", "processing",   "chainingError"};
  return ret < sizeof(names) / sizeof(names[0]) ? names[ret] : "?";
}

/* The reader's session with the application of w's profile: its eid and, for Level 1 and
 * AES, the access credentials from the operator's MAcK (what the operator's RSE computes). */
typedef struct {
  uint8_t eid;
  bool has_cred;
  uint8_t cred[4];
} t10_app;

static int app_find(sec_world *w, const sec_reader *r, t10_app *a) {
  const dsrc_application *app = rse_vst_app(&r->vst.u.vst, w->profile);
  memset(a, 0, sizeof(*a));
  if (!app) return -1;
  a->eid = app->eid;
  if (app->parameter.len == 16) {
    if (rse_access_credentials(w->crypto, &w->keys.op, w->profile, app->parameter.data + 8,
                               app->parameter.data + 12, a->cred) != 0)
      return -1;
    a->has_cred = true;
  }
  return 0;
}

static const uint8_t *creds(const t10_app *a) { return a->has_cred ? a->cred : NULL; }

/* GET of attr 26: the counter, or -1 when the OBE gave none. */
static int counter_get(sec_reader *r, const t10_app *a) {
  static const dsrc_attr_ids status = {1, {DSRC_ATTR_STATUS}};
  dsrc_tapdu q, rs;
  efc_msg_get(&q, a->eid, creds(a), &status);
  if (sec_reader_ask(r, &q, &rs) != 0 || rs.kind != DSRC_GET_RS || !rs.u.get_rs.has_attrs) return -1;
  for (unsigned i = 0; i < rs.u.get_rs.attrs.count; i++) {
    const dsrc_attribute *at = dsrc_tapdu_attr(&rs, rs.u.get_rs.attrs, i);
    if (at->id == DSRC_ATTR_STATUS && at->value.kind == DSRC_C_EQUSTAT) return at->value.u.status.counter;
  }
  return -1;
}

/* SET of attr 26 to value: the ReturnStatus, or -1 when no answer came. */
static int counter_set(sec_reader *r, const t10_app *a, uint16_t value) {
  dsrc_tapdu q, rs;
  efc_msg_set_counter(&q, a->eid, creds(a), value);
  if (sec_reader_ask(r, &q, &rs) != 0 || rs.kind != DSRC_SET_RS) return -1;
  return rs.u.set_rs.has_ret ? rs.u.set_rs.ret : 0;
}

/* A claim's counter: AutoPASS's TC or EN 15509's EquipmentStatus counter, as the OBE gave it. */
static unsigned claim_counter(const efc_claim *c) {
  return c->profile == EFC_PROFILE_AUTOPASS ? c->tc : c->counter;
}

/* "a,b,c,d" and ",.." when there are more than four. */
static void values_format(char *out, size_t cap, const unsigned *v, unsigned n) {
  size_t k = 0;
  out[0] = 0;
  for (unsigned i = 0; i < n && i < 4 && k < cap; i++) {
    int m = snprintf(out + k, cap - k, "%s%u", i ? "," : "", v[i]);
    if (m > 0) k += (size_t)m;
  }
  if (n > 4 && k < cap) snprintf(out + k, cap - k, ",..");
}

int sec_t10_counter_manipulation(sec_world *w, const sec_params *p, sec_outcome *out) {
  sec_obe a;
  sec_reader r;
  dsrc_beacon_id beacon;
  t10_app app;
  sec_passage ps;
  unsigned flags[SEC_CLAIMS_MAX], seq[SEC_CLAIMS_MAX], after[SEC_CLAIMS_MAX], nafter = 0, before_last = 0;
  unsigned flagged = 0, seq_union = 0, range = w->profile == EFC_PROFILE_AUTOPASS ? 65536u : 4096u;
  unsigned held, target, expect, judged;
  int read_before = -1, read_after = -1, set_ret;
  bool went_back;
  char err[200], vals[40], sq[64], why[64], reads[48];
  const char *counter_name = w->profile == EFC_PROFILE_AUTOPASS ? "TC" : "counter";

  if (sec_obe_make(w, &a, T10_OBUID, NULL) != 0) return -1;
  /* Genuine passages first, so the issuer holds the OBE's history. */
  for (unsigned i = 0; i < p->passages; i++) {
    if (sec_pass(w, &a, &ps) != 0 || ps.claim < 0) {
      snprintf(out->evidence, sizeof(out->evidence), "genuine passage %u made no claim", i + 1);
      return -1;
    }
    before_last = claim_counter(&w->claims[ps.claim]);
  }

  /* The dishonest operator's reader: a beacon of its own away from the lane, the
   * operator's keys. */
  beacon = w->rcfg.beacon;
  beacon.individual_id = T10_READER_BEACON;
  obe_sleep(&a.o);
  if (sec_reader_open(&r, w, &a.o, &beacon) != 0 || app_find(w, &r, &app) != 0) {
    snprintf(out->evidence, sizeof(out->evidence), "the operator's reader got no session");
    return -1;
  }
  /* AutoPASS exposes no attribute holding its TC (its application's GET of attr 26 gives
   * the EquipmentStatus of the OBE's EN 15509 contract), so there the operator takes the
   * TC from the last claim. Attr 26 carries 12 bits: that is all a SET can say. */
  if (w->profile != EFC_PROFILE_AUTOPASS) read_before = counter_get(&r, &app);
  held = read_before >= 0 ? (unsigned)read_before : before_last;
  target = (held + range - (unsigned)p->counter_back % range) % range;
  set_ret = counter_set(&r, &app, (uint16_t)(target & 0x0fff));
  if (w->profile != EFC_PROFILE_AUTOPASS) read_after = counter_get(&r, &app);
  sec_reader_close(&r);
  /* The vehicle reaches the gantry later. */
  w->l.now += UINT64_C(300000000000);

  /* Genuine passages continue. */
  for (unsigned i = 0; i < p->passages; i++) {
    if (sec_pass(w, &a, &ps) != 0 || ps.claim < 0) {
      snprintf(out->evidence, sizeof(out->evidence), "passage %u after the SET made no claim", i + 1);
      return -1;
    }
    after[nafter++] = claim_counter(&w->claims[ps.claim]);
  }
  if (sec_issuer_run(w, flags, seq, err, sizeof(err)) != 0 || sec_world_status_refresh(w, err, sizeof(err)) < 0) {
    snprintf(out->evidence, sizeof(out->evidence), "%s", err);
    return -1;
  }
  judged = w->nclaims;
  for (unsigned i = 0; i < judged; i++) {
    if (flags[i] || seq[i]) flagged++;
    seq_union |= seq[i];
  }
  /* The OBE's next passage meets the list the issuer wrote from those claims. */
  if (sec_pass(w, &a, &ps) != 0) return -1;
  out->passages = nafter + 1;

  /* The counter went back when the OBE's own answer after the SET, the first claim's, is
   * the value written (AutoPASS: one more, as GET_SECURE advances the TC first) instead of
   * what followed the value it held: what the OBE did, not what was asked of it. */
  expect = w->profile == EFC_PROFILE_AUTOPASS ? (target + 1) % range : target;
  went_back = set_ret == DSRC_RET_NO_ERROR && target != held && after[0] == expect;
  values_format(vals, sizeof(vals), after, nafter);
  issuer_seq_flags_format(sq, sizeof(sq), seq_union, 0);
  efc_reasons_format(why, sizeof(why), ps.reasons);
  if (read_before >= 0)
    snprintf(reads, sizeof(reads), ", GET read %d then %d", read_before, read_after);
  else
    reads[0] = 0;

  if (!went_back) {
    /* Refused, or taken without effect: the OBE's counter kept counting. */
    sec_outcome_set(out, SEC_FAILED, "-",
                    "SET attr 26 to %u answered %s%s; %s %u before, claims after %s; issuer: %u/%u claims "
                    "flagged%s%s%s",
                    target & 0x0fff, set_ret < 0 ? "nothing" : ret_name((unsigned)set_ret), reads, counter_name, held,
                    vals, flagged, judged, sq[0] ? " (" : "", sq, sq[0] ? ")" : "");
    return 0;
  }
  {
    /* The issuer can only read the repeated values as two devices answering as one OBE. */
    bool caught = (seq_union & (ISSUER_SEQ_DUPLICATE | ISSUER_SEQ_BACKWARDS)) != 0;
    bool blamed = ps.verdict != EFC_PASS && (ps.reasons & EFC_WHY_STATUS_LIST);
    char gained[SEC_TEXT];
    snprintf(gained, sizeof(gained), "%s set back by %d%s", counter_name, p->counter_back,
             blamed ? "; the honest OBE listed as a clone" : "");
    sec_outcome_set(out, caught ? SEC_BY_ISSUER : SEC_NOT_DETECTED, gained,
                    "SET attr 26 answered %s%s; claims after %s; issuer: %u/%u flagged%s%s%s; next passage %s%s%s%s",
                    ret_name((unsigned)set_ret), reads, vals, flagged, judged, sq[0] ? " (" : "", sq,
                    sq[0] ? ")" : "", efc_verdict_name(ps.verdict), why[0] ? " (" : "", why, why[0] ? ")" : "");
  }
  return 0;
}
