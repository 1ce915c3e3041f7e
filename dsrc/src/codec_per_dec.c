/* The type descriptions compiled for unaligned PER decoding. */
#define V_FIXED_MODE VM_PER_DEC
#define V_TOP v_top_per_dec

#include "codec.h"
#include "names.h"

#include "descr_values.inc"
#include "descr_tapdu.inc"
