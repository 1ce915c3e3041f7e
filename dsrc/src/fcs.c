/* CRC-16/X-25 and HDLC bit stuffing, the two bit-level facts of the EN 12795 frame. */
#include <stdint.h>
#include <string.h>

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

/* The seven shifted tables follow from t0 (1,792 steps), which keeps a 4 KiB literal out
 * of the source. They are built when the program loads, before any thread runs: the FCS
 * is taken twice per simulated frame, and a once-check on each call showed in profiles. */
__attribute__((constructor)) static void tables_build(void) {
  for (unsigned b = 0; b < 256; b++) {
    crc_tb.t[0][b] = t0[b];
    for (unsigned k = 1; k < 8; k++)
      crc_tb.t[k][b] = (uint16_t)((crc_tb.t[k - 1][b] >> 8) ^ t0[crc_tb.t[k - 1][b] & 0xff]);
  }
}

uint16_t dsrc_fcs(const uint8_t *p, size_t len) {
  const crc_tables *tb = &crc_tb;
  uint16_t crc = 0xffff;
  while (len >= 8) {
    uint16_t a = (uint16_t)(crc ^ (p[0] | (p[1] << 8)));
    crc = (uint16_t)(tb->t[7][a & 0xff] ^ tb->t[6][a >> 8] ^ tb->t[5][p[2]] ^ tb->t[4][p[3]] ^
                     tb->t[3][p[4]] ^ tb->t[2][p[5]] ^ tb->t[1][p[6]] ^ tb->t[0][p[7]]);
    p += 8;
    len -= 8;
  }
  /* The last 2..7 octets in one step as well: past two octets the 16-bit register has
   * been shifted out, so each octet contributes t[octets after it][value]. */
  if (len >= 2) {
    uint16_t a = (uint16_t)(crc ^ (p[0] | (p[1] << 8)));
    crc = (uint16_t)(tb->t[len - 1][a & 0xff] ^ tb->t[len - 2][a >> 8]);
    switch (len) {
    case 7: crc ^= tb->t[len - 7][p[6]]; /* fall through */
    case 6: crc ^= tb->t[len - 6][p[5]]; /* fall through */
    case 5: crc ^= tb->t[len - 5][p[4]]; /* fall through */
    case 4: crc ^= tb->t[len - 4][p[3]]; /* fall through */
    case 3: crc ^= tb->t[len - 3][p[2]]; /* fall through */
    default: break;
    }
  } else if (len == 1) {
    crc = (uint16_t)((crc >> 8) ^ t0[(crc ^ p[0]) & 0xff]);
  }
  return (uint16_t)(crc ^ 0xffff);
}

/* Zero insertion: after five 1-bits in a row the sender puts in a 0, so a run of L ones
 * between zeros costs L / 5 stuffed bits. Every frame's airtime needs the count; it is
 * taken 64 bits at a time, where almost every word has no run of five inside it and costs
 * a few instructions. */

/* n (1..8) octets as a word, the first in the low bits: stream bit j is word bit j, as
 * octets go out least significant bit first. Missing octets read as zeros, which end a run
 * exactly where the frame's data ends. */
static inline uint64_t word_load(const uint8_t *p, size_t n) {
  uint64_t w = 0;
  if (n == 8) {
    memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
  }
  for (size_t i = 0; i < n; i++) w |= (uint64_t)p[i] << (8 * i);
  return w;
}

/* Stuffed bits of the runs that start and end inside x (its top bit is 0). Bit i of m is
 * set where five ones start, so a run of L >= 5 ones is a run of L - 4 set bits in m, and
 * shorter runs, the common case, vanish. */
static unsigned runs_inside(uint64_t x) {
  uint64_t m = x & x >> 1 & x >> 2 & x >> 3 & x >> 4;
  unsigned n = 0;
  while (m) {
    unsigned len;
    m >>= __builtin_ctzll(m);
    len = (unsigned)__builtin_ctzll(~m);
    n += (len + 4) / 5;
    m >>= len;
  }
  return n;
}

unsigned dsrc_frame_stuffed_bits(const uint8_t *frame, size_t len) {
  unsigned run = 0, stuffed = 0; /* run: ones carried into the next word */
  const uint8_t *p = frame + 1;
  size_t n;
  if (len < 3) return 0;
  /* Octets between the flags. */
  for (n = len - 2; n > 0;) {
    size_t k = n < 8 ? n : 8;
    uint64_t w;
    unsigned first, top;
    /* A short last word is read as the 8 octets ending with it, when the frame has them,
     * and the octets already counted are shifted out. */
    if (k == 8 || (size_t)(p - frame) + k < 8)
      w = word_load(p, k);
    else
      w = word_load(p + k - 8, 8) >> (64 - 8 * k);
    p += k;
    n -= k;
    if (w == UINT64_MAX) {
      run += 64;
      continue;
    }
    /* The run the carry continues ends at the first 0; the ones at the top carry on. */
    first = (unsigned)__builtin_ctzll(~w);
    stuffed += (run + first) / 5;
    top = (unsigned)__builtin_clzll(~w);
    if (top) w &= UINT64_MAX >> top;
    stuffed += runs_inside((w >> first) >> 1);
    run = top;
  }
  return stuffed + run / 5;
}
