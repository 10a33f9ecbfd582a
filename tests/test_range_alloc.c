// The block sub-allocator's bookkeeping: alignment, exhaustion, coalescing, double frees, and a
// randomized run checking that live ranges never overlap and everything coalesces back.
#include "runtime/memory.h"
#include "runtime/range_alloc.h"
#include "tests/vdtest.h"

static void test_basic(void) {
  vd_range_alloc ra;
  CHECK_OK(vd_range_alloc_init(&ra, 1024));
  vd_range r1, r2, r3;
  uint64_t o1, o2, o3;
  CHECK(vd_range_alloc_alloc(&ra, 100, 64, &r1, &o1) && o1 == 0);
  CHECK(vd_range_alloc_alloc(&ra, 100, 256, &r2, &o2) && o2 == 256 && r2.offset == 100);  // padding owned
  CHECK(!vd_range_alloc_alloc(&ra, 1024, 1, &r3, &o3));  // does not fit
  CHECK(!vd_range_alloc_alloc(&ra, 0, 1, &r3, &o3));     // zero size refused
  CHECK(!vd_range_alloc_alloc(&ra, 8, 3, &r3, &o3));     // alignment not a power of two
  CHECK_OK(vd_range_alloc_free(&ra, r1));
  CHECK_ERR(vd_range_alloc_free(&ra, r1), VD_ERR_INTERNAL);  // double free detected
  CHECK_OK(vd_range_alloc_free(&ra, r2));
  CHECK(ra.used == 0 && ra.free_count == 1 && ra.free_list[0].size == 1024);
  CHECK_ERR(vd_range_alloc_free(&ra, (vd_range){1000, 100}), VD_ERR_INTERNAL);  // outside the block
  vd_range_alloc_deinit(&ra);
}

static void test_random(void) {
  enum { N = 300 };
  vd_range_alloc ra;
  const uint64_t cap = 1 << 20;
  CHECK_OK(vd_range_alloc_init(&ra, cap));
  vd_range live[N];
  uint64_t off[N], size[N];
  bool used[N] = {false};
  vdt_rng rng = {42};
  int overlaps = 0, misaligned = 0;
  for (int step = 0; step < 20000; ++step) {
    int i = (int)vdt_uniform(&rng, 0, N);
    if (used[i]) {
      CHECK_OK(vd_range_alloc_free(&ra, live[i]));
      used[i] = false;
      continue;
    }
    uint64_t sz = 1 + (uint64_t)vdt_uniform(&rng, 0, 20000);
    uint64_t align = 1ull << (int)vdt_uniform(&rng, 0, 9);
    if (!vd_range_alloc_alloc(&ra, sz, align, &live[i], &off[i])) continue;
    used[i] = true;
    size[i] = sz;
    misaligned += off[i] % align != 0;
    for (int j = 0; j < N; ++j)
      if (j != i && used[j] && off[i] < off[j] + size[j] && off[j] < off[i] + size[i]) ++overlaps;
  }
  CHECK(overlaps == 0);
  CHECK(misaligned == 0);
  for (int i = 0; i < N; ++i)
    if (used[i]) CHECK_OK(vd_range_alloc_free(&ra, live[i]));
  CHECK(ra.used == 0 && ra.free_count == 1 && ra.free_list[0].offset == 0 && ra.free_list[0].size == cap);
  vd_range_alloc_deinit(&ra);
}

static void test_memory_types(void) {
  // lavapipe-like: one type that is everything; discrete-like: local, host coherent, host cached
  VkMemoryPropertyFlags all = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                              VK_MEMORY_PROPERTY_HOST_COHERENT_BIT | VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
  CHECK(vd_memory_choose_type(&all, 1, 1, VD_MEMORY_DEVICE) == 0);
  CHECK(vd_memory_choose_type(&all, 1, 1, VD_MEMORY_READBACK) == 0);
  VkMemoryPropertyFlags dgpu[3] = {
      VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT | VK_MEMORY_PROPERTY_HOST_CACHED_BIT};
  CHECK(vd_memory_choose_type(dgpu, 3, 7, VD_MEMORY_DEVICE) == 0);
  CHECK(vd_memory_choose_type(dgpu, 3, 7, VD_MEMORY_UPLOAD) == 1);
  CHECK(vd_memory_choose_type(dgpu, 3, 7, VD_MEMORY_READBACK) == 2);
  CHECK(vd_memory_choose_type(dgpu, 3, 3, VD_MEMORY_READBACK) == 1);  // cached not allowed: coherent
  CHECK(vd_memory_choose_type(dgpu, 3, 1, VD_MEMORY_UPLOAD) == UINT32_MAX);
}

int main(void) {
  test_basic();
  test_random();
  test_memory_types();
  return vdt_finish("test_range_alloc");
}
