/* Datagram header: "EFCD", version, kind, lane, flags, seq, ref, time, count, window
 * timing, frame length; all big-endian. */
#include <string.h>

#include "dsrc/datagram.h"
#include "dsrc/octets.h"

dsrc_ssize dsrc_dg_encode(uint8_t *out, size_t cap, const dsrc_dg *d) {
  if (d->len > DSRC_FRAME_MAX) return DSRC_ERR_FRAME_SIZE;
  if (cap < DSRC_DG_HEADER + d->len) return DSRC_ERR_NOBUF;
  memcpy(out, "EFCD", 4);
  out[4] = DSRC_DG_VERSION;
  out[5] = d->kind;
  out[6] = d->lane;
  out[7] = d->flags;
  dsrc_put_be32(out + 8, d->seq);
  dsrc_put_be32(out + 12, d->ref);
  dsrc_put_be32(out + 16, (uint32_t)(d->time_ns >> 32));
  dsrc_put_be32(out + 20, (uint32_t)d->time_ns);
  out[24] = d->count;
  out[25] = 0;
  dsrc_put_be32(out + 26, d->window0_ns);
  dsrc_put_be32(out + 30, d->step_ns);
  out[34] = (uint8_t)(d->len >> 8);
  out[35] = (uint8_t)d->len;
  if (d->len) memcpy(out + DSRC_DG_HEADER, d->frame, d->len);
  return (dsrc_ssize)(DSRC_DG_HEADER + d->len);
}

int dsrc_dg_decode(dsrc_dg *d, const uint8_t *buf, size_t len) {
  if (len < DSRC_DG_HEADER) return DSRC_ERR_TRUNCATED;
  if (memcmp(buf, "EFCD", 4) != 0 || buf[4] != DSRC_DG_VERSION || buf[5] < DSRC_DG_DOWNLINK || buf[5] > DSRC_DG_DONE)
    return DSRC_ERR_RANGE;
  d->kind = buf[5];
  d->lane = buf[6];
  if (d->lane < 1 || d->lane > 127) return DSRC_ERR_RANGE;
  d->flags = buf[7];
  d->seq = dsrc_get_be32(buf + 8);
  d->ref = dsrc_get_be32(buf + 12);
  d->time_ns = (uint64_t)dsrc_get_be32(buf + 16) << 32 | dsrc_get_be32(buf + 20);
  d->count = buf[24];
  d->window0_ns = dsrc_get_be32(buf + 26);
  d->step_ns = dsrc_get_be32(buf + 30);
  d->len = (size_t)buf[34] << 8 | buf[35];
  if (d->len > DSRC_FRAME_MAX || d->len != len - DSRC_DG_HEADER) return DSRC_ERR_FRAME_SIZE;
  if (d->kind != DSRC_DG_DONE && d->len == 0) return DSRC_ERR_FRAME_SIZE;
  d->frame = buf + DSRC_DG_HEADER;
  return 0;
}
