/* Capture records and their pcap files (libpcap, nanosecond timestamps). */
/* libpcap's headers use the BSD u_int and u_char types. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/capture.h"
#include "dsrc/octets.h"
#include "file/out.h"

/* Upper-PDU tags: 12 = dissector name, 0 = end of tags; big-endian type and length, the
 * value padded to four octets. */
#define TAG_DISSECTOR 12
#define TAG_END 0
static const char dissector[] = "efcsim";

uint32_t io_cap_frame_lid(const uint8_t *frame, size_t len) {
  uint32_t lid = 0;
  for (size_t i = 1; i < len && i <= 4; i++) {
    lid = lid << 8 | frame[i];
    if (frame[i] & 1) return lid;
  }
  return 0;
}

int io_cap_record_encode(uint8_t *out, size_t cap, const io_cap_record *r) {
  size_t n = 0, name = sizeof(dissector) - 1, padded = (name + 3) & ~(size_t)3;
  size_t need = 4 + padded + 4 + 10 + r->len;
  if (need > cap || r->len > 0xffff) return -1;
  out[n++] = 0;
  out[n++] = TAG_DISSECTOR;
  out[n++] = 0;
  out[n++] = (uint8_t)padded;
  memset(out + n, 0, padded);
  memcpy(out + n, dissector, name);
  n += padded;
  memset(out + n, 0, 4); /* end of tags: type 0, length 0 */
  n += 4;
  out[n++] = IO_CAP_VERSION;
  out[n++] = r->uplink ? 1 : 0;
  out[n++] = r->lane;
  out[n++] = r->flags;
  out[n++] = (uint8_t)(r->lid >> 24);
  out[n++] = (uint8_t)(r->lid >> 16);
  out[n++] = (uint8_t)(r->lid >> 8);
  out[n++] = (uint8_t)r->lid;
  out[n++] = (uint8_t)(r->len >> 8);
  out[n++] = (uint8_t)r->len;
  memcpy(out + n, r->frame, r->len);
  return (int)(n + r->len);
}

int io_cap_record_decode(io_cap_record *r, const uint8_t *buf, size_t len, char *why, size_t whylen) {
  size_t n = 0;
  bool named = false;
  for (;;) {
    unsigned type, tlen;
    if (len - n < 4) {
      snprintf(why, whylen, "tags cut short at octet %zu", n);
      return -1;
    }
    type = (unsigned)buf[n] << 8 | buf[n + 1];
    tlen = (unsigned)buf[n + 2] << 8 | buf[n + 3];
    n += 4;
    if (type == TAG_END) break;
    if (tlen > len - n) {
      snprintf(why, whylen, "tag %u of %u octets runs past the record", type, tlen);
      return -1;
    }
    if (type == TAG_DISSECTOR)
      named = tlen >= sizeof(dissector) - 1 && memcmp(buf + n, dissector, sizeof(dissector) - 1) == 0;
    n += tlen;
  }
  if (!named) {
    snprintf(why, whylen, "not an efcsim record (no dissector tag \"efcsim\")");
    return -1;
  }
  if (len - n < 10) {
    snprintf(why, whylen, "efcsim header cut short");
    return -1;
  }
  if (buf[n] != IO_CAP_VERSION) {
    snprintf(why, whylen, "efcsim record version %u, this reader knows %u", buf[n], IO_CAP_VERSION);
    return -1;
  }
  r->uplink = buf[n + 1] == 1;
  if (buf[n + 1] > 1) {
    snprintf(why, whylen, "direction %u is neither 0 (down) nor 1 (up)", buf[n + 1]);
    return -1;
  }
  r->lane = buf[n + 2];
  if (r->lane < IO_CAP_LANE_MIN || r->lane > IO_CAP_LANE_MAX) {
    snprintf(why, whylen, "lane %u outside %u..%u", r->lane, IO_CAP_LANE_MIN, IO_CAP_LANE_MAX);
    return -1;
  }
  r->flags = buf[n + 3];
  r->lid = dsrc_get_be32(buf + n + 4);
  r->len = (size_t)buf[n + 8] << 8 | buf[n + 9];
  n += 10;
  if (r->len != len - n) {
    snprintf(why, whylen, "frame length %zu, %zu octets present", r->len, len - n);
    return -1;
  }
  if (r->len == 0) {
    snprintf(why, whylen, "a frame of 0 octets");
    return -1;
  }
  r->frame = buf + n;
  return 0;
}

