/* OBE and RSE together on a simulated lane: every profile completes and verifies at the
 * lane and at the issuer with the message sequence of docs/profiles.md; wrong
 * keys fail the lane; a clone made from the operator's keys passes the lane, fails the
 * issuer, and is stopped by the status list on its next passage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "issuer/issuer_verify.h"
#include "air/lane.h"
#include "sim/trace.h"
#include "sim/world.h"


static const char *const sequences[] = {
    "BST VST GET_SECURE.rq GET_SECURE.rs RELEASE",
    "BST VST GET_STAMPED.rq GET_STAMPED.rs GET_STAMPED.rq GET_STAMPED.rs GET.rq GET.rs SET.rq "
    "SET.rs SET_MMI.rq SET_MMI.rs RELEASE",
    "BST VST GET_STAMPED.rq GET_STAMPED.rs GET_STAMPED.rq GET_STAMPED.rs GET.rq GET.rs SET.rq "
    "SET.rs SET_MMI.rq SET_MMI.rs RELEASE",
    "BST VST GET_STAMPED.rq GET_STAMPED.rs GET_STAMPED.rq GET_STAMPED.rs GET.rq GET.rs SET.rq "
    "SET.rs SET_MMI.rq SET_MMI.rs RELEASE",
};

/* efc-scenario trace for every profile and both MCU classes. */
static void test_trace_every_profile(void **state) {
  (void)state;
  for (int p = 0; p < EFC_PROFILE_COUNT; p++)
    for (int m = 0; m < 2; m++) {
      sim_trace_options o = {.profile = p, .seed = 7 + (uint64_t)p, .mcu = m ? obe_mcu_legacy : obe_mcu_modern,
                         .obuid = 0x00a1b2c3};
      sim_trace_result r;
      FILE *devnull = fopen("/dev/null", "w");
      assert_int_equal(sim_trace(&o, devnull, &r), 0);
      fclose(devnull);
      if (!r.completed || r.lane_verdict != EFC_PASS || r.issuer_flags != 0)
        fail_msg("%s: completed %d lane %d reasons %x issuer %x", efc_profile_name(p), r.completed,
                 r.lane_verdict, r.lane_reasons, r.issuer_flags);
      assert_string_equal(r.sequence, sequences[p]);
      /* Every command is answered late with these OBE processing times (docs/timing-model.md). */
      assert_true(r.late_responses >= 1);
    }
}

typedef struct {
  dsrc_crypto *crypto;
  sim_keys keys;
  rse_config rcfg;
  obe_config ocfg;
  dsrc_prng prng, errors;
  rse_engine *r;
  air_lane l;
  uint64_t now;
  /* state_changed bookkeeping */
  uint16_t persisted_tc;
  unsigned persists;
} bench;

static void bench_init(bench *b, int profile) {
  char err[128];
  memset(b, 0, sizeof(*b));
  assert_int_equal(dsrc_crypto_new(&b->crypto, err, sizeof(err)), 0);
  assert_int_equal(sim_keys_init(&b->keys, b->crypto, 99), 0);
  rse_config_default(&b->rcfg);
  b->rcfg.profiles[0] = (uint8_t)profile;
  b->rcfg.nprofiles = 1;
  b->rcfg.keys = &b->keys.op;
  obe_config_default(&b->ocfg);
  dsrc_prng_seed(&b->prng, 5);
  dsrc_prng_seed(&b->errors, 6);
  assert_int_equal(rse_new(&b->r, &b->rcfg, b->crypto, dsrc_prng_rng(&b->prng), NULL, NULL), 0);
  air_lane_init(&b->l, b->r, 0.0, &b->errors);
}

static void bench_free(bench *b) {
  rse_del(b->r);
  sim_keys_wipe(&b->keys);
  dsrc_crypto_free(b->crypto);
}

static void record_persist(obe_engine *o, uint64_t t, void *user) {
  bench *b = user;
  (void)t;
  b->persisted_tc = o->st->autopass_tc;
  b->persists++;
}

static const obe_callbacks bench_obe_events = {.state_changed = record_persist};

