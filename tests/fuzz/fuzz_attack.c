/* libFuzzer target: an attack file as efc-scenario attack loads it. Any input loads or is
 * refused with one line naming the file; what loads is within the attack files' ranges
 * (docs/security-evaluation.md). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_file.h"
#include "security/attack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sec_params p;
  char err[512];
  const char *path = fuzz_file_write(data, size, ".yaml");
  err[0] = '\0';
  if (sec_params_load(&p, path, err, sizeof(err)) != 0) {
    if (strncmp(err, path, strlen(path)) != 0 || strchr(err, '\n')) abort();
    return 0;
  }
  if (!sec_threat_find(p.threat) || p.passages < 1 || p.passages > 20 || !(p.ber >= 0 && p.ber < 0.01) ||
      p.counter_back < 1 || p.counter_back > 4095 || !(p.keysearch_seconds > 0 && p.keysearch_seconds <= 60) ||
      p.seed > INT64_MAX)
    abort();
  return 0;
}
