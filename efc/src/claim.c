/* Claims as JSON lines, the commitment nonce and the tariff (docs/claims.md). */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "dsrc/hex.h"
#include "efc/claim.h"

static const char *const verdict_names[] = {"pass", "photograph", "reject"};
static const char *const reason_names[] = {"incomplete", "mac", "access-denied", "no-keys",
                                           "status-list", "protocol"};
static const char *const nonce_names[] = {"commit", "random", "time"};

const char *efc_verdict_name(int verdict) {
  return verdict >= 0 && verdict <= EFC_REJECT ? verdict_names[verdict] : "unknown";
}

size_t efc_bits_format(char *out, size_t cap, unsigned bits, const char *const *names, unsigned count) {
  size_t n = 0;
  if (cap) out[0] = '\0';
  for (unsigned i = 0; i < count; i++)
    if (bits & (1u << i)) {
      int k = snprintf(out + n, cap > n ? cap - n : 0, "%s%s", n ? "," : "", names[i]);
      if (k > 0) n += (size_t)k;
    }
  return n;
}

size_t efc_reasons_format(char *out, size_t cap, unsigned reasons) {
  return efc_bits_format(out, cap, reasons, reason_names, sizeof(reason_names) / sizeof(reason_names[0]));
}

uint32_t efc_tariff(uint8_t vehicle_class) {
  /* NOK cents per passage by unEceVehicleClass: an illustrative table, not a real one. */
  static const uint32_t fee[8] = {2500, 1000, 2500, 6000, 9000, 12000, 2500, 2500};
  return fee[vehicle_class & 7];
}

int efc_commit_with(dsrc_crypto *c, uint8_t out[4], const char *label, uint16_t station, uint8_t lane,
                    int64_t time_cs, const uint8_t salt[8]) {
  uint8_t buf[64], md[32];
  size_t n = strlen(label), mdlen = 0;
  int ok;
  if (n > 32) return DSRC_ERR_RANGE;
  memcpy(buf, label, n);
  buf[n++] = (uint8_t)(station >> 8);
  buf[n++] = (uint8_t)station;
  buf[n++] = lane;
  for (int i = 7; i >= 0; i--) buf[n++] = (uint8_t)((uint64_t)time_cs >> (8 * i));
  memcpy(buf + n, salt, 8);
  n += 8;
  if (c)
    ok = dsrc_crypto_sha256(c, md, buf, n) == 0;
  else
    ok = EVP_Q_digest(NULL, "SHA256", NULL, buf, n, md, &mdlen) && mdlen == 32;
  if (!ok) return DSRC_ERR_RANGE;
  memcpy(out, md, 4);
  return 0;
}

int efc_commit(uint8_t out[4], const char *label, uint16_t station, uint8_t lane, int64_t time_cs,
               const uint8_t salt[8]) {
  return efc_commit_with(NULL, out, label, station, lane, time_cs, salt);
}

static void set_hex(json_t *o, const char *key, const uint8_t *p, size_t n) {
  char hex[2 * EFC_ATTRLIST_MAX + 1];
  dsrc_hex_encode(hex, p, n, 0);
  json_object_set_new(o, key, json_string(hex));
}

