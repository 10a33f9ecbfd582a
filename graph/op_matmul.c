#include "graph/op_matmul.h"

#include "runtime/context.h"

vd_matmul_params vd_matmul_params_dense(uint32_t batch, uint32_t m, uint32_t n, uint32_t k,
                                        vd_matmul_b_layout b_layout, bool batched_b) {
  vd_matmul_params p = {.batch = batch, .m = m, .n = n, .k = k, .b_layout = b_layout};
  p.stride_a = (uint64_t)m * k;
  p.stride_b = batched_b ? (uint64_t)n * k : 0;
  p.stride_c = (uint64_t)m * n;
  return p;
}

uint64_t vd_op_matmul_flops(const vd_matmul_params *p) { return 2ull * p->batch * p->m * p->n * p->k; }

static vd_context *vd_env_ctx(const vd_op_env *env) { return vd_kernels_context(env->kernels); }

bool vd_op_matmul_coopmat_available(const vd_op_env *env) { return vd_gemm_coopmat_available(env, "matmul_coopmat"); }

static bool vd_matmul_use_coopmat(const vd_op_env *env, const vd_matmul_params *p) {
  if (p->variant == VD_GEMM_VARIANT_COOPMAT || p->variant == VD_GEMM_VARIANT_COOPMAT_EMULATED) return true;
  if (p->variant == VD_GEMM_VARIANT_PORTABLE) return false;
  return env->precision == VD_PRECISION_F16 && vd_op_matmul_coopmat_available(env);
}

// Few-row products with weights [N, K] (decoding) run on the matrix-vector kernel (shaders/matmul_gemv.comp):
// a group of VD_MATVEC_LANES invocations per output column, VD_MATVEC_WG invocations per workgroup.
#define VD_MATVEC_MAX_M 4u
#define VD_MATVEC_LANES 32u
#define VD_MATVEC_WG 256u

static bool vd_matmul_use_matvec(const vd_matmul_params *p) {
  bool portable = p->variant == VD_GEMM_VARIANT_AUTO || p->variant == VD_GEMM_VARIANT_PORTABLE;
  return portable && p->tile == VD_GEMM_TILE_AUTO && p->m <= VD_MATVEC_MAX_M && p->b_layout == VD_MATMUL_B_NK;
}

static vd_gemm_tile_id vd_matmul_tile(const vd_op_env *env, const vd_matmul_params *p) {
  if (p->tile != VD_GEMM_TILE_AUTO) return p->tile;
  return vd_gemm_tile_choose(&vd_env_ctx(env)->policy, p->m, p->n, p->k, p->batch);
}

const char *vd_op_matmul_variant(const vd_op_env *env, const vd_matmul_params *p) {
  if (vd_matmul_use_matvec(p)) return "gemv (32 lanes per output, M <= 4)";
  if (vd_matmul_use_coopmat(env, p)) {
    vd_policy pol = vd_gemm_coopmat_policy(vd_env_ctx(env), p->variant == VD_GEMM_VARIANT_COOPMAT_EMULATED);
    const char *name = vd_gemm_coopmat_tile_choose(&pol, p->m, p->n, p->batch).name;
    return name ? name : "coopmat (unavailable)";
  }
  const vd_gemm_tile *t = vd_gemm_tile_get(vd_matmul_tile(env, p));
  return t ? t->name : "invalid tile";
}

// Row pitches with the dense defaults filled in.
static void vd_matmul_pitches(const vd_matmul_params *p, uint32_t *lda, uint32_t *ldb, uint32_t *ldc) {
  *lda = p->lda ? p->lda : p->k;
  *ldb = p->ldb ? p->ldb : (p->b_layout == VD_MATMUL_B_NK ? p->k : p->n);
  *ldc = p->ldc ? p->ldc : p->n;
}

