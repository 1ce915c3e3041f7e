/* The constant tables of the sliced CRC-16/X-25 (dsrc_fcs), worked out by the compiler from
 * the polynomial: no literal to check by eye, nothing filled in at run time.
 * tests/unit/test_frame.c computes them again a bit at a time and compares. */
#ifndef DSRC_FCS_TABLE_H
#define DSRC_FCS_TABLE_H

#include <stdint.h>

#define FCS_POLY 0x8408u /* x^16 + x^12 + x^5 + 1 (0x1021), reflected */

/* fcs_table[k][b] is the register, from 0, after octet b and then k zero octets. The
 * register is XOR-linear in b, so an entry is the XOR of eight basis values of its level,
 * one per set bit of b; and each level's basis follows from the one before. Naming the 64
 * basis values as enumerators keeps every expression small: nesting 8 (k + 1) bit steps
 * per entry would grow past what the preprocessor can expand. */
#define FCS_BIT(c) (((c) >> 1) ^ ((c) & 1u) * FCS_POLY)
#define FCS_OCTET(c) FCS_BIT(FCS_BIT(FCS_BIT(FCS_BIT(FCS_BIT(FCS_BIT(FCS_BIT(FCS_BIT(c))))))))
#define FCS_LIN(k, b)                                                                              \
  ((((b) & 0x01u) ? k##_0 : 0u) ^ (((b) & 0x02u) ? k##_1 : 0u) ^ (((b) & 0x04u) ? k##_2 : 0u) ^    \
   (((b) & 0x08u) ? k##_3 : 0u) ^ (((b) & 0x10u) ? k##_4 : 0u) ^ (((b) & 0x20u) ? k##_5 : 0u) ^    \
   (((b) & 0x40u) ? k##_6 : 0u) ^ (((b) & 0x80u) ? k##_7 : 0u))
/* One more zero octet through a register x. */
#define FCS_ZERO(x) (((x) >> 8) ^ FCS_LIN(FCS_L0, (x) & 0xffu))
#define FCS_LEVEL(k, j)                                                                            \
  FCS_L##k##_0 = FCS_ZERO(FCS_L##j##_0), FCS_L##k##_1 = FCS_ZERO(FCS_L##j##_1),                    \
  FCS_L##k##_2 = FCS_ZERO(FCS_L##j##_2), FCS_L##k##_3 = FCS_ZERO(FCS_L##j##_3),                    \
  FCS_L##k##_4 = FCS_ZERO(FCS_L##j##_4), FCS_L##k##_5 = FCS_ZERO(FCS_L##j##_5),                    \
  FCS_L##k##_6 = FCS_ZERO(FCS_L##j##_6), FCS_L##k##_7 = FCS_ZERO(FCS_L##j##_7)

enum {
  FCS_L0_0 = FCS_OCTET(0x01u), FCS_L0_1 = FCS_OCTET(0x02u), FCS_L0_2 = FCS_OCTET(0x04u),
  FCS_L0_3 = FCS_OCTET(0x08u), FCS_L0_4 = FCS_OCTET(0x10u), FCS_L0_5 = FCS_OCTET(0x20u),
  FCS_L0_6 = FCS_OCTET(0x40u), FCS_L0_7 = FCS_OCTET(0x80u),
  FCS_LEVEL(1, 0), FCS_LEVEL(2, 1), FCS_LEVEL(3, 2), FCS_LEVEL(4, 3),
  FCS_LEVEL(5, 4), FCS_LEVEL(6, 5), FCS_LEVEL(7, 6)
};

#define FCS_R4(k, n) FCS_LIN(k, n), FCS_LIN(k, (n) + 1u), FCS_LIN(k, (n) + 2u), FCS_LIN(k, (n) + 3u)
#define FCS_R16(k, n) FCS_R4(k, n), FCS_R4(k, (n) + 4u), FCS_R4(k, (n) + 8u), FCS_R4(k, (n) + 12u)
#define FCS_R64(k, n)                                                                              \
  FCS_R16(k, n), FCS_R16(k, (n) + 16u), FCS_R16(k, (n) + 32u), FCS_R16(k, (n) + 48u)
#define FCS_ROW(k) {FCS_R64(k, 0u), FCS_R64(k, 64u), FCS_R64(k, 128u), FCS_R64(k, 192u)}

static const uint16_t fcs_table[8][256] = {FCS_ROW(FCS_L0), FCS_ROW(FCS_L1), FCS_ROW(FCS_L2),
                                           FCS_ROW(FCS_L3), FCS_ROW(FCS_L4), FCS_ROW(FCS_L5),
                                           FCS_ROW(FCS_L6), FCS_ROW(FCS_L7)};

#undef FCS_ROW
#undef FCS_R64
#undef FCS_R16
#undef FCS_R4
#undef FCS_LEVEL
#undef FCS_ZERO
#undef FCS_LIN
#undef FCS_OCTET
#undef FCS_BIT
#undef FCS_POLY

#endif
