#include "graph/op_conv.h"

#include "runtime/context.h"

vd_conv2d_params vd_conv2d_params_make(uint32_t batch, uint32_t cin, uint32_t h, uint32_t w, uint32_t cout,
                                       uint32_t k, uint32_t s, uint32_t p) {
  return (vd_conv2d_params){.batch = batch, .cin = cin, .h = h, .w = w, .cout = cout, .kh = k, .kw = k,
                            .stride_h = s, .stride_w = s, .pad_top = p, .pad_left = p, .pad_bottom = p,
                            .pad_right = p};
}

static uint32_t vd_stride(uint32_t s) { return s ? s : 1; }

static uint32_t vd_conv_out(uint32_t in, uint32_t pad0, uint32_t pad1, uint32_t k, uint32_t s) {
  uint64_t padded = (uint64_t)in + pad0 + pad1;
  return padded < k ? 0 : (uint32_t)((padded - k) / vd_stride(s) + 1);
}

uint32_t vd_conv2d_out_h(const vd_conv2d_params *p) {
  return vd_conv_out(p->h, p->pad_top, p->pad_bottom, p->kh, p->stride_h);
}
uint32_t vd_conv2d_out_w(const vd_conv2d_params *p) {
  return vd_conv_out(p->w, p->pad_left, p->pad_right, p->kw, p->stride_w);
}

uint64_t vd_op_conv2d_flops(const vd_conv2d_params *p) {
  return 2ull * p->batch * p->cout * vd_conv2d_out_h(p) * vd_conv2d_out_w(p) * p->cin * p->kh * p->kw;
}

static vd_gemm_tile_id vd_conv_tile(const vd_op_env *env, const vd_conv2d_params *p) {
  if (p->tile != VD_GEMM_TILE_AUTO) return p->tile;
  const vd_context *ctx = vd_kernels_context(env->kernels);
  return vd_gemm_tile_choose(&ctx->policy, p->cout, vd_conv2d_out_h(p) * vd_conv2d_out_w(p),
                             p->cin * p->kh * p->kw, p->batch);
}

bool vd_op_conv2d_coopmat_available(const vd_op_env *env) { return vd_gemm_coopmat_available(env, "conv2d_coopmat"); }

static bool vd_conv_use_coopmat(const vd_op_env *env, const vd_conv2d_params *p) {
  if (p->variant == VD_GEMM_VARIANT_COOPMAT || p->variant == VD_GEMM_VARIANT_COOPMAT_EMULATED) return true;
  if (p->variant == VD_GEMM_VARIANT_PORTABLE) return false;
  // Few output channels (the VAE's conv_out, the UNet's 4-channel output, the 16-channel hint-block
  // convs) fill a coopmat tile (>= 64 rows) poorly: M <= 16 takes the portable 16x128 tile (H200, 2x16x256x256
  // 3x3 ->16: coopmat 0.21 ms, portable 0.068 ms).
  return env->precision == VD_PRECISION_F16 && p->cout > 16 && vd_op_conv2d_coopmat_available(env);
}

static vd_gemm_coopmat_tile vd_conv_coopmat_tile(const vd_policy *pol, const vd_conv2d_params *p) {
  return vd_gemm_coopmat_tile_choose(pol, p->cout, vd_conv2d_out_h(p) * vd_conv2d_out_w(p), p->batch);
}

const char *vd_op_conv2d_variant(const vd_op_env *env, const vd_conv2d_params *p) {
  if (vd_conv_use_coopmat(env, p)) {
    vd_policy pol = vd_gemm_coopmat_policy(vd_kernels_context(env->kernels),
                                           p->variant == VD_GEMM_VARIANT_COOPMAT_EMULATED);
    const char *name = vd_conv_coopmat_tile(&pol, p).name;
    return name ? name : "coopmat (unavailable)";
  }
  const vd_gemm_tile *t = vd_gemm_tile_get(vd_conv_tile(env, p));
  return t ? t->name : "invalid tile";
}

