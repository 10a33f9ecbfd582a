// PyTorch zip checkpoints: the torch.save golden against its safetensors twin, hand-built checkpoints
// with hostile tensor views, and truncation of the golden at every byte.
#include "formats/checkpoint.h"
#include "formats/safetensors.h"
#include "formats/weight_convert.h"
#include "tests/weights_util.h"

#define GOLDEN_DIR VLMD_SOURCE_DIR "/tests/data/weights/"

static const vd_weight_tensor *find_ckpt(const vd_checkpoint *c, const char *name) {
  for (size_t i = 0; i < vd_checkpoint_count(c); ++i)
    if (strcmp(vd_checkpoint_tensor(c, i)->name, name) == 0) return vd_checkpoint_tensor(c, i);
  return NULL;
}

// Converts both to f32 (or raw bytes for integers) and compares exactly.
static int same_values(const vd_weight_tensor *a, const vd_weight_tensor *b) {
  if (a->dtype != b->dtype || a->rank != b->rank || a->numel != b->numel) return 0;
  for (int i = 0; i < a->rank; ++i)
    if (a->shape[i] != b->shape[i]) return 0;
  size_t bytes = (size_t)a->numel * vd_weight_dtype_size(vd_weight_convert_dtype(a->dtype, VD_WEIGHT_F32));
  uint8_t *x = malloc(bytes + 1), *y = malloc(bytes + 1);
  vd_status s1 = vd_weight_convert(a, VD_WEIGHT_F32, x, bytes), s2 = vd_weight_convert(b, VD_WEIGHT_F32, y, bytes);
  int ok = !s1 && !s2 && memcmp(x, y, bytes) == 0;
  vd_status_free(s1);
  vd_status_free(s2);
  free(x);
  free(y);
  return ok;
}

static void test_golden(void) {
  vd_checkpoint *c = NULL;
  vd_safetensors *s = NULL;
  CHECK_OK(vd_checkpoint_open(GOLDEN_DIR "golden.ckpt", &c));
  CHECK_OK(vd_safetensors_open(GOLDEN_DIR "golden.safetensors", &s));
  if (!c || !s) return;
  CHECK(strcmp(vd_checkpoint_state_dict_key(c), "state_dict") == 0);
  CHECK(vd_checkpoint_count(c) == vd_safetensors_count(s) && vd_checkpoint_count(c) == 9);
  for (size_t i = 0; i < vd_safetensors_count(s); ++i) {
    const vd_weight_tensor *ts = vd_safetensors_tensor(s, i), *tc = find_ckpt(c, ts->name);
    CHECK_MSG(tc && same_values(tc, ts), "tensor %s differs", ts->name);
  }
  const vd_weight_tensor *t = find_ckpt(c, "model.proj.weight_t");
  CHECK(t && !t->contiguous && t->stride[0] == 1 && t->stride[1] == 5);
  t = find_ckpt(c, "model.view");
  CHECK(t && t->contiguous && t->data == find_ckpt(c, "model.base")->data + 12);
  t = find_ckpt(c, "model.scale");
  float scale = 0;
  CHECK(t && t->rank == 0 && !vd_weight_convert(t, VD_WEIGHT_F32, &scale, 4) && fabsf(scale - 0.18215f) < 1e-7f);
  uint16_t half[6];
  t = find_ckpt(c, "model.norm.weight");
  CHECK(t && t->dtype == VD_WEIGHT_BF16 && !vd_weight_convert(t, VD_WEIGHT_F16, half, sizeof(half)));
  vd_checkpoint_destroy(c);
  vd_safetensors_destroy(s);
  CHECK_OK(vd_checkpoint_open(GOLDEN_DIR "golden_bare.pth", &c));
  if (c) {
    CHECK(strcmp(vd_checkpoint_state_dict_key(c), "") == 0 && vd_checkpoint_count(c) == 2);
    CHECK(find_ckpt(c, "cls_token") && find_ckpt(c, "cls_token")->shape[2] == 8);  // an nn.Parameter
    vd_checkpoint_destroy(c);
  }
}

static void test_golden_truncated(void) {
  FILE *f = fopen(GOLDEN_DIR "golden.ckpt", "rb");
  CHECK(f != NULL);
  if (!f) return;
  vdt_buf b = {0};
  uint8_t chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) vdt_buf_put(&b, chunk, n);
  fclose(f);
  int accepted = 0;
  for (size_t len = 0; len < b.size; ++len) {
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, b.data, len);
    vd_checkpoint *c = NULL;
    vd_status st = vd_checkpoint_parse(copy, len, "truncated.ckpt", &c);
    accepted += st == NULL;
    vd_status_free(st);
    vd_checkpoint_destroy(c);
    free(copy);
  }
  CHECK_MSG(accepted == 0, "%d truncations accepted", accepted);
  vdt_buf_free(&b);
}

