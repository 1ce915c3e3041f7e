/* A claim: what the RSE reports to the issuer for one passage, and the rules both sides
 * share to bind it (docs/claims.md): the commitment nonces and the tariff. One JSON line
 * per claim. */
#ifndef EFC_CLAIM_H
#define EFC_CLAIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsrc/crypto.h"
#include "dsrc/tapdu.h"
#include "efc/profile.h"

enum efc_verdict { EFC_PASS = 0, EFC_PHOTOGRAPH = 1, EFC_REJECT = 2 };
const char *efc_verdict_name(int verdict);

/* Why a passage was not a plain pass (bit set). */
enum efc_reason {
  EFC_WHY_INCOMPLETE = 1 << 0,   /* the transaction did not finish */
  EFC_WHY_MAC = 1 << 1,          /* MAC2 / MAC_TC failed at the lane */
  EFC_WHY_ACCESS = 1 << 2,       /* the OBE denied access (Level 1 credentials) */
  EFC_WHY_NO_KEYS = 1 << 3,      /* the operator holds no key to check this OBE */
  EFC_WHY_STATUS_LIST = 1 << 4,  /* the status list names this OBE */
  EFC_WHY_PROTOCOL = 1 << 5,     /* an answer that made no sense */
};
/* The names of the bits set in bits (bit i named names[i], i < count), comma separated, as
 * claims and reports show verdict reasons and issuer flags; returns the length (snprintf's
 * rule: what it would have written, whatever cap). */
size_t efc_bits_format(char *out, size_t cap, unsigned bits, const char *const *names, unsigned count);
/* The names of the bits set, comma separated ("mac,status-list"); returns the length. */
size_t efc_reasons_format(char *out, size_t cap, unsigned reasons);

/* How the RSE draws RND-1 and the GET_STAMPED nonces. */
enum efc_nonce_mode {
  EFC_NONCE_COMMIT = 0,  /* first4(SHA-256(label, station, lane, time, salt)): unpredictable, binds the claim */
  EFC_NONCE_RANDOM = 1,  /* random, binds nothing */
  EFC_NONCE_TIME = 2,    /* the transaction time T: predictable (the pre-play experiment) */
};

#define EFC_ATTRLIST_MAX 96

typedef struct {
  int profile; /* enum efc_profile */
  uint16_t station;
  uint8_t lane;
  dsrc_beacon_id beacon;
  int64_t time_cs;     /* transaction time, unix centiseconds */
  uint32_t fee;        /* in 1/100 of the currency unit */
  uint8_t vehicle_class; /* unEceVehicleClass used for the tariff */
  int verdict;
  unsigned reasons;
  uint8_t nonce_mode;
  uint8_t salt[8];     /* commitment salt (nonce_mode COMMIT) */
  bool has_obuid;
  uint8_t obuid[4];
  /* autopass */
  uint8_t efcstatus;
  uint16_t tc;
  uint8_t rnd1[4], t[4], rnd2[4], keygen, mac1[4], mac2[4];
  /* en15509 and aes */
  uint8_t level;
  uint8_t pan[10];
  uint8_t provider[3];
  uint16_t counter;    /* EquipmentStatus transaction counter (12 bits) read */
  uint8_t attrlist_len;
  uint8_t attrlist[EFC_ATTRLIST_MAX]; /* the attribute list MAC_TSP covers, as on air */
  uint8_t nonce_tsp[4], keyref_tsp, mac_tsp[4];
  uint8_t nonce_tc[4], keyref_tc, mac_tc[4];
} efc_claim;

/* The claim as one JSON line (no newline); returns its length or a negative dsrc error. */
int efc_claim_format(const efc_claim *c, char *out, size_t cap);

/* Parses a claim line; 0 or DSRC_ERR_JSON with a message naming the field. */
int efc_claim_parse(efc_claim *c, const char *line, char *err, size_t errlen);

/* What the claim takes from the security exchange: RND-1, T and keyGen from a GET_SECURE
 * request (efc_msg_secure_rq); obuid, efcstatus, TC, RND-2, MAC1 and MAC2 from its answer
 * (efc_msg_secure_rs; the keyGen it echoes is the caller's to check); obuid, counter and
 * PAN from the attributes of list in t. */
void efc_claim_read_secure_rq(efc_claim *c, const uint8_t rq[9]);
void efc_claim_read_secure(efc_claim *c, const uint8_t rs[20]);
void efc_claim_read_attrs(efc_claim *c, const dsrc_tapdu *t, dsrc_attr_list list);

/* Sets the counter in c's MACed attribute list and c->counter, as one who alters a claim
 * would. 0 or a negative dsrc error when the list does not decode. */
int efc_claim_counter_set(efc_claim *c, uint16_t counter);

/* The commitment the RSE uses as a nonce: first4(SHA-256(label || station(2) || lane(1) ||
 * time_cs(8) || salt(8))), big-endian fields; label "RND-1", "TSP" or "TC". */
int efc_commit(uint8_t out[4], const char *label, uint16_t station, uint8_t lane, int64_t time_cs,
               const uint8_t salt[8]);
/* The same with c's SHA-256 (no algorithm fetch per call): for the per-passage paths. */
int efc_commit_with(dsrc_crypto *c, uint8_t out[4], const char *label, uint16_t station, uint8_t lane,
                    int64_t time_cs, const uint8_t salt[8]);

/* efcsim's tariff (docs/claims.md): fee in cents for an unEceVehicleClass 0..7. */
uint32_t efc_tariff(uint8_t vehicle_class);

#endif
