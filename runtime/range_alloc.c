#include "runtime/range_alloc.h"

#include <stdlib.h>
#include <string.h>

vd_status vd_range_alloc_init(vd_range_alloc *ra, uint64_t capacity) {
  memset(ra, 0, sizeof(*ra));
  ra->free_cap = 16;
  ra->free_list = malloc(ra->free_cap * sizeof(vd_range));
  if (!ra->free_list) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "range allocator bookkeeping");
  ra->capacity = capacity;
  ra->free_list[0] = (vd_range){0, capacity};
  ra->free_count = capacity ? 1 : 0;
  return NULL;
}

void vd_range_alloc_deinit(vd_range_alloc *ra) {
  free(ra->free_list);
  memset(ra, 0, sizeof(*ra));
}

static void vd_free_remove(vd_range_alloc *ra, uint32_t i) {
  memmove(&ra->free_list[i], &ra->free_list[i + 1], (ra->free_count - i - 1) * sizeof(vd_range));
  ra->free_count--;
}

static vd_status vd_free_insert(vd_range_alloc *ra, uint32_t i, vd_range r) {
  if (ra->free_count == ra->free_cap) {
    uint32_t cap = ra->free_cap * 2;
    vd_range *fl = realloc(ra->free_list, cap * sizeof(vd_range));
    if (!fl) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "range allocator bookkeeping");
    ra->free_list = fl;
    ra->free_cap = cap;
  }
  memmove(&ra->free_list[i + 1], &ra->free_list[i], (ra->free_count - i) * sizeof(vd_range));
  ra->free_list[i] = r;
  ra->free_count++;
  return NULL;
}

bool vd_range_alloc_alloc(vd_range_alloc *ra, uint64_t size, uint64_t alignment, vd_range *out_range,
                          uint64_t *out_offset) {
  if (size == 0 || alignment == 0 || (alignment & (alignment - 1))) return false;
  for (uint32_t i = 0; i < ra->free_count; ++i) {
    vd_range f = ra->free_list[i];
    uint64_t aligned = (f.offset + alignment - 1) & ~(alignment - 1);
    if (aligned < f.offset || aligned - f.offset > f.size || f.size - (aligned - f.offset) < size) continue;
    // Hand out [f.offset, aligned + size): padding belongs to the allocation, so frees coalesce exactly.
    uint64_t taken = aligned - f.offset + size;
    *out_range = (vd_range){f.offset, taken};
    *out_offset = aligned;
    if (taken == f.size) {
      vd_free_remove(ra, i);
    } else {
      ra->free_list[i].offset += taken;
      ra->free_list[i].size -= taken;
    }
    ra->used += taken;
    return true;
  }
  return false;
}

vd_status vd_range_alloc_free(vd_range_alloc *ra, vd_range r) {
  if (r.size == 0 || r.offset > ra->capacity || r.size > ra->capacity - r.offset)
    return vd_status_make(VD_ERR_INTERNAL, "freeing range [%llu, +%llu) outside a block of %llu bytes",
                          (unsigned long long)r.offset, (unsigned long long)r.size,
                          (unsigned long long)ra->capacity);
  uint32_t i = 0;
  while (i < ra->free_count && ra->free_list[i].offset < r.offset) ++i;
  bool overlaps_prev = i > 0 && ra->free_list[i - 1].offset + ra->free_list[i - 1].size > r.offset;
  bool overlaps_next = i < ra->free_count && r.offset + r.size > ra->free_list[i].offset;
  if (overlaps_prev || overlaps_next)
    return vd_status_make(VD_ERR_INTERNAL, "double free of range [%llu, +%llu)",
                          (unsigned long long)r.offset, (unsigned long long)r.size);
  ra->used -= r.size;
  bool join_prev = i > 0 && ra->free_list[i - 1].offset + ra->free_list[i - 1].size == r.offset;
  bool join_next = i < ra->free_count && r.offset + r.size == ra->free_list[i].offset;
  if (join_prev && join_next) {
    ra->free_list[i - 1].size += r.size + ra->free_list[i].size;
    vd_free_remove(ra, i);
  } else if (join_prev) {
    ra->free_list[i - 1].size += r.size;
  } else if (join_next) {
    ra->free_list[i].offset = r.offset;
    ra->free_list[i].size += r.size;
  } else {
    return vd_free_insert(ra, i, r);
  }
  return NULL;
}
