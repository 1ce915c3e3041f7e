/* Captures: one pcap record per frame on the air, in the link type Wireshark routes to a
 * dissector by name (LINKTYPE_WIRESHARK_UPPER_PDU, 252). docs/capture.md gives the layout:
 * tags (dissector name "efcsim", end), then efcsim's record: version, direction, lane,
 * flags, LID, frame length, the L2 frame octets (unstuffed, flags included). */
#ifndef IO_CAPTURE_H
#define IO_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IO_CAP_LINKTYPE 252 /* LINKTYPE_WIRESHARK_UPPER_PDU */
#define IO_CAP_VERSION 1
#define IO_CAP_RECORD_MAX 160
#define IO_CAP_LANE_MIN 1 /* lanes as efc-rse --lane and the datagrams number them */
#define IO_CAP_LANE_MAX 127

enum { IO_CAP_CORRUPTED = 1, IO_CAP_COLLIDED = 2 };

typedef struct {
  uint64_t t_ns;       /* virtual or wall-clock time of the frame's start */
  bool uplink;
  uint8_t lane;
  uint8_t flags;       /* IO_CAP_CORRUPTED, IO_CAP_COLLIDED */
  uint32_t lid;        /* the frame's LID (0xff broadcast) */
  const uint8_t *frame;
  size_t len;
} io_cap_record;

/* The record's octets after the pcap header (tags included); returns their number or -1. */
int io_cap_record_encode(uint8_t *out, size_t cap, const io_cap_record *r);
/* Parses them; -1 with a reason in why. frame points into buf. */
int io_cap_record_decode(io_cap_record *r, const uint8_t *buf, size_t len, char *why, size_t whylen);

/* The LID of a frame's octets (0 when too short). */
uint32_t io_cap_frame_lid(const uint8_t *frame, size_t len);

typedef struct io_cap_writer io_cap_writer;
/* A capture for path, built in a temporary beside it (the file library, docs/files.md)
 * that io_cap_writer_close renames into place: a run that fails or is killed never leaves a
 * capture that looks complete. Sweeps the temporaries of earlier runs that were killed.
 * NULL with a one-line err naming path on failure (path not a regular file, say). */
io_cap_writer *io_cap_writer_open(const char *path, char *err, size_t errlen);
/* 0, or -1 with a one-line err naming the file and the record: a record the format cannot
 * hold (lane outside 1..127, no frame, a frame too long, a time past 2^32 s) or a failed
 * write. */
int io_cap_writer_put(io_cap_writer *w, const io_cap_record *r, char *err, size_t errlen);
/* Pushes the buffered records to the temporary: 0 or -1 with err. */
int io_cap_writer_flush(io_cap_writer *w, char *err, size_t errlen);
/* Flush, fsync, rename into place: 0 or -1 with err (the temporary is removed then). Frees w
 * either way; NULL: 0. */
int io_cap_writer_close(io_cap_writer *w, char *err, size_t errlen);
/* A failed run: removes the temporary and frees w (NULL: nothing). */
void io_cap_writer_abort(io_cap_writer *w);

typedef struct io_cap_reader io_cap_reader;
/* NULL with err naming path: unreadable, not a pcap file, not link type 252, or a snapshot
 * length of 0 (docs/capture.md, "Reading"). */
io_cap_reader *io_cap_reader_open(const char *path, char *err, size_t errlen);
/* 1: a record (valid until the next call), 0: end of file, -1: error with err naming the
 * record ("capture.pcap: record 12: truncated ..."): a record cut short, its lengths
 * disagreeing, nanoseconds of 1e9 or more, a bad efcsim header, a lane outside 1..127, no
 * frame. */
int io_cap_reader_next(io_cap_reader *r, io_cap_record *out, char *err, size_t errlen);
/* How many records so far were earlier than the record before them: not an error (a capture
 * merged from several can do that), a warning for the caller to give. *first (when not NULL)
 * gets the first as one line naming the file and the record, "" when there is none. */
unsigned long io_cap_reader_backsteps(const io_cap_reader *r, const char **first);
void io_cap_reader_close(io_cap_reader *r);

#endif
