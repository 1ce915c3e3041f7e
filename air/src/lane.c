/* The air interface of one lane: airtimes, gaps, windows, bit errors and collisions. */
#include <math.h>
#include <string.h>

#include "air/lane.h"

void air_lane_init(air_lane *l, rse_engine *r, double ber, dsrc_prng *errors) {
  dsrc_l1_params p;
  memset(l, 0, sizeof(*l));
  dsrc_l1_params_default(&p);
  air_lane_l1_set(l, &p);
  l->r = r;
  l->rcfg = rse_config_get(r);
  l->ber = ber;
  l->log_keep = log1p(-ber);
  l->errors = errors;
}

void air_lane_l1_set(air_lane *l, const dsrc_l1_params *p) {
  l->l1 = *p;
  dsrc_l1_link_init(&l->link[0], p, 0);
  dsrc_l1_link_init(&l->link[1], p, 1);
}

/* A frame's stuffed bits, from the cache when the same octets went out recently. The
 * FCS octets spread frames over the slots (a frame has them from 3 octets on). */
static unsigned stuffed_bits(air_lane *l, const uint8_t *f, size_t len) {
  unsigned k;
  if (len < 3 || len > AIR_LANE_STUFF_OCTETS) return dsrc_frame_stuffed_bits(f, len);
  k = f[len - 3] % AIR_LANE_STUFF_SLOTS;
  if (l->stuff[k].len == len && memcmp(l->stuff[k].octets, f, len) == 0) return l->stuff[k].stuffed;
  l->stuff[k].len = (uint8_t)len;
  memcpy(l->stuff[k].octets, f, len);
  return l->stuff[k].stuffed = (uint8_t)dsrc_frame_stuffed_bits(f, len);
}

void air_lane_bias_set(air_lane *l, air_bias *b) {
  l->bias = b;
  if (b) b->log_keep = log1p(-b->ber);
}

/* 1 - (1 - ber)^exposed, from cache (0: not yet computed) when the frame is short. */
static double loss_probability(double *cache, double ber, double log_keep, uint32_t exposed) {
  if (ber <= 0) return 0;
  if (exposed >= AIR_LANE_PERR_BITS) return -expm1((double)exposed * log_keep);
  if (cache[exposed] == 0) cache[exposed] = -expm1((double)exposed * log_keep);
  return cache[exposed];
}

/* A frame's airtime and its probability of failing, at the lane's BER and as drawn. */
static uint64_t frame_air(air_lane *l, bool up, const uint8_t *f, size_t len, double *p_err, double *q_err,
                          uint32_t *exposed_out) {
  const dsrc_l1_link *k = &l->link[up];
  uint32_t bits = dsrc_l1_link_frame_bits(k, len, stuffed_bits(l, f, len));
  uint32_t exposed = dsrc_l1_link_exposed_bits(k, bits);
  *p_err = loss_probability(l->perr, l->ber, l->log_keep, exposed);
  *q_err = l->bias ? loss_probability(l->bias->qerr, l->bias->ber, l->bias->log_keep, exposed) : *p_err;
  *exposed_out = exposed;
  return dsrc_l1_link_airtime_ns(k, bits);
}

int air_lane_add(air_lane *l, obe_engine *o, uint64_t enter, uint64_t leave) {
  if (l->nobes >= AIR_LANE_OBES_MAX) return -1;
  l->obes[l->nobes] = o;
  l->enter[l->nobes] = enter;
  l->leave[l->nobes] = leave;
  return (int)l->nobes++;
}

