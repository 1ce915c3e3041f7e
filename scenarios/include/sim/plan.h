/* Internal: what a run simulates, round after round. A source is a stream of blocks feeding
 * one cell (passages: auto, a search probe) or the cells of every group at one speed (a fixed
 * number of passages, the fleet's mix). Each round hands out the blocks that bring every
 * open source to its next look; after the round the looks decide verdicts, and the zone
 * searches place their next probes. Everything follows the scenario's order, so the rounds,
 * their blocks and their seeds are the same whatever the thread count. */
#ifndef SIM_PLAN_H
#define SIM_PLAN_H

#include "sim/report.h"
#include "sim/stats.h"

typedef struct {
  uint32_t point;
  int speed_i;           /* -1: the speed distribution */
  int group;             /* -1: the fleet's mix */
  uint32_t cell;         /* its first cell */
  uint32_t id;           /* seeds its blocks */
  uint64_t issued;       /* passages handed out */
  uint32_t looks_issued; /* rounds it got blocks in */
  unsigned look;         /* the next look, 0-based */
  sim_seq_plan plan;
  bool open;
  int line;              /* the search line it probes, or -1 */
  /* Importance sampling (docs/statistics.md, "Rare failures"): pilots first, each a round
   * of blocks at the bias below, until one saw enough failures to choose the estimate's
   * bias from; then the looks above, at that bias. */
  bool piloting;
  uint64_t pilot_issued; /* passages handed out to the pilot under way */
  double bias_ber, bias_collide; /* of its next blocks (0: unbiased) */
  uint32_t warmup;       /* biased blocks: passages that fill the lane before and after the one weighed */
} sim_source;

/* One zone search: a group at one speed, BER and density. */
typedef struct {
  uint32_t frontier;     /* in the report */
  double lo, hi;         /* zones: lo not demonstrated (or the search's from), hi demonstrated */
  bool have_lo, have_hi;
  uint32_t probing;      /* the source of the probe under way */
} sim_line;

typedef struct {
  const sim_scenario *sc;
  sim_report *rep;
  sim_source *sources;
  size_t nsources, capsources;
  sim_line *lines;
  size_t nlines;
  uint32_t vehicle_base;
  uint64_t budget_left;  /* passages the run may still hand out */
  unsigned probes_max;   /* a line's most probes */
} sim_plan;

/* Sets up the run's first sources (the grid, or each line's first probe) in rep. 0, or -1
 * with err. */
int sim_plan_init(sim_plan *p, const sim_scenario *sc, sim_report *rep, char *err, size_t errlen);

/* The next round's blocks (*out malloc'd, numbered from first_index): 0 when the run is
 * done, -1 when out of memory. */
ssize_t sim_plan_round(sim_plan *p, uint32_t first_index, sim_block **out);

/* After a round's blocks are in the report: the looks, the verdicts, the next probes. 0, or
 * -1 when out of memory. */
int sim_plan_look(sim_plan *p);

void sim_plan_free(sim_plan *p);

#endif
