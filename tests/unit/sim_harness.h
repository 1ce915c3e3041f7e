/* For the tests that run whole scenarios through sim_run and read their outputs back
 * (test_sim_verdicts, test_importance). Include after cmocka.h and jansson.h. */
#ifndef SIM_HARNESS_H
#define SIM_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/runner.h"
#include "sim/scenario.h"

static inline char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  rewind(f);
  buf = malloc((size_t)n + 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  if (buf) buf[n] = '\0';
  fclose(f);
  return buf;
}

/* summary.json without its "written_by" line (none is written here) and "wall" figures. */
static inline void run(const char *file, unsigned threads, const char *out) {
  static sim_scenario sc;
  sim_run_options o = {.out_dir = out, .threads = threads, .plots = false, .table = NULL};
  char err[512];
  if (sim_scenario_load(&sc, file, err, sizeof(err)) != 0) fail_msg("%s", err);
  if (sim_run(&sc, &o, err, sizeof(err)) != 0) fail_msg("%s", err);
}

static inline void same_file(const char *a, const char *b) {
  char *x = slurp(a), *y = slurp(b);
  assert_non_null(x);
  assert_non_null(y);
  if (strcmp(x, y) != 0) fail_msg("%s and %s differ", a, b);
  free(x);
  free(y);
}

/* Runs file on 1 and 2 threads into tmp/t1 and tmp/t2 (tmp made here) and asserts that the
 * two summary.json and passages.csv are the same; returns tmp/t1 in a. */
static inline void run_twice(const char *file, char *tmp, char *a, size_t cap) {
  char b[600], fa[700], fb[700];
  assert_non_null(mkdtemp(tmp));
  snprintf(a, cap, "%s/t1", tmp);
  snprintf(b, sizeof(b), "%s/t2", tmp);
  run(file, 1, a);
  run(file, 2, b);
  snprintf(fa, sizeof(fa), "%s/summary.json", a);
  snprintf(fb, sizeof(fb), "%s/summary.json", b);
  same_file(fa, fb);
  snprintf(fa, sizeof(fa), "%s/passages.csv", a);
  snprintf(fb, sizeof(fb), "%s/passages.csv", b);
  same_file(fa, fb);
}

static inline json_t *load(const char *dir) {
  char path[800];
  json_error_t je;
  json_t *root;
  snprintf(path, sizeof(path), "%s/summary.json", dir);
  root = json_load_file(path, 0, &je);
  if (!root) fail_msg("%s: %s", path, je.text);
  return root;
}

#endif
