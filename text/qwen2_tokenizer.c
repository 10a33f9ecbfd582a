// Encoding with the Qwen2 tokenizer: raw text → added-token split → NFC per piece → normalised added-token
// split → PRETOKENIZE_REGEX pieces → byte-level symbols → BPE → ids (the steps of qwen2_tokenizer.h).
#include <stdlib.h>
#include <string.h>

#include "text/byte_level.h"
#include "text/cp_buf.h"
#include "text/qwen2_pretokenize.h"
#include "text/qwen2_tokenizer_internal.h"
#include "text/unicode_nfc.h"
#include "text/utf8.h"

void vd_token_ids_release(vd_token_ids *ids) {
  free(ids->ids);
  *ids = (vd_token_ids){0};
}

static vd_status vd_token_ids_push(vd_token_ids *out, int32_t id) {
  if (out->count == out->capacity) {
    size_t cap = out->capacity ? out->capacity * 2 : 256;
    int32_t *ids = realloc(out->ids, sizeof(int32_t) * cap);
    if (!ids) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "qwen2 tokenizer: out of memory for %zu ids", cap);
    out->ids = ids;
    out->capacity = cap;
  }
  out->ids[out->count++] = id;
  return NULL;
}

// Working memory of one encode call.
typedef struct vd_qwen2_work {
  vd_cp_buf normalized;    // the current raw piece after NFC
  vd_split_list raw;       // splits of the raw text
  vd_split_list inner;     // splits of the normalised piece
  int32_t *syms;           // symbols of the current pre-tokenised piece
  uint8_t *bytes;          // its UTF-8 bytes
  char *chars;             // its byte-level string (ignore_merges look-up)
  size_t cap;              // bytes the piece may have (syms and bytes hold cap, chars 2 * cap)
  vd_bpe_scratch scratch;  // BPE working memory
} vd_qwen2_work;

static void vd_qwen2_work_release(vd_qwen2_work *w) {
  vd_cp_buf_release(&w->normalized);
  vd_split_list_release(&w->raw);
  vd_split_list_release(&w->inner);
  free(w->syms);
  free(w->bytes);
  free(w->chars);
  vd_bpe_scratch_release(&w->scratch);
}

static vd_status vd_qwen2_work_reserve(vd_qwen2_work *w, size_t bytes) {
  if (bytes <= w->cap) return NULL;
  free(w->syms);
  free(w->bytes);
  free(w->chars);
  w->cap = bytes;
  w->syms = malloc(sizeof(int32_t) * bytes);
  w->bytes = malloc(bytes);
  w->chars = malloc(2 * bytes);
  if (!w->syms || !w->bytes || !w->chars) {
    w->cap = 0;
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "qwen2 tokenizer: out of memory for a piece of %zu bytes", bytes);
  }
  return NULL;
}

// ---- one pre-tokenised piece ------------------------------------------------------------------------

// The piece's UTF-8 bytes into bytes[] (a space first when ByteLevel adds a prefix space); returns the count.
static size_t vd_qwen2_piece_bytes(const vd_qwen2_tokenizer *tok, const uint32_t *cps, size_t n, uint8_t *bytes) {
  size_t m = 0;
  if (tok->add_prefix_space && cps[0] != ' ') bytes[m++] = ' ';
  for (size_t i = 0; i < n; ++i) {
    char buf[4];
    int k = vd_utf8_encode(cps[i], buf);
    for (int j = 0; j < k; ++j) bytes[m++] = (uint8_t)buf[j];
  }
  return m;
}

// ignore_merges: the id of the whole piece when it is a vocabulary entry, else -1.
static int32_t vd_qwen2_whole_piece(const vd_qwen2_tokenizer *tok, vd_qwen2_work *w, const uint8_t *bytes, size_t m) {
  size_t len = 0;
  for (size_t i = 0; i < m; ++i) len += (size_t)vd_utf8_encode(vd_byte_level_char(bytes[i]), w->chars + len);
  int32_t sym = len <= VD_BPE_MAX_SYMBOL_BYTES ? vd_bpe_vocab_find(tok->vocab, w->chars, len) : -1;
  return sym >= 0 ? vd_bpe_vocab_token_id(tok->vocab, sym) : -1;
}

