// The graph runtime: a planned, recorded-once graph equals the same ops run one by one (bitwise, fp32);
// random DAGs never place two live tensors on the same memory and every hazard gets a barrier (the
// synchronization validation layer stays silent); replaying with new inputs equals rebuilding; plan-only,
// profiling and dumps work. The ops here are test-local (built from the foundation's copy and axpy
// kernels) so the runtime is tested apart from the op library.
#include <math.h>

#include "graph/exec.h"
#include "tests/vdtest.h"
#include "tests/vdtest_gpu.h"

typedef struct add_params {
  uint32_t n;   // elements
  float alpha;  // out = x + alpha * y
} add_params;

// out = x + alpha*y as two dispatches (copy, barrier, axpy): a node with an internal pass.
static vd_status record_add(const vd_op_env *env, const vd_node *node, const vd_view *io) {
  const add_params *p = (const add_params *)node->params;
  vd_pipeline_desc dc = {.shader = "copy", .precision = env->precision, .binding_count = 2, .push_size = 4};
  vd_pipeline_desc da = {.shader = "axpy", .precision = env->precision, .binding_count = 2, .push_size = 8};
  const vd_pipeline *copy, *axpy;
  VD_RETURN_IF_ERROR(vd_kernels_get(env->kernels, &dc, &copy));
  VD_RETURN_IF_ERROR(vd_kernels_get(env->kernels, &da, &axpy));
  uint32_t groups[3];
  VD_RETURN_IF_ERROR(vd_groups_1d(vd_kernels_context(env->kernels), p->n, 256, groups));
  uint64_t bytes = (uint64_t)p->n * vd_precision_bytes(env->precision);
  vd_binding b1[2] = {{io[0].buffer, io[0].offset, bytes}, {io[2].buffer, io[2].offset, bytes}};
  VD_RETURN_IF_ERROR(vd_cmd_dispatch(env->cmd, copy, b1, 2, &p->n, groups, env->label));
  vd_cmd_barrier(env->cmd);
  vd_binding b2[2] = {{io[1].buffer, io[1].offset, bytes}, {io[2].buffer, io[2].offset, bytes}};
  struct { uint32_t n; float a; } push = {p->n, p->alpha};
  return vd_cmd_dispatch(env->cmd, axpy, b2, 2, &push, groups, env->label);
}

static vd_tensor_id g_add(vd_graph *g, const char *name, vd_tensor_id x, vd_tensor_id y, float alpha) {
  const vd_tensor *tx = vd_graph_get_tensor(g, x);
  if (!tx) return VD_NO_TENSOR;
  vd_tensor_id out = vd_graph_tensor(g, name, tx->dtype, tx->rank, tx->shape);
  add_params p = {(uint32_t)(tx->bytes / vd_dtype_size(tx->dtype)), alpha};
  vd_tensor_id in[2] = {x, y};
  vd_graph_node(g, name, "add", record_add, &p, sizeof(p), in, 2, &out, 1, p.n);
  return out;
}

// ---- random DAGs ---------------------------------------------------------------------------------

typedef struct dag {
  vd_graph *g;
  uint32_t n_inputs, n_nodes;
  vd_tensor_id t[64];       // every tensor: inputs first, then node outputs
  int src[64][2];           // for node outputs: indices into t of x and y
  float alpha[64];
  bool is_output[64];
} dag;

