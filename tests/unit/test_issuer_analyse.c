/* The per-OBE analysis of efc_issuer on rows made by hand: counter steps with and without
 * wrap-around (16-bit TC, 12-bit EquipmentStatus counter, the half-range boundary), gaps
 * and their size, duplicates, interleaved clones, impossible times, and which rows the
 * analysis may not use. No keys needed: the rows carry the verdicts directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "issuer/issuer_analyse.h"
#include "issuer/issuer_db.h"
#include "issuer/issuer_verify.h"

#define T0 INT64_C(173323372000)
#define MIN_CS (60 * 100)

typedef struct {
  char dir[64];
  char path[128];
  issuer_db *db;
  int64_t line;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof(*f));
  char err[512];
  if (!f) return -1;
  snprintf(f->dir, sizeof(f->dir), "/tmp/efc-issuer-an-XXXXXX");
  if (!mkdtemp(f->dir)) return -1;
  snprintf(f->path, sizeof(f->path), "%s/a.db", f->dir);
  if (issuer_db_open(&f->db, f->path, ISSUER_DB_WRITE, err, sizeof(err)) != 0) {
    fprintf(stderr, "%s\n", err);
    return -1;
  }
  if (issuer_db_run_begin(f->db, "hand-made", true, err, sizeof(err)) != 0) return -1;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  char cmd[128];
  issuer_db_close(f->db);
  snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
  if (system(cmd) != 0) return -1;
  free(f);
  return 0;
}

/* Adds a trusted row: OBE obuid, counter family, counter, time, station. Returns its line. */
static int64_t add(fixture *f, uint32_t obuid, int family, uint16_t counter, int64_t t,
                   uint16_t station) {
  issuer_row r;
  bool inserted = false;
  char err[512];
  memset(&r, 0, sizeof(r));
  r.line_no = ++f->line;
  memcpy(r.line_hash, &r.line_no, sizeof(r.line_no)); /* distinct per row */
  r.profile = family == ISSUER_CTR_AUTOPASS ? EFC_PROFILE_AUTOPASS : EFC_PROFILE_EN15509_L1;
  r.station = station;
  r.lane = 1;
  r.time_cs = t;
  r.fee = 2500;
  r.vehicle_class = 2;
  r.has_obuid = true;
  r.obuid = obuid;
  r.counter = counter;
  r.family = family;
  r.mac_ok = true;
  r.mac_obuid = obuid;
  r.mac_counter = counter;
  r.time_proven = true;
  assert_int_equal(issuer_db_run_add(f->db, &r, &inserted, err, sizeof(err)), 0);
  assert_true(inserted);
  return r.line_no;
}

/* Runs the analysis (committing the rows first) and reads one line's result. */
static void analyse(fixture *f, int64_t min_cs) {
  issuer_analyse_options o;
  char err[512];
  issuer_analyse_options_default(&o);
  assert_int_equal(o.min_gap_cs, MIN_CS);
  o.min_gap_cs = min_cs;
  if (!sqlite3_get_autocommit(issuer_db_sqlite(f->db)))
    assert_int_equal(issuer_db_tx_commit(f->db, err, sizeof(err)), 0);
  assert_int_equal(issuer_analyse_run(f->db, &o, err, sizeof(err)), 0);
}

static void result(fixture *f, int64_t line, unsigned *seq, int64_t *gap) {
  sqlite3_stmt *s;
  assert_int_equal(sqlite3_prepare_v2(issuer_db_sqlite(f->db),
                                      "SELECT seq_flags, gap FROM claims WHERE line_no = ?", -1,
                                      &s, NULL),
                   SQLITE_OK);
  sqlite3_bind_int64(s, 1, line);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  *seq = (unsigned)sqlite3_column_int(s, 0);
  *gap = sqlite3_column_int64(s, 1);
  sqlite3_finalize(s);
}

static void expect(fixture *f, int64_t line, unsigned seq, int64_t gap) {
  unsigned s;
  int64_t g;
  result(f, line, &s, &g);
  if (s != seq || g != gap)
    fail_msg("line %lld: seq_flags %u gap %lld, expected %u gap %lld", (long long)line, s,
             (long long)g, seq, (long long)gap);
}

static void test_wrap_is_not_backwards(void **state) {
  fixture *f = *state;
  int64_t a[4], b[3];
  uint16_t tc[4] = {65534, 65535, 0, 1}, ctr[3] = {4094, 4095, 0};
  for (int i = 0; i < 4; i++) a[i] = add(f, 1, ISSUER_CTR_AUTOPASS, tc[i], T0 + i * 360000, 100);
  for (int i = 0; i < 3; i++) b[i] = add(f, 2, ISSUER_CTR_EQUIPMENT, ctr[i], T0 + i * 360000, 100);
  analyse(f, MIN_CS);
  for (int i = 0; i < 4; i++) expect(f, a[i], 0, 0);
  for (int i = 0; i < 3; i++) expect(f, b[i], 0, 0);
}

