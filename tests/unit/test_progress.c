/* Issue 18: progress of long runs (sim/progress.h), driven with made-up times into a
 * temporary file and checked against lines worked out by hand:
 * - the mode names, and the names refused;
 * - JSON lines: rate = done / elapsed and ETA = (total - done) / rate, exact text; null
 *   for what cannot be computed; at most one line a second; the end line's figures;
 *   what escaped, and cut short without breaking a UTF-8 character;
 * - the bar: exact text, h:mm:ss past an hour, compact counts, at most 10 redraws a
 *   second, never wider than 79 columns, a shorter line blanking a longer one;
 * - a failed write reported by sim_progress_end. */
#include <jansson.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/progress.h"

/* Everything written to f so far, NUL-terminated (static: one file read at a time). */
static const char *contents(FILE *f) {
  static char buf[65536];
  size_t n;
  assert_int_equal(fflush(f), 0);
  rewind(f);
  n = fread(buf, 1, sizeof(buf) - 1, f);
  assert_false(ferror(f));
  buf[n] = '\0';
  return buf;
}

static unsigned count_char(const char *s, char c) {
  unsigned n = 0;
  for (; *s; s++) n += *s == c;
  return n;
}

static void test_mode_parse(void **state) {
  static const char *const bad[] = {"Bar", "BAR", "", "jsonx", "json ", " off", "of", "none", "1"};
  sim_progress_mode m = SIM_PROGRESS_JSON;
  (void)state;
  assert_int_equal(sim_progress_mode_parse("bar", &m), 0);
  assert_int_equal(m, SIM_PROGRESS_BAR);
  assert_int_equal(sim_progress_mode_parse("json", &m), 0);
  assert_int_equal(m, SIM_PROGRESS_JSON);
  assert_int_equal(sim_progress_mode_parse("off", &m), 0);
  assert_int_equal(m, SIM_PROGRESS_OFF);
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    m = SIM_PROGRESS_BAR;
    if (sim_progress_mode_parse(bad[i], &m) != -1) fail_msg("\"%s\" accepted", bad[i]);
    assert_int_equal(m, SIM_PROGRESS_BAR);
  }
  assert_int_equal(sim_progress_mode_parse(NULL, &m), -1);
}

/* 500 of 2000 after 2 s: 250 a second, 1500 left -> 6 s. Then all 2000 at 8 s: still 250 a
 * second, nothing left. 123 of 456 after 1.5 s: 82 a second, 333 / 82 = 4.0609... s. */
static void test_json_known_answers(void **state) {
  FILE *f = tmpfile();
  sim_progress p;
  (void)state;
  assert_non_null(f);
  sim_progress_start(&p, SIM_PROGRESS_JSON, f, "run", 0.0);
  assert_string_equal(contents(f), "");
  sim_progress_update(&p, 500, 2000, 2, 2.0);
  sim_progress_update(&p, 2000, 2000, 3, 8.0);
  assert_int_equal(sim_progress_end(&p, 8.0), 0);
  assert_string_equal(contents(f),
                      "{\"event\":\"progress\",\"what\":\"run\",\"done\":500,\"total\":2000,\"round\":2,"
                      "\"elapsed_s\":2.000,\"rate\":250.000,\"eta_s\":6.000}\n"
                      "{\"event\":\"progress\",\"what\":\"run\",\"done\":2000,\"total\":2000,\"round\":3,"
                      "\"elapsed_s\":8.000,\"rate\":250.000,\"eta_s\":0.000}\n"
                      "{\"event\":\"end\",\"what\":\"run\",\"done\":2000,\"total\":2000,\"round\":3,"
                      "\"elapsed_s\":8.000,\"rate\":250.000}\n");
  fclose(f);

  f = tmpfile();
  assert_non_null(f);
  sim_progress_start(&p, SIM_PROGRESS_JSON, f, "shard 3/16", 10.0);
  sim_progress_update(&p, 123, 456, 0, 11.5);
  assert_string_equal(contents(f),
                      "{\"event\":\"progress\",\"what\":\"shard 3/16\",\"done\":123,\"total\":456,\"round\":0,"
                      "\"elapsed_s\":1.500,\"rate\":82.000,\"eta_s\":4.061}\n");
  fclose(f);
}

/* One line a second at most; the first call always prints; the end line carries the
 * figures of an update that was not printed. */