static vd_status vd_matmul_validate(const vd_op_env *env, const vd_matmul_params *p, vd_view a, vd_view b,
                                    vd_view bias, vd_view res, vd_view c) {
  if (!p->batch || !p->m || !p->n || !p->k)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "matmul: empty shape batch %u m %u n %u k %u", p->batch, p->m,
                          p->n, p->k);
  if (p->b_layout != VD_MATMUL_B_NK && p->b_layout != VD_MATMUL_B_KN)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "matmul: unknown B layout %d", (int)p->b_layout);
  if (p->variant < VD_GEMM_VARIANT_AUTO || p->variant > VD_GEMM_VARIANT_COOPMAT_EMULATED)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "matmul: unknown variant %d", (int)p->variant);
  if (p->tile >= VD_GEMM_TILE_COUNT || p->tile < 0)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "matmul: unknown tile %d", (int)p->tile);
  uint32_t lda, ldb, ldc;
  vd_matmul_pitches(p, &lda, &ldb, &ldc);
  bool nk = p->b_layout == VD_MATMUL_B_NK;
  if (lda < p->k || ldb < (nk ? p->k : p->n) || ldc < p->n)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "matmul: row pitch smaller than the row (lda %u ldb %u ldc %u)",
                          lda, ldb, ldc);
  uint64_t stride_c = p->stride_c ? p->stride_c : (uint64_t)p->m * ldc;
  if (p->batch > 1 && stride_c < (uint64_t)(p->m - 1) * ldc + p->n)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "matmul: batches of C overlap (stride_c %llu)",
                          (unsigned long long)stride_c);
  vd_gemm_extent ext[5] = {
      {"A", a, vd_gemm_span(p->batch, p->stride_a, p->m, lda, p->k), true},
      {"B", b, vd_gemm_span(p->batch, p->stride_b, nk ? p->n : p->k, ldb, nk ? p->k : p->n), true},
      {"bias", bias, p->n, false},
      {"residual", res, vd_gemm_span(p->batch, stride_c, p->m, ldc, p->n), false},
      {"C", c, vd_gemm_span(p->batch, stride_c, p->m, ldc, p->n), true},
  };
  return vd_gemm_check_views("matmul", env, ext, 5);
}

// Split-K: the slices the rule asks for (device-independent) and the plan for the kernel that runs.
static uint32_t vd_matmul_slices_wanted(const vd_matmul_params *p) {
  if (vd_matmul_use_matvec(p)) return 1;
  return vd_gemm_split_choose(p->m, p->n, p->k, p->batch, p->split_k);
}

uint64_t vd_op_matmul_scratch_bytes(const vd_op_env *env, const vd_matmul_params *p) {
  (void)env;
  return vd_gemm_split_scratch_bytes(vd_matmul_slices_wanted(p), p->m, p->n, p->batch);
}

// The K-step of the kernel that runs (slices start on K-step boundaries).
static uint32_t vd_matmul_kstep(const vd_op_env *env, const vd_matmul_params *p) {
  if (vd_matmul_use_coopmat(env, p))
    return 2 * vd_gemm_coopmat_policy(vd_env_ctx(env), p->variant == VD_GEMM_VARIANT_COOPMAT_EMULATED).coopmat_k;
  const vd_gemm_tile *t = vd_gemm_tile_get(vd_matmul_tile(env, p));
  return t ? t->bk : 16;
}

static vd_gemm_split_plan vd_matmul_plan(const vd_op_env *env, const vd_matmul_params *p, uint32_t slices) {
  if (!vd_env_ctx(env)->policy.split_k) slices = 1;  // kill switch (the scratch goes unused)
  return vd_gemm_split_plan_make(slices, p->k, vd_matmul_kstep(env, p));
}

uint32_t vd_op_matmul_split_slices(const vd_op_env *env, const vd_matmul_params *p) {
  return vd_matmul_plan(env, p, vd_matmul_slices_wanted(p)).slices;
}

// What a GEMM pass fuses: bias and residual, unless it writes split-K partials.
typedef struct vd_matmul_epilogue {
  bool bias, res;           // fused into the GEMM pass
  vd_gemm_split_plan plan;  // K slices (1: no split)
} vd_matmul_epilogue;

static vd_status vd_matmul_dispatch(const vd_op_env *env, const vd_matmul_params *p, const vd_pipeline_desc *desc,
                                    uint32_t bm, uint32_t bn, const vd_gemm_split_plan *plan,
                                    const vd_binding bind[6]) {
  vd_context *ctx = vd_env_ctx(env);
  uint32_t lda, ldb, ldc;
  vd_matmul_pitches(p, &lda, &ldb, &ldc);
  uint64_t stride_c = p->stride_c ? p->stride_c : (uint64_t)p->m * ldc;
  uint32_t push[11] = {p->m, p->n, p->k, lda, ldb, ldc, (uint32_t)p->stride_a, (uint32_t)p->stride_b,
                       (uint32_t)stride_c, plan->kslice, p->batch};
  uint32_t groups[3] = {(p->n + bn - 1) / bn, (p->m + bm - 1) / bm, p->batch * plan->slices};
  VD_RETURN_IF_ERROR(vd_gemm_check_groups("matmul", ctx, groups));
  const vd_pipeline *pipe = NULL;
  VD_RETURN_IF_ERROR(vd_kernels_get(env->kernels, desc, &pipe));
  return vd_cmd_dispatch(env->cmd, pipe, bind, 6, push, groups, env->label);
}

