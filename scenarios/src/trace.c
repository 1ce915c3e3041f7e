/* efc-scenario trace: one passage of one OBE through a perfect link, every frame shown, then
 * the lane's and the issuer's verdicts. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "issuer/issuer_verify.h"
#include "io/capture.h"
#include "dsrc/hex.h"
#include "dsrc/jer.h"
#include "efc/msg.h"
#include "air/lane.h"
#include "sim/trace.h"
#include "sim/world.h"

typedef struct {
  const sim_trace_options *opt;
  FILE *out;
  json_t *frames;        /* --json */
  char last_cmd[32];     /* names the next answer */
  char sequence[512];    /* application messages, in order */
  unsigned bsts;
  io_cap_writer *cap;
  char cap_err[400]; /* the capture's first failed write: the trace fails */
  uint8_t lane;
  bool releasing;        /* the RSE's next downlink frame is the RELEASE */
  uint64_t release_end;  /* that frame's end: the completion, the OBE entering at 0 */
} trace_ctx;

/* The session closed: the frame of this step is its RELEASE (rse.h, session_closed). */
static void on_session_closed(rse_engine *r, const rse_passage *p, void *user) {
  (void)r;
  if (p->outcome == RSE_OUT_DONE) ((trace_ctx *)user)->releasing = true;
}

static const rse_callbacks trace_rse_events = {.session_closed = on_session_closed};

static void seq_add(trace_ctx *c, const char *name) {
  size_t n = strlen(c->sequence);
  snprintf(c->sequence + n, sizeof(c->sequence) - n, "%s%s", n ? " " : "", name);
}

/* The application message a T-APDU is; answers take the name of the last command. */
static void msg_name(trace_ctx *c, const dsrc_tapdu *t, char *out, size_t cap) {
  switch (t->kind) {
  case DSRC_BST:
    snprintf(out, cap, "BST");
    return;
  case DSRC_VST:
    snprintf(out, cap, "VST");
    return;
  case DSRC_ACTION_RQ:
    snprintf(c->last_cmd, sizeof(c->last_cmd), "%s", efc_action_name(t->u.action_rq.type));
    break;
  case DSRC_GET_RQ:
    snprintf(c->last_cmd, sizeof(c->last_cmd), "GET");
    break;
  case DSRC_SET_RQ:
    snprintf(c->last_cmd, sizeof(c->last_cmd), "SET");
    break;
  case DSRC_EVENT_RQ:
    snprintf(out, cap, "RELEASE");
    return;
  default:
    snprintf(out, cap, "%s.rs", c->last_cmd);
    return;
  }
  snprintf(out, cap, "%s.rq", c->last_cmd);
}

/* What the frame is at layer 2. */
static void l2_role(const dsrc_frame *f, char *out, size_t cap) {
  bool up = f->mac & DSRC_MAC_D;
  if (f->lid_len == 1) snprintf(out, cap, "BST, public windows");
  else if (!f->has_llc) snprintf(out, cap, up ? "window request" : "window allocation S=%u", f->mac & 1);
  else if (!up && f->llc == DSRC_LLC_UI) snprintf(out, cap, "UI, no window");
  else if (!up) snprintf(out, cap, "command AC%u S=%u", f->llc >> 7, f->mac & 1);
  else if (f->llc == DSRC_LLC_UI) snprintf(out, cap, "UI (VST or late response)");
  else if (f->has_status && f->status == DSRC_LLC_NE_OK) snprintf(out, cap, "NE_OK, answer later");
  else snprintf(out, cap, "response, status %02x", f->status);
}

