// vlmdiff bench: per-op GPU timings (--ops) at the shapes the VLMDiff networks use at 256x256.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/bench.h"
#include "apps/cli.h"
#include "apps/verbs.h"

static void vd_bench_help(void) {
  printf("usage: vlmdiff bench --ops [--json FILE] [--precision fp32|fp16] [--repeat N] [--filter SUBSTR]\n"
         "       vlmdiff bench --net pipeline [--json FILE] [--precision P] [--size S] [--steps N] [--images N]\n"
         "                     [--both-branches] [--plan]\n\n"
         "--ops times each op at the shapes the VLMDiff UNet, VAE and DINO use at 256x256 (GPU time from\n"
         "timestamps, median of N executions) and prints GFLOP/s or GB/s and the kernel variant.\n"
         "--net pipeline runs the full VLMDiff architecture (published config, RANDOM weights: a speed run\n"
         "only) on one image: VAE encode, DDIM with the UNet + guidance network, VAE decode; it reports ms per\n"
         "stage, per image and images/s after one warm-up image. With identical conditional and\n"
         "unconditional contexts (the empty-caption protocol) one guidance branch is evaluated, which is\n"
         "mathematically the same result; --both-branches forces the batch-2 evaluation.\n"
         "Absolute times mean something only on a real GPU; on lavapipe compare ratios within one run\n"
         "(full size on lavapipe takes a long time: use --size 64 --steps 2 there).\n\n"
         "  --ops             run the op benchmarks\n"
         "  --net pipeline    run the pipeline benchmark\n"
         "  --size S          image side for --net (default 256, a multiple of 64)\n"
         "  --steps N         DDIM steps for --net (default 10)\n"
         "  --images N        timed images after the warm-up (default 2)\n"
         "  --both-branches   evaluate both guidance branches (batch 2)\n"
         "  --plan            plan only: print each network's arena, weight size and node count (and the sum of\n"
         "                    all intermediates the arena replaces) without allocating or running anything\n"
         "  --json FILE       also write the results as JSON (written whole, then renamed)\n"
         "  --precision P     storage precision (default: the device's default)\n"
         "  --repeat N        timed executions per op (default 5)\n"
         "  --filter SUBSTR   only ops whose name contains SUBSTR\n"
         "  --device N|NAME   choose the device\n");
}

typedef struct vd_bench_args {
  bool ops;
  const char *net;
  vd_pipeline_args pipe;
  const char *json, *precision, *filter, *device;
  uint32_t repeat;
} vd_bench_args;

