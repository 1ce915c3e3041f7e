/* CRC-16/X-25 and HDLC bit stuffing, the two bit-level facts of the EN 12795 frame. */
#include <stdint.h>
#include <string.h>

#include "dsrc/frame.h"
#include "fcs_table.h"

/* Sliced by 8 (fcs_table.h): the FCS runs over every frame sent and received, twice per
 * frame in a simulation. */
uint16_t dsrc_fcs(const uint8_t *p, size_t len) {
  const uint16_t(*t)[256] = fcs_table;
  uint16_t crc = 0xffff;
  while (len >= 8) {
    uint16_t a = (uint16_t)(crc ^ (p[0] | (p[1] << 8)));
    crc = (uint16_t)(t[7][a & 0xff] ^ t[6][a >> 8] ^ t[5][p[2]] ^ t[4][p[3]] ^ t[3][p[4]] ^
                     t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]]);
    p += 8;
    len -= 8;
  }
  /* The last 2..7 octets in one step as well: past two octets the 16-bit register has
   * been shifted out, so each octet contributes t[octets after it][value]. */
  if (len >= 2) {
    uint16_t a = (uint16_t)(crc ^ (p[0] | (p[1] << 8)));
    crc = (uint16_t)(t[len - 1][a & 0xff] ^ t[len - 2][a >> 8]);
    switch (len) {
    case 7: crc ^= t[len - 7][p[6]]; /* fall through */
    case 6: crc ^= t[len - 6][p[5]]; /* fall through */
    case 5: crc ^= t[len - 5][p[4]]; /* fall through */
    case 4: crc ^= t[len - 4][p[3]]; /* fall through */
    case 3: crc ^= t[len - 3][p[2]]; /* fall through */
    default: break;
    }
  } else if (len == 1) {
    crc = (uint16_t)((crc >> 8) ^ t[0][(crc ^ p[0]) & 0xff]);
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
