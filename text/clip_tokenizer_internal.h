// The CLIP tokenizer's state, shared by the loader (clip_tokenizer_load.c) and the encoder
// (clip_tokenizer.c). Not part of the text/ interface.
#ifndef VD_TEXT_CLIP_TOKENIZER_INTERNAL_H
#define VD_TEXT_CLIP_TOKENIZER_INTERNAL_H

#include "text/bpe_vocab.h"
#include "text/clip_tokenizer.h"

#define VD_CLIP_BOS_TEXT "<|startoftext|>"
#define VD_CLIP_EOS_TEXT "<|endoftext|>"
#define VD_CLIP_END_OF_WORD "</w>"

struct vd_clip_tokenizer {
  vd_bpe_vocab *vocab;              // symbols, ids, merges
  int32_t byte_symbol[256];         // symbol of each byte's bytes_to_unicode character
  int32_t byte_symbol_final[256];   // the same followed by </w> (last symbol of a word)
  int32_t bos_id;                   // <|startoftext|>
  int32_t eos_id;                   // <|endoftext|>
  int32_t unk_id;                   // unknown symbols (= EOS in CLIP)
  int32_t pad_id;                   // padding (= EOS in SD 1.x)
};

#endif
