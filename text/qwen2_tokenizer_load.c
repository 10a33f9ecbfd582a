// Loading the Qwen2 tokenizer: which files a path names, tokenizer.json's model and added tokens, the
// checks HF tokenizers makes while building its BPE (every merge's parts and result are vocabulary
// entries) and its added vocabulary (the ids it would give the added tokens must be the file's).
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/byte_level.h"
#include "text/qwen2_tokenizer_internal.h"
#include "text/text_file.h"
#include "text/unicode_nfc.h"
#include "text/utf8.h"

// ---- shared construction ----------------------------------------------------------------------------

vd_status vd_qwen2_vocab_from_json(vd_qwen2_tokenizer *t, const cJSON *vocab, const char *path) {
  if (!cJSON_IsObject(vocab)) return vd_status_make(VD_ERR_FORMAT, "%s: the vocabulary is not a JSON object", path);
  for (const cJSON *e = vocab->child; e; e = e->next) {
    double v = cJSON_IsNumber(e) ? e->valuedouble : -1;
    if (v < 0 || v > VD_BPE_MAX_TOKEN_ID || v != (double)(int32_t)v)
      return vd_status_make(VD_ERR_FORMAT, "%s: token '%.64s' has no valid id", path, e->string ? e->string : "");
    if (!e->string || !e->string[0]) return vd_status_make(VD_ERR_FORMAT, "%s: empty token string", path);
    int32_t sym;
    vd_status st = vd_bpe_vocab_intern(t->vocab, e->string, strlen(e->string), &sym);
    if (!st) st = vd_bpe_vocab_set_id(t->vocab, sym, (int32_t)v);
    if (st) return vd_status_annotate(st, "%s", path);
    ++t->model_vocab_len;
  }
  return NULL;
}

static vd_status vd_qwen2_vocab_symbol(vd_qwen2_tokenizer *t, const char *s, size_t n, int32_t *out_sym,
                                       const char *where) {
  int32_t sym = vd_bpe_vocab_find(t->vocab, s, n);
  if (sym < 0 || vd_bpe_vocab_token_id(t->vocab, sym) < 0)
    return vd_status_make(VD_ERR_FORMAT, "%s: '%.*s' is not in the vocabulary", where, (int)(n < 200 ? n : 200), s);
  *out_sym = sym;
  return NULL;
}

vd_status vd_qwen2_add_merge(vd_qwen2_tokenizer *t, const char *l, size_t ln, const char *r, size_t rn,
                             const char *where) {
  int32_t ls = -1, rs = -1, rank, merged;
  VD_RETURN_IF_ERROR(vd_qwen2_vocab_symbol(t, l, ln, &ls, where));
  VD_RETURN_IF_ERROR(vd_qwen2_vocab_symbol(t, r, rn, &rs, where));
  vd_status st = vd_bpe_vocab_add_merge(t->vocab, ls, rs);
  if (st) return vd_status_annotate(st, "%s", where);
  vd_bpe_vocab_pair(t->vocab, ls, rs, &rank, &merged);
  if (vd_bpe_vocab_token_id(t->vocab, merged) < 0) {
    size_t n;
    const char *s = vd_bpe_vocab_symbol(t->vocab, merged, &n);
    return vd_status_make(VD_ERR_FORMAT, "%s: the merged token '%.*s' is not in the vocabulary", where,
                          (int)(n < 200 ? n : 200), s);
  }
  return NULL;
}

int vd_qwen2_split_merge(const char *line, size_t n, size_t *out_left_len, const char **out_right,
                         size_t *out_right_len) {
  const char *space = memchr(line, ' ', n);
  if (!space || space == line || space + 1 == line + n || memchr(space + 1, ' ', (size_t)(line + n - space - 1)))
    return 0;
  *out_left_len = (size_t)(space - line);
  *out_right = space + 1;
  *out_right_len = (size_t)(line + n - space - 1);
  return 1;
}

// The id HF's AddedVocabulary::add_tokens gives a new token: an existing added token's or vocabulary
// entry's id for the same content, else the next free one after the model vocabulary.
static int32_t vd_qwen2_hf_added_id(const vd_qwen2_tokenizer *t, const char *content, size_t len) {
  int32_t k = vd_added_tokens_find_content(&t->added, content, len);
  if (k >= 0) return t->added.tokens[k].id;
  int32_t sym = vd_bpe_vocab_find(t->vocab, content, len);
  if (sym >= 0 && vd_bpe_vocab_token_id(t->vocab, sym) >= 0) return vd_bpe_vocab_token_id(t->vocab, sym);
  if (t->added.count == 0) return t->model_vocab_len;
  int32_t max = t->added_max_id;
  return max >= t->model_vocab_len || t->model_vocab_len == 0 ? max + 1 : t->model_vocab_len;
}

