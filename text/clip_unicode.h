// Unicode facts the CLIP text cleanup and pre-tokeniser need: letter/number classes, White_Space,
// Python's str.lower(), ftfy's width and HTML-entity tables and NFC primary composition. The tables are
// generated from Python's unicodedata by tools/reference/clip_unicode_tables.py (clip_unicode_tables.c).
#ifndef VD_TEXT_CLIP_UNICODE_H
#define VD_TEXT_CLIP_UNICODE_H

#include <stdbool.h>
#include <stdint.h>

#include "text/unicode_ranges.h"

typedef struct vd_unicode_case_run {
  uint32_t start;  // first upper-case code point of the run
  uint16_t count;  // code points in the run
  uint16_t stride; // distance between consecutive code points of the run (1 or 2)
  int32_t delta;   // lower = upper + delta
} vd_unicode_case_run;

typedef struct vd_unicode_width_entry {
  uint32_t cp;        // a full-width / half-width form (or U+3000)
  uint32_t value[2];  // its NFKC replacement, 0-terminated when shorter than 2
} vd_unicode_width_entry;

typedef struct vd_unicode_composition {
  uint32_t first;     // starter
  uint32_t second;    // following character
  uint32_t composed;  // their canonical composite
} vd_unicode_composition;

typedef struct vd_html_entity {
  const char *name;   // entity name without '&' and ';'
  uint32_t value[2];  // replacement code points, 0-terminated when shorter than 2
} vd_html_entity;

extern const vd_unicode_range vd_unicode_letters[];
extern const int vd_unicode_letters_count;
extern const vd_unicode_range vd_unicode_numbers[];
extern const int vd_unicode_numbers_count;
extern const vd_unicode_case_run vd_unicode_lower_runs[];
extern const int vd_unicode_lower_runs_count;
extern const vd_unicode_width_entry vd_unicode_width_map[];
extern const int vd_unicode_width_map_count;
extern const vd_unicode_composition vd_unicode_compositions[];
extern const int vd_unicode_compositions_count;
extern const vd_html_entity vd_html_entities[];
extern const int vd_html_entities_count;

bool vd_unicode_is_letter(uint32_t cp);  // general category L*
bool vd_unicode_is_number(uint32_t cp);  // general category N*
bool vd_unicode_is_space(uint32_t cp);   // Unicode White_Space (what the `regex` module's \s matches)
// Python str.lower() of one code point; writes 1 or 2 code points (U+0130 → "i\u0307"), returns the count.
// Final-sigma context is handled by the caller.
int vd_unicode_lower(uint32_t cp, uint32_t out[2]);
// ftfy fix_character_width: the replacement of cp (1 or 2 code points), or 0 when cp is not mapped.
int vd_unicode_width_fix(uint32_t cp, uint32_t out[2]);
// NFC primary composite of (first, second) including Hangul syllables, or 0 when they do not compose.
uint32_t vd_unicode_compose(uint32_t first, uint32_t second);
// ftfy's named HTML entity `name` (without '&' and ';', length len); NULL when unknown.
const vd_html_entity *vd_html_entity_find(const char *name, int len);

#endif
