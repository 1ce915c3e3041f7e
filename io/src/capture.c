/* Capture records and their pcap files (libpcap, nanosecond timestamps). */
/* libpcap's headers use the BSD u_int and u_char types. */
#define _DEFAULT_SOURCE
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/capture.h"
#include "dsrc/octets.h"

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
  r->flags = buf[n + 3];
  r->lid = dsrc_get_be32(buf + n + 4);
  r->len = (size_t)buf[n + 8] << 8 | buf[n + 9];
  n += 10;
  if (r->len != len - n) {
    snprintf(why, whylen, "frame length %zu, %zu octets present", r->len, len - n);
    return -1;
  }
  r->frame = buf + n;
  return 0;
}

struct io_cap_writer {
  pcap_t *dead;
  pcap_dumper_t *d;
};

io_cap_writer *io_cap_writer_open(const char *path, char *err, size_t errlen) {
  io_cap_writer *w = calloc(1, sizeof(*w));
  if (!w) return NULL;
  w->dead = pcap_open_dead_with_tstamp_precision(IO_CAP_LINKTYPE, 65535, PCAP_TSTAMP_PRECISION_NANO);
  if (w->dead) w->d = pcap_dump_open(w->dead, path);
  if (!w->d) {
    snprintf(err, errlen, "%s: cannot write a capture (%s)", path, w->dead ? pcap_geterr(w->dead) : "libpcap");
    if (w->dead) pcap_close(w->dead);
    free(w);
    return NULL;
  }
  return w;
}

int io_cap_writer_put(io_cap_writer *w, const io_cap_record *r) {
  uint8_t buf[IO_CAP_RECORD_MAX + 64];
  struct pcap_pkthdr h;
  int n = io_cap_record_encode(buf, sizeof(buf), r);
  if (n < 0) return -1;
  memset(&h, 0, sizeof(h));
  /* With nanosecond precision, tv_usec carries nanoseconds. */
  h.ts.tv_sec = (time_t)(r->t_ns / 1000000000u);
  h.ts.tv_usec = (suseconds_t)(r->t_ns % 1000000000u);
  h.caplen = h.len = (bpf_u_int32)n;
  pcap_dump((u_char *)w->d, &h, buf);
  return 0;
}

int io_cap_writer_flush(io_cap_writer *w) { return pcap_dump_flush(w->d); }

void io_cap_writer_close(io_cap_writer *w) {
  if (!w) return;
  pcap_dump_flush(w->d);
  pcap_dump_close(w->d);
  pcap_close(w->dead);
  free(w);
}

struct io_cap_reader {
  pcap_t *p;
  char path[256];
  unsigned long records;
};

io_cap_reader *io_cap_reader_open(const char *path, char *err, size_t errlen) {
  char perr[PCAP_ERRBUF_SIZE];
  io_cap_reader *r = calloc(1, sizeof(*r));
  if (!r) return NULL;
  r->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
  if (!r->p) {
    snprintf(err, errlen, "%s: %s", path, perr);
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
  if (io_cap_record_decode(out, data, h->caplen, why, sizeof(why)) != 0) {
    snprintf(err, errlen, "%s: record %lu: %s", r->path, r->records, why);
    return -1;
  }
  out->t_ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
  return 1;
}

void io_cap_reader_close(io_cap_reader *r) {
  if (!r) return;
  pcap_close(r->p);
  free(r);
}
