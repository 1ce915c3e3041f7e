/* The results of a run: its points and cells, each passage into its cell and into
 * passages.csv, and what the outputs read from the cells (critical speeds, failure tallies);
 * summary.json, the table and the plots are written by report_json.c, report_table.c and
 * report_plot.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

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
                              unsigned ngroups, double alpha) {
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
      c->alpha = alpha;
      c->upper = 1;
    }
  return (uint32_t)first;
}

int sim_report_open(sim_report *r, const sim_scenario *sc, const char *dir, char *err, size_t errlen) {
  char path[600];
  memset(r, 0, sizeof(*r));
  r->sc = sc;
  snprintf(r->dir, sizeof(r->dir), "%s", dir ? dir : "");
  if (sc->speed_dist) {
    int lo = (int)floor(sc->speed_min / 10.0), hi = (int)floor(sc->speed_max / 10.0);
    r->nspeeds = (unsigned)(hi - lo + 1);
    if (r->nspeeds > SIM_SPEEDS_MAX) r->nspeeds = SIM_SPEEDS_MAX;
    for (unsigned i = 0; i < r->nspeeds; i++) r->speed_of[i] = (lo + (int)i) * 10.0 + 5.0;
  } else {
    r->nspeeds = sc->nspeeds;
    memcpy(r->speed_of, sc->speeds, sc->nspeeds * sizeof(double));
  }
  /* No directory: a report that only plans (a shard's first round). */
  if (!dir) return 0;
  snprintf(path, sizeof(path), "%s/passages.csv", dir);
  if (file_out_open(&r->csv_out, path, 0, err, errlen) != 0) {
    sim_report_free(r);
    return -1;
  }
  r->csv = file_out_stream(r->csv_out);
  fprintf(r->csv, "block,seq,gantry,lane,ber,zone_m,speed_kmh,group,obuid,t_enter_ms,dwell_ms,outcome,cause,"
                  "completion_ms,margin_ms,frames_down,frames_up,octets_down,octets_up,retries,"
                  "late_responses,airtime_ms,processing_ms,other_ms,obes_in_zone%s\n",
          sc->is_on ? ",sampling,log_weight" : "");
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

/* One line of passages.csv. */
static void csv_put(sim_report *r, const char *ber, const char *zone, const char *sampling, const sim_record *x) {
  const sim_scenario *sc = r->sc;
  bool done = x->completion_us >= 0;
  int64_t comp = x->completion_us, other = done ? comp - x->airtime_us - x->processing_us : 0;
  int64_t margin = done ? (int64_t)x->dwell_us - comp : 0;
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
  if (sc->is_on) {
    char lw[32];
    snprintf(lw, sizeof(lw), "%.10g", x->log_w);
    *p++ = ',';
    p = put_str(p, sampling);
    *p++ = ',';
    p = put_str(p, lw);
  }
  *p++ = '\n';
  fwrite(line, 1, (size_t)(p - line), r->csv);
}

/* A pilot's passage: what the next bias is chosen from (plan.c). */
static void pilot_add(sim_report_cell *c, const sim_record *x) {
  double w;
  c->pilot_passages++;
  sim_is_add(&c->pilot_is, x->log_w, x->outcome != SIM_OK);
  if (x->outcome == SIM_OK) return;
  w = exp(x->log_w);
  c->ce_lost += w * x->bias_lost;
  c->ce_bits += w * x->bias_bits;
  c->ce_collided += w * x->collided;
  c->ce_contended += w * x->contended;
}

/* A passage's outcome and cause, as drawn. */
static void count_add(sim_report_cell *c, const sim_record *x) {
  c->n++;
  c->ok += x->outcome == SIM_OK;
  c->outcomes[x->outcome]++;
  if (x->cause < SIM_CAUSE_COUNT && x->cause_cmd < RSE_CMD_COUNT && x->cause_frame < SIM_LOSS_COUNT) {
    c->causes[x->cause]++;
    if (x->cause != SIM_CAUSE_NONE)
      c->details[(x->cause * RSE_CMD_COUNT + x->cause_cmd) * SIM_LOSS_COUNT + x->cause_frame]++;
  }
}

