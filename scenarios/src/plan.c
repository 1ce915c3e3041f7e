/* The run's rounds: sources, their looks, and the zone searches (docs/statistics.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "sim/plan.h"

static unsigned groups_of(const sim_plan *p, const sim_source *s) { return s->group < 0 ? p->sc->ngroups : 1; }

/* Importance sampling's pilots (docs/statistics.md, "Rare failures"). */
#define PILOT_BER_MIN 1e-3  /* a biased pilot's BER, at least: retries fail there often enough */
#define BIAS_BER_MAX 0.05   /* beyond, nearly every frame fails and the weights explode */
#define PILOT_COLLIDE 0.3   /* a biased pilot's collision bias, with several OBEs in the zone */
#define BIAS_COLLIDE_MAX 0.8
#define PILOTS_MAX 5        /* the plain one, then stronger ones while too few failures */
#define PILOT_FAILURES 10   /* what a pilot needs to choose a bias from */

/* Mean OBEs in one lane's zone at a source's point: the swept density, or dwell / headway. */
static double obes_in_zone(const sim_plan *p, const sim_source *s) {
  const sim_point *pt = &p->rep->points[s->point];
  if (pt->density > 0) return pt->density;
  return pt->zone_m / (p->sc->speeds[s->speed_i] / 3.6) / p->sc->headway_s;
}

/* The source's bias from now on, as its cell reports it. */
static void bias_set(sim_plan *p, sim_source *s, double ber, double collide) {
  sim_report_cell *c = &p->rep->cells[s->cell];
  s->bias_ber = ber;
  s->bias_collide = collide;
  c->importance = ber > 0 || collide > 0;
  c->bias_ber = ber;
  c->bias_collide = collide;
}

/* A source's start: the scenario's bias when it gives it all, else a plain pilot (when
 * failures are not rare, plain sampling does better than any bias). A weight covers its
 * whole block, so a biased block weighs one passage; in dense traffic, about twice the
 * OBEs in the zone pass before and after it, unbiased and unreported, so that it sees
 * the traffic a long block's passages see. */
static void importance_init(sim_plan *p, sim_source *s) {
  const sim_scenario *sc = p->sc;
  double mean = obes_in_zone(p, s);
  s->warmup = sc->is_warmup >= 0 ? (uint32_t)sc->is_warmup : mean >= 0.5 ? (uint32_t)ceil(2 * mean) : 0;
  s->piloting = sc->is_ber_mode == 0 || (sc->is_collide_mode == 0 && mean >= 0.5);
  if (s->piloting) bias_set(p, s, 0, 0);
  else bias_set(p, s, sc->is_ber_mode == 1 ? sc->is_ber : 0, sc->is_collide_mode == 1 ? sc->is_collide : 0);
}

static void pilot_next(sim_plan *p, sim_source *s, double ber, double collide) {
  sim_report_cell *c = &p->rep->cells[s->cell];
  memset(&c->pilot_is, 0, sizeof(c->pilot_is));
  c->ce_lost = c->ce_bits = c->ce_collided = c->ce_contended = 0;
  s->pilot_issued = 0;
  s->bias_ber = ber;
  s->bias_collide = collide;
}

/* A pilot is over. After the plain one: plain sampling if it saw enough failures, else a
 * first biased pilot. After a biased one: a stronger one if it saw too few failures;
 * plain sampling if its weights could not be trusted; else the estimate's bias by
 * cross-entropy from its failures: the rate of frame losses per exposed bit among them,
 * and how often their contended window choices took a taken window (a bias too close to
 * no bias is dropped: plain sampling's exact bounds are better there). No failure even at
 * the strongest: its bias. */
