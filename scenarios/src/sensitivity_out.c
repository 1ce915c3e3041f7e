/* What efc-scenario sensitivity writes: sensitivity.json, the table with "measure first:",
 * and the tornado chart of the group that needs the longest zone. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file/out.h"
#include "json_out.h"
#include "sim/report.h"
#include "sim/sensitivity.h"

static json_t *point_json(const sim_sens_point *p, const sim_sens_point *base) {
  json_t *o = json_object();
  int inf;
  json_object_set_new(o, "p99_ms", sim_json_num_or_null(p->p99_ms));
  json_object_set_new(o, "quantile_ms", sim_json_num_or_null(p->q_ms));
  json_object_set_new(o, "required_zone_m", sim_json_num_or_null(p->zone_m));
  json_object_set_new(o, "unfinished", json_integer((json_int_t)p->unfinished));
  if (p->cut) json_object_set_new(o, "cut_by_zone", json_integer((json_int_t)p->cut));
  if (base) {
    double d = sim_sens_delta(p->p99_ms, p->p99_inf, base->p99_ms, base->p99_inf, &inf);
    json_object_set_new(o, "delta_p99_ms", inf ? json_string(inf > 0 ? "+inf" : "-inf") : sim_json_num_or_null(d));
    d = sim_sens_delta(p->zone_m, p->q_inf, base->zone_m, base->q_inf, &inf);
    json_object_set_new(o, "delta_zone_m", inf ? json_string(inf > 0 ? "+inf" : "-inf") : sim_json_num_or_null(d));
  }
  return o;
}

/* A group's point, named by its label. */
static json_t *group_point_json(const sim_sens_point *p, const sim_sens_point *base, const char *label) {
  json_t *o = point_json(p, base);
  json_object_set_new(o, "group", json_string(label));
  return o;
}

static int write_json(const sim_sens_result *res, const char *dir, const char *prog, char *err, size_t errlen) {
  const sim_scenario *sc = res->sc;
  json_t *o = json_object(), *groups = json_array(), *base = json_array(), *ps = json_array(), *mf = json_array();
  char path[700];
  sim_json_stamp(o, prog); /* which build wrote it, as summary.json */
  json_object_set_new(o, "scenario", json_string(sc->path));
  json_object_set_new(o, "name", json_string(sc->name));
  json_object_set_new(o, "design", json_string("one at a time"));
  json_object_set_new(o, "passages_per_group_and_value", json_integer((json_int_t)res->passages));
  json_object_set_new(o, "ber", json_real(res->ber));
  json_object_set_new(o, "reference_speed_kmh", json_real(res->ref_kmh));
  json_object_set_new(o, "top_speed_kmh", json_real(res->top_kmh));
  json_object_set_new(o, "zone_length_m", json_real(res->zone_m));
  json_object_set_new(o, "headway_s", json_real(res->headway_s));
  json_object_set_new(o, "success_target", json_real(sc->target));
  for (unsigned g = 0; g < sc->ngroups; g++) {
    json_array_append_new(groups, json_string(sc->groups[g].label));
    json_array_append_new(base, group_point_json(&res->base[g], NULL, sc->groups[g].label));
  }
  json_object_set_new(o, "groups", groups);
  json_object_set_new(o, "worst_group", json_string(sc->groups[res->worst_group].label));
  json_object_set_new(o, "baseline", base);
  {
    /* The file's values again with other seeds: the changes chance alone makes. */
    json_t *nz = json_array();
    for (unsigned g = 0; g < sc->ngroups; g++)
      json_array_append_new(nz, group_point_json(&res->noise[g], &res->base[g], sc->groups[g].label));
    json_object_set_new(o, "other_seeds", nz);
  }
  for (unsigned k = 0; k < res->nparams; k++) {
    unsigned i = res->order[k];
    const sim_sens_param *p = &res->params[i];
    json_t *e = json_object(), *eg = json_array();
    json_object_set_new(e, "parameter", json_string(p->key));
    json_object_set_new(e, "unit", json_string(p->unit));
    json_object_set_new(e, "base", json_real(p->base));
    json_object_set_new(e, "low", json_real(p->low));
    json_object_set_new(e, "high", json_real(p->high));
    json_object_set_new(e, "range", json_string(p->why));
    json_object_set_new(e, "fixed_by_standard", json_boolean(p->fixed));
    for (unsigned g = 0; g < sc->ngroups; g++) {
      json_t *x = json_object();
      json_object_set_new(x, "group", json_string(sc->groups[g].label));
      json_object_set_new(x, "low", point_json(&res->low[i][g], &res->base[g]));
      json_object_set_new(x, "high", point_json(&res->high[i][g], &res->base[g]));
      json_array_append_new(eg, x);
    }
    json_object_set_new(e, "groups", eg);
    json_array_append_new(ps, e);
  }
  json_object_set_new(o, "parameters", ps);
  for (unsigned k = 0; k < res->nmeasure; k++) json_array_append_new(mf, json_string(res->params[res->measure[k]].key));
  json_object_set_new(o, "measure_first", mf);
  snprintf(path, sizeof(path), "%s/sensitivity.json", dir);
  return sim_json_write(o, path, err, errlen);
}

