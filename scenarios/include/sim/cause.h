/* Why a simulated passage was not a success: the limit it hit, the command it was on, and
 * the last frame of that command lost or late (docs/timing-model.md, "Why a passage
 * failed"). block.c fills sim_record's cause, cause_cmd and cause_frame from the engines'
 * events; these are their names. */
#ifndef SIM_CAUSE_H
#define SIM_CAUSE_H

#include <stddef.h>

#include "rse/rse.h"
#include "sim/runner.h"

/* sim_record.cause; each non-OK outcome has exactly one (enum sim_outcome). */
enum sim_cause {
  SIM_CAUSE_NONE = 0,      /* SIM_OK */
  SIM_CAUSE_ZONE_EXIT = 1, /* SIM_INCOMPLETE: it left the zone mid-transaction */
  SIM_CAUSE_NO_VST = 2,    /* SIM_NO_SESSION: its VST never reached the RSE */
  SIM_CAUSE_RETRIES = 3,   /* SIM_FAILED, RSE_FAIL_RETRIES: a window missed max_retries + 1 times */
  SIM_CAUSE_TIMEOUT = 4,   /* SIM_FAILED, RSE_FAIL_TIMEOUT: no progress for the session timeout */
  SIM_CAUSE_LANE = 5,      /* SIM_NOT_PASS: done, but the lane's verdict was not pass */
  SIM_CAUSE_COUNT = 6
};

/* sim_record.cause_cmd is an rse_cmd: what the passage was on when it ended (RSE_CMD_NONE:
 * no session at the RSE yet; RSE_CMD_VST: a session, no VST yet). */

/* sim_record.cause_frame: the last loss of the command it was on (of its phase before a
 * session: BSTs and window requests). */
enum sim_loss {
  SIM_LOSS_NONE = 0,       /* nothing lost: time ran out, or the verdict decided */
  SIM_LOSS_DOWNLINK = 1,   /* a frame to the OBE failed at its receiver */
  SIM_LOSS_UPLINK = 2,     /* a frame of the OBE failed at the RSE (bit errors) */
  SIM_LOSS_COLLISION = 3,  /* a frame of the OBE collided with another OBE's */
  SIM_LOSS_LATE = 4,       /* the OBE answered NE_OK: its answer comes late */
  SIM_LOSS_COUNT = 5
};

/* "none", "zone-exit", "no-vst", "retries", "timeout", "lane-verdict"; "unknown" out of range. */
const char *sim_cause_name(int cause);
/* rse_cmd_name: "none", "VST", "GET_SECURE", "GET_STAMPED_TSP", ... */
const char *sim_cause_cmd_name(int cmd);
/* "none", "downlink-error", "uplink-error", "collision", "late"; "unknown" out of range. */
const char *sim_cause_frame_name(int frame);

/* r's cause as "cause/command/frame", e.g. "zone-exit/GET_STAMPED_TSP/late", into out (cap
 * octets with the NUL); "" for SIM_CAUSE_NONE. Returns the length, or -1 (out holding "" when
 * cap > 0) when it does not fit. */
int sim_cause_format(char *out, size_t cap, const sim_record *r);

#endif
