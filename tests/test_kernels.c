// The foundation's kernels (fill, copy, axpy, sum reductions with and without subgroup operations)
// against the CPU on random data, at sizes that are and are not multiples of the workgroup size, in the
// fp32 and fp16-storage variants. Outputs are poisoned before each dispatch so unwritten elements show.
#include <math.h>
#include <stdint.h>

#include "runtime/cmd.h"
#include "runtime/context.h"
#include "runtime/half.h"
#include "runtime/pipeline.h"
#include "tests/vdtest.h"
#include "tests/vdtest_gpu.h"

static const uint32_t sizes[] = {1, 3, 7, 255, 256, 257, 1000, 4099, 65537, 1u << 20, (1u << 20) + 77};
#define POISON_F32 0x7fc0dead  // a NaN payload
#define POISON_F16 0x7e55u     // a NaN
#define POISON_WORD(prec) ((prec) == VD_PRECISION_F16 ? (POISON_F16 | (POISON_F16 << 16)) : POISON_F32)

typedef struct dev_array {
  vd_buffer *buf;  // device-local storage
  uint32_t n;      // elements
  size_t elem;     // bytes per element
} dev_array;

static size_t elem_size(vd_precision p) { return p == VD_PRECISION_F16 ? 2 : 4; }

// Values as stored: fp16 rounds them, so the CPU reference uses the rounded values.
static void store_values(vd_precision p, const float *v, uint32_t n, void *out) {
  if (p == VD_PRECISION_F16) vd_f32_to_f16_array(v, out, n);
  else memcpy(out, v, (size_t)n * 4);
}

static void load_values(vd_precision p, const void *in, uint32_t n, float *v) {
  if (p == VD_PRECISION_F16) vd_f16_to_f32_array(in, v, n);
  else memcpy(v, in, (size_t)n * 4);
}

static vd_status upload_array(vd_context *ctx, vd_precision p, const float *v, uint32_t n, dev_array *out) {
  out->n = n;
  out->elem = elem_size(p);
  VD_RETURN_IF_ERROR(vd_buffer_create(ctx, VD_MEMORY_DEVICE, (uint64_t)n * out->elem + 4, &out->buf));
  void *tmp = malloc((size_t)n * out->elem);
  store_values(p, v, n, tmp);
  vd_status st = vd_buffer_upload(ctx, out->buf, 0, tmp, (uint64_t)n * out->elem);
  free(tmp);
  return st;
}

static void random_values(vdt_rng *rng, float *v, uint32_t n, vd_precision p) {
  for (uint32_t i = 0; i < n; ++i) v[i] = (float)vdt_uniform(rng, -2.0, 2.0);
  if (p == VD_PRECISION_F16)  // round to representable values so the reference sees what the GPU sees
    for (uint32_t i = 0; i < n; ++i) v[i] = vd_f16_to_f32(vd_f32_to_f16(v[i]));
}

// Runs one elementwise shader over n elements with the given bindings, poisoning `poisoned` first.
static vd_status run_1d(vd_context *ctx, vd_pipeline *p, const vd_binding *b, uint32_t nb, const void *push,
                        uint32_t n, const dev_array *poisoned, vd_precision prec) {
  vd_cmd *cmd = NULL;
  uint32_t groups[3];
  VD_RETURN_IF_ERROR(vd_groups_1d(ctx, n, 256, groups));
  VD_RETURN_IF_ERROR(vd_cmd_create(ctx, 1, &cmd));
  vd_status st = vd_cmd_begin(cmd);
  if (!st && poisoned) {
    vd_cmd_fill(cmd, poisoned->buf, 0, poisoned->buf->size & ~3ull, POISON_WORD(prec));
    vd_cmd_barrier(cmd);
  }
  if (!st) st = vd_cmd_dispatch(cmd, p, b, nb, push, groups, p->name);
  if (!st) st = vd_cmd_end(cmd);
  if (!st) st = vd_cmd_run(cmd);
  vd_cmd_destroy(cmd);
  return st;
}

static double max_rel_err(const float *got, const double *want, uint32_t n) {
  double scale = 0, err = 0;
  for (uint32_t i = 0; i < n; ++i) scale = fmax(scale, fabs(want[i]));
  for (uint32_t i = 0; i < n; ++i) {
    double e = fabs((double)got[i] - want[i]);
    if (!(e == e)) {  // NaN: an unwritten (poisoned) element
      fprintf(stderr, "element %u unwritten (want %g)\n", i, want[i]);
      return INFINITY;
    }
    err = fmax(err, e);
  }
  return err / (scale > 0 ? scale : 1);
}

