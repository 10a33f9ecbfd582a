// Loading the CLIP tokenizer from vocab.json + merges.txt, tokenizer.json, or OpenAI's
// bpe_simple_vocab_16e6.txt(.gz) (vocabulary derived: 256 byte symbols, the same with </w>, one entry per
// merge, then <|startoftext|> and <|endoftext|>). Files are read through zlib, which reads plain files too.
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/byte_level.h"
#include "text/clip_tokenizer_internal.h"
#include "text/text_file.h"
#include "text/utf8.h"

// ---- shared construction ----------------------------------------------------------------------------

static vd_status vd_clip_intern_cp(vd_bpe_vocab *v, uint32_t cp, const char *suffix, int32_t *out) {
  char buf[16];
  int n = vd_utf8_encode(cp, buf);
  size_t m = strlen(suffix);
  memcpy(buf + n, suffix, m);
  return vd_bpe_vocab_intern(v, buf, (size_t)n + m, out);
}

// Interns the 512 byte-level symbols (with and without </w>).
static vd_status vd_clip_intern_bytes(vd_clip_tokenizer *t) {
  for (int b = 0; b < 256; ++b) {
    uint32_t cp = vd_byte_level_char((uint8_t)b);
    VD_RETURN_IF_ERROR(vd_clip_intern_cp(t->vocab, cp, "", &t->byte_symbol[b]));
    VD_RETURN_IF_ERROR(vd_clip_intern_cp(t->vocab, cp, VD_CLIP_END_OF_WORD, &t->byte_symbol_final[b]));
  }
  return NULL;
}

// Adds merge `l r`; when merged_first_id >= 0 the merged symbol also gets id merged_first_id + rank (the
// vocabulary derived from OpenAI's file).
static vd_status vd_clip_add_merge_strings(vd_clip_tokenizer *t, const char *l, size_t ln, const char *r,
                                           size_t rn, int32_t merged_first_id) {
  int32_t ls, rs, rank, merged;
  VD_RETURN_IF_ERROR(vd_bpe_vocab_intern(t->vocab, l, ln, &ls));
  VD_RETURN_IF_ERROR(vd_bpe_vocab_intern(t->vocab, r, rn, &rs));
  VD_RETURN_IF_ERROR(vd_bpe_vocab_add_merge(t->vocab, ls, rs));
  if (merged_first_id < 0) return NULL;
  vd_bpe_vocab_pair(t->vocab, ls, rs, &rank, &merged);
  return vd_bpe_vocab_set_id(t->vocab, merged, merged_first_id + rank);
}

static bool vd_is_py_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); }

// Parses one merges line `left right` (split on whitespace like Python's str.split()).
static vd_status vd_clip_parse_merge_line(vd_clip_tokenizer *t, const char *s, size_t n, const char *path,
                                          int line, int32_t merged_first_id) {
  const char *part[3];
  size_t len[3];
  int parts = 0;
  for (size_t i = 0; i < n;) {
    while (i < n && vd_is_py_space(s[i])) ++i;
    if (i == n) break;
    size_t start = i;
    while (i < n && !vd_is_py_space(s[i])) ++i;
    if (parts == 3) break;
    part[parts] = s + start;
    len[parts++] = i - start;
  }
  if (parts != 2)
    return vd_status_make(VD_ERR_FORMAT, "%s:%d: a merge line needs two symbols, found %d", path, line, parts);
  vd_status st = vd_clip_add_merge_strings(t, part[0], len[0], part[1], len[1], merged_first_id);
  return st ? vd_status_annotate(st, "%s:%d", path, line) : NULL;
}

// merges.txt / bpe_simple_vocab: the reference keeps lines [1 : 48895] of text.strip().split("\n").
static vd_status vd_clip_parse_merges(vd_clip_tokenizer *t, const char *text, size_t len, const char *path,
                                      int32_t merged_first_id) {
  size_t b = 0, e = len;
  while (b < e && vd_is_py_space(text[b])) ++b;
  while (e > b && vd_is_py_space(text[e - 1])) --e;
  int line = 0;
  for (size_t i = b; i < e && line <= VD_CLIP_MERGES_USED; ++line) {
    const char *nl = memchr(text + i, '\n', e - i);
    size_t end = nl ? (size_t)(nl - text) : e;
    if (line >= 1) VD_RETURN_IF_ERROR(vd_clip_parse_merge_line(t, text + i, end - i, path, line + 1, merged_first_id));
    i = end + 1;
  }
  return NULL;
}

