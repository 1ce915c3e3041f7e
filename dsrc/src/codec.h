/* Internal: the codec's entry points. The type descriptions (descr_*.inc) are compiled
 * three times, by codec_per_dec.c, codec_per_enc.c and codec_jer.c, each with its visitor
 * mode fixed at compile time, so the PER paths carry no mode tests. */
#ifndef DSRC_CODEC_H
#define DSRC_CODEC_H

#include "visit.h"

enum v_top { V_TOP_TAPDU, V_TOP_BEACON_ID, V_TOP_CONTEXT_MARK, V_TOP_BST, V_TOP_ATTR_LIST };

int v_top_per_dec(visitor *v, enum v_top k, void *value, void *ctx);
int v_top_per_enc(visitor *v, enum v_top k, void *value, void *ctx);
int v_top_jer(visitor *v, enum v_top k, void *value, void *ctx);

#endif
