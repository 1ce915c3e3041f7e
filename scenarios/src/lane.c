/* The air interface of one lane: airtimes, gaps, windows, bit errors and collisions. */
#include <math.h>
#include <string.h>

#include "sim/lane.h"

void lane_init(lane *l, rse *r, double ber, dsrc_prng *errors) {
  memset(l, 0, sizeof(*l));
  dsrc_l1_params_default(&l->l1);
  l->r = r;
  l->ber = ber;
  l->errors = errors;
}

double lane_frame_error_probability(const dsrc_l1_params *p, bool uplink, const uint8_t *frame,
                                    size_t len, double ber) {
  double bits = dsrc_l1_exposed_bits(p, uplink, frame, len);
  if (ber <= 0) return 0;
  /* 1 - (1 - b)^bits, accurate for tiny b. */
  return -expm1(bits * log1p(-ber));
}

static bool hit(lane *l, double p) { return p > 0 && dsrc_prng_uniform(l->errors) < p; }

static void report(lane *l, uint64_t t0, uint64_t t1, bool up, int sender, const uint8_t *f, size_t len,
                   bool corrupted, bool collided) {
  lane_frame fr = {t0, t1, up, sender, f, len, corrupted, collided};
  if (l->on_frame) l->on_frame(l->ctx, &fr);
}

static void downlink(lane *l, const rse_step *s, uint64_t t0, uint64_t t1) {
  double p = lane_frame_error_probability(&l->l1, false, s->frame, s->len, l->ber);
  bool all_bad = l->nobes > 0;
  for (size_t i = 0; i < l->nobes; i++) {
    bool bad = hit(l, p);
    all_bad &= bad;
    obe_on_downlink(l->obes[i], t1, s->frame, s->len, bad);
    if (obe_state_dirty(l->obes[i])) {
      if (l->persist) l->persist(l->ctx, l->obes[i]);
      obe_state_clean(l->obes[i]);
    }
  }
  l->frames_down++;
  l->airtime_down_ns += t1 - t0;
  report(l, t0, t1, false, -1, s->frame, s->len, all_bad, false);
}

/* Window w opening at ws: what the OBEs send, and what the RSE hears. Returns the time the
 * window ends (the frame's end, or the slot's end when nothing or a collision came). */
static uint64_t window(lane *l, unsigned w, uint64_t ws, uint64_t slot, uint64_t *proc) {
  uint8_t buf[DSRC_FRAME_MAX], first[DSRC_FRAME_MAX];
  size_t first_len = 0;
  int sender = -1, senders = 0;
  uint64_t te = ws + slot;
  for (size_t i = 0; i < l->nobes; i++) {
    size_t n = obe_on_window(l->obes[i], ws, w, buf, sizeof(buf));
    if (n == 0) continue;
    uint64_t air = dsrc_l1_airtime_ns(&l->l1, 1, buf, n);
    l->frames_up++;
    l->airtime_up_ns += air;
    if (senders++ == 0) {
      memcpy(first, buf, n);
      first_len = n;
      sender = (int)i;
      te = ws + air;
    } else {
      report(l, ws, ws + air, true, (int)i, buf, n, true, true);
      if (ws + air > te) te = ws + air;
    }
  }
  if (senders == 0) {
    *proc = rse_on_window(l->r, te, w, NULL, 0, false);
    return te;
  }
  {
    bool collided = senders > 1;
    bool bad = collided || hit(l, lane_frame_error_probability(&l->l1, true, first, first_len, l->ber));
    if (collided) l->collisions++;
    else if (bad) l->corrupted++;
    report(l, ws, ws + dsrc_l1_airtime_ns(&l->l1, 1, first, first_len), true, sender, first, first_len,
           bad, collided);
    *proc = rse_on_window(l->r, te, w, first, first_len, bad);
  }
  return te;
}

void lane_step(lane *l, uint64_t until) {
  const rse_config *cfg = l->r->cfg;
  rse_step s;
  uint64_t t0 = l->now, t1, proc = 0;
  rse_next(l->r, t0, &s);
  if (s.len == 0) {
    l->now = s.idle_until < until ? s.idle_until : until;
    if (l->now <= t0) l->now = t0 + 1;
    return;
  }
  t1 = t0 + dsrc_l1_airtime_ns(&l->l1, 0, s.frame, s.len);
  downlink(l, &s, t0, t1);
  if (s.windows == 0) {
    l->now = t1 + cfg->gap_ud_ns;
    return;
  }
  if (s.public_windows) {
    /* Public windows are fixed slots: an OBE picks one by its start time. */
    for (unsigned w = 0; w < s.windows; w++) {
      uint64_t ws = t1 + cfg->gap_du_ns + w * cfg->public_window_ns, p = 0;
      window(l, w, ws, cfg->public_window_ns, &p);
      proc += p;
    }
    l->now = t1 + cfg->gap_du_ns + s.windows * cfg->public_window_ns + cfg->gap_ud_ns + proc;
    return;
  }
  {
    uint64_t te = window(l, 0, t1 + cfg->gap_du_ns, cfg->empty_window_ns, &proc);
    l->now = te + cfg->gap_ud_ns + proc;
  }
}
