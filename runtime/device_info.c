#include "runtime/device_info.h"

#include <stdlib.h>
#include <string.h>

static void vd_copy_str(char *dst, size_t cap, const char *src) {
  size_t n = strnlen(src, cap - 1);
  memcpy(dst, src, n);
  dst[n] = '\0';
}

static void vd_capture_features(const vd_vk_instance_fns *ifns, VkPhysicalDevice pd,
                                 vd_device_info *info) {
  bool v13 = info->effective_api_version >= VK_API_VERSION_1_3;
  bool has_cm = vd_device_info_has_extension(info, VD_KHR_COOPERATIVE_MATRIX_EXTENSION_NAME);
  vd_vk_coopmat_features cm = {.sType = VD_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_KHR};
  VkPhysicalDeviceVulkan13Features f13 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES,
                                          .pNext = has_cm ? &cm : NULL};
  VkPhysicalDeviceVulkan12Features f12 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
                                          .pNext = v13 ? (void *)&f13 : (has_cm ? (void *)&cm : NULL)};
  VkPhysicalDeviceVulkan11Features f11 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES,
                                          .pNext = &f12};
  VkPhysicalDeviceFeatures2 f2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &f11};
  ifns->vkGetPhysicalDeviceFeatures2(pd, &f2);
  info->shader_int16 = f2.features.shaderInt16;
  info->shader_int64 = f2.features.shaderInt64;
  info->shader_float64 = f2.features.shaderFloat64;
  info->storage_buffer_16bit = f11.storageBuffer16BitAccess;
  info->shader_float16 = f12.shaderFloat16;
  info->shader_int8 = f12.shaderInt8;
  info->storage_buffer_8bit = f12.storageBuffer8BitAccess;
  info->buffer_device_address = f12.bufferDeviceAddress;
  info->timeline_semaphore = f12.timelineSemaphore;
  info->vulkan_memory_model = f12.vulkanMemoryModel;
  if (v13) {
    info->subgroup_size_control = f13.subgroupSizeControl;
    info->compute_full_subgroups = f13.computeFullSubgroups;
    info->synchronization2 = f13.synchronization2;
    info->maintenance4 = f13.maintenance4;
  }
  info->coopmat_feature = has_cm && cm.cooperativeMatrix;
}

static void vd_capture_properties(const vd_vk_instance_fns *ifns, VkPhysicalDevice pd,
                                  vd_device_info *info) {
  bool v13 = info->effective_api_version >= VK_API_VERSION_1_3;
  VkPhysicalDeviceVulkan13Properties p13 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_PROPERTIES};
  VkPhysicalDeviceVulkan12Properties p12 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_PROPERTIES,
                                            .pNext = v13 ? &p13 : NULL};
  VkPhysicalDeviceVulkan11Properties p11 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_PROPERTIES,
                                            .pNext = &p12};
  VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &p11};
  ifns->vkGetPhysicalDeviceProperties2(pd, &p2);
  const VkPhysicalDeviceLimits *l = &p2.properties.limits;
  memcpy(info->device_uuid, p11.deviceUUID, VK_UUID_SIZE);
  memcpy(info->pipeline_cache_uuid, p2.properties.pipelineCacheUUID, VK_UUID_SIZE);
  info->driver_id = p12.driverID;
  vd_copy_str(info->driver_name, sizeof(info->driver_name), p12.driverName);
  vd_copy_str(info->driver_info, sizeof(info->driver_info), p12.driverInfo);
  info->subgroup_size = p11.subgroupSize;
  info->subgroup_ops = p11.subgroupSupportedOperations;
  info->subgroup_stages = p11.subgroupSupportedStages;
  info->min_subgroup_size = v13 ? p13.minSubgroupSize : p11.subgroupSize;
  info->max_subgroup_size = v13 ? p13.maxSubgroupSize : p11.subgroupSize;
  info->max_buffer_size = v13 ? p13.maxBufferSize : 0;
  info->max_memory_allocation_size = p11.maxMemoryAllocationSize;
  info->max_compute_shared_memory = l->maxComputeSharedMemorySize;
  info->max_workgroup_invocations = l->maxComputeWorkGroupInvocations;
  for (int i = 0; i < 3; ++i) {
    info->max_workgroup_size[i] = l->maxComputeWorkGroupSize[i];
    info->max_workgroup_count[i] = l->maxComputeWorkGroupCount[i];
  }
  info->max_storage_buffer_range = l->maxStorageBufferRange;
  info->max_push_constants_size = l->maxPushConstantsSize;
  info->max_bound_descriptor_sets = l->maxBoundDescriptorSets;
  info->max_storage_buffers_per_stage = l->maxPerStageDescriptorStorageBuffers;
  info->min_storage_buffer_offset_alignment = l->minStorageBufferOffsetAlignment;
  info->non_coherent_atom_size = l->nonCoherentAtomSize;
  info->timestamp_period = l->timestampPeriod;
}

