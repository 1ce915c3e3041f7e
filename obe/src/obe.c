/* The OBE's link half: power states, the beacon rules of docs/profiles.md, window
 * requests, LLC n-bit and MAC S-bit repetition, and the late-response procedure. */
#include <string.h>

#include "efc/build.h"
#include "obe_internal.h"

const obe_mcu obe_mcu_legacy = {300000, 350000, 1000000, 2000000};
const obe_mcu obe_mcu_modern = {300000, 20000, 60000, 10000};

void obe_config_default(obe_config *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  cfg->mcu = obe_mcu_modern;
  cfg->start_ns = 5000000;
  cfg->public_windows = 3;
  cfg->link_timeout_ns = 1000000000;
  cfg->refuse_after_release_ns = 3000000000u;
  cfg->equipment_class = 1;
  cfg->manufacturer_id = 2;
  cfg->obe_status = 0;
  cfg->bst_profile = 0;
}

const char *obe_strerror(int err) {
  switch (err) {
  case OBE_ERR_ARG:
    return "invalid argument";
  case OBE_ERR_STATE:
    return "OBE state malformed (bad magic, version, length or checksum)";
  case OBE_ERR_PROFILE:
    return "the OBE profile supports no transaction profile";
  default:
    return err <= -101 && err > -200 ? dsrc_crypto_strerror(err) : dsrc_strerror(err);
  }
}

int obe_init(obe_engine *o, const obe_config *cfg, const keymgmt_obe_profile *prof, obe_state *st,
             dsrc_crypto *crypto, dsrc_rng rng, const obe_callbacks *callbacks, void *user) {
  if (!o || !cfg || !prof || !st || !crypto || !rng.fill) return OBE_ERR_ARG;
  if ((prof->profiles & EFC_PROFILES_ALL) == 0) return OBE_ERR_PROFILE;
  memset(o, 0, sizeof(*o));
  o->cfg = cfg;
  o->prof = prof;
  o->st = st;
  o->crypto = crypto;
  o->rng = rng;
  o->window_rng = rng;
  if (callbacks) o->cb = *callbacks;
  o->user = user;
  o->power = OBE_ASLEEP;
  o->public_choice = -1;
  return 0;
}

void obe_sleep(obe_engine *o) {
  o->power = OBE_ASLEEP;
  o->want_window = false;
  o->have_answer = false;
  o->windows = 0;
}

static void power_set(obe_engine *o, obe_power power, uint64_t t) {
  o->power = power;
  if (o->cb.power_changed) o->cb.power_changed(o, power, t, o->user);
}

/* The OBE forgets its session (link timeout, new beacon), or a RELEASED one's beacon. */
static void session_drop(obe_engine *o, uint64_t t) {
  bool open = o->power == OBE_INIT || o->power == OBE_SESSION;
  o->want_window = false;
  o->want = OBE_WANT_NONE;
  o->have_answer = false;
  o->stored = false;
  o->have_n = false;
  o->have_sent_s = false;
  o->resend = false;
  o->last_uplink_len = 0;
  power_set(o, OBE_IDLE, t);
  if (open && o->cb.session_closed) o->cb.session_closed(o, o->lid, &o->beacon, false, t, o->user);
}

/* A private LID: 28 random bits, the extension bit (LSB) 0 on the first three octets and
 * 1 on the last (docs/protocol.md, "LID"). */
static uint32_t lid_draw(obe_engine *o) {
  uint8_t b[4];
  dsrc_rng_bytes(&o->rng, b, 4);
  return ((uint32_t)(b[0] & 0xfe) << 24) | ((uint32_t)(b[1] & 0xfe) << 16) |
         ((uint32_t)(b[2] & 0xfe) << 8) | (uint32_t)(b[3] | 1);
}

void obe_window_rng_set(obe_engine *o, dsrc_rng rng) { o->window_rng = rng; }

static void choose_public_window(obe_engine *o) {
  uint8_t r;
  dsrc_rng_bytes(&o->window_rng, &r, 1);
  o->public_choice = (int8_t)(r % o->cfg->public_windows);
}