static void pilot_decide(sim_plan *p, sim_source *s) {
  const sim_scenario *sc = p->sc;
  sim_report_cell *c = &p->rep->cells[s->cell];
  double ber = p->rep->points[s->point].ber, n = sc->obe.public_windows;
  bool ber_auto = sc->is_ber_mode == 0, collide_auto = sc->is_collide_mode == 0 && obes_in_zone(p, s) >= 0.5;
  bool stronger = (ber_auto && s->bias_ber < BIAS_BER_MAX) || (collide_auto && s->bias_collide < BIAS_COLLIDE_MAX);
  double b = s->bias_ber, a = s->bias_collide;
  c->pilots++;
  s->piloting = false;
  if (c->pilots == 1) {
    c->plain_n = c->pilot_is.n;
    c->plain_failures = c->pilot_is.failures;
    if (c->pilot_is.failures >= PILOT_FAILURES) {
      bias_set(p, s, 0, 0);
      return;
    }
    s->piloting = true;
    pilot_next(p, s,
               sc->is_ber_mode == 1 ? sc->is_ber
               : ber_auto          ? fmax(ber, fmin(BIAS_BER_MAX, fmax(4 * ber, PILOT_BER_MIN)))
                                   : 0,
               sc->is_collide_mode == 1 ? sc->is_collide : collide_auto ? PILOT_COLLIDE : 0);
    return;
  }
  if (sim_is_degenerate(&c->pilot_is)) {
    c->degenerate = true;
    bias_set(p, s, 0, 0);
    return;
  }
  if (c->pilot_is.failures < PILOT_FAILURES && c->pilots < PILOTS_MAX && stronger) {
    s->piloting = true;
    pilot_next(p, s, ber_auto ? fmin(BIAS_BER_MAX, 4 * b) : b,
               collide_auto ? fmin(BIAS_COLLIDE_MAX, a + 0.2) : a);
    return;
  }
  if (c->pilot_is.failures > 0) {
    if (ber_auto) {
      b = c->ce_bits > 0 ? c->ce_lost / c->ce_bits : 0;
      b = b < 1.25 * ber ? 0 : fmin(b, BIAS_BER_MAX);
    }
    if (collide_auto && n > 1) {
      /* A contended choice takes a taken window by itself about 1 / windows of the time. */
      double f = c->ce_contended > 0 ? c->ce_collided / c->ce_contended : 0;
      a = (f - 1 / n) / (1 - 1 / n);
      a = a < 0.05 ? 0 : fmin(a, BIAS_COLLIDE_MAX);
    }
  }
  bias_set(p, s, b, a);
}

/* Blocks of a biased source weigh one passage each; plain ones are cut as usual. */
static void source_cut(const sim_source *s, sim_blocks *out) {
  bool biased = s->bias_ber > 0 || s->bias_collide > 0;
  out->per_block = biased ? 1 : 0;
  out->warmup = biased ? s->warmup : 0;
}

static int source_add(sim_plan *p, uint32_t point, int speed_i, int group, uint32_t cell, int line, double alpha) {
  const sim_scenario *sc = p->sc;
  sim_source *s;
  uint64_t first = sc->passages_auto ? sc->first_look : sc->passages;
  uint64_t max = sc->passages_auto ? sc->cell_max : sc->passages;
  if (p->nsources == p->capsources) {
    size_t cap = p->capsources ? 2 * p->capsources : 64;
    sim_source *n = realloc(p->sources, cap * sizeof(*n));
    if (!n) return -1;
    p->sources = n;
    p->capsources = cap;
  }
  s = &p->sources[p->nsources];
  memset(s, 0, sizeof(*s));
  s->point = point;
  s->speed_i = speed_i;
  s->group = group;
  s->cell = cell;
  s->id = (uint32_t)p->nsources;
  s->open = true;
  s->line = line;
  /* alpha: every cell of a source has its point's share (sim_report_cell.alpha). */
  if (sim_seq_plan_make(&s->plan, first, max, alpha) != 0) return -1;
  if (sc->is_on) importance_init(p, s);
  p->nsources++;
  return 0;
}

static uint32_t point_add(sim_plan *p, unsigned ber_i, double zone_m, unsigned density_i) {
  const sim_scenario *sc = p->sc;
  sim_point pt;
  pt.ber = sc->bers[ber_i];
  pt.ber_i = ber_i;
  pt.zone_m = zone_m;
  pt.density_i = density_i;
  pt.density = sc->ndensities ? sc->densities[density_i] : 0;
  return sim_report_point_add(p->rep, &pt);
}

/* A probe of line l at zone index i of the search's grid. */
static double probe_zone(const sim_scenario *sc, unsigned i) {
  double z = sc->search_from_m + i * sc->search_step_m;
  return z > sc->search_to_m ? sc->search_to_m : z;
}

static unsigned probe_steps(const sim_scenario *sc) {
  return (unsigned)ceil((sc->search_to_m - sc->search_from_m) / sc->search_step_m - 1e-9);
}

