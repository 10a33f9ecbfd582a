// VK_KHR_cooperative_matrix declarations under vd_ names. Debian 12's Vulkan headers (1.3.239) predate
// the extension (1.3.255), so the engine carries the few definitions it needs; values are the registry's.
#ifndef VD_RUNTIME_VK_COOPMAT_H
#define VD_RUNTIME_VK_COOPMAT_H

#include <vulkan/vulkan.h>

#define VD_KHR_COOPERATIVE_MATRIX_EXTENSION_NAME "VK_KHR_cooperative_matrix"
#define VD_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_KHR ((VkStructureType)1000506000)
#define VD_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_KHR ((VkStructureType)1000506001)

typedef enum vd_vk_component_type {
  VD_VK_COMPONENT_FLOAT16 = 0,
  VD_VK_COMPONENT_FLOAT32 = 1,
  VD_VK_COMPONENT_FLOAT64 = 2,
  VD_VK_COMPONENT_SINT8 = 3,
  VD_VK_COMPONENT_SINT16 = 4,
  VD_VK_COMPONENT_SINT32 = 5,
  VD_VK_COMPONENT_SINT64 = 6,
  VD_VK_COMPONENT_UINT8 = 7,
  VD_VK_COMPONENT_UINT16 = 8,
  VD_VK_COMPONENT_UINT32 = 9,
  VD_VK_COMPONENT_UINT64 = 10,
} vd_vk_component_type;

#define VD_VK_SCOPE_SUBGROUP 3u

typedef struct vd_vk_coopmat_features {
  VkStructureType sType;
  void *pNext;
  VkBool32 cooperativeMatrix;
  VkBool32 cooperativeMatrixRobustBufferAccess;
} vd_vk_coopmat_features;

typedef struct vd_vk_coopmat_properties {
  VkStructureType sType;
  void *pNext;
  uint32_t MSize;
  uint32_t NSize;
  uint32_t KSize;
  uint32_t AType;  // vd_vk_component_type
  uint32_t BType;
  uint32_t CType;
  uint32_t ResultType;
  VkBool32 saturatingAccumulation;
  uint32_t scope;  // VkScopeKHR
} vd_vk_coopmat_properties;

typedef VkResult(VKAPI_PTR *vd_PFN_GetCoopmatProperties)(VkPhysicalDevice, uint32_t *,
                                                          vd_vk_coopmat_properties *);

#endif
