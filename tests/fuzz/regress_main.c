/* Runs a fuzz target as a plain program: over the seed vectors (no arguments), over given
 * corpus files (crash reproducers), or writes the seeds as a corpus directory for libFuzzer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../unit/vectors.h"

static tvec seeds[128];

static int run_file(const char *path) {
  static uint8_t buf[1 << 16];
  FILE *f = fopen(path, "rb");
  size_t n;
  if (!f) {
    fprintf(stderr, "%s: cannot open\n", path);
    return 1;
  }
  n = fread(buf, 1, sizeof(buf), f);
  fclose(f);
  LLVMFuzzerTestOneInput(buf, n);
  return 0;
}

int main(int argc, char **argv) {
  size_t n = tvec_load(FUZZ_SEED_FILE, seeds, 128);
  if (argc == 3 && strcmp(argv[1], "--write-corpus") == 0) {
    for (size_t i = 0; i < n; i++) {
      char path[4096];
      FILE *f;
      if (strlen(argv[2]) + strlen(seeds[i].name) + 2 > sizeof(path)) return 2;
      snprintf(path, sizeof(path), "%.3000s/%.64s", argv[2], seeds[i].name);
      if (!(f = fopen(path, "wb")) || fwrite(seeds[i].bytes, 1, seeds[i].len, f) != seeds[i].len ||
          fclose(f) != 0) {
        fprintf(stderr, "%s: cannot write\n", path);
        return 1;
      }
    }
    return 0;
  }
  if (argc > 1) {
    int bad = 0;
    for (int i = 1; i < argc; i++) bad |= run_file(argv[i]);
    return bad;
  }
  /* Every seed, and every truncation of every seed. */
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k <= seeds[i].len; k++) LLVMFuzzerTestOneInput(seeds[i].bytes, k);
  printf("%zu seeds from %s passed\n", n, FUZZ_SEED_FILE);
  return 0;
}
