#include "anomaly/metric_sort.h"

#include <stdlib.h>
#include <string.h>

#define VD_RADIX_BITS 11                                            // bits per digit
#define VD_RADIX_BUCKETS (1u << VD_RADIX_BITS)                      // buckets per digit
#define VD_RADIX_DIGITS ((64 + VD_RADIX_BITS - 1) / VD_RADIX_BITS)  // 6 digits cover 64 bits

static uint32_t vd_digit(uint64_t key, int d) {
  return (uint32_t)(key >> (d * VD_RADIX_BITS)) & (VD_RADIX_BUCKETS - 1);
}

// One stable scatter pass of digit d from src to dst, with that digit's bucket counts.
static void vd_radix_pass(const uint64_t *src, uint64_t *dst, size_t n, int d, const size_t *count) {
  size_t start[VD_RADIX_BUCKETS];
  size_t sum = 0;
  for (uint32_t b = 0; b < VD_RADIX_BUCKETS; ++b) {
    start[b] = sum;
    sum += count[b];
  }
  for (size_t i = 0; i < n; ++i) dst[start[vd_digit(src[i], d)]++] = src[i];
}

static int vd_key_compare(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

void vd_sort_keys(uint64_t *keys, uint64_t *tmp, size_t n) {
  size_t(*count)[VD_RADIX_BUCKETS] = calloc(VD_RADIX_DIGITS, sizeof(*count));
  if (!count) {  // no memory for 100 KiB of counts: a comparison sort in place instead
    qsort(keys, n, sizeof(*keys), vd_key_compare);
    return;
  }
  for (size_t i = 0; i < n; ++i)
    for (int d = 0; d < VD_RADIX_DIGITS; ++d) ++count[d][vd_digit(keys[i], d)];
  uint64_t *src = keys, *dst = tmp;
  for (int d = 0; d < VD_RADIX_DIGITS; ++d) {
    if (n && count[d][vd_digit(src[0], d)] == n) continue;  // every key has the same digit
    vd_radix_pass(src, dst, n, d, count[d]);
    uint64_t *t = src;
    src = dst;
    dst = t;
  }
  free(count);
  if (src != keys) memcpy(keys, src, n * sizeof(*keys));
}
