/* The names of sim_record's cause fields (sim/cause.h). */
#include <stdio.h>

#include "sim/cause.h"

const char *sim_cause_name(int cause) {
  static const char *const names[SIM_CAUSE_COUNT] = {"none",    "zone-exit", "no-vst",
                                                     "retries", "timeout",   "lane-verdict"};
  return cause >= 0 && cause < SIM_CAUSE_COUNT ? names[cause] : "unknown";
}

const char *sim_cause_cmd_name(int cmd) { return rse_cmd_name(cmd); }

const char *sim_cause_frame_name(int frame) {
  static const char *const names[SIM_LOSS_COUNT] = {"none", "downlink-error", "uplink-error", "collision", "late"};
  return frame >= 0 && frame < SIM_LOSS_COUNT ? names[frame] : "unknown";
}

int sim_cause_format(char *out, size_t cap, const sim_record *r) {
  int n;
  if (r->cause == SIM_CAUSE_NONE) {
    if (cap == 0) return -1;
    out[0] = '\0';
    return 0;
  }
  n = snprintf(out, cap, "%s/%s/%s", sim_cause_name(r->cause), sim_cause_cmd_name(r->cause_cmd),
               sim_cause_frame_name(r->cause_frame));
  if (n < 0 || (size_t)n >= cap) {
    if (cap > 0) out[0] = '\0';
    return -1;
  }
  return n;
}
