/* Internal: what efc-scenario run measures and writes. The report holds the points and cells
 * of a run (a cell: one group at one speed at one point), their verdicts and the zone
 * frontiers; passages.csv is written as blocks arrive, summary.json, the table and the plots
 * from the cells at the end. */
#ifndef SIM_REPORT_H
#define SIM_REPORT_H

#include <stdio.h>

#include "file/out.h"
#include "sim/cause.h"
#include "sim/hist.h"
#include "sim/importance.h"
#include "sim/runner.h"
#include "sim/stats.h"

/* Where a cell is: a BER, a zone and a traffic density. */
typedef struct {
  double ber, zone_m;
  double density;          /* mean OBEs in one lane's zone; 0: the traffic's headway */
  unsigned ber_i, density_i;
} sim_point;

/* Failures by cause, command and lost frame (sim/cause.h), flattened. */
#define SIM_REPORT_DETAILS (SIM_CAUSE_COUNT * RSE_CMD_COUNT * SIM_LOSS_COUNT)

/* The passages of one group at one speed (or speed bin) at one point. */
typedef struct {
  uint32_t point;
  unsigned speed_i, group;
  uint64_t n, ok;
  uint64_t outcomes[SIM_NOT_PASS + 1];
  uint64_t causes[SIM_CAUSE_COUNT];
  uint32_t details[SIM_REPORT_DETAILS];
  double frames, retries, late, airtime_ms, processing_ms, other_ms, margin_ms, obes, dwell_ms;
  sim_hist comp;            /* the successes' completion times */
  /* the verdict */
  double alpha;             /* this cell's share of 1 - confidence (its family's, docs/statistics.md) */
  double alpha_look;        /* the level of its latest look */
  unsigned looks;
  sim_verdict verdict;
  double lower, upper;      /* one-sided bounds at alpha_look (exact, or the weighted ones) */
  /* Importance sampling (docs/statistics.md, "Rare failures"): the pilots that chose the
   * bias, and the weighted estimate drawn with it. Plain cells: importance false, and n,
   * ok and the rest above are all there is. Weighted cells: n, ok, outcomes, causes and
   * details count the passages as drawn (under the bias); frames and times are not kept. */
  bool importance;          /* the verdict comes from the weighted estimate */
  double bias_ber, bias_collide; /* the bias of its estimate (0: that part unbiased) */
  unsigned pilots;
  uint64_t pilot_passages;  /* of every pilot */
  sim_is_sum pilot_is;      /* the last pilot's passages, failures and weights */
  uint64_t plain_n, plain_failures; /* the first pilot's, plain: a check on the estimate */
  bool degenerate;          /* a bias's weights could not be trusted: plain sampling instead */
  bool contradicted;        /* the weighted estimate contradicted the plain pilot: plain instead */
  double ce_lost, ce_bits, ce_collided, ce_contended; /* the last pilot's failures: sums of
                                                        * w x frame losses, exposed bits,
                                                        * window choices (sim_record) */
  sim_is_sum is;
  uint64_t contended, collided; /* the weighed OBEs' biased window choices, and those that took a taken window */
  double is_causes[SIM_CAUSE_COUNT]; /* weighted failures by cause (sum of w) */
} sim_report_cell;

/* The shortest zone that demonstrated the target for one group at one speed, BER and
 * density, and the longest probed zone below it that did not. */
typedef struct {
  unsigned ber_i, density_i, speed_i, group;
  double demonstrated_m;    /* NAN: not even at the search's longest zone */
  double below_m;           /* NAN: demonstrated at the shortest */
  sim_verdict below;        /* the verdict at below_m */
  unsigned probes;
  uint32_t demonstrated_cell; /* UINT32_MAX: none */
  uint32_t first_cell;      /* the probe at the search's longest zone */
} sim_frontier;

typedef struct {
  const sim_scenario *sc;
  char dir[512];
  file_out *csv_out;    /* passages.csv, renamed into place by sim_report_finish */
  FILE *csv;            /* its stream */
  unsigned nspeeds;     /* speed values or 10 km/h bins */
  double speed_of[SIM_SPEEDS_MAX];
  sim_point *points;
  size_t npoints, cappoints;
  sim_report_cell *cells;
  size_t ncells, capcells;
  sim_frontier *frontiers;
  size_t nfrontiers;
  uint64_t passages;
  bool budget_spent;    /* auto: some cell stopped for the budget */
  unsigned rounds;
  double wall_s;
  unsigned threads;
  const char *prog;     /* stamped into summary.json (io_cli_version_line); NULL: no stamp */
} sim_report;

/* dir NULL: a report that only plans, with no output (a shard's first round). */
int sim_report_open(sim_report *r, const sim_scenario *sc, const char *dir, char *err, size_t errlen);
/* A new point, its index; UINT32_MAX when out of memory. */
uint32_t sim_report_point_add(sim_report *r, const sim_point *p);
/* n new cells of point (speed_i, then group, varying fastest from group 0), each with alpha;
 * the first's index, or UINT32_MAX when out of memory. */
uint32_t sim_report_cells_add(sim_report *r, uint32_t point, unsigned speed_i, unsigned nspeeds, unsigned group,
                              unsigned ngroups, double alpha);
/* The cell of a passage of block b (b->cell, or with a mixed fleet its group's and bin's). */
uint32_t sim_report_cell_of(const sim_report *r, const sim_block *b, const sim_record *rec);
void sim_report_add(sim_report *r, const sim_block *b, const sim_record *rec, size_t n);
int sim_report_finish(sim_report *r, FILE *table, bool plots, char *err, size_t errlen);
void sim_report_free(sim_report *r);

/* Runs gnuplot on a script whose outputs are named '...'.tmp (gnuplot's variable tmp, empty
 * when a user runs the script): gnuplot draws into temporaries that are renamed to the n
 * outputs once it succeeded, so a killed run leaves no half-drawn plot. A missing or
 * failing gnuplot is a warning on stderr (-1). */
int sim_report_gnuplot(const char *script, const char *const *outputs, size_t n);

/* Wilson score interval of k successes in n at 95 %. */
void sim_report_wilson(uint64_t k, uint64_t n, double *lo, double *hi);

/* The q-quantile (0..1) of sorted values, nearest rank. */
double sim_report_quantile(const float *sorted, size_t n, double q);

#endif
