/* The table on stdout: a grid's critical speeds, or a search's frontier, with the
 * failures' most frequent cause. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* "BER 1e-06, zone 10 m" and the density when swept. */
static void point_text(char *out, size_t cap, const sim_report *r, const sim_point *pt) {
  if (r->sc->ndensities) snprintf(out, cap, "%.0e %5.1f m %4.1f", pt->ber, pt->zone_m, pt->density);
  else snprintf(out, cap, "%.0e %5.1f m", pt->ber, pt->zone_m);
}

/* "12 failed, 9 zone-exit/RELEASE/uplink-error": the failures and their most frequent
 * cause; "-" without failures. */
static void failure_text(char *out, size_t cap, const sim_report_tally *t) {
  uint64_t failed = 0;
  int best = -1;
  char name[96];
  for (int k = 1; k < SIM_CAUSE_COUNT; k++) failed += t->causes[k];
  for (int k = 0; k < SIM_REPORT_DETAILS; k++)
    if (t->details[k] && (best < 0 || t->details[k] > t->details[best])) best = k;
  if (failed == 0 || best < 0) {
    snprintf(out, cap, "-");
    return;
  }
  sim_report_detail_name(name, sizeof(name), best);
  snprintf(out, cap, "%llu failed%s, %llu %s", (unsigned long long)failed, t->weighted ? " under bias" : "",
           (unsigned long long)t->details[best], name);
}

/* The weighted cells (or, in a search, those at the frontier): the estimate and what its
 * weights support. */
static void is_row(const sim_report *r, const sim_report_cell *c, FILE *t) {
  const sim_point *pt = &r->points[c->point];
  double est, lo, hi;
  char bias[24] = "-", win[16] = "-", rel[16] = "-";
  if (!c->importance) {
    fprintf(t, "%-20s %-7.0e %5.1f m %6g   plain sampling (%s), %u pilot(s) of %llu passages\n",
            r->sc->groups[c->group].label, pt->ber, pt->zone_m, r->speed_of[c->speed_i],
            c->contradicted ? "the weighted estimate contradicted the plain pilot"
            : c->degenerate ? "the bias's weights could not be trusted"
                            : "failures not rare enough for a bias",
            c->pilots, (unsigned long long)c->pilot_passages);
    return;
  }
  if (c->degenerate || c->contradicted) {
    fprintf(t, "%-20s %-7.0e %5.1f m %6g   undecided: %s at its last look\n", r->sc->groups[c->group].label,
            pt->ber, pt->zone_m, r->speed_of[c->speed_i],
            c->contradicted ? "the weighted estimate contradicted the plain pilot" : "the weights could not be trusted");
    return;
  }
  sim_report_cell_failure(c, &est, &lo, &hi);
  if (c->bias_ber > 0) snprintf(bias, sizeof(bias), "%.1e", c->bias_ber);
  if (c->bias_collide > 0) snprintf(win, sizeof(win), "%.2f", c->bias_collide);
  if (est > 0) snprintf(rel, sizeof(rel), "%.1f%%", 100 * (hi - lo) / (2 * est));
  fprintf(t, "%-20s %-7.0e %5.1f m %6g  %9.3g [%8.2g, %8.2g] %7s %7.0f  %-8s %-7s %9llu %7llu %6.3f\n",
          r->sc->groups[c->group].label, pt->ber, pt->zone_m, r->speed_of[c->speed_i], est, lo, hi, rel,
          sim_is_ess(&c->is), bias, win, (unsigned long long)c->is.n, (unsigned long long)c->pilot_passages,
          c->is.n ? c->is.all_w / (double)c->is.n : 0.0);
}

