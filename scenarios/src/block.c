/* One block: a stream of vehicles through one lane of one gantry. Vehicles arrive with a
 * random headway, enter the zone asleep, and leave after zone_length / speed; the RSE runs
 * all along. Idle stretches (no OBE near, no session open) are skipped in one jump. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "air/lane.h"
#include "sim/cause.h"
#include "sim/runner.h"

#define ACTIVE_MAX AIR_LANE_OBES_MAX
#define LOOKAHEAD_NS 5000000u /* vehicles join the lane this early; air_lane_add keeps it exact */

typedef struct {
  /* Bookkeeping, cleared for every vehicle (everything before prof). */
  bool used;
  uint32_t seq;         /* vehicle number in the block */
  uint32_t fleet_idx;
  uint64_t t_enter, t_leave;
  bool finished;        /* the RSE reported its passage */
  uint64_t t_done;      /* the end of its RELEASE frame on the air */
  int rse_outcome, verdict;
  uint32_t frames_down, frames_up, octets_down, octets_up, retries, late;
  uint64_t airtime_ns;
  uint32_t most_in_zone;
  obe_power power;      /* the OBE's, as its events report it */
  uint32_t lid;         /* of its session, once one opened */
  /* Why it ends (sim/cause.h), from the engines' events and the air's losses; frozen when
   * the RSE closes its session. */
  bool closed;          /* the RSE closed its session */
  uint8_t cmd;          /* rse_cmd: what its session is on (RSE_CMD_NONE: no session yet) */
  uint8_t loss;         /* enum sim_loss: the last loss of cmd */
  uint8_t fail;         /* rse_fail of its passage */
  /* The OBE itself, set up by admit(). */
  keymgmt_obe_profile prof;
  obe_state st;
  obe_engine o;
} active;

typedef struct {
  const sim_world *w;
  const sim_block *b;
  dsrc_crypto *crypto;
  dsrc_prng traffic;     /* arrivals, speeds, groups, vehicle ids */
  dsrc_prng engines;     /* randomness of OBEs and RSE */
  dsrc_prng errors;      /* bit errors */
  dsrc_prng windows;     /* biased public-window choices */
  air_bias bias;         /* the likelihood ratio (log_w) of the biased draws so far */
  uint32_t collided, contended; /* biased window choices so far (sim_record) */
  uint64_t choice_at;    /* the BST whose window choices taken is the set of */
  uint32_t taken;        /* bit w: some OBE chose window w at that BST */
  rse_config rcfg;
  obe_config ocfg[2];    /* modern, legacy */
  rse_engine *r;
  air_lane l;
  active act[ACTIVE_MAX];
  active *live[ACTIVE_MAX]; /* the slots in use, in admission order */
  unsigned nlive;
  sim_idle_obe *idle;    /* per fleet vehicle, when vehicles repeat */
  sim_record *out;
  sim_frames *frames;    /* NULL unless the run is captured */
  uint32_t releasing;    /* the LID whose RELEASE the next downlink frame is, or 0 */
} block_ctx;

const char *sim_outcome_name(int outcome) {
  static const char *const names[] = {"ok", "incomplete", "failed", "no-session", "not-pass"};
  return outcome >= 0 && outcome <= SIM_NOT_PASS ? names[outcome] : "unknown";
}

