// The Qwen2 byte-level BPE tokenizer (InternVL2-1B's language model; spec encoders-and-captioner.md §4),
// encoding and decoding as HF tokenizers does with the pipeline of a Qwen2 tokenizer.json:
//
//   1. Input bytes are UTF-8; invalid sequences become U+FFFD, one per maximal invalid subpart (Python's
//      bytes.decode("utf-8", errors="replace"): HF receives a Python str, so this is the byte-level
//      behaviour of decoding first).
//   2. Added tokens with normalized = false (all of Qwen2's special tokens) are split off the raw text,
//      leftmost-longest (text/added_tokens.h); lstrip, rstrip and single_word are honoured.
//   3. Each piece between them is normalised (NFC with HF tokenizers' Unicode 9.0 tables, or nothing),
//      then split on the normalized = true added tokens.
//   4. Pre-tokenisation with Qwen2's PRETOKENIZE_REGEX (text/qwen2_pretokenize.h), then ByteLevel: each
//      piece's UTF-8 bytes as byte-level characters (text/byte_level.h).
//   5. BPE per piece, one merge at a time by (rank, position) as HF's Word::merge_all. A character the
//      vocabulary lacks becomes unk_token (fused when fuse_unk) or, without one, is dropped, as HF does.
//   6. No BOS/EOS: Qwen2's post-processor adds nothing.
// Decoding maps ids to tokens (added tokens first), drops special ones when asked, and runs the ByteLevel
// decoder: every token whose characters are all byte-level characters becomes those bytes, any other
// token its own UTF-8; the bytes are decoded with U+FFFD replacement. Ids no token has are dropped, as HF
// does.
//
// Loads a tokenizer.json (or a folder holding one), or the slow files vocab.json + merges.txt with the
// added tokens of tokenizer_config.json (added_tokens_decoder) or added_tokens.json, which get the
// pipeline Qwen2Converter gives them (NFC, PRETOKENIZE_REGEX, ByteLevel). Unsupported pipeline parts
// (other normalisers, pre-tokenisers, decoders, post-processors, truncation, padding, BPE dropout,
// byte_fallback, subword prefixes/suffixes) are refused with an error naming them.
#ifndef VD_TEXT_QWEN2_TOKENIZER_H
#define VD_TEXT_QWEN2_TOKENIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/status.h"
#include "text/ucd.h"

#define VD_QWEN2_MAX_TEXT_BYTES (4u << 20)   // longest accepted input text (bounds BPE memory)
#define VD_QWEN2_MAX_FILE_BYTES (512u << 20)  // largest tokenizer file read

typedef struct vd_qwen2_tokenizer vd_qwen2_tokenizer;

// A growable list of token ids.
typedef struct vd_token_ids {
  int32_t *ids;     // the ids
  size_t count;     // ids in use
  size_t capacity;  // ids allocated
} vd_token_ids;

void vd_token_ids_release(vd_token_ids *ids);

// Load-time choices; zero-initialised means the defaults.
typedef struct vd_qwen2_options {
  vd_ucd_age nfc_age;  // Unicode version of the NFC normaliser; 0: VD_NFC_AGE_HF_TOKENIZERS (Unicode 9.0)
} vd_qwen2_options;

vd_status vd_qwen2_tokenizer_load(const char *path_or_dir, vd_qwen2_tokenizer **out_tokenizer);
vd_status vd_qwen2_tokenizer_load_with(const char *path_or_dir, const vd_qwen2_options *options,
                                       vd_qwen2_tokenizer **out_tokenizer);
void vd_qwen2_tokenizer_destroy(vd_qwen2_tokenizer *tokenizer);

// The ids of text[0..len) (any bytes; NUL allowed), into *out (previous content discarded).
vd_status vd_qwen2_tokenizer_encode(const vd_qwen2_tokenizer *tokenizer, const char *text, size_t len,
                                    vd_token_ids *out);
// The text of ids[0..count) as a NUL-terminated UTF-8 string the caller frees; *out_len (may be NULL)
// receives its length. skip_special drops special tokens (transformers' skip_special_tokens).
vd_status vd_qwen2_tokenizer_decode(const vd_qwen2_tokenizer *tokenizer, const int32_t *ids, size_t count,
                                    bool skip_special, char **out_text, size_t *out_len);

// Id of a token given by its content (an added token or a vocabulary entry), or -1.
int32_t vd_qwen2_tokenizer_token_id(const vd_qwen2_tokenizer *tokenizer, const char *token);
// True when decoding with skip_special drops this id.
bool vd_qwen2_tokenizer_is_special(const vd_qwen2_tokenizer *tokenizer, int32_t id);
// True when some token has this id.
bool vd_qwen2_tokenizer_has_id(const vd_qwen2_tokenizer *tokenizer, int32_t id);
int32_t vd_qwen2_tokenizer_vocab_size(const vd_qwen2_tokenizer *tokenizer);  // largest id + 1, added included
int32_t vd_qwen2_tokenizer_merge_count(const vd_qwen2_tokenizer *tokenizer);
int32_t vd_qwen2_tokenizer_added_count(const vd_qwen2_tokenizer *tokenizer);

#endif
