/* Per-OBE checks across claims, done in SQL over the indexed claims table so memory stays
 * flat however many claims there are: duplicate and backwards counters, counter gaps, and
 * passages at impossible times. docs/issuer.md. */
#ifndef BACKOFFICE_ISSUER_ANALYSE_H
#define BACKOFFICE_ISSUER_ANALYSE_H

#include <stddef.h>
#include <stdint.h>

#include "issuer/issuer_db.h"

enum issuer_seq_flag {
  ISSUER_SEQ_DUPLICATE = 1 << 0, /* another claim of this OBE carries the same counter */
  ISSUER_SEQ_BACKWARDS = 1 << 1, /* lower counter than the OBE's previous passage */
  ISSUER_SEQ_GAP = 1 << 2,       /* counter values missing since the previous passage */
  ISSUER_SEQ_TIME = 1 << 3,      /* too soon after/before another passage of this OBE */
};

/* Names of the flags set, comma separated ("duplicate,impossible-time"); gap shows its
 * count ("gap(3)") when gap > 0. Returns the length. */
size_t issuer_seq_flags_format(char *out, size_t cap, unsigned flags, int64_t gap);

typedef struct {
  int64_t min_gap_cs; /* two passages at different stations closer than this are impossible */
} issuer_analyse_options;

void issuer_analyse_options_default(issuer_analyse_options *o); /* 60 s */

/* Recomputes every claim's seq_flags and gap in one transaction and marks the analysis
 * complete. */
int issuer_analyse_run(issuer_db *db, const issuer_analyse_options *o, char *err, size_t errlen);

#endif
