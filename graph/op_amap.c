#include "graph/op_amap.h"

#include <math.h>
#include <stdio.h>

#include "graph/op_eltwise.h"
#include "runtime/context.h"
#include "runtime/status.h"

#define AMAP_WG 256u
#define AMAP_MAX_RADIUS 1023u  // a kernel of 2047 taps: far beyond any sigma in use

const char *vd_wide_name(vd_wide wide) { return wide == VD_WIDE_DF64 ? "df64" : "f64"; }

static vd_status check_count(const char *op, uint64_t n) {
  if (n == 0 || n > UINT32_MAX)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: element count %llu outside 1..2^32-1", op,
                          (unsigned long long)n);
  return NULL;
}

// Checks a view's size and that one binding may span it (maxStorageBufferRange).
static vd_status check_binding(const vd_op_env *env, const char *op, const char *what, vd_view v, uint64_t bytes) {
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, what, v, bytes));
  uint64_t range = vd_kernels_context(env->kernels)->policy.max_buffer_range;
  if (range && bytes > range)
    return vd_status_make(VD_ERR_LIMIT, "%s: %s needs %llu bytes in one binding, the device allows %llu", op, what,
                          (unsigned long long)bytes, (unsigned long long)range);
  return NULL;
}

// "<base>_f64" or "<base>_df64".
static const char *wide_shader(const char *base, vd_wide wide, char out[64]) {
  snprintf(out, 64, "%s_%s", base, vd_wide_name(wide));
  return out;
}

// ---- 1 - cos ----------------------------------------------------------------------------------

uint32_t vd_amap_cosine_full_lanes(uint32_t p) {
  uint32_t group = p >= 8 ? 32 : 4;  // SumKernel: 4 AVX2 vectors per step, or 4 scalars when P < 8
  return p - p % group;
}

vd_status vd_op_amap_cosine(const vd_op_env *env, const vd_amap_cosine_params *p, vd_view a, vd_view b, vd_view y) {
  const char *op = "amap_cosine";
  if (!p || !p->n || !p->c || !p->p || !(p->eps >= 0))
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: empty shape or bad eps", op);
  uint64_t nin = (uint64_t)p->n * p->c * p->p, nout = (uint64_t)p->n * p->p, es = vd_precision_bytes(env->precision);
  VD_RETURN_IF_ERROR(check_count(op, nin));
  VD_RETURN_IF_ERROR(check_binding(env, op, "a", a, nin * es));
  VD_RETURN_IF_ERROR(check_binding(env, op, "b", b, nin * es));
  VD_RETURN_IF_ERROR(check_binding(env, op, "y", y, nout * 4));
  vd_binding bind[3] = {vd_elem_binding(a, nin * es), vd_elem_binding(b, nin * es), vd_elem_binding(y, nout * 4)};
  struct {
    uint32_t n, c, p, full;
    float eps;
  } push = {(uint32_t)nout, p->c, p->p, vd_amap_cosine_full_lanes(p->p), p->eps};
  uint32_t spec = (uint32_t)p->rounding_test, groups[3];
  VD_RETURN_IF_ERROR(vd_elem_groups(env, nout, AMAP_WG, groups));
  return vd_elem_dispatch(env, "amap_cosine", env->precision, bind, 3, &push, sizeof push, &spec, 1, groups);
}

// ---- up-sampling into the sum -----------------------------------------------------------------

void vd_amap_bilinear_coef(uint32_t in, uint32_t out, float *out_coef) {
  // area_pixel_compute_scale<float>: the ratio in float; the source index in double (acc_type).
  float scale = out > 1 ? (float)(in - 1) / (float)(out - 1) : 0.0f;
  for (uint32_t o = 0; o < out; ++o) {
    float *c = out_coef + 4 * (size_t)o;
    if (in == out) {  // PyTorch copies
      c[0] = c[1] = (float)o, c[2] = 1.0f, c[3] = 0.0f;
      continue;
    }
    double real = (double)scale * (double)o;
    int64_t i0 = (int64_t)real;
    if (i0 > (int64_t)in - 1) i0 = (int64_t)in - 1;  // never for a rounded ratio; keeps reads in bounds
    double frac = real - (double)i0;
    float l1 = (float)(frac < 0 ? 0 : frac > 1 ? 1 : frac);
    c[0] = (float)i0;
    c[1] = (float)(i0 + (i0 < (int64_t)in - 1 ? 1 : 0));
    c[2] = 1.0f - l1;
    c[3] = l1;
  }
}

