// The Qwen2 tokenizer's state, shared by its loaders (qwen2_tokenizer_load.c, tokenizer_json.c,
// qwen2_slow_files.c), the encoder (qwen2_tokenizer.c) and the decoder (qwen2_decode.c). Not part of the
// text/ interface.
#ifndef VD_TEXT_QWEN2_TOKENIZER_INTERNAL_H
#define VD_TEXT_QWEN2_TOKENIZER_INTERNAL_H

#include "text/added_tokens.h"
#include "text/bpe.h"
#include "text/bpe_vocab.h"
#include "text/qwen2_tokenizer.h"

struct cJSON;

// Qwen2's pre-tokenisation pattern as tokenizer.json spells it (after JSON unescaping).
#define VD_QWEN2_PRETOKENIZE_REGEX                                                                  \
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|" \
  "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"

typedef enum vd_qwen2_decoder {
  VD_QWEN2_DECODER_BYTE_LEVEL,  // the ByteLevel decoder
  VD_QWEN2_DECODER_NONE,        // no decoder: HF joins the token strings with spaces
} vd_qwen2_decoder;

struct vd_qwen2_tokenizer {
  vd_bpe_vocab *vocab;         // model vocabulary and merges
  vd_added_tokens added;       // added and special tokens
  int32_t byte_symbol[256];    // symbol of each byte's byte-level character (its id may be -1)
  vd_ucd_age nfc_age;          // Unicode version of the NFC normaliser; 0: no normaliser
  bool add_prefix_space;       // ByteLevel pre-tokeniser prepends a space to pieces not starting with one
  bool ignore_merges;          // a piece that is a vocabulary entry is that token, without merging
  int32_t unk_symbol;          // symbol of unk_token, -1 when there is none
  bool fuse_unk;               // consecutive unknown characters give one unk_token
  vd_qwen2_decoder decoder;    // how ids become text
  int32_t *special_ids;        // sorted ids that skip_special drops (special added tokens, and vocabulary
                               // entries spelled like one)
  int32_t special_count;       // entries of special_ids
  int32_t model_vocab_len;     // entries of the model vocabulary (HF's get_vocab_size, for added-token ids)
  int32_t added_max_id;        // largest added-token id so far, -1 when none (loading only)
};

// tokenizer_json.c: the pipeline of a tokenizer.json (normalizer, pre_tokenizer, decoder, post_processor,
// truncation, padding, model options); refuses what the tokenizer does not implement.
vd_status vd_qwen2_read_pipeline(vd_qwen2_tokenizer *t, const struct cJSON *root, const char *path);

// qwen2_tokenizer_load.c: shared construction steps.
vd_status vd_qwen2_vocab_from_json(vd_qwen2_tokenizer *t, const struct cJSON *vocab, const char *path);
vd_status vd_qwen2_add_merge(vd_qwen2_tokenizer *t, const char *l, size_t ln, const char *r, size_t rn,
                             const char *where);
// Adds an added token as HF's AddedVocabulary would; the id HF would give it must equal tmpl->id.
vd_status vd_qwen2_add_token(vd_qwen2_tokenizer *t, const char *content, const vd_added_token *tmpl,
                             const char *path);
// Returns 1 and the merge's two parts when line[0..n) is `left right` (one space), else 0.
int vd_qwen2_split_merge(const char *line, size_t n, size_t *out_left_len, const char **out_right,
                         size_t *out_right_len);

// qwen2_slow_files.c: vocab.json + merges.txt + tokenizer_config.json / added_tokens.json in dir.
vd_status vd_qwen2_load_slow_files(vd_qwen2_tokenizer *t, const char *vocab_path, const char *merges_path,
                                   const char *dir);

#endif
