// The PNG writer: L8 and RGB8 images of odd sizes (1x1 to 3x1000 and 256x256; noise, ramps, flat) encode
// and decode back to the same bytes (the decoder being the Pillow-exact one; tests/test_image_interop.c
// has Pillow itself read them), files are written atomically (nothing but the file afterwards, an error
// naming the path and no file when the folder does not exist), and bad images are refused.
#include <dirent.h>

#include "anomaly/image.h"
#include "tests/image_goldens.h"
#include "tests/vdtest.h"
#include "tests/weights_util.h"  // CHECK_ERR_MSG

static int round_trips(const vd_image *img) {
  uint8_t *png = NULL;
  size_t size = 0;
  vd_status st = vd_image_encode_png(img, &png, &size);
  if (st) {
    fprintf(stderr, "encode: %s\n", vd_status_message(st));
    vd_status_free(st);
    return 0;
  }
  vd_image back;
  vd_image_info info;
  st = vd_image_probe_memory(png, size, "mine.png", &info);
  int ok = !st && !strcmp(info.mode, img->channels == 3 ? "RGB" : "L");
  vd_status_free(st);
  st = vd_image_decode_memory(png, size, "mine.png", img->channels == 3 ? VD_PIXELS_RGB8 : VD_PIXELS_L8, &back);
  ok = ok && !st && back.width == img->width && back.height == img->height &&
       !memcmp(back.pixels, img->pixels, (size_t)img->width * (size_t)img->height * (size_t)img->channels);
  vd_status_free(st);
  vd_image_free(&back);
  free(png);
  return ok;
}

static void test_round_trips(void) {
  const int sizes[][2] = {{1, 1}, {13, 7}, {7, 13}, {256, 256}, {3, 1000}, {1000, 3}, {2, 2}};
  const char *kinds[] = {"noise", "smooth", "flat"};
  int cases = 0, ok = 0;
  for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); ++s)
    for (int k = 0; k < 3; ++k)
      for (int c = 1; c <= 3; c += 2) {
        vd_image img = vdt_pattern(k == 1 ? "smooth" : "noise", 50 + s, sizes[s][0], sizes[s][1], c);
        if (k == 2) memset(img.pixels, 77, (size_t)sizes[s][0] * (size_t)sizes[s][1] * (size_t)c);
        int good = round_trips(&img);
        CHECK_MSG(good, "%s %dx%dx%d does not round-trip", kinds[k], sizes[s][0], sizes[s][1], c);
        ok += good;
        ++cases;
        vd_image_free(&img);
      }
  printf("png write: %d of %d images round-trip\n", ok, cases);
}

static int entries(const char *dir) {
  DIR *d = opendir(dir);
  int n = 0;
  for (struct dirent *e; d && (e = readdir(d));) n += e->d_name[0] != '.';
  if (d) closedir(d);
  return n;
}

static void test_files(void) {
  char dir[256], path[300];
  vdt_scratch_dir("pngw", dir, sizeof(dir));
  snprintf(path, sizeof(path), "%s/heat.png", dir);
  vd_image img = vdt_pattern("smooth", 9, 64, 48, 3), back;
  CHECK_OK(vd_image_save_png(path, &img));
  CHECK_OK(vd_image_save_png(path, &img));  // replacing an existing file
  CHECK_OK(vd_image_load(path, VD_PIXELS_RGB8, &back));
  CHECK(back.pixels && !memcmp(back.pixels, img.pixels, 64 * 48 * 3));
  CHECK_MSG(entries(dir) == 1, "%d entries in the folder (a temporary file left?)", entries(dir));
  vd_image_free(&back);
  snprintf(path, sizeof(path), "%s/missing/heat.png", dir);
  CHECK_ERR_MSG(vd_image_save_png(path, &img), "missing/heat.png");
  vd_image bad = img;
  bad.channels = 2;
  snprintf(path, sizeof(path), "%s/bad.png", dir);
  CHECK_ERR_MSG(vd_image_save_png(path, &bad), "bad.png");
  CHECK(entries(dir) == 1);
  snprintf(path, sizeof(path), "%s/heat.png", dir);
  remove(path);
  CHECK(rmdir(dir) == 0);
  vd_image_free(&img);
}

int main(void) {
  test_round_trips();
  test_files();
  return vdt_finish("test_image_png_write");
}
