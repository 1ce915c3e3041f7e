/* A scripted reader: the attacker's own RSE, one OBE engine, no lane. It speaks the L2
 * protocol the RSE engine speaks (docs/profiles.md: BST, window request, allocation,
 * VST, ACn commands with n and S bits, NE_OK and late answers, RELEASE) but sends whatever
 * T-APDUs the attack wants: an unauthorised reader, a pre-play, a replayed RSE side. */
#include <string.h>

#include "security/attack.h"

#define STEPS_MAX 400 /* BST cycles a reader waits for an OBE before giving up */

static uint64_t air(const sec_reader *r, bool up, const uint8_t *f, size_t len) {
  return dsrc_l1_airtime_ns(&r->w->l.l1, up, f, len);
}

/* One downlink and its windows: the frame the OBE sends in window want (or the first one
 * it sends at all when want < 0). Moves the clock past the exchange. */
static size_t exchange(sec_reader *r, const uint8_t *f, size_t len, unsigned windows, bool public, int want,
                       uint8_t *up, size_t cap) {
  const rse_config *c = &r->w->rcfg;
  uint64_t end = r->now + air(r, false, f, len), t = end + c->gap_du_ns;
  size_t got = 0;
  obe_on_downlink(r->o, end, f, len, false);
  r->now = t;
  for (unsigned w = 0; w < windows; w++) {
    uint64_t ws = t + (public ? w * c->public_window_ns : 0);
    uint8_t tmp[DSRC_FRAME_MAX];
    size_t n = obe_on_window(r->o, ws, w, tmp, sizeof(tmp));
    if (n && !got && (want < 0 || (unsigned)want == w) && n <= cap) {
      memcpy(up, tmp, n);
      got = n;
    }
    r->now = ws + (public ? c->public_window_ns : (n ? air(r, true, tmp, n) : c->empty_window_ns));
  }
  r->now += c->gap_ud_ns;
  return got;
}

static size_t bst(sec_reader *r, uint8_t *out, size_t cap) {
  dsrc_tapdu t;
  uint8_t lsdu[DSRC_FRAME_MAX];
  dsrc_frame f;
  dsrc_ssize n;
  dsrc_tapdu_init(&t, DSRC_BST);
  t.u.bst.rsu = r->beacon;
  t.u.bst.time = (uint32_t)((r->w->rcfg.epoch_cs + (int64_t)(r->now / 10000000u)) / 100);
  t.u.bst.mand.count = 1;
  t.u.bst.mand.items[0].aid = DSRC_AID_EFC;
  n = dsrc_pdu_encode(lsdu, sizeof(lsdu), 2, &t);
  if (n < 0) return 0;
  memset(&f, 0, sizeof(f));
  f.lid = DSRC_LID_BROADCAST;
  f.lid_len = 1;
  f.mac = DSRC_MAC_BST;
  f.has_llc = true;
  f.llc = DSRC_LLC_UI;
  f.lsdu = lsdu;
  f.lsdu_len = (size_t)n;
  n = dsrc_frame_encode(out, cap, &f);
  return n < 0 ? 0 : (size_t)n;
}

static size_t private(sec_reader *r, uint8_t mac, bool llc, uint8_t llc_v, const uint8_t *lsdu, size_t len,
                      uint8_t *out, size_t cap) {
  dsrc_frame f;
  dsrc_ssize n;
  memset(&f, 0, sizeof(f));
  f.lid = r->lid;
  f.lid_len = 4;
  f.mac = mac;
  f.has_llc = llc;
  f.llc = llc_v;
  f.lsdu = lsdu;
  f.lsdu_len = len;
  n = dsrc_frame_encode(out, cap, &f);
  return n < 0 ? 0 : (size_t)n;
}

/* BSTs until the OBE asks for a window; then an allocation (a fresh S) and its frame. */
static size_t window_then_frame(sec_reader *r, uint8_t *up, size_t cap) {
  uint8_t f[DSRC_FRAME_MAX], req[DSRC_FRAME_MAX];
  for (int i = 0; i < STEPS_MAX; i++) {
    size_t n = bst(r, f, sizeof(f)), m;
    dsrc_frame h;
    if (!n) return 0;
    m = exchange(r, f, n, r->w->rcfg.public_windows, true, -1, req, sizeof(req));
    if (!m || dsrc_frame_decode(&h, req, m) != 0 || h.has_llc) continue;
    if (!r->lid) r->lid = h.lid;
    if (h.lid != r->lid) continue;
    r->s = (uint8_t)!r->s;
    n = private(r, (uint8_t)(DSRC_MAC_ALLOCATION | r->s), false, 0, NULL, 0, f, sizeof(f));
    return n ? exchange(r, f, n, 1, false, 0, up, cap) : 0;
  }
  return 0;
}

