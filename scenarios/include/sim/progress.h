/* Progress of a long job (a run, a shard, a merge, a sweep): a bar redrawn on one terminal
 * line with the time left, or one JSON object per line for schedulers and dashboards.
 * The caller passes the time (sim_progress_now()), so the output is a pure function of
 * the calls and can be tested with made-up times. */
#ifndef SIM_PROGRESS_H
#define SIM_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef enum { SIM_PROGRESS_OFF = 0, SIM_PROGRESS_BAR, SIM_PROGRESS_JSON } sim_progress_mode;

/* The widest bar line, in columns (bytes): it fits an 80-column terminal without wrapping. */
#define SIM_PROGRESS_COLUMNS 79

typedef struct {
  sim_progress_mode mode;
  FILE *out;
  char what[64];      /* a copy of start's what, cut short on a UTF-8 character boundary */
  double t0;          /* start's now */
  double last_print;  /* now of the last line printed */
  bool printed;       /* a line has been printed since start */
  uint64_t done;      /* the last update's figures, for the final line */
  uint64_t total;
  unsigned round;
  size_t last_width;  /* bar: columns of the line on screen, to blank a longer one */
  bool write_error;   /* a write or flush to out failed */
} sim_progress;

/* "bar", "json" or "off" -> *mode and 0; -1 (and *mode untouched) for anything else,
 * including NULL, "" and other cases ("Bar"). */
int sim_progress_mode_parse(const char *s, sim_progress_mode *mode);

/* Starts a job called what ("run", "shard 3/16", "merge", "sensitivity"; NULL counts as
 * "") at time now. Nothing is printed yet. SIM_PROGRESS_OFF or out == NULL: every later
 * call does nothing and sim_progress_end returns 0. */
void sim_progress_start(sim_progress *p, sim_progress_mode mode, FILE *out, const char *what, double now);

/* done of total units (total may grow between calls as rounds are planned; 0 = unknown);
 * round: the run's round (0: none). The first call prints; after it a bar redraws at most
 * 10 times a second and a JSON line is printed at most once a second. Either way the
 * figures are kept for sim_progress_end.
 * rate = done / (now - start), ETA = (total - done) / rate: unknown ("ETA ?", null) when
 * total is 0, nothing is done yet or no time has passed; 0 once done >= total.
 * JSON: {"event":"progress","what":"run","done":500,"total":2000,"round":2,
 *        "elapsed_s":2.000,"rate":250.000,"eta_s":6.000}
 * with "total": null when unknown, "rate" and "eta_s": null when not computable. */
void sim_progress_update(sim_progress *p, uint64_t done, uint64_t total, unsigned round, double now);

/* The final line with the last update's figures: a bar's last state with the elapsed time
 * in place of the ETA ("in 1:23") and a newline; JSON: {"event":"end",...} with the
 * fields of a progress line less "eta_s". Returns 0, or -1 when any write or flush to out
 * since start failed (the caller reports it; the job's own outputs are not affected). */
int sim_progress_end(sim_progress *p, double now);

/* CLOCK_MONOTONIC in seconds. */
double sim_progress_now(void);

#endif
