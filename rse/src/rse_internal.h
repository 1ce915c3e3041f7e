/* Internal: the transaction half of the RSE (txn.c), called by the scheduler (rse.c). */
#ifndef RSE_INTERNAL_H
#define RSE_INTERNAL_H

#include "rse/rse.h"

/* Unix centiseconds at time t. */
static inline int64_t rse_time_cs(const rse_engine *r, uint64_t t) {
  return r->cfg->epoch_cs + (int64_t)(t / 10000000u);
}

/* Picks a profile for the OBE's VST and prepares the session's steps. 0, or -1 when the
 * RSE runs none of the OBE's profiles. */
int rse_txn_start(rse_engine *r, rse_session *s, const dsrc_vst *vst, uint64_t t);

/* Builds the command of the current step into s->command (new n bit and PDU number). */
int rse_txn_command(rse_engine *r, rse_session *s, uint64_t t);

/* Handles the answer LSDU to the current command; 0 when it was the answer (the session
 * moves on), -1 when it was not (the caller retries). */
int rse_txn_answer(rse_engine *r, rse_session *s, const uint8_t *lsdu, size_t len, uint64_t t);

/* Sets the claim's verdict, fee and class from what the session learned. */
void rse_txn_verdict(rse_engine *r, rse_session *s, bool complete);

/* Appends a message name to the passage's sequence. */
void rse_seq_add(rse_session *s, const char *name);

#endif
