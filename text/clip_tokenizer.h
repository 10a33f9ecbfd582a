// The CLIP BPE tokenizer of Stable Diffusion 1.x (transformers' slow CLIPTokenizer as FrozenCLIPEmbedder
// calls it: truncation to 77 keeping EOS, padding with 49407). Spec: encoders-and-captioner.md §2.5.
//
// Loads from the model's own files: a folder with vocab.json + merges.txt (or tokenizer.json, or a
// tokenizer/ subfolder holding either), a tokenizer.json, a vocab.json (merges.txt beside it), or OpenAI's
// bpe_simple_vocab_16e6.txt(.gz), from which the vocabulary is derived.
//
// Input text is any byte string: invalid UTF-8 is decoded like Python's errors="replace" (one U+FFFD per
// maximal invalid subpart). Text longer than VD_CLIP_MAX_TEXT_BYTES is an error. Work is O(n log n) in the
// text length and stops once the 75 kept tokens are known.
#ifndef VD_TEXT_CLIP_TOKENIZER_H
#define VD_TEXT_CLIP_TOKENIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/status.h"

#define VD_CLIP_CONTEXT_LENGTH 77             // tokens per sequence, BOS and EOS included
#define VD_CLIP_MAX_TEXT_BYTES (1 << 20)      // longest accepted input text
#define VD_CLIP_MAX_FILE_BYTES (256u << 20)   // largest vocabulary/merges file read
#define VD_CLIP_MERGES_USED 48894             // merges.txt lines used: [1 : 49152 - 256 - 2 + 1]

typedef struct vd_clip_tokenizer vd_clip_tokenizer;

vd_status vd_clip_tokenizer_load(const char *path_or_dir, vd_clip_tokenizer **out_tokenizer);
void vd_clip_tokenizer_destroy(vd_clip_tokenizer *tokenizer);

// [BOS] + the first 75 BPE tokens + [EOS], padded with the pad id to 77. *out_len_before_padding (may be
// NULL) receives the length before padding (2..77).
vd_status vd_clip_tokenize(const vd_clip_tokenizer *tokenizer, const char *text,
                           int32_t out_ids[VD_CLIP_CONTEXT_LENGTH], int *out_len_before_padding);
// The same for a text of len bytes that may contain NUL bytes.
vd_status vd_clip_tokenize_n(const vd_clip_tokenizer *tokenizer, const char *text, size_t len,
                             int32_t out_ids[VD_CLIP_CONTEXT_LENGTH], int *out_len_before_padding);
// The BPE tokens of a text (no BOS/EOS), at most max_ids of them; *out_count receives how many.
vd_status vd_clip_tokenizer_encode(const vd_clip_tokenizer *tokenizer, const char *text, size_t len,
                                   int32_t *out_ids, int max_ids, int *out_count);

int32_t vd_clip_tokenizer_bos_id(const vd_clip_tokenizer *tokenizer);     // <|startoftext|>
int32_t vd_clip_tokenizer_eos_id(const vd_clip_tokenizer *tokenizer);     // <|endoftext|> (also UNK)
int32_t vd_clip_tokenizer_pad_id(const vd_clip_tokenizer *tokenizer);     // = EOS for SD 1.x
int32_t vd_clip_tokenizer_vocab_size(const vd_clip_tokenizer *tokenizer); // largest id + 1
int32_t vd_clip_tokenizer_merge_count(const vd_clip_tokenizer *tokenizer);

// The text of ids as CLIPTokenizer.decode gives it without clean_up_tokenization_spaces: the tokens'
// byte-level characters as bytes, "</w>" as a space, invalid UTF-8 as U+FFFD, surrounding whitespace
// stripped; <|startoftext|> and <|endoftext|> as separate words joined by spaces (its default
// spaces_between_special_tokens), or dropped with skip_special. Ids outside the vocabulary are an error.
// *out_text is NUL-terminated and the caller frees it; *out_len (may be NULL) receives its length.
vd_status vd_clip_tokenizer_decode(const vd_clip_tokenizer *tokenizer, const int32_t *ids, size_t count,
                                   bool skip_special, char **out_text, size_t *out_len);

#endif