static void dag_build(dag *d, vdt_rng *rng, int64_t n) {
  CHECK_OK(vd_graph_create(VD_PRECISION_F32, &d->g));
  d->n_inputs = 2 + (uint32_t)vdt_uniform(rng, 0, 3);
  d->n_nodes = 6 + (uint32_t)vdt_uniform(rng, 0, 40);
  for (uint32_t i = 0; i < d->n_inputs; ++i) {
    char name[32];
    snprintf(name, sizeof(name), "in%u", i);
    d->t[i] = vd_graph_input(d->g, name, VD_DTYPE_F32, 1, &n);
  }
  uint32_t total = d->n_inputs + d->n_nodes;
  for (uint32_t i = d->n_inputs; i < total; ++i) {
    // mostly recent tensors (long chains with short lifetimes), sometimes far back (long lifetimes)
    for (int k = 0; k < 2; ++k) {
      uint32_t back = vdt_uniform(rng, 0, 1) < 0.7 ? 1 + (uint32_t)vdt_uniform(rng, 0, 3) : 1 + (uint32_t)vdt_uniform(rng, 0, i);
      d->src[i][k] = (int)(back > i ? 0 : i - back);
    }
    d->alpha[i] = vdt_uniform(rng, 0, 1) < 0.5 ? 1.0f : -1.0f;  // exact in fp32: CPU and GPU agree bitwise
    char name[32];
    snprintf(name, sizeof(name), "n%u", i);
    d->t[i] = g_add(d->g, name, d->t[d->src[i][0]], d->t[d->src[i][1]], d->alpha[i]);
    d->is_output[i] = vdt_uniform(rng, 0, 1) < 0.15 || i == total - 1;
  }
  for (uint32_t i = d->n_inputs; i < total; ++i)
    if (d->is_output[i]) {
      char name[32];
      snprintf(name, sizeof(name), "out%u", i);
      vd_graph_output(d->g, d->t[i], name);
    }
  CHECK_OK(vd_graph_status(d->g) ? vd_status_make(VD_ERR_INTERNAL, "%s", vd_status_message(vd_graph_status(d->g))) : NULL);
}

static void dag_cpu(const dag *d, float **vals, int64_t n) {
  for (uint32_t i = d->n_inputs; i < d->n_inputs + d->n_nodes; ++i)
    for (int64_t e = 0; e < n; ++e) vals[i][e] = vals[d->src[i][0]][e] + d->alpha[i] * vals[d->src[i][1]][e];
}

static void test_random_dags(vd_context *ctx, vd_kernels *k) {
  vdt_rng rng = {777};
  for (int trial = 0; trial < 25; ++trial) {
    int64_t n = 1 + (int64_t)vdt_uniform(&rng, 0, 3000);
    dag d = {0};
    dag_build(&d, &rng, n);
    vd_exec *e = NULL;
    CHECK_OK(vd_exec_create(ctx, k, d.g, NULL, NULL, NULL, &e));
    if (!e) break;
    CHECK(!vd_plan_has_overlap(d.g, vd_exec_plan(e)));
    float *vals[64];
    for (uint32_t i = 0; i < d.n_inputs + d.n_nodes; ++i) vals[i] = malloc((size_t)n * 4);
    for (uint32_t i = 0; i < d.n_inputs; ++i) {
      for (int64_t x = 0; x < n; ++x) vals[i][x] = (float)vdt_uniform(&rng, -1, 1);
      char name[32];
      snprintf(name, sizeof(name), "in%u", i);
      CHECK_OK(vd_exec_write(e, name, vals[i], (uint64_t)n * 4));
    }
    CHECK_OK(vd_exec_run(e));
    dag_cpu(&d, vals, n);
    float *got = malloc((size_t)n * 4);
    for (uint32_t i = d.n_inputs; i < d.n_inputs + d.n_nodes; ++i) {
      if (!d.is_output[i]) continue;
      char name[32];
      snprintf(name, sizeof(name), "out%u", i);
      CHECK_OK(vd_exec_read(e, name, got, (uint64_t)n * 4));
      CHECK_MSG(memcmp(got, vals[i], (size_t)n * 4) == 0, "trial %d: %s differs from the CPU", trial, name);
    }
    const vd_plan *p = vd_exec_plan(e);
    if (trial == 0)
      printf("dag 0: %u nodes, %u barriers, arena %llu of %llu intermediate bytes\n", p->node_count, p->barrier_count,
             (unsigned long long)p->arena_bytes, (unsigned long long)p->intermediate_bytes);
    CHECK(p->arena_bytes <= p->intermediate_bytes + 256ull * p->tensor_count);
    free(got);
    for (uint32_t i = 0; i < d.n_inputs + d.n_nodes; ++i) free(vals[i]);
    vd_exec_destroy(e);
    vd_graph_destroy(d.g);
  }
}

