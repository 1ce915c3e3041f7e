/* Unaligned PER primitives (ITU-T X.691), written once for both directions: a per_codec
 * either reads values from bits or writes them, so every type has a single description and
 * its encoder and decoder cannot drift apart. Internal to the dsrc library. */
#ifndef DSRC_PER_H
#define DSRC_PER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "dsrc/err.h"

/* The four uses of a type description (see visit.h). */
typedef enum { VM_PER_DEC, VM_PER_ENC, VM_JER_DEC, VM_JER_ENC } vmode;

/* A translation unit that compiles the descriptions for one direction defines
 * V_FIXED_MODE, and the direction tests below fold away. */
#if defined(V_FIXED_MODE) && (V_FIXED_MODE == VM_PER_DEC || V_FIXED_MODE == VM_PER_ENC)
#define PER_ENC(c) ((void)(c), V_FIXED_MODE == VM_PER_ENC)
#else
#define PER_ENC(c) ((c)->enc)
#endif

typedef struct {
  uint8_t *buf;  /* output when encoding; the input (never written) when decoding */
  size_t nbits;  /* bits available */
  size_t pos;    /* bit position, MSB of buf[0] first */
  bool enc;
} per_codec;

static inline void per_init_dec(per_codec *c, const uint8_t *buf, size_t len) {
  /* Decoding never writes through buf; the cast only lets one struct serve both ways. */
  c->buf = (uint8_t *)(uintptr_t)buf;
  c->nbits = len * 8;
  c->pos = 0;
  c->enc = false;
}

static inline void per_init_enc(per_codec *c, uint8_t *buf, size_t cap) {
  c->buf = buf;
  c->nbits = cap * 8;
  c->pos = 0;
  c->enc = true;
}

/* Big-endian 64-bit word at p (8 octets). */
static inline uint64_t per_load64(const uint8_t *p) {
  uint64_t w;
  memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  w = __builtin_bswap64(w);
#endif
  return w;
}

static inline void per_store64(uint8_t *p, uint64_t w) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  w = __builtin_bswap64(w);
#endif
  memcpy(p, &w, 8);
}

/* Reads or writes n (0..32) bits, most significant first. The bits span at most five
 * octets; they are gathered (or scattered) in one 64-bit word, read or written whole when
 * eight octets are left in the buffer (a loop of 1..5 octets costs a branch mispredicted
 * on most calls), octet by octet near the end. */
static inline int per_bits(per_codec *c, unsigned n, uint32_t *v) {
  size_t byte;
  unsigned off, span, nbytes, i;
  uint64_t acc;
  bool whole;
  if (n == 0) {
    if (!PER_ENC(c)) *v = 0;
    return 0;
  }
  if (c->nbits - c->pos < n) return PER_ENC(c) ? DSRC_ERR_NOBUF : DSRC_ERR_TRUNCATED;
  byte = c->pos >> 3;
  off = (unsigned)(c->pos & 7);
  span = off + n;
  nbytes = (span + 7) >> 3;
  whole = (c->nbits >> 3) - byte >= 8;
  if (PER_ENC(c)) {
    uint8_t keep;
    if (n < 32 && (*v >> n) != 0) return DSRC_ERR_RANGE;
    /* Octets past the write position hold no data yet: the first keeps its leading bits,
     * the others are overwritten whole (their unused low bits become the zero padding). */
    keep = off ? (uint8_t)(c->buf[byte] & (0xff00u >> off)) : 0;
    if (whole) {
      per_store64(c->buf + byte, (uint64_t)keep << 56 | (uint64_t)*v << (64 - off - n));
    } else {
      acc = (uint64_t)*v << (nbytes * 8 - span);
      for (i = 0; i < nbytes; i++) c->buf[byte + i] = (uint8_t)(acc >> (8 * (nbytes - 1 - i)));
      c->buf[byte] |= keep;
    }
  } else if (whole) {
    *v = (uint32_t)(per_load64(c->buf + byte) << off >> (64 - n));
  } else {
    acc = 0;
    for (i = 0; i < nbytes; i++) acc = (acc << 8) | c->buf[byte + i];
    *v = (uint32_t)((acc >> (nbytes * 8 - span)) & ((UINT64_C(1) << n) - 1));
  }
  c->pos += n;
  return 0;
}

/* Decoding never reads the destination: it may be uninitialised. */
static inline int per_u8(per_codec *c, unsigned n, uint8_t *v) {
  uint32_t x = PER_ENC(c) ? *v : 0;
  int rv = per_bits(c, n, &x);
  if (rv == 0 && !PER_ENC(c)) *v = (uint8_t)x;
  return rv;
}

static inline int per_u16(per_codec *c, unsigned n, uint16_t *v) {
  uint32_t x = PER_ENC(c) ? *v : 0;
  int rv = per_bits(c, n, &x);
  if (rv == 0 && !PER_ENC(c)) *v = (uint16_t)x;
  return rv;
}