// A checkpoint with one tensor over a storage of `storage_bytes` bytes; pickle truncated to pkl_len if > 0.
static vd_status parse_one(const vdt_pk_tensor *t, size_t storage_bytes, size_t pkl_len) {
  vdt_buf pkl = vdt_pk_state_dict(t, 1);
  uint8_t *storage = calloc(1, storage_bytes + 1);
  vdt_zip_item items[2] = {{"arc/data.pkl", pkl.data, pkl_len ? pkl_len : pkl.size, 0, 0},
                           {"arc/data/0", storage, storage_bytes, 0, 0}};
  vdt_buf zip = vdt_zip_build(items, 2, 0);
  vd_checkpoint *c = NULL;
  vd_status st = vd_checkpoint_parse(zip.data, zip.size, "hostile.ckpt", &c);
  vd_checkpoint_destroy(c);
  vdt_buf_free(&zip);
  vdt_buf_free(&pkl);
  free(storage);
  return st;
}

static void test_hostile_views(void) {
  vdt_pk_tensor ok = {"w", "FloatStorage", "0", 6, 0, 2, {2, 3}, {3, 1}};
  CHECK_OK(parse_one(&ok, 24, 0));
  vdt_pk_tensor transposed = {"w", "FloatStorage", "0", 6, 0, 2, {3, 2}, {1, 3}};
  CHECK_OK(parse_one(&transposed, 24, 0));
  vdt_pk_tensor past = {"w", "FloatStorage", "0", 6, 1, 2, {2, 3}, {3, 1}};
  CHECK_ERR_MSG(parse_one(&past, 24, 0), "\"w\"");
  vdt_pk_tensor stride_past = {"w", "FloatStorage", "0", 6, 0, 2, {2, 3}, {4, 1}};
  CHECK_ERR_MSG(parse_one(&stride_past, 24, 0), "reaches past");
  vdt_pk_tensor huge = {"w", "FloatStorage", "0", 6, 0, 3, {1ll << 30, 1ll << 30, 1ll << 30}, {1, 1, 1}};
  CHECK_ERR_MSG(parse_one(&huge, 24, 0), "overflows");
  vdt_pk_tensor huge_stride = {"w", "FloatStorage", "0", 6, 0, 2, {2, 2}, {1ll << 62, 1}};
  CHECK_ERR_MSG(parse_one(&huge_stride, 24, 0), "\"w\"");
  vdt_pk_tensor liar = {"w", "FloatStorage", "0", 1000, 0, 1, {1000}, {1}};
  CHECK_ERR_MSG(parse_one(&liar, 24, 0), "announces 1000 elements");
  vdt_pk_tensor missing = {"w", "FloatStorage", "7", 6, 0, 1, {6}, {1}};
  CHECK_ERR_MSG(parse_one(&missing, 24, 0), "arc/data/7");
  vdt_pk_tensor big_offset = {"w", "FloatStorage", "0", 6, 1ll << 62, 1, {1}, {1}};
  CHECK_ERR_MSG(parse_one(&big_offset, 24, 0), "reaches past");
  vdt_buf full = vdt_pk_state_dict(&ok, 1);
  int accepted = 0;
  for (size_t n = 1; n < full.size; ++n) {
    vd_status st = parse_one(&ok, 24, n);
    accepted += st == NULL;
    vd_status_free(st);
  }
  CHECK_MSG(accepted == 0, "%d pickle truncations accepted", accepted);
  vdt_buf_free(&full);
}