// Byte symbols of the piece; a byte the vocabulary lacks becomes unk_token (fused when fuse_unk) or is
// dropped without one, as HF's BPE::merge_word does.
static int32_t vd_qwen2_piece_symbols(const vd_qwen2_tokenizer *tok, const uint8_t *bytes, size_t m, int32_t *syms) {
  int32_t count = 0;
  bool last_unknown = false;
  for (size_t i = 0; i < m; ++i) {
    int32_t s = tok->byte_symbol[bytes[i]];
    if (vd_bpe_vocab_token_id(tok->vocab, s) >= 0) {
      syms[count++] = s;
      last_unknown = false;
    } else if (tok->unk_symbol >= 0) {
      if (!(tok->fuse_unk && last_unknown)) syms[count++] = tok->unk_symbol;
      last_unknown = true;
    }
  }
  return count;
}

static vd_status vd_qwen2_encode_piece(const vd_qwen2_tokenizer *tok, vd_qwen2_work *w, const uint32_t *cps, size_t n,
                                       vd_token_ids *out) {
  VD_RETURN_IF_ERROR(vd_qwen2_work_reserve(w, 4 * n + 1));
  uint8_t *bytes = w->bytes;
  size_t m = vd_qwen2_piece_bytes(tok, cps, n, bytes);
  if (tok->ignore_merges) {
    int32_t id = vd_qwen2_whole_piece(tok, w, bytes, m);
    if (id >= 0) return vd_token_ids_push(out, id);
  }
  int32_t count = vd_qwen2_piece_symbols(tok, bytes, m, w->syms);
  VD_RETURN_IF_ERROR(vd_bpe_encode_ordered(tok->vocab, &w->scratch, w->syms, &count, VD_BPE_RANK_POSITIONS));
  for (int32_t k = 0; k < count; ++k)
    VD_RETURN_IF_ERROR(vd_token_ids_push(out, vd_bpe_vocab_token_id(tok->vocab, w->syms[k])));
  return NULL;
}

// ---- pieces between added tokens ---------------------------------------------------------------------

static vd_status vd_qwen2_encode_text(const vd_qwen2_tokenizer *tok, vd_qwen2_work *w, const uint32_t *t, size_t n,
                                      vd_token_ids *out) {
  for (size_t i = 0; i < n;) {
    size_t end = vd_qwen2_pretokenize_next(t, n, i, NULL);
    VD_RETURN_IF_ERROR(vd_qwen2_encode_piece(tok, w, t + i, end - i, out));
    i = end;
  }
  return NULL;
}

// A raw piece between non-normalised added tokens: normalise, split on the normalised ones, encode.
static vd_status vd_qwen2_encode_raw_piece(const vd_qwen2_tokenizer *tok, vd_qwen2_work *w, const uint32_t *t,
                                           size_t n, vd_token_ids *out) {
  const uint32_t *text = t;
  if (tok->nfc_age) {
    VD_RETURN_IF_ERROR(vd_unicode_nfc(t, n, tok->nfc_age, &w->normalized));
    text = w->normalized.data;
    n = w->normalized.len;
  }
  w->inner.count = 0;
  VD_RETURN_IF_ERROR(vd_added_tokens_split(&tok->added, true, text, n, &w->inner));
  for (size_t k = 0; k < w->inner.count; ++k) {
    const vd_text_split *s = &w->inner.items[k];
    if (s->token >= 0) {
      VD_RETURN_IF_ERROR(vd_token_ids_push(out, tok->added.tokens[s->token].id));
    } else {
      VD_RETURN_IF_ERROR(vd_qwen2_encode_text(tok, w, text + s->start, s->end - s->start, out));
    }
  }
  return NULL;
}

