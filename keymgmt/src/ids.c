/* Country codes (ITA.2), Provider octets and key fingerprints. */
#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "dsrc/hex.h"
#include "km_internal.h"

/* ITA.2 (Baudot-Murray) letter codes, bit 1 first, as ISO 14816 packs them: A = 11000. */
static const uint8_t ita2_letters[26] = {
    0x18, 0x13, 0x0e, 0x12, 0x10, 0x16, 0x0b, 0x05, 0x0c, 0x1a, 0x1e, 0x09, 0x07,
    0x06, 0x03, 0x0d, 0x1d, 0x0a, 0x14, 0x01, 0x1c, 0x0f, 0x19, 0x17, 0x15, 0x11,
};

int keymgmt_country_code(const char *alpha2, uint16_t *out) {
  int a, b;
  if (!alpha2 || !out || strlen(alpha2) != 2) return KEYMGMT_ERR_ARG;
  a = toupper((unsigned char)alpha2[0]);
  b = toupper((unsigned char)alpha2[1]);
  if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z') return KEYMGMT_ERR_ARG;
  *out = (uint16_t)(ita2_letters[a - 'A'] << 5 | ita2_letters[b - 'A']);
  return 0;
}

int keymgmt_provider_parse(const char *text, uint8_t out[DSRC_PROVIDER_LEN]) {
  char cc[3];
  const char *colon;
  char *end;
  unsigned long id;
  uint16_t country;
  uint32_t bits;
  if (!text || !out) return KEYMGMT_ERR_ARG;
  colon = strchr(text, ':');
  if (!colon || colon - text != 2 || !isdigit((unsigned char)colon[1])) return KEYMGMT_ERR_ARG;
  memcpy(cc, text, 2);
  cc[2] = '\0';
  if (keymgmt_country_code(cc, &country) != 0) return KEYMGMT_ERR_ARG;
  errno = 0;
  id = strtoul(colon + 1, &end, 10);
  if (errno || *end != '\0' || id > 16383) return KEYMGMT_ERR_ARG;
  bits = (uint32_t)country << 14 | (uint32_t)id;
  out[0] = (uint8_t)(bits >> 16);
  out[1] = (uint8_t)(bits >> 8);
  out[2] = (uint8_t)bits;
  return 0;
}

void keymgmt_key_fingerprint(char out[9], const uint8_t *key, size_t len) {
  uint8_t md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  if (!EVP_Digest(key, len, md, &n, EVP_sha256(), NULL) || n < 4) {
    strcpy(out, "????????");
    return;
  }
  dsrc_hex_encode(out, md, 4, 1);
}