static vd_status vd_conv_validate(const vd_op_env *env, const vd_conv2d_params *p, vd_view x, vd_view w,
                                  vd_view bias, vd_view res, vd_view y) {
  if (!p->batch || !p->cin || !p->h || !p->w || !p->cout || !p->kh || !p->kw)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "conv2d: empty shape n %u cin %u h %u w %u cout %u k %ux%u",
                          p->batch, p->cin, p->h, p->w, p->cout, p->kh, p->kw);
  uint32_t ho = vd_conv2d_out_h(p), wo = vd_conv2d_out_w(p);
  if (!ho || !wo)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "conv2d: kernel %ux%u larger than the padded %ux%u input", p->kh,
                          p->kw, p->h + p->pad_top + p->pad_bottom, p->w + p->pad_left + p->pad_right);
  if (p->variant < VD_GEMM_VARIANT_AUTO || p->variant > VD_GEMM_VARIANT_COOPMAT_EMULATED)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "conv2d: unknown variant %d", (int)p->variant);
  if (p->tile < 0 || p->tile >= VD_GEMM_TILE_COUNT)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "conv2d: unknown tile %d", (int)p->tile);
  uint64_t k = (uint64_t)p->cin * p->kh * p->kw;
  uint64_t out = (uint64_t)p->batch * p->cout * ho * wo;
  if (k > UINT32_MAX || (uint64_t)ho * wo > UINT32_MAX)
    return vd_status_make(VD_ERR_LIMIT, "conv2d: shape too large for 32-bit indexing");
  vd_gemm_extent ext[5] = {
      {"x", x, (uint64_t)p->batch * p->cin * p->h * p->w, true},
      {"weight", w, (uint64_t)p->cout * k, true},
      {"bias", bias, p->cout, false},
      {"residual", res, out, false},
      {"y", y, out, true},
  };
  return vd_gemm_check_views("conv2d", env, ext, 5);
}

// 4 when the weight rows (K = Cin·KH·KW elements) can be read as 4-vectors, else 1.
static uint32_t vd_conv_weight_vec(const vd_op_env *env, const vd_conv2d_params *p, vd_view w) {
  uint32_t eb = vd_precision_bytes(env->precision);
  uint32_t k = p->cin * p->kh * p->kw;
  return k % 4 == 0 && w.offset % (4ull * eb) == 0 ? 4 : 1;
}

// Split-K: the slices the rule asks for (device-independent) and the plan for the kernel that runs.
static uint32_t vd_conv_slices_wanted(const vd_conv2d_params *p) {
  return vd_gemm_split_choose(p->cout, vd_conv2d_out_h(p) * vd_conv2d_out_w(p), p->cin * p->kh * p->kw, p->batch,
                              p->split_k);
}

uint64_t vd_op_conv2d_scratch_bytes(const vd_op_env *env, const vd_conv2d_params *p) {
  (void)env;
  return vd_gemm_split_scratch_bytes(vd_conv_slices_wanted(p), p->cout, vd_conv2d_out_h(p) * vd_conv2d_out_w(p),
                                     p->batch);
}

// The K-step of the kernel that runs (slices start on K-step boundaries).
static uint32_t vd_conv_kstep(const vd_op_env *env, const vd_conv2d_params *p) {
  if (vd_conv_use_coopmat(env, p)) {
    vd_policy pol = vd_gemm_coopmat_policy(vd_kernels_context(env->kernels),
                                           p->variant == VD_GEMM_VARIANT_COOPMAT_EMULATED);
    return 2 * pol.coopmat_k;
  }
  const vd_gemm_tile *t = vd_gemm_tile_get(vd_conv_tile(env, p));
  return t ? t->bk : 16;
}

static vd_gemm_split_plan vd_conv_plan(const vd_op_env *env, const vd_conv2d_params *p, uint32_t slices) {
  if (!vd_kernels_context(env->kernels)->policy.split_k) slices = 1;  // kill switch (the scratch goes unused)
  return vd_gemm_split_plan_make(slices, p->cin * p->kh * p->kw, vd_conv_kstep(env, p));
}