/* A change for the table: "+0.123", "+inf", "-inf" or "n/a" (both infinite). */
static const char *delta_text(char *buf, size_t cap, double a, bool a_inf, double b, bool b_inf, int digits) {
  int inf;
  double d = sim_sens_delta(a, a_inf, b, b_inf, &inf);
  if (inf) snprintf(buf, cap, "%s", inf > 0 ? "+inf" : "-inf");
  else if (!isfinite(d)) snprintf(buf, cap, "n/a");
  else snprintf(buf, cap, "%+.*f", digits, fabs(d) < 0.5 * pow(10, -digits) ? 0.0 : d);
  return buf;
}

static const char *value_text(char *buf, size_t cap, double v, bool inf, int digits) {
  if (inf) snprintf(buf, cap, "inf");
  else snprintf(buf, cap, "%.*f", digits, v);
  return buf;
}

static bool unchanged(const sim_sens_point *p, const sim_sens_point *b) {
  return p->p99_inf == b->p99_inf && p->q_inf == b->q_inf && (p->p99_inf || p->p99_ms == b->p99_ms) &&
         (p->q_inf || p->zone_m == b->zone_m);
}

static void write_table(const sim_sens_result *res, FILE *t) {
  const sim_scenario *sc = res->sc;
  char a[32], b[32], c[32], d[32];
  fprintf(t, "sensitivity of %s (%s): one parameter at a time, %llu passages per group and value\n", sc->path,
          sc->name, (unsigned long long)res->passages);
  fprintf(t, "  BER %.3g; completion time (zone entry to the end of RELEASE) at %g km/h, the scenario's lowest speed,\n",
          res->ber, res->ref_kmh);
  fprintf(t, "  in a %.1f m zone (%.1f s) that cuts no transaction, one vehicle at a time;\n", res->zone_m,
          res->zone_m / (res->ref_kmh / 3.6));
  fprintf(t, "  required zone = %g km/h x the %g quantile of completion, a passage that never finished infinitely late\n\n",
          res->top_kmh, sc->target);
  fprintf(t, "at the file's values (and the change with other seeds: chance alone):\n%-20s %9s %9s %9s %10s %12s %12s\n",
          "group", "p99 ms", "q ms", "zone m", "unfinished", "seeds p99 ms", "seeds zone m");
  for (unsigned g = 0; g < sc->ngroups; g++) {
    const sim_sens_point *p = &res->base[g], *nz = &res->noise[g];
    fprintf(t, "%-20s %9s %9s %9s %10llu", sc->groups[g].label, value_text(a, sizeof(a), p->p99_ms, p->p99_inf, 3),
            value_text(b, sizeof(b), p->q_ms, p->q_inf, 3), value_text(c, sizeof(c), p->zone_m, p->q_inf, 3),
            (unsigned long long)p->unfinished);
    fprintf(t, " %12s %12s\n", delta_text(a, sizeof(a), nz->p99_ms, nz->p99_inf, p->p99_ms, p->p99_inf, 3),
            delta_text(b, sizeof(b), nz->zone_m, nz->q_inf, p->zone_m, p->q_inf, 3));
  }
  /* The zone is chosen to cut nothing; if it did, the quantiles are a lower bound's. */
  for (unsigned g = 0; g < sc->ngroups; g++)
    if (res->base[g].cut)
      fprintf(t, "note: %llu passages of %s left the %.1f m zone before the RSE finished or gave up\n",
              (unsigned long long)res->base[g].cut, sc->groups[g].label, res->zone_m);
  fprintf(t, "\nchanges at the low and the high value, largest effect first (groups not listed: no change):\n");
  fprintf(t, "%-30s %9s %9s %9s  %-20s %9s %9s %9s %9s\n", "parameter", "low", "file", "high", "group", "p99 lo ms",
          "p99 hi ms", "zone lo m", "zone hi m");
  for (unsigned k = 0; k < res->nparams; k++) {
    unsigned i = res->order[k], shown = 0;
    const sim_sens_param *p = &res->params[i];
    char name[64];
    snprintf(name, sizeof(name), "%s%s", p->key, p->fixed ? " (std)" : "");
    for (unsigned g = 0; g < sc->ngroups; g++) {
      const sim_sens_point *lo = &res->low[i][g], *hi = &res->high[i][g], *bs = &res->base[g];
      if (unchanged(lo, bs) && unchanged(hi, bs)) continue;
      if (shown++ == 0) fprintf(t, "%-30s %9.4g %9.4g %9.4g  ", name, p->low, p->base, p->high);
      else fprintf(t, "%-30s %9s %9s %9s  ", "", "", "", "");
      fprintf(t, "%-20s %9s %9s %9s %9s\n", sc->groups[g].label,
              delta_text(a, sizeof(a), lo->p99_ms, lo->p99_inf, bs->p99_ms, bs->p99_inf, 3),
              delta_text(b, sizeof(b), hi->p99_ms, hi->p99_inf, bs->p99_ms, bs->p99_inf, 3),
              delta_text(c, sizeof(c), lo->zone_m, lo->q_inf, bs->zone_m, bs->q_inf, 3),
              delta_text(d, sizeof(d), hi->zone_m, hi->q_inf, bs->zone_m, bs->q_inf, 3));
    }
    if (!shown) fprintf(t, "%-30s %9.4g %9.4g %9.4g  no change in any group\n", name, p->low, p->base, p->high);
  }
  fprintf(t, "\nmeasure first:");
  if (res->nmeasure == 0) fprintf(t, " nothing: no parameter changed the answer");
  for (unsigned k = 0; k < res->nmeasure; k++) fprintf(t, "%s %s", k ? "," : "", res->params[res->measure[k]].key);
  fprintf(t, "\n");
}

