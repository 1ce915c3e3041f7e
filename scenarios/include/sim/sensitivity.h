/* efc-scenario sensitivity: which timing parameter matters. Every timing parameter of a
 * scenario is set, one at a time, to a low and a high value around the file's own
 * (docs/timing-model.md, "Sensitivity: which figures to measure first"), and each group of
 * the fleet is simulated at each value with the same random numbers as at the file's:
 * per group, the change of the completion time's p99 and of the zone the group needs at the
 * scenario's top speed. */
#ifndef SIM_SENSITIVITY_H
#define SIM_SENSITIVITY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/runner.h"
#include "sim/scenario.h"

#define SIM_SENS_PARAMS_MAX 24

/* What one group measured at one set of values. A quantile that falls on a passage that
 * never finished (the RSE gave up) is infinite: its *_inf is set and its value is NAN. */
typedef struct {
  double p99_ms;
  bool p99_inf;
  double q_ms;         /* the success_target quantile of the completion time */
  bool q_inf;
  double zone_m;       /* top speed x q_ms: the zone the group needs */
  uint64_t n;
  uint64_t unfinished; /* outcome != SIM_OK */
  uint64_t cut;        /* left the long zone before the RSE finished or gave up: must be 0 */
} sim_sens_point;

/* One parameter: its scenario key, the values, and why that range. */
typedef struct {
  const char *key;     /* "timing.gap_down_up_us" */
  const char *unit;    /* "us" */
  const char *why;     /* the reason for the range (docs/timing-model.md's table) */
  bool fixed;          /* fixed by a standard: shown for scale, not in "measure first" */
  double base, low, high; /* in unit */
} sim_sens_param;

typedef struct {
  unsigned threads;
  uint64_t passages;   /* per group and value */
} sim_sens_options;

typedef struct {
  const sim_scenario *sc;
  uint64_t passages;
  double ber;
  double ref_kmh;      /* completion measured at this speed (the scenario's first) */
  double top_kmh;      /* the required zone at this speed (the scenario's highest) */
  double zone_m;       /* the long zone the completion is measured in */
  double headway_s, min_headway_s; /* one vehicle at a time */
  unsigned nparams;
  sim_sens_param params[SIM_SENS_PARAMS_MAX];
  sim_sens_point base[SIM_GROUPS_MAX];
  /* The file's values again with other seeds: a change no larger than this one's cannot be
   * told from chance. */
  sim_sens_point noise[SIM_GROUPS_MAX];
  sim_sens_point low[SIM_SENS_PARAMS_MAX][SIM_GROUPS_MAX];
  sim_sens_point high[SIM_SENS_PARAMS_MAX][SIM_GROUPS_MAX];
  unsigned order[SIM_SENS_PARAMS_MAX]; /* parameters by largest effect first */
  unsigned worst_group;                /* the group needing the longest zone at the file's values */
  /* "measure first": by largest effect, parameters not fixed by a standard whose effect is
   * at least a tenth of the top one's and more than twice the noise reference's (at most 5) */
  unsigned nmeasure;
  unsigned measure[SIM_SENS_PARAMS_MAX];
  double wall_s;
} sim_sens_result;

/* res cleared and set up for sc: its parameters with their low and high values, the
 * speeds, BER, long zone and traffic, passages per group and value; nothing is run. */
void sim_sens_setup(const sim_scenario *sc, uint64_t passages, sim_sens_result *res);

/* A copy of sc with parameter i set to value v (in its unit). */
void sim_sens_apply(sim_scenario *dst, const sim_scenario *sc, unsigned i, double v);

/* The measurement's blocks, every group's in group order (res->passages each, at res->ber,
 * res->ref_kmh, in the zone res->zone_m, one vehicle at a time), appended to out: the same
 * blocks and seeds for every value of every parameter (stream 0), or the same blocks with
 * other seeds (stream 1: the noise reference). 0, or -1 when out of memory. */
int sim_sens_blocks(const sim_sens_result *res, unsigned stream, sim_blocks *out);

/* Runs the analysis. 0, or -1 with err. */
int sim_sens_run(const sim_scenario *sc, const sim_sens_options *opt, sim_sens_result *res, char *err, size_t errlen);

/* The change of a point against the file's: a - b, NAN when either is infinite; *inf set
 * when exactly one is (+1: the value made it infinite, -1: made it finite). */
double sim_sens_delta(double a, bool a_inf, double b, bool b_inf, int *inf);

/* Makes the output directory dir (an existing one is fine) and sweeps a killed run's
 * temporaries from it: 0, or -1 with err. */
int sim_sens_dir(const char *dir, char *err, size_t errlen);

/* dir/sensitivity.json (atomically), the table and "measure first:" on table, and with plots
 * dir/tornado.gp, .dat, .svg and .png through gnuplot (a missing gnuplot is a warning). 0, or
 * -1 with err. */
int sim_sens_write(const sim_sens_result *res, const char *dir, FILE *table, bool plots, const char *prog, char *err,
                   size_t errlen);

#endif
