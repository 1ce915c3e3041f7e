/* summary.json: every cell with its verdict, the critical speeds, the frontier, the
 * failures by cause (docs/scenarios.md). */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "json_out.h"
#include "report_int.h"

static const char *mcu_name(const sim_group *g) { return g->legacy ? "legacy" : "modern"; }

static json_t *causes_json(const uint64_t *causes) {
  json_t *o = json_object();
  for (int k = 1; k < SIM_CAUSE_COUNT; k++) json_object_set_new(o, sim_cause_name(k), json_integer((json_int_t)causes[k]));
  return o;
}

static void point_json(json_t *e, const sim_report *r, const sim_point *pt) {
  json_object_set_new(e, "ber", json_real(pt->ber));
  json_object_set_new(e, "zone_length_m", json_real(pt->zone_m));
  if (r->sc->ndensities) json_object_set_new(e, "obes_in_zone", json_real(pt->density));
}

/* How a cell of a run with importance sampling was drawn: its pilots, and the weighted
 * estimate with what its weights support (docs/statistics.md, "Rare failures"). */
static json_t *importance_json(const sim_report_cell *cell) {
  json_t *e = json_object();
  const sim_is_sum *s = &cell->is;
  double est, lo, hi;
  json_object_set_new(e, "pilots", json_integer(cell->pilots));
  json_object_set_new(e, "pilot_passages", json_integer((json_int_t)cell->pilot_passages));
  json_object_set_new(e, "bias_ber", cell->bias_ber > 0 ? json_real(cell->bias_ber) : json_null());
  json_object_set_new(e, "bias_collide", cell->bias_collide > 0 ? json_real(cell->bias_collide) : json_null());
  json_object_set_new(e, "weights_degenerate", json_boolean(cell->degenerate));
  json_object_set_new(e, "contradicted_plain_pilot", json_boolean(cell->contradicted));
  if (!cell->importance) return e;
  sim_report_cell_failure(cell, &est, &lo, &hi);
  json_object_set_new(e, "passages", json_integer((json_int_t)s->n));
  json_object_set_new(e, "failures_drawn", json_integer((json_int_t)s->failures));
  json_object_set_new(e, "failure_probability", json_real(est));
  json_object_set_new(e, "ci95", json_pack("[f,f]", lo, hi));
  json_object_set_new(e, "relative_half_width", est > 0 ? json_real((hi - lo) / (2 * est)) : json_null());
  json_object_set_new(e, "ess_failures", json_real(sim_is_ess(s)));
  {
    /* Each cause's share of the estimate: its weights over the passages. */
    json_t *by = json_object();
    for (int k = 1; k < SIM_CAUSE_COUNT; k++)
      json_object_set_new(by, sim_cause_name(k), json_real(s->n ? cell->is_causes[k] / (double)s->n : 0));
    json_object_set_new(e, "failure_probability_by_cause", by);
  }
  json_object_set_new(e, "mean_weight", s->n ? json_real(s->all_w / (double)s->n) : json_null());
  json_object_set_new(e, "window_choices_contended", json_integer((json_int_t)cell->contended));
  json_object_set_new(e, "window_choices_collided", json_integer((json_int_t)cell->collided));
  json_object_set_new(e, "ess_weights", s->all_w2 > 0 ? json_real(s->all_w * s->all_w / s->all_w2) : json_null());
  return e;
}