/* The tornado's rows for group g: parameters by the span of their zone change, smallest
 * first (gnuplot draws row 1 at the bottom); an infinite change is drawn to the axis'
 * end and named. Returns the axis' half-width. */
static double tornado_dat(const sim_sens_result *res, unsigned g, FILE *d) {
  unsigned idx[SIM_SENS_PARAMS_MAX];
  double lo[SIM_SENS_PARAMS_MAX], hi[SIM_SENS_PARAMS_MAX], span[SIM_SENS_PARAMS_MAX], half = 0;
  int linf[SIM_SENS_PARAMS_MAX], hinf[SIM_SENS_PARAMS_MAX];
  const sim_sens_point *bs = &res->base[g];
  for (unsigned i = 0; i < res->nparams; i++) {
    lo[i] = sim_sens_delta(res->low[i][g].zone_m, res->low[i][g].q_inf, bs->zone_m, bs->q_inf, &linf[i]);
    hi[i] = sim_sens_delta(res->high[i][g].zone_m, res->high[i][g].q_inf, bs->zone_m, bs->q_inf, &hinf[i]);
    if (!isfinite(lo[i])) lo[i] = 0;
    if (!isfinite(hi[i])) hi[i] = 0;
    if (fabs(lo[i]) > half) half = fabs(lo[i]);
    if (fabs(hi[i]) > half) half = fabs(hi[i]);
  }
  {
    int inf;
    double nz = sim_sens_delta(res->noise[g].zone_m, res->noise[g].q_inf, bs->zone_m, bs->q_inf, &inf);
    if (isfinite(nz) && fabs(nz) > half) half = fabs(nz);
  }
  half = half > 0 ? half * 1.15 : 0.01;
  for (unsigned i = 0; i < res->nparams; i++) {
    if (linf[i]) lo[i] = linf[i] * half;
    if (hinf[i]) hi[i] = hinf[i] * half;
    span[i] = (linf[i] || hinf[i]) ? INFINITY : fabs(hi[i] - lo[i]);
    idx[i] = i;
  }
  for (unsigned i = 1; i < res->nparams; i++)
    for (unsigned j = i; j > 0 && span[idx[j]] < span[idx[j - 1]]; j--) {
      unsigned x = idx[j];
      idx[j] = idx[j - 1];
      idx[j - 1] = x;
    }
  /* row, low-value change, high-value change, label; the noise reference first (row 0) */
  {
    int inf;
    double nz = sim_sens_delta(res->noise[g].zone_m, res->noise[g].q_inf, bs->zone_m, bs->q_inf, &inf);
    if (inf) nz = inf * half;
    else if (!isfinite(nz)) nz = 0;
    fprintf(d, "0 %.6g %.6g \"(file values, other seeds)\"\n\n\n", nz, nz);
  }
  for (unsigned k = 0; k < res->nparams; k++) {
    unsigned i = idx[k];
    const sim_sens_param *p = &res->params[i];
    const char *key = strncmp(p->key, "timing.", 7) == 0 ? p->key + 7 : p->key;
    fprintf(d, "%u %.6g %.6g \"%s %.4g/%.4g%s%s\"\n", k + 1, lo[i], hi[i], key, p->low, p->high,
            linf[i] || hinf[i] ? " (inf)" : "", p->fixed ? " (std)" : "");
  }
  return half;
}

