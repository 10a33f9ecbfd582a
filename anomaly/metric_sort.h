// Sorting scores as unsigned keys: a finite double maps to a 64-bit integer with the same order
// (negative values bit-flipped, positive ones with the sign bit set; −0 keyed as +0 so that equal values
// have equal keys), and an LSD radix sort orders millions of them in a few linear passes.
#ifndef VD_ANOMALY_METRIC_SORT_H
#define VD_ANOMALY_METRIC_SORT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t vd_sort_key(double v) {
  if (v == 0.0) v = 0.0;
  uint64_t bits;
  memcpy(&bits, &v, sizeof(bits));
  return (bits >> 63) ? ~bits : bits | 0x8000000000000000ull;
}

static inline double vd_sort_value(uint64_t key) {
  uint64_t bits = (key >> 63) ? key & 0x7fffffffffffffffull : ~key;
  double v;
  memcpy(&v, &bits, sizeof(v));
  return v;
}

// Sorts n keys ascending in place; tmp is scratch of n keys.
void vd_sort_keys(uint64_t *keys, uint64_t *tmp, size_t n);

#endif
