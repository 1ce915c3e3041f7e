/* libFuzzer target: the L2 frame decoder, the PDUs inside, and the frame's JSON form. A
 * frame that decodes with a good FCS must be rebuilt octet for octet from its JSON. */
#include <stdlib.h>
#include <string.h>

#include "dsrc/jer.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  dsrc_frame f;
  uint8_t out[DSRC_FRAME_MAX];
  int err = 0, rv = dsrc_frame_decode(&f, data, size);
  json_t *j;
  (void)dsrc_frame_stuffed_bits(data, size);
  if (rv != 0 && rv != DSRC_ERR_FCS) return 0;
  j = dsrc_frame_to_json(data, size, &err, NULL, 0);
  if (!j) abort();
  if (err == 0) {
    dsrc_ssize n = dsrc_frame_from_json(out, sizeof(out), j, NULL, 0);
    if (n != (dsrc_ssize)size || memcmp(out, data, size) != 0) abort();
  }
  json_decref(j);
  return 0;
}