// ---- a chain: graph vs one-by-one, replay, plan-only, dumps, profile --------------------------------

static vd_graph *chain_graph(int64_t n, int len) {
  vd_graph *g = NULL;
  CHECK_OK(vd_graph_create(VD_PRECISION_F32, &g));
  vd_tensor_id a = vd_graph_input(g, "a", VD_DTYPE_F32, 1, &n), b = vd_graph_input(g, "b", VD_DTYPE_F32, 1, &n);
  vd_tensor_id x = a;
  vd_graph_scope_push(g, "chain");
  for (int i = 0; i < len; ++i) {
    char name[16];
    snprintf(name, sizeof(name), "step%d", i);
    x = g_add(g, name, x, i % 2 ? a : b, i % 3 ? 0.5f : -1.25f);
  }
  vd_graph_scope_pop(g);
  vd_graph_output(g, x, "result");
  return g;
}

// Runs the chain's nodes one by one, each in its own submission with its own buffers.
static float *chain_one_by_one(vd_context *ctx, vd_kernels *k, vd_graph *g, const float *a, const float *b, int64_t n) {
  uint32_t nt = vd_graph_tensor_count(g);
  vd_buffer **bufs = calloc(nt, sizeof(vd_buffer *));
  for (uint32_t t = 0; t < nt; ++t) CHECK_OK(vd_buffer_create(ctx, VD_MEMORY_DEVICE, (uint64_t)n * 4, &bufs[t]));
  CHECK_OK(vd_buffer_upload(ctx, bufs[vd_graph_find(g, "a")], 0, a, (uint64_t)n * 4));
  CHECK_OK(vd_buffer_upload(ctx, bufs[vd_graph_find(g, "b")], 0, b, (uint64_t)n * 4));
  vd_cmd *cmd = NULL;
  CHECK_OK(vd_cmd_create(ctx, 0, &cmd));
  vd_op_env env = {.kernels = k, .cmd = cmd, .precision = VD_PRECISION_F32};
  for (uint32_t i = 0; i < vd_graph_node_count(g); ++i) {
    const vd_node *node = vd_graph_get_node(g, i);
    vd_view io[3] = {vd_view_of(bufs[node->in[0]]), vd_view_of(bufs[node->in[1]]), vd_view_of(bufs[node->out[0]])};
    CHECK_OK(vd_cmd_begin(cmd));
    CHECK_OK(node->record(&env, node, io));
    CHECK_OK(vd_cmd_end(cmd));
    CHECK_OK(vd_cmd_run(cmd));
  }
  float *out = malloc((size_t)n * 4);
  CHECK_OK(vd_buffer_download(ctx, bufs[vd_graph_find(g, "result")], 0, out, (uint64_t)n * 4));
  vd_cmd_destroy(cmd);
  for (uint32_t t = 0; t < nt; ++t) vd_buffer_destroy(ctx, bufs[t]);
  free(bufs);
  return out;
}

static vd_status dump_collect(void *user, const vd_tensor *t, const void *data) {
  int *count = user;
  ++*count;
  if (strncmp(t->name, "chain.step", 10) != 0) return vd_status_make(VD_ERR_INTERNAL, "unexpected %s", t->name);
  (void)data;
  return NULL;
}

