/* The lane verification a toll charger can do with its own keys (docs/profiles.md),
 * on the fields of one transaction. The RSE engine runs it on live answers; efc-pcap verify
 * runs the same code on a captured transaction, so a capture is judged exactly as the lane
 * judged it. MAC1 and MAC_TSP need the issuer's keys and are not checked here. */
#ifndef RSE_VERIFY_H
#define RSE_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "dsrc/crypto.h"
#include "dsrc/tapdu.h"
#include "keymgmt/keymgmt.h"
#include "efc/claim.h"

/* The VST application that runs profile (its contract type, and for Level 0 / Level 1 the
 * parameter's shape: Level 1 carries AC_CR-Reference and RndOBE), or NULL. */
const dsrc_application *rse_vst_app(const dsrc_vst *vst, int profile);

/* AutoPASS MAC2 over c's GET_SECURE fields (obuid, efcstatus, tc, rnd1, t, rnd2, keygen,
 * mac2). Returns 0 when it matches, else EFC_WHY_MAC or EFC_WHY_NO_KEYS (k lacks the
 * generation the OBE used). */
unsigned rse_verify_mac2(dsrc_crypto *crypto, const keymgmt_operator_keys *k, const efc_claim *c);

/* EN 15509 and AES MAC_TC: the authenticator of the keyRef c->keyref_tc answer over attrlist
 * (the answer's attribute list as on air) and c->nonce_tc, keyed from c->pan and
 * c->provider; c->profile picks DES or AES. Returns 0, EFC_WHY_MAC or EFC_WHY_NO_KEYS. */
unsigned rse_verify_mac_tc(dsrc_crypto *crypto, const keymgmt_operator_keys *k, const efc_claim *c,
                           const uint8_t *attrlist, size_t len);

/* The access credentials (Level 1 and AES) an RSE must present to an OBE whose VST gave
 * AC_CR-Reference ref and RndOBE rnd_obe. Returns 0, or EFC_WHY_NO_KEYS when k lacks that
 * MAcK. */
unsigned rse_access_credentials(dsrc_crypto *crypto, const keymgmt_operator_keys *k, int profile,
                                const uint8_t ref[2], const uint8_t rnd_obe[4], uint8_t out[4]);

#endif
