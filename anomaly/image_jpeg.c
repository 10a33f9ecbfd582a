// JPEG decoding through Debian's libjpeg-turbo (libjpeg62-turbo, the library Debian's Pillow links), with
// the settings Pillow 9.4 decodes with: libjpeg's defaults (islow DCT, fancy upsampling, no block
// smoothing change), out_color_space GRAYSCALE / RGB / CMYK for 1 / 3 / 4 components. Pillow then holds
// CMYK inverted ('CMYK;I', the Adobe convention, whether or not an Adobe marker is present); YCCK files
// come out of libjpeg as CMYK and are treated the same.
//
// Error rules as Pillow's: libjpeg warnings (corrupt data it can step over) are ignored; the data source
// suspends at the end of the file instead of inventing an EOI, so a file that ends before the last
// scanline is an error ('image file is truncated'), while one that only lacks what follows the last
// scanline (EOI) decodes. A progressive file needs every scan before its first row: cut anywhere, it is
// an error. Files with more than VD_JPEG_MAX_SCANS scans are refused (a decoding-time bomb).
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "anomaly/image_source.h"

#define VD_JPEG_MAX_SCANS 1000  // progressive scans; real encoders write at most a few dozen

typedef struct vd_jpeg_errors {
  struct jpeg_error_mgr pub;       // libjpeg's handler, first so the pointers convert
  jmp_buf jump;                    // where a fatal error returns to
  char message[JMSG_LENGTH_MAX];   // libjpeg's text of the fatal error
} vd_jpeg_errors;

typedef struct vd_jpeg_reader {
  struct jpeg_decompress_struct cinfo;  // libjpeg's state
  vd_jpeg_errors errors;                // error handler (cinfo.err points here)
  struct jpeg_source_mgr source;        // the whole file as one buffer; suspends at its end
  struct jpeg_progress_mgr progress;    // counts scans
  const char *name;                     // for messages
  uint8_t *pixels;                      // output rows
  int created;                          // jpeg_create_decompress ran
} vd_jpeg_reader;

static void vd_jpeg_error_exit(j_common_ptr cinfo) {
  vd_jpeg_errors *e = (vd_jpeg_errors *)cinfo->err;
  (*cinfo->err->format_message)(cinfo, e->message);
  longjmp(e->jump, 1);
}

static void vd_jpeg_quiet(j_common_ptr cinfo) { (void)cinfo; }

static void vd_jpeg_no_op(j_decompress_ptr cinfo) { (void)cinfo; }

static boolean vd_jpeg_suspend(j_decompress_ptr cinfo) {
  (void)cinfo;
  return FALSE;  // no more data: libjpeg suspends, the caller sees a truncated file
}

static void vd_jpeg_skip(j_decompress_ptr cinfo, long bytes) {
  struct jpeg_source_mgr *s = cinfo->src;
  if (bytes <= 0) return;
  size_t n = (size_t)bytes < s->bytes_in_buffer ? (size_t)bytes : s->bytes_in_buffer;
  s->next_input_byte += n;
  s->bytes_in_buffer -= n;
}

static void vd_jpeg_count_scans(j_common_ptr common) {
  j_decompress_ptr cinfo = (j_decompress_ptr)common;
  if (cinfo->input_scan_number > VD_JPEG_MAX_SCANS) {
    vd_jpeg_errors *e = (vd_jpeg_errors *)common->err;
    snprintf(e->message, sizeof(e->message), "more than %d scans", VD_JPEG_MAX_SCANS);
    longjmp(e->jump, 1);
  }
}

static void vd_jpeg_init(vd_jpeg_reader *r, const uint8_t *data, size_t size) {
  r->cinfo.err = jpeg_std_error(&r->errors.pub);
  r->errors.pub.error_exit = vd_jpeg_error_exit;
  r->errors.pub.output_message = vd_jpeg_quiet;
  jpeg_create_decompress(&r->cinfo);
  r->created = 1;
  r->source.next_input_byte = data;
  r->source.bytes_in_buffer = size;
  r->source.init_source = vd_jpeg_no_op;
  r->source.fill_input_buffer = vd_jpeg_suspend;
  r->source.skip_input_data = vd_jpeg_skip;
  r->source.resync_to_restart = jpeg_resync_to_restart;
  r->source.term_source = vd_jpeg_no_op;
  r->cinfo.src = &r->source;
  r->progress.progress_monitor = vd_jpeg_count_scans;
  r->cinfo.progress = &r->progress;
}

static vd_status vd_jpeg_truncated(const vd_jpeg_reader *r) {
  return vd_status_make(VD_ERR_FORMAT, "%s: JPEG file is truncated", r->name);
}

