/* The JER (ITU-T X.697) half of the visitor: values as jansson trees. Errors carry the JSON
 * path of the offending member. */
#include <stdio.h>
#include <string.h>

#include "dsrc/hex.h"
#include "visit.h"

static vframe *top(visitor *v) { return &v->stack[v->depth - 1]; }

static int push(visitor *v, json_t *node, json_t *parent, const char *key, int index) {
  if (v->depth >= V_STACK_MAX) return vj_fail(v, key, DSRC_ERR_LIMIT, "nested too deep");
  v->stack[v->depth].node = node;
  v->stack[v->depth].parent = parent;
  v->stack[v->depth].key = key;
  v->stack[v->depth].alt = NULL;
  v->stack[v->depth].index = index;
  v->stack[v->depth].check = false;
  v->stack[v->depth].nseen = 0;
  v->depth++;
  return 0;
}

/* X.697 has no place for members a type does not name: a misspelt optional member would
 * otherwise vanish silently. */
static void check_members(visitor *v) {
  vframe *f = top(v);
  const char *key;
  json_t *val;
  json_object_foreach(f->node, key, val) {
    bool known = false;
    for (unsigned i = 0; i < f->nseen && !known; i++) known = strcmp(v->seen[v->depth - 1][i], key) == 0;
    if (!known && v->late_err == 0) {
      char why[96];
      snprintf(why, sizeof(why), "unknown member \"%.60s\"", key);
      v->late_err = vj_fail(v, NULL, DSRC_ERR_JSON, why);
    }
  }
}

void vj_pop(visitor *v) {
  if (v->depth == 0) return;
  if (v->mode == VM_JER_DEC && top(v)->check) check_members(v);
  v->depth--;
}

void vj_init_dec(visitor *v, json_t *root) {
  v->mode = VM_JER_DEC;
  v->depth = 0;
  v->root = root;
  v->err[0] = '\0';
  v->late_err = 0;
  push(v, root, NULL, NULL, -1);
}

void vj_init_enc(visitor *v) {
  v->mode = VM_JER_ENC;
  v->depth = 0;
  v->root = NULL;
  v->err[0] = '\0';
  v->late_err = 0;
  push(v, NULL, NULL, NULL, -1);
}

/* "getRequest.attrIdList[2]" for the current position, name appended when given. */
static void path(const visitor *v, const char *name, char *out, size_t cap) {
  size_t n = 0;
  out[0] = '\0';
  for (unsigned i = 0; i < v->depth && n < cap; i++) {
    const vframe *f = &v->stack[i];
    if (f->key) n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? "." : "", f->key);
    if (f->alt && n < cap) n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? "." : "", f->alt);
    if (f->index >= 0 && n < cap) n += (size_t)snprintf(out + n, cap - n, "[%d]", f->index);
  }
  if (name && n < cap) snprintf(out + n, cap - n, "%s%s", n ? "." : "", name);
  if (out[0] == '\0') snprintf(out, cap, "(top level)");
}

int vj_fail(visitor *v, const char *name, int err, const char *why) {
  char p[120];
  path(v, name, p, sizeof(p));
  snprintf(v->err, sizeof(v->err), "%s: %s", p, why ? why : dsrc_strerror(err));
  return err;
}

/* Decode: the member name of the current object, or the current value itself. */
static int get(visitor *v, const char *name, json_t **out) {
  json_t *node = top(v)->node;
  if (!name) {
    *out = node;
    return 0;
  }
  if (!json_is_object(node)) return vj_fail(v, NULL, DSRC_ERR_JSON, "expected an object");
  *out = json_object_get(node, name);
  if (!*out) return vj_fail(v, name, DSRC_ERR_JSON, "missing member");
  if (top(v)->check && top(v)->nseen < V_MEMBERS_MAX)
    v->seen[v->depth - 1][top(v)->nseen++] = name;
  return 0;
}

/* Encode: store val under name in the current object, or fill the current slot. */
static int put(visitor *v, const char *name, json_t *val) {
  vframe *f = top(v);
  if (!val) return DSRC_ERR_NOBUF;
  if (name) {
    json_object_set_new(f->node, name, val);
    return 0;
  }
  if (!f->parent)
    v->root = val;
  else if (json_is_array(f->parent))
    json_array_append_new(f->parent, val);
  else
    json_object_set_new(f->parent, f->alt, val);
  f->node = val;
  return 0;
}

