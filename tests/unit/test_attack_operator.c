/* The operator's attacks (T10, T11, T15 of docs/threat-list.md) against every profile, with the issuer's
 * checks as they are and with one switched off: what the mechanisms imply, pinned.
 *
 * T10: a counter the RSE sets back is taken silently by an EN 15509 OBE (and the AES
 *      profile's, which runs the same flow) and the issuer blames the OBE; AutoPASS's TC
 *      cannot be written at all.
 * T11: with MAC1 / MAC_TSP checked every edit of data the OBE vouched for is flagged, and a
 *      class changed with its fee is not; without the MAC check the row turns to not
 *      detected (issue 7, acceptance 3) while naive edits are still caught by the commitment
 *      check, which binds nothing once the operator recomputes the nonce.
 * T15: fakes built from MACs the insider cannot compute or from genuine answers moved in
 *      time are flagged; an OBE read away from the gantry is not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "efc/msg.h"
#include "rse/verify.h"
#include "security/attack.h"

static const int en15509_family[] = {EFC_PROFILE_EN15509_L0, EFC_PROFILE_EN15509_L1, EFC_PROFILE_AES};

static sec_params params(const char *threat) {
  sec_params p;
  sec_params_default(&p);
  snprintf(p.threat, sizeof(p.threat), "%s", threat);
  return p;
}

static sec_outcome run(const sec_params *p, int profile, const issuer_options *iopt) {
  sec_outcome o;
  char err[300];
  if (sec_run(p, profile, iopt, &o, err, sizeof(err)) != 0) fail_msg("%s", err);
  return o;
}

static issuer_options checks(bool mac, bool commit) {
  issuer_options o;
  issuer_options_default(&o);
  o.check_mac = mac;
  o.check_commit = commit;
  return o;
}

#define assert_has(text, part)                                                                             \
  do {                                                                                                     \
    if (!strstr((text), (part))) fail_msg("%s:%d: \"%s\" lacks \"%s\"", __FILE__, __LINE__, (text), (part)); \
  } while (0)
#define assert_ends(text, tail)                                                                            \
  do {                                                                                                     \
    size_t n_ = strlen(text), m_ = strlen(tail);                                                           \
    if (n_ < m_ || strcmp((text) + n_ - m_, (tail)) != 0)                                                   \
      fail_msg("%s:%d: \"%s\" does not end in \"%s\"", __FILE__, __LINE__, (text), (tail));               \
  } while (0)
#define assert_lacks(text, part)                                                                           \
  do {                                                                                                     \
    if (strstr((text), (part))) fail_msg("%s:%d: \"%s\" has \"%s\"", __FILE__, __LINE__, (text), (part));    \
  } while (0)

/* ---- T10 ---- */

/* EN 15509 and AES: the SET is answered noError, the OBE's own GET gives the value written,
 * the following claims repeat counters the issuer has seen, and the issuer's findings put
 * the honest OBE on the status list. */
static void test_t10_en15509_counter_goes_back(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(en15509_family) / sizeof(en15509_family[0]); i++) {
    sec_params p = params("T10");
    sec_outcome o;
    char want[80];
    p.passages = 3;
    p.counter_back = 5;
    o = run(&p, en15509_family[i], NULL);
    assert_int_equal(o.detected, SEC_BY_ISSUER);
    assert_has(o.evidence, "SET attr 26 answered noError");
    /* Personalised at 0, three passages each SET counter + 1: the OBE holds 3. */
    snprintf(want, sizeof(want), "GET read 3 then %u", (3u + 4096u - 5u) % 4096u);
    assert_has(o.evidence, want);
    assert_has(o.evidence, "claims after 4094,4095,0");
    assert_has(o.evidence, "duplicate");
    assert_has(o.evidence, "backwards");
    assert_has(o.evidence, "next passage photograph (status-list)");
    assert_has(o.gained, "counter set back by 5");
    assert_has(o.gained, "the honest OBE listed as a clone");
    assert_int_equal(o.wrong_charges, 0);
    assert_int_equal(o.passages, 4);
  }
}