static vd_status vd_matmul_portable(const vd_op_env *env, const vd_matmul_params *p, const vd_binding bind[6],
                                    vd_view a, vd_view b, const vd_matmul_epilogue *e) {
  const vd_gemm_tile *t = vd_gemm_tile_get(vd_matmul_tile(env, p));
  uint32_t lda, ldb, ldc, eb = vd_precision_bytes(env->precision);
  vd_matmul_pitches(p, &lda, &ldb, &ldc);
  bool nk = p->b_layout == VD_MATMUL_B_NK;
  vd_pipeline_desc desc = {.shader = "matmul", .precision = env->precision, .binding_count = 6,
                           .push_size = 11 * 4, .spec_count = 13};
  uint32_t wg = (t->bm / t->tm) * (t->bn / t->tn);
  uint32_t spec[13] = {t->bm, t->bn, t->bk, t->tm, t->tn, wg, nk, e->bias, e->res, 0,
                       vd_gemm_vec_width(p->k, lda, p->stride_a, p->batch, a, eb),
                       vd_gemm_vec_width(nk ? p->k : p->n, ldb, p->stride_b, p->batch, b, eb), e->plan.slices > 1};
  for (uint32_t i = 0; i < 13; ++i) desc.spec[i] = spec[i];
  return vd_matmul_dispatch(env, p, &desc, t->bm, t->bn, &e->plan, bind);
}

static vd_status vd_matmul_matvec(const vd_op_env *env, const vd_matmul_params *p, const vd_binding bind[6],
                                  vd_view a, vd_view b, bool has_bias, bool has_res) {
  vd_context *ctx = vd_env_ctx(env);
  uint32_t lda, ldb, ldc, eb = vd_precision_bytes(env->precision);
  vd_matmul_pitches(p, &lda, &ldb, &ldc);
  uint64_t stride_c = p->stride_c ? p->stride_c : (uint64_t)p->m * ldc;
  bool vec = vd_gemm_vec_width(p->k, lda, p->stride_a, p->batch, a, eb) == 4 &&
             vd_gemm_vec_width(p->k, ldb, p->stride_b, p->batch, b, eb) == 4;
  vd_pipeline_desc desc = {.shader = "matmul_gemv", .precision = env->precision, .binding_count = 5,
                           .push_size = 9 * 4, .spec_count = 6,
                           .spec = {VD_MATVEC_WG, VD_MATVEC_LANES, VD_MATVEC_MAX_M, vec ? 4 : 1, has_bias, has_res}};
  uint32_t push[9] = {p->m, p->n, p->k, lda, ldb, ldc, (uint32_t)p->stride_a, (uint32_t)p->stride_b,
                      (uint32_t)stride_c};
  uint32_t per_group = VD_MATVEC_WG / VD_MATVEC_LANES;
  uint32_t groups[3] = {(p->n + per_group - 1) / per_group, p->batch, 1};
  VD_RETURN_IF_ERROR(vd_gemm_check_groups("matmul", ctx, groups));
  const vd_pipeline *pipe = NULL;
  VD_RETURN_IF_ERROR(vd_kernels_get(env->kernels, &desc, &pipe));
  return vd_cmd_dispatch(env->cmd, pipe, bind, 5, push, groups, env->label);
}

static vd_status vd_matmul_coopmat(const vd_op_env *env, const vd_matmul_params *p, const vd_binding bind[6],
                                   vd_view a, vd_view b, const vd_matmul_epilogue *e) {
  bool emulated = p->variant == VD_GEMM_VARIANT_COOPMAT_EMULATED;
  const char *shader = vd_gemm_coopmat_shader("matmul", emulated);
  if (!vd_gemm_coopmat_available(env, shader))
    return vd_status_make(VD_ERR_UNAVAILABLE, "matmul: the cooperative-matrix kernel %s is not available here "
                                              "(policy off, no fp16 arithmetic, or shader not compiled)", shader);
  vd_policy pol = vd_gemm_coopmat_policy(vd_env_ctx(env), emulated);
  vd_gemm_coopmat_tile t = vd_gemm_coopmat_tile_choose(&pol, p->m, p->n, p->batch);
  uint32_t lda, ldb, ldc, eb = vd_precision_bytes(env->precision);
  vd_matmul_pitches(p, &lda, &ldb, &ldc);
  bool nk = p->b_layout == VD_MATMUL_B_NK;
  vd_pipeline_desc desc = {.shader = shader, .precision = env->precision, .binding_count = 6,
                           .push_size = 11 * 4, .spec_count = 13};
  uint32_t spec[13] = {pol.coopmat_m, pol.coopmat_n, pol.coopmat_k, t.invocations, nk, e->bias, e->res, t.sg_m,
                       t.sg_n, 0, vd_gemm_vec_width(p->k, lda, p->stride_a, p->batch, a, eb),
                       vd_gemm_vec_width(nk ? p->k : p->n, ldb, p->stride_b, p->batch, b, eb), e->plan.slices > 1};
  for (uint32_t i = 0; i < 13; ++i) desc.spec[i] = spec[i];
  desc.required_subgroup_size = vd_gemm_coopmat_subgroup_size(vd_env_ctx(env));
  return vd_matmul_dispatch(env, p, &desc, t.bm, t.bn, &e->plan, bind);
}