int sec_reader_open(sec_reader *r, sec_world *w, obe_engine *o, const dsrc_beacon_id *beacon) {
  uint8_t up[DSRC_FRAME_MAX];
  size_t n;
  dsrc_frame h;
  unsigned pdu;
  memset(r, 0, sizeof(*r));
  r->w = w;
  r->o = o;
  r->now = w->l.now;
  r->beacon = beacon ? *beacon : w->rcfg.beacon;
  r->s = 1;
  n = window_then_frame(r, up, sizeof(up));
  if (!n || dsrc_frame_decode(&h, up, n) != 0 || !h.lsdu_len ||
      dsrc_pdu_decode(&r->vst, &pdu, h.lsdu, h.lsdu_len, NULL) < 0 || r->vst.kind != DSRC_VST)
    return -1;
  r->open = true;
  return 0;
}

int sec_reader_ask_raw(sec_reader *r, const uint8_t *lsdu, size_t len, dsrc_tapdu *answer) {
  uint8_t f[DSRC_FRAME_MAX], up[DSRC_FRAME_MAX];
  size_t n, m = 0;
  dsrc_frame h;
  unsigned pdu;
  if (!r->open) return -1;
  r->n = (uint8_t)!r->n;
  /* A command without an answer is sent again with the same n (the OBE then repeats its
   * stored answer rather than executing twice), as an RSE would. */
  for (int tries = 0; tries < 4 && !m; tries++) {
    r->s = (uint8_t)!r->s;
    n = private(r, (uint8_t)(DSRC_MAC_COMMAND | r->s), true, r->n ? DSRC_LLC_AC1 : DSRC_LLC_AC0, lsdu, len, f,
                sizeof(f));
    if (!n) return -1;
    m = exchange(r, f, n, 1, false, 0, up, sizeof(up));
  }
  if (!m || dsrc_frame_decode(&h, up, m) != 0) return -1;
  if (h.has_status && h.status == DSRC_LLC_NE_OK) {
    /* Not ready: the OBE asks for a window in a public one when it is. */
    m = window_then_frame(r, up, sizeof(up));
    if (!m || dsrc_frame_decode(&h, up, m) != 0) return -1;
  }
  if (!h.lsdu_len) return -1;
  return dsrc_pdu_decode(answer, &pdu, h.lsdu, h.lsdu_len, NULL) < 0 ? -1 : 0;
}

int sec_reader_ask(sec_reader *r, const dsrc_tapdu *cmd, dsrc_tapdu *answer) {
  uint8_t lsdu[DSRC_FRAME_MAX];
  dsrc_ssize n;
  r->pdu = (uint8_t)(r->pdu >= 15 || r->pdu < 2 ? 2 : r->pdu + 1);
  n = dsrc_pdu_encode(lsdu, sizeof(lsdu), r->pdu, cmd);
  if (n < 0) return -1;
  return sec_reader_ask_raw(r, lsdu, (size_t)n, answer);
}

void sec_reader_close(sec_reader *r) {
  uint8_t lsdu[16], f[DSRC_FRAME_MAX], up[DSRC_FRAME_MAX];
  dsrc_tapdu t;
  dsrc_ssize n;
  size_t m;
  if (!r->open) return;
  dsrc_tapdu_init(&t, DSRC_EVENT_RQ);
  n = dsrc_pdu_encode(lsdu, sizeof(lsdu), r->pdu < 2 ? 2 : r->pdu, &t);
  if (n > 0 && (m = private(r, DSRC_MAC_NO_WINDOW, true, DSRC_LLC_UI, lsdu, (size_t)n, f, sizeof(f))))
    exchange(r, f, m, 0, false, -1, up, sizeof(up));
  r->open = false;
  /* The lane's clock moves past what the reader did, and five minutes on, as after a
   * passage: an OBE ignores a beacon it has just finished with (docs/profiles.md). */
  if (r->now > r->w->l.now) r->w->l.now = r->now;
  r->w->l.now += UINT64_C(300000000000);
}
