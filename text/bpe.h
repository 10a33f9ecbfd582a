// Byte-pair encoding of one pre-tokenised piece: repeatedly merge the adjacent pair of lowest rank (all
// its non-overlapping occurrences, left to right) until no pair is a merge rule. A heap over candidate
// pairs makes this O(n log n) in the piece length. Each rank is applied as one batch (every occurrence
// present when it becomes the best pair), so the result equals the reference's rescanning loop even for
// merge lists where a merge creates a pair of lower rank.
#ifndef VD_TEXT_BPE_H
#define VD_TEXT_BPE_H

#include <stdint.h>

#include "text/bpe_vocab.h"

// Scratch memory reused across pieces; grows to the longest piece seen.
typedef struct vd_bpe_scratch {
  int32_t *next;       // linked list over symbol positions (-1 = end)
  int32_t *prev;       // previous position (-1 = start)
  int64_t *heap;       // candidate pairs keyed (rank << 32 | position)
  int32_t *batch;      // positions of the pair being merged in the current batch
  int32_t capacity;    // positions the arrays hold
} vd_bpe_scratch;

void vd_bpe_scratch_release(vd_bpe_scratch *scratch);

// The order merges are applied in. Both give the same result for every merge list in which each merge
// creates a symbol that only later merges use (true of any trained list); they differ when a merge creates
// a pair of lower rank than its own.
typedef enum vd_bpe_order {
  VD_BPE_RANK_BATCHES,    // all occurrences of the lowest rank, then rescan: the Python reference loops
  VD_BPE_RANK_POSITIONS,  // one merge at a time by (rank, position): HF tokenizers' Word::merge_all
} vd_bpe_order;

// syms[0..*inout_count) are symbol indexes; on return they hold the merged symbols and *inout_count
// their number. vd_bpe_encode uses VD_BPE_RANK_BATCHES.
vd_status vd_bpe_encode(const vd_bpe_vocab *vocab, vd_bpe_scratch *scratch, int32_t *syms, int32_t *inout_count);
vd_status vd_bpe_encode_ordered(const vd_bpe_vocab *vocab, vd_bpe_scratch *scratch, int32_t *syms,
                                int32_t *inout_count, vd_bpe_order order);

#endif
