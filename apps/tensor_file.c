#include "apps/tensor_file.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/safetensors_writer.h"
#include "formats/weight_convert.h"
#include "graph/graph.h"

static vd_status vd_fill_shape(const vd_weight_tensor *t, vd_host_array *a) {
  memset(a, 0, sizeof(*a));
  a->rank = t->rank;
  memcpy(a->shape, t->shape, sizeof(int64_t) * (size_t)t->rank);
  a->count = t->numel;
  if (a->count > (1ull << 32)) return vd_status_make(VD_ERR_LIMIT, "input %s has %llu elements", t->name,
                                                     (unsigned long long)a->count);
  return NULL;
}

// One element of an integer tensor as int64 (unaligned-safe).
static int64_t vd_int_at(const vd_weight_tensor *t, uint64_t i) {
  const uint8_t *p = t->data + i * vd_weight_dtype_size(t->dtype);
  int64_t v64;
  int32_t v32;
  int16_t v16;
  switch (t->dtype) {
    case VD_WEIGHT_I64: memcpy(&v64, p, 8); return v64;
    case VD_WEIGHT_I32: memcpy(&v32, p, 4); return v32;
    case VD_WEIGHT_I16: memcpy(&v16, p, 2); return v16;
    case VD_WEIGHT_I8: return (int8_t)*p;
    case VD_WEIGHT_U8:
    case VD_WEIGHT_BOOL: return *p;
    default: return 0;
  }
}

vd_status vd_input_f32(const vd_safetensors *file, const char *name, bool optional, vd_host_array *out, bool *found) {
  memset(out, 0, sizeof(*out));
  *found = false;
  const vd_weight_tensor *t = file ? vd_safetensors_find(file, name) : NULL;
  if (!t) return optional ? NULL : vd_status_make(VD_ERR_NOT_FOUND, "input tensor \"%s\" is missing", name);
  VD_RETURN_IF_ERROR(vd_fill_shape(t, out));
  out->f = malloc(out->count * sizeof(float) + 4);
  if (!out->f) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "input %s", name);
  vd_status st = NULL;
  if (vd_weight_dtype_is_float(t->dtype)) {
    st = vd_weight_convert(t, VD_WEIGHT_F32, out->f, out->count * 4);
  } else if (t->contiguous) {
    for (uint64_t i = 0; i < out->count; ++i) out->f[i] = (float)vd_int_at(t, i);
  } else {
    st = vd_status_make(VD_ERR_FORMAT, "input %s: non-contiguous integer tensor", name);
  }
  if (st) {
    vd_host_array_free(out);
    return vd_status_annotate(st, "input %s", name);
  }
  for (uint64_t i = 0; i < out->count; ++i)
    if (!isfinite(out->f[i])) {
      vd_host_array_free(out);
      return vd_status_make(VD_ERR_INVALID_ARGUMENT, "input %s holds a non-finite value at element %llu", name,
                            (unsigned long long)i);
    }
  *found = true;
  return NULL;
}

vd_status vd_input_i32(const vd_safetensors *file, const char *name, vd_host_array *out) {
  memset(out, 0, sizeof(*out));
  const vd_weight_tensor *t = file ? vd_safetensors_find(file, name) : NULL;
  if (!t) return vd_status_make(VD_ERR_NOT_FOUND, "input tensor \"%s\" is missing", name);
  if (vd_weight_dtype_is_float(t->dtype) || !t->contiguous)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "input %s must be a dense integer tensor, not %s", name,
                          vd_weight_dtype_name(t->dtype));
  VD_RETURN_IF_ERROR(vd_fill_shape(t, out));
  out->i = malloc(out->count * sizeof(int32_t) + 4);
  if (!out->i) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "input %s", name);
  for (uint64_t k = 0; k < out->count; ++k) {
    int64_t v = vd_int_at(t, k);
    if (v < INT32_MIN || v > INT32_MAX) {
      vd_host_array_free(out);
      return vd_status_make(VD_ERR_INVALID_ARGUMENT, "input %s: value %lld does not fit int32", name, (long long)v);
    }
    out->i[k] = (int32_t)v;
  }
  return NULL;
}

vd_status vd_input_expect(const char *name, const vd_host_array *a, int rank, const int64_t *want) {
  bool ok = a->rank == rank;
  for (int i = 0; ok && i < rank; ++i) ok = want[i] < 0 || a->shape[i] == want[i];
  if (ok) return NULL;
  char got[96], exp[96];
  int64_t w[8];
  for (int i = 0; i < rank; ++i) w[i] = want[i] < 0 ? 0 : want[i];
  vd_shape_format((uint32_t)a->rank, a->shape, got, sizeof(got));
  vd_shape_format((uint32_t)rank, w, exp, sizeof(exp));
  return vd_status_make(VD_ERR_INVALID_ARGUMENT, "input %s has shape %s, expected %s (0 = any)", name, got, exp);
}

void vd_host_array_free(vd_host_array *a) {
  free(a->f);
  free(a->i);
  memset(a, 0, sizeof(*a));
}

void vd_outputs_add(vd_outputs *o, const char *name, int rank, const int64_t *shape, const float *data) {
  if (o->count == VD_OUT_MAX) return;
  o->names[o->count] = name;
  o->ranks[o->count] = rank;
  memcpy(o->shapes[o->count], shape, sizeof(int64_t) * (size_t)rank);
  o->data[o->count++] = data;
}

vd_status vd_outputs_write(const vd_outputs *o, const char *path) {
  vd_safetensors_entry e[VD_OUT_MAX];
  for (uint32_t i = 0; i < o->count; ++i) {
    e[i] = (vd_safetensors_entry){.name = o->names[i], .dtype = VD_WEIGHT_F32, .rank = o->ranks[i]};
    memcpy(e[i].shape, o->shapes[i], sizeof(int64_t) * (size_t)o->ranks[i]);
  }
  vd_safetensors_writer *w = NULL;
  VD_RETURN_IF_ERROR(vd_safetensors_writer_create(path, e, o->count, &w));
  for (uint32_t i = 0; i < o->count; ++i) {
    uint64_t n = 1;
    for (int k = 0; k < o->ranks[i]; ++k) n *= (uint64_t)o->shapes[i][k];
    vd_status st = vd_safetensors_writer_write(w, o->data[i], n * 4);
    if (st) {
      vd_safetensors_writer_destroy(w);
      return st;
    }
  }
  return vd_safetensors_writer_finish(w);
}
