/* T12 key search: which key a capture exposes per profile, and whether a published machine
 * recovers it within a year. The trial rates are measured (briefly here); the verdicts rest
 * on the key sizes, the 4-octet MACs and the captures each key answers, so they must hold
 * whatever this machine's speed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "security/attack.h"

static sec_outcome run(int profile) {
  sec_params p;
  sec_outcome o;
  char err[256];
  sec_params_default(&p);
  snprintf(p.threat, sizeof(p.threat), "T12");
  p.keysearch_seconds = 0.2;
  if (sec_run(&p, profile, NULL, &o, err, sizeof(err)) != 0) fail_msg("%s", err);
  return o;
}

static void test_t12_per_profile(void **state) {
  sec_outcome o;
  (void)state;
  /* AutoPASS: a 2-key 3DES SSKEY answers one MAC; 4 would be needed to pin it. */
  o = run(EFC_PROFILE_AUTOPASS);
  assert_int_equal(o.detected, SEC_FAILED);
  assert_non_null(strstr(o.evidence, "3DES-2key SSKEY"));
  assert_non_null(strstr(o.evidence, "4 captures pin it, but each key gives 1"));
  /* Level 0: a single-DES AuK, pinned by two captures, in days on published hardware; the
   * reduced real search ends with the real key alone. */
  o = run(EFC_PROFILE_EN15509_L0);
  assert_int_equal(o.detected, SEC_NOT_DETECTED);
  assert_non_null(strstr(o.gained, "AuK"));
  assert_null(strstr(o.gained, "AccessKey"));
  assert_non_null(strstr(o.evidence, "2 captures pin it"));
  assert_non_null(strstr(o.evidence, "1 after a 2nd capture: the real key"));
  /* Level 1 adds the fleet's AccessKey, one DES block per trial. */
  o = run(EFC_PROFILE_EN15509_L1);
  assert_int_equal(o.detected, SEC_NOT_DETECTED);
  assert_non_null(strstr(o.gained, "AccessKey"));
  /* AES-128: out of reach of any machine in the table. */
  o = run(EFC_PROFILE_AES);
  assert_int_equal(o.detected, SEC_FAILED);
  assert_string_equal(o.gained, "-");
  assert_non_null(strstr(o.evidence, "AES-128"));
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_t12_per_profile)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
