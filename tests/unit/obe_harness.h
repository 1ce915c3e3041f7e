/* Test harness for the OBE engine: downlink frames built by hand, a scripted RNG, and an
 * OBE personalised with the worked-example keys of crypto.txt. */
#ifndef EFC_TEST_OBE_HARNESS_H
#define EFC_TEST_OBE_HARNESS_H

#include <string.h>

#include "dsrc/hex.h"
#include "obe/obe.h"

#define MS 1000000ull

/* Scripted randomness: bytes handed out in order; after the script, a counter. */
typedef struct {
  uint8_t bytes[256];
  size_t len, pos;
  uint8_t next;
} script_rng;

static inline void script_fill(void *state, uint8_t *out, size_t len) {
  script_rng *s = state;
  for (size_t i = 0; i < len; i++) out[i] = s->pos < s->len ? s->bytes[s->pos++] : s->next++;
}

static inline void script_add(script_rng *s, const char *hex) {
  dsrc_ssize n = dsrc_hex_decode(s->bytes + s->len, sizeof(s->bytes) - s->len, hex, NULL);
  if (n > 0) s->len += (size_t)n;
}

static inline dsrc_rng script_as_rng(script_rng *s) {
  dsrc_rng r = {script_fill, s};
  return r;
}

static inline size_t frame_build(uint8_t *out, uint32_t lid, unsigned lid_len, uint8_t mac, int llc,
                                 const dsrc_tapdu *t, unsigned pdu) {
  uint8_t lsdu[DSRC_FRAME_MAX];
  dsrc_frame f;
  dsrc_ssize n = 0;
  memset(&f, 0, sizeof(f));
  if (t) n = dsrc_pdu_encode(lsdu, sizeof(lsdu), pdu, t);
  f.lid = lid;
  f.lid_len = (uint8_t)lid_len;
  f.mac = mac;
  f.has_llc = llc >= 0;
  f.llc = (uint8_t)(llc < 0 ? 0 : llc);
  f.lsdu = lsdu;
  f.lsdu_len = n > 0 ? (size_t)n : 0;
  n = dsrc_frame_encode(out, DSRC_FRAME_MAX, &f);
  return n > 0 ? (size_t)n : 0;
}

static inline size_t bst_build(uint8_t *out, uint16_t mfr, uint32_t ind, uint32_t time, uint8_t profile,
                               uint8_t aid) {
  dsrc_tapdu t;
  dsrc_tapdu_init(&t, DSRC_BST);
  t.u.bst.rsu.manufacturer_id = mfr;
  t.u.bst.rsu.individual_id = ind;
  t.u.bst.time = time;
  t.u.bst.profile = profile;
  t.u.bst.mand.count = 1;
  t.u.bst.mand.items[0].aid = aid;
  return frame_build(out, DSRC_LID_BROADCAST, 1, DSRC_MAC_BST, DSRC_LLC_UI, &t, 2);
}

static inline size_t alloc_build(uint8_t *out, uint32_t lid, unsigned s) {
  return frame_build(out, lid, 4, (uint8_t)(DSRC_MAC_ALLOCATION | s), -1, NULL, 0);
}

/* An ACn command from hex T-APDU octets. */
static inline size_t command_build(uint8_t *out, uint32_t lid, unsigned s, unsigned n, const char *tapdu_hex,
                                   unsigned pdu) {
  uint8_t b[DSRC_FRAME_MAX];
  dsrc_tapdu t;
  dsrc_ssize k = dsrc_hex_decode(b, sizeof(b), tapdu_hex, NULL);
  if (k <= 0 || dsrc_tapdu_decode(&t, b, (size_t)k, NULL) != k) return 0;
  return frame_build(out, lid, 4, (uint8_t)(DSRC_MAC_COMMAND | s), n ? DSRC_LLC_AC1 : DSRC_LLC_AC0, &t, pdu);
}

static inline size_t release_build(uint8_t *out, uint32_t lid) {
  dsrc_tapdu t;
  dsrc_tapdu_init(&t, DSRC_EVENT_RQ);
  return frame_build(out, lid, 4, DSRC_MAC_NO_WINDOW, DSRC_LLC_UI, &t, 7);
}

/* The worked-example OBE of crypto.txt for the profiles given. */
static inline void worked_profile(keymgmt_obe_profile *p, unsigned profiles) {
  memset(p, 0, sizeof(*p));
  p->profiles = profiles;
  dsrc_hex_decode(p->obuid, 4, "00A1B2C3", NULL);
  dsrc_hex_decode(p->pan, 10, "2800000012345678907F", NULL);
  dsrc_hex_decode(p->context_mark, 6, "30C001000102", NULL);
  dsrc_hex_decode(p->ac_cr_ref, 2, "00FF", NULL);
  p->has_expiry = true;
  p->expiry_year = 2030;
  p->expiry_month = 6;
  p->expiry_day = 30;
  dsrc_hex_decode(p->auk[0], 8, "F0A593A89CA1C594", NULL);
  dsrc_hex_decode(p->access_key, 8, "87117CBD34F11FBC", NULL);
  dsrc_hex_decode(p->obukey_n[0], 16, "022CD0E66DBABCFDEFC4455426AE4916", NULL);
  dsrc_hex_decode(p->obukey_f[0], 16, "323D1CBA32BFFD40A24FC14397C81983", NULL);
}

/* The OBE's LID from its window request frame. */
static inline uint32_t lid_of(const uint8_t *frame) {
  return (uint32_t)frame[1] << 24 | (uint32_t)frame[2] << 16 | (uint32_t)frame[3] << 8 | frame[4];
}

/* Which public window (0..n-1) the OBE transmits in after a BST at t; -1 if none. */
/* Offers every public window of the last BST; the window it answered in, or -1. Each
 * answer is checked against obe_public_window(), which the scenario runner relies on
 * instead of offering every window. */
static inline int public_request(obe_engine *o, uint64_t t, uint8_t *out, size_t *len) {
  int said = obe_public_window(o);
  for (unsigned w = 0; w < o->cfg->public_windows; w++) {
    size_t n = obe_on_window(o, t + 100000 + w * 432000ull, w, out, DSRC_FRAME_MAX);
    if (n) {
      *len = n;
      assert_int_equal(said, (int)w);
      return (int)w;
    }
  }
  assert_int_equal(said, -1);
  return -1;
}

#endif
