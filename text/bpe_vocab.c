// Interned symbols in one byte pool, with two open-addressing hash tables (strings, pairs) that grow by
// doubling. Every size is bounded by the VD_BPE_MAX_* limits.
#include "text/bpe_vocab.h"

#include <stdlib.h>
#include <string.h>

typedef struct vd_bpe_symbol {
  size_t offset;  // start of the string in the pool
  uint32_t len;   // string length in bytes
  int32_t id;     // token id, or -1 when not in the vocabulary
} vd_bpe_symbol;

typedef struct vd_bpe_pair_slot {
  uint64_t key;    // (left << 32 | right) + 1; 0 marks an empty slot
  int32_t rank;    // merge rank
  int32_t merged;  // symbol index of left+right
} vd_bpe_pair_slot;

struct vd_bpe_vocab {
  char *pool;               // all symbol strings back to back
  size_t pool_len;          // bytes used in pool
  size_t pool_cap;          // bytes allocated for pool
  vd_bpe_symbol *symbols;   // interned symbols
  int32_t symbol_count;     // symbols in use
  int32_t symbol_cap;       // symbols allocated
  int32_t *string_slots;    // hash table of symbol indexes (-1 empty)
  uint32_t string_mask;     // string table capacity - 1
  vd_bpe_pair_slot *pairs;  // hash table of merge rules
  uint32_t pair_mask;       // pair table capacity - 1
  int32_t merge_count;      // merge rules added (ranks 0..merge_count-1)
  int32_t pair_count;       // distinct pairs in the table
  int32_t max_id;           // largest token id assigned, -1 when none
  int32_t *id_symbols;      // symbol of each token id (-1 where none), max_id + 1 entries in use
  int32_t id_cap;           // entries allocated in id_symbols
  int32_t *rank_merged;     // merged symbol of each rank (merge_count entries)
  int32_t rank_cap;         // entries allocated in rank_merged
};

static uint32_t vd_bpe_hash_bytes(const char *s, size_t len) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (size_t i = 0; i < len; ++i) h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

static uint32_t vd_bpe_hash_pair(uint64_t key) {
  key ^= key >> 33;
  key *= 0xff51afd7ed558ccdULL;
  key ^= key >> 33;
  return (uint32_t)key;
}

vd_status vd_bpe_vocab_create(vd_bpe_vocab **out_vocab) {
  *out_vocab = NULL;
  vd_bpe_vocab *v = calloc(1, sizeof(*v));
  if (!v) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "bpe vocab: out of memory");
  v->max_id = -1;
  v->string_mask = 1023;
  v->pair_mask = 1023;
  v->string_slots = malloc(sizeof(int32_t) * 1024);
  v->pairs = calloc(1024, sizeof(vd_bpe_pair_slot));
  if (!v->string_slots || !v->pairs) {
    vd_bpe_vocab_destroy(v);
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "bpe vocab: out of memory");
  }
  memset(v->string_slots, 0xff, sizeof(int32_t) * 1024);
  *out_vocab = v;
  return NULL;
}

void vd_bpe_vocab_destroy(vd_bpe_vocab *vocab) {
  if (!vocab) return;
  free(vocab->pool);
  free(vocab->symbols);
  free(vocab->string_slots);
  free(vocab->pairs);
  free(vocab->id_symbols);
  free(vocab->rank_merged);
  free(vocab);
}

static int32_t vd_bpe_string_lookup(const vd_bpe_vocab *v, const char *s, size_t len, uint32_t *out_slot) {
  uint32_t i = vd_bpe_hash_bytes(s, len) & v->string_mask;
  for (;; i = (i + 1) & v->string_mask) {
    int32_t sym = v->string_slots[i];
    if (sym < 0) break;
    const vd_bpe_symbol *e = &v->symbols[sym];
    if (e->len == len && memcmp(v->pool + e->offset, s, len) == 0) return sym;
  }
  *out_slot = i;
  return -1;
}

int32_t vd_bpe_vocab_find(const vd_bpe_vocab *vocab, const char *s, size_t len) {
  uint32_t slot;
  return vd_bpe_string_lookup(vocab, s, len, &slot);
}

static vd_status vd_bpe_string_table_grow(vd_bpe_vocab *v) {
  uint32_t cap = (v->string_mask + 1) * 2;
  int32_t *slots = malloc(sizeof(int32_t) * cap);
  if (!slots) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "bpe vocab: out of memory");
  memset(slots, 0xff, sizeof(int32_t) * cap);
  for (int32_t s = 0; s < v->symbol_count; ++s) {
    const vd_bpe_symbol *e = &v->symbols[s];
    uint32_t i = vd_bpe_hash_bytes(v->pool + e->offset, e->len) & (cap - 1);
    while (slots[i] >= 0) i = (i + 1) & (cap - 1);
    slots[i] = s;
  }
  free(v->string_slots);
  v->string_slots = slots;
  v->string_mask = cap - 1;
  return NULL;
}

