// Device memory: blocks of VkDeviceMemory sub-allocated into buffers, one pool per memory kind, and
// staging transfers between host and device-local buffers.
#ifndef VD_RUNTIME_MEMORY_H
#define VD_RUNTIME_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/range_alloc.h"
#include "runtime/status.h"
#include "runtime/vk_api.h"

#define VD_MEMORY_MAX_BLOCKS 256
#define VD_MEMORY_DEFAULT_BLOCK (256ull << 20)

typedef struct vd_context vd_context;

typedef enum vd_memory_kind {
  VD_MEMORY_DEVICE = 0,  // device-local: tensors, weights, activations
  VD_MEMORY_UPLOAD,      // host-visible + coherent: staging towards the device
  VD_MEMORY_READBACK,    // host-visible + coherent (+ cached when offered): results back to the host
  VD_MEMORY_KIND_COUNT,
} vd_memory_kind;

typedef struct vd_memory_block {
  VkDeviceMemory memory;  // one vkAllocateMemory
  uint64_t size;          // bytes
  void *mapped;           // persistent mapping for host-visible kinds, else NULL
  vd_range_alloc ranges;  // what is handed out
  bool dedicated;         // allocated for one large buffer; freed when that buffer goes
} vd_memory_block;

typedef struct vd_memory_pool {
  vd_memory_kind kind;       // what this pool serves
  uint32_t type_index;       // the memory type its blocks come from (UINT32_MAX: none suitable)
  uint32_t block_count;      // live entries in blocks
  vd_memory_block *blocks[VD_MEMORY_MAX_BLOCKS];  // NULL holes are reused
} vd_memory_pool;

typedef struct vd_memory {
  vd_memory_pool pools[VD_MEMORY_KIND_COUNT];  // one per kind
  uint64_t block_size;       // default block size (clamped to maxMemoryAllocationSize)
  uint64_t max_allocation;   // maxMemoryAllocationSize
  uint64_t max_buffer_range; // maxStorageBufferRange
  uint64_t bytes_allocated;  // total VkDeviceMemory held
} vd_memory;

typedef struct vd_buffer {
  VkBuffer buffer;          // the Vulkan buffer
  uint64_t size;            // bytes requested
  vd_memory_kind kind;      // which pool
  vd_memory_block *block;   // where its memory lives
  vd_range range;           // the block range it holds (for freeing)
  uint64_t offset;          // its offset inside the block
  void *mapped;             // host pointer for host-visible kinds, else NULL
} vd_buffer;

vd_status vd_memory_init(vd_context *ctx);
void vd_memory_deinit(vd_context *ctx);

// Creates a storage buffer (also a transfer source and destination). Sizes above maxStorageBufferRange
// or maxMemoryAllocationSize are refused: splitting is the caller's job.
vd_status vd_buffer_create(vd_context *ctx, vd_memory_kind kind, uint64_t size, vd_buffer **out_buffer);
void vd_buffer_destroy(vd_context *ctx, vd_buffer *buffer);

// Host -> buffer and buffer -> host copies. Host-visible buffers are copied directly; device-local ones
// go through a staging buffer in chunks; both wait for completion.
vd_status vd_buffer_upload(vd_context *ctx, vd_buffer *dst, uint64_t dst_offset, const void *src,
                           uint64_t size);
vd_status vd_buffer_download(vd_context *ctx, vd_buffer *src, uint64_t src_offset, void *dst,
                             uint64_t size);

// Picks a memory type index for a kind from plain flags (pure; exposed for tests). UINT32_MAX if none.
uint32_t vd_memory_choose_type(const VkMemoryPropertyFlags *type_flags, uint32_t type_count,
                               uint32_t allowed_bits, vd_memory_kind kind);

#endif
