/* Internal: the EFC application half of the OBE, called by the link half (obe.c). */
#ifndef OBE_INTERNAL_H
#define OBE_INTERNAL_H

#include "obe/obe.h"

/* Whether the OBE answers this BST: a profile and a mandatory application it supports. */
bool obe_app_accepts(const obe_engine *o, const dsrc_bst *bst);

/* Fills t with the VST of a new session (draws RndOBE, computes the session's AC_CR). */
int obe_app_vst(obe_engine *o, dsrc_tapdu *t);

/* Whether a command LSDU is RELEASE. */
bool obe_app_is_release(const uint8_t *lsdu, size_t len);

/* Executes the PDUs of a command LSDU and writes the answer LSDU (one PDU per answered
 * command, in order). Returns its length (0: nothing to answer) or a negative error;
 * *release is set by RELEASE; *pdus counts the commands executed. */
int obe_app_execute(obe_engine *o, const uint8_t *lsdu, size_t len, uint8_t *answer, size_t cap,
                    bool *release, unsigned *pdus);

#endif
