// torchvision's ToTensor + Normalize and their inverse for pictures, in float32 operation for operation
// (each line below is one torch kernel: one IEEE float32 rounding, no fused multiply-add).
#include "anomaly/preprocess.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly/resize.h"

// torch.as_tensor([0.485, ...], dtype=float32): the Python double, rounded to float32.
const float vd_imagenet_mean[3] = {(float)0.485, (float)0.456, (float)0.406};
const float vd_imagenet_std[3] = {(float)0.229, (float)0.224, (float)0.225};

static float vd_to_unit(uint8_t v) { return (float)v / 255.0f; }

vd_status vd_image_normalize(const vd_image *rgb, float *out_chw) {
  if (!rgb->pixels || rgb->channels != 3)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "normalize: the image is not RGB8");
  size_t plane = (size_t)rgb->width * (size_t)rgb->height;
  for (size_t i = 0; i < plane; ++i) {
    for (int c = 0; c < 3; ++c) {
      float x = vd_to_unit(rgb->pixels[3 * i + (size_t)c]);
      float centred = x - vd_imagenet_mean[c];
      out_chw[(size_t)c * plane + i] = centred / vd_imagenet_std[c];
    }
  }
  return NULL;
}

vd_status vd_mask_to_unit(const vd_image *mask, float *out) {
  if (!mask->pixels || mask->channels != 1)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "mask tensor: the mask is not L8");
  size_t n = (size_t)mask->width * (size_t)mask->height;
  for (size_t i = 0; i < n; ++i) out[i] = vd_to_unit(mask->pixels[i]);
  return NULL;
}

// Decodes path as format and resizes it to size x size.
static vd_status vd_load_resized(const char *path, vd_pixel_format format, int size, vd_image *out) {
  vd_image decoded;
  VD_RETURN_IF_ERROR(vd_image_load(path, format, &decoded));
  vd_status st = vd_image_resize(&decoded, size, size, out);
  vd_image_free(&decoded);
  return st ? vd_status_annotate(st, "%s", path) : NULL;
}

static vd_status vd_load_tensor(const char *path, vd_pixel_format format, int size, float **out) {
  *out = NULL;
  if (size < 1 || size > VD_IMAGE_MAX_SIDE)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: tensor size %d", path, size);
  vd_image img;
  VD_RETURN_IF_ERROR(vd_load_resized(path, format, size, &img));
  float *t = malloc(sizeof(float) * (size_t)format * (size_t)size * (size_t)size);
  vd_status st = t ? NULL : vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: no memory for its tensor", path);
  if (!st) st = format == VD_PIXELS_RGB8 ? vd_image_normalize(&img, t) : vd_mask_to_unit(&img, t);
  vd_image_free(&img);
  if (st) {
    free(t);
    return st;
  }
  *out = t;
  return NULL;
}

vd_status vd_load_image_tensor(const char *path, int size, float **out_chw) {
  return vd_load_tensor(path, VD_PIXELS_RGB8, size, out_chw);
}

vd_status vd_load_mask_tensor(const char *path, int size, float **out_mask) {
  return vd_load_tensor(path, VD_PIXELS_L8, size, out_mask);
}

static uint8_t vd_denorm_byte(float v, vd_denorm_rounding rounding) {
  if (!(v > 0.0f)) return 0;  // also NaN
  if (v >= 255.0f) return 255;
  return (uint8_t)(rounding == VD_DENORM_ROUND ? nearbyintf(v) : truncf(v));
}

vd_status vd_image_denormalize(const float *chw, int width, int height, vd_denorm_rounding rounding,
                               vd_image *out_rgb) {
  VD_RETURN_IF_ERROR(vd_image_alloc(width, height, 3, out_rgb));
  size_t plane = (size_t)width * (size_t)height;
  for (int c = 0; c < 3; ++c) {
    for (size_t i = 0; i < plane; ++i) {
      float scaled = chw[(size_t)c * plane + i] * vd_imagenet_std[c];
      float shifted = scaled + vd_imagenet_mean[c];
      float v = shifted * 255.0f;
      out_rgb->pixels[3 * i + (size_t)c] = vd_denorm_byte(v, rounding);
    }
  }
  return NULL;
}
