/* The timing model against hand computation: frame airtimes, a whole AutoPASS transaction
 * rebuilt from the schedule's rules (airtimes, gaps, processing), the frame error rate at a
 * given BER, and two OBEs colliding in one public window. Also the statistics the report
 * uses (Wilson interval, quantiles). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/report.h"
#include "obe_harness.h"
#include "air/lane.h"
#include "sim/world.h"

#define FRAMES_MAX 256

typedef struct {
  uint64_t t0, t1;
  bool up, corrupted, collided;
  uint8_t frame[DSRC_FRAME_MAX];
  size_t len;
} seen;

typedef struct {
  seen f[FRAMES_MAX];
  unsigned n;
  unsigned down_bad, down_total;
} recorder;

static void record(void *ctx, const air_frame *lf) {
  recorder *r = ctx;
  if (!lf->uplink) {
    r->down_total++;
    r->down_bad += lf->corrupted;
  }
  if (r->n == FRAMES_MAX) return;
  r->f[r->n].t0 = lf->t_start;
  r->f[r->n].t1 = lf->t_end;
  r->f[r->n].up = lf->uplink;
  r->f[r->n].corrupted = lf->corrupted;
  r->f[r->n].collided = lf->collided;
  memcpy(r->f[r->n].frame, lf->frame, lf->len);
  r->f[r->n].len = lf->len;
  r->n++;
}

typedef struct {
  dsrc_crypto *crypto;
  sim_keys keys;
  rse_config rcfg;
  obe_config ocfg;
  dsrc_prng prng, errors;
  rse_engine *r;
  air_lane l;
  recorder rec;
} rig;

static void rig_init(rig *g, double ber) {
  char err[128];
  memset(g, 0, sizeof(*g));
  assert_int_equal(dsrc_crypto_new(&g->crypto, err, sizeof(err)), 0);
  assert_int_equal(sim_keys_init(&g->keys, g->crypto, 4), 0);
  rse_config_default(&g->rcfg);
  g->rcfg.profiles[0] = EFC_PROFILE_AUTOPASS;
  g->rcfg.nprofiles = 1;
  g->rcfg.keys = &g->keys.op;
  obe_config_default(&g->ocfg);
  dsrc_prng_seed(&g->prng, 1);
  dsrc_prng_seed(&g->errors, 2);
  assert_int_equal(rse_new(&g->r, &g->rcfg, g->crypto, dsrc_prng_rng(&g->prng), NULL, NULL), 0);
  air_lane_init(&g->l, g->r, ber, &g->errors);
  g->l.on_frame = record;
  g->l.ctx = &g->rec;
}

static void rig_free(rig *g) {
  rse_del(g->r);
  sim_keys_wipe(&g->keys);
  dsrc_crypto_free(g->crypto);
}

static uint64_t air(const seen *s) {
  dsrc_l1_params p;
  dsrc_l1_params_default(&p);
  return dsrc_l1_airtime_ns(&p, s->up, s->frame, s->len);
}

/* The regulation's 22-octet BST and a stuffed window request, on the lane. */
static void test_airtimes(void **state) {
  (void)state;
  rig g;
  keymgmt_obe_profile prof;
  obe_state st;
  obe_engine o;
  script_rng rng = {0};
  unsigned stuffed;
  rig_init(&g, 0);
  assert_int_equal(sim_obe_make(&prof, g.crypto, &g.keys, 7, efc_profile_bit(EFC_PROFILE_AUTOPASS)), 0);
  obe_state_init(&st, &prof);
  /* LID FE FE FE FF (six stuffed bits, see test_frame.c), public window 0. */
  script_add(&rng, "FEFEFEFF 00");
  obe_init(&o, &g.ocfg, &prof, &st, g.crypto, script_as_rng(&rng), NULL, NULL);
  air_lane_add(&g.l, &o, 0, UINT64_MAX);
  while (g.l.now < 7 * MS) air_lane_step(&g.l, 7 * MS);
  assert_true(g.rec.n >= 5);
  /* BST: 22 octets = 176 bits + its stuffed bits at 2 us, after 32 us of preamble. */
  assert_int_equal(g.rec.f[0].len, 22);
  stuffed = dsrc_frame_stuffed_bits(g.rec.f[0].frame, 22);
  assert_int_equal(g.rec.f[0].t1 - g.rec.f[0].t0, 32000 + (176 + stuffed) * 2000);
  /* The window request after the fourth BST: 9 octets, 6 stuffed bits, 68 us preamble,
   * 4 us a bit: 68 + 78 x 4 = 380 us, in public window 0: 100 us after the BST. */
  for (unsigned i = 0; i < g.rec.n; i++) {
    if (!g.rec.f[i].up) continue;
    assert_int_equal(g.rec.f[i].len, 9);
    assert_memory_equal(g.rec.f[i].frame, "\x7e\xfe\xfe\xfe\xff\x90", 6);
    assert_int_equal(g.rec.f[i].t1 - g.rec.f[i].t0, 380000);
    assert_int_equal(g.rec.f[i].t0, g.rec.f[i - 1].t1 + 100000);
    break;
  }
  rig_free(&g);
}

