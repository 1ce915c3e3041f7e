/* libFuzzer target: a shard's part or a round plan as the merge and the shards read them
 * (shard_int.h, sim/wire.h). A refused file says why in one line; whatever is read stays
 * within what was read; a block or passage that decodes encodes back to the same octets. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_file.h"
#include "shard_int.h"
#include "sim/wire.h"

static void one_line(const char *why) {
  if (!why[0] || strchr(why, '\n')) abort();
}

/* The octets decode, then encode to the same octets (a decoder that drops or invents
 * information would not). */
static void wire_roundtrip(const uint8_t *data, size_t size) {
  sim_block b;
  sim_record r;
  uint8_t out[SIM_WIRE_BLOCK_LEN > SIM_WIRE_RECORD_LEN ? SIM_WIRE_BLOCK_LEN : SIM_WIRE_RECORD_LEN];
  ssize_t n;
  if ((n = sim_wire_block_decode(&b, data, size)) > 0) {
    if (sim_wire_block_encode(out, sizeof(out), &b) != n || memcmp(out, data, (size_t)n) != 0) abort();
  } else if (n != SIM_WIRE_ERR_SHORT && n != SIM_WIRE_ERR_VALUE) {
    abort();
  }
  if ((n = sim_wire_record_decode(&r, data, size)) > 0) {
    if (sim_wire_record_encode(out, sizeof(out), &r) != n || memcmp(out, data, (size_t)n) != 0) abort();
  } else if (n != SIM_WIRE_ERR_SHORT && n != SIM_WIRE_ERR_VALUE) {
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_file_write(data, size, ".efcpart");
  sim_shard_reader r;
  sim_shard_header h;
  char why[700] = "";
  int rv = 0;
  wire_roundtrip(data, size);
  if (sim_shard_reader_open(&r, path, &h, why, sizeof(why)) != 0) {
    one_line(why);
    return 0;
  }
  if (h.lo > h.hi || h.hi > h.nblocks) abort();
  /* The body as the merge reads it; a block's passages are bounded here because the merge
   * reads only blocks equal to its own plan's. */
  for (uint32_t k = h.plan ? 0 : h.lo; rv == 0 && k < (h.plan ? h.nblocks : h.hi) && k < 10000; k++) {
    sim_block b;
    sim_record *rec;
    if ((rv = sim_shard_reader_block(&r, &b, why, sizeof(why))) != 0 || h.plan) continue;
    if (b.passages > 100000) break;
    if (!(rec = malloc(b.passages * sizeof(*rec)))) abort();
    rv = sim_shard_reader_records(&r, rec, b.passages, why, sizeof(why));
    free(rec);
  }
  if (rv == 0) rv = sim_shard_reader_end(&r, why, sizeof(why));
  if (rv != 0) one_line(why);
  sim_shard_reader_close(&r);
  sim_shard_header_free(&h);
  return 0;
}
