/* The public T-APDU vectors: each decodes to the values its line states and re-encodes to
 * the same bytes, in PER and through JER. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "dsrc/jer.h"
#include "dsrc/tapdu.h"
#include "vectors.h"

static tvec vecs[64];
static size_t nvecs;

static const uint8_t *bytes(const char *name, size_t *len) {
  const tvec *v = tvec_find(vecs, nvecs, name);
  *len = v->len;
  return v->bytes;
}

/* Decodes a vector as a T-APDU, checks the PER and JER round trips, returns the value. */
static void decode_tapdu(const char *name, dsrc_tapdu *t) {
  size_t len, bit = 0;
  const uint8_t *b = bytes(name, &len);
  uint8_t out[256];
  dsrc_tapdu back;
  char msg[200];
  json_t *j;
  dsrc_ssize n = dsrc_tapdu_decode(t, b, len, &bit);
  if (n < 0) fail_msg("%s: %s at bit %zu", name, dsrc_strerror((int)n), bit);
  assert_int_equal(n, len);
  n = dsrc_tapdu_encode(out, sizeof(out), t);
  assert_int_equal(n, len);
  assert_memory_equal(out, b, len);

  j = dsrc_tapdu_to_jer(t, NULL);
  assert_non_null(j);
  if (dsrc_tapdu_from_jer(&back, j, msg, sizeof(msg)) != 0) fail_msg("%s: %s", name, msg);
  json_decref(j);
  n = dsrc_tapdu_encode(out, sizeof(out), &back);
  assert_int_equal(n, len);
  assert_memory_equal(out, b, len);
}

static void test_beaconid(void **state) {
  (void)state;
  size_t len;
  const uint8_t *b = bytes("beaconid", &len);
  dsrc_beacon_id id;
  uint8_t out[8];
  assert_int_equal(dsrc_beacon_id_decode(&id, b, len, NULL), 6);
  assert_int_equal(id.manufacturer_id, 1);
  assert_int_equal(id.individual_id, 1052);
  assert_int_equal(dsrc_beacon_id_encode(out, sizeof(out), &id), 6);
  assert_memory_equal(out, b, 6);
}

static void test_bst_aid3(void **state) {
  (void)state;
  size_t len;
  const uint8_t *b = bytes("bst-aid3", &len);
  dsrc_bst bst;
  uint8_t out[32];
  assert_int_equal(dsrc_bst_decode(&bst, b, len, NULL), (dsrc_ssize)len);
  assert_int_equal(bst.rsu.manufacturer_id, 1);
  assert_int_equal(bst.rsu.individual_id, 1052);
  assert_int_equal(bst.time, 1103790512u);
  assert_int_equal(bst.profile, 0);
  assert_false(bst.has_nonmand);
  assert_int_equal(bst.mand.count, 1);
  assert_int_equal(bst.mand.items[0].aid, 3);
  assert_false(bst.mand.items[0].has_eid);
  assert_false(bst.mand.items[0].has_parameter);
  assert_int_equal(bst.profile_count, 0);
  assert_int_equal(dsrc_bst_encode(out, sizeof(out), &bst), (dsrc_ssize)len);
  assert_memory_equal(out, b, len);
}

static void test_efc_cm(void **state) {
  (void)state;
  size_t len;
  const uint8_t *b = bytes("efc-cm", &len);
  dsrc_context_mark cm;
  uint8_t out[8];
  assert_int_equal(dsrc_context_mark_decode(&cm, b, len, NULL), 6);
  assert_int_equal(cm.provider.country, 0x0c3); /* NO = 00110 00011 */
  assert_int_equal(cm.provider.issuer, 1);
  assert_int_equal(cm.type_of_contract[0], 0x00);
  assert_int_equal(cm.type_of_contract[1], 0x01);
  assert_int_equal(cm.context_version, 2);
  assert_int_equal(dsrc_context_mark_encode(out, sizeof(out), &cm), 6);
  assert_memory_equal(out, b, 6);
}

