// 8-bit images and the decode entry point: the file signature picks the decoder (the checks Pillow's
// PNG and JPEG plugins make), the decoder delivers Pillow's mode, image_convert.c makes RGB or L of it.
#include "anomaly/image.h"

#include <stdlib.h>
#include <string.h>

#include "anomaly/image_source.h"
#include "formats/mapped_file.h"

static const uint8_t vd_png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

vd_status vd_image_check_size(uint64_t width, uint64_t height, const char *name) {
  if (width == 0 || height == 0)
    return vd_status_make(VD_ERR_FORMAT, "%s: image of %llu x %llu pixels", name, (unsigned long long)width,
                          (unsigned long long)height);
  if (width > VD_IMAGE_MAX_SIDE || height > VD_IMAGE_MAX_SIDE)
    return vd_status_make(VD_ERR_LIMIT, "%s: image of %llu x %llu pixels has a side over the limit of %d",
                          name, (unsigned long long)width, (unsigned long long)height, VD_IMAGE_MAX_SIDE);
  if (width * height > VD_IMAGE_MAX_PIXELS)
    return vd_status_make(VD_ERR_LIMIT, "%s: image of %llu x %llu pixels is over the limit of %llu pixels",
                          name, (unsigned long long)width, (unsigned long long)height, VD_IMAGE_MAX_PIXELS);
  return NULL;
}

vd_status vd_image_alloc(int width, int height, int channels, vd_image *out_image) {
  memset(out_image, 0, sizeof(*out_image));
  if (width < 1 || height < 1)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "image of %d x %d pixels", width, height);
  VD_RETURN_IF_ERROR(vd_image_check_size((uint64_t)width, (uint64_t)height, "image"));
  if (channels != 1 && channels != 3)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "image with %d channels (1 or 3 expected)", channels);
  size_t bytes = (size_t)width * (size_t)height * (size_t)channels;
  uint8_t *pixels = malloc(bytes);
  if (!pixels)
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "no memory for a %d x %d x %d image", width, height, channels);
  *out_image = (vd_image){width, height, channels, pixels};
  return NULL;
}

void vd_image_free(vd_image *image) {
  if (!image) return;
  free(image->pixels);
  memset(image, 0, sizeof(*image));
}

static int vd_is_png(const uint8_t *data, size_t size) {
  return size >= 8 && memcmp(data, vd_png_signature, 8) == 0;
}

static int vd_is_jpeg(const uint8_t *data, size_t size) {
  return size >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff;
}

static vd_status vd_not_an_image(const char *name) {
  return vd_status_make(VD_ERR_FORMAT, "%s: not a PNG or JPEG file (unknown signature)", name);
}

vd_status vd_image_probe_memory(const uint8_t *data, size_t size, const char *name, vd_image_info *out_info) {
  memset(out_info, 0, sizeof(*out_info));
  if (vd_is_png(data, size)) return vd_png_probe(data, size, name, out_info);
  if (vd_is_jpeg(data, size)) return vd_jpeg_probe(data, size, name, out_info);
  return vd_not_an_image(name);
}

vd_status vd_image_decode_memory(const uint8_t *data, size_t size, const char *name, vd_pixel_format format,
                                 vd_image *out_image) {
  memset(out_image, 0, sizeof(*out_image));
  if (format != VD_PIXELS_RGB8 && format != VD_PIXELS_L8)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: pixel format %d is neither RGB8 nor L8", name,
                          (int)format);
  vd_source_image source;
  memset(&source, 0, sizeof(source));
  vd_status st;
  if (vd_is_png(data, size))
    st = vd_png_decode(data, size, name, &source);
  else if (vd_is_jpeg(data, size))
    st = vd_jpeg_decode(data, size, name, &source);
  else
    st = vd_not_an_image(name);
  if (st) {
    free(source.pixels);
    return st;
  }
  return vd_source_convert(&source, format, name, out_image);
}

// Maps path, checking its size; the caller destroys *out_file.
static vd_status vd_image_map(const char *path, vd_mapped_file **out_file) {
  VD_RETURN_IF_ERROR(vd_mapped_file_open(path, out_file));
  if ((*out_file)->size > VD_IMAGE_MAX_FILE_BYTES) {
    vd_mapped_file_destroy(*out_file);
    *out_file = NULL;
    return vd_status_make(VD_ERR_LIMIT, "%s: file of %llu bytes is over the image file limit", path,
                          (unsigned long long)VD_IMAGE_MAX_FILE_BYTES);
  }
  return NULL;
}

vd_status vd_image_probe(const char *path, vd_image_info *out_info) {
  memset(out_info, 0, sizeof(*out_info));
  vd_mapped_file *file = NULL;
  VD_RETURN_IF_ERROR(vd_image_map(path, &file));
  vd_status st = vd_image_probe_memory(file->data, file->size, path, out_info);
  vd_mapped_file_destroy(file);
  return st;
}

vd_status vd_image_load(const char *path, vd_pixel_format format, vd_image *out_image) {
  memset(out_image, 0, sizeof(*out_image));
  vd_mapped_file *file = NULL;
  VD_RETURN_IF_ERROR(vd_image_map(path, &file));
  vd_status st = vd_image_decode_memory(file->data, file->size, path, format, out_image);
  vd_mapped_file_destroy(file);
  return st;
}
