#include "graph/op_layout.h"

#include "graph/op_eltwise.h"
#include "runtime/status.h"

#define LAYOUT_WG 256u

static vd_status check_n(const char *op, uint64_t n) {
  if (n == 0 || n > UINT32_MAX)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: element count %llu outside 1..2^32-1", op,
                          (unsigned long long)n);
  return NULL;
}

// One element per invocation over n outputs: checks x (nx elements) and y (n elements), dispatches.
static vd_status record_1d(const vd_op_env *env, const char *op, const char *shader, uint64_t nx, uint64_t n,
                           vd_view x, vd_view y, const void *push, uint32_t push_size, const uint32_t *spec,
                           uint32_t spec_count) {
  VD_RETURN_IF_ERROR(check_n(op, nx));
  VD_RETURN_IF_ERROR(check_n(op, n));
  uint64_t es = vd_precision_bytes(env->precision);
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "x", x, nx * es));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "y", y, n * es));
  vd_binding b[2] = {vd_elem_binding(x, nx * es), vd_elem_binding(y, n * es)};
  uint32_t groups[3];
  VD_RETURN_IF_ERROR(vd_elem_groups(env, n, LAYOUT_WG, groups));
  return vd_elem_dispatch(env, shader, env->precision, b, 2, push, push_size, spec, spec_count, groups);
}

// ---- slice ------------------------------------------------------------------------------------

vd_status vd_op_slice(const vd_op_env *env, const vd_slice_params *p, vd_view x, vd_view y) {
  if (!p || !p->outer || !p->inner || !p->len || p->start > p->dim || p->len > p->dim - p->start)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "slice: [%u, %u) outside a dimension of %u", p ? p->start : 0,
                          p ? p->start + p->len : 0, p ? p->dim : 0);
  uint64_t nx = (uint64_t)p->outer * p->dim * p->inner, n = (uint64_t)p->outer * p->len * p->inner;
  uint32_t push[4] = {(uint32_t)n, p->len * p->inner, p->dim * p->inner, p->start * p->inner};
  return record_1d(env, "slice", "slice", nx, n, x, y, push, sizeof push, NULL, 0);
}

// ---- concat -----------------------------------------------------------------------------------

static uint64_t concat_total(const vd_concat_params *p) {
  uint64_t t = 0;
  for (uint32_t i = 0; i < p->count && i < VD_CONCAT_MAX_INPUTS; ++i) t += p->sizes[i];
  return t;
}

vd_status vd_op_concat(const vd_op_env *env, const vd_concat_params *p, const vd_view *inputs, vd_view y) {
  const char *op = "concat";
  if (!p || p->count == 0 || p->count > VD_CONCAT_MAX_INPUTS || p->outer == 0 || p->inner == 0)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: 1..%d inputs with non-empty outer/inner expected", op,
                          VD_CONCAT_MAX_INPUTS);
  uint64_t total = concat_total(p), es = vd_precision_bytes(env->precision);
  uint64_t ny = (uint64_t)p->outer * total * p->inner;
  VD_RETURN_IF_ERROR(check_n(op, ny));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "y", y, ny * es));
  uint64_t offset = 0;
  for (uint32_t i = 0; i < p->count; ++i) {
    uint64_t inner = (uint64_t)p->sizes[i] * p->inner, n = inner * p->outer;
    if (n == 0) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: input %u is empty", op, i);
    VD_RETURN_IF_ERROR(vd_elem_check_view(op, "input", inputs[i], n * es));
    vd_binding b[2] = {vd_elem_binding(inputs[i], n * es), vd_elem_binding(y, ny * es)};
    uint32_t push[4] = {(uint32_t)n, (uint32_t)inner, (uint32_t)(total * p->inner), (uint32_t)offset}, groups[3];
    VD_RETURN_IF_ERROR(vd_elem_groups(env, n, LAYOUT_WG, groups));
    VD_RETURN_IF_ERROR(vd_elem_dispatch(env, "concat", env->precision, b, 2, push, sizeof push, NULL, 0, groups));
    offset += inner;
  }
  return NULL;
}

uint64_t vd_op_concat_bytes(vd_precision precision, const vd_concat_params *p) {
  return 2ull * p->outer * concat_total(p) * p->inner * vd_precision_bytes(precision);
}

