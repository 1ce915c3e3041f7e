/* Physical-layer timing of EN 12253: how long a frame occupies the air. */
#ifndef DSRC_L1_H
#define DSRC_L1_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint32_t down_bps;          /* 500 kbit/s */
  uint32_t up_bps;            /* 250 kbit/s */
  uint32_t down_preamble_ns;  /* 32 us of FM0 '1' */
  uint32_t up_preamble_ns;    /* 36 us subcarrier + 8 NRZI bits = 68 us */
  uint8_t down_trailing_bits; /* after the end flag, 0..8 */
  uint8_t up_trailing_bits;
} dsrc_l1_params;

/* The defaults of docs/timing-model.md. */
void dsrc_l1_params_default(dsrc_l1_params *p);

/* One direction of the link, worked out from the parameters once for many frames: at the
 * standard rates a bit lasts a whole number of nanoseconds, and a frame's airtime then
 * takes no 64-bit division. */
typedef struct {
  uint32_t bps;
  uint32_t preamble_ns;
  uint32_t preamble_bits; /* the preamble's length in bits, exposed to bit errors too */
  uint32_t ns_per_bit;    /* 1e9 / bps when that is whole, else 0 */
  uint32_t trailing_bits;
} dsrc_l1_link;

void dsrc_l1_link_init(dsrc_l1_link *k, const dsrc_l1_params *p, int uplink);

/* Bits a frame of len octets, stuffed of them inserted zeros (dsrc_frame_stuffed_bits),
 * puts on the air after its preamble: octets*8 + stuffing + trailing bits. */
uint32_t dsrc_l1_link_frame_bits(const dsrc_l1_link *k, size_t len, unsigned stuffed);

/* Airtime in nanoseconds of frame_bits (dsrc_l1_link_frame_bits): preamble + the bits at
 * the link's bit rate, rounded up. */
uint64_t dsrc_l1_link_airtime_ns(const dsrc_l1_link *k, uint32_t frame_bits);

/* Bits of that frame exposed to bit errors: the preamble's as well. */
uint32_t dsrc_l1_link_exposed_bits(const dsrc_l1_link *k, uint32_t frame_bits);

/* The same for one frame, by its octets. */
uint32_t dsrc_l1_frame_bits(const dsrc_l1_params *p, int uplink, const uint8_t *frame, size_t len);
uint64_t dsrc_l1_airtime_ns(const dsrc_l1_params *p, int uplink, const uint8_t *frame, size_t len);
uint32_t dsrc_l1_exposed_bits(const dsrc_l1_params *p, int uplink, const uint8_t *frame, size_t len);

#endif