static vd_status vd_clip_set_id(vd_clip_tokenizer *t, const char *s, size_t n, int32_t id, const char *path) {
  int32_t sym;
  vd_status st = vd_bpe_vocab_intern(t->vocab, s, n, &sym);
  if (!st) st = vd_bpe_vocab_set_id(t->vocab, sym, id);
  return st ? vd_status_annotate(st, "%s", path) : NULL;
}

static vd_status vd_clip_find_specials(vd_clip_tokenizer *t, const char *path) {
  int32_t bos = vd_bpe_vocab_find(t->vocab, VD_CLIP_BOS_TEXT, strlen(VD_CLIP_BOS_TEXT));
  int32_t eos = vd_bpe_vocab_find(t->vocab, VD_CLIP_EOS_TEXT, strlen(VD_CLIP_EOS_TEXT));
  t->bos_id = bos >= 0 ? vd_bpe_vocab_token_id(t->vocab, bos) : -1;
  t->eos_id = eos >= 0 ? vd_bpe_vocab_token_id(t->vocab, eos) : -1;
  if (t->bos_id < 0 || t->eos_id < 0)
    return vd_status_make(VD_ERR_FORMAT, "%s: vocabulary lacks %s or %s", path, VD_CLIP_BOS_TEXT, VD_CLIP_EOS_TEXT);
  t->unk_id = t->eos_id;
  t->pad_id = t->eos_id;
  return NULL;
}

// ---- OpenAI's bpe_simple_vocab_16e6.txt(.gz) -------------------------------------------------------

static vd_status vd_clip_load_openai(vd_clip_tokenizer *t, const char *path) {
  for (int b = 0; b < 256; ++b) {
    int order = vd_byte_level_order((uint8_t)b);
    VD_RETURN_IF_ERROR(vd_bpe_vocab_set_id(t->vocab, t->byte_symbol[b], order));
    VD_RETURN_IF_ERROR(vd_bpe_vocab_set_id(t->vocab, t->byte_symbol_final[b], 256 + order));
  }
  char *text;
  size_t len;
  VD_RETURN_IF_ERROR(vd_text_file_read(path, VD_CLIP_MAX_FILE_BYTES, &text, &len));
  vd_status st = vd_clip_parse_merges(t, text, len, path, 512);
  free(text);
  VD_RETURN_IF_ERROR(st);
  int32_t next = 512 + vd_bpe_vocab_merge_count(t->vocab);
  VD_RETURN_IF_ERROR(vd_clip_set_id(t, VD_CLIP_BOS_TEXT, strlen(VD_CLIP_BOS_TEXT), next, path));
  return vd_clip_set_id(t, VD_CLIP_EOS_TEXT, strlen(VD_CLIP_EOS_TEXT), next + 1, path);
}

// ---- vocab.json + merges.txt ------------------------------------------------------------------------

// Reads a {"token": id, ...} object.
static vd_status vd_clip_vocab_from_json(vd_clip_tokenizer *t, const cJSON *obj, const char *path) {
  if (!cJSON_IsObject(obj)) return vd_status_make(VD_ERR_FORMAT, "%s: the vocabulary is not a JSON object", path);
  for (const cJSON *e = obj->child; e; e = e->next) {
    double v = cJSON_IsNumber(e) ? e->valuedouble : -1;
    if (v < 0 || v > VD_BPE_MAX_TOKEN_ID || v != (double)(int32_t)v)
      return vd_status_make(VD_ERR_FORMAT, "%s: token '%.64s' has no valid id", path, e->string ? e->string : "");
    if (!e->string || !e->string[0]) return vd_status_make(VD_ERR_FORMAT, "%s: empty token string", path);
    VD_RETURN_IF_ERROR(vd_clip_set_id(t, e->string, strlen(e->string), (int32_t)v, path));
  }
  return NULL;
}

