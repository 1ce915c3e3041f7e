/* libFuzzer target: a claims file as the issuer reads it, line by line (efc_claim_parse). A
 * refused line says why in one line; a claim that parses formats to a line that parses to
 * the same claim, whose format is the same line again. */
#include <stdlib.h>
#include <string.h>

#include "efc/claim.h"
#include "fuzz.h"

static void one(const char *line) {
  efc_claim c, back;
  char why[256], out[4096], again[4096];
  int n, m;
  why[0] = '\0';
  if (efc_claim_parse(&c, line, why, sizeof(why)) != 0) {
    if (!why[0] || strchr(why, '\n')) abort();
    return;
  }
  n = efc_claim_format(&c, out, sizeof(out));
  if (n < 0) abort();
  if (efc_claim_parse(&back, out, why, sizeof(why)) != 0) abort();
  m = efc_claim_format(&back, again, sizeof(again));
  if (m != n || memcmp(out, again, (size_t)n) != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* Lines as the issuer cuts them: at '\n', a trailing '\r' dropped; a line holding a NUL is
   * refused before the parser sees it. */
  char *buf = malloc(size + 1);
  size_t start = 0;
  if (!buf) return 0;
  memcpy(buf, data, size);
  for (size_t i = 0; i <= size; i++) {
    size_t len = i - start;
    if (i < size && buf[i] != '\n') continue;
    buf[i] = '\0';
    if (len > 0 && buf[i - 1] == '\r') buf[i - 1] = '\0', len--;
    if (!memchr(buf + start, '\0', len)) one(buf + start);
    start = i + 1;
  }
  free(buf);
  return 0;
}
