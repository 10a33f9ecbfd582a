// Pillow's Image.resize((W, H), filter) for 8-bit images, reducing_gap None, one resampler with two
// filters: BILINEAR (what torchvision's Resize((256, 256)) runs on a PIL image: the anomaly datasets) and
// BICUBIC (Pillow's default filter for RGB, what the InternVL2 captioner's tiling gets from a plain
// image.resize(size), spec encoders-and-captioner.md §3.7). The filter's support is stretched by the
// down-scale factor (antialiasing); coefficients in double normalised to sum 1 and rounded to 22-bit
// fixed point; a horizontal pass over the rows the vertical pass needs, rounded and clipped to uint8, then
// the vertical pass, rounded and clipped. The aspect ratio is whatever W x H says (not preserved).
#ifndef VD_ANOMALY_RESIZE_H
#define VD_ANOMALY_RESIZE_H

#include "anomaly/image.h"

typedef enum vd_resample_filter {
  VD_RESAMPLE_BILINEAR = 0,  // Pillow's BILINEAR: the triangle filter, support 1
  VD_RESAMPLE_BICUBIC = 1,   // Pillow's BICUBIC: Keys' cubic convolution, a = -0.5, support 2
} vd_resample_filter;

// Resizes an L8 or RGB8 image to out_width x out_height with filter (a copy when the size is unchanged,
// as Pillow: no filtering at all then).
vd_status vd_image_resample(const vd_image *image, int out_width, int out_height, vd_resample_filter filter,
                            vd_image *out_image);
// vd_image_resample with VD_RESAMPLE_BILINEAR.
vd_status vd_image_resize(const vd_image *image, int out_width, int out_height, vd_image *out_image);

#endif