static void test_bst(void **state) {
  (void)state;
  dsrc_tapdu t;
  decode_tapdu("bst", &t);
  assert_int_equal(t.kind, DSRC_BST);
  assert_int_equal(t.u.bst.rsu.manufacturer_id, 4095);
  assert_int_equal(t.u.bst.rsu.individual_id, 256);
  assert_int_equal(t.u.bst.time, 1733233720u);
  assert_int_equal(t.u.bst.profile, 0);
  assert_int_equal(t.u.bst.mand.count, 3);
  assert_int_equal(t.u.bst.mand.items[0].aid, 1);
  assert_int_equal(t.u.bst.mand.items[1].aid, 20);
  assert_int_equal(t.u.bst.mand.items[2].aid, 29);
  assert_int_equal(t.u.bst.profile_count, 1);
  assert_int_equal(t.u.bst.profiles[0], 0);
}

static void test_vst(void **state) {
  (void)state;
  dsrc_tapdu t;
  const dsrc_application *a;
  static const uint8_t p1[] = {0x9a, 0x80, 0x01, 0x00, 0x01, 0x02};
  static const uint8_t p2[] = {0x9a, 0x80, 0x01, 0x00, 0x01, 0x01, 0x02, 0x02,
                               0x00, 0xff, 0x02, 0x04, 0xc8, 0xa1, 0x1e, 0x6e};
  decode_tapdu("vst", &t);
  assert_int_equal(t.kind, DSRC_VST);
  assert_int_equal(t.u.vst.profile, 0);
  assert_int_equal(t.u.vst.apps.count, 2);
  a = &t.u.vst.apps.items[0];
  assert_int_equal(a->aid, 1);
  assert_true(a->has_eid);
  assert_int_equal(a->eid, 4);
  assert_int_equal(a->parameter.len, sizeof(p1));
  assert_memory_equal(a->parameter.data, p1, sizeof(p1));
  a = &t.u.vst.apps.items[1];
  assert_int_equal(a->aid, 20);
  assert_int_equal(a->eid, 3);
  assert_int_equal(a->parameter.len, sizeof(p2));
  assert_memory_equal(a->parameter.data, p2, sizeof(p2));
  assert_int_equal(t.u.vst.config.equipment_class, 1);
  assert_int_equal(t.u.vst.config.manufacturer_id, 2);
  assert_true(t.u.vst.config.has_status);
  assert_int_equal(t.u.vst.config.status, 0);
}

static void check_credentials(const dsrc_octets *o, uint32_t v) {
  assert_int_equal(o->len, 4);
  assert_int_equal(((uint32_t)o->data[0] << 24 | (uint32_t)o->data[1] << 16 |
                    (uint32_t)o->data[2] << 8 | o->data[3]),
                   v);
}

static void test_get_rq_ac(void **state) {
  (void)state;
  dsrc_tapdu t;
  decode_tapdu("get-rq-ac", &t);
  assert_int_equal(t.kind, DSRC_GET_RQ);
  assert_int_equal(t.u.get_rq.eid, 3);
  assert_true(t.u.get_rq.has_credentials);
  check_credentials(&t.u.get_rq.credentials, 0xacce55c8u);
  assert_false(t.u.get_rq.has_iid);
  assert_true(t.u.get_rq.has_ids);
  assert_int_equal(t.u.get_rq.ids.count, 1);
  assert_int_equal(t.u.get_rq.ids.ids[0], 16);
}

static void test_get_rs_lpn(void **state) {
  (void)state;
  dsrc_tapdu t;
  const dsrc_attribute *a;
  decode_tapdu("get-rs-lpn", &t);
  assert_int_equal(t.kind, DSRC_GET_RS);
  assert_int_equal(t.u.get_rs.eid, 3);
  assert_true(t.u.get_rs.has_attrs);
  assert_int_equal(t.u.get_rs.attrs.count, 1);
  a = dsrc_tapdu_attr(&t, t.u.get_rs.attrs, 0);
  assert_int_equal(a->id, 16);
  assert_int_equal(a->value.kind, DSRC_C_VEHLPN);
  assert_int_equal(a->value.u.lpn.country, 0x2ca); /* FR = 10110 01010 */
  assert_int_equal(a->value.u.lpn.alphabet, 1);    /* latinAlphabetNo1 */
  assert_int_equal(a->value.u.lpn.number.len, 8);
  assert_memory_equal(a->value.u.lpn.number.data, "WER-0001", 8);
}