static int probe_start(sim_plan *p, size_t l, unsigned i) {
  const sim_scenario *sc = p->sc;
  sim_line *ln = &p->lines[l];
  sim_frontier *f = &p->rep->frontiers[ln->frontier];
  uint32_t pt = point_add(p, f->ber_i, probe_zone(sc, i), f->density_i), cell;
  /* A frontier line is a family with its every probe at every speed (docs/statistics.md). */
  double alpha = (1 - sc->confidence) / ((double)sc->nspeeds * p->probes_max);
  if (pt == UINT32_MAX) return -1;
  cell = sim_report_cells_add(p->rep, pt, f->speed_i, 1, f->group, 1, alpha);
  if (cell == UINT32_MAX) return -1;
  if (f->probes++ == 0) f->first_cell = cell;
  ln->probing = (uint32_t)p->nsources;
  return source_add(p, pt, (int)f->speed_i, (int)f->group, cell, (int)l, alpha);
}

static int grid_init(sim_plan *p) {
  const sim_scenario *sc = p->sc;
  sim_report *r = p->rep;
  unsigned ndens = sc->ndensities ? sc->ndensities : 1;
  for (unsigned b = 0; b < sc->nbers; b++)
    for (unsigned z = 0; z < sc->nzones; z++)
      for (unsigned d = 0; d < ndens; d++) {
        uint32_t pt = point_add(p, b, sc->zones[z], d);
        /* The speeds of one group at one point are a family: the critical speed is read
         * from all of them at once. */
        double alpha = (1 - sc->confidence) / r->nspeeds;
        if (pt == UINT32_MAX) return -1;
        if (sc->speed_dist) {
          uint32_t c = sim_report_cells_add(r, pt, 0, r->nspeeds, 0, sc->ngroups, alpha);
          if (c == UINT32_MAX || source_add(p, pt, -1, -1, c, -1, alpha) != 0) return -1;
          continue;
        }
        for (unsigned s = 0; s < sc->nspeeds; s++) {
          if (sc->passages_auto) {
            for (unsigned g = 0; g < sc->ngroups; g++) {
              uint32_t c = sim_report_cells_add(r, pt, s, 1, g, 1, alpha);
              if (c == UINT32_MAX || source_add(p, pt, (int)s, (int)g, c, -1, alpha) != 0) return -1;
            }
          } else {
            uint32_t c = sim_report_cells_add(r, pt, s, 1, 0, sc->ngroups, alpha);
            if (c == UINT32_MAX || source_add(p, pt, (int)s, -1, c, -1, alpha) != 0) return -1;
          }
        }
      }
  return 0;
}

static int search_init(sim_plan *p) {
  const sim_scenario *sc = p->sc;
  sim_report *r = p->rep;
  unsigned ndens = sc->ndensities ? sc->ndensities : 1;
  size_t n = (size_t)sc->nbers * ndens * sc->nspeeds * sc->ngroups;
  unsigned steps = probe_steps(sc), log2 = 0;
  while ((1u << log2) < steps) log2++;
  /* The two ends, then one probe per halving. */
  p->probes_max = 2 + log2;
  p->lines = calloc(n, sizeof(*p->lines));
  r->frontiers = calloc(n, sizeof(*r->frontiers));
  if (!p->lines || !r->frontiers) return -1;
  for (unsigned b = 0; b < sc->nbers; b++)
    for (unsigned d = 0; d < ndens; d++)
      for (unsigned s = 0; s < sc->nspeeds; s++)
        for (unsigned g = 0; g < sc->ngroups; g++) {
          sim_frontier *f = &r->frontiers[r->nfrontiers];
          f->ber_i = b;
          f->density_i = d;
          f->speed_i = s;
          f->group = g;
          f->demonstrated_m = f->below_m = NAN;
          f->demonstrated_cell = UINT32_MAX;
          p->lines[p->nlines].frontier = (uint32_t)r->nfrontiers++;
          p->lines[p->nlines].hi = steps;
          if (probe_start(p, p->nlines++, steps) != 0) return -1;
        }
  return 0;
}

int sim_plan_init(sim_plan *p, const sim_scenario *sc, sim_report *rep, char *err, size_t errlen) {
  memset(p, 0, sizeof(*p));
  p->sc = sc;
  p->rep = rep;
  p->vehicle_base = 0x00100000u;
  p->budget_left = sc->passages_auto ? sc->budget : UINT64_MAX;
  if ((sc->search ? search_init(p) : grid_init(p)) != 0) {
    snprintf(err, errlen, "out of memory setting up the run");
    return -1;
  }
  return 0;
}

