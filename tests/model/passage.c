/* One passage through the lane with frames lost on purpose (passage.h). */
#include <string.h>

#include "passage.h"

int ph_world_init(ph_world *w) {
  char err[128];
  memset(w, 0, sizeof(*w));
  if (dsrc_crypto_new(&w->crypto, err, sizeof(err)) != 0) return -1;
  return sim_keys_init(&w->keys, w->crypto, 99);
}

void ph_world_free(ph_world *w) {
  sim_keys_wipe(&w->keys);
  dsrc_crypto_free(w->crypto);
}

/* What a frame is, from its octets alone. */
static void classify(ph_frame *pf, const dsrc_l1_params *l1, const air_frame *lf) {
  dsrc_frame f;
  memset(pf, 0, sizeof(*pf));
  pf->uplink = lf->uplink;
  pf->exposed = dsrc_l1_exposed_bits(l1, lf->uplink, lf->frame, lf->len);
  pf->cls = PH_OTHER;
  if (dsrc_frame_decode(&f, lf->frame, lf->len) != 0) return;
  if (!lf->uplink) {
    if (f.lid_len == 1) {
      pf->cls = PH_BST;
    } else if ((f.mac & DSRC_MAC_A) && !f.has_llc) {
      pf->cls = PH_PRIVATE;
      pf->rm = RM_F_ALLOC;
      pf->s = f.mac & DSRC_MAC_S;
    } else if ((f.mac & DSRC_MAC_A) && dsrc_llc_is_acn(f.llc)) {
      pf->cls = PH_PRIVATE;
      pf->rm = RM_F_COMMAND;
      pf->s = f.mac & DSRC_MAC_S;
      pf->n = f.llc >> 7;
    } else if (!(f.mac & DSRC_MAC_A) && f.has_llc && f.llc == DSRC_LLC_UI) {
      pf->cls = PH_PRIVATE;
      pf->rm = RM_F_RELEASE;
    }
    return;
  }
  if (f.mac == DSRC_MAC_WINDOW_REQUEST) {
    pf->cls = PH_WINDOW_REQUEST;
  } else if (f.has_llc && f.llc == DSRC_LLC_UI) {
    dsrc_tapdu t;
    unsigned pdu;
    pf->cls = PH_PRIVATE;
    pf->rm = dsrc_pdu_decode(&t, &pdu, f.lsdu, f.lsdu_len, NULL) >= 0 && t.kind == DSRC_VST ? RM_F_VST : RM_F_LATE;
  } else if (f.has_llc && dsrc_llc_is_acn(f.llc)) {
    pf->cls = PH_PRIVATE;
    pf->rm = f.has_status && f.status == DSRC_LLC_NE_OK ? RM_F_NE_OK : RM_F_ANSWER;
  }
}

typedef struct {
  const ph_options *o;
  ph_result *r;
  const dsrc_l1_params *l1;
  unsigned any, priv; /* frames so far, private frames so far */
  bool pending;       /* the loss decided for the frame about to be reported */
  obe_power power;    /* the OBE's, as its events report it */
} run_ctx;

static void on_power_changed(obe_engine *o, obe_power power, uint64_t t, void *user) {
  (void)o;
  (void)t;
  ((run_ctx *)user)->power = power;
}

static const obe_callbacks obe_events = {.power_changed = on_power_changed};

static bool listed(const unsigned *v, size_t n, unsigned x) {
  for (size_t i = 0; i < n; i++)
    if (v[i] == x) return true;
  return false;
}

static bool on_lose(void *ctx, const air_frame *lf) {
  run_ctx *c = ctx;
  ph_frame pf;
  classify(&pf, c->l1, lf);
  c->pending = listed(c->o->lose_any, c->o->nlose_any, c->any) ||
               (pf.cls == PH_PRIVATE && listed(c->o->lose_private, c->o->nlose_private, c->priv));
  c->any++;
  c->priv += pf.cls == PH_PRIVATE;
  return c->pending;
}

static void on_frame(void *ctx, const air_frame *lf) {
  run_ctx *c = ctx;
  ph_frame *pf;
  if (c->r->n >= PH_FRAMES_MAX) return;
  pf = &c->r->f[c->r->n++];
  classify(pf, c->l1, lf);
  pf->lost = c->pending || lf->corrupted;
  c->pending = false;
}

