/* Round trips for every T-APDU kind and every container alternative: PER encode -> decode
 * -> encode gives the same bytes, and so does PER -> JER -> PER; DEFAULT components in JER
 * input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "dsrc/jer.h"
#include "sample_msgs.h"

static void roundtrip(const dsrc_tapdu *t, const char *what) {
  uint8_t a[512], b[512], c[512];
  dsrc_tapdu d, e;
  char msg[256];
  json_t *j;
  char *text;
  dsrc_ssize na, nb, nc;
  size_t bit = 0;

  na = dsrc_tapdu_encode(a, sizeof(a), t);
  if (na < 0) fail_msg("%s: encode: %s", what, dsrc_strerror((int)na));
  nb = dsrc_tapdu_decode(&d, a, (size_t)na, &bit);
  if (nb != na) fail_msg("%s: decode: %s at bit %zu", what, dsrc_strerror((int)nb), bit);
  nb = dsrc_tapdu_encode(b, sizeof(b), &d);
  assert_int_equal(nb, na);
  assert_memory_equal(a, b, (size_t)na);

  /* Through JER text, as efc-dsrc decode | efc-dsrc encode would. */
  j = dsrc_tapdu_to_jer(&d, NULL);
  assert_non_null(j);
  text = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  j = json_loads(text, 0, NULL);
  assert_non_null(j);
  if (dsrc_tapdu_from_jer(&e, j, msg, sizeof(msg)) != 0) fail_msg("%s: JER: %s\n%s", what, msg, text);
  json_decref(j);
  free(text);
  nc = dsrc_tapdu_encode(c, sizeof(c), &e);
  assert_int_equal(nc, na);
  assert_memory_equal(a, c, (size_t)na);
}

static void test_every_kind(void **state) {
  (void)state;
  dsrc_tapdu t;
  unsigned seen[DSRC_TAPDU_KINDS] = {0}, i;
  for (i = 0; sample_message(&t, i); i++) {
    char what[64];
    snprintf(what, sizeof(what), "message %u (%s)", i, dsrc_tapdu_kind_name(t.kind));
    roundtrip(&t, what);
    seen[t.kind]++;
  }
  for (i = 0; i < DSRC_TAPDU_KINDS; i++) assert_true(seen[i] >= 2);
}

/* Every container alternative alone in an action response, in each variant. */
static void test_every_container(void **state) {
  (void)state;
  for (unsigned v = 0; v < 9; v++)
    for (unsigned k = 0; k < SAMPLE_KINDS; k++) {
      dsrc_tapdu t;
      char what[64];
      dsrc_tapdu_init(&t, DSRC_ACTION_RS);
      t.u.action_rs.eid = 1;
      t.u.action_rs.has_parameter = true;
      sample_container(&t, &t.u.action_rs.parameter, sample_kinds[k], v);
      snprintf(what, sizeof(what), "container %s variant %u",
               dsrc_container_kind_name(sample_kinds[k]), v);
      roundtrip(&t, what);
    }
}

/* Values computed by hand from X.691 for a few containers whose bits are not
 * octet-aligned, so a symmetric mistake in both directions would still be caught. */