static void test_half_range_boundary(void **state) {
  fixture *f = *state;
  /* 16 bits: a drop of exactly 32768 goes backwards; of 32769 it wraps, a gap of 32766. */
  int64_t a0 = add(f, 3, ISSUER_CTR_AUTOPASS, 40000, T0, 100);
  int64_t a1 = add(f, 3, ISSUER_CTR_AUTOPASS, 40000 - 32768, T0 + 360000, 100);
  int64_t b0 = add(f, 4, ISSUER_CTR_AUTOPASS, 40000, T0, 100);
  int64_t b1 = add(f, 4, ISSUER_CTR_AUTOPASS, 40000 - 32769, T0 + 360000, 100);
  /* 12 bits: 3000 -> 952 drops 2048 (backwards); 3000 -> 951 wraps, missing 2046. */
  int64_t c0 = add(f, 5, ISSUER_CTR_EQUIPMENT, 3000, T0, 100);
  int64_t c1 = add(f, 5, ISSUER_CTR_EQUIPMENT, 952, T0 + 360000, 100);
  int64_t d0 = add(f, 6, ISSUER_CTR_EQUIPMENT, 3000, T0, 100);
  int64_t d1 = add(f, 6, ISSUER_CTR_EQUIPMENT, 951, T0 + 360000, 100);
  analyse(f, MIN_CS);
  expect(f, a0, 0, 0);
  expect(f, a1, ISSUER_SEQ_BACKWARDS, 0);
  expect(f, b0, 0, 0);
  expect(f, b1, ISSUER_SEQ_GAP, 32766);
  expect(f, c0, 0, 0);
  expect(f, c1, ISSUER_SEQ_BACKWARDS, 0);
  expect(f, d0, 0, 0);
  expect(f, d1, ISSUER_SEQ_GAP, 2046);
}

static void test_gap_duplicate_clone(void **state) {
  fixture *f = *state;
  int64_t g[3], d[3], c[4];
  /* A gap of 2 (claims for 11 and 12 never came). */
  g[0] = add(f, 7, ISSUER_CTR_AUTOPASS, 10, T0, 100);
  g[1] = add(f, 7, ISSUER_CTR_AUTOPASS, 13, T0 + 360000, 100);
  g[2] = add(f, 7, ISSUER_CTR_AUTOPASS, 14, T0 + 720000, 100);
  /* The same counter twice (EN 15509: an RSE whose SET failed, or a replay). */
  d[0] = add(f, 8, ISSUER_CTR_EQUIPMENT, 5, T0, 100);
  d[1] = add(f, 8, ISSUER_CTR_EQUIPMENT, 6, T0 + 360000, 100);
  d[2] = add(f, 8, ISSUER_CTR_EQUIPMENT, 6, T0 + 720000, 100);
  /* A clone whose counter runs behind the genuine OBE's, passages interleaved. */
  c[0] = add(f, 9, ISSUER_CTR_AUTOPASS, 10, T0, 100);
  c[1] = add(f, 9, ISSUER_CTR_AUTOPASS, 3, T0 + 360000, 200);
  c[2] = add(f, 9, ISSUER_CTR_AUTOPASS, 11, T0 + 720000, 100);
  c[3] = add(f, 9, ISSUER_CTR_AUTOPASS, 4, T0 + 1080000, 200);
  analyse(f, MIN_CS);
  expect(f, g[0], 0, 0);
  expect(f, g[1], ISSUER_SEQ_GAP, 2);
  expect(f, g[2], 0, 0);
  expect(f, d[0], 0, 0);
  expect(f, d[1], ISSUER_SEQ_DUPLICATE, 0);
  expect(f, d[2], ISSUER_SEQ_DUPLICATE, 0);
  expect(f, c[0], 0, 0);
  expect(f, c[1], ISSUER_SEQ_BACKWARDS, 0);
  expect(f, c[2], ISSUER_SEQ_GAP, 7);
  expect(f, c[3], ISSUER_SEQ_BACKWARDS, 0);
}

static void test_counter_families_apart(void **state) {
  fixture *f = *state;
  /* One OBE with both applications: the TC and the EquipmentStatus counter are separate
   * sequences, even interleaved. */
  int64_t l[4];
  l[0] = add(f, 10, ISSUER_CTR_AUTOPASS, 500, T0, 100);
  l[1] = add(f, 10, ISSUER_CTR_EQUIPMENT, 7, T0 + 360000, 100);
  l[2] = add(f, 10, ISSUER_CTR_AUTOPASS, 501, T0 + 720000, 100);
  l[3] = add(f, 10, ISSUER_CTR_EQUIPMENT, 8, T0 + 1080000, 100);
  analyse(f, MIN_CS);
  for (int i = 0; i < 4; i++) expect(f, l[i], 0, 0);
}

