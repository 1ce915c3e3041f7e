/* The air-interface threats against every profile, as the mechanisms imply:
 *   T6  eavesdropping: AutoPASS puts obuid, efcstatus and TC on the air, EN 15509 and AES
 *       the PAN, plate, vehicle data and counter as well, at Level 1 exactly as at Level 0
 *       (access credentials are not encryption); what leaks is what the RSE asks for;
 *   T7  a replayed answer fails everywhere: the lane's MAC check catches it, without it the
 *       issuer's, and the issuer's status list then rejects the victim's own OBE;
 *   T8  a predictable (time) RSE nonce makes a pre-play succeed at Level 0 and under
 *       AutoPASS, charged to the victim and unnoticed; commitment or random nonces stop it at
 *       the lane; Level 1 and AES deny the keyless attacker the answers;
 *   T9  an unauthorised reader gets PAN and plate at Level 0 (and from the AutoPASS OBE) and
 *       accessDenied at Level 1 and AES;
 *   T14 bit errors lose transactions and charge nobody wrongly; a rogue beacon makes OBEs
 *       start over after their last answer, and the lane charges those passages twice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "security/attack.h"

static sec_params params(const char *threat) {
  sec_params p;
  sec_params_default(&p);
  snprintf(p.threat, sizeof(p.threat), "%s", threat);
  p.passages = 3;
  return p;
}

static void run(const sec_params *p, int profile, const issuer_options *iopt, sec_outcome *o) {
  char err[300];
  if (sec_run(p, profile, iopt, o, err, sizeof(err)) != 0) fail_msg("%s", err);
}

/* A threat in a world whose RSE the test configures first. */
static void run_configured(const sec_params *p, int profile, const issuer_options *iopt,
                           void (*configure)(rse_config *), sec_outcome *o) {
  static sec_world w;
  char err[300];
  const sec_threat *t = sec_threat_find(p->threat);
  assert_non_null(t);
  memset(o, 0, sizeof(*o));
  if (sec_world_init(&w, profile, p->seed, iopt, err, sizeof(err)) != 0) fail_msg("%s", err);
  configure(&w.rcfg);
  sec_world_rse_reset(&w);
  if (t->run(&w, p, o) != 0) {
    sec_world_free(&w);
    fail_msg("%s against %s: %s", p->threat, efc_profile_name(profile), o->evidence);
  }
  sec_world_free(&w);
}

static void expect(const sec_outcome *o, int profile, int detected) {
  if (o->detected != detected)
    fail_msg("%s: %s, expected %s: %s", efc_profile_name(profile), sec_detect_name(o->detected),
             sec_detect_name(detected), o->evidence);
}

static void expect_text(const char *text, const char *want, int profile) {
  if (!strstr(text, want)) fail_msg("%s: '%s' not in '%s'", efc_profile_name(profile), want, text);
}

static void expect_no_text(const char *text, const char *want, int profile) {
  if (strstr(text, want)) fail_msg("%s: '%s' in '%s'", efc_profile_name(profile), want, text);
}

static bool stamped(int profile) { return profile != EFC_PROFILE_AUTOPASS; }

/* ---- T6 ---- */

static void test_t6_what_a_listener_decodes(void **state) {
  sec_params p = params("T6");
  sec_outcome o[EFC_PROFILE_COUNT];
  (void)state;
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    run(&p, prof, NULL, &o[prof]);
    /* Passive: nobody can notice, nobody is charged. */
    expect(&o[prof], prof, SEC_NOT_DETECTED);
    assert_int_equal(o[prof].wrong_charges, 0);
    assert_int_equal(o[prof].lost_charges, 0);
    /* The obuid links every passage of the vehicle, in every profile. */
    expect_text(o[prof].gained, "obuid", prof);
    expect_text(o[prof].evidence, "victim's obuid in 3/3", prof);
    expect_text(o[prof].gained, "contract provider", prof);
    if (stamped(prof)) {
      expect_text(o[prof].gained, "PAN", prof);
      expect_text(o[prof].gained, "plate", prof);
      expect_text(o[prof].gained, "vehicle class", prof);
      expect_text(o[prof].gained, "counter", prof);
      expect_text(o[prof].evidence, "PAN 3/3, plate 3/3", prof);
    } else {
      /* GET_SECURE.rs: obuid, efcstatus and TC in clear, no PAN or plate asked for. */
      expect_text(o[prof].gained, "efcstatus, TC", prof);
      expect_text(o[prof].evidence, "3 GET_SECURE.rs", prof);
      expect_no_text(o[prof].gained, "PAN", prof);
      expect_no_text(o[prof].gained, "plate", prof);
      expect_text(o[prof].evidence, "PAN 0/3, plate 0/3", prof);
    }
  }
  /* Level 1 credentials and the AES MACs hide nothing from a listener. */
  assert_string_equal(o[EFC_PROFILE_EN15509_L1].gained, o[EFC_PROFILE_EN15509_L0].gained);
  assert_string_equal(o[EFC_PROFILE_AES].gained, o[EFC_PROFILE_EN15509_L0].gained);
}

