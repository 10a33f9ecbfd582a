// Unicode 15.0 character data for the Qwen2 tokenizer: the classes its pre-tokenisation pattern uses
// (\p{L}, \p{N}, \s), Rust regex's \w (added tokens marked single_word), and canonical combining classes,
// decompositions and compositions for NFC (text/unicode_nfc.h). Generated from Debian's unicode-data
// (UCD 15.0.0) by tools/reference/ucd_tables.py into text/ucd_tables.c.
//
// Normalisation entries carry the Unicode version of their character (vd_ucd_age): a look-up given a
// version sees only what that version had, so NFC can follow an older implementation's tables.
#ifndef VD_TEXT_UCD_H
#define VD_TEXT_UCD_H

#include <stdbool.h>
#include <stdint.h>

#include "text/unicode_ranges.h"

// A Unicode version packed as major * 16 + minor (DerivedAge's versions; 15.0 = 0xF0).
typedef uint8_t vd_ucd_age;
#define VD_UCD_AGE(major, minor) ((vd_ucd_age)((major) * 16 + (minor)))
#define VD_UCD_AGE_LATEST VD_UCD_AGE(15, 0)  // the version of the generated tables

typedef vd_unicode_range vd_ucd_range;  // a sorted, disjoint range (text/unicode_ranges.h)

typedef struct vd_ucd_ccc_run {
  uint32_t first;  // first code point of the run
  uint32_t last;   // last code point of the run (inclusive)
  uint8_t ccc;     // their canonical combining class (non-zero)
  vd_ucd_age age;  // the version that introduced them
} vd_ucd_ccc_run;

typedef struct vd_ucd_decomposition {
  uint32_t cp;       // the decomposable code point
  uint32_t first;    // first code point of its canonical decomposition
  uint32_t second;   // second code point, 0 for a singleton
  vd_ucd_age age;    // the version that introduced cp
  uint8_t composes;  // 1 when cp is the primary composite of (first, second)
} vd_ucd_decomposition;

extern const vd_ucd_range vd_ucd_letters[];
extern const int vd_ucd_letters_count;
extern const vd_ucd_range vd_ucd_numbers[];
extern const int vd_ucd_numbers_count;
extern const vd_ucd_range vd_ucd_spaces[];
extern const int vd_ucd_spaces_count;
extern const vd_ucd_range vd_ucd_word[];
extern const int vd_ucd_word_count;
extern const vd_ucd_ccc_run vd_ucd_ccc_runs[];
extern const int vd_ucd_ccc_runs_count;
extern const vd_ucd_decomposition vd_ucd_decompositions[];  // sorted by cp
extern const int vd_ucd_decompositions_count;
extern const uint16_t vd_ucd_compose_index[];  // decompositions that compose, sorted by (first, second)
extern const int vd_ucd_compose_index_count;

bool vd_ucd_is_letter(uint32_t cp);  // General_Category L*
bool vd_ucd_is_number(uint32_t cp);  // General_Category N*
bool vd_ucd_is_space(uint32_t cp);   // White_Space
bool vd_ucd_is_word(uint32_t cp);    // Alphabetic, M*, Nd, Pc or Join_Control
// Canonical combining class of cp in version `age` (0 for starters and for characters it lacks).
uint8_t vd_ucd_ccc(uint32_t cp, vd_ucd_age age);
// The canonical decomposition entry of cp in version `age`, or NULL (Hangul syllables are not tabulated).
const vd_ucd_decomposition *vd_ucd_decomposition_of(uint32_t cp, vd_ucd_age age);
// The primary composite of (first, second) in version `age`, Hangul included; 0 when there is none.
uint32_t vd_ucd_compose(uint32_t first, uint32_t second, vd_ucd_age age);

#endif
