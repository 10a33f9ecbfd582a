#include "graph/op_misc.h"

#include <math.h>

#include "graph/op_eltwise.h"
#include "runtime/status.h"

#define MISC_WG 256u
#define REDUCE_CHUNK (256u * 16u)  // elements per first-pass row of a whole-tensor reduction
#define BLUR_MAX_RADIUS 1023u      // blur_gauss.comp's weight table

static vd_status check_n(const char *op, uint64_t n) {
  if (n == 0 || n > UINT32_MAX)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: element count %llu outside 1..2^32-1", op,
                          (unsigned long long)n);
  return NULL;
}

// ---- embedding --------------------------------------------------------------------------------

// Rows per table binding: within the device's per-binding range, and a multiple that keeps every chunk's
// byte offset aligned to minStorageBufferOffsetAlignment.
static uint32_t embedding_chunk_rows(const vd_op_env *env, uint32_t vocab, uint64_t row_bytes, uint32_t wanted) {
  const vd_context *ctx = vd_kernels_context(env->kernels);
  uint64_t range = ctx->policy.max_buffer_range ? ctx->policy.max_buffer_range : UINT32_MAX;
  uint64_t rows = wanted ? wanted : range / row_bytes;
  uint64_t align = ctx->info->min_storage_buffer_offset_alignment ? ctx->info->min_storage_buffer_offset_alignment : 1;
  uint64_t step = 1;  // smallest row count whose bytes are a multiple of align
  while ((step * row_bytes) % align && step < align) ++step;
  rows -= rows % step;
  if (rows == 0) rows = step;
  return rows >= vocab ? vocab : (uint32_t)rows;
}

// Records the dispatches for the table rows [first, first + rows) held by `table`, chunk_rows at a time.
static vd_status embedding_part(const vd_op_env *env, const uint32_t push_base[3], uint32_t first, uint32_t rows,
                                vd_view table, uint32_t chunk_rows, vd_binding bids, vd_binding by,
                                const uint32_t groups[3]) {
  uint64_t es = vd_precision_bytes(env->precision), dim = push_base[1];
  for (uint32_t r0 = 0; r0 < rows; r0 += chunk_rows) {
    uint32_t r1 = rows - r0 < chunk_rows ? rows : r0 + chunk_rows;
    vd_view part = {table.buffer, table.offset + (uint64_t)r0 * dim * es};
    vd_binding b[3] = {bids, vd_elem_binding(part, (uint64_t)(r1 - r0) * dim * es), by};
    uint32_t push[6] = {push_base[0], push_base[1], push_base[2], first + r0, first + r1, first + r0 == 0};
    VD_RETURN_IF_ERROR(vd_elem_dispatch(env, "embedding", env->precision, b, 3, push, sizeof push, NULL, 0, groups));
  }
  return NULL;
}

vd_status vd_op_embedding_parts(const vd_op_env *env, uint32_t tokens, uint32_t dim, vd_view ids,
                                const vd_embedding_part *parts, uint32_t count, vd_view y, uint32_t chunk_rows) {
  const char *op = "embedding";
  uint64_t n = (uint64_t)tokens * dim, es = vd_precision_bytes(env->precision), vocab = 0;
  if (!parts || count == 0) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: no table", op);
  for (uint32_t i = 0; i < count; ++i) {
    VD_RETURN_IF_ERROR(check_n(op, (uint64_t)parts[i].rows * dim));
    VD_RETURN_IF_ERROR(vd_elem_check_view(op, "table", parts[i].table, (uint64_t)parts[i].rows * dim * es));
    vocab += parts[i].rows;
  }
  VD_RETURN_IF_ERROR(check_n(op, n));
  if (vocab > INT32_MAX) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: vocabulary above 2^31", op);
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "ids", ids, 4ull * tokens));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "y", y, n * es));
  uint32_t groups[3], push_base[3] = {(uint32_t)n, dim, (uint32_t)vocab}, first = 0;
  VD_RETURN_IF_ERROR(vd_elem_groups(env, n, MISC_WG, groups));
  vd_binding bids = vd_elem_binding(ids, 4ull * tokens), by = vd_elem_binding(y, n * es);
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t rows = embedding_chunk_rows(env, parts[i].rows, (uint64_t)dim * es, chunk_rows);
    VD_RETURN_IF_ERROR(embedding_part(env, push_base, first, parts[i].rows, parts[i].table, rows, bids, by, groups));
    first += parts[i].rows;
  }
  return NULL;
}

vd_status vd_op_embedding(const vd_op_env *env, uint32_t tokens, uint32_t vocab, uint32_t dim, vd_view ids,
                          vd_view table, vd_view y) {
  vd_embedding_part part = {table, vocab};
  return vd_op_embedding_parts(env, tokens, dim, ids, &part, 1, y, 0);
}

uint64_t vd_op_embedding_bytes(vd_precision precision, uint32_t tokens, uint32_t dim) {
  return 2ull * tokens * dim * vd_precision_bytes(precision) + 4ull * tokens;
}