/* Every uplink frame: an AutoPASS answer may only reveal a counter already persisted. */
static void check_revealed(void *ctx, const air_frame *f) {
  bench *b = ctx;
  dsrc_frame h;
  dsrc_tapdu t;
  unsigned pdu;
  if (!f->uplink || dsrc_frame_decode(&h, f->frame, f->len) != 0 || !h.has_llc || h.lsdu_len == 0) return;
  if (dsrc_pdu_decode(&t, &pdu, h.lsdu, h.lsdu_len, NULL) < 0 || t.kind != DSRC_ACTION_RS) return;
  if (t.u.action_rs.has_parameter && t.u.action_rs.parameter.kind == DSRC_C_OCTETSTRING &&
      t.u.action_rs.parameter.u.octets.len == 20) {
    const uint8_t *p = t.u.action_rs.parameter.u.octets.data;
    assert_int_equal((uint16_t)(p[5] << 8 | p[6]), b->persisted_tc);
  }
}

/* One passage of o through the lane (the OBE enters asleep). */
static rse_passage passage(bench *b, obe_engine *o) {
  rse_passage p;
  bool done = false;
  uint64_t limit = b->l.now + 2000000000u;
  obe_sleep(o);
  air_lane_add(&b->l, o, 0, UINT64_MAX);
  while (!done && b->l.now < limit) {
    air_lane_step(&b->l, limit);
    done = rse_passage_pop(b->r, &p);
  }
  assert_true(done);
  air_lane_remove(&b->l, o);
  /* The next passage five minutes later: the beacon's time has moved on by more than the
   * 256 s after which an OBE treats a BST as a new one (docs/profiles.md). */
  b->l.now += UINT64_C(300000000000);
  return p;
}

static void make_obe(bench *b, keymgmt_obe_profile *prof, obe_state *st, obe_engine *o, uint32_t id, int profile) {
  assert_int_equal(sim_obe_make(prof, b->crypto, &b->keys, id, efc_profile_bit(profile)), 0);
  obe_state_init(st, prof);
  assert_int_equal(obe_init(o, &b->ocfg, prof, st, b->crypto, dsrc_prng_rng(&b->prng), &bench_obe_events, b), 0);
}

/* air_lane_run stops at the step after which a passage is ready, exactly where stepping one
 * frame at a time and looking after each gets to, and otherwise runs on to until. */
static void test_lane_run_stops(void **state) {
  (void)state;
  bench a, b;
  keymgmt_obe_profile pa, pb;
  obe_state sa, sb;
  obe_engine oa, ob;
  rse_passage p;
  uint64_t limit = 2000000000u, until;
  bench_init(&a, EFC_PROFILE_EN15509_L0);
  bench_init(&b, EFC_PROFILE_EN15509_L0);
  make_obe(&a, &pa, &sa, &oa, 0x00a1b2c3, EFC_PROFILE_EN15509_L0);
  make_obe(&b, &pb, &sb, &ob, 0x00a1b2c3, EFC_PROFILE_EN15509_L0);
  air_lane_add(&a.l, &oa, 0, UINT64_MAX);
  air_lane_add(&b.l, &ob, 0, UINT64_MAX);
  while (rse_passages_done(a.r) == 0 && a.l.now < limit) air_lane_step(&a.l, limit);
  assert_int_equal(rse_passages_done(a.r), 1);
  air_lane_run(&b.l, limit);
  assert_int_equal(rse_passages_done(b.r), 1);
  assert_true(b.l.now < limit);
  assert_int_equal(b.l.now, a.l.now);
  /* Taken, with the OBE released: BSTs only, up to until. */
  assert_true(rse_passage_pop(b.r, &p));
  assert_int_equal(p.outcome, RSE_OUT_DONE);
  until = b.l.now + 10000000u;
  air_lane_run(&b.l, until);
  assert_true(b.l.now >= until);
  assert_int_equal(rse_passages_done(b.r), 0);
  keymgmt_obe_profile_wipe(&pa);
  keymgmt_obe_profile_wipe(&pb);
  bench_free(&a);
  bench_free(&b);
}

/* The RSE keeps what short uplink frames decoded to: the same window request heard again
 * is the same request, and a copy with one bit flipped anywhere is not (its FCS fails), even
 * though the clean frame was heard just before. */