// Reads the header (markers up to the first scan) and sets Pillow's output colour space.
static vd_status vd_jpeg_header(vd_jpeg_reader *r, vd_image_info *out_info) {
  if (jpeg_read_header(&r->cinfo, TRUE) != JPEG_HEADER_OK) return vd_jpeg_truncated(r);
  int n = r->cinfo.num_components;
  if (n != 1 && n != 3 && n != 4)
    return vd_status_make(VD_ERR_FORMAT, "%s: JPEG with %d components (1, 3 or 4 supported)", r->name, n);
  r->cinfo.out_color_space = n == 1 ? JCS_GRAYSCALE : n == 3 ? JCS_RGB : JCS_CMYK;
  out_info->codec = VD_CODEC_JPEG;
  out_info->width = (int)r->cinfo.image_width;
  out_info->height = (int)r->cinfo.image_height;
  snprintf(out_info->mode, sizeof(out_info->mode), "%s", n == 1 ? "L" : n == 3 ? "RGB" : "CMYK");
  return vd_image_check_size(r->cinfo.image_width, r->cinfo.image_height, r->name);
}

static vd_status vd_jpeg_scanlines(vd_jpeg_reader *r, vd_source_image *out) {
  if (!jpeg_start_decompress(&r->cinfo)) return vd_jpeg_truncated(r);
  size_t row = (size_t)r->cinfo.output_width * (size_t)r->cinfo.output_components;
  r->pixels = malloc(row * r->cinfo.output_height);
  if (!r->pixels)
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: no memory for %u x %u JPEG pixels", r->name,
                          r->cinfo.output_width, r->cinfo.output_height);
  while (r->cinfo.output_scanline < r->cinfo.output_height) {
    JSAMPROW dst = r->pixels + row * r->cinfo.output_scanline;
    if (jpeg_read_scanlines(&r->cinfo, &dst, 1) != 1) return vd_jpeg_truncated(r);
  }
  (void)jpeg_finish_decompress(&r->cinfo);  // suspends when EOI is missing: fine, as for Pillow
  int n = r->cinfo.output_components;
  out->mode = n == 1 ? VD_SOURCE_L : n == 3 ? VD_SOURCE_RGB : VD_SOURCE_CMYK;
  if (out->mode == VD_SOURCE_CMYK)
    for (size_t i = 0; i < row * r->cinfo.output_height; ++i) r->pixels[i] = (uint8_t)(255 - r->pixels[i]);
  out->width = (int)r->cinfo.output_width;
  out->height = (int)r->cinfo.output_height;
  out->pixels = r->pixels;
  r->pixels = NULL;
  return NULL;
}

// Walks the markers up to the first SOF (as Pillow's JPEG plugin does before libjpeg sees the file) and
// checks the frame's size, so that an oversized image is refused before libjpeg allocates anything.
// Files without a readable SOF are left to libjpeg, whose error then names what is wrong.
static vd_status vd_jpeg_check_frame(const uint8_t *d, size_t size, const char *name) {
  size_t at = 2;
  while (at + 4 <= size) {
    if (d[at] != 0xff) return NULL;
    uint8_t marker = d[at + 1];
    if (marker == 0xff) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {  // no length
      at += 2;
      continue;
    }
    size_t len = (size_t)d[at + 2] << 8 | d[at + 3];
    int sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
    if (sof && len >= 7 && at + 9 <= size)
      return vd_image_check_size((uint64_t)d[at + 7] << 8 | d[at + 8], (uint64_t)d[at + 5] << 8 | d[at + 6], name);
    if (marker == 0xda || len < 2) return NULL;
    at += 2 + len;
  }
  return NULL;
}

// Runs probe (out_source NULL) or decode; every libjpeg error lands at the setjmp.
static vd_status vd_jpeg_run(vd_jpeg_reader *r, const uint8_t *data, size_t size, vd_image_info *out_info,
                             vd_source_image *out_source) {
  if (setjmp(r->errors.jump))
    return vd_status_make(VD_ERR_FORMAT, "%s: broken JPEG file: %s", r->name, r->errors.message);
  vd_jpeg_init(r, data, size);
  VD_RETURN_IF_ERROR(vd_jpeg_header(r, out_info));
  return out_source ? vd_jpeg_scanlines(r, out_source) : NULL;
}

static vd_status vd_jpeg_do(const uint8_t *data, size_t size, const char *name, vd_image_info *out_info,
                            vd_source_image *out_source) {
  VD_RETURN_IF_ERROR(vd_jpeg_check_frame(data, size, name));
  vd_jpeg_reader *r = calloc(1, sizeof(*r));
  if (!r) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: no memory for the JPEG decoder", name);
  r->name = name;
  vd_status st = vd_jpeg_run(r, data, size, out_info, out_source);
  if (r->created) jpeg_destroy_decompress(&r->cinfo);
  free(r->pixels);
  free(r);
  return st;
}

vd_status vd_jpeg_probe(const uint8_t *data, size_t size, const char *name, vd_image_info *out_info) {
  return vd_jpeg_do(data, size, name, out_info, NULL);
}

vd_status vd_jpeg_decode(const uint8_t *data, size_t size, const char *name, vd_source_image *out_source) {
  vd_image_info info;
  return vd_jpeg_do(data, size, name, &info, out_source);
}
