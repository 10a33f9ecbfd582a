// anomaly/ — the anomaly-detection layer on top of models/: everything between files on disk and the
// networks' tensors, and back. The reference (VLMDiff's test.py and data loaders) reads images with
// Pillow and torchvision and writes its visualisations with OpenCV; this layer reproduces their bytes.
//
//   image.h / image.c      8-bit images (RGB or L), limits, the decode entry point (file signature ->
//                          PNG or JPEG), probing a header without decoding
//   image_source.h         internal: an image as a decoder delivers it, in the mode Pillow opens it as
//   image_convert.c        Pillow's convert('RGB') / convert('L') from every mode the decoders produce
//   image_png.c            PNG decoding through libpng, unpacked the way Pillow's PNG plugin does
//   image_jpeg.c           JPEG decoding through libjpeg-turbo with Pillow's settings and error rules
//   image_png_write.c      PNG encoding of RGB8 / L8 images (zlib), written atomically
//   atomic_file.h / .c     writing a file under a temporary name and renaming it when complete
//   resize.h / resize.c    Pillow's Image.resize(..., BILINEAR or BICUBIC): antialiased, fixed point
//   vlm_tiles.h / *.c      the InternVL2 captioner's dynamic tiling: grid plan, tiles, float32 tensor
//   preprocess.h / .c      torchvision's ToTensor + Normalize (ImageNet), masks, de-normalisation
//   npy.h / npy.c          NumPy .npy reading and writing (float32 / float64, little-endian, C order)
//   heatmap.h / heatmap.c  the reference's heat-map overlay: min-max to uint8, COLORMAP_JET, 50/50 blend
//
// Not here yet (the rest of the anomaly issue): the anomaly map and score, metrics, dataset readers,
// caption files, reports.
#ifndef VD_ANOMALY_IMAGE_H
#define VD_ANOMALY_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/status.h"

// Images larger than this are refused from their header, before any pixel memory is allocated. The total
// is Pillow's own hard limit (Image.open raises DecompressionBombError above 2 * MAX_IMAGE_PIXELS =
// 2 * 89,478,485 pixels), so every image the reference can open opens here; a side above 65,535 pixels
// is refused as well (JPEG cannot exceed 65,500; a PNG that long is no dataset image).
#define VD_IMAGE_MAX_PIXELS 178956970ull
#define VD_IMAGE_MAX_SIDE 65535
// Encoded files larger than this are not read (far above any image within the pixel limit).
#define VD_IMAGE_MAX_FILE_BYTES (2ull << 30)

// What the caller wants the pixels as: Pillow's convert('RGB') or convert('L').
typedef enum vd_pixel_format {
  VD_PIXELS_L8 = 1,    // one byte per pixel: Pillow's 'L'
  VD_PIXELS_RGB8 = 3,  // three bytes per pixel, R G B interleaved: Pillow's 'RGB'
} vd_pixel_format;

typedef enum vd_image_codec {
  VD_CODEC_PNG = 1,   // PNG (signature 89 50 4E 47 0D 0A 1A 0A)
  VD_CODEC_JPEG = 2,  // JPEG (starts FF D8 FF, as Pillow checks)
} vd_image_codec;

// An 8-bit image, rows top to bottom, no padding between rows.
typedef struct vd_image {
  int width;        // pixels per row (>= 1)
  int height;       // rows (>= 1)
  int channels;     // 1 (L) or 3 (RGB)
  uint8_t *pixels;  // width * height * channels bytes, owned (vd_image_free)
} vd_image;

// What a file's header says, without decoding it.
typedef struct vd_image_info {
  vd_image_codec codec;  // PNG or JPEG
  int width;             // pixels
  int height;            // pixels
  char mode[8];          // the mode Pillow opens the file as: "1", "L", "LA", "I", "P", "RGB", "RGBA", "CMYK"
} vd_image_info;

// Allocates an uninitialised width x height image of 1 or 3 channels (limits above apply).
vd_status vd_image_alloc(int width, int height, int channels, vd_image *out_image);
void vd_image_free(vd_image *image);

// Reads only the header of the PNG or JPEG in data[0, size); name labels errors.
vd_status vd_image_probe_memory(const uint8_t *data, size_t size, const char *name, vd_image_info *out_info);
vd_status vd_image_probe(const char *path, vd_image_info *out_info);

// Decodes a PNG or JPEG to what Pillow's Image.open(...).convert('RGB' or 'L') returns, byte for byte.
// Files that are truncated, corrupt, over the limits or neither PNG nor JPEG are errors naming the file.
vd_status vd_image_decode_memory(const uint8_t *data, size_t size, const char *name, vd_pixel_format format,
                                 vd_image *out_image);
vd_status vd_image_load(const char *path, vd_pixel_format format, vd_image *out_image);

// Encodes an L8 or RGB8 image as PNG (8-bit grey or truecolour, not interlaced) into a malloc'ed buffer.
vd_status vd_image_encode_png(const vd_image *image, uint8_t **out_data, size_t *out_size);
// Encodes and writes atomically: PATH.<pid>.tmp first, renamed to path once complete.
vd_status vd_image_save_png(const char *path, const vd_image *image);

#endif
