/* Bad input never crashes: each malformed encoding gets its own error code and position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "dsrc/jer.h"
#include "dsrc/rng.h"
#include "sample_msgs.h"
#include "vectors.h"

static tvec vecs[64];
static size_t nvecs;

/* Decodes hex, expecting error err found at bit position bit (bit < 0: any position). */
static void expect(const char *hex, int err, long bit) {
  uint8_t b[256];
  dsrc_tapdu t;
  size_t pos = 0;
  dsrc_ssize n = dsrc_hex_decode(b, sizeof(b), hex, NULL), rv;
  assert_true(n > 0);
  rv = dsrc_tapdu_decode(&t, b, (size_t)n, &pos);
  if (rv != err) fail_msg("%s: got %s, want %s", hex, rv < 0 ? dsrc_strerror((int)rv) : "success",
                          dsrc_strerror(err));
  if (bit >= 0 && pos != (size_t)bit) fail_msg("%s: error at bit %zu, want %ld", hex, pos, bit);
}

static void test_truncated_every_length(void **state) {
  (void)state;
  for (size_t i = 0; i < nvecs; i++) {
    const tvec *v = &vecs[i];
    for (size_t k = 0; k < v->len; k++) {
      dsrc_tapdu t;
      dsrc_beacon_id id;
      dsrc_bst bst;
      dsrc_context_mark cm;
      dsrc_ssize rv;
      if (strcmp(v->name, "beaconid") == 0)
        rv = dsrc_beacon_id_decode(&id, v->bytes, k, NULL);
      else if (strcmp(v->name, "bst-aid3") == 0)
        rv = dsrc_bst_decode(&bst, v->bytes, k, NULL);
      else if (strcmp(v->name, "efc-cm") == 0)
        rv = dsrc_context_mark_decode(&cm, v->bytes, k, NULL);
      else
        rv = dsrc_tapdu_decode(&t, v->bytes, k, NULL);
      if (rv != DSRC_ERR_TRUNCATED) fail_msg("%s cut to %zu octets: %s", v->name, k,
                                             rv < 0 ? dsrc_strerror((int)rv) : "decoded");
    }
  }
}

static void test_wrong_lengths(void **state) {
  (void)state;
  /* octetstring container claiming 16 octets, 4 present */
  expect("05000F02104543484F", DSRC_ERR_TRUNCATED, 40);
  /* nonce length in the two-octet form for a value below 128 */
  expect("0D030004ACCE55C81101208004FFFFFFFFFF", DSRC_ERR_NONCANONICAL, 88);
  /* fragmented length form: cannot occur in a frame */
  expect("0D030004ACCE55C8110120C1FFFFFFFFFF", DSRC_ERR_UNSUPPORTED, 88);
  /* accessCredentials 4 octets announced, 3 given */
  expect("6A0304ACCE55", DSRC_ERR_TRUNCATED, 24);
  /* GET.rs attributelist of 33 items: more than one T-APDU's pool */
  expect("740121", DSRC_ERR_LIMIT, 16);
  /* attrIdList of 65 ids */
  expect("620141", DSRC_ERR_LIMIT, 16);
  /* VST with 9 applications */
  expect("900009", DSRC_ERR_LIMIT, 16);
  /* integer container of 9 octets, of 0 octets, and non-minimal */
  expect("1400000901020304050607080900", DSRC_ERR_LIMIT, 24);
  expect("14000000", DSRC_ERR_RANGE, 24);
  expect("140000020001", DSRC_ERR_NONCANONICAL, 24);
  expect("14000002FF80", DSRC_ERR_NONCANONICAL, 24);
}

static void test_unknown_choices(void **state) {
  (void)state;
  for (unsigned k = 10; k < 16; k++) {
    char hex[8];
    snprintf(hex, sizeof(hex), "%X000", k);
    expect(hex, DSRC_ERR_CHOICE, 0);
  }
  /* container alternative 100 (beyond the 87 root alternatives) */
  expect("05000A6400", DSRC_ERR_CHOICE, 24);
  /* alphabetIndicator index 40 of 33 */
  expect("740301102FB2A8085745522D30303031", DSRC_ERR_CHOICE, 50);
  /* ApplicationContextMark given as an integer container */
  expect("900001C1040001050000", DSRC_ERR_CONSTRAINT, 40);
  /* universalString and t-apdu containers are valid but not carried */
  expect("05000A030100000041", DSRC_ERR_UNSUPPORTED, 24);
  expect("05000A052000", DSRC_ERR_UNSUPPORTED, 24);
}

