// One function per alternative of PRETOKENIZE_REGEX; each returns the length it matches at t[i] (0 when it
// fails), reproducing the regex's greedy matching and its backtracking where the pattern has any.
#include "text/qwen2_pretokenize.h"

#include <stdbool.h>

#include "text/ucd.h"

static bool vd_is_crlf(uint32_t c) { return c == '\r' || c == '\n'; }
static bool vd_is_other(uint32_t c) { return !vd_ucd_is_space(c) && !vd_ucd_is_letter(c) && !vd_ucd_is_number(c); }
static bool vd_is_ci(uint32_t c, char lower) { return c == (uint32_t)lower || c == (uint32_t)(lower - 32); }

static size_t vd_run(const uint32_t *t, size_t n, size_t i, bool (*pred)(uint32_t)) {
  size_t j = i;
  while (j < n && pred(t[j])) ++j;
  return j - i;
}

// (a) (?i:'s|'t|'re|'ve|'m|'ll|'d). The alternatives differ in their second letter, so order is moot.
static size_t vd_alt_contraction(const uint32_t *t, size_t n, size_t i) {
  if (t[i] != '\'' || i + 1 >= n) return 0;
  uint32_t a = t[i + 1], b = i + 2 < n ? t[i + 2] : 0;
  if (vd_is_ci(a, 's') || a == 0x17F || vd_is_ci(a, 't') || vd_is_ci(a, 'm') || vd_is_ci(a, 'd')) return 2;
  if ((vd_is_ci(a, 'r') || vd_is_ci(a, 'v')) && vd_is_ci(b, 'e')) return 3;
  if (vd_is_ci(a, 'l') && vd_is_ci(b, 'l')) return 3;
  return 0;
}

// (b) [^\r\n\p{L}\p{N}]?\p{L}+: the optional lead is taken when a letter follows it.
static size_t vd_alt_word(const uint32_t *t, size_t n, size_t i) {
  if (vd_ucd_is_letter(t[i])) return vd_run(t, n, i, vd_ucd_is_letter);
  if (vd_is_crlf(t[i]) || vd_ucd_is_number(t[i]) || i + 1 >= n || !vd_ucd_is_letter(t[i + 1])) return 0;
  return 1 + vd_run(t, n, i + 1, vd_ucd_is_letter);
}

// (d) ` ?[^\s\p{L}\p{N}]+[\r\n]*`. Without the optional space, a space at t[i] cannot start the run, so
// backtracking over it never finds another match.
static size_t vd_alt_symbols(const uint32_t *t, size_t n, size_t i) {
  size_t j = i + (t[i] == ' ' ? 1 : 0);
  size_t others = vd_run(t, n, j, vd_is_other);
  if (others == 0) return 0;
  j += others;
  return j + vd_run(t, n, j, vd_is_crlf) - i;
}

// (e) \s*[\r\n]+: \s* backs off from the end of the whitespace run to its last CR/LF.
static size_t vd_alt_newlines(const uint32_t *t, size_t i, size_t space_run) {
  for (size_t k = space_run; k > 0; --k)
    if (vd_is_crlf(t[i + k - 1])) return k;
  return 0;
}

// (f) \s+(?!\S): the whole run at the end of the text, else the run less its last character.
static size_t vd_alt_spaces(size_t n, size_t i, size_t space_run) {
  if (i + space_run == n) return space_run;
  return space_run >= 2 ? space_run - 1 : 0;
}

static size_t vd_qwen2_match(const uint32_t *t, size_t n, size_t i, vd_qwen2_alternative *alt) {
  size_t len;
  *alt = VD_QWEN2_CONTRACTION;
  if ((len = vd_alt_contraction(t, n, i)) != 0) return len;
  *alt = VD_QWEN2_WORD;
  if ((len = vd_alt_word(t, n, i)) != 0) return len;
  *alt = VD_QWEN2_DIGIT;
  if (vd_ucd_is_number(t[i])) return 1;
  *alt = VD_QWEN2_SYMBOLS;
  if ((len = vd_alt_symbols(t, n, i)) != 0) return len;
  size_t space_run = vd_run(t, n, i, vd_ucd_is_space);
  *alt = VD_QWEN2_NEWLINES;
  if ((len = vd_alt_newlines(t, i, space_run)) != 0) return len;
  *alt = VD_QWEN2_SPACES;
  if ((len = vd_alt_spaces(n, i, space_run)) != 0) return len;
  *alt = VD_QWEN2_SPACE;
  return space_run;  // t[i] is whitespace here: every other character matched an earlier alternative
}

size_t vd_qwen2_pretokenize_next(const uint32_t *t, size_t n, size_t i, vd_qwen2_alternative *out_alternative) {
  vd_qwen2_alternative alt;
  size_t len = vd_qwen2_match(t, n, i, &alt);
  if (out_alternative) *out_alternative = alt;
  return i + len;
}
