/* efc-issuer end to end, on real claims from the OBE and RSE engines: every profile's claims
 * verify; each altered field is caught on exactly its line; replays, lost claims, rewound
 * clones and impossible passage times are flagged with the right counts; malformed lines are
 * reported and skipped; re-runs and interrupted runs never double-count; the status list
 * rejects operator-key clones and the RSE's loader reads it; errors and usage exit 1 and 2.
 * The keystore uses the real scrypt parameters, so verify runs are kept few. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../issuer/claimgen.h"
#include "issuer/issuer_analyse.h"
#include "issuer/issuer_verify.h"
#include "efc/statuslist.h"

#include <sqlite3.h>

#define ISSUER EFC_BIN_DIR "/efc-issuer"
#define PASS "issuer test passphrase"
#define T0 INT64_C(173323372000)
#define HOUR INT64_C(360000)
#define NQ 12 /* OBEs: three per profile, the third starting near its counter's wrap */
#define NK 5  /* passages each */
#define MAXL 256

typedef struct {
  char dir[64];
  claimgen g;
  claimgen_obe obes[NQ];
  claimgen_obe rewound; /* OBE 9 (aes) as it was after its second passage */
  char *base[NK][NQ];   /* claim lines, no newline */
} fixture;

static fixture *fx;

static int q_profile(int q) { return q / 3; }
static uint32_t q_id(int q) { return UINT32_C(0x00a10000) + (uint32_t)q; }

static char *claim_line(const efc_claim *c) {
  char buf[2048];
  int n = efc_claim_format(c, buf, sizeof(buf));
  return n > 0 ? strdup(buf) : NULL;
}

/* A passage, asserted to complete and to pass at the lane. */
static char *passage(claimgen_obe *o, int profile, uint16_t station, int64_t t) {
  efc_claim c;
  assert_int_equal(claimgen_passage(&fx->g, o, profile, station, t, &c), 0);
  assert_int_equal(c.verdict, EFC_PASS);
  return claim_line(&c);
}

static int group_setup(void **state) {
  char path[128], err[512];
  FILE *f;
  (void)state;
  fx = calloc(1, sizeof(*fx));
  if (!fx) return -1;
  snprintf(fx->dir, sizeof(fx->dir), "/tmp/efc-issuer-cli-XXXXXX");
  if (!mkdtemp(fx->dir) || claimgen_init(&fx->g, 7) != 0) return -1;
  /* The tool gets the passphrase from the environment unless a test says otherwise. */
  setenv("EFC_KEYSTORE_PASS", PASS, 1);
  snprintf(path, sizeof(path), "%s/keys.eks", fx->dir);
  if (keymgmt_keystore_save(&fx->g.keys.issuer, path, PASS, true, err, sizeof(err)) != 0) {
    fprintf(stderr, "%s\n", err);
    return -1;
  }
  snprintf(path, sizeof(path), "%s/pass.txt", fx->dir);
  if (!(f = fopen(path, "w"))) return -1;
  fprintf(f, "%s\n", PASS);
  fclose(f);
  snprintf(path, sizeof(path), "%s/wrong.txt", fx->dir);
  if (!(f = fopen(path, "w"))) return -1;
  fprintf(f, "not the passphrase\n");
  fclose(f);
  for (int q = 0; q < NQ; q++) {
    if (claimgen_obe_make(&fx->g, &fx->obes[q], q_id(q), q_profile(q)) != 0) return -1;
    if (q % 3 == 2) {
      fx->obes[q].st.autopass_tc = 65533;   /* claims 65534, 65535, 0, 1, 2 */
      fx->obes[q].st.equipment_status = 4094; /* claims 4094, 4095, 0, 1, 2 */
    }
  }
  /* Passages an hour apart per OBE, stations 100..102 in turn; OBEs 10 s apart. */
  for (int k = 0; k < NK; k++)
    for (int q = 0; q < NQ; q++) {
      fx->base[k][q] = passage(&fx->obes[q], q_profile(q), (uint16_t)(100 + k % 3),
                               T0 + k * HOUR + q * 1000);
      if (k == 1 && q == 9) fx->rewound = fx->obes[9];
    }
  return 0;
}

static int group_teardown(void **state) {
  char cmd[128];
  (void)state;
  for (int k = 0; k < NK; k++)
    for (int q = 0; q < NQ; q++) free(fx->base[k][q]);
  for (int q = 0; q < NQ; q++) keymgmt_obe_profile_wipe(&fx->obes[q].prof);
  keymgmt_obe_profile_wipe(&fx->rewound.prof);
  claimgen_free(&fx->g);
  snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
  if (system(cmd) != 0) return -1;
  free(fx);
  return 0;
}