static void test_extension_bits(void **state) {
  (void)state;
  /* eid with its extension bit */
  expect("6281080102", DSRC_ERR_EXTENSION, 8);
  /* attrIdList size with its extension bit */
  expect("620188", DSRC_ERR_EXTENSION, 16);
  /* container CHOICE extension */
  expect("05000AC500", DSRC_ERR_EXTENSION, 24);
  /* actionType extension */
  expect("0500810000", DSRC_ERR_EXTENSION, 16);
  /* accessCredentials size extension */
  expect("6A0384", DSRC_ERR_EXTENSION, 16);
  /* BST profile extension */
  expect("807FF8000100674F0C38800301141D0100", DSRC_ERR_EXTENSION, 80);
  /* application aid extension (aid 0..31,...) */
  expect("807FF8000100674F0C380001200100", DSRC_ERR_EXTENSION, 98);
}

static void test_values_out_of_range(void **state) {
  (void)state;
  /* PaymentMeans expiry month 13 */
  expect("1403120120400F0F0F0F0F0F0F0F0F0F59BF000004FFFFFFFF", DSRC_ERR_RANGE, 135);
  /* nonzero padding after a vehclass value */
  expect("14003111", DSRC_ERR_NONCANONICAL, 29);
  /* octets after the value are not read; the CLI reports them */
  expect("200000FF", 0 + 3, -1);
}

static void test_encoder_errors(void **state) {
  (void)state;
  dsrc_tapdu t;
  uint8_t out[256];
  dsrc_ssize need;

  dsrc_tapdu_init(&t, DSRC_GET_RQ);
  t.u.get_rq.eid = 128;
  assert_int_equal(dsrc_tapdu_encode(out, sizeof(out), &t), DSRC_ERR_RANGE);

  dsrc_tapdu_init(&t, DSRC_ACTION_RQ);
  t.u.action_rq.has_credentials = true;
  t.u.action_rq.credentials.len = 128;
  assert_int_equal(dsrc_tapdu_encode(out, sizeof(out), &t), DSRC_ERR_RANGE);

  dsrc_tapdu_init(&t, DSRC_ACTION_RS);
  t.u.action_rs.has_parameter = true;
  sample_container(&t, &t.u.action_rs.parameter, DSRC_C_VEHLPN, 0);
  t.u.action_rs.parameter.u.lpn.alphabet = 0;
  assert_int_equal(dsrc_tapdu_encode(out, sizeof(out), &t), DSRC_ERR_RANGE);
  sample_container(&t, &t.u.action_rs.parameter, DSRC_C_PAYMEANS, 0);
  t.u.action_rs.parameter.u.payment_means.expiry.year = 1989;
  assert_int_equal(dsrc_tapdu_encode(out, sizeof(out), &t), DSRC_ERR_RANGE);
  t.u.action_rs.parameter.u.payment_means.expiry.year = 2000;
  t.u.action_rs.parameter.u.payment_means.expiry.month = 13;
  assert_int_equal(dsrc_tapdu_encode(out, sizeof(out), &t), DSRC_ERR_RANGE);
  sample_container(&t, &t.u.action_rs.parameter, DSRC_C_EQUSTAT, 0);
  t.u.action_rs.parameter.u.status.counter = 4096;
  assert_int_equal(dsrc_tapdu_encode(out, sizeof(out), &t), DSRC_ERR_RANGE);
  /* an attribute list pointing outside the pool */
  t.u.action_rs.parameter.kind = DSRC_C_ATTRLIST;
  t.u.action_rs.parameter.u.list.first = 0;
  t.u.action_rs.parameter.u.list.count = 3;
  assert_int_equal(dsrc_tapdu_encode(out, sizeof(out), &t), DSRC_ERR_LIMIT);
  t.u.action_rs.parameter.kind = 87;
  assert_int_equal(dsrc_tapdu_encode(out, sizeof(out), &t), DSRC_ERR_RANGE);

  /* Every buffer shorter than the encoding gets NOBUF. */
  for (unsigned i = 0; sample_message(&t, i); i++) {
    need = dsrc_tapdu_encode(out, sizeof(out), &t);
    assert_true(need > 0);
    for (dsrc_ssize cap = 0; cap < need; cap++)
      assert_int_equal(dsrc_tapdu_encode(out, (size_t)cap, &t), DSRC_ERR_NOBUF);
  }
}

static void jer_expect(const char *json, int err, const char *msg_part) {
  dsrc_tapdu t;
  char msg[256];
  json_t *j = json_loads(json, 0, NULL);
  int rv;
  assert_non_null(j);
  rv = dsrc_tapdu_from_jer(&t, j, msg, sizeof(msg));
  json_decref(j);
  if (rv != err) fail_msg("%s: got %d (%s), want %d", json, rv, msg, err);
  if (!strstr(msg, msg_part)) fail_msg("%s: message \"%s\" lacks \"%s\"", json, msg, msg_part);
}

