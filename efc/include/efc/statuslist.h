/* The issuer's status list as the RSE consults it: OBEs to reject or to photograph.
 * Text form, one entry per line: OBUID_HEX,ACTION,REASON (ACTION reject|photograph);
 * '#' comments. docs/claims.md. */
#ifndef EFC_STATUSLIST_H
#define EFC_STATUSLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum efc_list_action { EFC_LIST_NONE = 0, EFC_LIST_PHOTOGRAPH = 1, EFC_LIST_REJECT = 2 };

typedef struct {
  uint8_t obuid[4];
  uint8_t action;
} efc_list_entry;

typedef struct {
  efc_list_entry *entries; /* sorted by obuid */
  size_t count, cap;
} efc_status_list;

void efc_status_list_init(efc_status_list *l);
void efc_status_list_free(efc_status_list *l);
/* Adds or replaces an entry (the stronger action wins); keep sorted with _finish. */
int efc_status_list_add(efc_status_list *l, const uint8_t obuid[4], uint8_t action);
void efc_status_list_finish(efc_status_list *l);
enum efc_list_action efc_status_list_lookup(const efc_status_list *l, const uint8_t obuid[4]);

/* Reads a status list file. Malformed lines are skipped; the first warn_max of them are
 * reported on warn (one line each, naming FILE:LINE), so that a file of millions of bad lines
 * does not print millions of lines. Returns the number of lines skipped, or -1 when the file
 * cannot be read (err gets the reason). */
int efc_status_list_load(efc_status_list *l, const char *path, FILE *warn, unsigned warn_max, char *err,
                         size_t errlen);

#endif
