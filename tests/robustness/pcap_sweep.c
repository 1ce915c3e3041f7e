/* efc-pcap-sweep FILE: the capture reader (io_cap_reader) on every damaged copy of a good
 * capture: cut at every octet, and every octet changed three ways (all bits, the lowest,
 * the highest). Each copy must read as the capture itself (the octet was one the reader
 * does not check: a time, a LID, a frame octet), as its first records followed by the end
 * of the file (a cut between records), or give one error line that names the file and,
 * past the file header, the record the damage is in. Under the sanitizers this is also
 * the reader's crash test. Exit status 0 all held, 1 one did not (printed), 2 usage. */
#define _DEFAULT_SOURCE /* mkstemp */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/capture.h"

#define PCAP_FILE_HEADER 24
#define PCAP_RECORD_HEADER 16
#define RECORDS_MAX 100000

typedef struct {
  size_t at, end; /* the record's pcap header offset, and the offset after its data */
} span;

static unsigned char *original;
static size_t size;
static span spans[RECORDS_MAX];
static unsigned long nspans;
static io_cap_record *first; /* the records as read from the intact file (lengths and frames) */
static unsigned char *frames;

/* What reading a file gave: records read, and the error (empty when it ended cleanly). */
typedef struct {
  unsigned long records, same; /* records read; of them, equal to the original's */
  char err[512];
} outcome;

static int write_file(const char *path, const unsigned char *buf, size_t n) {
  FILE *f = fopen(path, "wb");
  int ok = f && fwrite(buf, 1, n, f) == n;
  if (f && fclose(f) != 0) ok = 0;
  return ok ? 0 : -1;
}

static void read_all(const char *path, outcome *o, int remember) {
  char err[512] = "";
  io_cap_reader *r = io_cap_reader_open(path, err, sizeof(err));
  io_cap_record rec;
  int rv;
  memset(o, 0, sizeof(*o));
  if (!r) {
    snprintf(o->err, sizeof(o->err), "%s", err[0] ? err : "(open failed with no message)");
    return;
  }
  while ((rv = io_cap_reader_next(r, &rec, err, sizeof(err))) == 1) {
    if (remember) {
      if (o->records < RECORDS_MAX) {
        first[o->records] = rec;
        first[o->records].frame = NULL;
        memcpy(frames + o->records * IO_CAP_RECORD_MAX, rec.frame, rec.len < IO_CAP_RECORD_MAX ? rec.len : IO_CAP_RECORD_MAX);
      }
    } else if (o->records < nspans && rec.len == first[o->records].len && rec.lid == first[o->records].lid &&
               memcmp(rec.frame, frames + o->records * IO_CAP_RECORD_MAX, rec.len) == 0) {
      o->same++;
    }
    o->records++;
  }
  if (rv < 0) snprintf(o->err, sizeof(o->err), "%s", err[0] ? err : "(error with no message)");
  io_cap_reader_close(r);
}

/* The record (1-based) holding octet at, 0 for the file header. */
static unsigned long record_of(size_t at) {
  for (unsigned long k = 0; k < nspans; k++)
    if (at >= spans[k].at && at < spans[k].end) return k + 1;
  return 0;
}

/* The error must be one line starting "PATH: ", with "record K: " after it when k > 0 and
 * no record number when k == 0. */
static int error_names(const char *path, const char *err, unsigned long k, char *why, size_t whylen) {
  size_t n = strlen(path);
  char want[64];
  if (strchr(err, '\n')) {
    snprintf(why, whylen, "error of more than one line");
    return -1;
  }
  if (strncmp(err, path, n) != 0 || strncmp(err + n, ": ", 2) != 0) {
    snprintf(why, whylen, "error does not start with the file name");
    return -1;
  }
  snprintf(want, sizeof(want), "record %lu: ", k);
  if (k ? strncmp(err + n + 2, want, strlen(want)) != 0 : strncmp(err + n + 2, "record ", 7) == 0) {
    snprintf(why, whylen, k ? "error does not name record %lu" : "error names a record in the file header", k);
    return -1;
  }
  return 0;
}

/* Every cut of the file, through path. */
static int sweep_cuts(const char *path, unsigned long *clean, unsigned long *errors) {
  char why[200] = "";
  outcome o;
  for (size_t len = 0; len < size; len++) {
    unsigned long whole = 0;
    int boundary = len == PCAP_FILE_HEADER;
    for (unsigned long k = 0; k < nspans; k++) {
      if (spans[k].end <= len) whole = k + 1;
      if (spans[k].end == len) boundary = 1;
    }
    if (write_file(path, original, len) != 0) {
      fprintf(stderr, "efc-pcap-sweep: %s: cannot write\n", path);
      return -1;
    }
    read_all(path, &o, 0);
    if (boundary ? o.err[0] != '\0'
                 : error_names(path, o.err, len < PCAP_FILE_HEADER ? 0 : whole + 1, why, sizeof(why)) != 0) {
      fprintf(stderr, "efc-pcap-sweep: cut at octet %zu of %zu: %s: '%s'\n", len, size,
              boundary ? "a cut between records is no error" : why, o.err);
      return -1;
    }
    if (o.records != whole || o.same != whole) {
      fprintf(stderr, "efc-pcap-sweep: cut at octet %zu: %lu records read (%lu intact), want the %lu before it\n", len,
              o.records, o.same, whole);
      return -1;
    }
    if (boundary) ++*clean;
    else ++*errors;
  }
  return 0;
}

