#include "runtime/policy.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool vd_env_flag(const char *name) {
  const char *v = getenv(name);
  if (!v) return false;
  return strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 ||
         strcasecmp(v, "on") == 0;
}

vd_policy_switches vd_policy_switches_from_env(void) {
  return (vd_policy_switches){
      .disable_coopmat = vd_env_flag("VLMD_DISABLE_COOPMAT"),
      .disable_fp16 = vd_env_flag("VLMD_DISABLE_FP16"),
      .disable_subgroup = vd_env_flag("VLMD_DISABLE_SUBGROUP"),
      .disable_splitk = vd_env_flag("VLMD_DISABLE_SPLITK"),
      .disable_fp64 = vd_env_flag("VLMD_DISABLE_FP64"),
      .coopmat_shaders = vd_shader_coopmat_compiled != 0,
  };
}

static void vd_note(vd_policy *p, const char *fmt, ...) VD_PRINTF(2, 3);
static void vd_note(vd_policy *p, const char *fmt, ...) {
  if (p->note_count >= VD_POLICY_MAX_NOTES) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->notes[p->note_count++], VD_POLICY_NOTE_LEN, fmt, ap);
  va_end(ap);
}

static bool vd_name_has(const char *name, const char *needle) {
  size_t n = strlen(needle);
  for (const char *s = name; *s; ++s)
    if (strncasecmp(s, needle, n) == 0) return true;
  return false;
}

// AMD: RADV names the chip ("... (RADV NAVI31)", "GFX1100"); AMD's own drivers give the marketing name.
static vd_gpu_family vd_amd_family(const vd_device_info *info) {
  static const char *rdna3[] = {"NAVI3", "NAVI4", "GFX11", "GFX12", "RX 7", "RX 9", "PHOENIX",
                                "STRIX", "W7", "890M", "880M", "780M", "760M", "740M"};
  static const char *rdna2[] = {"NAVI2", "GFX103", "RX 6", "VANGOGH", "REMBRANDT", "RAPHAEL",
                                "W6", "680M", "660M", "610M"};
  static const char *rdna1[] = {"NAVI1", "GFX101", "RX 5", "W5"};
  for (size_t i = 0; i < sizeof(rdna3) / sizeof(*rdna3); ++i)
    if (vd_name_has(info->name, rdna3[i])) return VD_FAMILY_AMD_RDNA3;
  for (size_t i = 0; i < sizeof(rdna2) / sizeof(*rdna2); ++i)
    if (vd_name_has(info->name, rdna2[i])) return VD_FAMILY_AMD_RDNA2;
  for (size_t i = 0; i < sizeof(rdna1) / sizeof(*rdna1); ++i)
    if (vd_name_has(info->name, rdna1[i])) return VD_FAMILY_AMD_RDNA1;
  return VD_FAMILY_AMD_GCN;
}

// Intel: Xe2 parts by PCI id — Lunar Lake 0x64xx, Battlemage 0xE2xx, Panther Lake (Xe3) 0xB0xx.
static vd_gpu_family vd_intel_family(const vd_device_info *info) {
  uint32_t hi = info->device_id & 0xff00u;
  if (hi == 0x6400u || hi == 0xe200u || hi == 0xb000u) return VD_FAMILY_INTEL_XE2;
  return VD_FAMILY_INTEL_XE1;
}

vd_gpu_family vd_gpu_family_of(const vd_device_info *info) {
  if (info->type == VK_PHYSICAL_DEVICE_TYPE_CPU) return VD_FAMILY_CPU;
  switch (info->vendor_id) {
    case VD_VENDOR_AMD: return vd_amd_family(info);
    case VD_VENDOR_INTEL: return vd_intel_family(info);
    case VD_VENDOR_NVIDIA: return VD_FAMILY_NVIDIA;
    default: return VD_FAMILY_OTHER;
  }
}

const char *vd_gpu_family_name(vd_gpu_family family) {
  switch (family) {
    case VD_FAMILY_AMD_GCN: return "AMD GCN/CDNA or unknown AMD";
    case VD_FAMILY_AMD_RDNA1: return "AMD RDNA1";
    case VD_FAMILY_AMD_RDNA2: return "AMD RDNA2";
    case VD_FAMILY_AMD_RDNA3: return "AMD RDNA3+";
    case VD_FAMILY_INTEL_XE1: return "Intel Gen12/Xe1";
    case VD_FAMILY_INTEL_XE2: return "Intel Xe2+";
    case VD_FAMILY_NVIDIA: return "NVIDIA";
    case VD_FAMILY_CPU: return "CPU";
    default: return "other";
  }
}

static bool vd_coopmat_allowed(vd_gpu_family f) {
  return f == VD_FAMILY_NVIDIA || f == VD_FAMILY_AMD_RDNA3 || f == VD_FAMILY_INTEL_XE2;
}

