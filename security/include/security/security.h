/* efc-scenario report security: every attack file against every profile, the timing model
 * for the same profiles, and a Markdown and a self-contained HTML report that put the two
 * side by side. docs/security-evaluation.md. */
#ifndef SECURITY_SECURITY_H
#define SECURITY_SECURITY_H

#include <stdbool.h>
#include <stdio.h>

#include "issuer/issuer_verify.h"
#include "security/attack.h"

#define SEC_FILES_MAX 32

typedef struct {
  const char *out_dir;     /* security.md, security.html, plots, timing/ */
  const char *attacks_dir; /* every *.yaml in it, in name order */
  const char *timing_file; /* the scenario for the timing columns */
  unsigned threads;
  issuer_options iopt;     /* the issuer's checks; tests switch MAC checks off */
  bool plots;
  FILE *progress;          /* a line per finished threat, or NULL */
  const char *prog;        /* the program whose --version line the reports carry; NULL: none */
} sec_options;

/* Per profile, from the timing model's run (both MCU classes). */
typedef struct {
  bool have;
  double frames, airtime_ms, completion_p50_ms[2]; /* [legacy, modern] at the lowest speed */
  double critical_kmh[2];   /* highest tested speed reaching 99.9 % */
  double estimated_kmh[2];  /* zone length / p99.9 completion time */
} sec_timing;

typedef struct {
  unsigned nfiles;
  sec_params params[SEC_FILES_MAX];
  char files[SEC_FILES_MAX][256];
  sec_outcome out[SEC_FILES_MAX][EFC_PROFILE_COUNT];
  bool ran[SEC_FILES_MAX][EFC_PROFILE_COUNT];
  char errors[SEC_FILES_MAX][EFC_PROFILE_COUNT][256];
  sec_timing timing[EFC_PROFILE_COUNT];
  double timing_ber;
  double wall_s;
} sec_result;

/* Runs it all and writes the reports. 0, or -1 with err (an unreadable attack file, a
 * failed attack set-up, an unwritable output). res (caller-allocated, large) keeps the
 * results. */
int sec_report_run(const sec_options *o, sec_result *res, char *err, size_t errlen);

#endif
