/* The transaction half of the RSE: profile choice from the VST, the commands of each
 * profile (docs/profiles.md), their answers, and the lane verification the toll
 * charger can do with its keys (MAC2, MAC_TC, the AC_CR it must present). */
#include <string.h>

#include "dsrc/efc.h"
#include "dsrc/keys.h"
#include "efc/msg.h"
#include "rse/verify.h"
#include "rse_internal.h"

static const char *const step_rq[] = {"GET_SECURE.rq", "GET_STAMPED.rq", "GET_STAMPED.rq", "GET.rq",
                                      "SET.rq",        "SET_MMI.rq",     "RELEASE"};
static const char *const step_rs[] = {"GET_SECURE.rs", "GET_STAMPED.rs", "GET_STAMPED.rs", "GET.rs",
                                      "SET.rs",        "SET_MMI.rs",     "RELEASE"};

/* The session's access credentials (Level 1 and AES), from the operator's MAcK. Without the
 * key the RSE goes on without credentials, as an unauthorised reader would. */
static void access_credentials(rse_engine *r, rse_session *s) {
  unsigned why = rse_access_credentials(r->crypto, r->cfg->keys, s->profile, s->ac_cr_ref, s->rnd_obe, s->ac_cr);
  s->out.claim.reasons |= why;
  s->have_ac_cr = why == 0;
}

int rse_txn_start(rse_engine *r, rse_session *s, const dsrc_vst *vst, uint64_t t) {
  const dsrc_application *a = NULL;
  efc_claim *c = &s->out.claim;
  int p = -1;
  for (unsigned i = 0; i < r->cfg->nprofiles && !a; i++) {
    p = r->cfg->profiles[i];
    a = rse_vst_app(vst, p);
  }
  c->station = r->cfg->station;
  c->lane = r->cfg->lane;
  c->beacon = r->cfg->beacon;
  c->nonce_mode = r->cfg->nonce_mode;
  c->time_cs = rse_time_cs(r, t);
  c->vehicle_class = 2;
  if (!a) return -1;
  s->profile = c->profile = p;
  s->eid = a->eid;
  memcpy(s->context_mark, a->parameter.data, 6);
  memcpy(c->provider, a->parameter.data, 3);
  if (c->nonce_mode == EFC_NONCE_COMMIT) dsrc_rng_bytes(&r->rng, c->salt, sizeof(c->salt));
  s->nsteps = 0;
  if (p == EFC_PROFILE_AUTOPASS) {
    s->steps[s->nsteps++] = RSE_STEP_GET_SECURE;
    if (r->cfg->autopass_set_mmi) s->steps[s->nsteps++] = RSE_STEP_SET_MMI;
  } else {
    c->level = (uint8_t)efc_profile_level(p);
    if (c->level) {
      memcpy(s->ac_cr_ref, a->parameter.data + 8, 2);
      memcpy(s->rnd_obe, a->parameter.data + 12, 4);
      access_credentials(r, s);
    }
    s->steps[s->nsteps++] = RSE_STEP_GET_STAMPED_TSP;
    s->steps[s->nsteps++] = RSE_STEP_GET_STAMPED_TC;
    if (r->cfg->en15509_get) s->steps[s->nsteps++] = RSE_STEP_GET;
    if (r->cfg->en15509_set) s->steps[s->nsteps++] = RSE_STEP_SET;
    if (r->cfg->en15509_set_mmi) s->steps[s->nsteps++] = RSE_STEP_SET_MMI;
  }
  s->steps[s->nsteps++] = RSE_STEP_RELEASE;
  s->step = 0;
  return 0;
}

/* RND-1 or a GET_STAMPED nonce, by the configured mode. */
static int draw_nonce(rse_engine *r, rse_session *s, const char *label, uint64_t t, uint8_t out[4]) {
  efc_claim *c = &s->out.claim;
  int64_t now = rse_time_cs(r, t);
  switch (c->nonce_mode) {
  case EFC_NONCE_RANDOM:
    dsrc_rng_bytes(&r->rng, out, 4);
    return 0;
  case EFC_NONCE_TIME:
    dsrc_autopass_time_octets(out, (uint32_t)now);
    return 0;
  default:
    return efc_commit_with(r->crypto, out, label, c->station, c->lane, c->time_cs, c->salt);
  }
}

/* The session's AC_CR for a command, NULL without. */
static const uint8_t *credentials(const rse_session *s) { return s->have_ac_cr ? s->ac_cr : NULL; }