static void table_importance(const sim_report *r, FILE *t) {
  fprintf(t, "rare failures by importance sampling (docs/statistics.md): failure probability, 95 %% interval,\n"
             "its half-width relative to the estimate, the failures' effective sample size, the bias drawn\n"
             "with (BER, chance a window choice joins a taken one), passages weighted and in pilots, and the weights' mean (1 expected).\n");
  fprintf(t, "%-20s %-7s %-7s %6s  %9s %-20s %7s %7s  %-8s %-7s %9s %7s %6s\n", "group", "BER", "zone", "km/h",
          "failure", "95 % interval", "+-", "ESS", "bias BER", "collide", "weighted", "pilot", "mean w");
  if (r->sc->search) {
    for (size_t i = 0; i < r->nfrontiers; i++) {
      const sim_frontier *f = &r->frontiers[i];
      uint32_t k = f->demonstrated_cell != UINT32_MAX ? f->demonstrated_cell : f->first_cell;
      if (r->cells[k].n) is_row(r, &r->cells[k], t);
    }
    return;
  }
  for (size_t i = 0; i < r->ncells; i++)
    if (r->cells[i].n) is_row(r, &r->cells[i], t);
}

/* A row with weighted cells: its highest weighted failure probability as a success rate
 * with its 95 % interval, and the speed it is at ("99.99996% @250 IS"). */
static bool weighted_worst(const sim_report *r, sim_report_cell *const *by, char *out, size_t cap) {
  const sim_report_cell *w = NULL;
  double est = 0, lo, hi, e;
  for (unsigned s = 0; s < r->nspeeds; s++) {
    if (!by[s] || !by[s]->importance) continue;
    sim_report_cell_failure(by[s], &e, &lo, &hi);
    if (!w || e > est) {
      w = by[s];
      est = e;
    }
  }
  if (!w) return false;
  sim_report_cell_failure(w, &est, &lo, &hi);
  snprintf(out, cap, "%.5f%% @%g IS", 100 * (1 - est), r->speed_of[w->speed_i]);
  return true;
}

static void table_grid(sim_report *r, FILE *t) {
  const sim_scenario *sc = r->sc;
  fprintf(t, "%-20s %-*s %-24s %-22s %-18s %-10s\n", "group", sc->ndensities ? 20 : 15,
          sc->ndensities ? "BER    zone    OBEs" : "BER    zone",
          "critical speed (km/h)", "success, exact 95 %", "completion p50/p99.9", "failures");
  for (size_t p = 0; p < r->npoints; p++)
    for (unsigned g = 0; g < sc->ngroups; g++) {
      sim_report_cell *by[SIM_SPEEDS_MAX];
      sim_report_critical c;
      uint64_t n = 0, ok = 0;
      static sim_report_tally row;
      sim_hist all;
      bool all_ok = true;
      char crit[48], where[48], comp[40], succ[40], fails[160];
      double lo, hi;
      sim_report_cells_by_speed(r, (uint32_t)p, g, by);
      c = sim_report_critical_speed(r, by);
      memset(&row, 0, sizeof(row));
      for (unsigned s = 0; s < r->nspeeds; s++)
        if (by[s]) {
          n += by[s]->n;
          ok += by[s]->ok;
          sim_report_tally_add(&row, by[s]);
        }
      failure_text(fails, sizeof(fails), &row);
      memset(&all, 0, sizeof(all));
      for (unsigned s = 0; s < r->nspeeds && all_ok; s++)
        if (by[s]) all_ok = sim_hist_merge(&all, &by[s]->comp) == 0;
      all_ok = all_ok && sim_hist_sort(&all) == 0;
      if (c.all) snprintf(crit, sizeof(crit), ">= %.0f, all demonstrated", c.demonstrated);
      else if (c.demonstrated > 0 && c.refuted > 0) snprintf(crit, sizeof(crit), "%.0f; refuted %.0f", c.demonstrated, c.refuted);
      else if (c.demonstrated > 0) snprintf(crit, sizeof(crit), "%.0f; %u undecided", c.demonstrated, c.undecided);
      else if (c.refuted > 0) snprintf(crit, sizeof(crit), "none; refuted %.0f", c.refuted);
      else snprintf(crit, sizeof(crit), "undecided");
      if (weighted_worst(r, by, succ, sizeof(succ))) {
        /* the row's highest weighted failure probability stands for it */
      } else {
        sim_stats_cp_interval(ok, n, 0.95, &lo, &hi);
        snprintf(succ, sizeof(succ), "%.3f%% [%.3f, %.3f]", n ? 100.0 * (double)ok / (double)n : 0.0, 100 * lo, 100 * hi);
      }
      if (!all_ok) snprintf(comp, sizeof(comp), "out of memory");
      else if (all.n) snprintf(comp, sizeof(comp), "%.1f / %.1f ms", sim_hist_quantile_ms(&all, .5),
                               sim_hist_quantile_ms(&all, .999));
      else snprintf(comp, sizeof(comp), "-");
      point_text(where, sizeof(where), r, &r->points[p]);
      fprintf(t, "%-20s %-*s %-24s %-22s %-18s %s\n", sc->groups[g].label, sc->ndensities ? 20 : 15, where, crit,
              succ, comp, fails);
      sim_hist_free(&all);
    }
  fprintf(t, "critical speed: the highest speed up to which every speed demonstrates %g %% success, and the\n"
             "lowest speed where it is refuted, each at %g %% confidence for all speeds of a row at once\n"
             "(docs/statistics.md). failures: how many, and the most frequent cause (limit/command/lost frame).\n",
          100 * sc->target, 100 * sc->confidence);
}

