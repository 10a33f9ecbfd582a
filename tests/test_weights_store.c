// Weight store: loading a network by prefix against its expected (name, shape) list, precision
// conversion, and the report of missing / mismatched / unexpected keys. (The real networks' layout:
// test_weights_layout.)
#include "formats/weight_convert.h"
#include "formats/weight_store.h"
#include "tests/weights_util.h"

#define GOLDEN_DIR VLMD_SOURCE_DIR "/tests/data/weights/"

static const vd_weight_spec model_specs[] = {
    {"conv.weight", 4, {4, 3, 3, 3}}, {"conv.bias", 1, {4}},     {"proj.weight_t", 2, {5, 3}},
    {"view", 2, {2, 3}},              {"base", 1, {10}},         {"norm.weight", 1, {6}},
    {"scale", 0, {0}},                {"empty", 2, {0, 3}},
};
#define N_SPECS (sizeof(model_specs) / sizeof(model_specs[0]))

static vd_weight_store *load(const char *file_name, vd_weight_dtype precision) {
  vd_weight_file *f = NULL;
  vd_weight_store *s = NULL;
  CHECK_OK(vd_weight_file_open(file_name, &f));
  if (f) CHECK_OK(vd_weight_store_load(f, "model.", model_specs, N_SPECS, precision, &s));
  vd_weight_file_destroy(f);  // the store owns copies: the file may go
  return s;
}

static void test_load_both_formats(void) {
  vd_weight_store *a = load(GOLDEN_DIR "golden.ckpt", VD_WEIGHT_F32);
  vd_weight_store *b = load(GOLDEN_DIR "golden.safetensors", VD_WEIGHT_F32);
  if (!a || !b) goto done;
  CHECK(vd_weight_store_count(a) == N_SPECS && vd_weight_store_count(b) == N_SPECS);
  for (size_t i = 0; i < N_SPECS; ++i) {
    const vd_host_tensor *x = vd_weight_store_tensor(a, i), *y = vd_weight_store_find(b, x->name);
    CHECK_MSG(y && x->dtype == VD_WEIGHT_F32 && x->bytes == y->bytes && memcmp(x->data, y->data, x->bytes) == 0,
              "%s differs between the checkpoint and safetensors", x->name);
  }
  CHECK(strcmp(vd_weight_store_notes(a), "") == 0);
  const vd_host_tensor *t = vd_weight_store_find(a, "proj.weight_t");  // transposed in the checkpoint
  CHECK(t && t->rank == 2 && t->shape[0] == 5 && t->bytes == 60);
done:
  vd_weight_store_destroy(a);
  vd_weight_store_destroy(b);
}

static void test_f16(void) {
  vd_weight_store *s = load(GOLDEN_DIR "golden.ckpt", VD_WEIGHT_F16);
  vd_weight_store *r = load(GOLDEN_DIR "golden.ckpt", VD_WEIGHT_F32);
  if (s && r) {
    const vd_host_tensor *h = vd_weight_store_find(s, "conv.weight"), *f = vd_weight_store_find(r, "conv.weight");
    CHECK(h->dtype == VD_WEIGHT_F16 && h->bytes == 108 * 2);
    int bad = 0;
    for (int i = 0; i < 108; ++i) {
      uint16_t hv;
      float fv;
      memcpy(&hv, (const uint8_t *)h->data + 2 * i, 2);
      memcpy(&fv, (const uint8_t *)f->data + 4 * i, 4);
      bad += fabsf(vd_f16_to_f32(hv) - fv) > 1e-3f * (1.0f + fabsf(fv));
    }
    CHECK(bad == 0);
  }
  vd_weight_store_destroy(s);
  vd_weight_store_destroy(r);
}

