/* The frames more than one part sends (docs/profiles.md, docs/codec.md): the RSE and the
 * attacker's readers send BSTs, allocations, commands and RELEASE; the OBE and the
 * attacker's devices send window requests, VSTs and answers; efc-pcap replays both sides.
 *
 * Each builder writes a whole frame (flags and FCS included) into out and returns its
 * length, or a negative dsrc error (DSRC_ERR_NOBUF when cap has no room for it); out is
 * left alone on error. They allocate nothing: the RSE builds one per exchange. */
#ifndef EFC_BUILD_H
#define EFC_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "dsrc/frame.h"
#include "dsrc/tapdu.h"

/* ---- downlink ---- */

/* The BST of beacon rsu at time (unix seconds): the EFC application, profile 0, with the
 * public windows that follow it. */
dsrc_ssize efc_build_bst(uint8_t *out, size_t cap, const dsrc_beacon_id *rsu, uint32_t time);

/* A private window for lid with MAC sequence bit s (0 or 1), no LPDU: the OBE sends its VST,
 * a late answer or, with the S of its last uplink, that uplink again. */
dsrc_ssize efc_build_allocation(uint8_t *out, size_t cap, uint32_t lid, unsigned s);

/* An ACn command with LLC bit n (0 or 1) carrying lsdu (fragmentation header and T-APDU),
 * and the private window for its answer (MAC sequence bit s). */
dsrc_ssize efc_build_command(uint8_t *out, size_t cap, uint32_t lid, unsigned s, unsigned n,
                             const uint8_t *lsdu, size_t len);

/* RELEASE (EVENT_REPORT release) with PDU number pdu (2..15), a UI frame without window. */
dsrc_ssize efc_build_release(uint8_t *out, size_t cap, uint32_t lid, unsigned pdu);

/* ---- uplink ---- */

/* The window request an OBE sends in a public window. */
dsrc_ssize efc_build_window_request(uint8_t *out, size_t cap, uint32_t lid);

/* A UI frame in an allocated window: the VST, or a late answer after NE_OK. */
dsrc_ssize efc_build_uplink(uint8_t *out, size_t cap, uint32_t lid, const uint8_t *lsdu, size_t len);

/* An ACn answer: LLC llc (the command's n inverted, F set when lsdu is not empty), LLC status
 * status (DSRC_LLC_OK_OK, _NE_OK ...), lsdu possibly empty. */
dsrc_ssize efc_build_response(uint8_t *out, size_t cap, uint32_t lid, uint8_t llc, uint8_t status,
                              const uint8_t *lsdu, size_t len);

/* An answer LSDU (fragmentation header and T-APDU) ready in advance, sent at once in the
 * window of the live command cmd: OK_OK, cmd's n inverted and cmd's PDU number, the
 * T-APDU as it is. What a replayer or a pre-play device answers with (docs/security-evaluation.md).
 * DSRC_ERR_EMPTY when lsdu is empty. */
dsrc_ssize efc_build_answer_now(uint8_t *out, size_t cap, uint32_t lid, const dsrc_frame *cmd, const uint8_t *lsdu,
                                size_t len);

#endif