vd_status vd_op_amap_upsample(const vd_op_env *env, const vd_amap_upsample_params *p, vd_view level, vd_view coef,
                              vd_view prev, vd_view sum) {
  const char *op = "amap_upsample";
  if (!p || !p->n || !p->h || !p->w || !p->oh || !p->ow)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: empty shape", op);
  uint64_t nin = (uint64_t)p->n * p->h * p->w, nout = (uint64_t)p->n * p->oh * p->ow;
  uint64_t ncoef = 16ull * (p->oh + p->ow);
  VD_RETURN_IF_ERROR(check_count(op, nout));
  VD_RETURN_IF_ERROR(check_binding(env, op, "level", level, nin * 4));
  VD_RETURN_IF_ERROR(check_binding(env, op, "coef", coef, ncoef));
  if (!p->first) VD_RETURN_IF_ERROR(check_binding(env, op, "prev", prev, nout * 8));
  VD_RETURN_IF_ERROR(check_binding(env, op, "sum", sum, nout * 8));
  vd_binding bind[4] = {vd_elem_binding(level, nin * 4), vd_elem_binding(coef, ncoef),
                        vd_elem_binding(p->first ? sum : prev, nout * 8), vd_elem_binding(sum, nout * 8)};
  uint32_t push[6] = {(uint32_t)nout, p->h, p->w, p->oh, p->ow, p->first}, groups[3];
  char name[64];
  VD_RETURN_IF_ERROR(vd_elem_groups(env, nout, AMAP_WG, groups));
  return vd_elem_dispatch(env, wide_shader("amap_upsample", p->wide, name), VD_PRECISION_F32, bind, 4, push,
                          sizeof push, NULL, 0, groups);
}

// ---- Gaussian ---------------------------------------------------------------------------------

uint32_t vd_amap_gauss_radius(double sigma, double truncate) { return (uint32_t)(truncate * sigma + 0.5); }

// NumPy's pairwise summation of float64 (8-way unrolled blocks of at most 128, halves above).
static double numpy_pairwise_sum(const double *a, size_t n) {
  if (n < 8) {
    double s = 0.0;
    for (size_t i = 0; i < n; ++i) s += a[i];
    return s;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < n - n % 8; i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) s += a[i];
    return s;
  }
  size_t half = n / 2;
  half -= half % 8;
  return numpy_pairwise_sum(a, half) + numpy_pairwise_sum(a + half, n - half);
}

void vd_amap_gauss_weights(double sigma, uint32_t radius, double *out_weights) {
  if (radius > AMAP_MAX_RADIUS) radius = AMAP_MAX_RADIUS;
  double phi[2 * AMAP_MAX_RADIUS + 1], c = -0.5 / (sigma * sigma);
  size_t n = 2 * (size_t)radius + 1;
  for (size_t i = 0; i < n; ++i) {
    double k = (double)i - (double)radius;
    phi[i] = exp(c * (k * k));
  }
  double total = numpy_pairwise_sum(phi, n);
  for (uint32_t k = 0; k <= radius; ++k) out_weights[k] = phi[radius + k] / total;
}

