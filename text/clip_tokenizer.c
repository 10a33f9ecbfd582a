// Encoding text with the CLIP tokenizer: split on the literal special tokens, normalise each chunk
// (clip_normalize.c), pre-tokenise with CLIP's pattern, byte-encode, BPE, map to ids; then BOS/EOS/padding.
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "text/bpe.h"
#include "text/clip_normalize.h"
#include "text/clip_tokenizer_internal.h"
#include "text/clip_unicode.h"
#include "text/utf8.h"

// Output of the encoder: ids gathered up to a cap.
typedef struct vd_clip_ids {
  int32_t *ids;  // destination
  int count;     // ids written
  int max;       // capacity; encoding stops once it is reached
} vd_clip_ids;

static bool vd_clip_ids_full(const vd_clip_ids *o) { return o->count >= o->max; }
static void vd_clip_ids_push(vd_clip_ids *o, int32_t id) {
  if (o->count < o->max) o->ids[o->count++] = id;
}

// ---- pre-tokenisation: <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|
//      [^\s\p{L}\p{N}]+, case-insensitive, over lower-cased text -------------------------------------

static bool vd_clip_literal_at(const uint32_t *t, size_t n, size_t i, const char *lit) {
  size_t m = strlen(lit);
  if (n - i < m) return false;
  for (size_t k = 0; k < m; ++k)
    if (t[i + k] != (uint8_t)lit[k]) return false;
  return true;
}

// 's counts U+017F (long s) as s: the pattern is case-insensitive and ſ case-folds to s.
static bool vd_clip_is_s(uint32_t c) { return c == 's' || c == 0x17F; }

// Length of a contraction at t[i] == '\'' (0 when none).
static size_t vd_clip_contraction_len(const uint32_t *t, size_t n, size_t i) {
  if (i + 1 >= n) return 0;
  uint32_t a = t[i + 1], b = i + 2 < n ? t[i + 2] : 0;
  if (vd_clip_is_s(a) || a == 't') return 2;
  if ((a == 'r' || a == 'v') && b == 'e') return 3;
  if (a == 'm') return 2;
  if (a == 'l' && b == 'l') return 3;
  if (a == 'd') return 2;
  return 0;
}

// Finds the piece starting at t[i] (not whitespace); returns its end. *out_special is the special
// token's id when the piece is one, else -1.
static size_t vd_clip_piece_end(const vd_clip_tokenizer *tok, const uint32_t *t, size_t n, size_t i,
                                int32_t *out_special) {
  *out_special = -1;
  if (t[i] == '<') {
    if (vd_clip_literal_at(t, n, i, VD_CLIP_BOS_TEXT)) {
      *out_special = tok->bos_id;
      return i + strlen(VD_CLIP_BOS_TEXT);
    }
    if (vd_clip_literal_at(t, n, i, VD_CLIP_EOS_TEXT)) {
      *out_special = tok->eos_id;
      return i + strlen(VD_CLIP_EOS_TEXT);
    }
  }
  if (t[i] == '\'') {
    size_t c = vd_clip_contraction_len(t, n, i);
    if (c) return i + c;
  }
  if (vd_unicode_is_letter(t[i])) {
    size_t j = i + 1;
    while (j < n && vd_unicode_is_letter(t[j])) ++j;
    return j;
  }
  if (vd_unicode_is_number(t[i])) return i + 1;
  size_t j = i + 1;
  while (j < n && !vd_unicode_is_space(t[j]) && !vd_unicode_is_letter(t[j]) && !vd_unicode_is_number(t[j])) ++j;
  return j;
}

// ---- one piece: bytes → byte symbols (last one with </w>) → BPE → ids -----------------------------

typedef struct vd_clip_work {
  vd_cp_buf text;          // normalised chunk
  int32_t *syms;           // symbols of the current piece
  size_t syms_cap;         // capacity of syms
  vd_bpe_scratch scratch;  // BPE working memory
} vd_clip_work;

static void vd_clip_work_release(vd_clip_work *w) {
  vd_cp_buf_release(&w->text);
  free(w->syms);
  vd_bpe_scratch_release(&w->scratch);
}

static vd_status vd_clip_encode_piece(const vd_clip_tokenizer *tok, vd_clip_work *w, const uint32_t *cps,
                                      size_t n, vd_clip_ids *out) {
  if (4 * n > w->syms_cap) {
    free(w->syms);
    w->syms_cap = 4 * n;
    w->syms = malloc(sizeof(int32_t) * w->syms_cap);
    if (!w->syms) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "clip tokenizer: out of memory");
  }
  int32_t count = 0;
  for (size_t i = 0; i < n; ++i) {
    char bytes[4];
    int m = vd_utf8_encode(cps[i], bytes);
    for (int k = 0; k < m; ++k) {
      uint8_t b = (uint8_t)bytes[k];
      bool last = i + 1 == n && k + 1 == m;
      w->syms[count++] = last ? tok->byte_symbol_final[b] : tok->byte_symbol[b];
    }
  }
  VD_RETURN_IF_ERROR(vd_bpe_encode(tok->vocab, &w->scratch, w->syms, &count));
  for (int32_t k = 0; k < count && !vd_clip_ids_full(out); ++k) {
    int32_t id = vd_bpe_vocab_token_id(tok->vocab, w->syms[k]);
    vd_clip_ids_push(out, id >= 0 ? id : tok->unk_id);
  }
  return NULL;
}

