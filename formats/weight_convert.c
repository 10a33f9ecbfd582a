#include "formats/weight_convert.h"

#include <math.h>
#include <string.h>

float vd_bf16_to_f32(uint16_t b) {
  uint32_t x = (uint32_t)b << 16;
  float f;
  memcpy(&f, &x, 4);
  return f;
}

vd_weight_dtype vd_weight_convert_dtype(vd_weight_dtype source, vd_weight_dtype target) {
  return vd_weight_dtype_is_float(source) ? target : source;
}

// Reads element at p (unaligned) of a float type as float.
static float vd_load_float(const uint8_t *p, vd_weight_dtype dtype) {
  uint16_t h;
  float f;
  double d;
  switch (dtype) {
    case VD_WEIGHT_F32: memcpy(&f, p, 4); return f;
    case VD_WEIGHT_F16: memcpy(&h, p, 2); return vd_f16_to_f32(h);
    case VD_WEIGHT_BF16: memcpy(&h, p, 2); return vd_bf16_to_f32(h);
    case VD_WEIGHT_F64: memcpy(&d, p, 8); return (float)d;
    default: return 0.0f;
  }
}

typedef struct vd_convert_job {
  const vd_weight_tensor *t;  // source
  vd_weight_dtype out_dtype;  // destination element type
  size_t in_size, out_size;   // element sizes
  uint8_t *dst;               // next destination element
} vd_convert_job;

static void vd_convert_element(vd_convert_job *job, const uint8_t *src) {
  if (job->out_dtype == job->t->dtype) {
    memcpy(job->dst, src, job->in_size);
  } else {
    float f = vd_load_float(src, job->t->dtype);
    if (job->out_dtype == VD_WEIGHT_F32) {
      memcpy(job->dst, &f, 4);
    } else {
      uint16_t h = vd_f32_to_f16(f);
      memcpy(job->dst, &h, 2);
    }
  }
  job->dst += job->out_size;
}

// Converts the innermost dimension run starting at src.
static void vd_convert_row(vd_convert_job *job, const uint8_t *src, int64_t n, int64_t stride) {
  if (job->out_dtype == job->t->dtype && stride == 1) {
    memcpy(job->dst, src, (size_t)n * job->in_size);
    job->dst += (size_t)n * job->in_size;
    return;
  }
  for (int64_t i = 0; i < n; ++i) vd_convert_element(job, src + (size_t)(i * stride) * job->in_size);
}

static void vd_convert_dims(vd_convert_job *job, const uint8_t *src, int dim) {
  const vd_weight_tensor *t = job->t;
  if (dim == t->rank - 1) {
    vd_convert_row(job, src, t->shape[dim], t->stride[dim]);
    return;
  }
  for (int64_t i = 0; i < t->shape[dim]; ++i)
    vd_convert_dims(job, src + (size_t)(i * t->stride[dim]) * job->in_size, dim + 1);
}

vd_status vd_weight_convert(const vd_weight_tensor *t, vd_weight_dtype target, void *dst, uint64_t dst_bytes) {
  if (target != VD_WEIGHT_F32 && target != VD_WEIGHT_F16 && target != t->dtype)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: cannot convert %s to %s (only to F32, F16 or itself)",
                          t->name, vd_weight_dtype_name(t->dtype), vd_weight_dtype_name(target));
  vd_convert_job job = {t, vd_weight_convert_dtype(t->dtype, target), vd_weight_dtype_size(t->dtype), 0, dst};
  job.out_size = vd_weight_dtype_size(job.out_dtype);
  if (dst_bytes != t->numel * job.out_size)
    return vd_status_make(VD_ERR_INTERNAL, "%s: destination holds %llu bytes, need %llu", t->name,
                          (unsigned long long)dst_bytes, (unsigned long long)(t->numel * job.out_size));
  if (t->numel == 0) return NULL;
  if (t->rank == 0 || t->contiguous) {
    vd_convert_row(&job, t->data, (int64_t)t->numel, 1);
    return NULL;
  }
  vd_convert_dims(&job, t->data, 0);
  return NULL;
}