static void test_json_rate_limit(void **state) {
  FILE *f = tmpfile();
  sim_progress p;
  const char *s;
  (void)state;
  assert_non_null(f);
  sim_progress_start(&p, SIM_PROGRESS_JSON, f, "merge", 0.0);
  sim_progress_update(&p, 10, 100, 0, 1.0);
  sim_progress_update(&p, 11, 100, 0, 1.1);
  assert_int_equal(count_char(contents(f), '\n'), 1);
  sim_progress_update(&p, 19, 100, 0, 1.9);
  assert_int_equal(count_char(contents(f), '\n'), 1);
  sim_progress_update(&p, 20, 100, 0, 2.0);
  sim_progress_update(&p, 77, 100, 1, 2.5);
  assert_int_equal(sim_progress_end(&p, 4.0), 0);
  s = contents(f);
  assert_int_equal(count_char(s, '\n'), 3);
  assert_non_null(strstr(s, "\"done\":10,"));
  assert_null(strstr(s, "\"done\":11,"));
  assert_null(strstr(s, "\"done\":19,"));
  assert_non_null(strstr(s, "\"done\":20,\"total\":100,\"round\":0,\"elapsed_s\":2.000,\"rate\":10.000,\"eta_s\":8.000}"));
  assert_non_null(strstr(s, "{\"event\":\"end\",\"what\":\"merge\",\"done\":77,\"total\":100,\"round\":1,"
                            "\"elapsed_s\":4.000,\"rate\":19.250}\n"));
  fclose(f);
}

/* Unknown total: total and ETA null. No time yet: rate null. Nothing done yet: rate 0,
 * ETA null. Every line is a JSON object a parser accepts. */
static void test_json_unknown(void **state) {
  FILE *f = tmpfile();
  sim_progress p;
  const char *s, *line;
  unsigned lines = 0;
  (void)state;
  assert_non_null(f);
  sim_progress_start(&p, SIM_PROGRESS_JSON, f, "run", 5.0);
  sim_progress_update(&p, 0, 0, 0, 5.0);
  sim_progress_update(&p, 300, 0, 1, 7.0);
  sim_progress_update(&p, 0, 50, 1, 9.0);
  s = contents(f);
  assert_string_equal(s,
                      "{\"event\":\"progress\",\"what\":\"run\",\"done\":0,\"total\":null,\"round\":0,"
                      "\"elapsed_s\":0.000,\"rate\":null,\"eta_s\":null}\n"
                      "{\"event\":\"progress\",\"what\":\"run\",\"done\":300,\"total\":null,\"round\":1,"
                      "\"elapsed_s\":2.000,\"rate\":150.000,\"eta_s\":null}\n"
                      "{\"event\":\"progress\",\"what\":\"run\",\"done\":0,\"total\":50,\"round\":1,"
                      "\"elapsed_s\":4.000,\"rate\":0.000,\"eta_s\":null}\n");
  for (line = s; *line; line = strchr(line, '\n') + 1) {
    json_error_t je;
    json_t *o = json_loadb(line, (size_t)(strchr(line, '\n') - line), 0, &je);
    if (!o) fail_msg("not JSON: %s", je.text);
    assert_true(json_is_object(o));
    assert_true(json_is_null(json_object_get(o, "eta_s")));
    json_decref(o);
    lines++;
  }
  assert_int_equal(lines, 3);
  fclose(f);
}

/* Quotes, backslashes and control characters escaped; a name longer than kept is cut
 * before a UTF-8 character it would split. */
static void test_json_escape(void **state) {
  char long_what[80];
  FILE *f = tmpfile();
  sim_progress p;
  json_error_t je;
  json_t *o;
  const char *s;
  (void)state;
  assert_non_null(f);
  sim_progress_start(&p, SIM_PROGRESS_JSON, f, "a\"b\\c\nd\x01", 0.0);
  sim_progress_update(&p, 1, 2, 0, 1.0);
  s = contents(f);
  assert_non_null(strstr(s, "\"what\":\"a\\\"b\\\\c\\u000ad\\u0001\","));
  o = json_loads(s, 0, &je);
  assert_non_null(o);
  assert_string_equal(json_string_value(json_object_get(o, "what")), "a\"b\\c\nd\x01");
  json_decref(o);
  fclose(f);

  /* 62 x and a 2-byte e-acute: 64 bytes, one more than kept; the cut falls inside the
   * e-acute, which is dropped whole. */
  memset(long_what, 'x', 62);
  strcpy(long_what + 62, "\xc3\xa9yz");
  f = tmpfile();
  assert_non_null(f);
  sim_progress_start(&p, SIM_PROGRESS_JSON, f, long_what, 0.0);
  sim_progress_update(&p, 1, 2, 0, 1.0);
  o = json_loads(contents(f), 0, &je);
  if (!o) fail_msg("not JSON: %s", je.text);
  long_what[62] = '\0';
  assert_string_equal(json_string_value(json_object_get(o, "what")), long_what);
  json_decref(o);
  fclose(f);
}