int efc_claim_format(const efc_claim *c, char *out, size_t cap) {
  json_t *o = json_object(), *b;
  char reasons[128];
  char *s;
  int n;
  if (!o) return DSRC_ERR_NOBUF;
  json_object_set_new(o, "v", json_integer(1));
  json_object_set_new(o, "profile", json_string(efc_profile_name(c->profile)));
  json_object_set_new(o, "station", json_integer(c->station));
  json_object_set_new(o, "lane", json_integer(c->lane));
  b = json_object();
  json_object_set_new(b, "manufacturerid", json_integer(c->beacon.manufacturer_id));
  json_object_set_new(b, "individualid", json_integer(c->beacon.individual_id));
  json_object_set_new(o, "beacon", b);
  json_object_set_new(o, "time_cs", json_integer(c->time_cs));
  json_object_set_new(o, "fee", json_integer(c->fee));
  json_object_set_new(o, "class", json_integer(c->vehicle_class));
  json_object_set_new(o, "verdict", json_string(efc_verdict_name(c->verdict)));
  efc_reasons_format(reasons, sizeof(reasons), c->reasons);
  json_object_set_new(o, "reasons", json_string(reasons));
  json_object_set_new(o, "nonce_mode", json_string(nonce_names[c->nonce_mode % 3]));
  if (c->nonce_mode == EFC_NONCE_COMMIT) set_hex(o, "salt", c->salt, 8);
  if (c->has_obuid) set_hex(o, "obuid", c->obuid, 4);
  if (c->profile == EFC_PROFILE_AUTOPASS) {
    set_hex(o, "efcstatus", &c->efcstatus, 1);
    json_object_set_new(o, "tc", json_integer(c->tc));
    set_hex(o, "rnd1", c->rnd1, 4);
    set_hex(o, "t", c->t, 4);
    set_hex(o, "rnd2", c->rnd2, 4);
    set_hex(o, "keygen", &c->keygen, 1);
    set_hex(o, "mac1", c->mac1, 4);
    set_hex(o, "mac2", c->mac2, 4);
  } else {
    json_object_set_new(o, "level", json_integer(c->level));
    set_hex(o, "pan", c->pan, 10);
    set_hex(o, "provider", c->provider, 3);
    json_object_set_new(o, "counter", json_integer(c->counter));
    set_hex(o, "attrlist", c->attrlist, c->attrlist_len);
    set_hex(o, "nonce_tsp", c->nonce_tsp, 4);
    json_object_set_new(o, "keyref_tsp", json_integer(c->keyref_tsp));
    set_hex(o, "mac_tsp", c->mac_tsp, 4);
    set_hex(o, "nonce_tc", c->nonce_tc, 4);
    json_object_set_new(o, "keyref_tc", json_integer(c->keyref_tc));
    set_hex(o, "mac_tc", c->mac_tc, 4);
  }
  s = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  if (!s) return DSRC_ERR_NOBUF;
  n = (int)strlen(s);
  if ((size_t)n >= cap) n = DSRC_ERR_NOBUF;
  else memcpy(out, s, (size_t)n + 1);
  free(s);
  return n;
}

/* Field readers: each names the field in err on failure. */
static int get_int(json_t *o, const char *key, long long lo, long long hi, long long *v, char *err,
                   size_t errlen) {
  json_t *j = json_object_get(o, key);
  if (!json_is_integer(j) || json_integer_value(j) < lo || json_integer_value(j) > hi) {
    snprintf(err, errlen, "field \"%s\": missing or not an integer in %lld..%lld", key, lo, hi);
    return DSRC_ERR_JSON;
  }
  *v = json_integer_value(j);
  return 0;
}

static int get_hex(json_t *o, const char *key, uint8_t *p, size_t min, size_t max, size_t *len,
                   char *err, size_t errlen) {
  json_t *j = json_object_get(o, key);
  dsrc_ssize n = json_is_string(j) ? dsrc_hex_decode(p, max, json_string_value(j), NULL) : -1;
  if (n < (dsrc_ssize)min || n > (dsrc_ssize)max) {
    snprintf(err, errlen, "field \"%s\": missing or not %zu..%zu hex octets", key, min, max);
    return DSRC_ERR_JSON;
  }
  if (len) *len = (size_t)n;
  return 0;
}

static int get_name(json_t *o, const char *key, const char *const *names, int count, int *v,
                    char *err, size_t errlen) {
  json_t *j = json_object_get(o, key);
  if (json_is_string(j))
    for (int i = 0; i < count; i++)
      if (strcmp(names[i], json_string_value(j)) == 0) {
        *v = i;
        return 0;
      }
  snprintf(err, errlen, "field \"%s\": missing or unknown value", key);
  return DSRC_ERR_JSON;
}

static int get_profile(json_t *o, int *v, char *err, size_t errlen) {
  json_t *j = json_object_get(o, "profile");
  int p = json_is_string(j) ? efc_profile_parse(json_string_value(j)) : -1;
  if (p >= 0) {
    *v = p;
    return 0;
  }
  snprintf(err, errlen, "field \"profile\": missing or unknown value");
  return DSRC_ERR_JSON;
}

#define TRYF(x)               \
  do {                        \
    int rv_ = (x);            \
    if (rv_ != 0) goto fail;  \
  } while (0)

