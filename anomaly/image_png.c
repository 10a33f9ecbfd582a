// PNG decoding through libpng, delivering what Pillow 9.4's PNG plugin unpacks:
//   grey 1 bit      mode '1' (0 / 255)          grey 2 / 4 / 8 bits   'L' (2 and 4 bits scaled by 85 / 17)
//   grey 16 bits    'I', clipped to 255 by convert('L' / 'RGB') (not scaled: 300 and 65535 both give 255)
//   grey+alpha 8    'LA'                         grey+alpha 16        'RGBA' (high bytes)
//   RGB 8 / 16      'RGB' (16: high byte)        RGBA 8 / 16          'RGBA' (16: high bytes)
//   palette 1-8     'P'; indices past the PLTE entries read Pillow's default grey ramp (index i -> i,i,i)
// tRNS, gAMA, cHRM, sRGB, iCCP and sBIT change no pixel (Pillow applies none of them); interlaced images
// are de-interlaced. No libpng transform other than unpacking sub-byte samples is used. The error rules
// are Pillow's too (see vd_png_run): checked against it on every cut of the test files.
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "anomaly/image_source.h"

typedef struct vd_png_header {
  uint32_t width;      // IHDR width
  uint32_t height;     // IHDR height
  int bit_depth;       // 1, 2, 4, 8 or 16
  int color_type;      // 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA
} vd_png_header;

typedef struct vd_png_reader {
  const char *name;      // for messages
  vd_png_header header;  // from IHDR
  char message[200];     // libpng's error text
  int out_of_memory;     // the row buffers could not be allocated
  png_structp png;       // libpng read state
  png_infop info;        // libpng header information
  size_t row_bytes;      // bytes per row after unpacking
  int channels;          // samples per pixel
  uint8_t *pixels;       // decoded image (raw rows, then compacted in place)
  uint64_t rows_wanted;  // row callbacks of the whole image (all passes)
  uint64_t rows_seen;    // row callbacks so far
  size_t fed;            // file bytes given to libpng so far
} vd_png_reader;

static uint32_t vd_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

// Whether a colour type / bit depth pair is one PNG allows.
static int vd_png_valid_depth(int color_type, int depth) {
  switch (color_type) {
    case 0:
      return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
    case 3:
      return depth == 1 || depth == 2 || depth == 4 || depth == 8;
    case 2:
    case 4:
    case 6:
      return depth == 8 || depth == 16;
  }
  return 0;
}

// Reads IHDR from the fixed place after the signature and checks the size limits: nothing else is read
// and nothing allocated before an oversized image is refused.
static vd_status vd_png_read_header(const uint8_t *data, size_t size, const char *name, vd_png_header *out) {
  if (size < 33) return vd_status_make(VD_ERR_FORMAT, "%s: PNG file is truncated in its header", name);
  if (vd_be32(data + 8) != 13 || memcmp(data + 12, "IHDR", 4) != 0)
    return vd_status_make(VD_ERR_FORMAT, "%s: PNG file does not start with an IHDR chunk", name);
  out->width = vd_be32(data + 16);
  out->height = vd_be32(data + 20);
  out->bit_depth = data[24];
  out->color_type = data[25];
  if (!vd_png_valid_depth(out->color_type, out->bit_depth))
    return vd_status_make(VD_ERR_FORMAT, "%s: PNG colour type %d with bit depth %d is invalid", name,
                          out->color_type, out->bit_depth);
  return vd_image_check_size(out->width, out->height, name);
}

// Pillow's CRC rule: every chunk before the first IDAT is checked (a mismatch is an error), none from
// there on. libpng is told to check none (its critical / ancillary switches cannot express this rule,
// and libpng 1.6.39 miscomputes tRNS's CRC when critical CRCs are ignored).
static vd_status vd_png_check_crcs(const uint8_t *data, size_t size, const char *name) {
  size_t at = 8;
  for (;;) {
    if (size - at < 8) return vd_status_make(VD_ERR_FORMAT, "%s: PNG file is truncated before its image data", name);
    uint32_t len = vd_be32(data + at);
    const uint8_t *type = data + at + 4;
    if (!memcmp(type, "IDAT", 4) || !memcmp(type, "IEND", 4)) return NULL;  // IEND first: libpng says so
    if (len > 0x7fffffffu) return vd_status_make(VD_ERR_FORMAT, "%s: broken PNG file: bad chunk length", name);
    if (size - at - 8 < (size_t)len + 4)
      return vd_status_make(VD_ERR_FORMAT, "%s: PNG file is truncated before its image data", name);
    if ((uint32_t)crc32(0, type, len + 4) != vd_be32(type + 4 + len))
      return vd_status_make(VD_ERR_FORMAT, "%s: broken PNG file: bad checksum in %.4s", name, (const char *)type);
    at += 12 + (size_t)len;
  }
}

