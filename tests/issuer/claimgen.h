/* Real claims for the issuer's tests: each passage runs the OBE and RSE engines on a
 * perfect link, as efc-scenario trace does, with the keys of the simulator's world and the
 * OBE's persistent state kept between passages so its counters advance as in the field. */
#ifndef TESTS_ISSUER_CLAIMGEN_H
#define TESTS_ISSUER_CLAIMGEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "obe/obe.h"
#include "efc/claim.h"
#include "sim/world.h"

typedef struct {
  dsrc_crypto *crypto;
  sim_keys keys;     /* the issuer's keystore and the operator's subset */
  sim_keys attacker; /* unrelated master keys: what a cloner without the issuer's has */
  uint64_t passages; /* seeds each passage's randomness */
} claimgen;

/* One OBE: its personalisation and the state that survives between passages. */
typedef struct {
  keymgmt_obe_profile prof;
  obe_state st;
} claimgen_obe;

int claimgen_init(claimgen *g, uint64_t seed);
void claimgen_free(claimgen *g);

/* A genuine OBE number id running profile (enum efc_profile). */
int claimgen_obe_make(claimgen *g, claimgen_obe *o, uint32_t id, int profile);
/* A clone of OBE id made with the operator's keys only: MKEY-F, the MAC_TC keys and the
 * access keys are the real ones (so the lane accepts it), MKEY-N and the MAC_TSP keys are
 * the attacker's guesses. */
int claimgen_clone_make(claimgen *g, claimgen_obe *o, uint32_t id, int profile);

/* One passage of o through a fresh RSE running profile at station (beacon individualid
 * too), lane 1, clock epoch epoch_cs. 0 with the claim, or -1 when it did not complete. */
int claimgen_passage(claimgen *g, claimgen_obe *o, int profile, uint16_t station,
                     int64_t epoch_cs, efc_claim *out);

/* The claim as a line with its newline, appended to f. */
int claimgen_write(FILE *f, const efc_claim *c);

#endif
