/* The issuer's status list as the RSE consults it: OBEs to reject or to photograph.
 * Text form, one entry per line: OBUID_HEX,ACTION,REASON (ACTION reject|photograph);
 * '#' comments. docs/claims.md. */
#ifndef RSE_STATUSLIST_H
#define RSE_STATUSLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum rse_list_action { RSE_LIST_NONE = 0, RSE_LIST_PHOTOGRAPH = 1, RSE_LIST_REJECT = 2 };

typedef struct {
  uint8_t obuid[4];
  uint8_t action;
} rse_list_entry;

typedef struct {
  rse_list_entry *entries; /* sorted by obuid */
  size_t count, cap;
} rse_status_list;

void rse_status_list_init(rse_status_list *l);
void rse_status_list_free(rse_status_list *l);
/* Adds or replaces an entry (the stronger action wins); keep sorted with _finish. */
int rse_status_list_add(rse_status_list *l, const uint8_t obuid[4], uint8_t action);
void rse_status_list_finish(rse_status_list *l);
enum rse_list_action rse_status_list_lookup(const rse_status_list *l, const uint8_t obuid[4]);

/* Reads a status list file. Malformed lines are reported on warn (one line each, naming
 * FILE:LINE) and skipped; returns the number of lines skipped, or -1 when the file cannot
 * be read (err gets the reason). */
int rse_status_list_load(rse_status_list *l, const char *path, FILE *warn, char *err, size_t errlen);

#endif
