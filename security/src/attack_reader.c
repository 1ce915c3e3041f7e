/* A scripted reader: the attacker's own RSE, one OBE engine, no lane. It speaks the L2
 * protocol the RSE engine speaks (docs/profiles.md: BST, window request, allocation,
 * VST, ACn commands with n and S bits, NE_OK and late answers, RELEASE) but sends whatever
 * T-APDUs the attack wants: an unauthorised reader, a pre-play, a replayed RSE side. */
#include <string.h>

#include "efc/build.h"
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

/* A frame's length, 0 for none. */
static size_t sent(dsrc_ssize n) { return n < 0 ? 0 : (size_t)n; }

static size_t bst(sec_reader *r, uint8_t *out, size_t cap) {
  uint32_t time = (uint32_t)((r->w->rcfg.epoch_cs + (int64_t)(r->now / 10000000u)) / 100);
  return sent(efc_build_bst(out, cap, &r->beacon, time));
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
    n = sent(efc_build_allocation(f, sizeof(f), r->lid, r->s));
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
    n = sent(efc_build_command(f, sizeof(f), r->lid, r->s, r->n, lsdu, len));
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
  uint8_t f[DSRC_FRAME_MAX], up[DSRC_FRAME_MAX];
  size_t m;
  if (!r->open) return;
  if ((m = sent(efc_build_release(f, sizeof(f), r->lid, r->pdu < 2 ? 2 : r->pdu))))
    exchange(r, f, m, 0, false, -1, up, sizeof(up));
  r->open = false;
  /* The lane's clock moves past what the reader did, and five minutes on, as after a
   * passage: an OBE ignores a beacon it has just finished with (docs/profiles.md). */
  if (r->now > r->w->l.now) r->w->l.now = r->now;
  r->w->l.now += UINT64_C(300000000000);
}
