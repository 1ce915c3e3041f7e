/* Public JER entry points over the shared descriptions. */
#include <stdio.h>

#include "dsrc/jer.h"
#include "codec.h"

json_t *dsrc_tapdu_to_jer(const dsrc_tapdu *t, int *err) {
  visitor v;
  int rv;
  vj_init_enc(&v);
  /* Encoding only reads t. */
  rv = v_top_jer(&v, V_TOP_TAPDU, (dsrc_tapdu *)(uintptr_t)t, NULL);
  if (err) *err = rv;
  if (rv != 0) {
    json_decref(v.root);
    return NULL;
  }
  return v.root;
}

int dsrc_tapdu_from_jer(dsrc_tapdu *t, json_t *j, char *msg, size_t msglen) {
  visitor v;
  int rv;
  vj_init_dec(&v, j);
  rv = v_top_jer(&v, V_TOP_TAPDU, t, NULL);
  if (rv == 0) rv = v.late_err;
  if (msg && msglen) snprintf(msg, msglen, "%s", rv ? v.err : "");
  return rv;
}
