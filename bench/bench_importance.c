/* Rare failures: what it takes to pin a failure probability to +-10 % at 95 % confidence,
 * by plain sampling and by importance sampling, at three failure probabilities (about
 * 1e-5, 1e-6 and 1e-7: an EN 15509 L1 OBE on a legacy MCU at 120 km/h in a 10 m zone, at
 * the BERs scenarios/rare-failures.yaml uses). Importance sampling runs whole, pilots
 * included, until its 95 % interval is within 10 %. Plain sampling would need
 * n = z^2 (1 - p) / (0.1^2 p) passages (about 3.8e8 at p = 1e-6): its rate is measured on
 * --plain passages of the same lane and the time computed from it; --plain-full runs the
 * whole plain estimate at the first BER instead (about 4e7 passages). Prints figures;
 * asserts nothing.
 * Usage: efc-bench-importance [--threads N] [--plain N] [--plain-full] */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/runner.h"
#include "sim/scenario.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The lane: rare-failures.yaml reduced to one group at one speed and one BER. */
static int lane(sim_scenario *sc, double ber, char *err, size_t errlen) {
  if (sim_scenario_load(sc, EFC_SOURCE_DIR "/scenarios/rare-failures.yaml", err, errlen) != 0) return -1;
  sc->bers[0] = ber;
  sc->nbers = 1;
  sc->speeds[0] = 120;
  sc->nspeeds = 1;
  sc->groups[0] = sc->groups[1]; /* en15509-l1/legacy */
  sc->groups[0].share = 1;
  sc->ngroups = 1;
  return 0;
}

/* Runs sc into a fresh directory; the one cell's summary.json entry (a new reference) and
 * the run's passages, wall time. */
static json_t *run(const sim_scenario *sc, unsigned threads, uint64_t *passages, double *wall) {
  char dir[] = "/tmp/efc-bench-importance.XXXXXX", path[600], err[512];
  sim_run_options o = {.threads = threads, .plots = false, .table = NULL};
  json_t *root, *cell;
  json_error_t je;
  double t0;
  if (!mkdtemp(dir)) return NULL;
  o.out_dir = dir;
  t0 = now_s();
  if (sim_run(sc, &o, err, sizeof(err)) != 0) {
    fprintf(stderr, "efc-bench-importance: %s\n", err);
    return NULL;
  }
  *wall = now_s() - t0;
  snprintf(path, sizeof(path), "%s/summary.json", dir);
  root = json_load_file(path, 0, &je);
  snprintf(path, sizeof(path), "rm -rf '%s'", dir);
  if (system(path) != 0) fprintf(stderr, "efc-bench-importance: cannot remove %s\n", dir);
  if (!root) return NULL;
  *passages = (uint64_t)json_integer_value(json_object_get(root, "passages"));
  cell = json_incref(json_array_get(json_object_get(root, "results"), 0));
  json_decref(root);
  return cell;
}

int main(int argc, char **argv) {
  static const double bers[3] = {7e-5, 4e-5, 2e-5};
  const double z = 1.959963984540054;
  unsigned threads = 2;
  uint64_t plain_n = 400000;
  int full = 0;
  static sim_scenario sc;
  char err[512];
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) threads = (unsigned)strtoul(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--plain") == 0 && i + 1 < argc) plain_n = strtoull(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--plain-full") == 0) full = 1;
    else {
      fprintf(stderr, "usage: efc-bench-importance [--threads N] [--plain N] [--plain-full]\n");
      return 2;
    }
  }
  if (threads == 0 || plain_n == 0) return 2;
  printf("en15509-l1/legacy, 120 km/h, 10 m zone; %u thread(s); target: 95 %% interval within +-10 %%\n", threads);
  printf("%-8s %-10s %-22s %6s %7s %10s %8s | %9s %12s %10s | %9s %8s\n", "BER", "failure", "95 % interval", "+-",
         "ESS", "IS pass.", "IS s", "plain /s", "plain pass.", "plain s", "x pass.", "x time");
  for (int b = 0; b < 3; b++) {
    json_t *is, *pl, *imp;
    uint64_t n_is = 0, n_pl = 0;
    double w_is = 0, w_pl = 0, p, lo, hi, rate, need;
    if (lane(&sc, bers[b], err, sizeof(err)) != 0) {
      fprintf(stderr, "efc-bench-importance: %s\n", err);
      return 1;
    }
    if (!(is = run(&sc, threads, &n_is, &w_is))) return 1;
    imp = json_object_get(is, "importance");
    p = json_number_value(json_object_get(imp, "failure_probability"));
    lo = json_number_value(json_array_get(json_object_get(imp, "ci95"), 0));
    hi = json_number_value(json_array_get(json_object_get(imp, "ci95"), 1));
    /* Plain sampling of the same lane: its rate, and the passages the precision needs. */
    sc.is_on = false;
    sc.passages_auto = false;
    need = z * z * (1 - p) / (0.01 * p);
    sc.passages = full && b == 0 ? (uint64_t)ceil(need) : plain_n;
    if (!(pl = run(&sc, threads, &n_pl, &w_pl))) return 1;
    rate = (double)n_pl / w_pl;
    char iv[48];
    snprintf(iv, sizeof(iv), "[%.3g, %.3g]", lo, hi);
    printf("%-8.1e %-10.3g %-22s %5.1f%% %7.0f %10llu %8.1f | %9.0f %12.3g %10.3g | %9.0f %8.0f\n", bers[b], p, iv,
           100 * (hi - lo) / (2 * p), json_number_value(json_object_get(imp, "ess_failures")),
           (unsigned long long)n_is, w_is, rate, need, need / rate, need / (double)n_is, need / rate / w_is);
    if (full && b == 0) {
      uint64_t n = (uint64_t)json_integer_value(json_object_get(pl, "passages"));
      uint64_t ok = (uint64_t)json_integer_value(json_object_get(pl, "successes"));
      json_t *ci = json_object_get(pl, "ci95");
      printf("  plain, run whole: %llu passages in %.1f s: failure %.3g, 95 %% [%.3g, %.3g]\n", (unsigned long long)n,
             w_pl, (double)(n - ok) / (double)n, 1 - json_number_value(json_array_get(ci, 1)),
             1 - json_number_value(json_array_get(ci, 0)));
    }
    json_decref(is);
    json_decref(pl);
  }
  printf("IS pass.: every passage simulated (pilots included); plain pass.: z^2 (1 - p) / (0.1^2 p) for the\n"
         "estimate p; plain s: that over the measured plain rate; x: plain over importance sampling.\n");
  return 0;
}