static void no_vehicle_get(rse_config *c) { c->en15509_get = false; }

static void stamped_without_pan(rse_config *c) {
  c->en15509_get = false;
  c->stamped_ids.count = 2; /* {24, 26}: obuid and counter */
}

/* What leaks is what the RSE asks for: without the GET of vehicle data the plate and class
 * stay off the air; without attribute 32 in GET_STAMPED, the PAN does too. */
static void test_t6_what_leaks_is_what_the_rse_asks(void **state) {
  sec_params p = params("T6");
  (void)state;
  for (int prof = EFC_PROFILE_EN15509_L0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_outcome o;
    run_configured(&p, prof, NULL, no_vehicle_get, &o);
    expect_text(o.gained, "PAN", prof);
    expect_no_text(o.gained, "plate", prof);
    expect_no_text(o.gained, "vehicle class", prof);
    run_configured(&p, prof, NULL, stamped_without_pan, &o);
    expect_no_text(o.gained, "PAN", prof);
    expect_text(o.gained, "obuid", prof);
    expect_text(o.gained, "counter", prof);
  }
}

/* ---- T7 ---- */

static void test_t7_replay_fails_everywhere(void **state) {
  sec_params p = params("T7");
  (void)state;
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_outcome o;
    run(&p, prof, NULL, &o);
    /* The RSE's fresh nonce: the replayed MAC2 / MAC_TC fails at the lane. */
    expect(&o, prof, SEC_AT_LANE);
    assert_string_equal(o.gained, "-");
    assert_int_equal(o.wrong_charges, 0);
    assert_int_equal(o.lost_charges, 0);
    expect_text(o.evidence, "lane caught 1, list 2 (mac,status-list)", prof);
    expect_text(o.evidence, "issuer: bad-mac 3/3", prof);
    /* The status list names the obuid a failed MAC1 / MAC_TSP carried: the victim's own OBE
     * is rejected after someone replays its answer. */
    expect_text(o.evidence, "victim next: reject (status-list)", prof);
  }
}

static void no_lane_check(rse_config *c) { c->verify_at_lane = false; }

/* Without the lane's MAC check the replays pass the gantry and the issuer's MAC1 / MAC_TSP
 * check voids them: passages nobody pays for. */
static void test_t7_without_the_lane_check(void **state) {
  sec_params p = params("T7");
  (void)state;
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_outcome o;
    run_configured(&p, prof, NULL, no_lane_check, &o);
    expect(&o, prof, SEC_BY_ISSUER);
    assert_int_equal(o.wrong_charges, 0);
    expect_text(o.evidence, "bad-mac", prof);
    /* The first replay passes; the list stops the others. */
    expect_text(o.evidence, "lane caught 0, list 2", prof);
    assert_int_equal(o.lost_charges, 1);
  }
}

/* ---- T8 ---- */

static void test_t8_predictable_nonce(void **state) {
  sec_params p = params("T8");
  (void)state;
  p.nonce_mode = EFC_NONCE_TIME;
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_outcome o;
    run(&p, prof, NULL, &o);
    if (prof == EFC_PROFILE_AUTOPASS || prof == EFC_PROFILE_EN15509_L0) {
      /* No access control: the OBE answers the predicted nonces; the lane and the issuer
       * find sound MACs, and the victim's counters stay in sequence. */
      expect(&o, prof, SEC_NOT_DETECTED);
      assert_string_equal(o.gained, "passages charged to the victim");
      assert_int_equal(o.wrong_charges, p.passages);
      expect_text(o.evidence, "0 denied", prof);
      expect_text(o.evidence, prof == EFC_PROFILE_AUTOPASS ? "predicted 3/3" : "predicted 6/6", prof);
      expect_text(o.evidence, "lane pass 3/3", prof);
      expect_text(o.evidence, "issuer: unbound", prof);
    } else {
      /* Without the operator's MAcK the attacker's reader is denied everything. */
      expect(&o, prof, SEC_FAILED);
      assert_int_equal(o.wrong_charges, 0);
      expect_text(o.evidence, "15 accessDenied", prof);
      expect_text(o.evidence, "nothing to present", prof);
    }
  }
}

static void test_t8_unpredictable_nonce(void **state) {
  const int modes[] = {EFC_NONCE_COMMIT, EFC_NONCE_RANDOM};
  (void)state;
  for (unsigned m = 0; m < 2; m++) {
    sec_params p = params("T8");
    p.nonce_mode = modes[m];
    for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
      sec_outcome o;
      run(&p, prof, NULL, &o);
      assert_int_equal(o.wrong_charges, 0);
      if (prof == EFC_PROFILE_AUTOPASS || prof == EFC_PROFILE_EN15509_L0) {
        /* The stored answers were MACed over other nonces. */
        expect(&o, prof, SEC_AT_LANE);
        assert_string_equal(o.gained, "-");
        expect_text(o.evidence, "predicted 0/", prof);
        expect_text(o.evidence, "lane pass 0/3", prof);
      } else {
        expect(&o, prof, SEC_FAILED);
      }
    }
  }
}

