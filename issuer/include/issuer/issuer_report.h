/* The summary efc-issuer verify prints: this run's counts, the database's totals per flag
 * and per profile, and the flagged claims. */
#ifndef BACKOFFICE_ISSUER_REPORT_H
#define BACKOFFICE_ISSUER_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "issuer/issuer_db.h"

typedef struct {
  const char *source;
  bool check_mac;
  unsigned max_list; /* flagged claims listed before "... N more" */
} issuer_report_options;

int issuer_report_print(issuer_db *db, FILE *out, const issuer_report_options *o,
                        const issuer_run_counts *c, char *err, size_t errlen);

#endif
