/* Runs a fuzz target whose seeds are whole files (YAML, claims, status lists) as a plain
 * program: over the seed files (no arguments: each seed and its truncations), over given
 * files (crash reproducers), or copies the seeds into a corpus directory for libFuzzer.
 * FUZZ_SEED_PATHS lists the seed files, separated by '|'. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define SEED_MAX (1 << 20)

/* The file's bytes in a fresh buffer (*len set), or NULL. */
static uint8_t *slurp(const char *path, size_t *len) {
  uint8_t *buf = malloc(SEED_MAX);
  FILE *f = fopen(path, "rb");
  if (!buf || !f) {
    fprintf(stderr, "%s: cannot open\n", path);
    free(buf);
    if (f) fclose(f);
    return NULL;
  }
  *len = fread(buf, 1, SEED_MAX, f);
  if (ferror(f)) {
    fprintf(stderr, "%s: read error\n", path);
    fclose(f);
    free(buf);
    return NULL;
  }
  fclose(f);
  return buf;
}

/* Each seed's path in turn; fn returns non-zero to stop. */
static int each_seed(int (*fn)(const char *path, void *ctx), void *ctx, size_t *count) {
  static const char list[] = FUZZ_SEED_PATHS;
  const char *p = list;
  *count = 0;
  while (*p) {
    char path[4096];
    size_t n = strcspn(p, "|");
    if (n >= sizeof(path)) return 1;
    memcpy(path, p, n);
    path[n] = '\0';
    p += n + (p[n] == '|');
    if (!n) continue;
    if (fn(path, ctx) != 0) return 1;
    ++*count;
  }
  return 0;
}

static int run_seed(const char *path, void *ctx) {
  size_t len, step;
  uint8_t *buf = slurp(path, &len);
  (void)ctx;
  if (!buf) return 1;
  /* Every truncation of a short seed; of a long one, some 512 spread over it. */
  step = len <= 512 ? 1 : len / 512;
  for (size_t k = 0; k < len; k += step) LLVMFuzzerTestOneInput(buf, k);
  LLVMFuzzerTestOneInput(buf, len);
  free(buf);
  return 0;
}

static int copy_seed(const char *path, void *ctx) {
  const char *dir = ctx, *base = strrchr(path, '/');
  char out[4096];
  size_t len;
  uint8_t *buf = slurp(path, &len);
  FILE *f;
  if (!buf) return 1;
  /* Seeds of different folders may share a name: the parent folder goes into the name. */
  {
    const char *b = base ? base + 1 : path, *parent = path;
    for (const char *q = path; base && q < base; q++)
      if (*q == '/') parent = q + 1;
    snprintf(out, sizeof(out), "%.2000s/%.*s-%.1000s", dir, (int)(base && base > parent ? base - parent : 0),
             parent, b);
  }
  if (!(f = fopen(out, "wb")) || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
    fprintf(stderr, "%s: cannot write\n", out);
    free(buf);
    return 1;
  }
  free(buf);
  return 0;
}

int main(int argc, char **argv) {
  size_t n;
  if (argc == 3 && strcmp(argv[1], "--write-corpus") == 0) return each_seed(copy_seed, argv[2], &n);
  if (argc > 1) {
    int bad = 0;
    for (int i = 1; i < argc; i++) bad |= run_seed(argv[i], NULL);
    return bad;
  }
  if (each_seed(run_seed, NULL, &n) != 0) return 1;
  if (n == 0) {
    fprintf(stderr, "no seed files\n");
    return 1;
  }
  printf("%zu seed files passed\n", n);
  return 0;
}
