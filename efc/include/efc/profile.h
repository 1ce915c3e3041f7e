/* The transaction profiles efcsim runs (docs/profiles.md), and the facts about each that
 * the OBE, the RSE, the issuer and the tools share: one index, one bit, one name.
 *
 * The order is a contract: an OBE numbers its applications (eid 1, 2, ...) in this order,
 * and an OBE profile file stores a profile set as these bits. */
#ifndef EFC_PROFILE_H
#define EFC_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum efc_profile {
  EFC_PROFILE_AUTOPASS = 0,
  EFC_PROFILE_EN15509_L0 = 1,
  EFC_PROFILE_EN15509_L1 = 2,
  EFC_PROFILE_AES = 3, /* efcsim's AES reference profile (the Level 1 flow with AES) */
  EFC_PROFILE_COUNT = 4
};

/* Every profile's bit. */
#define EFC_PROFILES_ALL ((1u << EFC_PROFILE_COUNT) - 1u)

/* A profile's bit in a set of profiles; 0 for no profile. */
static inline unsigned efc_profile_bit(int profile) {
  return profile >= 0 && profile < EFC_PROFILE_COUNT ? 1u << profile : 0u;
}

/* Whether a set of profiles holds profile. */
static inline bool efc_profiles_has(unsigned set, int profile) {
  return (set & efc_profile_bit(profile)) != 0;
}

/* "autopass", "en15509-l0", "en15509-l1", "aes"; "unknown" for anything else. */
const char *efc_profile_name(int profile);
/* The profile of a name, or -1. */
int efc_profile_parse(const char *name);
/* For tables people read: "AutoPASS", "EN 15509 L0", "EN 15509 L1", "AES reference";
 * "unknown". */
const char *efc_profile_title(int profile);

/* Parses "autopass,en15509-l0,en15509-l1,aes" (any non-empty subset) into a bit set; 0 or
 * DSRC_ERR_CHOICE for an empty or unknown name. */
int efc_profiles_parse(const char *list, unsigned *out);
/* Writes the comma list of a bit set, as far as it fits in cap; returns its length. */
size_t efc_profiles_format(char *out, size_t cap, unsigned profiles);

/* typeOfContract in the context mark of the profile's application (DSRC_CONTRACT_*), by
 * which an RSE tells the profiles apart in a VST; 0 for no profile. */
uint16_t efc_profile_contract(int profile);
/* The EN 15509 security level: 1 where the OBE checks access credentials (its VST
 * parameter then carries AC_CR-Reference and RndOBE), else 0. */
unsigned efc_profile_level(int profile);

#endif
