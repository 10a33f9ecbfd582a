// The on-disk pipeline cache: written on destroy, reused, and ignored safely (then rewritten) when the
// file is corrupt, truncated, garbage, or from another device or driver.
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/context.h"
#include "runtime/pipeline.h"
#include "runtime/pipeline_cache.h"
#include "tests/vdtest.h"
#include "tests/vdtest_gpu.h"

static char cache_file[1200];

static long file_size(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

static unsigned char *read_all(const char *path, long *out_n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  long n = file_size(path);
  unsigned char *d = malloc(n > 0 ? (size_t)n : 1);
  *out_n = (long)fread(d, 1, (size_t)n, f);
  fclose(f);
  return d;
}

static void write_all(const char *path, const void *d, size_t n) {
  FILE *f = fopen(path, "wb");
  fwrite(d, 1, n, f);
  fclose(f);
}

// Creates a context and two pipelines, checks they work, destroys it (which writes the cache).
static void use_context(const char *what) {
  vd_context *ctx = vdt_context_create();
  vd_pipeline *p1 = NULL, *p2 = NULL;
  vd_pipeline_desc d1 = {.shader = "axpy", .binding_count = 2, .push_size = 8};
  vd_pipeline_desc d2 = {.shader = "reduce_sum_shared", .binding_count = 2, .push_size = 8, .spec_count = 1,
                         .spec = {128}};
  CHECK_OK(vd_pipeline_create(ctx, &d1, &p1));
  CHECK_OK(vd_pipeline_create(ctx, &d2, &p2));
  snprintf(cache_file, sizeof(cache_file), "%s", ctx->pipeline_cache_path);
  vd_pipeline_destroy(ctx, p1);
  vd_pipeline_destroy(ctx, p2);
  unsigned msgs = vdt_context_finish(ctx);
  CHECK_MSG(msgs == 0, "%s: validation messages", what);
}

static bool cache_valid_now(void) {
  vd_context *ctx = vdt_context_create();
  long n = 0;
  unsigned char *d = read_all(cache_file, &n);
  const uint8_t *payload;
  size_t psize;
  bool ok = d && vd_pipeline_cache_validate(ctx->info, d, (size_t)n, &payload, &psize);
  free(d);
  vdt_context_finish(ctx);
  return ok;
}

int main(void) {
  char dir[] = "/tmp/vlmd-pcache-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  setenv("VLMD_CACHE_DIR", dir, 1);
  use_context("first run");
  CHECK_MSG(file_size(cache_file) > 0, "cache file %s written", cache_file);
  CHECK(cache_valid_now());
  use_context("second run (warm cache)");
  CHECK(cache_valid_now());

  long n = 0;
  unsigned char *good = read_all(cache_file, &n);
  // 1. flipped payload byte: checksum catches it
  unsigned char *bad = malloc((size_t)n);
  memcpy(bad, good, (size_t)n);
  bad[n - 1] ^= 0x5a;
  write_all(cache_file, bad, (size_t)n);
  CHECK(!cache_valid_now());
  use_context("corrupt payload");
  CHECK(cache_valid_now());  // rewritten
  // 2. truncated in the middle of the header and of the payload
  write_all(cache_file, good, 20);
  use_context("truncated header");
  CHECK(cache_valid_now());
  write_all(cache_file, good, (size_t)n / 2);
  use_context("truncated payload");
  CHECK(cache_valid_now());
  // 3. garbage and an empty file
  for (long i = 0; i < n; ++i) bad[i] = (unsigned char)(i * 131 + 7);
  write_all(cache_file, bad, (size_t)n);
  use_context("garbage");
  write_all(cache_file, "", 0);
  use_context("empty file");
  CHECK(cache_valid_now());
  // 4. a cache from another driver version: rejected by content even under this device's file name
  memcpy(bad, good, (size_t)n);
  bad[16] ^= 1;  // driver_version field of the engine's header
  write_all(cache_file, bad, (size_t)n);
  CHECK(!cache_valid_now());
  use_context("foreign driver");
  CHECK(cache_valid_now());
  free(good);
  free(bad);
  remove(cache_file);
  rmdir(dir);
  return vdt_finish("test_pipeline_cache");
}
