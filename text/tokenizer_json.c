// The pipeline of a Qwen2-kind tokenizer.json, checked part by part. Accepted:
//   normalizer      null/absent, NFC, or a Sequence of NFC only
//   pre_tokenizer   Sequence[Split(Regex PRETOKENIZE_REGEX, Isolated, invert false), ByteLevel(use_regex false)]
//                   (ByteLevel's add_prefix_space is honoured)
//   decoder         ByteLevel, or null/absent (HF then joins token strings with spaces)
//   post_processor  ByteLevel (offsets only) or null/absent
//   truncation, padding  null/absent
//   model           BPE without dropout, byte_fallback, continuing_subword_prefix or end_of_word_suffix;
//                   unk_token (which must be in the vocabulary), fuse_unk and ignore_merges honoured
// Everything else is refused with VD_ERR_UNAVAILABLE naming the part.
#include <cjson/cJSON.h>
#include <string.h>

#include "text/qwen2_tokenizer_internal.h"
#include "text/unicode_nfc.h"

static const cJSON *vd_json_get(const cJSON *obj, const char *key) {
  return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static bool vd_json_is_absent(const cJSON *v) { return v == NULL || cJSON_IsNull(v); }

// The "type" string of a pipeline object ("?" when there is none).
static const char *vd_json_type(const cJSON *obj) {
  const cJSON *type = vd_json_get(obj, "type");
  return cJSON_IsString(type) ? type->valuestring : "?";
}

static bool vd_json_type_is(const cJSON *obj, const char *type) {
  return cJSON_IsObject(obj) && strcmp(vd_json_type(obj), type) == 0;
}

// A boolean field: *out keeps its default when the field is absent; any other type is an error.
static vd_status vd_json_bool(const cJSON *obj, const char *key, bool *out, const char *path, const char *what) {
  const cJSON *v = vd_json_get(obj, key);
  if (vd_json_is_absent(v)) return NULL;
  if (!cJSON_IsBool(v)) return vd_status_make(VD_ERR_FORMAT, "%s: %s.%s is not a boolean", path, what, key);
  *out = cJSON_IsTrue(v);
  return NULL;
}

static vd_status vd_qwen2_unsupported(const char *path, const char *what, const char *detail) {
  return vd_status_make(VD_ERR_UNAVAILABLE, "%s: %s%s%s is not supported by the Qwen2 tokenizer", path, what,
                        detail[0] ? " " : "", detail);
}

static vd_status vd_qwen2_read_normalizer(vd_qwen2_tokenizer *t, const cJSON *n, const char *path) {
  t->nfc_age = 0;
  if (vd_json_is_absent(n)) return NULL;
  if (vd_json_type_is(n, "NFC")) {
    t->nfc_age = VD_NFC_AGE_HF_TOKENIZERS;
    return NULL;
  }
  if (vd_json_type_is(n, "Sequence")) {
    const cJSON *list = vd_json_get(n, "normalizers");
    if (!cJSON_IsArray(list)) return vd_status_make(VD_ERR_FORMAT, "%s: normalizer.normalizers is not a list", path);
    for (const cJSON *e = list->child; e; e = e->next) {
      if (!vd_json_type_is(e, "NFC")) return vd_qwen2_unsupported(path, "normalizer", vd_json_type(e));
      t->nfc_age = VD_NFC_AGE_HF_TOKENIZERS;
    }
    return NULL;
  }
  return vd_qwen2_unsupported(path, "normalizer", cJSON_IsObject(n) ? vd_json_type(n) : "(not an object)");
}

static vd_status vd_qwen2_read_split(const cJSON *s, const char *path) {
  const cJSON *pattern = vd_json_get(s, "pattern");
  const cJSON *regex = cJSON_IsObject(pattern) ? vd_json_get(pattern, "Regex") : NULL;
  if (!cJSON_IsString(regex)) return vd_qwen2_unsupported(path, "pre_tokenizer Split", "without a Regex pattern");
  if (strcmp(regex->valuestring, VD_QWEN2_PRETOKENIZE_REGEX) != 0)
    return vd_status_make(VD_ERR_UNAVAILABLE,
                          "%s: the Split pattern is not Qwen2's PRETOKENIZE_REGEX (got \"%.120s\")", path,
                          regex->valuestring);
  const cJSON *behavior = vd_json_get(s, "behavior");
  if (!cJSON_IsString(behavior) || strcmp(behavior->valuestring, "Isolated") != 0)
    return vd_qwen2_unsupported(path, "pre_tokenizer Split behavior",
                                cJSON_IsString(behavior) ? behavior->valuestring : "(missing)");
  bool invert = false;
  VD_RETURN_IF_ERROR(vd_json_bool(s, "invert", &invert, path, "pre_tokenizer Split"));
  return invert ? vd_qwen2_unsupported(path, "pre_tokenizer Split", "with invert true") : NULL;
}

static vd_status vd_qwen2_read_byte_level(vd_qwen2_tokenizer *t, const cJSON *b, const char *path) {
  bool use_regex = true;  // the serde default
  t->add_prefix_space = false;
  VD_RETURN_IF_ERROR(vd_json_bool(b, "use_regex", &use_regex, path, "pre_tokenizer ByteLevel"));
  VD_RETURN_IF_ERROR(vd_json_bool(b, "add_prefix_space", &t->add_prefix_space, path, "pre_tokenizer ByteLevel"));
  return use_regex ? vd_qwen2_unsupported(path, "pre_tokenizer ByteLevel", "with use_regex true (GPT-2's pattern)")
                   : NULL;
}

static vd_status vd_qwen2_read_pre_tokenizer(vd_qwen2_tokenizer *t, const cJSON *p, const char *path) {
  if (vd_json_is_absent(p)) return vd_qwen2_unsupported(path, "a tokenizer.json", "without a pre_tokenizer");
  const cJSON *list = vd_json_type_is(p, "Sequence") ? vd_json_get(p, "pretokenizers") : NULL;
  const cJSON *split = cJSON_IsArray(list) ? cJSON_GetArrayItem(list, 0) : NULL;
  const cJSON *byte_level = cJSON_IsArray(list) ? cJSON_GetArrayItem(list, 1) : NULL;
  if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) != 2 || !vd_json_type_is(split, "Split") ||
      !vd_json_type_is(byte_level, "ByteLevel"))
    return vd_qwen2_unsupported(path, "pre_tokenizer", "other than Sequence[Split, ByteLevel]");
  VD_RETURN_IF_ERROR(vd_qwen2_read_split(split, path));
  return vd_qwen2_read_byte_level(t, byte_level, path);
}

