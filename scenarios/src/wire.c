/* Blocks and passages as octets (sim/wire.h): one cursor that checks the room or the input
 * before each field, so that a truncated shard file or message is an error, never a read
 * past its end. */
#include <string.h>

#include "sim/wire.h"

const char *sim_wire_strerror(int rv) {
  switch (rv) {
  case SIM_WIRE_ERR_ROOM: return "no room for the output";
  case SIM_WIRE_ERR_SHORT: return "cut short";
  case SIM_WIRE_ERR_VALUE: return "a field out of range";
  default: return "unknown error";
  }
}

void sim_wire_put_u32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

void sim_wire_put_u64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t sim_wire_get_u32(const uint8_t *p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

uint64_t sim_wire_get_u64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

/* A cursor over len octets; fails once and stays failed. */
typedef struct {
  uint8_t *w;
  const uint8_t *r;
  size_t len, pos;
  int error;
} cursor;

static uint8_t *room(cursor *c, size_t n) {
  if (c->error || c->len - c->pos < n) {
    c->error = SIM_WIRE_ERR_ROOM;
    return NULL;
  }
  c->pos += n;
  return c->w + c->pos - n;
}

static const uint8_t *take(cursor *c, size_t n) {
  if (c->error || c->len - c->pos < n) {
    c->error = SIM_WIRE_ERR_SHORT;
    return NULL;
  }
  c->pos += n;
  return c->r + c->pos - n;
}

static void put_uint(cursor *c, uint64_t v, size_t n) {
  uint8_t *p = room(c, n);
  if (p)
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_uint(cursor *c, size_t n) {
  const uint8_t *p = take(c, n);
  uint64_t v = 0;
  if (!p) return 0;
  for (size_t i = n; i-- > 0;) v = v << 8 | p[i];
  return v;
}

static void put_f64(cursor *c, double d) {
  uint64_t v;
  memcpy(&v, &d, sizeof(v));
  put_uint(c, v, 8);
}

static double get_f64(cursor *c) {
  uint64_t v = get_uint(c, 8);
  double d;
  memcpy(&d, &v, sizeof(d));
  return d;
}

static void put_f32(cursor *c, float f) {
  uint32_t v;
  memcpy(&v, &f, sizeof(v));
  put_uint(c, v, 4);
}

static float get_f32(cursor *c) {
  uint32_t v = (uint32_t)get_uint(c, 4);
  float f;
  memcpy(&f, &v, sizeof(f));
  return f;
}

ssize_t sim_wire_block_encode(uint8_t *out, size_t cap, const sim_block *b) {
  cursor c = {.w = out, .len = cap};
  if (cap < SIM_WIRE_BLOCK_LEN) return SIM_WIRE_ERR_ROOM;
  put_uint(&c, b->index, 4);
  put_uint(&c, b->cell, 4);
  put_uint(&c, b->ber_idx, 2);
  put_uint(&c, (uint16_t)b->speed_idx, 2);
  put_uint(&c, (uint16_t)b->group, 2);
  put_uint(&c, b->lane, 2);
  put_uint(&c, b->gantry, 2);
  put_f64(&c, b->ber);
  put_f64(&c, b->zone_m);
  put_f64(&c, b->speed_kmh);
  put_f64(&c, b->headway_s);
  put_f64(&c, b->min_headway_s);
  put_uint(&c, b->passages, 4);
  put_uint(&c, b->warmup, 4);
  put_uint(&c, b->reported, 4);
  put_uint(&c, b->vehicle_base, 4);
  put_uint(&c, b->fleet, 4);
  put_uint(&c, b->seed, 8);
  put_f64(&c, b->bias_ber);
  put_f64(&c, b->bias_collide);
  put_uint(&c, b->pilot, 1);
  return c.error ? c.error : (ssize_t)c.pos;
}

ssize_t sim_wire_block_decode(sim_block *b, const uint8_t *in, size_t len) {
  cursor c = {.r = in, .len = len};
  uint64_t pilot;
  memset(b, 0, sizeof(*b));
  b->index = (uint32_t)get_uint(&c, 4);
  b->cell = (uint32_t)get_uint(&c, 4);
  b->ber_idx = (uint16_t)get_uint(&c, 2);
  b->speed_idx = (int16_t)(uint16_t)get_uint(&c, 2);
  b->group = (int16_t)(uint16_t)get_uint(&c, 2);
  b->lane = (uint16_t)get_uint(&c, 2);
  b->gantry = (uint16_t)get_uint(&c, 2);
  b->ber = get_f64(&c);
  b->zone_m = get_f64(&c);
  b->speed_kmh = get_f64(&c);
  b->headway_s = get_f64(&c);
  b->min_headway_s = get_f64(&c);
  b->passages = (uint32_t)get_uint(&c, 4);
  b->warmup = (uint32_t)get_uint(&c, 4);
  b->reported = (uint32_t)get_uint(&c, 4);
  b->vehicle_base = (uint32_t)get_uint(&c, 4);
  b->fleet = (uint32_t)get_uint(&c, 4);
  b->seed = get_uint(&c, 8);
  b->bias_ber = get_f64(&c);
  b->bias_collide = get_f64(&c);
  pilot = get_uint(&c, 1);
  if (c.error) return c.error;
  /* What the simulator would refuse to run, or could not have planned. */
  if (pilot > 1 || b->passages == 0 || (uint64_t)b->warmup + b->reported > b->passages ||
      !(b->ber >= 0 && b->ber <= 1) || !(b->bias_ber >= 0 && b->bias_ber <= 1) ||
      !(b->bias_collide >= 0 && b->bias_collide < 1) || !(b->zone_m > 0) || !(b->headway_s > 0) ||
      !(b->min_headway_s >= 0) || b->speed_idx < -1 || b->group < -1)
    return SIM_WIRE_ERR_VALUE;
  b->pilot = pilot == 1;
  return (ssize_t)c.pos;
}

ssize_t sim_wire_record_encode(uint8_t *out, size_t cap, const sim_record *r) {
  cursor c = {.w = out, .len = cap};
  if (cap < SIM_WIRE_RECORD_LEN) return SIM_WIRE_ERR_ROOM;
  put_uint(&c, r->block, 4);
  put_uint(&c, r->seq, 4);
  put_uint(&c, r->obuid, 4);
  put_uint(&c, r->group, 1);
  put_uint(&c, r->lane, 1);
  put_uint(&c, r->outcome, 1);
  put_uint(&c, r->verdict, 1);
  put_uint(&c, r->gantry, 2);
  put_uint(&c, r->ber_idx, 2);
  put_f32(&c, r->speed_kmh);
  put_uint(&c, r->t_enter_ns, 8);
  put_uint(&c, r->dwell_us, 4);
  put_uint(&c, (uint32_t)r->completion_us, 4);
  put_uint(&c, r->frames_down, 2);
  put_uint(&c, r->frames_up, 2);
  put_uint(&c, r->retries, 2);
  put_uint(&c, r->late, 2);
  put_uint(&c, r->octets_down, 4);
  put_uint(&c, r->octets_up, 4);
  put_uint(&c, r->airtime_us, 4);
  put_uint(&c, r->processing_us, 4);
  put_uint(&c, r->obes_in_zone, 4);
  put_uint(&c, r->cause, 1);
  put_uint(&c, r->cause_cmd, 1);
  put_uint(&c, r->cause_frame, 1);
  put_f64(&c, r->log_w);
  put_uint(&c, r->bias_lost, 4);
  put_f32(&c, r->bias_bits);
  put_uint(&c, r->collided, 4);
  put_uint(&c, r->contended, 4);
  return c.error ? c.error : (ssize_t)c.pos;
}

ssize_t sim_wire_record_decode(sim_record *r, const uint8_t *in, size_t len) {
  cursor c = {.r = in, .len = len};
  memset(r, 0, sizeof(*r));
  r->block = (uint32_t)get_uint(&c, 4);
  r->seq = (uint32_t)get_uint(&c, 4);
  r->obuid = (uint32_t)get_uint(&c, 4);
  r->group = (uint8_t)get_uint(&c, 1);
  r->lane = (uint8_t)get_uint(&c, 1);
  r->outcome = (uint8_t)get_uint(&c, 1);
  r->verdict = (uint8_t)get_uint(&c, 1);
  r->gantry = (uint16_t)get_uint(&c, 2);
  r->ber_idx = (uint16_t)get_uint(&c, 2);
  r->speed_kmh = get_f32(&c);
  r->t_enter_ns = get_uint(&c, 8);
  r->dwell_us = (uint32_t)get_uint(&c, 4);
  r->completion_us = (int32_t)(uint32_t)get_uint(&c, 4);
  r->frames_down = (uint16_t)get_uint(&c, 2);
  r->frames_up = (uint16_t)get_uint(&c, 2);
  r->retries = (uint16_t)get_uint(&c, 2);
  r->late = (uint16_t)get_uint(&c, 2);
  r->octets_down = (uint32_t)get_uint(&c, 4);
  r->octets_up = (uint32_t)get_uint(&c, 4);
  r->airtime_us = (uint32_t)get_uint(&c, 4);
  r->processing_us = (uint32_t)get_uint(&c, 4);
  r->obes_in_zone = (uint32_t)get_uint(&c, 4);
  r->cause = (uint8_t)get_uint(&c, 1);
  r->cause_cmd = (uint8_t)get_uint(&c, 1);
  r->cause_frame = (uint8_t)get_uint(&c, 1);
  r->log_w = get_f64(&c);
  r->bias_lost = (uint32_t)get_uint(&c, 4);
  r->bias_bits = get_f32(&c);
  r->collided = (uint32_t)get_uint(&c, 4);
  r->contended = (uint32_t)get_uint(&c, 4);
  if (c.error) return c.error;
  if (r->outcome > SIM_NOT_PASS || r->completion_us < -1 || !(r->log_w == r->log_w)) return SIM_WIRE_ERR_VALUE;
  return (ssize_t)c.pos;
}