/* The BST just heard comes from the beacon of the current or last session. */
static bool same_beacon(const obe_engine *o) {
  uint32_t t = o->bst_time;
  uint32_t jump = t > o->beacon_time ? t - o->beacon_time : o->beacon_time - t;
  return o->have_beacon && o->bst_rsu.manufacturer_id == o->beacon.manufacturer_id &&
         o->bst_rsu.individual_id == o->beacon.individual_id && jump < 256;
}

static void on_bst(obe_engine *o, uint64_t t) {
  bool same = same_beacon(o), allocates = o->bst_allocates, opened;
  if (allocates) o->windows = o->cfg->public_windows;
  /* A session in progress goes on with its beacon; the BST's public windows carry its
   * late responses. A changed beacon or a time jump of 256 s or more re-initialises. */
  if (o->power == OBE_SESSION) {
    if (!same) {
      session_drop(o, t);
    } else {
      if (o->want == OBE_WANT_LATE && o->answer_late && t >= o->answer_ready) {
        o->want_window = true;
        choose_public_window(o);
      }
      o->beacon_time = o->bst_time;
      return;
    }
  }
  if (o->power == OBE_RELEASED) {
    if (same || t - o->released_at < o->cfg->refuse_after_release_ns) return;
    session_drop(o, t);
  }
  /* No answer to a repeated BST after a completed session with that beacon. */
  if (same && o->beacon_done) return;
  if (!o->bst_accepted) return;
  opened = o->power != OBE_INIT;
  if (opened) {
    o->lid = lid_draw(o);
    o->last_rx = t;
    o->have_sent_s = false;
    o->last_uplink_len = 0;
    o->have_n = false;
    o->stored = false;
  }
  o->have_beacon = true;
  o->beacon = o->bst_rsu;
  o->beacon_time = o->bst_time;
  o->beacon_done = false;
  o->want = OBE_WANT_VST;
  o->want_window = allocates;
  if (allocates) choose_public_window(o);
  if (opened) {
    power_set(o, OBE_INIT, t);
    if (o->cb.session_opened) o->cb.session_opened(o, o->lid, &o->beacon, t, o->user);
  }
}

/* RELEASE: the session is over, and this beacon gets no answer any more. */
static void released(obe_engine *o, uint64_t t) {
  o->released_at = t;
  o->beacon_done = true;
  o->want_window = false;
  o->have_answer = false;
  o->stats.sessions++;
  power_set(o, OBE_RELEASED, t);
  if (o->cb.session_closed) o->cb.session_closed(o, o->lid, &o->beacon, true, t, o->user);
}

static void on_command(obe_engine *o, uint64_t t, const dsrc_frame *f) {
  dsrc_crypto_counters before = dsrc_crypto_counters_get(o->crypto), after;
  bool release = false;
  unsigned pdus = 0;
  int n;

  if (dsrc_llc_is_acn(f->llc)) {
    uint8_t nbit = f->llc >> 7;
    /* A command repeated with the same n bit gets its stored answer, never a second run.
     * With the S bit of the window the OBE last transmitted in, that frame goes again,
     * and what it said stands (after NE_OK, the late response is still due); in a new
     * window, the ACn answer if ready, else NE_OK again. */
    if (o->have_n && nbit == o->last_n && o->stored) {
      o->stats.repeats_answered++;
      if (!o->resend) {
        o->have_answer = true;
        o->answer_late = false;
        if (o->want == OBE_WANT_LATE) o->want = OBE_WANT_NONE;
      }
      return;
    }
    /* A new command follows only an answer the RSE received: its window is a new one,
     * whatever its S bit says. */
    o->resend = false;
    o->have_n = true;
    o->last_n = nbit;
    o->last_llc = f->llc;
  }
  n = obe_app_execute(o, f->lsdu, f->lsdu_len, o->answer, sizeof(o->answer) - 16, &release, &pdus);
  o->stats.commands += pdus;
  if (release) {
    released(o, t);
    return;
  }
  if (n <= 0) {
    /* Undecodable or nothing to answer: no stored answer for this n. */
    o->stored = false;
    o->have_answer = false;
    return;
  }
  after = dsrc_crypto_counters_get(o->crypto);
  {
    uint64_t des = after.des - before.des, tdes = after.tdes - before.tdes, aes = after.aes - before.aes;
    uint64_t ns = (uint64_t)o->cfg->mcu.base_ns * pdus + des * o->cfg->mcu.des_ns +
                  tdes * o->cfg->mcu.tdes_ns + aes * o->cfg->mcu.aes_ns;
    o->stats.crypto.des += des;
    o->stats.crypto.tdes += tdes;
    o->stats.crypto.aes += aes;
    o->stats.processing_ns += ns;
    o->answer_ready = t + ns;
  }
  o->answer_len = (size_t)n;
  o->have_answer = true;
  o->answer_late = false;
  o->want = OBE_WANT_NONE;
  o->stored = dsrc_llc_is_acn(f->llc);
}