int efc_claim_parse(efc_claim *c, const char *line, char *err, size_t errlen) {
  json_error_t je;
  json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, &je), *b;
  long long v;
  int k;
  size_t len;
  char tmp[1];
  if (!err || !errlen) {
    err = tmp;
    errlen = sizeof(tmp);
  }
  memset(c, 0, sizeof(*c));
  if (!o || !json_is_object(o)) {
    snprintf(err, errlen, "not a JSON object (%s)", o ? "wrong type" : je.text);
    json_decref(o);
    return DSRC_ERR_JSON;
  }
  TRYF(get_int(o, "v", 1, 1, &v, err, errlen));
  TRYF(get_profile(o, &c->profile, err, errlen));
  TRYF(get_int(o, "station", 0, 65535, &v, err, errlen));
  c->station = (uint16_t)v;
  TRYF(get_int(o, "lane", 0, 255, &v, err, errlen));
  c->lane = (uint8_t)v;
  b = json_object_get(o, "beacon");
  if (!json_is_object(b)) {
    snprintf(err, errlen, "field \"beacon\": missing or not an object");
    goto fail;
  }
  TRYF(get_int(b, "manufacturerid", 0, 65535, &v, err, errlen));
  c->beacon.manufacturer_id = (uint16_t)v;
  TRYF(get_int(b, "individualid", 0, 134217727, &v, err, errlen));
  c->beacon.individual_id = (uint32_t)v;
  TRYF(get_int(o, "time_cs", 0, INT64_MAX, &v, err, errlen));
  c->time_cs = v;
  TRYF(get_int(o, "fee", 0, UINT32_MAX, &v, err, errlen));
  c->fee = (uint32_t)v;
  TRYF(get_int(o, "class", 0, 7, &v, err, errlen));
  c->vehicle_class = (uint8_t)v;
  TRYF(get_name(o, "verdict", verdict_names, 3, &c->verdict, err, errlen));
  TRYF(get_name(o, "nonce_mode", nonce_names, 3, &k, err, errlen));
  c->nonce_mode = (uint8_t)k;
  if (c->nonce_mode == EFC_NONCE_COMMIT) TRYF(get_hex(o, "salt", c->salt, 8, 8, NULL, err, errlen));
  c->has_obuid = json_object_get(o, "obuid") != NULL;
  if (c->has_obuid) TRYF(get_hex(o, "obuid", c->obuid, 4, 4, NULL, err, errlen));
  if (c->profile == EFC_PROFILE_AUTOPASS) {
    TRYF(get_hex(o, "efcstatus", &c->efcstatus, 1, 1, NULL, err, errlen));
    TRYF(get_int(o, "tc", 0, 65535, &v, err, errlen));
    c->tc = (uint16_t)v;
    TRYF(get_hex(o, "rnd1", c->rnd1, 4, 4, NULL, err, errlen));
    TRYF(get_hex(o, "t", c->t, 4, 4, NULL, err, errlen));
    TRYF(get_hex(o, "rnd2", c->rnd2, 4, 4, NULL, err, errlen));
    TRYF(get_hex(o, "keygen", &c->keygen, 1, 1, NULL, err, errlen));
    TRYF(get_hex(o, "mac1", c->mac1, 4, 4, NULL, err, errlen));
    TRYF(get_hex(o, "mac2", c->mac2, 4, 4, NULL, err, errlen));
  } else {
    TRYF(get_int(o, "level", 0, 1, &v, err, errlen));
    c->level = (uint8_t)v;
    TRYF(get_hex(o, "pan", c->pan, 10, 10, NULL, err, errlen));
    TRYF(get_hex(o, "provider", c->provider, 3, 3, NULL, err, errlen));
    TRYF(get_int(o, "counter", 0, 4095, &v, err, errlen));
    c->counter = (uint16_t)v;
    /* Empty, with keyRefs 0, when the transaction stopped before that GET_STAMPED was
     * answered (Level 1 access denied): the claim then proves nothing, and says so. */
    TRYF(get_hex(o, "attrlist", c->attrlist, 0, EFC_ATTRLIST_MAX, &len, err, errlen));
    c->attrlist_len = (uint8_t)len;
    TRYF(get_hex(o, "nonce_tsp", c->nonce_tsp, 4, 4, NULL, err, errlen));
    TRYF(get_int(o, "keyref_tsp", 0, 8, &v, err, errlen));
    c->keyref_tsp = (uint8_t)v;
    TRYF(get_hex(o, "mac_tsp", c->mac_tsp, 4, 4, NULL, err, errlen));
    TRYF(get_hex(o, "nonce_tc", c->nonce_tc, 4, 4, NULL, err, errlen));
    TRYF(get_int(o, "keyref_tc", 0, 8, &v, err, errlen));
    c->keyref_tc = (uint8_t)v;
    TRYF(get_hex(o, "mac_tc", c->mac_tc, 4, 4, NULL, err, errlen));
  }
  json_decref(o);
  return 0;
fail:
  json_decref(o);
  return DSRC_ERR_JSON;
}
