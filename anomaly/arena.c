#include "anomaly/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define VD_ARENA_FIRST_BLOCK ((size_t)64 << 10)  // the first block's size
#define VD_ARENA_MAX_BLOCK ((size_t)16 << 20)    // blocks stop doubling here (larger requests get their own)

typedef struct vd_arena_block {
  struct vd_arena_block *prev;  // the block before this one (freed with it)
  size_t size;                  // usable bytes after the header
  size_t used;                  // bytes handed out
} vd_arena_block;

struct vd_arena {
  vd_arena_block *head;  // the current block, NULL before the first allocation
  size_t next_size;      // size of the next block to allocate
  size_t total;          // bytes handed out over all blocks
  void *last;            // the most recent allocation, for vd_arena_shrink_last
};

vd_arena *vd_arena_create(void) {
  vd_arena *a = calloc(1, sizeof(*a));
  if (a) a->next_size = VD_ARENA_FIRST_BLOCK;
  return a;
}

void vd_arena_destroy(vd_arena *arena) {
  if (!arena) return;
  for (vd_arena_block *b = arena->head, *prev; b; b = prev) {
    prev = b->prev;
    free(b);
  }
  free(arena);
}

static char *vd_arena_block_data(vd_arena_block *b) { return (char *)(b + 1); }

static vd_arena_block *vd_arena_grow(vd_arena *a, size_t n) {
  size_t size = a->next_size > n ? a->next_size : n;
  if (size > SIZE_MAX - sizeof(vd_arena_block)) return NULL;
  vd_arena_block *b = malloc(sizeof(*b) + size);
  if (!b) return NULL;
  b->prev = a->head;
  b->size = size;
  b->used = 0;
  a->head = b;
  if (a->next_size < VD_ARENA_MAX_BLOCK) a->next_size *= 2;
  return b;
}

void *vd_arena_alloc(vd_arena *arena, size_t n) {
  if (n > SIZE_MAX - 8) return NULL;
  size_t need = (n + 7) & ~(size_t)7;
  vd_arena_block *b = arena->head;
  if (!b || b->size - b->used < need) b = vd_arena_grow(arena, need);
  if (!b) return NULL;
  void *p = vd_arena_block_data(b) + b->used;
  b->used += need;
  arena->total += need;
  arena->last = p;
  return p;
}

void vd_arena_shrink_last(vd_arena *arena, void *p, size_t used) {
  vd_arena_block *b = arena->head;
  if (!b || p != arena->last) return;
  size_t offset = (size_t)((char *)p - vd_arena_block_data(b));
  size_t keep = (used + 7) & ~(size_t)7;
  if (offset + keep > b->used) return;
  arena->total -= b->used - (offset + keep);
  b->used = offset + keep;
}

char *vd_arena_strndup(vd_arena *arena, const char *s, size_t n) {
  char *p = vd_arena_alloc(arena, n + 1);
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *vd_arena_concat(vd_arena *arena, const char *a, const char *sep, const char *b) {
  size_t la = strlen(a), ls = strlen(sep), lb = strlen(b);
  char *p = vd_arena_alloc(arena, la + ls + lb + 1);
  if (!p) return NULL;
  memcpy(p, a, la);
  memcpy(p + la, sep, ls);
  memcpy(p + la + ls, b, lb + 1);
  return p;
}

void vd_arena_reset(vd_arena *arena) {
  vd_arena_block *b = arena->head;
  if (!b) return;
  for (vd_arena_block *old = b->prev, *prev; old; old = prev) {
    prev = old->prev;
    free(old);
  }
  b->prev = NULL;
  b->used = 0;
  arena->total = 0;
  arena->last = NULL;
}

size_t vd_arena_used(const vd_arena *arena) { return arena->total; }
