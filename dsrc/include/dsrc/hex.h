/* Hex text <-> octets, for command lines, test vectors and JSON. */
#ifndef DSRC_HEX_H
#define DSRC_HEX_H

#include <stddef.h>
#include <stdint.h>
#include "dsrc/err.h"

/* Decodes hex digits (either case; spaces ignored) into out. Returns octets written or
 * DSRC_ERR_HEX / DSRC_ERR_HEX_ODD / DSRC_ERR_NOBUF; *errpos (optional) gets the offending
 * character's index. */
dsrc_ssize dsrc_hex_decode(uint8_t *out, size_t cap, const char *hex, size_t *errpos);

/* Writes 2*len lowercase (upper != 0: uppercase) hex digits and a NUL; out needs 2*len+1. */
void dsrc_hex_encode(char *out, const uint8_t *in, size_t len, int upper);

#endif
