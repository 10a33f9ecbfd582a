// The slow Qwen2Tokenizer's files: vocab.json, merges.txt (a `#version:` first line and blank lines
// skipped, each line `left right` after stripping whitespace, rank = order) and the added tokens of
// tokenizer_config.json's added_tokens_decoder, or else of added_tokens.json ({content: id}; special when
// special_tokens_map.json or tokenizer_config.json names them). They get the pipeline transformers'
// Qwen2Converter builds from them: NFC, PRETOKENIZE_REGEX, ByteLevel without a prefix space, BPE without
// unk_token, ByteLevel decoder.
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/qwen2_tokenizer_internal.h"
#include "text/text_file.h"
#include "text/unicode_nfc.h"

static bool vd_is_ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// One merges.txt line (whitespace-split into exactly two parts, as Python's str.split()).
static vd_status vd_qwen2_merge_line(vd_qwen2_tokenizer *t, const char *s, size_t n, const char *where) {
  const char *part[3];
  size_t len[3];
  int parts = 0;
  for (size_t i = 0; i < n && parts < 3;) {
    while (i < n && vd_is_ascii_space(s[i])) ++i;
    if (i == n) break;
    size_t start = i;
    while (i < n && !vd_is_ascii_space(s[i])) ++i;
    part[parts] = s + start;
    len[parts++] = i - start;
  }
  if (parts != 2) return vd_status_make(VD_ERR_FORMAT, "%s: a merge line needs two tokens", where);
  return vd_qwen2_add_merge(t, part[0], len[0], part[1], len[1], where);
}

static vd_status vd_qwen2_merges_txt(vd_qwen2_tokenizer *t, const char *path) {
  char *text;
  size_t len;
  VD_RETURN_IF_ERROR(vd_text_file_read(path, VD_QWEN2_MAX_FILE_BYTES, &text, &len));
  vd_status st = NULL;
  char where[1200];
  for (size_t i = 0, line = 1; i < len && !st; ++line) {
    const char *nl = memchr(text + i, '\n', len - i);
    size_t end = nl ? (size_t)(nl - text) : len, b = i, e = end;
    while (b < e && vd_is_ascii_space(text[b])) ++b;
    while (e > b && vd_is_ascii_space(text[e - 1])) --e;
    bool header = line == 1 && e - b >= 9 && memcmp(text + b, "#version:", 9) == 0;
    if (e > b && !header) {
      snprintf(where, sizeof(where), "%s:%zu", path, line);
      st = vd_qwen2_merge_line(t, text + b, e - b, where);
    }
    i = end + 1;
  }
  free(text);
  return st;
}

// ---- added tokens -----------------------------------------------------------------------------------

typedef struct vd_qwen2_decoder_entry {
  int32_t id;         // the token id (the object key)
  const cJSON *item;  // {content, lstrip, normalized, rstrip, single_word, special}
} vd_qwen2_decoder_entry;

static int vd_qwen2_cmp_entry(const void *x, const void *y) {
  int32_t a = ((const vd_qwen2_decoder_entry *)x)->id, b = ((const vd_qwen2_decoder_entry *)y)->id;
  return a < b ? -1 : a > b;
}

static bool vd_json_flag(const cJSON *obj, const char *key, bool fallback) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  return cJSON_IsBool(v) ? cJSON_IsTrue(v) : fallback;
}

static vd_status vd_qwen2_decoder_token(vd_qwen2_tokenizer *t, const vd_qwen2_decoder_entry *e, const char *path) {
  const cJSON *content = cJSON_GetObjectItemCaseSensitive(e->item, "content");
  if (!cJSON_IsString(content))
    return vd_status_make(VD_ERR_FORMAT, "%s: added_tokens_decoder[%d] has no content", path, (int)e->id);
  bool special = vd_json_flag(e->item, "special", false);
  vd_added_token tmpl = {.id = e->id,
                         .special = special,
                         .single_word = vd_json_flag(e->item, "single_word", false),
                         .lstrip = vd_json_flag(e->item, "lstrip", false),
                         .rstrip = vd_json_flag(e->item, "rstrip", false),
                         .normalized = vd_json_flag(e->item, "normalized", !special)};
  return vd_qwen2_add_token(t, content->valuestring, &tmpl, path);
}

