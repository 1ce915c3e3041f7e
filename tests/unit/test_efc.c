/* efc: the profile table, the frame and T-APDU builders, and what a claim reads from the
 * security exchange. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "dsrc/efc.h"
#include "efc/build.h"
#include "efc/claim.h"
#include "efc/msg.h"

#define LID 0x12345679u /* octets 12 34 56 79: LSBs 0,0,0,1 */

static void test_profile_table(void **state) {
  unsigned set;
  char buf[64];
  (void)state;
  for (int p = 0; p < EFC_PROFILE_COUNT; p++) {
    assert_int_equal(efc_profile_parse(efc_profile_name(p)), p);
    assert_int_equal(efc_profile_bit(p), 1u << p);
  }
  assert_int_equal(efc_profile_parse("en15509"), -1);
  assert_string_equal(efc_profile_name(EFC_PROFILE_COUNT), "unknown");
  assert_string_equal(efc_profile_title(EFC_PROFILE_EN15509_L1), "EN 15509 L1");
  assert_int_equal(efc_profile_bit(-1), 0);
  assert_int_equal(efc_profile_contract(EFC_PROFILE_AUTOPASS), DSRC_CONTRACT_AUTOPASS);
  assert_int_equal(efc_profile_contract(EFC_PROFILE_EN15509_L0), DSRC_CONTRACT_EN15509);
  assert_int_equal(efc_profile_contract(EFC_PROFILE_EN15509_L1), DSRC_CONTRACT_EN15509);
  assert_int_equal(efc_profile_contract(EFC_PROFILE_AES), DSRC_CONTRACT_AES);
  assert_int_equal(efc_profile_level(EFC_PROFILE_EN15509_L0), 0);
  assert_int_equal(efc_profile_level(EFC_PROFILE_EN15509_L1), 1);
  assert_int_equal(efc_profile_level(EFC_PROFILE_AES), 1);

  assert_int_equal(efc_profiles_parse("autopass,aes", &set), 0);
  assert_int_equal(set, efc_profile_bit(EFC_PROFILE_AUTOPASS) | efc_profile_bit(EFC_PROFILE_AES));
  assert_true(efc_profiles_has(set, EFC_PROFILE_AES));
  assert_false(efc_profiles_has(set, EFC_PROFILE_EN15509_L0));
  assert_int_equal(efc_profiles_format(buf, sizeof(buf), EFC_PROFILES_ALL), 34);
  assert_string_equal(buf, "autopass,en15509-l0,en15509-l1,aes");
  assert_int_equal(efc_profiles_parse(buf, &set), 0);
  assert_int_equal(set, EFC_PROFILES_ALL);
  /* What does not fit is left out whole. */
  assert_int_equal(efc_profiles_format(buf, 12, EFC_PROFILES_ALL), 8);
  assert_string_equal(buf, "autopass");
  assert_int_equal(efc_profiles_parse("autopass,", &set), DSRC_ERR_CHOICE);
  assert_int_equal(efc_profiles_parse("", &set), DSRC_ERR_CHOICE);
  assert_int_equal(efc_profiles_parse("en15509", &set), DSRC_ERR_CHOICE);
}

/* The single T-APDU of a frame's LSDU, and its PDU number. */
static unsigned pdu_of(const dsrc_frame *f, dsrc_tapdu *t) {
  unsigned pdu = 0;
  assert_true(dsrc_pdu_decode(t, &pdu, f->lsdu, f->lsdu_len, NULL) > 0);
  return pdu;
}

