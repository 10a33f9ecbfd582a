// A Vulkan instance (own, or a host application's) with its loader tables, the optional validation
// layer and its message counter, and the snapshot + policy of every physical device.
#ifndef VD_RUNTIME_INSTANCE_H
#define VD_RUNTIME_INSTANCE_H

#include <stdatomic.h>
#include <stdbool.h>

#include "runtime/device_info.h"
#include "runtime/policy.h"
#include "runtime/vk_api.h"

#define VD_MAX_PHYSICAL_DEVICES 16

// Counts validation-layer messages (the debug messenger callback may run on driver threads).
typedef struct vd_validation_log {
  atomic_uint errors;    // messages of severity ERROR
  atomic_uint warnings;  // messages of severity WARNING
  bool quiet;            // count only, do not print
} vd_validation_log;

typedef struct vd_instance {
  vd_vk_global global;                 // loader entry points
  vd_vk_instance_fns vki;              // instance entry points
  VkInstance instance;                 // own or host's
  bool owns_instance;                  // false on a host-supplied instance
  uint32_t api_version;                // the instance's apiVersion (a host states its own)
  VkDebugUtilsMessengerEXT messenger;  // VK_NULL_HANDLE without validation
  vd_validation_log validation;        // counters (the messenger's user data points here)
  uint32_t device_count;                               // physical devices found
  VkPhysicalDevice physical[VD_MAX_PHYSICAL_DEVICES];  // their handles
  vd_device_info *infos[VD_MAX_PHYSICAL_DEVICES];      // their snapshots
  vd_policy policies[VD_MAX_PHYSICAL_DEVICES];         // their policies
  bool supported[VD_MAX_PHYSICAL_DEVICES];             // policies[i].supported
} vd_instance;

// validation: enable VK_LAYER_KHRONOS_validation with synchronization validation; an error if the
// layer is missing.
vd_status vd_instance_create(bool validation, bool quiet, vd_instance **out_instance);
// Wraps a host's instance (never destroyed by the engine) created with api_version, and snapshots the
// given physical device only.
vd_status vd_instance_wrap(PFN_vkGetInstanceProcAddr gipa, VkInstance instance, uint32_t api_version,
                           VkPhysicalDevice physical, vd_instance **out_instance);
void vd_instance_destroy(vd_instance *inst);
uint32_t vd_instance_validation_messages(const vd_instance *inst);

#endif
