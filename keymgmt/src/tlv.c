/* The binary TLV plaintext of the key files: no parser library holds copies of key bytes,
 * so every buffer that ever saw a key can be wiped. */
#include <string.h>

#include "km_internal.h"

void km_tlv_put(km_tlv_writer *w, uint8_t tag, const void *a, size_t alen, const void *b,
                size_t blen) {
  size_t n = alen + blen;
  if (w->overflow || n > 255 || w->len + 2 + n > w->cap) {
    w->overflow = true;
    return;
  }
  w->buf[w->len++] = tag;
  w->buf[w->len++] = (uint8_t)n;
  if (alen) memcpy(w->buf + w->len, a, alen);
  if (blen) memcpy(w->buf + w->len + alen, b, blen);
  w->len += n;
}

int km_tlv_next(km_tlv_reader *r, uint8_t *tag, const uint8_t **val, size_t *vlen) {
  size_t n;
  if (r->off == r->len) return 0;
  if (r->len - r->off < 2) return KEYMGMT_ERR_CONTENT;
  n = r->p[r->off + 1];
  if (r->len - r->off - 2 < n) return KEYMGMT_ERR_CONTENT;
  *tag = r->p[r->off];
  *val = r->p + r->off + 2;
  *vlen = n;
  r->off += 2 + n;
  return 1;
}
