// The added-token split. Candidates at a position are the tokens whose pattern starts with that code point
// (a binary search over each set sorted by first code point, behind a 1024-bit filter); the longest match
// wins. The split arithmetic (single_word, lstrip, rstrip, resuming after the match) follows
// AddedVocabulary::find_matches of HF tokenizers.
#include "text/added_tokens.h"

#include <stdlib.h>
#include <string.h>

#include "text/unicode_nfc.h"
#include "text/utf8.h"

void vd_added_tokens_release(vd_added_tokens *a) {
  for (int32_t k = 0; k < a->count; ++k) {
    free(a->tokens[k].content);
    free(a->tokens[k].pattern);
  }
  free(a->tokens);
  free(a->order[0]);
  free(a->order[1]);
  free(a->by_id);
  *a = (vd_added_tokens){0};
}

void vd_split_list_release(vd_split_list *list) {
  free(list->items);
  *list = (vd_split_list){0};
}

static vd_status vd_split_push(vd_split_list *list, size_t start, size_t end, int32_t token) {
  if (list->count == list->cap) {
    size_t cap = list->cap ? list->cap * 2 : 16;
    vd_text_split *items = realloc(list->items, sizeof(*items) * cap);
    if (!items) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "added tokens: out of memory for %zu splits", cap);
    list->items = items;
    list->cap = cap;
  }
  list->items[list->count++] = (vd_text_split){.start = start, .end = end, .token = token};
  return NULL;
}

vd_status vd_added_tokens_add(vd_added_tokens *a, const char *content, size_t len, const vd_added_token *tmpl) {
  if (len == 0 || len > VD_ADDED_TOKEN_MAX_BYTES)
    return vd_status_make(VD_ERR_LIMIT, "added token of %zu bytes (allowed 1..%d)", len, VD_ADDED_TOKEN_MAX_BYTES);
  if (a->count >= VD_ADDED_TOKENS_MAX)
    return vd_status_make(VD_ERR_LIMIT, "more than %d added tokens", VD_ADDED_TOKENS_MAX);
  if (a->count == a->cap) {
    int32_t cap = a->cap ? a->cap * 2 : 16;
    vd_added_token *tokens = realloc(a->tokens, sizeof(*tokens) * (size_t)cap);
    if (!tokens) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "added tokens: out of memory");
    a->tokens = tokens;
    a->cap = cap;
  }
  vd_added_token t = *tmpl;
  t.content = malloc(len + 1);
  t.pattern = malloc(sizeof(uint32_t) * len);
  if (!t.content || !t.pattern) {
    free(t.content);
    free(t.pattern);
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "added tokens: out of memory");
  }
  memcpy(t.content, content, len);
  t.content[len] = '\0';
  t.content_len = len;
  t.pattern_len = vd_utf8_decode(content, len, t.pattern);
  a->tokens[a->count++] = t;
  return NULL;
}

// Replaces a normalized token's pattern by its NFC.
static vd_status vd_added_token_normalize(vd_added_token *t, vd_ucd_age nfc_age) {
  vd_cp_buf buf = {0};
  VD_RETURN_IF_ERROR(vd_unicode_nfc(t->pattern, t->pattern_len, nfc_age, &buf));
  if (buf.len == 0) {
    vd_cp_buf_release(&buf);
    return vd_status_make(VD_ERR_FORMAT, "added token '%s' normalises to nothing", t->content);
  }
  free(t->pattern);
  t->pattern = buf.data;
  t->pattern_len = buf.len;
  return NULL;
}

static int vd_cmp_u64(const void *x, const void *y) {
  uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
  return a < b ? -1 : a > b;
}

// Fills out[0..count) with the indexes of keys[] (key << 32 | index) in increasing key order.
static void vd_sorted_indexes(uint64_t *keys, int32_t count, int32_t *out) {
  qsort(keys, (size_t)count, sizeof(uint64_t), vd_cmp_u64);
  for (int32_t k = 0; k < count; ++k) out[k] = (int32_t)(keys[k] & 0xffffffffu);
}

