// COLORMAP_JET is piecewise linear with slope 4 per level in each channel (levels 0..255):
//   R = 0 (< 96), 4i - 382 (96..159), 255 (160..223), 1148 - 4i (224..255)
//   G = 0 (< 33), 4i - 128 (33..95), 255 (96..159), 892 - 4i (160..222), 0 (223..255)
//   B = 128 + 4i (< 32), 255 (32..95), 638 - 4i (96..158), 1 (159: OpenCV's float rounding), 0 (>= 160)
// which is OpenCV 4.6's table entry for entry (tests/test_image_heatmap.c compares all 256).
#include "anomaly/heatmap.h"

#include <math.h>
#include <string.h>

static uint8_t vd_jet_red(int i) {
  if (i < 96) return 0;
  if (i < 160) return (uint8_t)(4 * i - 382);
  if (i < 224) return 255;
  return (uint8_t)(1148 - 4 * i);
}

static uint8_t vd_jet_green(int i) {
  if (i < 33) return 0;
  if (i < 96) return (uint8_t)(4 * i - 128);
  if (i < 160) return 255;
  if (i < 223) return (uint8_t)(892 - 4 * i);
  return 0;
}

static uint8_t vd_jet_blue(int i) {
  if (i < 32) return (uint8_t)(128 + 4 * i);
  if (i < 96) return 255;
  if (i < 159) return (uint8_t)(638 - 4 * i);
  return i == 159 ? 1 : 0;
}

void vd_colormap_jet(uint8_t level, uint8_t out_rgb[3]) {
  out_rgb[0] = vd_jet_red(level);
  out_rgb[1] = vd_jet_green(level);
  out_rgb[2] = vd_jet_blue(level);
}

// (a + b) / 2 with halves rounded to even: OpenCV computes a * 0.5f + b * 0.5f (exact) and rounds with
// cvRound (to nearest, ties to even).
uint8_t vd_heatmap_blend(uint8_t a, uint8_t b) {
  int sum = a + b, q = sum >> 1;
  return (uint8_t)((sum & 1) && (q & 1) ? q + 1 : q);
}

vd_status vd_heatmap_levels(const double *map, int width, int height, uint8_t *out) {
  size_t n = (size_t)width * (size_t)height;
  if (width < 1 || height < 1) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "heat map of %d x %d", width, height);
  double lo = map[0], hi = map[0];
  for (size_t i = 0; i < n; ++i) {
    if (!isfinite(map[i]))
      return vd_status_make(VD_ERR_INVALID_ARGUMENT, "heat map: value %zu is not finite", i);
    lo = map[i] < lo ? map[i] : lo;
    hi = map[i] > hi ? map[i] : hi;
  }
  double range = hi - lo;
  for (size_t i = 0; i < n; ++i) out[i] = range > 0 ? (uint8_t)nearbyint(255.0 * (map[i] - lo) / range) : 0;
  return NULL;
}

vd_status vd_heatmap_overlay(const double *map, const vd_image *rgb, vd_heatmap_order order, vd_image *out_rgb) {
  memset(out_rgb, 0, sizeof(*out_rgb));
  if (!rgb->pixels || rgb->channels != 3)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "heat map overlay: the image is not RGB8");
  VD_RETURN_IF_ERROR(vd_image_alloc(rgb->width, rgb->height, 3, out_rgb));
  vd_status st = vd_heatmap_levels(map, rgb->width, rgb->height, out_rgb->pixels);  // levels, one per pixel
  if (st) {
    vd_image_free(out_rgb);
    return st;
  }
  size_t n = (size_t)rgb->width * (size_t)rgb->height;
  for (size_t k = n; k-- > 0;) {  // backwards: level k sits at byte k, its colour goes to 3k..3k+2
    uint8_t jet[3];
    vd_colormap_jet(out_rgb->pixels[k], jet);
    const uint8_t *p = rgb->pixels + 3 * k;
    int swap = order == VD_HEATMAP_REFERENCE_FILE;
    uint8_t *o = out_rgb->pixels + 3 * k;
    o[0] = vd_heatmap_blend(jet[0], p[swap ? 2 : 0]);
    o[1] = vd_heatmap_blend(jet[1], p[1]);
    o[2] = vd_heatmap_blend(jet[2], p[swap ? 0 : 2]);
  }
  return NULL;
}
