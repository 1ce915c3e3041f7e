/* The threat table and running one threat against one profile. */
#include <stdio.h>
#include <string.h>

#include "sim/attack.h"

static const atk_threat threats[] = {
    {"T1", "impersonation: forged OBE with invented id and keys", atk_t01_impersonation},
    {"T2", "clone: a real OBE's id, keys unknown", atk_t02_clone_wrong_keys},
    {"T3", "clone with the operator's keys", atk_t03_clone_operator_keys},
    {"T4", "tampering: the user rewrites the OBE's data", atk_t04_tampering},
    {"T5", "denial: \"I was not there\"", atk_t05_denial},
    {"T6", "eavesdropping", atk_t06_eavesdropping},
    {"T7", "replay of a captured OBE answer in a new session", atk_t07_replay},
    {"T8", "pre-play: ask the OBE in advance with a predicted nonce", atk_t08_preplay},
    {"T9", "unauthorised reader", atk_t09_unauthorised_reader},
    {"T10", "the operator manipulates the transaction counter", atk_t10_counter_manipulation},
    {"T11", "the operator invents or alters claims", atk_t11_claim_manipulation},
    {"T12", "key search on captured MACs", atk_t12_key_search},
    {"T13", "compromise of one key generation", atk_t13_generation_compromise},
    {"T14", "jamming and disruption", atk_t14_jamming},
    {"T15", "fake passages from a modified RSE", atk_t15_fake_passages},
};

size_t atk_threat_count(void) { return sizeof(threats) / sizeof(threats[0]); }

const atk_threat *atk_threat_at(size_t i) { return i < atk_threat_count() ? &threats[i] : NULL; }

const atk_threat *atk_threat_find(const char *id) {
  for (size_t i = 0; i < atk_threat_count(); i++)
    if (strcmp(threats[i].id, id) == 0) return &threats[i];
  return NULL;
}

int atk_run(const atk_params *p, int profile, const issuer_options *iopt, atk_outcome *out, char *err,
            size_t errlen) {
  const atk_threat *t = atk_threat_find(p->threat);
  atk_world w;
  int rv;
  memset(out, 0, sizeof(*out));
  if (!t) {
    snprintf(err, errlen, "unknown threat '%s'", p->threat);
    return -1;
  }
  if (atk_world_init(&w, profile, p->seed, iopt, err, errlen) != 0) return -1;
  rv = t->run(&w, p, out);
  if (rv != 0 && !out->evidence[0]) snprintf(out->evidence, sizeof(out->evidence), "the attack could not be set up");
  if (rv != 0) snprintf(err, errlen, "%s against %s: %s", p->threat, rse_profile_name(profile), out->evidence);
  atk_world_free(&w);
  return rv;
}