// ---- permute ----------------------------------------------------------------------------------

static uint64_t permute_count(const vd_permute_params *p) {
  return (uint64_t)p->shape[0] * p->shape[1] * p->shape[2] * p->shape[3];
}

static vd_status permute_check(const vd_permute_params *p) {
  unsigned seen = 0;
  for (int k = 0; k < 4; ++k) {
    if (p->perm[k] > 3 || (seen & (1u << p->perm[k])) || p->shape[k] == 0)
      return vd_status_make(VD_ERR_INVALID_ARGUMENT, "permute: perm must be a permutation of 0..3, dims > 0");
    seen |= 1u << p->perm[k];
  }
  return NULL;
}

// Reduces the permutation to a batched 2-D transpose [B, R, C] -> [B, C, R] when it is one (after
// dropping size-1 dims and merging runs of input dims that stay adjacent in the output).
static bool permute_as_transpose(const vd_permute_params *p, uint32_t *b, uint32_t *r, uint32_t *c) {
  uint32_t dims[4], n = 0;  // output order, size-1 dims removed, adjacent runs merged
  uint64_t ext[4];
  for (int k = 0; k < 4; ++k) {
    uint32_t d = p->perm[k];
    if (p->shape[d] == 1) continue;
    if (n > 0 && dims[n - 1] + 1 == d && ext[n - 1] > 0) {
      dims[n - 1] = d;  // the run continues: keep the last input dim, multiply the extent
      ext[n - 1] *= p->shape[d];
    } else {
      dims[n] = d;
      ext[n++] = p->shape[d];
    }
  }
  // Output groups in input order would be ascending; a transpose is [.., G2, G1] with G1 < G2 in input.
  if (n == 2 && dims[0] > dims[1]) {
    *b = 1, *r = (uint32_t)ext[1], *c = (uint32_t)ext[0];
    return true;
  }
  if (n == 3 && dims[0] < dims[2] && dims[2] < dims[1]) {
    *b = (uint32_t)ext[0], *r = (uint32_t)ext[2], *c = (uint32_t)ext[1];
    return true;
  }
  return false;
}

// The tiled kernel's grid: (ceil(C/32), ceil(R/32), B) must fit the device's workgroup-count limits.
static bool permute_tiled_fits(const vd_op_env *env, uint32_t b, uint32_t r, uint32_t c) {
  const vd_device_info *info = vd_kernels_context(env->kernels)->info;
  return b <= info->max_workgroup_count[2] && (r + 31) / 32 <= info->max_workgroup_count[1] &&
         (c + 31) / 32 <= info->max_workgroup_count[0];
}

const char *vd_op_permute_variant(const vd_permute_params *p) {
  uint32_t b, r, c;
  return permute_as_transpose(p, &b, &r, &c) ? "permute_tiled" : "permute";
}

vd_status vd_op_permute(const vd_op_env *env, const vd_permute_params *p, vd_view x, vd_view y) {
  const char *op = "permute";
  if (!p) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: missing params", op);
  VD_RETURN_IF_ERROR(permute_check(p));
  uint64_t n = permute_count(p);
  uint32_t b, r, c;
  if (permute_as_transpose(p, &b, &r, &c) && permute_tiled_fits(env, b, r, c)) {
    VD_RETURN_IF_ERROR(check_n(op, n));
    uint64_t bytes = n * vd_precision_bytes(env->precision);
    VD_RETURN_IF_ERROR(vd_elem_check_view(op, "x", x, bytes));
    VD_RETURN_IF_ERROR(vd_elem_check_view(op, "y", y, bytes));
    vd_binding bind[2] = {vd_elem_binding(x, bytes), vd_elem_binding(y, bytes)};
    uint32_t push[2] = {r, c}, groups[3] = {(c + 31) / 32, (r + 31) / 32, b};
    return vd_elem_dispatch(env, "permute_tiled", env->precision, bind, 2, push, sizeof push, NULL, 0, groups);
  }
  struct {
    uint32_t shape[4], stride[4], n;
  } push = {.n = (uint32_t)n};
  uint32_t in_stride[4], s = 1;
  for (int d = 3; d >= 0; --d) in_stride[d] = s, s *= p->shape[d];
  for (int k = 0; k < 4; ++k) push.shape[k] = p->shape[p->perm[k]], push.stride[k] = in_stride[p->perm[k]];
  return record_1d(env, op, "permute", n, n, x, y, &push, sizeof push, NULL, 0);
}

