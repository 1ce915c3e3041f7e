/* The plots: data files and a gnuplot script drawing SVG and PNG (docs/scenarios.md), and
 * the gnuplot runner that renames its outputs into place. */
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report_int.h"

extern char **environ;

/* The plotted series: a grid's every group at every point; a search's every group at every
 * BER and density, from the probes at its longest zone (where completion times are not cut
 * short by the zone). */
static unsigned series_count(const sim_report *r) {
  const sim_scenario *sc = r->sc;
  return (unsigned)(sc->search ? sc->nbers * sim_report_densities(sc) : r->npoints) * sc->ngroups;
}

static void series_title(const sim_report *r, unsigned i, char *title, size_t cap) {
  const sim_scenario *sc = r->sc;
  unsigned g = i % sc->ngroups, at = i / sc->ngroups;
  if (sc->search) {
    unsigned b = at / sim_report_densities(sc), d = at % sim_report_densities(sc);
    if (sc->nbers > 1) snprintf(title, cap, "%s BER %.0e", sc->groups[g].label, sc->bers[b]);
    else snprintf(title, cap, "%s", sc->groups[g].label);
    if (sc->ndensities > 1) snprintf(title + strlen(title), cap - strlen(title), " %g OBEs", sc->densities[d]);
    return;
  }
  if (sc->nbers > 1 || sc->nzones > 1 || sc->ndensities > 1)
    snprintf(title, cap, "%s BER %.0e %g m", sc->groups[g].label, r->points[at].ber, r->points[at].zone_m);
  else snprintf(title, cap, "%s", sc->groups[g].label);
  if (sc->ndensities > 1) snprintf(title + strlen(title), cap - strlen(title), " %g OBEs", r->points[at].density);
}

/* Series i's cells by speed (NULL where none). */
static void series_cells(const sim_report *r, unsigned i, sim_report_cell **by) {
  const sim_scenario *sc = r->sc;
  unsigned g = i % sc->ngroups, at = i / sc->ngroups;
  if (!sc->search) {
    sim_report_cells_by_speed(r, at, g, by);
    return;
  }
  for (unsigned s = 0; s < r->nspeeds; s++)
    by[s] = &r->cells[r->frontiers[((size_t)at * r->nspeeds + s) * sc->ngroups + g].first_cell];
}