int rse_txn_command(rse_engine *r, rse_session *s, uint64_t t) {
  dsrc_tapdu q;
  efc_claim *c = &s->out.claim;
  uint8_t kind = s->steps[s->step];
  dsrc_ssize n;
  switch (kind) {
  case RSE_STEP_GET_SECURE:
    c->time_cs = rse_time_cs(r, t);
    dsrc_autopass_time_octets(c->t, (uint32_t)c->time_cs);
    if (draw_nonce(r, s, "RND-1", t, c->rnd1) != 0) return -1;
    c->keygen = r->cfg->keys ? (uint8_t)(r->cfg->keys->generation << 4 | r->cfg->keys->generation) : 0x11;
    efc_msg_get_secure(&q, s->eid, c->rnd1, c->t, c->keygen);
    break;
  case RSE_STEP_GET_STAMPED_TSP:
  case RSE_STEP_GET_STAMPED_TC: {
    bool tsp = kind == RSE_STEP_GET_STAMPED_TSP;
    uint8_t *nonce = tsp ? c->nonce_tsp : c->nonce_tc, *key_ref = tsp ? &c->keyref_tsp : &c->keyref_tc;
    if (tsp) c->time_cs = rse_time_cs(r, t);
    if (draw_nonce(r, s, tsp ? "TSP" : "TC", t, nonce) != 0) return -1;
    *key_ref = tsp ? r->cfg->keyref_tsp : r->cfg->keyref_tc;
    efc_msg_get_stamped(&q, s->eid, credentials(s), &r->cfg->stamped_ids, *key_ref, nonce);
    break;
  }
  case RSE_STEP_GET:
    efc_msg_get(&q, s->eid, credentials(s), &r->cfg->vehicle_ids);
    break;
  case RSE_STEP_SET:
    efc_msg_set_counter(&q, s->eid, credentials(s), (uint16_t)(c->counter + 1));
    break;
  case RSE_STEP_SET_MMI:
    rse_txn_verdict(r, s, true);
    dsrc_tapdu_init(&q, DSRC_ACTION_RQ);
    q.u.action_rq.mode = true;
    q.u.action_rq.eid = 0;
    q.u.action_rq.type = DSRC_ACT_SET_MMI;
    q.u.action_rq.has_parameter = true;
    q.u.action_rq.parameter.kind = DSRC_C_SETMMIRQ;
    q.u.action_rq.parameter.u.set_mmi = c->verdict == EFC_PASS ? 0 : 1;
    break;
  default:
    return -1;
  }
  s->n = (uint8_t)!s->n;
  s->pdu = (uint8_t)(s->pdu >= 15 || s->pdu < 2 ? 2 : s->pdu + 1);
  n = dsrc_pdu_encode(s->command, sizeof(s->command), s->pdu, &q);
  if (n < 0) return -1;
  s->command_len = (size_t)n;
  rse_seq_add(s, step_rq[kind]);
  return 0;
}

static void verify_mac2(rse_engine *r, rse_session *s) {
  if (r->cfg->verify_at_lane) s->out.claim.reasons |= rse_verify_mac2(r->crypto, r->cfg->keys, &s->out.claim);
}

static void verify_mac_tc(rse_engine *r, rse_session *s, const uint8_t *attrlist, size_t len) {
  if (r->cfg->verify_at_lane)
    s->out.claim.reasons |= rse_verify_mac_tc(r->crypto, r->cfg->keys, &s->out.claim, attrlist, len);
}

/* The answer's single PDU, with the PDU number of the command. */
static int answer_pdu(rse_session *s, const uint8_t *lsdu, size_t len, dsrc_tapdu *a) {
  unsigned pdu;
  dsrc_ssize n = dsrc_pdu_decode(a, &pdu, lsdu, len, NULL);
  return (n < 0 || pdu != s->pdu) ? -1 : 0;
}

/* An access denial ends the useful part: only SET_MMI and RELEASE remain. */
static void denied(rse_session *s) {
  s->out.claim.reasons |= EFC_WHY_ACCESS;
  while (s->step + 1 < s->nsteps && s->steps[s->step + 1] != RSE_STEP_SET_MMI &&
         s->steps[s->step + 1] != RSE_STEP_RELEASE)
    s->step++;
}