uint64_t vd_op_permute_bytes(vd_precision precision, const vd_permute_params *p) {
  return 2 * permute_count(p) * vd_precision_bytes(precision);
}

vd_status vd_op_nchw_to_nhwc(const vd_op_env *env, uint32_t n, uint32_t c, uint32_t hw, vd_view x, vd_view y) {
  vd_permute_params p = {{1, n, c, hw}, {0, 1, 3, 2}};
  return vd_op_permute(env, &p, x, y);
}

vd_status vd_op_nhwc_to_nchw(const vd_op_env *env, uint32_t n, uint32_t c, uint32_t hw, vd_view x, vd_view y) {
  vd_permute_params p = {{1, n, hw, c}, {0, 1, 3, 2}};
  return vd_op_permute(env, &p, x, y);
}

// ---- nearest 2x -------------------------------------------------------------------------------

vd_status vd_op_upsample_nearest2x(const vd_op_env *env, uint32_t n, uint32_t c, uint32_t h, uint32_t w, vd_view x,
                                   vd_view y) {
  uint64_t nx = (uint64_t)n * c * h * w, ny = 4 * nx;
  uint32_t push[3] = {(uint32_t)ny, h, w};
  return record_1d(env, "upsample_nearest2x", "upsample_nearest2x", nx, ny, x, y, push, sizeof push, NULL, 0);
}

uint64_t vd_op_upsample_nearest2x_bytes(vd_precision precision, uint32_t n, uint32_t c, uint32_t h, uint32_t w) {
  return 5ull * n * c * h * w * vd_precision_bytes(precision);
}

// ---- resize -----------------------------------------------------------------------------------

float vd_resize_source_step(uint32_t in, uint32_t out, bool align_corners, double scale_factor) {
  if (align_corners) return out > 1 ? (float)(in - 1) / (float)(out - 1) : 0.0f;
  if (scale_factor > 0) return (float)(1.0 / scale_factor);
  return (float)in / (float)out;
}

vd_status vd_op_resize(const vd_op_env *env, const vd_resize_params *p, vd_view x, vd_view y) {
  const char *op = p && p->mode == VD_RESIZE_BICUBIC ? "resize bicubic" : "resize bilinear";
  if (!p || (p->mode != VD_RESIZE_BILINEAR && p->mode != VD_RESIZE_BICUBIC))
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "resize: missing params or unknown mode");
  if (!p->in_h || !p->in_w || !p->out_h || !p->out_w)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: empty size", op);
  uint64_t planes = (uint64_t)p->n * p->c;
  uint64_t nx = planes * p->in_h * p->in_w, ny = planes * p->out_h * p->out_w;
  struct {
    uint32_t n, ih, iw, oh, ow;
    float scale_h, scale_w;
    uint32_t align;
  } push = {(uint32_t)ny, p->in_h, p->in_w, p->out_h, p->out_w,
            vd_resize_source_step(p->in_h, p->out_h, p->align_corners, p->scale_factor_h),
            vd_resize_source_step(p->in_w, p->out_w, p->align_corners, p->scale_factor_w), p->align_corners};
  uint32_t spec = (uint32_t)p->mode;
  return record_1d(env, op, "resize", nx, ny, x, y, &push, sizeof push, &spec, 1);
}

const char *vd_op_resize_variant(const vd_resize_params *p) {
  return p->mode == VD_RESIZE_BICUBIC ? "resize_bicubic" : "resize_bilinear";
}

vd_status vd_op_resize_bilinear(const vd_op_env *env, uint32_t n, uint32_t c, uint32_t in_h, uint32_t in_w,
                                uint32_t out_h, uint32_t out_w, bool align_corners, vd_view x, vd_view y) {
  vd_resize_params p = {VD_RESIZE_BILINEAR, align_corners, n, c, in_h, in_w, out_h, out_w, 0, 0};
  return vd_op_resize(env, &p, x, y);
}