static bool vd_qwen2_same_flags(const vd_added_token *a, const vd_added_token *b) {
  return a->special == b->special && a->single_word == b->single_word && a->lstrip == b->lstrip &&
         a->rstrip == b->rstrip && a->normalized == b->normalized;
}

vd_status vd_qwen2_add_token(vd_qwen2_tokenizer *t, const char *content, const vd_added_token *tmpl,
                             const char *path) {
  size_t len = strlen(content);
  if (len == 0) return NULL;  // HF ignores empty added tokens
  int32_t k = vd_added_tokens_find_content(&t->added, content, len);
  if (k >= 0 && vd_qwen2_same_flags(&t->added.tokens[k], tmpl) && t->added.tokens[k].id == tmpl->id) return NULL;
  if (k >= 0)
    return vd_status_make(VD_ERR_FORMAT, "%s: added token '%.200s' is listed twice, differently", path, content);
  int32_t hf_id = vd_qwen2_hf_added_id(t, content, len);
  if (hf_id != tmpl->id)
    return vd_status_make(VD_ERR_FORMAT,
                          "%s: added token '%.200s' has id %d, but HF tokenizers would give it id %d (added tokens "
                          "get the next free id in file order, or their vocabulary entry's)",
                          path, content, (int)tmpl->id, (int)hf_id);
  vd_status st = vd_added_tokens_add(&t->added, content, len, tmpl);
  if (st) return vd_status_annotate(st, "%s", path);
  if (tmpl->id > t->added_max_id) t->added_max_id = tmpl->id;
  return NULL;
}

// ---- tokenizer.json ---------------------------------------------------------------------------------

static vd_status vd_qwen2_merges_from_json(vd_qwen2_tokenizer *t, const cJSON *merges, const char *path) {
  if (!cJSON_IsArray(merges)) return vd_status_make(VD_ERR_FORMAT, "%s: model.merges is not an array", path);
  int index = 0;
  char where[1200];
  for (const cJSON *m = merges->child; m; m = m->next, ++index) {
    snprintf(where, sizeof(where), "%s: model.merges[%d]", path, index);
    const char *l = NULL, *r = NULL;
    size_t ln = 0, rn = 0;
    if (cJSON_IsString(m)) {
      l = m->valuestring;
      if (!vd_qwen2_split_merge(l, strlen(l), &ln, &r, &rn))
        return vd_status_make(VD_ERR_FORMAT, "%s is not \"left right\"", where);
    } else if (cJSON_IsArray(m) && cJSON_GetArraySize(m) == 2 && cJSON_IsString(m->child) &&
               cJSON_IsString(m->child->next)) {
      l = m->child->valuestring;
      r = m->child->next->valuestring;
      ln = strlen(l);
      rn = strlen(r);
    } else {
      return vd_status_make(VD_ERR_FORMAT, "%s is neither \"a b\" nor [a, b]", where);
    }
    VD_RETURN_IF_ERROR(vd_qwen2_add_merge(t, l, ln, r, rn, where));
  }
  return NULL;
}

// A flag of an added_tokens entry; absent keeps the default of HF's AddedToken.
static vd_status vd_qwen2_flag(const cJSON *e, const char *key, bool *out, const char *path, int index) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
  if (!v) return NULL;
  if (!cJSON_IsBool(v))
    return vd_status_make(VD_ERR_FORMAT, "%s: added_tokens[%d].%s is not a boolean", path, index, key);
  *out = cJSON_IsTrue(v);
  return NULL;
}

