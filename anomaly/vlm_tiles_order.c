// The candidate grids in the reference's order. dynamic_preprocess builds them as a Python set of
// (cols, rows) tuples from a generator (n over min..max, cols and rows over 1..n, duplicates included) and
// sorts it by cols * rows with a stable sort, so grids of one product stay in the set's iteration order:
// the order of CPython's hash-table slots. That order is reproduced here by running CPython's set
// insertion (Objects/setobject.c, unchanged in what matters from 3.8 to 3.13) on the tuples' hashes
// (Objects/tupleobject.c's xxHash-style tuple hash since 3.8; a small int hashes to itself).
//
// With min_tiles = 1 the order within a product never changes the pick (two grids of one product at equal
// distance always have a strictly closer grid between them, cols_a x rows_b; spec §3.7), but with a
// larger min_tiles that grid may be missing and the set order decides exact midpoint ties (e.g. min = max
// = 4, a 5 x 2 image: 4 x 1 before 2 x 2). Checked against CPython 3.11 for every 1 <= min <= max <= 64
// (tests/data/vlm_tiles/orders.txt).
#include <stdint.h>
#include <string.h>

#include "anomaly/vlm_tiles.h"

#define VD_PYSET_MIN_SLOTS 8      // PySet_MINSIZE
#define VD_PYSET_MAX_SLOTS 512    // holds up to 306 entries (max_tiles = VD_VLM_MAX_TILES has 280)
#define VD_PYSET_LINEAR_PROBES 9  // LINEAR_PROBES: slots tried in a row before a perturbed jump
#define VD_PYSET_PERTURB_SHIFT 5  // PERTURB_SHIFT

// A CPython set of distinct (cols, rows) tuples, as its table holds them (cols == 0: an empty slot).
typedef struct vd_pyset {
  vd_vlm_grid slot[VD_PYSET_MAX_SLOTS];  // the table
  uint64_t hash[VD_PYSET_MAX_SLOTS];     // each entry's hash
  size_t mask;                           // table size - 1
  size_t fill;                           // entries (no deletions: fill == used)
} vd_pyset;

// hash((a, b)) of CPython >= 3.8 on a 64-bit build, for small non-negative ints a and b.
static uint64_t vd_py_hash_pair(uint64_t a, uint64_t b) {
  const uint64_t p1 = 11400714785074694791ull, p2 = 14029467366897019727ull, p5 = 2870177450012600261ull;
  uint64_t lanes[2] = {a, b}, acc = p5;
  for (int i = 0; i < 2; ++i) {
    acc += lanes[i] * p2;
    acc = (acc << 31) | (acc >> 33);
    acc *= p1;
  }
  acc += 2u ^ (p5 ^ 3527539u);
  return acc == UINT64_MAX ? 1546275796u : acc;
}

// set_insert_clean: the first free slot of the probe sequence (the table has no entry equal to g).
static void vd_pyset_place(vd_pyset *s, vd_vlm_grid g, uint64_t hash) {
  size_t i = (size_t)hash & s->mask, perturb = (size_t)hash;
  for (;;) {
    size_t probes = i + VD_PYSET_LINEAR_PROBES <= s->mask ? VD_PYSET_LINEAR_PROBES : 0;
    for (size_t j = i; j <= i + probes; ++j) {
      if (s->slot[j].cols == 0) {
        s->slot[j] = g;
        s->hash[j] = hash;
        return;
      }
    }
    perturb >>= VD_PYSET_PERTURB_SHIFT;
    i = (i * 5 + 1 + perturb) & s->mask;
  }
}