static void downlink(obe_engine *o, uint64_t t, const uint8_t *frame, size_t len, bool corrupted) {
  dsrc_frame f;
  o->stats.frames_rx++;
  o->windows = 0;
  o->private_window = false;
  o->public_choice = o->want_window ? o->public_choice : -1;

  if (o->power == OBE_ASLEEP) {
    /* Energy detection: any frame of 11 octets or more, its 2-octet preamble included,
     * wakes it; the frame itself is lost while the receiver starts. */
    if (len + 2 >= 11) {
      o->wake_at = t + o->cfg->start_ns;
      power_set(o, OBE_WAKING, t);
    }
    return;
  }
  if (o->power == OBE_WAKING) {
    if (t < o->wake_at) return;
    power_set(o, OBE_IDLE, t);
  }
  if ((o->power == OBE_INIT || o->power == OBE_SESSION) && t - o->last_rx > o->cfg->link_timeout_ns)
    session_drop(o, t);
  if (!corrupted && len == o->bst_len && memcmp(frame, o->bst_frame, len) == 0) {
    /* The BST heard last time, octet for octet (so its FCS checks too). */
    on_bst(o, t);
    return;
  }
  if (corrupted || dsrc_frame_decode(&f, frame, len) != 0) {
    o->stats.frames_ignored++;
    return;
  }

  if (f.lid_len == 1 && f.lid == DSRC_LID_BROADCAST) {
    dsrc_tapdu bst;
    unsigned pdu;
    if (!f.has_llc || dsrc_pdu_decode(&bst, &pdu, f.lsdu, f.lsdu_len, NULL) < 0 || bst.kind != DSRC_BST) {
      o->stats.frames_ignored++;
      return;
    }
    o->bst_rsu = bst.u.bst.rsu;
    o->bst_time = bst.u.bst.time;
    o->bst_allocates = (f.mac & DSRC_MAC_A) != 0;
    o->bst_accepted = obe_app_accepts(o, &bst.u.bst);
    o->bst_len = 0;
    if (len <= sizeof(o->bst_frame)) {
      memcpy(o->bst_frame, frame, len);
      o->bst_len = (uint8_t)len;
    }
    on_bst(o, t);
    return;
  }
  if (f.lid_len != 4 || f.lid != o->lid || (o->power != OBE_INIT && o->power != OBE_SESSION) ||
      (f.mac & DSRC_MAC_D)) {
    o->stats.frames_ignored++;
    return;
  }
  o->last_rx = t;
  o->resend = false;
  if (f.mac & DSRC_MAC_A) {
    /* The same S as the allocation it last transmitted in: that frame again. */
    o->alloc_s = f.mac & DSRC_MAC_S;
    o->resend = o->have_sent_s && o->alloc_s == o->sent_s;
    o->windows = 1;
    o->private_window = true;
    o->want_window = false; /* the allocation answers its request */
  }
  if (f.has_llc && f.lsdu_len > 0) {
    if (o->power == OBE_SESSION)
      on_command(o, t, &f);
    else if (!(f.mac & DSRC_MAC_A) && f.llc == DSRC_LLC_UI && obe_app_is_release(f.lsdu, f.lsdu_len))
      released(o, t); /* before its VST went out: the RSE gave up on it */
  }
}

void obe_on_downlink(obe_engine *o, uint64_t t, const uint8_t *frame, size_t len, bool corrupted) {
  downlink(o, t, frame, len, corrupted);
  /* Once per downlink, after all of it: the state is then whole, and no window has yet
   * revealed it. */
  if (o->dirty) {
    o->dirty = false;
    if (o->cb.state_changed) o->cb.state_changed(o, t, o->user);
  }
}

/* A frame's length, 0 for none: what a window carries. */
static size_t sent(dsrc_ssize n) { return n <= 0 ? 0 : (size_t)n; }