static void test_rse_repeated_frames(void **state) {
  (void)state;
  dsrc_frame h = {0};
  uint8_t wreq[16], bad[16], other[16];
  dsrc_ssize n;
  h.lid = 0x02040609u;
  h.lid_len = 4;
  h.mac = DSRC_MAC_WINDOW_REQUEST;
  n = dsrc_frame_encode(wreq, sizeof(wreq), &h);
  assert_int_equal(n, 9);
  h.lid = 0x02040621u;
  assert_int_equal(dsrc_frame_encode(other, sizeof(other), &h), n);
  /* Every bit but the flags'. */
  for (unsigned bit = 8; bit < 8 * (unsigned)n - 8; bit++) {
    bench b;
    rse_step st;
    bench_init(&b, EFC_PROFILE_EN15509_L0);
    rse_next(b.r, 0, &st);
    assert_true(st.is_bst && st.public_windows);
    rse_on_window(b.r, 500000, 0, wreq, (size_t)n, false);
    assert_int_equal(rse_sessions_open(b.r), 1);
    rse_on_window(b.r, 1000000, 1, wreq, (size_t)n, false);
    assert_int_equal(rse_sessions_open(b.r), 1);
    /* Not reported as corrupted: the receiver's FCS must catch it. */
    memcpy(bad, wreq, (size_t)n);
    bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    rse_on_window(b.r, 1500000, 2, bad, (size_t)n, false);
    assert_int_equal(rse_sessions_open(b.r), 1);
    /* Another OBE's request, as long, in the same window: a session of its own. */
    rse_on_window(b.r, 1500000, 2, other, (size_t)n, false);
    assert_int_equal(rse_sessions_open(b.r), 2);
    bench_free(&b);
  }
}

static unsigned issuer(bench *b, const efc_claim *c) {
  issuer_options opt;
  issuer_options_default(&opt);
  return (unsigned)issuer_verify_claim(b->crypto, &b->keys.issuer, &opt, c);
}

/* Several passages of one OBE: counters advance, each is persisted before it is revealed. */
static void test_counters_and_persistence(void **state) {
  (void)state;
  bench b;
  keymgmt_obe_profile prof;
  obe_state st;
  obe_engine o;
  for (int profile = 0; profile < EFC_PROFILE_COUNT; profile++) {
    bench_init(&b, profile);
    b.l.on_frame = check_revealed;
    b.l.ctx = &b;
    make_obe(&b, &prof, &st, &o, 0x10203040, profile);
    for (unsigned k = 1; k <= 3; k++) {
      rse_passage p = passage(&b, &o);
      assert_int_equal(p.outcome, RSE_OUT_DONE);
      assert_int_equal(p.claim.verdict, EFC_PASS);
      assert_int_equal(issuer(&b, &p.claim), 0);
      if (profile == EFC_PROFILE_AUTOPASS) {
        assert_int_equal(p.claim.tc, k);
        assert_int_equal(b.persisted_tc, k);
      } else {
        /* EN 15509: the RSE read k-1 and SET k. */
        assert_int_equal(p.claim.counter, k - 1);
        assert_int_equal(st.equipment_status & 0x0fff, k);
      }
    }
    assert_true(b.persists >= 3);
    bench_free(&b);
  }
}

/* An OBE whose keys are not the issuer's: the lane check fails. */
static void test_wrong_keys_fail_lane(void **state) {
  (void)state;
  for (int profile = 0; profile < EFC_PROFILE_COUNT; profile++) {
    bench b;
    sim_keys other;
    keymgmt_obe_profile prof;
    obe_state st;
    obe_engine o;
    rse_passage p;
    bench_init(&b, profile);
    assert_int_equal(sim_keys_init(&other, b.crypto, 12345), 0);
    assert_int_equal(sim_obe_make(&prof, b.crypto, &other, 0x0badcafe, efc_profile_bit(profile)), 0);
    obe_state_init(&st, &prof);
    obe_init(&o, &b.ocfg, &prof, &st, b.crypto, dsrc_prng_rng(&b.prng), NULL, NULL);
    p = passage(&b, &o);
    assert_int_not_equal(p.claim.verdict, EFC_PASS);
    /* Level 1 and AES: the OBE refuses the RSE's AC_CR; otherwise the MAC fails. */
    if (efc_profile_level(profile))
      assert_true(p.claim.reasons & EFC_WHY_ACCESS);
    else
      assert_true(p.claim.reasons & EFC_WHY_MAC);
    assert_true(issuer(&b, &p.claim) & ISSUER_BAD_MAC);
    {
      /* The claim as written and read back (an access denial leaves no attribute list and
       * no TC keyRef) is judged the same. */
      char line[2048], err[200];
      efc_claim back;
      assert_true(efc_claim_format(&p.claim, line, sizeof(line)) > 0);
      if (efc_claim_parse(&back, line, err, sizeof(err)) != 0) fail_msg("%s: %s", line, err);
      assert_int_equal(issuer(&b, &back), issuer(&b, &p.claim));
    }
    sim_keys_wipe(&other);
    bench_free(&b);
  }
}

