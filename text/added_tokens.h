// Added tokens (special tokens such as <|im_end|>, and any other added vocabulary) and the split of a text
// on them, as HF tokenizers' AddedVocabulary does before normalisation and pre-tokenisation:
//   - matching is leftmost-longest and non-overlapping (an Aho-Corasick search with LeftmostLongest): at
//     the earliest position where any token matches, the longest one wins; the search resumes after it;
//   - tokens with normalized = false are matched in the raw text; those with normalized = true in each
//     normalised piece between them, against their own normalised content;
//   - single_word: a match next to a word character (Rust regex \w: Alphabetic, marks, Nd, Pc,
//     Join_Control) on either side is dropped, and the search still resumes after it;
//   - lstrip / rstrip: the match absorbs the whitespace (White_Space) before / after it; lstrip never
//     reaches back past the end of the previous split.
// Lengths and offsets are in code points.
#ifndef VD_TEXT_ADDED_TOKENS_H
#define VD_TEXT_ADDED_TOKENS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/status.h"
#include "text/ucd.h"

#define VD_ADDED_TOKENS_MAX 65536            // added tokens per tokenizer
#define VD_ADDED_TOKEN_MAX_BYTES 4096        // bytes in one added token's content

typedef struct vd_added_token {
  char *content;      // UTF-8 content, NUL-terminated
  size_t content_len; // its length in bytes
  uint32_t *pattern;  // code points matched in the text (content, normalised when `normalized`)
  size_t pattern_len; // code points in pattern
  int32_t id;         // token id
  bool special;       // skipped by decoding with skip_special
  bool single_word;   // only matched as a whole word
  bool lstrip;        // absorbs whitespace on its left
  bool rstrip;        // absorbs whitespace on its right
  bool normalized;    // matched in normalised text
} vd_added_token;

typedef struct vd_added_tokens {
  vd_added_token *tokens;  // in the order they were added
  int32_t count;           // tokens in use
  int32_t cap;             // tokens allocated
  int32_t *order[2];       // [0]: normalized=false tokens, [1]: normalized=true; sorted by first code point
  int32_t order_count[2];  // entries of order[]
  uint64_t first_mask[2][16];  // bit (first code point & 1023) set when some token of the set starts so
  int32_t *by_id;          // token indexes sorted by id
} vd_added_tokens;

// One piece of a split text: [start, end) and the added token it is (index into tokens), or -1.
typedef struct vd_text_split {
  size_t start;   // first code point
  size_t end;     // one past the last code point
  int32_t token;  // index of the added token, -1 for text
} vd_text_split;

typedef struct vd_split_list {
  vd_text_split *items;  // splits in text order
  size_t count;          // splits in use
  size_t cap;            // splits allocated
} vd_split_list;

void vd_added_tokens_release(vd_added_tokens *a);
void vd_split_list_release(vd_split_list *list);

// Appends a token (content of len bytes, valid UTF-8, not empty); `tmpl` gives id and flags.
vd_status vd_added_tokens_add(vd_added_tokens *a, const char *content, size_t len, const vd_added_token *tmpl);
// Builds the matching sets once every token is added; normalized tokens' patterns are NFC'd with
// Unicode version nfc_age, or kept as they are when nfc_age is 0 (no normaliser).
vd_status vd_added_tokens_finish(vd_added_tokens *a, vd_ucd_age nfc_age);
// Index of the token with this id or content, or -1.
int32_t vd_added_tokens_find_id(const vd_added_tokens *a, int32_t id);
int32_t vd_added_tokens_find_content(const vd_added_tokens *a, const char *content, size_t len);

// Splits t[0..n) on the tokens of one set (normalized = false or true) into out (previous content kept;
// the new splits are appended and cover t[0..n); none when n is 0).
vd_status vd_added_tokens_split(const vd_added_tokens *a, bool normalized_set, const uint32_t *t, size_t n,
                                vd_split_list *out);

#endif