static void test_elementwise(vd_context *ctx, vd_precision prec) {
  struct { const char *shader; uint32_t bindings; uint32_t push_size; } kinds[] = {
      {"fill", 1, 8}, {"copy", 2, 4}, {"axpy", 2, 8}};
  vd_pipeline *pipes[3];
  for (int k = 0; k < 3; ++k) {
    vd_pipeline_desc d = {.shader = kinds[k].shader, .precision = prec, .binding_count = kinds[k].bindings,
                          .push_size = kinds[k].push_size};
    CHECK_OK(vd_pipeline_create(ctx, &d, &pipes[k]));
  }
  vdt_rng rng = {0x1234u + prec};
  double tol = prec == VD_PRECISION_F16 ? 1e-2 : 1e-6;
  for (size_t s = 0; s < sizeof(sizes) / sizeof(*sizes); ++s) {
    uint32_t n = sizes[s];
    float *x = malloc(n * 4ull), *y = malloc(n * 4ull), *got = malloc(n * 4ull);
    double *want = malloc(n * 8ull);
    void *raw = malloc(n * 4ull);
    random_values(&rng, x, n, prec);
    random_values(&rng, y, n, prec);
    dev_array dx = {0}, dy = {0};
    CHECK_OK(upload_array(ctx, prec, x, n, &dx));
    CHECK_OK(upload_array(ctx, prec, y, n, &dy));
    float a = (float)vdt_uniform(&rng, 0.5, 1.5), value = (float)vdt_uniform(&rng, -3, 3);
    if (prec == VD_PRECISION_F16) value = vd_f16_to_f32(vd_f32_to_f16(value));
    struct { uint32_t n; float v; } push_fill = {n, value}, push_axpy = {n, a};
    vd_binding bx = {dx.buf, 0, 0}, by = {dy.buf, 0, 0};
    vd_binding b_copy[2] = {bx, by}, b_axpy[2] = {bx, by};
    // fill y
    CHECK_OK(run_1d(ctx, pipes[0], &by, 1, &push_fill, n, &dy, prec));
    CHECK_OK(vd_buffer_download(ctx, dy.buf, 0, raw, (uint64_t)n * dy.elem));
    load_values(prec, raw, n, got);
    for (uint32_t i = 0; i < n; ++i) want[i] = value;
    CHECK_MSG(max_rel_err(got, want, n) == 0, "fill %s n=%u", vd_precision_name(prec), n);
    // copy x -> y
    CHECK_OK(run_1d(ctx, pipes[1], b_copy, 2, &n, n, &dy, prec));
    CHECK_OK(vd_buffer_download(ctx, dy.buf, 0, raw, (uint64_t)n * dy.elem));
    load_values(prec, raw, n, got);
    for (uint32_t i = 0; i < n; ++i) want[i] = x[i];
    CHECK_MSG(max_rel_err(got, want, n) == 0, "copy %s n=%u", vd_precision_name(prec), n);
    // axpy: y = a*x + y, starting from the original y (y is read-write, so it cannot be poisoned)
    CHECK_OK(vd_buffer_upload(ctx, dy.buf, 0, (store_values(prec, y, n, raw), raw), (uint64_t)n * dy.elem));
    CHECK_OK(run_1d(ctx, pipes[2], b_axpy, 2, &push_axpy, n, NULL, prec));
    CHECK_OK(vd_buffer_download(ctx, dy.buf, 0, raw, (uint64_t)n * dy.elem));
    load_values(prec, raw, n, got);
    for (uint32_t i = 0; i < n; ++i) want[i] = (double)a * x[i] + y[i];
    double e = max_rel_err(got, want, n);
    CHECK_MSG(e <= tol, "axpy %s n=%u: rel err %g > %g", vd_precision_name(prec), n, e, tol);
    vd_buffer_destroy(ctx, dx.buf);
    vd_buffer_destroy(ctx, dy.buf);
    free(x), free(y), free(got), free(want), free(raw);
  }
  for (int k = 0; k < 3; ++k) vd_pipeline_destroy(ctx, pipes[k]);
}