/* The writer lays out pcap itself (the file format of libpcap's pcap_dump with nanosecond
 * timestamps, in the host's byte order as libpcap writes it) so that every octet goes
 * through the file library: a temporary renamed into place at close, every write checked. */
#define CAP_MAGIC_NS 0xa1b23c4du
#define CAP_SNAPLEN 65535u

struct io_cap_writer {
  file_out *out;
  unsigned long records;
  char path[1024]; /* for messages; file_out keeps the real one */
};

static int cap_fail(io_cap_writer *w, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int cap_fail(io_cap_writer *w, char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  int n;
  if (!err || errlen == 0) return -1;
  n = snprintf(err, errlen, "%s: record %lu: ", w->path, w->records + 1);
  if (n >= 0 && (size_t)n < errlen) {
    va_start(ap, fmt);
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
  }
  return -1;
}

io_cap_writer *io_cap_writer_open(const char *path, char *err, size_t errlen) {
  uint32_t h32[5] = {CAP_MAGIC_NS, 0, 0, CAP_SNAPLEN, IO_CAP_LINKTYPE};
  uint16_t version[2] = {2, 4};
  uint8_t hdr[24];
  io_cap_writer *w;
  if (!(w = calloc(1, sizeof(*w)))) {
    snprintf(err, errlen, "%s: out of memory", path);
    return NULL;
  }
  snprintf(w->path, sizeof(w->path), "%s", path);
  /* Temporaries of an earlier run killed before its capture was complete. */
  if (file_tmp_sweep(path, err, errlen) < 0 || file_out_open(&w->out, path, 0, err, errlen) != 0) {
    free(w);
    return NULL;
  }
  /* magic, version 2.4, thiszone 0, sigfigs 0, snaplen, link type */
  memcpy(hdr, &h32[0], 4);
  memcpy(hdr + 4, version, 4);
  memcpy(hdr + 8, &h32[1], 8);
  memcpy(hdr + 16, &h32[3], 8);
  if (file_out_write(w->out, hdr, sizeof(hdr), err, errlen) != 0) {
    file_out_abort(w->out);
    free(w);
    return NULL;
  }
  return w;
}

int io_cap_writer_put(io_cap_writer *w, const io_cap_record *r, char *err, size_t errlen) {
  uint8_t buf[16 + IO_CAP_RECORD_MAX + 64];
  uint32_t h[4];
  int n;
  if (r->lane < IO_CAP_LANE_MIN || r->lane > IO_CAP_LANE_MAX)
    return cap_fail(w, err, errlen, "lane %u outside %u..%u", r->lane, IO_CAP_LANE_MIN, IO_CAP_LANE_MAX);
  if (r->len == 0) return cap_fail(w, err, errlen, "a frame of 0 octets");
  if (r->t_ns / 1000000000u > UINT32_MAX)
    return cap_fail(w, err, errlen, "time %" PRIu64 " ns past what pcap holds", r->t_ns);
  n = io_cap_record_encode(buf + 16, sizeof(buf) - 16, r);
  if (n < 0) return cap_fail(w, err, errlen, "a frame of %zu octets, more than a record holds", r->len);
  /* With nanosecond precision, the second word carries nanoseconds. */
  h[0] = (uint32_t)(r->t_ns / 1000000000u);
  h[1] = (uint32_t)(r->t_ns % 1000000000u);
  h[2] = h[3] = (uint32_t)n;
  memcpy(buf, h, sizeof(h));
  if (file_out_write(w->out, buf, 16 + (size_t)n, err, errlen) != 0) return -1;
  w->records++;
  return 0;
}

int io_cap_writer_flush(io_cap_writer *w, char *err, size_t errlen) {
  FILE *f = file_out_stream(w->out);
  if (fflush(f) != 0 || ferror(f)) {
    snprintf(err, errlen, "%s: cannot write: %s", w->path, strerror(errno));
    return -1;
  }
  return 0;
}

int io_cap_writer_close(io_cap_writer *w, char *err, size_t errlen) {
  int rv;
  if (!w) return 0;
  rv = file_out_commit(w->out, err, errlen);
  free(w);
  return rv == 0 ? 0 : -1;
}

void io_cap_writer_abort(io_cap_writer *w) {
  if (!w) return;
  file_out_abort(w->out);
  free(w);
}

struct io_cap_reader {
  pcap_t *p;
  char path[256];
  unsigned long records;
  uint64_t last_t_ns;
  unsigned long backsteps;
  char backstep[400]; /* the first time going back, as a one-line warning */
};

/* The snapshot length of a pcap file header, or -1 when the header is not one (libpcap
 * then says why). libpcap reads a snapshot length of 0 as "the largest", silently. */
static long header_snaplen(const uint8_t h[24]) {
  uint32_t magic = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
  if (magic == 0xa1b2c3d4u || magic == CAP_MAGIC_NS)
    return (long)((uint32_t)h[16] | (uint32_t)h[17] << 8 | (uint32_t)h[18] << 16 | (uint32_t)h[19] << 24);
  if (magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u)
    return (long)((uint32_t)h[19] | (uint32_t)h[18] << 8 | (uint32_t)h[17] << 16 | (uint32_t)h[16] << 24);
  return -1;
}

io_cap_reader *io_cap_reader_open(const char *path, char *err, size_t errlen) {
  char perr[PCAP_ERRBUF_SIZE];
  uint8_t hdr[24];
  io_cap_reader *r;
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    return NULL;
  }
  if (fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr) && header_snaplen(hdr) == 0) {
    snprintf(err, errlen, "%s: snapshot length 0 in the file header", path);
    fclose(f);
    return NULL;
  }
  if (fseek(f, 0, SEEK_SET) != 0) {
    snprintf(err, errlen, "%s: cannot read from its start: %s", path, strerror(errno));
    fclose(f);
    return NULL;
  }
  if (!(r = calloc(1, sizeof(*r)))) {
    snprintf(err, errlen, "%s: out of memory", path);
    fclose(f);
    return NULL;
  }
  /* pcap_close closes f from here on. */
  r->p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, perr);
  if (!r->p) {
    snprintf(err, errlen, "%s: %s", path, perr);
    fclose(f);
    free(r);
    return NULL;
  }
  if (pcap_datalink(r->p) != IO_CAP_LINKTYPE) {
    snprintf(err, errlen, "%s: link type %d, efcsim captures use %d (upper PDU)", path, pcap_datalink(r->p),
             IO_CAP_LINKTYPE);
    pcap_close(r->p);
    free(r);
    return NULL;
  }
  snprintf(r->path, sizeof(r->path), "%s", path);
  return r;
}