// ---- timestep embedding -----------------------------------------------------------------------

void vd_timestep_freqs(uint32_t dim, double max_period, float *freqs) {
  uint32_t half = dim / 2;
  // PyTorch: exp(-math.log(max_period) * arange(half, float32) / half), every step in float32.
  float neg_log = (float)-log(max_period);
  for (uint32_t i = 0; i < half; ++i) {
    volatile float prod = neg_log * (float)i;  // volatile: keep each float32 rounding step
    volatile float q = prod / (float)half;
    freqs[i] = expf(q);
  }
}

vd_status vd_op_timestep_embedding(const vd_op_env *env, const vd_timestep_params *p, vd_view t, vd_view freqs,
                                   vd_view y) {
  const char *op = "timestep_embedding";
  if (!p || p->n == 0 || p->dim < 2)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: need n >= 1 and dim >= 2", op);
  uint64_t n = (uint64_t)p->n * p->dim, es = vd_precision_bytes(env->precision);
  uint32_t half = p->dim / 2;
  VD_RETURN_IF_ERROR(check_n(op, n));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "t", t, 4ull * p->n));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "freqs", freqs, 4ull * half));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "y", y, n * es));
  vd_binding b[3] = {vd_elem_binding(t, 4ull * p->n), vd_elem_binding(freqs, 4ull * half), vd_elem_binding(y, n * es)};
  uint32_t push[3] = {(uint32_t)n, p->dim, half}, spec = p->sin_first, groups[3];
  VD_RETURN_IF_ERROR(vd_elem_groups(env, n, MISC_WG, groups));
  return vd_elem_dispatch(env, "timestep_embedding", env->precision, b, 3, push, sizeof push, &spec, 1, groups);
}

// ---- cosine similarity ------------------------------------------------------------------------

vd_status vd_op_cosine_similarity(const vd_op_env *env, const vd_cosine_params *p, vd_view a, vd_view b,
                                  vd_view y) {
  const char *op = "cosine_similarity";
  if (!p || p->n == 0 || p->c == 0 || p->p == 0 || !(p->eps >= 0))
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: empty shape or bad eps", op);
  uint64_t nin = (uint64_t)p->n * p->c * p->p, nout = (uint64_t)p->n * p->p, es = vd_precision_bytes(env->precision);
  VD_RETURN_IF_ERROR(check_n(op, nin));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "a", a, nin * es));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "b", b, nin * es));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "y", y, nout * es));
  vd_binding bind[3] = {vd_elem_binding(a, nin * es), vd_elem_binding(b, nin * es), vd_elem_binding(y, nout * es)};
  struct {
    uint32_t n, c, p, c_stride, p_stride;
    float eps;
  } push = {(uint32_t)nout, p->c, p->p, p->channels_last ? 1 : p->p, p->channels_last ? p->c : 1, p->eps};
  uint32_t spec = p->one_minus, groups[3];
  VD_RETURN_IF_ERROR(vd_elem_groups(env, nout, MISC_WG, groups));
  return vd_elem_dispatch(env, "cosine_similarity", env->precision, bind, 3, &push, sizeof push, &spec, 1, groups);
}

uint64_t vd_op_cosine_similarity_bytes(vd_precision precision, const vd_cosine_params *p) {
  return ((uint64_t)2 * p->n * p->c * p->p + (uint64_t)p->n * p->p) * vd_precision_bytes(precision);
}

// ---- Gaussian blur ----------------------------------------------------------------------------

uint32_t vd_blur_radius(const vd_blur_params *p) { return (uint32_t)(p->truncate * (double)p->sigma + 0.5); }

uint64_t vd_op_gaussian_blur_scratch_bytes(const vd_blur_params *p) {
  return 4ull * p->planes * p->h * p->w;
}

vd_status vd_op_gaussian_blur(const vd_op_env *env, const vd_blur_params *p, vd_view x, vd_view scratch, vd_view y) {
  const char *op = "gaussian_blur";
  if (!p || !(p->sigma > 0) || !(p->truncate >= 0) || p->h == 0 || p->w == 0 || p->planes == 0)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: empty shape or sigma <= 0", op);
  uint32_t radius = vd_blur_radius(p);
  if (radius > BLUR_MAX_RADIUS)
    return vd_status_make(VD_ERR_LIMIT, "%s: radius %u above %u", op, radius, BLUR_MAX_RADIUS);
  uint64_t n = (uint64_t)p->planes * p->h * p->w, es = vd_precision_bytes(env->precision);
  VD_RETURN_IF_ERROR(check_n(op, n));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "x", x, n * es));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "scratch", scratch, 4 * n));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "y", y, n * es));
  vd_binding b[3] = {vd_elem_binding(x, n * es), vd_elem_binding(scratch, 4 * n), vd_elem_binding(y, n * es)};
  struct {
    uint32_t n, h, w, radius;
    float sigma;
  } push = {(uint32_t)n, p->h, p->w, radius, p->sigma};
  uint32_t groups[3];
  VD_RETURN_IF_ERROR(vd_elem_groups(env, n, MISC_WG, groups));
  for (uint32_t pass = 0; pass < 2; ++pass) {
    if (pass) vd_cmd_barrier(env->cmd);
    VD_RETURN_IF_ERROR(vd_elem_dispatch(env, "blur_gauss", env->precision, b, 3, &push, sizeof push, &pass, 1, groups));
  }
  return NULL;
}

