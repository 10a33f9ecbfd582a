// Decoding with the Qwen2 tokenizer: ids → token strings (added tokens first, as HF's id_to_token; ids no
// token has are dropped; special ones dropped on request) → the ByteLevel decoder (a token made only of
// byte-level characters gives their bytes, any other token its own UTF-8) → UTF-8 with U+FFFD for
// invalid sequences (Rust's from_utf8_lossy: one U+FFFD per maximal invalid subpart). Without a decoder
// the token strings are joined with spaces, as HF does.
#include <stdlib.h>
#include <string.h>

#include "text/byte_level.h"
#include "text/qwen2_tokenizer_internal.h"
#include "text/utf8.h"

// A growable byte string.
typedef struct vd_byte_buf {
  char *data;  // bytes, NUL-terminated once finished
  size_t len;  // bytes in use
  size_t cap;  // bytes allocated
} vd_byte_buf;

static vd_status vd_byte_buf_append(vd_byte_buf *b, const void *src, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "qwen2 tokenizer: out of memory decoding %zu bytes", cap);
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, src, n);
  b->len += n;
  b->data[b->len] = '\0';
  return NULL;
}

// The string of a token id (NULL when no token has it) and whether skip_special drops it.
static const char *vd_qwen2_token_text(const vd_qwen2_tokenizer *t, int32_t id, size_t *out_len) {
  int32_t k = vd_added_tokens_find_id(&t->added, id);
  if (k >= 0) {
    *out_len = t->added.tokens[k].content_len;
    return t->added.tokens[k].content;
  }
  int32_t sym = vd_bpe_vocab_id_symbol(t->vocab, id);
  return sym >= 0 ? vd_bpe_vocab_symbol(t->vocab, sym, out_len) : NULL;
}

// ByteLevel decoding of one token: its bytes when every character is a byte-level one, else its UTF-8.
static vd_status vd_qwen2_byte_level_token(const char *s, size_t n, vd_byte_buf *out) {
  uint32_t cps[VD_BPE_MAX_SYMBOL_BYTES];
  uint8_t bytes[VD_BPE_MAX_SYMBOL_BYTES];
  if (n > VD_BPE_MAX_SYMBOL_BYTES) return vd_byte_buf_append(out, s, n);  // longer than any byte-level token
  size_t m = vd_utf8_decode(s, n, cps);
  for (size_t i = 0; i < m; ++i) {
    int b = vd_byte_level_byte(cps[i]);
    if (b < 0) return vd_byte_buf_append(out, s, n);
    bytes[i] = (uint8_t)b;
  }
  return vd_byte_buf_append(out, bytes, m);
}

// Replaces invalid UTF-8 in raw[0..n) by U+FFFD into out.
static vd_status vd_qwen2_lossy_utf8(const char *raw, size_t n, vd_byte_buf *out) {
  uint32_t *cps = malloc(sizeof(uint32_t) * (n + 1));
  if (!cps) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "qwen2 tokenizer: out of memory decoding");
  size_t m = vd_utf8_decode(raw, n, cps);
  vd_status st = vd_byte_buf_append(out, "", 0);
  for (size_t i = 0; i < m && !st; ++i) {
    char buf[4];
    int k = vd_utf8_encode(cps[i], buf);
    st = vd_byte_buf_append(out, buf, (size_t)k);
  }
  free(cps);
  return st;
}

static vd_status vd_qwen2_decode_tokens(const vd_qwen2_tokenizer *t, const int32_t *ids, size_t count,
                                        bool skip_special, vd_byte_buf *raw) {
  bool first = true;
  for (size_t i = 0; i < count; ++i) {
    size_t n;
    const char *s = vd_qwen2_token_text(t, ids[i], &n);
    if (!s || (skip_special && vd_qwen2_tokenizer_is_special(t, ids[i]))) continue;
    if (t->decoder == VD_QWEN2_DECODER_BYTE_LEVEL) {
      VD_RETURN_IF_ERROR(vd_qwen2_byte_level_token(s, n, raw));
    } else {
      if (!first) VD_RETURN_IF_ERROR(vd_byte_buf_append(raw, " ", 1));
      VD_RETURN_IF_ERROR(vd_byte_buf_append(raw, s, n));
    }
    first = false;
  }
  return NULL;
}

vd_status vd_qwen2_tokenizer_decode(const vd_qwen2_tokenizer *tokenizer, const int32_t *ids, size_t count,
                                    bool skip_special, char **out_text, size_t *out_len) {
  if (!out_text) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "qwen2 tokenizer: invalid arguments");
  *out_text = NULL;
  if (out_len) *out_len = 0;
  if (!tokenizer || (!ids && count))
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "qwen2 tokenizer: invalid arguments");
  vd_byte_buf raw = {0}, text = {0};
  vd_status st = vd_qwen2_decode_tokens(tokenizer, ids, count, skip_special, &raw);
  if (!st) st = vd_qwen2_lossy_utf8(raw.data, raw.len, &text);
  free(raw.data);
  if (st) {
    free(text.data);
    return st;
  }
  *out_text = text.data;
  if (out_len) *out_len = text.len;
  return NULL;
}
