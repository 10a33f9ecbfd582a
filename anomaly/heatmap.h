// The reference's heat-map overlay (VLMDiff test.py, --save_visuals), step for step:
//   1. u8 = np.round(255 * (m - m.min()) / (m.max() - m.min())).astype(uint8) over the float64 map
//      (round half to even; a constant map, NaN there, gives 0 here);
//   2. OpenCV's COLORMAP_JET of u8 (vd_colormap_jet: OpenCV 4.6's 256-entry table, exactly);
//   3. cv2.addWeighted(jet, 0.5, image, 0.5, 0): (a + b) / 2 rounded half to even, per byte;
// where image is the de-normalised input (vd_image_denormalize with VD_DENORM_TRUNCATE).
// test.py blends the BGR colour map with the RGB image and writes the result as BGR, so its files show
// the heat colours right and the photo with red and blue swapped; VD_HEATMAP_REFERENCE_FILE reproduces
// those file bytes, VD_HEATMAP_TRUE_COLOUR blends both in RGB (what a viewer expects).
#ifndef VD_ANOMALY_HEATMAP_H
#define VD_ANOMALY_HEATMAP_H

#include "anomaly/image.h"

typedef enum vd_heatmap_order {
  VD_HEATMAP_TRUE_COLOUR = 0,     // heat colours and photo both in RGB
  VD_HEATMAP_REFERENCE_FILE = 1,  // test.py's file: photo's red and blue swapped
} vd_heatmap_order;

// JET colour of a level, as R, G, B.
void vd_colormap_jet(uint8_t level, uint8_t out_rgb[3]);
// Step 3 on one byte pair: cv2.addWeighted(a, 0.5, b, 0.5, 0).
uint8_t vd_heatmap_blend(uint8_t a, uint8_t b);
// Step 1 over a width x height map into out[width * height]; non-finite values are an error.
vd_status vd_heatmap_levels(const double *map, int width, int height, uint8_t *out);
// Steps 1-3: map is width x height, the size of rgb; out_rgb is a new RGB8 image.
vd_status vd_heatmap_overlay(const double *map, const vd_image *rgb, vd_heatmap_order order, vd_image *out_rgb);

#endif
