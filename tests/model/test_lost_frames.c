/* Frames lost on purpose, through the real engines on the simulated lane, against the retry
 * model's walk of the rules (retry_model.h), for every profile and both retry policies:
 * - every single frame of a passage lost in turn: the passage still succeeds, with one retry
 *   when the frame was one of a private window's (two for a command under realloc-first)
 *   and none otherwise (a BST, a window request, RELEASE);
 * - every pair of private frames, then every set of three and four among the first
 *   command's frames: the frames that follow (kind, S and n bits), the retries and the
 *   outcome are the ones the rules predict, failures included; every pair of any frames
 *   (BSTs and window requests too) likewise;
 * - random losses at BER 1e-3: each passage's frames as the rules predict from its own
 *   losses;
 * - after the RSE gives up, the OBE is released and its LID gets no second session, even
 *   when the closing RELEASE is lost. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "passage.h"

typedef struct {
  ph_world w;
  rm_transaction t[EFC_PROFILE_COUNT];
  ph_result r; /* large: one, reused */
} fixture;

static int setup(void **state) {
  static fixture f; /* too large for the stack; set up once for the whole group */
  if (ph_world_init(&f.w) != 0) return -1;
  for (int p = 0; p < EFC_PROFILE_COUNT; p++)
    if (ph_transaction(&f.w, p, false, 3, &f.t[p]) != 0) return -1;
  *state = &f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  ph_world_free(&f->w);
  return 0;
}

/* The simulator's private frames, retries and outcome against the walk. */
static void compare(const ph_result *r, const rm_walk_result *w, const char *what) {
  const ph_frame *f[PH_FRAMES_MAX];
  unsigned n = ph_private(r, f, PH_FRAMES_MAX);
  if (!r->finished) fail_msg("%s: the RSE reported no passage", what);
  if (r->passages != 1) fail_msg("%s: %u passages reported", what, r->passages);
  if (w->unmodelled) fail_msg("%s: the walk left the rules' reach", what);
  for (unsigned i = 0; i < n && i < w->n; i++) {
    const rm_frame *m = &w->f[i];
    bool alloc = m->kind == RM_F_ALLOC || m->kind == RM_F_COMMAND;
    if (f[i]->rm != m->kind || f[i]->lost != m->lost || (alloc && f[i]->s != m->s) ||
        (m->kind == RM_F_COMMAND && f[i]->n != m->n))
      fail_msg("%s: private frame %u is %s S=%u n=%u%s, the rules say %s S=%u n=%u%s", what, i,
               rm_frame_kind_name(f[i]->rm), f[i]->s, f[i]->n, f[i]->lost ? " lost" : "", rm_frame_kind_name(m->kind),
               m->s, m->n, m->lost ? " lost" : "");
  }
  if (n != w->n) fail_msg("%s: %u private frames, the rules say %u", what, n, w->n);
  if ((r->outcome != RSE_OUT_DONE) != w->failed || r->retries != w->retries)
    fail_msg("%s: %s with %u retries, the rules say %s with %u", what, r->outcome == RSE_OUT_DONE ? "done" : "failed",
             r->retries, w->failed ? "failed" : "done", w->retries);
}

static void run(fixture *fx, ph_options *o, ph_result *r) { assert_int_equal(ph_run(&fx->w, o, r), 0); }

