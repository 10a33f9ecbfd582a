// safetensors: round trip through the writer, then hostile headers and truncation at every byte.
#include "formats/safetensors.h"
#include "formats/safetensors_writer.h"
#include "formats/weight_convert.h"
#include "tests/weights_util.h"

static void test_round_trip(void) {
  const char *path = VLMD_BINARY_DIR "/test-tmp-roundtrip.safetensors";
  vd_safetensors_entry e[4] = {
      {"a.weight", VD_WEIGHT_F32, 2, {2, 3}},
      {"b.half", VD_WEIGHT_F16, 1, {4}},
      {"ids", VD_WEIGHT_I64, 2, {1, 5}},
      {"empty", VD_WEIGHT_F32, 2, {0, 7}},
  };
  float a[6] = {1, -2, 3.5f, 4, 5, 6};
  uint16_t h[4] = {vd_f32_to_f16(0.5f), vd_f32_to_f16(-1), vd_f32_to_f16(65504), vd_f32_to_f16(1e-7f)};
  int64_t ids[5] = {0, 1, 2, 3, 49407};
  vd_safetensors_writer *w;
  CHECK_OK(vd_safetensors_writer_create(path, e, 4, &w));
  CHECK_OK(vd_safetensors_writer_write(w, a, sizeof(a)));
  CHECK_OK(vd_safetensors_writer_write(w, h, sizeof(h)));
  CHECK_ERR(vd_safetensors_writer_write(w, ids, 3), VD_ERR_INTERNAL);  // wrong size is refused
  CHECK_OK(vd_safetensors_writer_write(w, ids, sizeof(ids)));
  CHECK_OK(vd_safetensors_writer_write(w, NULL, 0));
  CHECK_OK(vd_safetensors_writer_finish(w));

  vd_safetensors *f = NULL;
  CHECK_OK(vd_safetensors_open(path, &f));
  if (!f) return;
  CHECK(vd_safetensors_count(f) == 4);
  const vd_weight_tensor *t = vd_safetensors_find(f, "a.weight");
  CHECK(t && t->dtype == VD_WEIGHT_F32 && t->rank == 2 && t->shape[1] == 3 && t->contiguous);
  CHECK(t && memcmp(t->data, a, sizeof(a)) == 0);
  t = vd_safetensors_find(f, "b.half");
  float out[4];
  CHECK_OK(vd_weight_convert(t, VD_WEIGHT_F32, out, sizeof(out)));
  CHECK(out[0] == 0.5f && out[1] == -1.0f && out[2] == 65504.0f && out[3] > 0 && out[3] < 2e-7f);
  t = vd_safetensors_find(f, "ids");
  int64_t got[5];
  CHECK_OK(vd_weight_convert(t, VD_WEIGHT_F16, got, sizeof(got)));  // integers keep their type
  CHECK(memcmp(got, ids, sizeof(ids)) == 0);
  CHECK(vd_safetensors_find(f, "empty")->numel == 0);
  CHECK(vd_safetensors_find(f, "missing") == NULL);
  vd_safetensors_destroy(f);
}

static void test_writer_abandoned_leaves_nothing(void) {
  const char *path = VLMD_BINARY_DIR "/test-tmp-abandon.safetensors";
  remove(path);
  vd_safetensors_entry e = {"x", VD_WEIGHT_F32, 1, {2}};
  vd_safetensors_writer *w;
  CHECK_OK(vd_safetensors_writer_create(path, &e, 1, &w));
  CHECK_ERR(vd_safetensors_writer_finish(w), VD_ERR_INTERNAL);  // nothing written
  FILE *f = fopen(path, "rb");
  CHECK(f == NULL);
  if (f) fclose(f);
  char tmp[600];
  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  f = fopen(tmp, "rb");
  CHECK(f == NULL);
  if (f) fclose(f);
}

static vd_status parse_text(const char *header, size_t data_bytes) {
  vdt_buf b = vdt_safetensors_bytes(header, data_bytes);
  vd_safetensors *f = NULL;
  vd_status st = vd_safetensors_parse(b.data, b.size, "hostile.safetensors", &f);
  vd_safetensors_destroy(f);
  vdt_buf_free(&b);
  return st;
}