static json_t *cell_json(const sim_report *r, const sim_report_cell *cell) {
  const sim_scenario *sc = r->sc;
  const sim_group *g = &sc->groups[cell->group];
  json_t *e = json_object(), *ct, *oc, *b;
  double lo, hi, fail;
  sim_report_cell_failure(cell, &fail, &lo, &hi);
  json_object_set_new(e, "group", json_string(g->label));
  json_object_set_new(e, "profile", json_string(efc_profile_name(g->profile)));
  json_object_set_new(e, "mcu", json_string(mcu_name(g)));
  point_json(e, r, &r->points[cell->point]);
  json_object_set_new(e, "speed_kmh", json_real(r->speed_of[cell->speed_i]));
  json_object_set_new(e, "passages", json_integer((json_int_t)cell->n));
  json_object_set_new(e, "successes", json_integer((json_int_t)cell->ok));
  if (cell->importance) {
    json_object_set_new(e, "success_rate", json_real(1 - fail));
    json_object_set_new(e, "ci95", json_pack("[f,f]", 1 - hi, 1 - lo));
  } else {
    sim_stats_cp_interval(cell->ok, cell->n, 0.95, &lo, &hi);
    json_object_set_new(e, "success_rate", json_real((double)cell->ok / (double)cell->n));
    json_object_set_new(e, "ci95", json_pack("[f,f]", lo, hi));
  }
  if (sc->is_on) {
    json_object_set_new(e, "sampling", json_string(cell->importance ? "weighted" : "plain"));
    json_object_set_new(e, "importance", importance_json(cell));
  }
  json_object_set_new(e, "verdict", json_string(sim_verdict_name(cell->verdict)));
  b = json_object();
  json_object_set_new(b, "lower", json_real(cell->lower));
  json_object_set_new(b, "upper", json_real(cell->upper));
  json_object_set_new(b, "alpha", json_real(cell->alpha_look));
  json_object_set_new(b, "looks", json_integer(cell->looks));
  json_object_set_new(e, "bounds", b);
  oc = json_object();
  for (int k = 0; k <= SIM_NOT_PASS; k++)
    json_object_set_new(oc, sim_outcome_name(k), json_integer((json_int_t)cell->outcomes[k]));
  json_object_set_new(e, "outcomes", oc);
  json_object_set_new(e, "causes", causes_json(cell->causes));
  ct = json_object();
  json_object_set_new(ct, "p50", sim_json_num_or_null(sim_report_cell_q(cell, 0.50)));
  json_object_set_new(ct, "p95", sim_json_num_or_null(sim_report_cell_q(cell, 0.95)));
  json_object_set_new(ct, "p99", sim_json_num_or_null(sim_report_cell_q(cell, 0.99)));
  json_object_set_new(ct, "p999", sim_json_num_or_null(sim_report_cell_q(cell, 0.999)));
  json_object_set_new(e, "completion_ms", ct);
  /* Drawn under a bias, a cell's frames and times would not be the lane's. */
  if (cell->importance) return e;
  json_object_set_new(e, "dwell_ms", json_real(cell->dwell_ms / (double)cell->n));
  json_object_set_new(e, "frames", json_real(cell->frames / (double)cell->n));
  json_object_set_new(e, "retries", json_real(cell->retries / (double)cell->n));
  json_object_set_new(e, "late_responses", json_real(cell->late / (double)cell->n));
  json_object_set_new(e, "obes_in_zone_seen", json_real(cell->obes / (double)cell->n));
  if (cell->ok) {
    json_object_set_new(e, "airtime_ms", json_real(cell->airtime_ms / (double)cell->ok));
    json_object_set_new(e, "processing_ms", json_real(cell->processing_ms / (double)cell->ok));
    json_object_set_new(e, "other_ms", json_real(cell->other_ms / (double)cell->ok));
    json_object_set_new(e, "margin_ms", json_real(cell->margin_ms / (double)cell->ok));
  }
  return e;
}

static json_t *details_json(const uint64_t *details) {
  json_t *o = json_object();
  for (int k = 0; k < SIM_REPORT_DETAILS; k++)
    if (details[k]) {
      char name[96];
      sim_report_detail_name(name, sizeof(name), k);
      json_object_set_new(o, name, json_integer((json_int_t)details[k]));
    }
  return o;
}

static json_t *frontier_json(const sim_report *r, const sim_frontier *f) {
  const sim_scenario *sc = r->sc;
  json_t *e = json_object();
  json_object_set_new(e, "group", json_string(sc->groups[f->group].label));
  json_object_set_new(e, "ber", json_real(sc->bers[f->ber_i]));
  if (sc->ndensities) json_object_set_new(e, "obes_in_zone", json_real(sc->densities[f->density_i]));
  json_object_set_new(e, "speed_kmh", json_real(r->speed_of[f->speed_i]));
  json_object_set_new(e, "shortest_zone_demonstrated_m", sim_json_num_or_null(f->demonstrated_m));
  json_object_set_new(e, "longest_zone_not_demonstrated_m", sim_json_num_or_null(f->below_m));
  json_object_set_new(e, "verdict_there", isfinite(f->below_m) ? json_string(sim_verdict_name(f->below)) : json_null());
  json_object_set_new(e, "probes", json_integer(f->probes));
  return e;
}