/* ---- helpers ---- */

typedef struct {
  char *l[MAXL];
  size_t n;
} lines;

/* Adds a copy of s; returns its line number. */
static int64_t add(lines *ls, const char *s) {
  assert_true(ls->n < MAXL);
  ls->l[ls->n] = strdup(s);
  assert_non_null(ls->l[ls->n]);
  return (int64_t)++ls->n;
}

static void lines_free(lines *ls) {
  for (size_t i = 0; i < ls->n; i++) free(ls->l[i]);
  ls->n = 0;
}

static void path_of(char *out, size_t cap, const char *name) {
  snprintf(out, cap, "%s/%s", fx->dir, name);
}

/* Writes the lines, each with '\n' except the last when last_newline is false. */
static void write_lines(const char *name, const lines *ls, bool append, bool last_newline) {
  char path[256];
  FILE *f;
  path_of(path, sizeof(path), name);
  f = fopen(path, append ? "a" : "w");
  assert_non_null(f);
  for (size_t i = 0; i < ls->n; i++)
    fprintf(f, "%s%s", ls->l[i], i + 1 < ls->n || last_newline ? "\n" : "");
  fclose(f);
}

static char *slurp(const char *name) {
  char path[256];
  FILE *f;
  char *buf;
  long n;
  path_of(path, sizeof(path), name);
  f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

static size_t count_lines(const char *s) {
  size_t n = 0;
  for (; *s; s++) n += *s == '\n';
  return n;
}

static bool exists(const char *name) {
  char path[256];
  struct stat st;
  path_of(path, sizeof(path), name);
  return stat(path, &st) == 0;
}

/* efc-issuer in the fixture directory with env (may be "") before it; stdout and stderr go
 * to out.txt and err.txt. Returns the exit status. */
static int issuer(const char *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int issuer(const char *env, const char *fmt, ...) {
  char args[1024], cmd[2048];
  va_list ap;
  int st;
  va_start(ap, fmt);
  vsnprintf(args, sizeof(args), fmt, ap);
  va_end(ap);
  snprintf(cmd, sizeof(cmd), "cd %s && %s %s %s >out.txt 2>err.txt", fx->dir, env, ISSUER, args);
  st = system(cmd);
  if (st == -1 || !WIFEXITED(st)) return -1;
  return WEXITSTATUS(st);
}

static void assert_contains(const char *file, const char *needle) {
  char *s = slurp(file);
  assert_non_null(s);
  if (!strstr(s, needle)) fail_msg("%s lacks \"%s\":\n%s", file, needle, s);
  free(s);
}

typedef struct {
  int64_t line;
  unsigned flags; /* issuer_verify_claim */
  unsigned seq;   /* enum issuer_seq_flag */
  int64_t gap;
} expect;

static sqlite3 *db_open(const char *name) {
  char path[256];
  sqlite3 *db = NULL;
  path_of(path, sizeof(path), name);
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  return db;
}

static int64_t db_int(sqlite3 *db, const char *sql) {
  sqlite3_stmt *s;
  int64_t v;
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

/* Every stored claim of the database: the expected ones carry exactly their flags, all the
 * others none; total rows. The flagged list on stdout names each expected line too. */
static void check_claims(const char *dbname, const char *source, const expect *e, size_t ne,
                         int64_t total) {
  sqlite3 *db = db_open(dbname);
  sqlite3_stmt *s;
  char *out = slurp("out.txt");
  size_t seen = 0;
  assert_non_null(out);
  assert_int_equal(db_int(db, "SELECT count(*) FROM claims"), total);
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT line_no, flags, seq_flags, gap FROM claims", -1,
                                      &s, NULL),
                   SQLITE_OK);
  while (sqlite3_step(s) == SQLITE_ROW) {
    int64_t line = sqlite3_column_int64(s, 0);
    unsigned flags = (unsigned)sqlite3_column_int(s, 1), seq = (unsigned)sqlite3_column_int(s, 2);
    int64_t gap = sqlite3_column_int64(s, 3);
    const expect *x = NULL;
    for (size_t i = 0; i < ne; i++)
      if (e[i].line == line) x = &e[i];
    if (!x) {
      if (flags || seq || gap) fail_msg("%s: line %lld flagged %u/%u, expected none", dbname,
                                        (long long)line, flags, seq);
      continue;
    }
    seen++;
    if (flags != x->flags || seq != x->seq || gap != x->gap)
      fail_msg("%s: line %lld: flags %u seq %u gap %lld, expected %u %u %lld", dbname,
               (long long)line, flags, seq, (long long)gap, x->flags, x->seq, (long long)x->gap);
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  assert_int_equal(seen, ne);
  for (size_t i = 0; i < ne; i++) {
    char f1[128], f2[128], want[512];
    issuer_flags_format(f1, sizeof(f1), e[i].flags);
    issuer_seq_flags_format(f2, sizeof(f2), e[i].seq, e[i].gap);
    snprintf(want, sizeof(want), "  %s:%lld %s%s%s\n", source, (long long)e[i].line, f1,
             f1[0] && f2[0] ? "," : "", f2);
    if (!strstr(out, want)) fail_msg("stdout lacks \"%s\":\n%s", want, out);
  }
  free(out);
}

/* The base claims in time order (passage by passage). */
static void base_lines(lines *ls, int64_t num[NK][NQ]) {
  for (int k = 0; k < NK; k++)
    for (int q = 0; q < NQ; q++) {
      int64_t n = add(ls, fx->base[k][q]);
      if (num) num[k][q] = n;
    }
}

enum edit_kind { E_FEE, E_TIME, E_TC, E_COUNTER, E_OBUID };

/* The line with one field changed, as an operator altering the claim would. */
static char *edited(const char *line, int kind) {
  efc_claim c;
  char err[256];
  assert_int_equal(efc_claim_parse(&c, line, err, sizeof(err)), 0);
  switch (kind) {
  case E_FEE:
    c.fee += 100;
    break;
  case E_TIME:
    c.time_cs += 100;
    break;
  case E_TC:
    c.tc = (uint16_t)(c.tc + 5);
    break;
  case E_COUNTER:
    c.counter = (uint16_t)((c.counter + 5) & 0x0fff);
    break;
  default:
    c.obuid[3] ^= 0x40;
    break;
  }
  return claim_line(&c);
}

/* ---- tests ---- */

static void test_sound_rerun_append(void **state) {
  lines ls = {0};
  char *out, want[256];
  (void)state;
  base_lines(&ls, NULL);
  write_lines("sound.jsonl", &ls, false, true);
  lines_free(&ls);
  /* Small batches: many commits in one run. The database defaults to CLAIMS.db. */
  assert_int_equal(issuer("", "verify --keystore keys.eks --claims sound.jsonl --batch 7"), 0);
  assert_true(exists("sound.jsonl.db"));
  check_claims("sound.jsonl.db", "sound.jsonl", NULL, 0, NK * NQ);
  assert_contains("out.txt", "this run: 60 lines, 60 claims read, 0 malformed lines skipped; "
                             "60 claims stored, 0 already in the database");
  snprintf(want, sizeof(want), "\n%-26s %10d %10d %10d %10d %10d\n", "claims", 60, 15, 15, 15, 15);
  assert_contains("out.txt", want);
  snprintf(want, sizeof(want), "\n%-26s %10d %10d %10d %10d %10d\n", "verified sound", 60, 15, 15,
           15, 15);
  assert_contains("out.txt", want);
  assert_contains("out.txt", "flagged claims: 0\n");
  out = slurp("err.txt");
  assert_string_equal(out, "");
  free(out);

  /* The same file again: nothing stored twice. */
  assert_int_equal(issuer("", "verify --keystore keys.eks --claims sound.jsonl"), 0);
  assert_contains("out.txt", "0 claims stored, 60 already in the database");
  check_claims("sound.jsonl.db", "sound.jsonl", NULL, 0, NK * NQ);

  /* New passages appended: only they are stored, and the counters carry on. */
  for (int q = 0; q < 4; q++) {
    char *s = passage(&fx->obes[q], q_profile(q), 100, T0 + NK * HOUR + q * 1000);
    add(&ls, s);
    free(s);
  }
  write_lines("sound.jsonl", &ls, true, true);
  lines_free(&ls);
  assert_int_equal(issuer("", "verify --keystore keys.eks --claims sound.jsonl"), 0);
  assert_contains("out.txt", "this run: 64 lines, 64 claims read, 0 malformed lines skipped; "
                             "4 claims stored, 60 already in the database");
  check_claims("sound.jsonl.db", "sound.jsonl", NULL, 0, NK * NQ + 4);
}

static void test_altered_fields(void **state) {
  static const struct {
    int k, q, kind;
    unsigned flags;
  } edits[] = {
      {1, 0, E_FEE, ISSUER_BAD_FEE},
      {2, 1, E_TIME, ISSUER_MISMATCH | ISSUER_BAD_COMMIT}, /* T is MACed, RND-1 commits */
      {2, 2, E_TIME, ISSUER_MISMATCH | ISSUER_BAD_COMMIT},
      {4, 0, E_TC, ISSUER_BAD_MAC},
      {4, 1, E_OBUID, ISSUER_BAD_MAC},
      {1, 3, E_COUNTER, ISSUER_MISMATCH}, /* en15509-l0: MAC_TSP holds, the list disagrees */
      {0, 5, E_OBUID, ISSUER_MISMATCH},
      {2, 6, E_TIME, ISSUER_BAD_COMMIT}, /* en15509-l1: the nonces commit to the time */
      {3, 7, E_COUNTER, ISSUER_MISMATCH},
      {3, 9, E_OBUID, ISSUER_MISMATCH}, /* aes */
      {1, 10, E_FEE, ISSUER_BAD_FEE},
  };
  enum { NE = sizeof(edits) / sizeof(edits[0]) };
  int64_t num[NK][NQ];
  expect e[NE];
  lines ls = {0};
  (void)state;
  base_lines(&ls, num);
  for (size_t i = 0; i < NE; i++) {
    int64_t n = num[edits[i].k][edits[i].q];
    free(ls.l[n - 1]);
    ls.l[n - 1] = edited(fx->base[edits[i].k][edits[i].q], edits[i].kind);
    e[i] = (expect){n, edits[i].flags, 0, 0};
  }
  write_lines("edits.jsonl", &ls, false, true);
  lines_free(&ls);
  assert_int_equal(issuer("", "verify --keystore keys.eks --claims edits.jsonl"), 0);
  /* Exactly the altered lines: an altered claim drops out of the counter analysis only
   * where its counter is not MACed, and these are last passages or MACed elsewhere. */
  check_claims("edits.jsonl.db", "edits.jsonl", e, NE, NK * NQ);
  assert_contains("out.txt", "flagged claims: 11\n");
}

static void test_sequences(void **state) {
  int64_t num[NK][NQ], replay, rew, i0, i1, i2, i3, j0, j1;
  claimgen_obe o1, o2;
  lines ls = {0};
  char *s;
  (void)state;
  /* Claims of passages 1 and 2 of OBE 4 lost: passage 3 shows a gap of 2. */
  for (int k = 0; k < NK; k++)
    for (int q = 0; q < NQ; q++)
      num[k][q] = q == 4 && (k == 1 || k == 2) ? 0 : add(&ls, fx->base[k][q]);
  /* OBE 1's TC altered in passage 2: that claim fails MAC1 and proves no counter, so the
   * issuer holds no authentic claim for that TC and passage 3 shows a gap of 1. */
  free(ls.l[num[2][1] - 1]);
  ls.l[num[2][1] - 1] = edited(fx->base[2][1], E_TC);
  /* A claim line sent twice. */
  replay = add(&ls, fx->base[2][6]);
  /* OBE 9 copied after its second passage (a clone with its keys and state) passes later. */
  s = passage(&fx->rewound, q_profile(9), 100, T0 + NK * HOUR + 9 * 1000);
  rew = add(&ls, s);
  free(s);
  /* Two new OBEs at impossible times: 30 s apart at two stations (and, fine, 30 s apart at
   * one station an hour later); 20 s apart at two stations. */
  assert_int_equal(claimgen_obe_make(&fx->g, &o1, 0x00b00001, EFC_PROFILE_AUTOPASS), 0);
  assert_int_equal(claimgen_obe_make(&fx->g, &o2, 0x00b00002, EFC_PROFILE_EN15509_L1), 0);
#define ADD_PASSAGE(var, o, p, st, t) \
  do {                                \
    s = passage(&(o), p, st, t);      \
    var = add(&ls, s);                \
    free(s);                          \
  } while (0)
  ADD_PASSAGE(i0, o1, EFC_PROFILE_AUTOPASS, 100, T0 + 50);
  ADD_PASSAGE(i1, o1, EFC_PROFILE_AUTOPASS, 101, T0 + 50 + 3000);
  ADD_PASSAGE(i2, o1, EFC_PROFILE_AUTOPASS, 100, T0 + 50 + HOUR);
  ADD_PASSAGE(i3, o1, EFC_PROFILE_AUTOPASS, 100, T0 + 50 + HOUR + 3000);
  ADD_PASSAGE(j0, o2, EFC_PROFILE_EN15509_L1, 100, T0 + 70);
  ADD_PASSAGE(j1, o2, EFC_PROFILE_EN15509_L1, 102, T0 + 70 + 2000);
#undef ADD_PASSAGE
  keymgmt_obe_profile_wipe(&o1.prof);
  keymgmt_obe_profile_wipe(&o2.prof);
  write_lines("seq.jsonl", &ls, false, true);
  lines_free(&ls);
  assert_int_equal(issuer("", "verify --keystore keys.eks --claims seq.jsonl"), 0);
  {
    const expect e[] = {
        {num[3][4], 0, ISSUER_SEQ_GAP, 2},
        {num[2][1], ISSUER_BAD_MAC, 0, 0},
        {num[3][1], 0, ISSUER_SEQ_GAP, 1},
        {num[2][6], 0, ISSUER_SEQ_DUPLICATE | ISSUER_SEQ_TIME, 0},
        {replay, 0, ISSUER_SEQ_DUPLICATE | ISSUER_SEQ_TIME, 0},
        {num[2][9], 0, ISSUER_SEQ_DUPLICATE, 0},
        {rew, 0, ISSUER_SEQ_DUPLICATE | ISSUER_SEQ_BACKWARDS, 0},
        {i0, 0, ISSUER_SEQ_TIME, 0},
        {i1, 0, ISSUER_SEQ_TIME, 0},
        {j0, 0, ISSUER_SEQ_TIME, 0},
        {j1, 0, ISSUER_SEQ_TIME, 0},
    };
    int64_t total = NK * NQ - 2 + 1 + 7;
    (void)i2;
    (void)i3;
    check_claims("seq.jsonl.db", "seq.jsonl", e, sizeof(e) / sizeof(e[0]), total);
    /* A 20 s minimum: the 30 s pair and the 20 s pair are possible after all. */
    assert_int_equal(issuer("", "verify --keystore keys.eks --claims seq.jsonl --db seq20.db "
                                "--min-gap 20"),
                     0);
    check_claims("seq20.db", "seq.jsonl", e, 7, total);
  }
}

static void test_malformed_lines(void **state) {
  lines ls = {0};
  char buf[9100], *line, *err;
  (void)state;
  add(&ls, fx->base[0][0]);                  /* 1 */
  add(&ls, "this is not json");              /* 2 */
  add(&ls, "{\"v\":1}");                     /* 3: no profile */
  line = strdup(fx->base[0][1]);             /* 4: station of the wrong type */
  assert_non_null(strstr(line, "\"station\":100"));
  memcpy(strstr(line, "\"station\":100"), "\"station\":\"x\"", 13);
  add(&ls, line);
  free(line);
  snprintf(buf, strlen(fx->base[0][2]) / 2, "%s", fx->base[0][2]);
  add(&ls, buf);                             /* 5: cut in the middle */
  add(&ls, "");                              /* 6 */
  add(&ls, fx->base[0][3]);                  /* 7 */
  memset(buf, 'x', 9000);
  buf[9000] = '\0';
  add(&ls, buf);                             /* 8: too long */
  add(&ls, fx->base[0][4]);                  /* 9 */
  add(&ls, "[1,2,3]");                       /* 10 */
  add(&ls, fx->base[0][5]);                  /* 11 */
  snprintf(buf, strlen(fx->base[0][6]) - 3, "%s", fx->base[0][6]);
  add(&ls, buf);                             /* 12: the file ends inside it */
  write_lines("mal.jsonl", &ls, false, false);
  lines_free(&ls);
  assert_int_equal(issuer("", "verify --keystore keys.eks --claims mal.jsonl"), 0);
  err = slurp("err.txt");
  assert_non_null(err);
  assert_int_equal(count_lines(err), 8);
  assert_non_null(strstr(err, "mal.jsonl:2: not a JSON object"));
  assert_non_null(strstr(err, "mal.jsonl:3: field \"profile\""));
  assert_non_null(strstr(err, "mal.jsonl:4: field \"station\""));
  assert_non_null(strstr(err, "mal.jsonl:5: not a JSON object"));
  assert_non_null(strstr(err, "mal.jsonl:6: empty line"));
  assert_non_null(strstr(err, "mal.jsonl:8: line longer than 8192 octets"));
  assert_non_null(strstr(err, "mal.jsonl:10: not a JSON object"));
  assert_non_null(strstr(err, "mal.jsonl:12: not a JSON object"));
  free(err);
  assert_contains("out.txt", "this run: 12 lines, 4 claims read, 8 malformed lines skipped; "
                             "4 claims stored");
  check_claims("mal.jsonl.db", "mal.jsonl", NULL, 0, 4);

  /* Past 20 reports, a count. */
  for (int i = 0; i < 25; i++) add(&ls, "garbage");
  add(&ls, fx->base[0][0]);
  write_lines("cap.jsonl", &ls, false, true);
  lines_free(&ls);
  assert_int_equal(issuer("", "verify --keystore keys.eks --claims cap.jsonl"), 0);
  err = slurp("err.txt");
  assert_non_null(err);
  assert_int_equal(count_lines(err), 21);
  assert_non_null(strstr(err, "cap.jsonl:20: not a JSON object"));
  assert_null(strstr(err, "cap.jsonl:21:"));
  assert_non_null(strstr(err, "cap.jsonl: 5 more malformed lines not shown\n"));
  free(err);
  check_claims("cap.jsonl.db", "cap.jsonl", NULL, 0, 1);
}

/* The status list's entries (comments dropped). */
static char *entries_of(const char *name) {
  char *s = slurp(name), *out, *p, *o;
  assert_non_null(s);
  out = calloc(1, strlen(s) + 1);
  assert_non_null(out);
  o = out;
  for (p = s; *p;) {
    char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
    if (*p != '#') {
      memcpy(o, p, n);
      o += n;
    }
    p += n;
  }
  free(s);
  return out;
}

static void test_statuslist(void **state) {
  claimgen_obe c0, c1, c2;
  efc_status_list sl;
  int64_t num[NK][NQ], k0, k1, k2, replay;
  lines ls = {0};
  char *s, *a, *b, path[256], err[256];
  (void)state;
  base_lines(&ls, num);
  /* Clones made with the operator's keys: the lane accepts them (MAC2, MAC_TC and the
   * access credentials are right) but MAC1 / MAC_TSP are not. One copies OBE 0. */
  assert_int_equal(claimgen_clone_make(&fx->g, &c0, q_id(0), EFC_PROFILE_AUTOPASS), 0);
  assert_int_equal(claimgen_clone_make(&fx->g, &c1, 0x00c00001, EFC_PROFILE_EN15509_L1), 0);
  assert_int_equal(claimgen_clone_make(&fx->g, &c2, 0x00c00002, EFC_PROFILE_AES), 0);
  s = passage(&c0, EFC_PROFILE_AUTOPASS, 101, T0 + 6 * HOUR);
  k0 = add(&ls, s);
  free(s);
  s = passage(&c1, EFC_PROFILE_EN15509_L1, 101, T0 + 6 * HOUR);
  k1 = add(&ls, s);
  free(s);
  s = passage(&c2, EFC_PROFILE_AES, 101, T0 + 6 * HOUR);
  k2 = add(&ls, s);
  free(s);
  keymgmt_obe_profile_wipe(&c0.prof);
  keymgmt_obe_profile_wipe(&c1.prof);
  keymgmt_obe_profile_wipe(&c2.prof);
  replay = add(&ls, fx->base[2][6]);
  write_lines("st.jsonl", &ls, false, true);
  lines_free(&ls);

  assert_int_equal(issuer("", "verify --keystore keys.eks --claims st.jsonl"), 0);
  {
    const expect e[] = {
        {k0, ISSUER_BAD_MAC, 0, 0},
        {k1, ISSUER_BAD_MAC, 0, 0},
        {k2, ISSUER_BAD_MAC, 0, 0},
        {num[2][6], 0, ISSUER_SEQ_DUPLICATE | ISSUER_SEQ_TIME, 0},
        {replay, 0, ISSUER_SEQ_DUPLICATE | ISSUER_SEQ_TIME, 0},
    };
    check_claims("st.jsonl.db", "st.jsonl", e, 5, NK * NQ + 4);
  }
  assert_int_equal(issuer("", "statuslist --db st.jsonl.db --out rse.list"), 0);
  assert_contains("out.txt", "rse.list: 4 entries (3 reject, 1 photograph)");
  a = entries_of("rse.list");
  assert_string_equal(a, "00a10000,reject,bad-mac\n"
                         "00a10006,photograph,duplicate+impossible-time\n"
                         "00c00001,reject,bad-mac\n"
                         "00c00002,reject,bad-mac\n");
  free(a);
  /* The RSE's own loader reads it. */
  efc_status_list_init(&sl);
  path_of(path, sizeof(path), "rse.list");
  assert_int_equal(efc_status_list_load(&sl, path, stderr, UINT_MAX, err, sizeof(err)), 0);
  assert_int_equal(sl.count, 4);
  assert_int_equal(efc_status_list_lookup(&sl, (const uint8_t[]){0x00, 0xa1, 0x00, 0x00}),
                   EFC_LIST_REJECT);
  assert_int_equal(efc_status_list_lookup(&sl, (const uint8_t[]){0x00, 0xa1, 0x00, 0x06}),
                   EFC_LIST_PHOTOGRAPH);
  assert_int_equal(efc_status_list_lookup(&sl, (const uint8_t[]){0x00, 0xc0, 0x00, 0x02}),
                   EFC_LIST_REJECT);
  assert_int_equal(efc_status_list_lookup(&sl, (const uint8_t[]){0x00, 0xa1, 0x00, 0x01}),
                   EFC_LIST_NONE);
  efc_status_list_free(&sl);
  /* Deterministic: written again, the same octets. */
  assert_int_equal(issuer("", "statuslist --db st.jsonl.db --out rse2.list"), 0);
  a = slurp("rse.list");
  b = slurp("rse2.list");
  assert_string_equal(a, b);
  free(a);
  free(b);

  /* Without MAC1 / MAC_TSP (test only) the clones of OBEs the issuer has not seen pass as
   * sound; the copy of OBE 0 is caught only by its counter, and only photographed. */
  assert_int_equal(issuer("", "verify --keystore keys.eks --claims st.jsonl --db nomac.db "
                              "--no-mac-check"),
                   0);
  assert_contains("out.txt", "TEST ONLY: MAC1 / MAC_TSP NOT checked");
  {
    const expect e[] = {
        {k0, 0, ISSUER_SEQ_DUPLICATE | ISSUER_SEQ_BACKWARDS, 0},
        {num[0][0], 0, ISSUER_SEQ_DUPLICATE, 0},
        {num[2][6], 0, ISSUER_SEQ_DUPLICATE | ISSUER_SEQ_TIME, 0},
        {replay, 0, ISSUER_SEQ_DUPLICATE | ISSUER_SEQ_TIME, 0},
    };
    check_claims("nomac.db", "st.jsonl", e, 4, NK * NQ + 4);
  }
  assert_int_equal(issuer("", "statuslist --db nomac.db --out nomac.list"), 0);
  a = entries_of("nomac.list");
  assert_string_equal(a, "00a10000,photograph,duplicate+backwards\n"
                         "00a10006,photograph,duplicate+impossible-time\n");
  free(a);
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Waits until the database holds at least n claims (the writer is still running). */
static bool wait_for_claims(const char *name, int64_t n, int seconds) {
  char path[256];
  path_of(path, sizeof(path), name);
  for (int i = 0; i < seconds * 20; i++) {
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    int64_t have = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM claims", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
      have = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    if (have >= n) return true;
    sleep_ms(50);
  }
  return false;
}

static void test_interrupted_run(void **state) {
  char fifo[256], outp[256], errp[256];
  lines ls = {0};
  sqlite3 *db;
  pid_t pid;
  FILE *w;
  int st;
  (void)state;
  path_of(fifo, sizeof(fifo), "pipe.jsonl");
  path_of(outp, sizeof(outp), "intr-out.txt");
  path_of(errp, sizeof(errp), "intr-err.txt");
  assert_int_equal(mkfifo(fifo, 0600), 0);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600), e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (o < 0 || e < 0 || chdir(fx->dir) != 0) _exit(98);
    dup2(o, 1);
    dup2(e, 2);
    execl(ISSUER, ISSUER, "verify", "--keystore", "keys.eks", "--claims", "pipe.jsonl", "--db",
          "intr.db", "--batch", "10", (char *)NULL);
    _exit(99);
  }
  /* 35 claims, then the writer keeps the pipe open: three batches are committed, five
   * claims sit in an open transaction when the process is killed. */
  w = fopen(fifo, "w");
  assert_non_null(w);
  for (int i = 0; i < 35; i++) fprintf(w, "%s\n", fx->base[i / NQ][i % NQ]);
  fflush(w);
  assert_true(wait_for_claims("intr.db", 30, 60));
  sleep_ms(200);
  kill(pid, SIGKILL);
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_true(WIFSIGNALED(st));
  fclose(w);

  db = db_open("intr.db");
  assert_int_equal(db_int(db, "SELECT count(*) FROM claims"), 30);
  assert_int_equal(db_int(db, "SELECT lines FROM runs"), 30);
  assert_int_equal(db_int(db, "SELECT value FROM meta WHERE key = 'analysed'"), 0);
  {
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "ok");
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  /* No status list from a half-analysed database. */
  assert_int_equal(issuer("", "statuslist --db intr.db --out intr.list"), 1);
  assert_contains("err.txt", "did not complete");
  assert_false(exists("intr.list"));
  /* The whole file, under another name: the 30 stored are recognised, 30 added. */
  base_lines(&ls, NULL);
  write_lines("all.jsonl", &ls, false, true);
  lines_free(&ls);
  assert_int_equal(issuer("", "verify --keystore keys.eks --claims all.jsonl --db intr.db"), 0);
  assert_contains("out.txt", "30 claims stored, 30 already in the database");
  check_claims("intr.db", "all.jsonl", NULL, 0, NK * NQ);
  assert_int_equal(issuer("", "statuslist --db intr.db --out intr.list"), 0);
  assert_contains("out.txt", "intr.list: 0 entries");
}

static void assert_one_line(const char *needle) {
  char *err = slurp("err.txt");
  assert_non_null(err);
  if (count_lines(err) != 1 || !strstr(err, needle))
    fail_msg("expected one line naming \"%s\", got:\n%s", needle, err);
  free(err);
}

static void test_errors_and_usage(void **state) {
  lines ls = {0};
  FILE *f;
  char path[256];
  (void)state;
  add(&ls, fx->base[0][0]);
  write_lines("one.jsonl", &ls, false, true);
  lines_free(&ls);
  assert_int_equal(issuer("", "--help"), 0);
  assert_contains("out.txt", "usage: efc-issuer verify");
  assert_int_equal(issuer("", "verify --help"), 0);
  assert_contains("out.txt", "--pass-file");
  assert_int_equal(issuer("", "statuslist --help"), 0);

  assert_int_equal(issuer("", "%s", ""), 2);
  assert_int_equal(issuer("", "frobnicate"), 2);
  assert_one_line("unknown command");
  assert_int_equal(issuer("", "verify --claims one.jsonl"), 2);
  assert_one_line("--keystore");
  assert_int_equal(issuer("", "verify --keystore keys.eks"), 2);
  assert_int_equal(issuer("", "verify --keystore keys.eks --claims one.jsonl --frob"), 2);
  assert_one_line("--frob");
  assert_int_equal(issuer("", "verify --keystore keys.eks --claims one.jsonl --batch 0"), 2);
  assert_int_equal(issuer("", "verify --keystore keys.eks --claims one.jsonl --min-gap x"), 2);
  assert_int_equal(issuer("", "verify --keystore keys.eks --claims one.jsonl extra"), 2);
  assert_int_equal(issuer("", "verify --keystore keys.eks --claims"), 2);
  assert_int_equal(issuer("", "statuslist --db x.db"), 2);
  assert_int_equal(issuer("", "statuslist --out x.list"), 2);
  /* No passphrase source at all is a usage error. */
  assert_int_equal(issuer("env -u EFC_KEYSTORE_PASS", "verify --keystore keys.eks --claims one.jsonl"), 2);
  assert_one_line("EFC_KEYSTORE_PASS");

  assert_int_equal(issuer("", "verify --keystore keys.eks --claims missing.jsonl"), 1);
  assert_one_line("missing.jsonl");
  assert_int_equal(issuer("", "verify --keystore nokeys.eks --claims one.jsonl --db n.db"), 1);
  assert_one_line("nokeys.eks");
  assert_int_equal(issuer("", "verify --keystore keys.eks --claims one.jsonl --pass-file nope.txt"), 1);
  assert_one_line("nope.txt");
  assert_int_equal(issuer("", "verify --keystore keys.eks --claims one.jsonl --db wp.db "
                              "--pass-file wrong.txt"),
                   1);
  assert_one_line("keys.eks: wrong passphrase");
  assert_false(exists("wp.db"));
  /* The right one from a file, with the environment empty. */
  assert_int_equal(issuer("env -u EFC_KEYSTORE_PASS", "verify --keystore keys.eks "
                                                      "--claims one.jsonl --pass-file pass.txt"),
                   0);
  assert_contains("out.txt", "1 claims stored");

  /* A --db that is not ours is left alone. */
  path_of(path, sizeof(path), "notadb.txt");
  f = fopen(path, "w");
  assert_non_null(f);
  fputs("hello, I am a text file that is long enough to have a header of sorts......\n"
        "and more than one hundred octets, so SQLite reads a page of it and says so\n",
        f);
  fclose(f);
  assert_int_equal(issuer("", "verify --keystore keys.eks --claims one.jsonl --db notadb.txt"), 1);
  assert_one_line("notadb.txt: not an efc-issuer claims database");
  assert_int_equal(issuer("", "statuslist --db notadb.txt --out x.list"), 1);
  assert_one_line("notadb.txt");
  assert_int_equal(issuer("", "statuslist --db missing.db --out x.list"), 1);
  assert_one_line("missing.db");
  assert_false(exists("missing.db"));
  assert_int_equal(issuer("", "statuslist --db one.jsonl.db --out nodir/x.list"), 1);
  assert_one_line("nodir/x.list");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sound_rerun_append), cmocka_unit_test(test_altered_fields),
      cmocka_unit_test(test_sequences),          cmocka_unit_test(test_malformed_lines),
      cmocka_unit_test(test_statuslist),         cmocka_unit_test(test_interrupted_run),
      cmocka_unit_test(test_errors_and_usage),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
