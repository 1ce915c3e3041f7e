/* The keyRef -> MAC role split: one table, because the sources disagree (docs/crypto.md). */
#include "dsrc/keys.h"

/* Index = keyRef on the wire. CEN/TS 16439 as quoted by SINTEF: 1-4 MAC_TC, 5-8 MAC_TSP;
 * the SINTEF report's own table says the opposite. Swap the halves here to follow it. */
static const enum efc_mac_role keyref_roles[EFC_AUK_COUNT + 1] = {
    EFC_MAC_NONE, EFC_MAC_TC,  EFC_MAC_TC,  EFC_MAC_TC,  EFC_MAC_TC,
    EFC_MAC_TSP,  EFC_MAC_TSP, EFC_MAC_TSP, EFC_MAC_TSP,
};

enum efc_mac_role efc_en15509_keyref_role(int keyref) {
  if (keyref < 1 || keyref > EFC_AUK_COUNT) return EFC_MAC_NONE;
  return keyref_roles[keyref];
}