/* 1 of 3726 after 1 s: 1 a second, 3725 s left = 1 h 2 min 5 s; the name, a 30-column bar
 * (the widest) with nothing filled, 1/3726 = 0.027 % shown rounded down to a tenth. */
static void test_bar_known_answers(void **state) {
  FILE *f = tmpfile();
  sim_progress p;
  (void)state;
  assert_non_null(f);
  sim_progress_start(&p, SIM_PROGRESS_BAR, f, "run", 0.0);
  sim_progress_update(&p, 1, 3726, 0, 1.0);
  assert_string_equal(contents(f), "\rrun [..............................]   0.0% 1/3.7k 1.0/s ETA 1:02:05");
  fclose(f);

  /* 1.2M of 4.0M after 10 s: 120k a second, 2.8M left -> 23.33 s. The figures take 43
   * columns and the name 11, leaving 79 - 11 - 43 - 3 = 22 for the bar; 30 % fills 6. */
  f = tmpfile();
  assert_non_null(f);
  sim_progress_start(&p, SIM_PROGRESS_BAR, f, "sensitivity", 0.0);
  sim_progress_update(&p, 1200000, 4000000, 4, 10.0);
  assert_string_equal(contents(f),
                      "\rsensitivity [######................]  30.0% 1.2M/4.0M 120.0k/s ETA 0:23 round 4");
  fclose(f);

  /* 83 s left: m:ss. Unknown total: no bar, no percent, ETA ?. */
  f = tmpfile();
  assert_non_null(f);
  sim_progress_start(&p, SIM_PROGRESS_BAR, f, "merge", 0.0);
  sim_progress_update(&p, 1, 84, 0, 1.0);
  assert_non_null(strstr(contents(f), " ETA 1:23"));
  fclose(f);
  f = tmpfile();
  assert_non_null(f);
  sim_progress_start(&p, SIM_PROGRESS_BAR, f, "merge", 0.0);
  sim_progress_update(&p, 4600, 0, 2, 2.0);
  assert_string_equal(contents(f), "\rmerge 4.6k/? 2.3k/s ETA ? round 2");
  fclose(f);
}

/* The end line: the last figures with the elapsed time, then a newline. */
static void test_bar_end(void **state) {
  FILE *f = tmpfile();
  sim_progress p;
  (void)state;
  assert_non_null(f);
  sim_progress_start(&p, SIM_PROGRESS_BAR, f, "run", 100.0);
  sim_progress_update(&p, 10, 20, 1, 101.0);
  sim_progress_update(&p, 20, 20, 1, 101.05); /* not drawn: 0.05 s after the last */
  assert_int_equal(sim_progress_end(&p, 108.0), 0);
  assert_string_equal(contents(f), "\rrun [###############...............]  50.0% 10/20 10/s ETA 0:01 round 1"
                                   "\rrun [##############################] 100.0% 20/20 2.5/s in 0:08 round 1\n");
  fclose(f);
}

/* At most 10 redraws a second: drawn at 0, 0.1, 0.2 and 0.3 (0.3 - 0.2 is a hair under
 * 0.1 in binary, yet a tenth of a second), not at 0.35 or 0.39. */
static void test_bar_rate_limit(void **state) {
  static const double t[] = {0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.35, 0.39};
  FILE *f = tmpfile();
  sim_progress p;
  const char *s;
  (void)state;
  assert_non_null(f);
  sim_progress_start(&p, SIM_PROGRESS_BAR, f, "run", 0.0);
  for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) sim_progress_update(&p, i, 100, 0, t[i]);
  s = contents(f);
  assert_int_equal(count_char(s, '\r'), 4);
  assert_non_null(strstr(strrchr(s, '\r'), " 5/100 "));
  fclose(f);
}

/* Every drawn line (between \r and the next \r or \n) fits in 79 columns. */
static void assert_lines_fit(const char *s) {
  while ((s = strchr(s, '\r'))) {
    size_t n = strcspn(s + 1, "\r\n");
    if (n > SIM_PROGRESS_COLUMNS) fail_msg("%zu columns: %.*s", n, (int)n, s + 1);
    s++;
  }
}

/* The widest figures there are: counts near 2^64, a huge rate, an ETA of centuries, the
 * largest round, a long name. */
