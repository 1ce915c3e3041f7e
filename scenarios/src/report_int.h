/* Internal to the report's files (report.c, report_json.c, report_table.c, report_plot.c):
 * what the outputs read from the cells. */
#ifndef SIM_REPORT_INT_H
#define SIM_REPORT_INT_H

#include <stdio.h>

#include "sim/report.h"

/* The critical speed of a family (one group at one point), from its verdicts. */
typedef struct {
  double demonstrated; /* highest speed with it and every lower speed demonstrated; 0: none */
  bool all;            /* every speed demonstrated */
  double refuted;      /* lowest speed refuted; 0: none */
  unsigned undecided;  /* speeds neither */
  double estimated;    /* zone / p99.9 completion at the lowest speed with successes */
} sim_report_critical;

/* Failures counted over several cells. */
typedef struct {
  uint64_t n;                            /* passages */
  bool weighted;                         /* some drawn under a bias: the counts are as drawn */
  uint64_t causes[SIM_CAUSE_COUNT];
  uint64_t details[SIM_REPORT_DETAILS];
} sim_report_tally;

/* The cells of one group at one point, by speed (NULL where none). */
void sim_report_cells_by_speed(const sim_report *r, uint32_t point, unsigned g, sim_report_cell **by);
/* A cell's failure probability and its two-sided 95 % interval: exact from the counts
 * (n == 0: NaN, 0, 1), or from the weights of a weighted cell. */
void sim_report_cell_failure(const sim_report_cell *c, double *est, double *lo, double *hi);
/* The q-quantile of a cell's completion times (sorted by sim_report_finish). */
double sim_report_cell_q(const sim_report_cell *c, double q);
sim_report_critical sim_report_critical_speed(const sim_report *r, sim_report_cell *const *by);
void sim_report_tally_add(sim_report_tally *t, const sim_report_cell *c);
/* The failures of one group at one BER and density. A grid: over every cell. A search: over
 * the cells at each speed's frontier (what still fails in the shortest zone that works), or
 * at the longest zone where none worked; the probes below it fail by design. */
void sim_report_tally_sum(const sim_report *r, unsigned ber_i, unsigned density_i, unsigned g, sim_report_tally *t);
/* "zone-exit/GET_STAMPED_TSP/late" of detail k (sim_report_cell.details). */
void sim_report_detail_name(char *out, size_t cap, int k);
/* The densities of a scenario, at least 1 (none swept: the traffic's headway). */
unsigned sim_report_densities(const sim_scenario *sc);

int sim_report_write_json(sim_report *r, char *err, size_t errlen);
void sim_report_write_table(sim_report *r, FILE *t);
int sim_report_write_plots(sim_report *r, char *err, size_t errlen);

#endif
