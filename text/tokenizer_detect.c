// Tokenizer kind from file names and a light look at the contents (no JSON parse of a large file: a
// tokenizer.json is scanned for `"end_of_word_suffix": "</w>"`, a vocab.json for a `</w>"` key ending).
#include "text/tokenizer.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "text/text_file.h"

#define VD_DETECT_MAX_BYTES (512u << 20)

static const char *vd_skip_json_space(const char *p) {
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') ++p;
  return p;
}

// True when the text has the key `"end_of_word_suffix"` with the value "</w>".
static bool vd_has_clip_suffix(const char *text) {
  static const char key[] = "\"end_of_word_suffix\"";
  for (const char *p = strstr(text, key); p; p = strstr(p + 1, key)) {
    const char *v = vd_skip_json_space(p + sizeof(key) - 1);
    if (*v != ':') continue;
    v = vd_skip_json_space(v + 1);
    if (strncmp(v, "\"</w>\"", 6) == 0) return true;
  }
  return false;
}

static vd_status vd_detect_json(const char *path, vd_tokenizer_kind *out_kind) {
  char *text;
  size_t len;
  VD_RETURN_IF_ERROR(vd_text_file_read(path, VD_DETECT_MAX_BYTES, &text, &len));
  *out_kind = vd_has_clip_suffix(text) ? VD_TOKENIZER_CLIP : VD_TOKENIZER_QWEN2;
  free(text);
  return NULL;
}

// The slow files in dir: tokenizer_config.json's class, else "</w>" entries in vocab.json.
static vd_status vd_detect_slow(const char *dir, vd_tokenizer_kind *out_kind) {
  char path[4096];
  VD_RETURN_IF_ERROR(vd_text_path_join(path, sizeof(path), dir, "tokenizer_config.json"));
  if (vd_text_path_is_file(path)) {
    cJSON *cfg;
    VD_RETURN_IF_ERROR(vd_text_json_read(path, VD_DETECT_MAX_BYTES, &cfg));
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(cfg, "tokenizer_class");
    int kind = !cJSON_IsString(cls) ? 0 : strncmp(cls->valuestring, "CLIPTokenizer", 13) == 0 ? VD_TOKENIZER_CLIP
                                                                                              : VD_TOKENIZER_QWEN2;
    cJSON_Delete(cfg);
    if (kind) {
      *out_kind = (vd_tokenizer_kind)kind;
      return NULL;
    }
  }
  VD_RETURN_IF_ERROR(vd_text_path_join(path, sizeof(path), dir, "vocab.json"));
  char *text;
  size_t len;
  VD_RETURN_IF_ERROR(vd_text_file_read(path, VD_DETECT_MAX_BYTES, &text, &len));
  *out_kind = strstr(text, "</w>\"") ? VD_TOKENIZER_CLIP : VD_TOKENIZER_QWEN2;
  free(text);
  return NULL;
}

static vd_status vd_detect_dir(const char *dir, int depth, vd_tokenizer_kind *out_kind) {
  char a[4096], b[4096];
  VD_RETURN_IF_ERROR(vd_text_path_join(a, sizeof(a), dir, "tokenizer.json"));
  if (vd_text_path_is_file(a)) return vd_detect_json(a, out_kind);
  VD_RETURN_IF_ERROR(vd_text_path_join(a, sizeof(a), dir, "vocab.json"));
  VD_RETURN_IF_ERROR(vd_text_path_join(b, sizeof(b), dir, "merges.txt"));
  if (vd_text_path_is_file(a) && vd_text_path_is_file(b)) return vd_detect_slow(dir, out_kind);
  VD_RETURN_IF_ERROR(vd_text_path_join(a, sizeof(a), dir, "bpe_simple_vocab_16e6.txt.gz"));
  VD_RETURN_IF_ERROR(vd_text_path_join(b, sizeof(b), dir, "bpe_simple_vocab_16e6.txt"));
  if (vd_text_path_is_file(a) || vd_text_path_is_file(b)) {
    *out_kind = VD_TOKENIZER_CLIP;
    return NULL;
  }
  VD_RETURN_IF_ERROR(vd_text_path_join(a, sizeof(a), dir, "tokenizer"));
  if (depth == 0 && vd_text_path_is_dir(a)) return vd_detect_dir(a, 1, out_kind);
  return vd_status_make(VD_ERR_NOT_FOUND,
                        "%s: no tokenizer.json, vocab.json + merges.txt or bpe_simple_vocab_16e6.txt(.gz)", dir);
}

vd_status vd_tokenizer_detect(const char *path, vd_tokenizer_kind *out_kind) {
  if (!path) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "tokenizer: no path");
  if (vd_text_path_is_dir(path)) return vd_detect_dir(path, 0, out_kind);
  if (!vd_text_path_is_file(path)) return vd_status_make(VD_ERR_NOT_FOUND, "%s: no such file or folder", path);
  if (vd_text_ends_with(path, "vocab.json") || vd_text_ends_with(path, "merges.txt")) {
    char dir[4096];
    VD_RETURN_IF_ERROR(vd_text_path_dirname(path, dir, sizeof(dir)));
    return vd_detect_slow(dir, out_kind);
  }
  if (vd_text_ends_with(path, ".json")) return vd_detect_json(path, out_kind);
  if (vd_text_ends_with(path, ".txt") || vd_text_ends_with(path, ".gz")) {
    *out_kind = VD_TOKENIZER_CLIP;
    return NULL;
  }
  return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: not a tokenizer file (.json, .txt or .gz)", path);
}

const char *vd_tokenizer_kind_name(vd_tokenizer_kind kind) {
  return kind == VD_TOKENIZER_CLIP ? "CLIP BPE" : kind == VD_TOKENIZER_QWEN2 ? "Qwen2 byte-level BPE" : "?";
}