// set_table_resize to the smallest power of two above min_used (<= VD_PYSET_MAX_SLOTS), re-placing the
// entries in the old table's slot order.
static void vd_pyset_grow(vd_pyset *s, size_t min_used) {
  vd_vlm_grid grids[VD_PYSET_MAX_SLOTS * 3 / 5 + 1];  // a table resizes once 3/5 full: never more entries
  uint64_t hashes[VD_PYSET_MAX_SLOTS * 3 / 5 + 1];
  size_t n = 0;
  for (size_t i = 0; i <= s->mask; ++i)
    if (s->slot[i].cols != 0) {
      grids[n] = s->slot[i];
      hashes[n++] = s->hash[i];
    }
  size_t size = VD_PYSET_MIN_SLOTS;
  while (size <= min_used) size <<= 1;
  memset(s->slot, 0, sizeof(s->slot));
  s->mask = size - 1;
  for (size_t i = 0; i < n; ++i) vd_pyset_place(s, grids[i], hashes[i]);
}

// set_add_entry: nothing when an equal tuple is found on the probe sequence, else the first empty slot,
// then a resize once the table is 3/5 full. False when the table would outgrow VD_PYSET_MAX_SLOTS.
static bool vd_pyset_add(vd_pyset *s, vd_vlm_grid g) {
  uint64_t hash = vd_py_hash_pair((uint64_t)g.cols, (uint64_t)g.rows);
  size_t i = (size_t)hash & s->mask, perturb = (size_t)hash;
  for (;;) {
    size_t probes = i + VD_PYSET_LINEAR_PROBES <= s->mask ? VD_PYSET_LINEAR_PROBES : 0;
    for (size_t j = i; j <= i + probes; ++j) {
      if (s->slot[j].cols == 0) {
        s->slot[j] = g;
        s->hash[j] = hash;
        if (++s->fill * 5 < s->mask * 3) return true;
        size_t min_used = s->fill > 50000 ? s->fill * 2 : s->fill * 4;
        if (min_used >= VD_PYSET_MAX_SLOTS) return false;
        vd_pyset_grow(s, min_used);
        return true;
      }
      if (s->hash[j] == hash && s->slot[j].cols == g.cols && s->slot[j].rows == g.rows) return true;
    }
    perturb >>= VD_PYSET_PERTURB_SHIFT;
    i = (i * 5 + 1 + perturb) & s->mask;
  }
}

// The set as the reference's generator expression fills it.
static bool vd_pyset_fill_grids(vd_pyset *s, int min_tiles, int max_tiles) {
  memset(s, 0, sizeof(*s));
  s->mask = VD_PYSET_MIN_SLOTS - 1;
  for (int n = min_tiles; n <= max_tiles; ++n)
    for (int cols = 1; cols <= n; ++cols)
      for (int rows = 1; rows <= n; ++rows)
        if (cols * rows >= min_tiles && cols * rows <= max_tiles &&
            !vd_pyset_add(s, (vd_vlm_grid){cols, rows}))
          return false;
  return true;
}

vd_status vd_vlm_tiles_candidates(int min_tiles, int max_tiles, vd_vlm_grid out_grids[VD_VLM_MAX_GRIDS],
                                  int *out_count) {
  *out_count = 0;
  if (min_tiles < 1 || max_tiles < min_tiles || max_tiles > VD_VLM_MAX_TILES)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "tiles: need 1 <= min tiles (%d) <= max tiles (%d) <= %d",
                          min_tiles, max_tiles, VD_VLM_MAX_TILES);
  vd_pyset set;  // 8 KiB
  if (!vd_pyset_fill_grids(&set, min_tiles, max_tiles))
    return vd_status_make(VD_ERR_INTERNAL, "tiles: the candidate set outgrew its table");
  int count = 0;
  // sorted(key=cols * rows) is stable: per product, the grids in slot order.
  for (int product = min_tiles; product <= max_tiles; ++product)
    for (size_t i = 0; i <= set.mask; ++i)
      if (set.slot[i].cols != 0 && set.slot[i].cols * set.slot[i].rows == product) {
        if (count == VD_VLM_MAX_GRIDS) return vd_status_make(VD_ERR_INTERNAL, "tiles: too many candidate grids");
        out_grids[count++] = set.slot[i];
      }
  *out_count = count;
  return NULL;
}