static void test_single_losses(void **state) {
  fixture *fx = *state;
  static ph_result clean;
  for (int p = 0; p < EFC_PROFILE_COUNT; p++)
    for (int pol = 0; pol < 2; pol++) {
      ph_options o = {.profile = p, .policy = pol, .max_retries = 3, .seed = 11};
      unsigned end = 0, priv = 0, privates = 0, others = 0;
      run(fx, &o, &clean);
      while (end < clean.n && !(clean.f[end].cls == PH_PRIVATE && clean.f[end].rm == RM_F_RELEASE)) end++;
      assert_true(end < clean.n);
      for (unsigned i = 0; i <= end; i++) {
        ph_frame *c = &clean.f[i];
        bool is_priv = c->cls == PH_PRIVATE;
        unsigned lost = priv;
        rm_walk_result w;
        char what[96];
        o.lose_any = &i;
        o.nlose_any = 1;
        run(fx, &o, &fx->r);
        assert_int_equal(rm_walk(&fx->t[p], 3, pol, &lost, is_priv, &w), 0);
        snprintf(what, sizeof(what), "%s %s, frame %u lost", efc_profile_name(p), rse_retry_policy_name(pol), i);
        compare(&fx->r, &w, what);
        /* One retry for a private window's frame; realloc-first spends two on a lost command
         * (its re-allocation finds an OBE with nothing to send). */
        if (fx->r.outcome != RSE_OUT_DONE ||
            fx->r.retries != (unsigned)(is_priv && c->rm != RM_F_RELEASE) +
                                 (pol == RSE_RETRY_REALLOC_FIRST && is_priv && c->rm == RM_F_COMMAND))
          fail_msg("%s: %u retries, outcome %d", what, fx->r.retries, fx->r.outcome);
        privates += is_priv;
        others += !is_priv;
        priv += is_priv;
      }
      /* BSTs and window requests were among them. */
      assert_true(privates >= 5 && others >= 5);
      printf("%-10s %-13s every single frame lost in turn: %u private, %u others, all done\n", efc_profile_name(p),
             rse_retry_policy_name(pol), privates, others);
      o.lose_any = NULL;
      o.nlose_any = 0;
    }
}

/* Every set of k private frames among positions [from, to): each run against the walk.
 * Returns how many of them failed. */
static unsigned sets(fixture *fx, int p, int pol, unsigned k, unsigned from, unsigned to) {
  unsigned idx[4], fails = 0, runs = 0;
  for (unsigned i = 0; i < k; i++) idx[i] = from + i;
  for (;;) {
    rm_walk_result w;
    bool beyond = false;
    assert_int_equal(rm_walk(&fx->t[p], 3, pol, idx, k, &w), 0);
    for (unsigned i = 0; i < k; i++) beyond |= idx[i] >= w.n;
    if (!beyond) {
      ph_options o = {.profile = p, .policy = pol, .max_retries = 3, .seed = 12,
                      .lose_private = idx, .nlose_private = k};
      char what[128];
      int len = snprintf(what, sizeof(what), "%s %s, lost", efc_profile_name(p), rse_retry_policy_name(pol));
      for (unsigned i = 0; i < k; i++) len += snprintf(what + len, sizeof(what) - (size_t)len, " %u", idx[i]);
      run(fx, &o, &fx->r);
      compare(&fx->r, &w, what);
      fails += w.failed;
      runs++;
    }
    /* The next set in lexicographic order. */
    {
      int i = (int)k - 1;
      while (i >= 0 && idx[i] == to - k + (unsigned)i) i--;
      if (i < 0) break;
      idx[i]++;
      for (unsigned j = (unsigned)i + 1; j < k; j++) idx[j] = idx[j - 1] + 1;
    }
  }
  assert_true(runs > 0);
  printf("%-10s %-13s %u losses among private frames %2u..%2u: %4u sets, %3u failed, all as the rules say\n",
         efc_profile_name(p), rse_retry_policy_name(pol), k, from, to - 1, runs, fails);
  return fails;
}

static void test_pairs(void **state) {
  fixture *fx = *state;
  for (int p = 0; p < EFC_PROFILE_COUNT; p++)
    for (int pol = 0; pol < 2; pol++) {
      /* A clean passage has 2 + 4 x commands + 1 private frames; two losses add at most 4. */
      unsigned to = 2 + 4 * (fx->t[p].nphases - 1) + 1 + 4;
      /* Three retries are allowed: two losses never fail. */
      assert_int_equal(sets(fx, p, pol, 2, 0, to), 0);
    }
}