/* A passage drawn under a bias: only the weighted estimate speaks for the lane, so its
 * frames and times are not averaged in. */
static void weighted_add(sim_report_cell *c, const sim_record *x) {
  count_add(c, x);
  sim_is_add(&c->is, x->log_w, x->outcome != SIM_OK);
  c->contended += x->contended;
  c->collided += x->collided;
  if (x->outcome != SIM_OK && x->cause < SIM_CAUSE_COUNT) c->is_causes[x->cause] += exp(x->log_w);
}

static void plain_add(sim_report_cell *c, const sim_record *x) {
  bool done = x->completion_us >= 0;
  int64_t comp = x->completion_us, other = done ? comp - x->airtime_us - x->processing_us : 0;
  int64_t margin = done ? (int64_t)x->dwell_us - comp : 0;
  count_add(c, x);
  c->frames += x->frames_down + x->frames_up;
  c->retries += x->retries;
  c->late += x->late;
  c->obes += x->obes_in_zone;
  c->dwell_ms += x->dwell_us / 1000.0;
  if (x->outcome != SIM_OK) return;
  c->airtime_ms += x->airtime_us / 1000.0;
  c->processing_ms += x->processing_us / 1000.0;
  c->other_ms += (double)other / 1000.0;
  c->margin_ms += (double)margin / 1000.0;
  sim_hist_add(&c->comp, (uint32_t)comp);
}

