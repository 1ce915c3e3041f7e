/* The OBE-side threats against every profile, as the mechanisms imply:
 *   T4  tampering: a counter set back passes the lane and is caught by the issuer's sequence
 *       analysis everywhere; a lowered vehicle class cuts the EN 15509 / AES fee unnoticed
 *       (the class comes from an unMACed GET) and changes nothing under AutoPASS (no GET);
 *   T5  denial: with commitment nonces the issuer refutes "I was not there" in every profile;
 *       with random nonces only AutoPASS still proves the time (T inside SSKEY-N); without
 *       the MAC check nobody does;
 *   T13 rotation after a leak: the next AutoPASS generation shuts the clone out at the lane;
 *       the EN 15509 / AES analogues (another MAC_TC keyRef, another MasterKeyReference) do
 *       not, and only the issuer's MAC_TSP check still catches it;
 *   T3  with the issuer's MAC check switched off, the operator-key clone goes undetected in
 *       every profile (issue 7, acceptance 3). */
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
  p.counter_back = 2;
  return p;
}

static void run(const sec_params *p, int profile, const issuer_options *iopt, sec_outcome *o) {
  char err[300];
  if (sec_run(p, profile, iopt, o, err, sizeof(err)) != 0) fail_msg("%s", err);
}

static issuer_options no_mac_check(void) {
  issuer_options o;
  issuer_options_default(&o);
  o.check_mac = false;
  return o;
}

static void expect(const sec_outcome *o, int profile, int detected) {
  if (o->detected != detected)
    fail_msg("%s: %s, expected %s: %s", efc_profile_name(profile), sec_detect_name(o->detected),
             sec_detect_name(detected), o->evidence);
}

static void expect_text(const char *text, const char *want, int profile) {
  if (!strstr(text, want)) fail_msg("%s: '%s' not in '%s'", efc_profile_name(profile), want, text);
}

static void test_t4_tampering(void **state) {
  sec_params p = params("T4");
  (void)state;
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_outcome o;
    run(&p, prof, NULL, &o);
    /* (a) in every profile: the OBE MACs the old counter with its own keys, the lane passes
     * it, the issuer's sequence analysis does not. */
    expect_text(o.evidence, "lane 0/3", prof);
    expect_text(o.evidence, "backwards", prof);
    expect_text(o.evidence, "duplicate", prof);
    if (prof == EFC_PROFILE_AUTOPASS) {
      /* No class read, so no cheaper fee; the counter rewrite is the worst case. */
      expect(&o, prof, SEC_BY_ISSUER);
      assert_int_equal(o.wrong_charges, 0);
      assert_string_equal(o.gained, "-");
      expect_text(o.evidence, "no GET", prof);
    } else {
      expect(&o, prof, SEC_NOT_DETECTED);
      assert_int_equal(o.wrong_charges, p.passages);
      expect_text(o.gained, "lower fee", prof);
      expect_text(o.evidence, "issuer none", prof);
    }
  }
}

/* The EN 15509 loss comes from the GET of the vehicle class: an RSE that classifies the
 * vehicle itself (no GET, as AutoPASS) leaves only the counter rewrite, caught by the issuer. */
static void test_t4_class_needs_the_get(void **state) {
  sec_params p = params("T4");
  (void)state;
  for (int prof = EFC_PROFILE_EN15509_L0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_world w;
    sec_outcome o;
    char err[200];
    memset(&o, 0, sizeof(o));
    assert_int_equal(sec_world_init(&w, prof, p.seed, NULL, err, sizeof(err)), 0);
    w.rcfg.en15509_get = false;
    sec_world_rse_reset(&w);
    assert_int_equal(sec_t04_tampering(&w, &p, &o), 0);
    sec_world_free(&w);
    expect(&o, prof, SEC_BY_ISSUER);
    assert_int_equal(o.wrong_charges, 0);
  }
}

