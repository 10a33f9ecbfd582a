// An immutable snapshot of one physical device: the plain facts the policy and device choice are computed
// from. Captured once from Vulkan (vd_device_info_capture) or written by hand in tests.
#ifndef VD_RUNTIME_DEVICE_INFO_H
#define VD_RUNTIME_DEVICE_INFO_H

#include <stdbool.h>
#include <stdint.h>
#include <vulkan/vulkan.h>

#include "runtime/status.h"
#include "runtime/vk_api.h"

#define VD_MAX_DEVICE_EXTENSIONS 384
#define VD_MAX_COOPMAT_SHAPES 32
#define VD_MAX_MEMORY_TYPES 32
#define VD_MAX_MEMORY_HEAPS 16

#define VD_VENDOR_AMD 0x1002u
#define VD_VENDOR_NVIDIA 0x10deu
#define VD_VENDOR_INTEL 0x8086u
#define VD_VENDOR_MESA 0x10005u  // lavapipe reports Mesa's Khronos vendor id

// One cooperative-matrix configuration the driver advertises (VK_KHR_cooperative_matrix).
typedef struct vd_coopmat_shape {
  uint32_t m, n, k;            // MSize, NSize, KSize
  uint32_t a_type, b_type;     // vd_vk_component_type of the A and B operands
  uint32_t c_type, r_type;     // accumulator and result component types
  bool subgroup_scope;         // scope is VK_SCOPE_SUBGROUP_KHR
} vd_coopmat_shape;

typedef struct vd_memory_type_info {
  VkMemoryPropertyFlags flags;  // device-local, host-visible, coherent, cached
  uint32_t heap;                // index into heaps
} vd_memory_type_info;

typedef struct vd_memory_heap_info {
  VkDeviceSize size;   // bytes
  bool device_local;   // VK_MEMORY_HEAP_DEVICE_LOCAL_BIT
} vd_memory_heap_info;

typedef struct vd_device_info {
  // identity
  char name[VK_MAX_PHYSICAL_DEVICE_NAME_SIZE];  // deviceName
  uint32_t vendor_id;                           // PCI vendor (or Khronos vendor id)
  uint32_t device_id;                           // PCI device id
  VkPhysicalDeviceType type;                    // discrete, integrated, virtual, CPU
  uint32_t api_version;                         // highest Vulkan version of the device
  uint32_t effective_api_version;               // min(device, instance): what may be used
  uint32_t driver_version;                      // vendor-encoded driver version
  VkDriverId driver_id;                         // VK_DRIVER_ID_* (1.2)
  char driver_name[VK_MAX_DRIVER_NAME_SIZE];    // e.g. "llvmpipe", "NVIDIA"
  char driver_info[VK_MAX_DRIVER_INFO_SIZE];    // e.g. "Mesa 22.3.6 (LLVM 15.0.6)"
  uint8_t device_uuid[VK_UUID_SIZE];            // deviceUUID (1.1)
  uint8_t pipeline_cache_uuid[VK_UUID_SIZE];    // pipelineCacheUUID
  // features (1.0–1.3 and extensions)
  bool shader_float16;              // VkPhysicalDeviceVulkan12Features::shaderFloat16
  bool shader_int8;                 // shaderInt8
  bool shader_int16;                // VkPhysicalDeviceFeatures::shaderInt16
  bool shader_int64;                // shaderInt64
  bool shader_float64;              // VkPhysicalDeviceFeatures::shaderFloat64
  bool storage_buffer_16bit;        // Vulkan11Features::storageBuffer16BitAccess
  bool storage_buffer_8bit;         // Vulkan12Features::storageBuffer8BitAccess
  bool buffer_device_address;       // Vulkan12Features::bufferDeviceAddress
  bool timeline_semaphore;          // Vulkan12Features::timelineSemaphore
  bool vulkan_memory_model;         // Vulkan12Features::vulkanMemoryModel
  bool subgroup_size_control;       // Vulkan13Features::subgroupSizeControl
  bool compute_full_subgroups;      // Vulkan13Features::computeFullSubgroups
  bool synchronization2;            // Vulkan13Features::synchronization2
  bool maintenance4;                // Vulkan13Features::maintenance4
  bool coopmat_feature;             // VkPhysicalDeviceCooperativeMatrixFeaturesKHR::cooperativeMatrix
  // subgroups
  uint32_t subgroup_size;               // default subgroupSize
  uint32_t min_subgroup_size;           // Vulkan13Properties (== subgroup_size without 1.3)
  uint32_t max_subgroup_size;
  VkSubgroupFeatureFlags subgroup_ops;  // supportedOperations
  VkShaderStageFlags subgroup_stages;   // supportedStages
  // limits
  uint32_t max_compute_shared_memory;     // maxComputeSharedMemorySize
  uint32_t max_workgroup_invocations;     // maxComputeWorkGroupInvocations
  uint32_t max_workgroup_size[3];         // maxComputeWorkGroupSize
  uint32_t max_workgroup_count[3];        // maxComputeWorkGroupCount
  uint32_t max_storage_buffer_range;      // maxStorageBufferRange
  uint32_t max_push_constants_size;       // maxPushConstantsSize
  uint32_t max_bound_descriptor_sets;     // maxBoundDescriptorSets
  uint32_t max_storage_buffers_per_stage; // maxPerStageDescriptorStorageBuffers
  uint64_t max_memory_allocation_size;    // Vulkan11Properties::maxMemoryAllocationSize
  uint64_t max_buffer_size;               // Vulkan13Properties::maxBufferSize (0 if unknown)
  uint64_t min_storage_buffer_offset_alignment;  // minStorageBufferOffsetAlignment
  uint64_t non_coherent_atom_size;        // nonCoherentAtomSize
  float timestamp_period;                 // ns per timestamp tick
  uint32_t timestamp_valid_bits;          // of the chosen compute queue family (0: no timestamps)
  uint32_t compute_queue_family;          // a queue family with VK_QUEUE_COMPUTE_BIT (UINT32_MAX: none)
  // memory
  uint32_t memory_type_count;
  vd_memory_type_info memory_types[VD_MAX_MEMORY_TYPES];
  uint32_t memory_heap_count;
  vd_memory_heap_info memory_heaps[VD_MAX_MEMORY_HEAPS];
  // extensions
  uint32_t extension_count;  // number of names kept in extensions[] (capped at the capacity)
  char extensions[VD_MAX_DEVICE_EXTENSIONS][VK_MAX_EXTENSION_NAME_SIZE];
  // cooperative matrix configurations (empty without VK_KHR_cooperative_matrix)
  uint32_t coopmat_shape_count;
  vd_coopmat_shape coopmat_shapes[VD_MAX_COOPMAT_SHAPES];
} vd_device_info;

// Reads every fact above from a physical device.
// instance_api_version: the apiVersion the instance was created with (structures of newer versions
// are not queried).
vd_status vd_device_info_capture(const vd_vk_instance_fns *ifns, VkPhysicalDevice pd, uint32_t instance_api_version,
                                 vd_device_info *out_info);
bool vd_device_info_has_extension(const vd_device_info *info, const char *name);
// For hand-written snapshots in tests; ignores names past the capacity.
void vd_device_info_add_extension(vd_device_info *info, const char *name);
// Largest device-local heap in bytes.
uint64_t vd_device_info_local_heap(const vd_device_info *info);
const char *vd_device_type_name(VkPhysicalDeviceType type);
const char *vd_vendor_name(uint32_t vendor_id);

#endif