static vd_status vd_clip_load_hf_slow(vd_clip_tokenizer *t, const char *vocab_path, const char *merges_path) {
  cJSON *root;
  VD_RETURN_IF_ERROR(vd_text_json_read(vocab_path, VD_CLIP_MAX_FILE_BYTES, &root));
  vd_status st = vd_clip_vocab_from_json(t, root, vocab_path);
  cJSON_Delete(root);
  VD_RETURN_IF_ERROR(st);
  char *text;
  size_t len;
  VD_RETURN_IF_ERROR(vd_text_file_read(merges_path, VD_CLIP_MAX_FILE_BYTES, &text, &len));
  st = vd_clip_parse_merges(t, text, len, merges_path, -1);
  free(text);
  return st;
}

// ---- tokenizer.json ---------------------------------------------------------------------------------

// model.merges: "left right" strings (older files) or [left, right] pairs (newer files); all are used.
static vd_status vd_clip_merges_from_json(vd_clip_tokenizer *t, const cJSON *merges, const char *path) {
  if (!cJSON_IsArray(merges)) return vd_status_make(VD_ERR_FORMAT, "%s: model.merges is not an array", path);
  int index = 0;
  for (const cJSON *m = merges->child; m; m = m->next, ++index) {
    if (cJSON_IsString(m)) {
      VD_RETURN_IF_ERROR(vd_clip_parse_merge_line(t, m->valuestring, strlen(m->valuestring), path, index, -1));
      continue;
    }
    const cJSON *l = cJSON_GetArrayItem(m, 0), *r = cJSON_GetArrayItem(m, 1);
    if (!cJSON_IsArray(m) || cJSON_GetArraySize(m) != 2 || !cJSON_IsString(l) || !cJSON_IsString(r))
      return vd_status_make(VD_ERR_FORMAT, "%s: model.merges[%d] is neither \"a b\" nor [a, b]", path, index);
    vd_status st = vd_clip_add_merge_strings(t, l->valuestring, strlen(l->valuestring), r->valuestring,
                                             strlen(r->valuestring), -1);
    if (st) return vd_status_annotate(st, "%s: model.merges[%d]", path, index);
  }
  return NULL;
}

static vd_status vd_clip_added_tokens_from_json(vd_clip_tokenizer *t, const cJSON *added, const char *path) {
  if (!added) return NULL;
  if (!cJSON_IsArray(added)) return vd_status_make(VD_ERR_FORMAT, "%s: added_tokens is not an array", path);
  for (const cJSON *a = added->child; a; a = a->next) {
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(a, "id");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(a, "content");
    if (!cJSON_IsNumber(id) || !cJSON_IsString(content) || !content->valuestring[0] || id->valuedouble < 0 ||
        id->valuedouble > VD_BPE_MAX_TOKEN_ID)
      return vd_status_make(VD_ERR_FORMAT, "%s: an added_tokens entry lacks a valid id or content", path);
    VD_RETURN_IF_ERROR(
        vd_clip_set_id(t, content->valuestring, strlen(content->valuestring), (int32_t)id->valuedouble, path));
  }
  return NULL;
}

static vd_status vd_clip_check_model_json(const cJSON *model, const char *path) {
  if (!cJSON_IsObject(model)) return vd_status_make(VD_ERR_FORMAT, "%s: no \"model\" object", path);
  const cJSON *type = cJSON_GetObjectItemCaseSensitive(model, "type");
  if (cJSON_IsString(type) && strcmp(type->valuestring, "BPE") != 0)
    return vd_status_make(VD_ERR_FORMAT, "%s: model.type is %s, expected BPE", path, type->valuestring);
  const cJSON *eow = cJSON_GetObjectItemCaseSensitive(model, "end_of_word_suffix");
  if (cJSON_IsString(eow) && strcmp(eow->valuestring, VD_CLIP_END_OF_WORD) != 0)
    return vd_status_make(VD_ERR_FORMAT, "%s: end_of_word_suffix '%s' is not %s", path, eow->valuestring,
                          VD_CLIP_END_OF_WORD);
  return NULL;
}

