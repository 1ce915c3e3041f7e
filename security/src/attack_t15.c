/* T15 fake passages from a modified RSE: an insider's RSE reports passages of OBEs that
 * were not at the gantry. Four ways, one OBE each, every one a real customer's OBE the
 * insider has seen before:
 *
 *   made-up MAC      a claim built from the OBE's earlier claim for a later time: next
 *                    counter, fresh salt and commitments, random MAC1 / MAC_TSP
 *   re-dated         the OBE's genuine earlier claim sent again as a passage an hour later,
 *                    its MACs, salt and nonces copied
 *   capture replayed the GET_SECURE / GET_STAMPED exchange of a genuine passage, recorded
 *                    on the air (w's capture, read back with io_cap_reader), put into a claim
 *                    for a later time with a fresh salt
 *   read elsewhere   the insider's reader, away from the gantry but giving the gantry's
 *                    beacon, asks an OBE the lane's questions with nonces committed to the
 *                    gantry's station and its own clock, and files the answer as a passage
 *
 * The issuer judges every claim with w->iopt; a fake it leaves unflagged is a wrong charge.
 * The OBE of the last way then drives through the gantry for real, so the issuer's counter
 * analysis sees its whole history. */
#include <stdio.h>
#include <string.h>

#include "issuer/issuer_analyse.h"
#include "dsrc/keys.h"
#include "efc/msg.h"
#include "rse/verify.h"
#include "security/attack.h"

#define T15_OBUID 0x00c15a00u
#define T15_HOUR_CS INT64_C(360000)
#define T15_LATER_NS UINT64_C(300000000000) /* the vehicle's next trip, as sec_pass spaces them */
/* The class the lane's RSE gives a vehicle (rse_txn_start) until a GET says otherwise. */
#define T15_CLASS 2

enum { F_MADE_UP, F_REDATED, F_CAPTURE, F_ELSEWHERE, F_COUNT };
static const char *const fake_names[F_COUNT] = {"made-up MAC", "re-dated", "capture replayed", "read elsewhere"};

static int64_t clock_cs(const sec_world *w, uint64_t t) { return w->rcfg.epoch_cs + (int64_t)(t / 10000000u); }

static int commit(sec_world *w, efc_claim *c, const char *label, uint8_t out[4]) {
  return efc_commit_with(w->crypto, out, label, c->station, c->lane, c->time_cs, c->salt);
}

/* ---- made-up MAC ---- */

static int made_up(sec_world *w, const dsrc_rng *g, const efc_claim *from, efc_claim *c) {
  *c = *from;
  c->time_cs += T15_HOUR_CS;
  dsrc_rng_bytes(g, c->salt, sizeof(c->salt));
  if (c->profile == EFC_PROFILE_AUTOPASS) {
    c->tc = (uint16_t)(c->tc + 1);
    dsrc_autopass_time_octets(c->t, (uint32_t)c->time_cs);
    dsrc_rng_bytes(g, c->rnd2, 4);
    dsrc_rng_bytes(g, c->mac1, 4);
    dsrc_rng_bytes(g, c->mac2, 4);
    return commit(w, c, "RND-1", c->rnd1);
  }
  if (efc_claim_counter_set(c, (uint16_t)((c->counter + 1) & 0x0fff)) != 0) return -1;
  dsrc_rng_bytes(g, c->mac_tsp, 4);
  dsrc_rng_bytes(g, c->mac_tc, 4);
  return commit(w, c, "TSP", c->nonce_tsp) || commit(w, c, "TC", c->nonce_tc) ? -1 : 0;
}

/* ---- capture replayed ---- */

/* The transaction's fields as they went over the air, into c. Returns 0 when the capture
 * held the security exchange's questions and answers. */