static void test_bar_width(void **state) {
  static const char *const names[] = {"", "run", "shard 65535/65535 of a very long sweep name that goes on and on"};
  FILE *f = tmpfile();
  sim_progress p;
  const char *s;
  (void)state;
  assert_non_null(f);
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    sim_progress_start(&p, SIM_PROGRESS_BAR, f, names[i], 0.0);
    sim_progress_update(&p, UINT64_MAX / 2, UINT64_MAX, UINT_MAX, 1e-6);
    sim_progress_update(&p, 1, UINT64_MAX, UINT_MAX, 1e6);
    sim_progress_update(&p, UINT64_MAX, 0, UINT_MAX, 2e6);
    sim_progress_update(&p, 999999, 999999999, UINT_MAX, 3e6);
    assert_int_equal(sim_progress_end(&p, 4e6), 0);
  }
  s = contents(f);
  assert_lines_fit(s);
  assert_non_null(strstr(s, "9.2E/18.4E"));
  assert_non_null(strstr(s, "ETA >999h"));
  assert_non_null(strstr(s, "1.0M/1.0G"));
  assert_non_null(strstr(s, " round 4294967295"));
  /* A bar is still drawn beside the widest figures. */
  assert_non_null(strstr(s, "[####"));
  fclose(f);
}

/* A shorter line blanks the rest of the longer one before it. */
static void test_bar_shorter_line(void **state) {
  FILE *f = tmpfile();
  sim_progress p;
  const char *s, *second;
  size_t first_n, second_n;
  (void)state;
  assert_non_null(f);
  sim_progress_start(&p, SIM_PROGRESS_BAR, f, "merge", 0.0);
  sim_progress_update(&p, 123456, 0, 99, 1.0);
  sim_progress_update(&p, 5, 0, 0, 2.0);
  s = contents(f);
  assert_int_equal(s[0], '\r');
  second = strchr(s + 1, '\r');
  assert_non_null(second);
  first_n = (size_t)(second - s - 1);
  second_n = strlen(second + 1);
  assert_string_equal(s, "\rmerge 123.5k/? 123.5k/s ETA ? round 99"
                         "\rmerge 5/? 2.5/s ETA ?                 ");
  assert_int_equal(first_n, second_n);
  fclose(f);
}

/* A full disk: the writes look fine until the flush, which sim_progress_end reports. */
static void test_write_error(void **state) {
  static const sim_progress_mode modes[] = {SIM_PROGRESS_JSON, SIM_PROGRESS_BAR};
  sim_progress p;
  (void)state;
  for (size_t i = 0; i < 2; i++) {
    FILE *f = fopen("/dev/full", "w");
    assert_non_null(f);
    sim_progress_start(&p, modes[i], f, "run", 0.0);
    sim_progress_update(&p, 1, 2, 0, 1.0);
    assert_int_equal(sim_progress_end(&p, 2.0), -1);
    fclose(f);
    /* Also with only the end line written. */
    f = fopen("/dev/full", "w");
    assert_non_null(f);
    sim_progress_start(&p, modes[i], f, "run", 0.0);
    assert_int_equal(sim_progress_end(&p, 2.0), -1);
    fclose(f);
  }
}

/* Off, or no stream: nothing written, nothing to report. */
static void test_off(void **state) {
  FILE *f = tmpfile();
  sim_progress p;
  (void)state;
  assert_non_null(f);
  sim_progress_start(&p, SIM_PROGRESS_OFF, f, "run", 0.0);
  sim_progress_update(&p, 1, 2, 1, 1.0);
  assert_int_equal(sim_progress_end(&p, 2.0), 0);
  assert_string_equal(contents(f), "");
  fclose(f);
  sim_progress_start(&p, SIM_PROGRESS_JSON, NULL, "run", 0.0);
  sim_progress_update(&p, 1, 2, 1, 1.0);
  assert_int_equal(sim_progress_end(&p, 2.0), 0);
}

/* The clock moves forward. */
static void test_now(void **state) {
  double a = sim_progress_now(), b = sim_progress_now();
  (void)state;
  assert_true(a > 0);
  assert_true(b >= a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_mode_parse),       cmocka_unit_test(test_json_known_answers),
      cmocka_unit_test(test_json_rate_limit),  cmocka_unit_test(test_json_unknown),
      cmocka_unit_test(test_json_escape),      cmocka_unit_test(test_bar_known_answers),
      cmocka_unit_test(test_bar_end),          cmocka_unit_test(test_bar_rate_limit),
      cmocka_unit_test(test_bar_width),        cmocka_unit_test(test_bar_shorter_line),
      cmocka_unit_test(test_write_error),      cmocka_unit_test(test_off),
      cmocka_unit_test(test_now),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
