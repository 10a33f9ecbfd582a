// CLIP decoding (transformers' slow CLIPTokenizer._decode without clean-up): runs of ordinary tokens are
// byte-decoded (convert_tokens_to_string: bytes, UTF-8 with replacement, "</w>" → " ", strip); BOS/EOS
// are their own words; the words are joined by spaces.
#include <stdlib.h>
#include <string.h>

#include "text/byte_level.h"
#include "text/clip_tokenizer_internal.h"
#include "text/cp_buf.h"
#include "text/ucd.h"
#include "text/utf8.h"

// Code points of the text being built.
typedef struct vd_clip_text {
  vd_cp_buf words;  // finished words, space-separated
  char *bytes;      // bytes of the current run of ordinary tokens
  size_t len;       // bytes in use
  size_t cap;       // bytes allocated
} vd_clip_text;

static vd_status vd_clip_text_append_bytes(vd_clip_text *t, const char *s, size_t n) {
  if (t->len + n > t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 256;
    while (cap < t->len + n) cap *= 2;
    char *b = realloc(t->bytes, cap);
    if (!b) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "clip tokenizer: out of memory decoding");
    t->bytes = b;
    t->cap = cap;
  }
  memcpy(t->bytes + t->len, s, n);
  t->len += n;
  return NULL;
}

// Appends one word (code points), separated from the previous one by a space.
static vd_status vd_clip_text_word(vd_clip_text *t, const uint32_t *cps, size_t n) {
  size_t b = 0, e = n;  // Python's str.strip()
  while (b < e && vd_ucd_is_space(cps[b])) ++b;
  while (e > b && vd_ucd_is_space(cps[e - 1])) --e;
  if (t->words.len) VD_RETURN_IF_ERROR(vd_cp_buf_push(&t->words, ' '));
  for (size_t i = b; i < e; ++i) VD_RETURN_IF_ERROR(vd_cp_buf_push(&t->words, cps[i]));
  return NULL;
}

// Ends the current run: bytes → UTF-8 with replacement → "</w>" as spaces → one word.
static vd_status vd_clip_text_flush(vd_clip_text *t) {
  if (t->len == 0) return NULL;
  uint32_t *cps = malloc(sizeof(uint32_t) * (t->len + 1));
  if (!cps) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "clip tokenizer: out of memory decoding");
  size_t n = vd_utf8_decode(t->bytes, t->len, cps), m = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i + 4 <= n && cps[i] == '<' && cps[i + 1] == '/' && cps[i + 2] == 'w' && cps[i + 3] == '>') {
      cps[m++] = ' ';
      i += 3;
    } else {
      cps[m++] = cps[i];
    }
  }
  vd_status st = vd_clip_text_word(t, cps, m);
  free(cps);
  t->len = 0;
  return st;
}

// The bytes of one ordinary token (its characters through the byte-level alphabet).
static vd_status vd_clip_token_bytes(vd_clip_text *t, const char *s, size_t n, int32_t id) {
  uint32_t cps[VD_BPE_MAX_SYMBOL_BYTES];
  size_t m = vd_utf8_decode(s, n, cps);
  for (size_t i = 0; i < m; ++i) {
    int b = vd_byte_level_byte(cps[i]);
    if (b < 0)
      return vd_status_make(VD_ERR_FORMAT, "clip tokenizer: token %d has a character outside the byte alphabet",
                            (int)id);
    char c = (char)b;
    VD_RETURN_IF_ERROR(vd_clip_text_append_bytes(t, &c, 1));
  }
  return NULL;
}

static vd_status vd_clip_decode_ids(const vd_clip_tokenizer *tok, const int32_t *ids, size_t count, bool skip_special,
                                    vd_clip_text *t) {
  for (size_t k = 0; k < count; ++k) {
    int32_t sym = vd_bpe_vocab_id_symbol(tok->vocab, ids[k]);
    if (sym < 0)
      return vd_status_make(VD_ERR_INVALID_ARGUMENT, "clip tokenizer: id %d is not in the vocabulary", (int)ids[k]);
    size_t n;
    const char *s = vd_bpe_vocab_symbol(tok->vocab, sym, &n);
    if (ids[k] == tok->bos_id || ids[k] == tok->eos_id) {
      VD_RETURN_IF_ERROR(vd_clip_text_flush(t));
      if (skip_special) continue;
      uint32_t cps[64];
      size_t m = vd_utf8_decode(s, n < 64 ? n : 64, cps);
      VD_RETURN_IF_ERROR(vd_clip_text_word(t, cps, m));
      continue;
    }
    VD_RETURN_IF_ERROR(vd_clip_token_bytes(t, s, n, ids[k]));
  }
  return vd_clip_text_flush(t);
}

static vd_status vd_clip_encode_utf8(const vd_cp_buf *cps, char **out_text, size_t *out_len) {
  char *text = malloc(4 * cps->len + 1);
  if (!text) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "clip tokenizer: out of memory decoding");
  size_t len = 0;
  for (size_t i = 0; i < cps->len; ++i) len += (size_t)vd_utf8_encode(cps->data[i], text + len);
  text[len] = '\0';
  *out_text = text;
  if (out_len) *out_len = len;
  return NULL;
}

vd_status vd_clip_tokenizer_decode(const vd_clip_tokenizer *tokenizer, const int32_t *ids, size_t count,
                                   bool skip_special, char **out_text, size_t *out_len) {
  if (!out_text || !tokenizer || (!ids && count))
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "clip tokenizer: invalid arguments");
  *out_text = NULL;
  vd_clip_text t = {0};
  vd_status st = vd_clip_decode_ids(tokenizer, ids, count, skip_special, &t);
  if (!st) st = vd_clip_encode_utf8(&t.words, out_text, out_len);
  vd_cp_buf_release(&t.words);
  free(t.bytes);
  return st;
}
