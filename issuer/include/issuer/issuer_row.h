/* What the issuer stores for one claim: the claimed fields the analysis needs, the verdict
 * of issuer_verify_claim, and the values the analysis may trust because a MAC only the OBE
 * and the issuer can compute covers them (docs/issuer.md, "What the analysis trusts"). */
#ifndef BACKOFFICE_ISSUER_ROW_H
#define BACKOFFICE_ISSUER_ROW_H

#include <stdbool.h>
#include <stdint.h>

#include "efc/claim.h"

/* The OBE counter a claim carries. The EN 15509 and AES profiles read the same
 * EquipmentStatus counter; AutoPASS has its own TC. */
enum issuer_counter_family {
  ISSUER_CTR_AUTOPASS = 0,  /* TC, 16 bits, advanced by the OBE */
  ISSUER_CTR_EQUIPMENT = 1, /* EquipmentStatus counter, 12 bits, written by the RSE */
};

/* The modulus of a family's counter: 65536 or 4096. */
unsigned issuer_counter_range(int family);

#define ISSUER_LINE_HASH 16 /* first 16 octets of SHA-256 of the line */

typedef struct {
  uint8_t line_hash[ISSUER_LINE_HASH];
  int64_t line_no;
  int profile;
  uint16_t station;
  uint8_t lane;
  int64_t time_cs;
  uint32_t fee;
  uint8_t vehicle_class;
  int lane_verdict;
  unsigned lane_reasons;
  bool has_obuid; /* the claimed OBE */
  uint32_t obuid;
  uint16_t counter; /* the claimed counter (tc or counter) */
  int family;
  unsigned flags; /* issuer_verify_claim */
  /* The MAC verified (or MAC checking is off): obuid and counter as the MACed data carry
   * them; the sequence analysis uses only these. */
  bool mac_ok;
  uint32_t mac_obuid;
  uint16_t mac_counter;
  /* The time, station and lane are proven: MAC verified, commitment nonces that check,
   * and for AutoPASS the MACed T equal to time_cs. The time analysis uses only these. */
  bool time_proven;
} issuer_row;

/* Fills row from a parsed claim and its verification flags (line_hash and line_no are
 * left to the caller). Returns 0. */
int issuer_row_from_claim(issuer_row *row, const efc_claim *cl, unsigned flags);

#endif
