#include "dsrc/hex.h"

static int hex_val(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

dsrc_ssize dsrc_hex_decode(uint8_t *out, size_t cap, const char *hex, size_t *errpos) {
  size_t n = 0, digits = 0, last = 0;
  int hi = 0;
  for (size_t i = 0; hex[i] != '\0'; i++) {
    int v;
    if (hex[i] == ' ' || hex[i] == '\t' || hex[i] == '\n' || hex[i] == '\r') continue;
    v = hex_val(hex[i]);
    if (v < 0) {
      if (errpos) *errpos = i;
      return DSRC_ERR_HEX;
    }
    last = i;
    if ((digits++ & 1) == 0) {
      hi = v;
      continue;
    }
    if (n >= cap) {
      if (errpos) *errpos = i;
      return DSRC_ERR_NOBUF;
    }
    out[n++] = (uint8_t)(hi << 4 | v);
  }
  if (digits & 1) {
    if (errpos) *errpos = last;
    return DSRC_ERR_HEX_ODD;
  }
  return (dsrc_ssize)n;
}

void dsrc_hex_encode(char *out, const uint8_t *in, size_t len, int upper) {
  const char *d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  for (size_t i = 0; i < len; i++) {
    out[2 * i] = d[in[i] >> 4];
    out[2 * i + 1] = d[in[i] & 15];
  }
  out[2 * len] = '\0';
}