static void test_build_downlink(void **state) {
  static dsrc_tapdu t;
  uint8_t out[DSRC_FRAME_MAX], lsdu[4] = {0x91, 1, 2, 3};
  dsrc_beacon_id rsu = {1, 1052};
  dsrc_frame f;
  dsrc_ssize n;
  (void)state;
  n = efc_build_bst(out, sizeof(out), &rsu, 1733233720);
  assert_true(n > 0);
  assert_int_equal(dsrc_frame_decode(&f, out, (size_t)n), 0);
  assert_true(f.fcs_ok);
  assert_int_equal(f.lid, DSRC_LID_BROADCAST);
  assert_int_equal(f.mac, DSRC_MAC_BST);
  assert_int_equal(pdu_of(&f, &t), 2);
  assert_int_equal(t.kind, DSRC_BST);
  assert_int_equal(t.u.bst.time, 1733233720);
  assert_int_equal(t.u.bst.rsu.individual_id, 1052);
  assert_int_equal(t.u.bst.mand.count, 1);
  assert_int_equal(t.u.bst.mand.items[0].aid, DSRC_AID_EFC);
  /* No room: an error, and out untouched. */
  memset(out, 0xaa, sizeof(out));
  assert_int_equal(efc_build_bst(out, (size_t)n - 1, &rsu, 1733233720), DSRC_ERR_NOBUF);
  assert_int_equal(out[0], 0xaa);

  n = efc_build_allocation(out, sizeof(out), LID, 1);
  assert_int_equal(dsrc_frame_decode(&f, out, (size_t)n), 0);
  assert_int_equal(f.lid, LID);
  assert_int_equal(f.lid_len, 4);
  assert_int_equal(f.mac, DSRC_MAC_ALLOCATION | DSRC_MAC_S);
  assert_false(f.has_llc);

  n = efc_build_command(out, sizeof(out), LID, 0, 1, lsdu, sizeof(lsdu));
  assert_int_equal(dsrc_frame_decode(&f, out, (size_t)n), 0);
  assert_int_equal(f.mac, DSRC_MAC_COMMAND);
  assert_int_equal(f.llc, DSRC_LLC_AC1);
  assert_int_equal(f.lsdu_len, sizeof(lsdu));
  assert_memory_equal(f.lsdu, lsdu, sizeof(lsdu));

  n = efc_build_release(out, sizeof(out), LID, 5);
  assert_int_equal(dsrc_frame_decode(&f, out, (size_t)n), 0);
  assert_int_equal(f.mac, DSRC_MAC_NO_WINDOW);
  assert_int_equal(f.llc, DSRC_LLC_UI);
  assert_int_equal(pdu_of(&f, &t), 5);
  assert_int_equal(t.kind, DSRC_EVENT_RQ);
  assert_int_equal(t.u.event_rq.type, 0);
  assert_int_equal(efc_build_release(out, sizeof(out), LID, 0), DSRC_ERR_PDU_NUMBER);
}

static void test_build_uplink(void **state) {
  uint8_t out[DSRC_FRAME_MAX], cmd_frame[DSRC_FRAME_MAX], answer[3] = {0x91, 0x20, 0x00};
  const uint8_t cmd_lsdu[2] = {0xa1, 0x00}; /* PDU number 4 */
  dsrc_frame f, cmd;
  dsrc_ssize n;
  (void)state;
  n = efc_build_window_request(out, sizeof(out), LID);
  assert_int_equal(dsrc_frame_decode(&f, out, (size_t)n), 0);
  assert_int_equal(f.mac, DSRC_MAC_WINDOW_REQUEST);
  assert_false(f.has_llc);

  n = efc_build_uplink(out, sizeof(out), LID, answer, sizeof(answer));
  assert_int_equal(dsrc_frame_decode(&f, out, (size_t)n), 0);
  assert_int_equal(f.mac, DSRC_MAC_UPLINK_COMMAND);
  assert_int_equal(f.llc, DSRC_LLC_UI);
  assert_false(f.has_status);

  n = efc_build_response(out, sizeof(out), LID, (uint8_t)(DSRC_LLC_AC0 & ~DSRC_LLC_F), DSRC_LLC_NE_OK, NULL, 0);
  assert_int_equal(dsrc_frame_decode(&f, out, (size_t)n), 0);
  assert_int_equal(f.mac, DSRC_MAC_RESPONSE);
  assert_true(f.has_status);
  assert_int_equal(f.status, DSRC_LLC_NE_OK);
  assert_int_equal(f.lsdu_len, 0);

  /* A stored answer (PDU number 2) to a live AC1 command with PDU number 4. */
  n = efc_build_command(cmd_frame, sizeof(cmd_frame), LID, 1, 1, cmd_lsdu, sizeof(cmd_lsdu));
  assert_int_equal(dsrc_frame_decode(&cmd, cmd_frame, (size_t)n), 0);
  n = efc_build_answer_now(out, sizeof(out), LID, &cmd, answer, sizeof(answer));
  assert_int_equal(dsrc_frame_decode(&f, out, (size_t)n), 0);
  assert_int_equal(f.llc, DSRC_LLC_AC0 | DSRC_LLC_F);
  assert_int_equal(f.status, DSRC_LLC_OK_OK);
  assert_int_equal(f.lsdu[0], 0xa1);
  assert_memory_equal(f.lsdu + 1, answer + 1, sizeof(answer) - 1);
  assert_int_equal(answer[0], 0x91); /* the caller's copy is left alone */
  assert_int_equal(efc_build_answer_now(out, sizeof(out), LID, &cmd, answer, 0), DSRC_ERR_EMPTY);
}