/* AutoPASS: the same SET on the AutoPASS application is refused and the TC runs on. */
static void test_t10_autopass_tc_cannot_be_set(void **state) {
  sec_params p = params("T10");
  sec_outcome o;
  (void)state;
  o = run(&p, EFC_PROFILE_AUTOPASS, NULL);
  assert_int_equal(o.detected, SEC_FAILED);
  assert_string_equal(o.gained, "-");
  assert_has(o.evidence, "answered argumentError");
  assert_has(o.evidence, "TC 3 before, claims after 4,5,6");
  assert_has(o.evidence, "issuer: 0/6 claims flagged");
  assert_int_equal(o.wrong_charges, 0);
}

/* Why it fails: the TC is not EquipmentStatus. An operator's reader that writes attr 26
 * through the same OBE's EN 15509 application does change that counter, and the AutoPASS
 * TC still counts on from where it was. */
static void test_t10_autopass_tc_is_not_attr_26(void **state) {
  sec_world w;
  sec_obe a;
  sec_reader r;
  sec_passage ps;
  char err[200];
  uint16_t tc;
  dsrc_beacon_id b;
  (void)state;
  assert_int_equal(sec_world_init(&w, EFC_PROFILE_AUTOPASS, 3, NULL, err, sizeof(err)), 0);
  assert_int_equal(sec_obe_make(&w, &a, 0x00c7e1aa, NULL), 0);
  assert_int_equal(sec_pass(&w, &a, &ps), 0);
  assert_true(ps.claim >= 0);
  tc = w.claims[ps.claim].tc;
  assert_int_equal(a.st.autopass_tc, tc);

  b = w.rcfg.beacon;
  b.individual_id = 7002;
  obe_sleep(&a.o);
  assert_int_equal(sec_reader_open(&r, &w, &a.o, &b), 0);
  for (int prof = EFC_PROFILE_AUTOPASS; prof <= EFC_PROFILE_EN15509_L0; prof++) {
    const dsrc_application *app = rse_vst_app(&r.vst.u.vst, prof);
    dsrc_tapdu q, rs;
    assert_non_null(app);
    efc_msg_set_counter(&q, app->eid, NULL, 0x0abc);
    assert_int_equal(sec_reader_ask(&r, &q, &rs), 0);
    assert_int_equal(rs.kind, DSRC_SET_RS);
    assert_true(rs.u.set_rs.has_ret);
    assert_int_equal(rs.u.set_rs.ret, prof == EFC_PROFILE_AUTOPASS ? DSRC_RET_ARGUMENT_ERROR : DSRC_RET_NO_ERROR);
  }
  sec_reader_close(&r);
  assert_int_equal(a.st.equipment_status & 0x0fff, 0x0abc);
  assert_int_equal(a.st.autopass_tc, tc);
  w.l.now += UINT64_C(300000000000);
  assert_int_equal(sec_pass(&w, &a, &ps), 0);
  assert_true(ps.claim >= 0);
  assert_int_equal(w.claims[ps.claim].tc, (uint16_t)(tc + 1));
  sec_world_free(&w);
}

/* What catches it is the issuer's counter analysis, whose rule takes a drop of more than
 * half the counter's range for a wrap: written back by 3000 of 4096, the counter looks
 * like a jump forward (a gap, which lists nothing) and nobody notices. */
static void test_t10_back_beyond_half_range_looks_like_a_gap(void **state) {
  sec_params p = params("T10");
  sec_outcome o;
  (void)state;
  p.counter_back = 3000;
  o = run(&p, EFC_PROFILE_EN15509_L1, NULL);
  assert_int_equal(o.detected, SEC_NOT_DETECTED);
  assert_has(o.evidence, "answered noError");
  assert_has(o.evidence, "gap");
  assert_lacks(o.evidence, "backwards");
  assert_lacks(o.evidence, "duplicate");
  assert_has(o.evidence, "next passage pass");
  assert_has(o.gained, "counter set back by 3000");
  assert_lacks(o.gained, "clone");
}

