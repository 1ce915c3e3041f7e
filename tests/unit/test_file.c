/* The file library: outputs appear whole or not at all, special files are never replaced,
 * a write that fails (here: the file size limit, RLIMIT_FSIZE, as on a full disk) is an
 * error naming the file and leaves neither a partial output nor a temporary, the sweep
 * removes the temporaries of dead writers only, and a journal mends a line cut by a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "file/out.h"

static char dir[64];

static void path_in(char *out, size_t cap, const char *name) { snprintf(out, cap, "%s/%s", dir, name); }

/* The whole content of path into buf (NUL-terminated); its length, or -1 when missing. */
static long slurp(const char *path, char *buf, size_t cap) {
  FILE *f = fopen(path, "rb");
  size_t n;
  if (!f) return -1;
  n = fread(buf, 1, cap - 1, f);
  buf[n] = '\0';
  fclose(f);
  return (long)n;
}

/* How many names in the fixture directory contain ".tmp.". */
static int count_tmp(void) {
  char cmd[128], line[64];
  FILE *p;
  snprintf(cmd, sizeof(cmd), "ls -a %s | grep -c '\\.tmp\\.'", dir);
  p = popen(cmd, "r");
  assert_non_null(p);
  assert_non_null(fgets(line, sizeof(line), p));
  pclose(p);
  return atoi(line);
}

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof(dir), "/tmp/efc-test-file-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  char cmd[128];
  (void)state;
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static void test_out_commit_and_abort(void **state) {
  char path[128], buf[64], err[256];
  file_out *o;
  struct stat st;
  (void)state;
  path_in(path, sizeof(path), "a.txt");
  assert_int_equal(file_out_open(&o, path, 0, err, sizeof(err)), 0);
  fprintf(file_out_stream(o), "one %d\n", 1);
  assert_int_equal(file_out_write(o, "two\n", 4, err, sizeof(err)), 0);
  assert_int_equal(slurp(path, buf, sizeof(buf)), -1); /* not there before the commit */
  assert_int_equal(count_tmp(), 1);
  assert_int_equal(file_out_commit(o, err, sizeof(err)), 0);
  assert_int_equal(slurp(path, buf, sizeof(buf)), 10);
  assert_string_equal(buf, "one 1\ntwo\n");
  assert_int_equal(count_tmp(), 0);
  /* An abort leaves the old content and no temporary. */
  assert_int_equal(file_out_open(&o, path, 0, err, sizeof(err)), 0);
  fprintf(file_out_stream(o), "three\n");
  file_out_abort(o);
  assert_int_equal(slurp(path, buf, sizeof(buf)), 10);
  assert_int_equal(count_tmp(), 0);
  /* Private files are 0600. */
  assert_int_equal(file_write_atomic(path, "k", 1, FILE_OUT_PRIVATE, err, sizeof(err)), 0);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  /* No replace: refused, and the old content stays. */
  assert_int_equal(file_write_atomic(path, "new", 3, FILE_OUT_NO_REPLACE, err, sizeof(err)), FILE_ERR_EXISTS);
  assert_non_null(strstr(err, path));
  assert_int_equal(slurp(path, buf, sizeof(buf)), 1);
}

static void test_out_refuses_special_files(void **state) {
  char path[128], link_path[128], err[256];
  file_out *o;
  struct stat before, after;
  (void)state;
  assert_int_equal(stat("/dev/null", &before), 0);
  assert_int_equal(file_write_atomic("/dev/null", "x", 1, 0, err, sizeof(err)), FILE_ERR_NOT_REGULAR);
  assert_string_equal(err, "/dev/null: exists and is not a regular file; refusing to replace it");
  assert_int_equal(stat("/dev/null", &after), 0);
  assert_true(S_ISCHR(after.st_mode));
  assert_int_equal(after.st_ino, before.st_ino);
  /* A directory, and a symbolic link (rename would replace the link, not its target). */
  path_in(path, sizeof(path), "sub");
  assert_int_equal(mkdir(path, 0700), 0);
  assert_int_equal(file_out_open(&o, path, 0, err, sizeof(err)), FILE_ERR_NOT_REGULAR);
  assert_null(o);
  path_in(link_path, sizeof(link_path), "link");
  assert_int_equal(symlink("/dev/null", link_path), 0);
  assert_int_equal(file_write_atomic(link_path, "x", 1, 0, err, sizeof(err)), FILE_ERR_NOT_REGULAR);
  assert_int_equal(file_journal_open((file_journal **)&o, link_path, 0, err, sizeof(err)), FILE_ERR_NOT_REGULAR);
  assert_int_equal(count_tmp(), 0);
}

