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

#define SUCCESS_TARGET 0.999

static size_t cell_index(const sim_report *r, unsigned ber, unsigned speed, unsigned group) {
  return ((size_t)ber * r->nspeeds + speed) * r->sc->ngroups + group;
}

static unsigned speed_bin(const sim_report *r, const sim_block *b, float speed) {
  const sim_scenario *sc = r->sc;
  int bin;
  if (!sc->speed_dist) return (unsigned)b->speed_idx;
  bin = (int)floor(speed / 10.0) - (int)floor(sc->speed_min / 10.0);
  if (bin < 0) bin = 0;
  if (bin >= (int)r->nspeeds) bin = (int)r->nspeeds - 1;
  return (unsigned)bin;
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
  r->cells = calloc((size_t)sc->nbers * r->nspeeds * sc->ngroups, sizeof(*r->cells));
  for (unsigned b = 0; b < sc->nbers; b++) snprintf(r->ber_text[b], sizeof(r->ber_text[b]), "%g", sc->bers[b]);
  snprintf(path, sizeof(path), "%s/passages.csv", dir);
  if (!r->cells) {
    snprintf(err, errlen, "%s: out of memory", path);
    sim_report_free(r);
    return -1;
  }
  if (file_out_open(&r->csv_out, path, 0, err, errlen) != 0) {
    sim_report_free(r);
    return -1;
  }
  r->csv = file_out_stream(r->csv_out);
  fprintf(r->csv, "block,seq,gantry,lane,ber,speed_kmh,group,obuid,t_enter_ms,dwell_ms,outcome,"
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
  for (size_t i = 0; i < n; i++) {
    const sim_record *x = &rec[i];
    sim_report_cell *c = &r->cells[cell_index(r, x->ber_idx, speed_bin(r, b, x->speed_kmh), x->group)];
    bool done = x->completion_us >= 0;
    int64_t comp = x->completion_us, other = done ? comp - x->airtime_us - x->processing_us : 0;
    int64_t margin = done ? (int64_t)x->dwell_us - comp : 0;
    char line[512], *p = line;
    const char *ber = r->ber_text[x->ber_idx];
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

    c->n++;
    c->outcomes[x->outcome]++;
    c->frames += x->frames_down + x->frames_up;
    c->retries += x->retries;
    c->late += x->late;
    c->obes += x->obes_in_zone;
    if (x->outcome == SIM_OK) {
      c->ok++;
      c->airtime_ms += x->airtime_us / 1000.0;
      c->processing_ms += x->processing_us / 1000.0;
      c->other_ms += (double)other / 1000.0;
      c->margin_ms += (double)margin / 1000.0;
      if (c->ncomp == c->capcomp) {
        size_t cap = c->capcomp ? c->capcomp * 2 : 256;
        float *nv = realloc(c->completion_ms, cap * sizeof(float));
        if (!nv) continue;
        c->completion_ms = nv;
        c->capcomp = cap;
      }
      c->completion_ms[c->ncomp++] = (float)(comp / 1000.0);
    }
    r->passages++;
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

/* All successes of a group at one BER, every speed pooled (sorted copy). */
static float *pooled(const sim_report *r, unsigned ber, unsigned g, size_t *n) {
  size_t total = 0, k = 0;
  float *v;
  for (unsigned s = 0; s < r->nspeeds; s++) total += r->cells[cell_index(r, ber, s, g)].ncomp;
  v = malloc((total ? total : 1) * sizeof(float));
  if (!v) return NULL;
  for (unsigned s = 0; s < r->nspeeds; s++) {
    const sim_report_cell *c = &r->cells[cell_index(r, ber, s, g)];
    /* A cell without a success has no array at all: memcpy must not see its NULL. */
    if (c->ncomp) memcpy(v + k, c->completion_ms, c->ncomp * sizeof(float));
    k += c->ncomp;
  }
  qsort(v, total, sizeof(float), cmp_float);
  *n = total;
  return v;
}

typedef struct {
  double measured;  /* highest tested speed with every speed up to it at >= 99.9 %; 0: none */
  bool all;         /* every tested speed passed */
  double estimated; /* zone / p99.9 completion time */
} critical;

static critical critical_speed(const sim_report *r, unsigned ber, unsigned g, const float *sorted, size_t n) {
  critical c = {0, true, NAN};
  for (unsigned s = 0; s < r->nspeeds; s++) {
    const sim_report_cell *cell = &r->cells[cell_index(r, ber, s, g)];
    if (cell->n == 0) continue;
    if ((double)cell->ok / (double)cell->n < SUCCESS_TARGET) {
      c.all = false;
      break;
    }
    c.measured = r->speed_of[s];
  }
  if (n > 0) {
    double t = sim_report_quantile(sorted, n, SUCCESS_TARGET) / 1000.0;
    if (t > 0) c.estimated = r->sc->zone_m / t * 3.6;
  }
  return c;
}

static json_t *num_or_null(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static int write_json(sim_report *r, char *err, size_t errlen) {
  const sim_scenario *sc = r->sc;
  json_t *o = json_object(), *res = json_array(), *crit = json_array(), *groups = json_array(), *bers = json_array();
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
  json_object_set_new(o, "success_target", json_real(SUCCESS_TARGET));
  for (unsigned b = 0; b < sc->nbers; b++)
    for (unsigned g = 0; g < sc->ngroups; g++) {
      size_t n = 0;
      float *all = pooled(r, b, g, &n);
      critical c = critical_speed(r, b, g, all, n);
      json_t *co = json_object();
      json_object_set_new(co, "group", json_string(sc->groups[g].label));
      json_object_set_new(co, "ber", json_real(sc->bers[b]));
      json_object_set_new(co, "critical_speed_kmh", c.measured > 0 ? json_real(c.measured) : json_null());
      json_object_set_new(co, "every_tested_speed_passed", json_boolean(c.all));
      json_object_set_new(co, "estimated_from_p999_kmh", num_or_null(c.estimated));
      json_array_append_new(crit, co);
      free(all);
      for (unsigned s = 0; s < r->nspeeds; s++) {
        sim_report_cell *cell = &r->cells[cell_index(r, b, s, g)];
        json_t *e, *ct, *oc;
        double lo, hi;
        if (cell->n == 0) continue;
        if (cell->ncomp) qsort(cell->completion_ms, cell->ncomp, sizeof(float), cmp_float);
        sim_report_wilson(cell->ok, cell->n, &lo, &hi);
        e = json_object();
        json_object_set_new(e, "group", json_string(sc->groups[g].label));
        json_object_set_new(e, "profile", json_string(efc_profile_name(sc->groups[g].profile)));
        json_object_set_new(e, "mcu", json_string(sc->groups[g].legacy ? "legacy" : "modern"));
        json_object_set_new(e, "ber", json_real(sc->bers[b]));
        json_object_set_new(e, "speed_kmh", json_real(r->speed_of[s]));
        json_object_set_new(e, "passages", json_integer((json_int_t)cell->n));
        json_object_set_new(e, "successes", json_integer((json_int_t)cell->ok));
        json_object_set_new(e, "success_rate", json_real((double)cell->ok / (double)cell->n));
        json_object_set_new(e, "ci95", json_pack("[f,f]", lo, hi));
        oc = json_object();
        for (int k = 0; k <= SIM_NOT_PASS; k++)
          json_object_set_new(oc, sim_outcome_name(k), json_integer((json_int_t)cell->outcomes[k]));
        json_object_set_new(e, "outcomes", oc);
        ct = json_object();
        json_object_set_new(ct, "p50", num_or_null(sim_report_quantile(cell->completion_ms, cell->ncomp, 0.50)));
        json_object_set_new(ct, "p95", num_or_null(sim_report_quantile(cell->completion_ms, cell->ncomp, 0.95)));
        json_object_set_new(ct, "p99", num_or_null(sim_report_quantile(cell->completion_ms, cell->ncomp, 0.99)));
        json_object_set_new(e, "completion_ms", ct);
        json_object_set_new(e, "frames", json_real(cell->frames / (double)cell->n));
        json_object_set_new(e, "retries", json_real(cell->retries / (double)cell->n));
        json_object_set_new(e, "late_responses", json_real(cell->late / (double)cell->n));
        json_object_set_new(e, "obes_in_zone", json_real(cell->obes / (double)cell->n));
        if (cell->ok) {
          json_object_set_new(e, "airtime_ms", json_real(cell->airtime_ms / (double)cell->ok));
          json_object_set_new(e, "processing_ms", json_real(cell->processing_ms / (double)cell->ok));
          json_object_set_new(e, "other_ms", json_real(cell->other_ms / (double)cell->ok));
          json_object_set_new(e, "margin_ms", json_real(cell->margin_ms / (double)cell->ok));
        }
        json_array_append_new(res, e);
      }
    }
  json_object_set_new(o, "critical", crit);
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

static void write_table(sim_report *r, FILE *t) {
  const sim_scenario *sc = r->sc;
  fprintf(t, "scenario \"%s\": %llu passages, %u lane(s) x %u gantr%s, zone %.1f m, seed %llu\n", sc->name,
          (unsigned long long)r->passages, sc->lanes, sc->gantries, sc->gantries == 1 ? "y" : "ies", sc->zone_m,
          (unsigned long long)sc->seed);
  fprintf(t, "%-22s %9s %-16s %9s %-24s %7s %7s %6s\n", "group", "BER", "critical speed", "success",
          "completion p50/p95/p99", "frames", "retries", "late");
  for (unsigned b = 0; b < sc->nbers; b++)
    for (unsigned g = 0; g < sc->ngroups; g++) {
      size_t n = 0;
      float *all = pooled(r, b, g, &n);
      critical c = critical_speed(r, b, g, all, n);
      uint64_t tot = 0, ok = 0;
      double frames = 0, retries = 0, late = 0;
      char crit[32], comp[48];
      for (unsigned s = 0; s < r->nspeeds; s++) {
        const sim_report_cell *cell = &r->cells[cell_index(r, b, s, g)];
        tot += cell->n;
        ok += cell->ok;
        frames += cell->frames;
        retries += cell->retries;
        late += cell->late;
      }
      if (c.measured <= 0) snprintf(crit, sizeof(crit), "< %.0f km/h", r->speed_of[0]);
      else snprintf(crit, sizeof(crit), "%s%.0f km/h", c.all ? ">= " : "", c.measured);
      if (n) snprintf(comp, sizeof(comp), "%.1f / %.1f / %.1f ms", sim_report_quantile(all, n, .5),
                      sim_report_quantile(all, n, .95), sim_report_quantile(all, n, .99));
      else snprintf(comp, sizeof(comp), "-");
      fprintf(t, "%-22s %9.1e %-16s %8.3f%% %-24s %7.1f %7.3f %6.2f\n", sc->groups[g].label, sc->bers[b], crit,
              tot ? 100.0 * (double)ok / (double)tot : 0.0, comp, tot ? frames / (double)tot : 0,
              tot ? retries / (double)tot : 0, tot ? late / (double)tot : 0);
      free(all);
    }
  fprintf(t, "critical speed: the highest tested speed up to which every speed reaches %.1f %% success.\n",
          100 * SUCCESS_TARGET);
  fprintf(t, "completion: from zone entry to RELEASE, successful passages. %.1f s wall, %u thread(s).\n",
          r->wall_s, r->threads);
}

/* Data and a gnuplot script; gnuplot draws SVG and PNG. Missing gnuplot is a warning. */
/* A plotted series is a group, and also a BER when the scenario sweeps several. */
static void series_title(char *out, size_t cap, const sim_scenario *sc, unsigned b, unsigned gi) {
  if (sc->nbers > 1) snprintf(out, cap, "%s BER %.0e", sc->groups[gi].label, sc->bers[b]);
  else snprintf(out, cap, "%s", sc->groups[gi].label);
}

static int write_plots(sim_report *r, char *err, size_t errlen) {
  const sim_scenario *sc = r->sc;
  char path[700], img[4][700];
  const char *imgs[4] = {img[0], img[1], img[2], img[3]};
  file_out *od, *og;
  FILE *d, *g;
  snprintf(path, sizeof(path), "%s/plot.dat", r->dir);
  if (file_out_open(&od, path, 0, err, errlen) != 0) return -1;
  d = file_out_stream(od);
  /* One block per (group, BER): speed, success %, CI low, CI high, p50, p95, p99. */
  for (unsigned b = 0; b < sc->nbers; b++)
    for (unsigned gi = 0; gi < sc->ngroups; gi++) {
      fprintf(d, "# %s BER %g\n", sc->groups[gi].label, sc->bers[b]);
      for (unsigned s = 0; s < r->nspeeds; s++) {
        sim_report_cell *c = &r->cells[cell_index(r, b, s, gi)];
        double lo, hi;
        if (c->n == 0) continue;
        sim_report_wilson(c->ok, c->n, &lo, &hi);
        fprintf(d, "%g %.4f %.4f %.4f %.3f %.3f %.3f\n", r->speed_of[s], 100.0 * c->ok / c->n, 100 * lo, 100 * hi,
                sim_report_quantile(c->completion_ms, c->ncomp, .5), sim_report_quantile(c->completion_ms, c->ncomp, .95),
                sim_report_quantile(c->completion_ms, c->ncomp, .99));
      }
      fprintf(d, "\n\n");
    }
  if (file_out_commit(od, err, errlen) != 0) return -1;
  snprintf(path, sizeof(path), "%s/plots.gp", r->dir);
  if (file_out_open(&og, path, 0, err, errlen) != 0) return -1;
  g = file_out_stream(og);
  fprintf(g, "if (!exists('tmp')) tmp = ''\n");
  fprintf(g, "set datafile missing 'nan'\nset key outside right\nset grid\nset xlabel 'speed (km/h)'\n");
  for (int pass = 0; pass < 2; pass++) {
    const char *term = pass ? "pngcairo size 1100,600" : "svg size 1100,600 dynamic";
    const char *ext = pass ? "png" : "svg";
    fprintf(g, "set terminal %s\n", term);
    snprintf(img[2 * pass], sizeof(img[0]), "%s/success_vs_speed.%s", r->dir, ext);
    snprintf(img[2 * pass + 1], sizeof(img[0]), "%s/completion_vs_speed.%s", r->dir, ext);
    fprintf(g, "set output '%s'.tmp\n", img[2 * pass]);
    fprintf(g, "set title '%s: transactions completed in a %.0f m zone'\nset ylabel 'success (%%), 95%% CI'\n",
            sc->name, sc->zone_m);
    fprintf(g, "plot ");
    for (unsigned b = 0; b < sc->nbers; b++)
      for (unsigned gi = 0; gi < sc->ngroups; gi++) {
        unsigned idx = b * sc->ngroups + gi;
        char title[80];
        series_title(title, sizeof(title), sc, b, gi);
        fprintf(g, "%s'%s/plot.dat' index %u using 1:2:3:4 with yerrorlines title '%s'", idx ? ", " : "", r->dir,
                idx, title);
      }
    fprintf(g, "\nset output '%s'.tmp\n", img[2 * pass + 1]);
    fprintf(g, "set title '%s: completion time (zone entry to RELEASE), p50 solid, p99 dashed'\n"
               "set ylabel 'completion time (ms)'\n", sc->name);
    fprintf(g, "plot ");
    for (unsigned b = 0; b < sc->nbers; b++)
      for (unsigned gi = 0; gi < sc->ngroups; gi++) {
        unsigned idx = b * sc->ngroups + gi;
        char title[80];
        series_title(title, sizeof(title), sc, b, gi);
        fprintf(g, "%s'%s/plot.dat' index %u using 1:5 with linespoints lc %u title '%s', "
                   "'%s/plot.dat' index %u using 1:7 with lines dt 2 lc %u notitle",
                idx ? ", " : "", r->dir, idx, idx + 1, title, r->dir, idx, idx + 1);
      }
    fprintf(g, "\n");
  }
  if (file_out_commit(og, err, errlen) != 0) return -1;
  sim_report_gnuplot(path, imgs, 4);
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
  if (r->cells) {
    size_t n = (size_t)r->sc->nbers * r->nspeeds * r->sc->ngroups;
    for (size_t i = 0; i < n; i++) free(r->cells[i].completion_ms);
  }
  free(r->cells);
  r->csv = NULL;
  r->cells = NULL;
}
