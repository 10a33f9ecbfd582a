#include "runtime/memory.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/cmd.h"
#include "runtime/context.h"

#define VD_STAGING_CHUNK (64ull << 20)

static const char *vd_kind_name(vd_memory_kind kind) {
  switch (kind) {
    case VD_MEMORY_DEVICE: return "device-local";
    case VD_MEMORY_UPLOAD: return "upload";
    case VD_MEMORY_READBACK: return "readback";
    default: return "?";
  }
}

uint32_t vd_memory_choose_type(const VkMemoryPropertyFlags *type_flags, uint32_t type_count,
                               uint32_t allowed_bits, vd_memory_kind kind) {
  const VkMemoryPropertyFlags host = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  VkMemoryPropertyFlags need = kind == VD_MEMORY_DEVICE ? 0 : host;
  VkMemoryPropertyFlags want = kind == VD_MEMORY_DEVICE   ? VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT
                               : kind == VD_MEMORY_READBACK ? VK_MEMORY_PROPERTY_HOST_CACHED_BIT
                                                            : 0;
  uint32_t fallback = UINT32_MAX;
  for (uint32_t i = 0; i < type_count; ++i) {
    if (!(allowed_bits & (1u << i)) || (type_flags[i] & need) != need) continue;
    if ((type_flags[i] & want) == want) return i;
    if (fallback == UINT32_MAX) fallback = i;
  }
  return fallback;
}

vd_status vd_memory_init(vd_context *ctx) {
  vd_memory *m = &ctx->memory;
  memset(m, 0, sizeof(*m));
  m->max_allocation = ctx->policy.max_allocation;
  m->max_buffer_range = ctx->policy.max_buffer_range;
  m->block_size = VD_MEMORY_DEFAULT_BLOCK < m->max_allocation ? VD_MEMORY_DEFAULT_BLOCK : m->max_allocation;
  VkMemoryPropertyFlags flags[VD_MAX_MEMORY_TYPES];
  for (uint32_t i = 0; i < ctx->info->memory_type_count; ++i) flags[i] = ctx->info->memory_types[i].flags;
  for (int k = 0; k < VD_MEMORY_KIND_COUNT; ++k) {
    m->pools[k].kind = (vd_memory_kind)k;
    m->pools[k].type_index = vd_memory_choose_type(flags, ctx->info->memory_type_count, ~0u, (vd_memory_kind)k);
  }
  return NULL;
}

static void vd_block_free(vd_context *ctx, vd_memory_block *b) {
  if (b->mapped) ctx->vkd.vkUnmapMemory(ctx->device, b->memory);
  ctx->vkd.vkFreeMemory(ctx->device, b->memory, NULL);
  ctx->memory.bytes_allocated -= b->size;
  vd_range_alloc_deinit(&b->ranges);
  free(b);
}

void vd_memory_deinit(vd_context *ctx) {
  for (int k = 0; k < VD_MEMORY_KIND_COUNT; ++k) {
    vd_memory_pool *p = &ctx->memory.pools[k];
    for (uint32_t i = 0; i < VD_MEMORY_MAX_BLOCKS; ++i)
      if (p->blocks[i]) vd_block_free(ctx, p->blocks[i]);
    memset(p->blocks, 0, sizeof(p->blocks));
    p->block_count = 0;
  }
}

static vd_status vd_block_create(vd_context *ctx, vd_memory_pool *pool, uint32_t type_index, uint64_t size,
                                 bool dedicated, vd_memory_block **out_block) {
  uint32_t slot = 0;
  while (slot < VD_MEMORY_MAX_BLOCKS && pool->blocks[slot]) ++slot;
  if (slot == VD_MEMORY_MAX_BLOCKS)
    return vd_status_make(VD_ERR_LIMIT, "more than %d %s memory blocks", VD_MEMORY_MAX_BLOCKS,
                          vd_kind_name(pool->kind));
  vd_memory_block *b = calloc(1, sizeof(*b));
  if (!b) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "memory block bookkeeping");
  VkMemoryAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = size,
                             .memoryTypeIndex = type_index};
  VkResult r = ctx->vkd.vkAllocateMemory(ctx->device, &ai, NULL, &b->memory);
  if (r < 0) {
    free(b);
    return vd_status_annotate(vd_vk_error(r, "vkAllocateMemory"), "allocating %llu bytes of %s memory",
                              (unsigned long long)size, vd_kind_name(pool->kind));
  }
  b->size = size;
  b->dedicated = dedicated;
  ctx->memory.bytes_allocated += size;
  vd_status st = vd_range_alloc_init(&b->ranges, size);
  if (!st && pool->kind != VD_MEMORY_DEVICE) {
    r = ctx->vkd.vkMapMemory(ctx->device, b->memory, 0, VK_WHOLE_SIZE, 0, &b->mapped);
    if (r < 0) st = vd_vk_error(r, "vkMapMemory");
  }
  if (st) {
    vd_block_free(ctx, b);
    return st;
  }
  pool->blocks[slot] = b;
  pool->block_count++;
  *out_block = b;
  return NULL;
}

