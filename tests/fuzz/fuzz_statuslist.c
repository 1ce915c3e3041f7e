/* libFuzzer target: a status list file as efc-rse --status-list loads it. Any input loads
 * (bad lines skipped and counted) or fails with a reason; what loads is sorted by OBUID
 * without repeats, and every entry is found by lookup with its action. */
#include <stdlib.h>
#include <string.h>

#include "efc/statuslist.h"
#include "fuzz.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  efc_status_list l;
  char err[256];
  const char *path = fuzz_file_write(data, size, ".txt");
  int skipped;
  err[0] = '\0';
  efc_status_list_init(&l);
  skipped = efc_status_list_load(&l, path, NULL, 0, err, sizeof(err));
  if (skipped < 0) {
    if (!err[0]) abort();
    efc_status_list_free(&l);
    return 0;
  }
  if (l.count > size / 9 + 1) abort(); /* an entry takes at least "XXXXXXXX," */
  for (size_t i = 0; i < l.count; i++) {
    if (i > 0 && memcmp(l.entries[i - 1].obuid, l.entries[i].obuid, 4) >= 0) abort();
    if (l.entries[i].action != EFC_LIST_REJECT && l.entries[i].action != EFC_LIST_PHOTOGRAPH) abort();
    if (efc_status_list_lookup(&l, l.entries[i].obuid) != l.entries[i].action) abort();
  }
  efc_status_list_free(&l);
  return 0;
}
