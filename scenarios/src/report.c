/* The results of a run: per-passage CSV, per-(group, BER, speed) statistics with 95 %
 * Wilson intervals and completion-time percentiles, the critical speeds, the JSON summary,
 * the table, and gnuplot plots (SVG and PNG). */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/cli.h"
#include "sim/report.h"

extern char **environ;


static unsigned speed_bin(const sim_report *r, float speed) {
  const sim_scenario *sc = r->sc;
  int bin = (int)floor(speed / 10.0) - (int)floor(sc->speed_min / 10.0);
  if (bin < 0) bin = 0;
  if (bin >= (int)r->nspeeds) bin = (int)r->nspeeds - 1;
  return (unsigned)bin;
}

uint32_t sim_report_cell_of(const sim_report *r, const sim_block *b, const sim_record *rec) {
  if (b->group >= 0) return b->cell;
  return b->cell + (b->speed_idx < 0 ? speed_bin(r, rec->speed_kmh) : 0) * r->sc->ngroups + rec->group;
}

uint32_t sim_report_point_add(sim_report *r, const sim_point *p) {
  if (r->npoints == r->cappoints) {
    size_t cap = r->cappoints ? 2 * r->cappoints : 32;
    sim_point *n = realloc(r->points, cap * sizeof(*n));
    if (!n) return UINT32_MAX;
    r->points = n;
    r->cappoints = cap;
  }
  r->points[r->npoints] = *p;
  return (uint32_t)r->npoints++;
}

uint32_t sim_report_cells_add(sim_report *r, uint32_t point, unsigned speed_i, unsigned nspeeds, unsigned group,
                              unsigned ngroups, uint32_t family, double alpha) {
  size_t need = r->ncells + (size_t)nspeeds * ngroups, first = r->ncells;
  if (need > UINT32_MAX - 1) return UINT32_MAX;
  if (need > r->capcells) {
    size_t cap = r->capcells ? 2 * r->capcells : 256;
    sim_report_cell *n;
    while (cap < need) cap *= 2;
    if (!(n = realloc(r->cells, cap * sizeof(*n)))) return UINT32_MAX;
    r->cells = n;
    r->capcells = cap;
  }
  for (unsigned s = 0; s < nspeeds; s++)
    for (unsigned g = 0; g < ngroups; g++) {
      sim_report_cell *c = &r->cells[r->ncells++];
      memset(c, 0, sizeof(*c));
      c->point = point;
      c->speed_i = speed_i + s;
      c->group = group + g;
      c->family = family;
      c->alpha = alpha;
      c->upper = 1;
    }
  return (uint32_t)first;
}

int sim_report_open(sim_report *r, const sim_scenario *sc, const char *dir, char *err, size_t errlen) {
  char path[600];
  memset(r, 0, sizeof(*r));
  r->sc = sc;
  snprintf(r->dir, sizeof(r->dir), "%s", dir);
  if (sc->speed_dist) {
    int lo = (int)floor(sc->speed_min / 10.0), hi = (int)floor(sc->speed_max / 10.0);
    r->nspeeds = (unsigned)(hi - lo + 1);
    if (r->nspeeds > SIM_SPEEDS_MAX) r->nspeeds = SIM_SPEEDS_MAX;
    for (unsigned i = 0; i < r->nspeeds; i++) r->speed_of[i] = (lo + (int)i) * 10.0 + 5.0;
  } else {
    r->nspeeds = sc->nspeeds;
    memcpy(r->speed_of, sc->speeds, sc->nspeeds * sizeof(double));
  }
  snprintf(path, sizeof(path), "%s/passages.csv", dir);
  if (file_out_open(&r->csv_out, path, 0, err, errlen) != 0) {
    sim_report_free(r);
    return -1;
  }
  r->csv = file_out_stream(r->csv_out);
  fprintf(r->csv, "block,seq,gantry,lane,ber,zone_m,speed_kmh,group,obuid,t_enter_ms,dwell_ms,outcome,cause,"
                  "completion_ms,margin_ms,frames_down,frames_up,octets_down,octets_up,retries,"
                  "late_responses,airtime_ms,processing_ms,other_ms,obes_in_zone\n");
  return 0;
}

/* CSV fields without printf: a run writes millions of lines. */
static char *put_str(char *p, const char *s) {
  while (*s) *p++ = *s++;
  return p;
}

static char *put_u64(char *p, uint64_t v) {
  char tmp[24];
  int n = 0;
  do tmp[n++] = (char)('0' + v % 10);
  while ((v /= 10) != 0);
  while (n) *p++ = tmp[--n];
  return p;
}

/* thousandths as a decimal with three places: 12345 -> "12.345" */
static char *put_milli(char *p, int64_t v) {
  if (v < 0) {
    *p++ = '-';
    v = -v;
  }
  p = put_u64(p, (uint64_t)v / 1000);
  *p++ = '.';
  *p++ = (char)('0' + (v / 100) % 10);
  *p++ = (char)('0' + (v / 10) % 10);
  *p++ = (char)('0' + v % 10);
  return p;
}

static char *put_hex8(char *p, uint32_t v) {
  for (int i = 7; i >= 0; i--) *p++ = "0123456789abcdef"[(v >> (4 * i)) & 15];
  return p;
}