int sim_report_write_json(sim_report *r, char *err, size_t errlen) {
  const sim_scenario *sc = r->sc;
  json_t *o = json_object(), *res = json_array(), *crit = json_array(), *groups = json_array(), *bers = json_array();
  json_t *causes = json_array();
  char path[600];
  for (unsigned g = 0; g < sc->ngroups; g++) json_array_append_new(groups, json_string(sc->groups[g].label));
  for (unsigned b = 0; b < sc->nbers; b++) json_array_append_new(bers, json_real(sc->bers[b]));
  json_object_set_new(o, "scenario", json_string(sc->name));
  json_object_set_new(o, "file", json_string(sc->path));
  /* Which build wrote the results; tests/golden/golden.sh drops this line. */
  sim_json_stamp(o, r->prog);
  json_object_set_new(o, "seed", json_integer((json_int_t)sc->seed));
  json_object_set_new(o, "zone_length_m", json_real(sc->zone_m));
  json_object_set_new(o, "lanes", json_integer(sc->lanes));
  json_object_set_new(o, "gantries", json_integer(sc->gantries));
  json_object_set_new(o, "passages", json_integer((json_int_t)r->passages));
  json_object_set_new(o, "groups", groups);
  json_object_set_new(o, "bers", bers);
  json_object_set_new(o, "success_target", json_real(sc->target));
  json_object_set_new(o, "confidence", json_real(sc->confidence));
  json_object_set_new(o, "sampling", json_string(sc->passages_auto ? "auto" : "fixed"));
  json_object_set_new(o, "rounds", json_integer(r->rounds));
  json_object_set_new(o, "budget_spent", json_boolean(r->budget_spent));
  for (size_t i = 0; i < r->ncells; i++) {
    sim_report_cell *cell = &r->cells[i];
    if (cell->n) json_array_append_new(res, cell_json(r, cell));
  }
  if (!sc->search)
    for (size_t p = 0; p < r->npoints; p++)
      for (unsigned g = 0; g < sc->ngroups; g++) {
        sim_report_cell *by[SIM_SPEEDS_MAX];
        sim_report_critical c;
        json_t *co = json_object();
        sim_report_cells_by_speed(r, (uint32_t)p, g, by);
        c = sim_report_critical_speed(r, by);
        json_object_set_new(co, "group", json_string(sc->groups[g].label));
        point_json(co, r, &r->points[p]);
        json_object_set_new(co, "critical_speed_kmh", c.demonstrated > 0 ? json_real(c.demonstrated) : json_null());
        json_object_set_new(co, "every_speed_demonstrated", json_boolean(c.all));
        json_object_set_new(co, "refuted_from_kmh", c.refuted > 0 ? json_real(c.refuted) : json_null());
        json_object_set_new(co, "undecided_speeds", json_integer(c.undecided));
        json_object_set_new(co, "estimated_from_p999_kmh", sim_json_num_or_null(c.estimated));
        json_array_append_new(crit, co);
      }
  for (unsigned b = 0; b < sc->nbers; b++)
    for (unsigned d = 0; d < sim_report_densities(sc); d++)
      for (unsigned g = 0; g < sc->ngroups; g++) {
        static sim_report_tally t;
        json_t *e = json_object();
        sim_report_tally_sum(r, b, d, g, &t);
        json_object_set_new(e, "group", json_string(sc->groups[g].label));
        json_object_set_new(e, "ber", json_real(sc->bers[b]));
        if (sc->ndensities) json_object_set_new(e, "obes_in_zone", json_real(sc->densities[d]));
        json_object_set_new(e, "cells", json_string(sc->search ? "frontier" : "all"));
        json_object_set_new(e, "passages", json_integer((json_int_t)t.n));
        json_object_set_new(e, "failures", causes_json(t.causes));
        json_object_set_new(e, "details", details_json(t.details));
        json_array_append_new(causes, e);
      }
  json_object_set_new(o, "critical", crit);
  if (sc->search) {
    json_t *fr = json_array();
    for (size_t i = 0; i < r->nfrontiers; i++) json_array_append_new(fr, frontier_json(r, &r->frontiers[i]));
    json_object_set_new(o, "frontier", fr);
  }
  json_object_set_new(o, "failure_causes", causes);
  json_object_set_new(o, "results", res);
  snprintf(path, sizeof(path), "%s/summary.json", r->dir);
  return sim_json_write(o, path, err, errlen);
}
