// The writers against the real readers, at run time (tools/reference/image_interop.py, Debian's
// python3-pil and python3-numpy, installed by tools/setup.sh): PNGs the engine wrote open in Pillow with
// the same pixels, .npy files the engine wrote load in numpy to the same arrays and equal np.save's bytes,
// and .npy files numpy wrote read here to the same values. Skipped (77) only when that Python is absent.
#include "anomaly/image.h"
#include "anomaly/npy.h"
#include "tests/image_goldens.h"
#include "tests/vdtest.h"

#define PYTHON "/usr/bin/python3"

typedef struct png_item {
  const char *kind;  // pattern kind
  int seed, w, h, c;  // pattern arguments
} png_item;

static const png_item g_pngs[] = {{"noise", 1, 1, 1, 3},     {"smooth", 2, 256, 256, 3}, {"noise", 3, 37, 29, 1},
                                  {"smooth", 4, 300, 217, 1}, {"noise", 5, 3, 1000, 3},   {"noise", 6, 255, 1, 1}};

static void values(vd_npy_dtype dtype, size_t n, void *out) {
  for (size_t i = 0; i < n; ++i) {
    double v = (double)i / 7.0 - 3.0;
    if (dtype == VD_NPY_F32)
      ((float *)out)[i] = (float)v;
    else
      ((double *)out)[i] = v;
  }
}

// Parses "npy FILE f4|f8 D0 D1 ..." into name, dtype, rank and shape; returns the element count.
static size_t npy_line(const char *line, char *name, vd_npy_dtype *dtype, int *rank, int64_t *shape) {
  char dt[8];
  int used = 0;
  if (sscanf(line, "npy %127s %7s%n", name, dt, &used) != 2) return 0;
  *dtype = !strcmp(dt, "f8") ? VD_NPY_F64 : VD_NPY_F32;
  size_t n = 1;
  long long d;
  int more = 0;
  for (*rank = 0; *rank < 4 && sscanf(line + used, "%lld%n", &d, &more) == 1; used += more) {
    shape[(*rank)++] = d;
    n *= (size_t)d;
  }
  return n;
}

static void write_files(const char *dir) {
  char path[512];
  snprintf(path, sizeof(path), "%s/manifest.txt", dir);
  FILE *m = fopen(path, "w");
  for (size_t i = 0; i < sizeof(g_pngs) / sizeof(g_pngs[0]); ++i) {
    const png_item *p = &g_pngs[i];
    vd_image img = vdt_pattern(p->kind, (uint64_t)p->seed, p->w, p->h, p->c);
    snprintf(path, sizeof(path), "%s/mine_%zu.png", dir, i);
    CHECK_OK(vd_image_save_png(path, &img));
    fprintf(m, "png mine_%zu.png %s %d %d %d %d\n", i, p->kind, p->seed, p->w, p->h, p->c);
    vd_image_free(&img);
  }
  const char *arrays[] = {"npy mine_a.npy f4 3 256 256", "npy mine_b.npy f8 256 256", "npy mine_c.npy f4 1 256 256",
                          "npy mine_d.npy f8 3 256 256", "npy mine_e.npy f8 7"};
  for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); ++i) {
    char name[128];
    vd_npy_dtype dtype;
    int rank;
    int64_t shape[4];
    size_t n = npy_line(arrays[i], name, &dtype, &rank, shape);
    void *data = malloc(n * vd_npy_dtype_size(dtype));
    values(dtype, n, data);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    CHECK_OK(vd_npy_write(path, dtype, rank, shape, data));
    fprintf(m, "%s\n", arrays[i]);
    free(data);
  }
  fclose(m);
}

// Reads what numpy wrote (numpy.txt) and compares it with the values it should hold.
static int read_numpy_files(const char *dir) {
  char path[512], line[256];
  snprintf(path, sizeof(path), "%s/numpy.txt", dir);
  FILE *f = fopen(path, "r");
  int read = 0;
  while (f && fgets(line, sizeof(line), f)) {
    char name[128];
    vd_npy_dtype dtype;
    int rank;
    int64_t shape[4];
    size_t n = npy_line(line, name, &dtype, &rank, shape);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    vd_npy_array a;
    CHECK_OK(vd_npy_read(path, &a));
    void *want = malloc(n * vd_npy_dtype_size(dtype));
    values(dtype, n, want);
    int same = a.dtype == dtype && a.rank == rank && a.count == n && a.data &&
               !memcmp(a.data, want, n * vd_npy_dtype_size(dtype));
    for (int i = 0; same && i < rank; ++i) same = a.shape[i] == shape[i];
    CHECK_MSG(same, "%s: not what numpy wrote", name);
    read += same;
    free(want);
    vd_npy_free(&a);
    remove(path);
  }
  if (f) fclose(f);
  return read;
}

static void remove_files(const char *dir) {
  char path[512];
  for (size_t i = 0; i < sizeof(g_pngs) / sizeof(g_pngs[0]); ++i) {
    snprintf(path, sizeof(path), "%s/mine_%zu.png", dir, i);
    remove(path);
  }
  for (char c = 'a'; c <= 'e'; ++c) {
    snprintf(path, sizeof(path), "%s/mine_%c.npy", dir, c);
    remove(path);
  }
  const char *lists[] = {"manifest.txt", "numpy.txt"};
  for (int i = 0; i < 2; ++i) {
    snprintf(path, sizeof(path), "%s/%s", dir, lists[i]);
    remove(path);
  }
  CHECK(rmdir(dir) == 0);
}

int main(void) {
  if (system(PYTHON " -c 'import numpy, PIL' 2>/dev/null") != 0) {
    printf("test_image_interop: skipped: %s with numpy and PIL is not installed (tools/setup.sh installs them)\n",
           PYTHON);
    return 77;
  }
  char dir[256], cmd[1024];
  vdt_scratch_dir("interop", dir, sizeof(dir));
  write_files(dir);
  // Python runs without the sanitizer preload of the ASan build.
  snprintf(cmd, sizeof(cmd), "env -u LD_PRELOAD %s %s/tools/reference/image_interop.py %s", PYTHON,
           VLMD_SOURCE_DIR, dir);
  CHECK_MSG(system(cmd) == 0, "Pillow / numpy disagree with the written files (see above)");
  int read = read_numpy_files(dir);
  CHECK_MSG(read == 5, "%d of 5 numpy files read back", read);
  remove_files(dir);
  return vdt_finish("test_image_interop");
}
