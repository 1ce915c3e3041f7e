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

void dsrc_l1_link_init(dsrc_l1_link *k, const dsrc_l1_params *p, int uplink) {
  k->bps = uplink ? p->up_bps : p->down_bps;
  k->preamble_ns = uplink ? p->up_preamble_ns : p->down_preamble_ns;
  k->preamble_bits = (uint32_t)((uint64_t)k->preamble_ns * k->bps / 1000000000u);
  k->ns_per_bit = k->bps && 1000000000u % k->bps == 0 ? 1000000000u / k->bps : 0;
  k->trailing_bits = uplink ? p->up_trailing_bits : p->down_trailing_bits;
}

uint32_t dsrc_l1_link_frame_bits(const dsrc_l1_link *k, size_t len, unsigned stuffed) {
  return (uint32_t)(len * 8) + stuffed + k->trailing_bits;
}

uint64_t dsrc_l1_link_airtime_ns(const dsrc_l1_link *k, uint32_t frame_bits) {
  uint64_t bits = frame_bits;
  if (k->ns_per_bit) return k->preamble_ns + bits * k->ns_per_bit;
  return k->preamble_ns + (bits * 1000000000u + k->bps - 1) / k->bps;
}

uint32_t dsrc_l1_link_exposed_bits(const dsrc_l1_link *k, uint32_t frame_bits) {
  return frame_bits + k->preamble_bits;
}

/* k for p's direction, and the bits of one frame on it. */
static uint32_t frame_on(dsrc_l1_link *k, const dsrc_l1_params *p, int uplink, const uint8_t *frame,
                         size_t len) {
  dsrc_l1_link_init(k, p, uplink);
  return dsrc_l1_link_frame_bits(k, len, dsrc_frame_stuffed_bits(frame, len));
}

uint32_t dsrc_l1_frame_bits(const dsrc_l1_params *p, int uplink, const uint8_t *frame, size_t len) {
  dsrc_l1_link k;
  return frame_on(&k, p, uplink, frame, len);
}

uint64_t dsrc_l1_airtime_ns(const dsrc_l1_params *p, int uplink, const uint8_t *frame, size_t len) {
  dsrc_l1_link k;
  uint32_t bits = frame_on(&k, p, uplink, frame, len);
  return dsrc_l1_link_airtime_ns(&k, bits);
}

uint32_t dsrc_l1_exposed_bits(const dsrc_l1_params *p, int uplink, const uint8_t *frame, size_t len) {
  dsrc_l1_link k;
  uint32_t bits = frame_on(&k, p, uplink, frame, len);
  return dsrc_l1_link_exposed_bits(&k, bits);
}
