/* One description per ASN.1 type, four uses: a visitor walks a value and either decodes or
 * encodes it in unaligned PER (X.691) or in JER (X.697). Descriptions call v_* operations
 * in PER order; JER uses the component names they pass. PER stays inline: it is the hot
 * path. Internal to the dsrc library. */
#ifndef DSRC_VISIT_H
#define DSRC_VISIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "dsrc/tapdu.h"
#include "per.h"

#define V_STACK_MAX 32

typedef struct {
  json_t *node;      /* JER decode: the value here; encode: the container being filled */
  json_t *parent;    /* JER encode of a slot: where its value goes */
  const char *key;   /* member name (for the path) */
  const char *alt;   /* CHOICE frames: the alternative (path, and its key in the parent) */
  int index;         /* array index for the path, or -1 */
  bool check;        /* JER decode of a SEQUENCE: members must all be known */
  uint8_t nseen;     /* members read so far (check) */
} vframe;

#define V_MEMBERS_MAX 24

typedef struct {
  vmode mode;
  per_codec per;
  unsigned depth;
  vframe stack[V_STACK_MAX];
  json_t *root;      /* JER encode result */
  char err[256];     /* JER error: path and reason */
  int late_err;      /* JER decode: an unknown member found when a SEQUENCE ended */
  const char *seen[V_STACK_MAX][V_MEMBERS_MAX];
} visitor;

#define TRY(x)                 \
  do {                         \
    int rv_ = (x);             \
    if (rv_ != 0) return rv_;  \
  } while (0)

#ifdef V_FIXED_MODE
static inline vmode v_mode(const visitor *v) {
  (void)v;
  return V_FIXED_MODE;
}
#else
static inline vmode v_mode(const visitor *v) { return v->mode; }
#endif

static inline bool v_is_per(const visitor *v) { return v_mode(v) <= VM_PER_ENC; }
static inline bool v_dec(const visitor *v) { return v_mode(v) == VM_PER_DEC || v_mode(v) == VM_JER_DEC; }

/* JER halves, in visit_jer.c. */
int vj_uint(visitor *v, const char *name, uint32_t max, uint32_t *x);
int vj_int64(visitor *v, const char *name, int64_t *x);
int vj_bool(visitor *v, const char *name, bool *x);
int vj_bits(visitor *v, const char *name, unsigned n, uint32_t *x);
int vj_octets(visitor *v, const char *name, uint8_t *p, size_t *len, size_t min, size_t max);
int vj_enum(visitor *v, const char *name, const char *const *names, unsigned count, uint8_t *idx);
int vj_present(visitor *v, const char *name, bool *has);
int vj_seq_begin(visitor *v, const char *name);
int vj_list_begin(visitor *v, const char *name, uint8_t *count, unsigned max);
int vj_item_begin(visitor *v, unsigned i);
int vj_choice_begin(visitor *v, const char *name, const char *const *names, unsigned count,
                    uint8_t *idx);
int vj_null(visitor *v);
int vj_fail(visitor *v, const char *name, int err, const char *why);
void vj_pop(visitor *v);
void vj_init_dec(visitor *v, json_t *root);
void vj_init_enc(visitor *v);

static inline void v_init_per(visitor *v, bool enc, const uint8_t *buf, size_t len) {
  v->mode = enc ? VM_PER_ENC : VM_PER_DEC;
  if (enc)
    per_init_enc(&v->per, (uint8_t *)(uintptr_t)buf, len);
  else
    per_init_dec(&v->per, buf, len);
  v->depth = 0;
}

/* Unsigned integer constrained to 0..2^n-1: n bits in PER, a number in JER. */
static inline int v_uint(visitor *v, const char *name, unsigned n, uint32_t *x) {
  if (v_is_per(v)) return per_bits(&v->per, n, x);
  return vj_uint(v, name, n >= 32 ? UINT32_MAX : (1u << n) - 1, x);
}

