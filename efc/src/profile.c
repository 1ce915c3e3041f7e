/* The profile table: each profile's names and the facts the parts share about it. */
#include <string.h>

#include "dsrc/efc.h"
#include "dsrc/err.h"
#include "efc/profile.h"

static const struct {
  const char *name;
  const char *title;
  uint16_t contract;
  uint8_t level;
} profiles[EFC_PROFILE_COUNT] = {
    [EFC_PROFILE_AUTOPASS] = {"autopass", "AutoPASS", DSRC_CONTRACT_AUTOPASS, 0},
    [EFC_PROFILE_EN15509_L0] = {"en15509-l0", "EN 15509 L0", DSRC_CONTRACT_EN15509, 0},
    [EFC_PROFILE_EN15509_L1] = {"en15509-l1", "EN 15509 L1", DSRC_CONTRACT_EN15509, 1},
    [EFC_PROFILE_AES] = {"aes", "AES reference", DSRC_CONTRACT_AES, 1},
};

static bool known(int profile) { return profile >= 0 && profile < EFC_PROFILE_COUNT; }

const char *efc_profile_name(int profile) { return known(profile) ? profiles[profile].name : "unknown"; }

const char *efc_profile_title(int profile) { return known(profile) ? profiles[profile].title : "unknown"; }

uint16_t efc_profile_contract(int profile) { return known(profile) ? profiles[profile].contract : 0; }

unsigned efc_profile_level(int profile) { return known(profile) ? profiles[profile].level : 0; }

/* The profile named by the n octets at s, or -1. */
static int lookup(const char *s, size_t n) {
  for (int i = 0; i < EFC_PROFILE_COUNT; i++)
    if (strlen(profiles[i].name) == n && strncmp(s, profiles[i].name, n) == 0) return i;
  return -1;
}

int efc_profile_parse(const char *name) { return name ? lookup(name, strlen(name)) : -1; }

int efc_profiles_parse(const char *list, unsigned *out) {
  unsigned set = 0;
  const char *p = list;
  if (!list || !out) return DSRC_ERR_CHOICE;
  for (;;) {
    size_t n = strcspn(p, ",");
    int i = lookup(p, n);
    if (i < 0) return DSRC_ERR_CHOICE;
    set |= efc_profile_bit(i);
    if (p[n] == '\0') break;
    p += n + 1;
  }
  *out = set;
  return 0;
}

size_t efc_profiles_format(char *out, size_t cap, unsigned set) {
  size_t len = 0;
  if (cap == 0) return 0;
  out[0] = '\0';
  for (int i = 0; i < EFC_PROFILE_COUNT; i++) {
    size_t n = strlen(profiles[i].name);
    if (!(set & efc_profile_bit(i))) continue;
    if (len + (len ? 1 : 0) + n + 1 > cap) break;
    if (len) out[len++] = ',';
    memcpy(out + len, profiles[i].name, n + 1);
    len += n;
  }
  return len;
}
