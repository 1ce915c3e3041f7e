/* The T-APDUs more than one part sends or reads (docs/profiles.md): the RSE's commands,
 * which the attacker's readers send too, and the shapes of the answers the RSE, the
 * attacks and efc-pcap take apart.
 *
 * The builders fill a dsrc_tapdu for dsrc_pdu_encode; cred, where taken, is the session's
 * AC_CR (4 octets) or NULL for a command without access credentials. */
#ifndef EFC_MSG_H
#define EFC_MSG_H

#include <stdint.h>

#include "dsrc/tapdu.h"

/* ---- commands ---- */

/* AutoPASS GET_SECURE to eid: RND-1(4) || T(4) || keyGen(1) (docs/crypto.md). */
void efc_msg_get_secure(dsrc_tapdu *q, uint8_t eid, const uint8_t rnd1[4], const uint8_t t[4], uint8_t keygen);

/* GET_STAMPED to eid of the attributes ids, authenticated with key_ref over nonce (4 octets). */
void efc_msg_get_stamped(dsrc_tapdu *q, uint8_t eid, const uint8_t *cred, const dsrc_attr_ids *ids,
                         uint8_t key_ref, const uint8_t nonce[4]);

/* GET to eid of the attributes ids. */
void efc_msg_get(dsrc_tapdu *q, uint8_t eid, const uint8_t *cred, const dsrc_attr_ids *ids);

/* SET to eid of the EquipmentStatus transaction counter (its low 12 bits; local use 0). */
void efc_msg_set_counter(dsrc_tapdu *q, uint8_t eid, const uint8_t *cred, uint16_t counter);

/* RELEASE: EVENT_REPORT with eventType release (0); the OBE does not answer it. */
void efc_msg_release(dsrc_tapdu *q);

/* "GET_STAMPED", "GET_SECURE", "SET_MMI", "ECHO"; "ACTION" for another actionType. */
const char *efc_action_name(unsigned type);

/* ---- what a message carries, NULL when it is not that message or not of that shape ---- */

/* A GET_SECURE request's RND-1(4) || T(4) || keyGen(1). */
const uint8_t *efc_msg_secure_rq(const dsrc_tapdu *t);
/* A GET_STAMPED request's parameter, its nonce 4 octets. */
const dsrc_gstrq *efc_msg_stamped_rq(const dsrc_tapdu *t);
/* A GET_SECURE answer's obuid(4) || efcstatus(1) || TC(2) || RND-2(4) || keyGen(1) ||
 * MAC1(4) || MAC2(4). */
const uint8_t *efc_msg_secure_rs(const dsrc_tapdu *t);
/* A GET_STAMPED answer's parameter, its authenticator 4 octets. */
const dsrc_gstrs *efc_msg_stamped_rs(const dsrc_tapdu *t);

#endif
