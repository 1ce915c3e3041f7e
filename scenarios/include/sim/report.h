/* Internal: what efc-scenario run writes: passages.csv as blocks arrive, then summary.json,
 * the table and the plots from the aggregated cells. */
#ifndef SIM_REPORT_H
#define SIM_REPORT_H

#include <stdio.h>

#include "file/out.h"
#include "sim/runner.h"

/* The passages of one (BER, speed or speed bin, group). */
typedef struct {
  uint64_t n, ok;
  uint64_t outcomes[SIM_NOT_PASS + 1];
  double frames, retries, late, airtime_ms, processing_ms, other_ms, margin_ms, obes;
  float *completion_ms; /* successes */
  size_t ncomp, capcomp;
} sim_report_cell;

typedef struct {
  const sim_scenario *sc;
  char dir[512];
  file_out *csv_out;    /* passages.csv, renamed into place by sim_report_finish */
  FILE *csv;            /* its stream */
  unsigned nspeeds;     /* speed values or 10 km/h bins */
  double speed_of[SIM_SPEEDS_MAX];
  sim_report_cell *cells;   /* [ber][speed][group] */
  char ber_text[SIM_BERS_MAX][24];
  uint64_t passages;
  double wall_s;
  unsigned threads;
  const char *prog;     /* stamped into summary.json (io_cli_version_line); NULL: no stamp */
} sim_report;

int sim_report_open(sim_report *r, const sim_scenario *sc, const char *dir, char *err, size_t errlen);
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