static void test_impossible_times(void **state) {
  fixture *f = *state;
  int64_t a[2], b[2], c[2], d[2];
  /* 30 s apart at two stations: both flagged. */
  a[0] = add(f, 11, ISSUER_CTR_AUTOPASS, 1, T0, 100);
  a[1] = add(f, 11, ISSUER_CTR_AUTOPASS, 2, T0 + 3000, 101);
  /* 30 s apart at one station (a second lane, a re-read): allowed. */
  b[0] = add(f, 12, ISSUER_CTR_AUTOPASS, 1, T0, 100);
  b[1] = add(f, 12, ISSUER_CTR_AUTOPASS, 2, T0 + 3000, 100);
  /* The same centisecond at one station: flagged. */
  c[0] = add(f, 13, ISSUER_CTR_EQUIPMENT, 1, T0, 100);
  c[1] = add(f, 13, ISSUER_CTR_EQUIPMENT, 2, T0, 100);
  /* Exactly the minimum apart: allowed. */
  d[0] = add(f, 14, ISSUER_CTR_EQUIPMENT, 1, T0, 100);
  d[1] = add(f, 14, ISSUER_CTR_EQUIPMENT, 2, T0 + MIN_CS, 101);
  analyse(f, MIN_CS);
  expect(f, a[0], ISSUER_SEQ_TIME, 0);
  expect(f, a[1], ISSUER_SEQ_TIME, 0);
  expect(f, b[0], 0, 0);
  expect(f, b[1], 0, 0);
  expect(f, c[0], ISSUER_SEQ_TIME, 0);
  expect(f, c[1], ISSUER_SEQ_TIME, 0);
  expect(f, d[0], 0, 0);
  expect(f, d[1], 0, 0);
  /* A longer minimum catches the last pair too; a re-analysis starts from clean flags. */
  analyse(f, MIN_CS + 1);
  expect(f, d[0], ISSUER_SEQ_TIME, 0);
  expect(f, d[1], ISSUER_SEQ_TIME, 0);
  analyse(f, 0);
  expect(f, a[0], 0, 0);
  expect(f, c[0], ISSUER_SEQ_TIME, 0);
}

static void test_untrusted_rows_left_out(void **state) {
  fixture *f = *state;
  issuer_row r;
  bool inserted;
  char err[512];
  int64_t l0, l2, bad;
  l0 = add(f, 15, ISSUER_CTR_AUTOPASS, 1, T0, 100);
  /* A claim whose MAC failed: its counter (and its time) prove nothing. */
  memset(&r, 0, sizeof(r));
  r.line_no = bad = ++f->line;
  memcpy(r.line_hash, &r.line_no, sizeof(r.line_no));
  r.has_obuid = true;
  r.obuid = 15;
  r.counter = 1;
  r.time_cs = T0 + 1000;
  r.station = 300;
  r.flags = ISSUER_BAD_MAC;
  assert_int_equal(issuer_db_run_add(f->db, &r, &inserted, err, sizeof(err)), 0);
  l2 = add(f, 15, ISSUER_CTR_AUTOPASS, 2, T0 + 360000, 100);
  analyse(f, MIN_CS);
  expect(f, l0, 0, 0);
  expect(f, bad, 0, 0);
  expect(f, l2, 0, 0);
}

static void test_flag_names(void **state) {
  char buf[128];
  (void)state;
  issuer_seq_flags_format(buf, sizeof(buf), ISSUER_SEQ_DUPLICATE | ISSUER_SEQ_GAP, 3);
  assert_string_equal(buf, "duplicate,gap(3)");
  issuer_seq_flags_format(buf, sizeof(buf), ISSUER_SEQ_BACKWARDS | ISSUER_SEQ_TIME, 0);
  assert_string_equal(buf, "backwards,impossible-time");
  issuer_seq_flags_format(buf, sizeof(buf), 0, 0);
  assert_string_equal(buf, "");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_wrap_is_not_backwards, setup, teardown),
      cmocka_unit_test_setup_teardown(test_half_range_boundary, setup, teardown),
      cmocka_unit_test_setup_teardown(test_gap_duplicate_clone, setup, teardown),
      cmocka_unit_test_setup_teardown(test_counter_families_apart, setup, teardown),
      cmocka_unit_test_setup_teardown(test_impossible_times, setup, teardown),
      cmocka_unit_test_setup_teardown(test_untrusted_rows_left_out, setup, teardown),
      cmocka_unit_test(test_flag_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
