// Sorted, disjoint code-point ranges and their look-up: the shape of every Unicode class table in text/
// (CLIP's Python-14 classes in clip_unicode_tables.c, the Unicode 15.0 ones of the Qwen2 tokenizer in ucd_tables.c).
#ifndef VD_TEXT_UNICODE_RANGES_H
#define VD_TEXT_UNICODE_RANGES_H

#include <stdbool.h>
#include <stdint.h>

typedef struct vd_unicode_range {
  uint32_t first;  // first code point of the range
  uint32_t last;   // last code point of the range (inclusive)
} vd_unicode_range;

// Whether cp lies in one of the n ranges of r (sorted by first, disjoint): a binary search.
bool vd_unicode_in_ranges(const vd_unicode_range *r, int n, uint32_t cp);

#endif