// Picks the fp16 x fp16 -> fp32 subgroup shape, preferring 16x16x16, then the smallest M*N*K.
static void vd_choose_coopmat_shape(const vd_device_info *info, vd_policy *p) {
  const vd_coopmat_shape *best = NULL;
  for (uint32_t i = 0; i < info->coopmat_shape_count; ++i) {
    const vd_coopmat_shape *s = &info->coopmat_shapes[i];
    if (!s->subgroup_scope || s->a_type != VD_VK_COMPONENT_FLOAT16 ||
        s->b_type != VD_VK_COMPONENT_FLOAT16 || s->c_type != VD_VK_COMPONENT_FLOAT32 ||
        s->r_type != VD_VK_COMPONENT_FLOAT32)
      continue;
    bool is16 = s->m == 16 && s->n == 16 && s->k == 16;
    bool best16 = best && best->m == 16 && best->n == 16 && best->k == 16;
    if (!best || (is16 && !best16) ||
        (!best16 && !is16 && s->m * s->n * s->k < best->m * best->n * best->k))
      best = s;
  }
  if (!best) return;
  p->coopmat_m = best->m;
  p->coopmat_n = best->n;
  p->coopmat_k = best->k;
  for (uint32_t i = 0; i < info->coopmat_shape_count; ++i) {
    const vd_coopmat_shape *s = &info->coopmat_shapes[i];
    if (s->subgroup_scope && s->m == best->m && s->n == best->n && s->k == best->k &&
        s->a_type == VD_VK_COMPONENT_FLOAT16 && s->c_type == VD_VK_COMPONENT_FLOAT16 &&
        s->r_type == VD_VK_COMPONENT_FLOAT16)
      p->coopmat_f16_acc = true;
  }
}

static void vd_policy_coopmat(const vd_device_info *info, const vd_policy_switches *sw, vd_policy *p) {
  vd_gpu_family fam = vd_gpu_family_of(info);
  if (!info->coopmat_feature) {
    vd_note(p, "cooperative matrix off: device does not expose VK_KHR_cooperative_matrix");
  } else if (sw->disable_coopmat) {
    vd_note(p, "cooperative matrix off: VLMD_DISABLE_COOPMAT is set");
  } else if (!sw->coopmat_shaders) {
    vd_note(p, "cooperative matrix off: this build's glslc could not compile the coopmat shaders");
  } else if (!vd_coopmat_allowed(fam)) {
    vd_note(p, "cooperative matrix off: not on the allow-list for %s (advertised but slow or wrong)",
            vd_gpu_family_name(fam));
  } else if (!p->fp16_storage) {
    vd_note(p, "cooperative matrix off: needs 16-bit storage");
  } else {
    vd_choose_coopmat_shape(info, p);
    if (p->coopmat_m == 0)
      vd_note(p, "cooperative matrix off: no subgroup fp16 x fp16 -> fp32 shape advertised");
    else
      p->coopmat = true;
  }
}

void vd_policy_compute(const vd_device_info *info, const vd_policy_switches *sw, vd_policy *out_policy) {
  vd_policy *p = out_policy;
  memset(p, 0, sizeof(*p));
  bool v12 = info->effective_api_version >= VK_API_VERSION_1_2;
  p->supported = v12 && info->compute_queue_family != UINT32_MAX;
  if (!v12) vd_note(p, "unsupported: the engine needs Vulkan 1.2 (device %u.%u, usable %u.%u)",
                    VK_API_VERSION_MAJOR(info->api_version), VK_API_VERSION_MINOR(info->api_version),
                    VK_API_VERSION_MAJOR(info->effective_api_version),
                    VK_API_VERSION_MINOR(info->effective_api_version));
  if (info->compute_queue_family == UINT32_MAX) vd_note(p, "unsupported: no compute queue");

  p->max_workgroup_invocations = info->max_workgroup_invocations;
  p->shared_memory_bytes = info->max_compute_shared_memory;
  p->max_buffer_range = info->max_storage_buffer_range;
  p->max_allocation = info->max_memory_allocation_size ? info->max_memory_allocation_size
                                                       : info->max_storage_buffer_range;

  if (sw->disable_fp16) {
    vd_note(p, "fp16 off: VLMD_DISABLE_FP16 is set");
  } else {
    p->fp16_storage = info->storage_buffer_16bit;
    p->fp16_arith = info->shader_float16 && info->storage_buffer_16bit;
    if (!p->fp16_storage) vd_note(p, "fp16 off: no storageBuffer16BitAccess");
  }

  p->fp64 = info->shader_float64 && !sw->disable_fp64;
  if (!info->shader_float64)
    vd_note(p, "fp64 off: no shaderFloat64 (the anomaly map's float64 stages run in double-float)");
  else if (sw->disable_fp64) vd_note(p, "fp64 off: VLMD_DISABLE_FP64 is set (double-float instead)");

  bool sg_hw = (info->subgroup_stages & VK_SHADER_STAGE_COMPUTE_BIT) &&
               (info->subgroup_ops & VK_SUBGROUP_FEATURE_BASIC_BIT) &&
               (info->subgroup_ops & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT) && info->subgroup_size >= 4;
  p->subgroup_size = info->subgroup_size ? info->subgroup_size : 1;
  if (sw->disable_subgroup)
    vd_note(p, "subgroup reductions off: VLMD_DISABLE_SUBGROUP is set");
  else if (!sg_hw)
    vd_note(p, "subgroup reductions off: no arithmetic subgroup operations in compute");
  else
    p->subgroup_arith = true;

  vd_policy_coopmat(info, sw, p);
  p->split_k = !sw->disable_splitk;
  if (!p->split_k) vd_note(p, "split-K off: VLMD_DISABLE_SPLITK is set");

  // CPUs (lavapipe) compute fp16 through conversions only: fp32 is both exact and faster there.
  bool gpu = info->type != VK_PHYSICAL_DEVICE_TYPE_CPU;
  p->default_precision = (gpu && p->fp16_storage) ? VD_PRECISION_F16 : VD_PRECISION_F32;
}
