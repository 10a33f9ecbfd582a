// The feature policy and device choice on hand-written snapshots shaped like real devices (no GPU).
#include <stdlib.h>
#include <string.h>

#include "runtime/device_select.h"
#include "runtime/policy.h"
#include "tests/vdtest.h"

static const vd_policy_switches all_on = {.coopmat_shaders = true};

static void add_coopmat(vd_device_info *d, uint32_t m, uint32_t n, uint32_t k, uint32_t c) {
  d->coopmat_shapes[d->coopmat_shape_count++] = (vd_coopmat_shape){
      .m = m, .n = n, .k = k, .a_type = VD_VK_COMPONENT_FLOAT16, .b_type = VD_VK_COMPONENT_FLOAT16,
      .c_type = c, .r_type = c, .subgroup_scope = true};
}

static void base(vd_device_info *d, const char *name, uint32_t vendor, uint32_t device, VkPhysicalDeviceType type) {
  memset(d, 0, sizeof(*d));
  strcpy(d->name, name);
  d->vendor_id = vendor;
  d->device_id = device;
  d->type = type;
  d->api_version = VK_MAKE_API_VERSION(0, 1, 3, 0);
  d->effective_api_version = d->api_version;
  d->compute_queue_family = 0;
  d->storage_buffer_16bit = true;
  d->shader_float16 = true;
  d->subgroup_stages = VK_SHADER_STAGE_COMPUTE_BIT;
  d->subgroup_ops = VK_SUBGROUP_FEATURE_BASIC_BIT | VK_SUBGROUP_FEATURE_ARITHMETIC_BIT;
  d->max_compute_shared_memory = 32768;
  d->max_workgroup_invocations = 1024;
  d->max_storage_buffer_range = 1u << 27;
  d->max_memory_allocation_size = 1ull << 31;
  d->memory_heap_count = 1;
  d->memory_heaps[0] = (vd_memory_heap_info){8ull << 30, true};
}

static void lavapipe(vd_device_info *d) {
  base(d, "llvmpipe (LLVM 15.0.6, 256 bits)", VD_VENDOR_MESA, 0, VK_PHYSICAL_DEVICE_TYPE_CPU);
  d->subgroup_size = 8;
  d->memory_heaps[0].size = 2ull << 30;
}

static void h200(vd_device_info *d) {
  base(d, "NVIDIA H200", VD_VENDOR_NVIDIA, 0x2335, VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU);
  d->subgroup_size = 32;
  d->max_compute_shared_memory = 49152;
  d->max_storage_buffer_range = 0xffffffffu;
  d->max_memory_allocation_size = 0xffffffffull;
  d->memory_heaps[0].size = 141ull << 30;
  d->coopmat_feature = true;
  vd_device_info_add_extension(d, "VK_KHR_cooperative_matrix");
  add_coopmat(d, 16, 8, 16, VD_VK_COMPONENT_FLOAT32);
  add_coopmat(d, 16, 16, 16, VD_VK_COMPONENT_FLOAT16);
  add_coopmat(d, 16, 16, 16, VD_VK_COMPONENT_FLOAT32);
}

static void rdna(vd_device_info *d, const char *name, uint32_t id, bool advertise) {
  base(d, name, VD_VENDOR_AMD, id, VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU);
  d->subgroup_size = 64;
  d->min_subgroup_size = 32;
  d->max_subgroup_size = 64;
  d->memory_heaps[0].size = 16ull << 30;
  if (advertise) {
    d->coopmat_feature = true;
    add_coopmat(d, 16, 16, 16, VD_VK_COMPONENT_FLOAT32);
  }
}

static void intel(vd_device_info *d, const char *name, uint32_t id, VkPhysicalDeviceType type) {
  base(d, name, VD_VENDOR_INTEL, id, type);
  d->subgroup_size = 32;
  d->coopmat_feature = true;
  add_coopmat(d, 8, 8, 16, VD_VK_COMPONENT_FLOAT32);
}

static void test_lavapipe(void) {
  vd_device_info d;
  vd_policy p;
  lavapipe(&d);
  vd_policy_compute(&d, &all_on, &p);
  CHECK(p.supported);
  CHECK(p.fp16_storage && p.fp16_arith);
  CHECK(p.subgroup_arith && p.subgroup_size == 8);
  CHECK(!p.coopmat);
  CHECK(p.default_precision == VD_PRECISION_F32);  // CPU: fp32 is exact and not slower
  CHECK(p.max_buffer_range == (1u << 27));
  CHECK(vd_gpu_family_of(&d) == VD_FAMILY_CPU);
}