// Normalises one chunk of raw text (between special tokens) and encodes its pieces.
static vd_status vd_clip_encode_chunk(const vd_clip_tokenizer *tok, vd_clip_work *w, const char *bytes, size_t len,
                                      vd_clip_ids *out) {
  uint32_t *cps = malloc(sizeof(uint32_t) * (len + 1));
  if (!cps) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "clip tokenizer: out of memory");
  size_t n = vd_utf8_decode(bytes, len, cps);
  vd_status st = vd_clip_text_normalize(cps, n, &w->text);
  free(cps);
  VD_RETURN_IF_ERROR(st);
  const uint32_t *t = w->text.data;
  size_t tn = w->text.len;
  for (size_t i = 0; i < tn && !vd_clip_ids_full(out);) {
    if (vd_unicode_is_space(t[i])) {
      ++i;
      continue;
    }
    int32_t special;
    size_t end = vd_clip_piece_end(tok, t, tn, i, &special);
    if (special >= 0) {
      vd_clip_ids_push(out, special);
    } else {
      VD_RETURN_IF_ERROR(vd_clip_encode_piece(tok, w, t + i, end - i, out));
    }
    i = end;
  }
  return NULL;
}

// Position of the first literal special token in text[0..len), or len; *out_id/*out_len describe it.
static size_t vd_clip_find_special(const vd_clip_tokenizer *tok, const char *text, size_t len, int32_t *out_id,
                                   size_t *out_len) {
  const size_t bos_len = strlen(VD_CLIP_BOS_TEXT), eos_len = strlen(VD_CLIP_EOS_TEXT);
  for (size_t i = 0; i < len; ++i) {
    if (text[i] != '<') continue;
    if (len - i >= bos_len && memcmp(text + i, VD_CLIP_BOS_TEXT, bos_len) == 0) {
      *out_id = tok->bos_id;
      *out_len = bos_len;
      return i;
    }
    if (len - i >= eos_len && memcmp(text + i, VD_CLIP_EOS_TEXT, eos_len) == 0) {
      *out_id = tok->eos_id;
      *out_len = eos_len;
      return i;
    }
  }
  return len;
}

vd_status vd_clip_tokenizer_encode(const vd_clip_tokenizer *tokenizer, const char *text, size_t len,
                                   int32_t *out_ids, int max_ids, int *out_count) {
  *out_count = 0;
  if (!tokenizer || (!text && len) || (!out_ids && max_ids > 0) || max_ids < 0)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "clip tokenizer: invalid arguments");
  if (len > VD_CLIP_MAX_TEXT_BYTES)
    return vd_status_make(VD_ERR_LIMIT, "clip tokenizer: text of %zu bytes exceeds the limit of %d", len,
                          VD_CLIP_MAX_TEXT_BYTES);
  vd_clip_ids out = {.ids = out_ids, .count = 0, .max = max_ids};
  vd_clip_work w = {0};
  vd_status st = NULL;
  // Special tokens are matched in the raw text first (the added-token split of transformers).
  for (size_t i = 0; i < len && !st && !vd_clip_ids_full(&out);) {
    int32_t id = -1;
    size_t special_len = 0, at = i + vd_clip_find_special(tokenizer, text + i, len - i, &id, &special_len);
    if (at > i) st = vd_clip_encode_chunk(tokenizer, &w, text + i, at - i, &out);
    if (!st && at < len) vd_clip_ids_push(&out, id);
    i = at + special_len;
  }
  vd_clip_work_release(&w);
  *out_count = out.count;
  return st;
}

vd_status vd_clip_tokenize_n(const vd_clip_tokenizer *tokenizer, const char *text, size_t len,
                             int32_t out_ids[VD_CLIP_CONTEXT_LENGTH], int *out_len_before_padding) {
  if (!tokenizer || !out_ids) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "clip tokenizer: invalid arguments");
  int count = 0;
  VD_RETURN_IF_ERROR(
      vd_clip_tokenizer_encode(tokenizer, text, len, out_ids + 1, VD_CLIP_CONTEXT_LENGTH - 2, &count));
  out_ids[0] = tokenizer->bos_id;
  out_ids[count + 1] = tokenizer->eos_id;
  for (int k = count + 2; k < VD_CLIP_CONTEXT_LENGTH; ++k) out_ids[k] = tokenizer->pad_id;
  if (out_len_before_padding) *out_len_before_padding = count + 2;
  return NULL;
}

vd_status vd_clip_tokenize(const vd_clip_tokenizer *tokenizer, const char *text,
                           int32_t out_ids[VD_CLIP_CONTEXT_LENGTH], int *out_len_before_padding) {
  if (!text) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "clip tokenizer: NULL text");
  return vd_clip_tokenize_n(tokenizer, text, strlen(text), out_ids, out_len_before_padding);
}

int32_t vd_clip_tokenizer_bos_id(const vd_clip_tokenizer *tokenizer) { return tokenizer->bos_id; }
int32_t vd_clip_tokenizer_eos_id(const vd_clip_tokenizer *tokenizer) { return tokenizer->eos_id; }
int32_t vd_clip_tokenizer_pad_id(const vd_clip_tokenizer *tokenizer) { return tokenizer->pad_id; }
int32_t vd_clip_tokenizer_vocab_size(const vd_clip_tokenizer *tokenizer) {
  return vd_bpe_vocab_size(tokenizer->vocab);
}
int32_t vd_clip_tokenizer_merge_count(const vd_clip_tokenizer *tokenizer) {
  return vd_bpe_vocab_merge_count(tokenizer->vocab);
}