static void test_t5_denial_commit(void **state) {
  sec_params p = params("T5");
  (void)state;
  p.nonce_mode = EFC_NONCE_COMMIT;
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_outcome o;
    run(&p, prof, NULL, &o);
    expect(&o, prof, SEC_BY_ISSUER);
    assert_int_equal(o.lost_charges, 0);
    expect_text(o.evidence, "commit: sound, time_proven 1, +1h bad-mac, station+1 bad-mac", prof);
  }
}

static void test_t5_denial_random(void **state) {
  sec_params p = params("T5");
  (void)state;
  p.nonce_mode = EFC_NONCE_RANDOM;
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_outcome o;
    run(&p, prof, NULL, &o);
    /* Unbound in every profile: the station is proven by none. */
    expect_text(o.evidence, "random: unbound", prof);
    expect_text(o.evidence, "station+1 unflagged", prof);
    if (prof == EFC_PROFILE_AUTOPASS) {
      expect(&o, prof, SEC_BY_ISSUER);
      assert_int_equal(o.lost_charges, 0);
    } else {
      expect(&o, prof, SEC_NOT_DETECTED);
      assert_int_equal(o.lost_charges, 1);
    }
  }
}

static void test_t5_denial_without_mac_check(void **state) {
  sec_params p = params("T5");
  issuer_options io = no_mac_check();
  (void)state;
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_outcome o;
    run(&p, prof, &io, &o);
    expect(&o, prof, SEC_NOT_DETECTED);
    assert_int_equal(o.lost_charges, 1);
  }
}

static void test_t13_rotation(void **state) {
  sec_params p = params("T13");
  char genuine[32];
  (void)state;
  snprintf(genuine, sizeof(genuine), "genuine ok %u/%u", p.passages, p.passages);
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_outcome o;
    run(&p, prof, NULL, &o);
    /* The leak works before the rotation; genuine OBEs and old claims survive it. */
    expect_text(o.evidence, "clone before: pass", prof);
    expect_text(o.evidence, genuine, prof);
    expect_text(o.evidence, "old claims 1/1 ok", prof);
    if (prof == EFC_PROFILE_AUTOPASS) {
      expect(&o, prof, SEC_AT_LANE);
      expect_text(o.evidence, "clone lane mac 3/3", prof);
    } else {
      expect(&o, prof, SEC_BY_ISSUER);
      expect_text(o.evidence, "clone lane mac 0/3", prof);
    }
    /* A reference fixed at personalisation: dropping the old MAcK shuts out genuine OBEs. */
    if (efc_profile_level(prof)) expect_text(o.evidence, "genuine denied", prof);
  }
}

/* The AutoPASS rotation works at the lane on its own; the EN 15509 / AES clone was only ever
 * caught by MAC_TSP. */
static void test_t13_rotation_without_mac_check(void **state) {
  sec_params p = params("T13");
  issuer_options io = no_mac_check();
  (void)state;
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_outcome o;
    run(&p, prof, &io, &o);
    expect(&o, prof, prof == EFC_PROFILE_AUTOPASS ? SEC_AT_LANE : SEC_NOT_DETECTED);
  }
}

/* Issue 7, acceptance 3 (the clone row): the operator-key clone is caught by the issuer's
 * MAC1 / MAC_TSP check, and by nothing once that check is off. */
static void test_t3_without_mac_check(void **state) {
  sec_params p = params("T3");
  issuer_options io = no_mac_check();
  (void)state;
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_outcome on, off;
    run(&p, prof, NULL, &on);
    run(&p, prof, &io, &off);
    expect(&on, prof, SEC_BY_ISSUER);
    expect(&off, prof, SEC_NOT_DETECTED);
    assert_int_equal(off.lost_charges, 0);
    expect_text(off.evidence, "lane: 0/3 caught", prof);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_t4_tampering),
      cmocka_unit_test(test_t4_class_needs_the_get),
      cmocka_unit_test(test_t5_denial_commit),
      cmocka_unit_test(test_t5_denial_random),
      cmocka_unit_test(test_t5_denial_without_mac_check),
      cmocka_unit_test(test_t13_rotation),
      cmocka_unit_test(test_t13_rotation_without_mac_check),
      cmocka_unit_test(test_t3_without_mac_check),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
