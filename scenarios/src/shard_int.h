/* Inside the sharded runs: the part and plan files' reader and writer, shared by a shard's
 * run (shard_run.c) and the merge (merge.c). */
#ifndef SIM_SHARD_INT_H
#define SIM_SHARD_INT_H

#include <stdbool.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "file/out.h"
#include "sim/shard.h"

/* The run's identity from the loaded scenario: its file read again for the text (the
 * merge loads the same text). id->text malloc'd. */
int sim_shard_id_make(sim_shard_run_id *id, const sim_scenario *sc, const char *prog, char *err, size_t errlen);
void sim_shard_id_free(sim_shard_run_id *id);

/* SHA-256 of blocks[0 .. n-1], encoded. */
int sim_shard_blocks_sha(const sim_block *blocks, size_t n, uint8_t out[32]);

/* "DIR/shard-I-of-N.rR.efcpart" and "DIR/round-R.efcplan". */
void sim_shard_part_name(char *out, size_t cap, const char *dir, uint32_t shard, uint32_t shards, uint32_t round);
void sim_shard_plan_name(char *out, size_t cap, const char *dir, uint32_t round);
/* A file name (no directory): 0 a part, 1 a round plan (round alone set), -1 neither. */
int sim_shard_name_parse(const char *name, uint32_t *shard, uint32_t *shards, uint32_t *round);

/* A part or plan being written: the header as it is, the body (its blocks and passages)
 * deflated, and every octet before deflation also into the SHA-256 that ends the file. */
typedef struct {
  file_out *out;
  EVP_MD_CTX *md;
  z_stream z;
  bool body;             /* the header is out: deflating */
  uint8_t *zbuf;
} sim_shard_writer;

int sim_shard_writer_open(sim_shard_writer *w, const char *path, const sim_shard_header *h, char *err,
                          size_t errlen);
int sim_shard_writer_put(sim_shard_writer *w, const void *data, size_t len, char *err, size_t errlen);
/* A block and its n passages. */
int sim_shard_writer_block(sim_shard_writer *w, const sim_block *b, const sim_record *rec, size_t n, char *err,
                           size_t errlen);
int sim_shard_writer_commit(sim_shard_writer *w, char *err, size_t errlen);
void sim_shard_writer_abort(sim_shard_writer *w);

/* A part or plan being read, in the order it was written; sim_shard_reader_end checks the
 * SHA-256 and that nothing follows. */
typedef struct {
  FILE *f;
  EVP_MD_CTX *md;
  char path[600];
  z_stream z;
  bool body;             /* past the header: inflating */
  bool ended;            /* the deflated body is over */
  uint8_t *zbuf;
} sim_shard_reader;

int sim_shard_reader_open(sim_shard_reader *r, const char *path, sim_shard_header *h, char *err, size_t errlen);
int sim_shard_reader_get(sim_shard_reader *r, void *data, size_t len, char *err, size_t errlen);
int sim_shard_reader_block(sim_shard_reader *r, sim_block *b, char *err, size_t errlen);
int sim_shard_reader_records(sim_shard_reader *r, sim_record *rec, size_t n, char *err, size_t errlen);
int sim_shard_reader_end(sim_shard_reader *r, char *err, size_t errlen);
void sim_shard_reader_close(sim_shard_reader *r);

/* A round plan: its blocks (*out malloc'd), checked against id (NULL: not checked). */
int sim_shard_plan_read(const char *path, const sim_shard_run_id *id, sim_shard_header *h, sim_block **out,
                        char *err, size_t errlen);
int sim_shard_plan_write(const char *path, const sim_shard_run_id *id, uint32_t round, const sim_block *blocks,
                         size_t n, char *err, size_t errlen);

#endif