// Sums n values with repeated workgroup reductions (the first pass in `prec`, later passes fp32).
static vd_status gpu_sum(vd_context *ctx, const char *shader, vd_precision prec, const dev_array *in, uint32_t wg,
                         uint32_t per_thread, double *out_sum) {
  vd_pipeline *first = NULL, *rest = NULL;
  vd_pipeline_desc d = {.shader = shader, .precision = prec, .binding_count = 2, .push_size = 8,
                        .spec_count = 1, .spec = {wg}};
  VD_RETURN_IF_ERROR(vd_pipeline_create(ctx, &d, &first));
  d.precision = VD_PRECISION_F32;
  vd_status st = vd_pipeline_create(ctx, &d, &rest);
  const vd_buffer *src = in->buf;
  vd_buffer *bufs[8] = {NULL};  // one per pass: all stay alive until the recording has run
  uint32_t n = in->n;
  vd_cmd *cmd = NULL;
  if (!st) st = vd_cmd_create(ctx, 0, &cmd);
  if (!st) st = vd_cmd_begin(cmd);
  for (int pass = 0; !st && (pass == 0 || n > 1); ++pass) {
    uint32_t groups[3];
    st = vd_groups_1d(ctx, n, wg * per_thread, groups);
    uint32_t partials = groups[0] * groups[1];
    vd_buffer **dst = &bufs[pass];
    if (!st && pass >= 8) st = vd_status_make(VD_ERR_INTERNAL, "too many reduction passes");
    if (!st) st = vd_buffer_create(ctx, VD_MEMORY_DEVICE, partials * 4ull, dst);
    if (st) break;
    vd_cmd_fill(cmd, *dst, 0, partials * 4ull, POISON_F32);
    vd_cmd_barrier(cmd);
    struct { uint32_t n, per_thread; } push = {n, per_thread};
    vd_binding b[2] = {{src, 0, 0}, {*dst, 0, 0}};
    st = vd_cmd_dispatch(cmd, pass == 0 ? first : rest, b, 2, &push, groups, NULL);
    vd_cmd_barrier(cmd);
    src = *dst;
    n = partials;
  }
  if (!st) st = vd_cmd_end(cmd);
  if (!st) st = vd_cmd_run(cmd);
  float result = NAN;
  if (!st) st = vd_buffer_download(ctx, (vd_buffer *)src, 0, &result, 4);
  *out_sum = result;
  vd_cmd_destroy(cmd);
  for (int i = 0; i < 8; ++i) vd_buffer_destroy(ctx, bufs[i]);
  vd_pipeline_destroy(ctx, first);
  vd_pipeline_destroy(ctx, rest);
  return st;
}

static void test_reductions(vd_context *ctx, vd_precision prec) {
  const char *shaders[2] = {"reduce_sum_subgroup", "reduce_sum_shared"};
  vdt_rng rng = {0x5eedu + prec};
  for (size_t s = 0; s < sizeof(sizes) / sizeof(*sizes); ++s) {
    uint32_t n = sizes[s];
    float *x = malloc(n * 4ull);
    random_values(&rng, x, n, prec);
    double want = 0, abs_sum = 0;
    for (uint32_t i = 0; i < n; ++i) want += x[i], abs_sum += fabs(x[i]);
    dev_array dx = {0};
    CHECK_OK(upload_array(ctx, prec, x, n, &dx));
    for (int k = 0; k < 2; ++k) {
      if (k == 0 && !ctx->policy.subgroup_arith) continue;  // the fallback is still tested below
      uint32_t wgs[2] = {64, 256};
      for (int w = 0; w < 2; ++w) {
        double got = NAN;
        CHECK_OK(gpu_sum(ctx, shaders[k], prec, &dx, wgs[w], 4, &got));
        double rel = fabs(got - want) / abs_sum;  // fp32 accumulation: error relative to sum |x|
        CHECK_MSG(rel <= 1e-5, "%s %s wg=%u n=%u: got %.9g want %.9g (rel %g)", shaders[k], vd_precision_name(prec),
                  wgs[w], n, got, want, rel);
      }
    }
    vd_buffer_destroy(ctx, dx.buf);
    free(x);
  }
}

int main(void) {
  vd_context *ctx = vdt_context_create();
  printf("device: %s (subgroup reductions %s)\n", vd_context_device_name(ctx), ctx->policy.subgroup_arith ? "on" : "off");
  CHECK(ctx->policy.subgroup_arith || getenv("VLMD_DISABLE_SUBGROUP"));
  for (int p = 0; p < 2; ++p) {
    vd_precision prec = (vd_precision)p;
    if (!vdt_has_precision(ctx, prec, "foundation kernels")) continue;
    test_elementwise(ctx, prec);
    test_reductions(ctx, prec);
  }
  CHECK(vdt_context_finish(ctx) == 0);
  return vdt_finish("test_kernels");
}
