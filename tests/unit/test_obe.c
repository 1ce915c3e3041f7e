/* The OBE engine: the worked examples of crypto.txt byte for byte, the BST rules of
 * docs/profiles.md, access control, repetition (n bit, S bit), the late
 * response, and its persistent state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dsrc/keys.h"
#include "obe_harness.h"

typedef struct {
  dsrc_crypto *crypto;
  keymgmt_obe_profile prof;
  obe_state st;
  obe_config cfg;
  script_rng rng;
  obe_engine o;
  uint64_t t;
  uint32_t lid;
  uint8_t vst[DSRC_FRAME_MAX];
  size_t vst_len;
  unsigned state_changes; /* state_changed events */
  obe_state saved;        /* the state as the last state_changed saw it: what a driver saved */
  char events[512];       /* the other events, in order */
} fx;

static const obe_mcu instant = {0, 0, 0, 0};

static void event_add(fx *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void event_add(fx *f, const char *fmt, ...) {
  size_t n = strlen(f->events);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(f->events + n, sizeof(f->events) - n, fmt, ap);
  va_end(ap);
}

static void on_power_changed(obe_engine *o, obe_power power, uint64_t t, void *user) {
  static const char *const names[] = {"ASLEEP", "WAKING", "IDLE", "INIT", "SESSION", "RELEASED"};
  (void)o;
  (void)t;
  event_add(user, "power %s|", names[power]);
}

static void on_session_opened(obe_engine *o, uint32_t lid, const dsrc_beacon_id *beacon, uint64_t t, void *user) {
  (void)o;
  (void)t;
  event_add(user, "open %08X %u|", lid, (unsigned)beacon->individual_id);
}

static void on_session_closed(obe_engine *o, uint32_t lid, const dsrc_beacon_id *beacon, bool released, uint64_t t,
                              void *user) {
  (void)o;
  (void)t;
  event_add(user, "close %08X %u %s|", lid, (unsigned)beacon->individual_id, released ? "released" : "dropped");
}

static void on_state_changed(obe_engine *o, uint64_t t, void *user) {
  fx *f = user;
  (void)o;
  (void)t;
  f->state_changes++;
  f->saved = f->st;
}

static const obe_callbacks fx_events = {on_power_changed, on_session_opened, on_session_closed, on_state_changed};

static void fx_init(fx *f, unsigned profiles, obe_mcu mcu, const char *script) {
  char err[128];
  memset(f, 0, sizeof(*f));
  assert_int_equal(dsrc_crypto_new(&f->crypto, err, sizeof(err)), 0);
  worked_profile(&f->prof, profiles);
  obe_state_init(&f->st, &f->prof);
  obe_config_default(&f->cfg);
  f->cfg.mcu = mcu;
  script_add(&f->rng, script);
  assert_int_equal(obe_init(&f->o, &f->cfg, &f->prof, &f->st, f->crypto, script_as_rng(&f->rng), &fx_events, f), 0);
}

static void fx_free(fx *f) { dsrc_crypto_free(f->crypto); }

/* Downlink at f->t (then f->t moves on by 2 ms). */
static void down(fx *f, const uint8_t *frame, size_t len) {
  obe_on_downlink(&f->o, f->t, frame, len, false);
}

/* Wakes the OBE with a BST, then initialises: window request, allocation, VST. */
static void fx_session(fx *f) {
  uint8_t b[DSRC_FRAME_MAX], up[DSRC_FRAME_MAX];
  size_t n, len = 0;
  n = bst_build(b, 1, 1052, 1733233720, 0, DSRC_AID_EFC);
  down(f, b, n); /* wakes it; this frame is lost */
  assert_int_equal(public_request(&f->o, f->t, up, &len), -1);
  f->t += 6 * MS;
  down(f, b, n);
  assert_true(public_request(&f->o, f->t, up, &len) >= 0);
  assert_int_equal(len, 9);
  assert_int_equal(up[5], DSRC_MAC_WINDOW_REQUEST);
  f->lid = lid_of(up);
  f->t += 2 * MS;
  n = alloc_build(b, f->lid, 0);
  down(f, b, n);
  f->vst_len = obe_on_window(&f->o, f->t + 100000, 0, f->vst, sizeof(f->vst));
  assert_true(f->vst_len > 0);
  f->t += 2 * MS;
}

/* A command at f->t with an immediate window; returns the answer's T-APDU octets. */
static size_t exchange(fx *f, const dsrc_tapdu *q, unsigned s, unsigned nbit, unsigned pdu,
                       uint8_t *tapdu, dsrc_frame *hdr) {
  uint8_t b[DSRC_FRAME_MAX];
  static uint8_t up[DSRC_FRAME_MAX];
  size_t n = frame_build(b, f->lid, 4, (uint8_t)(DSRC_MAC_COMMAND | s), nbit ? DSRC_LLC_AC1 : DSRC_LLC_AC0, q, pdu);
  size_t len;
  unsigned got;
  dsrc_tapdu a;
  dsrc_ssize k;
  down(f, b, n);
  len = obe_on_window(&f->o, f->t + 100000, 0, up, sizeof(up));
  f->t += 2 * MS;
  if (len == 0) return 0;
  assert_int_equal(dsrc_frame_decode(hdr, up, len), 0);
  if (hdr->lsdu_len == 0) return 0;
  k = dsrc_pdu_decode(&a, &got, hdr->lsdu, hdr->lsdu_len, NULL);
  assert_true(k > 0);
  assert_int_equal(got, pdu);
  memcpy(tapdu, hdr->lsdu + 1, (size_t)k - 1);
  return (size_t)k - 1;
}

static void get_secure_rq(dsrc_tapdu *q, const char *param_hex) {
  dsrc_tapdu_init(q, DSRC_ACTION_RQ);
  q->u.action_rq.mode = true;
  q->u.action_rq.eid = 1;
  q->u.action_rq.type = DSRC_ACT_GET_SECURE;
  q->u.action_rq.has_parameter = true;
  q->u.action_rq.parameter.kind = DSRC_C_OCTETSTRING;
  q->u.action_rq.parameter.u.octets.len = (uint8_t)dsrc_hex_decode(
      q->u.action_rq.parameter.u.octets.data, DSRC_OCTETS_MAX, param_hex, NULL);
}

static void tapdu_of(dsrc_tapdu *q, const char *hex) {
  uint8_t b[DSRC_FRAME_MAX];
  dsrc_ssize n = dsrc_hex_decode(b, sizeof(b), hex, NULL);
  assert_true(n > 0);
  assert_int_equal(dsrc_tapdu_decode(q, b, (size_t)n, NULL), n);
}

static void expect_hex(const uint8_t *p, size_t n, const char *hex) {
  uint8_t want[DSRC_FRAME_MAX];
  dsrc_ssize k = dsrc_hex_decode(want, sizeof(want), hex, NULL);
  char got[2 * DSRC_FRAME_MAX + 1];
  dsrc_hex_encode(got, p, n, 1);
  if (k != (dsrc_ssize)n || memcmp(want, p, n) != 0) fail_msg("got %s, want %s", got, hex);
}

/* crypto.txt, EN 15509 Level 1: the VST parameter and GET_STAMPED.rs, octet for octet. */
static void test_worked_get_stamped(void **state) {
  (void)state;
  fx f;
  dsrc_tapdu q, v;
  dsrc_frame h;
  uint8_t out[DSRC_FRAME_MAX];
  unsigned pdu;
  size_t n;
  fx_init(&f, efc_profile_bit(EFC_PROFILE_EN15509_L1), instant, "12345679 00 C8A11E6E");
  fx_session(&f);
  assert_int_equal(f.lid, 0x12345679u);
  assert_int_equal(dsrc_frame_decode(&h, f.vst, f.vst_len), 0);
  assert_int_equal(h.mac, DSRC_MAC_UPLINK_COMMAND);
  assert_int_equal(h.llc, DSRC_LLC_UI);
  assert_true(dsrc_pdu_decode(&v, &pdu, h.lsdu, h.lsdu_len, NULL) > 0);
  assert_int_equal(v.kind, DSRC_VST);
  assert_int_equal(v.u.vst.apps.count, 1);
  assert_int_equal(v.u.vst.apps.items[0].eid, 1);
  expect_hex(v.u.vst.apps.items[0].parameter.data, v.u.vst.apps.items[0].parameter.len,
             "30C001000102020200FF0204C8A11E6E");
  tapdu_of(&q, "0D010004DECB1FF3110120045A7F1C2001");
  n = exchange(&f, &q, 1, 0, 3, out, &h);
  assert_int_equal(h.mac, DSRC_MAC_RESPONSE);
  assert_int_equal(h.llc, 0xf7); /* answer to AC0, with data */
  assert_true(h.has_status);
  assert_int_equal(h.status, DSRC_LLC_OK_OK);
  expect_hex(out, n, "1401120120402800000012345678907F50DE00000462FAC80D");
  fx_free(&f);
}

/* crypto.txt, AutoPASS: counter 0122 becomes 0123, MAC1 FE7DFE89, MAC2 62F166DA. */
static void test_worked_get_secure(void **state) {
  (void)state;
  fx f;
  dsrc_tapdu q, a;
  dsrc_frame h;
  uint8_t out[DSRC_FRAME_MAX];
  size_t n;
  fx_init(&f, efc_profile_bit(EFC_PROFILE_AUTOPASS), instant, "12345679 00 01020304 A5B6C7D8");
  f.st.autopass_tc = 0x0122;
  fx_session(&f);
  get_secure_rq(&q, "1F2E3D4C5AE0C60A11");
  n = exchange(&f, &q, 1, 0, 2, out, &h);
  assert_true(n > 0);
  assert_int_equal(dsrc_tapdu_decode(&a, out, n, NULL), (dsrc_ssize)n);
  assert_int_equal(a.kind, DSRC_ACTION_RS);
  expect_hex(a.u.action_rs.parameter.u.octets.data, a.u.action_rs.parameter.u.octets.len,
             "00A1B2C3000123A5B6C7D811FE7DFE8962F166DA");
  assert_int_equal(f.st.autopass_tc, 0x0123);
  assert_int_equal(f.state_changes, 1);
  assert_int_equal(f.st.log_len, 1);
  assert_int_equal(f.st.log[0].time, 0x5ae0c60au);
  assert_int_equal(f.st.log[0].station, 1052);
  fx_free(&f);
}

/* Asleep: a long frame wakes it but is lost, and so is everything for the 5 ms start. */
static void test_wake_start_time(void **state) {
  (void)state;
  fx f;
  uint8_t b[DSRC_FRAME_MAX], up[DSRC_FRAME_MAX];
  size_t n, len;
  fx_init(&f, efc_profile_bit(EFC_PROFILE_AUTOPASS), obe_mcu_modern, "12345679 01");
  n = bst_build(b, 1, 1052, 1733233720, 0, DSRC_AID_EFC);
  /* 8 octets + preamble is below the 11-octet wake threshold. */
  obe_on_downlink(&f.o, 0, b, 8, false);
  assert_int_equal(f.o.power, OBE_ASLEEP);
  obe_on_downlink(&f.o, 0, b, n, false);
  assert_int_equal(f.o.power, OBE_WAKING);
  obe_on_downlink(&f.o, 4 * MS, b, n, false);
  assert_int_equal(public_request(&f.o, 4 * MS, up, &len), -1);
  obe_on_downlink(&f.o, 5 * MS, b, n, false);
  assert_int_equal(public_request(&f.o, 5 * MS, up, &len), 1); /* the scripted choice */
  fx_free(&f);
}

static void test_bst_unsupported(void **state) {
  (void)state;
  fx f;
  uint8_t b[DSRC_FRAME_MAX], up[DSRC_FRAME_MAX];
  size_t n, len;
  fx_init(&f, efc_profile_bit(EFC_PROFILE_EN15509_L0), obe_mcu_modern, "");
  n = bst_build(b, 1, 1052, 1733233720, 0, DSRC_AID_EFC);
  obe_on_downlink(&f.o, 0, b, n, false); /* wake */
  n = bst_build(b, 1, 1052, 1733233720, 1, DSRC_AID_EFC); /* DSRC profile 1 */
  obe_on_downlink(&f.o, 6 * MS, b, n, false);
  assert_int_equal(public_request(&f.o, 6 * MS, up, &len), -1);
  n = bst_build(b, 1, 1052, 1733233720, 0, DSRC_AID_CCC); /* no EFC application */
  obe_on_downlink(&f.o, 8 * MS, b, n, false);
  assert_int_equal(public_request(&f.o, 8 * MS, up, &len), -1);
  n = bst_build(b, 1, 1052, 1733233720, 0, DSRC_AID_EFC);
  obe_on_downlink(&f.o, 10 * MS, b, n, false);
  assert_true(public_request(&f.o, 10 * MS, up, &len) >= 0);
  fx_free(&f);
}

/* After a completed session: silence to the same beacon, a new session with another beacon
 * (once the refusal period after RELEASE is over), with a new LID. */
static void test_beacon_after_release(void **state) {
  (void)state;
  fx f;
  uint8_t b[DSRC_FRAME_MAX], up[DSRC_FRAME_MAX];
  size_t n, len;
  uint32_t first;
  fx_init(&f, efc_profile_bit(EFC_PROFILE_AUTOPASS), instant, "12345679 00 00000000 22446689 01");
  fx_session(&f);
  first = f.lid;
  n = release_build(b, f.lid);
  down(&f, b, n);
  assert_int_equal(f.o.power, OBE_RELEASED);
  /* No answer after RELEASE: a command to the old LID gets nothing. */
  n = command_build(b, f.lid, 1, 1, "05000F02044543484F", 3);
  f.t += MS;
  down(&f, b, n);
  assert_int_equal(obe_on_window(&f.o, f.t + 100000, 0, up, sizeof(up)), 0);
  /* The same beacon, even 5 s later: silent. */
  n = bst_build(b, 1, 1052, 1733233722, 0, DSRC_AID_EFC);
  f.t += 5000 * MS;
  down(&f, b, n);
  assert_int_equal(public_request(&f.o, f.t, up, &len), -1);
  /* Another beacon within 3 s of RELEASE would be refused; after that it is answered. */
  n = bst_build(b, 1, 2000, 1733233727, 0, DSRC_AID_EFC);
  f.t += 2 * MS;
  down(&f, b, n);
  assert_true(public_request(&f.o, f.t, up, &len) >= 0);
  assert_int_not_equal(lid_of(up), first);
  assert_int_equal(lid_of(up), 0x22446689u);
  fx_free(&f);
}

/* The TC of a GET_SECURE answer frame. */
static unsigned answer_tc(const uint8_t *up, size_t len) {
  dsrc_frame h;
  dsrc_tapdu a;
  unsigned pdu;
  assert_int_equal(dsrc_frame_decode(&h, up, len), 0);
  assert_true(dsrc_pdu_decode(&a, &pdu, h.lsdu, h.lsdu_len, NULL) > 0);
  assert_int_equal(a.kind, DSRC_ACTION_RS);
  return (unsigned)(a.u.action_rs.parameter.u.octets.data[5] << 8 | a.u.action_rs.parameter.u.octets.data[6]);
}

/* Durability before disclosure: the state_changed event of a GET_SECURE comes inside the
 * obe_on_downlink that carried it, with the new TC already in the state, so a driver that
 * saves the state there has saved every TC a window later reveals: at once, late (legacy
 * MCU, NE_OK first), and to a repeated command (its stored answer, no second count). */
static void test_state_saved_before_reveal(void **state) {
  (void)state;
  for (int legacy = 0; legacy < 2; legacy++) {
    fx f;
    dsrc_tapdu q;
    uint8_t b[DSRC_FRAME_MAX], up[DSRC_FRAME_MAX];
    size_t n, len;
    fx_init(&f, efc_profile_bit(EFC_PROFILE_AUTOPASS), legacy ? obe_mcu_legacy : instant,
            "12345679 00 01020304 A5B6C7D8 02");
    f.st.autopass_tc = 0x0122;
    fx_session(&f);
    assert_int_equal(f.state_changes, 0);
    get_secure_rq(&q, "1F2E3D4C5AE0C60A11");
    n = frame_build(b, f.lid, 4, DSRC_MAC_COMMAND | 1, DSRC_LLC_AC0, &q, 2);
    down(&f, b, n);
    /* Saved before any window opened. */
    assert_int_equal(f.state_changes, 1);
    assert_int_equal(f.saved.autopass_tc, 0x0123);
    len = obe_on_window(&f.o, f.t + 100000, 0, up, sizeof(up));
    assert_true(len > 0);
    if (legacy) {
      dsrc_frame h;
      assert_int_equal(dsrc_frame_decode(&h, up, len), 0);
      assert_int_equal(h.status, DSRC_LLC_NE_OK);
      assert_int_equal(h.lsdu_len, 0);
      f.t += 8 * MS; /* ready */
    } else {
      assert_int_equal(answer_tc(up, len), 0x0123);
      f.t += 2 * MS;
    }
    /* The command again, same n, in a new window: the stored answer, nothing counted. */
    n = frame_build(b, f.lid, 4, DSRC_MAC_COMMAND, DSRC_LLC_AC0, &q, 2);
    down(&f, b, n);
    len = obe_on_window(&f.o, f.t + 100000, 0, up, sizeof(up));
    assert_int_equal(answer_tc(up, len), 0x0123);
    assert_int_equal(f.state_changes, 1);
    assert_int_equal(f.st.autopass_tc, 0x0123);
    fx_free(&f);
  }
}

/* The events tell a session's life: opened with a new LID, released by RELEASE, and dropped
 * when its link times out; a RELEASED OBE that meets another beacon closes nothing more. */
static void test_events(void **state) {
  (void)state;
  fx f;
  uint8_t b[DSRC_FRAME_MAX];
  size_t n;
  fx_init(&f, efc_profile_bit(EFC_PROFILE_AUTOPASS), instant, "12345679 00 00000000 22446689 01 3456789B 00");
  fx_session(&f);
  n = release_build(b, f.lid);
  down(&f, b, n);
  /* Another beacon after the refusal period: a new session. */
  f.t += 5000 * MS;
  n = bst_build(b, 1, 2000, 1733233727, 0, DSRC_AID_EFC);
  down(&f, b, n);
  /* Its link times out (no frame to its LID for over 1 s): dropped, and the beacon, still
   * there, is answered with a new LID. */
  f.t += 1100 * MS;
  n = bst_build(b, 1, 2000, 1733233728, 0, DSRC_AID_EFC);
  down(&f, b, n);
  assert_string_equal(f.events, "power WAKING|power IDLE|power INIT|open 12345679 1052|power SESSION|"
                                "power RELEASED|close 12345679 1052 released|power IDLE|power INIT|"
                                "open 22446689 2000|power IDLE|close 22446689 2000 dropped|power INIT|"
                                "open 3456789B 2000|");
  assert_int_equal(f.state_changes, 0);
  fx_free(&f);
}

/* A session is re-initialised when the beacon changes or its time jumps by 256 s or more;
 * a smaller jump is the same beacon. */
static void test_beacon_change_in_session(void **state) {
  (void)state;
  fx f;
  uint8_t b[DSRC_FRAME_MAX], up[DSRC_FRAME_MAX];
  size_t n, len;
  fx_init(&f, efc_profile_bit(EFC_PROFILE_AUTOPASS), instant, "12345679 00 00000000 22446689 00 3456789B 00 4456789B 00");
  fx_session(&f);
  n = bst_build(b, 1, 1052, 1733233720 + 255, 0, DSRC_AID_EFC);
  down(&f, b, n);
  assert_int_equal(public_request(&f.o, f.t, up, &len), -1);
  assert_int_equal(f.o.power, OBE_SESSION);
  f.t += 2 * MS;
  n = bst_build(b, 1, 1052, 1733233720 + 255 + 256, 0, DSRC_AID_EFC);
  down(&f, b, n);
  assert_true(public_request(&f.o, f.t, up, &len) >= 0);
  assert_int_equal(lid_of(up), 0x22446689u);
  f.t += 2 * MS;
  n = bst_build(b, 1, 1053, 1733233720 + 511, 0, DSRC_AID_EFC); /* individualid */
  f.o.power = OBE_SESSION; /* pretend that session started */
  down(&f, b, n);
  assert_true(public_request(&f.o, f.t, up, &len) >= 0);
  assert_int_equal(lid_of(up), 0x3456789bu);
  f.t += 2 * MS;
  n = bst_build(b, 2, 1053, 1733233720 + 511, 0, DSRC_AID_EFC); /* manufacturerid */
  f.o.power = OBE_SESSION;
  down(&f, b, n);
  assert_true(public_request(&f.o, f.t, up, &len) >= 0);
  assert_int_equal(lid_of(up), 0x4456789bu);
  fx_free(&f);
}

/* Frames to other LIDs are ignored; the VST carries fresh RndOBE per session. */
static void test_other_lid_and_fresh_rnd(void **state) {
  (void)state;
  fx f;
  uint8_t b[DSRC_FRAME_MAX], up[DSRC_FRAME_MAX];
  dsrc_frame h;
  dsrc_tapdu v;
  unsigned pdu;
  uint8_t rnd1[4];
  size_t n;
  fx_init(&f, efc_profile_bit(EFC_PROFILE_EN15509_L1), instant, "12345679 00 AABBCCDD 2244668B 00 11223344");
  fx_session(&f);
  memcpy(rnd1, f.o.rnd_obe, 4);
  n = command_build(b, 0x2244668bu, 1, 0, "05000F02044543484F", 3);
  down(&f, b, n);
  assert_int_equal(obe_on_window(&f.o, f.t + 100000, 0, up, sizeof(up)), 0);
  assert_int_equal(f.o.stats.frames_ignored, 1);
  /* A new beacon: new session, new LID, new RndOBE. */
  f.t += 2 * MS;
  n = bst_build(b, 9, 9, 1733233720, 0, DSRC_AID_EFC);
  down(&f, b, n);
  {
    size_t len;
    assert_true(public_request(&f.o, f.t, up, &len) >= 0);
  }
  f.lid = lid_of(up);
  n = alloc_build(b, f.lid, 0);
  f.t += 2 * MS;
  down(&f, b, n);
  n = obe_on_window(&f.o, f.t + 100000, 0, up, sizeof(up));
  assert_int_equal(dsrc_frame_decode(&h, up, n), 0);
  assert_true(dsrc_pdu_decode(&v, &pdu, h.lsdu, h.lsdu_len, NULL) > 0);
  expect_hex(v.u.vst.apps.items[0].parameter.data + 12, 4, "11223344");
  assert_memory_not_equal(rnd1, f.o.rnd_obe, 4);
  fx_free(&f);
}

/* Level 1: a wrong or missing AC_CR gets accessDenied and no data; the right one gets data. */
static void test_access_denied(void **state) {
  (void)state;
  fx f;
  dsrc_tapdu q, a;
  dsrc_frame h;
  uint8_t out[DSRC_FRAME_MAX];
  size_t n;
  fx_init(&f, efc_profile_bit(EFC_PROFILE_EN15509_L1), instant, "12345679 00 C8A11E6E");
  fx_session(&f);
  tapdu_of(&q, "6A0104DECB1FF408101112131416181A"); /* AC_CR off by one */
  n = exchange(&f, &q, 1, 0, 2, out, &h);
  expect_hex(out, n, "720101"); /* GET.rs eid 1, ret accessDenied */
  tapdu_of(&q, "620108101112131416181A"); /* no credentials at all */
  n = exchange(&f, &q, 0, 1, 3, out, &h);
  expect_hex(out, n, "720101");
  tapdu_of(&q, "6A0104DECB1FF308101112131416181A"); /* get-rq-l1: the right AC_CR */
  n = exchange(&f, &q, 1, 0, 4, out, &h);
  assert_int_equal(dsrc_tapdu_decode(&a, out, n, NULL), (dsrc_ssize)n);
  assert_true(a.u.get_rs.has_attrs);
  assert_false(a.u.get_rs.has_ret);
  assert_int_equal(f.o.stats.access_denied, 2);
  /* SET and GET_STAMPED need it too. */
  tapdu_of(&q, "49010411223344011A3A0001");
  n = exchange(&f, &q, 0, 1, 5, out, &h);
  expect_hex(out, n, "540101");
  tapdu_of(&q, "0D010004ACCE55C8110120045A7F1C2001");
  n = exchange(&f, &q, 1, 0, 6, out, &h);
  expect_hex(out, n, "120101");
  assert_int_equal(f.st.equipment_status, 0);
  fx_free(&f);
}

/* A GET_SECURE repeated with the same n bit is answered from the stored response: the
 * counter advances once. */
static void test_repeat_same_n(void **state) {
  (void)state;
  fx f;
  dsrc_tapdu q;
  dsrc_frame h;
  uint8_t a1[DSRC_FRAME_MAX], a2[DSRC_FRAME_MAX];
  size_t n1, n2;
  fx_init(&f, efc_profile_bit(EFC_PROFILE_AUTOPASS), instant, "12345679 00 01020304 A5B6C7D8 0BADF00D");
  f.st.autopass_tc = 7;
  fx_session(&f);
  get_secure_rq(&q, "1F2E3D4C5AE0C60A11");
  n1 = exchange(&f, &q, 1, 1, 2, a1, &h);
  n2 = exchange(&f, &q, 0, 1, 2, a2, &h); /* new S, same n */
  assert_int_equal(n1, n2);
  assert_memory_equal(a1, a2, n1);
  assert_int_equal(f.st.autopass_tc, 8);
  assert_int_equal(f.o.stats.repeats_answered, 1);
  /* A new command (n toggled) runs again. */
  exchange(&f, &q, 1, 0, 3, a2, &h);
  assert_int_equal(f.st.autopass_tc, 9);
  fx_free(&f);
}

/* An allocation repeating its S bit makes the OBE resend its last uplink frame. */
static void test_s_bit_resend(void **state) {
  (void)state;
  fx f;
  dsrc_tapdu q;
  uint8_t b[DSRC_FRAME_MAX], first[DSRC_FRAME_MAX], again[DSRC_FRAME_MAX];
  size_t n, n1, n2;
  fx_init(&f, efc_profile_bit(EFC_PROFILE_AUTOPASS), instant, "12345679 00 01020304 A5B6C7D8");
  fx_session(&f);
  get_secure_rq(&q, "1F2E3D4C5AE0C60A11");
  n = frame_build(b, f.lid, 4, DSRC_MAC_COMMAND | 1, DSRC_LLC_AC0, &q, 2);
  down(&f, b, n);
  n1 = obe_on_window(&f.o, f.t + 100000, 0, first, sizeof(first));
  assert_true(n1 > 0);
  f.t += 2 * MS;
  n = alloc_build(b, f.lid, 1); /* same S as the command */
  down(&f, b, n);
  n2 = obe_on_window(&f.o, f.t + 100000, 0, again, sizeof(again));
  assert_int_equal(n1, n2);
  assert_memory_equal(first, again, n1);
  assert_int_equal(f.o.stats.resends, 1);
  assert_int_equal(f.st.autopass_tc, 1);
  /* A new S with nothing pending: silence. */
  f.t += 2 * MS;
  n = alloc_build(b, f.lid, 0);
  down(&f, b, n);
  assert_int_equal(obe_on_window(&f.o, f.t + 100000, 0, again, sizeof(again)), 0);
  fx_free(&f);
}

/* The usual BST at f->t; the public window the OBE then asks in, or -1. */
static int bst_heard(fx *f, uint8_t *up, size_t *len) {
  uint8_t b[DSRC_FRAME_MAX];
  size_t n = bst_build(b, 1, 1052, 1733233720, 0, DSRC_AID_EFC);
  down(f, b, n);
  return public_request(&f->o, f->t, up, len);
}

/* The S and n rules around a late answer (docs/timing-model.md, "Retries"). The RSE lost
 * the NE_OK: the window request the OBE then sends in a public window is never what a
 * re-allocation returns; the re-allocation (S of the command) gets NE_OK again, and the
 * late response stays due. A repeat of the command in a new window is answered there, as
 * ACn with data, and nothing is left due. */
static void test_late_link_rules(void **state) {
  fx f;
  dsrc_tapdu q;
  dsrc_frame h;
  uint8_t b[DSRC_FRAME_MAX], up[DSRC_FRAME_MAX], neok[DSRC_FRAME_MAX];
  size_t n, len, neok_len;
  (void)state;
  for (int repeat = 0; repeat < 2; repeat++) {
    fx_init(&f, efc_profile_bit(EFC_PROFILE_AUTOPASS), obe_mcu_legacy, "12345679 00 01020304 A5B6C7D8 02 01");
    fx_session(&f);
    get_secure_rq(&q, "1F2E3D4C5AE0C60A11");
    n = frame_build(b, f.lid, 4, DSRC_MAC_COMMAND | 1, DSRC_LLC_AC0, &q, 9);
    down(&f, b, n);
    neok_len = obe_on_window(&f.o, f.t + 100000, 0, neok, sizeof(neok));
    assert_int_equal(dsrc_frame_decode(&h, neok, neok_len), 0);
    assert_int_equal(h.status, DSRC_LLC_NE_OK);
    f.t += 8 * MS; /* the answer is ready (7.1 ms of work) */
    if (repeat) {
      /* The command again, same n, in a window of a new S. */
      n = frame_build(b, f.lid, 4, DSRC_MAC_COMMAND, DSRC_LLC_AC0, &q, 9);
      down(&f, b, n);
      len = obe_on_window(&f.o, f.t + 100000, 0, up, sizeof(up));
      assert_int_equal(dsrc_frame_decode(&h, up, len), 0);
      assert_int_equal(h.mac, DSRC_MAC_RESPONSE);
      assert_int_equal(h.llc, 0xf7); /* the answer to AC0, with data */
      assert_int_equal(h.status, DSRC_LLC_OK_OK);
      assert_true(h.lsdu_len > 0);
      assert_int_equal(f.o.stats.repeats_answered, 1);
      /* Nothing is due any more: no window request at the next BST. */
      f.t += 2 * MS;
      assert_int_equal(bst_heard(&f, up, &len), -1);
    } else {
      assert_true(bst_heard(&f, up, &len) >= 0);
      assert_int_equal(up[5], DSRC_MAC_WINDOW_REQUEST);
      /* The RSE, which lost the NE_OK, re-allocates with the command's S. */
      f.t += 2 * MS;
      n = alloc_build(b, f.lid, 1);
      down(&f, b, n);
      len = obe_on_window(&f.o, f.t + 100000, 0, up, sizeof(up));
      assert_int_equal(len, neok_len);
      assert_memory_equal(up, neok, len);
      /* Still due: a request at the next BST, and the late answer in a new window. */
      f.t += 2 * MS;
      assert_true(bst_heard(&f, up, &len) >= 0);
      f.t += 2 * MS;
      n = alloc_build(b, f.lid, 0);
      down(&f, b, n);
      len = obe_on_window(&f.o, f.t + 100000, 0, up, sizeof(up));
      assert_int_equal(dsrc_frame_decode(&h, up, len), 0);
      assert_int_equal(h.llc, DSRC_LLC_UI);
      assert_true(h.lsdu_len > 0);
    }
    assert_int_equal(f.st.autopass_tc, 1); /* executed once */
    fx_free(&f);
  }
}

/* An OBE whose VST never went out obeys RELEASE (the RSE gave up on it): it asks for no
 * window any more and does not answer that beacon again. */
static void test_release_before_vst(void **state) {
  fx f;
  uint8_t b[DSRC_FRAME_MAX], up[DSRC_FRAME_MAX];
  size_t n, len = 0;
  uint32_t lid;
  (void)state;
  fx_init(&f, efc_profile_bit(EFC_PROFILE_AUTOPASS), instant, "12345679 00 01");
  bst_heard(&f, up, &len); /* wakes it */
  f.t += 6 * MS;
  assert_true(bst_heard(&f, up, &len) >= 0);
  lid = lid_of(up);
  /* The allocations were lost; at the next BST it asks again. */
  f.t += 2 * MS;
  assert_true(bst_heard(&f, up, &len) >= 0);
  f.t += 2 * MS;
  n = release_build(b, lid);
  down(&f, b, n);
  assert_int_equal(f.o.power, OBE_RELEASED);
  for (int i = 0; i < 3; i++) {
    f.t += 2 * MS;
    assert_int_equal(bst_heard(&f, up, &len), -1);
  }
  fx_free(&f);
}

/* Slow crypto: NE_OK in the window, then after a BST a window request, then the answer as
 * a UI frame in the allocated window. */
static void test_late_response(void **state) {
  (void)state;
  fx f;
  dsrc_tapdu q, a;
  dsrc_frame h;
  uint8_t b[DSRC_FRAME_MAX], up[DSRC_FRAME_MAX], neok[DSRC_FRAME_MAX];
  size_t n, len, neok_len;
  unsigned pdu;
  fx_init(&f, efc_profile_bit(EFC_PROFILE_AUTOPASS), obe_mcu_legacy, "12345679 00 01020304 A5B6C7D8 02");
  f.st.autopass_tc = 0x0122;
  fx_session(&f);
  get_secure_rq(&q, "1F2E3D4C5AE0C60A11");
  n = frame_build(b, f.lid, 4, DSRC_MAC_COMMAND | 1, DSRC_LLC_AC0, &q, 9);
  down(&f, b, n);
  /* Legacy MCU: 0.3 ms + 4 x 3DES (1 ms) + 8 x DES (0.35 ms) = 7.1 ms of work. */
  assert_int_equal(f.o.answer_ready - f.t, 7100000);
  len = obe_on_window(&f.o, f.t + 100000, 0, up, sizeof(up));
  assert_int_equal(dsrc_frame_decode(&h, up, len), 0);
  assert_true(h.has_status);
  assert_int_equal(h.status, DSRC_LLC_NE_OK);
  assert_int_equal(h.llc, 0xe7); /* answer to AC0 without data */
  assert_int_equal(h.lsdu_len, 0);
  neok_len = len;
  memcpy(neok, up, len);
  /* A BST before the answer is ready: no request yet. */
  n = bst_build(b, 1, 1052, 1733233720, 0, DSRC_AID_EFC);
  f.t += 2 * MS;
  down(&f, b, n);
  assert_int_equal(public_request(&f.o, f.t, up, &len), -1);
  f.t += 6 * MS;
  down(&f, b, n);
  assert_int_equal(public_request(&f.o, f.t, up, &len), 2);
  assert_int_equal(lid_of(up), f.lid);
  f.t += 2 * MS;
  n = alloc_build(b, f.lid, 0);
  down(&f, b, n);
  len = obe_on_window(&f.o, f.t + 100000, 0, up, sizeof(up));
  assert_int_equal(dsrc_frame_decode(&h, up, len), 0);
  assert_int_equal(h.mac, DSRC_MAC_UPLINK_COMMAND);
  assert_int_equal(h.llc, DSRC_LLC_UI);
  assert_false(h.has_status);
  assert_true(dsrc_pdu_decode(&a, &pdu, h.lsdu, h.lsdu_len, NULL) > 0);
  assert_int_equal(pdu, 9);
  expect_hex(a.u.action_rs.parameter.u.octets.data, 20, "00A1B2C3000123A5B6C7D811FE7DFE8962F166DA");
  assert_int_equal(f.o.stats.late_responses, 1);
  /* The next commands are answered "not yet" as well. With n = 1 the answer's LLC is 0x67;
   * with n = 0 again the frame is the first one, octet for octet (the OBE keeps it). */
  f.t += 2 * MS;
  n = frame_build(b, f.lid, 4, DSRC_MAC_COMMAND | 1, DSRC_LLC_AC1, &q, 9);
  down(&f, b, n);
  len = obe_on_window(&f.o, f.t + 100000, 0, up, sizeof(up));
  memset(&h, 0, sizeof(h));
  h.lid = f.lid;
  h.lid_len = 4;
  h.mac = DSRC_MAC_RESPONSE;
  h.has_llc = true;
  h.llc = 0x67;
  h.has_status = true;
  h.status = DSRC_LLC_NE_OK;
  assert_int_equal(dsrc_frame_encode(b, sizeof(b), &h), (dsrc_ssize)len);
  assert_memory_equal(up, b, len);
  f.t += 2 * MS;
  n = frame_build(b, f.lid, 4, DSRC_MAC_COMMAND, DSRC_LLC_AC0, &q, 9);
  down(&f, b, n);
  len = obe_on_window(&f.o, f.t + 100000, 0, up, sizeof(up));
  assert_int_equal(len, neok_len);
  assert_memory_equal(up, neok, len);
  assert_int_equal(f.o.stats.late_responses, 3);
  fx_free(&f);
}

static void test_state_encoding(void **state) {
  (void)state;
  obe_state st, back;
  uint8_t buf[OBE_STATE_ENCODED_MAX + 4];
  int n;
  memset(&st, 0, sizeof(st));
  st.autopass_tc = 0xfffe;
  st.equipment_status = 0xa123;
  st.efcstatus = 2;
  for (uint32_t i = 0; i < 130; i++) obe_state_log(&st, 1000 + i, i);
  n = obe_state_encode(buf, sizeof(buf), &st);
  assert_int_equal(n, 16 + 100 * 8 + 4);
  assert_int_equal(obe_state_decode(&back, buf, (size_t)n), 0);
  assert_int_equal(back.autopass_tc, 0xfffe);
  assert_int_equal(back.equipment_status, 0xa123);
  assert_int_equal(back.efcstatus, 2);
  assert_int_equal(back.log_len, 100);
  /* The newest entry is the 130th, the oldest the 31st. */
  assert_int_equal(back.log[(back.log_head + 99) % 100].time, 1129);
  assert_int_equal(back.log[back.log_head % 100].time, 1030);
  /* Every single-bit flip and every truncation is refused. */
  for (int bit = 0; bit < n * 8; bit++) {
    buf[bit / 8] ^= (uint8_t)(1 << (bit % 8));
    assert_int_equal(obe_state_decode(&back, buf, (size_t)n), OBE_ERR_STATE);
    buf[bit / 8] ^= (uint8_t)(1 << (bit % 8));
  }
  for (int k = 0; k < n; k++) assert_int_equal(obe_state_decode(&back, buf, (size_t)k), OBE_ERR_STATE);
}

/* The state reaches the file before the answer revealing it leaves; a crash between
 * writing and renaming keeps the previous file whole (the counter never goes back). */
static void test_counter_survives_crash(void **state) {
  (void)state;
  char dir[] = "/tmp/efc-obe-XXXXXX", path[256], err[256];
  uint8_t buf[OBE_STATE_ENCODED_MAX + 4], in[OBE_STATE_ENCODED_MAX + 4];
  obe_state st, back;
  int n, fd, status;
  ssize_t got;
  pid_t pid;
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/obe.state", dir);
  memset(&st, 0, sizeof(st));
  st.autopass_tc = 41;
  n = obe_state_encode(buf, sizeof(buf), &st);
  assert_int_equal(keymgmt_write_atomic(path, buf, (size_t)n, false, err, sizeof(err)), 0);
  /* The next GET_SECURE: 42 is written, and the writer dies before its rename. */
  st.autopass_tc = 42;
  n = obe_state_encode(buf, sizeof(buf), &st);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    setenv("EFC_TEST_CRASH_BEFORE_RENAME", "1", 1);
    keymgmt_write_atomic(path, buf, (size_t)n, false, err, sizeof(err));
    _exit(0);
  }
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 99);
  /* The answer with 42 was never sent (persist comes first); the file still says 41. */
  fd = open(path, O_RDONLY);
  assert_true(fd >= 0);
  got = read(fd, in, sizeof(in));
  close(fd);
  assert_int_equal(obe_state_decode(&back, in, (size_t)got), 0);
  assert_int_equal(back.autopass_tc, 41);
  /* Written whole: 42. */
  assert_int_equal(keymgmt_write_atomic(path, buf, (size_t)n, false, err, sizeof(err)), 0);
  fd = open(path, O_RDONLY);
  got = read(fd, in, sizeof(in));
  close(fd);
  assert_int_equal(obe_state_decode(&back, in, (size_t)got), 0);
  assert_int_equal(back.autopass_tc, 42);
  {
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_worked_get_stamped),   cmocka_unit_test(test_worked_get_secure),
      cmocka_unit_test(test_state_saved_before_reveal),
      cmocka_unit_test(test_wake_start_time),      cmocka_unit_test(test_bst_unsupported),
      cmocka_unit_test(test_beacon_after_release), cmocka_unit_test(test_beacon_change_in_session),
      cmocka_unit_test(test_other_lid_and_fresh_rnd), cmocka_unit_test(test_access_denied),
      cmocka_unit_test(test_repeat_same_n),        cmocka_unit_test(test_s_bit_resend),
      cmocka_unit_test(test_late_response),        cmocka_unit_test(test_state_encoding),
      cmocka_unit_test(test_late_link_rules),      cmocka_unit_test(test_release_before_vst),
      cmocka_unit_test(test_counter_survives_crash), cmocka_unit_test(test_events),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