void sim_report_add(sim_report *r, const sim_block *b, const sim_record *rec, size_t n) {
  const sim_scenario *sc = r->sc;
  bool weighted = b->bias_ber > 0 || b->bias_collide > 0;
  const char *sampling = b->pilot ? "pilot" : weighted ? "weighted" : "plain";
  char ber[24], zone[24];
  snprintf(ber, sizeof(ber), "%g", b->ber);
  snprintf(zone, sizeof(zone), "%g", b->zone_m);
  for (size_t i = 0; i < n; i++) {
    const sim_record *x = &rec[i];
    sim_report_cell *c;
    if (i < b->warmup || (b->reported && i >= (size_t)b->warmup + b->reported)) continue; /* only filled the lane */
    c = &r->cells[sim_report_cell_of(r, b, x)];
    r->passages++;
    if (b->pilot) pilot_add(c, x);
    else if (weighted) weighted_add(c, x);
    else plain_add(c, x);
    if (x->outcome != SIM_OK || sc->csv_all) csv_put(r, ber, zone, sampling, x);
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

/* The cells of one group at one point, by speed (NULL where none). */
void sim_report_cells_by_speed(const sim_report *r, uint32_t point, unsigned g, sim_report_cell **by) {
  for (unsigned s = 0; s < r->nspeeds; s++) by[s] = NULL;
  for (size_t i = 0; i < r->ncells; i++)
    if (r->cells[i].point == point && r->cells[i].group == g && r->cells[i].speed_i < r->nspeeds)
      by[r->cells[i].speed_i] = &r->cells[i];
}

void sim_report_cell_failure(const sim_report_cell *c, double *est, double *lo, double *hi) {
  if (c->importance) {
    *est = sim_is_estimate(&c->is);
    sim_is_bounds(&c->is, 0.025, lo, hi);
    return;
  }
  sim_stats_cp_interval(c->n - c->ok, c->n, 0.95, lo, hi);
  *est = c->n ? (double)(c->n - c->ok) / (double)c->n : NAN;
}

double sim_report_cell_q(const sim_report_cell *c, double q) { return sim_hist_quantile_ms(&c->comp, q); }

sim_report_critical sim_report_critical_speed(const sim_report *r, sim_report_cell *const *by) {
  sim_report_critical c = {0, true, 0, 0, NAN};
  bool chain = true;
  for (unsigned s = 0; s < r->nspeeds; s++) {
    const sim_report_cell *x = by[s];
    if (!x || x->n == 0) continue;
    if (x->verdict != SIM_DEMONSTRATED) c.all = chain = false;
    if (chain) c.demonstrated = r->speed_of[s];
    if (x->verdict == SIM_REFUTED && c.refuted == 0) c.refuted = r->speed_of[s];
    c.undecided += x->verdict == SIM_UNDECIDED;
    if (isnan(c.estimated) && x->comp.n) {
      double t = sim_report_cell_q(x, r->sc->target) / 1000.0;
      if (t > 0) c.estimated = r->points[x->point].zone_m / t * 3.6;
    }
  }
  return c;
}

void sim_report_tally_add(sim_report_tally *t, const sim_report_cell *c) {
  t->n += c->n;
  t->weighted |= c->importance;
  for (int k = 0; k < SIM_CAUSE_COUNT; k++) t->causes[k] += c->causes[k];
  for (int k = 0; k < SIM_REPORT_DETAILS; k++) t->details[k] += c->details[k];
}

/* The failures of one group at one BER and density. A grid: over every cell. A search: over
 * the cells at each speed's frontier (what still fails in the shortest zone that works), or
 * at the longest zone where none worked; the probes below it fail by design. */
void sim_report_tally_sum(const sim_report *r, unsigned ber_i, unsigned density_i, unsigned g, sim_report_tally *t) {
  memset(t, 0, sizeof(*t));
  if (r->sc->search) {
    for (size_t i = 0; i < r->nfrontiers; i++) {
      const sim_frontier *f = &r->frontiers[i];
      if (f->group != g || f->ber_i != ber_i || f->density_i != density_i) continue;
      sim_report_tally_add(t, &r->cells[f->demonstrated_cell != UINT32_MAX ? f->demonstrated_cell : f->first_cell]);
    }
    return;
  }
  for (size_t i = 0; i < r->ncells; i++) {
    const sim_report_cell *c = &r->cells[i];
    const sim_point *pt = &r->points[c->point];
    if (c->group == g && pt->ber_i == ber_i && pt->density_i == density_i) sim_report_tally_add(t, c);
  }
}

/* "zone-exit/GET_STAMPED_TSP/late" of detail k. */
void sim_report_detail_name(char *out, size_t cap, int k) {
  int frame = k % SIM_LOSS_COUNT, cmd = k / SIM_LOSS_COUNT % RSE_CMD_COUNT, cause = k / SIM_LOSS_COUNT / RSE_CMD_COUNT;
  snprintf(out, cap, "%s/%s/%s", sim_cause_name(cause), sim_cause_cmd_name(cmd), sim_cause_frame_name(frame));
}

unsigned sim_report_densities(const sim_scenario *sc) { return sc->ndensities ? sc->ndensities : 1; }

int sim_report_finish(sim_report *r, FILE *table, bool plots, char *err, size_t errlen) {
  file_out *csv = r->csv_out;
  r->csv_out = NULL;
  r->csv = NULL;
  if (file_out_commit(csv, err, errlen) != 0) return -1;
  /* The outputs read the completion times' quantiles. */
  for (size_t i = 0; i < r->ncells; i++)
    if (sim_hist_sort(&r->cells[i].comp) != 0) {
      snprintf(err, errlen, "out of memory keeping the completion times");
      return -1;
    }
  if (sim_report_write_json(r, err, errlen) != 0) return -1;
  if (table) sim_report_write_table(r, table);
  if (plots && sim_report_write_plots(r, err, errlen) != 0) return -1;
  return 0;
}

void sim_report_free(sim_report *r) {
  /* Not finished: a failed run leaves no passages.csv that looks complete. */
  file_out_abort(r->csv_out);
  r->csv_out = NULL;
  for (size_t i = 0; i < r->ncells; i++) sim_hist_free(&r->cells[i].comp);
  free(r->cells);
  free(r->points);
  free(r->frontiers);
  r->csv = NULL;
  r->cells = NULL;
  r->points = NULL;
  r->frontiers = NULL;
  r->ncells = r->npoints = r->nfrontiers = 0;
}