/* Every octet changed three ways, through path. */
static int sweep_octets(const char *path, unsigned char *copy, unsigned long counts[3]) {
  static const unsigned char masks[] = {0xff, 0x01, 0x80};
  char why[200];
  outcome o;
  for (size_t at = 0; at < size; at++)
    for (unsigned m = 0; m < sizeof(masks); m++) {
      unsigned long k = record_of(at);
      memcpy(copy, original, size);
      copy[at] ^= masks[m];
      if (write_file(path, copy, size) != 0) {
        fprintf(stderr, "efc-pcap-sweep: %s: cannot write\n", path);
        return -1;
      }
      read_all(path, &o, 0);
      if (!o.err[0]) {
        /* read whole: the changed octet was a time, a lane, flags, a LID or a frame octet */
        if (o.records != nspans) {
          fprintf(stderr, "efc-pcap-sweep: octet %zu ^ %02x: %lu records read without error, want %lu\n", at,
                  masks[m], o.records, nspans);
          return -1;
        }
        counts[o.same == nspans ? 0 : 1]++;
        continue;
      }
      why[0] = '\0';
      if (error_names(path, o.err, k, why, sizeof(why)) != 0 || o.records + 1 != (k ? k : 1) ||
          o.same != o.records) {
        fprintf(stderr, "efc-pcap-sweep: octet %zu ^ %02x (record %lu): %s: '%s' after %lu records\n", at, masks[m], k,
                why[0] ? why : "the records before the damaged one were not read back", o.err, o.records);
        return -1;
      }
      counts[2]++;
    }
  return 0;
}

int main(int argc, char **argv) {
  static char path[600];
  const char *dir = getenv("TMPDIR");
  unsigned char *copy;
  outcome good;
  unsigned long cuts_clean = 0, cuts_err = 0, changed[3] = {0, 0, 0};
  FILE *f;
  int fd, rv;
  bool little;

  if (argc != 2) {
    fprintf(stderr, "usage: efc-pcap-sweep FILE\n");
    return 2;
  }
  if (!(f = fopen(argv[1], "rb"))) {
    fprintf(stderr, "efc-pcap-sweep: %s: cannot open\n", argv[1]);
    return 1;
  }
  fseek(f, 0, SEEK_END);
  size = (size_t)ftell(f);
  rewind(f);
  original = malloc(size ? size : 1);
  copy = malloc(size ? size : 1);
  if (!original || !copy || fread(original, 1, size, f) != size || size < PCAP_FILE_HEADER) {
    fprintf(stderr, "efc-pcap-sweep: %s: cannot read a pcap file header\n", argv[1]);
    return 1;
  }
  fclose(f);

  /* The record spans, from each record header's caplen, in the byte order of the magic
   * number (the writer's). */
  little = original[0] == 0x4d || original[0] == 0xd4;
  for (size_t at = PCAP_FILE_HEADER; at + PCAP_RECORD_HEADER <= size && nspans < RECORDS_MAX;) {
    const unsigned char *h = original + at + 8;
    size_t caplen = little ? (size_t)h[0] | (size_t)h[1] << 8 | (size_t)h[2] << 16 | (size_t)h[3] << 24
                           : (size_t)h[3] | (size_t)h[2] << 8 | (size_t)h[1] << 16 | (size_t)h[0] << 24;
    spans[nspans].at = at;
    spans[nspans].end = at + PCAP_RECORD_HEADER + caplen;
    at = spans[nspans++].end;
  }
  first = calloc(nspans + 1, sizeof(*first));
  frames = calloc(nspans + 1, IO_CAP_RECORD_MAX);
  if (!first || !frames) return 1;
  read_all(argv[1], &good, 1);
  if (good.err[0] || good.records != nspans || nspans == 0 || spans[nspans - 1].end != size) {
    fprintf(stderr, "efc-pcap-sweep: %s is not a good capture to start from: %s (%lu records read, %lu found)\n",
            argv[1], good.err[0] ? good.err : "no error", good.records, nspans);
    return 1;
  }

  snprintf(path, sizeof(path), "%s/efc-pcap-sweep.XXXXXX", dir && *dir ? dir : "/tmp");
  if ((fd = mkstemp(path)) < 0) {
    fprintf(stderr, "efc-pcap-sweep: cannot make a temporary file in %s\n", dir && *dir ? dir : "/tmp");
    return 1;
  }
  close(fd);
  rv = sweep_cuts(path, &cuts_clean, &cuts_err) == 0 && sweep_octets(path, copy, changed) == 0 ? 0 : 1;
  unlink(path);
  if (rv == 0) {
    printf("efc-pcap-sweep: %s: %zu octets, %lu records\n", argv[1], size, nspans);
    printf("cuts: %lu between records read cleanly, %lu elsewhere gave an error naming the record\n", cuts_clean,
           cuts_err);
    printf("changed octets: %lu read back as they were, %lu with another LID or frame octet, %lu gave an error "
           "naming the record\n",
           changed[0], changed[1], changed[2]);
  }
  free(original);
  free(copy);
  free(first);
  free(frames);
  return rv;
}
