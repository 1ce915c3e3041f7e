/* Attack files (scenarios/attacks/tNN-*.yaml): which threat, and its parameters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "security/attack.h"
#include "sim/yaml.h"

typedef struct {
  char *threat, *title, *attacker, *nonce_mode;
  uint64_t *seed;
  unsigned *passages, *counter_back, *fee_change;
  double *ber, *keysearch_seconds;
  bool *rogue_beacon;
} y_attack;

static const cyaml_schema_field_t attack_fields[] = {
    CYAML_FIELD_STRING_PTR("threat", CYAML_FLAG_POINTER, y_attack, threat, 2, 3),
    CYAML_FIELD_STRING_PTR("title", CYAML_FLAG_POINTER, y_attack, title, 1, 95),
    CYAML_FIELD_STRING_PTR("attacker", CYAML_FLAG_POINTER, y_attack, attacker, 1, 63),
    CYAML_FIELD_UINT_PTR("seed", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, y_attack, seed),
    CYAML_FIELD_UINT_PTR("passages", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, y_attack, passages),
    CYAML_FIELD_FLOAT_PTR("ber", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, y_attack, ber),
    CYAML_FIELD_BOOL_PTR("rogue_beacon", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, y_attack, rogue_beacon),
    CYAML_FIELD_STRING_PTR("nonce_mode", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, y_attack, nonce_mode, 4, 6),
    CYAML_FIELD_UINT_PTR("counter_back", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, y_attack, counter_back),
    CYAML_FIELD_UINT_PTR("fee_change", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, y_attack, fee_change),
    CYAML_FIELD_FLOAT_PTR("keysearch_seconds", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, y_attack,
                          keysearch_seconds),
    CYAML_FIELD_END};

static const cyaml_schema_value_t attack_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, y_attack, attack_fields),
};

void sec_params_default(sec_params *p) {
  memset(p, 0, sizeof(*p));
  p->seed = 1;
  p->passages = 3;
  p->nonce_mode = EFC_NONCE_COMMIT;
  p->counter_back = 5;
  p->fee_change = 100;
  p->keysearch_seconds = 2;
}

static int bad(char *err, size_t errlen, const char *path, const char *field, const char *why) {
  unsigned line = sim_yaml_key_line(path, field);
  snprintf(err, errlen, "%s:%u: %s: %s", path, line ? line : 1, field, why);
  return -1;
}

int sec_params_load(sec_params *p, const char *path, char *err, size_t errlen) {
  y_attack *y;
  int rv = 0;
  sec_params_default(p);
  if (sim_yaml_load(path, &attack_schema, (void **)&y, err, errlen) != 0) return -1;
  snprintf(p->threat, sizeof(p->threat), "%s", y->threat);
  snprintf(p->title, sizeof(p->title), "%s", y->title);
  snprintf(p->attacker, sizeof(p->attacker), "%s", y->attacker);
  if (!sec_threat_find(p->threat)) rv = bad(err, errlen, path, "threat", "not one of T1..T15");
  if (y->seed) p->seed = *y->seed;
  if (y->passages) p->passages = *y->passages;
  if (rv == 0 && (p->passages < 1 || p->passages > 20)) rv = bad(err, errlen, path, "passages", "expected 1..20");
  if (y->ber) p->ber = *y->ber;
  if (rv == 0 && !(p->ber >= 0 && p->ber < 0.01)) rv = bad(err, errlen, path, "ber", "expected 0 <= ber < 0.01");
  if (y->rogue_beacon) p->rogue_beacon = *y->rogue_beacon;
  if (y->nonce_mode) {
    if (strcmp(y->nonce_mode, "commit") == 0) p->nonce_mode = EFC_NONCE_COMMIT;
    else if (strcmp(y->nonce_mode, "random") == 0) p->nonce_mode = EFC_NONCE_RANDOM;
    else if (strcmp(y->nonce_mode, "time") == 0) p->nonce_mode = EFC_NONCE_TIME;
    else if (rv == 0) rv = bad(err, errlen, path, "nonce_mode", "expected commit, random or time");
  }
  if (y->counter_back) p->counter_back = (int)*y->counter_back;
  if (rv == 0 && (p->counter_back < 1 || p->counter_back > 4095))
    rv = bad(err, errlen, path, "counter_back", "expected 1..4095");
  if (y->fee_change) p->fee_change = *y->fee_change;
  if (y->keysearch_seconds) p->keysearch_seconds = *y->keysearch_seconds;
  if (rv == 0 && !(p->keysearch_seconds > 0 && p->keysearch_seconds <= 60))
    rv = bad(err, errlen, path, "keysearch_seconds", "expected 0 < s <= 60");
  sim_yaml_free(&attack_schema, y);
  return rv;
}
