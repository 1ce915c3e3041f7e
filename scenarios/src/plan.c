/* The run's rounds: sources, their looks, and the zone searches (docs/statistics.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "sim/plan.h"

static unsigned groups_of(const sim_plan *p, const sim_source *s) { return s->group < 0 ? p->sc->ngroups : 1; }

/* Importance sampling's pilots (docs/statistics.md, "Rare failures"). */
#define PILOT_BER_MIN 1e-3  /* a pilot's BER, at least: retries fail there often enough */
#define BIAS_BER_MAX 0.05   /* beyond, nearly every frame fails and the weights explode */
#define PILOT_WINDOW0 0.6   /* a pilot's window-0 probability, with several OBEs in the zone */
#define BIAS_WINDOW0_MAX 0.9
#define PILOTS_MAX 4        /* a stronger pilot after one with too few failures, up to this */
#define PILOT_FAILURES 10   /* what a pilot needs to choose a bias from */

/* Mean OBEs in one lane's zone at a source's point: the swept density, or dwell / headway. */
static double obes_in_zone(const sim_plan *p, const sim_source *s) {
  const sim_point *pt = &p->rep->points[s->point];
  if (pt->density > 0) return pt->density;
  return pt->zone_m / (p->sc->speeds[s->speed_i] / 3.6) / p->sc->headway_s;
}

/* The chance the OBE's own draw (an octet modulo the windows) gives window 0. */
static double window0_natural(const sim_scenario *sc) {
  unsigned n = sc->obe.public_windows;
  return n ? (double)(255 / n + 1) / 256.0 : 1;
}

static void bias_set(sim_plan *p, sim_source *s) {
  sim_report_cell *c = &p->rep->cells[s->cell];
  c->importance = s->bias_ber > 0 || s->bias_window0 > 0;
  c->bias_ber = s->bias_ber;
  c->bias_window0 = s->bias_window0;
}

/* A source's first bias: the scenario's, or a first pilot's. Weights cover a whole block,
 * so blocks hold about twice the OBEs in the zone: enough for them to meet, few enough
 * for the weights to stay tame. */
static void importance_init(sim_plan *p, sim_source *s) {
  const sim_scenario *sc = p->sc;
  double ber = p->rep->points[s->point].ber, mean = obes_in_zone(p, s);
  bool several = mean >= 0.5;
  s->per_block = sc->is_block ? sc->is_block : (uint32_t)fmax(1, ceil(2 * mean));
  if (sc->is_ber > 0) s->bias_ber = sc->is_ber;
  else s->bias_ber = fmax(ber, fmin(BIAS_BER_MAX, fmax(4 * ber, PILOT_BER_MIN)));
  s->bias_window0 = sc->is_windows == 1 ? sc->is_window0 : sc->is_windows == 0 && several ? PILOT_WINDOW0 : 0;
  s->piloting = sc->is_ber == 0 || (sc->is_windows == 0 && several);
  if (!s->piloting) bias_set(p, s);
}

/* A pilot is over: a stronger one when it saw too few failures, else the estimate's bias
 * by cross-entropy from its failures (a bias too close to the lane's is dropped: plain
 * sampling's exact bounds are better there). */
static void pilot_decide(sim_plan *p, sim_source *s) {
  const sim_scenario *sc = p->sc;
  sim_report_cell *c = &p->rep->cells[s->cell];
  double ber = p->rep->points[s->point].ber;
  bool ber_auto = sc->is_ber == 0, win_auto = sc->is_windows == 0 && s->bias_window0 > 0;
  bool stronger = (ber_auto && s->bias_ber < BIAS_BER_MAX) || (win_auto && s->bias_window0 < BIAS_WINDOW0_MAX);
  c->pilots++;
  if (c->pilot_failures < PILOT_FAILURES && c->pilots < PILOTS_MAX && stronger) {
    if (ber_auto) s->bias_ber = fmax(s->bias_ber, fmin(BIAS_BER_MAX, 4 * s->bias_ber));
    if (win_auto) s->bias_window0 = fmin(BIAS_WINDOW0_MAX, s->bias_window0 + 0.1);
    c->pilot_n = c->pilot_failures = 0;
    c->ce_w = c->ce_lost = c->ce_bits = c->ce_win0 = c->ce_wins = 0;
    s->pilot_issued = 0;
    return;
  }
  /* No failure even then: failures are rarer than the strongest pilot shows, and the
   * estimate is drawn at its bias. */
  if (c->pilot_failures > 0) {
    if (ber_auto) {
      double b = c->ce_bits > 0 ? c->ce_lost / c->ce_bits : 0;
      s->bias_ber = b < 1.25 * ber ? 0 : fmin(b, BIAS_BER_MAX);
    }
    if (win_auto) {
      double a = c->ce_wins > 0 ? c->ce_win0 / c->ce_wins : 0;
      s->bias_window0 = a < window0_natural(sc) + 0.05 ? 0 : fmin(a, BIAS_WINDOW0_MAX);
    }
  }
  s->piloting = false;
  bias_set(p, s);
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
  proto.bias_window0 = s->bias_window0;
  proto.pilot = s->piloting;
  out->per_block = s->per_block;
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
