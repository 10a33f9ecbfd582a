// Writes JPEG files that Pillow's encoder cannot make, for the image decoding goldens
// (tools/reference/make_image_goldens.py compiles and runs it): YCCK and Adobe CMYK, the RGB colour space
// (no YCbCr transform), unusual sampling factors (4:4:0, 4:1:1, per-component), arithmetic coding and
// restart intervals, baseline or progressive. Raw interleaved 8-bit samples come on stdin.
//
//   jpeg_write_tool OUT W H IN(gray|rgb|cmyk) SPACE(gray|ycbcr|rgb|cmyk|ycck) SAMPLING QUALITY FLAGS
//     SAMPLING  "HxV,HxV,..." one factor pair per component, e.g. "2x1,1x1,1x1" (4:2:2)
//     FLAGS     letters: p progressive, a arithmetic coding, r restart interval of 1 MCU row, o optimise
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

typedef struct tool_error {
  struct jpeg_error_mgr pub;  // libjpeg's handler
  jmp_buf jump;               // where error_exit returns to
} tool_error;

static void tool_error_exit(j_common_ptr cinfo) {
  (*cinfo->err->output_message)(cinfo);
  longjmp(((tool_error *)cinfo->err)->jump, 1);
}

static J_COLOR_SPACE tool_space(const char *s) {
  if (!strcmp(s, "gray")) return JCS_GRAYSCALE;
  if (!strcmp(s, "rgb")) return JCS_RGB;
  if (!strcmp(s, "ycbcr")) return JCS_YCbCr;
  if (!strcmp(s, "cmyk")) return JCS_CMYK;
  if (!strcmp(s, "ycck")) return JCS_YCCK;
  fprintf(stderr, "unknown colour space %s\n", s);
  exit(2);
}

static void tool_sampling(struct jpeg_compress_struct *c, const char *spec) {
  for (int i = 0; i < c->num_components; ++i) {
    int h = 1, v = 1;
    if (spec && sscanf(spec, "%dx%d", &h, &v) != 2) {
      fprintf(stderr, "bad sampling %s\n", spec);
      exit(2);
    }
    c->comp_info[i].h_samp_factor = h;
    c->comp_info[i].v_samp_factor = v;
    spec = spec ? strchr(spec, ',') : NULL;
    if (spec) ++spec;
  }
}

int main(int argc, char **argv) {
  if (argc != 9) {
    fprintf(stderr, "usage: %s OUT W H IN SPACE SAMPLING QUALITY FLAGS\n", argv[0]);
    return 2;
  }
  int w = atoi(argv[2]), h = atoi(argv[3]);
  J_COLOR_SPACE in = tool_space(argv[4]);
  int comps = in == JCS_GRAYSCALE ? 1 : in == JCS_RGB ? 3 : 4;
  size_t row = (size_t)w * comps;
  unsigned char *pixels = malloc(row * h);
  if (!pixels || fread(pixels, 1, row * h, stdin) != row * h) {
    fprintf(stderr, "expected %zu bytes on stdin\n", row * h);
    return 1;
  }
  FILE *out = fopen(argv[1], "wb");
  if (!out) return 1;
  struct jpeg_compress_struct c;
  tool_error err;
  c.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = tool_error_exit;
  if (setjmp(err.jump)) return 1;
  jpeg_create_compress(&c);
  jpeg_stdio_dest(&c, out);
  c.image_width = (JDIMENSION)w;
  c.image_height = (JDIMENSION)h;
  c.input_components = comps;
  c.in_color_space = in;
  jpeg_set_defaults(&c);
  jpeg_set_colorspace(&c, tool_space(argv[5]));
  jpeg_set_quality(&c, atoi(argv[7]), TRUE);
  tool_sampling(&c, argv[6]);
  const char *flags = argv[8];
  if (strchr(flags, 'p')) jpeg_simple_progression(&c);
  if (strchr(flags, 'a')) c.arith_code = TRUE;
  if (strchr(flags, 'r')) c.restart_in_rows = 1;
  if (strchr(flags, 'o')) c.optimize_coding = TRUE;
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW r = pixels + row * c.next_scanline;
    jpeg_write_scanlines(&c, &r, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  fclose(out);
  free(pixels);
  return 0;
}
