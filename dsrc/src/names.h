/* Internal: the CHOICE alternative names, shared by the codec and the JER form. */
#ifndef DSRC_NAMES_H
#define DSRC_NAMES_H

#include "dsrc/tapdu.h"

extern const char *const dsrc_tapdu_names[DSRC_TAPDU_KINDS];
extern const char *const dsrc_container_names[DSRC_C_ROOT_COUNT];

#endif
