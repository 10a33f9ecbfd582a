#include "anomaly/labels.h"

#include <string.h>

#define VD_LABEL_FINAL 0x80000000u  // marks a root whose final component number is assigned

// Root of a provisional label, halving the path on the way.
static uint32_t vd_uf_find(uint32_t *parent, uint32_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

// Joins two provisional labels under the smaller root.
static uint32_t vd_uf_union(uint32_t *parent, uint32_t a, uint32_t b) {
  a = vd_uf_find(parent, a);
  b = vd_uf_find(parent, b);
  if (a == b) return a;
  if (a > b) {
    uint32_t t = a;
    a = b;
    b = t;
  }
  parent[b] = a;
  return a;
}

// Provisional label of foreground pixel (y, x): joined with its labelled 8-neighbours above and to the
// left, or a new label.
static uint32_t vd_label_pixel(const uint32_t *labels, uint32_t *parent, uint32_t *next, uint32_t y, uint32_t x,
                               uint32_t w) {
  const uint32_t *row = labels + (size_t)y * w;
  const uint32_t *up = y ? row - w : NULL;
  uint32_t nb[4] = {x ? row[x - 1] : 0, up && x ? up[x - 1] : 0, up ? up[x] : 0,
                    up && x + 1 < w ? up[x + 1] : 0};
  uint32_t cur = 0;
  for (int k = 0; k < 4; ++k)
    if (nb[k]) cur = cur ? vd_uf_union(parent, cur, nb[k]) : vd_uf_find(parent, nb[k]);
  if (cur) return cur;
  parent[*next] = *next;
  return (*next)++;
}

uint32_t vd_label_components(const uint8_t *mask, uint32_t h, uint32_t w, uint32_t *out_labels,
                             uint32_t *parent) {
  size_t n = (size_t)h * w;
  uint32_t next = 1;
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x) {
      size_t i = (size_t)y * w + x;
      out_labels[i] = mask[i] ? vd_label_pixel(out_labels, parent, &next, y, x, w) : 0;
    }
  for (size_t i = 0; i < n; ++i)
    if (out_labels[i]) out_labels[i] = vd_uf_find(parent, out_labels[i]);
  // Number the roots in raster order of their first pixel; an assigned root's slot holds its number.
  uint32_t count = 0;
  for (size_t i = 0; i < n; ++i) {
    uint32_t r = out_labels[i];
    if (!r) continue;
    if (!(parent[r] & VD_LABEL_FINAL)) parent[r] = VD_LABEL_FINAL | ++count;
    out_labels[i] = parent[r] & ~VD_LABEL_FINAL;
  }
  return count;
}

size_t vd_group_by_component(const double *values, const uint32_t *labels, size_t n, uint32_t count,
                             double *out_values, uint32_t *out_areas, uint32_t *cursor) {
  memset(out_areas, 0, (size_t)count * sizeof(*out_areas));
  for (size_t i = 0; i < n; ++i)
    if (labels[i]) ++out_areas[labels[i] - 1];
  uint32_t total = 0;
  for (uint32_t k = 0; k < count; ++k) {
    cursor[k] = total;
    total += out_areas[k];
  }
  for (size_t i = 0; i < n; ++i)
    if (labels[i]) out_values[cursor[labels[i] - 1]++] = values[i];
  return total;
}