static int vd_bench_parse(int argc, char **argv, vd_bench_args *a) {
  bool missing = false;
  const char *repeat = NULL, *size = NULL, *steps = NULL, *images = NULL;
  for (int i = 1; i < argc; ++i) {
    if (vd_cli_is_help(argv[i])) {
      vd_bench_help();
      return -1;
    }
    if (strcmp(argv[i], "--ops") == 0) a->ops = true;
    else if (strcmp(argv[i], "--both-branches") == 0) a->pipe.both_branches = true;
    else if (strcmp(argv[i], "--plan") == 0) a->pipe.plan = true;
    else if (!vd_cli_value(argc, argv, &i, "--json", &a->json, &missing) &&
             !vd_cli_value(argc, argv, &i, "--net", &a->net, &missing) &&
             !vd_cli_value(argc, argv, &i, "--size", &size, &missing) &&
             !vd_cli_value(argc, argv, &i, "--steps", &steps, &missing) &&
             !vd_cli_value(argc, argv, &i, "--images", &images, &missing) &&
             !vd_cli_value(argc, argv, &i, "--precision", &a->precision, &missing) &&
             !vd_cli_value(argc, argv, &i, "--filter", &a->filter, &missing) &&
             !vd_cli_value(argc, argv, &i, "--device", &a->device, &missing) &&
             !vd_cli_value(argc, argv, &i, "--repeat", &repeat, &missing))
      return vd_cli_usage_error("bench", "unknown option %s", argv[i]);
    if (missing) return vd_cli_usage_error("bench", "%s needs a value", argv[i]);
  }
  if (repeat) {
    char *end = NULL;
    long r = strtol(repeat, &end, 10);
    if (!end || *end || r < 1 || r > 1000) return vd_cli_usage_error("bench", "--repeat takes 1..1000");
    a->repeat = (uint32_t)r;
  }
  long sz = 256, st = 10, im = 2;
  struct vd_num_opt { const char *text; long lo, hi; const char *name; long *out; } nums[3] = {
      {size, 64, 4096, "--size", &sz}, {steps, 1, 1000, "--steps", &st}, {images, 0, 1000, "--images", &im}};
  for (int k = 0; k < 3; ++k) {
    if (!nums[k].text) continue;
    char *end = NULL;
    long v = strtol(nums[k].text, &end, 10);
    if (!end || *end || v < nums[k].lo || v > nums[k].hi)
      return vd_cli_usage_error("bench", "%s takes %ld..%ld", nums[k].name, nums[k].lo, nums[k].hi);
    *nums[k].out = v;
  }
  if (sz % 64) return vd_cli_usage_error("bench", "--size must be a multiple of 64");
  a->pipe.size = (uint32_t)sz, a->pipe.steps = (int)st, a->pipe.images = (int)im;
  if (a->net && strcmp(a->net, "pipeline") != 0)
    return vd_cli_usage_error("bench", "--net takes pipeline (other networks join later)");
  if (a->precision && strcmp(a->precision, "fp32") && strcmp(a->precision, "fp16"))
    return vd_cli_usage_error("bench", "--precision takes fp32 or fp16");
  if (!a->ops && !a->net) return vd_cli_usage_error("bench", "say what to benchmark (--ops or --net pipeline)");
  return 0;
}

int vd_verb_bench(int argc, char **argv) {
  vd_bench_args a = {.repeat = 5};
  int rc = vd_bench_parse(argc, argv, &a);
  if (rc) return rc < 0 ? 0 : rc;
  vd_context_options opts = {.device = a.device};
  vd_context *ctx = NULL;
  vd_status st = vd_context_create(&opts, &ctx);
  if (st) return vd_cli_fail("bench", st);
  vd_bench *b = calloc(1, sizeof(*b));
  if (!b) return vd_cli_fail("bench", vd_status_make(VD_ERR_OUT_OF_MEMORY, "bench"));
  b->ctx = ctx;
  b->repeat = a.repeat;
  b->filter = a.filter;
  b->seed = 0x9e3779b97f4a7c15ull;
  b->precision = a.precision ? (strcmp(a.precision, "fp16") == 0 ? VD_PRECISION_F16 : VD_PRECISION_F32)
                             : ctx->policy.default_precision;
  if (b->precision == VD_PRECISION_F16 && !ctx->policy.fp16_storage)
    st = vd_status_make(VD_ERR_UNAVAILABLE, "fp16 storage is not available on %s", ctx->info->name);
  if (!st) st = vd_kernels_create(ctx, &b->kernels);
  if (!st) {
    if (a.ops)
      fprintf(stderr, "bench on %s, %s, %u repeats\n", ctx->info->name, vd_precision_name(b->precision), b->repeat);
    if (a.ops) st = vd_bench_ops(b);
    vd_bench_end_case(b);
    if (!st && a.ops) vd_bench_print(b, stdout);
    if (!st && a.ops && a.json) st = vd_bench_write_json(b, a.json);
    if (!st && a.net) st = vd_bench_pipeline(ctx, b->precision, &a.pipe, a.ops ? NULL : a.json);
  }
  vd_kernels_destroy(b->kernels);
  free(b);
  vd_context_destroy(ctx);
  return st ? vd_cli_fail("bench", st) : 0;
}