uint64_t vd_op_gaussian_blur_bytes(vd_precision precision, const vd_blur_params *p) {
  uint64_t n = (uint64_t)p->planes * p->h * p->w;
  return n * (2 * vd_precision_bytes(precision) + 8);
}

// ---- argmax -----------------------------------------------------------------------------------

vd_status vd_op_argmax(const vd_op_env *env, uint32_t rows, uint32_t cols, vd_view x, vd_view ids) {
  const char *op = "argmax";
  uint64_t n = (uint64_t)rows * cols, es = vd_precision_bytes(env->precision);
  VD_RETURN_IF_ERROR(check_n(op, n));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "x", x, n * es));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "ids", ids, 4ull * rows));
  vd_binding b[2] = {vd_elem_binding(x, n * es), vd_elem_binding(ids, 4ull * rows)};
  uint32_t push[2] = {rows, cols}, groups[3];
  VD_RETURN_IF_ERROR(vd_elem_groups(env, (uint64_t)rows * MISC_WG, MISC_WG, groups));
  return vd_elem_dispatch(env, "argmax", env->precision, b, 2, push, sizeof push, NULL, 0, groups);
}

uint64_t vd_op_argmax_bytes(vd_precision precision, uint32_t rows, uint32_t cols) {
  return (uint64_t)rows * cols * vd_precision_bytes(precision) + 4ull * rows;
}

// ---- reductions -------------------------------------------------------------------------------

static uint32_t reduce_partials(const vd_reduce_params *p) {
  uint64_t n = (uint64_t)p->rows * p->cols;
  return (uint32_t)((n + REDUCE_CHUNK - 1) / REDUCE_CHUNK);
}

uint64_t vd_op_reduce_scratch_bytes(const vd_reduce_params *p) {
  return p->all && reduce_partials(p) > 1 ? 4ull * reduce_partials(p) : 0;
}

static vd_status reduce_pass(const vd_op_env *env, vd_precision prec, uint32_t op, uint32_t rows, uint32_t cols,
                             uint32_t n, vd_binding in, vd_binding out) {
  vd_binding b[2] = {in, out};
  uint32_t push[3] = {rows, cols, n}, groups[3];
  VD_RETURN_IF_ERROR(vd_elem_groups(env, (uint64_t)rows * MISC_WG, MISC_WG, groups));
  return vd_elem_dispatch(env, "reduce_rows", prec, b, 2, push, sizeof push, &op, 1, groups);
}

vd_status vd_op_reduce(const vd_op_env *env, const vd_reduce_params *p, vd_view x, vd_view scratch, vd_view y) {
  const char *op = "reduce";
  if (!p || (p->op != VD_REDUCE_SUM && p->op != VD_REDUCE_MAX))
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: missing params or unknown op", op);
  uint64_t n = (uint64_t)p->rows * p->cols, es = vd_precision_bytes(env->precision);
  VD_RETURN_IF_ERROR(check_n(op, n));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "x", x, n * es));
  uint64_t ny = p->all ? 1 : p->rows;
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "y", y, 4 * ny));
  vd_binding bx = vd_elem_binding(x, n * es), by = vd_elem_binding(y, 4 * ny);
  if (!p->all) return reduce_pass(env, env->precision, p->op, p->rows, p->cols, (uint32_t)n, bx, by);
  uint32_t parts = reduce_partials(p);
  if (parts == 1) return reduce_pass(env, env->precision, p->op, 1, (uint32_t)n, (uint32_t)n, bx, by);
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "scratch", scratch, 4ull * parts));
  vd_binding bs = vd_elem_binding(scratch, 4ull * parts);
  VD_RETURN_IF_ERROR(reduce_pass(env, env->precision, p->op, parts, REDUCE_CHUNK, (uint32_t)n, bx, bs));
  vd_cmd_barrier(env->cmd);
  return reduce_pass(env, VD_PRECISION_F32, p->op, 1, parts, parts, bs, by);
}

const char *vd_op_reduce_variant(const vd_reduce_params *p) {
  if (!p->all) return "reduce_rows";
  return reduce_partials(p) > 1 ? "reduce_all_2pass" : "reduce_all";
}

uint64_t vd_op_reduce_bytes(vd_precision precision, const vd_reduce_params *p) {
  return (uint64_t)p->rows * p->cols * vd_precision_bytes(precision) + 4ull * (p->all ? 1 : p->rows);
}
