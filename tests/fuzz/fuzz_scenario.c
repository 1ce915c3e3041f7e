/* libFuzzer target: a scenario file as efc-scenario run loads it (libcyaml, then every key's
 * type and range). Any input loads or is refused with one line naming the file; a scenario
 * that loads is within the ranges of docs/scenarios.md. */
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
  if (sc.passages < 1 || sc.passages > 100000000 || sc.lanes < 1 || sc.lanes > 16 || sc.ngroups < 1 ||
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
  return 0;
}
