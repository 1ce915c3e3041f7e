/* Streaming a claims file (JSON lines) into the database: parse, verify, store, in batches.
 * Memory does not depend on the file's length. */
#ifndef BACKOFFICE_ISSUER_INGEST_H
#define BACKOFFICE_ISSUER_INGEST_H

#include <stdbool.h>
#include <stdio.h>

#include "issuer/issuer_db.h"
#include "issuer/issuer_verify.h"
#include "dsrc/crypto.h"
#include "keymgmt/keymgmt.h"

#define ISSUER_LINE_MAX 8192     /* longer lines are malformed (a claim is under 1 KiB) */
#define ISSUER_BATCH_DEFAULT 10000
#define ISSUER_WARN_MAX_DEFAULT 20

typedef struct {
  FILE *in;                /* the claims, read to the end */
  const char *source;      /* its name, for messages and the runs table */
  dsrc_crypto *crypto;
  const keymgmt_keystore *ks;
  issuer_options vopt;
  unsigned batch;          /* claims per transaction */
  unsigned warn_max;       /* malformed lines reported one by one before a count */
  FILE *warn;              /* "SOURCE:LINE: reason" for malformed lines */
} issuer_ingest_args;

/* Reads a->in to the end. A malformed line is reported and skipped; a database or read
 * error stops the run (what the committed batches hold stays). c gets the counts. */
int issuer_ingest_file(issuer_db *db, const issuer_ingest_args *a, issuer_run_counts *c,
                       char *err, size_t errlen);

#endif
