// UTF-8 with the Unicode "maximal subpart" replacement policy (also Python's and WHATWG's).
#include "text/utf8.h"

// Expected length of a sequence starting with lead byte b, and the allowed range of its second byte.
static int vd_utf8_lead(uint8_t b, uint8_t *lo, uint8_t *hi) {
  *lo = 0x80;
  *hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) return 2;
  if (b >= 0xE0 && b <= 0xEF) {
    if (b == 0xE0) *lo = 0xA0;  // no overlong forms
    if (b == 0xED) *hi = 0x9F;  // no surrogates
    return 3;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    if (b == 0xF0) *lo = 0x90;
    if (b == 0xF4) *hi = 0x8F;  // nothing above U+10FFFF
    return 4;
  }
  return 0;
}

// Decodes one sequence at s[0..len); sets *used (>= 1) and returns the code point or U+FFFD.
static uint32_t vd_utf8_next(const uint8_t *s, size_t len, size_t *used) {
  *used = 1;
  if (s[0] < 0x80) return s[0];
  uint8_t lo, hi;
  int need = vd_utf8_lead(s[0], &lo, &hi);
  if (need == 0) return 0xFFFD;
  uint32_t cp = s[0] & (need == 2 ? 0x1F : need == 3 ? 0x0F : 0x07);
  for (int k = 1; k < need; ++k) {
    if ((size_t)k >= len) return 0xFFFD;
    uint8_t c = s[k];
    if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF)) return 0xFFFD;
    cp = (cp << 6) | (c & 0x3F);
    *used = (size_t)k + 1;
  }
  return cp;
}

size_t vd_utf8_decode(const char *bytes, size_t len, uint32_t *out) {
  const uint8_t *s = (const uint8_t *)bytes;
  size_t n = 0, i = 0;
  while (i < len) {
    size_t used;
    out[n++] = vd_utf8_next(s + i, len - i, &used);
    i += used;
  }
  return n;
}

size_t vd_utf8_check(const char *bytes, size_t len) {
  const uint8_t *s = (const uint8_t *)bytes;
  size_t i = 0;
  while (i < len) {
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    size_t used;
    uint32_t cp = vd_utf8_next(s + i, len - i, &used);
    if (cp == 0xFFFD && !(used == 3 && s[i] == 0xEF)) return i;  // a real U+FFFD is EF BF BD
    i += used;
  }
  return len;
}

int vd_utf8_encode(uint32_t cp, char out[4]) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}
