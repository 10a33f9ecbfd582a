// Benchmark harness: cases allocate random inputs, then measure an op's GPU time with timestamps over
// repeated dispatches recorded in one command buffer. Results are rows (name, shape, variant, ms,
// throughput) printed as a table and optionally written as JSON.
#ifndef VD_APPS_BENCH_H
#define VD_APPS_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "graph/ops.h"

#define VD_BENCH_MAX_ROWS 256
#define VD_BENCH_MAX_BUFFERS 64

typedef struct vd_bench_row {
  char name[48];      // op
  char shape[96];     // what it ran on
  char variant[64];   // kernel variant and precision
  double ms;          // median GPU time of one execution
  double flops;       // work per execution (0 if counted in bytes)
  double bytes;       // memory traffic per execution (0 if counted in flops)
} vd_bench_row;

typedef struct vd_bench {
  vd_context *ctx;
  vd_kernels *kernels;
  vd_precision precision;    // storage precision of the cases
  uint32_t repeat;           // timed executions per case
  const char *filter;        // only cases whose name contains this (NULL: all)
  uint32_t row_count;
  vd_bench_row rows[VD_BENCH_MAX_ROWS];
  uint32_t buffer_count;     // buffers of the current case (freed after it)
  vd_buffer *buffers[VD_BENCH_MAX_BUFFERS];
  uint64_t seed;             // for random inputs
} vd_bench;

// Records one execution of the op into env->cmd.
typedef vd_status (*vd_bench_record_fn)(const vd_op_env *env, void *user);

// A device buffer of n elements of the bench precision (or f32 when f32 is true) with random values in
// [lo, hi); freed at the end of the case.
vd_status vd_bench_random(vd_bench *b, uint64_t n, float lo, float hi, bool f32, vd_view *out_view);
// An uninitialised output buffer of `bytes`.
vd_status vd_bench_output(vd_bench *b, uint64_t bytes, vd_view *out_view);
// Measures record_fn (warm-up once, then `repeat` timed executions) and appends a row.
vd_status vd_bench_measure(vd_bench *b, const char *name, const char *shape, const char *variant, double flops,
                           double bytes, vd_bench_record_fn record_fn, void *user);
// Frees the current case's buffers.
void vd_bench_end_case(vd_bench *b);
bool vd_bench_selected(const vd_bench *b, const char *name);

void vd_bench_print(const vd_bench *b, FILE *out);
vd_status vd_bench_write_json(const vd_bench *b, const char *path);

// The op cases (apps/bench_ops.c).
vd_status vd_bench_ops(vd_bench *b);

typedef struct vd_pipeline_args {
  uint32_t size;       // image side
  int steps;           // DDIM steps
  int images;          // timed images (after one warm-up)
  bool both_branches;  // evaluate both guidance branches (N = 2)
  bool plan;           // print the plan-only memory report too
} vd_pipeline_args;

// The full pipeline on random weights (apps/bench_pipeline.c); json: NULL or a file for the results.
vd_status vd_bench_pipeline(vd_context *ctx, vd_precision precision, const vd_pipeline_args *a, const char *json);

#endif