/* t through the codec and back, as the other side would see it. */
static void roundtrip(const dsrc_tapdu *t, dsrc_tapdu *back) {
  uint8_t buf[DSRC_FRAME_MAX];
  unsigned pdu;
  dsrc_ssize n = dsrc_pdu_encode(buf, sizeof(buf), 3, t);
  assert_true(n > 0);
  assert_int_equal(dsrc_pdu_decode(back, &pdu, buf, (size_t)n, NULL), n);
}

static void test_msg_security_exchange(void **state) {
  static dsrc_tapdu q, back;
  const uint8_t rnd1[4] = {1, 2, 3, 4}, t[4] = {5, 6, 7, 8}, nonce[4] = {9, 10, 11, 12};
  const uint8_t cred[4] = {0xc8, 0xa1, 0x1e, 0x6e};
  const dsrc_attr_ids ids = {3, {24, 26, 32}};
  const uint8_t *p;
  const dsrc_gstrq *g;
  efc_claim c;
  (void)state;
  memset(&c, 0, sizeof(c));
  efc_msg_get_secure(&q, 1, rnd1, t, 0x11);
  roundtrip(&q, &back);
  assert_non_null(p = efc_msg_secure_rq(&back));
  efc_claim_read_secure_rq(&c, p);
  assert_memory_equal(c.rnd1, rnd1, 4);
  assert_memory_equal(c.t, t, 4);
  assert_int_equal(c.keygen, 0x11);
  assert_null(efc_msg_stamped_rq(&back));
  assert_null(efc_msg_secure_rs(&back));
  assert_string_equal(efc_action_name(back.u.action_rq.type), "GET_SECURE");

  efc_msg_get_stamped(&q, 2, cred, &ids, 5, nonce);
  roundtrip(&q, &back);
  assert_non_null(g = efc_msg_stamped_rq(&back));
  assert_int_equal(g->key_ref, 5);
  assert_memory_equal(g->nonce.data, nonce, 4);
  assert_int_equal(g->ids.count, 3);
  assert_true(back.u.action_rq.has_credentials);
  assert_memory_equal(back.u.action_rq.credentials.data, cred, 4);
  assert_null(efc_msg_secure_rq(&back));

  efc_msg_get(&q, 2, NULL, &ids);
  roundtrip(&q, &back);
  assert_int_equal(back.kind, DSRC_GET_RQ);
  assert_false(back.u.get_rq.has_credentials);
  assert_int_equal(back.u.get_rq.ids.ids[2], 32);

  efc_msg_set_counter(&q, 2, cred, 0x1abc);
  roundtrip(&q, &back);
  assert_int_equal(back.kind, DSRC_SET_RQ);
  assert_int_equal(back.u.set_rq.attrs.count, 1);
  assert_int_equal(dsrc_tapdu_attr(&back, back.u.set_rq.attrs, 0)->value.u.status.counter, 0x0abc);
  assert_string_equal(efc_action_name(DSRC_ACT_ECHO + 1), "ACTION");
}