/* T3: an OBE built from the operator's keys alone (MKEY-F_g; the MAC_TC keys and MAcK).
 * It passes the lane; the issuer's check (MAC1 / MAC_TSP) fails; on the next passage the
 * status list stops it. */
static void test_operator_key_clone(void **state) {
  (void)state;
  for (int profile = 0; profile < EFC_PROFILE_COUNT; profile++) {
    bench b;
    sim_keys forged;
    keymgmt_obe_profile prof;
    obe_state st;
    obe_engine o;
    rse_passage p;
    efc_status_list list;
    uint8_t g;
    bench_init(&b, profile);
    /* The attacker's keystore: its own random master keys ... */
    assert_int_equal(sim_keys_init(&forged, b.crypto, 777), 0);
    /* ... with what leaked from the operator put in place. */
    g = b.keys.op.generation;
    memcpy(forged.issuer.mkey_f[g - 1], b.keys.op.mkey_f, 16);
    for (int i = 0; i < DSRC_AUK_COUNT; i++)
      if (b.keys.op.mauk_held & (1u << i)) {
        memcpy(forged.issuer.mauk[i], b.keys.op.mauk[i], 16);
        memcpy(forged.issuer.aes_mauk[i], b.keys.op.aes_mauk[i], 16);
      }
    memcpy(forged.issuer.mack, b.keys.op.mack, sizeof(forged.issuer.mack));
    memcpy(forged.issuer.aes_mack, b.keys.op.aes_mack, sizeof(forged.issuer.aes_mack));
    forged.issuer.autopass_generation = g;
    forged.issuer.mack_ref = b.keys.issuer.mack_ref;
    /* The MAC_TSP keys (keyRef 5-8) and MKEY-N are the issuer's alone. */
    assert_int_equal(b.keys.op.mauk_held & 0xf0, 0);
    assert_int_equal(sim_obe_make(&prof, b.crypto, &forged, 0x00c10e00, efc_profile_bit(profile)), 0);
    obe_state_init(&st, &prof);
    obe_init(&o, &b.ocfg, &prof, &st, b.crypto, dsrc_prng_rng(&b.prng), NULL, NULL);

    p = passage(&b, &o);
    assert_int_equal(p.claim.verdict, EFC_PASS);
    assert_true(issuer(&b, &p.claim) & ISSUER_BAD_MAC);

    /* The issuer lists it; the next passage is rejected at the lane. */
    efc_status_list_init(&list);
    assert_int_equal(efc_status_list_add(&list, p.claim.obuid, EFC_LIST_REJECT), 0);
    efc_status_list_finish(&list);
    b.rcfg.status = &list;
    p = passage(&b, &o);
    assert_int_equal(p.claim.verdict, EFC_REJECT);
    assert_true(p.claim.reasons & EFC_WHY_STATUS_LIST);
    efc_status_list_free(&list);
    sim_keys_wipe(&forged);
    bench_free(&b);
  }
}

/* What both engines' events said during one passage. */
typedef struct {
  uint32_t obe_lid;          /* the OBE's session_opened */
  bool obe_released;         /* its session_closed, released */
  unsigned opened, closed;   /* the RSE's events */
  uint32_t opened_lid;
  uint64_t opened_t;
  rse_passage closed_p;
  bool release_next;         /* the next downlink frame is the closed session's RELEASE */
  bool release_seen;
} events;

static void ev_rse_opened(rse_engine *r, uint32_t lid, uint64_t t, void *user) {
  events *e = user;
  (void)r;
  e->opened++;
  e->opened_lid = lid;
  e->opened_t = t;
}

static void ev_rse_closed(rse_engine *r, const rse_passage *p, void *user) {
  events *e = user;
  (void)r;
  e->closed++;
  e->closed_p = *p;
  e->release_next = p->outcome == RSE_OUT_DONE;
}

static void ev_obe_opened(obe_engine *o, uint32_t lid, const dsrc_beacon_id *beacon, uint64_t t, void *user) {
  (void)o;
  (void)beacon;
  (void)t;
  ((events *)user)->obe_lid = lid;
}

static void ev_obe_closed(obe_engine *o, uint32_t lid, const dsrc_beacon_id *beacon, bool released, uint64_t t,
                          void *user) {
  events *e = user;
  (void)o;
  (void)beacon;
  (void)t;
  assert_int_equal(lid, e->obe_lid);
  e->obe_released = released;
}

