#include "dsrc/l1.h"
#include "dsrc/frame.h"

void dsrc_l1_params_default(dsrc_l1_params *p) {
  p->down_bps = 500000;
  p->up_bps = 250000;
  p->down_preamble_ns = 32000;
  p->up_preamble_ns = 68000;
  p->down_trailing_bits = 0;
  p->up_trailing_bits = 0;
}

uint32_t dsrc_l1_frame_bits(const dsrc_l1_params *p, int uplink, const uint8_t *frame, size_t len) {
  return (uint32_t)(len * 8) + dsrc_frame_stuffed_bits(frame, len) +
         (uplink ? p->up_trailing_bits : p->down_trailing_bits);
}

uint64_t dsrc_l1_airtime_ns(const dsrc_l1_params *p, int uplink, const uint8_t *frame, size_t len) {
  uint64_t bps = uplink ? p->up_bps : p->down_bps;
  uint64_t bits = dsrc_l1_frame_bits(p, uplink, frame, len);
  return (uplink ? p->up_preamble_ns : p->down_preamble_ns) + (bits * 1000000000u + bps - 1) / bps;
}

uint32_t dsrc_l1_exposed_bits(const dsrc_l1_params *p, int uplink, const uint8_t *frame, size_t len) {
  uint64_t bps = uplink ? p->up_bps : p->down_bps;
  uint64_t pre_ns = uplink ? p->up_preamble_ns : p->down_preamble_ns;
  return dsrc_l1_frame_bits(p, uplink, frame, len) + (uint32_t)(pre_ns * bps / 1000000000u);
}
