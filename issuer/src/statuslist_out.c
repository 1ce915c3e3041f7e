/* The status list from the database, written so an RSE never loads half of one. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* The directory part of path ("." when there is none). */
static void dir_of(char *out, size_t cap, const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) snprintf(out, cap, ".");
  else if (slash == path) snprintf(out, cap, "/");
  else snprintf(out, cap, "%.*s", (int)(slash - path), path);
}

int issuer_statuslist_write(issuer_db *db, const char *path, issuer_statuslist_counts *n,
                            char *err, size_t errlen) {
  char dir[4096], tmp[4200];
  bool done = false;
  int fd, rv, dfd;
  FILE *f;
  memset(n, 0, sizeof(*n));
  if ((rv = issuer_db_analysed(db, &done, err, errlen)) != 0) return rv;
  if (!done) {
    snprintf(err, errlen,
             "%s: the analysis of the last verify run did not complete; run efc-issuer verify "
             "again",
             issuer_db_path(db));
    return ISSUER_ERR_STALE;
  }
  dir_of(dir, sizeof(dir), path);
  if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.statuslist.XXXXXX", dir) >= sizeof(tmp)) {
    snprintf(err, errlen, "%s: path too long", path);
    return ISSUER_ERR_ARG;
  }
  if ((fd = mkstemp(tmp)) < 0) {
    snprintf(err, errlen, "%s: cannot create a temporary file in %s: %s", path, dir,
             strerror(errno));
    return ISSUER_ERR_IO;
  }
  /* RSEs read the list under their own accounts; it holds no secret. */
  if (fchmod(fd, 0644) != 0 || !(f = fdopen(fd, "w"))) {
    snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
    close(fd);
    unlink(tmp);
    return ISSUER_ERR_IO;
  }
  rv = write_entries(db, f, n, err, errlen);
  if (rv == 0 && (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0)) {
    snprintf(err, errlen, "%s: cannot write: %s", tmp, strerror(errno));
    rv = ISSUER_ERR_IO;
  }
  if (fclose(f) != 0 && rv == 0) {
    snprintf(err, errlen, "%s: cannot write: %s", tmp, strerror(errno));
    rv = ISSUER_ERR_IO;
  }
  if (rv == 0 && rename(tmp, path) != 0) {
    snprintf(err, errlen, "%s: cannot replace: %s", path, strerror(errno));
    rv = ISSUER_ERR_IO;
  }
  if (rv != 0) {
    unlink(tmp);
    return rv;
  }
  /* The rename itself is durable only once the directory is. */
  if ((dfd = open(dir, O_RDONLY | O_DIRECTORY)) >= 0) {
    if (fsync(dfd) != 0) rv = ISSUER_ERR_IO;
    close(dfd);
  } else {
    rv = ISSUER_ERR_IO;
  }
  if (rv != 0) snprintf(err, errlen, "%s: cannot sync directory %s", path, dir);
  return rv;
}
