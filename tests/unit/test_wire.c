/* Issue 18: blocks and passages as octets (sim/wire.h) and a round's split into shards
 * (sim/shard.h).
 * - known octets: little-endian fields at their offsets, a double as its IEEE 754 bits;
 * - round trips of blocks and passages with every field away from zero, negative indices,
 *   -1 completions and weights that are not round numbers;
 * - every truncation is "cut short", every small buffer "no room", fields out of range
 *   refused;
 * - the split: every block in exactly one shard, in order, each shard's passages within a
 *   block of its share, for 1 to 1,000 shards and more shards than blocks;
 * - I/N parsed with its bounds. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/shard.h"
#include "sim/wire.h"

static sim_block block_sample(void) {
  sim_block b;
  memset(&b, 0, sizeof(b));
  b.index = 0x01020304;
  b.cell = 77;
  b.ber_idx = 3;
  b.speed_idx = -1;
  b.group = -1;
  b.lane = 2;
  b.gantry = 5;
  b.ber = 3.0e-5;
  b.zone_m = 12.5;
  b.speed_kmh = 0;
  b.headway_s = 0.8;
  b.min_headway_s = 0.1;
  b.passages = 1003;
  b.warmup = 2;
  b.reported = 1;
  b.vehicle_base = 4000000;
  b.fleet = 10000;
  b.seed = 0xfedcba9876543210ull;
  b.bias_ber = 1.0 / 3.0;
  b.bias_collide = 0.3;
  b.pilot = true;
  return b;
}

static sim_record record_sample(void) {
  sim_record r;
  memset(&r, 0, sizeof(r));
  r.block = 9;
  r.seq = 1002;
  r.obuid = 0xdeadbeef;
  r.group = 3;
  r.lane = 1;
  r.outcome = SIM_FAILED;
  r.verdict = 1;
  r.gantry = 4;
  r.ber_idx = 2;
  r.speed_kmh = 187.25f;
  r.t_enter_ns = 123456789012345ull;
  r.dwell_us = 192000;
  r.completion_us = -1;
  r.frames_down = 11;
  r.frames_up = 9;
  r.retries = 3;
  r.late = 1;
  r.octets_down = 700;
  r.octets_up = 650;
  r.airtime_us = 4321;
  r.processing_us = 8765;
  r.obes_in_zone = 4;
  r.cause = 2;
  r.cause_cmd = 4;
  r.cause_frame = 2;
  r.log_w = -0.6931471805599453;
  r.bias_lost = 5;
  r.bias_bits = 12345.5f;
  r.collided = 1;
  r.contended = 2;
  return r;
}

static void test_block_octets(void **state) {
  sim_block b = block_sample(), d;
  uint8_t buf[SIM_WIRE_BLOCK_LEN + 8];
  uint64_t bits;
  (void)state;
  assert_int_equal(sim_wire_block_encode(buf, sizeof(buf), &b), SIM_WIRE_BLOCK_LEN);
  /* index, little-endian, first; speed_idx and group -1 as 0xffff at 10 and 12; the BER's bits at 18. */
  assert_memory_equal(buf, "\x04\x03\x02\x01", 4);
  assert_memory_equal(buf + 10, "\xff\xff\xff\xff", 4);
  memcpy(&bits, &b.ber, 8);
  assert_true(sim_wire_get_u64(buf + 18) == bits);
  assert_true(sim_wire_get_u64(buf + 78) == 0xfedcba9876543210ull);
  assert_int_equal(buf[SIM_WIRE_BLOCK_LEN - 1], 1);
  assert_int_equal(sim_wire_block_decode(&d, buf, SIM_WIRE_BLOCK_LEN), SIM_WIRE_BLOCK_LEN);
  assert_true(d.index == b.index && d.cell == b.cell && d.ber_idx == b.ber_idx && d.speed_idx == -1 &&
              d.group == -1 && d.lane == 2 && d.gantry == 5 && d.passages == 1003 && d.warmup == 2 &&
              d.reported == 1 && d.vehicle_base == 4000000 && d.fleet == 10000 && d.seed == b.seed && d.pilot);
  assert_memory_equal(&d.ber, &b.ber, 8);
  assert_memory_equal(&d.bias_ber, &b.bias_ber, 8);
  assert_memory_equal(&d.bias_collide, &b.bias_collide, 8);
  assert_true(d.zone_m == 12.5 && d.headway_s == 0.8 && d.min_headway_s == 0.1);
}

