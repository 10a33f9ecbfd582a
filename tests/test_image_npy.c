// .npy against numpy 1.24: files numpy.save wrote (float32 / float64, ranks 0-6, an empty array, format
// versions 2.0 and 3.0) read with the right shape and values; the writer reproduces numpy's files byte
// for byte and round-trips; and every malformed file is an error naming the file: Fortran order,
// big-endian, int32, float16, truncated (at every length), trailing bytes, hostile headers.
#include "anomaly/npy.h"
#include "tests/image_goldens.h"
#include "tests/vdtest.h"
#include "tests/weights_util.h"  // CHECK_ERR_MSG

#define NPY_DIR VDT_IMAGES "/npy/"

typedef struct npy_case {
  const char *file;    // under npy/
  vd_npy_dtype dtype;  // expected dtype
  int rank;            // expected rank
  int64_t shape[6];    // expected shape
} npy_case;

static const npy_case g_cases[] = {
    {"f32_3x5x7", VD_NPY_F32, 3, {3, 5, 7}},
    {"f64_1x4x6", VD_NPY_F64, 3, {1, 4, 6}},
    {"f64_2x3", VD_NPY_F64, 2, {2, 3}},
    {"f32_11", VD_NPY_F32, 1, {11}},
    {"f64_scalar", VD_NPY_F64, 0, {0}},
    {"f32_0x3", VD_NPY_F32, 2, {0, 3}},
    {"f32_1x2x1x3x1x2", VD_NPY_F32, 6, {1, 2, 1, 3, 1, 2}},
    {"f64_v2_2x3", VD_NPY_F64, 2, {2, 3}},
    {"f64_v3_2x3", VD_NPY_F64, 2, {2, 3}},
};

// The generator's values: element i is i / 7 - 3 in float64 (rounded to float32 for '<f4').
static int values_match(const vd_npy_array *a) {
  for (size_t i = 0; i < a->count; ++i) {
    double want = (double)i / 7.0 - 3.0;
    if (a->dtype == VD_NPY_F32 ? ((const float *)a->data)[i] != (float)want : ((const double *)a->data)[i] != want)
      return 0;
  }
  return 1;
}

static void test_numpy_files(void) {
  int ok = 0, identical = 0;
  for (size_t k = 0; k < sizeof(g_cases) / sizeof(g_cases[0]); ++k) {
    const npy_case *c = &g_cases[k];
    char path[512];
    snprintf(path, sizeof(path), "%s%s.npy", NPY_DIR, c->file);
    vd_npy_array a;
    CHECK_OK(vd_npy_read(path, &a));
    int shape_ok = a.dtype == c->dtype && a.rank == c->rank;
    for (int i = 0; shape_ok && i < c->rank; ++i) shape_ok = a.shape[i] == c->shape[i];
    CHECK_MSG(shape_ok && values_match(&a), "%s: dtype, shape or values differ", c->file);
    ok += shape_ok && values_match(&a);
    if (strstr(c->file, "_v") == NULL) {  // numpy's own version 1.0 file: the header must match byte for byte
      size_t size = 0;
      uint8_t *file = vdt_read_file(path, &size), *header = NULL;
      size_t header_size = 0;
      CHECK_OK(vd_npy_header(a.dtype, a.rank, a.shape, &header, &header_size));
      int same = header && header_size + a.count * vd_npy_dtype_size(a.dtype) == size &&
                 !memcmp(header, file, header_size);
      CHECK_MSG(same, "%s: header differs from numpy's", c->file);
      identical += same;
      free(header);
      free(file);
    }
    vd_npy_free(&a);
  }
  printf("npy: %d numpy files read, %d headers identical to np.save's\n", ok, identical);
}

static void test_round_trip(void) {
  char dir[256], path[300];
  vdt_scratch_dir("npy", dir, sizeof(dir));
  const int64_t shapes[3][3] = {{256, 256, 0}, {1, 256, 256}, {3, 256, 256}};
  const int ranks[3] = {2, 3, 3};
  for (int s = 0; s < 3; ++s) {
    for (int d = 1; d <= 2; ++d) {
      vd_npy_dtype dtype = (vd_npy_dtype)d;
      size_t n = (size_t)shapes[s][0] * (size_t)shapes[s][1] * (size_t)(ranks[s] == 3 ? shapes[s][2] : 1);
      uint8_t *data = malloc(n * vd_npy_dtype_size(dtype));
      for (size_t i = 0; i < n; ++i) {
        double v = (double)vdt_mix(7, i) / 18446744073709551616.0 - 0.5;
        if (dtype == VD_NPY_F32)
          ((float *)data)[i] = (float)v;
        else
          ((double *)data)[i] = v;
      }
      snprintf(path, sizeof(path), "%s/a.npy", dir);
      CHECK_OK(vd_npy_write(path, dtype, ranks[s], shapes[s], data));
      vd_npy_array a;
      CHECK_OK(vd_npy_read(path, &a));
      CHECK(a.dtype == dtype && a.rank == ranks[s] && a.count == n && a.data &&
            !memcmp(a.data, data, n * vd_npy_dtype_size(dtype)));
      vd_npy_free(&a);
      free(data);
    }
  }
  CHECK(access(path, F_OK) == 0);
  remove(path);
  snprintf(path, sizeof(path), "%s/no/such/dir/a.npy", dir);
  const float one = 1;
  const int64_t shape1[1] = {1};
  CHECK_ERR_MSG(vd_npy_write(path, VD_NPY_F32, 1, shape1, &one), "no/such/dir/a.npy");
  CHECK(rmdir(dir) == 0);  // empty: no temporary file was left behind
}

