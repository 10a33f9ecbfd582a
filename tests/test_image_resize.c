// Pillow's Image.resize(..., BILINEAR) against Pillow 9.4 itself (tests/data/images/resize.txt): synthetic
// noise and ramp images (the generator's pattern) from 1x1 to 2000x1500, RGB and L, down to and up from
// 256x256 and to other sizes (one axis only, 1x1, 2000x2, 255x257, ...), every output byte compared.
#include "anomaly/resize.h"
#include "tests/image_goldens.h"
#include "tests/vdtest.h"

static void test_goldens(void) {
  FILE *f = vdt_open_manifest("resize.txt");
  char line[256], kind[16];
  int cases = 0, same = 0;
  while (vdt_next_line(f, line, sizeof(line))) {
    unsigned long long seed, want;
    int c, iw, ih, ow, oh;
    if (sscanf(line, "%15s %llu %d %d %d %d %d %llx", kind, &seed, &c, &iw, &ih, &ow, &oh, &want) != 8) {
      CHECK_MSG(0, "bad resize.txt line: %s", line);
      continue;
    }
    vd_image in = vdt_pattern(kind, seed, iw, ih, c), out;
    CHECK_OK(vd_image_resize(&in, ow, oh, &out));
    uint64_t got = out.pixels ? vdt_fnv64(out.pixels, (size_t)ow * (size_t)oh * (size_t)c) : 0;
    CHECK_MSG(got == want && out.width == ow && out.height == oh && out.channels == c,
              "%s %llu: %dx%dx%d -> %dx%d differs from Pillow", kind, seed, iw, ih, c, ow, oh);
    same += got == want;
    ++cases;
    vd_image_free(&in);
    vd_image_free(&out);
  }
  fclose(f);
  CHECK_MSG(cases >= 100 && same == cases, "%d of %d resizes identical to Pillow", same, cases);
  printf("resize: %d of %d cases identical to Pillow\n", same, cases);
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
  vd_image_free(&in);
}

// A constant image stays constant at any size (every coefficient row sums to 2^22 within rounding).
static void test_constant(void) {
  vd_image in;
  CHECK_OK(vd_image_alloc(37, 23, 1, &in));
  memset(in.pixels, 255, 37 * 23);
  const int sizes[][2] = {{256, 256}, {1, 1}, {5, 300}, {37, 1}};
  for (int i = 0; i < 4; ++i) {
    vd_image out;
    CHECK_OK(vd_image_resize(&in, sizes[i][0], sizes[i][1], &out));
    int all = out.pixels != NULL;
    for (int k = 0; all && k < sizes[i][0] * sizes[i][1]; ++k) all = out.pixels[k] == 255;
    CHECK_MSG(all, "constant 255 image resized to %dx%d changed", sizes[i][0], sizes[i][1]);
    vd_image_free(&out);
  }
  vd_image_free(&in);
}

int main(void) {
  test_goldens();
  test_errors();
  test_constant();
  return vdt_finish("test_image_resize");
}
