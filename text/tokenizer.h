// text/ — tokenizers and their Unicode data: CLIP's BPE (clip_tokenizer.h: normalisation, pre-tokenisation,
// merges, vocabularies from the model's files) and the Qwen2 byte-level BPE (qwen2_tokenizer.h: added
// tokens, NFC, PRETOKENIZE_REGEX, HF's merge order, decoding), with the Unicode 15.0 tables they need (ucd.h,
// unicode_nfc.h); SentencePiece next. Host code: uses nothing of the engine but runtime/status.h. This
// header is the folder's entry point: which tokenizer a path holds.
//
// Detection, without loading:
//   - a folder: its tokenizer.json, else vocab.json + merges.txt, else bpe_simple_vocab_16e6.txt(.gz) (CLIP),
//     else the same in its tokenizer/ subfolder;
//   - a tokenizer.json (any *.json but vocab.json): CLIP when model.end_of_word_suffix is "</w>", else Qwen2;
//   - vocab.json or merges.txt: the slow files of their folder: tokenizer_config.json's tokenizer_class
//     (CLIPTokenizer* or Qwen2Tokenizer*), else CLIP when the vocabulary has "</w>" entries, else Qwen2;
//   - *.txt / *.gz: OpenAI's CLIP merges file.
// The kind's loader then validates the files; detection only picks it.
#ifndef VD_TEXT_TOKENIZER_H
#define VD_TEXT_TOKENIZER_H

#include "runtime/status.h"

typedef enum vd_tokenizer_kind {
  VD_TOKENIZER_CLIP = 1,   // text/clip_tokenizer.h
  VD_TOKENIZER_QWEN2 = 2,  // text/qwen2_tokenizer.h
} vd_tokenizer_kind;

vd_status vd_tokenizer_detect(const char *path, vd_tokenizer_kind *out_kind);
const char *vd_tokenizer_kind_name(vd_tokenizer_kind kind);

#endif
