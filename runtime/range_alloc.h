// First-fit allocator of aligned ranges inside [0, capacity): the bookkeeping of one memory block.
// Pure (no Vulkan), so its invariants are unit-tested directly.
#ifndef VD_RUNTIME_RANGE_ALLOC_H
#define VD_RUNTIME_RANGE_ALLOC_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/status.h"

typedef struct vd_range {
  uint64_t offset;  // first byte
  uint64_t size;    // bytes
} vd_range;

typedef struct vd_range_alloc {
  uint64_t capacity;    // bytes managed
  uint64_t used;        // bytes handed out (including alignment padding)
  vd_range *free_list;  // free ranges sorted by offset, never adjacent (always coalesced)
  uint32_t free_count;  // entries in free_list
  uint32_t free_cap;    // allocated entries of free_list
} vd_range_alloc;

vd_status vd_range_alloc_init(vd_range_alloc *ra, uint64_t capacity);
void vd_range_alloc_deinit(vd_range_alloc *ra);
// Returns false when no free range fits (not an error: the caller tries another block).
// out_range is the range to give back to vd_range_alloc_free (it includes the alignment padding);
// out_offset is the aligned offset the caller uses. alignment must be a power of two.
bool vd_range_alloc_alloc(vd_range_alloc *ra, uint64_t size, uint64_t alignment, vd_range *out_range,
                          uint64_t *out_offset);
vd_status vd_range_alloc_free(vd_range_alloc *ra, vd_range range);

#endif