int ph_run(const ph_world *w, const ph_options *o, ph_result *r) {
  rse_config rcfg;
  obe_config ocfg;
  keymgmt_obe_profile prof;
  obe_state st;
  dsrc_prng prng, errors;
  static _Thread_local struct {
    air_lane l;
    obe_engine o;
  } e; /* large; one set per thread */
  rse_engine *rse = NULL;
  run_ctx ctx;
  rse_passage p;
  uint64_t limit = 2000000000u, stop = limit;
  int rv = -1;
  memset(r, 0, sizeof(*r));
  rse_config_default(&rcfg);
  rcfg.profiles[0] = (uint8_t)o->profile;
  rcfg.nprofiles = 1;
  rcfg.keys = &w->keys.op;
  rcfg.retry_policy = (uint8_t)o->policy;
  rcfg.max_retries = o->max_retries;
  obe_config_default(&ocfg);
  ocfg.mcu = o->legacy_mcu ? obe_mcu_legacy : obe_mcu_modern;
  dsrc_prng_seed(&prng, o->seed);
  dsrc_prng_seed(&errors, o->seed + 1);
  if (sim_obe_make(&prof, w->crypto, &w->keys, o->obuid ? o->obuid : 0x00a1b2c3, efc_profile_bit(o->profile)) != 0)
    return -1;
  obe_state_init(&st, &prof);
  memset(&ctx, 0, sizeof(ctx));
  if (rse_new(&rse, &rcfg, w->crypto, dsrc_prng_rng(&prng), NULL, NULL) != 0 ||
      obe_init(&e.o, &ocfg, &prof, &st, w->crypto, dsrc_prng_rng(&prng), &obe_events, &ctx) != 0)
    goto out;
  air_lane_init(&e.l, rse, o->ber, &errors);
  ctx.o = o;
  ctx.r = r;
  ctx.l1 = &e.l.l1;
  e.l.on_frame = on_frame;
  e.l.lose = on_lose;
  e.l.ctx = &ctx;
  if (air_lane_add(&e.l, &e.o, o->enter_ns, o->dwell_ns ? o->enter_ns + o->dwell_ns : UINT64_MAX) < 0) goto out;
  /* Until the passage is over, then 20 ms more for what follows it (a closing RELEASE). */
  while (e.l.now < stop) {
    air_lane_step(&e.l, stop);
    while (rse_passage_pop(rse, &p)) {
      if (r->passages++ > 0) continue;
      r->finished = true;
      r->outcome = p.outcome;
      r->retries = p.retries;
      r->late = p.late_responses;
      stop = e.l.now + 20000000u;
    }
  }
  r->obe_released = ctx.power == OBE_RELEASED;
  rv = 0;
out:
  rse_del(rse);
  keymgmt_obe_profile_wipe(&prof);
  return rv;
}

unsigned ph_private(const ph_result *r, const ph_frame **out, unsigned cap) {
  unsigned k = 0;
  for (unsigned i = 0; i < r->n && k < cap; i++) {
    if (r->f[i].cls != PH_PRIVATE) continue;
    out[k++] = &r->f[i];
    if (r->f[i].rm == RM_F_RELEASE) break;
  }
  return k;
}

int ph_transaction(const ph_world *w, int profile, bool legacy_mcu, unsigned npassages, rm_transaction *t) {
  static _Thread_local ph_result r;
  memset(t, 0, sizeof(*t));
  for (unsigned s = 1; s <= npassages; s++) {
    ph_options o = {.profile = profile, .legacy_mcu = legacy_mcu, .policy = 0, .max_retries = 3, .seed = s,
                    .obuid = 0x00100000u + (uint32_t)((s * 104729u) % 400000u)};
    const ph_frame *f[PH_FRAMES_MAX];
    unsigned n, i = 0, ph = 0;
    if (ph_run(w, &o, &r) != 0 || !r.finished || r.outcome != RSE_OUT_DONE) return -1;
    n = ph_private(&r, f, PH_FRAMES_MAX);
    /* ALLOC VST, then per command: COMMAND (NE_OK ALLOC LATE | ANSWER), then RELEASE. */
    if (n < 3 || f[0]->rm != RM_F_ALLOC || f[1]->rm != RM_F_VST) return -1;
    if (s == 1) t->phase[0].kind = RM_PHASE_VST;
    t->phase[0].bits_down += f[0]->exposed;
    t->phase[0].bits_up += f[1]->exposed;
    for (i = 2, ph = 1; i < n && f[i]->rm == RM_F_COMMAND; ph++) {
      rm_phase *p = &t->phase[ph];
      bool late;
      if (ph >= RM_PHASES_MAX || i + 1 >= n) return -1;
      late = f[i + 1]->rm == RM_F_NE_OK;
      if (!late && f[i + 1]->rm != RM_F_ANSWER) return -1;
      if (s == 1) {
        p->kind = RM_PHASE_COMMAND;
        p->late = late;
      } else if (p->kind != RM_PHASE_COMMAND || p->late != late) {
        return -1; /* passages differ in their exchanges */
      }
      p->bits_down += f[i]->exposed;
      p->bits_up += f[i + 1]->exposed;
      i += 2;
      if (late) {
        if (i + 1 >= n || f[i]->rm != RM_F_ALLOC || f[i + 1]->rm != RM_F_LATE) return -1;
        p->bits_alloc += f[i]->exposed;
        p->bits_late += f[i + 1]->exposed;
        i += 2;
      }
    }
    if (i != n - 1 || f[i]->rm != RM_F_RELEASE) return -1;
    if (s == 1) t->nphases = ph;
    else if (t->nphases != ph) return -1;
    t->bits_release += f[i]->exposed;
  }
  for (unsigned i = 0; i < t->nphases; i++) {
    t->phase[i].bits_down /= npassages;
    t->phase[i].bits_up /= npassages;
    t->phase[i].bits_alloc /= npassages;
    t->phase[i].bits_late /= npassages;
  }
  t->bits_release /= npassages;
  return 0;
}
