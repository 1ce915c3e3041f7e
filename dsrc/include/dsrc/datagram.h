/* The simulated DSRC link over UDP (docs/datagram.md): one L2 frame per datagram behind a
 * small versioned header. Encoding and decoding only; the daemons do the network I/O. */
#ifndef DSRC_DATAGRAM_H
#define DSRC_DATAGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsrc/err.h"
#include "dsrc/frame.h"

#define DSRC_DG_HEADER 36
#define DSRC_DG_MAX (DSRC_DG_HEADER + DSRC_FRAME_MAX)
#define DSRC_DG_VERSION 1

enum dsrc_dg_kind {
  DSRC_DG_DOWNLINK = 1, /* RSE to OBEs: a frame and the uplink windows it opens */
  DSRC_DG_UPLINK = 2,   /* an OBE's frame in one of those windows */
  DSRC_DG_DONE = 3      /* an OBE host has sent all it will for one downlink */
};

enum { DSRC_DG_PUBLIC = 1 }; /* flags: the windows are public (after a BST) */

typedef struct {
  uint8_t kind;
  uint8_t lane;
  uint8_t flags;
  uint32_t seq;          /* the sender's sequence number */
  uint32_t ref;          /* uplink, done: the downlink's seq */
  uint64_t time_ns;      /* downlink: the frame's end; uplink: its window's start */
  uint8_t count;         /* downlink: windows; uplink: window index; done: uplinks sent */
  uint32_t window0_ns;   /* downlink: window 0 opens this long after time_ns */
  uint32_t step_ns;      /* downlink: public window length (0: one private window) */
  const uint8_t *frame;
  size_t len;
} dsrc_dg;

/* Returns octets written or a negative dsrc error. */
dsrc_ssize dsrc_dg_encode(uint8_t *out, size_t cap, const dsrc_dg *d);

/* 0, or DSRC_ERR_TRUNCATED / DSRC_ERR_FRAME_SIZE / DSRC_ERR_RANGE (bad magic, version,
 * kind, or a lane outside 1..127: no capture could record it). frame points into buf. */
int dsrc_dg_decode(dsrc_dg *d, const uint8_t *buf, size_t len);

/* Window w's start time of a downlink. */
static inline uint64_t dsrc_dg_window_start(const dsrc_dg *d, unsigned w) {
  return d->time_ns + d->window0_ns + (uint64_t)w * d->step_ns;
}

#endif
