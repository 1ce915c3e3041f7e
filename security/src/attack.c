/* The threat table and running one threat against one profile. */
#include <stdio.h>
#include <string.h>

#include "security/attack.h"

static const sec_threat threats[] = {
    {"T1", "impersonation: forged OBE with invented id and keys", sec_t01_impersonation},
    {"T2", "clone: a real OBE's id, keys unknown", sec_t02_clone_wrong_keys},
    {"T3", "clone with the operator's keys", sec_t03_clone_operator_keys},
    {"T4", "tampering: the user rewrites the OBE's data", sec_t04_tampering},
    {"T5", "denial: \"I was not there\"", sec_t05_denial},
    {"T6", "eavesdropping", sec_t06_eavesdropping},
    {"T7", "replay of a captured OBE answer in a new session", sec_t07_replay},
    {"T8", "pre-play: ask the OBE in advance with a predicted nonce", sec_t08_preplay},
    {"T9", "unauthorised reader", sec_t09_unauthorised_reader},
    {"T10", "the operator manipulates the transaction counter", sec_t10_counter_manipulation},
    {"T11", "the operator invents or alters claims", sec_t11_claim_manipulation},
    {"T12", "key search on captured MACs", sec_t12_key_search},
    {"T13", "compromise of one key generation", sec_t13_generation_compromise},
    {"T14", "jamming and disruption", sec_t14_jamming},
    {"T15", "fake passages from a modified RSE", sec_t15_fake_passages},
};

size_t sec_threat_count(void) { return sizeof(threats) / sizeof(threats[0]); }

const sec_threat *sec_threat_at(size_t i) { return i < sec_threat_count() ? &threats[i] : NULL; }

const sec_threat *sec_threat_find(const char *id) {
  for (size_t i = 0; i < sec_threat_count(); i++)
    if (strcmp(threats[i].id, id) == 0) return &threats[i];
  return NULL;
}

int sec_run(const sec_params *p, int profile, const issuer_options *iopt, sec_outcome *out, char *err,
            size_t errlen) {
  const sec_threat *t = sec_threat_find(p->threat);
  sec_world w;
  int rv;
  memset(out, 0, sizeof(*out));
  if (!t) {
    snprintf(err, errlen, "unknown threat '%s'", p->threat);
    return -1;
  }
  if (sec_world_init(&w, profile, p->seed, iopt, err, errlen) != 0) return -1;
  rv = t->run(&w, p, out);
  if (rv != 0 && !out->evidence[0]) snprintf(out->evidence, sizeof(out->evidence), "the attack could not be set up");
  if (rv != 0) snprintf(err, errlen, "%s against %s: %s", p->threat, efc_profile_name(profile), out->evidence);
  sec_world_free(&w);
  return rv;
}
