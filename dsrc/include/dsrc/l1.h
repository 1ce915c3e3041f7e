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

/* Bits a frame puts on the air after its preamble: octets*8 + stuffing + trailing bits. */
uint32_t dsrc_l1_frame_bits(const dsrc_l1_params *p, int uplink, const uint8_t *frame, size_t len);

/* Airtime in nanoseconds: preamble + frame bits at the link's bit rate. */
uint64_t dsrc_l1_airtime_ns(const dsrc_l1_params *p, int uplink, const uint8_t *frame, size_t len);

/* Bits exposed to bit errors (preamble bits included, at the link's bit rate). */
uint32_t dsrc_l1_exposed_bits(const dsrc_l1_params *p, int uplink, const uint8_t *frame, size_t len);

#endif
