// Internal to anomaly/: an image as a decoder hands it over, in the mode Pillow would hold it in after
// Image.open, reduced to 8 bits per sample the way Pillow's unpackers reduce it. image_convert.c then
// applies Pillow's convert('RGB') / convert('L') rules to it.
#ifndef VD_ANOMALY_IMAGE_SOURCE_H
#define VD_ANOMALY_IMAGE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "anomaly/image.h"

typedef enum vd_source_mode {
  VD_SOURCE_L,     // 1 byte: grey ('1' as 0/255, 2- and 4-bit grey scaled, 16-bit grey clipped to 255)
  VD_SOURCE_LA,    // 2 bytes: grey, alpha
  VD_SOURCE_P,     // 1 byte: palette index
  VD_SOURCE_RGB,   // 3 bytes
  VD_SOURCE_RGBA,  // 4 bytes
  VD_SOURCE_CMYK,  // 4 bytes, as Pillow holds CMYK (JPEG samples inverted, Adobe convention)
} vd_source_mode;

typedef struct vd_source_image {
  vd_source_mode mode;     // sample layout of pixels
  int width;               // pixels per row
  int height;              // rows
  uint8_t *pixels;         // width * height * vd_source_bytes(mode) bytes, owned
  uint8_t palette[256 * 3];  // P only: RGB of every index (Pillow's grey ramp past the file's entries)
} vd_source_image;

// Bytes per pixel of a mode.
int vd_source_bytes(vd_source_mode mode);
// Checks a header's dimensions against VD_IMAGE_MAX_SIDE / VD_IMAGE_MAX_PIXELS (name labels the error).
vd_status vd_image_check_size(uint64_t width, uint64_t height, const char *name);

// Decoders over a whole file in memory. probe reads the header only; decode fills out_source (its pixels
// owned by the caller, freed with free()).
vd_status vd_png_probe(const uint8_t *data, size_t size, const char *name, vd_image_info *out_info);
vd_status vd_png_decode(const uint8_t *data, size_t size, const char *name, vd_source_image *out_source);
vd_status vd_jpeg_probe(const uint8_t *data, size_t size, const char *name, vd_image_info *out_info);
vd_status vd_jpeg_decode(const uint8_t *data, size_t size, const char *name, vd_source_image *out_source);

// Pillow's convert: takes the source's pixel buffer (reused when the layout already matches, else freed)
// and fills out_image with RGB8 or L8.
vd_status vd_source_convert(vd_source_image *source, vd_pixel_format format, const char *name,
                            vd_image *out_image);

#endif