static void test_report(void) {
  vd_weight_file *f = NULL;
  CHECK_OK(vd_weight_file_open(GOLDEN_DIR "golden.ckpt", &f));
  if (!f) return;
  vd_weight_spec specs[N_SPECS];
  memcpy(specs, model_specs, sizeof(specs));
  specs[0].shape[3] = 4;                 // conv.weight: wrong shape
  specs[1].name = "missing.bias";        // conv.bias is then unexpected
  specs[2].name = "also.missing";        // proj.weight_t unexpected
  vd_weight_store *s = NULL;
  vd_status st = vd_weight_store_load(f, "model.", specs, N_SPECS, VD_WEIGHT_F32, &s);
  const char *msg = vd_status_message(st);
  CHECK(st && s == NULL);
  CHECK_MSG(strstr(msg, "2 missing, 1 with the wrong shape, 2 unexpected"), "%s", msg);
  CHECK_MSG(strstr(msg, "missing:        model.missing.bias (4,)"), "%s", msg);
  CHECK_MSG(strstr(msg, "missing:        model.also.missing (5, 3)"), "%s", msg);
  CHECK_MSG(strstr(msg, "model.conv.weight is (4, 3, 3, 3) in the file, the network expects (4, 3, 3, 4)"), "%s", msg);
  CHECK_MSG(strstr(msg, "unexpected:     model.conv.bias (4,)"), "%s", msg);
  CHECK_MSG(strstr(msg, "golden.ckpt"), "%s", msg);
  vd_status_free(st);

  // Unexpected keys alone load fine, with a note.
  CHECK_OK(vd_weight_store_load(f, "model.", model_specs + 1, N_SPECS - 1, VD_WEIGHT_F32, &s));
  CHECK(s && strstr(vd_weight_store_notes(s), "model.conv.weight"));
  vd_weight_store_destroy(s);
  s = NULL;
  vd_weight_spec dup[2] = {{"view", 2, {2, 3}}, {"view", 2, {2, 3}}};
  CHECK_ERR(vd_weight_store_load(f, "model.", dup, 2, VD_WEIGHT_F32, &s), VD_ERR_INVALID_ARGUMENT);
  CHECK_ERR(vd_weight_store_load(f, "model.", model_specs, N_SPECS, VD_WEIGHT_BF16, &s), VD_ERR_INVALID_ARGUMENT);
  vd_weight_spec ids[1] = {{"position_ids", 2, {1, 7}}};  // integers keep their type
  CHECK_OK(vd_weight_store_load(f, "cond.", ids, 1, VD_WEIGHT_F16, &s));
  if (s) {
    const vd_host_tensor *t = vd_weight_store_find(s, "position_ids");
    int64_t v[7];
    memcpy(v, t->data, sizeof(v));
    CHECK(t->dtype == VD_WEIGHT_I64 && v[0] == 0 && v[6] == 6);
  }
  vd_weight_store_destroy(s);
  vd_weight_file_destroy(f);
}

