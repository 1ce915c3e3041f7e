/* The status list: a sorted array of OBE ids with the action the lane takes. */
#include <stdlib.h>
#include <string.h>

#include "dsrc/hex.h"
#include "efc/statuslist.h"

void efc_status_list_init(efc_status_list *l) { memset(l, 0, sizeof(*l)); }

void efc_status_list_free(efc_status_list *l) {
  free(l->entries);
  memset(l, 0, sizeof(*l));
}

int efc_status_list_add(efc_status_list *l, const uint8_t obuid[4], uint8_t action) {
  if (l->count == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    efc_list_entry *e = realloc(l->entries, cap * sizeof(*e));
    if (!e) return -1;
    l->entries = e;
    l->cap = cap;
  }
  memcpy(l->entries[l->count].obuid, obuid, 4);
  l->entries[l->count++].action = action;
  return 0;
}

static int cmp_entry(const void *a, const void *b) { return memcmp(a, b, 4); }

void efc_status_list_finish(efc_status_list *l) {
  size_t out = 0;
  if (l->count == 0) return;
  qsort(l->entries, l->count, sizeof(l->entries[0]), cmp_entry);
  /* One entry per OBE: the stronger action (reject over photograph) wins. */
  for (size_t i = 0; i < l->count; i++) {
    if (out > 0 && memcmp(l->entries[out - 1].obuid, l->entries[i].obuid, 4) == 0) {
      if (l->entries[i].action > l->entries[out - 1].action)
        l->entries[out - 1].action = l->entries[i].action;
      continue;
    }
    l->entries[out++] = l->entries[i];
  }
  l->count = out;
}

enum efc_list_action efc_status_list_lookup(const efc_status_list *l, const uint8_t obuid[4]) {
  size_t lo = 0, hi = l ? l->count : 0;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = memcmp(l->entries[mid].obuid, obuid, 4);
    if (c == 0) return (enum efc_list_action)l->entries[mid].action;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return EFC_LIST_NONE;
}

int efc_status_list_load(efc_status_list *l, const char *path, FILE *warn, unsigned warn_max, char *err,
                         size_t errlen) {
  char line[512];
  unsigned lineno = 0;
  int skipped = 0;
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errlen, "%s: cannot open", path);
    return -1;
  }
  while (fgets(line, sizeof(line), f)) {
    char *comma, *action, *end;
    uint8_t id[4];
    lineno++;
    if (!strchr(line, '\n') && !feof(f)) {
      int ch;
      while ((ch = fgetc(f)) != EOF && ch != '\n') {
      }
      if (warn && (unsigned)skipped < warn_max) fprintf(warn, "%s:%u: line too long, skipped\n", path, lineno);
      skipped++;
      continue;
    }
    if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0') continue;
    comma = strchr(line, ',');
    action = comma ? comma + 1 : NULL;
    end = action ? strchr(action, ',') : NULL;
    if (comma) *comma = '\0';
    if (end) *end = '\0';
    else if (action) action[strcspn(action, "\r\n")] = '\0';
    if (!comma || dsrc_hex_decode(id, sizeof(id), line, NULL) != 4 ||
        (strcmp(action, "reject") != 0 && strcmp(action, "photograph") != 0)) {
      if (warn && (unsigned)skipped < warn_max)
        fprintf(warn, "%s:%u: expected OBUID(8 hex),reject|photograph[,reason], skipped\n", path,
                lineno);
      skipped++;
      continue;
    }
    if (efc_status_list_add(l, id, strcmp(action, "reject") == 0 ? EFC_LIST_REJECT : EFC_LIST_PHOTOGRAPH) != 0) {
      snprintf(err, errlen, "%s: out of memory", path);
      fclose(f);
      return -1;
    }
  }
  if (ferror(f)) {
    snprintf(err, errlen, "%s: read error", path);
    fclose(f);
    return -1;
  }
  fclose(f);
  efc_status_list_finish(l);
  return skipped;
}
