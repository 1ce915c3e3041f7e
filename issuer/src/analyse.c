/* The per-OBE checks, in SQL. Each runs over one partial index in (OBE, time) order, so the
 * window functions stream and SQLite's own bounded cache and temporary files hold the
 * intermediate tables: no map in our memory grows with the number of claims. */
#include <stdio.h>
#include <string.h>

#include "issuer/issuer_analyse.h"

static const char *const seq_names[] = {"duplicate", "backwards", "gap", "impossible-time"};

size_t issuer_seq_flags_format(char *out, size_t cap, unsigned flags, int64_t gap) {
  size_t n = 0;
  if (cap) out[0] = '\0';
  for (unsigned i = 0; i < sizeof(seq_names) / sizeof(seq_names[0]); i++)
    if (flags & (1u << i)) {
      int k = (1u << i) == ISSUER_SEQ_GAP && gap > 0
                  ? snprintf(out + n, cap > n ? cap - n : 0, "%sgap(%lld)", n ? "," : "",
                             (long long)gap)
                  : snprintf(out + n, cap > n ? cap - n : 0, "%s%s", n ? "," : "", seq_names[i]);
      if (k > 0) n += (size_t)k;
    }
  return n;
}

void issuer_analyse_options_default(issuer_analyse_options *o) { o->min_gap_cs = 60 * 100; }

/* Counter steps per OBE and counter, in passage order. step is the difference to the
 * previous passage's counter taken modulo the counter's range into -R/2..R/2-1: a drop of
 * more than half the range is a wrap-around and counts forward. uc, the running sum of the
 * steps, is the counter unwrapped: two passages with one uc claim the same counter value
 * in the same cycle. Window functions cannot nest, so the steps go to a table first; its
 * key is the order both windows want, so rows arrive in key order and neither pass sorts.
 * seq's key puts equal uc side by side for the duplicate search. */
static const char *const counter_steps_sql =
    "DROP TABLE IF EXISTS temp.steps;"
    "DROP TABLE IF EXISTS temp.seq;"
    "CREATE TEMP TABLE steps(o INTEGER, f INTEGER, t INTEGER, id INTEGER, has_prev INTEGER,"
    " step INTEGER, PRIMARY KEY(o, f, t, id)) WITHOUT ROWID;"
    "INSERT INTO temp.steps(o, f, t, id, has_prev, step)"
    " SELECT o, f, t, id, prev IS NOT NULL,"
    "  CASE WHEN prev IS NULL THEN ctr ELSE (ctr - prev + r + r / 2) % r - r / 2 END"
    " FROM (SELECT id, mac_obuid AS o, family AS f, time_cs AS t, mac_counter AS ctr,"
    "   LAG(mac_counter) OVER w AS prev,"
    "   CASE family WHEN 0 THEN 65536 ELSE 4096 END AS r"
    "  FROM claims WHERE mac_obuid IS NOT NULL"
    "  WINDOW w AS (PARTITION BY mac_obuid, family ORDER BY time_cs, id));"
    "CREATE TEMP TABLE seq(o INTEGER, f INTEGER, uc INTEGER, id INTEGER, has_prev INTEGER,"
    " step INTEGER, PRIMARY KEY(o, f, uc, id)) WITHOUT ROWID;"
    "INSERT INTO temp.seq(o, f, uc, id, has_prev, step)"
    " SELECT o, f, SUM(step) OVER (PARTITION BY o, f ORDER BY t, id ROWS UNBOUNDED PRECEDING),"
    "  id, has_prev, step FROM temp.steps;"
    "DROP TABLE temp.steps;";