vd_status vd_op_blur_wide(const vd_op_env *env, const vd_blur_wide_params *p, vd_view x, vd_view coef,
                          vd_view scratch, vd_view y, vd_view map) {
  const char *op = "blur_wide";
  if (!p || !p->planes || !p->h || !p->w) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: empty shape", op);
  if (p->radius > AMAP_MAX_RADIUS)
    return vd_status_make(VD_ERR_LIMIT, "%s: radius %u above %u", op, p->radius, AMAP_MAX_RADIUS);
  uint64_t n = (uint64_t)p->planes * p->h * p->w, nc = 8ull * (p->radius + 1);
  VD_RETURN_IF_ERROR(check_count(op, n));
  VD_RETURN_IF_ERROR(check_binding(env, op, "x", x, 8 * n));
  VD_RETURN_IF_ERROR(check_binding(env, op, "coef", coef, nc));
  VD_RETURN_IF_ERROR(check_binding(env, op, "scratch", scratch, 8 * n));
  VD_RETURN_IF_ERROR(check_binding(env, op, "y", y, 8 * n));
  VD_RETURN_IF_ERROR(check_binding(env, op, "map", map, 4 * n));
  vd_binding bc = vd_elem_binding(coef, nc), bm = vd_elem_binding(map, 4 * n);
  vd_binding pass0[4] = {vd_elem_binding(x, 8 * n), bc, vd_elem_binding(scratch, 8 * n), bm};
  vd_binding pass1[4] = {vd_elem_binding(scratch, 8 * n), bc, vd_elem_binding(y, 8 * n), bm};
  uint32_t push[4] = {(uint32_t)n, p->h, p->w, p->radius}, groups[3];
  char name[64];
  wide_shader("blur_wide", p->wide, name);
  VD_RETURN_IF_ERROR(vd_elem_groups(env, n, AMAP_WG, groups));
  for (uint32_t pass = 0; pass < 2; ++pass) {
    if (pass) vd_cmd_barrier(env->cmd);
    VD_RETURN_IF_ERROR(vd_elem_dispatch(env, name, VD_PRECISION_F32, pass ? pass1 : pass0, 4, push, sizeof push,
                                        &pass, 1, groups));
  }
  return NULL;
}

// ---- pooling and max --------------------------------------------------------------------------

vd_status vd_op_avgpool_wide(const vd_op_env *env, const vd_avgpool_wide_params *p, vd_view x, vd_view y) {
  const char *op = "avgpool_wide";
  if (!p || !p->planes || !p->k || p->h < p->k || p->w < p->k)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: a %ux%u plane is smaller than the %ux%u window", op,
                          p ? p->h : 0, p ? p->w : 0, p ? p->k : 0, p ? p->k : 0);
  if (p->k & (p->k - 1)) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: k = %u is not a power of two", op, p->k);
  uint64_t nx = (uint64_t)p->planes * p->h * p->w;
  uint64_t ny = (uint64_t)p->planes * (p->h - p->k + 1) * (p->w - p->k + 1);
  VD_RETURN_IF_ERROR(check_count(op, nx));
  VD_RETURN_IF_ERROR(check_binding(env, op, "x", x, 8 * nx));
  VD_RETURN_IF_ERROR(check_binding(env, op, "y", y, 8 * ny));
  vd_binding bind[2] = {vd_elem_binding(x, 8 * nx), vd_elem_binding(y, 8 * ny)};
  struct {
    uint32_t n, h, w, k;
    float inv_area;
  } push = {(uint32_t)ny, p->h, p->w, p->k, 1.0f / (float)(p->k * p->k)};
  uint32_t groups[3];
  char name[64];
  VD_RETURN_IF_ERROR(vd_elem_groups(env, ny, AMAP_WG, groups));
  return vd_elem_dispatch(env, wide_shader("avgpool_wide", p->wide, name), VD_PRECISION_F32, bind, 2, &push,
                          sizeof push, NULL, 0, groups);
}

vd_status vd_op_max_wide(const vd_op_env *env, const vd_max_wide_params *p, vd_view x, vd_view y) {
  const char *op = "max_wide";
  if (!p || !p->rows || !p->cols) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: empty shape", op);
  uint64_t n = (uint64_t)p->rows * p->cols;
  VD_RETURN_IF_ERROR(check_count(op, n));
  VD_RETURN_IF_ERROR(check_binding(env, op, "x", x, 8 * n));
  VD_RETURN_IF_ERROR(check_binding(env, op, "y", y, 8ull * p->rows));
  vd_binding bind[2] = {vd_elem_binding(x, 8 * n), vd_elem_binding(y, 8ull * p->rows)};
  uint32_t push[2] = {p->rows, p->cols}, groups[3];
  char name[64];
  VD_RETURN_IF_ERROR(vd_elem_groups(env, (uint64_t)p->rows * AMAP_WG, AMAP_WG, groups));
  return vd_elem_dispatch(env, wide_shader("max_wide", p->wide, name), VD_PRECISION_F32, bind, 2, push, sizeof push,
                          NULL, 0, groups);
}
