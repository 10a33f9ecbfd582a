// Memory: sub-allocation of many buffers from shared blocks, staging round trips larger than the
// staging chunk, refusal of sizes over the device limits, and per-dispatch timestamps.
#include "runtime/cmd.h"
#include "runtime/context.h"
#include "tests/vdtest.h"
#include "tests/vdtest_gpu.h"

static void test_suballocation(vd_context *ctx) {
  enum { N = 64 };
  vd_buffer *b[N];
  uint64_t before = ctx->memory.bytes_allocated;
  for (int i = 0; i < N; ++i) CHECK_OK(vd_buffer_create(ctx, VD_MEMORY_DEVICE, 1000 + 4096ull * i, &b[i]));
  CHECK(ctx->memory.bytes_allocated - before <= VD_MEMORY_DEFAULT_BLOCK);  // one block serves them all
  int overlaps = 0;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j)
      if (i != j && b[i]->block == b[j]->block && b[i]->offset < b[j]->offset + b[j]->size &&
          b[j]->offset < b[i]->offset + b[i]->size)
        ++overlaps;
  CHECK(overlaps == 0);
  // distinct data in every buffer survives the round trip
  for (int i = 0; i < N; ++i) {
    uint32_t v[250];
    for (int k = 0; k < 250; ++k) v[k] = (uint32_t)(i * 1000 + k);
    CHECK_OK(vd_buffer_upload(ctx, b[i], 0, v, sizeof(v)));
  }
  int wrong = 0;
  for (int i = 0; i < N; ++i) {
    uint32_t v[250];
    CHECK_OK(vd_buffer_download(ctx, b[i], 0, v, sizeof(v)));
    for (int k = 0; k < 250; ++k) wrong += v[k] != (uint32_t)(i * 1000 + k);
  }
  CHECK(wrong == 0);
  for (int i = 0; i < N; ++i) vd_buffer_destroy(ctx, b[i]);
}

static void test_large_staging(vd_context *ctx) {
  uint64_t size = (100ull << 20) + 12;  // more than one 64 MiB staging chunk, odd tail
  if (size > ctx->policy.max_buffer_range) size = ctx->policy.max_buffer_range - 4;
  vd_buffer *b = NULL;
  CHECK_OK(vd_buffer_create(ctx, VD_MEMORY_DEVICE, size, &b));
  unsigned char *src = malloc(size), *dst = malloc(size);
  for (uint64_t i = 0; i < size; ++i) src[i] = (unsigned char)(i * 2654435761u >> 13);
  CHECK_OK(vd_buffer_upload(ctx, b, 0, src, size));
  memset(dst, 0, size);
  CHECK_OK(vd_buffer_download(ctx, b, 0, dst, size));
  CHECK(memcmp(src, dst, size) == 0);
  CHECK_ERR(vd_buffer_upload(ctx, b, size - 4, src, 8), VD_ERR_INVALID_ARGUMENT);  // overrun refused
  free(src);
  free(dst);
  vd_buffer_destroy(ctx, b);
}

static void test_limits(vd_context *ctx) {
  vd_buffer *b = NULL;
  CHECK_ERR(vd_buffer_create(ctx, VD_MEMORY_DEVICE, ctx->policy.max_buffer_range + 1ull, &b), VD_ERR_LIMIT);
  CHECK(b == NULL);
  CHECK_ERR(vd_buffer_create(ctx, VD_MEMORY_DEVICE, 0, &b), VD_ERR_INVALID_ARGUMENT);
  // The message names the limit.
  vd_status st = vd_buffer_create(ctx, VD_MEMORY_UPLOAD, ctx->policy.max_buffer_range + 1ull, &b);
  CHECK(st && strstr(vd_status_message(st), "maxStorageBufferRange"));
  vd_status_free(st);
}

static void test_timestamps(vd_context *ctx) {
  vd_pipeline *fill = NULL;
  vd_pipeline_desc d = {.shader = "fill", .binding_count = 1, .push_size = 8};
  CHECK_OK(vd_pipeline_create(ctx, &d, &fill));
  vd_buffer *b = NULL;
  CHECK_OK(vd_buffer_create(ctx, VD_MEMORY_DEVICE, 4u << 20, &b));
  vd_cmd *cmd = NULL;
  CHECK_OK(vd_cmd_create(ctx, 2, &cmd));
  CHECK_OK(vd_cmd_begin(cmd));
  struct { uint32_t n; float v; } push = {1u << 20, 1.0f};
  uint32_t groups[3];
  CHECK_OK(vd_groups_1d(ctx, push.n, 256, groups));
  vd_binding bind = {b, 0, 0};
  CHECK_OK(vd_cmd_dispatch(cmd, fill, &bind, 1, &push, groups, "first"));
  vd_cmd_barrier(cmd);
  CHECK_OK(vd_cmd_dispatch(cmd, fill, &bind, 1, &push, groups, "second"));
  vd_cmd_barrier(cmd);
  CHECK_OK(vd_cmd_dispatch(cmd, fill, &bind, 1, &push, groups, "third: over capacity, untimed"));
  CHECK_OK(vd_cmd_end(cmd));
  for (int replay = 0; replay < 3; ++replay) {  // record once, submit three times
    CHECK_OK(vd_cmd_run(cmd));
    vd_dispatch_timing t[4];
    uint32_t n = 0;
    CHECK_OK(vd_cmd_timings(cmd, t, 4, &n));
    if (ctx->info->timestamp_valid_bits) {
      CHECK(n == 2 && strcmp(t[0].label, "first") == 0 && strcmp(t[1].label, "second") == 0);
      CHECK(n == 2 && t[0].ms >= 0 && t[0].ms < 10000 && t[1].ms >= 0);
    }
  }
  vd_cmd_destroy(cmd);
  vd_buffer_destroy(ctx, b);
  vd_pipeline_destroy(ctx, fill);
}

int main(void) {
  vd_context *ctx = vdt_context_create();
  test_suballocation(ctx);
  test_large_staging(ctx);
  test_limits(ctx);
  test_timestamps(ctx);
  CHECK(vdt_context_finish(ctx) == 0);
  return vdt_finish("test_memory");
}
