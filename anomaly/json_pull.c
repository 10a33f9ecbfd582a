#include "anomaly/json_pull.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/utf8.h"

#define VD_JP_FIRST 1u  // open[]: no member or element read yet
#define VD_JP_ARRAY 2u  // open[]: the container is an array

void vd_jpull_init(vd_jpull *j, const char *text, size_t len, const char *label) {
  memset(j, 0, sizeof(*j));
  j->begin = text;
  j->p = text;
  j->end = text + len;
  j->label = label;
}

int vd_jpull_line_of(const vd_jpull *j, const char *pos) {
  int line = 1;
  for (const char *q = j->begin; q < pos && q < j->end; ++q) line += *q == '\n';
  return line;
}

vd_status vd_jpull_error_at(const vd_jpull *j, const char *pos, const char *fmt, ...) {
  const char *line_start = pos;
  while (line_start > j->begin && line_start[-1] != '\n') --line_start;
  char what[384];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof(what), fmt, ap);
  va_end(ap);
  return vd_status_make(VD_ERR_FORMAT, "%s:%d:%d: %s", j->label, vd_jpull_line_of(j, pos), (int)(pos - line_start) + 1,
                        what);
}

// What the cursor shows, for "expected X, found Y".
static const char *vd_jp_found(const vd_jpull *j, char buf[16]) {
  if (j->p >= j->end) return "the end of the file";
  unsigned char c = (unsigned char)*j->p;
  if (c >= 0x21 && c < 0x7F) snprintf(buf, 16, "'%c'", c);
  else snprintf(buf, 16, "byte 0x%02x", c);
  return buf;
}

static vd_status vd_jp_expected(const vd_jpull *j, const char *what) {
  char buf[16];
  return vd_jpull_error_at(j, j->p, "expected %s, found %s", what, vd_jp_found(j, buf));
}

static void vd_jp_space(vd_jpull *j) {
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) ++j->p;
}

vd_json_kind vd_jpull_peek(vd_jpull *j) {
  vd_jp_space(j);
  if (j->p >= j->end) return VD_JSON_NONE;
  switch (*j->p) {
    case '{': return VD_JSON_OBJECT;
    case '[': return VD_JSON_ARRAY;
    case '"': return VD_JSON_STRING;
    case 't':
    case 'f': return VD_JSON_BOOL;
    case 'n': return VD_JSON_NULL;
    case '-':
    case 'N':
    case 'I': return VD_JSON_NUMBER;
    default: return *j->p >= '0' && *j->p <= '9' ? VD_JSON_NUMBER : VD_JSON_NONE;
  }
}

bool vd_jpull_at_end(vd_jpull *j) {
  vd_jp_space(j);
  return j->p >= j->end;
}

vd_status vd_jpull_finish(vd_jpull *j) { return vd_jpull_at_end(j) ? NULL : vd_jp_expected(j, "the end of the file"); }

vd_status vd_jpull_line_end(vd_jpull *j) {
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r')) ++j->p;
  if (j->p < j->end && *j->p != '\n') return vd_jp_expected(j, "the end of the line (one JSON value per line)");
  return NULL;
}

// ---- strings ------------------------------------------------------------------------------------------

