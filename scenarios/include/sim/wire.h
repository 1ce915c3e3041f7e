/* Blocks and passages as octets, for the results that leave the process: a shard's partial
 * result (sim/shard.h) and the messages between MPI ranks. Fixed-size, little-endian,
 * field by field (a double as its IEEE 754 bits), so a block simulated on one machine and
 * merged on another gives the same output as one simulated in place (docs/scaling.md). */
#ifndef SIM_WIRE_H
#define SIM_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sim/runner.h"

enum {
  SIM_WIRE_ERR_ROOM = -1,  /* the output has no room for it */
  SIM_WIRE_ERR_SHORT = -2, /* the input ends inside it */
  SIM_WIRE_ERR_VALUE = -3  /* a field out of its range */
};
const char *sim_wire_strerror(int rv);

#define SIM_WIRE_BLOCK_LEN 103u
#define SIM_WIRE_RECORD_LEN 95u

/* Each returns the octets written or read, or a SIM_WIRE_ERR_*. */
ssize_t sim_wire_block_encode(uint8_t *out, size_t cap, const sim_block *b);
ssize_t sim_wire_block_decode(sim_block *b, const uint8_t *in, size_t len);
ssize_t sim_wire_record_encode(uint8_t *out, size_t cap, const sim_record *r);
ssize_t sim_wire_record_decode(sim_record *r, const uint8_t *in, size_t len);

/* Little-endian integers and doubles at p (room checked by the caller): shared by the
 * shard files and the MPI messages' headers. */
void sim_wire_put_u32(uint8_t *p, uint32_t v);
void sim_wire_put_u64(uint8_t *p, uint64_t v);
uint32_t sim_wire_get_u32(const uint8_t *p);
uint64_t sim_wire_get_u64(const uint8_t *p);

#endif