static int from_capture(sec_world *w, const char *path, efc_claim *c, char *err, size_t errlen) {
  io_cap_reader *rd = io_cap_reader_open(path, err, errlen);
  io_cap_record rec;
  enum { X_NONE, X_SECURE, X_TSP, X_TC } expect = X_NONE;
  bool got_secure = false, got_tsp = false, got_tc = false;
  int rv;
  if (!rd) return -1;
  while ((rv = io_cap_reader_next(rd, &rec, err, errlen)) == 1) {
    dsrc_frame h;
    dsrc_tapdu t;
    unsigned pdu;
    if (rec.flags || dsrc_frame_decode(&h, rec.frame, rec.len) != 0 || !h.lsdu_len ||
        dsrc_pdu_decode(&t, &pdu, h.lsdu, h.lsdu_len, NULL) < 0)
      continue;
    if (!rec.uplink && t.kind == DSRC_ACTION_RQ && t.u.action_rq.has_parameter) {
      const uint8_t *secure = efc_msg_secure_rq(&t);
      const dsrc_gstrq *stamped = efc_msg_stamped_rq(&t);
      if (secure) {
        efc_claim_read_secure_rq(c, secure);
        expect = X_SECURE;
      } else if (stamped) {
        bool tsp = dsrc_en15509_keyref_role(stamped->key_ref) == DSRC_MAC_ROLE_TSP;
        memcpy(tsp ? c->nonce_tsp : c->nonce_tc, stamped->nonce.data, 4);
        *(tsp ? &c->keyref_tsp : &c->keyref_tc) = stamped->key_ref;
        expect = tsp ? X_TSP : X_TC;
      }
    } else if (rec.uplink && t.kind == DSRC_VST) {
      const dsrc_application *a = rse_vst_app(&t.u.vst, w->profile);
      if (a) {
        memcpy(c->provider, a->parameter.data, 3);
        c->level = a->parameter.len == 16;
      }
    } else if (rec.uplink && t.kind == DSRC_ACTION_RS && t.u.action_rs.has_parameter) {
      const uint8_t *secure = efc_msg_secure_rs(&t);
      const dsrc_gstrs *g = efc_msg_stamped_rs(&t);
      if (expect == X_SECURE && secure) {
        efc_claim_read_secure(c, secure);
        got_secure = true;
      } else if ((expect == X_TSP || expect == X_TC) && g) {
        if (expect == X_TSP) {
          dsrc_ssize n = dsrc_attr_list_encode(c->attrlist, sizeof(c->attrlist), &t, g->list);
          if (n < 0) continue;
          c->attrlist_len = (uint8_t)n;
          memcpy(c->mac_tsp, g->authenticator.data, 4);
          efc_claim_read_attrs(c, &t, g->list);
          got_tsp = true;
        } else {
          memcpy(c->mac_tc, g->authenticator.data, 4);
          got_tc = true;
        }
      }
      expect = X_NONE;
    }
  }
  io_cap_reader_close(rd);
  if (rv < 0) return -1;
  if (w->profile == EFC_PROFILE_AUTOPASS ? !got_secure : !(got_tsp && got_tc)) {
    snprintf(err, errlen, "the capture held no complete security exchange");
    return -1;
  }
  return 0;
}

/* ---- read elsewhere: the insider's reader asks what the lane asks ---- */

typedef struct {
  sec_reader r;
  uint8_t eid;
  bool has_cred;
  uint8_t cred[4];
} t15_reader;

static const uint8_t *creds(const t15_reader *x) { return x->has_cred ? x->cred : NULL; }

static int ask_secure(t15_reader *x, efc_claim *c) {
  dsrc_tapdu q, rs;
  const uint8_t *o;
  efc_msg_get_secure(&q, x->eid, c->rnd1, c->t, c->keygen);
  if (sec_reader_ask(&x->r, &q, &rs) != 0 || !(o = efc_msg_secure_rs(&rs))) return -1;
  efc_claim_read_secure(c, o);
  return 0;
}

static int ask_stamped(t15_reader *x, const rse_config *cfg, efc_claim *c, bool tsp) {
  dsrc_tapdu q, rs;
  const dsrc_gstrs *a;
  dsrc_ssize n;
  efc_msg_get_stamped(&q, x->eid, creds(x), &cfg->stamped_ids, tsp ? c->keyref_tsp : c->keyref_tc,
                      tsp ? c->nonce_tsp : c->nonce_tc);
  if (sec_reader_ask(&x->r, &q, &rs) != 0 || !(a = efc_msg_stamped_rs(&rs))) return -1;
  memcpy(tsp ? c->mac_tsp : c->mac_tc, a->authenticator.data, 4);
  if (!tsp) return 0;
  if ((n = dsrc_attr_list_encode(c->attrlist, sizeof(c->attrlist), &rs, a->list)) < 0) return -1;
  c->attrlist_len = (uint8_t)n;
  efc_claim_read_attrs(c, &rs, a->list);
  return 0;
}

