/* io_pass_read, the passphrase reader of every program: the rules docs/keymgmt.md states
 * (one trailing line end dropped; empty, NUL-holding and too long passphrases refused), the
 * errors naming their source, and a buffer that holds nothing after an error or a wipe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "io/pass.h"

#define ENV "EFC_TEST_PASS"

static char dir[64];

static const char *path_of(const char *name) {
  static char path[128];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  return path;
}

/* Writes n octets to the file name in the fixture directory; returns its path. */
static const char *spit(const char *name, const void *data, size_t n) {
  const char *path = path_of(name);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, n, f), n);
  assert_int_equal(fclose(f), 0);
  return path;
}

static void assert_all_zero(const char *buf, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (buf[i]) fail_msg("octet %zu of the buffer is 0x%02x, not wiped", i, (unsigned char)buf[i]);
}

/* Reads file (or ENV when NULL) and expects the error rv with err naming needle. */
static void expect_error(const char *file, int rv, const char *needle) {
  char out[IO_PASS_MAX], err[256];
  memset(out, 'x', sizeof(out));
  assert_int_equal(io_pass_read(out, file, ENV, "--pass-file", err, sizeof(err)), rv);
  if (!strstr(err, needle)) fail_msg("error '%s' lacks '%s'", err, needle);
  assert_null(strchr(err, '\n'));
  assert_all_zero(out, sizeof(out));
}

static void expect_pass(const char *file, const char *want) {
  char out[IO_PASS_MAX], err[256] = "";
  if (io_pass_read(out, file, ENV, "--pass-file", err, sizeof(err)) != 0) fail_msg("%s", err);
  assert_string_equal(out, want);
  assert_all_zero(out + strlen(want), sizeof(out) - strlen(want));
  io_pass_wipe(out);
  assert_all_zero(out, sizeof(out));
}

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof(dir), "/tmp/efc-io-pass.XXXXXX");
  if (!mkdtemp(dir)) return -1;
  unsetenv(ENV);
  return 0;
}

static int teardown(void **state) {
  char cmd[128];
  (void)state;
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  return system(cmd) == 0 ? 0 : -1;
}

/* One trailing line end is dropped, and only one. */
static void test_newline(void **state) {
  (void)state;
  expect_pass(spit("plain", "secret", 6), "secret");
  expect_pass(spit("lf", "secret\n", 7), "secret");
  expect_pass(spit("crlf", "secret\r\n", 8), "secret");
  expect_pass(spit("two", "secret\n\n", 8), "secret\n");
  expect_pass(spit("lines", "one\ntwo\n", 8), "one\ntwo");
  expect_pass(spit("blank", " secret ", 8), " secret ");
  expect_error(spit("nl-only", "\n", 1), IO_PASS_ERR_BAD, "nl-only: empty passphrase");
  expect_error(spit("empty", "", 0), IO_PASS_ERR_BAD, "empty: empty passphrase");
}

static void test_nul_refused(void **state) {
  (void)state;
  expect_error(spit("nul", "sec\0ret\n", 8), IO_PASS_ERR_BAD, "nul: passphrase contains a NUL octet");
  expect_error(spit("nul-end", "secret\0", 7), IO_PASS_ERR_BAD, "NUL octet");
}

/* IO_PASS_LEN_MAX octets are taken, with or without their line end; one more is not. */
static void test_too_long(void **state) {
  static char buf[IO_PASS_MAX + 8], want[IO_PASS_MAX];
  char text[64];
  (void)state;
  memset(buf, 'p', sizeof(buf));
  memcpy(want, buf, IO_PASS_LEN_MAX);
  want[IO_PASS_LEN_MAX] = '\0';
  expect_pass(spit("max", buf, IO_PASS_LEN_MAX), want);
  memcpy(buf + IO_PASS_LEN_MAX, "\r\n", 2);
  expect_pass(spit("max-crlf", buf, IO_PASS_LEN_MAX + 2), want);
  memset(buf, 'p', sizeof(buf));
  snprintf(text, sizeof(text), "long: passphrase longer than %d octets", IO_PASS_LEN_MAX);
  expect_error(spit("long", buf, IO_PASS_LEN_MAX + 1), IO_PASS_ERR_BAD, text);
  expect_error(spit("long", buf, sizeof(buf)), IO_PASS_ERR_BAD, text);
  buf[IO_PASS_LEN_MAX + 1] = '\0';
  assert_int_equal(setenv(ENV, buf, 1), 0);
  expect_error(NULL, IO_PASS_ERR_BAD, ENV ": passphrase longer than");
  buf[IO_PASS_LEN_MAX] = '\0';
  assert_int_equal(setenv(ENV, buf, 1), 0);
  expect_pass(NULL, want);
  unsetenv(ENV);
}

static void test_missing_file(void **state) {
  (void)state;
  expect_error(path_of("nope"), IO_PASS_ERR_READ, "nope: cannot read passphrase file: No such file");
  /* A directory opens but cannot be read. */
  expect_error(dir, IO_PASS_ERR_READ, "cannot read passphrase file");
}

/* The file wins over the variable; without either the error names both sources. */
static void test_environment(void **state) {
  char out[IO_PASS_MAX], err[256];
  (void)state;
  expect_error(NULL, IO_PASS_ERR_NONE_GIVEN, "no passphrase: give --pass-file FILE or set " ENV);
  assert_int_equal(io_pass_read(out, NULL, ENV, "--out-pass-file", err, sizeof(err)),
                   IO_PASS_ERR_NONE_GIVEN);
  assert_non_null(strstr(err, "--out-pass-file FILE"));
  assert_int_equal(setenv(ENV, "from the environment\n", 1), 0);
  expect_pass(NULL, "from the environment\n"); /* no file: nothing is the editor's */
  expect_pass(spit("file", "from the file\n", 14), "from the file");
  assert_int_equal(setenv(ENV, "", 1), 0);
  expect_error(NULL, IO_PASS_ERR_BAD, ENV ": empty passphrase");
  unsetenv(ENV);
}

/* Reading from a pipe: the octets may come in pieces. */
static void test_pipe(void **state) {
  char out[IO_PASS_MAX], err[256], dev[64];
  int fds[2];
  (void)state;
  assert_int_equal(pipe(fds), 0);
  assert_int_equal(write(fds[1], "piped\n", 6), 6);
  close(fds[1]);
  snprintf(dev, sizeof(dev), "/dev/fd/%d", fds[0]);
  assert_int_equal(io_pass_read(out, dev, ENV, "--pass-file", err, sizeof(err)), 0);
  assert_string_equal(out, "piped");
  io_pass_wipe(out);
  close(fds[0]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_newline),     cmocka_unit_test(test_nul_refused),
      cmocka_unit_test(test_too_long),    cmocka_unit_test(test_missing_file),
      cmocka_unit_test(test_environment), cmocka_unit_test(test_pipe),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