/* Blocks bringing source s up by want passages. */
static int source_blocks(sim_plan *p, sim_source *s, uint64_t want, sim_blocks *out) {
  const sim_scenario *sc = p->sc;
  const sim_point *pt = &p->rep->points[s->point];
  sim_block proto;
  sim_block_init(&proto, sc);
  proto.cell = s->cell;
  proto.ber_idx = (uint16_t)pt->ber_i;
  proto.ber = pt->ber;
  proto.zone_m = pt->zone_m;
  proto.speed_idx = (int16_t)s->speed_i;
  proto.speed_kmh = s->speed_i >= 0 ? sc->speeds[s->speed_i] : 0;
  proto.group = (int16_t)s->group;
  proto.bias_ber = s->bias_ber;
  proto.bias_collide = s->bias_collide;
  proto.pilot = s->piloting;
  source_cut(s, out);
  if (pt->density > 0) {
    /* density OBEs in the zone on average: one enters every dwell / density. */
    double dwell = pt->zone_m / (proto.speed_kmh / 3.6);
    proto.headway_s = dwell / pt->density;
    proto.min_headway_s = proto.headway_s * (sc->min_headway_s / sc->headway_s);
  }
  /* Each look's blocks continue the source's numbering: their seeds never repeat. */
  return sim_blocks_split(sc, &proto, want, sim_seed_mix(sim_seed_mix(sc->seed, s->id + 1), s->looks_issued++),
                          out);
}

ssize_t sim_plan_round(sim_plan *p, uint32_t first_index, sim_block **out) {
  sim_blocks all = {.first_index = first_index, .vehicle_base = p->vehicle_base};
  for (size_t i = 0; i < p->nsources; i++) {
    sim_source *s = &p->sources[i];
    uint64_t want;
    if (!s->open) continue;
    if (s->piloting) {
      want = p->sc->is_pilot - s->pilot_issued;
      if (want > p->budget_left) {
        want = p->budget_left;
        p->rep->budget_spent = true;
      }
      if (want == 0) continue; /* the pilot's look, or the budget, closes it */
    } else {
      want = sim_seq_plan_look_n(&s->plan, s->look) - s->issued;
      if (want > p->budget_left) {
        want = p->budget_left;
        p->rep->budget_spent = true;
        /* What it has is its last look. */
        s->look = s->plan.looks - 1;
      }
      if (want == 0) {
        s->open = false;
        continue;
      }
    }
    if (source_blocks(p, s, want, &all) != 0) {
      free(all.v);
      return -1;
    }
    if (s->piloting) s->pilot_issued += want;
    else s->issued += want;
    p->budget_left -= want;
  }
  p->vehicle_base = all.vehicle_base;
  *out = all.v;
  p->rep->rounds += all.n > 0;
  return (ssize_t)all.n;
}

/* Whether the weighted estimate's 95 % interval cannot have given what the plain pilot
 * saw (at 0.1 %): a bias that misses how the lane fails (say, a lane that fills up over
 * more vehicles than a block's warm-up) shows there. */
static bool contradicts_pilot(sim_report_cell *c) {
  double lo, hi;
  if (c->plain_n == 0 || c->is.failures == 0) return false;
  sim_is_bounds(&c->is, 0.025, &lo, &hi);
  if ((c->plain_failures > 0 && hi < sim_stats_cp_lower(c->plain_failures, c->plain_n, 0.001)) ||
      lo > sim_stats_cp_upper(c->plain_failures, c->plain_n, 0.001)) {
    c->contradicted = true;
    return true;
  }
  return false;
}

/* A weighted cell whose weights went wrong starts again with nothing drawn. */
static void weighted_drop(sim_report_cell *c) {
  c->n = c->ok = 0;
  memset(c->outcomes, 0, sizeof(c->outcomes));
  memset(c->causes, 0, sizeof(c->causes));
  memset(c->details, 0, sizeof(c->details));
  memset(&c->is, 0, sizeof(c->is));
  memset(c->is_causes, 0, sizeof(c->is_causes));
  c->contended = c->collided = 0;
  c->verdict = SIM_UNDECIDED;
  c->lower = 0;
  c->upper = 1;
}

/* A weighted cell's look: its verdict from the weighted bounds on the failure probability,
 * and true once that verdict is decided and the 95 % interval is within the precision
 * asked for. */
static bool weighted_look(const sim_scenario *sc, sim_report_cell *c) {
  double lo, hi, est = sim_is_estimate(&c->is);
  sim_is_bounds(&c->is, c->alpha_look, &lo, &hi);
  c->lower = 1 - hi;
  c->upper = 1 - lo;
  c->verdict = c->lower >= sc->target ? SIM_DEMONSTRATED : c->upper < sc->target ? SIM_REFUTED : SIM_UNDECIDED;
  sim_is_bounds(&c->is, 0.025, &lo, &hi);
  return c->verdict != SIM_UNDECIDED && est > 0 && (hi - lo) / (2 * est) <= sc->is_precision;
}

