/* Shards' partial results and round plans (sim/shard.h): their format, and a shard's run. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "file/out.h"
#include "io/cli.h"
#include "sim/plan.h"
#include "sim/pool.h"
#include "sim/report.h"
#include "shard_int.h"
#include "sim/wire.h"

#define HEADER_FIXED 108u
#define HEADER_MAX (8u << 20)  /* a scenario is a few kilobytes; anything near this is not ours */
#define TEXT_MAX (4u << 20)
#define ZBUF (64u << 10)
/* Deflate's fastest level: passages of one lane repeat most of their octets, so it already
 * shrinks a part about five times, at a small fraction of the simulation's own cost. */
#define ZLEVEL 1

static const char magic_part[8] = {'E', 'F', 'C', 'P', 'A', 'R', 'T', '1'};
static const char magic_plan[8] = {'E', 'F', 'C', 'P', 'L', 'A', 'N', '1'};

int sim_shard_parse(const char *s, uint32_t *shard, uint32_t *shards, char *err, size_t errlen) {
  const char *slash = strchr(s, '/');
  char a[32], b[32];
  uint64_t i, n;
  if (!slash || (size_t)(slash - s) >= sizeof(a) || strlen(slash + 1) >= sizeof(b)) {
    snprintf(err, errlen, "--shard: expected I/N (shard I of N, 0 <= I < N), got '%.60s'", s);
    return -1;
  }
  memcpy(a, s, (size_t)(slash - s));
  a[slash - s] = '\0';
  snprintf(b, sizeof(b), "%s", slash + 1);
  if (io_cli_u64_parse(&n, "--shard's N", b, 1, SIM_SHARDS_MAX, err, errlen) != 0 ||
      io_cli_u64_parse(&i, "--shard's I", a, 0, n - 1, err, errlen) != 0)
    return -1;
  *shard = (uint32_t)i;
  *shards = (uint32_t)n;
  return 0;
}

void sim_shard_range(const sim_block *blocks, size_t n, uint32_t shard, uint32_t shards, size_t *lo, size_t *hi) {
  uint64_t total = 0, cum = 0;
  size_t k;
  for (k = 0; k < n; k++) total += blocks[k].passages;
  /* Block k belongs to the shard whose share holds its first passage: shard
   * floor(cum_before(k) * shards / total), so every block has exactly one shard. */
  *lo = *hi = n;
  for (k = 0; k < n; k++) {
    /* 128-bit free: total <= 2^32 blocks x 2^32 passages would overflow only past 2^47
     * shards x passages, far beyond SIM_SHARDS_MAX x any budget. */
    uint64_t owner = total ? (uint64_t)((unsigned __int128)cum * shards / total) : 0;
    if (owner >= shard && *lo == n) *lo = k;
    if (owner > shard) {
      *hi = k;
      break;
    }
    cum += blocks[k].passages;
  }
  if (*lo > *hi) *lo = *hi;
}

/* ---- digests ---- */

