/* One passage, frame by frame (efc-scenario trace). */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "obe/obe.h"

typedef struct {
  int profile;     /* enum efc_profile */
  uint64_t seed;
  bool json;
  obe_mcu mcu;
  uint32_t obuid;
  const char *pcap;  /* also write every frame to this capture (NULL: none) */
} sim_trace_options;

typedef struct {
  bool completed;
  int lane_verdict;
  unsigned lane_reasons;
  unsigned issuer_flags;
  uint64_t duration_ns;    /* the RSE's: first window request to RELEASE */
  uint64_t completion_ns;  /* efc-scenario run's: zone entry (0) to the RELEASE frame's end */
  unsigned late_responses;
  char sequence[512];
} sim_trace_result;

/* Runs the passage, printing to out; 0, or -1 when the set-up failed (reported on stderr). */
int sim_trace(const sim_trace_options *opt, FILE *out, sim_trace_result *res);

#endif
