/* EN 12795 frames: FCS, bit stuffing, the regulation's frame sizes, corruption, airtime. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "dsrc/frame.h"
#include "dsrc/l1.h"
#include "dsrc/tapdu.h"
#include "fcs_table.h" /* dsrc/src: the tables behind dsrc_fcs */

#define PRIVATE_LID 0x12345679u /* octets 12 34 56 79: LSBs 0,0,0,1 */

static void test_fcs_check_value(void **state) {
  (void)state;
  assert_int_equal(dsrc_fcs((const uint8_t *)"123456789", 9), 0x906e);
  assert_int_equal(dsrc_fcs(NULL, 0), 0x0000);
}

/* CRC-16/X-25 a bit at a time (reflected polynomial 0x8408, init and final XOR 0xFFFF)
 * against the library's table-driven one, at every length a frame can have. */
static uint16_t fcs_reference(const uint8_t *p, size_t len) {
  uint16_t crc = 0xffff;
  for (size_t i = 0; i < len; i++) {
    crc ^= p[i];
    for (unsigned k = 0; k < 8; k++) crc = (uint16_t)((crc & 1) ? (crc >> 1) ^ 0x8408 : crc >> 1);
  }
  return (uint16_t)(crc ^ 0xffff);
}

/* Every entry of the sliced tables, a bit at a time from the polynomial: entry [k][b] is
 * the register, from 0, after octet b and k zero octets. */
static void test_fcs_table(void **state) {
  (void)state;
  for (unsigned k = 0; k < 8; k++)
    for (unsigned b = 0; b < 256; b++) {
      uint16_t crc = (uint16_t)b;
      for (unsigned i = 0; i < 8 * (k + 1); i++)
        crc = (uint16_t)((crc & 1) ? (crc >> 1) ^ 0x8408 : crc >> 1);
      assert_int_equal(fcs_table[k][b], crc);
    }
}

static void test_fcs_against_reference(void **state) {
  uint8_t buf[DSRC_FRAME_MAX];
  uint32_t x = 12345;
  (void)state;
  for (size_t len = 0; len <= sizeof(buf); len++)
    for (unsigned rep = 0; rep < 16; rep++) {
      for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
      }
      assert_int_equal(dsrc_fcs(buf, len), fcs_reference(buf, len));
    }
}

/* Counts worked out by hand, bits taken least significant first. */
static void test_stuffing_by_hand(void **state) {
  (void)state;
  /* 0xFF: eight 1s -> one 0 after the fifth. */
  assert_int_equal(dsrc_frame_stuffed_bits((const uint8_t *)"\x7e\xff\x7e", 3), 1);
  /* 0xFF 0xFF: sixteen 1s -> after the 5th, 10th and 15th. */
  assert_int_equal(dsrc_frame_stuffed_bits((const uint8_t *)"\x7e\xff\xff\x7e", 4), 3);
  /* 0x1F: 1,1,1,1,1,0,0,0 -> exactly five 1s still get a 0. */
  assert_int_equal(dsrc_frame_stuffed_bits((const uint8_t *)"\x7e\x1f\x7e", 3), 1);
  /* 0x0F: four 1s -> none. */
  assert_int_equal(dsrc_frame_stuffed_bits((const uint8_t *)"\x7e\x0f\x7e", 3), 0);
  /* 0xF0 0x01: 0,0,0,0,1,1,1,1 | 1,0,... -> a run of five across the octet boundary. */
  assert_int_equal(dsrc_frame_stuffed_bits((const uint8_t *)"\x7e\xf0\x01\x7e", 4), 1);
  /* The flag value inside the frame: 0,1,1,1,1,1,1,0 -> one. */
  assert_int_equal(dsrc_frame_stuffed_bits((const uint8_t *)"\x7e\x7e\x7e", 3), 1);
  /* Flags themselves are never stuffed. */
  assert_int_equal(dsrc_frame_stuffed_bits((const uint8_t *)"\x7e\x7e", 2), 0);
}

/* A real window request whose LID is runs of 1-bits: LID FE FE FE FF, MAC 90, FCS 1F66
 * (sent 66 1F). Each FE is 0 then seven 1s: one stuffed 0, two 1s left over (3 in all);
 * FF continues the run of the third FE: 2+3 -> a 0, then five more -> a 0 (2). MAC 90 is
 * 0,0,0,0,1,0,0,1: none. 66 is 0,1,1,0,0,1,1,0: none. 1F is five 1s then 0s: one. Total 6. */
