/* Public PER entry points of the codec, and the T-APDU builders. */
#include <string.h>

#include "codec.h"

/* A whole top-level PER encoding: the value, then zero padding to an octet boundary. */
static dsrc_ssize per_top(bool enc, enum v_top k, void *value, void *ctx, const uint8_t *buf,
                          size_t len, size_t *bitpos) {
  visitor v;
  int rv;
  v_init_per(&v, enc, buf, len);
  rv = enc ? v_top_per_enc(&v, k, value, ctx) : v_top_per_dec(&v, k, value, ctx);
  if (rv == 0) rv = per_pad(&v.per);
  if (bitpos) *bitpos = v.per.pos;
  return rv != 0 ? rv : (dsrc_ssize)(v.per.pos >> 3);
}

/* Encoding reads value and ctx only; the casts let one walker serve both directions. */
#define PER_ENCODE(k, value, ctx, buf, cap) \
  per_top(true, k, (void *)(uintptr_t)(value), (void *)(uintptr_t)(ctx), buf, cap, NULL)

/* The union member each kind uses: a builder fills only that one, so only it is cleared
 * (the whole union is 2 KiB). */
static const size_t member_size[DSRC_TAPDU_KINDS] = {
    [DSRC_ACTION_RQ] = sizeof(dsrc_request),   [DSRC_ACTION_RS] = sizeof(dsrc_action_rs),
    [DSRC_EVENT_RQ] = sizeof(dsrc_request),    [DSRC_EVENT_RS] = 0,
    [DSRC_SET_RQ] = sizeof(dsrc_set_rq),       [DSRC_SET_RS] = sizeof(dsrc_set_rs),
    [DSRC_GET_RQ] = sizeof(dsrc_get_rq),       [DSRC_GET_RS] = sizeof(dsrc_get_rs),
    [DSRC_BST] = sizeof(dsrc_bst),             [DSRC_VST] = sizeof(dsrc_vst),
};

void dsrc_tapdu_init(dsrc_tapdu *t, enum dsrc_tapdu_kind kind) {
  memset(&t->u, 0, (unsigned)kind < DSRC_TAPDU_KINDS ? member_size[kind] : sizeof(t->u));
  t->kind = (uint8_t)kind;
  t->npool = 0;
}

bool dsrc_vehicle_class_canonical(dsrc_vehicle_class *k) {
  bool trailer = k->has_trailer && k->trailer == 0, local = k->has_local && k->local == 0;
  k->has_trailer &= !trailer;
  k->has_local &= !local;
  return trailer || local;
}

static bool container_canonical(dsrc_container *c) {
  return c->kind == DSRC_C_VEHCLASS && dsrc_vehicle_class_canonical(&c->u.vehicle_class);
}

bool dsrc_tapdu_canonical(dsrc_tapdu *t) {
  bool changed = false;
  /* Every container is a request's or response's parameter or an attribute in the pool. */
  switch (t->kind) {
  case DSRC_ACTION_RQ:
    changed |= t->u.action_rq.has_parameter && container_canonical(&t->u.action_rq.parameter);
    break;
  case DSRC_EVENT_RQ:
    changed |= t->u.event_rq.has_parameter && container_canonical(&t->u.event_rq.parameter);
    break;
  case DSRC_ACTION_RS:
    changed |= t->u.action_rs.has_parameter && container_canonical(&t->u.action_rs.parameter);
    break;
  default:
    break;
  }
  for (unsigned i = 0; i < t->npool && i < DSRC_POOL_MAX; i++) changed |= container_canonical(&t->pool[i].value);
  return changed;
}

dsrc_attribute *dsrc_tapdu_attrs_alloc(dsrc_tapdu *t, dsrc_attr_list *list, unsigned n) {
  if ((unsigned)t->npool + n > DSRC_POOL_MAX) return NULL;
  list->first = t->npool;
  list->count = (uint8_t)n;
  t->npool = (uint8_t)(t->npool + n);
  memset(&t->pool[list->first], 0, n * sizeof(t->pool[0]));
  return &t->pool[list->first];
}

