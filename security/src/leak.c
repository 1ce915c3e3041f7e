/* The kinds of personal data an attacker can read from an OBE's answers. */
#include <stdio.h>

#include "security/leak.h"

static const char *const leak_names[SEC_LEAK_COUNT] = {
    "obuid", "PAN", "plate", "vehicle class", "vehicle data", "contract provider", "counter", "efcstatus", "TC",
    "receipts"};

enum sec_leak sec_leak_of(const dsrc_attribute *a) {
  switch (a->value.kind) {
  case DSRC_C_EQUOBUID: return SEC_LEAK_OBUID;
  case DSRC_C_PAYMEANS: return SEC_LEAK_PAN;
  case DSRC_C_VEHLPN: return SEC_LEAK_PLATE;
  case DSRC_C_VEHCLASS: return SEC_LEAK_CLASS;
  case DSRC_C_VEHDIMS:
  case DSRC_C_VEHAXLES:
  case DSRC_C_VEHWTLIMS:
  case DSRC_C_VEHSPCHARS: return SEC_LEAK_VEHICLE;
  case DSRC_C_EQUSTAT: return SEC_LEAK_COUNTER;
  case DSRC_C_EFCCONTEXT: return SEC_LEAK_PROVIDER;
  case DSRC_C_RECDATA1:
  case DSRC_C_RECDATA2: return SEC_LEAK_RECEIPT;
  default: return SEC_LEAK_NONE;
  }
}

size_t sec_leaks_format(char *out, size_t cap, const unsigned found[SEC_LEAK_COUNT]) {
  size_t n = 0;
  if (cap) out[0] = '\0';
  for (int k = 0; k < SEC_LEAK_COUNT; k++)
    if (found[k]) {
      int m = snprintf(out + n, cap > n ? cap - n : 0, "%s%s", n ? ", " : "", leak_names[k]);
      if (m > 0) n += (size_t)m;
    }
  return n;
}

size_t sec_attr_ids_format(char *out, size_t cap, const bool seen[128]) {
  size_t n = 0;
  if (cap) out[0] = '\0';
  for (unsigned id = 0; id < 128; id++)
    if (seen[id]) {
      int k = snprintf(out + n, cap > n ? cap - n : 0, "%s%u", n ? "," : "", id);
      if (k > 0) n += (size_t)k;
    }
  return n;
}
