/* libFuzzer target: the T-APDU decoder. Whatever decodes must re-encode to the same octets,
 * directly and through JER: the codec is canonical, so any difference is a bug. */
#include <stdlib.h>
#include <string.h>

#include "dsrc/jer.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  dsrc_tapdu t, u;
  uint8_t out[512];
  json_t *j;
  dsrc_ssize n = dsrc_tapdu_decode(&t, data, size, NULL), m;
  if (n < 0) return 0;
  m = dsrc_tapdu_encode(out, sizeof(out), &t);
  if (m != n || memcmp(out, data, (size_t)n) != 0) abort();
  j = dsrc_tapdu_to_jer(&t, NULL);
  if (!j || dsrc_tapdu_from_jer(&u, j, NULL, 0) != 0) abort();
  json_decref(j);
  m = dsrc_tapdu_encode(out, sizeof(out), &u);
  if (m != n || memcmp(out, data, (size_t)n) != 0) abort();
  return 0;
}