// tokenizer_config.json's added_tokens_decoder {"id": {...}}, added in id order.
static vd_status vd_qwen2_added_tokens_decoder(vd_qwen2_tokenizer *t, const cJSON *dec, const char *path) {
  int n = cJSON_GetArraySize(dec);
  vd_qwen2_decoder_entry *entries = calloc((size_t)n + 1, sizeof(*entries));
  if (!entries) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "qwen2 tokenizer: out of memory");
  int k = 0;
  vd_status st = NULL;
  for (const cJSON *e = dec->child; e && !st; e = e->next) {
    char *end;
    long id = strtol(e->string ? e->string : "", &end, 10);
    if (!e->string || *end || end == e->string || id < 0 || id > VD_BPE_MAX_TOKEN_ID || !cJSON_IsObject(e))
      st = vd_status_make(VD_ERR_FORMAT, "%s: added_tokens_decoder key '%.40s' is not an id", path,
                          e->string ? e->string : "");
    else
      entries[k++] = (vd_qwen2_decoder_entry){.id = (int32_t)id, .item = e};
  }
  qsort(entries, (size_t)k, sizeof(*entries), vd_qwen2_cmp_entry);
  for (int i = 0; i < k && !st; ++i) st = vd_qwen2_decoder_token(t, &entries[i], path);
  free(entries);
  return st;
}

// A special-token entry of a config: "text" or {"content": "text", ...}.
static const char *vd_qwen2_token_text(const cJSON *v) {
  if (cJSON_IsString(v)) return v->valuestring;
  const cJSON *c = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, "content") : NULL;
  return cJSON_IsString(c) ? c->valuestring : NULL;
}

static bool vd_qwen2_names_special(const cJSON *cfg, const char *content) {
  static const char *const keys[] = {"bos_token", "eos_token", "unk_token", "pad_token", "sep_token",
                                     "cls_token", "mask_token"};
  if (!cJSON_IsObject(cfg)) return false;
  for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); ++k) {
    const char *s = vd_qwen2_token_text(cJSON_GetObjectItemCaseSensitive(cfg, keys[k]));
    if (s && strcmp(s, content) == 0) return true;
  }
  const cJSON *extra = cJSON_GetObjectItemCaseSensitive(cfg, "additional_special_tokens");
  for (const cJSON *e = cJSON_IsArray(extra) ? extra->child : NULL; e; e = e->next) {
    const char *s = vd_qwen2_token_text(e);
    if (s && strcmp(s, content) == 0) return true;
  }
  return false;
}

typedef struct vd_qwen2_id_entry {
  int32_t id;           // the token id
  const char *content;  // the token
} vd_qwen2_id_entry;

static int vd_qwen2_cmp_id_entry(const void *x, const void *y) {
  int32_t a = ((const vd_qwen2_id_entry *)x)->id, b = ((const vd_qwen2_id_entry *)y)->id;
  return a < b ? -1 : a > b;
}

