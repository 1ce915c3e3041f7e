/* The claims database: opening it, its schema, and storing claims run by run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "issuer/issuer_db.h"

/* "EFCI": marks the file as ours, so a wrong --db never gets tables added to it. */
#define APP_ID 0x45464349
#define SCHEMA_VERSION 1

struct issuer_db {
  sqlite3 *h;
  char *path;
  int64_t run_id;
  sqlite3_stmt *insert;   /* one claim */
  sqlite3_stmt *owner;    /* the run that stored the first copy of a line */
  sqlite3_stmt *seen_get; /* copies of a line met so far in this run */
  sqlite3_stmt *seen_set;
  sqlite3_stmt *progress;
};

/* The indices follow the queries (docs/issuer.md). The UNIQUE key makes re-runs idempotent;
 * it leads with time_cs so that claims, which come roughly in time order, are added near its
 * right edge instead of at random places. claims_flagged keeps the few flagged rows at hand
 * for the report and the status list. The analysis indices are below. */
static const char *const schema_sql =
    "CREATE TABLE runs("
    " id INTEGER PRIMARY KEY,"
    " source TEXT NOT NULL,"
    " started_unix INTEGER NOT NULL,"
    " check_mac INTEGER NOT NULL,"
    " lines INTEGER NOT NULL DEFAULT 0,"
    " claims INTEGER NOT NULL DEFAULT 0,"
    " malformed INTEGER NOT NULL DEFAULT 0,"
    " inserted INTEGER NOT NULL DEFAULT 0,"
    " already INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE claims("
    " id INTEGER PRIMARY KEY,"
    " line_hash BLOB NOT NULL,"
    " occurrence INTEGER NOT NULL,"
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " line_no INTEGER NOT NULL,"
    " profile INTEGER NOT NULL,"
    " station INTEGER NOT NULL,"
    " lane INTEGER NOT NULL,"
    " time_cs INTEGER NOT NULL,"
    " fee INTEGER NOT NULL,"
    " class INTEGER NOT NULL,"
    " lane_verdict INTEGER NOT NULL,"
    " lane_reasons INTEGER NOT NULL,"
    " obuid INTEGER,"
    " counter INTEGER NOT NULL,"
    " family INTEGER NOT NULL,"
    " flags INTEGER NOT NULL,"
    " mac_obuid INTEGER,"
    " mac_counter INTEGER,"
    " time_proven INTEGER NOT NULL,"
    " seq_flags INTEGER NOT NULL DEFAULT 0,"
    " gap INTEGER NOT NULL DEFAULT 0,"
    " UNIQUE(time_cs, line_hash, occurrence));"
    "CREATE INDEX claims_flagged ON claims(obuid) WHERE flags != 0 OR seq_flags != 0;"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "INSERT INTO meta VALUES('analysed', 1);";

/* claims_by_counter and claims_by_time hand the analysis's window functions their rows
 * partitioned by OBE and in (time, id) order, with every column the queries read (covering,
 * hence id and the partial index's own column), so neither a sort of the table nor a row
 * lookup per claim is needed. They are keyed by OBE,
 * so a load in time order would update them at random places: a verify run drops them
 * before loading and builds them again by sorting (issuer_db_indices_build), which is much
 * faster once they outgrow the page cache. */
static const char *const analysis_indices_sql =
    "CREATE INDEX IF NOT EXISTS claims_by_counter"
    " ON claims(mac_obuid, family, time_cs, id, mac_counter) WHERE mac_obuid IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS claims_by_time"
    " ON claims(mac_obuid, time_cs, id, station, time_proven) WHERE time_proven = 1;";

static const char *const analysis_indices_drop_sql =
    "DROP INDEX IF EXISTS claims_by_counter;DROP INDEX IF EXISTS claims_by_time;";

int issuer_db_fail(issuer_db *db, const char *what, char *err, size_t errlen) {
  snprintf(err, errlen, "%s: %s: %s", db->path, what, sqlite3_errmsg(db->h));
  return ISSUER_ERR_DB;
}

int issuer_db_exec(issuer_db *db, const char *sql, char *err, size_t errlen) {
  char *msg = NULL;
  if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) == SQLITE_OK) return 0;
  snprintf(err, errlen, "%s: %s", db->path, msg ? msg : sqlite3_errmsg(db->h));
  sqlite3_free(msg);
  return ISSUER_ERR_DB;
}

sqlite3 *issuer_db_sqlite(issuer_db *db) { return db->h; }
const char *issuer_db_path(const issuer_db *db) { return db->path; }