dsrc_ssize dsrc_tapdu_decode(dsrc_tapdu *t, const uint8_t *buf, size_t len, size_t *bitpos) {
  return per_top(false, V_TOP_TAPDU, t, NULL, buf, len, bitpos);
}

dsrc_ssize dsrc_tapdu_encode(uint8_t *buf, size_t cap, const dsrc_tapdu *t) {
  return PER_ENCODE(V_TOP_TAPDU, t, NULL, buf, cap);
}

dsrc_ssize dsrc_beacon_id_decode(dsrc_beacon_id *b, const uint8_t *buf, size_t len,
                                 size_t *bitpos) {
  return per_top(false, V_TOP_BEACON_ID, b, NULL, buf, len, bitpos);
}

dsrc_ssize dsrc_beacon_id_encode(uint8_t *buf, size_t cap, const dsrc_beacon_id *b) {
  return PER_ENCODE(V_TOP_BEACON_ID, b, NULL, buf, cap);
}

dsrc_ssize dsrc_context_mark_decode(dsrc_context_mark *m, const uint8_t *buf, size_t len,
                                    size_t *bitpos) {
  return per_top(false, V_TOP_CONTEXT_MARK, m, NULL, buf, len, bitpos);
}

dsrc_ssize dsrc_context_mark_encode(uint8_t *buf, size_t cap, const dsrc_context_mark *m) {
  return PER_ENCODE(V_TOP_CONTEXT_MARK, m, NULL, buf, cap);
}

dsrc_ssize dsrc_bst_decode(dsrc_bst *b, const uint8_t *buf, size_t len, size_t *bitpos) {
  return per_top(false, V_TOP_BST, b, NULL, buf, len, bitpos);
}

dsrc_ssize dsrc_bst_encode(uint8_t *buf, size_t cap, const dsrc_bst *b) {
  return PER_ENCODE(V_TOP_BST, b, NULL, buf, cap);
}

dsrc_ssize dsrc_attr_list_encode(uint8_t *buf, size_t cap, const dsrc_tapdu *t,
                                 dsrc_attr_list list) {
  return PER_ENCODE(V_TOP_ATTR_LIST, &list, t, buf, cap);
}

dsrc_ssize dsrc_bits_copy(uint8_t *out, size_t cap, const uint8_t *in, size_t len, size_t from, size_t to) {
  per_codec c;
  size_t n = 0;
  if (to < from || to > len * 8) return DSRC_ERR_RANGE;
  if ((to - from + 7) / 8 > cap) return DSRC_ERR_NOBUF;
  /* The reader stops at to: a short last octet is padded with zeros. */
  per_init_dec(&c, in, len);
  c.pos = from;
  c.nbits = to;
  /* Four octets per read: the list is copied for every GET_STAMPED a lane verifies. */
  while (to - c.pos >= 32) {
    uint32_t x;
    int rv = per_bits(&c, 32, &x);
    if (rv != 0) return rv;
    out[n++] = (uint8_t)(x >> 24);
    out[n++] = (uint8_t)(x >> 16);
    out[n++] = (uint8_t)(x >> 8);
    out[n++] = (uint8_t)x;
  }
  while (c.pos < to) {
    unsigned k = to - c.pos < 8 ? (unsigned)(to - c.pos) : 8;
    uint32_t x;
    int rv = per_bits(&c, k, &x);
    if (rv != 0) return rv;
    out[n++] = (uint8_t)(x << (8 - k));
  }
  return (dsrc_ssize)n;
}

dsrc_ssize dsrc_attr_list_decode(dsrc_tapdu *t, dsrc_attr_list *list, const uint8_t *buf, size_t len,
                                 size_t *bitpos) {
  return per_top(false, V_TOP_ATTR_LIST, list, t, buf, len, bitpos);
}