/* Every pair among all the frames of a passage (BSTs and window requests too), against the
 * walk of the private frames the run actually lost: a lost BST or window request costs
 * time, never a retry. */
static void test_pairs_any(void **state) {
  fixture *fx = *state;
  for (int p = 0; p < EFC_PROFILE_COUNT; p++)
    for (int pol = 0; pol < 2; pol++) {
      ph_options o = {.profile = p, .policy = pol, .max_retries = 3, .seed = 14};
      unsigned end = 0, runs = 0, public_lost = 0;
      run(fx, &o, &fx->r);
      while (end < fx->r.n && !(fx->r.f[end].cls == PH_PRIVATE && fx->r.f[end].rm == RM_F_RELEASE)) end++;
      /* Two losses lengthen a passage by a few frames. */
      end += 12;
      for (unsigned i = 0; i < end; i++)
        for (unsigned j = i + 1; j < end; j++) {
          unsigned idx[2] = {i, j}, lost[PH_FRAMES_MAX], nlost = 0, n, seen = 0;
          const ph_frame *f[PH_FRAMES_MAX];
          rm_walk_result w;
          char what[96];
          o.lose_any = idx;
          o.nlose_any = 2;
          run(fx, &o, &fx->r);
          if (fx->r.n <= j) continue;
          n = ph_private(&fx->r, f, PH_FRAMES_MAX);
          for (unsigned k = 0; k < n; k++)
            if (f[k]->lost) lost[nlost++] = k;
          for (unsigned k = 0; k <= j; k++) seen += fx->r.f[k].lost && fx->r.f[k].cls != PH_PRIVATE;
          assert_int_equal(rm_walk(&fx->t[p], 3, pol, lost, nlost, &w), 0);
          snprintf(what, sizeof(what), "%s %s, frames %u and %u lost", efc_profile_name(p),
                   rse_retry_policy_name(pol), i, j);
          compare(&fx->r, &w, what);
          assert_int_equal(fx->r.outcome, RSE_OUT_DONE);
          public_lost += seen;
          runs++;
        }
      assert_true(runs > 300 && public_lost > 200);
      printf("%-10s %-13s every pair of frames lost: %u runs (%u BSTs or window requests lost), all done\n",
             efc_profile_name(p), rse_retry_policy_name(pol), runs, public_lost);
      o.lose_any = NULL;
      o.nlose_any = 0;
    }
}

/* Three and four losses among the first command's frames (positions 2..13: the command,
 * its answers and retries). by-window fails only with four, realloc-first with three
 * already (its re-allocation after a lost command is a retry that cannot succeed). */
static void test_three_and_four(void **state) {
  fixture *fx = *state;
  for (int p = 0; p < EFC_PROFILE_COUNT; p++) {
    assert_int_equal(sets(fx, p, RSE_RETRY_BY_WINDOW, 3, 2, 14), 0);
    assert_true(sets(fx, p, RSE_RETRY_BY_WINDOW, 4, 2, 14) > 0);
    assert_true(sets(fx, p, RSE_RETRY_REALLOC_FIRST, 3, 2, 14) > 0);
    assert_true(sets(fx, p, RSE_RETRY_REALLOC_FIRST, 4, 2, 14) > 0);
  }
}