uint64_t sim_seed_mix(uint64_t a, uint64_t b) {
  uint64_t z = a ^ (b + UINT64_C(0x9e3779b97f4a7c15) + (a << 6) + (a >> 2));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static double normal(dsrc_prng *p) {
  double u = dsrc_prng_uniform(p), v = dsrc_prng_uniform(p);
  if (u < 1e-300) u = 1e-300;
  return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static double draw_speed(block_ctx *c) {
  const sim_scenario *sc = c->w->sc;
  if (c->b->speed_idx >= 0) return c->b->speed_kmh;
  for (int k = 0; k < 1000; k++) {
    double v = sc->speed_mean + sc->speed_sd * normal(&c->traffic);
    if (v >= sc->speed_min && v <= sc->speed_max) return v;
  }
  return sc->speed_mean;
}

static unsigned draw_group(block_ctx *c) {
  const sim_scenario *sc = c->w->sc;
  double u = dsrc_prng_uniform(&c->traffic), acc = 0;
  for (unsigned g = 0; g + 1 < sc->ngroups; g++) {
    acc += sc->groups[g].share;
    if (u < acc) return g;
  }
  return sc->ngroups - 1;
}


/* The fleet vehicle's group: fixed per vehicle so its profile never changes. */
static unsigned group_of_vehicle(const sim_scenario *sc, uint32_t id) {
  double u = (double)(sim_seed_mix(sc->seed, id) >> 11) * 0x1.0p-53, acc = 0;
  for (unsigned g = 0; g + 1 < sc->ngroups; g++) {
    acc += sc->groups[g].share;
    if (u < acc) return g;
  }
  return sc->ngroups - 1;
}

static void idle_restore(const sim_idle_obe *s, obe_state *st) {
  st->autopass_tc = s->autopass_tc;
  st->equipment_status = s->equipment_status;
  st->efcstatus = s->efcstatus;
  for (unsigned k = 0; k < s->log_len; k++) {
    unsigned idx = (s->log_head + s->log_cap - s->log_len + k) % s->log_cap;
    obe_state_log(st, s->log[idx].time, s->log[idx].station);
  }
}

/* Keeps the counters and the log (grown as passages add entries, at most OBE_LOG_MAX). */
static int idle_save(sim_idle_obe *s, const obe_state *st) {
  s->autopass_tc = st->autopass_tc;
  s->equipment_status = st->equipment_status;
  s->efcstatus = st->efcstatus;
  if (st->log_len > s->log_cap) {
    unsigned cap = st->log_len < 8 ? 8 : st->log_len;
    obe_log_entry *n;
    if (cap > OBE_LOG_MAX) cap = OBE_LOG_MAX;
    n = realloc(s->log, cap * sizeof(*n));
    if (!n) return -1;
    s->log = n;
    s->log_cap = (uint8_t)cap;
  }
  s->log_len = st->log_len;
  for (unsigned k = 0; k < st->log_len; k++) {
    unsigned idx = (st->log_head + OBE_LOG_MAX - st->log_len + k) % OBE_LOG_MAX;
    s->log[k] = st->log[idx];
  }
  s->log_head = (uint8_t)(s->log_cap ? st->log_len % s->log_cap : 0);
  return 0;
}

static active *active_by_obe(block_ctx *c, const obe_engine *o) {
  for (unsigned i = 0; i < c->nlive; i++)
    if (&c->live[i]->o == o) return c->live[i];
  return NULL;
}

static active *active_by_lid(block_ctx *c, uint32_t lid) {
  for (unsigned i = 0; i < c->nlive; i++)
    if (c->live[i]->lid == lid && c->live[i]->power >= OBE_INIT) return c->live[i];
  return NULL;
}

static void on_power_changed(obe_engine *o, obe_power power, uint64_t t, void *user) {
  (void)o;
  (void)t;
  ((active *)user)->power = power;
}

static void on_session_opened(obe_engine *o, uint32_t lid, const dsrc_beacon_id *beacon, uint64_t t, void *user) {
  (void)o;
  (void)beacon;
  (void)t;
  ((active *)user)->lid = lid;
}

/* The window choices at one BST: which windows are taken so far. */
static void choices_at_now(block_ctx *c) {
  if (c->choice_at != c->l.now) {
    c->choice_at = c->l.now;
    c->taken = 0;
  }
}

/* An untagged OBE's public-window choice: its own draw, noted as taken. */
static void window_fill_plain(void *state, uint8_t *out, size_t len) {
  block_ctx *c = state;
  unsigned n = c->ocfg[0].public_windows;
  choices_at_now(c);
  for (size_t i = 0; i < len; i++) {
    out[i] = (uint8_t)dsrc_prng_below(&c->windows, 256);
    if (n >= 1 && n <= 32) c->taken |= UINT32_C(1) << (out[i] % n);
  }
}

/* The tagged OBE's public-window choice under the collision bias: when some OBE has
 * already chosen at this BST, it takes one of the windows taken there with probability
 * b->bias_collide (uniformly among them), else draws as it would. The OBE reads an octet
 * modulo its windows, so a window is drawn as a uniform octet giving it. The OBE's own
 * draw gives octet x with probability 1/256, the mixture with (1 - beta)/256 + beta /
 * (taken windows x octets giving x's window) when that window is taken: the ratio, at
 * most 1 / (1 - beta), joins the likelihood ratio (a defensive mixture: the weights stay
 * bounded). */
static void window_fill_tag(void *state, uint8_t *out, size_t len) {
  block_ctx *c = state;
  unsigned n = c->ocfg[0].public_windows;
  double beta = c->b->bias_collide;
  choices_at_now(c);
  for (size_t i = 0; i < len; i++) {
    unsigned w, ntaken = (unsigned)__builtin_popcount(c->taken), count;
    double q;
    if (n <= 1 || n > 32 || ntaken == 0) {
      window_fill_plain(c, out + i, 1);
      continue;
    }
    if (dsrc_prng_uniform(&c->windows) < beta) {
      /* The k-th taken window. */
      unsigned k = (unsigned)dsrc_prng_below(&c->windows, ntaken);
      uint32_t m = c->taken;
      while (k--) m &= m - 1;
      w = (unsigned)__builtin_ctz(m);
      count = (255 - w) / n + 1;
      out[i] = (uint8_t)(w + n * dsrc_prng_below(&c->windows, count));
    } else {
      out[i] = (uint8_t)dsrc_prng_below(&c->windows, 256);
    }
    w = out[i] % n;
    count = (255 - w) / n + 1;
    q = (1 - beta) / 256.0 + ((c->taken >> w) & 1 ? beta / (ntaken * (double)count) : 0);
    c->bias.log_w += -log(256.0 * q);
    c->contended++;
    c->collided += (c->taken >> w) & 1;
    c->taken |= UINT32_C(1) << w;
  }
}

static const obe_callbacks obe_events = {on_power_changed, on_session_opened, NULL, NULL};

/* Airtime of the frames each vehicle's session puts on the air. */
static void frames_add(sim_frames *fr, const air_frame *f, uint8_t lane_no) {
  size_t need = 16 + f->len;
  uint8_t *p;
  uint32_t lid = io_cap_frame_lid(f->frame, f->len);
  if (fr->oom) return;
  if (fr->len + need > fr->cap) {
    size_t cap = fr->cap ? fr->cap * 2 : 65536;
    uint8_t *b = realloc(fr->buf, cap);
    if (!b) {
      fr->oom = true;
      return;
    }
    fr->buf = b;
    fr->cap = cap;
  }
  p = fr->buf + fr->len;
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(f->t_start >> (56 - 8 * i));
  p[8] = f->uplink;
  p[9] = lane_no;
  p[10] = (uint8_t)((f->corrupted ? IO_CAP_CORRUPTED : 0) | (f->collided ? IO_CAP_COLLIDED : 0));
  p[11] = (uint8_t)(lid >> 24);
  p[12] = (uint8_t)(lid >> 16);
  p[13] = (uint8_t)(lid >> 8);
  p[14] = (uint8_t)lid;
  p[15] = (uint8_t)f->len;
  memcpy(p + 16, f->frame, f->len);
  fr->len += need;
}

int sim_frames_write(const sim_frames *f, io_cap_writer *w, uint64_t offset_ns, char *err, size_t errlen) {
  size_t at = 0;
  if (f->oom) {
    snprintf(err, errlen, "out of memory keeping a block's frames");
    return -1;
  }
  while (at + 16 <= f->len) {
    const uint8_t *p = f->buf + at;
    io_cap_record r;
    uint64_t t = 0;
    for (int i = 0; i < 8; i++) t = t << 8 | p[i];
    r.t_ns = t + offset_ns;
    r.uplink = p[8];
    r.lane = p[9];
    r.flags = p[10];
    r.lid = (uint32_t)p[11] << 24 | (uint32_t)p[12] << 16 | (uint32_t)p[13] << 8 | p[14];
    r.len = p[15];
    r.frame = p + 16;
    if (io_cap_writer_put(w, &r, err, errlen) != 0) return -1;
    at += 16 + r.len;
  }
  return 0;
}

void sim_frames_free(sim_frames *f) {
  free(f->buf);
  memset(f, 0, sizeof(*f));
}

/* A downlink frame failed at the receivers in f->lost_at: a loss for each vehicle it
 * mattered to. to: the vehicle a private frame is addressed to (NULL: a BST, or nobody's). */
static void downlink_lost(block_ctx *c, const air_frame *f, bool bst, const active *to) {
  for (uint64_t m = f->lost_at; m; m &= m - 1) {
    active *v = active_by_obe(c, c->l.obes[__builtin_ctzll(m)]);
    if (!v || v->closed) continue;
    /* A BST counts while the OBE, awake, waits for one to ask for a window (its session
     * not yet started); one lost while it waits for a late answer is not counted, as the
     * OBE may not have had its answer ready (the loss stays "late"). */
    if (bst ? v->power == OBE_IDLE || v->power == OBE_INIT : v == to) v->loss = SIM_LOSS_DOWNLINK;
  }
}

static void on_frame(void *ctx, const air_frame *f) {
  block_ctx *c = ctx;
  active *a = NULL;
  if (c->frames) frames_add(c->frames, f, c->rcfg.lane);
  if (f->uplink) {
    if (f->sender >= 0) a = active_by_obe(c, c->l.obes[f->sender]);
    if (a && !a->closed && f->corrupted) a->loss = f->collided ? SIM_LOSS_COLLISION : SIM_LOSS_UPLINK;
  } else if (f->len > 6 && f->frame[1] != DSRC_LID_BROADCAST) {
    uint32_t lid = (uint32_t)f->frame[1] << 24 | (uint32_t)f->frame[2] << 16 |
                   (uint32_t)f->frame[3] << 8 | f->frame[4];
    a = active_by_lid(c, lid);
    if (a && f->lost_at) downlink_lost(c, f, false, a);
  } else if (f->lost_at) {
    downlink_lost(c, f, true, NULL);
  }
  if (!f->uplink && c->releasing) {
    /* The RSE finished a session with this frame (on_session_closed): the transaction ends
     * with it. After the RSE gave up, the passage ended when it did: collect() has it. */
    active *r = active_by_lid(c, c->releasing);
    if (r && !r->finished) r->t_done = f->t_end;
    c->releasing = 0;
  }
  if (a) a->airtime_ns += f->t_end - f->t_start;
}

/* The RSE heard the vehicle's window request: its VST phase starts, with losses of its own. */
static void on_rse_opened(rse_engine *r, uint32_t lid, uint64_t t, void *user) {
  active *a = active_by_lid(user, lid);
  (void)r;
  (void)t;
  if (!a || a->closed) return;
  a->cmd = RSE_CMD_VST;
  a->loss = SIM_LOSS_NONE;
}

/* Raised inside rse_next: a session done is released by the frame that step sends. The
 * vehicle's cause is what it was then (a session the RSE opens again for a LID it let time
 * out is not the passage's). */
static void on_session_closed(rse_engine *r, const rse_passage *p, void *user) {
  block_ctx *c = user;
  active *a = active_by_lid(c, p->lid);
  (void)r;
  if (p->outcome == RSE_OUT_DONE) c->releasing = p->lid;
  if (a && !a->closed) {
    a->closed = true;
    a->cmd = (uint8_t)p->command;
  }
}

/* A new command starts with no loss; a repeat or a re-allocation keeps its losses. */
static void on_command_sent(rse_engine *r, uint32_t lid, rse_cmd cmd, bool allocation, unsigned attempt,
                            uint64_t t, void *user) {
  active *a = active_by_lid(user, lid);
  (void)r;
  (void)allocation;
  (void)attempt;
  (void)t;
  if (!a || a->closed || a->cmd == cmd) return;
  a->cmd = (uint8_t)cmd;
  a->loss = SIM_LOSS_NONE;
}

/* Only NE_OK needs the event: on_frame has already seen the losses behind the other misses
 * (an empty window: the frame lost at the OBE, or an OBE gone; a corrupted one: its answer
 * failed or collided on the way up). */
static void on_answer_missed(rse_engine *r, uint32_t lid, rse_cmd cmd, rse_miss why, uint64_t t, void *user) {
  active *a = active_by_lid(user, lid);
  (void)r;
  (void)cmd;
  (void)t;
  if (a && !a->closed && why == RSE_MISS_LATE) a->loss = SIM_LOSS_LATE;
}

static const rse_callbacks rse_events = {.session_opened = on_rse_opened,
                                         .session_closed = on_session_closed,
                                         .command_sent = on_command_sent,
                                         .answer_missed = on_answer_missed};

static void collect(block_ctx *c) {
  rse_passage p;
  while (rse_passage_pop(c->r, &p)) {
    active *a = active_by_lid(c, p.lid);
    if (!a || a->finished) continue;
    a->finished = true;
    if (p.outcome != RSE_OUT_DONE) a->t_done = p.t_end;
    a->rse_outcome = p.outcome;
    a->verdict = p.claim.verdict;
    a->frames_down = p.frames_down;
    a->frames_up = p.frames_up;
    a->octets_down = p.octets_down;
    a->octets_up = p.octets_up;
    a->retries = p.retries;
    a->late = p.late_responses;
    a->fail = (uint8_t)p.fail;
  }
}

static int admit(block_ctx *c, uint32_t seq, uint64_t t_enter, double speed, unsigned *group_out) {
  const sim_scenario *sc = c->w->sc;
  const sim_block *b = c->b;
  active *a = NULL;
  uint32_t fleet_idx = 0, id;
  unsigned group;
  int rv;
  for (unsigned i = 0; i < ACTIVE_MAX && !a; i++)
    if (!c->act[i].used) a = &c->act[i];
  if (!a) return -1;
  if (b->fleet) {
    /* A vehicle cannot be in the zone twice: draw again if it still is. */
    for (int tries = 0; tries < 64; tries++) {
      bool busy = false;
      fleet_idx = (uint32_t)dsrc_prng_below(&c->traffic, b->fleet);
      for (unsigned i = 0; i < c->nlive; i++) busy |= c->live[i]->fleet_idx == fleet_idx;
      if (!busy) break;
    }
    id = b->vehicle_base + fleet_idx;
    group = b->group >= 0 ? (unsigned)b->group : group_of_vehicle(sc, id);
  } else {
    id = b->vehicle_base + seq;
    group = b->group >= 0 ? (unsigned)b->group : draw_group(c);
  }
  memset(a, 0, offsetof(active, prof));
  a->used = true;
  a->seq = seq;
  a->fleet_idx = fleet_idx;
  a->t_enter = t_enter;
  a->t_leave = t_enter + (uint64_t)(b->zone_m / (speed / 3.6) * 1e9);
  rv = sim_obe_make_fast(&a->prof, c->crypto, c->w->keys, id, efc_profile_bit(sc->groups[group].profile),
                         c->rcfg.keyref_tsp, c->rcfg.keyref_tc);
  if (rv != 0) return rv;
  obe_state_init(&a->st, &a->prof);
  if (b->fleet) idle_restore(&c->idle[fleet_idx], &a->st);
  rv = obe_init(&a->o, &c->ocfg[sc->groups[group].legacy], &a->prof, &a->st, c->crypto,
                dsrc_prng_rng(&c->engines), &obe_events, a);
  if (rv != 0) return rv;
  /* The one passage a biased block weighs (sim_block.warmup): its OBE's draws are biased. */
  if (seq == b->warmup) c->bias.tag = &a->o;
  if (b->bias_collide > 0)
    obe_window_rng_set(&a->o, (dsrc_rng){seq == b->warmup ? window_fill_tag : window_fill_plain, c});
  if (air_lane_add(&c->l, &a->o, a->t_enter, a->t_leave) < 0) return -1;
  c->live[c->nlive++] = a;
  *group_out = group;
  c->out[seq].group = (uint8_t)group;
  c->out[seq].obuid = id;
  c->out[seq].speed_kmh = (float)speed;
  return 0;
}

static void retire(block_ctx *c, active *a) {
  sim_record *r = &c->out[a->seq];
  r->t_enter_ns = a->t_enter;
  r->dwell_us = (uint32_t)((a->t_leave - a->t_enter) / 1000);
  r->completion_us = -1;
  if (a->finished && a->rse_outcome == RSE_OUT_DONE && a->t_done <= a->t_leave) {
    r->completion_us = (int32_t)((a->t_done - a->t_enter) / 1000);
    r->outcome = a->verdict == EFC_PASS ? SIM_OK : SIM_NOT_PASS;
  } else if (a->finished && a->rse_outcome == RSE_OUT_FAILED && a->t_done <= a->t_leave) {
    r->outcome = SIM_FAILED;
  } else {
    /* Left the zone first: mid-transaction, or before its VST got through. */
    r->outcome = (a->power >= OBE_SESSION || a->finished) ? SIM_INCOMPLETE : SIM_NO_SESSION;
  }
  /* Why, when not SIM_OK (sim/cause.h): one cause per outcome, the command the passage was
   * on, and that command's last loss (none for a verdict: the air did not decide it). */
  switch (r->outcome) {
  case SIM_NOT_PASS:
    r->cause = SIM_CAUSE_LANE;
    r->cause_cmd = RSE_CMD_RELEASE;
    break;
  case SIM_FAILED:
    r->cause = a->fail == RSE_FAIL_TIMEOUT ? SIM_CAUSE_TIMEOUT : SIM_CAUSE_RETRIES;
    r->cause_cmd = a->cmd;
    r->cause_frame = a->loss;
    break;
  case SIM_INCOMPLETE:
    /* Its VST went out (or the RSE finished too late): a session, at least at its start. */
    r->cause = SIM_CAUSE_ZONE_EXIT;
    r->cause_cmd = a->cmd != RSE_CMD_NONE ? a->cmd : RSE_CMD_VST;
    r->cause_frame = a->loss;
    break;
  case SIM_NO_SESSION:
    r->cause = SIM_CAUSE_NO_VST;
    r->cause_cmd = a->cmd;
    r->cause_frame = a->loss;
    break;
  default:
    break;
  }
  r->verdict = (uint8_t)a->verdict;
  r->frames_down = (uint16_t)a->frames_down;
  r->frames_up = (uint16_t)a->frames_up;
  r->octets_down = a->octets_down;
  r->octets_up = a->octets_up;
  r->retries = (uint16_t)a->retries;
  r->late = (uint16_t)a->late;
  r->airtime_us = (uint32_t)(a->airtime_ns / 1000);
  r->processing_us = (uint32_t)(obe_stats_get(&a->o)->processing_ns / 1000);
  r->obes_in_zone = a->most_in_zone;
  r->log_w = c->bias.log_w;
  r->bias_lost = (uint32_t)c->bias.lost;
  r->bias_bits = (float)c->bias.bits;
  r->collided = c->collided;
  r->contended = c->contended;
  if (c->b->fleet) idle_save(&c->idle[a->fleet_idx], &a->st);
  /* Its slot may take a later vehicle, which is not the one weighed. */
  if (c->bias.tag == &a->o) c->bias.tag = NULL;
  obe_sleep(&a->o);
  air_lane_remove(&c->l, &a->o);
  keymgmt_obe_profile_wipe(&a->prof);
  a->used = false;
  for (unsigned i = 0; i < c->nlive; i++)
    if (c->live[i] == a) {
      memmove(&c->live[i], &c->live[i + 1], (c->nlive - i - 1) * sizeof(c->live[0]));
      c->nlive--;
      break;
    }
}

/* No session is open, and either every OBE near is done (a released OBE does not answer its
 * beacon again) or none has entered the zone yet (a frame that starts before an OBE enters
 * never reaches it): until the next arrival, entry or departure the lane carries only BSTs
 * that change nothing. A mix of the two is not skipped, as the released OBEs' receivers
 * still draw their bit errors. */
static bool quiet(const block_ctx *c) {
  bool done = true, outside = true;
  if (rse_sessions_open(c->r) != 0) return false;
  for (unsigned i = 0; i < c->nlive; i++) {
    done &= c->live[i]->power == OBE_RELEASED;
    outside &= c->live[i]->t_enter > c->l.now;
  }
  return done || outside;
}

size_t sim_idle_obe_bytes(const sim_idle_obe *s) { return sizeof(*s) + (size_t)s->log_cap * sizeof(obe_log_entry); }

int sim_block_run(const sim_world *w, const sim_block *b, dsrc_crypto *crypto, sim_record *out,
                  sim_block_stats *stats) {
  return sim_block_run_frames(w, b, crypto, out, stats, NULL);
}

int sim_block_run_frames(const sim_world *w, const sim_block *b, dsrc_crypto *crypto, sim_record *out,
                         sim_block_stats *stats, sim_frames *frames) {
  const sim_scenario *sc = w->sc;
  block_ctx *c = calloc(1, sizeof(*c));
  uint64_t next_arrival = 0;
  uint32_t admitted = 0, retired = 0;
  int rv = 0;
  /* A block left zeroed would never see a vehicle leave (sim_block_init). */
  if (!(b->zone_m > 0) || !(b->headway_s > 0) || (uint64_t)b->warmup + b->reported > b->passages ||
      ((b->bias_ber > 0 || b->bias_collide > 0) && b->reported != 1) || (b->speed_idx >= 0 && !(b->speed_kmh > 0)) ||
      !(b->bias_ber >= 0 && b->bias_ber < 0.5) || !(b->bias_collide >= 0 && b->bias_collide < 1)) {
    free(c);
    return -1;
  }
  if (!c) return -1;
  c->w = w;
  c->b = b;
  c->crypto = crypto;
  c->out = out;
  c->frames = frames;
  dsrc_prng_seed(&c->traffic, sim_seed_mix(b->seed, 1));
  dsrc_prng_seed(&c->engines, sim_seed_mix(b->seed, 2));
  dsrc_prng_seed(&c->errors, sim_seed_mix(b->seed, 3));
  dsrc_prng_seed(&c->windows, sim_seed_mix(b->seed, 4));
  if (b->fleet && !(c->idle = calloc(b->fleet, sizeof(*c->idle)))) {
    free(c);
    return -1;
  }
  c->rcfg = sc->rse;
  c->rcfg.beacon.manufacturer_id = 1;
  c->rcfg.beacon.individual_id = 1000u + b->gantry;
  c->rcfg.station = (uint16_t)(1000u + b->gantry);
  c->rcfg.lane = (uint8_t)(b->lane + 1);
  c->rcfg.keys = &w->keys->op;
  c->ocfg[0] = sc->obe;
  c->ocfg[0].mcu = sc->mcu_modern;
  c->ocfg[1] = sc->obe;
  c->ocfg[1].mcu = sc->mcu_legacy;
  if (rse_new(&c->r, &c->rcfg, crypto, dsrc_prng_rng(&c->engines), &rse_events, c) != 0) {
    free(c->idle);
    free(c);
    return -1;
  }
  air_lane_init(&c->l, c->r, b->ber, &c->errors);
  air_lane_l1_set(&c->l, &sc->l1);
  if (b->bias_ber > 0) {
    c->bias.ber = b->bias_ber;
    air_lane_bias_set(&c->l, &c->bias);
  }
  c->l.on_frame = on_frame;
  c->l.ctx = c;
  memset(out, 0, b->passages * sizeof(*out));
  for (uint32_t i = 0; i < b->passages; i++) {
    out[i].block = b->index;
    out[i].seq = i;
    out[i].lane = (uint8_t)b->lane;
    out[i].gantry = b->gantry;
    out[i].ber_idx = b->ber_idx;
  }
  /* The first vehicle arrives at a random phase of the BST cycle. */
  next_arrival = (uint64_t)(dsrc_prng_uniform(&c->traffic) * (double)sc->rse.bst_period_ns) + 10000000u;

  while (retired < b->passages && rv == 0) {
    uint64_t until = UINT64_MAX;
    /* Vehicles about to enter join the lane. */
    while (admitted < b->passages && next_arrival <= c->l.now + LOOKAHEAD_NS) {
      unsigned g;
      double gap = b->min_headway_s - (b->headway_s - b->min_headway_s) * log1p(-dsrc_prng_uniform(&c->traffic));
      if ((rv = admit(c, admitted, next_arrival, draw_speed(c), &g)) != 0) {
        if (rv == -1) rv = 0; /* the lane is full: it enters at the next step */
        break;
      }
      admitted++;
      next_arrival += (uint64_t)(gap * 1e9);
    }
    if (rv != 0) break;
    /* Vehicles gone from the zone are done with. */
    for (unsigned i = c->nlive; i-- > 0;) {
      active *a = c->live[i];
      if (c->l.now >= a->t_leave) {
        retire(c, a);
        retired++;
      } else {
        if (c->l.nobes > a->most_in_zone) a->most_in_zone = (uint32_t)c->l.nobes;
        if (a->t_leave < until) until = a->t_leave;
      }
    }
    if (admitted < b->passages && next_arrival - LOOKAHEAD_NS < until)
      until = next_arrival > LOOKAHEAD_NS ? next_arrival - LOOKAHEAD_NS : 0;
    if (quiet(c)) {
      /* Nothing can happen before the next arrival, entry or departure: jump, keeping the
       * BST phase. */
      uint64_t to = until;
      for (unsigned i = 0; i < c->nlive; i++)
        if (c->live[i]->t_enter > c->l.now && c->live[i]->t_enter < to) to = c->live[i]->t_enter;
      if (to != UINT64_MAX && to > c->l.now) {
        rse_skip_to(c->r, to);
        c->l.now = to;
        continue;
      }
    }
    /* Nothing here changes between frames until a passage finishes or until comes: a
     * finished passage is the only way a session closes or an OBE is released. With
     * nothing to wait for (the last vehicle has just left and the loop ends), the one step
     * it has always taken, which keeps captures as they were. */
    if (until == UINT64_MAX)
      air_lane_step(&c->l, c->l.now + 1000000000u);
    else
      air_lane_run(&c->l, until);
    collect(c);
  }
  for (unsigned i = 0; i < ACTIVE_MAX; i++)
    if (c->act[i].used) {
      obe_sleep(&c->act[i].o);
      keymgmt_obe_profile_wipe(&c->act[i].prof);
    }
  if (stats) memset(stats, 0, sizeof(*stats));
  if (c->idle)
    for (uint32_t i = 0; i < b->fleet; i++) {
      if (stats) {
        size_t n = sim_idle_obe_bytes(&c->idle[i]);
        stats->idle_obes++;
        stats->idle_bytes += n;
        if (n > stats->idle_bytes_max) stats->idle_bytes_max = n;
      }
      free(c->idle[i].log);
    }
  free(c->idle);
  if (frames) frames->end_ns = c->l.now;
  rse_del(c->r);
  free(c);
  return rv;
}

void sim_block_init(sim_block *b, const sim_scenario *sc) {
  memset(b, 0, sizeof(*b));
  b->speed_idx = (int16_t)(sc->speed_dist ? -1 : 0);
  b->speed_kmh = sc->speed_dist ? 0 : sc->speeds[0];
  b->group = -1;
  b->ber = sc->bers[0];
  b->zone_m = sc->zone_m;
  b->headway_s = sc->headway_s;
  b->min_headway_s = sc->min_headway_s;
  b->passages = 1;
}

int sim_blocks_split(const sim_scenario *sc, const sim_block *proto, uint64_t passages, uint64_t seed,
                     sim_blocks *out) {
  /* Blocks of at most 1,000 passages: small enough to spread over threads, long enough
   * that a block's empty start is negligible in dense traffic. Importance sampling asks
   * for short ones: a passage's weight covers its whole block so far. */
  const uint64_t per_block = out->per_block ? out->per_block : 1000;
  unsigned streams = sc->lanes * sc->gantries;
  uint32_t k = 0;
  for (unsigned st = 0; st < streams; st++) {
    uint64_t mine = passages / streams + (st < passages % streams ? 1 : 0);
    uint64_t fleet = sc->fleet_size ? (sc->fleet_size + streams - 1) / streams : 0;
    for (uint64_t done = 0; done < mine; done += per_block) {
      sim_block *b;
      if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 256;
        sim_block *nv = realloc(out->v, cap * sizeof(*nv));
        if (!nv) return -1;
        out->v = nv;
        out->cap = cap;
      }
      b = &out->v[out->n];
      *b = *proto;
      b->index = out->first_index + (uint32_t)out->n;
      b->lane = (uint16_t)(st % sc->lanes);
      b->gantry = (uint16_t)(st / sc->lanes);
      b->passages = (uint32_t)(mine - done < per_block ? mine - done : per_block);
      /* With a warm-up, the passages to report sit between two of them. */
      b->warmup = out->warmup;
      b->reported = b->passages;
      b->passages += 2 * out->warmup;
      /* A repeating fleet stays with its stream, so its counters run in order; without
       * one, every passage brings a new vehicle. */
      b->fleet = (uint32_t)(fleet ? (fleet < b->passages ? fleet : b->passages) : 0);
      b->vehicle_base = out->vehicle_base;
      out->vehicle_base += b->fleet ? b->fleet : b->passages;
      b->seed = sim_seed_mix(seed, k++);
      out->n++;
    }
  }
  return 0;
}

size_t sim_blocks_make(const sim_scenario *sc, sim_block **out) {
  unsigned nspeeds = sc->speed_dist ? 1 : sc->nspeeds;
  sim_blocks all = {.vehicle_base = 0x00100000u};
  sim_block proto;
  for (unsigned bi = 0; bi < sc->nbers; bi++)
    for (unsigned si = 0; si < nspeeds; si++) {
      sim_block_init(&proto, sc);
      proto.ber_idx = (uint16_t)bi;
      proto.ber = sc->bers[bi];
      proto.speed_idx = (int16_t)(sc->speed_dist ? -1 : (int)si);
      if (!sc->speed_dist) proto.speed_kmh = sc->speeds[si];
      /* The seeds efc-scenario run gives the same speed: its source bi x nspeeds + si, its
       * first and only look (plan.c). */
      uint64_t seed = sim_seed_mix(sim_seed_mix(sc->seed, (uint64_t)bi * nspeeds + si + 1), 0);
      if (sim_blocks_split(sc, &proto, sc->passages, seed, &all) != 0) {
        free(all.v);
        return 0;
      }
    }
  *out = all.v;
  return all.n;
}