/* Plot data, blocks separated by two blank lines, one per series; returns the series. */
static unsigned write_grid_dat(const sim_report *r, FILE *d) {
  unsigned n = series_count(r);
  double floor_rate = 1e-6;
  /* One block per series: speed, failure rate, its exact 95 % interval (low, high),
   * completion p50, p99.9, dwell time, verdict (1 demonstrated, -1 refuted, 0 undecided),
   * gnuplot's point type. */
  for (unsigned i = 0; i < n; i++) {
    sim_report_cell *by[SIM_SPEEDS_MAX];
    char title[96];
    series_cells(r, i, by);
    series_title(r, i, title, sizeof(title));
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
              1 - lo > floor_rate ? 1 - lo : floor_rate, sim_report_cell_q(c, .5), sim_report_cell_q(c, .999), c->dwell_ms / (double)c->n,
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

/* The run's most frequent full causes (at most CAUSE_COLUMNS) into top; their number. */
static unsigned causes_columns(const sim_report *r, int *top) {
  const sim_scenario *sc = r->sc;
  static sim_report_tally all, t;
  unsigned n = 0;
  memset(&all, 0, sizeof(all));
  for (unsigned b = 0; b < sc->nbers; b++)
    for (unsigned d = 0; d < sim_report_densities(sc); d++)
      for (unsigned g = 0; g < sc->ngroups; g++) {
        sim_report_tally_sum(r, b, d, g, &t);
        for (int k = 0; k < SIM_REPORT_DETAILS; k++) all.details[k] += t.details[k];
      }
  for (int c = 0; c < CAUSE_COLUMNS; c++) {
    int best = -1;
    for (int k = 0; k < SIM_REPORT_DETAILS; k++) {
      bool taken = false;
      for (unsigned j = 0; j < n; j++) taken |= top[j] == k;
      if (!taken && all.details[k] && (best < 0 || all.details[k] > all.details[best])) best = k;
    }
    if (best < 0) break;
    top[n++] = best;
  }
  return n;
}

/* causes.dat: a row per group and BER, failures per million by the columns' causes and the
 * rest in "other". Whether any failed. */
static bool causes_dat(const sim_report *r, FILE *d, const int *top, unsigned ncols) {
  const sim_scenario *sc = r->sc;
  static sim_report_tally t;
  bool failures = false;
  fprintf(d, "group");
  for (unsigned j = 0; j < ncols; j++) {
    char name[96];
    sim_report_detail_name(name, sizeof(name), top[j]);
    fprintf(d, " %s", name);
  }
  fprintf(d, " other\n");
  for (unsigned b = 0; b < sc->nbers; b++)
    for (unsigned dd = 0; dd < sim_report_densities(sc); dd++)
      for (unsigned gi = 0; gi < sc->ngroups; gi++) {
        uint64_t rest = 0;
        sim_report_tally_sum(r, b, dd, gi, &t);
        if (sc->nbers > 1) fprintf(d, "\"%s %.0e\"", sc->groups[gi].label, sc->bers[b]);
        else fprintf(d, "\"%s\"", sc->groups[gi].label);
        for (int k = 0; k < SIM_REPORT_DETAILS; k++) rest += t.details[k];
        failures |= rest > 0;
        for (unsigned j = 0; j < ncols; j++) {
          fprintf(d, " %g", t.n ? 1e6 * (double)t.details[top[j]] / (double)t.n : 0.0);
          rest -= t.details[top[j]];
        }
        fprintf(d, " %g\n", t.n ? 1e6 * (double)rest / (double)t.n : 0.0);
      }
  return failures;
}

/* frontier.dat: a block per (BER, density, group): speed, shortest zone demonstrated, the
 * longest not demonstrated. */
static void frontier_dat(const sim_report *r, FILE *d) {
  const sim_scenario *sc = r->sc;
  for (unsigned b = 0; b < sc->nbers; b++)
    for (unsigned dd = 0; dd < sim_report_densities(sc); dd++)
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
}

static void gp_failure(FILE *g, const sim_report *r, const char *out, const char *where, unsigned series) {
  fprintf(g, "set output '%s'.tmp\nset xlabel 'speed (km/h)'\nset logscale y\nset format y '10^{%%L}'\n", out);
  fprintf(g, "set yrange [1e-6:1]\nset ylabel 'failed passages (share); band: exact 95%% interval'\n");
  fprintf(g, "set title \"%s\\nfailure rate against speed (no failure: drawn at the interval's top); dashed: the "
             "target, %g %% success\\nverdict: filled circle demonstrated, cross refuted, open circle undecided\"\n",
          where, 100 * r->sc->target);
  fprintf(g, "plot ");
  for (unsigned i = 0; i < series; i++) {
    char title[96];
    series_title(r, i, title, sizeof(title));
    fprintf(g, "'%s/plot.dat' index %u using 1:3:4 with filledcurves fs transparent solid 0.15 lc %u notitle, "
               "'' index %u using 1:2:9 with linespoints lc %u pt variable title '%s', ",
            r->dir, i, i + 1, i, i + 1, title);
  }
  fprintf(g, "%g with lines dt 2 lw 2 lc 'black' title 'target'\n", 1 - r->sc->target);
  fprintf(g, "unset logscale y\nset format y '%%g'\nset yrange [*:*]\n");
}

static void gp_completion(FILE *g, const sim_report *r, const char *out, const char *where, unsigned series) {
  const sim_scenario *sc = r->sc;
  double zs[SIM_ZONES_MAX];
  unsigned nz = 0;
  fprintf(g, "set output '%s'.tmp\nset xlabel 'speed (km/h)'\nset ylabel 'time (ms)'\n", out);
  fprintf(g, "set title \"%s\\ncompletion time (zone entry to RELEASE): p50 solid, p99.9 dashed; "
             "black: time in the zone\"\n", where);
  fprintf(g, "plot ");
  for (unsigned i = 0; i < series; i++) {
    char title[96];
    series_title(r, i, title, sizeof(title));
    fprintf(g, "'%s/plot.dat' index %u using 1:5 with linespoints lc %u pt 7 title '%s', "
               "'' index %u using 1:6 with lines dt 2 lc %u notitle, ",
            r->dir, i, i + 1, title, i, i + 1);
  }
  /* the time in each zone: zone / speed */
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
  fprintf(g, "\n");
}

static void gp_causes(FILE *g, const sim_report *r, const char *out, const char *where, unsigned ncols,
                      bool failures) {
  fprintf(g, "set output '%s'.tmp\nset style data histograms\nset style histogram rowstacked\n"
             "set style fill solid 0.8 border -1\nset boxwidth 0.7\nset xtics rotate by -30\nset xlabel ''\n"
             "set yrange [0:%s]\n", out, failures ? "*" : "1");
  fprintf(g, "set ylabel 'failed passages per million'\nset title \"%s\\nwhy passages failed%s, by cause "
             "(limit/command/lost frame)%s\"\n", where, r->sc->search ? " in the zones found" : "",
          failures ? "" : ": none failed");
  /* Command names hold underscores, which enhanced text would take for subscripts. */
  fprintf(g, "set key noenhanced\n");
  fprintf(g, "plot for [k=2:%u] '%s/causes.dat' using k:xtic(1) title columnheader(k)\n", ncols + 2, r->dir);
  fprintf(g, "set style data lines\nset xtics norotate\nset style fill empty\nset yrange [*:*]\nset key enhanced\n");
}

/* A panel per BER and density (up to four side by side), a line per group, one scale. */
static void gp_frontier(FILE *g, const sim_report *r, const char *out, const char *where) {
  const sim_scenario *sc = r->sc;
  unsigned panels = sc->nbers * sim_report_densities(sc);
  double top = 0;
  for (size_t i = 0; i < r->nfrontiers; i++) {
    double z = isfinite(r->frontiers[i].demonstrated_m) ? r->frontiers[i].demonstrated_m : sc->search_to_m;
    if (z > top) top = z;
  }
  fprintf(g, "set output '%s'.tmp\nset xlabel 'speed (km/h)'\nset ylabel 'zone length (m)'\nset yrange [0:%g]\n", out,
          top * 1.1);
  fprintf(g, "set multiplot layout 1,%u title \"%s\\nshortest zone demonstrating %g %% success at %g %% "
             "confidence; band: down to the longest zone that did not\"\n",
          panels <= 4 ? panels : 1, where, 100 * sc->target, 100 * sc->confidence);
  fprintf(g, "set key top left inside\n");
  for (unsigned b = 0, i = 0; b < sc->nbers; b++)
    for (unsigned dd = 0; dd < sim_report_densities(sc); dd++) {
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

/* r->dir/name, written by fill and renamed into place: 0, or -1 with err. */
static int dat_write(const sim_report *r, const char *name, void (*fill)(const sim_report *, FILE *), char *err,
                     size_t errlen) {
  char path[700];
  file_out *o;
  snprintf(path, sizeof(path), "%s/%s", r->dir, name);
  if (file_out_open(&o, path, 0, err, errlen) != 0) return -1;
  fill(r, file_out_stream(o));
  return file_out_commit(o, err, errlen);
}

static void grid_dat(const sim_report *r, FILE *d) { write_grid_dat(r, d); }

/* The images a script draws: two formats of at most four plots. */
typedef struct {
  char path[8][700];
  const char *names[8];
  unsigned n;
} images;

/* The next image's path, dir/name.ext. */
static const char *image(images *im, const char *dir, const char *name, const char *ext) {
  snprintf(im->path[im->n], sizeof(im->path[0]), "%s/%s.%s", dir, name, ext);
  im->names[im->n] = im->path[im->n];
  return im->path[im->n++];
}

int sim_report_write_plots(sim_report *r, char *err, size_t errlen) {
  const sim_scenario *sc = r->sc;
  char path[700], where[200];
  images imgs = {.n = 0};
  int top[CAUSE_COLUMNS];
  unsigned series = series_count(r), ncols = causes_columns(r, top);
  bool failures;
  file_out *o;
  FILE *g;
  title_where(where, sizeof(where), r);
  if (dat_write(r, "plot.dat", grid_dat, err, errlen) != 0) return -1;
  if (sc->search && dat_write(r, "frontier.dat", frontier_dat, err, errlen) != 0) return -1;
  snprintf(path, sizeof(path), "%s/causes.dat", r->dir);
  if (file_out_open(&o, path, 0, err, errlen) != 0) return -1;
  failures = causes_dat(r, file_out_stream(o), top, ncols);
  if (file_out_commit(o, err, errlen) != 0) return -1;

  snprintf(path, sizeof(path), "%s/plots.gp", r->dir);
  if (file_out_open(&o, path, 0, err, errlen) != 0) return -1;
  g = file_out_stream(o);
  fprintf(g, "if (!exists('tmp')) tmp = ''\n");
  fprintf(g, "set datafile missing 'nan'\nset key outside right\nset grid\n");
  for (int pass = 0; pass < 2; pass++) {
    const char *ext = pass ? "png" : "svg";
    fprintf(g, "set terminal %s\n", pass ? "pngcairo size 1200,650" : "svg size 1200,650 dynamic");
    if (!sc->search) gp_failure(g, r, image(&imgs, r->dir, "failure_vs_speed", ext), where, series);
    gp_completion(g, r, image(&imgs, r->dir, "completion_vs_speed", ext), where, series);
    gp_causes(g, r, image(&imgs, r->dir, "failure_causes", ext), where, ncols, failures);
    if (sc->search) gp_frontier(g, r, image(&imgs, r->dir, "frontier", ext), where);
  }
  if (file_out_commit(o, err, errlen) != 0) return -1;
  sim_report_gnuplot(path, imgs.names, imgs.n);
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