static void test_claim_reads_answers(void **state) {
  static dsrc_tapdu rs;
  const uint8_t secure[20] = {0, 0xa1, 0xb2, 0xc3, 0x05, 0x01, 0x02, 1, 2, 3, 4, 0x11, 5, 6, 7, 8, 9, 10, 11, 12};
  const uint8_t pan[10] = {0x28, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0x90, 0x7f};
  dsrc_attribute *a;
  dsrc_gstrs *g;
  efc_claim c;
  (void)state;
  memset(&c, 0, sizeof(c));
  dsrc_tapdu_init(&rs, DSRC_ACTION_RS);
  rs.u.action_rs.has_parameter = true;
  rs.u.action_rs.parameter.kind = DSRC_C_OCTETSTRING;
  rs.u.action_rs.parameter.u.octets.len = 20;
  memcpy(rs.u.action_rs.parameter.u.octets.data, secure, 20);
  assert_non_null(efc_msg_secure_rs(&rs));
  efc_claim_read_secure(&c, efc_msg_secure_rs(&rs));
  assert_true(c.has_obuid);
  assert_memory_equal(c.obuid, secure, 4);
  assert_int_equal(c.efcstatus, 5);
  assert_int_equal(c.tc, 0x0102);
  assert_memory_equal(c.mac2, secure + 16, 4);
  rs.u.action_rs.parameter.u.octets.len = 19;
  assert_null(efc_msg_secure_rs(&rs));

  /* A GET_STAMPED answer: obuid, EquipmentStatus and PaymentMeans, as MAC_TSP covers them. */
  memset(&c, 0, sizeof(c));
  dsrc_tapdu_init(&rs, DSRC_ACTION_RS);
  rs.u.action_rs.has_parameter = true;
  rs.u.action_rs.parameter.kind = DSRC_C_GSTRS;
  g = &rs.u.action_rs.parameter.u.gstrs;
  g->authenticator.len = 4;
  a = dsrc_tapdu_attrs_alloc(&rs, &g->list, 3);
  a[0].id = DSRC_ATTR_OBUID;
  a[0].value.kind = DSRC_C_EQUOBUID;
  memcpy(a[0].value.u.obu_id, secure, 4);
  a[1].id = DSRC_ATTR_STATUS;
  a[1].value.kind = DSRC_C_EQUSTAT;
  a[1].value.u.status.counter = 41;
  a[2].id = DSRC_ATTR_PAYMENT_MEANS;
  a[2].value.kind = DSRC_C_PAYMEANS;
  memcpy(a[2].value.u.payment_means.pan, pan, 10);
  a[2].value.u.payment_means.expiry.year = 2030;
  a[2].value.u.payment_means.expiry.month = 12;
  a[2].value.u.payment_means.expiry.day = 31;
  assert_ptr_equal(efc_msg_stamped_rs(&rs), g);
  efc_claim_read_attrs(&c, &rs, g->list);
  assert_true(c.has_obuid);
  assert_int_equal(c.counter, 41);
  assert_memory_equal(c.pan, pan, 10);

  /* The counter inside the MACed list moves with the claim's. */
  {
    dsrc_ssize n = dsrc_attr_list_encode(c.attrlist, sizeof(c.attrlist), &rs, g->list);
    efc_claim back;
    assert_true(n > 0);
    c.attrlist_len = (uint8_t)n;
    assert_int_equal(efc_claim_counter_set(&c, 42), 0);
    assert_int_equal(c.counter, 42);
    dsrc_tapdu_init(&rs, DSRC_ACTION_RS);
    assert_int_equal(dsrc_attr_list_decode(&rs, &g->list, c.attrlist, c.attrlist_len, NULL), c.attrlist_len);
    memset(&back, 0, sizeof(back));
    efc_claim_read_attrs(&back, &rs, g->list);
    assert_int_equal(back.counter, 42);
    c.attrlist_len = 1;
    assert_true(efc_claim_counter_set(&c, 43) < 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_profile_table),
      cmocka_unit_test(test_build_downlink),
      cmocka_unit_test(test_build_uplink),
      cmocka_unit_test(test_msg_security_exchange),
      cmocka_unit_test(test_claim_reads_answers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