static void test_bad_files(void) {
  CHECK_ERR_MSG(vd_npy_read(NPY_DIR "bad_fortran.npy", &(vd_npy_array){0}), "bad_fortran.npy: Fortran-order");
  CHECK_ERR_MSG(vd_npy_read(NPY_DIR "bad_bigendian.npy", &(vd_npy_array){0}), "bad_bigendian.npy: big-endian");
  CHECK_ERR_MSG(vd_npy_read(NPY_DIR "bad_int32.npy", &(vd_npy_array){0}), "'<i4' is neither float32");
  CHECK_ERR_MSG(vd_npy_read(NPY_DIR "bad_float16.npy", &(vd_npy_array){0}), "'<f2' is neither");
  CHECK_ERR_MSG(vd_npy_read(NPY_DIR "bad_truncated.npy", &(vd_npy_array){0}), "bad_truncated.npy: .npy file is truncated");
  CHECK_ERR_MSG(vd_npy_read(NPY_DIR "bad_trailing.npy", &(vd_npy_array){0}), "4 bytes after its data");
  CHECK_ERR_MSG(vd_npy_read(NPY_DIR "missing.npy", &(vd_npy_array){0}), "missing.npy");
  size_t size = 0;
  uint8_t *file = vdt_read_file(NPY_DIR "f32_3x5x7.npy", &size);
  int refused = 0;
  for (size_t n = 0; n < size; ++n) {  // every cut, exact-size copies for ASan
    uint8_t *copy = malloc(n ? n : 1);
    memcpy(copy, file, n);
    vd_npy_array a;
    vd_status st = vd_npy_parse(copy, n, "cut.npy", &a);
    refused += st != NULL && strstr(vd_status_message(st), "cut.npy") != NULL;
    vd_status_free(st);
    vd_npy_free(&a);
    free(copy);
  }
  CHECK_MSG(refused == (int)size, "%d of %zu cuts refused with the file named", refused, size);
  free(file);
}

// Hand-made headers: what numpy would not write is refused, with the reason.
static vd_status parse_header(const char *dict, size_t data_bytes) {
  uint8_t buf[512] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  size_t len = strlen(dict);
  buf[8] = (uint8_t)len;
  buf[9] = (uint8_t)(len >> 8);
  memcpy(buf + 10, dict, len);
  vd_npy_array a;
  vd_status st = vd_npy_parse(buf, 10 + len + data_bytes, "h.npy", &a);
  vd_npy_free(&a);
  return st;
}

static void test_headers(void) {
  CHECK_OK(parse_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n", 24));
  CHECK_OK(parse_header("{\"shape\":(2L,3L),\"fortran_order\":False,\"descr\":\"<f8\"}", 48));
  CHECK_OK(parse_header("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 4));
  CHECK_ERR_MSG(parse_header("{'descr': '<f4', 'shape': (2, 3), }", 24), "missing");
  CHECK_ERR_MSG(parse_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", 24), "unknown key 'x'");
  CHECK_ERR_MSG(parse_header("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", 8), "repeats");
  CHECK_ERR_MSG(parse_header("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", 8), "structured");
  CHECK_ERR_MSG(parse_header("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", 8), "True or False");
  CHECK_ERR_MSG(parse_header("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", 8), "not an integer");
  CHECK_ERR_MSG(parse_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1)}", 4),
                "more than 8 dimensions");
  CHECK_ERR_MSG(parse_header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999,)}", 4), "over");
  CHECK_ERR_MSG(parse_header("{'descr': '<f8', 'fortran_order': False, 'shape': (1048576, 1048576, 1048576, 16)}", 4),
                "too large");
  CHECK_ERR_MSG(parse_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} junk", 24), "after the dict");
  CHECK_ERR_MSG(parse_header("{'descr': '<f4, 'fortran_order': False}", 0), "h.npy: malformed .npy header");
  uint8_t v9[16] = {0x93, 'N', 'U', 'M', 'P', 'Y', 9, 0, 0, 0};
  CHECK_ERR_MSG(vd_npy_parse(v9, sizeof(v9), "v9.npy", &(vd_npy_array){0}), "version 9.0");
  uint8_t huge[16] = {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0xff, 0xff, 0xff, 0x7f};
  CHECK_ERR_MSG(vd_npy_parse(huge, sizeof(huge), "huge.npy", &(vd_npy_array){0}), "limit");
  CHECK_ERR_MSG(vd_npy_parse((const uint8_t *)"PK\3\4npz", 7, "a.npz", &(vd_npy_array){0}), "not a .npy file");
  uint8_t *h = NULL;
  size_t n = 0;
  const int64_t neg[1] = {-1};
  CHECK_ERR(vd_npy_header(VD_NPY_F32, 1, neg, &h, &n), VD_ERR_INVALID_ARGUMENT);
  CHECK_ERR(vd_npy_header(VD_NPY_F32, 9, neg, &h, &n), VD_ERR_INVALID_ARGUMENT);
}

int main(void) {
  test_numpy_files();
  test_round_trip();
  test_bad_files();
  test_headers();
  return vdt_finish("test_image_npy");
}
