// PNG encoding of L8 / RGB8 images: 8-bit grey or truecolour, not interlaced, each row filtered with the
// PNG filter (None, Sub, Up, Average, Paeth) whose residuals have the smallest sum of magnitudes, the
// whole stream deflated by zlib and split into IDAT chunks of at most 1 MiB.
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "anomaly/atomic_file.h"
#include "anomaly/image.h"

#define VD_PNG_IDAT_MAX (1u << 20)  // bytes of compressed data per IDAT chunk

typedef struct vd_png_out {
  uint8_t *data;    // encoded bytes so far
  size_t size;      // bytes used
  size_t capacity;  // bytes allocated
} vd_png_out;

static void vd_put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

// Appends one chunk (length, type, data, CRC of type + data); the buffer was sized beforehand.
static void vd_png_chunk(vd_png_out *o, const char type[4], const uint8_t *data, uint32_t len) {
  uint8_t *p = o->data + o->size;
  vd_put32(p, len);
  memcpy(p + 4, type, 4);
  if (len) memcpy(p + 8, data, len);
  vd_put32(p + 8 + len, (uint32_t)crc32(0, p + 4, len + 4));
  o->size += 12 + (size_t)len;
}

static int vd_paeth(int a, int b, int c) {
  int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

// Residuals of one filter type over a row (prev: the row above, or zeros); returns their cost.
static uint64_t vd_png_filter(int type, const uint8_t *row, const uint8_t *prev, size_t n, int bpp, uint8_t *out) {
  uint64_t cost = 0;
  for (size_t i = 0; i < n; ++i) {
    int a = i >= (size_t)bpp ? row[i - (size_t)bpp] : 0;
    int b = prev[i];
    int c = i >= (size_t)bpp ? prev[i - (size_t)bpp] : 0;
    int pred = type == 1 ? a : type == 2 ? b : type == 3 ? (a + b) / 2 : type == 4 ? vd_paeth(a, b, c) : 0;
    out[i] = (uint8_t)(row[i] - pred);
    cost += (uint64_t)(out[i] < 128 ? out[i] : 256 - out[i]);
  }
  return cost;
}

// Writes every row as its cheapest filter type byte + residuals into filtered (height * (1 + n) bytes).
static vd_status vd_png_filter_rows(const vd_image *img, uint8_t *filtered) {
  size_t n = (size_t)img->width * (size_t)img->channels;
  uint8_t *zero = calloc(1, n), *trial = malloc(n);
  if (!zero || !trial) {
    free(zero);
    free(trial);
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "PNG encoding: out of memory");
  }
  for (int y = 0; y < img->height; ++y) {
    const uint8_t *row = img->pixels + (size_t)y * n, *prev = y ? row - n : zero;
    uint8_t *dst = filtered + (size_t)y * (n + 1);
    uint64_t best = UINT64_MAX;
    for (int type = 0; type < 5; ++type) {
      uint64_t cost = vd_png_filter(type, row, prev, n, img->channels, trial);
      if (cost < best) {
        best = cost;
        dst[0] = (uint8_t)type;
        memcpy(dst + 1, trial, n);
      }
    }
  }
  free(zero);
  free(trial);
  return NULL;
}

static vd_status vd_png_deflate(const vd_image *img, uint8_t **out_z, uLongf *out_len) {
  size_t raw_size = (size_t)img->height * ((size_t)img->width * (size_t)img->channels + 1);
  uint8_t *raw = malloc(raw_size);
  uLongf z_len = compressBound((uLong)raw_size);
  uint8_t *z = malloc(z_len);
  vd_status st = raw && z ? vd_png_filter_rows(img, raw) : vd_status_make(VD_ERR_OUT_OF_MEMORY, "PNG encoding: out of memory");
  if (!st && compress2(z, &z_len, raw, (uLong)raw_size, 6) != Z_OK)
    st = vd_status_make(VD_ERR_INTERNAL, "PNG encoding: zlib compress2 failed");
  free(raw);
  if (st) {
    free(z);
    return st;
  }
  *out_z = z;
  *out_len = z_len;
  return NULL;
}

vd_status vd_image_encode_png(const vd_image *image, uint8_t **out_data, size_t *out_size) {
  *out_data = NULL;
  *out_size = 0;
  if (!image->pixels || (image->channels != 1 && image->channels != 3) || image->width < 1 || image->height < 1)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "PNG encoding: not an L8 or RGB8 image");
  uint8_t *z = NULL;
  uLongf z_len = 0;
  VD_RETURN_IF_ERROR(vd_png_deflate(image, &z, &z_len));
  size_t chunks = z_len / VD_PNG_IDAT_MAX + 1;
  vd_png_out o = {NULL, 0, 8 + 25 + 12 * chunks + z_len + 12};
  o.data = malloc(o.capacity);
  if (!o.data) {
    free(z);
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "PNG encoding: out of memory");
  }
  static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  memcpy(o.data, signature, 8);
  o.size = 8;
  uint8_t ihdr[13] = {0};
  vd_put32(ihdr, (uint32_t)image->width);
  vd_put32(ihdr + 4, (uint32_t)image->height);
  ihdr[8] = 8;                               // bit depth
  ihdr[9] = image->channels == 3 ? 2 : 0;    // truecolour or grey; compression, filter, interlace 0
  vd_png_chunk(&o, "IHDR", ihdr, 13);
  for (uLongf at = 0; at < z_len; at += VD_PNG_IDAT_MAX) {
    uLongf len = z_len - at < VD_PNG_IDAT_MAX ? z_len - at : VD_PNG_IDAT_MAX;
    vd_png_chunk(&o, "IDAT", z + at, (uint32_t)len);
  }
  vd_png_chunk(&o, "IEND", NULL, 0);
  free(z);
  *out_data = o.data;
  *out_size = o.size;
  return NULL;
}

vd_status vd_image_save_png(const char *path, const vd_image *image) {
  uint8_t *data = NULL;
  size_t size = 0;
  VD_RETURN_IF_ERROR(vd_status_annotate(vd_image_encode_png(image, &data, &size), "%s", path));
  vd_file_part part = {data, size};
  vd_status st = vd_write_file_atomic(path, &part, 1);
  free(data);
  return st;
}