static void test_getstamped_rq(void **state) {
  (void)state;
  dsrc_tapdu t;
  const dsrc_request *r = &t.u.action_rq;
  decode_tapdu("getstamped-rq", &t);
  assert_int_equal(t.kind, DSRC_ACTION_RQ);
  assert_true(r->mode);
  assert_int_equal(r->eid, 3);
  assert_int_equal(r->type, DSRC_ACT_GET_STAMPED);
  check_credentials(&r->credentials, 0xacce55c8u);
  assert_true(r->has_parameter);
  assert_int_equal(r->parameter.kind, DSRC_C_GSTRQ);
  assert_int_equal(r->parameter.u.gstrq.ids.count, 1);
  assert_int_equal(r->parameter.u.gstrq.ids.ids[0], 32);
  check_credentials(&r->parameter.u.gstrq.nonce, 0xffffffffu);
  assert_int_equal(r->parameter.u.gstrq.key_ref, 255);
}

static void test_getstamped_rs(void **state) {
  (void)state;
  dsrc_tapdu t;
  const dsrc_action_rs *r = &t.u.action_rs;
  const dsrc_attribute *a;
  static const uint8_t pan[10] = {0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f};
  decode_tapdu("getstamped-rs", &t);
  assert_int_equal(t.kind, DSRC_ACTION_RS);
  assert_int_equal(r->eid, 3);
  assert_int_equal(r->parameter.kind, DSRC_C_GSTRS);
  assert_int_equal(r->parameter.u.gstrs.list.count, 1);
  a = dsrc_tapdu_attr(&t, r->parameter.u.gstrs.list, 0);
  assert_int_equal(a->id, 32);
  assert_int_equal(a->value.kind, DSRC_C_PAYMEANS);
  assert_memory_equal(a->value.u.payment_means.pan, pan, 10);
  assert_int_equal(a->value.u.payment_means.expiry.year, 2034);
  assert_int_equal(a->value.u.payment_means.expiry.month, 12);
  assert_int_equal(a->value.u.payment_means.expiry.day, 31);
  assert_int_equal(a->value.u.payment_means.usage[0], 0);
  assert_int_equal(a->value.u.payment_means.usage[1], 0);
  check_credentials(&r->parameter.u.gstrs.authenticator, 0xffffffffu);
}

/* The decoder's record of where a GET_STAMPED list lies gives, copied out, exactly the
 * list's own encoding: the authenticator's input a verifier takes as received. */
static void test_getstamped_list_bits(void **state) {
  (void)state;
  dsrc_tapdu t;
  const dsrc_gstrs *g;
  uint8_t copy[128], enc[128];
  size_t len;
  const uint8_t *b = bytes("getstamped-rs", &len);
  dsrc_ssize n, m;
  decode_tapdu("getstamped-rs", &t);
  g = &t.u.action_rs.parameter.u.gstrs;
  assert_true(g->list_to > g->list_from);
  n = dsrc_bits_copy(copy, sizeof(copy), b, len, g->list_from, g->list_to);
  m = dsrc_attr_list_encode(enc, sizeof(enc), &t, g->list);
  assert_true(m > 0);
  assert_int_equal(n, m);
  assert_memory_equal(copy, enc, (size_t)m);
  /* Encoding leaves the positions alone and does not need them. */
  assert_int_equal(dsrc_tapdu_encode(enc, sizeof(enc), &t), (dsrc_ssize)len);
}

static void test_bits_copy(void **state) {
  (void)state;
  static const uint8_t in[3] = {0xab, 0xcd, 0xef};
  uint8_t out[4];
  assert_int_equal(dsrc_bits_copy(out, sizeof(out), in, 3, 4, 12), 1);
  assert_int_equal(out[0], 0xbc);
  /* 1010 1011: bits 3..7 are 01011, padded with zeros. */
  assert_int_equal(dsrc_bits_copy(out, sizeof(out), in, 3, 3, 8), 1);
  assert_int_equal(out[0], 0x58);
  /* 13 bits from bit 7: 1 1100 1101 1110 -> 1110 0110 1111 0000. */
  assert_int_equal(dsrc_bits_copy(out, sizeof(out), in, 3, 7, 20), 2);
  assert_int_equal(out[0], 0xe6);
  assert_int_equal(out[1], 0xf0);
  assert_int_equal(dsrc_bits_copy(out, sizeof(out), in, 3, 0, 24), 3);
  assert_memory_equal(out, in, 3);
  assert_int_equal(dsrc_bits_copy(out, sizeof(out), in, 3, 5, 5), 0);
  assert_int_equal(dsrc_bits_copy(out, sizeof(out), in, 3, 9, 8), DSRC_ERR_RANGE);
  assert_int_equal(dsrc_bits_copy(out, sizeof(out), in, 3, 0, 25), DSRC_ERR_RANGE);
  assert_int_equal(dsrc_bits_copy(out, 1, in, 3, 0, 9), DSRC_ERR_NOBUF);
}

