// Pre-tokenisation of the Qwen2 tokenizer: a hand-written scanner equal to `regex.findall` /
// Oniguruma's find_iter of Qwen2's PRETOKENIZE_REGEX (spec encoders-and-captioner.md §4.3)
//
//   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// over a normalised text of code points. At each position the first alternative that matches wins (the
// regex tries them in order and each is greedy); every character matches one of them, so the pieces tile
// the text. Classes: \p{L} and \p{N} are the general categories, \s is White_Space (text/ucd.h, Unicode
// 15.0); (?i) folds the contraction letters ASCII-case-insensitively and lets U+017F (long s) stand for s,
// the only non-ASCII character whose case folding is one of those letters.
#ifndef VD_TEXT_QWEN2_PRETOKENIZE_H
#define VD_TEXT_QWEN2_PRETOKENIZE_H

#include <stddef.h>
#include <stdint.h>

// The alternatives of the pattern, in priority order.
typedef enum vd_qwen2_alternative {
  VD_QWEN2_CONTRACTION = 'a',  // (?i:'s|'t|'re|'ve|'m|'ll|'d): ASCII apostrophe + contraction letters
  VD_QWEN2_WORD = 'b',         // [^\r\n\p{L}\p{N}]?\p{L}+: one optional lead (space, punctuation, mark...)
  VD_QWEN2_DIGIT = 'c',        // \p{N}: a single number character
  VD_QWEN2_SYMBOLS = 'd',      // ` ?[^\s\p{L}\p{N}]+[\r\n]*`: optional space, symbols, trailing line breaks
  VD_QWEN2_NEWLINES = 'e',     // \s*[\r\n]+: whitespace up to and including its last CR/LF
  VD_QWEN2_SPACES = 'f',       // \s+(?!\S): whitespace but the last one before a non-space (all at the end)
  VD_QWEN2_SPACE = 'g',        // \s+: the single whitespace before a non-space that nothing else takes
} vd_qwen2_alternative;

// End of the piece starting at t[i] (i < n; the piece is t[i..end), never empty). *out_alternative (may
// be NULL) receives the alternative that matched.
size_t vd_qwen2_pretokenize_next(const uint32_t *t, size_t n, size_t i, vd_qwen2_alternative *out_alternative);

#endif
