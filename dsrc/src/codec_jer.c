/* The type descriptions compiled for JER, both directions (mode chosen at run time). */
#define V_TOP v_top_jer

#include "codec.h"
#include "names.h"

#include "descr_values.inc"
#include "descr_tapdu.inc"