static void test_not_checkpoints(void) {
  vdt_zip_item no_pickle[1] = {{"arc/data/0", "abcd", 4, 0, 0}};
  vdt_buf zip = vdt_zip_build(no_pickle, 1, 0);
  vd_checkpoint *c = NULL;
  CHECK_ERR_MSG(vd_checkpoint_parse(zip.data, zip.size, "plain.zip", &c), "data.pkl");
  vdt_buf_free(&zip);
  const char *list_pkl = "\x80\x02]q\x00.";
  vdt_zip_item list_root[1] = {{"arc/data.pkl", list_pkl, 6, 0, 0}};
  zip = vdt_zip_build(list_root, 1, 0);
  CHECK_ERR_MSG(vd_checkpoint_parse(zip.data, zip.size, "list.pt", &c), "not a dict");
  vdt_buf_free(&zip);
  const char *evil = "\x80\x02\x63posix\nsystem\nX\x02\x00\x00\x00ls\x85R.";
  vdt_zip_item evil_items[1] = {{"arc/data.pkl", evil, strlen(evil), 0, 0}};
  zip = vdt_zip_build(evil_items, 1, 0);
  CHECK_ERR_MSG(vd_checkpoint_parse(zip.data, zip.size, "evil.ckpt", &c), "evil.ckpt: arc/data.pkl");
  CHECK_ERR_MSG(vd_checkpoint_parse(zip.data, zip.size, "evil.ckpt", &c), "posix.system");
  vdt_buf_free(&zip);
  vdt_zip_item big_endian[2] = {{"arc/data.pkl", "\x80\x02}.", 4, 0, 0}, {"arc/byteorder", "big", 3, 0, 0}};
  zip = vdt_zip_build(big_endian, 2, 0);
  CHECK_ERR_MSG(vd_checkpoint_parse(zip.data, zip.size, "be.ckpt", &c), "little-endian");
  vdt_buf_free(&zip);
}

// Entry names longer than any fixed buffer: an archive folder of `len` bytes ("aaa...a/"), whose data.pkl
// holds w (storage "12345", 2 floats) and v (storage "1234", 2 floats).
static vd_status parse_long_archive(size_t len, const char *byteorder, float *out_w, float *out_v) {
  char *arc = malloc(len + 1);
  memset(arc, 'a', len - 1);
  arc[len - 1] = '/';
  arc[len] = '\0';
  char *names[4];
  const char *suffix[4] = {"data.pkl", "data/12345", "data/1234", "byteorder"};
  for (int i = 0; i < 4; ++i) {
    names[i] = malloc(len + strlen(suffix[i]) + 1);
    snprintf(names[i], len + strlen(suffix[i]) + 1, "%s%s", arc, suffix[i]);
  }
  vdt_pk_tensor t[2] = {{"w", "FloatStorage", "12345", 2, 0, 1, {2}, {1}}, {"v", "FloatStorage", "1234", 2, 0, 1, {2}, {1}}};
  vdt_buf pkl = vdt_pk_state_dict(t, 2);
  const float w[2] = {3, 4}, v[2] = {1, 2};
  vdt_zip_item items[4] = {{names[0], pkl.data, pkl.size, 0, 0}, {names[1], w, sizeof(w), 0, 0},
                           {names[2], v, sizeof(v), 0, 0}, {names[3], byteorder, byteorder ? strlen(byteorder) : 0, 0, 0}};
  vdt_buf zip = vdt_zip_build(items, byteorder ? 4 : 3, 0);
  vd_checkpoint *c = NULL;
  vd_status st = vd_checkpoint_parse(zip.data, zip.size, "long.ckpt", &c);
  if (c) {
    const vd_weight_tensor *tw = find_ckpt(c, "w"), *tv = find_ckpt(c, "v");
    if (tw) memcpy(out_w, tw->data, sizeof(w));
    if (tv) memcpy(out_v, tv->data, sizeof(v));
  }
  vd_checkpoint_destroy(c);
  vdt_buf_free(&zip);
  vdt_buf_free(&pkl);
  for (int i = 0; i < 4; ++i) free(names[i]);
  free(arc);
  return st;
}

static void test_long_entry_names(void) {
  // Archive folders around and far past 600 bytes; with 590, "ARCHIVE/data/12345" is 600 bytes, so a
  // 600-byte buffer would cut it to "ARCHIVE/data/1234": the other storage.
  const size_t lens[4] = {8, 590, 595, 5000};
  for (int i = 0; i < 4; ++i) {
    float w[2] = {0, 0}, v[2] = {0, 0};
    CHECK_OK(parse_long_archive(lens[i], NULL, w, v));
    CHECK_MSG(w[0] == 3 && w[1] == 4 && v[0] == 1 && v[1] == 2, "archive folder of %zu bytes: w = [%g, %g], v = [%g, %g]",
              lens[i], (double)w[0], (double)w[1], (double)v[0], (double)v[1]);
    CHECK_OK(parse_long_archive(lens[i], "little", w, v));
    CHECK_ERR_MSG(parse_long_archive(lens[i], "big", w, v), "little-endian");
  }
}

int main(void) {
  test_golden();
  test_golden_truncated();
  test_hostile_views();
  test_not_checkpoints();
  test_long_entry_names();
  return vdt_finish("test_weights_ckpt");
}