// added_tokens.json {content: id}, in id order; cfgs are the configs that name special tokens.
static vd_status vd_qwen2_added_tokens_json(vd_qwen2_tokenizer *t, const cJSON *added, const cJSON *cfgs[2],
                                            const char *path) {
  if (!cJSON_IsObject(added)) return vd_status_make(VD_ERR_FORMAT, "%s: not a JSON object", path);
  int n = cJSON_GetArraySize(added), k = 0;
  vd_qwen2_id_entry *entries = calloc((size_t)n + 1, sizeof(*entries));
  if (!entries) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "qwen2 tokenizer: out of memory");
  vd_status st = NULL;
  for (const cJSON *e = added->child; e && !st; e = e->next) {
    if (!cJSON_IsNumber(e) || e->valuedouble < 0 || e->valuedouble > VD_BPE_MAX_TOKEN_ID || !e->string)
      st = vd_status_make(VD_ERR_FORMAT, "%s: '%.64s' has no valid id", path, e->string ? e->string : "");
    else
      entries[k++] = (vd_qwen2_id_entry){.id = (int32_t)e->valuedouble, .content = e->string};
  }
  qsort(entries, (size_t)k, sizeof(*entries), vd_qwen2_cmp_id_entry);
  for (int i = 0; i < k && !st; ++i) {
    const char *content = entries[i].content;
    bool special = vd_qwen2_names_special(cfgs[0], content) || vd_qwen2_names_special(cfgs[1], content);
    vd_added_token tmpl = {.id = entries[i].id, .special = special, .normalized = !special};
    st = vd_qwen2_add_token(t, entries[i].content, &tmpl, path);
  }
  free(entries);
  return st;
}

// Reads dir/name as JSON when the file exists (*out_root stays NULL otherwise).
static vd_status vd_qwen2_optional_json(const char *dir, const char *name, char *path, size_t cap, cJSON **out_root) {
  *out_root = NULL;
  VD_RETURN_IF_ERROR(vd_text_path_join(path, cap, dir, name));
  return vd_text_path_is_file(path) ? vd_text_json_read(path, VD_QWEN2_MAX_FILE_BYTES, out_root) : NULL;
}

static vd_status vd_qwen2_check_class(const cJSON *cfg, const char *path) {
  const cJSON *cls = cJSON_GetObjectItemCaseSensitive(cfg, "tokenizer_class");
  if (!cJSON_IsString(cls) || strncmp(cls->valuestring, "Qwen2Tokenizer", 14) == 0) return NULL;
  return vd_status_make(VD_ERR_UNAVAILABLE, "%s: tokenizer_class %s is not Qwen2Tokenizer", path, cls->valuestring);
}

static vd_status vd_qwen2_slow_added(vd_qwen2_tokenizer *t, const char *dir) {
  char cfg_path[4096], map_path[4096], added_path[4096];
  cJSON *cfg = NULL, *map = NULL, *added = NULL;
  vd_status st = vd_qwen2_optional_json(dir, "tokenizer_config.json", cfg_path, sizeof(cfg_path), &cfg);
  if (!st && cfg) st = vd_qwen2_check_class(cfg, cfg_path);
  const cJSON *dec = cfg ? cJSON_GetObjectItemCaseSensitive(cfg, "added_tokens_decoder") : NULL;
  if (!st && cJSON_IsObject(dec)) {
    st = vd_qwen2_added_tokens_decoder(t, dec, cfg_path);
  } else if (!st) {
    st = vd_qwen2_optional_json(dir, "special_tokens_map.json", map_path, sizeof(map_path), &map);
    if (!st) st = vd_qwen2_optional_json(dir, "added_tokens.json", added_path, sizeof(added_path), &added);
    const cJSON *cfgs[2] = {cfg, map};
    if (!st && added) st = vd_qwen2_added_tokens_json(t, added, cfgs, added_path);
  }
  cJSON_Delete(cfg);
  cJSON_Delete(map);
  cJSON_Delete(added);
  return st;
}

vd_status vd_qwen2_load_slow_files(vd_qwen2_tokenizer *t, const char *vocab_path, const char *merges_path,
                                   const char *dir) {
  cJSON *root;
  VD_RETURN_IF_ERROR(vd_text_json_read(vocab_path, VD_QWEN2_MAX_FILE_BYTES, &root));
  vd_status st = vd_qwen2_vocab_from_json(t, root, vocab_path);
  cJSON_Delete(root);
  VD_RETURN_IF_ERROR(st);
  VD_RETURN_IF_ERROR(vd_qwen2_merges_txt(t, merges_path));
  t->nfc_age = VD_NFC_AGE_HF_TOKENIZERS;
  t->add_prefix_space = false;
  t->decoder = VD_QWEN2_DECODER_BYTE_LEVEL;
  return vd_qwen2_slow_added(t, dir);
}