void air_lane_remove(air_lane *l, obe_engine *o) {
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

static bool inside(const air_lane *l, size_t i, uint64_t t0, uint64_t t1) {
  return t0 >= l->enter[i] && t1 <= l->leave[i];
}

double air_frame_error_probability(const dsrc_l1_params *p, bool uplink, const uint8_t *frame,
                                    size_t len, double ber) {
  double bits = dsrc_l1_exposed_bits(p, uplink, frame, len);
  if (ber <= 0) return 0;
  /* 1 - (1 - b)^bits, accurate for tiny b. */
  return -expm1(bits * log1p(-ber));
}

static bool hit(air_lane *l, double p) { return p > 0 && dsrc_prng_uniform(l->errors) < p; }

/* A frame loss drawn with probability q where the lane's is p: under a bias, the draw's
 * likelihood ratio joins the bias's sum. */
static bool hit_biased(air_lane *l, double p, double q, uint32_t exposed) {
  air_bias *b = l->bias;
  bool lost;
  if (!b || q == p) return hit(l, p);
  lost = q > 0 && dsrc_prng_uniform(l->errors) < q;
  b->bits += exposed;
  if (lost) {
    b->lost++;
    b->log_w += log(p / q);
  } else {
    b->log_w += log1p(-p) - log1p(-q);
  }
  return lost;
}

static void report(air_lane *l, uint64_t t0, uint64_t t1, bool up, int sender, const uint8_t *f, size_t len,
                   bool corrupted, bool collided, uint64_t lost_at) {
  air_frame fr = {t0, t1, up, sender, f, len, corrupted, collided, lost_at};
  if (l->on_frame) l->on_frame(l->ctx, &fr);
}

/* Flips each bit of f with probability ber (geometric gaps between errors); returns how
 * many. The receiver's FCS then decides, as on a real link. */
unsigned air_flip_bits(dsrc_prng *rng, double ber, uint8_t *f, size_t len) {
  double lk;
  size_t bits = len * 8, pos = 0;
  unsigned n = 0;
  if (ber <= 0) return 0;
  lk = log1p(-ber);
  for (;;) {
    double u = dsrc_prng_uniform(rng);
    pos += (size_t)floor(log1p(-u) / lk);
    if (pos >= bits) return n;
    f[pos / 8] ^= (uint8_t)(1u << (pos % 8));
    n++;
    pos++;
  }
}

/* Whether the test hook takes this frame off the air. */
static bool forced_loss(air_lane *l, uint64_t t0, uint64_t t1, bool up, int sender, const uint8_t *f, size_t len) {
  air_frame fr = {t0, t1, up, sender, f, len, false, false, 0};
  if (!l->lose) return false;
  return l->lose(l->ctx, &fr);
}

unsigned air_damage(air_lane *l, bool uplink, uint8_t *f, size_t len) {
  uint32_t exposed, extra;
  unsigned n;
  if (l->ber <= 0 || len == 0) return 0;
  exposed = dsrc_l1_exposed_bits(&l->l1, uplink, f, len);
  extra = exposed > len * 8 ? exposed - (uint32_t)(len * 8) : 0;
  n = air_flip_bits(l->errors, l->ber, f, len);
  if (extra && hit(l, -expm1((double)extra * l->log_keep))) {
    size_t bit = dsrc_prng_below(l->errors, len * 8);
    f[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    n++;
  }
  return n;
}

/* Whether a biased lane draws this downlink frame at OBE i biased: i is the tagged OBE,
 * and its passage hangs on the frame (a BST before its session, or a frame of its
 * session). */
static bool downlink_biased(const air_lane *l, size_t i, const air_tx *tx) {
  obe_power pw;
  if (!l->bias || l->obes[i] != l->bias->tag) return false;
  pw = obe_power_get(l->obes[i]);
  if (tx->s.is_bst) return pw == OBE_ASLEEP || pw == OBE_IDLE || pw == OBE_INIT;
  return tx->s.lid != 0 && tx->s.lid == obe_lid_get(l->obes[i]) && (pw == OBE_INIT || pw == OBE_SESSION);
}

static void downlink(air_lane *l, const air_tx *tx) {
  bool all_bad = l->nobes > 0;
  bool forced = forced_loss(l, tx->t0, tx->t1, false, -1, tx->s.frame, tx->s.len);
  uint64_t lost_at = 0;
  for (size_t i = 0; i < l->nobes; i++) {
    bool bad;
    if (!inside(l, i, tx->t0, tx->t1)) continue;
    if (forced) bad = true;
    else if (downlink_biased(l, i, tx)) bad = hit_biased(l, tx->p_down, tx->q_down, tx->exposed_down);
    else bad = hit(l, tx->p_down);
    all_bad &= bad;
    if (bad) lost_at |= UINT64_C(1) << i;
    obe_on_downlink(l->obes[i], tx->t1, tx->s.frame, tx->s.len, bad);
  }
  report(l, tx->t0, tx->t1, false, -1, tx->s.frame, tx->s.len, all_bad, false, lost_at);
}

bool air_tx_begin(air_lane *l, uint64_t until, air_tx *tx) {
  uint64_t t0 = l->now;
  rse_next(l->r, t0, &tx->s);
  tx->proc = 0;
  if (tx->s.len == 0) {
    l->now = tx->s.idle_until < until ? tx->s.idle_until : until;
    if (l->now <= t0) l->now = t0 + 1;
    return false;
  }
  tx->t0 = t0;
  tx->t1 = t0 + frame_air(l, false, tx->s.frame, tx->s.len, &tx->p_down, &tx->q_down, &tx->exposed_down);
  tx->t_end = tx->t1;
  l->frames_down++;
  l->airtime_down_ns += tx->t1 - tx->t0;
  return true;
}

uint64_t air_tx_window_start(const air_lane *l, const air_tx *tx, unsigned w) {
  const rse_config *cfg = l->rcfg;
  return tx->t1 + cfg->gap_du_ns + (tx->s.public_windows ? w * cfg->public_window_ns : 0);
}

void air_uplink_make(air_lane *l, air_uplink *u, const uint8_t *frame, size_t len, int sender) {
  u->frame = frame;
  u->len = len;
  u->sender = sender;
  u->air = frame_air(l, true, frame, len, &u->p_err, &u->q_err, &u->exposed);
}

void air_tx_window(air_lane *l, air_tx *tx, unsigned w, const air_uplink *up, unsigned n) {
  const rse_config *cfg = l->rcfg;
  uint64_t ws = air_tx_window_start(l, tx, w);
  uint64_t slot = tx->s.public_windows ? cfg->public_window_ns : cfg->empty_window_ns, te = ws + slot;
  uint8_t heard[DSRC_FRAME_MAX];
  for (unsigned i = 0; i < n; i++) {
    l->frames_up++;
    l->airtime_up_ns += up[i].air;
    if (i == 0) te = ws + up[0].air;
    else if (ws + up[i].air > te) te = ws + up[i].air;
    if (i > 0) report(l, ws, ws + up[i].air, true, up[i].sender, up[i].frame, up[i].len, true, true, 0);
  }
  if (n == 0) {
    tx->proc += rse_on_window(l->r, te, w, NULL, 0, false);
  } else {
    bool collided = n > 1, bad, lost;
    size_t len = up[0].len < sizeof(heard) ? up[0].len : sizeof(heard);
    const uint8_t *rx = up[0].frame;
    lost = collided || forced_loss(l, ws, ws + up[0].air, true, up[0].sender, up[0].frame, up[0].len);
    if (l->flip_bits) {
      /* The RSE hears a copy with the bits flipped; the sender keeps its frame. */
      memcpy(heard, up[0].frame, len);
      bad = lost || air_damage(l, true, heard, len) > 0;
      rx = heard;
    } else {
      bool tagged = l->bias && up[0].sender >= 0 && (size_t)up[0].sender < l->nobes &&
                    l->obes[up[0].sender] == l->bias->tag;
      bad = lost || (tagged ? hit_biased(l, up[0].p_err, up[0].q_err, up[0].exposed) : hit(l, up[0].p_err));
    }
    if (collided) l->collisions++;
    else if (bad) l->corrupted++;
    report(l, ws, ws + up[0].air, true, up[0].sender, up[0].frame, up[0].len, bad, collided, 0);
    /* Flipped bits reach the RSE, whose FCS check decides; a drawn failure is a lost frame. */
    tx->proc += rse_on_window(l->r, te, w, rx, len, lost || (bad && !l->flip_bits));
  }
  if (te > tx->t_end) tx->t_end = te;
}

void air_tx_end(air_lane *l, air_tx *tx) {
  const rse_config *cfg = l->rcfg;
  if (tx->s.windows == 0)
    l->now = tx->t1 + cfg->gap_ud_ns;
  else if (tx->s.public_windows)
    /* Public windows are fixed slots: an OBE picks one by its start time. */
    l->now = tx->t1 + cfg->gap_du_ns + tx->s.windows * cfg->public_window_ns + cfg->gap_ud_ns + tx->proc;
  else
    l->now = tx->t_end + cfg->gap_ud_ns + tx->proc;
}

void air_lane_step(air_lane *l, uint64_t until) {
  air_tx tx;
  int choice[AIR_LANE_OBES_MAX];
  unsigned wanting = 0;
  if (!air_tx_begin(l, until, &tx)) return;
  downlink(l, &tx);
  /* A BST's public windows: each OBE says once which one it answers in, if any, instead of
   * being offered every window (most BSTs go unanswered). */
  if (tx.s.public_windows)
    for (size_t i = 0; i < l->nobes; i++)
      wanting += (choice[i] = obe_public_window(l->obes[i])) >= 0;
  for (unsigned w = 0; w < tx.s.windows && (wanting || !tx.s.public_windows); w++) {
    uint8_t buf[AIR_LANE_OBES_MAX][DSRC_FRAME_MAX];
    air_uplink up[AIR_LANE_OBES_MAX];
    unsigned n = 0;
    uint64_t ws = air_tx_window_start(l, &tx, w);
    for (size_t i = 0; i < l->nobes; i++) {
      size_t len;
      if (tx.s.public_windows && choice[i] != (int)w) continue;
      if (!inside(l, i, ws, ws)) continue;
      len = obe_on_window(l->obes[i], ws, w, buf[n], sizeof(buf[n]));
      if (len == 0) continue;
      air_uplink_make(l, &up[n], buf[n], len, (int)i);
      /* A frame cut off by the edge of the zone does not arrive. */
      if (!inside(l, i, ws, ws + up[n].air)) continue;
      n++;
    }
    /* A BST's silent public windows (most of them) have nothing to report (rse.h). */
    if (n == 0 && tx.s.public_windows) continue;
    air_tx_window(l, &tx, w, up, n);
  }
  air_tx_end(l, &tx);
}

void air_lane_run(air_lane *l, uint64_t until) {
  do
    air_lane_step(l, until);
  while (l->now < until && rse_passages_done(l->r) == 0);
}
