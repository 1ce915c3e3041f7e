/* libFuzzer target: a scenario file as efc-scenario run loads it (libcyaml, then every key's
 * type and range). Any input loads or is refused with one line naming the file; a scenario
 * that loads is within the ranges of docs/scenarios.md, sweep, sampling and importance
 * sampling included. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_file.h"
#include "sim/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static sim_scenario sc;
  char err[512];
  const char *path = fuzz_file_write(data, size, ".yaml");
  err[0] = '\0';
  if (sim_scenario_load(&sc, path, err, sizeof(err)) != 0) {
    if (strncmp(err, path, strlen(path)) != 0 || strchr(err, '\n')) abort(); /* one line, naming the file */
    return 0;
  }
  if (sc.passages_auto ? sc.first_look < 10 || sc.cell_max < sc.first_look || sc.budget < 1000
                        : sc.passages < 1 || sc.passages > 100000000)
    abort();
  if (!(sc.target > 0 && sc.target < 1) || !(sc.confidence >= 0.5 && sc.confidence < 1) || sc.nzones < 1) abort();
  for (unsigned i = 0; i < sc.nzones; i++)
    if (!(sc.zones[i] >= 0.1 && sc.zones[i] <= 1000)) abort();
  for (unsigned i = 0; i < sc.ndensities; i++)
    if (!(sc.densities[i] >= 0.01 && sc.densities[i] <= 64)) abort();
  if (sc.search && !(sc.search_from_m >= 0.1 && sc.search_from_m < sc.search_to_m && sc.search_step_m > 0 &&
                     sc.search_step_m <= sc.search_to_m - sc.search_from_m))
    abort();
  if ((sc.search || sc.ndensities || sc.passages_auto) && sc.speed_dist) abort();
  if (sc.lanes < 1 || sc.lanes > 16 || sc.ngroups < 1 ||
      sc.nbers < 1 || !(sc.headway_s >= 0.1) || !(sc.min_headway_s <= sc.headway_s) || !(sc.zone_m >= 0.1))
    abort();
  for (unsigned i = 0; i < sc.nbers; i++)
    if (!(sc.bers[i] >= 0 && sc.bers[i] < 0.5)) abort();
  for (unsigned i = 0; i < sc.nspeeds; i++)
    if (!(sc.speeds[i] >= 1 && sc.speeds[i] <= 500)) abort();
  if (sc.speed_dist && !(sc.speed_min <= sc.speed_mean && sc.speed_mean <= sc.speed_max)) abort();
  if (!sc.speed_dist && sc.nspeeds == 0) abort();
  for (unsigned i = 0; i < sc.ngroups; i++)
    if (!isfinite(sc.groups[i].share)) abort();
  /* importance: only with auto; a fixed biased BER above every BER of the run */
  if (sc.is_on) {
    if (!sc.passages_auto || sc.is_pilot < 100 || !(sc.is_precision > 0 && sc.is_precision <= 1)) abort();
    if (sc.is_collide_mode == 1 && !(sc.is_collide > 0 && sc.is_collide < 1)) abort();
    for (unsigned i = 0; i < sc.nbers; i++)
      if ((sc.is_ber_mode == 1 && !(sc.is_ber > sc.bers[i] && sc.is_ber <= 0.2)) ||
          (sc.is_ber_mode >= 0 && !(sc.bers[i] > 0)))
        abort();
  }
  return 0;
}