static void test_known_bits(void **state) {
  (void)state;
  dsrc_tapdu t;
  uint8_t out[32];
  dsrc_ssize n;

  /* ACTION.rs eid 0 with container vehclass {unEce '010'B}: index 0001, presence iid 0
   * param 1 ret 0, fill 0 -> 0x14; eid 0x00; container 49 -> 0x31; presence 00 + 010 ->
   * 00010 then padding -> 0x10. */
  dsrc_tapdu_init(&t, DSRC_ACTION_RS);
  t.u.action_rs.has_parameter = true;
  t.u.action_rs.parameter.kind = DSRC_C_VEHCLASS;
  t.u.action_rs.parameter.u.vehicle_class.un_ece = 2;
  n = dsrc_tapdu_encode(out, sizeof(out), &t);
  assert_int_equal(n, 4);
  assert_memory_equal(out, "\x14\x00\x31\x10", 4);

  /* integer -129: length 02, two's complement FF7F. */
  t.u.action_rs.parameter.kind = DSRC_C_INTEGER;
  t.u.action_rs.parameter.u.integer = -129;
  n = dsrc_tapdu_encode(out, sizeof(out), &t);
  assert_int_equal(n, 6);
  assert_memory_equal(out, "\x14\x00\x00\x02\xff\x7f", 6);

  /* vehaxles {50, {3, {7, 2}}}: 32 | 11 111 010 = 0xFA. */
  t.u.action_rs.parameter.kind = DSRC_C_VEHAXLES;
  sample_container(&t, &t.u.action_rs.parameter, DSRC_C_VEHAXLES, 0);
  n = dsrc_tapdu_encode(out, sizeof(out), &t);
  assert_int_equal(n, 5);
  assert_memory_equal(out, "\x14\x00\x33\x32\xfa", 5);

  /* dsrcApplicationEntityId 31: ext 0 + 11111 = 011111 then 00 padding = 0x7C. */
  t.u.action_rs.parameter.kind = DSRC_C_AEID;
  t.u.action_rs.parameter.u.aeid = 31;
  n = dsrc_tapdu_encode(out, sizeof(out), &t);
  assert_int_equal(n, 4);
  assert_memory_equal(out, "\x14\x00\x06\x7c", 4);
}

/* The JER text of a message matches X.697 as docs/protocol.md, section 6, describes it. */
static void test_jer_text(void **state) {
  (void)state;
  dsrc_tapdu t;
  json_t *j;
  char *s;
  dsrc_tapdu_init(&t, DSRC_GET_RS);
  t.u.get_rs.eid = 1;
  t.u.get_rs.has_attrs = true;
  {
    dsrc_attribute *a = dsrc_tapdu_attrs_alloc(&t, &t.u.get_rs.attrs, 2);
    a[0].id = 16;
    sample_container(&t, &a[0].value, DSRC_C_VEHLPN, 0);
    a[0].value.u.lpn.country = 0x2ca;
    a[1].id = 17;
    sample_container(&t, &a[1].value, DSRC_C_VEHCLASS, 0);
  }
  j = dsrc_tapdu_to_jer(&t, NULL);
  s = json_dumps(j, JSON_COMPACT);
  assert_string_equal(
      s, "{\"getResponse\":{\"fill\":\"00\",\"eid\":1,\"attributelist\":[{\"attributeId\":16,"
         "\"attributeValue\":{\"vehlpn\":{\"countryCode\":\"b280\",\"alphabetIndicator\":"
         "\"latinAlphabetNo1\",\"licencePlateNumber\":\"454c3132333435202020\"}}},"
         "{\"attributeId\":17,\"attributeValue\":{\"vehclass\":{\"unEceVehicleClass\":\"40\"}}}]}}");
  free(s);
  json_decref(j);

  dsrc_tapdu_init(&t, DSRC_EVENT_RS);
  j = dsrc_tapdu_to_jer(&t, NULL);
  s = json_dumps(j, JSON_COMPACT);
  assert_string_equal(s, "{\"eventReportResponse\":null}");
  free(s);
  json_decref(j);
}

/* A DEFAULT component written at its default value: PER keeps what it received (a frame
 * re-encodes bit for bit), JER input gives the canonical value without it (X.691's
 * CANONICAL-PER), so one JER value always encodes one way. */
