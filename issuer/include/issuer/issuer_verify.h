/* The issuer's check of one claim: the MAC only the issuer can verify (AutoPASS MAC1,
 * EN 15509 / AES MAC_TSP), that the MACed data say what the claim says, that the RSE's
 * nonces commit to the claim's station, lane and time, and the tariff. docs/claims.md. */
#ifndef ISSUER_VERIFY_H
#define ISSUER_VERIFY_H

#include <stdbool.h>

#include "keymgmt/keymgmt.h"
#include "efc/claim.h"

enum issuer_flag {
  ISSUER_BAD_MAC = 1 << 0,      /* MAC1 / MAC_TSP does not verify: altered or invented */
  ISSUER_MISMATCH = 1 << 1,     /* the MACed attributes or T disagree with the claim's fields */
  ISSUER_BAD_COMMIT = 1 << 2,   /* a nonce does not commit to the claim's station, lane, time */
  ISSUER_BAD_FEE = 1 << 3,      /* fee is not the tariff of the class */
  ISSUER_NO_KEY = 1 << 4,       /* keyRef or generation the issuer cannot check */
  ISSUER_UNBOUND = 1 << 5,      /* random or time nonces: station, lane and time unproven */
};

/* Names of the flags set, comma separated; returns the length. */
size_t issuer_flags_format(char *out, size_t cap, unsigned flags);

typedef struct {
  bool check_mac;      /* verify MAC1 / MAC_TSP (a test can switch it off) */
  bool check_commit;
  bool check_fee;
} issuer_options;

void issuer_options_default(issuer_options *o);

/* Returns the flags found (0: the claim is sound) or a negative error. */
int issuer_verify_claim(dsrc_crypto *c, const keymgmt_keystore *ks, const issuer_options *opt,
                        const efc_claim *cl);

#endif
