/* The command-line rules every efc-* program shares: number options with their ranges and
 * overflow, and getopt_long's errors as one line naming the option. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "io/cli.h"

static void expect_u64(const char *s, uint64_t lo, uint64_t hi, int rv, uint64_t want, const char *msg) {
  uint64_t v = 12345;
  char err[200] = "";
  assert_int_equal(io_cli_u64_parse(&v, "--n", s, lo, hi, err, sizeof(err)), rv);
  if (rv == 0) {
    assert_true(v == want);
  } else {
    assert_true(v == 12345);
    if (strcmp(err, msg) != 0) fail_msg("'%s': error '%s', want '%s'", s, err, msg);
  }
}

static void test_u64(void **state) {
  (void)state;
  expect_u64("0", 0, UINT64_MAX, 0, 0, NULL);
  expect_u64("007", 0, UINT64_MAX, 0, 7, NULL);
  expect_u64("18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX, NULL);
  expect_u64("18446744073709551616", 0, UINT64_MAX, -1, 0,
             "--n: expected a non-negative integer, got '18446744073709551616'");
  /* strtoull would take each of these, most as a huge number. */
  expect_u64("-1", 0, UINT64_MAX, -1, 0, "--n: expected a non-negative integer, got '-1'");
  expect_u64(" -1", 1, UINT64_MAX, -1, 0, "--n: expected a positive integer, got ' -1'");
  expect_u64(" 5", 0, UINT64_MAX, -1, 0, "--n: expected a non-negative integer, got ' 5'");
  expect_u64("+5", 0, UINT64_MAX, -1, 0, "--n: expected a non-negative integer, got '+5'");
  expect_u64("0x10", 0, UINT64_MAX, -1, 0, "--n: expected a non-negative integer, got '0x10'");
  expect_u64("5 ", 0, UINT64_MAX, -1, 0, "--n: expected a non-negative integer, got '5 '");
  expect_u64("1.5", 0, UINT64_MAX, -1, 0, "--n: expected a non-negative integer, got '1.5'");
  expect_u64("", 0, UINT64_MAX, -1, 0, "--n: expected a non-negative integer, got ''");
  expect_u64("0", 1, UINT64_MAX, -1, 0, "--n: expected a positive integer, got '0'");
  expect_u64("9", 10, UINT64_MAX, -1, 0, "--n: expected an integer from 10, got '9'");
  expect_u64("1", 1, 127, 0, 1, NULL);
  expect_u64("127", 1, 127, 0, 127, NULL);
  expect_u64("128", 1, 127, -1, 0, "--n: expected 1..127, got '128'");
  expect_u64("0", 1, 127, -1, 0, "--n: expected 1..127, got '0'");
}

static void test_u32(void **state) {
  uint32_t v = 7;
  char err[200];
  (void)state;
  assert_int_equal(io_cli_u32_parse(&v, "--t", "4294967295", 1, UINT32_MAX, err, sizeof(err)), 0);
  assert_true(v == UINT32_MAX);
  assert_int_equal(io_cli_u32_parse(&v, "--t", "4294967296", 1, UINT32_MAX, err, sizeof(err)), -1);
  assert_string_equal(err, "--t: expected a positive integer, got '4294967296'");
  assert_int_equal(io_cli_u32_parse(&v, "--t", "65536", 0, 65535, err, sizeof(err)), -1);
  assert_string_equal(err, "--t: expected 0..65535, got '65536'");
  assert_true(v == UINT32_MAX);
}

static void expect_double(const char *s, unsigned flags, int rv, double want) {
  double v = -7;
  char err[200] = "";
  assert_int_equal(io_cli_double_parse(&v, "--b", s, 0, 0.5, flags, err, sizeof(err)), rv);
  if (rv == 0) {
    assert_true(v == want);
  } else {
    assert_true(v == -7);
    assert_non_null(strstr(err, "--b: expected a number in "));
    assert_non_null(strstr(err, s));
  }
}