static void test_stuffing_window_request(void **state) {
  (void)state;
  dsrc_frame f = {0};
  uint8_t buf[16];
  dsrc_ssize n;
  f.lid = 0xfefefeffu;
  f.lid_len = 4;
  f.mac = DSRC_MAC_WINDOW_REQUEST;
  n = dsrc_frame_encode(buf, sizeof(buf), &f);
  assert_int_equal(n, 9);
  assert_memory_equal(buf, "\x7e\xfe\xfe\xfe\xff\x90\x66\x1f\x7e", 9);
  assert_int_equal(dsrc_frame_stuffed_bits(buf, (size_t)n), 6);
}

/* The count, bit by bit as a sender stuffs, against the library on frames of every length
 * and density of 1-bits (dense ones give long runs across octets and 64-bit words). */
static unsigned stuffed_reference(const uint8_t *f, size_t len) {
  unsigned ones = 0, n = 0;
  for (size_t i = 1; i + 1 < len; i++)
    for (unsigned k = 0; k < 8; k++) {
      if (!((f[i] >> k) & 1)) {
        ones = 0;
      } else if (++ones == 5) {
        n++;
        ones = 0;
      }
    }
  return n;
}

static void test_stuffing_against_reference(void **state) {
  uint8_t f[DSRC_FRAME_MAX];
  uint64_t x = 0x9e3779b97f4a7c15u;
  unsigned checked = 0, nonzero = 0;
  (void)state;
  for (unsigned density = 0; density <= 8; density++)
    for (size_t len = 2; len <= DSRC_FRAME_MAX; len++)
      for (unsigned rep = 0; rep < 8; rep++) {
        unsigned want;
        for (size_t i = 0; i < len; i++) {
          uint8_t o = 0;
          for (unsigned k = 0; k < 8; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if ((x >> 40) % 8 < density) o |= (uint8_t)(1u << k);
          }
          f[i] = o;
        }
        want = stuffed_reference(f, len);
        assert_int_equal(dsrc_frame_stuffed_bits(f, len), want);
        nonzero += want > 0;
        checked++;
      }
  assert_true(nonzero > checked / 2);
}

static dsrc_ssize frame_with(uint8_t *buf, size_t cap, uint32_t lid, unsigned lid_len, uint8_t mac,
                             uint8_t llc, const dsrc_tapdu *t) {
  uint8_t lsdu[DSRC_FRAME_MAX];
  dsrc_frame f = {0};
  dsrc_ssize n = dsrc_pdu_encode(lsdu, sizeof(lsdu), 2, t);
  assert_true(n > 0);
  f.lid = lid;
  f.lid_len = (uint8_t)lid_len;
  f.mac = mac;
  f.has_llc = true;
  f.llc = llc;
  f.lsdu = lsdu;
  f.lsdu_len = (size_t)n;
  return dsrc_frame_encode(buf, cap, &f);
}

/* Reg. (EU) 2016/799 Annex IC Appendix 14 examples: BST 22, window request 9, window
 * allocation 9, GET.rq 15, RELEASE 14; its VST of 28 is efcsim's without obeStatus
 * (docs/codec.md). */
