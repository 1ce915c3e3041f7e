/* Error codes of the dsrc library: always negative, so a function can return a length or one. */
#ifndef DSRC_ERR_H
#define DSRC_ERR_H

#include <stddef.h>

typedef ptrdiff_t dsrc_ssize;

enum dsrc_err {
  DSRC_ERR_TRUNCATED = -1,     /* the input ends before the value does */
  DSRC_ERR_NOBUF = -2,         /* the output buffer has no room */
  DSRC_ERR_CHOICE = -3,        /* unknown CHOICE alternative or ENUMERATED index */
  DSRC_ERR_EXTENSION = -4,     /* extension bit set where only the root is supported */
  DSRC_ERR_RANGE = -5,         /* value outside the range of its type */
  DSRC_ERR_LIMIT = -6,         /* more items or octets than efcsim's fixed storage holds */
  DSRC_ERR_NONCANONICAL = -7,  /* not the minimal encoding, or nonzero padding bits */
  DSRC_ERR_UNSUPPORTED = -8,   /* a valid alternative efcsim does not carry */
  DSRC_ERR_TRAILING = -9,      /* octets left over after the value */
  DSRC_ERR_FLAG = -10,         /* frame does not start and end with the 0x7E flag */
  DSRC_ERR_FCS = -11,          /* frame check sequence mismatch */
  DSRC_ERR_LID = -12,          /* link identifier without its final extension bit */
  DSRC_ERR_FRAME_SIZE = -13,   /* frame shorter than its header or longer than 128 octets */
  DSRC_ERR_FRAGMENT = -14,     /* fragmented PDU or malformed fragmentation header */
  DSRC_ERR_PDU_NUMBER = -15,   /* PDU number 0 or 1, which are invalid */
  DSRC_ERR_CONSTRAINT = -16,   /* value violates a constraint of its type */
  DSRC_ERR_HEX = -17,          /* non-hex character in hex input */
  DSRC_ERR_HEX_ODD = -18,      /* odd number of hex digits */
  DSRC_ERR_JSON = -19,         /* JSON value does not match the ASN.1 type */
  DSRC_ERR_LLC = -20,          /* LLC control field not one efcsim knows */
  DSRC_ERR_EMPTY = -21,        /* no T-APDU where one is required */
};

/* A static English text for a dsrc error code; never NULL. */
const char *dsrc_strerror(int err);

#endif