static const char *vd_png_mode_name(const vd_png_header *h) {
  switch (h->color_type) {
    case 0:
      return h->bit_depth == 1 ? "1" : h->bit_depth == 16 ? "I" : "L";
    case 2:
      return "RGB";
    case 3:
      return "P";
    case 4:
      return h->bit_depth == 16 ? "RGBA" : "LA";
    default:
      return "RGBA";
  }
}

static vd_source_mode vd_png_source_mode(int color_type) {
  switch (color_type) {
    case 0:
      return VD_SOURCE_L;
    case 2:
      return VD_SOURCE_RGB;
    case 3:
      return VD_SOURCE_P;
    case 4:
      return VD_SOURCE_LA;
    default:
      return VD_SOURCE_RGBA;
  }
}

vd_status vd_png_probe(const uint8_t *data, size_t size, const char *name, vd_image_info *out_info) {
  vd_png_header h = {0};
  VD_RETURN_IF_ERROR(vd_png_read_header(data, size, name, &h));
  VD_RETURN_IF_ERROR(vd_png_check_crcs(data, size, name));
  out_info->codec = VD_CODEC_PNG;
  out_info->width = (int)h.width;
  out_info->height = (int)h.height;
  snprintf(out_info->mode, sizeof(out_info->mode), "%s", vd_png_mode_name(&h));
  return NULL;
}

static void vd_png_on_error(png_structp png, png_const_charp message) {
  vd_png_reader *r = png_get_error_ptr(png);
  snprintf(r->message, sizeof(r->message), "%s", message);
  png_longjmp(png, 1);
}

static void vd_png_on_warning(png_structp png, png_const_charp message) {
  (void)png;
  (void)message;  // Pillow ignores what libpng would warn about (ancillary CRCs, extra data)
}

// Rewrites one raw row (libpng's layout) as Pillow's 8-bit samples, in place or into an earlier place.
static void vd_png_compact_row(const vd_png_header *h, const uint8_t *raw, uint8_t *out, size_t samples) {
  if (h->bit_depth == 16) {
    for (size_t i = 0; i < samples; ++i) {
      unsigned v = (unsigned)raw[2 * i] << 8 | raw[2 * i + 1];
      out[i] = h->color_type == 0 ? (uint8_t)(v > 255 ? 255 : v) : raw[2 * i];  // 'I' clips, others: MSB
    }
  } else if (h->bit_depth < 8 && h->color_type == 0) {
    int scale = 255 / ((1 << h->bit_depth) - 1);
    for (size_t i = 0; i < samples; ++i) out[i] = (uint8_t)(raw[i] * scale);
  } else if (out != raw) {
    memmove(out, raw, samples);
  }
}

static void vd_png_fill_palette(vd_png_reader *r, vd_source_image *out) {
  for (int i = 0; i < 256; ++i) memset(&out->palette[3 * i], i, 3);
  png_colorp entries = NULL;
  int count = 0;
  if (png_get_PLTE(r->png, r->info, &entries, &count) & PNG_INFO_PLTE) {
    for (int i = 0; i < count && i < 256; ++i) {
      out->palette[3 * i + 0] = entries[i].red;
      out->palette[3 * i + 1] = entries[i].green;
      out->palette[3 * i + 2] = entries[i].blue;
    }
  }
}

// Row callbacks of a whole image: libpng's progressive reader calls once per image row and pass, for
// every Adam7 pass that has columns in this image (measured on libpng 1.6.39: also for passes without
// rows; none for passes without columns).
static uint64_t vd_png_rows_wanted(const vd_png_header *h, int interlaced) {
  if (!interlaced) return h->height;
  uint64_t passes = 0;
  for (int pass = 0; pass < 7; ++pass) passes += PNG_PASS_COLS(h->width, pass) > 0;
  return passes * h->height;
}

// libpng has read the chunks before the image data: set the unpacking and allocate the rows.
static void vd_png_on_info(png_structp png, png_infop info) {
  vd_png_reader *r = png_get_progressive_ptr(png);
  if (r->header.bit_depth < 8) png_set_packing(png);
  int interlaced = png_get_interlace_type(png, info) != PNG_INTERLACE_NONE;
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  r->row_bytes = png_get_rowbytes(png, info);
  r->channels = png_get_channels(png, info);
  r->rows_wanted = vd_png_rows_wanted(&r->header, interlaced);
  r->pixels = calloc(r->header.height, r->row_bytes);
  if (!r->pixels) {
    r->out_of_memory = 1;
    png_error(png, "out of memory");
  }
}

static void vd_png_on_row(png_structp png, png_bytep row, png_uint_32 y, int pass) {
  (void)pass;
  vd_png_reader *r = png_get_progressive_ptr(png);
  ++r->rows_seen;
  if (row && y < r->header.height)  // NULL: this row has no pixels in this pass
    png_progressive_combine_row(png, r->pixels + r->row_bytes * y, row);
}