static void test_double(void **state) {
  char err[200];
  double v;
  (void)state;
  expect_double("0", 0, 0, 0);
  expect_double("0.25", 0, 0, 0.25);
  expect_double("1e-3", 0, 0, 1e-3);
  expect_double(".5", 0, 0, 0.5);
  expect_double("0.5", IO_CLI_BELOW_HI, -1, 0);
  expect_double("0", IO_CLI_ABOVE_LO, -1, 0);
  expect_double("-0.1", 0, -1, 0);
  expect_double("nan", 0, -1, 0);
  expect_double("inf", 0, -1, 0);
  expect_double("1e999", 0, -1, 0);
  expect_double(" 0.1", 0, -1, 0);
  expect_double("0.1x", 0, -1, 0);
  expect_double("", 0, -1, 0);
  assert_int_equal(io_cli_double_parse(&v, "--ber", "1", 0, 0.5, IO_CLI_BELOW_HI, err, sizeof(err)), -1);
  assert_string_equal(err, "--ber: expected a number in [0, 0.5), got '1'");
  assert_int_equal(io_cli_double_parse(&v, "--idle-ms", "0", 0, 1e9, IO_CLI_ABOVE_LO, err, sizeof(err)), -1);
  assert_string_equal(err, "--idle-ms: expected a number in (0, 1000000000], got '0'");
}

/* Runs io_cli_getopt over the words of line; returns the options seen as a string ("k=v j")
 * or the error. */
static void run_getopt(const char *line, char *seen, size_t cap) {
  static const struct option opts[] = {{"keys", required_argument, NULL, 'k'},
                                       {"json", no_argument, NULL, 'j'},
                                       {"batch", required_argument, NULL, 256},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  char buf[256], *argv[16], *save = NULL, err[200];
  int argc = 0, c;
  snprintf(buf, sizeof(buf), "prog %s", line);
  for (char *w = strtok_r(buf, " ", &save); w && argc < 15; w = strtok_r(NULL, " ", &save)) argv[argc++] = w;
  argv[argc] = NULL;
  seen[0] = '\0';
  optind = 0;
  while ((c = io_cli_getopt(argc, argv, opts, err, sizeof(err))) != -1) {
    size_t n = strlen(seen);
    if (c == '?') {
      snprintf(seen + n, cap - n, "error: %s", err);
      return;
    }
    snprintf(seen + n, cap - n, "%s%c%s%s", n ? " " : "", c == 256 ? 'B' : c, optarg ? "=" : "",
             optarg ? optarg : "");
  }
}

static void expect_getopt(const char *line, const char *want) {
  char seen[256];
  run_getopt(line, seen, sizeof(seen));
  if (strcmp(seen, want) != 0) fail_msg("'%s': got '%s', want '%s'", line, seen, want);
}

static void test_getopt(void **state) {
  (void)state;
  expect_getopt("--keys K --json -h", "k=K j h");
  expect_getopt("-k K -j --batch 5 --batch=6", "k=K j B=5 B=6");
  expect_getopt("--frob", "error: unknown option '--frob'");
  expect_getopt("-x", "error: unknown option '-x'");
  expect_getopt("--keys", "error: option '--keys' needs a value");
  expect_getopt("-k", "error: option '-k' needs a value");
  expect_getopt("--batch", "error: option '--batch' needs a value");
  expect_getopt("--json=1", "error: option '--json' takes no value");
  /* 256 is no letter: --batch has no short form. */
  expect_getopt("-B 5", "error: unknown option '-B'");
}

static int usage_calls;
static void count_usage(FILE *out) {
  (void)out;
  usage_calls++;
}

/* --help is exit 0 after the usage text; an error is a usage error. */
static void test_getopt_default(void **state) {
  (void)state;
  usage_calls = 0;
  assert_int_equal(io_cli_getopt_default('h', "prog", "", count_usage), IO_CLI_EXIT_OK);
  assert_int_equal(usage_calls, 1);
  assert_int_equal(io_cli_getopt_default('?', "prog", "unknown option '--x'", count_usage),
                   IO_CLI_EXIT_USAGE);
  assert_int_equal(usage_calls, 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_u64),
      cmocka_unit_test(test_u32),
      cmocka_unit_test(test_double),
      cmocka_unit_test(test_getopt),
      cmocka_unit_test(test_getopt_default),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