static void test_jer_errors(void **state) {
  (void)state;
  jer_expect("{\"getRequest\":{\"eid\":1,\"attrIdLsit\":[16]}}", DSRC_ERR_JSON,
             "getRequest: unknown member \"attrIdLsit\"");
  jer_expect("{\"getRequest\":{\"eid\":\"1\"}}", DSRC_ERR_JSON, "getRequest.eid: expected an integer");
  jer_expect("{\"getRequest\":{\"eid\":300}}", DSRC_ERR_RANGE, "getRequest.eid: value 300 outside 0..127");
  jer_expect("{\"getRequest\":{\"eid\":1,\"attrIdList\":[16,200]}}", DSRC_ERR_RANGE,
             "getRequest.attrIdList[1]");
  jer_expect("{\"getRequst\":{\"eid\":1}}", DSRC_ERR_CHOICE, "unknown alternative \"getRequst\"");
  jer_expect("{\"getRequest\":{}}", DSRC_ERR_JSON, "getRequest.eid: missing member");
  jer_expect("{\"getRequest\":{\"eid\":1},\"setResponse\":{}}", DSRC_ERR_JSON, "exactly one member");
  jer_expect("{\"actionRequest\":{\"mode\":true,\"eid\":0,\"actionType\":15,"
             "\"actionParameter\":{\"octetstring\":\"4543484\"}}}",
             DSRC_ERR_HEX_ODD, "actionRequest.actionParameter.octetstring");
  jer_expect("{\"actionResponse\":{\"eid\":0,\"responseParameter\":{\"efccontext\":{"
             "\"contractProvider\":{\"countryCode\":\"b2c1\",\"providerIdentifier\":1},"
             "\"typeOfContract\":\"0001\",\"contextVersion\":2}}}}",
             DSRC_ERR_CONSTRAINT, "contractProvider.countryCode: bits beyond");
  jer_expect("{\"actionResponse\":{\"eid\":0,\"responseParameter\":{\"equObuId\":\"0102\"}}}",
             DSRC_ERR_CONSTRAINT, "2 octets where 4 are required");
  jer_expect("{\"actionResponse\":{\"eid\":0,\"responseParameter\":{\"vehlpn\":{\"countryCode\":"
             "\"b280\",\"alphabetIndicator\":\"klingon\",\"licencePlateNumber\":\"\"}}}}",
             DSRC_ERR_CHOICE, "alphabetIndicator: unknown identifier");
  jer_expect("{\"setResponse\":{\"eid\":1,\"fill\":7}}", DSRC_ERR_JSON, "fill: expected a hex string");
  jer_expect("[1,2]", DSRC_ERR_JSON, "(top level)");
}

static void test_hex(void **state) {
  (void)state;
  uint8_t b[4];
  size_t pos = 0;
  assert_int_equal(dsrc_hex_decode(b, sizeof(b), "abc", &pos), DSRC_ERR_HEX_ODD);
  assert_int_equal(dsrc_hex_decode(b, sizeof(b), "a0g1", &pos), DSRC_ERR_HEX);
  assert_int_equal(pos, 2);
  assert_int_equal(dsrc_hex_decode(b, sizeof(b), "0102030405", &pos), DSRC_ERR_NOBUF);
  assert_int_equal(dsrc_hex_decode(b, sizeof(b), " De aD ", &pos), 2);
  assert_int_equal(b[0], 0xde);
  assert_int_equal(b[1], 0xad);
}

/* Random and mutated inputs: never a crash; whatever decodes re-encodes to the same
 * octets (the codec is canonical both ways). */
static void test_random_inputs(void **state) {
  (void)state;
  dsrc_prng p;
  uint8_t in[64], out[256];
  dsrc_tapdu t;
  unsigned ok = 0;
  dsrc_prng_seed(&p, 12345);
  for (unsigned i = 0; i < 200000; i++) {
    size_t len = (size_t)dsrc_prng_below(&p, sizeof(in)) + 1;
    dsrc_ssize n, m;
    if (i % 2 == 0) {
      for (size_t k = 0; k < len; k++) in[k] = (uint8_t)dsrc_prng_next(&p);
    } else {
      /* flip one to three bits of a public vector */
      const tvec *v = &vecs[dsrc_prng_below(&p, nvecs)];
      len = v->len;
      memcpy(in, v->bytes, len);
      for (int f = 0; f < 1 + (int)dsrc_prng_below(&p, 3); f++) {
        size_t bit = (size_t)dsrc_prng_below(&p, len * 8);
        in[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
      }
    }
    n = dsrc_tapdu_decode(&t, in, len, NULL);
    if (n < 0) continue;
    ok++;
    m = dsrc_tapdu_encode(out, sizeof(out), &t);
    assert_int_equal(m, n);
    assert_memory_equal(out, in, (size_t)n);
  }
  assert_true(ok > 1000); /* the mutations must reach the decoders' depths */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_truncated_every_length), cmocka_unit_test(test_wrong_lengths),
      cmocka_unit_test(test_unknown_choices),        cmocka_unit_test(test_extension_bits),
      cmocka_unit_test(test_values_out_of_range),    cmocka_unit_test(test_encoder_errors),
      cmocka_unit_test(test_jer_errors),             cmocka_unit_test(test_hex),
      cmocka_unit_test(test_random_inputs),
  };
  nvecs = tvec_load("t-apdu-public.txt", vecs, 64);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