static vd_status vd_clip_load_hf_fast(vd_clip_tokenizer *t, const char *path) {
  cJSON *root;
  VD_RETURN_IF_ERROR(vd_text_json_read(path, VD_CLIP_MAX_FILE_BYTES, &root));
  const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
  vd_status st = vd_clip_check_model_json(model, path);
  if (!st) st = vd_clip_vocab_from_json(t, cJSON_GetObjectItemCaseSensitive(model, "vocab"), path);
  if (!st) st = vd_clip_merges_from_json(t, cJSON_GetObjectItemCaseSensitive(model, "merges"), path);
  if (!st) st = vd_clip_added_tokens_from_json(t, cJSON_GetObjectItemCaseSensitive(root, "added_tokens"), path);
  cJSON_Delete(root);
  return st;
}

// ---- choosing the files -----------------------------------------------------------------------------

static vd_status vd_clip_load_dir(vd_clip_tokenizer *t, const char *dir, int depth) {
  char a[4096], b[4096];
  VD_RETURN_IF_ERROR(vd_text_path_join(a, sizeof(a), dir, "vocab.json"));
  VD_RETURN_IF_ERROR(vd_text_path_join(b, sizeof(b), dir, "merges.txt"));
  if (vd_text_path_is_file(a) && vd_text_path_is_file(b)) return vd_clip_load_hf_slow(t, a, b);
  VD_RETURN_IF_ERROR(vd_text_path_join(a, sizeof(a), dir, "tokenizer.json"));
  if (vd_text_path_is_file(a)) return vd_clip_load_hf_fast(t, a);
  VD_RETURN_IF_ERROR(vd_text_path_join(a, sizeof(a), dir, "bpe_simple_vocab_16e6.txt.gz"));
  if (vd_text_path_is_file(a)) return vd_clip_load_openai(t, a);
  VD_RETURN_IF_ERROR(vd_text_path_join(a, sizeof(a), dir, "tokenizer"));
  if (depth == 0 && vd_text_path_is_dir(a)) return vd_clip_load_dir(t, a, 1);
  return vd_status_make(VD_ERR_NOT_FOUND,
                        "%s: no vocab.json + merges.txt, tokenizer.json or bpe_simple_vocab_16e6.txt.gz", dir);
}

static vd_status vd_clip_load_path(vd_clip_tokenizer *t, const char *path) {
  if (vd_text_path_is_dir(path)) return vd_clip_load_dir(t, path, 0);
  if (!vd_text_path_is_file(path)) return vd_status_make(VD_ERR_NOT_FOUND, "%s: no such file or folder", path);
  if (vd_text_ends_with(path, ".gz") || vd_text_ends_with(path, ".txt")) return vd_clip_load_openai(t, path);
  if (vd_text_ends_with(path, "vocab.json")) {
    char merges[4096];
    size_t dir_len = strlen(path) - strlen("vocab.json");
    if (dir_len + strlen("merges.txt") + 1 > sizeof(merges))
      return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: path too long", path);
    memcpy(merges, path, dir_len);
    strcpy(merges + dir_len, "merges.txt");
    return vd_clip_load_hf_slow(t, path, merges);
  }
  if (vd_text_ends_with(path, ".json")) return vd_clip_load_hf_fast(t, path);
  return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: not a tokenizer file (.json, .txt or .gz)", path);
}

vd_status vd_clip_tokenizer_load(const char *path_or_dir, vd_clip_tokenizer **out_tokenizer) {
  *out_tokenizer = NULL;
  if (!path_or_dir) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "clip tokenizer: no path");
  vd_clip_tokenizer *t = calloc(1, sizeof(*t));
  if (!t) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "clip tokenizer: out of memory");
  vd_status st = vd_bpe_vocab_create(&t->vocab);
  if (!st) st = vd_clip_intern_bytes(t);
  if (!st) st = vd_clip_load_path(t, path_or_dir);
  if (!st) st = vd_clip_find_specials(t, path_or_dir);
  if (st) {
    vd_clip_tokenizer_destroy(t);
    return vd_status_annotate(st, "loading the CLIP tokenizer");
  }
  *out_tokenizer = t;
  return NULL;
}

void vd_clip_tokenizer_destroy(vd_clip_tokenizer *tokenizer) {
  if (!tokenizer) return;
  vd_bpe_vocab_destroy(tokenizer->vocab);
  free(tokenizer);
}