void sim_report_add(sim_report *r, const sim_block *b, const sim_record *rec, size_t n) {
  const sim_scenario *sc = r->sc;
  char ber[24], zone[24];
  snprintf(ber, sizeof(ber), "%g", b->ber);
  snprintf(zone, sizeof(zone), "%g", b->zone_m);
  for (size_t i = 0; i < n; i++) {
    const sim_record *x = &rec[i];
    sim_report_cell *c = &r->cells[sim_report_cell_of(r, b, x)];
    bool done = x->completion_us >= 0;
    int64_t comp = x->completion_us, other = done ? comp - x->airtime_us - x->processing_us : 0;
    int64_t margin = done ? (int64_t)x->dwell_us - comp : 0;
    r->passages++;
    c->n++;
    c->outcomes[x->outcome]++;
    if (x->cause < SIM_CAUSE_COUNT && x->cause_cmd < RSE_CMD_COUNT && x->cause_frame < SIM_LOSS_COUNT) {
      c->causes[x->cause]++;
      if (x->cause != SIM_CAUSE_NONE)
        c->details[(x->cause * RSE_CMD_COUNT + x->cause_cmd) * SIM_LOSS_COUNT + x->cause_frame]++;
    }
    c->frames += x->frames_down + x->frames_up;
    c->retries += x->retries;
    c->late += x->late;
    c->obes += x->obes_in_zone;
    c->dwell_ms += x->dwell_us / 1000.0;
    if (x->outcome == SIM_OK) {
      c->ok++;
      c->airtime_ms += x->airtime_us / 1000.0;
      c->processing_ms += x->processing_us / 1000.0;
      c->other_ms += (double)other / 1000.0;
      c->margin_ms += (double)margin / 1000.0;
      if (c->ncomp == c->capcomp) {
        size_t cap = c->capcomp ? c->capcomp * 2 : 256;
        float *nv = realloc(c->completion_ms, cap * sizeof(float));
        if (nv) {
          c->completion_ms = nv;
          c->capcomp = cap;
        }
      }
      if (c->ncomp < c->capcomp) c->completion_ms[c->ncomp++] = (float)(comp / 1000.0);
      if (!sc->csv_all) continue;
    }
    {
      char line[600], *p = line, cause[96];
      if (sim_cause_format(cause, sizeof(cause), x) < 0) cause[0] = '\0';
      p = put_u64(p, x->block);
      *p++ = ',';
      p = put_u64(p, x->seq);
      *p++ = ',';
      p = put_u64(p, x->gantry);
      *p++ = ',';
      p = put_u64(p, x->lane);
      *p++ = ',';
      p = put_str(p, ber);
      *p++ = ',';
      p = put_str(p, zone);
      *p++ = ',';
      p = put_milli(p, (int64_t)llround(x->speed_kmh * 1000.0));
      *p++ = ',';
      p = put_str(p, sc->groups[x->group].label);
      *p++ = ',';
      p = put_hex8(p, x->obuid);
      *p++ = ',';
      p = put_milli(p, (int64_t)((x->t_enter_ns + 500) / 1000));
      *p++ = ',';
      p = put_milli(p, x->dwell_us);
      *p++ = ',';
      p = put_str(p, sim_outcome_name(x->outcome));
      *p++ = ',';
      p = put_str(p, cause);
      *p++ = ',';
      if (done) p = put_milli(p, comp);
      *p++ = ',';
      if (done) p = put_milli(p, margin);
      *p++ = ',';
      p = put_u64(p, x->frames_down);
      *p++ = ',';
      p = put_u64(p, x->frames_up);
      *p++ = ',';
      p = put_u64(p, x->octets_down);
      *p++ = ',';
      p = put_u64(p, x->octets_up);
      *p++ = ',';
      p = put_u64(p, x->retries);
      *p++ = ',';
      p = put_u64(p, x->late);
      *p++ = ',';
      p = put_milli(p, x->airtime_us);
      *p++ = ',';
      p = put_milli(p, x->processing_us);
      *p++ = ',';
      p = put_milli(p, other);
      *p++ = ',';
      p = put_u64(p, x->obes_in_zone);
      *p++ = '\n';
      fwrite(line, 1, (size_t)(p - line), r->csv);
    }
  }
}

void sim_report_wilson(uint64_t k, uint64_t n, double *lo, double *hi) {
  const double z = 1.959963984540054;
  double p, d, centre, half;
  if (n == 0) {
    *lo = 0;
    *hi = 1;
    return;
  }
  p = (double)k / (double)n;
  d = 1 + z * z / (double)n;
  centre = (p + z * z / (2.0 * (double)n)) / d;
  half = z * sqrt(p * (1 - p) / (double)n + z * z / (4.0 * (double)n * (double)n)) / d;
  *lo = centre - half < 0 ? 0 : centre - half;
  *hi = centre + half > 1 ? 1 : centre + half;
}

double sim_report_quantile(const float *sorted, size_t n, double q) {
  size_t k;
  if (n == 0) return NAN;
  k = (size_t)ceil(q * (double)n);
  if (k < 1) k = 1;
  if (k > n) k = n;
  return sorted[k - 1];
}

static int cmp_float(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return x < y ? -1 : x > y;
}

static const char *mcu_name(const sim_group *g) { return g->legacy ? "legacy" : "modern"; }

/* The cells of one group at one point, by speed (NULL where none). */
static void cells_by_speed(const sim_report *r, uint32_t point, unsigned g, sim_report_cell **by) {
  for (unsigned s = 0; s < r->nspeeds; s++) by[s] = NULL;
  for (size_t i = 0; i < r->ncells; i++)
    if (r->cells[i].point == point && r->cells[i].group == g && r->cells[i].speed_i < r->nspeeds)
      by[r->cells[i].speed_i] = &r->cells[i];
}

static void cell_sort(sim_report_cell *c) {
  if (c->ncomp) qsort(c->completion_ms, c->ncomp, sizeof(float), cmp_float);
}

static double cell_q(const sim_report_cell *c, double q) { return sim_report_quantile(c->completion_ms, c->ncomp, q); }