/* The lane keeps the stuffed bits of recent short frames by their octets: frames of every
 * length, each sent again later, and twins that differ in one octet only (same length and
 * FCS octets, so the same slot), all get the airtime computed from scratch. */
static void test_airtime_cache(void **state) {
  (void)state;
  rig g;
  uint8_t f[64][40];
  size_t len[64];
  uint64_t x = 0x243f6a8885a308d3u;
  rig_init(&g, 0);
  for (unsigned round = 0; round < 50; round++) {
    for (unsigned i = 0; i < 64; i++) {
      len[i] = 6 + (i * 7 + round) % 34;
      for (size_t k = 0; k < len[i]; k++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        /* Dense ones in some frames, for long runs and many stuffed bits. */
        f[i][k] = (uint8_t)(i % 3 == 0 ? x | x >> 8 : x);
      }
      f[i][0] = f[i][len[i] - 1] = 0x7e;
      if (i % 2 == 1) {
        /* The twin of frame i - 1 when the lengths match: one octet changed. */
        len[i] = len[i - 1];
        memcpy(f[i], f[i - 1], len[i]);
        f[i][1 + (round + i) % (len[i] - 4)] ^= 0x1f;
      }
    }
    for (unsigned pass = 0; pass < 2; pass++)
      for (unsigned i = 0; i < 64; i++) {
        air_uplink u;
        air_uplink_make(&g.l, &u, f[i], len[i], 0);
        assert_int_equal(u.air, dsrc_l1_airtime_ns(&g.l.l1, 1, f[i], len[i]));
      }
  }
  rig_free(&g);
}

/* One AutoPASS passage rebuilt from the schedule's rules, frame by frame: BSTs every 2 ms
 * on a grid, each followed by 3 public windows of 432 us, 100 us from a downlink to its
 * window, 200 us after an uplink (plus the RSE's 2 us per cipher block); the OBE wakes 5 ms
 * after the first long frame. The passage's end must equal that sum exactly. */
