// NFC in three passes over one buffer: decompose (recursively, Hangul algorithmically), sort every run of
// non-starters by combining class (stable), then compose each character with the last starter unless a
// character between them blocks it (UAX #15 §1.3, Unicode §3.11). Text below U+0300 is already NFC.
#include "text/unicode_nfc.h"

#include <stdbool.h>

#define VD_NFC_HANGUL_S_BASE 0xAC00u
#define VD_NFC_HANGUL_S_COUNT 11172u

static vd_status vd_nfc_decompose_one(uint32_t cp, vd_ucd_age age, vd_cp_buf *out) {
  if (cp - VD_NFC_HANGUL_S_BASE < VD_NFC_HANGUL_S_COUNT) {
    uint32_t s = cp - VD_NFC_HANGUL_S_BASE;
    VD_RETURN_IF_ERROR(vd_cp_buf_push(out, 0x1100 + s / 588));
    VD_RETURN_IF_ERROR(vd_cp_buf_push(out, 0x1161 + (s % 588) / 28));
    return s % 28 ? vd_cp_buf_push(out, 0x11A7 + s % 28) : NULL;
  }
  const vd_ucd_decomposition *d = vd_ucd_decomposition_of(cp, age);
  if (!d) return vd_cp_buf_push(out, cp);
  VD_RETURN_IF_ERROR(vd_nfc_decompose_one(d->first, age, out));  // depth is bounded by the data (<= 4)
  return d->second ? vd_nfc_decompose_one(d->second, age, out) : NULL;
}

// Stable insertion sort of every maximal run of non-starters by combining class.
static void vd_nfc_reorder(uint32_t *t, size_t n, vd_ucd_age age) {
  for (size_t i = 1; i < n; ++i) {
    uint8_t c = vd_ucd_ccc(t[i], age);
    if (c == 0) continue;
    uint32_t cp = t[i];
    size_t j = i;
    while (j > 0) {
      uint8_t p = vd_ucd_ccc(t[j - 1], age);
      if (p <= c) break;  // a starter (0) or a class not above ours stops the move
      t[j] = t[j - 1];
      --j;
    }
    t[j] = cp;
  }
}

// Canonical composition in place; returns the new length.
static size_t vd_nfc_compose(uint32_t *t, size_t n, vd_ucd_age age) {
  if (n == 0) return 0;
  size_t starter = 0, w = 1;  // t[starter] is the last starter kept; w is the write position
  bool have_starter = vd_ucd_ccc(t[0], age) == 0;
  int last_ccc = have_starter ? 0 : 256;  // class of the last character written after the starter
  for (size_t i = 1; i < n; ++i) {
    uint32_t cp = t[i];
    int c = vd_ucd_ccc(cp, age);
    bool adjacent = w == starter + 1;
    bool blocked = !adjacent && (last_ccc == 0 || last_ccc >= c);
    uint32_t composite = have_starter && !blocked ? vd_ucd_compose(t[starter], cp, age) : 0;
    if (composite) {
      t[starter] = composite;
      continue;
    }
    if (c == 0) {
      starter = w;
      have_starter = true;
    }
    last_ccc = c;
    t[w++] = cp;
  }
  return w;
}

static bool vd_nfc_trivial(const uint32_t *in, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (in[i] >= 0x300) return false;
  return true;
}

vd_status vd_unicode_nfc(const uint32_t *in, size_t n, vd_ucd_age age, vd_cp_buf *out) {
  out->len = 0;
  if (vd_nfc_trivial(in, n)) {
    VD_RETURN_IF_ERROR(vd_cp_buf_reserve(out, n + 1));
    for (size_t i = 0; i < n; ++i) out->data[i] = in[i];
    out->len = n;
    return NULL;
  }
  VD_RETURN_IF_ERROR(vd_cp_buf_reserve(out, n + n / 2 + 16));
  for (size_t i = 0; i < n; ++i) VD_RETURN_IF_ERROR(vd_nfc_decompose_one(in[i], age, out));
  vd_nfc_reorder(out->data, out->len, age);
  out->len = vd_nfc_compose(out->data, out->len, age);
  return NULL;
}
