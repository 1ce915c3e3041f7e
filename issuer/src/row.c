/* From a verified claim to the row the analysis works on. */
#include <string.h>

#include "issuer/issuer_row.h"
#include "dsrc/octets.h"
#include "issuer/issuer_verify.h"
#include "dsrc/efc.h"
#include "dsrc/keys.h"
#include "dsrc/tapdu.h"

unsigned issuer_counter_range(int family) { return family == ISSUER_CTR_AUTOPASS ? 65536u : 4096u; }

/* The obuid and counter inside the MACed attribute list: for EN 15509 those, not the
 * claim's copies, are what the OBE vouched for. False when the list lacks either. */
static bool stamped_values(const efc_claim *cl, uint32_t *obuid, uint16_t *counter) {
  dsrc_tapdu t;
  dsrc_attr_list l;
  bool have_id = false, have_ctr = false;
  dsrc_tapdu_init(&t, DSRC_ACTION_RS);
  if (dsrc_attr_list_decode(&t, &l, cl->attrlist, cl->attrlist_len, NULL) != cl->attrlist_len)
    return false;
  for (unsigned i = 0; i < l.count; i++) {
    const dsrc_attribute *a = dsrc_tapdu_attr(&t, l, i);
    if (a->id == DSRC_ATTR_OBUID && a->value.kind == DSRC_C_EQUOBUID) {
      *obuid = dsrc_get_be32(a->value.u.obu_id);
      have_id = true;
    } else if (a->id == DSRC_ATTR_STATUS && a->value.kind == DSRC_C_EQUSTAT) {
      *counter = a->value.u.status.counter;
      have_ctr = true;
    }
  }
  return have_id && have_ctr;
}

int issuer_row_from_claim(issuer_row *row, const efc_claim *cl, unsigned flags) {
  bool autopass = cl->profile == EFC_PROFILE_AUTOPASS;
  bool time_bound;
  row->profile = cl->profile;
  row->station = cl->station;
  row->lane = cl->lane;
  row->time_cs = cl->time_cs;
  row->fee = cl->fee;
  row->vehicle_class = cl->vehicle_class;
  row->lane_verdict = cl->verdict;
  row->lane_reasons = cl->reasons;
  row->has_obuid = cl->has_obuid;
  row->obuid = cl->has_obuid ? dsrc_get_be32(cl->obuid) : 0;
  row->family = autopass ? ISSUER_CTR_AUTOPASS : ISSUER_CTR_EQUIPMENT;
  row->counter = autopass ? cl->tc : cl->counter;
  row->flags = flags;
  row->mac_ok = false;
  row->mac_obuid = 0;
  row->mac_counter = 0;
  if (!(flags & (ISSUER_BAD_MAC | ISSUER_NO_KEY))) {
    if (autopass) {
      /* MAC1 covers obuid and TC as the claim carries them. */
      row->mac_ok = cl->has_obuid;
      row->mac_obuid = row->obuid;
      row->mac_counter = cl->tc;
    } else {
      row->mac_ok = stamped_values(cl, &row->mac_obuid, &row->mac_counter);
    }
  }
  /* The time is proven when the commitment nonces check (inside the MACed data) and, for
   * AutoPASS, the MACed T is the claim's time. */
  time_bound = cl->nonce_mode == EFC_NONCE_COMMIT && !(flags & (ISSUER_BAD_COMMIT | ISSUER_UNBOUND));
  if (time_bound && autopass) {
    uint8_t t[4];
    dsrc_autopass_time_octets(t, (uint32_t)cl->time_cs);
    time_bound = memcmp(t, cl->t, 4) == 0;
  }
  row->time_proven = row->mac_ok && time_bound;
  return 0;
}