/* a: the T-APDU decoded from lsdu (len octets, the fragmentation header first). */
static int on_stamped(rse_engine *r, rse_session *s, const dsrc_tapdu *a, const uint8_t *lsdu, size_t len, bool tsp) {
  const dsrc_action_rs *rs = &a->u.action_rs;
  const dsrc_gstrs *g;
  efc_claim *c = &s->out.claim;
  uint8_t attrlist[EFC_ATTRLIST_MAX];
  dsrc_ssize n;
  if (rs->has_ret && rs->ret == DSRC_RET_ACCESS_DENIED) {
    denied(s);
    return 0;
  }
  if (!(g = efc_msg_stamped_rs(a))) return -1;
  efc_claim_read_attrs(c, a, g->list);
  /* The authenticator covers the list as the OBE encoded it: its bits as received (a
   * frame's T-APDU always has its positions; without them the copy is empty and the
   * authenticator fails). */
  n = dsrc_bits_copy(attrlist, sizeof(attrlist), lsdu + 1, len - 1, g->list_from, g->list_to);
  if (n < 0) return -1;
  if (tsp) {
    memcpy(c->attrlist, attrlist, (size_t)n);
    c->attrlist_len = (uint8_t)n;
    memcpy(c->mac_tsp, g->authenticator.data, 4);
  } else {
    memcpy(c->mac_tc, g->authenticator.data, 4);
    verify_mac_tc(r, s, attrlist, (size_t)n);
    s->lane_checked = true;
  }
  return 0;
}

int rse_txn_answer(rse_engine *r, rse_session *s, const uint8_t *lsdu, size_t len, uint64_t t) {
  dsrc_tapdu a;
  efc_claim *c = &s->out.claim;
  uint8_t kind = s->steps[s->step];
  (void)t;
  if (answer_pdu(s, lsdu, len, &a) != 0) return -1;
  switch (kind) {
  case RSE_STEP_GET_SECURE: {
    const uint8_t *p;
    if (a.kind != DSRC_ACTION_RS) return -1;
    if (!(p = efc_msg_secure_rs(&a))) {
      c->reasons |= EFC_WHY_PROTOCOL;
      break;
    }
    efc_claim_read_secure(c, p);
    if (p[11] != c->keygen) c->reasons |= EFC_WHY_PROTOCOL;
    verify_mac2(r, s);
    s->lane_checked = true;
    break;
  }
  case RSE_STEP_GET_STAMPED_TSP:
  case RSE_STEP_GET_STAMPED_TC:
    if (a.kind != DSRC_ACTION_RS || on_stamped(r, s, &a, lsdu, len, kind == RSE_STEP_GET_STAMPED_TSP) != 0) return -1;
    break;
  case RSE_STEP_GET:
    if (a.kind != DSRC_GET_RS) return -1;
    if (a.u.get_rs.has_ret && a.u.get_rs.ret == DSRC_RET_ACCESS_DENIED) {
      denied(s);
      break;
    }
    for (unsigned i = 0; a.u.get_rs.has_attrs && i < a.u.get_rs.attrs.count; i++) {
      const dsrc_attribute *at = dsrc_tapdu_attr(&a, a.u.get_rs.attrs, i);
      if (at->id == DSRC_ATTR_CLASS && at->value.kind == DSRC_C_VEHCLASS)
        c->vehicle_class = at->value.u.vehicle_class.un_ece;
    }
    break;
  case RSE_STEP_SET:
    if (a.kind != DSRC_SET_RS) return -1;
    if (a.u.set_rs.has_ret && a.u.set_rs.ret == DSRC_RET_ACCESS_DENIED) denied(s);
    else if (a.u.set_rs.has_ret && a.u.set_rs.ret != 0) c->reasons |= EFC_WHY_PROTOCOL;
    break;
  case RSE_STEP_SET_MMI:
    if (a.kind != DSRC_ACTION_RS) return -1;
    break;
  default:
    return -1;
  }
  rse_seq_add(s, step_rs[kind]);
  s->step++;
  s->out.steps_done++;
  return 0;
}

void rse_txn_verdict(rse_engine *r, rse_session *s, bool complete) {
  efc_claim *c = &s->out.claim;
  enum efc_list_action act = EFC_LIST_NONE;
  if (!complete) c->reasons |= EFC_WHY_INCOMPLETE;
  if (c->has_obuid && r->cfg->status) act = efc_status_list_lookup(r->cfg->status, c->obuid);
  if (act != EFC_LIST_NONE) c->reasons |= EFC_WHY_STATUS_LIST;
  if (!s->lane_checked && r->cfg->verify_at_lane &&
      !(c->reasons & (EFC_WHY_ACCESS | EFC_WHY_PROTOCOL | EFC_WHY_NO_KEYS)))
    c->reasons |= EFC_WHY_INCOMPLETE;
  c->verdict = act == EFC_LIST_REJECT ? EFC_REJECT : (c->reasons ? EFC_PHOTOGRAPH : EFC_PASS);
  c->fee = efc_tariff(c->vehicle_class);
}