int vj_uint(visitor *v, const char *name, uint32_t max, uint32_t *x) {
  json_t *j = NULL;
  json_int_t n;
  if (v->mode == VM_JER_ENC) {
    if (*x > max) return DSRC_ERR_RANGE;
    return put(v, name, json_integer((json_int_t)*x));
  }
  if (get(v, name, &j) != 0) return DSRC_ERR_JSON;
  if (!json_is_integer(j)) return vj_fail(v, name, DSRC_ERR_JSON, "expected an integer");
  n = json_integer_value(j);
  if (n < 0 || (unsigned long long)n > max) {
    char why[64];
    snprintf(why, sizeof(why), "value %lld outside 0..%lu", (long long)n, (unsigned long)max);
    return vj_fail(v, name, DSRC_ERR_RANGE, why);
  }
  *x = (uint32_t)n;
  return 0;
}

int vj_int64(visitor *v, const char *name, int64_t *x) {
  json_t *j = NULL;
  if (v->mode == VM_JER_ENC) return put(v, name, json_integer((json_int_t)*x));
  if (get(v, name, &j) != 0) return DSRC_ERR_JSON;
  if (!json_is_integer(j)) return vj_fail(v, name, DSRC_ERR_JSON, "expected an integer");
  *x = (int64_t)json_integer_value(j);
  return 0;
}

int vj_bool(visitor *v, const char *name, bool *x) {
  json_t *j = NULL;
  if (v->mode == VM_JER_ENC) return put(v, name, json_boolean(*x));
  if (get(v, name, &j) != 0) return DSRC_ERR_JSON;
  if (!json_is_boolean(j)) return vj_fail(v, name, DSRC_ERR_JSON, "expected true or false");
  *x = json_is_true(j);
  return 0;
}

static int get_hex(visitor *v, const char *name, uint8_t *p, size_t *len, size_t min, size_t max) {
  json_t *j = NULL;
  const char *s;
  dsrc_ssize n;
  if (get(v, name, &j) != 0) return DSRC_ERR_JSON;
  if (!json_is_string(j)) return vj_fail(v, name, DSRC_ERR_JSON, "expected a hex string");
  s = json_string_value(j);
  if (strlen(s) > 2 * max) {
    char why[64];
    snprintf(why, sizeof(why), "more than %zu octets", max);
    return vj_fail(v, name, max == min ? DSRC_ERR_CONSTRAINT : DSRC_ERR_LIMIT, why);
  }
  n = dsrc_hex_decode(p, max, s, NULL);
  if (n < 0) return vj_fail(v, name, (int)n, NULL);
  if ((size_t)n < min) {
    char why[96];
    snprintf(why, sizeof(why), "%zd octets where %zu are required", n, min);
    return vj_fail(v, name, DSRC_ERR_CONSTRAINT, why);
  }
  *len = (size_t)n;
  return 0;
}

int vj_octets(visitor *v, const char *name, uint8_t *p, size_t *len, size_t min, size_t max) {
  if (v->mode == VM_JER_ENC) {
    char hex[2 * DSRC_OCTETS_MAX + 1];
    if (*len > max || *len > DSRC_OCTETS_MAX) return DSRC_ERR_LIMIT;
    dsrc_hex_encode(hex, p, *len, 0);
    return put(v, name, json_string(hex));
  }
  return get_hex(v, name, p, len, min, max);
}

int vj_bits(visitor *v, const char *name, unsigned n, uint32_t *x) {
  /* Left-aligned in whole octets: a 10-bit value 1011001010 is "b280". */
  uint8_t b[4] = {0};
  size_t octets = (n + 7) / 8, len = 0;
  uint32_t pad = (uint32_t)(octets * 8 - n), word;
  if (v->mode == VM_JER_ENC) {
    char hex[9];
    if (n < 32 && (*x >> n) != 0) return DSRC_ERR_RANGE;
    word = *x << pad;
    for (size_t i = 0; i < octets; i++) b[i] = (uint8_t)(word >> (8 * (octets - 1 - i)));
    dsrc_hex_encode(hex, b, octets, 0);
    return put(v, name, json_string(hex));
  }
  if (get_hex(v, name, b, &len, octets, octets) != 0) return DSRC_ERR_JSON;
  word = 0;
  for (size_t i = 0; i < octets; i++) word = (word << 8) | b[i];
  if (pad && (word & ((1u << pad) - 1)) != 0)
    return vj_fail(v, name, DSRC_ERR_CONSTRAINT, "bits beyond the string's size are set");
  *x = word >> pad;
  return 0;
}