static void test_random_losses(void **state) {
  fixture *fx = *state;
  for (int p = 0; p < EFC_PROFILE_COUNT; p++)
    for (int pol = 0; pol < 2; pol++) {
      unsigned fails = 0, retried = 0;
      for (unsigned s = 1; s <= 500; s++) {
        ph_options o = {.profile = p, .policy = pol, .max_retries = 3, .seed = 100 + s, .ber = 1e-3,
                        .obuid = 0x00100000u + s, .enter_ns = 10000000u + (s * 7919u) % 2000000u,
                        .dwell_ns = 1000000000u};
        const ph_frame *f[PH_FRAMES_MAX];
        unsigned lost[PH_FRAMES_MAX], nlost = 0, n;
        rm_walk_result w;
        char what[96];
        run(fx, &o, &fx->r);
        n = ph_private(&fx->r, f, PH_FRAMES_MAX);
        for (unsigned i = 0; i < n; i++)
          if (f[i]->lost) lost[nlost++] = i;
        assert_int_equal(rm_walk(&fx->t[p], 3, pol, lost, nlost, &w), 0);
        snprintf(what, sizeof(what), "%s %s, BER 1e-3, seed %u", efc_profile_name(p), rse_retry_policy_name(pol), s);
        compare(&fx->r, &w, what);
        fails += w.failed;
        retried += w.retries > 0;
      }
      /* The draw reached the cases that matter. */
      assert_true(fails > 0 && retried > 100);
      printf("%-10s %-13s BER 1e-3: 500 passages, %u with retries, %u failed, all as the rules say\n",
             efc_profile_name(p), rse_retry_policy_name(pol), retried, fails);
    }
}

/* The RSE gives up: one passage, failed; the OBE gets RELEASE and is released. When that
 * RELEASE is lost, an OBE that still asks for windows (its late answer, its VST) gets RELEASE
 * again, not a new session. */
static void test_give_up(void **state) {
  fixture *fx = *state;
  static const struct {
    unsigned lost[5];
    unsigned n;
    bool released; /* the OBE ends released */
  } cases[] = {
      {{2, 3, 4, 5}, 4, true},      /* the first command lost four times */
      {{2, 3, 4, 5, 6}, 5, false},  /* and RELEASE: an OBE that never got the command waits */
      {{4, 5, 6, 7}, 4, true},      /* the late answer's allocation lost four times */
      {{4, 5, 6, 7, 8}, 5, true},   /* and RELEASE: it asks for a window, gets RELEASE again */
      {{0, 1, 2, 3}, 4, true},      /* every allocation for the VST */
      {{0, 1, 2, 3, 4}, 5, true},   /* and RELEASE: it asks for a window again */
  };
  for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
    ph_options o = {.profile = EFC_PROFILE_EN15509_L0, .policy = RSE_RETRY_BY_WINDOW, .max_retries = 3, .seed = 13,
                    .lose_private = cases[c].lost, .nlose_private = cases[c].n};
    rm_walk_result w;
    unsigned releases = 0, after = 0;
    bool seen = false;
    run(fx, &o, &fx->r);
    assert_int_equal(rm_walk(&fx->t[EFC_PROFILE_EN15509_L0], 3, 0, cases[c].lost, cases[c].n, &w), 0);
    assert_true(w.failed);
    compare(&fx->r, &w, "give up");
    assert_int_equal(fx->r.obe_released, cases[c].released);
    /* After the first RELEASE: nothing but BSTs, window requests and RELEASE again. */
    for (unsigned i = 0; i < fx->r.n; i++) {
      const ph_frame *f = &fx->r.f[i];
      bool rel = f->cls == PH_PRIVATE && f->rm == RM_F_RELEASE;
      if (seen && !rel && f->cls != PH_BST && f->cls != PH_WINDOW_REQUEST)
        fail_msg("case %u: %s after RELEASE", c, rm_frame_kind_name(f->rm));
      after += seen && f->cls == PH_WINDOW_REQUEST;
      seen |= rel;
      releases += rel;
    }
    if (cases[c].n == 5 && cases[c].released) assert_true(after >= 1 && releases >= 2);
    if (cases[c].n == 4) assert_int_equal(releases, 1);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_single_losses), cmocka_unit_test(test_pairs), cmocka_unit_test(test_pairs_any),
      cmocka_unit_test(test_three_and_four), cmocka_unit_test(test_random_losses),
      cmocka_unit_test(test_give_up),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
