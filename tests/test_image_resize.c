// Pillow's Image.resize(..., BILINEAR) and Image.resize(...) (BICUBIC, the default for RGB) against Pillow
// 9.4 itself (tests/data/images/resize.txt, resize_bicubic.txt): synthetic noise and ramp images (the
// generator's pattern) from 1x1 to 4000x1, RGB and L, down to and up from 256x256, to other sizes (one
// axis only, 1x1, 2000x2, 255x257, ...), to the captioner's tile grids (up to 448x5376) and to seeded random
// sizes, every output byte compared.
#include "anomaly/resize.h"
#include "tests/image_goldens.h"
#include "tests/vdtest.h"

static void test_goldens(const char *manifest, vd_resample_filter filter) {
  FILE *f = vdt_open_manifest(manifest);
  char line[256], kind[16];
  int cases = 0, same = 0;
  while (vdt_next_line(f, line, sizeof(line))) {
    unsigned long long seed, want;
    int c, iw, ih, ow, oh;
    if (sscanf(line, "%15s %llu %d %d %d %d %d %llx", kind, &seed, &c, &iw, &ih, &ow, &oh, &want) != 8) {
      CHECK_MSG(0, "bad %s line: %s", manifest, line);
      continue;
    }
    vd_image in = vdt_pattern(kind, seed, iw, ih, c), out;
    CHECK_OK(vd_image_resample(&in, ow, oh, filter, &out));
    uint64_t got = out.pixels ? vdt_fnv64(out.pixels, (size_t)ow * (size_t)oh * (size_t)c) : 0;
    CHECK_MSG(got == want && out.width == ow && out.height == oh && out.channels == c,
              "%s: %s %llu: %dx%dx%d -> %dx%d differs from Pillow", manifest, kind, seed, iw, ih, c, ow, oh);
    same += got == want;
    ++cases;
    vd_image_free(&in);
    vd_image_free(&out);
  }
  fclose(f);
  CHECK_MSG(cases >= 100 && same == cases, "%s: %d of %d resizes identical to Pillow", manifest, same, cases);
  printf("resize (%s): %d of %d cases identical to Pillow\n", manifest, same, cases);
}

static void test_errors(void) {
  vd_image in = vdt_pattern("noise", 1, 4, 4, 3), out;
  CHECK_ERR(vd_image_resize(&in, 0, 5, &out), VD_ERR_INVALID_ARGUMENT);
  CHECK_ERR(vd_image_resize(&in, 5, -1, &out), VD_ERR_INVALID_ARGUMENT);
  CHECK_ERR(vd_image_resize(&in, 70000, 1, &out), VD_ERR_LIMIT);
  CHECK(out.pixels == NULL);
  vd_image bad = in;
  bad.channels = 4;
  CHECK_ERR(vd_image_resize(&bad, 5, 5, &out), VD_ERR_INVALID_ARGUMENT);
  CHECK_ERR(vd_image_resample(&in, 5, 5, (vd_resample_filter)7, &out), VD_ERR_INVALID_ARGUMENT);
  vd_image_free(&in);
}

// A constant image stays constant at any size and with either filter (every coefficient row sums to 2^22
// within rounding; bicubic's negative lobes cancel).
static void test_constant(vd_resample_filter filter) {
  vd_image in;
  CHECK_OK(vd_image_alloc(37, 23, 1, &in));
  memset(in.pixels, 255, 37 * 23);
  const int sizes[][2] = {{256, 256}, {1, 1}, {5, 300}, {37, 1}};
  for (int i = 0; i < 4; ++i) {
    vd_image out;
    CHECK_OK(vd_image_resample(&in, sizes[i][0], sizes[i][1], filter, &out));
    int all = out.pixels != NULL;
    for (int k = 0; all && k < sizes[i][0] * sizes[i][1]; ++k) all = out.pixels[k] == 255;
    CHECK_MSG(all, "constant 255 image resized to %dx%d changed", sizes[i][0], sizes[i][1]);
    vd_image_free(&out);
  }
  vd_image_free(&in);
}

int main(void) {
  test_goldens("resize.txt", VD_RESAMPLE_BILINEAR);
  test_goldens("resize_bicubic.txt", VD_RESAMPLE_BICUBIC);
  test_errors();
  test_constant(VD_RESAMPLE_BILINEAR);
  test_constant(VD_RESAMPLE_BICUBIC);
  return vdt_finish("test_image_resize");
}
