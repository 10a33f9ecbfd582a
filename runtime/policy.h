// The feature policy: which fast paths the engine uses on a device. A pure function of a device snapshot
// and a few switches, so every decision is testable on hand-written snapshots without a GPU.
#ifndef VD_RUNTIME_POLICY_H
#define VD_RUNTIME_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/device_info.h"
#include "runtime/shader_registry.h"

#define VD_POLICY_MAX_NOTES 8
#define VD_POLICY_NOTE_LEN 160

// Inputs that are not device facts: kill switches from the environment and what the build compiled.
typedef struct vd_policy_switches {
  bool disable_coopmat;   // VLMD_DISABLE_COOPMAT
  bool disable_fp16;      // VLMD_DISABLE_FP16
  bool disable_subgroup;  // VLMD_DISABLE_SUBGROUP
  bool disable_splitk;    // VLMD_DISABLE_SPLITK
  bool disable_fp64;      // VLMD_DISABLE_FP64
  bool coopmat_shaders;   // the build contains cooperative-matrix shaders
} vd_policy_switches;

typedef struct vd_policy {
  bool supported;                 // the engine can run on this device at all
  bool fp16_storage;              // fp16-storage shader variants may run
  bool fp16_arith;                // shaders may compute in fp16 (shaderFloat16)
  bool subgroup_arith;            // subgroup arithmetic reductions in compute shaders
  uint32_t subgroup_size;         // the default subgroup size kernels are specialised for
  bool coopmat;                   // cooperative-matrix kernels are used
  uint32_t coopmat_m, coopmat_n, coopmat_k;  // chosen fp16 x fp16 -> fp32 subgroup shape
  bool coopmat_f16_acc;           // the same shape also exists with fp16 accumulation
  bool split_k;                   // GEMMs with few output tiles split K across workgroups
  bool fp64;                      // float64 shaders (shaderFloat64) for the anomaly map's float64 stages;
                                  // without it they run in double-float (two fp32) arithmetic
  vd_precision default_precision; // what a run uses when the user does not say
  uint32_t max_workgroup_invocations;  // maxComputeWorkGroupInvocations
  uint32_t shared_memory_bytes;        // maxComputeSharedMemorySize
  uint64_t max_buffer_range;           // bytes one storage-buffer binding may span
  uint64_t max_allocation;             // bytes one device allocation may have
  uint32_t note_count;                 // entries in notes
  char notes[VD_POLICY_MAX_NOTES][VD_POLICY_NOTE_LEN];  // why each fast path is on or off
} vd_policy;

// Reads the kill switches from the environment ("1", "true", "yes", "on" turn a switch on).
vd_policy_switches vd_policy_switches_from_env(void);
void vd_policy_compute(const vd_device_info *info, const vd_policy_switches *sw, vd_policy *out_policy);

typedef enum vd_gpu_family {
  VD_FAMILY_OTHER = 0,
  VD_FAMILY_AMD_GCN,
  VD_FAMILY_AMD_RDNA1,
  VD_FAMILY_AMD_RDNA2,
  VD_FAMILY_AMD_RDNA3,  // and newer
  VD_FAMILY_INTEL_XE1,  // Gen12 / Xe-LP / Xe-HPG (Alchemist)
  VD_FAMILY_INTEL_XE2,  // Lunar Lake, Battlemage and newer
  VD_FAMILY_NVIDIA,
  VD_FAMILY_CPU,
} vd_gpu_family;

// Classifies a device by vendor, device id and name (pure; unknown AMD/Intel parts map to the older
// family, the conservative side).
vd_gpu_family vd_gpu_family_of(const vd_device_info *info);
const char *vd_gpu_family_name(vd_gpu_family family);

#endif
