// runtime/ — the Vulkan layer: loading the API at run time, the instance and device choice, an immutable
// snapshot of the device and the pure feature policy computed from it, memory blocks and staging, pipelines
// from the embedded SPIR-V and their on-disk cache, command recording, barriers, submission and timestamps.
// Uses only Vulkan and libc. This header is its entry point: the context every other layer runs on.
//
// The engine's Vulkan context (the internal view of the public vd_context): the instance, the chosen
// device and its queue, its snapshot and policy, memory pools, the pipeline cache and a command pool.
#ifndef VD_RUNTIME_CONTEXT_H
#define VD_RUNTIME_CONTEXT_H

#include <stdbool.h>

#include "runtime/device_info.h"
#include "runtime/device_select.h"
#include "runtime/instance.h"
#include "runtime/memory.h"
#include "runtime/policy.h"
#include "runtime/vk_api.h"
#include "vlmdiff.h"

struct vd_context {
  vd_instance *inst;               // own or wrapping the host's instance
  vd_vk_device_fns vkd;            // device-level entry points
  VkPhysicalDevice physical;       // the chosen device
  VkDevice device;                 // own or host's
  VkQueue queue;                   // the compute queue the engine submits to
  uint32_t queue_family;           // its family
  bool owns_device;                // false on a host-supplied device
  uint32_t device_index;           // index into inst->infos
  const vd_device_info *info;      // snapshot of the chosen device (owned by inst)
  vd_policy policy;                // what the engine uses on it (device policy AND what is enabled)
  char select_reason[VD_SELECT_REASON_LEN];  // why this device was chosen
  vd_memory memory;                // block sub-allocators
  VkPipelineCache pipeline_cache;  // never VK_NULL_HANDLE after creation
  char pipeline_cache_path[1024];  // where it is saved on destroy ("" when disabled)
  VkCommandPool command_pool;      // the engine's command buffers (resettable)
  uint64_t wait_timeout_ns;        // fence wait limit before a submission is declared hung
};

#endif
