/* The type descriptions compiled for unaligned PER encoding. */
#define V_FIXED_MODE VM_PER_ENC
#define V_TOP v_top_per_enc

#include "codec.h"
#include "names.h"

#include "descr_values.inc"
#include "descr_tapdu.inc"