static void vd_pool_release_block(vd_context *ctx, vd_memory_pool *pool, vd_memory_block *b) {
  for (uint32_t i = 0; i < VD_MEMORY_MAX_BLOCKS; ++i)
    if (pool->blocks[i] == b) {
      pool->blocks[i] = NULL;
      pool->block_count--;
    }
  vd_block_free(ctx, b);
}

// Finds room for (size, alignment) in an existing block of the type, else creates a block.
static vd_status vd_pool_alloc(vd_context *ctx, vd_memory_pool *pool, uint32_t type_index,
                               const VkMemoryRequirements *req, vd_buffer *buf) {
  for (uint32_t i = 0; i < VD_MEMORY_MAX_BLOCKS; ++i) {
    vd_memory_block *b = pool->blocks[i];
    if (!b || b->dedicated) continue;
    if (vd_range_alloc_alloc(&b->ranges, req->size, req->alignment, &buf->range, &buf->offset)) {
      buf->block = b;
      return NULL;
    }
  }
  bool dedicated = req->size > ctx->memory.block_size / 2;
  uint64_t block_size = dedicated ? req->size : ctx->memory.block_size;
  vd_memory_block *b = NULL;
  VD_RETURN_IF_ERROR(vd_block_create(ctx, pool, type_index, block_size, dedicated, &b));
  if (!vd_range_alloc_alloc(&b->ranges, req->size, req->alignment, &buf->range, &buf->offset)) {
    vd_pool_release_block(ctx, pool, b);
    return vd_status_make(VD_ERR_INTERNAL, "fresh block of %llu bytes cannot hold %llu bytes",
                          (unsigned long long)block_size, (unsigned long long)req->size);
  }
  buf->block = b;
  return NULL;
}

static vd_status vd_buffer_check_size(const vd_context *ctx, vd_memory_kind kind, uint64_t size) {
  const vd_memory *m = &ctx->memory;
  if (size == 0) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "buffer of 0 bytes");
  if (size > m->max_buffer_range)
    return vd_status_make(VD_ERR_LIMIT,
                          "%s buffer of %llu bytes exceeds the device's maxStorageBufferRange of %llu "
                          "bytes (the caller must split it)",
                          vd_kind_name(kind), (unsigned long long)size, (unsigned long long)m->max_buffer_range);
  if (size > m->max_allocation)
    return vd_status_make(VD_ERR_LIMIT,
                          "%s buffer of %llu bytes exceeds the device's maxMemoryAllocationSize of %llu "
                          "bytes (the caller must split it)",
                          vd_kind_name(kind), (unsigned long long)size, (unsigned long long)m->max_allocation);
  return NULL;
}

vd_status vd_buffer_create(vd_context *ctx, vd_memory_kind kind, uint64_t size, vd_buffer **out_buffer) {
  *out_buffer = NULL;
  VD_RETURN_IF_ERROR(vd_buffer_check_size(ctx, kind, size));
  vd_memory_pool *pool = &ctx->memory.pools[kind];
  vd_buffer *buf = calloc(1, sizeof(*buf));
  if (!buf) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "buffer bookkeeping");
  buf->size = size;
  buf->kind = kind;
  VkBufferCreateInfo bi = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = size,
                           .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                    VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                           .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
  VkResult r = ctx->vkd.vkCreateBuffer(ctx->device, &bi, NULL, &buf->buffer);
  if (r < 0) {
    free(buf);
    return vd_vk_error(r, "vkCreateBuffer");
  }
  VkMemoryRequirements req;
  ctx->vkd.vkGetBufferMemoryRequirements(ctx->device, buf->buffer, &req);
  VkMemoryPropertyFlags flags[VD_MAX_MEMORY_TYPES];
  for (uint32_t i = 0; i < ctx->info->memory_type_count; ++i) flags[i] = ctx->info->memory_types[i].flags;
  uint32_t type = vd_memory_choose_type(flags, ctx->info->memory_type_count, req.memoryTypeBits, kind);
  vd_status st = type == UINT32_MAX
                     ? vd_status_make(VD_ERR_UNAVAILABLE, "no memory type suits a %s buffer", vd_kind_name(kind))
                     : vd_pool_alloc(ctx, pool, type, &req, buf);
  if (!st) {
    r = ctx->vkd.vkBindBufferMemory(ctx->device, buf->buffer, buf->block->memory, buf->offset);
    if (r < 0) st = vd_vk_error(r, "vkBindBufferMemory");
  }
  if (st) {
    if (buf->block) vd_buffer_destroy(ctx, buf);
    else {
      ctx->vkd.vkDestroyBuffer(ctx->device, buf->buffer, NULL);
      free(buf);
    }
    return st;
  }
  if (buf->block->mapped) buf->mapped = (char *)buf->block->mapped + buf->offset;
  *out_buffer = buf;
  return NULL;
}