static vd_status vd_capture_extensions(const vd_vk_instance_fns *ifns, VkPhysicalDevice pd,
                                       vd_device_info *info) {
  uint32_t n = 0;
  VD_VK_CHECK(ifns->vkEnumerateDeviceExtensionProperties(pd, NULL, &n, NULL),
              "vkEnumerateDeviceExtensionProperties");
  VkExtensionProperties *props = calloc(n ? n : 1, sizeof(*props));
  if (!props) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "listing device extensions");
  VkResult r = ifns->vkEnumerateDeviceExtensionProperties(pd, NULL, &n, props);
  if (r < 0) {
    free(props);
    return vd_vk_error(r, "vkEnumerateDeviceExtensionProperties");
  }
  for (uint32_t i = 0; i < n; ++i) vd_device_info_add_extension(info, props[i].extensionName);
  free(props);
  return NULL;
}

static vd_status vd_capture_coopmat(const vd_vk_instance_fns *ifns, VkPhysicalDevice pd,
                                    vd_device_info *info) {
  if (!info->coopmat_feature || !ifns->vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR) return NULL;
  vd_vk_coopmat_properties props[VD_MAX_COOPMAT_SHAPES];
  uint32_t n = VD_MAX_COOPMAT_SHAPES;
  for (uint32_t i = 0; i < n; ++i)
    props[i] = (vd_vk_coopmat_properties){.sType = VD_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_KHR};
  VkResult r = ifns->vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR(pd, &n, props);
  if (r < 0) return vd_vk_error(r, "vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR");
  for (uint32_t i = 0; i < n && i < VD_MAX_COOPMAT_SHAPES; ++i) {
    info->coopmat_shapes[i] = (vd_coopmat_shape){
        .m = props[i].MSize, .n = props[i].NSize, .k = props[i].KSize,
        .a_type = props[i].AType, .b_type = props[i].BType,
        .c_type = props[i].CType, .r_type = props[i].ResultType,
        .subgroup_scope = props[i].scope == VD_VK_SCOPE_SUBGROUP};
  }
  info->coopmat_shape_count = n < VD_MAX_COOPMAT_SHAPES ? n : VD_MAX_COOPMAT_SHAPES;
  return NULL;
}