static vd_status vd_bpe_reserve(vd_bpe_vocab *v, size_t bytes) {
  if (v->pool_len + bytes > v->pool_cap) {
    size_t cap = v->pool_cap ? v->pool_cap : 65536;
    while (cap < v->pool_len + bytes) cap *= 2;
    char *pool = realloc(v->pool, cap);
    if (!pool) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "bpe vocab: out of memory");
    v->pool = pool;
    v->pool_cap = cap;
  }
  if (v->symbol_count == v->symbol_cap) {
    int32_t cap = v->symbol_cap ? v->symbol_cap * 2 : 4096;
    vd_bpe_symbol *syms = realloc(v->symbols, sizeof(vd_bpe_symbol) * (size_t)cap);
    if (!syms) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "bpe vocab: out of memory");
    v->symbols = syms;
    v->symbol_cap = cap;
  }
  if ((uint32_t)v->symbol_count * 2 >= v->string_mask) VD_RETURN_IF_ERROR(vd_bpe_string_table_grow(v));
  return NULL;
}

vd_status vd_bpe_vocab_intern(vd_bpe_vocab *vocab, const char *s, size_t len, int32_t *out_symbol) {
  if (len == 0 || len > VD_BPE_MAX_SYMBOL_BYTES)
    return vd_status_make(VD_ERR_LIMIT, "bpe vocab: symbol of %zu bytes (allowed 1..%d)", len,
                          VD_BPE_MAX_SYMBOL_BYTES);
  uint32_t slot;
  int32_t sym = vd_bpe_string_lookup(vocab, s, len, &slot);
  if (sym >= 0) {
    *out_symbol = sym;
    return NULL;
  }
  if (vocab->symbol_count >= VD_BPE_MAX_SYMBOLS)
    return vd_status_make(VD_ERR_LIMIT, "bpe vocab: more than %d symbols", VD_BPE_MAX_SYMBOLS);
  VD_RETURN_IF_ERROR(vd_bpe_reserve(vocab, len));
  vd_bpe_string_lookup(vocab, s, len, &slot);  // the table may have been rebuilt
  sym = vocab->symbol_count++;
  vocab->symbols[sym] = (vd_bpe_symbol){.offset = vocab->pool_len, .len = (uint32_t)len, .id = -1};
  memcpy(vocab->pool + vocab->pool_len, s, len);
  vocab->pool_len += len;
  vocab->string_slots[slot] = sym;
  *out_symbol = sym;
  return NULL;
}

static vd_status vd_bpe_id_table_reserve(vd_bpe_vocab *v, int32_t id) {
  if (id < v->id_cap) return NULL;
  int32_t cap = v->id_cap ? v->id_cap : 1024;
  while (cap <= id) cap *= 2;
  int32_t *t = realloc(v->id_symbols, sizeof(int32_t) * (size_t)cap);
  if (!t) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "bpe vocab: out of memory");
  memset(t + v->id_cap, 0xff, sizeof(int32_t) * (size_t)(cap - v->id_cap));
  v->id_symbols = t;
  v->id_cap = cap;
  return NULL;
}

vd_status vd_bpe_vocab_set_id(vd_bpe_vocab *vocab, int32_t symbol, int32_t id) {
  if (id < 0 || id > VD_BPE_MAX_TOKEN_ID)
    return vd_status_make(VD_ERR_FORMAT, "bpe vocab: token id %d out of range 0..%d", (int)id,
                          VD_BPE_MAX_TOKEN_ID);
  vd_bpe_symbol *e = &vocab->symbols[symbol];
  if (e->id >= 0 && e->id != id)
    return vd_status_make(VD_ERR_FORMAT, "bpe vocab: token '%.*s' has two ids (%d, %d)", (int)e->len,
                          vocab->pool + e->offset, (int)e->id, (int)id);
  VD_RETURN_IF_ERROR(vd_bpe_id_table_reserve(vocab, id));
  int32_t other = vocab->id_symbols[id];
  if (other >= 0 && other != symbol) {
    const vd_bpe_symbol *o = &vocab->symbols[other];
    return vd_status_make(VD_ERR_FORMAT, "bpe vocab: id %d belongs to two tokens ('%.*s', '%.*s')", (int)id,
                          (int)o->len, vocab->pool + o->offset, (int)e->len, vocab->pool + e->offset);
  }
  vocab->id_symbols[id] = symbol;
  e->id = id;
  if (id > vocab->max_id) vocab->max_id = id;
  return NULL;
}