static void on_frame(void *ctxp, const air_frame *lf) {
  trace_ctx *c = ctxp;
  dsrc_frame f;
  char role[64], names[128] = "", who[16];
  json_t *pdus = json_array();
  uint64_t air = lf->t_end - lf->t_start;
  unsigned stuffed = dsrc_frame_stuffed_bits(lf->frame, lf->len);
  if (!lf->uplink && c->releasing) {
    c->release_end = lf->t_end;
    c->releasing = false;
  }
  if (c->cap) {
    io_cap_record cr = {lf->t_start, lf->uplink, c->lane,
                     (uint8_t)((lf->corrupted ? IO_CAP_CORRUPTED : 0) | (lf->collided ? IO_CAP_COLLIDED : 0)),
                     io_cap_frame_lid(lf->frame, lf->len), lf->frame, lf->len};
    if (!c->cap_err[0] && io_cap_writer_put(c->cap, &cr, c->cap_err, sizeof(c->cap_err)) != 0 && !c->cap_err[0])
      snprintf(c->cap_err, sizeof(c->cap_err), "%s: cannot write", c->opt->pcap);
  }
  if (dsrc_frame_decode(&f, lf->frame, lf->len) != 0) {
    json_decref(pdus);
    return;
  }
  l2_role(&f, role, sizeof(role));
  if (f.lid_len == 1) c->bsts++;
  for (size_t off = 0; f.has_llc && off < f.lsdu_len;) {
    dsrc_tapdu t;
    unsigned pdu;
    char name[40];
    dsrc_ssize n = dsrc_pdu_decode(&t, &pdu, f.lsdu + off, f.lsdu_len - off, NULL);
    if (n < 0) break;
    off += (size_t)n;
    msg_name(c, &t, name, sizeof(name));
    /* BSTs repeat all passage long: the sequence keeps the first. */
    if (strcmp(name, "BST") != 0 || c->bsts == 1) seq_add(c, name);
    snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", names[0] ? "+" : "", name);
    json_array_append_new(pdus, dsrc_tapdu_to_jer(&t, NULL));
  }
  if (lf->sender < 0) snprintf(who, sizeof(who), "RSE");
  else snprintf(who, sizeof(who), "OBE %08" PRIx32, f.lid);
  if (c->frames) {
    json_t *o = json_object();
    char hex[2 * DSRC_FRAME_MAX + 1];
    dsrc_hex_encode(hex, lf->frame, lf->len, 0);
    json_object_set_new(o, "t_us", json_real((double)lf->t_start / 1000.0));
    json_object_set_new(o, "dir", json_string(lf->uplink ? "up" : "down"));
    json_object_set_new(o, "from", json_string(who));
    json_object_set_new(o, "octets", json_integer((json_int_t)lf->len));
    json_object_set_new(o, "stuffed_bits", json_integer(stuffed));
    json_object_set_new(o, "airtime_us", json_real((double)air / 1000.0));
    json_object_set_new(o, "l2", json_string(role));
    if (names[0]) json_object_set_new(o, "message", json_string(names));
    json_object_set_new(o, "frame", json_string(hex));
    json_object_set_new(o, "tapdus", pdus);
    json_array_append_new(c->frames, o);
    return;
  }
  fprintf(c->out, "%10.3f %-4s %-12s %3zu oct %2u stuffed %7.1f us  %-26s %s\n",
          (double)lf->t_start / 1e6, lf->uplink ? "up" : "down", who, lf->len, stuffed,
          (double)air / 1000.0, role, names);
  for (size_t i = 0; i < json_array_size(pdus); i++) {
    char *s = json_dumps(json_array_get(pdus, i), JSON_COMPACT);
    fprintf(c->out, "%33s%s\n", "", s ? s : "?");
    free(s);
  }
  json_decref(pdus);
}

