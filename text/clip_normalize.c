// CLIP text normalisation: ftfy 6 fix_text (subset), whitespace_clean, lower().
//
// Reproduced ftfy steps, in ftfy's order, repeated until the text stops changing (as fix_text does):
//   unescape_html (only when the text has no '<'; ftfy's entity table and numeric references),
//   fix_c1_controls (U+0080..U+009F → Windows-1252), fix_latin_ligatures, fix_character_width,
//   uncurl_quotes, remove_terminal_escapes, remove_control_chars, NFC (composition of adjacent pairs).
// Not reproduced: fix_encoding (mojibake repair: restore_byte_a0, replace_lossy_sequences,
// decode_inconsistent_utf8 — heuristics over the whole ftfy codec machinery); NFC's canonical reordering
// and singleton/decomposition mappings (text that is not already in NFD-ordered form); fix_line_breaks
// (it only turns one kind of whitespace into another, which whitespace_clean makes irrelevant).
// lower(): Python's full mapping incl. U+0130; final sigma approximated as "after a letter and not before one".
#include "text/clip_normalize.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "text/clip_unicode.h"

#define VD_CLIP_TEXT_MAX_FIX_ROUNDS 8  // ftfy repeats its fixers until stable; each round can only shrink

// Appends without a capacity check: every pass reserves its worst case first.
static void vd_cp_push(vd_cp_buf *b, uint32_t cp) { b->data[b->len++] = cp; }

// ---- unescape_html ----------------------------------------------------------------------------------

static bool vd_is_alnum_ascii(uint32_t c) {
  return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

// Windows-1252 for 0x80..0x9F; undefined bytes map to themselves (ftfy's "sloppy" codec, html's table).
static uint32_t vd_cp1252_c1(uint32_t c) {
  static const uint16_t table[32] = {
      0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};
  return table[c - 0x80];
}

// Python's html.unescape of a numeric reference; returns the count of code points written (0..1), or -1
// when the reference is not a complete one (then ftfy keeps the text as it was).
static int vd_html_numeric(const uint32_t *s, size_t n, uint32_t *out) {
  bool hex = n > 0 && (s[0] == 'x' || s[0] == 'X');
  size_t i = hex ? 1 : 0;
  if (i == n) return -1;
  uint64_t num = 0;
  for (; i < n; ++i) {
    uint32_t c = s[i], d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
      d = (c | 0x20) - 'a' + 10;
    } else {
      return -1;
    }
    num = num * (hex ? 16 : 10) + d;
    if (num > 0x10FFFF) num = 0x110000;  // saturate: anything above is U+FFFD
  }
  if (num == 0) {
    *out = 0xFFFD;
  } else if (num == 0x0D) {
    *out = '\r';
  } else if (num >= 0x80 && num <= 0x9F) {
    *out = vd_cp1252_c1((uint32_t)num);
  } else if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
    *out = 0xFFFD;
  } else if ((num >= 0x1 && num <= 0x8) || num == 0xB || (num >= 0xE && num <= 0x1F) || num == 0x7F ||
             (num >= 0xFDD0 && num <= 0xFDEF) || (num & 0xFFFE) == 0xFFFE) {
    return 0;  // html.unescape drops these
  } else {
    *out = (uint32_t)num;
  }
  return *out == ';' ? -1 : 1;  // ftfy refuses a result containing ';'
}

// Tries an entity `&#?[0-9A-Za-z]{1,24};` at s[0] == '&'; returns the code points consumed (0 = none).
static size_t vd_html_entity_at(const uint32_t *s, size_t n, vd_cp_buf *out) {
  size_t i = 1;
  bool numeric = i < n && s[i] == '#';
  if (numeric) ++i;
  size_t start = i;
  while (i < n && i - start < 25 && vd_is_alnum_ascii(s[i])) ++i;
  if (i == start || i - start > 24 || i >= n || s[i] != ';') return 0;
  uint32_t value[2];
  int count;
  if (numeric) {
    count = vd_html_numeric(s + start, i - start, value);
    if (count < 0) return 0;
  } else {
    char name[25];
    for (size_t k = start; k < i; ++k) name[k - start] = (char)s[k];
    const vd_html_entity *e = vd_html_entity_find(name, (int)(i - start));
    if (!e) return 0;
    value[0] = e->value[0];
    value[1] = e->value[1];
    count = value[1] ? 2 : 1;
  }
  for (int k = 0; k < count; ++k) vd_cp_push(out, value[k]);
  return i + 1;
}

static void vd_pass_unescape_html(const vd_cp_buf *in, vd_cp_buf *out) {
  for (size_t i = 0; i < in->len;) {
    size_t used = in->data[i] == '&' ? vd_html_entity_at(in->data + i, in->len - i, out) : 0;
    if (used) {
      i += used;
    } else {
      vd_cp_push(out, in->data[i++]);
    }
  }
}

