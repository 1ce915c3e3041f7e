#include "dsrc/err.h"

static const char *const texts[] = {
    "success",
    "truncated: the input ends before the value",
    "no room in the output buffer",
    "unknown CHOICE alternative or ENUMERATED index",
    "extension bit set where only root values are supported",
    "value out of range for its type",
    "more items or octets than efcsim's fixed storage holds",
    "non-canonical encoding (non-minimal form or nonzero padding)",
    "valid but unsupported alternative",
    "unexpected octets after the value",
    "frame does not start and end with the 0x7E flag",
    "frame check sequence mismatch",
    "link identifier without a final extension bit",
    "frame size outside its limits",
    "fragmented PDU or malformed fragmentation header",
    "invalid PDU number (0 and 1 are reserved)",
    "value violates a constraint of its type",
    "non-hex character",
    "odd number of hex digits",
    "JSON value does not match the ASN.1 type",
    "unknown LLC control field",
    "no T-APDU where one is required",
};

const char *dsrc_strerror(int err) {
  unsigned i = err <= 0 ? (unsigned)-err : 0u;
  if (err > 0 || i >= sizeof(texts) / sizeof(texts[0])) return "unknown error";
  return texts[i];
}