static vd_status vd_qwen2_added_entry(vd_qwen2_tokenizer *t, const cJSON *e, const char *path, int index) {
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
  const cJSON *content = cJSON_GetObjectItemCaseSensitive(e, "content");
  if (!cJSON_IsNumber(id) || !cJSON_IsString(content) || id->valuedouble < 0 || id->valuedouble > VD_BPE_MAX_TOKEN_ID ||
      id->valuedouble != (double)(int32_t)id->valuedouble)
    return vd_status_make(VD_ERR_FORMAT, "%s: added_tokens[%d] lacks a valid id or content", path, index);
  vd_added_token tmpl = {.id = (int32_t)id->valuedouble, .normalized = true};
  VD_RETURN_IF_ERROR(vd_qwen2_flag(e, "special", &tmpl.special, path, index));
  VD_RETURN_IF_ERROR(vd_qwen2_flag(e, "single_word", &tmpl.single_word, path, index));
  VD_RETURN_IF_ERROR(vd_qwen2_flag(e, "lstrip", &tmpl.lstrip, path, index));
  VD_RETURN_IF_ERROR(vd_qwen2_flag(e, "rstrip", &tmpl.rstrip, path, index));
  VD_RETURN_IF_ERROR(vd_qwen2_flag(e, "normalized", &tmpl.normalized, path, index));
  return vd_qwen2_add_token(t, content->valuestring, &tmpl, path);
}

static vd_status vd_qwen2_added_from_json(vd_qwen2_tokenizer *t, const cJSON *added, const char *path) {
  if (!added || cJSON_IsNull(added)) return NULL;
  if (!cJSON_IsArray(added)) return vd_status_make(VD_ERR_FORMAT, "%s: added_tokens is not an array", path);
  int index = 0;
  for (const cJSON *e = added->child; e; e = e->next, ++index)
    VD_RETURN_IF_ERROR(vd_qwen2_added_entry(t, e, path, index));
  return NULL;
}

static vd_status vd_qwen2_check_model(const cJSON *model, const char *path) {
  if (!cJSON_IsObject(model)) return vd_status_make(VD_ERR_FORMAT, "%s: no \"model\" object", path);
  const cJSON *type = cJSON_GetObjectItemCaseSensitive(model, "type");
  if (cJSON_IsString(type) && strcmp(type->valuestring, "BPE") != 0)
    return vd_status_make(VD_ERR_UNAVAILABLE, "%s: model.type is %s; the Qwen2 tokenizer is BPE", path,
                          type->valuestring);
  return NULL;
}

static vd_status vd_qwen2_load_json(vd_qwen2_tokenizer *t, const char *path) {
  cJSON *root;
  VD_RETURN_IF_ERROR(vd_text_json_read(path, VD_QWEN2_MAX_FILE_BYTES, &root));
  const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
  vd_status st = vd_qwen2_check_model(model, path);
  if (!st) st = vd_qwen2_vocab_from_json(t, cJSON_GetObjectItemCaseSensitive(model, "vocab"), path);
  if (!st) st = vd_qwen2_merges_from_json(t, cJSON_GetObjectItemCaseSensitive(model, "merges"), path);
  if (!st) st = vd_qwen2_read_pipeline(t, root, path);
  if (!st) st = vd_qwen2_added_from_json(t, cJSON_GetObjectItemCaseSensitive(root, "added_tokens"), path);
  cJSON_Delete(root);
  return st;
}

// ---- choosing the files -----------------------------------------------------------------------------

static vd_status vd_qwen2_load_slow_in(vd_qwen2_tokenizer *t, const char *dir) {
  char vocab[4096], merges[4096];
  VD_RETURN_IF_ERROR(vd_text_path_join(vocab, sizeof(vocab), dir, "vocab.json"));
  VD_RETURN_IF_ERROR(vd_text_path_join(merges, sizeof(merges), dir, "merges.txt"));
  if (!vd_text_path_is_file(vocab) || !vd_text_path_is_file(merges))
    return vd_status_make(VD_ERR_NOT_FOUND, "%s: no vocab.json + merges.txt", dir);
  return vd_qwen2_load_slow_files(t, vocab, merges, dir);
}

static vd_status vd_qwen2_load_dir(vd_qwen2_tokenizer *t, const char *dir, int depth) {
  char a[4096], b[4096];
  VD_RETURN_IF_ERROR(vd_text_path_join(a, sizeof(a), dir, "tokenizer.json"));
  if (vd_text_path_is_file(a)) return vd_qwen2_load_json(t, a);
  VD_RETURN_IF_ERROR(vd_text_path_join(a, sizeof(a), dir, "vocab.json"));
  VD_RETURN_IF_ERROR(vd_text_path_join(b, sizeof(b), dir, "merges.txt"));
  if (vd_text_path_is_file(a) && vd_text_path_is_file(b)) return vd_qwen2_load_slow_files(t, a, b, dir);
  VD_RETURN_IF_ERROR(vd_text_path_join(a, sizeof(a), dir, "tokenizer"));
  if (depth == 0 && vd_text_path_is_dir(a)) return vd_qwen2_load_dir(t, a, 1);
  return vd_status_make(VD_ERR_NOT_FOUND, "%s: no tokenizer.json or vocab.json + merges.txt", dir);
}