static void test_hostile_headers(void) {
  CHECK_OK(parse_text("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8));
  CHECK_OK(parse_text("{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[],"
                      "\"data_offsets\":[0,4]}}  ",
                      4));
  CHECK_ERR_MSG(parse_text("{\"w\":{\"dtype\":\"F32\",\"shape\":[1000000000000,1000000000000],"
                           "\"data_offsets\":[0,8]}}",
                           8),
                "\"w\"");
  CHECK_ERR_MSG(parse_text("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],"
                           "\"data_offsets\":[0,0]}}",
                           8),
                "overflow");
  CHECK_ERR_MSG(parse_text("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8), "outside");
  CHECK_ERR_MSG(parse_text("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[99999999999,99999999999]}}",
                           8),
                "outside");
  CHECK_ERR_MSG(parse_text("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                           "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                           12),
                "overlap");
  CHECK_ERR_MSG(parse_text("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                           "\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,8]},"
                           "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
                           16),
                "overlap");
  CHECK_ERR_MSG(parse_text("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                           "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
                           16),
                "twice");
  CHECK_ERR_MSG(parse_text("{\"w\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "dtype");
  CHECK_ERR_MSG(parse_text("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "dtype");
  CHECK_ERR_MSG(parse_text("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8), "dimension");
  CHECK_ERR_MSG(parse_text("{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8), "dimension");
  CHECK_ERR_MSG(parse_text("{\"w\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", 8), "shape");
  CHECK_ERR_MSG(parse_text("{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}", 4),
                "rank");
  CHECK_ERR_MSG(parse_text("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8), "data_offsets");
  CHECK_ERR_MSG(parse_text("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8), "outside");
  CHECK_ERR_MSG(parse_text("{\"w\":[1,2]}", 8), "not an object");
  CHECK_ERR_MSG(parse_text("{\"__metadata__\":{\"n\":1}}", 0), "__metadata__");
  CHECK_ERR_MSG(parse_text("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", 8), "JSON");
  CHECK_ERR_MSG(parse_text("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}xx", 8), "after");
  CHECK_ERR_MSG(parse_text("[1]", 0), "JSON object");
  CHECK_ERR_MSG(parse_text("{\"\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "empty name");

  uint8_t huge[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, '{', '}'};
  vd_safetensors *f = NULL;
  CHECK_ERR_MSG(vd_safetensors_parse(huge, sizeof(huge), "huge.safetensors", &f), "huge.safetensors");
  uint8_t past[16] = {200, 0, 0, 0, 0, 0, 0, 0, '{', '}'};
  CHECK_ERR_MSG(vd_safetensors_parse(past, sizeof(past), "past.safetensors", &f), "past the end");
  CHECK_ERR_MSG(vd_safetensors_parse(past, 3, "short.safetensors", &f), "too short");
  CHECK(f == NULL);
}

static void test_truncated_everywhere(void) {
  vdt_buf b = vdt_safetensors_bytes(
      "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},"
      "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,5],\"data_offsets\":[6,16]}}",
      16);
  vd_safetensors *f = NULL;
  CHECK_OK(vd_safetensors_parse(b.data, b.size, "full", &f));
  vd_safetensors_destroy(f);
  int failures = 0;
  for (size_t n = 0; n < b.size; ++n) {
    uint8_t *copy = malloc(n ? n : 1);  // exact-size copy so ASan sees any over-read
    memcpy(copy, b.data, n);
    vd_status st = vd_safetensors_parse(copy, n, "truncated", &f);
    failures += st == NULL;
    vd_status_free(st);
    if (!st) vd_safetensors_destroy(f);
    free(copy);
  }
  CHECK_MSG(failures == 0, "%d truncations were accepted", failures);
  vdt_buf_free(&b);
}

static void test_open_errors(void) {
  vd_safetensors *f = NULL;
  CHECK_ERR_MSG(vd_safetensors_open("/nonexistent/x.safetensors", &f), "/nonexistent/x.safetensors");
  const char *empty = vdt_write_temp("empty.safetensors", "", 0);
  CHECK_ERR_MSG(vd_safetensors_open(empty, &f), "empty");
}

int main(void) {
  test_round_trip();
  test_writer_abandoned_leaves_nothing();
  test_hostile_headers();
  test_truncated_everywhere();
  test_open_errors();
  return vdt_finish("test_weights_safetensors");
}