static int pragma_int(issuer_db *db, const char *sql, int64_t *v) {
  sqlite3_stmt *s;
  int rc = sqlite3_prepare_v2(db->h, sql, -1, &s, NULL);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(s);
    *v = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
  }
  sqlite3_finalize(s);
  return rc;
}

/* A new file gets the schema; an existing one must be ours, of this version. */
static int check_schema(issuer_db *db, int mode, char *err, size_t errlen) {
  int64_t app = 0, ver = 0, objects = 0;
  if (pragma_int(db, "PRAGMA application_id", &app) != SQLITE_OK ||
      pragma_int(db, "PRAGMA user_version", &ver) != SQLITE_OK ||
      pragma_int(db, "SELECT count(*) FROM sqlite_schema", &objects) != SQLITE_OK) {
    /* SQLite says "file is not a database" for anything else. */
    snprintf(err, errlen, "%s: not an efc-issuer claims database (%s)", db->path,
             sqlite3_errmsg(db->h));
    return ISSUER_ERR_NOT_DB;
  }
  if (app == 0 && ver == 0 && objects == 0) {
    char sql[64];
    int rv;
    if (mode == ISSUER_DB_READ) {
      snprintf(err, errlen, "%s: empty database (no verify run has stored claims in it)",
               db->path);
      return ISSUER_ERR_NOT_DB;
    }
    if ((rv = issuer_db_exec(db, "BEGIN IMMEDIATE", err, errlen)) != 0) return rv;
    snprintf(sql, sizeof(sql), "PRAGMA application_id=%d;PRAGMA user_version=%d;", APP_ID,
             SCHEMA_VERSION);
    if ((rv = issuer_db_exec(db, schema_sql, err, errlen)) != 0 ||
        (rv = issuer_db_exec(db, sql, err, errlen)) != 0 ||
        (rv = issuer_db_exec(db, "COMMIT", err, errlen)) != 0) {
      sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
      return rv;
    }
    return 0;
  }
  if (app != APP_ID) {
    snprintf(err, errlen, "%s: not an efc-issuer claims database", db->path);
    return ISSUER_ERR_NOT_DB;
  }
  if (ver != SCHEMA_VERSION) {
    snprintf(err, errlen, "%s: schema version %lld, this efc-issuer reads version %d", db->path,
             (long long)ver, SCHEMA_VERSION);
    return ISSUER_ERR_NOT_DB;
  }
  return 0;
}

int issuer_db_open(issuer_db **out, const char *path, int mode, char *err, size_t errlen) {
  issuer_db *db;
  int flags = mode == ISSUER_DB_READ ? SQLITE_OPEN_READONLY
                                     : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rv;
  *out = NULL;
  if (!path || !*path) {
    snprintf(err, errlen, "no database path");
    return ISSUER_ERR_ARG;
  }
  db = calloc(1, sizeof(*db));
  if (!db || !(db->path = strdup(path))) {
    free(db);
    snprintf(err, errlen, "%s: out of memory", path);
    return ISSUER_ERR_NOMEM;
  }
  if (sqlite3_open_v2(path, &db->h, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
    snprintf(err, errlen, "%s: cannot open: %s", path, db->h ? sqlite3_errmsg(db->h) : "out of memory");
    issuer_db_close(db);
    return ISSUER_ERR_IO;
  }
  sqlite3_extended_result_codes(db->h, 1);
  sqlite3_busy_timeout(db->h, 5000);
  /* A bounded page cache and temporary storage on disk keep memory flat at any size. WAL
   * makes each batch commit cheap and leaves a consistent file if the run is killed. */
  rv = check_schema(db, mode, err, errlen);
  if (rv == 0) rv = issuer_db_exec(db, "PRAGMA cache_size=-8192;PRAGMA temp_store=FILE;", err, errlen);
  if (rv == 0 && mode == ISSUER_DB_WRITE)
    rv = issuer_db_exec(db, "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;", err, errlen);
  if (rv != 0) {
    issuer_db_close(db);
    return rv;
  }
  *out = db;
  return 0;
}

void issuer_db_close(issuer_db *db) {
  if (!db) return;
  sqlite3_finalize(db->insert);
  sqlite3_finalize(db->owner);
  sqlite3_finalize(db->seen_get);
  sqlite3_finalize(db->seen_set);
  sqlite3_finalize(db->progress);
  if (db->h) {
    if (!sqlite3_get_autocommit(db->h)) sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db->h);
  }
  free(db->path);
  free(db);
}

