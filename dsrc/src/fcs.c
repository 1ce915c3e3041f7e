/* CRC-16/X-25 and HDLC bit stuffing, the two bit-level facts of the EN 12795 frame. */
#include <threads.h>

#include "dsrc/frame.h"

/* Reflected CRC-CCITT (poly 0x1021 reflected = 0x8408), sliced by 8: the FCS runs over
 * every frame sent and received, twice per frame in a simulation. t[k][b] is the CRC of
 * octet b followed by k zero octets. */
#define C1(c) (((c) & 1) ? (((c) >> 1) ^ 0x8408) : ((c) >> 1))
#define C8(c) C1(C1(C1(C1(C1(C1(C1(C1(c))))))))
#define R4(n) C8(n), C8(n + 1), C8(n + 2), C8(n + 3)
#define R16(n) R4(n), R4(n + 4), R4(n + 8), R4(n + 12)
#define R64(n) R16(n), R16(n + 16), R16(n + 32), R16(n + 48)
static const uint16_t t0[256] = {R64(0u), R64(64u), R64(128u), R64(192u)};
#undef R64
#undef R16
#undef R4
#undef C8
#undef C1

typedef struct {
  uint16_t t[8][256];
} crc_tables;

static crc_tables crc_tb;
static once_flag tb_once = ONCE_FLAG_INIT;

/* The seven shifted tables follow from t0 (1,792 steps, once per process), which keeps a
 * 4 KiB literal out of the source. */
static void tables_build(void) {
  for (unsigned b = 0; b < 256; b++) {
    crc_tb.t[0][b] = t0[b];
    for (unsigned k = 1; k < 8; k++)
      crc_tb.t[k][b] = (uint16_t)((crc_tb.t[k - 1][b] >> 8) ^ t0[crc_tb.t[k - 1][b] & 0xff]);
  }
}

static const crc_tables *tables(void) {
  call_once(&tb_once, tables_build);
  return &crc_tb;
}

uint16_t dsrc_fcs(const uint8_t *p, size_t len) {
  const crc_tables *tb = tables();
  uint16_t crc = 0xffff;
  while (len >= 8) {
    uint16_t a = (uint16_t)(crc ^ (p[0] | (p[1] << 8)));
    crc = (uint16_t)(tb->t[7][a & 0xff] ^ tb->t[6][a >> 8] ^ tb->t[5][p[2]] ^ tb->t[4][p[3]] ^
                     tb->t[3][p[4]] ^ tb->t[2][p[5]] ^ tb->t[1][p[6]] ^ tb->t[0][p[7]]);
    p += 8;
    len -= 8;
  }
  while (len--) crc = (uint16_t)((crc >> 8) ^ t0[(crc ^ *p++) & 0xff]);
  return (uint16_t)(crc ^ 0xffff);
}

/* Zero insertion, an octet at a time: for a run of r (0..4) ones before the octet and the
 * octet's value, the zeros inserted and the run after it. Every frame's airtime needs
 * this, so the bit-by-bit walk is done once per (run, octet) pair. */
typedef struct {
  uint8_t stuffed[5][256];
  uint8_t run[5][256];
} stuff_tables;

static stuff_tables stuff_tb;
static once_flag stuff_once = ONCE_FLAG_INIT;

static void stuff_build(void) {
  for (unsigned r = 0; r < 5; r++)
    for (unsigned b = 0; b < 256; b++) {
      unsigned ones = r, n = 0;
      for (unsigned k = 0; k < 8; k++) {
        if ((b >> k) & 1) {
          if (++ones == 5) {
            n++;
            ones = 0;
          }
        } else {
          ones = 0;
        }
      }
      stuff_tb.stuffed[r][b] = (uint8_t)n;
      stuff_tb.run[r][b] = (uint8_t)ones;
    }
}

unsigned dsrc_frame_stuffed_bits(const uint8_t *frame, size_t len) {
  unsigned run = 0, stuffed = 0;
  if (len < 2) return 0;
  call_once(&stuff_once, stuff_build);
  /* Octets between the flags go out least significant bit first. */
  for (size_t i = 1; i + 1 < len; i++) {
    stuffed += stuff_tb.stuffed[run][frame[i]];
    run = stuff_tb.run[run][frame[i]];
  }
  return stuffed;
}