static void test_block_errors(void **state) {
  sim_block b = block_sample(), d;
  uint8_t buf[SIM_WIRE_BLOCK_LEN];
  (void)state;
  for (size_t cap = 0; cap < SIM_WIRE_BLOCK_LEN; cap++)
    assert_int_equal(sim_wire_block_encode(buf, cap, &b), SIM_WIRE_ERR_ROOM);
  assert_int_equal(sim_wire_block_encode(buf, sizeof(buf), &b), SIM_WIRE_BLOCK_LEN);
  for (size_t len = 0; len < SIM_WIRE_BLOCK_LEN; len++)
    assert_int_equal(sim_wire_block_decode(&d, buf, len), SIM_WIRE_ERR_SHORT);
  buf[SIM_WIRE_BLOCK_LEN - 1] = 2; /* pilot is a flag */
  assert_int_equal(sim_wire_block_decode(&d, buf, sizeof(buf)), SIM_WIRE_ERR_VALUE);
  b.warmup = 1003; /* warm-up and reported past the block */
  sim_wire_block_encode(buf, sizeof(buf), &b);
  assert_int_equal(sim_wire_block_decode(&d, buf, sizeof(buf)), SIM_WIRE_ERR_VALUE);
  b = block_sample();
  b.ber = NAN;
  sim_wire_block_encode(buf, sizeof(buf), &b);
  assert_int_equal(sim_wire_block_decode(&d, buf, sizeof(buf)), SIM_WIRE_ERR_VALUE);
  b = block_sample();
  b.passages = 0;
  b.warmup = b.reported = 0;
  sim_wire_block_encode(buf, sizeof(buf), &b);
  assert_int_equal(sim_wire_block_decode(&d, buf, sizeof(buf)), SIM_WIRE_ERR_VALUE);
  assert_string_equal(sim_wire_strerror(SIM_WIRE_ERR_SHORT), "cut short");
}

static void test_record_roundtrip(void **state) {
  sim_record r = record_sample(), d;
  uint8_t buf[SIM_WIRE_RECORD_LEN];
  (void)state;
  assert_int_equal(sim_wire_record_encode(buf, sizeof(buf), &r), SIM_WIRE_RECORD_LEN);
  assert_memory_equal(buf + 8, "\xef\xbe\xad\xde", 4);
  assert_memory_equal(buf + 36, "\xff\xff\xff\xff", 4); /* completion -1 */
  assert_int_equal(sim_wire_record_decode(&d, buf, sizeof(buf)), SIM_WIRE_RECORD_LEN);
  assert_true(d.block == 9 && d.seq == 1002 && d.obuid == 0xdeadbeef && d.group == 3 && d.lane == 1 &&
              d.outcome == SIM_FAILED && d.verdict == 1 && d.gantry == 4 && d.ber_idx == 2 &&
              d.speed_kmh == 187.25f && d.t_enter_ns == 123456789012345ull && d.dwell_us == 192000 &&
              d.completion_us == -1 && d.frames_down == 11 && d.frames_up == 9 && d.retries == 3 && d.late == 1 &&
              d.octets_down == 700 && d.octets_up == 650 && d.airtime_us == 4321 && d.processing_us == 8765 &&
              d.obes_in_zone == 4 && d.cause == 2 && d.cause_cmd == 4 && d.cause_frame == 2 && d.bias_lost == 5 &&
              d.bias_bits == 12345.5f && d.collided == 1 && d.contended == 2);
  assert_memory_equal(&d.log_w, &r.log_w, 8);
  for (size_t len = 0; len < SIM_WIRE_RECORD_LEN; len++)
    assert_int_equal(sim_wire_record_decode(&d, buf, len), SIM_WIRE_ERR_SHORT);
  assert_int_equal(sim_wire_record_encode(buf, SIM_WIRE_RECORD_LEN - 1, &r), SIM_WIRE_ERR_ROOM);
  r.outcome = SIM_NOT_PASS + 1;
  sim_wire_record_encode(buf, sizeof(buf), &r);
  assert_int_equal(sim_wire_record_decode(&d, buf, sizeof(buf)), SIM_WIRE_ERR_VALUE);
  r = record_sample();
  r.completion_us = -2;
  sim_wire_record_encode(buf, sizeof(buf), &r);
  assert_int_equal(sim_wire_record_decode(&d, buf, sizeof(buf)), SIM_WIRE_ERR_VALUE);
}