/* The frame after a done session_closed is that session's RELEASE (rse.h). */
static void ev_frame(void *ctx, const air_frame *f) {
  events *e = ctx;
  dsrc_frame h;
  if (f->uplink || !e->release_next) return;
  e->release_next = false;
  assert_int_equal(dsrc_frame_decode(&h, f->frame, f->len), 0);
  assert_int_equal(h.lid, e->closed_p.lid);
  assert_int_equal(h.mac, DSRC_MAC_NO_WINDOW);
  e->release_seen = true;
}

/* One passage as the engines' events tell it: both sides name the same LID, the RSE's
 * events carry its passage's times, and a done session's RELEASE is the frame that follows
 * its session_closed. */
static void test_engine_events(void **state) {
  static const rse_callbacks rse_cb = {.session_opened = ev_rse_opened, .session_closed = ev_rse_closed};
  static const obe_callbacks obe_cb = {.session_opened = ev_obe_opened, .session_closed = ev_obe_closed};
  bench b;
  keymgmt_obe_profile prof;
  obe_state st;
  obe_engine o;
  events e;
  rse_passage p;
  (void)state;
  for (int profile = 0; profile < EFC_PROFILE_COUNT; profile++) {
    memset(&e, 0, sizeof(e));
    bench_init(&b, profile);
    rse_del(b.r);
    assert_int_equal(rse_new(&b.r, &b.rcfg, b.crypto, dsrc_prng_rng(&b.prng), &rse_cb, &e), 0);
    air_lane_init(&b.l, b.r, 0.0, &b.errors);
    b.l.on_frame = ev_frame;
    b.l.ctx = &e;
    assert_int_equal(sim_obe_make(&prof, b.crypto, &b.keys, 0x00e0e0e0, efc_profile_bit(profile)), 0);
    obe_state_init(&st, &prof);
    assert_int_equal(obe_init(&o, &b.ocfg, &prof, &st, b.crypto, dsrc_prng_rng(&b.prng), &obe_cb, &e), 0);
    p = passage(&b, &o);
    assert_int_equal(p.outcome, RSE_OUT_DONE);
    assert_int_equal(e.opened, 1);
    assert_int_equal(e.closed, 1);
    assert_int_equal(e.opened_lid, e.obe_lid);
    assert_int_equal(p.lid, e.obe_lid);
    assert_int_equal(e.opened_t, p.t_start);
    assert_int_equal(e.closed_p.t_end, p.t_end);
    assert_string_equal(e.closed_p.sequence, p.sequence);
    assert_true(e.release_seen);
    assert_true(e.obe_released);
    keymgmt_obe_profile_wipe(&prof);
    bench_free(&b);
  }
}

/* What the lane reported of its downlink frames, for test_air_lost_at. */
typedef struct {
  bool force;                 /* lose every downlink frame */
  unsigned down, up, all_lost, some_lost, differ;
  unsigned lost[3];           /* per OBE index */
  uint64_t last_lost_at;
  bool last_corrupted;
} lost_log;

static bool lost_force(void *ctx, const air_frame *f) { return !f->uplink && ((lost_log *)ctx)->force; }

static void lost_frame(void *ctx, const air_frame *f) {
  lost_log *g = ctx;
  if (f->uplink) {
    g->up++;
    assert_int_equal(f->lost_at, 0);
    return;
  }
  g->down++;
  /* Only OBEs 0 and 1 are in the zone: OBE 2 enters at 1 s. */
  assert_int_equal(f->lost_at & ~UINT64_C(3), 0);
  /* corrupted: lost at every OBE inside. */
  assert_int_equal(f->corrupted, f->lost_at == 3);
  g->all_lost += f->lost_at == 3;
  g->some_lost += f->lost_at != 0;
  g->differ += f->lost_at == 1 || f->lost_at == 2;
  for (unsigned i = 0; i < 3; i++) g->lost[i] += (unsigned)(f->lost_at >> i & 1);
  g->last_lost_at = f->lost_at;
  g->last_corrupted = f->corrupted;
}

/* A downlink frame's lost_at names the OBEs inside the zone whose receivers it failed at:
 * every one inside when it is lost on purpose, none outside; at a bit error rate each OBE
 * draws its own errors, so some frames fail at one OBE and not the other. */
