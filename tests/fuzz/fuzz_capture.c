/* libFuzzer target: one capture record (tags, efcsim header, frame) as the reader parses it.
 * A record that parses must have a lane in 1..127 and a frame, and encode to one that
 * parses to the same fields and frame. */
#include <stdlib.h>
#include <string.h>

#include "io/capture.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  io_cap_record r, back;
  uint8_t out[IO_CAP_RECORD_MAX + 64];
  char why[128];
  int n;
  if (io_cap_record_decode(&r, data, size, why, sizeof(why)) != 0) {
    if (!why[0]) abort(); /* every refusal says why */
    return 0;
  }
  /* What the reader accepts, the capture format can hold (docs/capture.md, "Reading"). */
  if (r.lane < IO_CAP_LANE_MIN || r.lane > IO_CAP_LANE_MAX || r.len == 0) abort();
  n = io_cap_record_encode(out, sizeof(out), &r);
  if (n < 0) return 0; /* a frame longer than the writer takes */
  if (io_cap_record_decode(&back, out, (size_t)n, why, sizeof(why)) != 0) abort();
  if (back.uplink != r.uplink || back.lane != r.lane || back.flags != r.flags || back.lid != r.lid ||
      back.len != r.len || memcmp(back.frame, r.frame, r.len) != 0)
    abort();
  return 0;
}
