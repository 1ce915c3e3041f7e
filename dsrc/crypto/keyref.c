/* The keyRef -> MAC role split: one table, because the sources disagree (docs/crypto.md). */
#include "dsrc/keys.h"

/* Index = keyRef on the wire. CEN/TS 16439 as quoted by SINTEF: 1-4 MAC_TC, 5-8 MAC_TSP;
 * the SINTEF report's own table says the opposite. Swap the halves here to follow it. */
static const enum dsrc_mac_role keyref_roles[DSRC_AUK_COUNT + 1] = {
    DSRC_MAC_ROLE_NONE, DSRC_MAC_ROLE_TC,  DSRC_MAC_ROLE_TC,  DSRC_MAC_ROLE_TC,  DSRC_MAC_ROLE_TC,
    DSRC_MAC_ROLE_TSP,  DSRC_MAC_ROLE_TSP, DSRC_MAC_ROLE_TSP, DSRC_MAC_ROLE_TSP,
};

enum dsrc_mac_role dsrc_en15509_keyref_role(int keyref) {
  if (keyref < 1 || keyref > DSRC_AUK_COUNT) return DSRC_MAC_ROLE_NONE;
  return keyref_roles[keyref];
}
