#include "formats/weight_tensor.h"

#include <stdio.h>
#include <string.h>

static const struct {
  const char *name;  // safetensors spelling
  size_t size;       // bytes per element
  bool is_float;     // floating point
} vd_weight_dtype_info[VD_WEIGHT_DTYPE_COUNT] = {
    [VD_WEIGHT_F32] = {"F32", 4, true},   [VD_WEIGHT_F16] = {"F16", 2, true},
    [VD_WEIGHT_BF16] = {"BF16", 2, true}, [VD_WEIGHT_F64] = {"F64", 8, true},
    [VD_WEIGHT_I64] = {"I64", 8, false},  [VD_WEIGHT_I32] = {"I32", 4, false},
    [VD_WEIGHT_I16] = {"I16", 2, false},  [VD_WEIGHT_I8] = {"I8", 1, false},
    [VD_WEIGHT_U8] = {"U8", 1, false},    [VD_WEIGHT_BOOL] = {"BOOL", 1, false},
};

const char *vd_weight_dtype_name(vd_weight_dtype dtype) {
  return (unsigned)dtype < VD_WEIGHT_DTYPE_COUNT ? vd_weight_dtype_info[dtype].name : "?";
}

bool vd_weight_dtype_parse(const char *name, vd_weight_dtype *out_dtype) {
  for (int i = 0; i < VD_WEIGHT_DTYPE_COUNT; ++i) {
    if (strcmp(name, vd_weight_dtype_info[i].name) == 0) {
      *out_dtype = (vd_weight_dtype)i;
      return true;
    }
  }
  return false;
}

size_t vd_weight_dtype_size(vd_weight_dtype dtype) {
  return (unsigned)dtype < VD_WEIGHT_DTYPE_COUNT ? vd_weight_dtype_info[dtype].size : 0;
}

bool vd_weight_dtype_is_float(vd_weight_dtype dtype) {
  return (unsigned)dtype < VD_WEIGHT_DTYPE_COUNT && vd_weight_dtype_info[dtype].is_float;
}

const char *vd_weight_shape_format(int rank, const int64_t *shape, char *buf, size_t buf_size) {
  size_t n = 0;
  buf[0] = '\0';
  n += (size_t)snprintf(buf + n, buf_size - n, "(");
  for (int i = 0; i < rank && n < buf_size; ++i)
    n += (size_t)snprintf(buf + n, buf_size - n, i ? ", %lld" : "%lld", (long long)shape[i]);
  if (n < buf_size) snprintf(buf + n, buf_size - n, rank == 1 ? ",)" : ")");
  return buf;
}

uint64_t vd_weight_tensor_bytes(const vd_weight_tensor *t) {
  return t->numel * vd_weight_dtype_size(t->dtype);
}

void vd_weight_tensor_set_dense_strides(vd_weight_tensor *t) {
  uint64_t s = 1;  // saturates instead of overflowing; vd_weight_tensor_layout rejects such shapes
  for (int i = t->rank - 1; i >= 0; --i) {
    t->stride[i] = s > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)s;
    uint64_t d = t->shape[i] > 0 ? (uint64_t)t->shape[i] : 1;
    if (__builtin_mul_overflow(s, d, &s)) s = UINT64_MAX;
  }
}

static bool vd_weight_strides_dense(const vd_weight_tensor *t) {
  int64_t expect = 1;
  for (int i = t->rank - 1; i >= 0; --i) {
    if (t->shape[i] != 1 && t->stride[i] != expect) return false;
    expect *= t->shape[i];
  }
  return true;
}

vd_status vd_weight_tensor_layout(vd_weight_tensor *t, const char *what) {
  if (t->rank < 0 || t->rank > VD_WEIGHT_MAX_RANK)
    return vd_status_make(VD_ERR_FORMAT, "%s: rank %d exceeds the limit %d", what, t->rank,
                          VD_WEIGHT_MAX_RANK);
  size_t esize = vd_weight_dtype_size(t->dtype);
  if (!esize) return vd_status_make(VD_ERR_FORMAT, "%s: unknown element type", what);
  uint64_t numel = 1, last = 0;  // last: element index of the farthest element reached
  for (int i = 0; i < t->rank; ++i) {
    if (t->shape[i] < 0 || t->stride[i] < 0)
      return vd_status_make(VD_ERR_FORMAT, "%s: negative size or stride in dimension %d", what, i);
    if (__builtin_mul_overflow((uint64_t)t->shape[i], numel, &numel) || numel > VD_WEIGHT_MAX_ELEMENTS)
      return vd_status_make(VD_ERR_FORMAT, "%s: element count overflows (dimension %d is %lld)", what, i,
                            (long long)t->shape[i]);
  }
  for (int i = 0; i < t->rank && numel; ++i) {
    uint64_t reach = 0;
    if (__builtin_mul_overflow((uint64_t)(t->shape[i] - 1), (uint64_t)t->stride[i], &reach) ||
        __builtin_add_overflow(last, reach, &last) || last > VD_WEIGHT_MAX_ELEMENTS)
      return vd_status_make(VD_ERR_FORMAT, "%s: strides reach past any sane storage", what);
  }
  t->numel = numel;
  t->contiguous = vd_weight_strides_dense(t);
  t->span_bytes = numel ? (last + 1) * esize : 0;
  return NULL;
}