static vd_status vd_qwen2_encode_cps(const vd_qwen2_tokenizer *tok, vd_qwen2_work *w, const uint32_t *cps, size_t n,
                                     vd_token_ids *out) {
  VD_RETURN_IF_ERROR(vd_added_tokens_split(&tok->added, false, cps, n, &w->raw));
  for (size_t k = 0; k < w->raw.count; ++k) {
    const vd_text_split *s = &w->raw.items[k];
    if (s->token >= 0) {
      VD_RETURN_IF_ERROR(vd_token_ids_push(out, tok->added.tokens[s->token].id));
    } else {
      VD_RETURN_IF_ERROR(vd_qwen2_encode_raw_piece(tok, w, cps + s->start, s->end - s->start, out));
    }
  }
  return NULL;
}

vd_status vd_qwen2_tokenizer_encode(const vd_qwen2_tokenizer *tokenizer, const char *text, size_t len,
                                    vd_token_ids *out) {
  if (!tokenizer || !out || (!text && len))
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "qwen2 tokenizer: invalid arguments");
  out->count = 0;
  if (len > VD_QWEN2_MAX_TEXT_BYTES)
    return vd_status_make(VD_ERR_LIMIT, "qwen2 tokenizer: text of %zu bytes exceeds the limit of %u", len,
                          VD_QWEN2_MAX_TEXT_BYTES);
  uint32_t *cps = malloc(sizeof(uint32_t) * (len + 1));
  if (!cps) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "qwen2 tokenizer: out of memory for %zu bytes", len);
  size_t n = len ? vd_utf8_decode(text, len, cps) : 0;
  vd_qwen2_work w = {0};
  vd_status st = vd_qwen2_encode_cps(tokenizer, &w, cps, n, out);
  vd_qwen2_work_release(&w);
  free(cps);
  return st;
}

// ---- look-ups ---------------------------------------------------------------------------------------

int32_t vd_qwen2_tokenizer_token_id(const vd_qwen2_tokenizer *tokenizer, const char *token) {
  size_t n = strlen(token);
  int32_t k = vd_added_tokens_find_content(&tokenizer->added, token, n);
  if (k >= 0) return tokenizer->added.tokens[k].id;
  int32_t sym = n ? vd_bpe_vocab_find(tokenizer->vocab, token, n) : -1;
  return sym >= 0 ? vd_bpe_vocab_token_id(tokenizer->vocab, sym) : -1;
}

bool vd_qwen2_tokenizer_is_special(const vd_qwen2_tokenizer *tokenizer, int32_t id) {
  int32_t lo = 0, hi = tokenizer->special_count - 1;
  while (lo <= hi) {
    int32_t mid = lo + (hi - lo) / 2;
    if (tokenizer->special_ids[mid] == id) return true;
    if (tokenizer->special_ids[mid] < id) {
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return false;
}

bool vd_qwen2_tokenizer_has_id(const vd_qwen2_tokenizer *tokenizer, int32_t id) {
  return vd_added_tokens_find_id(&tokenizer->added, id) >= 0 || vd_bpe_vocab_id_symbol(tokenizer->vocab, id) >= 0;
}

int32_t vd_qwen2_tokenizer_vocab_size(const vd_qwen2_tokenizer *tokenizer) {
  int32_t n = vd_bpe_vocab_size(tokenizer->vocab);
  for (int32_t k = 0; k < tokenizer->added.count; ++k)
    if (tokenizer->added.tokens[k].id >= n) n = tokenizer->added.tokens[k].id + 1;
  return n;
}

int32_t vd_qwen2_tokenizer_merge_count(const vd_qwen2_tokenizer *tokenizer) {
  return vd_bpe_vocab_merge_count(tokenizer->vocab);
}

int32_t vd_qwen2_tokenizer_added_count(const vd_qwen2_tokenizer *tokenizer) { return tokenizer->added.count; }
