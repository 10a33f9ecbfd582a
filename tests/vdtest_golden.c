#include "tests/vdtest_golden.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vdt_goldens {
  unsigned char *file;  // whole file
  size_t size;          // its size
  cJSON *header;        // parsed header
  size_t data_start;    // offset of the data section
};

static void vdt_golden_die(const char *path, const char *why) {
  fprintf(stderr, "golden file %s: %s\n", path, why);
  exit(1);
}

vdt_goldens *vdt_goldens_load(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) vdt_golden_die(path, "cannot open (run the generator in tools/reference/)");
  vdt_goldens *g = calloc(1, sizeof(*g));
  fseek(f, 0, SEEK_END);
  g->size = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  g->file = malloc(g->size ? g->size : 1);
  if (fread(g->file, 1, g->size, f) != g->size) vdt_golden_die(path, "short read");
  fclose(f);
  uint64_t hlen = 0;
  if (g->size < 8) vdt_golden_die(path, "truncated");
  for (int i = 7; i >= 0; --i) hlen = hlen << 8 | g->file[i];
  if (hlen > g->size - 8) vdt_golden_die(path, "header length past the end");
  g->header = cJSON_ParseWithLength((const char *)g->file + 8, (size_t)hlen);
  if (!g->header) vdt_golden_die(path, "header is not JSON");
  g->data_start = 8 + (size_t)hlen;
  return g;
}

void vdt_goldens_free(vdt_goldens *g) {
  if (!g) return;
  cJSON_Delete(g->header);
  free(g->file);
  free(g);
}

const float *vdt_golden(const vdt_goldens *g, const char *name, int *out_rank, int64_t out_shape[8]) {
  cJSON *t = cJSON_GetObjectItemCaseSensitive(g->header, name);
  cJSON *shape = t ? cJSON_GetObjectItemCaseSensitive(t, "shape") : NULL;
  cJSON *offs = t ? cJSON_GetObjectItemCaseSensitive(t, "data_offsets") : NULL;
  if (!t || !cJSON_IsArray(shape) || !cJSON_IsArray(offs)) vdt_golden_die(name, "tensor missing");
  int rank = cJSON_GetArraySize(shape);
  size_t count = 1;
  for (int i = 0; i < rank && i < 8; ++i) {
    int64_t d = (int64_t)cJSON_GetArrayItem(shape, i)->valuedouble;
    if (out_shape) out_shape[i] = d;
    count *= (size_t)d;
  }
  if (out_rank) *out_rank = rank;
  size_t begin = (size_t)cJSON_GetArrayItem(offs, 0)->valuedouble;
  size_t end = (size_t)cJSON_GetArrayItem(offs, 1)->valuedouble;
  if (end - begin != count * 4 || g->data_start + end > g->size) vdt_golden_die(name, "bad data range");
  return (const float *)(g->file + g->data_start + begin);
}

size_t vdt_golden_count(const vdt_goldens *g, const char *name) {
  int rank = 0;
  int64_t shape[8];
  vdt_golden(g, name, &rank, shape);
  size_t n = 1;
  for (int i = 0; i < rank; ++i) n *= (size_t)shape[i];
  return n;
}

bool vdt_golden_check(const char *file, int line, const vdt_goldens *g, const char *name, const float *got, size_t n,
                      vdt_bounds b, const char *what) {
  size_t count = vdt_golden_count(g, name);
  if (count != n) {
    ++vdt_checks, ++vdt_failures;
    fprintf(stderr, "%s:%d: %s: %zu elements, the golden %s has %zu\n", file, line, what ? what : name, n, name, count);
    return false;
  }
  return vdt_check_close_f(file, line, b, got, vdt_golden(g, name, NULL, NULL), n, what ? what : name);
}
