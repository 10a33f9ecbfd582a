// The op benchmark cases: each op at the shapes the VLMDiff networks use at 256x256.
#include <stdio.h>

#include "apps/bench.h"
#include "runtime/cmd.h"

typedef struct vd_axpy_case {
  vd_view x, y;
  uint32_t n;
} vd_axpy_case;

static vd_status vd_record_axpy(const vd_op_env *env, void *user) {
  vd_axpy_case *c = user;
  vd_pipeline_desc d = {.shader = "axpy", .precision = env->precision, .binding_count = 2, .push_size = 8};
  const vd_pipeline *p;
  VD_RETURN_IF_ERROR(vd_kernels_get(env->kernels, &d, &p));
  uint32_t groups[3];
  VD_RETURN_IF_ERROR(vd_groups_1d(vd_kernels_context(env->kernels), c->n, 256, groups));
  vd_binding b[2] = {{c->x.buffer, c->x.offset, 0}, {c->y.buffer, c->y.offset, 0}};
  struct { uint32_t n; float a; } push = {c->n, 0.5f};
  return vd_cmd_dispatch(env->cmd, p, b, 2, &push, groups, env->label);
}

static vd_status vd_bench_axpy(vd_bench *b) {
  if (!vd_bench_selected(b, "axpy")) return NULL;
  vd_axpy_case c = {.n = 2 * 128 * 256 * 256};  // a VAE decoder activation at batch 2
  VD_RETURN_IF_ERROR(vd_bench_random(b, c.n, -1, 1, false, &c.x));
  VD_RETURN_IF_ERROR(vd_bench_random(b, c.n, -1, 1, false, &c.y));
  double bytes = 3.0 * c.n * vd_precision_bytes(b->precision);
  vd_status st = vd_bench_measure(b, "axpy", "2x128x256x256", "portable", 0, bytes, vd_record_axpy, &c);
  vd_bench_end_case(b);
  return st;
}

vd_status vd_bench_ops(vd_bench *b) {
  VD_RETURN_IF_ERROR(vd_bench_axpy(b));
  return NULL;
}