/* The lane's SET of counter + 1, so the OBE's next real passage follows on without a trace. */
static int set_counter(t15_reader *x, uint16_t counter) {
  dsrc_tapdu q, rs;
  efc_msg_set_counter(&q, x->eid, creds(x), counter);
  return sec_reader_ask(&x->r, &q, &rs) == 0 && rs.kind == DSRC_SET_RS && (!rs.u.set_rs.has_ret || !rs.u.set_rs.ret)
             ? 0
             : -1;
}

static int read_elsewhere(sec_world *w, const dsrc_rng *g, sec_obe *a, efc_claim *c) {
  t15_reader x;
  const dsrc_application *app;
  const rse_config *cfg = &w->rcfg;
  int rv = -1;
  memset(c, 0, sizeof(*c));
  memset(&x, 0, sizeof(x));
  if (sec_reader_open(&x.r, w, &a->o, &cfg->beacon) != 0) return -1;
  if (!(app = rse_vst_app(&x.r.vst.u.vst, w->profile))) goto out;
  x.eid = app->eid;
  c->profile = w->profile;
  c->station = cfg->station;
  c->lane = cfg->lane;
  c->beacon = cfg->beacon;
  c->time_cs = clock_cs(w, x.r.now);
  c->nonce_mode = EFC_NONCE_COMMIT;
  c->vehicle_class = T15_CLASS;
  c->fee = efc_tariff(c->vehicle_class);
  c->verdict = EFC_PASS;
  dsrc_rng_bytes(g, c->salt, sizeof(c->salt));
  if (w->profile == EFC_PROFILE_AUTOPASS) {
    uint8_t gen = cfg->keys->generation;
    dsrc_autopass_time_octets(c->t, (uint32_t)c->time_cs);
    c->keygen = (uint8_t)(gen << 4 | gen);
    if (commit(w, c, "RND-1", c->rnd1) != 0 || ask_secure(&x, c) != 0) goto out;
  } else {
    memcpy(c->provider, app->parameter.data, 3);
    c->level = (uint8_t)efc_profile_level(w->profile);
    if (app->parameter.len == 16) {
      if (rse_access_credentials(w->crypto, cfg->keys, w->profile, app->parameter.data + 8, app->parameter.data + 12,
                                 x.cred) != 0)
        goto out;
      x.has_cred = true;
    }
    c->keyref_tsp = cfg->keyref_tsp;
    c->keyref_tc = cfg->keyref_tc;
    if (commit(w, c, "TSP", c->nonce_tsp) != 0 || commit(w, c, "TC", c->nonce_tc) != 0 ||
        ask_stamped(&x, cfg, c, true) != 0 || ask_stamped(&x, cfg, c, false) != 0 ||
        set_counter(&x, (uint16_t)(c->counter + 1)) != 0)
      goto out;
  }
  rv = 0;
out:
  sec_reader_close(&x.r);
  w->l.now += T15_LATER_NS;
  return rv;
}

/* "flag,flag" of a claim's verify and sequence flags, or "accepted". */
static void verdict_format(char *out, size_t cap, unsigned flags, unsigned seq) {
  char f[64], s[64];
  issuer_flags_format(f, sizeof(f), flags);
  issuer_seq_flags_format(s, sizeof(s), seq, 0);
  snprintf(out, cap, "%s%s%s", f, f[0] && s[0] ? "," : "", f[0] || s[0] ? s : "accepted");
}