static void test_air_lost_at(void **state) {
  bench b;
  keymgmt_obe_profile prof[3];
  obe_state st[3];
  obe_engine o[3];
  lost_log g;
  (void)state;
  memset(&g, 0, sizeof(g));
  bench_init(&b, EFC_PROFILE_EN15509_L0);
  for (unsigned i = 0; i < 3; i++) make_obe(&b, &prof[i], &st[i], &o[i], 0x00a00000 + i, EFC_PROFILE_EN15509_L0);
  for (int pass = 0; pass < 2; pass++) {
    /* First every frame lost on purpose, then bit errors (a BST of some 250 exposed bits
     * fails about 40 % of the time). */
    uint64_t now = b.l.now;
    air_lane_init(&b.l, b.r, pass ? 2e-3 : 0, &b.errors);
    b.l.now = now;
    b.l.lose = lost_force;
    b.l.on_frame = lost_frame;
    b.l.ctx = &g;
    air_lane_add(&b.l, &o[0], 0, UINT64_MAX);
    air_lane_add(&b.l, &o[1], 0, UINT64_MAX);
    air_lane_add(&b.l, &o[2], 1000000000u, UINT64_MAX);
    memset(&g, 0, sizeof(g));
    g.force = pass == 0;
    if (pass == 0) {
      air_lane_step(&b.l, UINT64_MAX);
      assert_int_equal(g.down, 1);
      assert_int_equal(g.last_lost_at, 3);
      assert_true(g.last_corrupted);
    }
  }
  while (b.l.now < 200000000u) air_lane_step(&b.l, 200000000u);
  printf("%u downlink frames: lost at OBE 0 %u, OBE 1 %u, both %u, one only %u; %u uplink\n", g.down, g.lost[0],
         g.lost[1], g.all_lost, g.differ, g.up);
  assert_true(g.down > 50);
  assert_true(g.lost[0] > 0 && g.lost[1] > 0 && g.all_lost > 0 && g.differ > 0);
  assert_int_equal(g.lost[2], 0);
  assert_true(g.up > 0);
  for (unsigned i = 0; i < 3; i++) keymgmt_obe_profile_wipe(&prof[i]);
  bench_free(&b);
}

/* The RSE's account of one passage (command_sent, answer_missed, session_closed) as text,
 * and frames lost on purpose by the command_sent whose step carries them. */
typedef struct {
  char log[1024];
  size_t len;
  unsigned sent;       /* command_sent events so far */
  int drop_down;       /* lose the frame of the step of this command_sent (its index), -1: none */
  int drop_up;         /* lose what the OBE sends in that step's window, -1: none */
  int step;            /* the command_sent of the step on the air, -1: a step that raised none */
  bool step_raised;
  unsigned dropped;    /* frames lost */
  rse_passage closed;
} rse_log;