/* The critical speed of a family (one group at one point), from its verdicts. */
typedef struct {
  double demonstrated; /* highest speed with it and every lower speed demonstrated; 0: none */
  bool all;            /* every speed demonstrated */
  double refuted;      /* lowest speed refuted; 0: none */
  unsigned undecided;  /* speeds neither */
  double estimated;    /* zone / p99.9 completion at the lowest speed with successes */
} critical;

static critical critical_speed(const sim_report *r, sim_report_cell *const *by) {
  critical c = {0, true, 0, 0, NAN};
  bool chain = true;
  for (unsigned s = 0; s < r->nspeeds; s++) {
    const sim_report_cell *x = by[s];
    if (!x || x->n == 0) continue;
    if (x->verdict != SIM_DEMONSTRATED) c.all = chain = false;
    if (chain) c.demonstrated = r->speed_of[s];
    if (x->verdict == SIM_REFUTED && c.refuted == 0) c.refuted = r->speed_of[s];
    c.undecided += x->verdict == SIM_UNDECIDED;
    if (isnan(c.estimated) && x->ncomp) {
      double t = cell_q(x, r->sc->target) / 1000.0;
      if (t > 0) c.estimated = r->points[x->point].zone_m / t * 3.6;
    }
  }
  return c;
}

static json_t *num_or_null(double v) { return isfinite(v) ? json_real(v) : json_null(); }

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