/* A frame without LSDU that depends only on the LID and the LLC octet: from k while both
 * are the same, else built and kept in k. llc 0 (no ACn code is 0): the window request;
 * else NE_OK with that LLC. */
static inline size_t kept(obe_engine *o, obe_kept *k, uint8_t *out, size_t cap, uint8_t llc) {
  size_t n;
  if (k->len != 0 && k->lid == o->lid && k->llc == llc && k->len <= cap) {
    memcpy(out, k->frame, k->len);
    return k->len;
  }
  n = sent(llc ? efc_build_response(out, cap, o->lid, llc, DSRC_LLC_NE_OK, NULL, 0)
               : efc_build_window_request(out, cap, o->lid));
  if (n > 0 && n <= sizeof(k->frame)) {
    memcpy(k->frame, out, n);
    k->len = (uint8_t)n;
    k->lid = o->lid;
    k->llc = llc;
  }
  return n;
}

static size_t window_request(obe_engine *o, uint8_t *out, size_t cap) {
  return kept(o, &o->wreq, out, cap, 0);
}

/* NE_OK, the late response's first half. */
static size_t not_yet(obe_engine *o, uint8_t *out, size_t cap, uint8_t llc) {
  return kept(o, &o->neok[(llc & DSRC_LLC_N) != 0], out, cap, llc);
}

static size_t vst_frame(obe_engine *o, uint64_t t, uint8_t *out, size_t cap) {
  dsrc_tapdu vst;
  uint8_t lsdu[DSRC_FRAME_MAX];
  dsrc_ssize n;
  if (obe_app_vst(o, &vst) != 0) return 0;
  n = dsrc_pdu_encode(lsdu, sizeof(lsdu), 2, &vst);
  if (n < 0) return 0;
  o->want = OBE_WANT_NONE;
  power_set(o, OBE_SESSION, t);
  return sent(efc_build_uplink(out, cap, o->lid, lsdu, (size_t)n));
}

/* What the OBE sends in its private window. */
static size_t private_answer(obe_engine *o, uint64_t t, uint8_t *out, size_t cap) {
  uint8_t rsp_llc;
  /* An allocation that repeats the S bit of the last one it transmitted in. */
  if (o->resend && o->last_uplink_len > 0 && o->last_uplink_len <= cap) {
    o->stats.resends++;
    memcpy(out, o->last_uplink, o->last_uplink_len);
    return o->last_uplink_len;
  }
  if (o->power == OBE_INIT && o->want == OBE_WANT_VST) return vst_frame(o, t, out, cap);
  if (o->power != OBE_SESSION || !o->have_answer) return 0;
  if (o->want == OBE_WANT_LATE) {
    if (t < o->answer_ready) return 0;
    /* The late response: a UI frame in the window its request obtained. */
    o->want = OBE_WANT_NONE;
    o->have_answer = false;
    o->answer_late = false;
    return sent(efc_build_uplink(out, cap, o->lid, o->answer, o->answer_len));
  }
  rsp_llc = (uint8_t)(o->last_llc ^ DSRC_LLC_N);
  if (t >= o->answer_ready) {
    o->have_answer = false;
    return sent(efc_build_response(out, cap, o->lid, rsp_llc, DSRC_LLC_OK_OK, o->answer, o->answer_len));
  }
  /* Still computing: "response not yet available, command accepted". */
  o->answer_late = true;
  o->want = OBE_WANT_LATE;
  o->stats.late_responses++;
  return not_yet(o, out, cap, (uint8_t)(rsp_llc & ~DSRC_LLC_F));
}

size_t obe_on_window(obe_engine *o, uint64_t t, unsigned w, uint8_t *out, size_t cap) {
  size_t n;
  if (w >= o->windows) return 0;
  if (!o->private_window) {
    if (!o->want_window || o->public_choice != (int)w) return 0;
    n = window_request(o, out, cap);
    o->stats.frames_tx += n > 0;
    return n;
  }
  n = private_answer(o, t, out, cap);
  if (n > 0) {
    /* Kept with its S, for an allocation that asks for it again. */
    memcpy(o->last_uplink, out, n);
    o->last_uplink_len = n;
    o->have_sent_s = true;
    o->sent_s = o->alloc_s;
    o->stats.frames_tx++;
  }
  return n;
}
