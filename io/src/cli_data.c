/* Where a program's default data files are (scenario and attack files): the working
 * directory first, as --help says; then the files that came with the program, found from
 * the executable's own path, so an installed tree can move (cmake --install --prefix). */
#define _DEFAULT_SOURCE /* realpath */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/cli.h"

/* Set by io/CMakeLists.txt: the build tree's program directory, the source tree, and the
 * data directory relative to an installed program's directory ("../share/efcsim"). */
#ifndef EFC_BUILD_BIN_DIR
#error EFC_BUILD_BIN_DIR, EFC_SOURCE_DIR and EFC_DATA_FROM_BIN come from io/CMakeLists.txt
#endif

/* The directory of the running executable, or -1. */
static int exe_dir(char *out, size_t cap) {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  char *slash;
  if (n <= 0) return -1;
  buf[n] = '\0';
  if (!(slash = strrchr(buf, '/'))) return -1;
  *slash = '\0';
  return (size_t)snprintf(out, cap, "%s", buf) < cap ? 0 : -1;
}

/* rel in the data tree that came with the program, as a canonical path in out: 0, or -1. */
static int data_installed(char *out, size_t cap, const char *rel) {
  char dir[PATH_MAX], real_dir[PATH_MAX], real_build[PATH_MAX], path[PATH_MAX];
  int n;
  if (exe_dir(dir, sizeof(dir)) != 0) return -1;
  /* A program still in the build tree uses the source tree's files. */
  if (realpath(dir, real_dir) && realpath(EFC_BUILD_BIN_DIR, real_build) && strcmp(real_dir, real_build) == 0)
    n = snprintf(path, sizeof(path), "%s/%s", EFC_SOURCE_DIR, rel);
  else
    n = snprintf(path, sizeof(path), "%s/%s/%s", dir, EFC_DATA_FROM_BIN, rel);
  /* Without "bin/..": the name goes into reports and messages. */
  if (n < 0 || (size_t)n >= sizeof(path) || !realpath(path, real_dir)) return -1;
  return (size_t)snprintf(out, cap, "%s", real_dir) < cap ? 0 : -1;
}

int io_cli_data_find(char *out, size_t cap, const char *rel) {
  if (access(rel, F_OK) != 0 && data_installed(out, cap, rel) == 0) return 0;
  /* In the working directory, or nowhere: the name as given, for the reader's error. */
  return (size_t)snprintf(out, cap, "%s", rel) < cap ? 0 : -1;
}