uint64_t vd_op_resize_bytes(vd_precision precision, const vd_resize_params *p) {
  uint64_t planes = (uint64_t)p->n * p->c;
  return planes * ((uint64_t)p->in_h * p->in_w + (uint64_t)p->out_h * p->out_w) * vd_precision_bytes(precision);
}

// ---- average pooling --------------------------------------------------------------------------

vd_status vd_op_avgpool(const vd_op_env *env, const vd_avgpool_params *p, vd_view x, vd_view y) {
  const char *op = "avgpool";
  if (!p || p->k == 0 || p->k > p->h || p->k > p->w)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: kernel must be 1..min(H, W)", op);
  uint64_t planes = (uint64_t)p->n * p->c, oh = p->h - p->k + 1, ow = p->w - p->k + 1;
  uint64_t nx = planes * p->h * p->w, ny = planes * oh * ow;
  uint32_t push[4] = {(uint32_t)ny, p->h, p->w, p->k};
  return record_1d(env, op, "avgpool", nx, ny, x, y, push, sizeof push, NULL, 0);
}

uint64_t vd_op_avgpool_bytes(vd_precision precision, const vd_avgpool_params *p) {
  uint64_t planes = (uint64_t)p->n * p->c;
  return planes * ((uint64_t)p->h * p->w + (uint64_t)(p->h - p->k + 1) * (p->w - p->k + 1)) *
         vd_precision_bytes(precision);
}

// ---- max pooling ------------------------------------------------------------------------------

uint32_t vd_maxpool_out_h(const vd_maxpool_params *p) { return (p->h + 2 * p->pad - p->k) / p->stride + 1; }
uint32_t vd_maxpool_out_w(const vd_maxpool_params *p) { return (p->w + 2 * p->pad - p->k) / p->stride + 1; }

vd_status vd_op_maxpool(const vd_op_env *env, const vd_maxpool_params *p, vd_view x, vd_view y) {
  const char *op = "maxpool";
  if (!p || p->k == 0 || p->stride == 0 || 2 * p->pad > p->k || p->h + 2 * p->pad < p->k ||
      p->w + 2 * p->pad < p->k)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: need kernel >= 1, stride >= 1, pad <= kernel / 2 and a "
                          "window that fits the padded %ux%u input", op, p ? p->h : 0, p ? p->w : 0);
  uint64_t planes = (uint64_t)p->n * p->c, oh = vd_maxpool_out_h(p), ow = vd_maxpool_out_w(p);
  uint64_t nx = planes * p->h * p->w, ny = planes * oh * ow;
  uint32_t push[8] = {(uint32_t)ny, p->h, p->w, (uint32_t)oh, (uint32_t)ow, p->k, p->stride, p->pad};
  return record_1d(env, op, "maxpool", nx, ny, x, y, push, sizeof push, NULL, 0);
}

uint64_t vd_op_maxpool_bytes(vd_precision precision, const vd_maxpool_params *p) {
  uint64_t planes = (uint64_t)p->n * p->c;
  return planes * ((uint64_t)p->h * p->w + (uint64_t)vd_maxpool_out_h(p) * vd_maxpool_out_w(p)) *
         vd_precision_bytes(precision);
}

// ---- pixel shuffle ----------------------------------------------------------------------------

vd_status vd_op_pixel_shuffle(const vd_op_env *env, const vd_pixel_shuffle_params *p, vd_view x, vd_view y) {
  const char *op = "pixel_shuffle";
  if (!p || (unsigned)p->mode > VD_PS_SHUFFLE_NCHW || p->r == 0 || p->h % p->r || p->w % p->r)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: unknown mode or H, W not multiples of r", op);
  uint64_t n = (uint64_t)p->n * p->h * p->w * p->c;
  uint32_t push[5] = {(uint32_t)n, p->h, p->w, p->c, p->r}, spec = (uint32_t)p->mode;
  return record_1d(env, op, "pixel_shuffle", n, n, x, y, push, sizeof push, &spec, 1);
}

uint64_t vd_op_pixel_shuffle_bytes(vd_precision precision, const vd_pixel_shuffle_params *p) {
  return 2ull * p->n * p->h * p->w * p->c * vd_precision_bytes(precision);
}