static vd_status vd_added_tokens_index(vd_added_tokens *a) {
  size_t n = (size_t)a->count + 1;
  uint64_t *keys[3] = {malloc(sizeof(uint64_t) * n), malloc(sizeof(uint64_t) * n), malloc(sizeof(uint64_t) * n)};
  a->order[0] = malloc(sizeof(int32_t) * n);
  a->order[1] = malloc(sizeof(int32_t) * n);
  a->by_id = malloc(sizeof(int32_t) * n);
  vd_status st = NULL;
  if (!keys[0] || !keys[1] || !keys[2] || !a->order[0] || !a->order[1] || !a->by_id) {
    st = vd_status_make(VD_ERR_OUT_OF_MEMORY, "added tokens: out of memory");
  } else {
    for (int32_t k = 0; k < a->count; ++k) {
      int set = a->tokens[k].normalized ? 1 : 0;
      uint32_t first = a->tokens[k].pattern[0], bit = first & 1023;
      keys[set][a->order_count[set]++] = (uint64_t)first << 32 | (uint32_t)k;
      a->first_mask[set][bit >> 6] |= 1ull << (bit & 63);
      keys[2][k] = (uint64_t)(uint32_t)a->tokens[k].id << 32 | (uint32_t)k;
    }
    for (int set = 0; set < 2; ++set) vd_sorted_indexes(keys[set], a->order_count[set], a->order[set]);
    vd_sorted_indexes(keys[2], a->count, a->by_id);
  }
  for (int k = 0; k < 3; ++k) free(keys[k]);
  return st;
}

vd_status vd_added_tokens_finish(vd_added_tokens *a, vd_ucd_age nfc_age) {
  for (int32_t k = 0; k < a->count && nfc_age; ++k)
    if (a->tokens[k].normalized) VD_RETURN_IF_ERROR(vd_added_token_normalize(&a->tokens[k], nfc_age));
  return vd_added_tokens_index(a);
}

int32_t vd_added_tokens_find_id(const vd_added_tokens *a, int32_t id) {
  int32_t lo = 0, hi = a->count - 1;
  while (lo <= hi && a->by_id) {
    int32_t mid = lo + (hi - lo) / 2, k = a->by_id[mid];
    if (a->tokens[k].id == id) return k;
    if (a->tokens[k].id < id) {
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return -1;
}

int32_t vd_added_tokens_find_content(const vd_added_tokens *a, const char *content, size_t len) {
  for (int32_t k = 0; k < a->count; ++k)
    if (a->tokens[k].content_len == len && memcmp(a->tokens[k].content, content, len) == 0) return k;
  return -1;
}

// ---- matching ---------------------------------------------------------------------------------------

// The longest token of the set matching at t[i] (index into tokens), or -1.
static int32_t vd_added_match_at(const vd_added_tokens *a, int set, const uint32_t *t, size_t n, size_t i) {
  uint32_t bit = t[i] & 1023;
  if (!(a->first_mask[set][bit >> 6] & (1ull << (bit & 63)))) return -1;
  const int32_t *order = a->order[set];
  int32_t lo = 0, hi = a->order_count[set];
  while (lo < hi) {  // first entry whose pattern starts at or after t[i]
    int32_t mid = lo + (hi - lo) / 2;
    if (a->tokens[order[mid]].pattern[0] < t[i]) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  int32_t best = -1;
  for (int32_t k = lo; k < a->order_count[set] && a->tokens[order[k]].pattern[0] == t[i]; ++k) {
    const vd_added_token *tok = &a->tokens[order[k]];
    if (tok->pattern_len > n - i || (best >= 0 && tok->pattern_len <= a->tokens[best].pattern_len)) continue;
    if (memcmp(tok->pattern, t + i, sizeof(uint32_t) * tok->pattern_len) == 0) best = order[k];
  }
  return best;
}

// A single_word match must not touch a word character on either side.
static bool vd_added_is_single_word(const uint32_t *t, size_t n, size_t start, size_t end) {
  return (start == 0 || !vd_ucd_is_word(t[start - 1])) && (end == n || !vd_ucd_is_word(t[end]));
}

vd_status vd_added_tokens_split(const vd_added_tokens *a, bool normalized_set, const uint32_t *t, size_t n,
                                vd_split_list *out) {
  int set = normalized_set ? 1 : 0;
  size_t start_offset = 0;  // end of the last split pushed
  for (size_t i = 0; i < n && a->order_count[set] > 0;) {
    int32_t k = vd_added_match_at(a, set, t, n, i);
    if (k < 0) {
      ++i;
      continue;
    }
    const vd_added_token *tok = &a->tokens[k];
    size_t start = i, stop = i + tok->pattern_len;
    i = stop;  // the search resumes after the match, whatever happens to it
    if (tok->single_word && !vd_added_is_single_word(t, n, start, stop)) continue;
    if (tok->lstrip) {
      while (start > 0 && vd_ucd_is_space(t[start - 1])) --start;
      if (start < start_offset) start = start_offset;
    }
    if (tok->rstrip)
      while (stop < n && vd_ucd_is_space(t[stop])) ++stop;
    if (start_offset < start) VD_RETURN_IF_ERROR(vd_split_push(out, start_offset, start, -1));
    VD_RETURN_IF_ERROR(vd_split_push(out, start, stop, k));
    start_offset = stop;
  }
  if (start_offset != n) VD_RETURN_IF_ERROR(vd_split_push(out, start_offset, n, -1));
  return NULL;
}