/* ---- T9 ---- */

static void test_t9_unauthorised_reader(void **state) {
  sec_params p = params("T9");
  (void)state;
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_outcome o;
    run(&p, prof, NULL, &o);
    assert_int_equal(o.wrong_charges, 0);
    if (prof == EFC_PROFILE_AUTOPASS) {
      /* No access control, but an AutoPASS contract holds no PAN or plate: anyone's
       * reader gets the obuid, efcstatus and TC, and each GET_SECURE advances the TC. */
      expect(&o, prof, SEC_NOT_DETECTED);
      expect_text(o.gained, "obuid", prof);
      expect_text(o.gained, "efcstatus, TC", prof);
      expect_no_text(o.gained, "PAN", prof);
      expect_no_text(o.gained, "plate", prof);
      expect_text(o.evidence, "0 accessDenied", prof);
      expect_text(o.evidence, "victim's TC +3", prof);
    } else if (prof == EFC_PROFILE_EN15509_L0) {
      /* No access control: whatever the OBE holds, anyone's reader gets, unnoticed. */
      expect(&o, prof, SEC_NOT_DETECTED);
      expect_text(o.gained, "PAN", prof);
      expect_text(o.gained, "plate", prof);
      expect_text(o.gained, "obuid", prof);
      expect_text(o.evidence, "0 accessDenied", prof);
      expect_text(o.evidence, "plate EL", prof);
      /* No receipts are held, so the receipt GET comes back empty. */
      expect_no_text(o.gained, "receipts", prof);
      expect_text(o.evidence, "victim's TC +0", prof);
    } else {
      expect(&o, prof, SEC_FAILED);
      assert_string_equal(o.gained, "-");
      /* GET x3 and GET_STAMPED per session denied; GET_SECURE is not the application's. */
      expect_text(o.evidence, "0 with data, 0 empty, 12 accessDenied, 3 refused", prof);
    }
  }
}

/* ---- T14 ---- */

static void test_t14_bit_errors(void **state) {
  sec_params p = params("T14");
  (void)state;
  p.passages = 10;
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_outcome o;
    /* A clean channel: nothing lost, so nothing gained. */
    p.ber = 0;
    run(&p, prof, NULL, &o);
    expect(&o, prof, SEC_FAILED);
    assert_int_equal(o.lost_charges, 0);
    assert_int_equal(o.wrong_charges, 0);
    /* Heavy bit errors: sessions fail and passages go unclaimed, but every claim made is
     * sound, for the vehicle that was there, once. */
    p.ber = 2e-3;
    run(&p, prof, NULL, &o);
    expect(&o, prof, SEC_AT_LANE);
    assert_true(o.lost_charges > 0);
    assert_int_equal(o.wrong_charges, 0);
    expect_text(o.evidence, "0 charged twice", prof);
    expect_no_text(o.evidence, "unsound", prof);
  }
}

/* A rogue beacon that lands between an OBE's last answer and the RSE's RELEASE makes the OBE
 * re-initialise (a changed beacon) without having seen the RELEASE; the RSE runs a second
 * complete transaction and claims the passage again. The claims are sound MAC-wise, so the
 * issuer cannot refuse them. This pins that weakness: it fails once the RSE suppresses a
 * second claim of an obuid it has just claimed. */
static void test_t14_rogue_beacon(void **state) {
  sec_params p = params("T14");
  (void)state;
  p.passages = 20;
  p.ber = 0;
  p.rogue_beacon = true;
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_outcome o;
    run(&p, prof, NULL, &o);
    expect(&o, prof, SEC_AT_LANE);
    expect_text(o.evidence, "rogue beacon: 0/20 lost", prof);
    expect_no_text(o.evidence, "unsound", prof);
    expect_no_text(o.evidence, "another OBE", prof);
    assert_int_equal(o.lost_charges, 0);
    assert_true(o.wrong_charges > 0);
    expect_text(o.gained, "charged twice", prof);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_t6_what_a_listener_decodes),
      cmocka_unit_test(test_t6_what_leaks_is_what_the_rse_asks),
      cmocka_unit_test(test_t7_replay_fails_everywhere),
      cmocka_unit_test(test_t7_without_the_lane_check),
      cmocka_unit_test(test_t8_predictable_nonce),
      cmocka_unit_test(test_t8_unpredictable_nonce),
      cmocka_unit_test(test_t9_unauthorised_reader),
      cmocka_unit_test(test_t14_bit_errors),
      cmocka_unit_test(test_t14_rogue_beacon),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