static void test_chain(vd_context *ctx, vd_kernels *k) {
  const int64_t n = 5000;
  vdt_rng rng = {99};
  float *a = malloc(n * 4), *b = malloc(n * 4), *got = malloc(n * 4);
  vd_graph *g = chain_graph(n, 40);
  vd_exec *e = NULL;
  vd_exec_options opts = {.profile = true, .dump_pattern = "chain.step1?"};
  CHECK_OK(vd_exec_create(ctx, k, g, NULL, NULL, &opts, &e));
  for (int round = 0; round < 3 && e; ++round) {  // replay with new inputs
    for (int64_t i = 0; i < n; ++i) a[i] = (float)vdt_uniform(&rng, -1, 1), b[i] = (float)vdt_uniform(&rng, -1, 1);
    CHECK_OK(vd_exec_write(e, "a", a, n * 4));
    CHECK_OK(vd_exec_write(e, "b", b, n * 4));
    CHECK_OK(vd_exec_submit(e));
    CHECK_OK(vd_exec_wait(e));
    CHECK_OK(vd_exec_read(e, "result", got, n * 4));
    float *want = chain_one_by_one(ctx, k, g, a, b, n);
    CHECK_MSG(memcmp(got, want, n * 4) == 0, "round %d: graph differs from one-by-one", round);
    free(want);
    // a fresh executor (rebuild) gives the same bits as the replayed one
    vd_exec *fresh = NULL;
    CHECK_OK(vd_exec_create(ctx, k, g, NULL, NULL, NULL, &fresh));
    float *again = malloc(n * 4);
    CHECK_OK(vd_exec_write(fresh, "a", a, n * 4));
    CHECK_OK(vd_exec_write(fresh, "b", b, n * 4));
    CHECK_OK(vd_exec_run(fresh));
    CHECK_OK(vd_exec_read(fresh, "result", again, n * 4));
    CHECK(memcmp(got, again, n * 4) == 0);
    free(again);
    vd_exec_destroy(fresh);
  }
  if (e) {
    FILE *devnull = fopen("/dev/null", "w");
    double total = vd_exec_print_profile(e, devnull);
    fclose(devnull);
    CHECK(total > 0 || ctx->info->timestamp_valid_bits == 0);
    int dumped = 0;
    CHECK_OK(vd_exec_for_each_dumped(e, dump_collect, &dumped));
    CHECK(dumped == 10);  // step10..step19
    float tmp[1];
    CHECK_ERR(vd_exec_read(e, "chain.step5", tmp, 4), VD_ERR_NOT_FOUND);  // not dumped: not kept
    CHECK_ERR(vd_exec_write(e, "a", a, 4), VD_ERR_INVALID_ARGUMENT);     // wrong size
    CHECK_ERR(vd_exec_write(e, "result", a, n * 4), VD_ERR_INVALID_ARGUMENT);  // not an input
  }
  vd_exec_destroy(e);
  // plan-only: a 40-step chain needs about 2 live intermediates, not 40
  vd_exec_options po = {.plan_only = true};
  CHECK_OK(vd_exec_create(ctx, k, g, NULL, NULL, &po, &e));
  if (e) {
    const vd_plan *p = vd_exec_plan(e);
    CHECK(p->node_count == 40 && p->intermediate_bytes == 40ull * n * 4);
    CHECK(p->arena_bytes <= 3ull * ((n * 4 + 255) & ~255ll));
    vd_exec_print_plan(e, "chain", stdout);
    CHECK_ERR(vd_exec_run(e), VD_ERR_INVALID_ARGUMENT);
  }
  vd_exec_destroy(e);
  vd_graph_destroy(g);
  free(a), free(b), free(got);
}

static void test_build_errors(void) {
  vd_graph *g = NULL;
  CHECK_OK(vd_graph_create(VD_PRECISION_F32, &g));
  int64_t s4 = 4, s5 = 5;
  vd_tensor_id a = vd_graph_input(g, "a", VD_DTYPE_F32, 1, &s4);
  vd_tensor_id w = vd_graph_weight(g, "w", 1, &s4);
  CHECK(vd_graph_weight(g, "w", 1, &s4) == w);  // the same weight twice is one tensor
  vd_graph_weight(g, "w", 1, &s5);               // ... with another shape is an error naming it
  vd_status st = vd_graph_status(g);
  CHECK(st && strstr(vd_status_message(st), "w") && strstr(vd_status_message(st), "[4]"));
  CHECK(g_add(g, "x", a, a, 1.0f) == VD_NO_TENSOR);  // sticky: later calls do nothing
  vd_graph_destroy(g);
}

int main(void) {
  vd_context *ctx = vdt_context_create();
  vd_kernels *k = NULL;
  CHECK_OK(vd_kernels_create(ctx, &k));
  test_build_errors();
  test_chain(ctx, k);
  test_random_dags(ctx, k);
  vd_kernels_destroy(k);
  CHECK(vdt_context_finish(ctx) == 0);
  return vdt_finish("test_graph");
}