static void vd_capture_queues_and_memory(const vd_vk_instance_fns *ifns, VkPhysicalDevice pd,
                                         vd_device_info *info) {
  uint32_t nq = 0;
  ifns->vkGetPhysicalDeviceQueueFamilyProperties(pd, &nq, NULL);
  VkQueueFamilyProperties qf[32];
  if (nq > 32) nq = 32;
  ifns->vkGetPhysicalDeviceQueueFamilyProperties(pd, &nq, qf);
  info->compute_queue_family = UINT32_MAX;
  // Prefer a family that also does graphics (the main queue, usually with timestamps), else any.
  for (int pass = 0; pass < 2 && info->compute_queue_family == UINT32_MAX; ++pass) {
    for (uint32_t i = 0; i < nq; ++i) {
      bool compute = qf[i].queueFlags & VK_QUEUE_COMPUTE_BIT;
      bool graphics = qf[i].queueFlags & VK_QUEUE_GRAPHICS_BIT;
      if (compute && (graphics || pass == 1)) {
        info->compute_queue_family = i;
        info->timestamp_valid_bits = qf[i].timestampValidBits;
        break;
      }
    }
  }
  VkPhysicalDeviceMemoryProperties mp;
  ifns->vkGetPhysicalDeviceMemoryProperties(pd, &mp);
  info->memory_type_count = mp.memoryTypeCount < VD_MAX_MEMORY_TYPES ? mp.memoryTypeCount : VD_MAX_MEMORY_TYPES;
  for (uint32_t i = 0; i < info->memory_type_count; ++i)
    info->memory_types[i] = (vd_memory_type_info){mp.memoryTypes[i].propertyFlags, mp.memoryTypes[i].heapIndex};
  info->memory_heap_count = mp.memoryHeapCount < VD_MAX_MEMORY_HEAPS ? mp.memoryHeapCount : VD_MAX_MEMORY_HEAPS;
  for (uint32_t i = 0; i < info->memory_heap_count; ++i)
    info->memory_heaps[i] = (vd_memory_heap_info){
        mp.memoryHeaps[i].size, (mp.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) != 0};
}

vd_status vd_device_info_capture(const vd_vk_instance_fns *ifns, VkPhysicalDevice pd, uint32_t instance_api_version,
                                 vd_device_info *out_info) {
  memset(out_info, 0, sizeof(*out_info));
  VkPhysicalDeviceProperties p;
  ifns->vkGetPhysicalDeviceProperties(pd, &p);
  vd_copy_str(out_info->name, sizeof(out_info->name), p.deviceName);
  out_info->vendor_id = p.vendorID;
  out_info->device_id = p.deviceID;
  out_info->type = p.deviceType;
  out_info->api_version = p.apiVersion;
  uint32_t dev = VK_MAKE_API_VERSION(0, VK_API_VERSION_MAJOR(p.apiVersion), VK_API_VERSION_MINOR(p.apiVersion), 0);
  out_info->effective_api_version = dev < instance_api_version ? dev : instance_api_version;
  out_info->driver_version = p.driverVersion;
  VD_RETURN_IF_ERROR(vd_capture_extensions(ifns, pd, out_info));
  vd_capture_queues_and_memory(ifns, pd, out_info);
  if (out_info->effective_api_version < VK_API_VERSION_1_2)
    return NULL;  // the 1.1+ structures below are not valid to query; the policy rejects the device
  vd_capture_features(ifns, pd, out_info);
  vd_capture_properties(ifns, pd, out_info);
  return vd_capture_coopmat(ifns, pd, out_info);
}

bool vd_device_info_has_extension(const vd_device_info *info, const char *name) {
  for (uint32_t i = 0; i < info->extension_count; ++i)
    if (strcmp(info->extensions[i], name) == 0) return true;
  return false;
}

void vd_device_info_add_extension(vd_device_info *info, const char *name) {
  if (info->extension_count >= VD_MAX_DEVICE_EXTENSIONS) return;
  vd_copy_str(info->extensions[info->extension_count++], VK_MAX_EXTENSION_NAME_SIZE, name);
}

uint64_t vd_device_info_local_heap(const vd_device_info *info) {
  uint64_t best = 0;
  for (uint32_t i = 0; i < info->memory_heap_count; ++i)
    if (info->memory_heaps[i].device_local && info->memory_heaps[i].size > best)
      best = info->memory_heaps[i].size;
  return best;
}

const char *vd_device_type_name(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "cpu";
    default: return "other";
  }
}

const char *vd_vendor_name(uint32_t vendor_id) {
  switch (vendor_id) {
    case VD_VENDOR_AMD: return "AMD";
    case VD_VENDOR_NVIDIA: return "NVIDIA";
    case VD_VENDOR_INTEL: return "Intel";
    case VD_VENDOR_MESA: return "Mesa";
    case 0x13b5: return "ARM";
    case 0x5143: return "Qualcomm";
    case 0x106b: return "Apple";
    default: return "unknown";
  }
}
