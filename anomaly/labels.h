// Connected components of a binary mask with 8-connectivity (scikit-image `measure.label` default for
// 2-D images: background 0, every other value foreground, neighbours include the diagonals).
#ifndef VD_ANOMALY_LABELS_H
#define VD_ANOMALY_LABELS_H

#include <stddef.h>
#include <stdint.h>

// Labels mask > 0 (h × w, row-major). out_labels (h·w) gets 0 for background and 1..count for the
// components, numbered in raster order of their first pixel; parent is scratch of h·w + 1 entries.
// Returns count.
uint32_t vd_label_components(const uint8_t *mask, uint32_t h, uint32_t w, uint32_t *out_labels,
                             uint32_t *parent);

// Reorders the foreground pixels of values by component: out_values gets every pixel of component 1
// (raster order), then component 2, …; out_areas[k] = pixels of component k + 1; cursor is scratch of
// count entries. Returns the pixels written (the foreground count).
size_t vd_group_by_component(const double *values, const uint32_t *labels, size_t n, uint32_t count,
                             double *out_values, uint32_t *out_areas, uint32_t *cursor);

#endif
