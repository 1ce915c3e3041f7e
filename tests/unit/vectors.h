/* Reads "name | hex | meaning" lines from a vector file under EFC_TEST_VECTORS. */
#ifndef EFC_TEST_VECTORS_H
#define EFC_TEST_VECTORS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsrc/hex.h"

typedef struct {
  char name[64];
  uint8_t bytes[256];
  size_t len;
  char meaning[512];
} tvec;

static inline char *tvec_trim(char *s) {
  char *e;
  while (*s == ' ' || *s == '\t') s++;
  e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) *--e = '\0';
  return s;
}

/* Loads every vector of file; returns the count (aborts the test program on a bad file). */
static inline size_t tvec_load(const char *file, tvec *out, size_t max) {
  char path[1024], line[2048];
  size_t n = 0;
  FILE *f;
  snprintf(path, sizeof(path), "%s/%s", EFC_TEST_VECTORS, file);
  f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  while (fgets(line, sizeof(line), f) && n < max) {
    char *a = line, *b, *c;
    dsrc_ssize len;
    if (line[0] == '#' || line[0] == '\n') continue;
    if (!(b = strchr(a, '|')) || !(c = strchr(b + 1, '|'))) continue;
    *b++ = '\0';
    *c++ = '\0';
    snprintf(out[n].name, sizeof(out[n].name), "%s", tvec_trim(a));
    snprintf(out[n].meaning, sizeof(out[n].meaning), "%s", tvec_trim(c));
    len = dsrc_hex_decode(out[n].bytes, sizeof(out[n].bytes), tvec_trim(b), NULL);
    if (len < 0) {
      fprintf(stderr, "%s: vector %s: bad hex\n", path, out[n].name);
      exit(1);
    }
    out[n].len = (size_t)len;
    n++;
  }
  fclose(f);
  return n;
}

static inline const tvec *tvec_find(const tvec *v, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(v[i].name, name) == 0) return &v[i];
  fprintf(stderr, "vector %s missing\n", name);
  exit(1);
}

#endif