static json_t *cell_json(const sim_report *r, const sim_report_cell *cell) {
  const sim_scenario *sc = r->sc;
  const sim_group *g = &sc->groups[cell->group];
  json_t *e = json_object(), *ct, *oc, *b;
  double lo, hi;
  sim_stats_cp_interval(cell->ok, cell->n, 0.95, &lo, &hi);
  json_object_set_new(e, "group", json_string(g->label));
  json_object_set_new(e, "profile", json_string(efc_profile_name(g->profile)));
  json_object_set_new(e, "mcu", json_string(mcu_name(g)));
  point_json(e, r, &r->points[cell->point]);
  json_object_set_new(e, "speed_kmh", json_real(r->speed_of[cell->speed_i]));
  json_object_set_new(e, "passages", json_integer((json_int_t)cell->n));
  json_object_set_new(e, "successes", json_integer((json_int_t)cell->ok));
  json_object_set_new(e, "success_rate", json_real((double)cell->ok / (double)cell->n));
  json_object_set_new(e, "ci95", json_pack("[f,f]", lo, hi));
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
  json_object_set_new(ct, "p50", num_or_null(cell_q(cell, 0.50)));
  json_object_set_new(ct, "p95", num_or_null(cell_q(cell, 0.95)));
  json_object_set_new(ct, "p99", num_or_null(cell_q(cell, 0.99)));
  json_object_set_new(ct, "p999", num_or_null(cell_q(cell, 0.999)));
  json_object_set_new(e, "completion_ms", ct);
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

typedef struct {
  uint64_t n;                            /* passages */
  uint64_t causes[SIM_CAUSE_COUNT];
  uint64_t details[SIM_REPORT_DETAILS];
} tally;

static void tally_add(tally *t, const sim_report_cell *c) {
  t->n += c->n;
  for (int k = 0; k < SIM_CAUSE_COUNT; k++) t->causes[k] += c->causes[k];
  for (int k = 0; k < SIM_REPORT_DETAILS; k++) t->details[k] += c->details[k];
}

/* The failures of one group at one BER and density. A grid: over every cell. A search: over
 * the cells at each speed's frontier (what still fails in the shortest zone that works), or
 * at the longest zone where none worked; the probes below it fail by design. */
static void tally_sum(const sim_report *r, unsigned ber_i, unsigned density_i, unsigned g, tally *t) {
  memset(t, 0, sizeof(*t));
  if (r->sc->search) {
    for (size_t i = 0; i < r->nfrontiers; i++) {
      const sim_frontier *f = &r->frontiers[i];
      if (f->group != g || f->ber_i != ber_i || f->density_i != density_i) continue;
      tally_add(t, &r->cells[f->demonstrated_cell != UINT32_MAX ? f->demonstrated_cell : f->first_cell]);
    }
    return;
  }
  for (size_t i = 0; i < r->ncells; i++) {
    const sim_report_cell *c = &r->cells[i];
    const sim_point *pt = &r->points[c->point];
    if (c->group == g && pt->ber_i == ber_i && pt->density_i == density_i) tally_add(t, c);
  }
}

/* "zone-exit/GET_STAMPED_TSP/late" of detail k. */
static void detail_name(char *out, size_t cap, int k) {
  int frame = k % SIM_LOSS_COUNT, cmd = k / SIM_LOSS_COUNT % RSE_CMD_COUNT, cause = k / SIM_LOSS_COUNT / RSE_CMD_COUNT;
  snprintf(out, cap, "%s/%s/%s", sim_cause_name(cause), sim_cause_cmd_name(cmd), sim_cause_frame_name(frame));
}

static json_t *details_json(const uint64_t *details) {
  json_t *o = json_object();
  for (int k = 0; k < SIM_REPORT_DETAILS; k++)
    if (details[k]) {
      char name[96];
      detail_name(name, sizeof(name), k);
      json_object_set_new(o, name, json_integer((json_int_t)details[k]));
    }
  return o;
}

static unsigned densities_of(const sim_scenario *sc) { return sc->ndensities ? sc->ndensities : 1; }

static json_t *frontier_json(const sim_report *r, const sim_frontier *f) {
  const sim_scenario *sc = r->sc;
  json_t *e = json_object();
  json_object_set_new(e, "group", json_string(sc->groups[f->group].label));
  json_object_set_new(e, "ber", json_real(sc->bers[f->ber_i]));
  if (sc->ndensities) json_object_set_new(e, "obes_in_zone", json_real(sc->densities[f->density_i]));
  json_object_set_new(e, "speed_kmh", json_real(r->speed_of[f->speed_i]));
  json_object_set_new(e, "shortest_zone_demonstrated_m", num_or_null(f->demonstrated_m));
  json_object_set_new(e, "longest_zone_not_demonstrated_m", num_or_null(f->below_m));
  json_object_set_new(e, "verdict_there", isfinite(f->below_m) ? json_string(sim_verdict_name(f->below)) : json_null());
  json_object_set_new(e, "probes", json_integer(f->probes));
  return e;
}

static int write_json(sim_report *r, char *err, size_t errlen) {
  const sim_scenario *sc = r->sc;
  json_t *o = json_object(), *res = json_array(), *crit = json_array(), *groups = json_array(), *bers = json_array();
  json_t *causes = json_array();
  char path[600];
  file_out *out;
  int rv;
  for (unsigned g = 0; g < sc->ngroups; g++) json_array_append_new(groups, json_string(sc->groups[g].label));
  for (unsigned b = 0; b < sc->nbers; b++) json_array_append_new(bers, json_real(sc->bers[b]));
  json_object_set_new(o, "scenario", json_string(sc->name));
  json_object_set_new(o, "file", json_string(sc->path));
  if (r->prog) {
    /* Which build wrote the results; tests/golden/golden.sh drops this line. */
    char line[256];
    if (io_cli_version_line(line, sizeof(line), r->prog) == 0)
      json_object_set_new(o, "written_by", json_string(line));
  }
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
    cell_sort(cell);
    if (cell->n) json_array_append_new(res, cell_json(r, cell));
  }
  if (!sc->search)
    for (size_t p = 0; p < r->npoints; p++)
      for (unsigned g = 0; g < sc->ngroups; g++) {
        sim_report_cell *by[SIM_SPEEDS_MAX];
        critical c;
        json_t *co = json_object();
        cells_by_speed(r, (uint32_t)p, g, by);
        c = critical_speed(r, by);
        json_object_set_new(co, "group", json_string(sc->groups[g].label));
        point_json(co, r, &r->points[p]);
        json_object_set_new(co, "critical_speed_kmh", c.demonstrated > 0 ? json_real(c.demonstrated) : json_null());
        json_object_set_new(co, "every_speed_demonstrated", json_boolean(c.all));
        json_object_set_new(co, "refuted_from_kmh", c.refuted > 0 ? json_real(c.refuted) : json_null());
        json_object_set_new(co, "undecided_speeds", json_integer(c.undecided));
        json_object_set_new(co, "estimated_from_p999_kmh", num_or_null(c.estimated));
        json_array_append_new(crit, co);
      }
  for (unsigned b = 0; b < sc->nbers; b++)
    for (unsigned d = 0; d < densities_of(sc); d++)
      for (unsigned g = 0; g < sc->ngroups; g++) {
        static tally t;
        json_t *e = json_object();
        tally_sum(r, b, d, g, &t);
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
  if (file_out_open(&out, path, 0, err, errlen) != 0) {
    json_decref(o);
    return -1;
  }
  if (json_dumpf(o, file_out_stream(out), JSON_INDENT(1) | JSON_REAL_PRECISION(6)) != 0) {
    file_out_abort(out);
    snprintf(err, errlen, "%s: cannot write", path);
    json_decref(o);
    return -1;
  }
  json_decref(o);
  rv = file_out_commit(out, err, errlen);
  return rv == 0 ? 0 : -1;
}

/* "BER 1e-06, zone 10 m" and the density when swept. */
static void point_text(char *out, size_t cap, const sim_report *r, const sim_point *pt) {
  if (r->sc->ndensities) snprintf(out, cap, "%.0e %5.1f m %4.1f", pt->ber, pt->zone_m, pt->density);
  else snprintf(out, cap, "%.0e %5.1f m", pt->ber, pt->zone_m);
}

/* "12 failed, 9 zone-exit/RELEASE/uplink-error": the failures and their most frequent
 * cause; "-" without failures. */
static void failure_text(char *out, size_t cap, const tally *t) {
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
  detail_name(name, sizeof(name), best);
  snprintf(out, cap, "%llu failed, %llu %s", (unsigned long long)failed, (unsigned long long)t->details[best], name);
}

static void table_grid(sim_report *r, FILE *t) {
  const sim_scenario *sc = r->sc;
  fprintf(t, "%-20s %-*s %-24s %-22s %-18s %-10s\n", "group", sc->ndensities ? 20 : 15,
          sc->ndensities ? "BER    zone    OBEs" : "BER    zone",
          "critical speed (km/h)", "success, exact 95 %", "completion p50/p99.9", "failures");
  for (size_t p = 0; p < r->npoints; p++)
    for (unsigned g = 0; g < sc->ngroups; g++) {
      sim_report_cell *by[SIM_SPEEDS_MAX];
      critical c;
      uint64_t n = 0, ok = 0;
      static tally row;
      size_t total = 0, k = 0;
      float *all;
      char crit[48], where[48], comp[40], succ[40], fails[160];
      double lo, hi;
      cells_by_speed(r, (uint32_t)p, g, by);
      c = critical_speed(r, by);
      memset(&row, 0, sizeof(row));
      for (unsigned s = 0; s < r->nspeeds; s++)
        if (by[s]) {
          n += by[s]->n;
          ok += by[s]->ok;
          total += by[s]->ncomp;
          tally_add(&row, by[s]);
        }
      failure_text(fails, sizeof(fails), &row);
      all = malloc((total ? total : 1) * sizeof(float));
      for (unsigned s = 0; s < r->nspeeds && all; s++)
        if (by[s] && by[s]->ncomp) {
          memcpy(all + k, by[s]->completion_ms, by[s]->ncomp * sizeof(float));
          k += by[s]->ncomp;
        }
      if (all) qsort(all, total, sizeof(float), cmp_float);
      if (c.all) snprintf(crit, sizeof(crit), ">= %.0f, all demonstrated", c.demonstrated);
      else if (c.demonstrated > 0 && c.refuted > 0) snprintf(crit, sizeof(crit), "%.0f; refuted %.0f", c.demonstrated, c.refuted);
      else if (c.demonstrated > 0) snprintf(crit, sizeof(crit), "%.0f; %u undecided", c.demonstrated, c.undecided);
      else if (c.refuted > 0) snprintf(crit, sizeof(crit), "none; refuted %.0f", c.refuted);
      else snprintf(crit, sizeof(crit), "undecided");
      sim_stats_cp_interval(ok, n, 0.95, &lo, &hi);
      snprintf(succ, sizeof(succ), "%.3f%% [%.3f, %.3f]", n ? 100.0 * (double)ok / (double)n : 0.0, 100 * lo, 100 * hi);
      if (all && total) snprintf(comp, sizeof(comp), "%.1f / %.1f ms", sim_report_quantile(all, total, .5),
                                 sim_report_quantile(all, total, .999));
      else snprintf(comp, sizeof(comp), "-");
      point_text(where, sizeof(where), r, &r->points[p]);
      fprintf(t, "%-20s %-*s %-24s %-22s %-18s %s\n", sc->groups[g].label, sc->ndensities ? 20 : 15, where, crit,
              succ, comp, fails);
      free(all);
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
    for (unsigned d = 0; d < densities_of(sc); d++)
      for (unsigned g = 0; g < sc->ngroups; g++) {
        static tally row;
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
        tally_sum(r, b, d, g, &row);
        failure_text(fails, sizeof(fails), &row);
        fprintf(t, "  %s\n", fails);
      }
  fprintf(t, "each zone demonstrated at %g %% confidence for a whole row at once (docs/statistics.md), searched\n"
             "from %g to %g m in steps of %g m; *: the zone one step shorter was undecided, not refuted;\n"
             ">%g: not demonstrated even there. failures: at the zones found, and the most frequent cause.\n",
          100 * sc->confidence, sc->search_from_m, sc->search_to_m, sc->search_step_m, sc->search_to_m);
}

static void write_table(sim_report *r, FILE *t) {
  const sim_scenario *sc = r->sc;
  fprintf(t, "scenario \"%s\": %llu passages, %u lane(s) x %u gantr%s, seed %llu, %s sampling, %u round(s)%s\n",
          sc->name, (unsigned long long)r->passages, sc->lanes, sc->gantries, sc->gantries == 1 ? "y" : "ies",
          (unsigned long long)sc->seed, sc->passages_auto ? "auto" : "fixed", r->rounds,
          r->budget_spent ? ", budget spent" : "");
  if (sc->search) table_frontier(r, t);
  else table_grid(r, t);
  fprintf(t, "completion: from zone entry to the end of the RELEASE frame, successful passages. %.1f s wall, "
             "%u thread(s).\n", r->wall_s, r->threads);
}

/* The plotted series: a grid's every group at every point; a search's every group at every
 * BER and density, from the probes at its longest zone (where completion times are not cut
 * short by the zone). */
static unsigned series_count(const sim_report *r) {
  const sim_scenario *sc = r->sc;
  return (unsigned)(sc->search ? sc->nbers * densities_of(sc) : r->npoints) * sc->ngroups;
}

static void series_get(const sim_report *r, unsigned i, sim_report_cell **by, char *title, size_t cap) {
  const sim_scenario *sc = r->sc;
  unsigned g = i % sc->ngroups, at = i / sc->ngroups;
  if (sc->search) {
    unsigned b = at / densities_of(sc), d = at % densities_of(sc);
    for (unsigned s = 0; s < r->nspeeds; s++) {
      const sim_frontier *f = &r->frontiers[((size_t)at * r->nspeeds + s) * sc->ngroups + g];
      by[s] = &r->cells[f->first_cell];
    }
    if (sc->nbers > 1 || sc->ndensities > 1)
      snprintf(title, cap, "%s BER %.0e%s", sc->groups[g].label, sc->bers[b], sc->ndensities ? "" : "");
    else snprintf(title, cap, "%s", sc->groups[g].label);
    if (sc->ndensities > 1)
      snprintf(title + strlen(title), cap - strlen(title), " %g OBEs", sc->densities[d]);
    return;
  }
  cells_by_speed(r, at, g, by);
  if (sc->nbers > 1 || sc->nzones > 1 || sc->ndensities > 1)
    snprintf(title, cap, "%s BER %.0e %g m", sc->groups[g].label, r->points[at].ber, r->points[at].zone_m);
  else snprintf(title, cap, "%s", sc->groups[g].label);
  if (sc->ndensities > 1)
    snprintf(title + strlen(title), cap - strlen(title), " %g OBEs", r->points[at].density);
}

/* Plot data, blocks separated by two blank lines, one per series; returns the series. */
static unsigned write_grid_dat(sim_report *r, FILE *d) {
  unsigned n = series_count(r);
  double floor_rate = 1e-6;
  /* One block per series: speed, failure rate, its exact 95 % interval (low, high),
   * completion p50, p99.9, dwell time, verdict (1 demonstrated, -1 refuted, 0 undecided),
   * gnuplot's point type. */
  for (unsigned i = 0; i < n; i++) {
    sim_report_cell *by[SIM_SPEEDS_MAX];
    char title[96];
    series_get(r, i, by, title, sizeof(title));
    fprintf(d, "# %s\n", title);
    for (unsigned s = 0; s < r->nspeeds; s++) {
      const sim_report_cell *c = by[s];
      double lo, hi, f;
      if (!c || c->n == 0) continue;
      sim_stats_cp_interval(c->ok, c->n, 0.95, &lo, &hi);
      f = 1 - (double)c->ok / (double)c->n;
      /* No failure: the point is the interval's top ("below this"). The point's type is the
       * verdict: filled circle demonstrated, cross refuted, open circle undecided. */
      fprintf(d, "%g %.6g %.6g %.6g %.3f %.3f %.3f %d %d\n", r->speed_of[s],
              f > 0 ? f : (1 - lo > floor_rate ? 1 - lo : floor_rate), 1 - hi > floor_rate ? 1 - hi : floor_rate,
              1 - lo > floor_rate ? 1 - lo : floor_rate, cell_q(c, .5), cell_q(c, .999), c->dwell_ms / (double)c->n,
              c->verdict == SIM_DEMONSTRATED ? 1 : c->verdict == SIM_REFUTED ? -1 : 0,
              c->verdict == SIM_DEMONSTRATED ? 7 : c->verdict == SIM_REFUTED ? 2 : 6);
    }
    fprintf(d, "\n\n");
  }
  return n;
}

static void title_where(char *out, size_t cap, const sim_report *r) {
  const sim_scenario *sc = r->sc;
  char bers[64] = "", zones[64] = "";
  for (unsigned b = 0; b < sc->nbers && b < 4; b++)
    snprintf(bers + strlen(bers), sizeof(bers) - strlen(bers), "%s%.0e", b ? ", " : "", sc->bers[b]);
  if (sc->search) snprintf(zones, sizeof(zones), "zone searched %g-%g m", sc->search_from_m, sc->search_to_m);
  else
    for (unsigned z = 0; z < sc->nzones && z < 4; z++)
      snprintf(zones + strlen(zones), sizeof(zones) - strlen(zones), "%s%g", z ? ", " : "zone ", sc->zones[z]);
  snprintf(out, cap, "%s: BER %s%s, %s%s", sc->name, bers, sc->nbers > 4 ? "..." : "", zones,
           sc->search ? "" : " m");
}

/* The failure-cause plot's columns: the run's most frequent full causes, then "other". */
#define CAUSE_COLUMNS 6

static int write_plots(sim_report *r, char *err, size_t errlen) {
  const sim_scenario *sc = r->sc;
  char path[700], img[8][700], where[200];
  const char *imgs[8];
  unsigned nimg = 0, series, panels, ncols;
  bool failures = false;
  file_out *od, *og;
  FILE *d, *g;
  title_where(where, sizeof(where), r);
  snprintf(path, sizeof(path), "%s/plot.dat", r->dir);
  if (file_out_open(&od, path, 0, err, errlen) != 0) return -1;
  d = file_out_stream(od);
  series = write_grid_dat(r, d);
  if (file_out_commit(od, err, errlen) != 0) return -1;
  /* failure causes: a row per group and BER, a column per full cause among the run's most
   * frequent (limit/command/lost frame), the rest in "other" */
  {
    static tally all, t;
    int top[CAUSE_COLUMNS];
    memset(&all, 0, sizeof(all));
    for (unsigned b = 0; b < sc->nbers; b++)
      for (unsigned dd = 0; dd < densities_of(sc); dd++)
        for (unsigned gi = 0; gi < sc->ngroups; gi++) {
          tally_sum(r, b, dd, gi, &t);
          for (int k = 0; k < SIM_REPORT_DETAILS; k++) all.details[k] += t.details[k];
        }
    ncols = 0;
    for (int c = 0; c < CAUSE_COLUMNS; c++) {
      int best = -1;
      for (int k = 0; k < SIM_REPORT_DETAILS; k++) {
        bool taken = false;
        for (unsigned j = 0; j < ncols; j++) taken |= top[j] == k;
        if (!taken && all.details[k] && (best < 0 || all.details[k] > all.details[best])) best = k;
      }
      if (best < 0) break;
      top[ncols++] = best;
    }
    snprintf(path, sizeof(path), "%s/causes.dat", r->dir);
    if (file_out_open(&od, path, 0, err, errlen) != 0) return -1;
    d = file_out_stream(od);
    fprintf(d, "group");
    for (unsigned j = 0; j < ncols; j++) {
      char name[96];
      detail_name(name, sizeof(name), top[j]);
      fprintf(d, " %s", name);
    }
    fprintf(d, " other\n");
    for (unsigned b = 0; b < sc->nbers; b++)
      for (unsigned dd = 0; dd < densities_of(sc); dd++)
        for (unsigned gi = 0; gi < sc->ngroups; gi++) {
          uint64_t rest = 0;
          tally_sum(r, b, dd, gi, &t);
          if (sc->nbers > 1) fprintf(d, "\"%s %.0e\"", sc->groups[gi].label, sc->bers[b]);
          else fprintf(d, "\"%s\"", sc->groups[gi].label);
          for (int k = 0; k < SIM_REPORT_DETAILS; k++) rest += t.details[k];
          for (unsigned j = 0; j < ncols; j++) {
            fprintf(d, " %g", t.n ? 1e6 * (double)t.details[top[j]] / (double)t.n : 0.0);
            rest -= t.details[top[j]];
          }
          fprintf(d, " %g\n", t.n ? 1e6 * (double)rest / (double)t.n : 0.0);
          failures |= t.n > 0 && (rest > 0 || ncols > 0);
        }
  }
  if (file_out_commit(od, err, errlen) != 0) return -1;
  if (sc->search) {
    /* frontier: a block per (BER, density, group): speed, shortest zone demonstrated, the
     * longest not demonstrated */
    snprintf(path, sizeof(path), "%s/frontier.dat", r->dir);
    if (file_out_open(&od, path, 0, err, errlen) != 0) return -1;
    d = file_out_stream(od);
    for (unsigned b = 0; b < sc->nbers; b++)
      for (unsigned dd = 0; dd < densities_of(sc); dd++)
        for (unsigned gi = 0; gi < sc->ngroups; gi++) {
          fprintf(d, "# %s BER %g\n", sc->groups[gi].label, sc->bers[b]);
          for (size_t i = 0; i < r->nfrontiers; i++) {
            const sim_frontier *f = &r->frontiers[i];
            if (f->ber_i != b || f->density_i != dd || f->group != gi) continue;
            fprintf(d, "%g %g %g\n", r->speed_of[f->speed_i], f->demonstrated_m,
                    isfinite(f->below_m) ? f->below_m : sc->search_from_m);
          }
          fprintf(d, "\n\n");
        }
    if (file_out_commit(od, err, errlen) != 0) return -1;
  }
  snprintf(path, sizeof(path), "%s/plots.gp", r->dir);
  if (file_out_open(&og, path, 0, err, errlen) != 0) return -1;
  g = file_out_stream(og);
  fprintf(g, "if (!exists('tmp')) tmp = ''\n");
  fprintf(g, "set datafile missing 'nan'\nset key outside right\nset grid\n");
  for (int pass = 0; pass < 2; pass++) {
    const char *term = pass ? "pngcairo size 1200,650" : "svg size 1200,650 dynamic";
    const char *ext = pass ? "png" : "svg";
    char *o;
    fprintf(g, "set terminal %s\n", term);
    if (!sc->search) {
      o = img[nimg];
      snprintf(o, sizeof(img[0]), "%s/failure_vs_speed.%s", r->dir, ext);
      imgs[nimg++] = o;
      fprintf(g, "set output '%s'.tmp\nset xlabel 'speed (km/h)'\nset logscale y\nset format y '10^{%%L}'\n", o);
      fprintf(g, "set yrange [1e-6:1]\nset ylabel 'failed passages (share); band: exact 95%% interval'\n");
      fprintf(g, "set title \"%s\\nfailure rate against speed (no failure: drawn at the interval's top); dashed: the "
                 "target, %g %% success\\nverdict: filled circle demonstrated, cross refuted, open circle undecided\"\n",
              where, 100 * sc->target);
      fprintf(g, "plot ");
      for (unsigned i = 0; i < series; i++) {
        sim_report_cell *by[SIM_SPEEDS_MAX];
        char title[96];
        series_get(r, i, by, title, sizeof(title));
        fprintf(g, "'%s/plot.dat' index %u using 1:3:4 with filledcurves fs transparent solid 0.15 lc %u notitle, "
                   "'' index %u using 1:2:9 with linespoints lc %u pt variable title '%s', ",
                r->dir, i, i + 1, i, i + 1, title);
      }
      fprintf(g, "%g with lines dt 2 lw 2 lc 'black' title 'target'\n", 1 - sc->target);
      fprintf(g, "unset logscale y\nset format y '%%g'\nset yrange [*:*]\n");
    }
    o = img[nimg];
    snprintf(o, sizeof(img[0]), "%s/completion_vs_speed.%s", r->dir, ext);
    imgs[nimg++] = o;
    fprintf(g, "set output '%s'.tmp\nset xlabel 'speed (km/h)'\nset ylabel 'time (ms)'\n", o);
    fprintf(g, "set title \"%s\\ncompletion time (zone entry to RELEASE): p50 solid, p99.9 dashed; "
               "black: time in the zone\"\n", where);
    fprintf(g, "plot ");
    for (unsigned i = 0; i < series; i++) {
      sim_report_cell *by[SIM_SPEEDS_MAX];
      char title[96];
      series_get(r, i, by, title, sizeof(title));
      fprintf(g, "'%s/plot.dat' index %u using 1:5 with linespoints lc %u pt 7 title '%s', "
                 "'' index %u using 1:6 with lines dt 2 lc %u notitle, ",
              r->dir, i, i + 1, title, i, i + 1);
    }
    {
      /* the dwell time of each zone: zone / speed */
      double zs[SIM_ZONES_MAX];
      unsigned nz = 0;
      if (sc->search) {
        zs[nz++] = sc->search_from_m;
        zs[nz++] = (sc->search_from_m + sc->search_to_m) / 2;
        zs[nz++] = sc->search_to_m;
      } else {
        for (unsigned z = 0; z < sc->nzones; z++) zs[nz++] = sc->zones[z];
      }
      for (unsigned z = 0; z < nz; z++)
        fprintf(g, "%g / (x / 3.6) * 1000 with lines lw 2 lc 'black' title 'in a %g m zone'%s", zs[z], zs[z],
                z + 1 < nz ? ", " : "");
    }
    fprintf(g, "\n");
    o = img[nimg];
    snprintf(o, sizeof(img[0]), "%s/failure_causes.%s", r->dir, ext);
    imgs[nimg++] = o;
    fprintf(g, "set output '%s'.tmp\nset style data histograms\nset style histogram rowstacked\n"
               "set style fill solid 0.8 border -1\nset boxwidth 0.7\nset xtics rotate by -30\nset xlabel ''\n"
               "set yrange [0:%s]\n", o, failures ? "*" : "1");
    fprintf(g, "set ylabel 'failed passages per million'\nset title \"%s\\nwhy passages failed%s, by cause (limit/command/lost frame)%s\"\n",
            where, sc->search ? " in the zones found" : "", failures ? "" : ": none failed");
    /* Command names hold underscores, which enhanced text would take for subscripts. */
    fprintf(g, "set key noenhanced\n");
    fprintf(g, "plot for [k=2:%u] '%s/causes.dat' using k:xtic(1) title columnheader(k)\n", ncols + 2,
            r->dir);
    fprintf(g, "set style data lines\nset xtics norotate\nset style fill empty\nset yrange [*:*]\nset key enhanced\n");
    if (sc->search) {
      o = img[nimg];
      snprintf(o, sizeof(img[0]), "%s/frontier.%s", r->dir, ext);
      imgs[nimg++] = o;
      /* A panel per BER and density (up to four side by side), a line per group, all on
       * one scale. */
      double top = 0;
      for (size_t i = 0; i < r->nfrontiers; i++) {
        double z = isfinite(r->frontiers[i].demonstrated_m) ? r->frontiers[i].demonstrated_m : sc->search_to_m;
        if (z > top) top = z;
      }
      fprintf(g, "set output '%s'.tmp\nset xlabel 'speed (km/h)'\nset ylabel 'zone length (m)'\nset yrange [0:%g]\n", o,
              top * 1.1);
      panels = sc->nbers * densities_of(sc);
      fprintf(g, "set multiplot layout 1,%u title \"%s\\nshortest zone demonstrating %g %% success at %g %% "
                 "confidence; band: down to the longest zone that did not\"\n",
              panels <= 4 ? panels : 1, where, 100 * sc->target, 100 * sc->confidence);
      fprintf(g, "set key top left inside\n");
      for (unsigned b = 0, i = 0; b < sc->nbers; b++)
        for (unsigned dd = 0; dd < densities_of(sc); dd++) {
          if (panels <= 4 || i == 0) {
            fprintf(g, "set title 'BER %.0e", sc->bers[b]);
            if (sc->ndensities) fprintf(g, ", %g OBEs in the zone", sc->densities[dd]);
            fprintf(g, "%s'\nplot ", panels <= 4 ? "" : " and the others");
          }
          for (unsigned gi = 0; gi < sc->ngroups; gi++, i++)
            fprintf(g, "%s'%s/frontier.dat' index %u using 1:3:2 with filledcurves fs transparent solid 0.08 "
                       "lc %u notitle, '' index %u using 1:2 with linespoints lc %u pt 7 %s '%s'",
                    gi || (panels > 4 && i > 0) ? ", " : "", r->dir, i, gi + 1, i, gi + 1,
                    i < sc->ngroups ? "title" : "notitle", i < sc->ngroups ? sc->groups[gi].label : "");
          if (panels <= 4) fprintf(g, "\n");
        }
      fprintf(g, "%sunset multiplot\nset key outside right\n", panels <= 4 ? "" : "\n");
    }
  }
  if (file_out_commit(og, err, errlen) != 0) return -1;
  sim_report_gnuplot(path, imgs, nimg);
  return 0;
}

int sim_report_gnuplot(const char *script, const char *const *outputs, size_t n) {
  char *argv[5], suffix[48], set[64];
  pid_t pid;
  int status, rv = 0;
  /* The temporaries carry our process ID like the file library's, so that a later run
   * sweeps them if this one is killed mid-plot. */
  snprintf(suffix, sizeof(suffix), ".tmp.%ld.0", (long)getpid());
  snprintf(set, sizeof(set), "tmp='%s'", suffix);
  argv[0] = "gnuplot";
  argv[1] = "-e";
  argv[2] = set;
  argv[3] = (char *)script;
  argv[4] = NULL;
  if (posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ) != 0) {
    fprintf(stderr, "efc-scenario: gnuplot not found: %s written, plots not drawn\n", script);
    return -1;
  }
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "efc-scenario: gnuplot failed on %s\n", script);
    rv = -1;
  }
  for (size_t i = 0; i < n; i++) {
    char tmp[800];
    struct stat st;
    if (snprintf(tmp, sizeof(tmp), "%s%s", outputs[i], suffix) >= (int)sizeof(tmp)) continue;
    if (rv == 0 && lstat(outputs[i], &st) == 0 && !S_ISREG(st.st_mode)) {
      fprintf(stderr, "efc-scenario: %s: exists and is not a regular file; refusing to replace it\n", outputs[i]);
      rv = -1;
    } else if (rv == 0 && rename(tmp, outputs[i]) != 0) {
      fprintf(stderr, "efc-scenario: %s: cannot replace: %s\n", outputs[i], strerror(errno));
      rv = -1;
    }
    unlink(tmp); /* gone after a rename; a failed run's */
  }
  return rv;
}

int sim_report_finish(sim_report *r, FILE *table, bool plots, char *err, size_t errlen) {
  file_out *csv = r->csv_out;
  r->csv_out = NULL;
  r->csv = NULL;
  if (file_out_commit(csv, err, errlen) != 0) return -1;
  if (write_json(r, err, errlen) != 0) return -1;
  if (table) write_table(r, table);
  if (plots && write_plots(r, err, errlen) != 0) return -1;
  return 0;
}

void sim_report_free(sim_report *r) {
  /* Not finished: a failed run leaves no passages.csv that looks complete. */
  file_out_abort(r->csv_out);
  r->csv_out = NULL;
  for (size_t i = 0; i < r->ncells; i++) free(r->cells[i].completion_ms);
  free(r->cells);
  free(r->points);
  free(r->frontiers);
  r->csv = NULL;
  r->cells = NULL;
  r->points = NULL;
  r->frontiers = NULL;
  r->ncells = r->npoints = r->nfrontiers = 0;
}
