/* What an attacker who reads an OBE's answers learns, by kind: the eavesdropper (T6) and
 * the unauthorised reader (T9) of docs/threat-list.md count the same kinds and report them in
 * the same order and words. */
#ifndef SECURITY_LEAK_H
#define SECURITY_LEAK_H

#include <stdbool.h>
#include <stddef.h>

#include "dsrc/tapdu.h"

enum sec_leak {
  SEC_LEAK_OBUID,
  SEC_LEAK_PAN,
  SEC_LEAK_PLATE,
  SEC_LEAK_CLASS,
  SEC_LEAK_VEHICLE,
  SEC_LEAK_PROVIDER,
  SEC_LEAK_COUNTER,
  SEC_LEAK_EFCSTATUS,
  SEC_LEAK_TC,
  SEC_LEAK_RECEIPT,
  SEC_LEAK_COUNT,
  SEC_LEAK_NONE = SEC_LEAK_COUNT
};

/* The kind an attribute gives away, SEC_LEAK_NONE when it tells nothing about the user. */
enum sec_leak sec_leak_of(const dsrc_attribute *a);
/* "obuid, PAN, plate" for the kinds found at least once; returns the length. */
size_t sec_leaks_format(char *out, size_t cap, const unsigned found[SEC_LEAK_COUNT]);
/* "3,4,19" for the attribute ids seen (seen[id] for id 0..127); returns the length. */
size_t sec_attr_ids_format(char *out, size_t cap, const bool seen[128]);

#endif