int issuer_db_indices_build(issuer_db *db, char *err, size_t errlen) {
  return issuer_db_exec(db, analysis_indices_sql, err, errlen);
}

int issuer_db_tx_begin(issuer_db *db, char *err, size_t errlen) {
  return issuer_db_exec(db, "BEGIN IMMEDIATE", err, errlen);
}

int issuer_db_tx_commit(issuer_db *db, char *err, size_t errlen) {
  return issuer_db_exec(db, "COMMIT", err, errlen);
}

static int prepare(issuer_db *db, sqlite3_stmt **s, const char *sql, char *err, size_t errlen) {
  if (*s) return 0;
  if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, s, NULL) != SQLITE_OK)
    return issuer_db_fail(db, "prepare", err, errlen);
  return 0;
}

int issuer_db_run_begin(issuer_db *db, const char *source, bool check_mac, char *err,
                        size_t errlen) {
  sqlite3_stmt *s = NULL;
  int rv;
  /* Identical lines are told apart by their occurrence number within one run's input: a
   * re-run finds each (line, n) stored, while a line repeated in the input is a new claim.
   * temp.seen counts copies only for lines met before (issuer_db_run_add), lives in the
   * temporary database, on disk, and only for this connection. */
  if ((rv = issuer_db_exec(db,
                           "CREATE TEMP TABLE IF NOT EXISTS seen(hash BLOB PRIMARY KEY,"
                           " n INTEGER NOT NULL) WITHOUT ROWID;"
                           "DELETE FROM temp.seen;",
                           err, errlen)) != 0 ||
      (rv = issuer_db_tx_begin(db, err, errlen)) != 0)
    return rv;
  if (sqlite3_prepare_v2(db->h,
                         "INSERT INTO runs(source, started_unix, check_mac) VALUES(?, ?, ?)",
                         -1, &s, NULL) != SQLITE_OK)
    return issuer_db_fail(db, "prepare", err, errlen);
  sqlite3_bind_text(s, 1, source, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, (sqlite3_int64)time(NULL));
  sqlite3_bind_int(s, 3, check_mac);
  rv = sqlite3_step(s);
  sqlite3_finalize(s);
  if (rv != SQLITE_DONE) return issuer_db_fail(db, "recording the run", err, errlen);
  db->run_id = sqlite3_last_insert_rowid(db->h);
  /* The analysis is stale from the first stored claim until issuer_analyse_run ends. */
  if ((rv = issuer_db_exec(db, "UPDATE meta SET value = 0 WHERE key = 'analysed';", err,
                           errlen)) != 0 ||
      (rv = issuer_db_exec(db, analysis_indices_drop_sql, err, errlen)) != 0)
    return rv;
  if ((rv = prepare(db, &db->insert,
                    "INSERT INTO claims(line_hash, occurrence, run_id, line_no, profile, station,"
                    " lane, time_cs, fee, class, lane_verdict, lane_reasons, obuid, counter,"
                    " family, flags, mac_obuid, mac_counter, time_proven)"
                    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                    " ON CONFLICT(time_cs, line_hash, occurrence) DO NOTHING",
                    err, errlen)) != 0 ||
      (rv = prepare(db, &db->owner,
                    "SELECT run_id FROM claims"
                    " WHERE time_cs = ? AND line_hash = ? AND occurrence = 1",
                    err, errlen)) != 0 ||
      (rv = prepare(db, &db->seen_get, "SELECT n FROM temp.seen WHERE hash = ?", err, errlen)) != 0 ||
      (rv = prepare(db, &db->seen_set, "INSERT OR REPLACE INTO temp.seen(hash, n) VALUES(?, ?)",
                    err, errlen)) != 0 ||
      (rv = prepare(db, &db->progress,
                    "UPDATE runs SET lines = ?, claims = ?, malformed = ?, inserted = ?,"
                    " already = ? WHERE id = ?",
                    err, errlen)) != 0)
    return rv;
  return 0;
}