vd_status vd_op_matmul(const vd_op_env *env, const vd_matmul_params *p, vd_view a, vd_view b, vd_view bias,
                       vd_view residual, vd_view c) {
  return vd_op_matmul_split(env, p, a, b, bias, residual, (vd_view){0}, c);
}

// The reduce pass's view of C.
static vd_gemm_split_out vd_matmul_split_out(const vd_matmul_params *p) {
  uint32_t lda, ldb, ldc;
  vd_matmul_pitches(p, &lda, &ldb, &ldc);
  uint64_t stride_c = p->stride_c ? p->stride_c : (uint64_t)p->m * ldc;
  return (vd_gemm_split_out){.m = p->m, .n = p->n, .batch = p->batch, .ldc = ldc, .stride_c = (uint32_t)stride_c,
                             .bias_rows = false, .y_elements = vd_gemm_span(p->batch, stride_c, p->m, ldc, p->n)};
}

vd_status vd_op_matmul_split(const vd_op_env *env, const vd_matmul_params *p, vd_view a, vd_view b, vd_view bias,
                             vd_view residual, vd_view scratch, vd_view c) {
  VD_RETURN_IF_ERROR(vd_matmul_validate(env, p, a, b, bias, residual, c));
  uint32_t slices = vd_matmul_slices_wanted(p);
  if (slices > 1 && !scratch.buffer) {
    if (p->split_k > 1)
      return vd_status_make(VD_ERR_INVALID_ARGUMENT, "matmul: split_k %u needs a scratch buffer", p->split_k);
    slices = 1;
  }
  uint32_t lda, ldb, ldc;
  vd_matmul_pitches(p, &lda, &ldb, &ldc);
  bool nk = p->b_layout == VD_MATMUL_B_NK;
  uint64_t stride_c = p->stride_c ? p->stride_c : (uint64_t)p->m * ldc;
  uint32_t eb = vd_precision_bytes(env->precision);
  vd_matmul_epilogue e = {bias.buffer != NULL, residual.buffer != NULL, vd_matmul_plan(env, p, slices)};
  bool split = e.plan.slices > 1;
  uint64_t sbytes = vd_gemm_split_scratch_bytes(e.plan.slices, p->m, p->n, p->batch);
  if (split) VD_RETURN_IF_ERROR(vd_gemm_check_scratch("matmul", env, scratch, sbytes));
  uint64_t nc = vd_gemm_span(p->batch, stride_c, p->m, ldc, p->n);
  vd_binding bind[6] = {
      vd_gemm_binding(a, vd_gemm_span(p->batch, p->stride_a, p->m, lda, p->k) * eb),
      vd_gemm_binding(b, vd_gemm_span(p->batch, p->stride_b, nk ? p->n : p->k, ldb, nk ? p->k : p->n) * eb),
      vd_gemm_binding(bias.buffer ? bias : a, bias.buffer ? (uint64_t)p->n * eb : eb),
      vd_gemm_binding(residual.buffer ? residual : a, residual.buffer ? nc * eb : eb),
      vd_gemm_binding(c, nc * eb),
      split ? vd_gemm_binding(scratch, sbytes) : vd_gemm_binding(c, nc * eb),  // unsplit: never written
  };
  if (vd_matmul_use_matvec(p)) return vd_matmul_matvec(env, p, bind, a, b, e.bias, e.res);
  bool has_bias = e.bias, has_res = e.res;
  if (split) e.bias = e.res = false;
  if (vd_matmul_use_coopmat(env, p)) VD_RETURN_IF_ERROR(vd_matmul_coopmat(env, p, bind, a, b, &e));
  else VD_RETURN_IF_ERROR(vd_matmul_portable(env, p, bind, a, b, &e));
  if (!split) return NULL;
  vd_gemm_split_out o = vd_matmul_split_out(p);
  return vd_gemm_split_reduce("matmul", env, &o, e.plan.slices, scratch, has_bias ? bias : (vd_view){0},
                              has_res ? residual : (vd_view){0}, c);
}