int io_cap_reader_next(io_cap_reader *r, io_cap_record *out, char *err, size_t errlen) {
  struct pcap_pkthdr *h;
  const u_char *data;
  char why[200];
  int rv = pcap_next_ex(r->p, &h, &data);
  if (rv == PCAP_ERROR_BREAK) return 0;
  r->records++;
  if (rv != 1) {
    snprintf(err, errlen, "%s: record %lu: %s", r->path, r->records, pcap_geterr(r->p));
    return -1;
  }
  if (h->caplen != h->len) {
    snprintf(err, errlen, "%s: record %lu: captured %u of %u octets", r->path, r->records, h->caplen, h->len);
    return -1;
  }
  /* With nanosecond precision, tv_usec carries nanoseconds, an unsigned 32-bit word in the
   * file (libpcap may hand it over sign-extended); a second holds 1e9 of them. */
  if ((uint32_t)h->ts.tv_usec >= 1000000000u) {
    snprintf(err, errlen, "%s: record %lu: %" PRIu32 " nanoseconds, not below 1000000000", r->path, r->records,
             (uint32_t)h->ts.tv_usec);
    return -1;
  }
  if (io_cap_record_decode(out, data, h->caplen, why, sizeof(why)) != 0) {
    snprintf(err, errlen, "%s: record %lu: %s", r->path, r->records, why);
    return -1;
  }
  out->t_ns = (uint64_t)(uint32_t)h->ts.tv_sec * 1000000000u + (uint32_t)h->ts.tv_usec;
  if (r->records > 1 && out->t_ns < r->last_t_ns) {
    uint64_t back = r->last_t_ns - out->t_ns;
    if (r->backsteps++ == 0)
      snprintf(r->backstep, sizeof(r->backstep),
               "%s: record %lu: time goes back %" PRIu64 ".%06" PRIu64 " ms (a merged capture?)", r->path,
               r->records, back / 1000000u, back % 1000000u);
  }
  r->last_t_ns = out->t_ns;
  return 1;
}

unsigned long io_cap_reader_backsteps(const io_cap_reader *r, const char **first) {
  if (first) *first = r->backstep;
  return r->backsteps;
}

void io_cap_reader_close(io_cap_reader *r) {
  if (!r) return;
  pcap_close(r->p);
  free(r);
}
