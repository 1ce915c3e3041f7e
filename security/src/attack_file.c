/* Attack files (scenarios/attacks/tNN-*.yaml): which threat, and its parameters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/cli.h"
#include "security/attack.h"
#include "sim/yaml.h"

/* Numbers are their text here (NULL: absent), read by sim/yaml.h's number reader. */
typedef struct {
  char *threat, *title, *attacker, *nonce_mode;
  char *seed, *passages, *counter_back, *fee_change, *ber, *keysearch_seconds;
  bool *rogue_beacon;
} y_attack;

#define OPT (CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL)

static const cyaml_schema_field_t attack_fields[] = {
    CYAML_FIELD_STRING_PTR("threat", CYAML_FLAG_POINTER, y_attack, threat, 2, 3),
    CYAML_FIELD_STRING_PTR("title", CYAML_FLAG_POINTER, y_attack, title, 1, 95),
    CYAML_FIELD_STRING_PTR("attacker", CYAML_FLAG_POINTER, y_attack, attacker, 1, 63),
    SIM_YAML_NUMBER_PTR("seed", OPT, y_attack, seed),
    SIM_YAML_NUMBER_PTR("passages", OPT, y_attack, passages),
    SIM_YAML_NUMBER_PTR("ber", OPT, y_attack, ber),
    CYAML_FIELD_BOOL_PTR("rogue_beacon", OPT, y_attack, rogue_beacon),
    CYAML_FIELD_STRING_PTR("nonce_mode", OPT, y_attack, nonce_mode, 4, 6),
    SIM_YAML_NUMBER_PTR("counter_back", OPT, y_attack, counter_back),
    SIM_YAML_NUMBER_PTR("fee_change", OPT, y_attack, fee_change),
    SIM_YAML_NUMBER_PTR("keysearch_seconds", OPT, y_attack, keysearch_seconds),
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

/* The parameters, each within the range docs/security-evaluation.md gives. */
static int check(sec_params *p, const y_attack *y, const char *path, char *err, size_t errlen) {
  uint32_t u;
  snprintf(p->threat, sizeof(p->threat), "%s", y->threat);
  snprintf(p->title, sizeof(p->title), "%s", y->title);
  snprintf(p->attacker, sizeof(p->attacker), "%s", y->attacker);
  if (!sec_threat_find(p->threat)) return sim_yaml_fail(err, errlen, path, "threat", 1, "not one of T1..T15");
  /* Seeds as report and world record them: signed 64-bit at most. */
  if (y->seed && sim_yaml_u64(&p->seed, path, "seed", 1, y->seed, 0, INT64_MAX, err, errlen) != 0) return -1;
  if (y->passages && sim_yaml_u32(&u, path, "passages", 1, y->passages, 1, 20, err, errlen) != 0) return -1;
  if (y->passages) p->passages = u;
  if (y->ber && sim_yaml_double(&p->ber, path, "ber", 1, y->ber, 0, 0.01, IO_CLI_BELOW_HI, err, errlen) != 0)
    return -1;
  if (y->rogue_beacon) p->rogue_beacon = *y->rogue_beacon;
  if (y->nonce_mode) {
    if (strcmp(y->nonce_mode, "commit") == 0) p->nonce_mode = EFC_NONCE_COMMIT;
    else if (strcmp(y->nonce_mode, "random") == 0) p->nonce_mode = EFC_NONCE_RANDOM;
    else if (strcmp(y->nonce_mode, "time") == 0) p->nonce_mode = EFC_NONCE_TIME;
    else return sim_yaml_fail(err, errlen, path, "nonce_mode", 1, "expected commit, random or time, got '%s'",
                              y->nonce_mode);
  }
  if (y->counter_back && sim_yaml_u32(&u, path, "counter_back", 1, y->counter_back, 1, 4095, err, errlen) != 0)
    return -1;
  if (y->counter_back) p->counter_back = (int)u;
  if (y->fee_change &&
      sim_yaml_u32(&p->fee_change, path, "fee_change", 1, y->fee_change, 0, UINT32_MAX, err, errlen) != 0)
    return -1;
  if (y->keysearch_seconds && sim_yaml_double(&p->keysearch_seconds, path, "keysearch_seconds", 1,
                                              y->keysearch_seconds, 0, 60, IO_CLI_ABOVE_LO, err, errlen) != 0)
    return -1;
  return 0;
}

int sec_params_load(sec_params *p, const char *path, char *err, size_t errlen) {
  y_attack *y;
  int rv;
  sec_params_default(p);
  if (sim_yaml_load(path, &attack_schema, (void **)&y, err, errlen) != 0) return -1;
  rv = check(p, y, path, err, errlen);
  sim_yaml_free(&attack_schema, y);
  return rv;
}
