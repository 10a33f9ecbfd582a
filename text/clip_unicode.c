// Look-ups over the generated Unicode tables (binary searches; the tables are sorted).
#include "text/clip_unicode.h"

#include <string.h>

bool vd_unicode_is_letter(uint32_t cp) {
  if (cp < 0x80) return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
  return vd_unicode_in_ranges(vd_unicode_letters, vd_unicode_letters_count, cp);
}

bool vd_unicode_is_number(uint32_t cp) {
  if (cp < 0x80) return cp >= '0' && cp <= '9';
  return vd_unicode_in_ranges(vd_unicode_numbers, vd_unicode_numbers_count, cp);
}

bool vd_unicode_is_space(uint32_t cp) {
  if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D)) return true;
  if (cp < 0x85) return false;
  return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

int vd_unicode_lower(uint32_t cp, uint32_t out[2]) {
  if (cp == 0x130) {  // the one multi-code-point lower-case mapping
    out[0] = 'i';
    out[1] = 0x307;
    return 2;
  }
  out[0] = cp;
  int lo = 0, hi = vd_unicode_lower_runs_count - 1;
  while (lo <= hi) {  // last run with start <= cp
    int mid = lo + (hi - lo) / 2;
    if (vd_unicode_lower_runs[mid].start <= cp) {
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (hi < 0) return 1;
  const vd_unicode_case_run *run = &vd_unicode_lower_runs[hi];
  uint32_t off = cp - run->start;
  if (off % run->stride == 0 && off / run->stride < run->count) out[0] = (uint32_t)((int32_t)cp + run->delta);
  return 1;
}

int vd_unicode_width_fix(uint32_t cp, uint32_t out[2]) {
  if (cp != 0x3000 && (cp < 0xFF01 || cp > 0xFFEF)) return 0;
  int lo = 0, hi = vd_unicode_width_map_count - 1;
  while (lo <= hi) {
    int mid = lo + (hi - lo) / 2;
    const vd_unicode_width_entry *e = &vd_unicode_width_map[mid];
    if (e->cp == cp) {
      out[0] = e->value[0];
      out[1] = e->value[1];
      return e->value[1] ? 2 : 1;
    }
    if (e->cp < cp) {
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return 0;
}

// Hangul syllable composition (Unicode §3.12), algorithmic rather than tabulated.
static uint32_t vd_unicode_compose_hangul(uint32_t a, uint32_t b) {
  const uint32_t s_base = 0xAC00, l_base = 0x1100, v_base = 0x1161, t_base = 0x11A7;
  const uint32_t l_count = 19, v_count = 21, t_count = 28, n_count = 588;
  if (a >= l_base && a < l_base + l_count && b >= v_base && b < v_base + v_count)
    return s_base + ((a - l_base) * v_count + (b - v_base)) * t_count;
  if (a >= s_base && a < s_base + l_count * n_count && (a - s_base) % t_count == 0 && b > t_base &&
      b < t_base + t_count)
    return a + (b - t_base);
  return 0;
}

uint32_t vd_unicode_compose(uint32_t first, uint32_t second) {
  uint32_t h = vd_unicode_compose_hangul(first, second);
  if (h) return h;
  int lo = 0, hi = vd_unicode_compositions_count - 1;
  while (lo <= hi) {
    int mid = lo + (hi - lo) / 2;
    const vd_unicode_composition *c = &vd_unicode_compositions[mid];
    if (c->first == first && c->second == second) return c->composed;
    if (c->first < first || (c->first == first && c->second < second)) {
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return 0;
}

const vd_html_entity *vd_html_entity_find(const char *name, int len) {
  int lo = 0, hi = vd_html_entities_count - 1;
  while (lo <= hi) {
    int mid = lo + (hi - lo) / 2;
    const char *e = vd_html_entities[mid].name;
    int c = strncmp(name, e, (size_t)len);
    if (c == 0 && e[len] != '\0') c = -1;  // name is a proper prefix of e
    if (c == 0) return &vd_html_entities[mid];
    if (c > 0) {
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return NULL;
}