/* A child process with a 1-block file size limit writes 64 KiB: the write fails (EFBIG) the
 * way it would on a full disk. Its exit status: 0 when every expectation held. */
static int failing_child(const char *path) {
  struct rlimit rl = {512, 512};
  char err[256];
  static char big[65536];
  file_out *o;
  int rv;
  signal(SIGXFSZ, SIG_IGN);
  if (setrlimit(RLIMIT_FSIZE, &rl) != 0) return 10;
  if (file_out_open(&o, path, 0, err, sizeof(err)) != 0) return 11;
  memset(big, 'x', sizeof(big));
  fwrite(big, 1, sizeof(big), file_out_stream(o)); /* buffered: the error shows at commit */
  rv = file_out_commit(o, err, sizeof(err));
  if (rv != FILE_ERR_IO) return 12;
  if (strncmp(err, path, strlen(path)) != 0 || !strstr(err, "cannot write")) return 13;
  return 0;
}

static void test_out_failed_write_leaves_nothing(void **state) {
  char path[128], buf[64], err[256];
  pid_t pid;
  int status;
  (void)state;
  path_in(path, sizeof(path), "full.txt");
  assert_int_equal(file_write_atomic(path, "old\n", 4, 0, err, sizeof(err)), 0);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) _exit(failing_child(path));
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_int_equal(slurp(path, buf, sizeof(buf)), 4); /* the old output, whole */
  assert_int_equal(count_tmp(), 0);
}

static void test_sweep_removes_dead_writers_only(void **state) {
  char path[128], dead[160], live[160], other[160], odd[160], err[256];
  pid_t pid;
  int status;
  (void)state;
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) _exit(0);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  path_in(path, sizeof(path), "claims.jsonl");
  snprintf(dead, sizeof(dead), "%s.tmp.%ld.0", path, (long)pid);
  snprintf(live, sizeof(live), "%s.tmp.%ld.3", path, (long)getpid());
  snprintf(other, sizeof(other), "%s/other.pcap.tmp.%ld.0", dir, (long)pid);
  snprintf(odd, sizeof(odd), "%s.tmp.notapid", path);
  assert_int_equal(file_write_atomic(dead, "d", 1, 0, err, sizeof(err)), 0);
  assert_int_equal(file_write_atomic(live, "l", 1, 0, err, sizeof(err)), 0);
  assert_int_equal(file_write_atomic(other, "o", 1, 0, err, sizeof(err)), 0);
  assert_int_equal(file_write_atomic(odd, "?", 1, 0, err, sizeof(err)), 0);
  assert_int_equal(file_tmp_sweep(path, err, sizeof(err)), 1);
  assert_int_equal(access(dead, F_OK), -1);
  assert_int_equal(access(live, F_OK), 0);
  assert_int_equal(access(other, F_OK), 0);
  assert_int_equal(file_tmp_sweep_dir(dir, err, sizeof(err)), 1);
  assert_int_equal(access(other, F_OK), -1);
  assert_int_equal(access(live, F_OK), 0);
  assert_int_equal(access(odd, F_OK), 0);
  unlink(live);
  unlink(odd);
}

static void test_journal_appends_and_mends(void **state) {
  char path[128], buf[128], err[256];
  file_journal *j;
  FILE *f;
  (void)state;
  path_in(path, sizeof(path), "j.jsonl");
  assert_int_equal(file_journal_open(&j, path, 0, err, sizeof(err)), 0);
  assert_int_equal(file_journal_append(j, "{\"a\":1}\n", 8, err, sizeof(err)), 0);
  assert_int_equal(file_journal_close(j, err, sizeof(err)), 0);
  /* A crash cut the next record short. */
  f = fopen(path, "ab");
  assert_non_null(f);
  fputs("{\"b\":", f);
  assert_int_equal(fclose(f), 0);
  assert_int_equal(file_journal_open(&j, path, 0, err, sizeof(err)), 0);
  assert_int_equal(file_journal_append(j, "{\"c\":3}\n", 8, err, sizeof(err)), 0);
  assert_int_equal(file_journal_close(j, err, sizeof(err)), 0);
  assert_true(slurp(path, buf, sizeof(buf)) > 0);
  assert_string_equal(buf, "{\"a\":1}\n{\"b\":\n{\"c\":3}\n");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_out_commit_and_abort, setup, teardown),
      cmocka_unit_test_setup_teardown(test_out_refuses_special_files, setup, teardown),
      cmocka_unit_test_setup_teardown(test_out_failed_write_leaves_nothing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sweep_removes_dead_writers_only, setup, teardown),
      cmocka_unit_test_setup_teardown(test_journal_appends_and_mends, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