static void test_regulation_sizes(void **state) {
  (void)state;
  uint8_t buf[DSRC_FRAME_MAX];
  dsrc_tapdu t;
  dsrc_frame f = {0};

  dsrc_tapdu_init(&t, DSRC_BST);
  t.u.bst.rsu.manufacturer_id = 1;
  t.u.bst.rsu.individual_id = 1052;
  t.u.bst.time = 1733233720u;
  t.u.bst.mand.count = 1;
  t.u.bst.mand.items[0].aid = DSRC_AID_EFC;
  assert_int_equal(frame_with(buf, sizeof(buf), DSRC_LID_BROADCAST, 1, DSRC_MAC_BST, DSRC_LLC_UI, &t), 22);

  f.lid = PRIVATE_LID;
  f.lid_len = 4;
  f.mac = DSRC_MAC_WINDOW_REQUEST;
  assert_int_equal(dsrc_frame_encode(buf, sizeof(buf), &f), 9);
  f.mac = DSRC_MAC_ALLOCATION | DSRC_MAC_S;
  assert_int_equal(dsrc_frame_encode(buf, sizeof(buf), &f), 9);

  dsrc_tapdu_init(&t, DSRC_GET_RQ);
  t.u.get_rq.eid = 1;
  t.u.get_rq.has_ids = true;
  t.u.get_rq.ids.count = 1;
  t.u.get_rq.ids.ids[0] = 24;
  assert_int_equal(frame_with(buf, sizeof(buf), PRIVATE_LID, 4, DSRC_MAC_COMMAND, DSRC_LLC_AC0, &t), 15);

  dsrc_tapdu_init(&t, DSRC_EVENT_RQ);
  assert_int_equal(frame_with(buf, sizeof(buf), PRIVATE_LID, 4, DSRC_MAC_NO_WINDOW, DSRC_LLC_UI, &t), 14);

  /* efcsim's VST: one application with an eid and a 6-octet context mark, obeStatus. */
  dsrc_tapdu_init(&t, DSRC_VST);
  t.u.vst.apps.count = 1;
  t.u.vst.apps.items[0].aid = DSRC_AID_EFC;
  t.u.vst.apps.items[0].has_eid = true;
  t.u.vst.apps.items[0].eid = 1;
  t.u.vst.apps.items[0].has_parameter = true;
  t.u.vst.apps.items[0].parameter.len = 6;
  memcpy(t.u.vst.apps.items[0].parameter.data, "\x30\xc0\x01\x00\x01\x02", 6);
  t.u.vst.config.equipment_class = 1;
  t.u.vst.config.manufacturer_id = 2;
  t.u.vst.config.has_status = true;
  assert_int_equal(frame_with(buf, sizeof(buf), PRIVATE_LID, 4, DSRC_MAC_UPLINK_COMMAND, DSRC_LLC_UI, &t), 30);
  t.u.vst.config.has_status = false;
  assert_int_equal(frame_with(buf, sizeof(buf), PRIVATE_LID, 4, DSRC_MAC_UPLINK_COMMAND, DSRC_LLC_UI, &t), 28);
}

static void test_decode_fields(void **state) {
  (void)state;
  uint8_t buf[DSRC_FRAME_MAX], lsdu[64];
  dsrc_frame f = {0}, g;
  dsrc_tapdu t, u;
  unsigned pdu = 0;
  dsrc_ssize n, m;

  dsrc_tapdu_init(&t, DSRC_GET_RS);
  t.u.get_rs.eid = 1;
  t.u.get_rs.has_ret = true;
  t.u.get_rs.ret = DSRC_RET_ACCESS_DENIED;
  m = dsrc_pdu_encode(lsdu, sizeof(lsdu), 9, &t);
  assert_int_equal(m, 4);
  assert_int_equal(lsdu[0], 0xc9); /* 1 1001 001 */
  f.lid = PRIVATE_LID;
  f.lid_len = 4;
  f.mac = DSRC_MAC_RESPONSE;
  f.has_llc = true;
  f.llc = DSRC_LLC_AC1 ^ DSRC_LLC_N; /* answer to an AC1 command, with data */
  f.has_status = true;
  f.status = DSRC_LLC_OK_OK;
  f.lsdu = lsdu;
  f.lsdu_len = (size_t)m;
  n = dsrc_frame_encode(buf, sizeof(buf), &f);
  assert_int_equal(n, 1 + 4 + 1 + 1 + 1 + 4 + 2 + 1);
  assert_int_equal(dsrc_frame_decode(&g, buf, (size_t)n), 0);
  assert_int_equal(g.lid, PRIVATE_LID);
  assert_int_equal(g.lid_len, 4);
  assert_int_equal(g.mac, DSRC_MAC_RESPONSE);
  assert_true(g.has_llc);
  assert_int_equal(g.llc, 0x77);
  assert_true(g.has_status);
  assert_int_equal(g.status, 0);
  assert_true(g.fcs_ok);
  assert_int_equal(g.lsdu_len, 4);
  assert_int_equal(dsrc_pdu_decode(&u, &pdu, g.lsdu, g.lsdu_len, NULL), 4);
  assert_int_equal(pdu, 9);
  assert_int_equal(u.kind, DSRC_GET_RS);
  assert_int_equal(u.u.get_rs.ret, DSRC_RET_ACCESS_DENIED);
}