static void test_h200(void) {
  vd_device_info d;
  vd_policy p;
  h200(&d);
  vd_policy_compute(&d, &all_on, &p);
  CHECK(p.supported && p.coopmat);
  CHECK(p.coopmat_m == 16 && p.coopmat_n == 16 && p.coopmat_k == 16);  // 16x16x16 preferred over 16x8x16
  CHECK(p.coopmat_f16_acc);
  CHECK(p.default_precision == VD_PRECISION_F16);
  CHECK(p.subgroup_size == 32 && p.shared_memory_bytes == 49152);
  // kill switches
  vd_policy_switches sw = all_on;
  sw.disable_coopmat = true;
  vd_policy_compute(&d, &sw, &p);
  CHECK(!p.coopmat && p.note_count > 0 && strstr(p.notes[p.note_count - 1], "VLMD_DISABLE_COOPMAT"));
  sw = all_on;
  sw.disable_fp16 = true;
  vd_policy_compute(&d, &sw, &p);
  CHECK(!p.fp16_storage && !p.fp16_arith && !p.coopmat && p.default_precision == VD_PRECISION_F32);
  sw = all_on;
  sw.disable_subgroup = true;
  vd_policy_compute(&d, &sw, &p);
  CHECK(!p.subgroup_arith && p.coopmat);
  CHECK(p.split_k);
  sw = all_on;
  sw.disable_splitk = true;
  vd_policy_compute(&d, &sw, &p);
  CHECK(!p.split_k && p.coopmat);
  sw = all_on;
  sw.coopmat_shaders = false;  // an old glslc built no coopmat shaders
  vd_policy_compute(&d, &sw, &p);
  CHECK(!p.coopmat);
  // only a 16x8x16 fp32-accumulating shape: still chosen
  d.coopmat_shape_count = 0;
  add_coopmat(&d, 16, 8, 16, VD_VK_COMPONENT_FLOAT32);
  vd_policy_compute(&d, &all_on, &p);
  CHECK(p.coopmat && p.coopmat_n == 8 && !p.coopmat_f16_acc);
  // only fp16-accumulating shapes: no fp32-accumulating path, so off
  d.coopmat_shape_count = 0;
  add_coopmat(&d, 16, 16, 16, VD_VK_COMPONENT_FLOAT16);
  vd_policy_compute(&d, &all_on, &p);
  CHECK(!p.coopmat);
}

static void test_amd(void) {
  vd_device_info d;
  vd_policy p;
  rdna(&d, "AMD Radeon RX 6800 XT (RADV NAVI21)", 0x73bf, true);  // advertised on RDNA2: not trusted
  CHECK(vd_gpu_family_of(&d) == VD_FAMILY_AMD_RDNA2);
  vd_policy_compute(&d, &all_on, &p);
  CHECK(p.supported && !p.coopmat && p.fp16_storage && p.subgroup_size == 64);
  rdna(&d, "AMD Radeon RX 7900 XTX (RADV NAVI31)", 0x744c, true);
  CHECK(vd_gpu_family_of(&d) == VD_FAMILY_AMD_RDNA3);
  vd_policy_compute(&d, &all_on, &p);
  CHECK(p.coopmat && p.coopmat_m == 16);
  rdna(&d, "AMD Radeon RX 7900 XTX", 0x744c, true);  // AMD's own driver: marketing name
  CHECK(vd_gpu_family_of(&d) == VD_FAMILY_AMD_RDNA3);
  rdna(&d, "AMD Radeon Pro WX 9100 (RADV VEGA10)", 0x6868, true);
  CHECK(vd_gpu_family_of(&d) == VD_FAMILY_AMD_GCN);
  vd_policy_compute(&d, &all_on, &p);
  CHECK(!p.coopmat);
}

static void test_intel(void) {
  vd_device_info d;
  vd_policy p;
  intel(&d, "Intel(R) Arc(tm) A770 Graphics (DG2)", 0x56a0, VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU);
  CHECK(vd_gpu_family_of(&d) == VD_FAMILY_INTEL_XE1);
  vd_policy_compute(&d, &all_on, &p);
  CHECK(!p.coopmat);
  intel(&d, "Intel(R) Iris(R) Xe Graphics (TGL GT2)", 0x9a49, VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU);
  CHECK(vd_gpu_family_of(&d) == VD_FAMILY_INTEL_XE1);
  intel(&d, "Intel(R) Arc(tm) B580 Graphics (BMG G21)", 0xe20b, VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU);
  CHECK(vd_gpu_family_of(&d) == VD_FAMILY_INTEL_XE2);
  vd_policy_compute(&d, &all_on, &p);
  CHECK(p.coopmat && p.coopmat_m == 8 && p.coopmat_k == 16);
  intel(&d, "Intel(R) Graphics (LNL)", 0x64a0, VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU);
  CHECK(vd_gpu_family_of(&d) == VD_FAMILY_INTEL_XE2);
}