// ---- per-character fixes ----------------------------------------------------------------------------

// fix_latin_ligatures; returns the number of code points written to out (0 = not a ligature).
static int vd_ligature(uint32_t c, uint32_t out[3]) {
  static const struct {
    uint32_t cp;
    const char *ascii;  // expansion when it is ASCII
    uint32_t alt[2];    // expansion otherwise
  } table[] = {
      {0x132, "IJ", {0}},  {0x133, "ij", {0}},           {0x149, NULL, {0x2BC, 'n'}}, {0x1C7, "LJ", {0}},
      {0x1C8, "Lj", {0}},  {0x1C9, "lj", {0}},           {0x1CA, "NJ", {0}},          {0x1CB, "Nj", {0}},
      {0x1CC, "nj", {0}},  {0x1F1, "DZ", {0}},           {0x1F2, "Dz", {0}},          {0x1F3, "dz", {0}},
      {0x1C4, NULL, {'D', 0x17D}}, {0x1C5, NULL, {'D', 0x17E}}, {0x1C6, NULL, {'d', 0x17E}},
      {0xFB00, "ff", {0}}, {0xFB01, "fi", {0}},          {0xFB02, "fl", {0}},         {0xFB03, "ffi", {0}},
      {0xFB04, "ffl", {0}}, {0xFB05, NULL, {0x17F, 't'}}, {0xFB06, "st", {0}},
  };
  if (c < 0x132 || (c > 0x1F3 && c < 0xFB00) || c > 0xFB06) return 0;
  for (size_t k = 0; k < sizeof(table) / sizeof(table[0]); ++k) {
    if (table[k].cp != c) continue;
    if (!table[k].ascii) {
      out[0] = table[k].alt[0];
      out[1] = table[k].alt[1];
      return 2;
    }
    int n = 0;
    for (const char *p = table[k].ascii; *p; ++p) out[n++] = (uint32_t)*p;
    return n;
  }
  return 0;
}

static bool vd_is_ftfy_control(uint32_t c) {
  return c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F || (c >= 0x206A && c <= 0x206F) ||
         c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
}

// fix_c1_controls, fix_latin_ligatures, fix_character_width and uncurl_quotes, one character at a time.
static void vd_pass_characters(const vd_cp_buf *in, vd_cp_buf *out) {
  for (size_t i = 0; i < in->len; ++i) {
    uint32_t c = in->data[i], rep[3];
    if (c >= 0x80 && c <= 0x9F) c = vd_cp1252_c1(c);
    int n = vd_ligature(c, rep);
    if (n == 0) n = vd_unicode_width_fix(c, rep);
    if (n == 0) {
      if (c == 0x2BC || (c >= 0x2018 && c <= 0x201B)) c = '\'';
      if (c >= 0x201C && c <= 0x201F) c = '"';
      rep[0] = c;
      n = 1;
    }
    for (int k = 0; k < n; ++k) {
      uint32_t r = rep[k];
      if (r == 0x2BC || (r >= 0x2018 && r <= 0x201B)) r = '\'';  // expansions are quote-fixed too
      vd_cp_push(out, r);
    }
  }
}

// remove_terminal_escapes (ESC [ digits/; letter) then remove_control_chars.
static void vd_pass_controls(const vd_cp_buf *in, vd_cp_buf *out) {
  for (size_t i = 0; i < in->len; ++i) {
    if (in->data[i] == 0x1B && i + 1 < in->len && in->data[i + 1] == '[') {
      size_t j = i + 2;
      while (j < in->len && ((in->data[j] >= '0' && in->data[j] <= '9') || in->data[j] == ';')) ++j;
      if (j < in->len && (in->data[j] | 0x20) >= 'a' && (in->data[j] | 0x20) <= 'z') {
        i = j;
        continue;
      }
    }
    if (!vd_is_ftfy_control(in->data[i])) vd_cp_push(out, in->data[i]);
  }
}

// NFC, composition part only: each character is composed with the one before it when they form a
// primary composite.
static void vd_pass_compose(const vd_cp_buf *in, vd_cp_buf *out) {
  for (size_t i = 0; i < in->len; ++i) {
    uint32_t c = in->data[i], composed = out->len ? vd_unicode_compose(out->data[out->len - 1], c) : 0;
    if (composed) {
      out->data[out->len - 1] = composed;
    } else {
      vd_cp_push(out, c);
    }
  }
}

static bool vd_has_lt(const uint32_t *cps, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (cps[i] == '<') return true;
  return false;
}

typedef void (*vd_clip_text_pass)(const vd_cp_buf *in, vd_cp_buf *out);

