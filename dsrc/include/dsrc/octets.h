/* Big-endian integers in octet strings: the byte order of every multi-octet field efcsim
 * puts on the air, in datagrams, captures and its own files. Fields are read and written
 * through these, never by casting a buffer to a wider type. */
#ifndef DSRC_OCTETS_H
#define DSRC_OCTETS_H

#include <stdint.h>

static inline uint16_t dsrc_get_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static inline uint32_t dsrc_get_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void dsrc_put_be16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static inline void dsrc_put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

#endif