/* Looks at the cells of source s: 1 when every one is decided or it was the last look. */
static bool source_look(sim_plan *p, sim_source *s) {
  bool decided = true;
  unsigned ncells = groups_of(p, s) * (s->speed_i < 0 ? p->rep->nspeeds : 1);
  for (unsigned k = 0; k < ncells; k++) {
    sim_report_cell *c = &p->rep->cells[s->cell + k];
    c->looks = s->look + 1;
    c->alpha_look = s->plan.alpha_look;
    if (c->importance && (sim_is_degenerate(&c->is) || contradicts_pilot(c))) {
      c->degenerate |= !c->contradicted;
      decided = false;
      if (s->look + 1 >= s->plan.looks) {
        /* No look left: what it drew stays, claiming nothing. */
        c->verdict = SIM_UNDECIDED;
        c->lower = 0;
        c->upper = 1;
        continue;
      }
      /* What it drew cannot be weighed back: plain sampling from the next look on, the
       * looks' schedule (and so their error spending) unchanged. */
      weighted_drop(c);
      bias_set(p, s, 0, 0);
      continue;
    }
    if (c->importance) {
      decided &= weighted_look(p->sc, c);
      continue;
    }
    c->lower = sim_stats_cp_lower(c->ok, c->n, c->alpha_look);
    c->upper = sim_stats_cp_upper(c->ok, c->n, c->alpha_look);
    c->verdict = sim_stats_verdict(c->ok, c->n, p->sc->target, c->alpha_look);
    decided &= c->verdict != SIM_UNDECIDED;
  }
  return decided || s->look + 1 >= s->plan.looks;
}

/* Line l's probe is over: where next. A zone that did not demonstrate (refuted or
 * undecided) counts as too short: the frontier found is never shorter than a demonstrated
 * zone. */
static int line_step(sim_plan *p, size_t l) {
  const sim_scenario *sc = p->sc;
  sim_line *ln = &p->lines[l];
  sim_frontier *f = &p->rep->frontiers[ln->frontier];
  sim_source *s = &p->sources[ln->probing];
  const sim_report_cell *c = &p->rep->cells[s->cell];
  unsigned at = (unsigned)lround((p->rep->points[s->point].zone_m - sc->search_from_m) / sc->search_step_m);
  unsigned steps = probe_steps(sc);
  if (p->rep->points[s->point].zone_m >= sc->search_to_m) at = steps;
  if (c->verdict == SIM_DEMONSTRATED) {
    ln->hi = at;
    ln->have_hi = true;
    f->demonstrated_m = probe_zone(sc, at);
    f->demonstrated_cell = s->cell;
  } else {
    ln->lo = at;
    ln->have_lo = true;
    f->below_m = probe_zone(sc, at);
    f->below = c->verdict;
  }
  if (!ln->have_hi) return 0;                      /* not even the longest zone */
  if (!ln->have_lo) return at == 0 ? 0 : probe_start(p, l, 0); /* then the shortest */
  if (ln->hi - ln->lo <= 1) return 0;
  return probe_start(p, l, (unsigned)((ln->lo + ln->hi) / 2));
}

int sim_plan_look(sim_plan *p) {
  size_t n = p->nsources;
  for (size_t i = 0; i < n; i++) {
    sim_source *s = &p->sources[i];
    if (s->open && s->piloting) {
      if (s->pilot_issued >= p->sc->is_pilot) {
        pilot_decide(p, s);
      } else if (p->budget_left == 0) {
        /* The budget ran out in a pilot: nothing estimated, nothing decided. */
        s->open = false;
        if (s->line >= 0 && line_step(p, (size_t)s->line) != 0) return -1;
      }
      continue;
    }
    if (!s->open || s->issued < sim_seq_plan_look_n(&s->plan, s->look)) {
      /* Cut short by the budget: that was its last look. */
      if (s->open && s->issued > 0 && p->budget_left == 0) {
        s->look = s->plan.looks - 1;
        source_look(p, s);
        s->open = false;
        if (s->line >= 0 && line_step(p, (size_t)s->line) != 0) return -1;
      }
      continue;
    }
    if (source_look(p, s)) {
      s->open = false;
      /* p->sources may move: line_step adds a source. */
      if (s->line >= 0 && line_step(p, (size_t)s->line) != 0) return -1;
    } else {
      s->look++;
    }
  }
  return 0;
}

void sim_plan_free(sim_plan *p) {
  free(p->sources);
  free(p->lines);
  memset(p, 0, sizeof(*p));
}