int vj_enum(visitor *v, const char *name, const char *const *names, unsigned count, uint8_t *idx) {
  json_t *j = NULL;
  if (v->mode == VM_JER_ENC) return put(v, name, json_string(names[*idx]));
  if (get(v, name, &j) != 0) return DSRC_ERR_JSON;
  if (!json_is_string(j)) return vj_fail(v, name, DSRC_ERR_JSON, "expected an identifier");
  for (unsigned i = 0; i < count; i++)
    if (strcmp(names[i], json_string_value(j)) == 0) {
      *idx = (uint8_t)i;
      return 0;
    }
  return vj_fail(v, name, DSRC_ERR_CHOICE, "unknown identifier");
}

int vj_present(visitor *v, const char *name, bool *has) {
  json_t *node = top(v)->node;
  if (v->mode == VM_JER_ENC) return 0;
  if (!json_is_object(node)) return vj_fail(v, NULL, DSRC_ERR_JSON, "expected an object");
  *has = json_object_get(node, name) != NULL;
  return 0;
}

int vj_seq_begin(visitor *v, const char *name) {
  json_t *j = NULL;
  if (v->mode == VM_JER_ENC) {
    j = json_object();
    if (put(v, name, j) != 0) return DSRC_ERR_NOBUF;
    return push(v, j, NULL, name, -1);
  }
  if (get(v, name, &j) != 0) return DSRC_ERR_JSON;
  if (!json_is_object(j)) return vj_fail(v, name, DSRC_ERR_JSON, "expected an object");
  if (push(v, j, NULL, name, -1) != 0) return DSRC_ERR_LIMIT;
  top(v)->check = true;
  return 0;
}

int vj_list_begin(visitor *v, const char *name, uint8_t *count, unsigned max) {
  json_t *j = NULL;
  if (v->mode == VM_JER_ENC) {
    j = json_array();
    if (put(v, name, j) != 0) return DSRC_ERR_NOBUF;
    return push(v, j, NULL, name, -1);
  }
  if (get(v, name, &j) != 0) return DSRC_ERR_JSON;
  if (!json_is_array(j)) return vj_fail(v, name, DSRC_ERR_JSON, "expected an array");
  if (json_array_size(j) > max) {
    char why[64];
    snprintf(why, sizeof(why), "%zu items, efcsim holds at most %u", json_array_size(j), max);
    return vj_fail(v, name, DSRC_ERR_LIMIT, why);
  }
  *count = (uint8_t)json_array_size(j);
  return push(v, j, NULL, name, -1);
}

int vj_item_begin(visitor *v, unsigned i) {
  json_t *arr = top(v)->node;
  if (v->mode == VM_JER_ENC) return push(v, NULL, arr, NULL, (int)i);
  return push(v, json_array_get(arr, i), NULL, NULL, (int)i);
}

int vj_choice_begin(visitor *v, const char *name, const char *const *names, unsigned count,
                    uint8_t *idx) {
  json_t *j = NULL;
  const char *key;
  if (v->mode == VM_JER_ENC) {
    j = json_object();
    if (put(v, name, j) != 0 || push(v, NULL, j, name, -1) != 0) return DSRC_ERR_NOBUF;
    top(v)->alt = names[*idx];
    return 0;
  }
  if (get(v, name, &j) != 0) return DSRC_ERR_JSON;
  if (!json_is_object(j) || json_object_size(j) != 1)
    return vj_fail(v, name, DSRC_ERR_JSON, "a CHOICE is an object with exactly one member");
  key = json_object_iter_key(json_object_iter(j));
  for (unsigned i = 0; i < count; i++)
    if (strcmp(names[i], key) == 0) {
      *idx = (uint8_t)i;
      if (push(v, json_object_get(j, key), NULL, name, -1) != 0) return DSRC_ERR_LIMIT;
      top(v)->alt = names[i];
      return 0;
    }
  {
    char why[96];
    snprintf(why, sizeof(why), "unknown alternative \"%.60s\"", key);
    return vj_fail(v, name, DSRC_ERR_CHOICE, why);
  }
}

int vj_null(visitor *v) {
  if (v->mode == VM_JER_ENC) return put(v, NULL, json_null());
  if (!json_is_null(top(v)->node)) return vj_fail(v, NULL, DSRC_ERR_JSON, "expected null");
  return 0;
}
