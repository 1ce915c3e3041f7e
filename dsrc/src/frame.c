/* EN 12795 frame layout. Wire data is read octet by octet with explicit bounds; nothing
 * is cast to a struct. */
#include <string.h>

#include "dsrc/frame.h"

bool dsrc_lid_valid(uint32_t lid, unsigned len) {
  /* The LSB of each of the len octets: 1 on the last, 0 on the others. */
  uint32_t lsbs;
  if (len < 1 || len > 4) return false;
  lsbs = UINT32_C(0x01010101) >> (8 * (4 - len));
  return (lid & lsbs) == 1 && (len == 4 || (lid >> (8 * len)) == 0);
}

int dsrc_frame_decode(dsrc_frame *f, const uint8_t *buf, size_t len) {
  size_t i = 1, end;
  uint32_t lid = 0;
  unsigned lid_len = 0;
  /* flag, 1-octet LID, MAC, FCS(2), flag is the shortest frame. */
  if (len < 6 || len > DSRC_FRAME_MAX) return DSRC_ERR_FRAME_SIZE;
  if (buf[0] != DSRC_FLAG || buf[len - 1] != DSRC_FLAG) return DSRC_ERR_FLAG;
  end = len - 3; /* index of the first FCS octet */

  /* The LID gathers in locals: a store through f could alias buf, and would make every
   * octet be read again. */
  f->lid = 0;
  f->lid_len = 0;
  for (;;) {
    if (i >= end) return DSRC_ERR_FRAME_SIZE;
    lid = (lid << 8) | buf[i];
    lid_len++;
    if (buf[i++] & 1) break;
    if (lid_len == 4) return DSRC_ERR_LID;
  }
  f->lid = lid;
  f->lid_len = (uint8_t)lid_len;
  if (i >= end) return DSRC_ERR_FRAME_SIZE;
  f->mac = buf[i++];
  f->has_llc = (f->mac & DSRC_MAC_L) != 0;
  f->has_status = false;
  f->llc = 0;
  f->status = 0;
  if (f->has_llc) {
    if (i >= end) return DSRC_ERR_FRAME_SIZE;
    f->llc = buf[i++];
    if (f->llc != DSRC_LLC_UI && !dsrc_llc_is_acn(f->llc)) return DSRC_ERR_LLC;
    if (dsrc_frame_wants_status(f->mac, f->llc)) {
      if (i >= end) return DSRC_ERR_FRAME_SIZE;
      f->has_status = true;
      f->status = buf[i++];
    }
  }
  f->lsdu = buf + i;
  f->lsdu_len = end - i;
  if (!f->has_llc && f->lsdu_len != 0) return DSRC_ERR_FRAME_SIZE;
  /* The FCS travels low octet first. */
  f->fcs = (uint16_t)(buf[end] | (buf[end + 1] << 8));
  f->fcs_ok = dsrc_fcs(buf + 1, end - 1) == f->fcs;
  return f->fcs_ok ? 0 : DSRC_ERR_FCS;
}

dsrc_ssize dsrc_frame_encode(uint8_t *buf, size_t cap, const dsrc_frame *f) {
  size_t need, i = 0;
  uint16_t fcs;
  unsigned lid_len = f->lid_len;
  uint32_t lid = f->lid;
  if (!dsrc_lid_valid(lid, lid_len)) return DSRC_ERR_LID;
  if (f->has_llc != ((f->mac & DSRC_MAC_L) != 0)) return DSRC_ERR_LLC;
  if (f->has_llc && f->llc != DSRC_LLC_UI && !dsrc_llc_is_acn(f->llc)) return DSRC_ERR_LLC;
  if (f->has_status != (f->has_llc && dsrc_frame_wants_status(f->mac, f->llc)))
    return DSRC_ERR_LLC;
  if (!f->has_llc && f->lsdu_len != 0) return DSRC_ERR_FRAME_SIZE;
  need = 1 + lid_len + 1 + (f->has_llc ? 1 : 0) + (f->has_status ? 1 : 0) + f->lsdu_len + 3;
  if (need > DSRC_FRAME_MAX) return DSRC_ERR_FRAME_SIZE;
  if (need > cap) return DSRC_ERR_NOBUF;
  buf[i++] = DSRC_FLAG;
  for (unsigned k = lid_len; k-- > 0;) buf[i++] = (uint8_t)(lid >> (8 * k));
  buf[i++] = f->mac;
  if (f->has_llc) buf[i++] = f->llc;
  if (f->has_status) buf[i++] = f->status;
  if (f->lsdu_len) memcpy(buf + i, f->lsdu, f->lsdu_len);
  i += f->lsdu_len;
  fcs = dsrc_fcs(buf + 1, i - 1);
  buf[i++] = (uint8_t)(fcs & 0xff);
  buf[i++] = (uint8_t)(fcs >> 8);
  buf[i++] = DSRC_FLAG;
  return (dsrc_ssize)i;
}

dsrc_ssize dsrc_pdu_encode(uint8_t *buf, size_t cap, unsigned pdu_number, const dsrc_tapdu *t) {
  dsrc_ssize n;
  if (pdu_number < 2 || pdu_number > 15) return DSRC_ERR_PDU_NUMBER;
  if (cap < 1) return DSRC_ERR_NOBUF;
  buf[0] = dsrc_frag_header(pdu_number);
  n = dsrc_tapdu_encode(buf + 1, cap - 1, t);
  return n < 0 ? n : n + 1;
}

dsrc_ssize dsrc_pdu_decode(dsrc_tapdu *t, unsigned *pdu_number, const uint8_t *buf, size_t len,
                           size_t *bitpos) {
  dsrc_ssize n;
  size_t bp = 0;
  if (bitpos) *bitpos = 0;
  if (len < 1) return DSRC_ERR_EMPTY;
  /* 1 pppp 001: anything else is a fragment or not a header at all. */
  if ((buf[0] & 0x87) != 0x81) return DSRC_ERR_FRAGMENT;
  *pdu_number = (buf[0] >> 3) & 0x0f;
  if (*pdu_number < 2) return DSRC_ERR_PDU_NUMBER;
  n = dsrc_tapdu_decode(t, buf + 1, len - 1, &bp);
  if (bitpos) *bitpos = bp + 8;
  return n < 0 ? n : n + 1;
}
