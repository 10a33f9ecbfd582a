// Look-ups over the generated Unicode 15.0 tables (binary searches; every table is sorted).
#include "text/ucd.h"

#include <stddef.h>

bool vd_ucd_is_letter(uint32_t cp) {
  if (cp < 0x80) return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
  return vd_unicode_in_ranges(vd_ucd_letters, vd_ucd_letters_count, cp);
}

bool vd_ucd_is_number(uint32_t cp) {
  if (cp < 0x80) return cp >= '0' && cp <= '9';
  return vd_unicode_in_ranges(vd_ucd_numbers, vd_ucd_numbers_count, cp);
}

bool vd_ucd_is_space(uint32_t cp) {
  if (cp < 0x80) return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
  return vd_unicode_in_ranges(vd_ucd_spaces, vd_ucd_spaces_count, cp);
}

bool vd_ucd_is_word(uint32_t cp) {
  if (cp < 0x80) return vd_ucd_is_letter(cp) || vd_ucd_is_number(cp) || cp == '_';
  return vd_unicode_in_ranges(vd_ucd_word, vd_ucd_word_count, cp);
}

uint8_t vd_ucd_ccc(uint32_t cp, vd_ucd_age age) {
  if (cp < 0x300) return 0;
  int lo = 0, hi = vd_ucd_ccc_runs_count - 1;
  while (lo <= hi) {
    int mid = lo + (hi - lo) / 2;
    const vd_ucd_ccc_run *r = &vd_ucd_ccc_runs[mid];
    if (cp < r->first) {
      hi = mid - 1;
    } else if (cp > r->last) {
      lo = mid + 1;
    } else {
      return r->age <= age ? r->ccc : 0;
    }
  }
  return 0;
}

const vd_ucd_decomposition *vd_ucd_decomposition_of(uint32_t cp, vd_ucd_age age) {
  if (cp < 0xC0) return NULL;
  int lo = 0, hi = vd_ucd_decompositions_count - 1;
  while (lo <= hi) {
    int mid = lo + (hi - lo) / 2;
    const vd_ucd_decomposition *d = &vd_ucd_decompositions[mid];
    if (cp < d->cp) {
      hi = mid - 1;
    } else if (cp > d->cp) {
      lo = mid + 1;
    } else {
      return d->age <= age ? d : NULL;
    }
  }
  return NULL;
}

// Hangul syllable composition (Unicode §3.12): L + V → LV, LV + T → LVT.
static uint32_t vd_ucd_compose_hangul(uint32_t a, uint32_t b) {
  const uint32_t s_base = 0xAC00, l_base = 0x1100, v_base = 0x1161, t_base = 0x11A7;
  const uint32_t l_count = 19, v_count = 21, t_count = 28, n_count = 588;
  if (a >= l_base && a < l_base + l_count && b >= v_base && b < v_base + v_count)
    return s_base + ((a - l_base) * v_count + (b - v_base)) * t_count;
  if (a >= s_base && a < s_base + l_count * n_count && (a - s_base) % t_count == 0 && b > t_base &&
      b < t_base + t_count)
    return a + (b - t_base);
  return 0;
}

uint32_t vd_ucd_compose(uint32_t first, uint32_t second, vd_ucd_age age) {
  uint32_t h = vd_ucd_compose_hangul(first, second);
  if (h) return h;
  int lo = 0, hi = vd_ucd_compose_index_count - 1;
  while (lo <= hi) {
    int mid = lo + (hi - lo) / 2;
    const vd_ucd_decomposition *d = &vd_ucd_decompositions[vd_ucd_compose_index[mid]];
    if (d->first == first && d->second == second) return d->age <= age ? d->cp : 0;
    if (d->first < first || (d->first == first && d->second < second)) {
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return 0;
}