static void test_unsupported(void) {
  vd_device_info d;
  vd_policy p;
  lavapipe(&d);
  d.api_version = d.effective_api_version = VK_MAKE_API_VERSION(0, 1, 1, 0);
  vd_policy_compute(&d, &all_on, &p);
  CHECK(!p.supported);
  lavapipe(&d);
  d.storage_buffer_16bit = false;
  d.subgroup_ops = VK_SUBGROUP_FEATURE_BASIC_BIT;  // no arithmetic
  vd_policy_compute(&d, &all_on, &p);
  CHECK(p.supported && !p.fp16_storage && !p.subgroup_arith);
}

static void test_select(void) {
  static vd_device_info cpu, igpu, dgpu_small, dgpu_big;
  lavapipe(&cpu);
  intel(&igpu, "Intel(R) Graphics (LNL)", 0x64a0, VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU);
  rdna(&dgpu_small, "AMD Radeon RX 6600 (RADV NAVI23)", 0x73ff, false);
  dgpu_small.memory_heaps[0].size = 8ull << 30;
  h200(&dgpu_big);
  const vd_device_info *infos[4] = {&cpu, &igpu, &dgpu_small, &dgpu_big};
  bool ok[4] = {true, true, true, true};
  uint32_t idx = 99;
  char why[VD_SELECT_REASON_LEN];
  CHECK_OK(vd_device_select(infos, ok, 4, NULL, &idx, why));
  CHECK(idx == 3);  // discrete, then the larger memory
  CHECK(strstr(why, "discrete") != NULL);
  ok[3] = false;  // an unsupported device is never chosen automatically
  CHECK_OK(vd_device_select(infos, ok, 4, "", &idx, why));
  CHECK(idx == 2);
  CHECK_OK(vd_device_select(infos, ok, 2, NULL, &idx, why));
  CHECK(idx == 1);  // integrated over CPU
  CHECK_OK(vd_device_select(infos, ok, 4, "0", &idx, why));
  CHECK(idx == 0 && strstr(why, "requested"));
  CHECK_OK(vd_device_select(infos, ok, 4, "llvmPIPE", &idx, why));  // name, case-insensitive
  CHECK(idx == 0);
  CHECK_ERR(vd_device_select(infos, ok, 4, "7", &idx, why), VD_ERR_NOT_FOUND);
  CHECK_ERR(vd_device_select(infos, ok, 4, "no-such-gpu", &idx, why), VD_ERR_NOT_FOUND);
  CHECK_ERR(vd_device_select(infos, ok, 4, "H200", &idx, why), VD_ERR_UNAVAILABLE);
  CHECK_ERR(vd_device_select(infos, ok, 0, NULL, &idx, why), VD_ERR_UNAVAILABLE);
}

// fp64: lavapipe, NVIDIA and AMD advertise shaderFloat64; Intel Xe (Gen12+), Apple (MoltenVK) and most
// mobile GPUs do not, and the anomaly map's float64 stages then run in double-float arithmetic.
static bool has_note(const vd_policy *p, const char *needle) {
  for (uint32_t i = 0; i < p->note_count; ++i)
    if (strstr(p->notes[i], needle)) return true;
  return false;
}

static void test_fp64(void) {
  vd_device_info d;
  vd_policy p;
  lavapipe(&d);
  d.shader_float64 = true;
  vd_policy_compute(&d, &all_on, &p);
  CHECK(p.fp64);
  vd_policy_switches sw = all_on;
  sw.disable_fp64 = true;
  vd_policy_compute(&d, &sw, &p);
  CHECK(!p.fp64 && has_note(&p, "VLMD_DISABLE_FP64"));
  intel(&d, "Intel(R) Arc(tm) A770 Graphics (DG2)", 0x56a0, VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU);
  vd_policy_compute(&d, &all_on, &p);
  CHECK(!p.fp64 && has_note(&p, "no shaderFloat64"));
}

static void test_env_switches(void) {
  setenv("VLMD_DISABLE_COOPMAT", "1", 1);
  setenv("VLMD_DISABLE_FP16", "no", 1);
  unsetenv("VLMD_DISABLE_SUBGROUP");
  setenv("VLMD_DISABLE_FP64", "yes", 1);
  vd_policy_switches sw = vd_policy_switches_from_env();
  CHECK(sw.disable_coopmat && !sw.disable_fp16 && !sw.disable_subgroup && sw.disable_fp64);
  unsetenv("VLMD_DISABLE_FP64");
  unsetenv("VLMD_DISABLE_COOPMAT");
  unsetenv("VLMD_DISABLE_FP16");
}

int main(void) {
  test_lavapipe();
  test_h200();
  test_amd();
  test_intel();
  test_unsupported();
  test_select();
  test_fp64();
  test_env_switches();
  return vdt_finish("test_policy");
}