static void completion_by_hand(const obe_mcu *mcu, unsigned expected_late) {
  rig g;
  keymgmt_obe_profile prof;
  obe_state st;
  obe_engine o;
  script_rng rng = {0};
  rse_passage p;
  const rse_config *c;
  bool done = false;
  uint64_t t, next_bst, wake, ready = 0;
  unsigned i = 0, w = 1;
  rig_init(&g, 0);
  c = &g.rcfg;
  g.ocfg.mcu = *mcu;
  assert_int_equal(sim_obe_make(&prof, g.crypto, &g.keys, 9, efc_profile_bit(EFC_PROFILE_AUTOPASS)), 0);
  obe_state_init(&st, &prof);
  script_add(&rng, "12345679 01 00000000 00000000 01");
  obe_init(&o, &g.ocfg, &prof, &st, g.crypto, script_as_rng(&rng), NULL, NULL);
  air_lane_add(&g.l, &o, 0, UINT64_MAX);
  while (!done && g.l.now < 200 * MS) {
    air_lane_step(&g.l, 200 * MS);
    done = rse_passage_pop(g.r, &p);
  }
  assert_true(done);
  assert_int_equal(p.outcome, RSE_OUT_DONE);
  assert_int_equal(p.late_responses, expected_late);

  /* Replay the rules. f[i] is the i-th frame on the air; check each start time. */
#define BST_STEP(at)                                                                         \
  do {                                                                                       \
    assert_false(g.rec.f[i].up);                                                             \
    assert_int_equal(g.rec.f[i].len, 22);                                                    \
    assert_int_equal(g.rec.f[i].t0, at);                                                     \
    t = (at) + air(&g.rec.f[i]);                                                             \
    next_bst = (at) + c->bst_period_ns;                                                      \
    i++;                                                                                     \
  } while (0)
  /* The first BST wakes the OBE; those ending before wake-up are lost to it. */
  BST_STEP(0);
  wake = t + g.ocfg.start_ns;
  while (next_bst + air(&g.rec.f[0]) < wake) BST_STEP(next_bst);
  /* The first BST it hears: its request in public window 1 (scripted). */
  BST_STEP(next_bst);
  assert_true(g.rec.f[i].up);
  assert_int_equal(g.rec.f[i].t0, t + c->gap_du_ns + w * c->public_window_ns);
  i++;
  t = t + c->gap_du_ns + c->public_windows * c->public_window_ns + c->gap_ud_ns;
  /* Window allocation, then the VST in its window. */
  assert_int_equal(g.rec.f[i].t0, t);
  assert_int_equal(g.rec.f[i].len, 9);
  t += air(&g.rec.f[i++]) + c->gap_du_ns;
  assert_int_equal(g.rec.f[i].t0, t);
  t += air(&g.rec.f[i++]) + c->gap_ud_ns;
  /* The BST was due meanwhile: it goes first. */
  BST_STEP(t);
  t += c->gap_du_ns + c->public_windows * c->public_window_ns + c->gap_ud_ns;
  /* GET_SECURE and its window. */
  assert_int_equal(g.rec.f[i].t0, t);
  t += air(&g.rec.f[i++]);
  ready = t + mcu->base_ns + 4ull * mcu->tdes_ns + 8ull * mcu->des_ns;
  t += c->gap_du_ns;
  assert_int_equal(g.rec.f[i].t0, t);
  if (expected_late == 0) {
    /* The answer in the window; the RSE checks MAC2: 4 x 3DES + 4 x DES blocks. */
    t += air(&g.rec.f[i++]) + c->gap_ud_ns + 8ull * c->crypto_ns_per_block;
  } else {
    /* NE_OK; the OBE asks after the first BST that ends once its answer is ready. */
    t += air(&g.rec.f[i++]) + c->gap_ud_ns;
    for (;;) {
      uint64_t at = t > next_bst ? t : next_bst, end;
      BST_STEP(at);
      end = t;
      t = at + air(&g.rec.f[i - 1]) + c->gap_du_ns + c->public_windows * c->public_window_ns + c->gap_ud_ns;
      if (end >= ready) break;
    }
    i++; /* the window request */
    assert_int_equal(g.rec.f[i].t0, t); /* the allocation */
    t += air(&g.rec.f[i++]) + c->gap_du_ns;
    assert_int_equal(g.rec.f[i].t0, t); /* the late answer, UI */
    t += air(&g.rec.f[i++]) + c->gap_ud_ns + 8ull * c->crypto_ns_per_block;
  }
  if (t >= next_bst) {
    BST_STEP(t);
    t += c->gap_du_ns + c->public_windows * c->public_window_ns + c->gap_ud_ns;
  }
  /* RELEASE ends the passage. */
  assert_int_equal(g.rec.f[i].t0, t);
  assert_int_equal(g.rec.f[i].frame[5], DSRC_MAC_NO_WINDOW);
  assert_int_equal(p.t_end, t);
  assert_int_equal(i + 1, g.rec.n);
#undef BST_STEP
  rig_free(&g);
}

static void test_completion_instant_obe(void **state) {
  (void)state;
  const obe_mcu instant = {0, 0, 0, 0};
  completion_by_hand(&instant, 0);
}

static void test_completion_legacy_obe(void **state) {
  (void)state;
  completion_by_hand(&obe_mcu_legacy, 1);
}

/* At BER b a frame fails with probability 1 - (1 - b)^bits (preamble and stuffing
 * included): 20,000 BSTs at b = 2e-4. */
static void test_frame_error_rate(void **state) {
  (void)state;
  rig g;
  keymgmt_obe_profile prof;
  obe_state st;
  obe_engine o;
  double p, lo, hi;
  rig_init(&g, 2e-4);
  assert_int_equal(sim_obe_make(&prof, g.crypto, &g.keys, 9, efc_profile_bit(EFC_PROFILE_AUTOPASS)), 0);
  obe_state_init(&st, &prof);
  g.ocfg.bst_profile = 5; /* an OBE that answers no BST: it only listens */
  obe_init(&o, &g.ocfg, &prof, &st, g.crypto, dsrc_prng_rng(&g.prng), NULL, NULL);
  air_lane_add(&g.l, &o, 0, UINT64_MAX);
  while (g.rec.down_total < 20000) {
    g.rec.n = 0;
    air_lane_step(&g.l, UINT64_MAX);
  }
  {
    uint8_t bst[DSRC_FRAME_MAX];
    size_t n = bst_build(bst, 1, 1052, 1733233720, 0, DSRC_AID_EFC);
    double bits = dsrc_l1_exposed_bits(&g.l.l1, 0, bst, n);
    p = 1 - pow(1 - 2e-4, bits);
    assert_true(bits >= 16 + 176);
  }
  sim_report_wilson(g.rec.down_bad, g.rec.down_total, &lo, &hi);
  if (p < lo || p > hi)
    fail_msg("measured %u/%u, CI [%f, %f], model %f", g.rec.down_bad, g.rec.down_total, lo, hi, p);
  rig_free(&g);
}