int sim_trace(const sim_trace_options *opt, FILE *out, sim_trace_result *res) {
  trace_ctx tc = {0};
  sim_keys keys;
  keymgmt_obe_profile prof;
  obe_state st;
  obe_config ocfg;
  rse_config rcfg;
  obe_engine o;
  rse_engine *r;
  air_lane l;
  dsrc_prng traffic, errors;
  dsrc_crypto *crypto;
  rse_passage p;
  issuer_options iopt;
  char err[400], buf[128];
  bool done = false;
  int rv;

  memset(res, 0, sizeof(*res));
  if (dsrc_crypto_new(&crypto, err, sizeof(err)) != 0) {
    fprintf(stderr, "efc-scenario: %s\n", err);
    return -1;
  }
  tc.opt = opt;
  tc.out = out;
  if (opt->pcap && !(tc.cap = io_cap_writer_open(opt->pcap, err, sizeof(err)))) {
    fprintf(stderr, "efc-scenario: %s\n", err);
    dsrc_crypto_free(crypto);
    return -1;
  }
  if (opt->json) tc.frames = json_array();
  dsrc_prng_seed(&traffic, opt->seed);
  dsrc_prng_seed(&errors, opt->seed + 1);
  if ((rv = sim_keys_init(&keys, crypto, opt->seed)) != 0 ||
      (rv = sim_obe_make(&prof, crypto, &keys, opt->obuid, efc_profile_bit(opt->profile))) != 0) {
    fprintf(stderr, "efc-scenario: key set-up failed: %s\n", keymgmt_strerror(rv));
    json_decref(tc.frames);
    io_cap_writer_abort(tc.cap);
    dsrc_crypto_free(crypto);
    return -1;
  }
  obe_state_init(&st, &prof);
  obe_config_default(&ocfg);
  ocfg.mcu = opt->mcu;
  rse_config_default(&rcfg);
  rcfg.profiles[0] = (uint8_t)opt->profile;
  rcfg.nprofiles = 1;
  rcfg.keys = &keys.op;
  obe_init(&o, &ocfg, &prof, &st, crypto, dsrc_prng_rng(&traffic), NULL, NULL);
  if ((rv = rse_new(&r, &rcfg, crypto, dsrc_prng_rng(&traffic), &trace_rse_events, &tc)) != 0) {
    fprintf(stderr, "efc-scenario: %s\n", rse_strerror(rv));
    json_decref(tc.frames);
    io_cap_writer_abort(tc.cap);
    keymgmt_obe_profile_wipe(&prof);
    sim_keys_wipe(&keys);
    dsrc_crypto_free(crypto);
    return -1;
  }
  air_lane_init(&l, r, 0.0, &errors);
  l.on_frame = on_frame;
  l.ctx = &tc;
  tc.lane = rcfg.lane;
  air_lane_add(&l, &o, 0, UINT64_MAX);

  if (!opt->json)
    fprintf(out, "efc-scenario trace: profile %s, seed %" PRIu64 ", %s MCU, perfect link\n"
                 "   time_ms dir  from          size                                 layer 2      messages\n",
            efc_profile_name(opt->profile), opt->seed, opt->mcu.des_ns > 100000 ? "legacy" : "modern");
  while (!done && l.now < 2000000000u) {
    air_lane_step(&l, 2000000000u);
    done = rse_passage_pop(r, &p);
  }
  res->completed = done && p.outcome == RSE_OUT_DONE;
  if (done) {
    issuer_options_default(&iopt);
    res->lane_verdict = p.claim.verdict;
    res->lane_reasons = p.claim.reasons;
    res->issuer_flags = (unsigned)issuer_verify_claim(crypto, &keys.issuer, &iopt, &p.claim);
    res->duration_ns = p.t_end - p.t_start;
    res->completion_ns = res->completed ? tc.release_end : 0;
    res->late_responses = p.late_responses;
  }
  snprintf(res->sequence, sizeof(res->sequence), "%s", tc.sequence);
  if (opt->json) {
    json_t *o_ = json_object(), *lane_o = json_object(), *iss = json_object();
    char *s;
    json_object_set_new(o_, "profile", json_string(efc_profile_name(opt->profile)));
    json_object_set_new(o_, "seed", json_integer((json_int_t)opt->seed));
    json_object_set_new(o_, "frames", tc.frames);
    json_object_set_new(o_, "sequence", json_string(tc.sequence));
    json_object_set_new(o_, "completed", json_boolean(res->completed));
    json_object_set_new(lane_o, "verdict", json_string(efc_verdict_name(res->lane_verdict)));
    efc_reasons_format(buf, sizeof(buf), res->lane_reasons);
    json_object_set_new(lane_o, "reasons", json_string(buf));
    json_object_set_new(o_, "lane", lane_o);
    issuer_flags_format(buf, sizeof(buf), res->issuer_flags);
    json_object_set_new(iss, "ok", json_boolean(done && res->issuer_flags == 0));
    json_object_set_new(iss, "flags", json_string(buf));
    json_object_set_new(o_, "issuer", iss);
    json_object_set_new(o_, "duration_ms", json_real((double)res->duration_ns / 1e6));
    if (res->completed) json_object_set_new(o_, "completion_ms", json_real((double)res->completion_ns / 1e6));
    if (done) {
      char line[1024];
      if (efc_claim_format(&p.claim, line, sizeof(line)) > 0)
        json_object_set_new(o_, "claim", json_loads(line, 0, NULL));
    }
    s = json_dumps(o_, JSON_INDENT(1));
    fprintf(out, "%s\n", s ? s : "{}");
    free(s);
    json_decref(o_);
  } else {
    fprintf(out, "sequence: %s\n", tc.sequence);
    if (!done) {
      fprintf(out, "the passage did not finish within 2 s\n");
    } else {
      char line[1024];
      efc_reasons_format(buf, sizeof(buf), res->lane_reasons);
      fprintf(out, "transaction: %s in %.3f ms (duration: first window request to RELEASE), %u late responses\n",
              res->completed ? "completed" : "failed", (double)res->duration_ns / 1e6, res->late_responses);
      if (res->completed)
        fprintf(out, "completion: %.3f ms (zone entry to the end of the RELEASE frame, as efc-scenario run "
                     "counts it)\n", (double)res->completion_ns / 1e6);
      fprintf(out, "lane: %s%s%s\n", efc_verdict_name(res->lane_verdict), buf[0] ? ", " : "", buf);
      issuer_flags_format(buf, sizeof(buf), res->issuer_flags);
      fprintf(out, "issuer: %s%s\n", res->issuer_flags == 0 ? "claim verified" : "claim flagged: ", buf);
      if (efc_claim_format(&p.claim, line, sizeof(line)) > 0) fprintf(out, "claim: %s\n", line);
    }
  }
  /* A capture missing frames is never renamed into place. */
  rv = 0;
  if (tc.cap_err[0]) {
    io_cap_writer_abort(tc.cap);
    fprintf(stderr, "efc-scenario: %s\n", tc.cap_err);
    rv = -1;
  } else if (io_cap_writer_close(tc.cap, err, sizeof(err)) != 0) {
    fprintf(stderr, "efc-scenario: %s\n", err);
    rv = -1;
  }
  rse_del(r);
  keymgmt_obe_profile_wipe(&prof);
  sim_keys_wipe(&keys);
  dsrc_crypto_free(crypto);
  return rv;
}
