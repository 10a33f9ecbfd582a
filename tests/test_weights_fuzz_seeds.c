// Writes the seed corpora of the fuzz targets (tests/fuzz) into BUILD/fuzz-corpus/<target>/, from the
// goldens and the same builders the hostile-file tests use; checks that every seed parses as intended.
#include <errno.h>
#include <sys/stat.h>

#include "formats/checkpoint.h"
#include "formats/safetensors.h"
#include "formats/zip.h"
#include "tests/weights_samples.h"
#include "tests/weights_util.h"

#define GOLDEN_DIR VLMD_SOURCE_DIR "/tests/data/weights/"

static void make_dir(const char *path) {
  if (mkdir(path, 0755) != 0 && errno != EEXIST) {
    fprintf(stderr, "cannot create %s\n", path);
    exit(1);
  }
}

static void seed(const char *target, const char *name, const void *data, size_t size) {
  char path[700];
  snprintf(path, sizeof(path), "%s/fuzz-corpus", VLMD_BINARY_DIR);
  make_dir(path);
  snprintf(path, sizeof(path), "%s/fuzz-corpus/%s", VLMD_BINARY_DIR, target);
  make_dir(path);
  snprintf(path, sizeof(path), "%s/fuzz-corpus/%s/seed-%s", VLMD_BINARY_DIR, target, name);
  FILE *f = fopen(path, "wb");
  CHECK(f && fwrite(data, 1, size, f) == size);
  if (f) fclose(f);
}

static vdt_buf read_file(const char *path) {
  vdt_buf b = {0};
  FILE *f = fopen(path, "rb");
  CHECK(f != NULL);
  uint8_t chunk[4096];
  size_t n;
  while (f && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) vdt_buf_put(&b, chunk, n);
  if (f) fclose(f);
  return b;
}

static void seed_weight_files(void) {
  vdt_buf st = read_file(GOLDEN_DIR "golden.safetensors");
  seed("safetensors", "golden", st.data, st.size);
  vdt_buf_free(&st);
  st = vdt_safetensors_bytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                             "\"b\":{\"dtype\":\"BF16\",\"shape\":[],\"data_offsets\":[16,18]}}",
                             18);
  seed("safetensors", "small", st.data, st.size);
  vdt_buf_free(&st);

  vdt_buf ck = read_file(GOLDEN_DIR "golden.ckpt");
  seed("zip", "golden", ck.data, ck.size);
  seed("checkpoint", "golden", ck.data, ck.size);
  vd_zip *z = NULL;
  CHECK_OK(vd_zip_open(ck.data, ck.size, "golden.ckpt", &z));
  const vd_zip_entry *pkl = z ? vd_zip_find(z, "golden/data.pkl") : NULL;
  CHECK(pkl != NULL);
  if (pkl) seed("pickle", "golden", vd_zip_entry_data(z, pkl), pkl->size);
  vd_zip_destroy(z);
  vdt_buf_free(&ck);
  ck = read_file(GOLDEN_DIR "golden_bare.pth");
  seed("checkpoint", "bare", ck.data, ck.size);
  vdt_buf_free(&ck);
}

static void seed_built(void) {
  vdt_pk_tensor t[2] = {{"w", "FloatStorage", "0", 6, 0, 2, {3, 2}, {1, 3}},
                        {"h", "HalfStorage", "1", 4, 1, 1, {3}, {1}}};
  vdt_buf pkl = vdt_pk_state_dict(t, 2);
  seed("pickle", "two-tensors", pkl.data, pkl.size);
  uint8_t storage[24] = {0};
  vdt_zip_item items[3] = {{"arc/data.pkl", pkl.data, pkl.size, 0, 0},
                           {"arc/data/0", storage, 24, 0, 0},
                           {"arc/data/1", storage, 8, 0, 0}};
  for (int zip64 = 0; zip64 < 2; ++zip64) {
    vdt_buf zip = vdt_zip_build(items, 3, zip64);
    vd_checkpoint *c = NULL;
    CHECK_OK(vd_checkpoint_parse(zip.data, zip.size, "built.ckpt", &c));
    CHECK(c && vd_checkpoint_count(c) == 2);
    vd_checkpoint_destroy(c);
    seed("zip", zip64 ? "built64" : "built", zip.data, zip.size);
    seed("checkpoint", zip64 ? "built64" : "built", zip.data, zip.size);
    vdt_buf_free(&zip);
  }
  vdt_buf_free(&pkl);
  static const char evil[] = "\x80\x02\x63posix\nsystem\nX\x02\x00\x00\x00ls\x85R.";
  seed("pickle", "evil", evil, sizeof(evil) - 1);
  static const char values[] = "\x80\x02}q\x00(X\x01\x00\x00\x00a]q\x01(K\x01J\xfe\xff\xff\xff\x88N" "e"
                               "X\x01\x00\x00\x00b(M\x2c\x01\x8a\x01\xfftq\x02h\x02u.";
  seed("pickle", "values", values, sizeof(values) - 1);
}

static void seed_configs(void) {
  seed("yaml", "reference", vdt_ldm_yaml, sizeof(vdt_ldm_yaml) - 1);
  static const char tiny[] = "model:\n  params:\n    unet_config:\n      params: {model_channels: 32, "
                             "channel_mult: [1, 2], num_heads: 4}\n";
  seed("yaml", "tiny", tiny, sizeof(tiny) - 1);
  seed("json", "clip", vdt_clip_json, sizeof(vdt_clip_json) - 1);
  seed("json", "dino", vdt_dino_json, sizeof(vdt_dino_json) - 1);
}

int main(void) {
  seed_weight_files();
  seed_built();
  seed_configs();
  return vdt_finish("test_weights_fuzz_seeds");
}
