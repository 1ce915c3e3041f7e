/* --version, the options before a command, the version sidecar and the default data files
 * (io/include/io/cli.h): what every program's --version and stamps rest on. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "io/cli.h"

static void test_version(void **state) {
  const char *v = io_cli_version();
  char line[64];
  size_t n = strlen(v);
  (void)state;
  /* "efcsim X.Y.Z (COMMIT)", COMMIT a hex hash, with "+dirty" perhaps, or "unknown". */
  assert_true(strncmp(v, "efcsim ", 7) == 0);
  assert_non_null(strstr(v, " ("));
  assert_true(n > 10 && v[n - 1] == ')');
  if (strcmp(strstr(v, " ("), " (unknown)") != 0) {
    const char *c = strstr(v, " (") + 2;
    size_t hex = strspn(c, "0123456789abcdef");
    assert_true(hex >= 4);
    if (strcmp(c + hex, ")") != 0) assert_string_equal(c + hex, "+dirty)");
  }
  assert_int_equal(io_cli_version_line(line, sizeof(line), "efc-x"), 0);
  assert_true(strncmp(line, "efc-x efcsim ", 13) == 0);
  assert_string_equal(line + 6, v);
  assert_int_equal(io_cli_version_line(line, 8, "efc-x"), -1);
}

static int usage_calls;
static void count_usage(FILE *out) {
  (void)out;
  usage_calls++;
}

static int main_opt(const char *a1) {
  char prog[] = "efc-x", arg[64];
  char *argv[3] = {prog, arg, NULL};
  if (!a1) return io_cli_main_opt(1, argv, "efc-x", count_usage);
  snprintf(arg, sizeof(arg), "%s", a1);
  return io_cli_main_opt(2, argv, "efc-x", count_usage);
}

static void test_main_opt(void **state) {
  (void)state;
  usage_calls = 0;
  /* A command, nothing, "-" and "--" are the program's to handle; optind is ready for it. */
  assert_int_equal(main_opt(NULL), -1);
  assert_int_equal(main_opt("run"), -1);
  assert_int_equal(optind, 1);
  assert_int_equal(main_opt("-"), -1);
  assert_int_equal(main_opt("--"), -1);
  assert_int_equal(usage_calls, 0);
  assert_int_equal(main_opt("--help"), IO_CLI_EXIT_OK);
  assert_int_equal(main_opt("-h"), IO_CLI_EXIT_OK);
  assert_int_equal(usage_calls, 2);
  assert_int_equal(main_opt("--version"), IO_CLI_EXIT_OK);
  assert_int_equal(main_opt("--vers"), IO_CLI_EXIT_OK); /* getopt_long's unique prefix */
  assert_int_equal(main_opt("--version=1"), IO_CLI_EXIT_USAGE);
  assert_int_equal(main_opt("--frob"), IO_CLI_EXIT_USAGE);
  assert_int_equal(main_opt("-x"), IO_CLI_EXIT_USAGE);
  assert_int_equal(usage_calls, 2);
  assert_int_equal(optind, 1);
}

static void read_file(const char *path, char *out, size_t cap) {
  FILE *f = fopen(path, "r");
  size_t n;
  assert_non_null(f);
  n = fread(out, 1, cap - 1, f);
  out[n] = '\0';
  fclose(f);
}

static void test_sidecar(void **state) {
  char dir[] = "/tmp/efc-sidecar.XXXXXX", path[256], got[512], want[512], line[128], err[300];
  DIR *d;
  struct dirent *e;
  int files = 0;
  (void)state;
  assert_non_null(mkdtemp(dir));
  /* A name JSON must escape: quote, backslash, a control character. */
  snprintf(path, sizeof(path), "%s/a\"b\\c\td.pcap", dir);
  assert_int_equal(io_cli_sidecar_write(path, "efc-x", err, sizeof(err)), 0);
  assert_int_equal(io_cli_version_line(line, sizeof(line), "efc-x"), 0);
  snprintf(want, sizeof(want), "{\n \"file\": \"a\\\"b\\\\c\\u0009d.pcap\",\n \"written_by\": \"%s\"\n}\n", line);
  snprintf(path, sizeof(path), "%s/a\"b\\c\td.pcap.json", dir);
  read_file(path, got, sizeof(got));
  assert_string_equal(got, want);
  /* Written again in place, and no temporary left beside it. */
  snprintf(path, sizeof(path), "%s/a\"b\\c\td.pcap", dir);
  assert_int_equal(io_cli_sidecar_write(path, "efc-x", err, sizeof(err)), 0);
  assert_non_null(d = opendir(dir));
  while ((e = readdir(d)))
    if (e->d_name[0] != '.') files++;
  closedir(d);
  assert_int_equal(files, 1);
  snprintf(path, sizeof(path), "%s/a\"b\\c\td.pcap.json", dir);
  assert_int_equal(unlink(path), 0);
  /* A directory that is not there: an error naming the file, nothing written. */
  snprintf(path, sizeof(path), "%s/none/x.pcap", dir);
  assert_int_equal(io_cli_sidecar_write(path, "efc-x", err, sizeof(err)), -1);
  assert_non_null(strstr(err, "/none/x.pcap.json"));
  assert_int_equal(rmdir(dir), 0);
}

static void test_data_find(void **state) {
  char dir[] = "/tmp/efc-data.XXXXXX", old[4096], out[4096];
  (void)state;
  assert_non_null(getcwd(old, sizeof(old)));
  assert_non_null(mkdtemp(dir));
  assert_int_equal(chdir(dir), 0);
  /* Neither here nor beside this test program (build/tests has no ../share/efcsim): as given. */
  assert_int_equal(io_cli_data_find(out, sizeof(out), "scenarios/attacks"), 0);
  assert_string_equal(out, "scenarios/attacks");
  /* The working directory's own comes first. */
  assert_int_equal(mkdir("scenarios", 0755), 0);
  assert_int_equal(mkdir("scenarios/attacks", 0755), 0);
  assert_int_equal(io_cli_data_find(out, sizeof(out), "scenarios/attacks"), 0);
  assert_string_equal(out, "scenarios/attacks");
  assert_int_equal(io_cli_data_find(out, 4, "scenarios/attacks"), -1);
  assert_int_equal(rmdir("scenarios/attacks"), 0);
  assert_int_equal(rmdir("scenarios"), 0);
  assert_int_equal(chdir(old), 0);
  assert_int_equal(rmdir(dir), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_version),
      cmocka_unit_test(test_main_opt),
      cmocka_unit_test(test_sidecar),
      cmocka_unit_test(test_data_find),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