static void rl_add(rse_log *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rl_add(rse_log *g, const char *fmt, ...) {
  va_list ap;
  int n;
  if (g->len) g->log[g->len++] = ' ';
  va_start(ap, fmt);
  n = vsnprintf(g->log + g->len, sizeof(g->log) - g->len, fmt, ap);
  va_end(ap);
  assert_true(n > 0 && (size_t)n < sizeof(g->log) - g->len);
  g->len += (size_t)n;
}

/* "CMD:attempt" for a command (or RELEASE), "CMD+attempt" for an allocation. */
static void rl_sent(rse_engine *r, uint32_t lid, rse_cmd cmd, bool allocation, unsigned attempt, uint64_t t,
                    void *user) {
  rse_log *g = user;
  (void)r;
  (void)lid;
  (void)t;
  rl_add(g, "%s%c%u", rse_cmd_name(cmd), allocation ? '+' : ':', attempt);
  g->sent++;
  g->step_raised = true;
}

static void rl_missed(rse_engine *r, uint32_t lid, rse_cmd cmd, rse_miss why, uint64_t t, void *user) {
  (void)r;
  (void)lid;
  (void)t;
  rl_add(user, "%s!%s", rse_cmd_name(cmd), rse_miss_name(why));
}

static void rl_closed(rse_engine *r, const rse_passage *p, void *user) {
  rse_log *g = user;
  (void)r;
  rl_add(g, "closed:%s/%s/%s/%s", p->outcome == RSE_OUT_DONE ? "done" : "failed", rse_fail_name(p->fail),
         rse_cmd_name(p->command), rse_miss_name(p->miss));
  g->closed = *p;
}

/* Asked before every frame is heard: a downlink frame starts a step. */
static bool rl_lose(void *ctx, const air_frame *f) {
  rse_log *g = ctx;
  if (!f->uplink) {
    g->step = g->step_raised ? (int)g->sent - 1 : -1;
    g->step_raised = false;
    g->dropped += g->step >= 0 && g->step == g->drop_down;
    return g->step >= 0 && g->step == g->drop_down;
  }
  g->dropped += g->step >= 0 && g->step == g->drop_up;
  return g->step >= 0 && g->step == g->drop_up;
}

typedef struct {
  int profile;
  bool legacy;
  uint8_t max_retries;
  uint64_t session_timeout_ns; /* 0: the default */
  int drop_down, drop_up;
  const char *log;             /* the events, as rse_log writes them */
} rse_case;

/* One passage of case k: the events must read exactly k->log, and the passage popped must
 * be the one session_closed showed. */
static void run_rse_case(const rse_case *k) {
  static const rse_callbacks cb = {.command_sent = rl_sent, .answer_missed = rl_missed, .session_closed = rl_closed};
  bench b;
  keymgmt_obe_profile prof;
  obe_state st;
  obe_engine o;
  rse_log g;
  rse_passage p;
  memset(&g, 0, sizeof(g));
  g.drop_down = k->drop_down;
  g.drop_up = k->drop_up;
  g.step = -1;
  bench_init(&b, k->profile);
  rse_del(b.r);
  b.rcfg.max_retries = k->max_retries;
  if (k->session_timeout_ns) b.rcfg.session_timeout_ns = k->session_timeout_ns;
  if (k->legacy) b.ocfg.mcu = obe_mcu_legacy;
  assert_int_equal(rse_new(&b.r, &b.rcfg, b.crypto, dsrc_prng_rng(&b.prng), &cb, &g), 0);
  air_lane_init(&b.l, b.r, 0.0, &b.errors);
  b.l.lose = rl_lose;
  b.l.ctx = &g;
  make_obe(&b, &prof, &st, &o, 0x00c0ffee, k->profile);
  p = passage(&b, &o);
  if (strcmp(g.log, k->log) != 0)
    fail_msg("%s, max_retries %u, drop %d/%d:\n  got  %s\n  want %s", efc_profile_name(k->profile), k->max_retries,
             k->drop_down, k->drop_up, g.log, k->log);
  /* Each frame named was lost, once. */
  assert_int_equal(g.dropped, (k->drop_down >= 0) + (k->drop_up >= 0));
  assert_int_equal(p.lid, g.closed.lid);
  assert_int_equal(p.fail, g.closed.fail);
  assert_int_equal(p.command, g.closed.command);
  assert_int_equal(p.miss, g.closed.miss);
  assert_int_equal(p.fail == RSE_FAIL_NONE, p.outcome == RSE_OUT_DONE);
  keymgmt_obe_profile_wipe(&prof);
  bench_free(&b);
}

/* The RSE's events and a passage's fail reason, command and last miss, with known answers:
 * clean passages (every command answered late, docs/timing-model.md), then single frames
 * lost by the command_sent that carried them. */
static void test_rse_failure_events(void **state) {
  static const rse_case cases[] = {
      /* Clean: the VST's allocation, then each command, its NE_OK, the allocation that
       * fetches its late answer; RELEASE. */
      {EFC_PROFILE_AUTOPASS, false, 3, 0, -1, -1,
       "VST+0 GET_SECURE:0 GET_SECURE!late GET_SECURE+0 RELEASE:0 closed:done/none/RELEASE/late"},
      {EFC_PROFILE_EN15509_L0, false, 3, 0, -1, -1,
       "VST+0 GET_STAMPED_TSP:0 GET_STAMPED_TSP!late GET_STAMPED_TSP+0 GET_STAMPED_TC:0 GET_STAMPED_TC!late "
       "GET_STAMPED_TC+0 GET:0 GET!late GET+0 SET:0 SET!late SET+0 SET_MMI:0 SET_MMI!late SET_MMI+0 RELEASE:0 "
       "closed:done/none/RELEASE/late"},
      /* max_retries 0: one miss ends it. The VST's allocation lost at the OBE: an empty
       * window. */
      {EFC_PROFILE_AUTOPASS, false, 0, 0, 0, -1, "VST+0 VST!empty closed:failed/retries/VST/empty"},
      /* The VST lost on its way up. */
      {EFC_PROFILE_AUTOPASS, false, 0, 0, -1, 0, "VST+0 VST!corrupted closed:failed/retries/VST/corrupted"},
      /* GET_SECURE lost at the OBE. */
      {EFC_PROFILE_AUTOPASS, false, 0, 0, 1, -1,
       "VST+0 GET_SECURE:0 GET_SECURE!empty closed:failed/retries/GET_SECURE/empty"},
      /* Its late answer lost on the way up. */
      {EFC_PROFILE_AUTOPASS, false, 0, 0, -1, 2,
       "VST+0 GET_SECURE:0 GET_SECURE!late GET_SECURE+0 GET_SECURE!corrupted "
       "closed:failed/retries/GET_SECURE/corrupted"},
      /* EN 15509's second GET_STAMPED lost at the OBE. */
      {EFC_PROFILE_EN15509_L1, false, 0, 0, 3, -1,
       "VST+0 GET_STAMPED_TSP:0 GET_STAMPED_TSP!late GET_STAMPED_TSP+0 GET_STAMPED_TC:0 GET_STAMPED_TC!empty "
       "closed:failed/retries/GET_STAMPED_TC/empty"},
      /* And the allocation for its late answer. */
      {EFC_PROFILE_EN15509_L1, false, 0, 0, 4, -1,
       "VST+0 GET_STAMPED_TSP:0 GET_STAMPED_TSP!late GET_STAMPED_TSP+0 GET_STAMPED_TC:0 GET_STAMPED_TC!late "
       "GET_STAMPED_TC+0 GET_STAMPED_TC!empty closed:failed/retries/GET_STAMPED_TC/empty"},
      /* With retries: the command lost at the OBE goes again (by-window: an empty window
       * repeats it), as attempt 1, and so does the allocation of its late answer. */
      {EFC_PROFILE_AUTOPASS, false, 3, 0, 1, -1,
       "VST+0 GET_SECURE:0 GET_SECURE!empty GET_SECURE:1 GET_SECURE!late GET_SECURE+1 RELEASE:0 "
       "closed:done/none/RELEASE/late"},
      /* An answer lost on its way up is fetched again by a re-allocation. */
      {EFC_PROFILE_AUTOPASS, false, 3, 0, -1, 2,
       "VST+0 GET_SECURE:0 GET_SECURE!late GET_SECURE+0 GET_SECURE!corrupted GET_SECURE+1 RELEASE:0 "
       "closed:done/none/RELEASE/corrupted"},
      /* A lost RELEASE: the RSE cannot know, the passage is done. */
      {EFC_PROFILE_AUTOPASS, false, 0, 0, 3, -1,
       "VST+0 GET_SECURE:0 GET_SECURE!late GET_SECURE+0 RELEASE:0 closed:done/none/RELEASE/late"},
      /* A legacy OBE's GET_SECURE takes 7.1 ms: with a 3 ms session timeout the RSE stops
       * waiting for the late answer before the OBE asks to deliver it. */
      {EFC_PROFILE_AUTOPASS, true, 3, 3000000, -1, -1,
       "VST+0 GET_SECURE:0 GET_SECURE!late closed:failed/timeout/GET_SECURE/late"},
  };
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) run_rse_case(&cases[i]);
}

