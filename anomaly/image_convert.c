// Pillow's mode conversions to 'RGB' and 'L' (Debian 12's Pillow 9.4, checked against it on every mode
// by tests/test_image_decode.c):
//   to L:   L = (19595 R + 38470 G + 7471 B + 0x8000) >> 16 (ITU-R 601-2 luma in 16-bit fixed point,
//           rounded) for RGB, RGBA, the palette entry of P and CMYK after its RGB conversion; LA keeps L.
//   to RGB: grey replicated; alpha dropped (never blended); P through its palette; CMYK with
//           nk = 255 - K, X = nk - round(C * nk / 255), computed as t = C * nk + 128, (t + (t >> 8)) >> 8.
#include <stdlib.h>
#include <string.h>

#include "anomaly/image_source.h"

int vd_source_bytes(vd_source_mode mode) {
  switch (mode) {
    case VD_SOURCE_L:
    case VD_SOURCE_P:
      return 1;
    case VD_SOURCE_LA:
      return 2;
    case VD_SOURCE_RGB:
      return 3;
    case VD_SOURCE_RGBA:
    case VD_SOURCE_CMYK:
      return 4;
  }
  return 0;
}

static uint8_t vd_luma(const uint8_t *rgb) {
  return (uint8_t)(((uint32_t)rgb[0] * 19595u + (uint32_t)rgb[1] * 38470u + (uint32_t)rgb[2] * 7471u +
                    0x8000u) >> 16);
}

// round(a * b / 255) for a, b in [0, 255], in Pillow's integer form.
static int vd_mul_div255(int a, int b) {
  int t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}

static void vd_cmyk_to_rgb(const uint8_t *cmyk, uint8_t *out_rgb) {
  int nk = 255 - cmyk[3];
  for (int i = 0; i < 3; ++i) {
    int v = nk - vd_mul_div255(cmyk[i], nk);
    out_rgb[i] = (uint8_t)(v < 0 ? 0 : v);
  }
}

// One pixel of the source as RGB.
static void vd_source_rgb(const vd_source_image *s, const uint8_t *px, uint8_t *out_rgb) {
  switch (s->mode) {
    case VD_SOURCE_L:
    case VD_SOURCE_LA:
      out_rgb[0] = out_rgb[1] = out_rgb[2] = px[0];
      return;
    case VD_SOURCE_P:
      memcpy(out_rgb, &s->palette[px[0] * 3], 3);
      return;
    case VD_SOURCE_RGB:
    case VD_SOURCE_RGBA:
      memcpy(out_rgb, px, 3);
      return;
    case VD_SOURCE_CMYK:
      vd_cmyk_to_rgb(px, out_rgb);
      return;
  }
}

// One pixel of the source as L.
static uint8_t vd_source_luma(const vd_source_image *s, const uint8_t *px) {
  if (s->mode == VD_SOURCE_L || s->mode == VD_SOURCE_LA) return px[0];
  uint8_t rgb[3];
  vd_source_rgb(s, px, rgb);
  return vd_luma(rgb);
}

static void vd_convert_pixels(const vd_source_image *s, vd_pixel_format format, uint8_t *out) {
  size_t n = (size_t)s->width * (size_t)s->height;
  int step = vd_source_bytes(s->mode);
  const uint8_t *px = s->pixels;
  for (size_t i = 0; i < n; ++i, px += step) {
    if (format == VD_PIXELS_RGB8)
      vd_source_rgb(s, px, out + 3 * i);
    else
      out[i] = vd_source_luma(s, px);
  }
}

vd_status vd_source_convert(vd_source_image *source, vd_pixel_format format, const char *name,
                            vd_image *out_image) {
  memset(out_image, 0, sizeof(*out_image));
  if (format != VD_PIXELS_RGB8 && format != VD_PIXELS_L8) {
    free(source->pixels);
    source->pixels = NULL;
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: pixel format %d is neither RGB8 nor L8", name,
                          (int)format);
  }
  int same = (format == VD_PIXELS_RGB8 && source->mode == VD_SOURCE_RGB) ||
             (format == VD_PIXELS_L8 && source->mode == VD_SOURCE_L);
  if (same) {  // already the requested layout: hand the buffer over
    *out_image = (vd_image){source->width, source->height, (int)format, source->pixels};
    source->pixels = NULL;
    return NULL;
  }
  vd_status st = vd_image_alloc(source->width, source->height, (int)format, out_image);
  if (!st) vd_convert_pixels(source, format, out_image->pixels);
  free(source->pixels);
  source->pixels = NULL;
  return st ? vd_status_annotate(st, "%s", name) : NULL;
}
