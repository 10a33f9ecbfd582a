// A byte-level BPE vocabulary: interned symbol strings, their token ids, and the merge table
// (pair of symbols → rank and merged symbol). Filled by the tokenizer loaders, read by vd_bpe_encode.
#ifndef VD_TEXT_BPE_VOCAB_H
#define VD_TEXT_BPE_VOCAB_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/status.h"

#define VD_BPE_MAX_SYMBOLS (1 << 22)       // interned strings (vocabulary entries + merge results)
#define VD_BPE_MAX_MERGES (1 << 21)        // merge rules
#define VD_BPE_MAX_SYMBOL_BYTES 1024       // bytes in one symbol string
#define VD_BPE_MAX_TOKEN_ID ((1 << 24) - 1)  // largest accepted token id

typedef struct vd_bpe_vocab vd_bpe_vocab;

vd_status vd_bpe_vocab_create(vd_bpe_vocab **out_vocab);
void vd_bpe_vocab_destroy(vd_bpe_vocab *vocab);

// Interns s[0..len) and returns its symbol index in *out_symbol (existing or new).
vd_status vd_bpe_vocab_intern(vd_bpe_vocab *vocab, const char *s, size_t len, int32_t *out_symbol);
// Symbol index of s[0..len), or -1 when it was never interned.
int32_t vd_bpe_vocab_find(const vd_bpe_vocab *vocab, const char *s, size_t len);
// Gives a symbol its token id (0..VD_BPE_MAX_TOKEN_ID); a second, different id for it, or an id that
// another symbol has, is an error.
vd_status vd_bpe_vocab_set_id(vd_bpe_vocab *vocab, int32_t symbol, int32_t id);
// The symbol of a token id, or -1 when no symbol has it.
int32_t vd_bpe_vocab_id_symbol(const vd_bpe_vocab *vocab, int32_t id);
// Token id of a symbol, or -1 when the symbol is not in the vocabulary.
int32_t vd_bpe_vocab_token_id(const vd_bpe_vocab *vocab, int32_t symbol);
// Adds the next merge rule (rank = number of rules added before); interns left+right. A repeated pair
// takes the later rank, as the Python dict(zip(merges, range(n))) of the reference does.
vd_status vd_bpe_vocab_add_merge(vd_bpe_vocab *vocab, int32_t left, int32_t right);
// Looks up a pair; returns 1 and fills rank/merged when it is a merge rule, else 0.
int vd_bpe_vocab_pair(const vd_bpe_vocab *vocab, int32_t left, int32_t right, int32_t *out_rank,
                      int32_t *out_merged);
int32_t vd_bpe_vocab_merge_count(const vd_bpe_vocab *vocab);
// The merged symbol of the merge rule added as number `rank` (0 <= rank < merge count).
int32_t vd_bpe_vocab_rank_merged(const vd_bpe_vocab *vocab, int32_t rank);
int32_t vd_bpe_vocab_size(const vd_bpe_vocab *vocab);  // largest token id + 1
// The string of a symbol (not NUL-terminated) and its length.
const char *vd_bpe_vocab_symbol(const vd_bpe_vocab *vocab, int32_t symbol, size_t *out_len);

#endif
