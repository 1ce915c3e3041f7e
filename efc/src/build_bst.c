/* The BST: the frame every reader opens with, the RSE's and an attacker's alike. */
#include "efc/build.h"

dsrc_ssize efc_build_bst(uint8_t *out, size_t cap, const dsrc_beacon_id *rsu, uint32_t time) {
  dsrc_tapdu t;
  uint8_t lsdu[DSRC_FRAME_MAX];
  dsrc_ssize n;
  dsrc_frame f;
  dsrc_tapdu_init(&t, DSRC_BST);
  t.u.bst.rsu = *rsu;
  t.u.bst.time = time;
  t.u.bst.profile = 0;
  t.u.bst.mand.count = 1;
  t.u.bst.mand.items[0].aid = DSRC_AID_EFC;
  if ((n = dsrc_pdu_encode(lsdu, sizeof(lsdu), 2, &t)) < 0) return n;
  f = (dsrc_frame){.lid = DSRC_LID_BROADCAST,
                   .lid_len = 1,
                   .mac = DSRC_MAC_BST,
                   .has_llc = true,
                   .llc = DSRC_LLC_UI,
                   .lsdu = lsdu,
                   .lsdu_len = (size_t)n};
  return dsrc_frame_encode(out, cap, &f);
}
