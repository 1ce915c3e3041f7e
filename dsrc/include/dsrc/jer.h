/* T-APDUs and frames as JSON: the JER form (ITU-T X.697) of En15509TApdus, and an L2 frame
 * object holding its fields beside the T-APDUs' JER values. Not on the hot path. */
#ifndef DSRC_JER_H
#define DSRC_JER_H

#include <jansson.h>
#include <stddef.h>
#include "dsrc/frame.h"
#include "dsrc/tapdu.h"

/* A new JSON value ({"getRequest": {...}}), or NULL when t holds an out-of-range value
 * (*err, if given, gets the dsrc error). */
json_t *dsrc_tapdu_to_jer(const dsrc_tapdu *t, int *err);

/* Reads a JER value into t. Returns 0 or a negative dsrc error; msg (optional) gets the
 * JSON path and reason ("getRequest.attrIdList[2]: value 300 outside 0..127"). */
int dsrc_tapdu_from_jer(dsrc_tapdu *t, json_t *j, char *msg, size_t msglen);

/* A frame as JSON: lid, mac, llc, status, fcs, fcsOk, octets, stuffedBits and "pdus" (each
 * {"pduNumber": n, "tapdu": JER}). Parses what it can: a bad FCS still shows the fields
 * and PDUs. Returns NULL only when out of memory. *err gets 0 or the first error, and msg
 * a one-line description with its octet/bit position. */
json_t *dsrc_frame_to_json(const uint8_t *frame, size_t len, int *err, char *msg, size_t msglen);

/* Builds a frame from that JSON (fcs, fcsOk, octets and stuffedBits are ignored; the FCS
 * is computed). Returns octets written or a negative dsrc error with msg. */
dsrc_ssize dsrc_frame_from_json(uint8_t *buf, size_t cap, json_t *j, char *msg, size_t msglen);

#endif