static inline int v_u8(visitor *v, const char *name, unsigned n, uint8_t *x) {
  uint32_t t = v_dec(v) ? 0 : *x;
  int rv;
  if (v_is_per(v)) return per_u8(&v->per, n, x);
  rv = vj_uint(v, name, (1u << n) - 1, &t);
  if (rv == 0 && v_dec(v)) *x = (uint8_t)t;
  return rv;
}

static inline int v_u16(visitor *v, const char *name, unsigned n, uint16_t *x) {
  uint32_t t = v_dec(v) ? 0 : *x;
  int rv;
  if (v_is_per(v)) return per_u16(&v->per, n, x);
  rv = vj_uint(v, name, (1u << n) - 1, &t);
  if (rv == 0 && v_dec(v)) *x = (uint16_t)t;
  return rv;
}

/* Constrained lo..hi in n bits (lo = 0 here; the one offset type, the year, is handled by
 * its description). */
static inline int v_range8(visitor *v, const char *name, unsigned n, uint8_t hi, uint8_t *x) {
  uint32_t t = v_dec(v) ? 0 : *x;
  int rv;
  if (v_is_per(v)) return per_range8(&v->per, n, 0, hi, x);
  rv = vj_uint(v, name, hi, &t);
  if (rv == 0 && v_dec(v)) *x = (uint8_t)t;
  return rv;
}

/* INTEGER(0..2^n-1,...) / SIZE(...,...): extension bit + n bits; root values only. */
static inline int v_ext(visitor *v, const char *name, unsigned n, uint8_t *x) {
  uint32_t t = v_dec(v) ? 0 : *x;
  int rv;
  if (v_is_per(v)) return per_ext_small(&v->per, n, x);
  rv = vj_uint(v, name, (1u << n) - 1, &t);
  if (rv == 0 && v_dec(v)) *x = (uint8_t)t;
  return rv;
}

static inline int v_ext7(visitor *v, const char *name, uint8_t *x) { return v_ext(v, name, 7, x); }

static inline int v_bool(visitor *v, const char *name, bool *x) {
  if (v_is_per(v)) return per_bool(&v->per, x);
  return vj_bool(v, name, x);
}

/* Fixed-size BIT STRING of n bits (held right-aligned in x): JER shows it left-aligned hex. */
static inline int v_bits(visitor *v, const char *name, unsigned n, uint32_t *x) {
  if (v_is_per(v)) return per_bits(&v->per, n, x);
  return vj_bits(v, name, n, x);
}

static inline int v_bits8(visitor *v, const char *name, unsigned n, uint8_t *x) {
  uint32_t t = v_dec(v) ? 0 : *x;
  int rv = v_bits(v, name, n, &t);
  if (rv == 0 && v_dec(v)) *x = (uint8_t)t;
  return rv;
}

static inline int v_bits16(visitor *v, const char *name, unsigned n, uint16_t *x) {
  uint32_t t = v_dec(v) ? 0 : *x;
  int rv = v_bits(v, name, n, &t);
  if (rv == 0 && v_dec(v)) *x = (uint16_t)t;
  return rv;
}

/* OCTET STRING (SIZE(n)). */
static inline int v_octets_fixed(visitor *v, const char *name, uint8_t *p, size_t n) {
  size_t len = n;
  if (v_is_per(v)) return per_octets_fixed(&v->per, p, n);
  return vj_octets(v, name, p, &len, n, n);
}

/* OCTET STRING (SIZE(0..127,...)): extension bit + 7-bit length. */
static inline int v_octets127(visitor *v, const char *name, dsrc_octets *o) {
  size_t len = v_dec(v) ? 0 : o->len;
  int rv;
  if (v_is_per(v)) {
    if ((rv = per_ext7(&v->per, &o->len)) != 0) return rv;
    return per_octets_fixed(&v->per, o->data, o->len);
  }
  rv = vj_octets(v, name, o->data, &len, 0, DSRC_OCTETS_MAX);
  if (rv == 0 && v_dec(v)) o->len = (uint8_t)len;
  return rv;
}