/* Blocks of uneven sizes, as a round of several sources gives. */
static void split_check(const sim_block *v, size_t n, uint32_t shards) {
  uint64_t total = 0, maxb = 0;
  size_t next = 0;
  for (size_t k = 0; k < n; k++) {
    total += v[k].passages;
    if (v[k].passages > maxb) maxb = v[k].passages;
  }
  for (uint32_t i = 0; i < shards; i++) {
    size_t lo, hi;
    uint64_t mine = 0;
    double share = (double)total / shards;
    sim_shard_range(v, n, i, shards, &lo, &hi);
    if (lo != next || hi < lo || hi > n) fail_msg("shard %u/%u: [%zu, %zu) after %zu", i, shards, lo, hi, next);
    for (size_t k = lo; k < hi; k++) mine += v[k].passages;
    if (fabs((double)mine - share) > (double)maxb) fail_msg("shard %u/%u: %llu passages, share %.1f", i, shards,
                                                            (unsigned long long)mine, share);
    next = hi;
  }
  assert_int_equal(next, n);
}

static void test_split(void **state) {
  sim_block v[300];
  uint64_t x = 12345;
  (void)state;
  for (size_t k = 0; k < 300; k++) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    memset(&v[k], 0, sizeof(v[k]));
    v[k].passages = k % 50 == 7 ? 1 : 200 + (uint32_t)(x >> 54);
  }
  for (uint32_t s = 1; s <= 40; s++) split_check(v, 300, s);
  split_check(v, 300, 299);
  split_check(v, 300, 300);
  split_check(v, 300, 1000); /* more shards than blocks: most shards empty */
  split_check(v, 1, 3);
}

static void test_parse(void **state) {
  uint32_t i, n;
  char err[200];
  (void)state;
  assert_int_equal(sim_shard_parse("3/16", &i, &n, err, sizeof(err)), 0);
  assert_true(i == 3 && n == 16);
  assert_int_equal(sim_shard_parse("0/1", &i, &n, err, sizeof(err)), 0);
  assert_int_equal(sim_shard_parse("99999/100000", &i, &n, err, sizeof(err)), 0);
  assert_int_equal(sim_shard_parse("16/16", &i, &n, err, sizeof(err)), -1);
  assert_int_equal(sim_shard_parse("0/100001", &i, &n, err, sizeof(err)), -1);
  assert_int_equal(sim_shard_parse("0/0", &i, &n, err, sizeof(err)), -1);
  assert_int_equal(sim_shard_parse("3", &i, &n, err, sizeof(err)), -1);
  assert_int_equal(sim_shard_parse("/4", &i, &n, err, sizeof(err)), -1);
  assert_int_equal(sim_shard_parse("1/4/5", &i, &n, err, sizeof(err)), -1);
  assert_int_equal(sim_shard_parse("-1/4", &i, &n, err, sizeof(err)), -1);
  assert_int_equal(sim_shard_parse("1/ 4", &i, &n, err, sizeof(err)), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_block_octets), cmocka_unit_test(test_block_errors), cmocka_unit_test(test_record_roundtrip),
      cmocka_unit_test(test_split),        cmocka_unit_test(test_parse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