/* Stores r as copy number occurrence of its line; *inserted false when it was there. */
static int insert_row(issuer_db *db, const issuer_row *r, int64_t occurrence, bool *inserted,
                      char *err, size_t errlen) {
  sqlite3_stmt *s = db->insert;
  int i = 1, rc;
  sqlite3_bind_blob(s, i++, r->line_hash, ISSUER_LINE_HASH, SQLITE_STATIC);
  sqlite3_bind_int64(s, i++, occurrence);
  sqlite3_bind_int64(s, i++, db->run_id);
  sqlite3_bind_int64(s, i++, r->line_no);
  sqlite3_bind_int(s, i++, r->profile);
  sqlite3_bind_int(s, i++, r->station);
  sqlite3_bind_int(s, i++, r->lane);
  sqlite3_bind_int64(s, i++, r->time_cs);
  sqlite3_bind_int64(s, i++, r->fee);
  sqlite3_bind_int(s, i++, r->vehicle_class);
  sqlite3_bind_int(s, i++, r->lane_verdict);
  sqlite3_bind_int(s, i++, (int)r->lane_reasons);
  if (r->has_obuid) sqlite3_bind_int64(s, i++, r->obuid);
  else sqlite3_bind_null(s, i++);
  sqlite3_bind_int(s, i++, r->counter);
  sqlite3_bind_int(s, i++, r->family);
  sqlite3_bind_int(s, i++, (int)r->flags);
  if (r->mac_ok) {
    sqlite3_bind_int64(s, i++, r->mac_obuid);
    sqlite3_bind_int(s, i++, r->mac_counter);
  } else {
    sqlite3_bind_null(s, i++);
    sqlite3_bind_null(s, i++);
  }
  sqlite3_bind_int(s, i++, r->time_proven);
  rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) return issuer_db_fail(db, "storing a claim", err, errlen);
  *inserted = sqlite3_changes(db->h) > 0;
  return 0;
}

/* One integer from a one-row query (0 when there is no row); -1 on error. */
static int query_int(sqlite3_stmt *s, int64_t *v) {
  int rc = sqlite3_step(s);
  *v = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_reset(s);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int issuer_db_run_add(issuer_db *db, const issuer_row *r, bool *inserted, char *err,
                      size_t errlen) {
  int64_t owner = 0, copies = 0;
  int rv;
  if (!db->insert) {
    snprintf(err, errlen, "%s: no run begun", db->path);
    return ISSUER_ERR_ARG;
  }
  /* Most lines are new: one insert. */
  if ((rv = insert_row(db, r, 1, inserted, err, errlen)) != 0 || *inserted) return rv;
  /* The line is stored. If this run stored it, this is a further copy in the input; if an
   * earlier run did, count this run's copies to match them one by one. */
  sqlite3_bind_int64(db->owner, 1, r->time_cs);
  sqlite3_bind_blob(db->owner, 2, r->line_hash, ISSUER_LINE_HASH, SQLITE_STATIC);
  sqlite3_bind_blob(db->seen_get, 1, r->line_hash, ISSUER_LINE_HASH, SQLITE_STATIC);
  if (query_int(db->owner, &owner) != 0 || query_int(db->seen_get, &copies) != 0)
    return issuer_db_fail(db, "looking up a stored claim", err, errlen);
  if (copies == 0 && owner == db->run_id) copies = 1;
  copies++;
  sqlite3_bind_blob(db->seen_set, 1, r->line_hash, ISSUER_LINE_HASH, SQLITE_STATIC);
  sqlite3_bind_int64(db->seen_set, 2, copies);
  rv = sqlite3_step(db->seen_set);
  sqlite3_reset(db->seen_set);
  if (rv != SQLITE_DONE) return issuer_db_fail(db, "counting copies of a line", err, errlen);
  if (copies == 1) return 0; /* the copy an earlier run stored */
  return insert_row(db, r, copies, inserted, err, errlen);
}

int issuer_db_run_progress(issuer_db *db, const issuer_run_counts *c, char *err, size_t errlen) {
  sqlite3_stmt *s = db->progress;
  int rc;
  if (!s) return ISSUER_ERR_ARG;
  sqlite3_bind_int64(s, 1, (sqlite3_int64)c->lines);
  sqlite3_bind_int64(s, 2, (sqlite3_int64)c->claims);
  sqlite3_bind_int64(s, 3, (sqlite3_int64)c->malformed);
  sqlite3_bind_int64(s, 4, (sqlite3_int64)c->inserted);
  sqlite3_bind_int64(s, 5, (sqlite3_int64)c->already);
  sqlite3_bind_int64(s, 6, db->run_id);
  rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) return issuer_db_fail(db, "recording the run", err, errlen);
  return 0;
}

int issuer_db_analysed(issuer_db *db, bool *done, char *err, size_t errlen) {
  int64_t v = 0;
  if (pragma_int(db, "SELECT value FROM meta WHERE key = 'analysed'", &v) != SQLITE_OK)
    return issuer_db_fail(db, "reading the analysis state", err, errlen);
  *done = v != 0;
  return 0;
}
