/* The OBE's persistent state and its file form: magic "EFCO", version, length, the
 * fields big-endian, then a CRC-32 of everything before it. */
#include <string.h>

#include "obe/obe.h"
#include "dsrc/octets.h"

#define STATE_MAGIC 0x4546434fu /* "EFCO" */
#define STATE_VERSION 1

void obe_state_init(obe_state *st, const keymgmt_obe_profile *prof) {
  memset(st, 0, sizeof(*st));
  st->autopass_tc = prof->autopass_tc;
  st->equipment_status = prof->en15509_tc & 0x0fff;
}

void obe_state_log(obe_state *st, uint32_t time, uint32_t station) {
  st->log[st->log_head].time = time;
  st->log[st->log_head].station = station;
  st->log_head = (uint8_t)((st->log_head + 1) % OBE_LOG_MAX);
  if (st->log_len < OBE_LOG_MAX) st->log_len++;
}

static uint32_t crc32(const uint8_t *p, size_t n) {
  uint32_t c = 0xffffffffu;
  while (n--) {
    c ^= *p++;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
  }
  return ~c;
}

int obe_state_encode(uint8_t *out, size_t cap, const obe_state *st) {
  size_t n = 16 + (size_t)st->log_len * 8, i = 0;
  if (cap < n + 4) return DSRC_ERR_NOBUF;
  dsrc_put_be32(out, STATE_MAGIC);
  out[4] = STATE_VERSION;
  out[5] = st->log_len;
  out[6] = (uint8_t)(st->autopass_tc >> 8);
  out[7] = (uint8_t)st->autopass_tc;
  out[8] = (uint8_t)(st->equipment_status >> 8);
  out[9] = (uint8_t)st->equipment_status;
  out[10] = st->efcstatus;
  memset(out + 11, 0, 5);
  /* The log oldest first. */
  for (unsigned k = 0; k < st->log_len; k++) {
    unsigned idx = (st->log_head + OBE_LOG_MAX - st->log_len + k) % OBE_LOG_MAX;
    dsrc_put_be32(out + 16 + 8 * i, st->log[idx].time);
    dsrc_put_be32(out + 20 + 8 * i, st->log[idx].station);
    i++;
  }
  dsrc_put_be32(out + n, crc32(out, n));
  return (int)(n + 4);
}

int obe_state_decode(obe_state *st, const uint8_t *in, size_t len) {
  size_t n;
  if (len < 20 || dsrc_get_be32(in) != STATE_MAGIC || in[4] != STATE_VERSION || in[5] > OBE_LOG_MAX)
    return OBE_ERR_STATE;
  n = 16 + (size_t)in[5] * 8;
  if (len != n + 4 || dsrc_get_be32(in + n) != crc32(in, n)) return OBE_ERR_STATE;
  memset(st, 0, sizeof(*st));
  st->autopass_tc = (uint16_t)(in[6] << 8 | in[7]);
  st->equipment_status = (uint16_t)(in[8] << 8 | in[9]);
  st->efcstatus = in[10];
  for (unsigned k = 0; k < in[5]; k++) obe_state_log(st, dsrc_get_be32(in + 16 + 8 * k), dsrc_get_be32(in + 20 + 8 * k));
  return 0;
}