/* The names drivers print. */
static void test_rse_names(void **state) {
  (void)state;
  assert_string_equal(rse_cmd_name(RSE_CMD_NONE), "none");
  assert_string_equal(rse_cmd_name(RSE_CMD_VST), "VST");
  assert_string_equal(rse_cmd_name(RSE_CMD_GET_STAMPED_TC), "GET_STAMPED_TC");
  assert_string_equal(rse_cmd_name(RSE_CMD_RELEASE), "RELEASE");
  assert_string_equal(rse_cmd_name(RSE_CMD_COUNT), "unknown");
  assert_string_equal(rse_cmd_name(-1), "unknown");
  assert_string_equal(rse_fail_name(RSE_FAIL_TIMEOUT), "timeout");
  assert_string_equal(rse_fail_name(RSE_FAIL_COUNT), "unknown");
  assert_string_equal(rse_miss_name(RSE_MISS_LATE), "late");
  assert_string_equal(rse_miss_name(RSE_MISS_COUNT), "unknown");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_engine_events),
      cmocka_unit_test(test_rse_failure_events),
      cmocka_unit_test(test_rse_names),
      cmocka_unit_test(test_air_lost_at),
      cmocka_unit_test(test_trace_every_profile),
      cmocka_unit_test(test_counters_and_persistence),
      cmocka_unit_test(test_lane_run_stops),
      cmocka_unit_test(test_rse_repeated_frames),
      cmocka_unit_test(test_wrong_keys_fail_lane),
      cmocka_unit_test(test_operator_key_clone),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
