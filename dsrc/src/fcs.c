/* CRC-16/X-25 and HDLC bit stuffing, the two bit-level facts of the EN 12795 frame. */
#include "dsrc/frame.h"

/* Reflected CRC-CCITT table (poly 0x1021 reflected = 0x8408). */
static const uint16_t crc_table[256] = {
#define C1(c) (((c) & 1) ? (((c) >> 1) ^ 0x8408) : ((c) >> 1))
#define C8(c) C1(C1(C1(C1(C1(C1(C1(C1(c))))))))
#define R4(n) C8(n), C8(n + 1), C8(n + 2), C8(n + 3)
#define R16(n) R4(n), R4(n + 4), R4(n + 8), R4(n + 12)
#define R64(n) R16(n), R16(n + 16), R16(n + 32), R16(n + 48)
    R64(0u), R64(64u), R64(128u), R64(192u)
#undef R64
#undef R16
#undef R4
#undef C8
#undef C1
};

uint16_t dsrc_fcs(const uint8_t *p, size_t len) {
  uint16_t crc = 0xffff;
  for (size_t i = 0; i < len; i++) crc = (uint16_t)((crc >> 8) ^ crc_table[(crc ^ p[i]) & 0xff]);
  return (uint16_t)(crc ^ 0xffff);
}

unsigned dsrc_frame_stuffed_bits(const uint8_t *frame, size_t len) {
  unsigned ones = 0, stuffed = 0;
  if (len < 2) return 0;
  /* Octets between the flags go out least significant bit first. */
  for (size_t i = 1; i + 1 < len; i++) {
    for (unsigned b = 0; b < 8; b++) {
      if ((frame[i] >> b) & 1) {
        if (++ones == 5) {
          stuffed++;
          ones = 0;
        }
      } else {
        ones = 0;
      }
    }
  }
  return stuffed;
}