int sec_t15_fake_passages(sec_world *w, const sec_params *p, sec_outcome *out) {
  sec_obe a;
  sec_passage ps;
  dsrc_prng rnd;
  dsrc_rng g;
  int at[F_COUNT], real_after = 0;
  unsigned flags[SEC_CLAIMS_MAX], seq[SEC_CLAIMS_MAX], accepted = 0;
  char err[200], what[F_COUNT][132], cap_path[300];

  dsrc_prng_seed(&rnd, p->seed * 37 + 15);
  g = dsrc_prng_rng(&rnd);
  for (int f = 0; f < F_COUNT; f++) {
    efc_claim fake;
    if (sec_obe_make(w, &a, T15_OBUID + (uint32_t)f, NULL) != 0) return -1;
    memset(&fake, 0, sizeof(fake));
    if (f == F_ELSEWHERE) {
      /* The OBE never meets the gantry before: the insider's reader is the first to ask. */
      if (read_elsewhere(w, &g, &a, &fake) != 0) {
        snprintf(out->evidence, sizeof(out->evidence), "the insider's reader could not read the OBE");
        return -1;
      }
    } else {
      /* A genuine passage the insider has seen; its claim goes to the issuer as usual. */
      if (f == F_CAPTURE && sec_world_capture(w, "t15.pcap", cap_path, sizeof(cap_path), err, sizeof(err)) != 0)
        return -1;
      if (sec_pass(w, &a, &ps) != 0 || ps.claim < 0) {
        snprintf(out->evidence, sizeof(out->evidence), "genuine passage for '%s' made no claim", fake_names[f]);
        return -1;
      }
      if (f == F_MADE_UP && made_up(w, &g, &w->claims[ps.claim], &fake) != 0) return -1;
      if (f == F_REDATED) {
        fake = w->claims[ps.claim];
        fake.time_cs += T15_HOUR_CS;
      }
      if (f == F_CAPTURE) {
        const efc_claim *real = &w->claims[ps.claim];
        if (sec_world_capture_stop(w, err, sizeof(err)) != 0) {
          snprintf(out->evidence, sizeof(out->evidence), "%.180s", err);
          return -1;
        }
        /* What the air does not carry, the insider's RSE writes as for any passage. */
        fake.profile = w->profile;
        fake.station = w->rcfg.station;
        fake.lane = w->rcfg.lane;
        fake.beacon = w->rcfg.beacon;
        fake.nonce_mode = EFC_NONCE_COMMIT;
        fake.vehicle_class = real->vehicle_class;
        fake.fee = real->fee;
        fake.verdict = EFC_PASS;
        fake.time_cs = clock_cs(w, w->l.now);
        dsrc_rng_bytes(&g, fake.salt, sizeof(fake.salt));
        if (from_capture(w, cap_path, &fake, err, sizeof(err)) != 0) {
          snprintf(out->evidence, sizeof(out->evidence), "%s", err);
          return -1;
        }
      }
    }
    if (w->nclaims + 2 > SEC_CLAIMS_MAX) return -1;
    w->claims[w->nclaims] = fake;
    at[f] = (int)w->nclaims++;
    /* The OBE read elsewhere drives through the gantry for real afterwards. */
    if (f == F_ELSEWHERE) {
      if (sec_pass(w, &a, &ps) != 0 || ps.claim < 0) {
        snprintf(out->evidence, sizeof(out->evidence), "the OBE read elsewhere made no claim at the gantry");
        return -1;
      }
      real_after = ps.claim;
    }
  }
  if (sec_issuer_run(w, flags, seq, err, sizeof(err)) != 0) {
    snprintf(out->evidence, sizeof(out->evidence), "%s", err);
    return -1;
  }
  for (int f = 0; f < F_COUNT; f++) {
    unsigned i = (unsigned)at[f];
    verdict_format(what[f], sizeof(what[f]), flags[i], seq[i]);
    if (!flags[i] && !seq[i]) accepted++;
  }
  out->passages = F_COUNT;
  out->wrong_charges = accepted;
  {
    char gained[SEC_TEXT];
    if (accepted) snprintf(gained, sizeof(gained), "%u of %d fake passages charged", accepted, F_COUNT);
    else snprintf(gained, sizeof(gained), "-");
    char after[132];
    verdict_format(after, sizeof(after), flags[real_after], seq[real_after]);
    sec_outcome_set(out, accepted ? SEC_NOT_DETECTED : SEC_BY_ISSUER, gained,
                    "%s: %s; %s: %s; %s: %s; %s: %s, its real passage after: %s", fake_names[0], what[0],
                    fake_names[1], what[1], fake_names[2], what[2], fake_names[3], what[3], after);
  }
  return 0;
}
