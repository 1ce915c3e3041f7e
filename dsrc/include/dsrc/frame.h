/* Layer 2 frames of EN 12795: flags, LID, MAC and LLC control, LLC status, LSDU, FCS.
 * Frames are handled unstuffed; dsrc_frame_stuffed_bits tells what zero insertion adds. */
#ifndef DSRC_FRAME_H
#define DSRC_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dsrc/err.h"
#include "dsrc/tapdu.h"

#define DSRC_FRAME_MAX 128 /* octets, both flags and the FCS included */
#define DSRC_FLAG 0x7e
#define DSRC_LID_BROADCAST 0xffu

/* MAC control bits (efcsim convention, EN 12795 names the bits but the positions are not
 * public): kept in one place so they can be changed. */
enum {
  DSRC_MAC_D = 0x80,  /* direction: 1 = uplink */
  DSRC_MAC_L = 0x40,  /* an LPDU follows */
  DSRC_MAC_CR = 0x20, /* command (0) / response (1) */
  DSRC_MAC_A = 0x10,  /* downlink: allocates an uplink window; uplink: window request (R) */
  DSRC_MAC_S = 0x01,  /* MAC sequence bit */

  DSRC_MAC_BST = 0x50,
  DSRC_MAC_COMMAND = 0x50,       /* | S: ACn command with a private window */
  DSRC_MAC_ALLOCATION = 0x10,    /* | S: private window allocation, no LPDU */
  DSRC_MAC_NO_WINDOW = 0x40,     /* downlink command without window (RELEASE) */
  DSRC_MAC_WINDOW_REQUEST = 0x90,
  DSRC_MAC_UPLINK_COMMAND = 0xc0, /* the VST, a late response */
  DSRC_MAC_RESPONSE = 0xe0
};

/* LLC control field values. */
enum {
  DSRC_LLC_UI = 0x03,
  DSRC_LLC_AC0 = 0x77,    /* ACn command, n = 0 */
  DSRC_LLC_AC1 = 0xf7,    /* ACn command, n = 1 */
  DSRC_LLC_N = 0x80,      /* the n bit */
  DSRC_LLC_F = 0x10       /* response carries data */
};

/* LLC status field of ACn responses. */
enum {
  DSRC_LLC_OK_OK = 0x00, /* response available, command accepted */
  DSRC_LLC_NR_OK = 0x10, /* no response data, command accepted */
  DSRC_LLC_NE_OK = 0x20  /* response not yet available, command accepted */
};

typedef struct {
  uint32_t lid;       /* the LID octets, big-endian (0xff for broadcast) */
  uint8_t lid_len;    /* 1..4 */
  uint8_t mac;
  bool has_llc;       /* present exactly when the MAC L bit is set */
  uint8_t llc;
  bool has_status;    /* present in uplink ACn responses */
  uint8_t status;
  const uint8_t *lsdu; /* into the decoded buffer, or the caller's data when encoding */
  size_t lsdu_len;
  uint16_t fcs;        /* as received (decode) */
  bool fcs_ok;
} dsrc_frame;

/* True when an LLC control value is an ACn code (command or response). */
static inline bool dsrc_llc_is_acn(uint8_t llc) { return (llc & 0x6f) == 0x67; }

/* Whether a frame with these MAC and LLC fields carries an LLC status octet. */
static inline bool dsrc_frame_wants_status(uint8_t mac, uint8_t llc) {
  return (mac & DSRC_MAC_D) && dsrc_llc_is_acn(llc);
}

/* Whether lid, taken as len (1..4) octets, has the extension bits of the efcsim
 * convention: LSB 0 on every octet but the last, 1 on the last. */
bool dsrc_lid_valid(uint32_t lid, unsigned len);

/* Parses a whole frame, flags included. On DSRC_ERR_FCS every field is filled (fcs_ok is
 * false) so a tool can still show it; other errors leave f undefined. Returns 0. */
int dsrc_frame_decode(dsrc_frame *f, const uint8_t *buf, size_t len);

/* Writes a frame from f's fields and LSDU, computing the FCS. has_llc/has_status must
 * agree with the MAC and LLC values. Returns octets written or a negative error. */
dsrc_ssize dsrc_frame_encode(uint8_t *buf, size_t cap, const dsrc_frame *f);

/* CRC-16/X-25 (ISO/IEC 3309 FCS). */
uint16_t dsrc_fcs(const uint8_t *p, size_t len);

/* Zero bits HDLC insertion adds between the flags (LSB-first octets, a 0 after five 1s). */
unsigned dsrc_frame_stuffed_bits(const uint8_t *frame, size_t len);

/* Fragmentation header of an unfragmented PDU with PDU number n (2..15). */
static inline uint8_t dsrc_frag_header(unsigned n) { return (uint8_t)(0x81 | (n << 3)); }

/* Writes fragmentation header + T-APDU; returns octets written or a negative error. */
dsrc_ssize dsrc_pdu_encode(uint8_t *buf, size_t cap, unsigned pdu_number, const dsrc_tapdu *t);

/* Reads one fragmentation header + T-APDU from an LSDU; returns octets used. *bitpos
 * (optional) is relative to buf. */
dsrc_ssize dsrc_pdu_decode(dsrc_tapdu *t, unsigned *pdu_number, const uint8_t *buf, size_t len,
                           size_t *bitpos);

#endif
