/* L2 frames as JSON objects: header fields as hex octets, the PDUs as JER. */
#include <stdio.h>
#include <string.h>

#include "dsrc/hex.h"
#include "dsrc/jer.h"

static json_t *hex_value(uint32_t v, unsigned octets) {
  uint8_t b[4];
  char s[9];
  for (unsigned i = 0; i < octets; i++) b[i] = (uint8_t)(v >> (8 * (octets - 1 - i)));
  dsrc_hex_encode(s, b, octets, 0);
  return json_string(s);
}

static void set_msg(char *msg, size_t msglen, const char *what, size_t bit, int err) {
  if (msg && msglen)
    snprintf(msg, msglen, "%s at octet %zu bit %zu (bit offset %zu): %s", what, bit / 8, bit % 8,
             bit, dsrc_strerror(err));
}

json_t *dsrc_frame_to_json(const uint8_t *frame, size_t len, int *err, char *msg, size_t msglen) {
  dsrc_frame f;
  json_t *o, *pdus;
  int rv = dsrc_frame_decode(&f, frame, len);
  size_t off, lsdu_at;
  *err = 0;
  if (msg && msglen) msg[0] = '\0';
  if (rv != 0 && rv != DSRC_ERR_FCS) {
    *err = rv;
    if (msg && msglen) snprintf(msg, msglen, "frame of %zu octets: %s", len, dsrc_strerror(rv));
    return NULL;
  }
  o = json_object();
  if (!o) return NULL;
  json_object_set_new(o, "octets", json_integer((json_int_t)len));
  json_object_set_new(o, "stuffedBits", json_integer(dsrc_frame_stuffed_bits(frame, len)));
  json_object_set_new(o, "lid", hex_value(f.lid, f.lid_len));
  json_object_set_new(o, "mac", hex_value(f.mac, 1));
  if (f.has_llc) json_object_set_new(o, "llc", hex_value(f.llc, 1));
  if (f.has_status) json_object_set_new(o, "status", hex_value(f.status, 1));
  json_object_set_new(o, "fcs", hex_value(f.fcs, 2));
  json_object_set_new(o, "fcsOk", json_boolean(f.fcs_ok));
  if (!f.fcs_ok) {
    *err = DSRC_ERR_FCS;
    if (msg && msglen)
      snprintf(msg, msglen, "frame check sequence mismatch: received %04x, computed %04x", f.fcs,
               dsrc_fcs(frame + 1, len - 4));
  }
  if (!f.has_llc) return o;
  pdus = json_array();
  json_object_set_new(o, "pdus", pdus);
  lsdu_at = (size_t)(f.lsdu - frame);
  for (off = 0; off < f.lsdu_len;) {
    dsrc_tapdu t;
    unsigned pdu = 0;
    size_t bit = 0;
    json_t *p;
    dsrc_ssize n = dsrc_pdu_decode(&t, &pdu, f.lsdu + off, f.lsdu_len - off, &bit);
    if (n < 0) {
      if (*err == 0) {
        *err = (int)n;
        set_msg(msg, msglen, "T-APDU decode error", (lsdu_at + off) * 8 + bit, (int)n);
      }
      break;
    }
    p = json_object();
    json_object_set_new(p, "pduNumber", json_integer(pdu));
    json_object_set_new(p, "tapdu", dsrc_tapdu_to_jer(&t, NULL));
    json_array_append_new(pdus, p);
    off += (size_t)n;
  }
  return o;
}

/* A hex field of exactly 'octets' octets (lid: 1..4) into *v. */
static int get_hex_field(json_t *j, const char *name, unsigned min, unsigned max, uint32_t *v,
                         unsigned *len, char *msg, size_t msglen) {
  json_t *m = json_object_get(j, name);
  uint8_t b[4];
  dsrc_ssize n;
  if (!m || !json_is_string(m)) {
    if (msg && msglen) snprintf(msg, msglen, "frame.%s: missing or not a hex string", name);
    return DSRC_ERR_JSON;
  }
  n = dsrc_hex_decode(b, sizeof(b), json_string_value(m), NULL);
  if (n < (dsrc_ssize)min || n > (dsrc_ssize)max) {
    if (msg && msglen)
      snprintf(msg, msglen, "frame.%s: expected %u..%u hex octets", name, min, max);
    return DSRC_ERR_JSON;
  }
  *v = 0;
  for (dsrc_ssize i = 0; i < n; i++) *v = (*v << 8) | b[i];
  if (len) *len = (unsigned)n;
  return 0;
}

dsrc_ssize dsrc_frame_from_json(uint8_t *buf, size_t cap, json_t *j, char *msg, size_t msglen) {
  dsrc_frame f;
  uint8_t lsdu[DSRC_FRAME_MAX];
  uint32_t lid, mac, llc = 0, status = 0;
  unsigned lid_len = 0;
  size_t off = 0;
  json_t *pdus, *p;
  size_t i;
  int rv;
  if (!json_is_object(j)) {
    if (msg && msglen) snprintf(msg, msglen, "frame: expected an object");
    return DSRC_ERR_JSON;
  }
  if ((rv = get_hex_field(j, "lid", 1, 4, &lid, &lid_len, msg, msglen)) != 0) return rv;
  if ((rv = get_hex_field(j, "mac", 1, 1, &mac, NULL, msg, msglen)) != 0) return rv;
  memset(&f, 0, sizeof(f));
  f.lid = lid;
  f.lid_len = (uint8_t)lid_len;
  f.mac = (uint8_t)mac;
  f.has_llc = json_object_get(j, "llc") != NULL;
  if (f.has_llc && (rv = get_hex_field(j, "llc", 1, 1, &llc, NULL, msg, msglen)) != 0) return rv;
  f.llc = (uint8_t)llc;
  f.has_status = json_object_get(j, "status") != NULL;
  if (f.has_status && (rv = get_hex_field(j, "status", 1, 1, &status, NULL, msg, msglen)) != 0)
    return rv;
  f.status = (uint8_t)status;
  pdus = json_object_get(j, "pdus");
  if (pdus && !json_is_array(pdus)) {
    if (msg && msglen) snprintf(msg, msglen, "frame.pdus: expected an array");
    return DSRC_ERR_JSON;
  }
  json_array_foreach(pdus, i, p) {
    dsrc_tapdu t;
    json_t *num = json_object_get(p, "pduNumber");
    char why[200];
    dsrc_ssize n;
    if (!json_is_integer(num)) {
      if (msg && msglen) snprintf(msg, msglen, "frame.pdus[%zu].pduNumber: missing integer", i);
      return DSRC_ERR_JSON;
    }
    rv = dsrc_tapdu_from_jer(&t, json_object_get(p, "tapdu") ? json_object_get(p, "tapdu") : json_null(),
                             why, sizeof(why));
    if (rv != 0) {
      if (msg && msglen) snprintf(msg, msglen, "frame.pdus[%zu].tapdu.%s", i, why);
      return rv;
    }
    n = dsrc_pdu_encode(lsdu + off, sizeof(lsdu) - off, (unsigned)json_integer_value(num), &t);
    if (n < 0) {
      if (msg && msglen) snprintf(msg, msglen, "frame.pdus[%zu]: %s", i, dsrc_strerror((int)n));
      return n;
    }
    off += (size_t)n;
  }
  f.lsdu = lsdu;
  f.lsdu_len = off;
  {
    dsrc_ssize n = dsrc_frame_encode(buf, cap, &f);
    if (n < 0 && msg && msglen) snprintf(msg, msglen, "frame: %s", dsrc_strerror((int)n));
    return n;
  }
}