static int vd_jp_hex4(const char *s) {
  int v = 0;
  for (int i = 0; i < 4; ++i) {
    char c = s[i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

// Reads the \uXXXX escape at s (s[0] == '\\', s[1] == 'u'), pairing surrogates; *used = bytes consumed.
static vd_status vd_jp_unicode_escape(const vd_jpull *j, const char *s, const char *stop, uint32_t *out_cp,
                                      size_t *used) {
  int hi = stop - s >= 6 ? vd_jp_hex4(s + 2) : -1;
  if (hi < 0) return vd_jpull_error_at(j, s, "invalid \\u escape");
  *used = 6;
  *out_cp = (uint32_t)hi;
  if (hi >= 0xD800 && hi <= 0xDBFF && stop - s >= 12 && s[6] == '\\' && s[7] == 'u') {
    int lo = vd_jp_hex4(s + 8);
    if (lo >= 0xDC00 && lo <= 0xDFFF) {
      *out_cp = 0x10000 + (((uint32_t)hi - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
      *used = 12;
      return NULL;
    }
  }
  if (hi >= 0xD800 && hi <= 0xDFFF) *out_cp = 0xFFFD;  // a lone surrogate
  if (hi == 0) return vd_jpull_error_at(j, s, "\\u0000 in a string is not supported");
  return NULL;
}

static char vd_jp_simple_escape(char c) {
  switch (c) {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return 0;
  }
}

// Decodes the string body [s, stop) into dst (may be NULL: check only); *out_len = bytes written.
static vd_status vd_jp_decode(const vd_jpull *j, const char *s, const char *stop, char *dst, size_t *out_len) {
  size_t n = 0;
  while (s < stop) {
    unsigned char c = (unsigned char)*s;
    if (c < 0x20) return vd_jpull_error_at(j, s, "control character 0x%02x in a string", c);
    if (c != '\\') {
      size_t run = 1;
      while (s + run < stop && (unsigned char)s[run] >= 0x20 && s[run] != '\\') ++run;
      size_t ok = vd_utf8_check(s, run);
      if (ok < run) return vd_jpull_error_at(j, s + ok, "invalid UTF-8 in a string");
      if (dst) memcpy(dst + n, s, run);
      n += run;
      s += run;
      continue;
    }
    if (s[1] == 'u') {
      uint32_t cp;
      size_t used;
      VD_RETURN_IF_ERROR(vd_jp_unicode_escape(j, s, stop, &cp, &used));
      char buf[4];
      int k = vd_utf8_encode(cp, buf);
      if (dst) memcpy(dst + n, buf, (size_t)k);
      n += (size_t)k;
      s += used;
      continue;
    }
    char e = vd_jp_simple_escape(s[1]);
    if (!e) return vd_jpull_error_at(j, s, "invalid escape \\%c", s[1]);
    if (dst) dst[n] = e;
    ++n;
    s += 2;
  }
  *out_len = n;
  return NULL;
}

// Finds the closing quote of the string at j->p; *out_stop points at it.
static vd_status vd_jp_string_span(const vd_jpull *j, const char **out_stop) {
  const char *q = j->p + 1;
  while (q < j->end && *q != '"') q += *q == '\\' ? 2 : 1;
  if (q >= j->end) return vd_jpull_error_at(j, j->p, "unterminated string");
  *out_stop = q;
  return NULL;
}

vd_status vd_jpull_string(vd_jpull *j, vd_arena *arena, const char **out, size_t *out_len) {
  if (vd_jpull_peek(j) != VD_JSON_STRING) return vd_jp_expected(j, "a string");
  const char *stop = NULL;
  VD_RETURN_IF_ERROR(vd_jp_string_span(j, &stop));
  size_t raw = (size_t)(stop - j->p - 1), n = 0;
  char *dst = vd_arena_alloc(arena, raw + 1);
  if (!dst) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", j->label);
  VD_RETURN_IF_ERROR(vd_jp_decode(j, j->p + 1, stop, dst, &n));
  dst[n] = '\0';
  vd_arena_shrink_last(arena, dst, n + 1);
  j->p = stop + 1;
  *out = dst;
  if (out_len) *out_len = n;
  return NULL;
}

// A key into a fixed buffer ("" when it does not fit).
static vd_status vd_jp_key(vd_jpull *j, char key[VD_JPULL_KEY_CAP]) {
  if (vd_jpull_peek(j) != VD_JSON_STRING) return vd_jp_expected(j, "a string key");
  const char *stop = NULL;
  VD_RETURN_IF_ERROR(vd_jp_string_span(j, &stop));
  size_t n = 0;
  VD_RETURN_IF_ERROR(vd_jp_decode(j, j->p + 1, stop, NULL, &n));
  if (n < VD_JPULL_KEY_CAP) VD_RETURN_IF_ERROR(vd_jp_decode(j, j->p + 1, stop, key, &n));
  key[n < VD_JPULL_KEY_CAP ? n : 0] = '\0';
  j->p = stop + 1;
  vd_jp_space(j);
  if (j->p >= j->end || *j->p != ':') return vd_jp_expected(j, "':' after an object key");
  ++j->p;
  return NULL;
}

// ---- numbers and literals -----------------------------------------------------------------------------

static bool vd_jp_literal(vd_jpull *j, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0) return false;
  j->p += n;
  return true;
}

static const char *vd_jp_digits(const char *s, const char *end) {
  while (s < end && *s >= '0' && *s <= '9') ++s;
  return s;
}

// The extent of a JSON number at s (0 when none); *out_integer when it has no fraction or exponent.
static size_t vd_jp_number_span(const char *s, const char *end, bool *out_integer) {
  const char *q = s;
  if (q < end && *q == '-') ++q;
  if (q >= end || *q < '0' || *q > '9') return 0;
  q = *q == '0' ? q + 1 : vd_jp_digits(q, end);
  *out_integer = true;
  if (q + 1 < end && *q == '.' && q[1] >= '0' && q[1] <= '9') {
    q = vd_jp_digits(q + 1, end);
    *out_integer = false;
  }
  if (q < end && (*q == 'e' || *q == 'E')) {
    const char *e = q + 1;
    if (e < end && (*e == '+' || *e == '-')) ++e;
    if (e < end && *e >= '0' && *e <= '9') {
      q = vd_jp_digits(e, end);
      *out_integer = false;
    }
  }
  return (size_t)(q - s);
}

vd_status vd_jpull_number(vd_jpull *j, double *out_value, bool *out_integer, char *text, size_t cap) {
  if (vd_jpull_peek(j) != VD_JSON_NUMBER) return vd_jp_expected(j, "a number");
  static const struct {
    const char *word;
    double value;
  } specials[] = {{"NaN", NAN}, {"Infinity", INFINITY}, {"-Infinity", -INFINITY}};
  for (size_t i = 0; i < 3; ++i) {
    if (vd_jp_literal(j, specials[i].word)) {
      *out_value = specials[i].value;
      *out_integer = false;
      if (text && cap) snprintf(text, cap, "%s", strlen(specials[i].word) < cap ? specials[i].word : "");
      return NULL;
    }
  }
  size_t n = vd_jp_number_span(j->p, j->end, out_integer);
  if (n == 0) return vd_jp_expected(j, "a number");
  char buf[400];
  size_t keep = n < sizeof(buf) - 1 ? n : sizeof(buf) - 1;
  memcpy(buf, j->p, keep);
  buf[keep] = '\0';
  *out_value = n < sizeof(buf) - 1 ? strtod(buf, NULL) : NAN;
  if (text && cap) snprintf(text, cap, "%s", n < cap ? buf : "");
  j->p += n;
  return NULL;
}

bool vd_jpull_null(vd_jpull *j) { return vd_jpull_peek(j) == VD_JSON_NULL && vd_jp_literal(j, "null"); }

// ---- containers ---------------------------------------------------------------------------------------

static vd_status vd_jp_open(vd_jpull *j, char c, unsigned flags, const char *what) {
  vd_jp_space(j);
  if (j->p >= j->end || *j->p != c) return vd_jp_expected(j, what);
  if (j->depth >= VD_JPULL_MAX_DEPTH)
    return vd_jpull_error_at(j, j->p, "nested deeper than %d levels", VD_JPULL_MAX_DEPTH);
  ++j->p;
  j->open[j->depth++] = (unsigned char)(VD_JP_FIRST | flags);
  return NULL;
}

vd_status vd_jpull_object_begin(vd_jpull *j) { return vd_jp_open(j, '{', 0, "an object"); }
vd_status vd_jpull_array_begin(vd_jpull *j) { return vd_jp_open(j, '[', VD_JP_ARRAY, "an array"); }

// Steps past ',' or the closing byte of the innermost container; *out_has = whether a member follows.
static vd_status vd_jp_next(vd_jpull *j, char close, bool *out_has) {
  unsigned char *top = &j->open[j->depth - 1];
  vd_jp_space(j);
  bool first = (*top & VD_JP_FIRST) != 0;
  if (j->p < j->end && *j->p == close && first) goto closed;
  if (!first) {
    if (j->p < j->end && *j->p == close) goto closed;
    if (j->p >= j->end || *j->p != ',') return vd_jp_expected(j, close == '}' ? "',' or '}'" : "',' or ']'");
    ++j->p;
  }
  *top &= (unsigned char)~VD_JP_FIRST;
  *out_has = true;
  return NULL;
closed:
  ++j->p;
  --j->depth;
  *out_has = false;
  return NULL;
}

vd_status vd_jpull_object_next(vd_jpull *j, char key[VD_JPULL_KEY_CAP], bool *out_has) {
  if (j->depth == 0 || (j->open[j->depth - 1] & VD_JP_ARRAY))
    return vd_status_make(VD_ERR_INTERNAL, "%s: object member read outside an object", j->label);
  VD_RETURN_IF_ERROR(vd_jp_next(j, '}', out_has));
  return *out_has ? vd_jp_key(j, key) : NULL;
}

vd_status vd_jpull_array_next(vd_jpull *j, bool *out_has) {
  if (j->depth == 0 || !(j->open[j->depth - 1] & VD_JP_ARRAY))
    return vd_status_make(VD_ERR_INTERNAL, "%s: array element read outside an array", j->label);
  VD_RETURN_IF_ERROR(vd_jp_next(j, ']', out_has));
  if (*out_has && vd_jpull_peek(j) == VD_JSON_NONE) return vd_jp_expected(j, "a value");
  return NULL;
}

// Consumes one scalar value, or opens the container that comes next.
static vd_status vd_jp_skip_one(vd_jpull *j) {
  double v;
  bool integer;
  const char *stop = NULL;
  size_t n;
  switch (vd_jpull_peek(j)) {
    case VD_JSON_OBJECT: return vd_jpull_object_begin(j);
    case VD_JSON_ARRAY: return vd_jpull_array_begin(j);
    case VD_JSON_NUMBER: return vd_jpull_number(j, &v, &integer, NULL, 0);
    case VD_JSON_STRING:
      VD_RETURN_IF_ERROR(vd_jp_string_span(j, &stop));
      VD_RETURN_IF_ERROR(vd_jp_decode(j, j->p + 1, stop, NULL, &n));
      j->p = stop + 1;
      return NULL;
    case VD_JSON_BOOL:
      if (vd_jp_literal(j, "true") || vd_jp_literal(j, "false")) return NULL;
      break;
    case VD_JSON_NULL:
      if (vd_jp_literal(j, "null")) return NULL;
      break;
    case VD_JSON_NONE: break;
  }
  return vd_jp_expected(j, "a value");
}

vd_status vd_jpull_skip(vd_jpull *j) {
  int base = j->depth;
  char key[VD_JPULL_KEY_CAP];
  do {
    VD_RETURN_IF_ERROR(vd_jp_skip_one(j));
    while (j->depth > base) {
      bool has = false;
      if (j->open[j->depth - 1] & VD_JP_ARRAY) VD_RETURN_IF_ERROR(vd_jpull_array_next(j, &has));
      else VD_RETURN_IF_ERROR(vd_jpull_object_next(j, key, &has));
      if (has) break;
    }
  } while (j->depth > base);
  return NULL;
}
