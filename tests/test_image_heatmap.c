// The heat-map overlay against OpenCV 4.6 and test.py's own steps (tests/data/images/heatmap.txt):
// all 256 COLORMAP_JET entries, addWeighted(0.5, 0.5) on all 65,536 byte pairs, and whole overlays of
// 40x30 and 256x256 maps on de-normalised images, both as test.py's file holds them and in true colour.
#include <math.h>

#include "anomaly/heatmap.h"
#include "anomaly/preprocess.h"
#include "tests/image_goldens.h"
#include "tests/vdtest.h"

static void test_jet_and_blend(FILE *f) {
  char line[256], tag[32];
  int entries = 0, same = 0;
  while (entries < 256 && vdt_next_line(f, line, sizeof(line))) {
    int i, r, g, b;
    if (sscanf(line, "%31s %d %d %d %d", tag, &i, &r, &g, &b) != 5 || strcmp(tag, "jet") != 0) break;
    uint8_t rgb[3];
    vd_colormap_jet((uint8_t)i, rgb);
    CHECK_MSG(rgb[0] == r && rgb[1] == g && rgb[2] == b, "jet %d: %d %d %d, OpenCV %d %d %d", i, rgb[0], rgb[1],
              rgb[2], r, g, b);
    same += rgb[0] == r && rgb[1] == g && rgb[2] == b;
    ++entries;
  }
  CHECK_MSG(entries == 256 && same == 256, "%d of %d JET entries as OpenCV's", same, entries);
  unsigned long long want = 0;
  CHECK(vdt_next_line(f, line, sizeof(line)) && sscanf(line, "addweighted %llx", &want) == 1);
  uint8_t *pairs = malloc(256 * 256);
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) pairs[a * 256 + b] = vd_heatmap_blend((uint8_t)a, (uint8_t)b);
  CHECK_MSG(vdt_fnv64(pairs, 256 * 256) == want, "addWeighted(0.5, 0.5) differs from OpenCV's");
  free(pairs);
}

// test.py's inputs for one case: the map and the de-normalised image.
static double *overlay_inputs(int w, int h, int seed, vd_image *out_image) {
  double *map = malloc(sizeof(double) * (size_t)w * (size_t)h);
  for (int i = 0; i < w * h; ++i) {
    double unit = (double)(vdt_mix(3000 + (uint64_t)seed, (uint64_t)i) >> 11) * 0x1p-53;
    double scaled = unit * 0.7;  // two statements: two roundings, as numpy
    map[i] = scaled + 0.1;
  }
  vd_image px = vdt_pattern("smooth", 3100 + (uint64_t)seed, w, h, 3);
  float *norm = malloc(sizeof(float) * 3 * (size_t)w * (size_t)h);
  CHECK_OK(vd_image_normalize(&px, norm));
  CHECK_OK(vd_image_denormalize(norm, w, h, VD_DENORM_TRUNCATE, out_image));
  free(norm);
  vd_image_free(&px);
  return map;
}

static void test_overlays(FILE *f) {
  char line[256], order[32];
  int cases = 0, same = 0;
  while (vdt_next_line(f, line, sizeof(line))) {
    int w, h, seed;
    unsigned long long want;
    if (sscanf(line, "overlay %d %d %d %31s %llx", &w, &h, &seed, order, &want) != 5) continue;
    vd_image img, out;
    double *map = overlay_inputs(w, h, seed, &img);
    vd_heatmap_order o = !strcmp(order, "reference") ? VD_HEATMAP_REFERENCE_FILE : VD_HEATMAP_TRUE_COLOUR;
    CHECK_OK(vd_heatmap_overlay(map, &img, o, &out));
    uint64_t got = out.pixels ? vdt_fnv64(out.pixels, (size_t)w * (size_t)h * 3) : 0;
    CHECK_MSG(got == want, "overlay %dx%d seed %d (%s) differs from test.py's", w, h, seed, order);
    same += got == want;
    ++cases;
    vd_image_free(&out);
    vd_image_free(&img);
    free(map);
  }
  CHECK_MSG(cases == 4 && same == cases, "%d of %d overlays identical", same, cases);
  printf("heatmap: 256 JET entries, 65536 blends and %d of %d overlays identical to OpenCV / test.py\n", same, cases);
}

static void test_levels(void) {
  const double ramp[5] = {-2.0, -1.0, 0.0, 1.0, 2.0};
  uint8_t lv[5];
  CHECK_OK(vd_heatmap_levels(ramp, 5, 1, lv));
  // 255 * (x + 2) / 4: 0, 63.75, 127.5, 191.25, 255 -> np.round: 0, 64, 128 (half to even), 191, 255
  CHECK(lv[0] == 0 && lv[1] == 64 && lv[2] == 128 && lv[3] == 191 && lv[4] == 255);
  const double flat[3] = {0.5, 0.5, 0.5};
  CHECK_OK(vd_heatmap_levels(flat, 3, 1, lv));
  CHECK(lv[0] == 0 && lv[1] == 0 && lv[2] == 0);
  const double bad[2] = {0.0, NAN};
  CHECK_ERR(vd_heatmap_levels(bad, 2, 1, lv), VD_ERR_INVALID_ARGUMENT);
  vd_image grey, out;
  CHECK_OK(vd_image_alloc(2, 1, 1, &grey));
  memset(grey.pixels, 0, 2);
  CHECK_ERR(vd_heatmap_overlay(ramp, &grey, VD_HEATMAP_TRUE_COLOUR, &out), VD_ERR_INVALID_ARGUMENT);
  vd_image_free(&grey);
}

int main(void) {
  FILE *f = vdt_open_manifest("heatmap.txt");
  test_jet_and_blend(f);
  test_overlays(f);
  fclose(f);
  test_levels();
  return vdt_finish("test_image_heatmap");
}
