/* The status list from the database, written so an RSE never loads half of one. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "file/out.h"
#include "issuer/issuer_statuslist.h"

/* Reject: the claimed OBE's MAC1 / MAC_TSP failed or its MACed data disagree with the claim.
 * Photograph: the OBE whose MACed identity carries duplicate or backwards counters or an
 * impossible passage time. One row per OBE, ascending obuid (big-endian, so the same order
 * as the hex text and the RSE's sorted table). The WHERE clauses repeat the condition of
 * the claims_flagged index so only flagged rows are read. */
static const char *const list_sql =
    "SELECT k, max(bm), max(mm), max(dup), max(bw), max(tm) FROM ("
    " SELECT obuid AS k, (flags & 1) != 0 AS bm, (flags & 2) != 0 AS mm, 0 AS dup, 0 AS bw,"
    "  0 AS tm FROM claims"
    "  WHERE (flags != 0 OR seq_flags != 0) AND obuid IS NOT NULL AND (flags & 3) != 0"
    " UNION ALL"
    " SELECT mac_obuid, 0, 0, (seq_flags & 1) != 0, (seq_flags & 2) != 0, (seq_flags & 8) != 0"
    "  FROM claims"
    "  WHERE (flags != 0 OR seq_flags != 0) AND mac_obuid IS NOT NULL AND (seq_flags & 11) != 0)"
    " GROUP BY k ORDER BY k";

static const char *const reason_names[] = {"bad-mac", "mismatch", "duplicate", "backwards",
                                           "impossible-time"};

static int write_entries(issuer_db *db, FILE *f, issuer_statuslist_counts *n, char *err,
                         size_t errlen) {
  sqlite3_stmt *s;
  int rc;
  if (sqlite3_prepare_v2(issuer_db_sqlite(db), list_sql, -1, &s, NULL) != SQLITE_OK)
    return issuer_db_fail(db, "status list", err, errlen);
  fprintf(f, "# efcsim status list, written by efc-issuer statuslist: OBUID,ACTION,REASON\n"
             "# reject: MAC1/MAC_TSP failed or MACed data altered (bad-mac, mismatch)\n"
             "# photograph: duplicate or backwards counter, impossible passage time\n");
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    uint32_t id = (uint32_t)sqlite3_column_int64(s, 0);
    bool reject = sqlite3_column_int(s, 1) || sqlite3_column_int(s, 2);
    bool first = true;
    fprintf(f, "%08" PRIx32 ",%s,", id, reject ? "reject" : "photograph");
    for (int i = 0; i < 5; i++)
      if (sqlite3_column_int(s, i + 1)) {
        fprintf(f, "%s%s", first ? "" : "+", reason_names[i]);
        first = false;
      }
    fputc('\n', f);
    if (reject) n->reject++;
    else n->photograph++;
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) return issuer_db_fail(db, "status list", err, errlen);
  fprintf(f, "# %zu entries: %zu reject, %zu photograph\n", n->reject + n->photograph, n->reject,
          n->photograph);
  return 0;
}

int issuer_statuslist_write(issuer_db *db, const char *path, issuer_statuslist_counts *n,
                            char *err, size_t errlen) {
  bool done = false;
  file_out *o;
  int rv;
  memset(n, 0, sizeof(*n));
  if ((rv = issuer_db_analysed(db, &done, err, errlen)) != 0) return rv;
  if (!done) {
    snprintf(err, errlen,
             "%s: the analysis of the last verify run did not complete; run efc-issuer verify "
             "again",
             issuer_db_path(db));
    return ISSUER_ERR_STALE;
  }
  /* The file library: a temporary beside path renamed into place, every write checked, and
   * a device or other special file at path refused rather than replaced (docs/files.md).
   * Temporaries of an earlier run that was killed go first. */
  if (file_tmp_sweep(path, err, errlen) < 0) return ISSUER_ERR_IO;
  if ((rv = file_out_open(&o, path, 0, err, errlen)) != 0)
    return rv == FILE_ERR_NOT_REGULAR || rv == FILE_ERR_ARG ? ISSUER_ERR_ARG : ISSUER_ERR_IO;
  if ((rv = write_entries(db, file_out_stream(o), n, err, errlen)) != 0) {
    file_out_abort(o);
    return rv;
  }
  return file_out_commit(o, err, errlen) == 0 ? 0 : ISSUER_ERR_IO;
}
