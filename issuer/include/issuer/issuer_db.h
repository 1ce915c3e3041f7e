/* The issuer's claims database (SQLite): one row per claim with its verdict, the runs that
 * loaded them, and the analysis state. Schema and indices: docs/issuer.md. */
#ifndef BACKOFFICE_ISSUER_DB_H
#define BACKOFFICE_ISSUER_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "issuer/issuer_err.h"
#include "issuer/issuer_row.h"

typedef struct issuer_db issuer_db;

enum issuer_db_mode {
  ISSUER_DB_WRITE = 0, /* create the file and the schema when missing */
  ISSUER_DB_READ = 1,  /* an existing database, read only */
};

/* What one verify run saw, kept in its runs row. */
typedef struct {
  uint64_t lines;     /* lines read, empty ones included */
  uint64_t claims;    /* lines that parsed as claims */
  uint64_t malformed; /* lines skipped */
  uint64_t inserted;  /* claims stored by this run */
  uint64_t already;   /* claims an earlier run had stored */
} issuer_run_counts;

/* Opens (and in write mode creates) the database. err names the file. */
int issuer_db_open(issuer_db **out, const char *path, int mode, char *err, size_t errlen);
/* Closes; a transaction still open is rolled back. */
void issuer_db_close(issuer_db *db);
sqlite3 *issuer_db_sqlite(issuer_db *db);
const char *issuer_db_path(const issuer_db *db);

/* One-line "PATH: what: sqlite message" in err; returns ISSUER_ERR_DB. */
int issuer_db_fail(issuer_db *db, const char *what, char *err, size_t errlen);
/* Runs SQL without results; 0 or ISSUER_ERR_DB. */
int issuer_db_exec(issuer_db *db, const char *sql, char *err, size_t errlen);

int issuer_db_tx_begin(issuer_db *db, char *err, size_t errlen);
int issuer_db_tx_commit(issuer_db *db, char *err, size_t errlen);

/* Starts a verify run over source in its own transaction (left open for the first batch):
 * records the run, marks the analysis stale, drops the analysis indices (rebuilt by
 * issuer_db_indices_build), resets the per-run duplicate-line counts. */
int issuer_db_run_begin(issuer_db *db, const char *source, bool check_mac, char *err, size_t errlen);
/* Stores row in the open transaction unless the same line (hash, and its occurrence number
 * among identical lines of this run's input) is stored already; *inserted says which. */
int issuer_db_run_add(issuer_db *db, const issuer_row *row, bool *inserted, char *err,
                      size_t errlen);
/* Records the counts in the run's row (in the open transaction). */
int issuer_db_run_progress(issuer_db *db, const issuer_run_counts *c, char *err, size_t errlen);

/* Builds the indices the analysis reads, when missing (after a run dropped them). */
int issuer_db_indices_build(issuer_db *db, char *err, size_t errlen);

/* Whether the last run's analysis completed. */
int issuer_db_analysed(issuer_db *db, bool *done, char *err, size_t errlen);

#endif