static vd_status vd_qwen2_read_decoder(vd_qwen2_tokenizer *t, const cJSON *d, const char *path) {
  t->decoder = VD_QWEN2_DECODER_NONE;
  if (vd_json_is_absent(d)) return NULL;
  if (!vd_json_type_is(d, "ByteLevel")) return vd_qwen2_unsupported(path, "decoder", vd_json_type(d));
  t->decoder = VD_QWEN2_DECODER_BYTE_LEVEL;
  return NULL;
}

static vd_status vd_qwen2_read_post_processor(const cJSON *p, const char *path) {
  if (vd_json_is_absent(p) || vd_json_type_is(p, "ByteLevel")) return NULL;
  return vd_qwen2_unsupported(path, "post_processor", vd_json_type(p));
}

static vd_status vd_qwen2_read_unk(vd_qwen2_tokenizer *t, const cJSON *model, const char *path) {
  const cJSON *unk = vd_json_get(model, "unk_token");
  t->unk_symbol = -1;
  if (vd_json_is_absent(unk)) return NULL;
  if (!cJSON_IsString(unk)) return vd_status_make(VD_ERR_FORMAT, "%s: model.unk_token is not a string", path);
  int32_t sym = vd_bpe_vocab_find(t->vocab, unk->valuestring, strlen(unk->valuestring));
  if (sym < 0 || vd_bpe_vocab_token_id(t->vocab, sym) < 0)
    return vd_status_make(VD_ERR_FORMAT, "%s: model.unk_token '%s' is not in the vocabulary", path,
                          unk->valuestring);
  t->unk_symbol = sym;
  return NULL;
}

// An optional string field that must be empty when present.
static vd_status vd_qwen2_read_affix(const cJSON *model, const char *key, const char *path) {
  const cJSON *v = vd_json_get(model, key);
  if (vd_json_is_absent(v) || (cJSON_IsString(v) && v->valuestring[0] == '\0')) return NULL;
  return vd_qwen2_unsupported(path, "model", key);
}

static vd_status vd_qwen2_read_model_options(vd_qwen2_tokenizer *t, const cJSON *model, const char *path) {
  const cJSON *dropout = vd_json_get(model, "dropout");
  if (!vd_json_is_absent(dropout) && !(cJSON_IsNumber(dropout) && dropout->valuedouble == 0.0))
    return vd_qwen2_unsupported(path, "model", "dropout");
  bool byte_fallback = false;
  VD_RETURN_IF_ERROR(vd_json_bool(model, "byte_fallback", &byte_fallback, path, "model"));
  if (byte_fallback) return vd_qwen2_unsupported(path, "model", "byte_fallback");
  VD_RETURN_IF_ERROR(vd_qwen2_read_affix(model, "continuing_subword_prefix", path));
  VD_RETURN_IF_ERROR(vd_qwen2_read_affix(model, "end_of_word_suffix", path));
  t->fuse_unk = t->ignore_merges = false;
  VD_RETURN_IF_ERROR(vd_json_bool(model, "fuse_unk", &t->fuse_unk, path, "model"));
  VD_RETURN_IF_ERROR(vd_json_bool(model, "ignore_merges", &t->ignore_merges, path, "model"));
  return vd_qwen2_read_unk(t, model, path);
}

vd_status vd_qwen2_read_pipeline(vd_qwen2_tokenizer *t, const cJSON *root, const char *path) {
  // HF would cut or pad the ids: refused rather than ignored.
  if (!vd_json_is_absent(vd_json_get(root, "truncation"))) return vd_qwen2_unsupported(path, "truncation", "");
  if (!vd_json_is_absent(vd_json_get(root, "padding"))) return vd_qwen2_unsupported(path, "padding", "");
  VD_RETURN_IF_ERROR(vd_qwen2_read_normalizer(t, vd_json_get(root, "normalizer"), path));
  VD_RETURN_IF_ERROR(vd_qwen2_read_pre_tokenizer(t, vd_json_get(root, "pre_tokenizer"), path));
  VD_RETURN_IF_ERROR(vd_qwen2_read_decoder(t, vd_json_get(root, "decoder"), path));
  VD_RETURN_IF_ERROR(vd_qwen2_read_post_processor(vd_json_get(root, "post_processor"), path));
  return vd_qwen2_read_model_options(t, vd_json_get(root, "model"), path);
}
