/* Internal: descriptions of the container values, shared by the T-APDU descriptions. */
#ifndef DSRC_VALUES_H
#define DSRC_VALUES_H

#include "dsrc/tapdu.h"
#include "visit.h"

#define TRY(x)                 \
  do {                         \
    int rv_ = (x);             \
    if (rv_ != 0) return rv_;  \
  } while (0)

int v_beacon_id(visitor *v, const char *name, dsrc_beacon_id *b);
int v_context_mark(visitor *v, const char *name, dsrc_context_mark *m);
int v_attr_ids(visitor *v, const char *name, dsrc_attr_ids *ids);
int v_attr_list(visitor *v, const char *name, dsrc_tapdu *t, dsrc_attr_list *l);
int v_container(visitor *v, const char *name, dsrc_tapdu *t, dsrc_container *c);
int v_tapdu(visitor *v, dsrc_tapdu *t);

extern const char *const dsrc_container_names[DSRC_C_ROOT_COUNT];

#endif