static const char *const counter_flags_sql =
    "UPDATE claims SET seq_flags = seq_flags | 2"
    " WHERE id IN (SELECT id FROM temp.seq WHERE has_prev AND step < 0);"
    "UPDATE claims SET seq_flags = seq_flags | 4, gap = g.step - 1"
    " FROM (SELECT id, step FROM temp.seq WHERE has_prev AND step > 1) AS g"
    " WHERE claims.id = g.id;"
    "UPDATE claims SET seq_flags = seq_flags | 1 WHERE id IN ("
    " SELECT s.id FROM temp.seq AS s"
    " JOIN (SELECT o, f, uc FROM temp.seq GROUP BY o, f, uc HAVING count(*) > 1) AS d"
    " ON s.o = d.o AND s.f = d.f AND s.uc = d.uc);"
    "DROP TABLE temp.seq;";

/* Consecutive passages of one OBE (any profile: it is one vehicle) with proven times that
 * share a time_cs, or are closer than the minimum at different stations: both are flagged,
 * since either may be the clone. */
static const char *const time_pairs_sql =
    "CREATE TEMP TABLE tpair AS SELECT id, prev_id FROM ("
    " SELECT id, time_cs, station, LAG(id) OVER w AS prev_id, LAG(time_cs) OVER w AS prev_t,"
    "  LAG(station) OVER w AS prev_st"
    " FROM claims WHERE time_proven = 1"
    " WINDOW w AS (PARTITION BY mac_obuid ORDER BY time_cs, id))"
    " WHERE prev_id IS NOT NULL AND (time_cs = prev_t OR (station != prev_st AND time_cs - prev_t < ?1))";

static const char *const time_flags_sql =
    "UPDATE claims SET seq_flags = seq_flags | 8"
    " WHERE id IN (SELECT id FROM temp.tpair UNION SELECT prev_id FROM temp.tpair);"
    "DROP TABLE temp.tpair;";

static int time_pairs(issuer_db *db, int64_t min_gap_cs, char *err, size_t errlen) {
  sqlite3_stmt *s;
  int rc;
  if (sqlite3_prepare_v2(issuer_db_sqlite(db), time_pairs_sql, -1, &s, NULL) != SQLITE_OK)
    return issuer_db_fail(db, "preparing the time analysis", err, errlen);
  sqlite3_bind_int64(s, 1, min_gap_cs);
  rc = sqlite3_step(s);
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) return issuer_db_fail(db, "time analysis", err, errlen);
  return 0;
}

int issuer_analyse_run(issuer_db *db, const issuer_analyse_options *o, char *err, size_t errlen) {
  int rv;
  if (!db || !o || o->min_gap_cs < 0) {
    snprintf(err, errlen, "invalid analysis options");
    return ISSUER_ERR_ARG;
  }
  /* One transaction: a reader never sees half an analysis, and the 'analysed' mark is set
   * with the flags it vouches for. */
  if ((rv = issuer_db_exec(db, "DROP TABLE IF EXISTS temp.tpair;", err, errlen)) != 0 ||
      (rv = issuer_db_tx_begin(db, err, errlen)) != 0)
    return rv;
  if ((rv = issuer_db_indices_build(db, err, errlen)) == 0 &&
      (rv = issuer_db_exec(db, "UPDATE claims SET seq_flags = 0, gap = 0 WHERE seq_flags != 0;",
                           err, errlen)) == 0 &&
      (rv = issuer_db_exec(db, counter_steps_sql, err, errlen)) == 0 &&
      (rv = issuer_db_exec(db, counter_flags_sql, err, errlen)) == 0 &&
      (rv = time_pairs(db, o->min_gap_cs, err, errlen)) == 0 &&
      (rv = issuer_db_exec(db, time_flags_sql, err, errlen)) == 0 &&
      (rv = issuer_db_exec(db, "UPDATE meta SET value = 1 WHERE key = 'analysed';", err,
                           errlen)) == 0)
    rv = issuer_db_tx_commit(db, err, errlen);
  if (rv != 0) sqlite3_exec(issuer_db_sqlite(db), "ROLLBACK", NULL, NULL, NULL);
  return rv;
}
