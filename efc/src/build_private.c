/* The frames of a private LID (4 octets, docs/codec.md): the RSE's allocations, commands
 * and RELEASE, the OBE's window requests, VSTs and answers. Fields not named are zero, as
 * dsrc_frame_encode wants them for an absent LLC or status. */
#include <string.h>

#include "efc/build.h"
#include "efc/msg.h"

/* The PDU number bits of a fragmentation header (dsrc_frag_header). */
#define PDU_NUMBER_BITS 0x78u

dsrc_ssize efc_build_allocation(uint8_t *out, size_t cap, uint32_t lid, unsigned s) {
  dsrc_frame f = {.lid = lid, .lid_len = 4, .mac = (uint8_t)(DSRC_MAC_ALLOCATION | (s & DSRC_MAC_S))};
  return dsrc_frame_encode(out, cap, &f);
}

dsrc_ssize efc_build_command(uint8_t *out, size_t cap, uint32_t lid, unsigned s, unsigned n,
                             const uint8_t *lsdu, size_t len) {
  dsrc_frame f = {.lid = lid,
                  .lid_len = 4,
                  .mac = (uint8_t)(DSRC_MAC_COMMAND | (s & DSRC_MAC_S)),
                  .has_llc = true,
                  .llc = n ? DSRC_LLC_AC1 : DSRC_LLC_AC0,
                  .lsdu = lsdu,
                  .lsdu_len = len};
  return dsrc_frame_encode(out, cap, &f);
}

dsrc_ssize efc_build_release(uint8_t *out, size_t cap, uint32_t lid, unsigned pdu) {
  dsrc_tapdu t;
  uint8_t lsdu[16];
  dsrc_ssize n;
  dsrc_frame f;
  efc_msg_release(&t);
  if ((n = dsrc_pdu_encode(lsdu, sizeof(lsdu), pdu, &t)) < 0) return n;
  f = (dsrc_frame){.lid = lid,
                   .lid_len = 4,
                   .mac = DSRC_MAC_NO_WINDOW,
                   .has_llc = true,
                   .llc = DSRC_LLC_UI,
                   .lsdu = lsdu,
                   .lsdu_len = (size_t)n};
  return dsrc_frame_encode(out, cap, &f);
}

dsrc_ssize efc_build_window_request(uint8_t *out, size_t cap, uint32_t lid) {
  dsrc_frame f = {.lid = lid, .lid_len = 4, .mac = DSRC_MAC_WINDOW_REQUEST};
  return dsrc_frame_encode(out, cap, &f);
}

dsrc_ssize efc_build_uplink(uint8_t *out, size_t cap, uint32_t lid, const uint8_t *lsdu, size_t len) {
  dsrc_frame f = {.lid = lid,
                  .lid_len = 4,
                  .mac = DSRC_MAC_UPLINK_COMMAND,
                  .has_llc = true,
                  .llc = DSRC_LLC_UI,
                  .lsdu = lsdu,
                  .lsdu_len = len};
  return dsrc_frame_encode(out, cap, &f);
}

dsrc_ssize efc_build_response(uint8_t *out, size_t cap, uint32_t lid, uint8_t llc, uint8_t status,
                              const uint8_t *lsdu, size_t len) {
  dsrc_frame f = {.lid = lid,
                  .lid_len = 4,
                  .mac = DSRC_MAC_RESPONSE,
                  .has_llc = true,
                  .llc = llc,
                  .has_status = true,
                  .status = status,
                  .lsdu = lsdu,
                  .lsdu_len = len};
  return dsrc_frame_encode(out, cap, &f);
}

dsrc_ssize efc_build_answer_now(uint8_t *out, size_t cap, uint32_t lid, const dsrc_frame *cmd, const uint8_t *lsdu,
                                size_t len) {
  uint8_t l[DSRC_FRAME_MAX];
  if (len == 0) return DSRC_ERR_EMPTY;
  if (len > sizeof(l)) return DSRC_ERR_FRAME_SIZE;
  memcpy(l, lsdu, len);
  /* The RSE matches an answer to its command by the PDU number. */
  if (cmd->lsdu_len) l[0] = (uint8_t)((l[0] & ~PDU_NUMBER_BITS) | (cmd->lsdu[0] & PDU_NUMBER_BITS));
  return efc_build_response(out, cap, lid, (uint8_t)((cmd->llc ^ DSRC_LLC_N) | DSRC_LLC_F), DSRC_LLC_OK_OK, l, len);
}