static int write_tornado(const sim_sens_result *res, const char *dir, char *err, size_t errlen) {
  const sim_scenario *sc = res->sc;
  unsigned g = res->worst_group;
  char dat[700], gp[700], img[2][700];
  const char *imgs[2] = {img[0], img[1]};
  file_out *o;
  FILE *f;
  double half;
  snprintf(dat, sizeof(dat), "%s/tornado.dat", dir);
  snprintf(gp, sizeof(gp), "%s/tornado.gp", dir);
  snprintf(img[0], sizeof(img[0]), "%s/tornado.svg", dir);
  snprintf(img[1], sizeof(img[1]), "%s/tornado.png", dir);
  if (file_out_open(&o, dat, 0, err, errlen) != 0) return -1;
  half = tornado_dat(res, g, file_out_stream(o));
  if (file_out_commit(o, err, errlen) != 0) return -1;
  if (file_out_open(&o, gp, 0, err, errlen) != 0) return -1;
  f = file_out_stream(o);
  fprintf(f, "if (!exists('tmp')) tmp = ''\n");
  fprintf(f, "set datafile separator whitespace\nset grid xtics\nset key outside bottom center horizontal\n");
  fprintf(f, "set title \"%s: change of the zone %s needs at %g km/h (%g %%)\\nBER %.0e; file value %.3f m; bars: the "
             "parameter at its low and at its high value\" noenhanced\n",
          sc->name, sc->groups[g].label, res->top_kmh, sc->target * 100, res->ber, res->base[g].zone_m);
  fprintf(f, "set xlabel 'change of the required zone, m'\nset xrange [%.6g:%.6g]\nset yrange [-0.7:%u.7]\n", -half,
          half, res->nparams);
  fprintf(f, "set ytics noenhanced font ',9'\nset style fill solid 0.7 border -1\n");
  for (int pass = 0; pass < 2; pass++) {
    fprintf(f, "set terminal %s\nset output '%s'.tmp\n", pass ? "pngcairo size 1100,700" : "svg size 1100,700 dynamic",
            img[pass]);
    fprintf(f, "plot '%s' index 1 using (0):1:($2<0?$2:0):($2<0?0:$2):($1-0.38):($1+0.02):ytic(4) with boxxyerror lc "
               "rgb '#3b6fb6' title 'low value', '' index 1 using (0):1:($3<0?$3:0):($3<0?0:$3):($1-0.02):($1+0.38) "
               "with boxxyerror lc rgb '#c8553d' title 'high value', '' index 0 using (0):1:($2<0?$2:0):($2<0?0:$2):"
               "($1-0.3):($1+0.3):ytic(4) with boxxyerror lc rgb '#999999' title 'other seeds (chance)'\nset output\n",
            dat);
  }
  if (file_out_commit(o, err, errlen) != 0) return -1;
  sim_report_gnuplot(gp, imgs, 2);
  return 0;
}

int sim_sens_dir(const char *dir, char *err, size_t errlen) {
  if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
    snprintf(err, errlen, "%s: cannot create the output directory: %s", dir, strerror(errno));
    return -1;
  }
  /* Temporaries of an earlier run that was killed (docs/files.md). */
  return file_tmp_sweep_dir(dir, err, errlen) < 0 ? -1 : 0;
}

int sim_sens_write(const sim_sens_result *res, const char *dir, FILE *table, bool plots, const char *prog, char *err,
                   size_t errlen) {
  if (sim_sens_dir(dir, err, errlen) != 0) return -1;
  if (write_json(res, dir, prog, err, errlen) != 0) return -1;
  if (plots && write_tornado(res, dir, err, errlen) != 0) return -1;
  if (table) write_table(res, table);
  return 0;
}
