/* The air interface of one lane: airtimes, gaps, windows, bit errors and collisions. */
#include <math.h>
#include <string.h>

#include "sim/lane.h"

void lane_init(lane *l, rse *r, double ber, dsrc_prng *errors) {
  memset(l, 0, sizeof(*l));
  dsrc_l1_params_default(&l->l1);
  l->r = r;
  l->ber = ber;
  l->log_keep = log1p(-ber);
  l->errors = errors;
}

/* A frame's airtime and its probability of failing, from one pass over its octets. */
static uint64_t frame_air(const lane *l, bool up, const uint8_t *f, size_t len, double *p_err) {
  const dsrc_l1_params *p = &l->l1;
  uint64_t bps = up ? p->up_bps : p->down_bps, pre = up ? p->up_preamble_ns : p->down_preamble_ns;
  uint64_t bits = (uint64_t)len * 8 + dsrc_frame_stuffed_bits(f, len) + (up ? p->up_trailing_bits : p->down_trailing_bits);
  double exposed = (double)bits + (double)(pre * bps / 1000000000u);
  *p_err = l->ber > 0 ? -expm1(exposed * l->log_keep) : 0;
  return pre + (bits * 1000000000u + bps - 1) / bps;
}

int lane_add(lane *l, obe *o, uint64_t enter, uint64_t leave) {
  if (l->nobes >= LANE_OBES_MAX) return -1;
  l->obes[l->nobes] = o;
  l->enter[l->nobes] = enter;
  l->leave[l->nobes] = leave;
  return (int)l->nobes++;
}

void lane_remove(lane *l, obe *o) {
  for (size_t i = 0; i < l->nobes; i++)
    if (l->obes[i] == o) {
      /* Order is kept: it decides which of two colliding frames is reported first. */
      memmove(&l->obes[i], &l->obes[i + 1], (l->nobes - i - 1) * sizeof(l->obes[0]));
      memmove(&l->enter[i], &l->enter[i + 1], (l->nobes - i - 1) * sizeof(l->enter[0]));
      memmove(&l->leave[i], &l->leave[i + 1], (l->nobes - i - 1) * sizeof(l->leave[0]));
      l->nobes--;
      return;
    }
}

static bool inside(const lane *l, size_t i, uint64_t t0, uint64_t t1) {
  return t0 >= l->enter[i] && t1 <= l->leave[i];
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

static void downlink(lane *l, const rse_step *s, uint64_t t0, uint64_t t1, double p) {
  bool all_bad = l->nobes > 0;
  for (size_t i = 0; i < l->nobes; i++) {
    bool bad;
    if (!inside(l, i, t0, t1)) continue;
    bad = hit(l, p);
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
  double p_err = 0, p_first = 0;
  uint64_t air_first = 0;
  int sender = -1, senders = 0;
  uint64_t te = ws + slot;
  for (size_t i = 0; i < l->nobes; i++) {
    size_t n;
    uint64_t air;
    if (!inside(l, i, ws, ws)) continue;
    n = obe_on_window(l->obes[i], ws, w, buf, sizeof(buf));
    if (n == 0) continue;
    air = frame_air(l, true, buf, n, &p_err);
    /* A frame cut off by the edge of the zone does not arrive. */
    if (!inside(l, i, ws, ws + air)) continue;
    l->frames_up++;
    l->airtime_up_ns += air;
    if (senders++ == 0) {
      memcpy(first, buf, n);
      first_len = n;
      sender = (int)i;
      te = ws + air;
      air_first = air;
      p_first = p_err;
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
    bool bad = collided || hit(l, p_first);
    if (collided) l->collisions++;
    else if (bad) l->corrupted++;
    report(l, ws, ws + air_first, true, sender, first, first_len, bad, collided);
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
  {
    double p;
    t1 = t0 + frame_air(l, false, s.frame, s.len, &p);
    downlink(l, &s, t0, t1, p);
  }
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