/* Copies long enough to go four octets at a time, from every offset in an octet and with
 * every length of short tail, against a bit-by-bit copy; the source is long and short
 * enough to take both the word and the octet paths of the reader. */
static void test_bits_copy_long(void **state) {
  (void)state;
  uint8_t in[40], out[48], ref[48];
  for (size_t i = 0; i < sizeof(in); i++) in[i] = (uint8_t)(i * 37 + 11);
  for (size_t len = 6; len <= sizeof(in); len += 17)
    for (size_t from = 0; from < 9; from++)
      for (size_t to = from; to <= len * 8; to += 5) {
        size_t bits = to - from, n = (bits + 7) / 8;
        memset(ref, 0, sizeof(ref));
        for (size_t k = 0; k < bits; k++)
          if (in[(from + k) / 8] >> (7 - (from + k) % 8) & 1) ref[k / 8] |= (uint8_t)(0x80 >> k % 8);
        memset(out, 0x5a, sizeof(out));
        assert_int_equal(dsrc_bits_copy(out, sizeof(out), in, len, from, to), (int)n);
        assert_memory_equal(out, ref, n);
      }
}

static void test_setmmi(void **state) {
  (void)state;
  dsrc_tapdu t;
  decode_tapdu("setmmi-rq", &t);
  assert_int_equal(t.kind, DSRC_ACTION_RQ);
  assert_true(t.u.action_rq.mode);
  assert_int_equal(t.u.action_rq.eid, 0);
  assert_int_equal(t.u.action_rq.type, DSRC_ACT_SET_MMI);
  assert_int_equal(t.u.action_rq.parameter.kind, DSRC_C_SETMMIRQ);
  assert_int_equal(t.u.action_rq.parameter.u.set_mmi, 0);
  decode_tapdu("setmmi-rs", &t);
  assert_int_equal(t.kind, DSRC_ACTION_RS);
  assert_int_equal(t.u.action_rs.eid, 0);
  assert_false(t.u.action_rs.has_parameter);
  assert_false(t.u.action_rs.has_ret);
}

static void test_echo_release(void **state) {
  (void)state;
  dsrc_tapdu t;
  decode_tapdu("echo-rq", &t);
  assert_int_equal(t.u.action_rq.type, DSRC_ACT_ECHO);
  assert_int_equal(t.u.action_rq.parameter.kind, DSRC_C_OCTETSTRING);
  assert_int_equal(t.u.action_rq.parameter.u.octets.len, 4);
  assert_memory_equal(t.u.action_rq.parameter.u.octets.data, "ECHO", 4);
  decode_tapdu("release", &t);
  assert_int_equal(t.kind, DSRC_EVENT_RQ);
  assert_false(t.u.event_rq.mode);
  assert_int_equal(t.u.event_rq.eid, 0);
  assert_int_equal(t.u.event_rq.type, 0);
  assert_false(t.u.event_rq.has_credentials);
  assert_false(t.u.event_rq.has_parameter);
}

static void test_get_l0_l1(void **state) {
  (void)state;
  static const uint8_t ids[] = {16, 17, 18, 19, 20, 22, 24, 26};
  dsrc_tapdu t;
  decode_tapdu("get-rq-l0", &t);
  assert_int_equal(t.u.get_rq.eid, 1);
  assert_false(t.u.get_rq.has_credentials);
  assert_int_equal(t.u.get_rq.ids.count, 8);
  assert_memory_equal(t.u.get_rq.ids.ids, ids, 8);
  decode_tapdu("get-rq-l1", &t);
  check_credentials(&t.u.get_rq.credentials, 0xdecb1ff3u);
  assert_int_equal(t.u.get_rq.ids.count, 8);
  assert_memory_equal(t.u.get_rq.ids.ids, ids, 8);
}

