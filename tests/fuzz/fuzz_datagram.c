/* libFuzzer target: the datagram header of the simulated link and the frame behind it. A
 * datagram that decodes must encode back to the same octets. */
#include <stdlib.h>
#include <string.h>

#include "dsrc/datagram.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  dsrc_dg d;
  dsrc_frame f;
  uint8_t out[DSRC_DG_MAX];
  dsrc_ssize n;
  if (dsrc_dg_decode(&d, data, size) != 0) return 0;
  if (d.len) (void)dsrc_frame_decode(&f, d.frame, d.len);
  n = dsrc_dg_encode(out, sizeof(out), &d);
  /* The reserved octet is not kept: it encodes as 0. */
  if (n != (dsrc_ssize)size || memcmp(out, data, 25) != 0 || memcmp(out + 26, data + 26, size - 26) != 0) abort();
  return 0;
}