/* ---- T11 ---- */

static void test_t11_issuer_catches_all_but_the_class(void **state) {
  (void)state;
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_params p = params("T11");
    sec_outcome o;
    p.fee_change = 9000;
    o = run(&p, prof, NULL);
    assert_int_equal(o.detected, SEC_BY_ISSUER);
    assert_string_equal(o.gained, "fee changed unnoticed");
    assert_has(o.evidence, "flagged 7/8");
    assert_ends(o.evidence, "unflagged: class+fee");
    assert_has(o.evidence, "bad-mac 3");        /* time+nonce, station+nonce, invented */
    assert_has(o.evidence, "bad-commitment 2"); /* time, station */
    assert_has(o.evidence, "bad-fee 1");
    assert_has(o.evidence, "duplicate 1");
    /* AutoPASS's T is the claim's time inside MAC1: a moved time disagrees with it. */
    if (prof == EFC_PROFILE_AUTOPASS) assert_has(o.evidence, "mismatch 1");
    else assert_lacks(o.evidence, "mismatch");
    assert_int_equal(o.passages, 8);
    assert_int_equal(o.wrong_charges, 1);
    /* fee, time, time+nonce, station, station+nonce: real passages whose claims are void */
    assert_int_equal(o.lost_charges, 5);
  }
}

/* A fee the class's tariff matches is no edit: nothing is left for the issuer to see. */
static void test_t11_fee_change_that_is_the_tariff(void **state) {
  sec_params p = params("T11");
  sec_outcome o;
  (void)state;
  p.fee_change = efc_tariff(2); /* the lane's class for these OBEs */
  o = run(&p, EFC_PROFILE_EN15509_L0, NULL);
  assert_int_equal(o.passages, 7);
  assert_has(o.evidence, "flagged 6/7");
  assert_lacks(o.evidence, "bad-fee");
}

/* Issue 7, acceptance 3: MAC1 / MAC_TSP unchecked (the commitment check left on). */
static void test_t11_without_mac_check_not_detected(void **state) {
  issuer_options io = checks(false, true);
  (void)state;
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_params p = params("T11");
    sec_outcome o;
    p.fee_change = 9000;
    o = run(&p, prof, &io);
    assert_int_equal(o.detected, SEC_NOT_DETECTED);
    assert_ends(o.evidence, "unflagged: class+fee, time+nonce, station+nonce, invented");
    assert_has(o.gained, "fee changed unnoticed; 3 more altered or invented claims accepted");
    assert_int_equal(o.wrong_charges, 4);
    /* The naive edits are still caught by the commitment: it checks the claim's own
     * fields against each other, which a careful operator makes agree. */
    assert_has(o.evidence, "flagged 4/8");
    assert_has(o.evidence, "bad-commitment 2");
    assert_lacks(o.evidence, "bad-mac");
  }
}

/* The commitment unchecked (MACs checked): EN 15509 has nothing else that binds the time or
 * the station; AutoPASS still has T in MAC1 for the time, nothing for the station. */
static void test_t11_without_commitment_check(void **state) {
  issuer_options io = checks(true, false);
  (void)state;
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_params p = params("T11");
    sec_outcome o;
    p.fee_change = 9000;
    o = run(&p, prof, &io);
    assert_int_equal(o.detected, SEC_NOT_DETECTED);
    if (prof == EFC_PROFILE_AUTOPASS) {
      assert_ends(o.evidence, "unflagged: class+fee, station");
      assert_has(o.evidence, "mismatch 1");
      assert_int_equal(o.wrong_charges, 2);
    } else {
      assert_ends(o.evidence, "unflagged: class+fee, time, station");
      assert_int_equal(o.wrong_charges, 3);
    }
    assert_lacks(o.evidence, "bad-commitment");
  }
}

