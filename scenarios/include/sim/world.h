/* The keys and OBEs of a simulation, made in memory from a seed: an issuer keystore, the
 * operator's subset, and OBEs personalised without files (the same derivations as
 * efc-keymgmt personalise). */
#ifndef SIM_WORLD_H
#define SIM_WORLD_H

#include <stdint.h>

#include "keymgmt/keymgmt.h"

typedef struct {
  keymgmt_keystore issuer;
  keymgmt_operator_keys op;     /* the toll charger's keys */
} sim_keys;

/* Master keys drawn from a PRNG seeded with seed (reproducible runs; never for real keys). */
int sim_keys_init(sim_keys *k, dsrc_crypto *c, uint64_t seed);
void sim_keys_wipe(sim_keys *k);

/* OBE number id: obuid = id, a PAN and plate derived from it, provider NO:1, vehicle class
 * 2, the given profiles (EFC_PROFILE_*), keys from k's master keys (a clone built from
 * leaked operator keys passes a key set holding those: sec_obe_make_operator_clone). */
int sim_obe_make(keymgmt_obe_profile *p, dsrc_crypto *c, const sim_keys *k, uint32_t id, unsigned profiles);

/* The same OBE with only the keys an RSE configured with cfg will use (one AutoPASS
 * generation, the two GET_STAMPED keyRefs; keymgmt_obe_profile_personalise_partial): what the
 * simulator derives when a vehicle enters a zone, at a fraction of the cost of a full
 * personalisation. */
int sim_obe_make_fast(keymgmt_obe_profile *p, dsrc_crypto *c, const sim_keys *k, uint32_t id,
                      unsigned profiles, uint8_t keyref_tsp, uint8_t keyref_tc);

#endif