static int vd_png_word_char(uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Pillow's reading of what follows the image data, from the chunk after the one in which the last row
// was decoded: it stops quietly at IEND, at a chunk header that is cut or is no chunk name, and at a
// cut CRC, but a chunk whose header is there and whose data is cut is an error ('Truncated File Read').
// No CRC is checked there.
static vd_status vd_png_after_image(const uint8_t *data, size_t size, size_t at, const char *name) {
  while (at <= size && size - at >= 8) {
    const uint8_t *type = data + at + 4;
    int is_name = vd_png_word_char(type[0]) && vd_png_word_char(type[1]) && vd_png_word_char(type[2]) &&
                  vd_png_word_char(type[3]);
    if (!is_name || !memcmp(type, "IEND", 4)) return NULL;
    uint32_t len = vd_be32(data + at);
    if (size - at - 8 < len)
      return vd_status_make(VD_ERR_FORMAT, "%s: PNG file is truncated in a chunk after the image data", name);
    at += 12 + (size_t)len;
  }
  return NULL;
}

// End of the chunk that starts at `at` (the signature and IHDR together at 0), clipped to the file.
static size_t vd_png_chunk_end(const uint8_t *data, size_t size, size_t at) {
  size_t end = at == 0 ? 33 : size - at < 8 ? size : at + 12 + (size_t)vd_be32(data + at);
  return end < at || end > size ? size : end;
}

// Feeds the file to libpng's progressive reader one chunk at a time until every row has arrived, the way
// Pillow's decoder gets one chunk's data at a time: the image is complete then, whatever the rest of that
// chunk holds (zlib trailer, CRC, extra data), and what follows is read by Pillow's rules above. A file
// that ends before the last row is truncated. libpng's errors come back through longjmp to the setjmp
// here; everything that must survive the jump lives in *r.
static vd_status vd_png_run(vd_png_reader *r, const uint8_t *data, size_t size) {
  r->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, r, vd_png_on_error, vd_png_on_warning);
  r->info = r->png ? png_create_info_struct(r->png) : NULL;
  if (!r->info) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: no memory for the PNG decoder", r->name);
  if (setjmp(png_jmpbuf(r->png))) {
    if (r->out_of_memory)
      return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: no memory for %u x %u PNG pixels", r->name,
                            r->header.width, r->header.height);
    if (!r->rows_wanted || r->rows_seen < r->rows_wanted)
      return vd_status_make(VD_ERR_FORMAT, "%s: broken PNG file: %s", r->name, r->message);
    return vd_png_after_image(data, size, r->fed, r->name);  // broken after the last row: Pillow never saw it
  }
  png_set_progressive_read_fn(r->png, r, vd_png_on_info, vd_png_on_row, NULL);
  png_set_user_limits(r->png, VD_IMAGE_MAX_SIDE, VD_IMAGE_MAX_SIDE);
  png_set_crc_action(r->png, PNG_CRC_QUIET_USE, PNG_CRC_QUIET_USE);  // vd_png_check_crcs did Pillow's checks
  size_t at = 0;
  while (at < size && (!r->rows_wanted || r->rows_seen < r->rows_wanted)) {
    r->fed = vd_png_chunk_end(data, size, at);
    png_process_data(r->png, r->info, (png_bytep)(uintptr_t)(data + at), r->fed - at);
    at = r->fed;
  }
  if (!r->rows_wanted || r->rows_seen < r->rows_wanted)
    return vd_status_make(VD_ERR_FORMAT, "%s: PNG file is truncated", r->name);
  return vd_png_after_image(data, size, r->fed, r->name);
}

// Turns libpng's rows into Pillow's 8-bit samples of the source image.
static void vd_png_finish(vd_png_reader *r, vd_source_image *out) {
  const vd_png_header *h = &r->header;
  size_t samples = (size_t)h->width * (size_t)r->channels;
  for (uint32_t y = 0; y < h->height; ++y)
    vd_png_compact_row(h, r->pixels + r->row_bytes * y, r->pixels + samples * y, samples);
  out->mode = vd_png_source_mode(h->color_type);
  if (out->mode == VD_SOURCE_P) vd_png_fill_palette(r, out);
  out->width = (int)h->width;
  out->height = (int)h->height;
  out->pixels = r->pixels;
  r->pixels = NULL;
}

vd_status vd_png_decode(const uint8_t *data, size_t size, const char *name, vd_source_image *out_source) {
  vd_png_reader r;
  memset(&r, 0, sizeof(r));
  r.name = name;
  VD_RETURN_IF_ERROR(vd_png_read_header(data, size, name, &r.header));
  VD_RETURN_IF_ERROR(vd_png_check_crcs(data, size, name));
  vd_status st = vd_png_run(&r, data, size);
  if (!st) vd_png_finish(&r, out_source);
  png_destroy_read_struct(&r.png, &r.info, NULL);
  free(r.pixels);
  return st;
}