static void test_t11_without_either(void **state) {
  issuer_options io = checks(false, false);
  (void)state;
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_params p = params("T11");
    sec_outcome o;
    p.fee_change = 9000;
    o = run(&p, prof, &io);
    assert_int_equal(o.detected, SEC_NOT_DETECTED);
    if (prof == EFC_PROFILE_AUTOPASS)
      assert_ends(o.evidence, "unflagged: class+fee, time+nonce, station, station+nonce, invented");
    else
      assert_ends(o.evidence, "unflagged: class+fee, time, time+nonce, station, station+nonce, invented");
    /* The tariff and the counter analysis are all that is left. */
    assert_has(o.evidence, "bad-fee 1");
    assert_has(o.evidence, "duplicate 1");
  }
}

/* ---- T15 ---- */

static void test_t15_fakes(void **state) {
  (void)state;
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_params p = params("T15");
    sec_outcome o = run(&p, prof, NULL);
    const char *moved = prof == EFC_PROFILE_AUTOPASS ? "mismatch,bad-commitment,duplicate" : "bad-commitment,duplicate";
    char want[120];
    assert_has(o.evidence, "made-up MAC: bad-mac;");
    snprintf(want, sizeof(want), "re-dated: %s;", moved);
    assert_has(o.evidence, want);
    snprintf(want, sizeof(want), "capture replayed: %s;", moved);
    assert_has(o.evidence, want);
    /* Nothing in an OBE's answer says where it was, and the insider's reader kept the
     * counter in step: the fake and the OBE's real passage after it both pass. */
    assert_ends(o.evidence, "read elsewhere: accepted, its real passage after: accepted");
    assert_int_equal(o.detected, SEC_NOT_DETECTED);
    assert_string_equal(o.gained, "1 of 4 fake passages charged");
    assert_int_equal(o.passages, 4);
    assert_int_equal(o.wrong_charges, 1);
  }
}

/* Without the commitment check the moved answers are still caught: by the counter they
 * repeat, and for AutoPASS by T. */
static void test_t15_without_commitment_check(void **state) {
  issuer_options io = checks(true, false);
  (void)state;
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_params p = params("T15");
    sec_outcome o = run(&p, prof, &io);
    const char *moved = prof == EFC_PROFILE_AUTOPASS ? "mismatch,duplicate" : "duplicate";
    char want[120];
    snprintf(want, sizeof(want), "re-dated: %s;", moved);
    assert_has(o.evidence, want);
    snprintf(want, sizeof(want), "capture replayed: %s;", moved);
    assert_has(o.evidence, want);
    assert_int_equal(o.wrong_charges, 1);
  }
}

static void test_t15_without_mac_check(void **state) {
  issuer_options io = checks(false, true);
  (void)state;
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_params p = params("T15");
    sec_outcome o = run(&p, prof, &io);
    assert_has(o.evidence, "made-up MAC: accepted;");
    assert_int_equal(o.detected, SEC_NOT_DETECTED);
    assert_int_equal(o.wrong_charges, 2);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_t10_en15509_counter_goes_back),
      cmocka_unit_test(test_t10_autopass_tc_cannot_be_set),
      cmocka_unit_test(test_t10_autopass_tc_is_not_attr_26),
      cmocka_unit_test(test_t10_back_beyond_half_range_looks_like_a_gap),
      cmocka_unit_test(test_t11_issuer_catches_all_but_the_class),
      cmocka_unit_test(test_t11_fee_change_that_is_the_tariff),
      cmocka_unit_test(test_t11_without_mac_check_not_detected),
      cmocka_unit_test(test_t11_without_commitment_check),
      cmocka_unit_test(test_t11_without_either),
      cmocka_unit_test(test_t15_fakes),
      cmocka_unit_test(test_t15_without_commitment_check),
      cmocka_unit_test(test_t15_without_mac_check),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