static void test_jer_defaults(void **state) {
  /* vehclass with both presence bits set, trailer '0', unEce '010', local '0000':
   * 11 0 010 0000 -> C8 00; without the defaults 00 010 -> 10 (test_known_bits). */
  static const uint8_t explicit_[] = {0x14, 0x00, 0x31, 0xc8, 0x00}, canonical[] = {0x14, 0x00, 0x31, 0x10};
  static const char *const forms[] = {
      "{\"actionResponse\":{\"eid\":0,\"responseParameter\":{\"vehclass\":{\"unEceVehicleClass\":\"40\"}}}}",
      "{\"actionResponse\":{\"eid\":0,\"responseParameter\":{\"vehclass\":{\"trailerPresenceIndicator\":\"00\","
      "\"unEceVehicleClass\":\"40\",\"localVehicleClassId\":\"00\"}}}}",
      "{\"actionResponse\":{\"eid\":0,\"responseParameter\":{\"vehclass\":{\"trailerPresenceIndicator\":\"00\","
      "\"unEceVehicleClass\":\"40\"}}}}"};
  dsrc_tapdu t;
  uint8_t out[32];
  char msg[128];
  json_t *j;
  (void)state;
  assert_int_equal(dsrc_tapdu_decode(&t, explicit_, sizeof(explicit_), NULL), sizeof(explicit_));
  assert_true(t.u.action_rs.parameter.u.vehicle_class.has_trailer);
  assert_true(t.u.action_rs.parameter.u.vehicle_class.has_local);
  assert_int_equal(dsrc_tapdu_encode(out, sizeof(out), &t), sizeof(explicit_));
  assert_memory_equal(out, explicit_, sizeof(explicit_));
  /* Canonicalising the decoded value gives the short form. */
  assert_true(dsrc_tapdu_canonical(&t));
  assert_false(dsrc_tapdu_canonical(&t));
  assert_int_equal(dsrc_tapdu_encode(out, sizeof(out), &t), sizeof(canonical));
  assert_memory_equal(out, canonical, sizeof(canonical));
  for (unsigned i = 0; i < 3; i++) {
    j = json_loads(forms[i], 0, NULL);
    assert_non_null(j);
    if (dsrc_tapdu_from_jer(&t, j, msg, sizeof(msg)) != 0) fail_msg("form %u: %s", i, msg);
    json_decref(j);
    assert_int_equal(dsrc_tapdu_encode(out, sizeof(out), &t), sizeof(canonical));
    assert_memory_equal(out, canonical, sizeof(canonical));
  }
  /* A value other than the default stays: trailer '1' -> 10 1 010 -> A8. */
  j = json_loads("{\"actionResponse\":{\"eid\":0,\"responseParameter\":{\"vehclass\":{\"trailerPresenceIndicator\":"
                 "\"80\",\"unEceVehicleClass\":\"40\",\"localVehicleClassId\":\"00\"}}}}",
                 0, NULL);
  assert_int_equal(dsrc_tapdu_from_jer(&t, j, msg, sizeof(msg)), 0);
  json_decref(j);
  assert_int_equal(dsrc_tapdu_encode(out, sizeof(out), &t), 4);
  assert_memory_equal(out, "\x14\x00\x31\xa8", 4);
}

/* The attribute-list encoding used as MAC input is the same octets GET_STAMPED.rs carries. */
static void test_attr_list_encode(void **state) {
  (void)state;
  dsrc_tapdu t;
  uint8_t out[64];
  static const uint8_t want[] = {0x01, 0x20, 0x40, 0x28, 0x00, 0x00, 0x00, 0x12, 0x34,
                                 0x56, 0x78, 0x90, 0x7f, 0x50, 0xde, 0x00, 0x00};
  dsrc_attr_list l;
  dsrc_attribute *a;
  dsrc_tapdu_init(&t, DSRC_ACTION_RS);
  a = dsrc_tapdu_attrs_alloc(&t, &l, 1);
  a->id = 32;
  sample_container(&t, &a->value, DSRC_C_PAYMEANS, 0);
  a->value.u.payment_means.expiry.year = 2030;
  a->value.u.payment_means.expiry.month = 6;
  a->value.u.payment_means.expiry.day = 30;
  /* crypto.txt: AttributeList UPER -> 0120402800000012345678907F50DE0000 */
  assert_int_equal(dsrc_attr_list_encode(out, sizeof(out), &t, l), sizeof(want));
  assert_memory_equal(out, want, sizeof(want));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_kind),     cmocka_unit_test(test_every_container),
      cmocka_unit_test(test_known_bits),     cmocka_unit_test(test_jer_text),
      cmocka_unit_test(test_attr_list_encode), cmocka_unit_test(test_jer_defaults),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