static void test_weight_file_formats(void) {
  vd_weight_file *f = NULL;
  CHECK_OK(vd_weight_file_open(GOLDEN_DIR "golden.safetensors", &f));
  if (f) {
    CHECK(vd_weight_file_format(f) == VD_WEIGHT_FORMAT_SAFETENSORS && vd_weight_file_count(f) == 9);
    CHECK(vd_weight_file_total_bytes(f) == 636);
    vd_weight_file_destroy(f);
  }
  // A sharded set: two shards and an index naming them (shards resolve next to the index).
  vdt_buf s1 = vdt_safetensors_bytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
  vdt_buf s2 = vdt_safetensors_bytes("{\"b\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4);
  vdt_write_temp("s1.safetensors", s1.data, s1.size);
  vdt_write_temp("s2.safetensors", s2.data, s2.size);
  vdt_buf_free(&s1);
  vdt_buf_free(&s2);
  const char *index2 = "{\"weight_map\":{\"a\":\"test-tmp-s1.safetensors\",\"b\":\"test-tmp-s2.safetensors\"}}";
  const char *idx2 = vdt_write_temp("sharded.index.json", index2, strlen(index2));
  CHECK_OK(vd_weight_file_open(idx2, &f));
  if (f) {
    CHECK(vd_weight_file_format(f) == VD_WEIGHT_FORMAT_SAFETENSORS_SHARDED && vd_weight_file_count(f) == 2);
    CHECK(vd_weight_file_find(f, "b") && vd_weight_file_find(f, "b")->dtype == VD_WEIGHT_F16);
    vd_weight_file_destroy(f);
  }
  const char *bad_map = "{\"weight_map\":{\"a\":\"test-tmp-s1.safetensors\",\"zz\":\"test-tmp-s1.safetensors\"}}";
  CHECK_ERR_MSG(vd_weight_file_open(vdt_write_temp("bad.index.json", bad_map, strlen(bad_map)), &f), "\"zz\"");
  const char *escape = "{\"weight_map\":{\"a\":\"../../etc/passwd\"}}";
  CHECK_ERR_MSG(vd_weight_file_open(vdt_write_temp("esc.index.json", escape, strlen(escape)), &f), "plain file");
  const char *legacy = "\x80\x02\x8a\x0a";
  CHECK_ERR_MSG(vd_weight_file_open(vdt_write_temp("legacy.pt", legacy, 4), &f), "legacy");
}

// A safetensors file holding w = [1.5, -2] whose JSON header, padded with spaces (as the format allows),
// is exactly header_len bytes long.
static vdt_buf padded_safetensors(size_t header_len) {
  const char *json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
  vdt_buf b = {0};
  vdt_buf_le(&b, header_len, 8);
  vdt_buf_str(&b, json);
  for (size_t i = strlen(json); i < header_len; ++i) vdt_buf_u8(&b, ' ');
  const float w[2] = {1.5f, -2.0f};
  vdt_buf_put(&b, w, sizeof(w));
  return b;
}

// Header lengths whose first byte looks like another format: 384 starts the file with 80 01 (a pickle
// PROTO opcode), 123 with 7B ('{', a shard index). Both are plain safetensors files and must load.
static void test_header_length_lookalikes(void) {
  const size_t lens[2] = {384, 123};
  const uint8_t first[2][2] = {{0x80, 0x01}, {0x7b, 0x00}};
  for (int k = 0; k < 2; ++k) {
    vdt_buf b = padded_safetensors(lens[k]);
    CHECK(b.data[0] == first[k][0] && b.data[1] == first[k][1]);
    char name[32];
    snprintf(name, sizeof(name), "len%zu.safetensors", lens[k]);
    const char *path = vdt_write_temp(name, b.data, b.size);
    vdt_buf_free(&b);
    vd_weight_file *f = NULL;
    CHECK_OK(vd_weight_file_open(path, &f));
    if (!f) continue;
    CHECK(vd_weight_file_format(f) == VD_WEIGHT_FORMAT_SAFETENSORS && vd_weight_file_count(f) == 1);
    const vd_weight_spec spec = {"w", 1, {2}};
    vd_weight_store *s = NULL;
    CHECK_OK(vd_weight_store_load(f, "", &spec, 1, VD_WEIGHT_F32, &s));
    const vd_host_tensor *t = s ? vd_weight_store_find(s, "w") : NULL;
    float v[2] = {0, 0};
    if (t && t->bytes == sizeof(v)) memcpy(v, t->data, sizeof(v));
    CHECK_MSG(v[0] == 1.5f && v[1] == -2.0f, "header length %zu: w = [%g, %g]", lens[k], (double)v[0], (double)v[1]);
    vd_weight_store_destroy(s);
    vd_weight_file_destroy(f);
  }
}

// weight_map must agree with the shards: each entry names the shard that stores the tensor, and every
// tensor of every shard is listed once.
static void test_weight_map_mismatch(void) {
  vdt_buf s1 = vdt_safetensors_bytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
  vdt_buf s2 = vdt_safetensors_bytes("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
  vdt_buf s3 = vdt_safetensors_bytes("{\"c\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                                     "\"d\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8);
  vdt_write_temp("m1.safetensors", s1.data, s1.size);
  vdt_write_temp("m2.safetensors", s2.data, s2.size);
  vdt_write_temp("m3.safetensors", s3.data, s3.size);
  vdt_buf_free(&s1);
  vdt_buf_free(&s2);
  vdt_buf_free(&s3);
  vd_weight_file *f = NULL;
  // a and b swapped: both shards are opened and hold two tensors, but each is listed under the other shard.
  const char *swapped = "{\"weight_map\":{\"a\":\"test-tmp-m2.safetensors\",\"b\":\"test-tmp-m1.safetensors\"}}";
  const char *path = vdt_write_temp("swapped.index.json", swapped, strlen(swapped));
  vd_status st = vd_weight_file_open(path, &f);
  const char *msg = vd_status_message(st);
  CHECK_MSG(st && strstr(msg, "\"a\"") && strstr(msg, "test-tmp-m2.safetensors") && strstr(msg, "test-tmp-m1.safetensors"),
            "swapped weight_map: %s", msg);
  vd_status_free(st);
  vd_weight_file_destroy(f);
  f = NULL;
  // d is in shard m3 but not in the map: the error names it and its shard.
  const char *partial = "{\"weight_map\":{\"c\":\"test-tmp-m3.safetensors\"}}";
  st = vd_weight_file_open(vdt_write_temp("partial.index.json", partial, strlen(partial)), &f);
  msg = vd_status_message(st);
  CHECK_MSG(st && strstr(msg, "\"d\"") && strstr(msg, "test-tmp-m3.safetensors"), "unlisted tensor: %s", msg);
  vd_status_free(st);
  // c listed twice (and d not at all): as many entries as tensors, yet d is not listed.
  const char *twice = "{\"weight_map\":{\"c\":\"test-tmp-m3.safetensors\",\"c\":\"test-tmp-m3.safetensors\"}}";
  st = vd_weight_file_open(vdt_write_temp("twice.index.json", twice, strlen(twice)), &f);
  msg = vd_status_message(st);
  CHECK_MSG(st && strstr(msg, "\"c\""), "duplicate weight_map key: %s", msg);
  vd_status_free(st);
  // The consistent map of the same shards opens.
  const char *good = "{\"weight_map\":{\"a\":\"test-tmp-m1.safetensors\",\"d\":\"test-tmp-m3.safetensors\","
                     "\"b\":\"test-tmp-m2.safetensors\",\"c\":\"test-tmp-m3.safetensors\"}}";
  CHECK_OK(vd_weight_file_open(vdt_write_temp("good.index.json", good, strlen(good)), &f));
  if (f) CHECK(vd_weight_file_count(f) == 4 && vd_weight_file_find(f, "d"));
  vd_weight_file_destroy(f);
}

int main(void) {
  test_load_both_formats();
  test_f16();
  test_report();
  test_weight_file_formats();
  test_header_length_lookalikes();
  test_weight_map_mismatch();
  return vdt_finish("test_weights_store");
}