static inline int per_bool(per_codec *c, bool *v) {
  uint32_t x = PER_ENC(c) && *v ? 1 : 0;
  int rv = per_bits(c, 1, &x);
  if (rv == 0 && !PER_ENC(c)) *v = x != 0;
  return rv;
}

/* Constrained whole number lo..hi (hi - lo < 2^n) in n bits, range-checked both ways. */
static inline int per_range8(per_codec *c, unsigned n, uint8_t lo, uint8_t hi, uint8_t *v) {
  uint32_t x = PER_ENC(c) ? (uint32_t)(*v - lo) : 0;
  int rv;
  if (PER_ENC(c) && (*v < lo || *v > hi)) return DSRC_ERR_RANGE;
  rv = per_bits(c, n, &x);
  if (rv != 0) return rv;
  if (!PER_ENC(c)) {
    if (x > (uint32_t)(hi - lo)) {
      c->pos -= n;
      return DSRC_ERR_RANGE;
    }
    *v = (uint8_t)(x + lo);
  }
  return 0;
}

/* INTEGER(0..2^n-1,...) or SIZE(0..2^n-1,...): extension bit then n bits, moved as one
 * (n+1)-bit field; efcsim carries only root values. */
static inline int per_ext_small(per_codec *c, unsigned n, uint8_t *v) {
  uint32_t x = PER_ENC(c) ? *v : 0;
  int rv;
  if (PER_ENC(c) && *v >= (1u << n)) return DSRC_ERR_RANGE;
  if ((rv = per_bits(c, n + 1, &x)) != 0) return rv;
  if (!PER_ENC(c)) {
    if (x >> n) {
      c->pos -= n + 1;
      return DSRC_ERR_EXTENSION;
    }
    *v = (uint8_t)x;
  }
  return 0;
}

static inline int per_ext7(per_codec *c, uint8_t *v) { return per_ext_small(c, 7, v); }

/* Unconstrained length determinant (X.691 11.9.3.6-7): one octet below 128, two octets
 * below 16384; the fragmented form cannot occur in a 128-octet frame. */
static inline int per_length(per_codec *c, size_t *n) {
  uint32_t b0 = 0, b1 = 0;
  int rv;
  if (PER_ENC(c)) {
    if (*n < 128) {
      b0 = (uint32_t)*n;
      return per_bits(c, 8, &b0);
    }
    if (*n >= 16384) return DSRC_ERR_RANGE;
    b0 = 0x80 | (uint32_t)(*n >> 8);
    b1 = (uint32_t)(*n & 0xff);
    if ((rv = per_bits(c, 8, &b0)) != 0) return rv;
    return per_bits(c, 8, &b1);
  }
  if ((rv = per_bits(c, 8, &b0)) != 0) return rv;
  if ((b0 & 0x80) == 0) {
    *n = b0;
    return 0;
  }
  if ((b0 & 0xc0) == 0xc0) {
    c->pos -= 8;
    return DSRC_ERR_UNSUPPORTED;
  }
  if ((rv = per_bits(c, 8, &b1)) != 0) return rv;
  *n = ((b0 & 0x3f) << 8) | b1;
  if (*n < 128) {
    c->pos -= 16;
    return DSRC_ERR_NONCANONICAL;
  }
  return 0;
}

static inline int per_octets_fixed(per_codec *c, uint8_t *p, size_t n) {
  if (c->nbits - c->pos < n * 8) return PER_ENC(c) ? DSRC_ERR_NOBUF : DSRC_ERR_TRUNCATED;
  if ((c->pos & 7) == 0) {
    /* The common case on the air interface: an aligned string is a plain copy. */
    if (PER_ENC(c))
      memcpy(c->buf + (c->pos >> 3), p, n);
    else
      memcpy(p, c->buf + (c->pos >> 3), n);
    c->pos += n * 8;
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    int rv = per_u8(c, 8, &p[i]);
    if (rv != 0) return rv;
  }
  return 0;
}

/* Reads n into a field of capacity cap, mapping an over-long value to DSRC_ERR_LIMIT at
 * the position of its length. */
static inline int per_check_limit(per_codec *c, size_t n, size_t cap, size_t at) {
  if (n > cap) {
    c->pos = at;
    return DSRC_ERR_LIMIT;
  }
  return 0;
}

/* Bits left at the end of an encoding: zero padding to a whole octet. */
static inline int per_pad(per_codec *c) {
  unsigned rem = (unsigned)((8 - (c->pos & 7)) & 7);
  uint32_t z = 0;
  int rv = per_bits(c, rem, &z);
  if (rv != 0) return rv;
  if (!PER_ENC(c) && z != 0) {
    c->pos -= rem;
    return DSRC_ERR_NONCANONICAL;
  }
  return 0;
}

#endif