void vd_buffer_destroy(vd_context *ctx, vd_buffer *buf) {
  if (!buf) return;
  ctx->vkd.vkDestroyBuffer(ctx->device, buf->buffer, NULL);
  vd_memory_block *b = buf->block;
  vd_status st = vd_range_alloc_free(&b->ranges, buf->range);
  vd_status_free(st);  // only an engine bug can fail here; the range allocator already said so
  if (b->dedicated) vd_pool_release_block(ctx, &ctx->memory.pools[buf->kind], b);
  free(buf);
}

static vd_status vd_check_range(const vd_buffer *buf, uint64_t offset, uint64_t size, const char *what) {
  if (offset > buf->size || size > buf->size - offset)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s of %llu bytes at offset %llu overruns a buffer of %llu bytes",
                          what, (unsigned long long)size, (unsigned long long)offset,
                          (unsigned long long)buf->size);
  return NULL;
}

// Copies between a device-local buffer and host memory through a staging buffer, chunk by chunk.
static vd_status vd_staged_copy(vd_context *ctx, vd_buffer *dev, uint64_t dev_offset, void *host,
                                const void *host_src, uint64_t size) {
  bool upload = host_src != NULL;
  uint64_t chunk = size < VD_STAGING_CHUNK ? size : VD_STAGING_CHUNK;
  vd_buffer *staging = NULL;
  vd_cmd *cmd = NULL;
  vd_status st = vd_buffer_create(ctx, upload ? VD_MEMORY_UPLOAD : VD_MEMORY_READBACK, chunk, &staging);
  if (!st) st = vd_cmd_create(ctx, 0, &cmd);
  for (uint64_t done = 0; !st && done < size; done += chunk) {
    uint64_t n = size - done < chunk ? size - done : chunk;
    if (upload) memcpy(staging->mapped, (const char *)host_src + done, n);
    st = vd_cmd_begin(cmd);
    if (st) break;
    if (upload) vd_cmd_copy(cmd, staging, 0, dev, dev_offset + done, n);
    else vd_cmd_copy(cmd, dev, dev_offset + done, staging, 0, n);
    st = vd_cmd_end(cmd);
    if (!st) st = vd_cmd_run(cmd);
    if (!st && !upload) memcpy((char *)host + done, staging->mapped, n);
  }
  vd_cmd_destroy(cmd);
  vd_buffer_destroy(ctx, staging);
  return st;
}

vd_status vd_buffer_upload(vd_context *ctx, vd_buffer *dst, uint64_t dst_offset, const void *src, uint64_t size) {
  VD_RETURN_IF_ERROR(vd_check_range(dst, dst_offset, size, "upload"));
  if (size == 0) return NULL;
  if (dst->mapped) {
    memcpy((char *)dst->mapped + dst_offset, src, size);
    return NULL;
  }
  return vd_staged_copy(ctx, dst, dst_offset, NULL, src, size);
}

vd_status vd_buffer_download(vd_context *ctx, vd_buffer *src, uint64_t src_offset, void *dst, uint64_t size) {
  VD_RETURN_IF_ERROR(vd_check_range(src, src_offset, size, "download"));
  if (size == 0) return NULL;
  if (src->mapped) {
    memcpy(dst, (const char *)src->mapped + src_offset, size);
    return NULL;
  }
  return vd_staged_copy(ctx, src, src_offset, dst, NULL, size);
}