// Output length of vd_pass_characters (ligatures expand to up to 3, width forms to up to 2 code points).
static size_t vd_characters_len(const vd_cp_buf *in) {
  size_t n = 0;
  for (size_t i = 0; i < in->len; ++i) {
    uint32_t c = in->data[i], rep[3];
    if (c >= 0x80 && c <= 0x9F) c = vd_cp1252_c1(c);
    int k = vd_ligature(c, rep);
    if (k == 0) k = vd_unicode_width_fix(c, rep);
    n += k ? (size_t)k : 1;
  }
  return n;
}

// Runs one pass from *cur into *tmp and swaps them. Only the characters pass can grow the text.
static vd_status vd_clip_text_run(vd_clip_text_pass pass, vd_cp_buf **cur, vd_cp_buf **tmp, size_t limit) {
  size_t need = (pass == vd_pass_characters ? vd_characters_len(*cur) : (*cur)->len) + 1;
  if (need > limit) return vd_status_make(VD_ERR_INTERNAL, "clip text: cleanup grew past %zu code points", limit);
  VD_RETURN_IF_ERROR(vd_cp_buf_reserve(*tmp, need));
  (*tmp)->len = 0;
  pass(*cur, *tmp);
  vd_cp_buf *t = *cur;
  *cur = *tmp;
  *tmp = t;
  return NULL;
}

// The ftfy subset, repeated until the text stops changing. Returns the buffer holding the result.
static vd_status vd_clip_text_fix(vd_cp_buf bufs[3], size_t limit, vd_cp_buf **out_result) {
  vd_cp_buf *cur = &bufs[0], *tmp = &bufs[1], *prev = &bufs[2];
  bool unescape = !vd_has_lt(cur->data, cur->len);  // ftfy's unescape_html="auto"
  for (int round = 0; round < VD_CLIP_TEXT_MAX_FIX_ROUNDS; ++round) {
    VD_RETURN_IF_ERROR(vd_cp_buf_reserve(prev, cur->len + 1));
    memcpy(prev->data, cur->data, sizeof(uint32_t) * cur->len);
    prev->len = cur->len;
    if (unescape) VD_RETURN_IF_ERROR(vd_clip_text_run(vd_pass_unescape_html, &cur, &tmp, limit));
    VD_RETURN_IF_ERROR(vd_clip_text_run(vd_pass_characters, &cur, &tmp, limit));
    VD_RETURN_IF_ERROR(vd_clip_text_run(vd_pass_controls, &cur, &tmp, limit));
    VD_RETURN_IF_ERROR(vd_clip_text_run(vd_pass_compose, &cur, &tmp, limit));
    if (cur->len == prev->len && memcmp(cur->data, prev->data, sizeof(uint32_t) * cur->len) == 0) break;
  }
  *out_result = cur;
  return NULL;
}

// whitespace_clean then lower(): runs of White_Space become one space, leading/trailing ones go.
static void vd_clip_text_space_lower(const vd_cp_buf *in, vd_cp_buf *out) {
  out->len = 0;
  bool pending_space = false;
  for (size_t i = 0; i < in->len; ++i) {
    uint32_t c = in->data[i], low[2];
    if (vd_unicode_is_space(c)) {
      pending_space = out->len > 0;
      continue;
    }
    if (pending_space) vd_cp_push(out, ' ');
    pending_space = false;
    if (c == 0x3A3) {  // final sigma (approximation, see the file comment)
      bool after_letter = out->len > 0 && vd_unicode_is_letter(out->data[out->len - 1]);
      bool before_letter = i + 1 < in->len && vd_unicode_is_letter(in->data[i + 1]);
      vd_cp_push(out, after_letter && !before_letter ? 0x3C2 : 0x3C3);
      continue;
    }
    int n = vd_unicode_lower(c, low);
    for (int k = 0; k < n; ++k) vd_cp_push(out, low[k]);
  }
}

vd_status vd_clip_text_normalize(const uint32_t *cps, size_t n, vd_cp_buf *out) {
  if (n > ((size_t)1 << 40)) return vd_status_make(VD_ERR_LIMIT, "clip text: %zu code points", n);
  size_t limit = 3 * n + 3;
  vd_cp_buf bufs[3] = {{0}, {0}, {0}};
  vd_status st = vd_cp_buf_reserve(&bufs[0], n + 1);
  vd_cp_buf *fixed = NULL;
  if (!st) {
    if (n) memcpy(bufs[0].data, cps, sizeof(uint32_t) * n);
    bufs[0].len = n;
    st = vd_clip_text_fix(bufs, limit, &fixed);
  }
  if (!st) st = vd_cp_buf_reserve(out, 2 * fixed->len + 1);
  if (!st) vd_clip_text_space_lower(fixed, out);
  for (int k = 0; k < 3; ++k) vd_cp_buf_release(&bufs[k]);
  return st;
}