uint32_t vd_op_conv2d_split_slices(const vd_op_env *env, const vd_conv2d_params *p) {
  return vd_conv_plan(env, p, vd_conv_slices_wanted(p)).slices;
}

// Records one conv dispatch of `desc` over bm x bn output tiles, plan.slices K slices per image.
static vd_status vd_conv_dispatch(const vd_op_env *env, const vd_conv2d_params *p, const vd_pipeline_desc *desc,
                                  uint32_t bm, uint32_t bn, const vd_gemm_split_plan *plan, const vd_binding bind[6]) {
  vd_context *ctx = vd_kernels_context(env->kernels);
  uint32_t ho = vd_conv2d_out_h(p), wo = vd_conv2d_out_w(p);
  uint32_t push[12] = {p->cin, p->h, p->w, p->cout, ho, wo, vd_stride(p->stride_h), vd_stride(p->stride_w),
                       p->pad_top, p->pad_left, plan->kslice, p->batch};
  uint32_t groups[3] = {(ho * wo + bn - 1) / bn, (p->cout + bm - 1) / bm, p->batch * plan->slices};
  VD_RETURN_IF_ERROR(vd_gemm_check_groups("conv2d", ctx, groups));
  const vd_pipeline *pipe = NULL;
  VD_RETURN_IF_ERROR(vd_kernels_get(env->kernels, desc, &pipe));
  return vd_cmd_dispatch(env->cmd, pipe, bind, 6, push, groups, env->label);
}

// What a GEMM pass fuses: bias and residual, unless it writes split-K partials.
typedef struct vd_conv_epilogue {
  bool bias, res;               // fused into the GEMM pass
  vd_gemm_split_plan plan;      // K slices (1: no split)
} vd_conv_epilogue;

static vd_status vd_conv_portable(const vd_op_env *env, const vd_conv2d_params *p, vd_view w,
                                  const vd_conv_epilogue *e, const vd_binding bind[6]) {
  const vd_gemm_tile *t = vd_gemm_tile_get(vd_conv_tile(env, p));
  uint32_t wg = (t->bm / t->tm) * (t->bn / t->tn);
  if (wg % t->bn)
    return vd_status_make(VD_ERR_INTERNAL, "conv2d: tile %s has %u invocations, not a multiple of %u", t->name, wg,
                          t->bn);
  uint32_t va = vd_conv_weight_vec(env, p, w);
  vd_pipeline_desc desc = {.shader = "conv2d", .precision = env->precision, .binding_count = 6,
                           .push_size = 12 * 4, .spec_count = 13};
  uint32_t spec[13] = {t->bm, t->bn, t->bk, t->tm, t->tn, wg, p->kh, e->bias, e->res, p->kw, va, 1,
                       e->plan.slices > 1};
  for (uint32_t i = 0; i < 13; ++i) desc.spec[i] = spec[i];
  return vd_conv_dispatch(env, p, &desc, t->bm, t->bn, &e->plan, bind);
}

