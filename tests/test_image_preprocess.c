// torchvision's transforms against torchvision 0.14 / torch 1.13 itself: ToTensor + Normalize and ToTensor
// alone on every uint8 value of every channel (values_*.npy, written by numpy: exhaustive, since both are
// per-value maps), the reference's de-normalisation of those tensors, and the whole dataset transform
// (decode, Resize((256, 256)), ToTensor, Normalize) of files of every kind (pipeline.txt), float for float.
#include "anomaly/npy.h"
#include "anomaly/preprocess.h"
#include "tests/image_goldens.h"
#include "tests/vdtest.h"
#include "tests/weights_util.h"  // CHECK_ERR_MSG

static int same_floats(const float *a, const float *b, size_t n) {
  return memcmp(a, b, n * sizeof(float)) == 0;
}

static vd_npy_array load_values(const char *name, int64_t d0) {
  char path[512];
  snprintf(path, sizeof(path), "%s/%s", VDT_IMAGES, name);
  vd_npy_array a;
  CHECK_OK(vd_npy_read(path, &a));
  CHECK_MSG(a.dtype == VD_NPY_F32 && a.rank == 3 && a.shape[0] == d0 && a.shape[1] == 1 && a.shape[2] == 256,
            "%s: unexpected dtype or shape", name);
  return a;
}

// Every byte value in every channel: a 256 x 1 image whose pixel i is (i, i, i).
static vd_image all_values(int channels) {
  vd_image img;
  CHECK_OK(vd_image_alloc(256, 1, channels, &img));
  for (int i = 0; i < 256; ++i) memset(img.pixels + channels * i, i, (size_t)channels);
  return img;
}

static void test_values(void) {
  vd_npy_array norm = load_values("values_normalize.npy", 3), mask = load_values("values_mask.npy", 1),
               den = load_values("values_denormalize.npy", 3);
  vd_image rgb = all_values(3), grey = all_values(1);
  float got[3 * 256];
  CHECK_OK(vd_image_normalize(&rgb, got));
  CHECK_MSG(norm.data && same_floats(got, norm.data, 3 * 256), "ToTensor + Normalize differs from torchvision");
  CHECK_OK(vd_mask_to_unit(&grey, got));
  CHECK_MSG(mask.data && same_floats(got, mask.data, 256), "ToTensor of a mask differs from torchvision");
  // De-normalisation: torch's (x * std + mean) * 255, rounded both ways.
  vd_image back;
  CHECK_OK(vd_image_denormalize(norm.data, 256, 1, VD_DENORM_TRUNCATE, &back));
  int trunc_same = 0, round_same = 0, below = 0;
  const float *d = den.data;
  for (int c = 0; d && back.pixels && c < 3; ++c)
    for (int i = 0; i < 256; ++i) {
      float v = d[c * 256 + i];
      trunc_same += back.pixels[3 * i + c] == (uint8_t)v;
      below += back.pixels[3 * i + c] != i;
    }
  vd_image_free(&back);
  CHECK_OK(vd_image_denormalize(norm.data, 256, 1, VD_DENORM_ROUND, &back));
  for (int i = 0; back.pixels && i < 3 * 256; ++i) round_same += back.pixels[i] == i / 3;
  CHECK_MSG(trunc_same == 768, "truncated de-normalisation: %d of 768 as numpy", trunc_same);
  CHECK_MSG(round_same == 768, "rounded de-normalisation: %d of 768 give the original byte", round_same);
  CHECK_MSG(below == 137, "%d of 768 truncated values below the original (137 with torch 1.13)", below);
  vd_image_free(&back);
  vd_image_free(&rgb);
  vd_image_free(&grey);
  vd_npy_free(&norm);
  vd_npy_free(&mask);
  vd_npy_free(&den);
}

static void test_pipeline(void) {
  FILE *f = vdt_open_manifest("pipeline.txt");
  char line[256], file[128], kind[16];
  int cases = 0, same = 0;
  while (vdt_next_line(f, line, sizeof(line))) {
    unsigned long long want;
    if (sscanf(line, "%127s %15s %llx", file, kind, &want) != 3) continue;
    char path[512];
    snprintf(path, sizeof(path), "%s/decode/%s", VDT_IMAGES, file);
    int image = !strcmp(kind, "image");
    float *t = NULL;
    CHECK_OK(image ? vd_load_image_tensor(path, VD_INPUT_SIZE, &t) : vd_load_mask_tensor(path, VD_INPUT_SIZE, &t));
    size_t n = (size_t)(image ? 3 : 1) * VD_INPUT_SIZE * VD_INPUT_SIZE;
    uint64_t got = t ? vdt_fnv64(t, n * sizeof(float)) : 0;
    CHECK_MSG(got == want, "%s (%s): tensor differs from torchvision's", file, kind);
    same += got == want;
    ++cases;
    free(t);
  }
  fclose(f);
  CHECK_MSG(cases >= 20 && same == cases, "%d of %d tensors identical to torchvision", same, cases);
  printf("preprocess: 768 + 256 values and %d of %d file tensors identical to torchvision\n", same, cases);
}

static void test_errors(void) {
  float *t = (float *)1;
  CHECK_ERR_MSG(vd_load_image_tensor(VDT_IMAGES "/nothing.jpg", 256, &t), "nothing.jpg");
  CHECK(t == NULL);
  CHECK_ERR(vd_load_mask_tensor(VDT_IMAGES "/decode/mask_l_300x217.png", 0, &t), VD_ERR_INVALID_ARGUMENT);
  vd_image grey = all_values(1), rgb = all_values(3);
  float buf[3 * 256];
  CHECK_ERR(vd_image_normalize(&grey, buf), VD_ERR_INVALID_ARGUMENT);
  CHECK_ERR(vd_mask_to_unit(&rgb, buf), VD_ERR_INVALID_ARGUMENT);
  vd_image_free(&grey);
  vd_image_free(&rgb);
  const float odd[3] = {NAN, 1e9f, -1e9f};  // NaN -> 0, clamped above and below
  vd_image out;
  CHECK_OK(vd_image_denormalize(odd, 1, 1, VD_DENORM_ROUND, &out));
  CHECK(out.pixels && out.pixels[0] == 0 && out.pixels[1] == 255 && out.pixels[2] == 0);
  vd_image_free(&out);
}

int main(void) {
  test_values();
  test_pipeline();
  test_errors();
  return vdt_finish("test_image_preprocess");
}
