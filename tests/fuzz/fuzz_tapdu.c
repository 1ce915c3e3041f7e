/* libFuzzer target: the T-APDU decoder. Whatever decodes must re-encode to the same octets,
 * directly and through JER (JER drops DEFAULT components at their default value: then to
 * the canonical encoding of the same value); any other difference is a bug. A
 * GET_STAMPED response's list, copied out of the input where the decoder found it, must
 * equal the list encoded on its own (the RSE verifies the authenticator over the copy). */
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
  if (t.kind == DSRC_ACTION_RS && t.u.action_rs.has_parameter && t.u.action_rs.parameter.kind == DSRC_C_GSTRS) {
    const dsrc_gstrs *g = &t.u.action_rs.parameter.u.gstrs;
    uint8_t copy[512];
    dsrc_ssize a = dsrc_bits_copy(copy, sizeof(copy), data, size, g->list_from, g->list_to);
    dsrc_ssize b = dsrc_attr_list_encode(out, sizeof(out), &t, g->list);
    if (a < 0 || a != b || memcmp(copy, out, (size_t)a) != 0) abort();
  }
  j = dsrc_tapdu_to_jer(&t, NULL);
  if (!j || dsrc_tapdu_from_jer(&u, j, NULL, 0) != 0) abort();
  json_decref(j);
  m = dsrc_tapdu_encode(out, sizeof(out), &u);
  /* JER input is canonical: a DEFAULT component received at its default value is dropped
   * on the way through JER, and only then may the octets differ. */
  if (dsrc_tapdu_canonical(&t)) {
    uint8_t canon[512];
    dsrc_ssize c = dsrc_tapdu_encode(canon, sizeof(canon), &t);
    if (c < 0 || m != c || memcmp(out, canon, (size_t)c) != 0) abort();
    return 0;
  }
  if (m != n || memcmp(out, data, (size_t)n) != 0) abort();
  return 0;
}
