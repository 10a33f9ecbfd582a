// Heap-driven BPE. Candidates are (rank, left position); ties pop leftmost first, which reproduces the
// reference's left-to-right merge of every occurrence of the best pair. Stale candidates are skipped.
#include "text/bpe.h"

#include <stdbool.h>
#include <stdlib.h>

void vd_bpe_scratch_release(vd_bpe_scratch *scratch) {
  free(scratch->next);
  free(scratch->prev);
  free(scratch->heap);
  free(scratch->batch);
  *scratch = (vd_bpe_scratch){0};
}

static vd_status vd_bpe_scratch_reserve(vd_bpe_scratch *s, int32_t n) {
  if (n <= s->capacity) return NULL;
  vd_bpe_scratch_release(s);
  s->next = malloc(sizeof(int32_t) * (size_t)n);
  s->prev = malloc(sizeof(int32_t) * (size_t)n);
  s->heap = malloc(sizeof(int64_t) * (size_t)n * 3);  // n-1 initial pairs + at most 2 per merge
  s->batch = malloc(sizeof(int32_t) * (size_t)n * 3);
  if (!s->next || !s->prev || !s->heap || !s->batch) {
    vd_bpe_scratch_release(s);
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "bpe: out of memory for a piece of %d symbols", (int)n);
  }
  s->capacity = n;
  return NULL;
}

typedef struct vd_bpe_heap {
  int64_t *items;  // binary min-heap
  int32_t size;    // items in use
} vd_bpe_heap;

static void vd_bpe_heap_push(vd_bpe_heap *h, int64_t item) {
  int32_t i = h->size++;
  while (i > 0 && h->items[(i - 1) / 2] > item) {
    h->items[i] = h->items[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  h->items[i] = item;
}

static int64_t vd_bpe_heap_pop(vd_bpe_heap *h) {
  int64_t top = h->items[0], last = h->items[--h->size];
  int32_t i = 0;
  for (;;) {
    int32_t c = 2 * i + 1;
    if (c >= h->size) break;
    if (c + 1 < h->size && h->items[c + 1] < h->items[c]) ++c;
    if (h->items[c] >= last) break;
    h->items[i] = h->items[c];
    i = c;
  }
  if (h->size > 0) h->items[i] = last;
  return top;
}

// Pushes the pair starting at position p when it is a merge rule.
static void vd_bpe_push_pair(const vd_bpe_vocab *vocab, const int32_t *syms, const int32_t *next, vd_bpe_heap *h,
                             int32_t p) {
  int32_t rank, merged;
  if (p < 0 || next[p] < 0) return;
  if (vd_bpe_vocab_pair(vocab, syms[p], syms[next[p]], &rank, &merged))
    vd_bpe_heap_push(h, ((int64_t)rank << 32) | p);
}

// Whether the candidate (rank, p) is still current. Batches: the pair at p still has this rank. Positions
// (HF's check): the pair at p still merges into the symbol the candidate was made for.
static bool vd_bpe_candidate_valid(const vd_bpe_vocab *vocab, int32_t left, int32_t right, int32_t rank,
                                   vd_bpe_order order, int32_t *out_merged) {
  int32_t cur_rank;
  if (!vd_bpe_vocab_pair(vocab, left, right, &cur_rank, out_merged)) return false;
  if (order == VD_BPE_RANK_POSITIONS) return *out_merged == vd_bpe_vocab_rank_merged(vocab, rank);
  return cur_rank == rank;
}

// Merges the pair at position p when the candidate is still valid (else it is stale).
static void vd_bpe_merge_at(const vd_bpe_vocab *vocab, int32_t *syms, vd_bpe_scratch *s, vd_bpe_heap *h, int32_t p,
                            int32_t rank, vd_bpe_order order) {
  int32_t *next = s->next, *prev = s->prev;
  int32_t q = next[p], merged;
  if (syms[p] < 0 || q < 0) return;  // left symbol was absorbed, or it is now last
  if (!vd_bpe_candidate_valid(vocab, syms[p], syms[q], rank, order, &merged)) return;
  syms[p] = merged;
  syms[q] = -1;
  next[p] = next[q];
  if (next[q] >= 0) prev[next[q]] = p;
  vd_bpe_push_pair(vocab, syms, next, h, prev[p]);
  vd_bpe_push_pair(vocab, syms, next, h, p);
}

vd_status vd_bpe_encode_ordered(const vd_bpe_vocab *vocab, vd_bpe_scratch *scratch, int32_t *syms,
                                int32_t *inout_count, vd_bpe_order order) {
  int32_t n = *inout_count;
  if (n < 2) return NULL;
  VD_RETURN_IF_ERROR(vd_bpe_scratch_reserve(scratch, n));
  int32_t *next = scratch->next, *prev = scratch->prev;
  for (int32_t i = 0; i < n; ++i) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  vd_bpe_heap h = {.items = scratch->heap, .size = 0};
  for (int32_t i = 0; i + 1 < n; ++i) vd_bpe_push_pair(vocab, syms, next, &h, i);
  while (h.size > 0) {
    // Take every candidate of the lowest rank (leftmost first); merging them cannot create that rank again.
    int32_t rank = (int32_t)(h.items[0] >> 32), count = 0;
    if (order == VD_BPE_RANK_POSITIONS) {  // one candidate at a time, lowest (rank, position) first
      vd_bpe_merge_at(vocab, syms, scratch, &h, (int32_t)(vd_bpe_heap_pop(&h) & 0xffffffff), rank, order);
      continue;
    }
    while (h.size > 0 && (int32_t)(h.items[0] >> 32) == rank)
      scratch->batch[count++] = (int32_t)(vd_bpe_heap_pop(&h) & 0xffffffff);
    for (int32_t k = 0; k < count; ++k) vd_bpe_merge_at(vocab, syms, scratch, &h, scratch->batch[k], rank, order);
  }
  int32_t m = 0;
  for (int32_t i = 0; i >= 0; i = next[i]) syms[m++] = syms[i];
  *inout_count = m;
  return NULL;
}

vd_status vd_bpe_encode(const vd_bpe_vocab *vocab, vd_bpe_scratch *scratch, int32_t *syms, int32_t *inout_count) {
  return vd_bpe_encode_ordered(vocab, scratch, syms, inout_count, VD_BPE_RANK_BATCHES);
}