static void frontier_text(char *out, size_t cap, const sim_scenario *sc, const sim_frontier *f) {
  if (!isfinite(f->demonstrated_m)) snprintf(out, cap, ">%g", sc->search_to_m);
  else if (!isfinite(f->below_m)) snprintf(out, cap, "<=%g", f->demonstrated_m);
  else snprintf(out, cap, "%g%s", f->demonstrated_m, f->below == SIM_UNDECIDED ? "*" : "");
}

static void table_frontier(sim_report *r, FILE *t) {
  const sim_scenario *sc = r->sc;
  fprintf(t, "shortest zone (m) that demonstrates %g %% success, by speed (km/h):\n", 100 * sc->target);
  fprintf(t, "%-20s %-8s%s", "group", "BER", sc->ndensities ? " OBEs " : "");
  for (unsigned s = 0; s < r->nspeeds; s++) fprintf(t, " %6g", r->speed_of[s]);
  fprintf(t, "  failures\n");
  for (unsigned b = 0; b < sc->nbers; b++)
    for (unsigned d = 0; d < sim_report_densities(sc); d++)
      for (unsigned g = 0; g < sc->ngroups; g++) {
        static sim_report_tally row;
        char fails[160];
        fprintf(t, "%-20s %-8.0e", sc->groups[g].label, sc->bers[b]);
        if (sc->ndensities) fprintf(t, " %4.1f ", sc->densities[d]);
        for (size_t i = 0; i < r->nfrontiers; i++) {
          const sim_frontier *f = &r->frontiers[i];
          char v[24];
          if (f->ber_i != b || f->density_i != d || f->group != g) continue;
          frontier_text(v, sizeof(v), sc, f);
          fprintf(t, " %6s", v);
        }
        sim_report_tally_sum(r, b, d, g, &row);
        failure_text(fails, sizeof(fails), &row);
        fprintf(t, "  %s\n", fails);
      }
  fprintf(t, "each zone demonstrated at %g %% confidence for a whole row at once (docs/statistics.md), searched\n"
             "from %g to %g m in steps of %g m; *: the zone one step shorter was undecided, not refuted;\n"
             ">%g: not demonstrated even there. failures: at the zones found, and the most frequent cause.\n",
          100 * sc->confidence, sc->search_from_m, sc->search_to_m, sc->search_step_m, sc->search_to_m);
}

void sim_report_write_table(sim_report *r, FILE *t) {
  const sim_scenario *sc = r->sc;
  fprintf(t, "scenario \"%s\": %llu passages, %u lane(s) x %u gantr%s, seed %llu, %s sampling, %u round(s)%s\n",
          sc->name, (unsigned long long)r->passages, sc->lanes, sc->gantries, sc->gantries == 1 ? "y" : "ies",
          (unsigned long long)sc->seed, sc->passages_auto ? "auto" : "fixed", r->rounds,
          r->budget_spent ? ", budget spent" : "");
  if (sc->search) table_frontier(r, t);
  else table_grid(r, t);
  if (sc->is_on) table_importance(r, t);
  fprintf(t, "completion: from zone entry to the end of the RELEASE frame, successful passages. %.1f s wall, "
             "%u thread(s).\n", r->wall_s, r->threads);
}