/* Every single-bit error between the flags fails the FCS (or the frame structure). */
static void test_corruption_detected(void **state) {
  (void)state;
  uint8_t buf[DSRC_FRAME_MAX], bad[DSRC_FRAME_MAX];
  dsrc_tapdu t;
  dsrc_frame f;
  dsrc_ssize n;
  dsrc_tapdu_init(&t, DSRC_EVENT_RQ);
  n = frame_with(buf, sizeof(buf), PRIVATE_LID, 4, DSRC_MAC_NO_WINDOW, DSRC_LLC_UI, &t);
  assert_int_equal(dsrc_frame_decode(&f, buf, (size_t)n), 0);
  for (size_t bit = 8; bit < (size_t)(n - 1) * 8; bit++) {
    memcpy(bad, buf, (size_t)n);
    bad[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
    assert_int_not_equal(dsrc_frame_decode(&f, bad, (size_t)n), 0);
  }
  /* A flipped FCS bit: the fields are still reported, with the verdict. */
  memcpy(bad, buf, (size_t)n);
  bad[n - 2] ^= 1;
  assert_int_equal(dsrc_frame_decode(&f, bad, (size_t)n), DSRC_ERR_FCS);
  assert_false(f.fcs_ok);
  assert_int_equal(f.mac, DSRC_MAC_NO_WINDOW);
}

static void test_malformed_frames(void **state) {
  (void)state;
  uint8_t buf[200];
  dsrc_frame f = {0};
  dsrc_tapdu t;
  dsrc_ssize n;
  dsrc_tapdu_init(&t, DSRC_EVENT_RQ);
  n = frame_with(buf, sizeof(buf), PRIVATE_LID, 4, DSRC_MAC_NO_WINDOW, DSRC_LLC_UI, &t);
  /* Every truncation is an error, never a crash. */
  for (dsrc_ssize k = 0; k < n; k++) assert_true(dsrc_frame_decode(&f, buf, (size_t)k) < 0);
  buf[0] = 0x00;
  assert_int_equal(dsrc_frame_decode(&f, buf, (size_t)n), DSRC_ERR_FLAG);
  /* LID whose four octets all have the extension bit clear. */
  assert_int_equal(dsrc_frame_decode(&f, (const uint8_t *)"\x7e\x12\x34\x56\x78\x90\x00\x00\x7e", 9),
                   DSRC_ERR_LID);
  /* Frames longer than 128 octets. */
  memset(buf, 0x7e, sizeof(buf));
  assert_int_equal(dsrc_frame_decode(&f, buf, 129), DSRC_ERR_FRAME_SIZE);
  /* Encoding refuses an invalid LID, LLC fields that disagree with MAC, and overlong LSDUs. */
  f.lid = 0x12345678;
  f.lid_len = 4;
  f.mac = DSRC_MAC_WINDOW_REQUEST;
  assert_int_equal(dsrc_frame_encode(buf, sizeof(buf), &f), DSRC_ERR_LID);
  f.lid = PRIVATE_LID;
  f.has_llc = true;
  assert_int_equal(dsrc_frame_encode(buf, sizeof(buf), &f), DSRC_ERR_LLC);
  f.mac = DSRC_MAC_COMMAND;
  f.llc = 0x42;
  assert_int_equal(dsrc_frame_encode(buf, sizeof(buf), &f), DSRC_ERR_LLC);
  f.llc = DSRC_LLC_AC0;
  f.lsdu = buf;
  f.lsdu_len = 121;
  assert_int_equal(dsrc_frame_encode(buf + 150, 50, &f), DSRC_ERR_FRAME_SIZE);
  f.lsdu_len = 10;
  assert_int_equal(dsrc_frame_encode(buf + 150, 10, &f), DSRC_ERR_NOBUF);
}

static void test_fragment_header(void **state) {
  (void)state;
  dsrc_tapdu t;
  unsigned pdu;
  uint8_t b[4] = {0x91, 0x20, 0x00, 0x00}; /* PDU 2, RELEASE */
  assert_int_equal(dsrc_pdu_decode(&t, &pdu, b, 4, NULL), 4);
  assert_int_equal(pdu, 2);
  b[0] = 0x89; /* PDU number 1 */
  assert_int_equal(dsrc_pdu_decode(&t, &pdu, b, 4, NULL), DSRC_ERR_PDU_NUMBER);
  b[0] = 0x81; /* PDU number 0 */
  assert_int_equal(dsrc_pdu_decode(&t, &pdu, b, 4, NULL), DSRC_ERR_PDU_NUMBER);
  b[0] = 0x92; /* fragment counter set */
  assert_int_equal(dsrc_pdu_decode(&t, &pdu, b, 4, NULL), DSRC_ERR_FRAGMENT);
  b[0] = 0x11; /* top bit clear */
  assert_int_equal(dsrc_pdu_decode(&t, &pdu, b, 4, NULL), DSRC_ERR_FRAGMENT);
  assert_int_equal(dsrc_pdu_decode(&t, &pdu, b, 0, NULL), DSRC_ERR_EMPTY);
  assert_int_equal(dsrc_pdu_encode(b, 4, 1, &t), DSRC_ERR_PDU_NUMBER);
}

/* Airtime by hand: the 22-octet BST has 176 bits, plus its stuffed bits, at 2 us each,
 * after a 32 us preamble. */
static void test_airtime(void **state) {
  (void)state;
  uint8_t buf[DSRC_FRAME_MAX];
  dsrc_tapdu t;
  dsrc_l1_params p;
  dsrc_l1_link k;
  dsrc_ssize n;
  unsigned stuffed;
  dsrc_l1_params_default(&p);
  dsrc_tapdu_init(&t, DSRC_BST);
  t.u.bst.rsu.manufacturer_id = 1;
  t.u.bst.rsu.individual_id = 1052;
  t.u.bst.time = 1733233720u;
  t.u.bst.mand.count = 1;
  t.u.bst.mand.items[0].aid = DSRC_AID_EFC;
  n = frame_with(buf, sizeof(buf), DSRC_LID_BROADCAST, 1, DSRC_MAC_BST, DSRC_LLC_UI, &t);
  assert_int_equal(n, 22);
  stuffed = dsrc_frame_stuffed_bits(buf, 22);
  assert_int_equal(dsrc_l1_airtime_ns(&p, 0, buf, 22), 32000 + (176 + stuffed) * 2000);
  /* The window request of test_stuffing_window_request uplink: 68 us + (72 + 6) * 4 us. */
  assert_int_equal(dsrc_l1_airtime_ns(&p, 1, (const uint8_t *)"\x7e\xfe\xfe\xfe\xff\x90\x66\x1f\x7e", 9),
                   68000 + 78 * 4000);
  /* Bits exposed to errors include the preamble's: 16 downlink, 17 uplink. */
  assert_int_equal(dsrc_l1_exposed_bits(&p, 1, (const uint8_t *)"\x7e\xfe\xfe\xfe\xff\x90\x66\x1f\x7e", 9),
                   78 + 17);
  /* A rate without a whole number of ns per bit rounds up: 300 kbit/s and 2 trailing bits,
   * 80 bits in 266,666.7 ns; the 68 us preamble is 20 bits. */
  p.up_bps = 300000;
  p.up_trailing_bits = 2;
  assert_int_equal(dsrc_l1_airtime_ns(&p, 1, (const uint8_t *)"\x7e\xfe\xfe\xfe\xff\x90\x66\x1f\x7e", 9),
                   68000 + 266667);
  /* The link's functions are that formula, given the stuffed bits. */
  dsrc_l1_link_init(&k, &p, 1);
  assert_int_equal(dsrc_l1_link_frame_bits(&k, 9, 6), 80);
  assert_int_equal(dsrc_l1_link_airtime_ns(&k, 80), 68000 + 266667);
  assert_int_equal(dsrc_l1_link_exposed_bits(&k, 80), 80 + 20);
  dsrc_l1_link_init(&k, &p, 0);
  assert_int_equal(dsrc_l1_link_airtime_ns(&k, 176 + stuffed), 32000 + (176 + stuffed) * 2000);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fcs_check_value),     cmocka_unit_test(test_fcs_table),
      cmocka_unit_test(test_fcs_against_reference), cmocka_unit_test(test_stuffing_by_hand),
      cmocka_unit_test(test_stuffing_window_request),
      cmocka_unit_test(test_stuffing_against_reference), cmocka_unit_test(test_regulation_sizes),
      cmocka_unit_test(test_decode_fields),       cmocka_unit_test(test_corruption_detected),
      cmocka_unit_test(test_malformed_frames),    cmocka_unit_test(test_fragment_header),
      cmocka_unit_test(test_airtime),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