static void test_get_rs_values(void **state) {
  (void)state;
  dsrc_tapdu t;
  const dsrc_attribute *a;
  static const uint8_t obuid[] = {1, 2, 3, 4};
  decode_tapdu("get-rs-obuid", &t);
  a = dsrc_tapdu_attr(&t, t.u.get_rs.attrs, 0);
  assert_int_equal(a->id, 24);
  assert_int_equal(a->value.kind, DSRC_C_EQUOBUID);
  assert_memory_equal(a->value.u.obu_id, obuid, 4);
  decode_tapdu("get-rs-status", &t);
  a = dsrc_tapdu_attr(&t, t.u.get_rs.attrs, 0);
  assert_int_equal(a->id, 26);
  assert_int_equal(a->value.kind, DSRC_C_EQUSTAT);
  assert_int_equal(a->value.u.status.counter, 5);
  assert_int_equal(a->value.u.status.local_use, 0);
  decode_tapdu("get-rs-denied", &t);
  assert_int_equal(t.u.get_rs.eid, 1);
  assert_false(t.u.get_rs.has_attrs);
  assert_true(t.u.get_rs.has_ret);
  assert_int_equal(t.u.get_rs.ret, DSRC_RET_ACCESS_DENIED);
}

static void test_set(void **state) {
  (void)state;
  dsrc_tapdu t;
  const dsrc_attribute *a;
  decode_tapdu("set-rq-ac", &t);
  assert_int_equal(t.kind, DSRC_SET_RQ);
  assert_true(t.u.set_rq.mode);
  assert_int_equal(t.u.set_rq.eid, 1);
  check_credentials(&t.u.set_rq.credentials, 0x11223344u);
  assert_int_equal(t.u.set_rq.attrs.count, 1);
  a = dsrc_tapdu_attr(&t, t.u.set_rq.attrs, 0);
  assert_int_equal(a->id, 26);
  assert_int_equal(a->value.u.status.counter, 1);
  decode_tapdu("set-rs", &t);
  assert_int_equal(t.kind, DSRC_SET_RS);
  assert_int_equal(t.u.set_rs.eid, 1);
  assert_true(t.u.set_rs.has_ret);
  assert_int_equal(t.u.set_rs.ret, 0);
}

/* Every vector in the file is covered by one of the tests above. */
static void test_all_vectors_known(void **state) {
  (void)state;
  static const char *const known[] = {
      "beaconid", "bst-aid3", "efc-cm", "bst", "vst", "get-rq-ac", "get-rs-lpn",
      "getstamped-rq", "getstamped-rs", "setmmi-rq", "setmmi-rs", "echo-rq", "release",
      "get-rq-l0", "get-rs-obuid", "get-rs-status", "set-rq-ac", "set-rs", "get-rs-denied",
      "get-rq-l1"};
  assert_true(nvecs >= 20);
  for (size_t i = 0; i < nvecs; i++) {
    int found = 0;
    for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
      found |= strcmp(known[k], vecs[i].name) == 0;
    if (!found) fail_msg("vector %s has no test", vecs[i].name);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_beaconid),      cmocka_unit_test(test_bst_aid3),
      cmocka_unit_test(test_efc_cm),        cmocka_unit_test(test_bst),
      cmocka_unit_test(test_vst),           cmocka_unit_test(test_get_rq_ac),
      cmocka_unit_test(test_get_rs_lpn),    cmocka_unit_test(test_getstamped_rq),
      cmocka_unit_test(test_getstamped_rs), cmocka_unit_test(test_getstamped_list_bits),
      cmocka_unit_test(test_bits_copy),
      cmocka_unit_test(test_bits_copy_long),
      cmocka_unit_test(test_setmmi),
      cmocka_unit_test(test_echo_release),  cmocka_unit_test(test_get_l0_l1),
      cmocka_unit_test(test_get_rs_values), cmocka_unit_test(test_set),
      cmocka_unit_test(test_all_vectors_known),
  };
  nvecs = tvec_load("t-apdu-public.txt", vecs, 64);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
