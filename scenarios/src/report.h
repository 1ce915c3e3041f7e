/* Internal: what efc-scenario run writes: passages.csv as blocks arrive, then summary.json,
 * the table and the plots from the aggregated cells. */
#ifndef SIM_REPORT_H
#define SIM_REPORT_H

#include <stdio.h>

#include "sim/runner.h"

/* The passages of one (BER, speed or speed bin, group). */
typedef struct {
  uint64_t n, ok;
  uint64_t outcomes[SIM_NOT_PASS + 1];
  double frames, retries, late, airtime_ms, processing_ms, other_ms, margin_ms, obes;
  float *completion_ms; /* successes */
  size_t ncomp, capcomp;
} report_cell;

typedef struct {
  const scenario *sc;
  char dir[512];
  FILE *csv;
  unsigned nspeeds;     /* speed values or 10 km/h bins */
  double speed_of[SC_SPEEDS_MAX];
  report_cell *cells;   /* [ber][speed][group] */
  char ber_text[SC_BERS_MAX][24];
  uint64_t passages;
  double wall_s;
  unsigned threads;
} report;

int report_open(report *r, const scenario *sc, const char *dir, char *err, size_t errlen);
void report_add(report *r, const sim_block *b, const sim_record *rec, size_t n);
int report_finish(report *r, FILE *table, bool plots, char *err, size_t errlen);
void report_free(report *r);

/* Runs gnuplot on a script; a missing or failing gnuplot is a warning on stderr (-1). */
int report_gnuplot(const char *script);

/* Wilson score interval of k successes in n at 95 %. */
void report_wilson(uint64_t k, uint64_t n, double *lo, double *hi);

/* The q-quantile (0..1) of sorted values, nearest rank. */
double report_quantile(const float *sorted, size_t n, double q);

#endif
