// Binary search over sorted, disjoint code-point ranges.
#include "text/unicode_ranges.h"

bool vd_unicode_in_ranges(const vd_unicode_range *r, int n, uint32_t cp) {
  int lo = 0, hi = n - 1;
  while (lo <= hi) {
    int mid = lo + (hi - lo) / 2;
    if (cp < r[mid].first) {
      hi = mid - 1;
    } else if (cp > r[mid].last) {
      lo = mid + 1;
    } else {
      return true;
    }
  }
  return false;
}