static vd_status vd_conv_coopmat(const vd_op_env *env, const vd_conv2d_params *p, vd_view w,
                                 const vd_conv_epilogue *e, const vd_binding bind[6]) {
  bool emulated = p->variant == VD_GEMM_VARIANT_COOPMAT_EMULATED;
  const char *shader = vd_gemm_coopmat_shader("conv2d", emulated);
  if (!vd_gemm_coopmat_available(env, shader))
    return vd_status_make(VD_ERR_UNAVAILABLE, "conv2d: the cooperative-matrix kernel %s is not available here "
                                              "(policy off, no fp16 arithmetic, or shader not compiled)", shader);
  vd_context *ctx = vd_kernels_context(env->kernels);
  vd_policy pol = vd_gemm_coopmat_policy(ctx, emulated);
  vd_gemm_coopmat_tile t = vd_conv_coopmat_tile(&pol, p);
  vd_pipeline_desc desc = {.shader = shader, .precision = env->precision, .binding_count = 6,
                           .push_size = 12 * 4, .spec_count = 13};
  uint32_t spec[13] = {pol.coopmat_m, pol.coopmat_n, pol.coopmat_k, t.invocations, p->kh, e->bias, e->res,
                       t.sg_m, t.sg_n, p->kw, vd_conv_weight_vec(env, p, w), 1, e->plan.slices > 1};
  for (uint32_t i = 0; i < 13; ++i) desc.spec[i] = spec[i];
  desc.required_subgroup_size = vd_gemm_coopmat_subgroup_size(ctx);
  return vd_conv_dispatch(env, p, &desc, t.bm, t.bn, &e->plan, bind);
}

vd_status vd_op_conv2d(const vd_op_env *env, const vd_conv2d_params *p, vd_view x, vd_view w, vd_view bias,
                       vd_view residual, vd_view y) {
  return vd_op_conv2d_split(env, p, x, w, bias, residual, (vd_view){0}, y);
}

vd_status vd_op_conv2d_split(const vd_op_env *env, const vd_conv2d_params *p, vd_view x, vd_view w, vd_view bias,
                             vd_view residual, vd_view scratch, vd_view y) {
  VD_RETURN_IF_ERROR(vd_conv_validate(env, p, x, w, bias, residual, y));
  uint32_t slices = vd_conv_slices_wanted(p);
  if (slices > 1 && !scratch.buffer) {
    if (p->split_k > 1)
      return vd_status_make(VD_ERR_INVALID_ARGUMENT, "conv2d: split_k %u needs a scratch buffer", p->split_k);
    slices = 1;
  }
  uint32_t eb = vd_precision_bytes(env->precision), npix = vd_conv2d_out_h(p) * vd_conv2d_out_w(p);
  uint64_t nx = (uint64_t)p->batch * p->cin * p->h * p->w, nw = (uint64_t)p->cout * p->cin * p->kh * p->kw;
  uint64_t ny = (uint64_t)p->batch * p->cout * npix;
  vd_conv_epilogue e = {bias.buffer != NULL, residual.buffer != NULL, vd_conv_plan(env, p, slices)};
  bool split = e.plan.slices > 1;
  uint64_t sbytes = vd_gemm_split_scratch_bytes(e.plan.slices, p->cout, npix, p->batch);
  if (split) VD_RETURN_IF_ERROR(vd_gemm_check_scratch("conv2d", env, scratch, sbytes));
  vd_binding bind[6] = {
      vd_gemm_binding(x, nx * eb),
      vd_gemm_binding(w, nw * eb),
      vd_gemm_binding(bias.buffer ? bias : x, bias.buffer ? (uint64_t)p->cout * eb : eb),
      vd_gemm_binding(residual.buffer ? residual : x, residual.buffer ? ny * eb : eb),
      vd_gemm_binding(y, ny * eb),
      split ? vd_gemm_binding(scratch, sbytes) : vd_gemm_binding(y, ny * eb),  // unsplit: never written
  };
  bool has_bias = e.bias, has_res = e.res;
  if (split) e.bias = e.res = false;
  if (vd_conv_use_coopmat(env, p)) VD_RETURN_IF_ERROR(vd_conv_coopmat(env, p, w, &e, bind));
  else VD_RETURN_IF_ERROR(vd_conv_portable(env, p, w, &e, bind));
  if (!split) return NULL;
  vd_gemm_split_out o = {.m = p->cout, .n = npix, .batch = p->batch, .ldc = npix, .stride_c = p->cout * npix,
                         .bias_rows = true, .y_elements = ny};
  return vd_gemm_split_reduce("conv2d", env, &o, e.plan.slices, scratch, has_bias ? bias : (vd_view){0},
                              has_res ? residual : (vd_view){0}, y);
}