/* Unconstrained OCTET STRING: length determinant, then the octets. */
static inline int v_octets_open(visitor *v, const char *name, dsrc_octets *o) {
  size_t len = v_dec(v) ? 0 : o->len;
  int rv;
  if (v_is_per(v)) {
    size_t at = v->per.pos;
    if ((rv = per_length(&v->per, &len)) != 0) return rv;
    if ((rv = per_check_limit(&v->per, len, DSRC_OCTETS_MAX, at)) != 0) return rv;
    if (v_dec(v)) o->len = (uint8_t)len;
    return per_octets_fixed(&v->per, o->data, len);
  }
  rv = vj_octets(v, name, o->data, &len, 0, DSRC_OCTETS_MAX);
  if (rv == 0 && v_dec(v)) o->len = (uint8_t)len;
  return rv;
}

/* ENUMERATED without extension: the index in n bits; JER uses the identifier. */
static inline int v_enum(visitor *v, const char *name, const char *const *names, unsigned count,
                         unsigned n, uint8_t *idx) {
  if (v_is_per(v)) {
    size_t at = v->per.pos;
    int rv;
    if (v_mode(v) == VM_PER_ENC && *idx >= count) return DSRC_ERR_RANGE;
    if ((rv = per_u8(&v->per, n, idx)) != 0) return rv;
    if (*idx >= count) {
      v->per.pos = at;
      return DSRC_ERR_CHOICE;
    }
    return 0;
  }
  return vj_enum(v, name, names, count, idx);
}

/* Presence bit of an OPTIONAL or DEFAULT component; in JER, whether the member is there. */
static inline int v_present(visitor *v, const char *name, bool *has) {
  if (v_is_per(v)) return per_bool(&v->per, has);
  return vj_present(v, name, has);
}

static inline int v_seq_begin(visitor *v, const char *name) {
  return v_is_per(v) ? 0 : vj_seq_begin(v, name);
}

static inline void v_end(visitor *v) {
  if (!v_is_per(v)) vj_pop(v);
}

/* SEQUENCE (SIZE(0..127,...)) OF: extension bit + 7-bit count, at most max items. */
static inline int v_list_begin(visitor *v, const char *name, uint8_t *count, unsigned max) {
  if (v_is_per(v)) {
    size_t at = v->per.pos;
    int rv = per_ext7(&v->per, count);
    if (rv == 0) rv = per_check_limit(&v->per, *count, max, at);
    return rv;
  }
  return vj_list_begin(v, name, count, max);
}

static inline int v_item_begin(visitor *v, unsigned i) {
  return v_is_per(v) ? 0 : vj_item_begin(v, i);
}

/* CHOICE: an index of n bits, after an extension bit when ext; JER uses the names. */
static inline int v_choice_begin(visitor *v, const char *name, const char *const *names,
                                 unsigned count, bool ext, unsigned n, uint8_t *idx) {
  if (v_is_per(v)) {
    size_t at = v->per.pos;
    int rv = ext ? per_ext_small(&v->per, n, idx) : per_u8(&v->per, n, idx);
    if (rv != 0) return rv;
    if (*idx >= count && v_mode(v) == VM_PER_ENC) return DSRC_ERR_RANGE;
    if (*idx >= count) {
      v->per.pos = at;
      return DSRC_ERR_CHOICE;
    }
    return 0;
  }
  if (v_mode(v) == VM_JER_ENC && *idx >= count) return DSRC_ERR_RANGE;
  return vj_choice_begin(v, name, names, count, idx);
}

static inline int v_null(visitor *v) { return v_is_per(v) ? 0 : vj_null(v); }

/* Marks an error found by a description; in PER the position is reset to at. */
static inline int v_fail_at(visitor *v, size_t at, const char *name, int err, const char *why) {
  if (v_is_per(v)) {
    v->per.pos = at;
    return err;
  }
  return vj_fail(v, name, err, why);
}

static inline size_t v_pos(const visitor *v) { return v->per.pos; }

#endif