static vd_status vd_qwen2_load_path(vd_qwen2_tokenizer *t, const char *path) {
  if (vd_text_path_is_dir(path)) return vd_qwen2_load_dir(t, path, 0);
  if (!vd_text_path_is_file(path)) return vd_status_make(VD_ERR_NOT_FOUND, "%s: no such file or folder", path);
  char dir[4096];
  if (vd_text_ends_with(path, "vocab.json") || vd_text_ends_with(path, "merges.txt")) {
    VD_RETURN_IF_ERROR(vd_text_path_dirname(path, dir, sizeof(dir)));
    return vd_qwen2_load_slow_in(t, dir);
  }
  if (vd_text_ends_with(path, ".json")) return vd_qwen2_load_json(t, path);
  return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: not a tokenizer.json, vocab.json or merges.txt", path);
}

// ---- finishing --------------------------------------------------------------------------------------

static vd_status vd_qwen2_intern_bytes(vd_qwen2_tokenizer *t) {
  for (int b = 0; b < 256; ++b) {
    char buf[4];
    int n = vd_utf8_encode(vd_byte_level_char((uint8_t)b), buf);
    VD_RETURN_IF_ERROR(vd_bpe_vocab_intern(t->vocab, buf, (size_t)n, &t->byte_symbol[b]));
  }
  return NULL;
}

static int vd_qwen2_cmp_id(const void *x, const void *y) {
  int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
  return a < b ? -1 : a > b;
}

// The ids skip_special drops: special added tokens, and vocabulary entries spelled like one (HF checks
// the token string against its set of special contents).
static vd_status vd_qwen2_collect_specials(vd_qwen2_tokenizer *t) {
  t->special_ids = malloc(sizeof(int32_t) * (size_t)(2 * t->added.count + 1));
  if (!t->special_ids) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "qwen2 tokenizer: out of memory");
  for (int32_t k = 0; k < t->added.count; ++k) {
    const vd_added_token *tok = &t->added.tokens[k];
    if (!tok->special) continue;
    t->special_ids[t->special_count++] = tok->id;
    int32_t sym = vd_bpe_vocab_find(t->vocab, tok->content, tok->content_len);
    int32_t id = sym >= 0 ? vd_bpe_vocab_token_id(t->vocab, sym) : -1;
    if (id >= 0 && id != tok->id) t->special_ids[t->special_count++] = id;
  }
  qsort(t->special_ids, (size_t)t->special_count, sizeof(int32_t), vd_qwen2_cmp_id);
  return NULL;
}

vd_status vd_qwen2_tokenizer_load_with(const char *path_or_dir, const vd_qwen2_options *options,
                                       vd_qwen2_tokenizer **out_tokenizer) {
  *out_tokenizer = NULL;
  if (!path_or_dir) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "qwen2 tokenizer: no path");
  vd_qwen2_tokenizer *t = calloc(1, sizeof(*t));
  if (!t) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "qwen2 tokenizer: out of memory");
  t->unk_symbol = -1;
  t->added_max_id = -1;
  vd_status st = vd_bpe_vocab_create(&t->vocab);
  if (!st) st = vd_qwen2_intern_bytes(t);
  if (!st) st = vd_qwen2_load_path(t, path_or_dir);
  if (!st && t->nfc_age && options && options->nfc_age) t->nfc_age = options->nfc_age;
  if (!st) st = vd_added_tokens_finish(&t->added, t->nfc_age);
  if (!st) st = vd_qwen2_collect_specials(t);
  if (st) {
    vd_qwen2_tokenizer_destroy(t);
    return vd_status_annotate(st, "loading the Qwen2 tokenizer");
  }
  *out_tokenizer = t;
  return NULL;
}

vd_status vd_qwen2_tokenizer_load(const char *path_or_dir, vd_qwen2_tokenizer **out_tokenizer) {
  return vd_qwen2_tokenizer_load_with(path_or_dir, NULL, out_tokenizer);
}

void vd_qwen2_tokenizer_destroy(vd_qwen2_tokenizer *tokenizer) {
  if (!tokenizer) return;
  vd_bpe_vocab_destroy(tokenizer->vocab);
  vd_added_tokens_release(&tokenizer->added);
  free(tokenizer->special_ids);
  free(tokenizer);
}