int32_t vd_bpe_vocab_id_symbol(const vd_bpe_vocab *vocab, int32_t id) {
  if (id < 0 || id > vocab->max_id) return -1;
  return vocab->id_symbols[id];
}

int32_t vd_bpe_vocab_token_id(const vd_bpe_vocab *vocab, int32_t symbol) { return vocab->symbols[symbol].id; }

static vd_bpe_pair_slot *vd_bpe_pair_find_slot(vd_bpe_pair_slot *pairs, uint32_t mask, uint64_t key) {
  uint32_t i = vd_bpe_hash_pair(key) & mask;
  while (pairs[i].key != 0 && pairs[i].key != key) i = (i + 1) & mask;
  return &pairs[i];
}

static vd_status vd_bpe_pair_table_grow(vd_bpe_vocab *v) {
  uint32_t cap = (v->pair_mask + 1) * 2;
  vd_bpe_pair_slot *pairs = calloc(cap, sizeof(vd_bpe_pair_slot));
  if (!pairs) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "bpe vocab: out of memory");
  for (uint32_t i = 0; i <= v->pair_mask; ++i)
    if (v->pairs[i].key) *vd_bpe_pair_find_slot(pairs, cap - 1, v->pairs[i].key) = v->pairs[i];
  free(v->pairs);
  v->pairs = pairs;
  v->pair_mask = cap - 1;
  return NULL;
}

static uint64_t vd_bpe_pair_key(int32_t left, int32_t right) {
  return (((uint64_t)(uint32_t)left << 32) | (uint32_t)right) + 1;
}

vd_status vd_bpe_vocab_add_merge(vd_bpe_vocab *vocab, int32_t left, int32_t right) {
  if (vocab->merge_count >= VD_BPE_MAX_MERGES)
    return vd_status_make(VD_ERR_LIMIT, "bpe vocab: more than %d merges", VD_BPE_MAX_MERGES);
  const vd_bpe_symbol *l = &vocab->symbols[left], *r = &vocab->symbols[right];
  if ((size_t)l->len + r->len > VD_BPE_MAX_SYMBOL_BYTES)
    return vd_status_make(VD_ERR_LIMIT, "bpe vocab: merged symbol longer than %d bytes",
                          VD_BPE_MAX_SYMBOL_BYTES);
  char buf[VD_BPE_MAX_SYMBOL_BYTES];
  memcpy(buf, vocab->pool + l->offset, l->len);
  memcpy(buf + l->len, vocab->pool + r->offset, r->len);
  int32_t merged;
  VD_RETURN_IF_ERROR(vd_bpe_vocab_intern(vocab, buf, (size_t)l->len + r->len, &merged));
  if ((uint32_t)vocab->pair_count * 2 >= vocab->pair_mask) VD_RETURN_IF_ERROR(vd_bpe_pair_table_grow(vocab));
  if (vocab->merge_count == vocab->rank_cap) {
    int32_t cap = vocab->rank_cap ? vocab->rank_cap * 2 : 4096;
    int32_t *r = realloc(vocab->rank_merged, sizeof(int32_t) * (size_t)cap);
    if (!r) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "bpe vocab: out of memory");
    vocab->rank_merged = r;
    vocab->rank_cap = cap;
  }
  vocab->rank_merged[vocab->merge_count] = merged;
  uint64_t key = vd_bpe_pair_key(left, right);
  vd_bpe_pair_slot *slot = vd_bpe_pair_find_slot(vocab->pairs, vocab->pair_mask, key);
  if (slot->key == 0) ++vocab->pair_count;
  *slot = (vd_bpe_pair_slot){.key = key, .rank = vocab->merge_count++, .merged = merged};
  return NULL;
}

int vd_bpe_vocab_pair(const vd_bpe_vocab *vocab, int32_t left, int32_t right, int32_t *out_rank,
                      int32_t *out_merged) {
  const vd_bpe_pair_slot *slot = vd_bpe_pair_find_slot(vocab->pairs, vocab->pair_mask, vd_bpe_pair_key(left, right));
  if (slot->key == 0) return 0;
  *out_rank = slot->rank;
  *out_merged = slot->merged;
  return 1;
}

int32_t vd_bpe_vocab_merge_count(const vd_bpe_vocab *vocab) { return vocab->merge_count; }
int32_t vd_bpe_vocab_rank_merged(const vd_bpe_vocab *vocab, int32_t rank) { return vocab->rank_merged[rank]; }
int32_t vd_bpe_vocab_size(const vd_bpe_vocab *vocab) { return vocab->max_id + 1; }

const char *vd_bpe_vocab_symbol(const vd_bpe_vocab *vocab, int32_t symbol, size_t *out_len) {
  *out_len = vocab->symbols[symbol].len;
  return vocab->pool + vocab->symbols[symbol].offset;
}
