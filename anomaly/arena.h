// A bump allocator for the many small strings of a dataset (paths, keys, captions): blocks that grow
// geometrically, never move and are freed together, so reading 10^5 records costs a handful of mallocs.
#ifndef VD_ANOMALY_ARENA_H
#define VD_ANOMALY_ARENA_H

#include <stddef.h>

typedef struct vd_arena vd_arena;

// NULL when out of memory.
vd_arena *vd_arena_create(void);
void vd_arena_destroy(vd_arena *arena);
// n bytes (alignment 8); NULL when out of memory. The memory lives until vd_arena_destroy.
void *vd_arena_alloc(vd_arena *arena, size_t n);
// Gives back the tail of the most recent allocation p, keeping its first `used` bytes.
void vd_arena_shrink_last(vd_arena *arena, void *p, size_t used);
// A NUL-terminated copy of s[0..n); NULL when out of memory.
char *vd_arena_strndup(vd_arena *arena, const char *s, size_t n);
// a + sep + b as a new string (sep may be ""); NULL when out of memory.
char *vd_arena_concat(vd_arena *arena, const char *a, const char *sep, const char *b);
// Forgets every allocation (keeps the newest block for reuse): a scratch arena, reset once per record.
void vd_arena_reset(vd_arena *arena);
// Bytes handed out so far (for reports and tests).
size_t vd_arena_used(const vd_arena *arena);

#endif