/* Two OBEs requesting in the same public window both fail that round; in different
 * windows next time, both get through. */
static void test_public_window_collision(void **state) {
  (void)state;
  rig g;
  keymgmt_obe_profile prof[2];
  obe_state st[2];
  obe_engine o[2];
  script_rng rng[2];
  rse_passage p;
  unsigned done = 0;
  bool checked = false;
  rig_init(&g, 0);
  memset(rng, 0, sizeof(rng));
  /* Both pick window 2 after the first BST they hear, then windows 0 and 1; for their late
   * answers, windows 0 and 2. */
  script_add(&rng[0], "12345679 02 00 00000000 00000000 00");
  script_add(&rng[1], "2244668B 02 01 00000000 00000000 02");
  for (int k = 0; k < 2; k++) {
    assert_int_equal(sim_obe_make(&prof[k], g.crypto, &g.keys, 100 + (uint32_t)k, efc_profile_bit(EFC_PROFILE_AUTOPASS)), 0);
    obe_state_init(&st[k], &prof[k]);
    obe_init(&o[k], &g.ocfg, &prof[k], &st[k], g.crypto, script_as_rng(&rng[k]), NULL, NULL);
    air_lane_add(&g.l, &o[k], 0, UINT64_MAX);
  }
  while (done < 2 && g.l.now < 500 * MS) {
    g.rec.n = 0;
    air_lane_step(&g.l, 500 * MS);
    if (g.l.collisions == 1 && !checked) {
      /* The round of the collision: both requests lost, the RSE knows neither OBE. */
      unsigned up = 0;
      for (unsigned i = 0; i < g.rec.n; i++)
        if (g.rec.f[i].up) {
          assert_true(g.rec.f[i].collided);
          up++;
        }
      assert_int_equal(up, 2);
      assert_int_equal(rse_sessions_open(g.r), 0);
      checked = true;
    }
    while (rse_passage_pop(g.r, &p)) {
      assert_int_equal(p.outcome, RSE_OUT_DONE);
      done++;
    }
  }
  assert_int_equal(done, 2);
  assert_true(checked);
  for (int k = 0; k < 2; k++) keymgmt_obe_profile_wipe(&prof[k]);
  rig_free(&g);
}

static void test_statistics(void **state) {
  (void)state;
  double lo, hi;
  float v[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  /* Wilson 95 %: 0/10 -> [0, 0.2775]; 10/10 -> [0.7225, 1]; 500/1000 -> [0.4691, 0.5309]. */
  sim_report_wilson(0, 10, &lo, &hi);
  assert_true(fabs(lo) < 1e-9 && fabs(hi - 0.27753) < 1e-4);
  sim_report_wilson(10, 10, &lo, &hi);
  assert_true(fabs(lo - 0.72247) < 1e-4 && fabs(hi - 1) < 1e-9);
  sim_report_wilson(500, 1000, &lo, &hi);
  assert_true(fabs(lo - 0.46907) < 1e-4 && fabs(hi - 0.53093) < 1e-4);
  /* Nearest rank. */
  assert_true(sim_report_quantile(v, 10, 0.5) == 5);
  assert_true(sim_report_quantile(v, 10, 0.95) == 10);
  assert_true(sim_report_quantile(v, 10, 0.01) == 1);
  assert_true(isnan(sim_report_quantile(v, 0, 0.5)));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_airtimes),
      cmocka_unit_test(test_airtime_cache),
      cmocka_unit_test(test_completion_instant_obe),
      cmocka_unit_test(test_completion_legacy_obe),
      cmocka_unit_test(test_frame_error_rate),
      cmocka_unit_test(test_public_window_collision),
      cmocka_unit_test(test_statistics),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
