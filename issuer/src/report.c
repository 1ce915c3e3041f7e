/* efc-issuer verify's summary: what this run read, then the whole database's state, since
 * the analysis spans every run. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "issuer/issuer_analyse.h"
#include "issuer/issuer_report.h"
#include "issuer/issuer_verify.h"

enum { N_VERIFY = 6, N_SEQ = 4, N_COLS = 2 + N_VERIFY + N_SEQ + 1 };

static const char *const row_names[N_COLS] = {
    "claims",    "verified sound", "bad-mac",   "mismatch", "bad-commitment",
    "bad-fee",   "no-key",         "unbound",   "duplicate", "backwards",
    "gap",       "impossible-time", "  counter values missing"};

/* One SELECT, one pass over the table: the sums per profile. */
static const char *const totals_sql =
    "SELECT profile, count(*), total(flags = 0 AND seq_flags = 0),"
    " total((flags & 1) != 0), total((flags & 2) != 0), total((flags & 4) != 0),"
    " total((flags & 8) != 0), total((flags & 16) != 0), total((flags & 32) != 0),"
    " total((seq_flags & 1) != 0), total((seq_flags & 2) != 0), total((seq_flags & 4) != 0),"
    " total((seq_flags & 8) != 0), total(gap)"
    " FROM claims GROUP BY profile";

static const char *const flagged_sql =
    "SELECT r.source, c.line_no, c.flags, c.seq_flags, c.gap FROM claims AS c"
    " JOIN runs AS r ON r.id = c.run_id"
    " WHERE c.flags != 0 OR c.seq_flags != 0 ORDER BY c.id LIMIT ?";

static int totals(issuer_db *db, FILE *out, char *err, size_t errlen) {
  uint64_t t[EFC_PROFILE_COUNT + 1][N_COLS];
  sqlite3_stmt *s;
  int rc;
  memset(t, 0, sizeof(t));
  if (sqlite3_prepare_v2(issuer_db_sqlite(db), totals_sql, -1, &s, NULL) != SQLITE_OK)
    return issuer_db_fail(db, "summary", err, errlen);
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    int p = sqlite3_column_int(s, 0);
    if (p < 0 || p >= EFC_PROFILE_COUNT) continue;
    for (int k = 0; k < N_COLS; k++) {
      uint64_t v = (uint64_t)sqlite3_column_double(s, k + 1);
      t[p][k] = v;
      t[EFC_PROFILE_COUNT][k] += v;
    }
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) return issuer_db_fail(db, "summary", err, errlen);
  fprintf(out, "\n%-26s %10s", "in the database", "total");
  for (int p = 0; p < EFC_PROFILE_COUNT; p++) fprintf(out, " %10s", efc_profile_name(p));
  fputc('\n', out);
  for (int k = 0; k < N_COLS; k++) {
    fprintf(out, "%-26s %10" PRIu64, row_names[k], t[EFC_PROFILE_COUNT][k]);
    for (int p = 0; p < EFC_PROFILE_COUNT; p++) fprintf(out, " %10" PRIu64, t[p][k]);
    fputc('\n', out);
  }
  return 0;
}

static int flagged(issuer_db *db, FILE *out, unsigned max, char *err, size_t errlen) {
  sqlite3_stmt *s;
  int64_t n = 0, shown = 0;
  int rc;
  if (sqlite3_prepare_v2(issuer_db_sqlite(db),
                         "SELECT count(*) FROM claims WHERE flags != 0 OR seq_flags != 0", -1,
                         &s, NULL) != SQLITE_OK)
    return issuer_db_fail(db, "summary", err, errlen);
  if (sqlite3_step(s) == SQLITE_ROW) n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  fprintf(out, "\nflagged claims: %" PRId64 "\n", n);
  if (n == 0) return 0;
  if (sqlite3_prepare_v2(issuer_db_sqlite(db), flagged_sql, -1, &s, NULL) != SQLITE_OK)
    return issuer_db_fail(db, "summary", err, errlen);
  sqlite3_bind_int64(s, 1, max);
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    char f1[128], f2[128];
    issuer_flags_format(f1, sizeof(f1), (unsigned)sqlite3_column_int(s, 2));
    issuer_seq_flags_format(f2, sizeof(f2), (unsigned)sqlite3_column_int(s, 3),
                            sqlite3_column_int64(s, 4));
    fprintf(out, "  %s:%" PRId64 " %s%s%s\n", (const char *)sqlite3_column_text(s, 0),
            (int64_t)sqlite3_column_int64(s, 1), f1, f1[0] && f2[0] ? "," : "", f2);
    shown++;
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) return issuer_db_fail(db, "summary", err, errlen);
  if (shown < n)
    fprintf(out, "  ... %" PRId64 " more (query the database: docs/issuer.md)\n", n - shown);
  return 0;
}

int issuer_report_print(issuer_db *db, FILE *out, const issuer_report_options *o,
                        const issuer_run_counts *c, char *err, size_t errlen) {
  int rv;
  fprintf(out, "efc-issuer verify: %s into %s (%s)\n", o->source, issuer_db_path(db),
          o->check_mac ? "MAC1 / MAC_TSP checked" : "TEST ONLY: MAC1 / MAC_TSP NOT checked");
  fprintf(out,
          "this run: %" PRIu64 " lines, %" PRIu64 " claims read, %" PRIu64
          " malformed lines skipped; %" PRIu64 " claims stored, %" PRIu64
          " already in the database\n",
          c->lines, c->claims, c->malformed, c->inserted, c->already);
  if ((rv = totals(db, out, err, errlen)) != 0) return rv;
  return flagged(db, out, o->max_list, err, errlen);
}