int sim_shard_blocks_sha(const sim_block *blocks, size_t n, uint8_t out[32]) {
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  uint8_t buf[SIM_WIRE_BLOCK_LEN];
  int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
  for (size_t k = 0; ok && k < n; k++) {
    ssize_t len = sim_wire_block_encode(buf, sizeof(buf), &blocks[k]);
    ok = len > 0 && EVP_DigestUpdate(md, buf, (size_t)len) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(md, out, NULL) == 1;
  EVP_MD_CTX_free(md);
  return ok ? 0 : -1;
}

/* ---- the run's identity ---- */

int sim_shard_id_make(sim_shard_run_id *id, const sim_scenario *sc, const char *prog, char *err, size_t errlen) {
  FILE *f;
  size_t cap = 4096;
  memset(id, 0, sizeof(*id));
  if (io_cli_version_line(id->version, sizeof(id->version), prog) != 0) {
    snprintf(err, errlen, "cannot make the version line");
    return -1;
  }
  snprintf(id->path, sizeof(id->path), "%s", sc->path);
  id->seed = sc->seed;
  id->budget = sc->passages_auto ? sc->budget : 0;
  /* The scenario as loaded: the merge loads the same text, wherever it runs. */
  if (!(f = fopen(sc->path, "rb"))) {
    snprintf(err, errlen, "%.400s: cannot read: %s", sc->path, strerror(errno));
    return -1;
  }
  id->text = malloc(cap);
  while (id->text) {
    size_t got = fread(id->text + id->text_len, 1, cap - id->text_len, f);
    id->text_len += got;
    if (id->text_len < cap) break;
    if (cap >= TEXT_MAX) {
      snprintf(err, errlen, "%.400s: larger than %u bytes", sc->path, TEXT_MAX);
      fclose(f);
      sim_shard_id_free(id);
      return -1;
    }
    uint8_t *n = realloc(id->text, cap * 2);
    if (!n) break;
    id->text = n;
    cap *= 2;
  }
  if (!id->text || ferror(f)) {
    snprintf(err, errlen, "%.400s: cannot read: %s", sc->path, id->text ? strerror(errno) : "out of memory");
    fclose(f);
    sim_shard_id_free(id);
    return -1;
  }
  fclose(f);
  if (EVP_Digest(id->text, id->text_len, id->text_sha, NULL, EVP_sha256(), NULL) != 1) {
    snprintf(err, errlen, "SHA-256 failed");
    sim_shard_id_free(id);
    return -1;
  }
  return 0;
}

void sim_shard_id_free(sim_shard_run_id *id) {
  free(id->text);
  id->text = NULL;
  id->text_len = 0;
}

bool sim_shard_id_same(const sim_shard_run_id *a, const sim_shard_run_id *b, const char **why) {
  if (strcmp(a->version, b->version) != 0) *why = "another version of efc-scenario";
  else if (strcmp(a->path, b->path) != 0) *why = "another scenario file";
  else if (CRYPTO_memcmp(a->text_sha, b->text_sha, 32) != 0) *why = "another text of the scenario";
  else if (a->seed != b->seed) *why = "another seed";
  else if (a->budget != b->budget) *why = "another --budget";
  else return true;
  return false;
}

/* ---- writing ---- */

int sim_shard_writer_open(sim_shard_writer *w, const char *path, const sim_shard_header *h, char *err,
                          size_t errlen) {
  const sim_shard_run_id *id = &h->id;
  size_t lv = strlen(id->version), lp = strlen(id->path);
  size_t len = HEADER_FIXED + 12 + lv + lp + id->text_len, pos = 0;
  uint8_t *buf;
  int rv;
  memset(w, 0, sizeof(*w));
  if (len > HEADER_MAX || !(buf = malloc(8 + 4 + len))) {
    snprintf(err, errlen, "%.400s: header too large", path);
    return -1;
  }
  memcpy(buf, h->plan ? magic_plan : magic_part, 8);
  sim_wire_put_u32(buf + 8, (uint32_t)len);
  pos = 12;
  sim_wire_put_u32(buf + pos, h->round);
  sim_wire_put_u32(buf + pos + 4, h->shard);
  sim_wire_put_u32(buf + pos + 8, h->shards);
  sim_wire_put_u64(buf + pos + 12, id->seed);
  sim_wire_put_u64(buf + pos + 20, id->budget);
  sim_wire_put_u32(buf + pos + 28, h->first_index);
  sim_wire_put_u32(buf + pos + 32, h->nblocks);
  memcpy(buf + pos + 36, h->blocks_sha, 32);
  sim_wire_put_u32(buf + pos + 68, h->lo);
  sim_wire_put_u32(buf + pos + 72, h->hi);
  memcpy(buf + pos + 76, id->text_sha, 32);
  pos += HEADER_FIXED;
  sim_wire_put_u32(buf + pos, (uint32_t)lv);
  memcpy(buf + pos + 4, id->version, lv);
  pos += 4 + lv;
  sim_wire_put_u32(buf + pos, (uint32_t)lp);
  memcpy(buf + pos + 4, id->path, lp);
  pos += 4 + lp;
  sim_wire_put_u32(buf + pos, (uint32_t)id->text_len);
  if (id->text_len) memcpy(buf + pos + 4, id->text, id->text_len);
  pos += 4 + id->text_len;
  if (!(w->md = EVP_MD_CTX_new()) || EVP_DigestInit_ex(w->md, EVP_sha256(), NULL) != 1) {
    snprintf(err, errlen, "SHA-256 failed");
    EVP_MD_CTX_free(w->md);
    free(buf);
    return -1;
  }
  if ((rv = file_out_open(&w->out, path, 0, err, errlen)) != 0) {
    EVP_MD_CTX_free(w->md);
    free(buf);
    return -1;
  }
  rv = sim_shard_writer_put(w, buf, pos, err, errlen);
  free(buf);
  if (rv == 0) {
    if (!(w->zbuf = malloc(ZBUF)) || deflateInit(&w->z, ZLEVEL) != Z_OK) {
      snprintf(err, errlen, "%.400s: cannot start deflate", path);
      rv = -1;
    } else {
      w->body = true;
    }
  }
  if (rv != 0) sim_shard_writer_abort(w);
  return rv;
}

/* Deflates what z holds with flush, writing each full buffer out. */
static int writer_deflate(sim_shard_writer *w, int flush, char *err, size_t errlen) {
  int rv;
  do {
    w->z.next_out = w->zbuf;
    w->z.avail_out = ZBUF;
    rv = deflate(&w->z, flush);
    if (rv == Z_STREAM_ERROR) {
      snprintf(err, errlen, "deflate failed");
      return -1;
    }
    if (file_out_write(w->out, w->zbuf, ZBUF - w->z.avail_out, err, errlen) != 0) return -1;
  } while (w->z.avail_out == 0 || (flush == Z_FINISH && rv != Z_STREAM_END));
  return 0;
}

int sim_shard_writer_put(sim_shard_writer *w, const void *data, size_t len, char *err, size_t errlen) {
  if (EVP_DigestUpdate(w->md, data, len) != 1) {
    snprintf(err, errlen, "SHA-256 failed");
    return -1;
  }
  if (!w->body) return file_out_write(w->out, data, len, err, errlen) == 0 ? 0 : -1;
  w->z.next_in = (Bytef *)(uintptr_t)data;
  w->z.avail_in = (uInt)len;
  return writer_deflate(w, Z_NO_FLUSH, err, errlen);
}

int sim_shard_writer_block(sim_shard_writer *w, const sim_block *b, const sim_record *rec, size_t n, char *err,
                           size_t errlen) {
  uint8_t buf[64 * SIM_WIRE_RECORD_LEN];
  size_t pos = 0;
  if (sim_wire_block_encode(buf, sizeof(buf), b) != (ssize_t)SIM_WIRE_BLOCK_LEN) goto bad;
  if (sim_shard_writer_put(w, buf, SIM_WIRE_BLOCK_LEN, err, errlen) != 0) return -1;
  for (size_t i = 0; i < n; i++) {
    if (sim_wire_record_encode(buf + pos, sizeof(buf) - pos, &rec[i]) != (ssize_t)SIM_WIRE_RECORD_LEN) goto bad;
    pos += SIM_WIRE_RECORD_LEN;
    if (pos + SIM_WIRE_RECORD_LEN > sizeof(buf) || i + 1 == n) {
      if (sim_shard_writer_put(w, buf, pos, err, errlen) != 0) return -1;
      pos = 0;
    }
  }
  return 0;
bad:
  snprintf(err, errlen, "block %u: cannot encode", b->index);
  return -1;
}

int sim_shard_writer_commit(sim_shard_writer *w, char *err, size_t errlen) {
  uint8_t sha[32];
  int rv = -1;
  w->z.next_in = NULL;
  w->z.avail_in = 0;
  if (EVP_DigestFinal_ex(w->md, sha, NULL) != 1) snprintf(err, errlen, "SHA-256 failed");
  else if (writer_deflate(w, Z_FINISH, err, errlen) == 0 &&
           file_out_write(w->out, sha, sizeof(sha), err, errlen) == 0) {
    rv = file_out_commit(w->out, err, errlen) == 0 ? 0 : -1;
    w->out = NULL;
  }
  sim_shard_writer_abort(w);
  return rv;
}

void sim_shard_writer_abort(sim_shard_writer *w) {
  file_out_abort(w->out);
  EVP_MD_CTX_free(w->md);
  if (w->body) deflateEnd(&w->z);
  free(w->zbuf);
  w->out = NULL;
  w->md = NULL;
  w->zbuf = NULL;
  w->body = false;
}

/* ---- reading ---- */

void sim_shard_header_free(sim_shard_header *h) { sim_shard_id_free(&h->id); }

static int read_fail(sim_shard_reader *r, char *err, size_t errlen, const char *what) {
  snprintf(err, errlen, "%.500s: %s", r->path, what);
  return -1;
}

/* Inflates into r->z's output until it is full or the body ends; refills the input. */
static int reader_inflate(sim_shard_reader *r, char *err, size_t errlen) {
  while (r->z.avail_out > 0 && !r->ended) {
    int rv;
    if (r->z.avail_in == 0) {
      size_t got = fread(r->zbuf, 1, ZBUF, r->f);
      if (got == 0 && ferror(r->f)) return read_fail(r, err, errlen, "cannot read");
      if (got == 0) return read_fail(r, err, errlen, "cut short (a shard killed while writing?)");
      r->z.next_in = r->zbuf;
      r->z.avail_in = (uInt)got;
    }
    rv = inflate(&r->z, Z_NO_FLUSH);
    if (rv == Z_STREAM_END) r->ended = true;
    else if (rv == Z_MEM_ERROR) return read_fail(r, err, errlen, "out of memory");
    else if (rv != Z_OK && rv != Z_BUF_ERROR) return read_fail(r, err, errlen, "damaged: its body does not inflate");
  }
  return 0;
}

int sim_shard_reader_get(sim_shard_reader *r, void *data, size_t len, char *err, size_t errlen) {
  if (!r->body) {
    if (len && fread(data, 1, len, r->f) != len)
      return read_fail(r, err, errlen, ferror(r->f) ? "cannot read" : "cut short (a shard killed while writing?)");
  } else if (len) {
    r->z.next_out = data;
    r->z.avail_out = (uInt)len;
    if (reader_inflate(r, err, errlen) != 0) return -1;
    if (r->z.avail_out > 0) return read_fail(r, err, errlen, "cut short: its body ends early");
  }
  if (EVP_DigestUpdate(r->md, data, len) != 1) return read_fail(r, err, errlen, "SHA-256 failed");
  return 0;
}

static int str_take(sim_shard_reader *r, const uint8_t *buf, size_t len, size_t *pos, char *out, size_t cap,
                    uint8_t **dup, size_t *duplen, char *err, size_t errlen) {
  uint32_t n;
  if (len - *pos < 4) return read_fail(r, err, errlen, "header cut short");
  n = sim_wire_get_u32(buf + *pos);
  *pos += 4;
  if (len - *pos < n || (out && n >= cap)) return read_fail(r, err, errlen, "header field too long");
  if (out) {
    memcpy(out, buf + *pos, n);
    out[n] = '\0';
    if (memchr(out, '\0', n)) return read_fail(r, err, errlen, "header field holds a NUL");
  } else {
    if (!(*dup = malloc(n ? n : 1))) return read_fail(r, err, errlen, "out of memory");
    memcpy(*dup, buf + *pos, n);
    *duplen = n;
  }
  *pos += n;
  return 0;
}

int sim_shard_reader_open(sim_shard_reader *r, const char *path, sim_shard_header *h, char *err, size_t errlen) {
  uint8_t head[12], *buf = NULL;
  uint32_t len;
  size_t pos = 0;
  memset(r, 0, sizeof(*r));
  memset(h, 0, sizeof(*h));
  snprintf(r->path, sizeof(r->path), "%s", path);
  if (!(r->f = fopen(path, "rb"))) {
    snprintf(err, errlen, "%.500s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  if (!(r->md = EVP_MD_CTX_new()) || EVP_DigestInit_ex(r->md, EVP_sha256(), NULL) != 1) {
    read_fail(r, err, errlen, "SHA-256 failed");
    goto fail;
  }
  if (sim_shard_reader_get(r, head, sizeof(head), err, errlen) != 0) goto fail;
  if (memcmp(head, magic_part, 8) == 0) h->plan = false;
  else if (memcmp(head, magic_plan, 8) == 0) h->plan = true;
  else {
    read_fail(r, err, errlen, "not a shard's part or a round plan of efc-scenario");
    goto fail;
  }
  len = sim_wire_get_u32(head + 8);
  if (len < HEADER_FIXED + 12 || len > HEADER_MAX) {
    read_fail(r, err, errlen, "header length out of range");
    goto fail;
  }
  if (!(buf = malloc(len))) {
    read_fail(r, err, errlen, "out of memory");
    goto fail;
  }
  if (sim_shard_reader_get(r, buf, len, err, errlen) != 0) goto fail;
  h->round = sim_wire_get_u32(buf);
  h->shard = sim_wire_get_u32(buf + 4);
  h->shards = sim_wire_get_u32(buf + 8);
  h->id.seed = sim_wire_get_u64(buf + 12);
  h->id.budget = sim_wire_get_u64(buf + 20);
  h->first_index = sim_wire_get_u32(buf + 28);
  h->nblocks = sim_wire_get_u32(buf + 32);
  memcpy(h->blocks_sha, buf + 36, 32);
  h->lo = sim_wire_get_u32(buf + 68);
  h->hi = sim_wire_get_u32(buf + 72);
  memcpy(h->id.text_sha, buf + 76, 32);
  pos = HEADER_FIXED;
  if (str_take(r, buf, len, &pos, h->id.version, sizeof(h->id.version), NULL, NULL, err, errlen) != 0 ||
      str_take(r, buf, len, &pos, h->id.path, sizeof(h->id.path), NULL, NULL, err, errlen) != 0 ||
      str_take(r, buf, len, &pos, NULL, 0, &h->id.text, &h->id.text_len, err, errlen) != 0)
    goto fail;
  if (pos != len) {
    read_fail(r, err, errlen, "header has bytes after its last field");
    goto fail;
  }
  if (!(r->zbuf = malloc(ZBUF)) || inflateInit(&r->z) != Z_OK) {
    read_fail(r, err, errlen, "cannot start inflate");
    goto fail;
  }
  r->body = true;
  if (h->round == 0 || h->lo > h->hi || h->hi > h->nblocks ||
      (!h->plan && (h->shards == 0 || h->shards > SIM_SHARDS_MAX || h->shard >= h->shards))) {
    read_fail(r, err, errlen, "header field out of range");
    goto fail;
  }
  free(buf);
  return 0;
fail:
  free(buf);
  sim_shard_header_free(h);
  sim_shard_reader_close(r);
  return -1;
}

int sim_shard_reader_block(sim_shard_reader *r, sim_block *b, char *err, size_t errlen) {
  uint8_t buf[SIM_WIRE_BLOCK_LEN];
  if (sim_shard_reader_get(r, buf, sizeof(buf), err, errlen) != 0) return -1;
  if (sim_wire_block_decode(b, buf, sizeof(buf)) != (ssize_t)SIM_WIRE_BLOCK_LEN)
    return read_fail(r, err, errlen, "a block out of range");
  return 0;
}

int sim_shard_reader_records(sim_shard_reader *r, sim_record *rec, size_t n, char *err, size_t errlen) {
  uint8_t buf[64 * SIM_WIRE_RECORD_LEN];
  size_t i = 0;
  while (i < n) {
    size_t m = n - i < 64 ? n - i : 64;
    if (sim_shard_reader_get(r, buf, m * SIM_WIRE_RECORD_LEN, err, errlen) != 0) return -1;
    for (size_t j = 0; j < m; j++, i++)
      if (sim_wire_record_decode(&rec[i], buf + j * SIM_WIRE_RECORD_LEN, SIM_WIRE_RECORD_LEN) !=
          (ssize_t)SIM_WIRE_RECORD_LEN)
        return read_fail(r, err, errlen, "a passage out of range");
  }
  return 0;
}

int sim_shard_reader_end(sim_shard_reader *r, char *err, size_t errlen) {
  uint8_t want[32], got[32], extra;
  size_t have;
  if (EVP_DigestFinal_ex(r->md, want, NULL) != 1) return read_fail(r, err, errlen, "SHA-256 failed");
  /* The body must end exactly where its header says the blocks end. */
  r->z.next_out = &extra;
  r->z.avail_out = 1;
  if (reader_inflate(r, err, errlen) != 0) return -1;
  if (r->z.avail_out == 0) return read_fail(r, err, errlen, "more blocks than its header says");
  /* The SHA-256 follows the body: partly read already, past the body's end. */
  have = r->z.avail_in < sizeof(got) ? r->z.avail_in : sizeof(got);
  memcpy(got, r->z.next_in, have);
  if (r->z.avail_in > sizeof(got)) return read_fail(r, err, errlen, "bytes after its end");
  if (fread(got + have, 1, sizeof(got) - have, r->f) != sizeof(got) - have)
    return read_fail(r, err, errlen, "cut short (a shard killed while writing?)");
  if (CRYPTO_memcmp(want, got, sizeof(got)) != 0) return read_fail(r, err, errlen, "its SHA-256 does not match: damaged");
  if (fgetc(r->f) != EOF) return read_fail(r, err, errlen, "bytes after its end");
  return 0;
}

void sim_shard_reader_close(sim_shard_reader *r) {
  if (r->f) fclose(r->f);
  EVP_MD_CTX_free(r->md);
  if (r->body) inflateEnd(&r->z);
  free(r->zbuf);
  r->f = NULL;
  r->md = NULL;
  r->zbuf = NULL;
  r->body = false;
}

int sim_shard_header_read(const char *path, sim_shard_header *h, char *err, size_t errlen) {
  sim_shard_reader r;
  if (sim_shard_reader_open(&r, path, h, err, errlen) != 0) return -1;
  sim_shard_reader_close(&r);
  return 0;
}

/* ---- names ---- */

void sim_shard_part_name(char *out, size_t cap, const char *dir, uint32_t shard, uint32_t shards, uint32_t round) {
  snprintf(out, cap, "%s/shard-%u-of-%u.r%u.efcpart", dir, shard, shards, round);
}

void sim_shard_plan_name(char *out, size_t cap, const char *dir, uint32_t round) {
  snprintf(out, cap, "%s/round-%u.efcplan", dir, round);
}

/* A decimal without sign, leading zero or overflow, running up to stop. */
static const char *name_u32(const char *s, uint32_t *v) {
  uint64_t x = 0;
  const char *p = s;
  if (*p == '0' && p[1] >= '0' && p[1] <= '9') return NULL;
  while (*p >= '0' && *p <= '9') {
    x = x * 10 + (uint64_t)(*p++ - '0');
    if (x > UINT32_MAX) return NULL;
  }
  if (p == s) return NULL;
  *v = (uint32_t)x;
  return p;
}

int sim_shard_name_parse(const char *name, uint32_t *shard, uint32_t *shards, uint32_t *round) {
  const char *p;
  if (strncmp(name, "round-", 6) == 0) {
    if (!(p = name_u32(name + 6, round)) || strcmp(p, ".efcplan") != 0) return -1;
    return 1;
  }
  if (strncmp(name, "shard-", 6) != 0 || !(p = name_u32(name + 6, shard)) || strncmp(p, "-of-", 4) != 0 ||
      !(p = name_u32(p + 4, shards)) || strncmp(p, ".r", 2) != 0 || !(p = name_u32(p + 2, round)) ||
      strcmp(p, ".efcpart") != 0)
    return -1;
  return 0;
}

/* ---- a round plan ---- */

int sim_shard_plan_read(const char *path, const sim_shard_run_id *id, sim_shard_header *h, sim_block **out,
                        char *err, size_t errlen) {
  sim_shard_reader r;
  sim_block *v = NULL;
  uint8_t sha[32];
  const char *why;
  *out = NULL;
  if (sim_shard_reader_open(&r, path, h, err, errlen) != 0) return -1;
  if (!h->plan) {
    read_fail(&r, err, errlen, "a shard's part where a round plan was expected");
    goto fail;
  }
  if (id && !sim_shard_id_same(id, &h->id, &why)) {
    snprintf(err, errlen, "%.500s: not of this run: %s", path, why);
    goto fail;
  }
  if (h->nblocks == 0 || !(v = malloc(h->nblocks * sizeof(*v)))) {
    read_fail(&r, err, errlen, h->nblocks ? "out of memory" : "a round without blocks");
    goto fail;
  }
  for (uint32_t k = 0; k < h->nblocks; k++)
    if (sim_shard_reader_block(&r, &v[k], err, errlen) != 0) goto fail;
  if (sim_shard_reader_end(&r, err, errlen) != 0) goto fail;
  if (sim_shard_blocks_sha(v, h->nblocks, sha) != 0 || memcmp(sha, h->blocks_sha, 32) != 0) {
    read_fail(&r, err, errlen, "its blocks do not match its header");
    goto fail;
  }
  sim_shard_reader_close(&r);
  *out = v;
  return 0;
fail:
  free(v);
  sim_shard_reader_close(&r);
  sim_shard_header_free(h);
  return -1;
}

int sim_shard_plan_write(const char *path, const sim_shard_run_id *id, uint32_t round, const sim_block *blocks,
                         size_t n, char *err, size_t errlen) {
  sim_shard_header h;
  sim_shard_writer w;
  uint8_t buf[SIM_WIRE_BLOCK_LEN];
  memset(&h, 0, sizeof(h));
  h.plan = true;
  h.round = round;
  h.first_index = n ? blocks[0].index : 0;
  h.nblocks = (uint32_t)n;
  h.hi = (uint32_t)n;
  h.id = *id;
  if (sim_shard_blocks_sha(blocks, n, h.blocks_sha) != 0) {
    snprintf(err, errlen, "SHA-256 failed");
    return -1;
  }
  if (sim_shard_writer_open(&w, path, &h, err, errlen) != 0) return -1;
  for (size_t k = 0; k < n; k++) {
    if (sim_wire_block_encode(buf, sizeof(buf), &blocks[k]) != (ssize_t)SIM_WIRE_BLOCK_LEN) {
      snprintf(err, errlen, "block %u: cannot encode", blocks[k].index);
      sim_shard_writer_abort(&w);
      return -1;
    }
    if (sim_shard_writer_put(&w, buf, sizeof(buf), err, errlen) != 0) {
      sim_shard_writer_abort(&w);
      return -1;
    }
  }
  return sim_shard_writer_commit(&w, err, errlen);
}
