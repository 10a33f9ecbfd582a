#include "runtime/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/context.h"

static vd_status vd_cmd_add_pool(vd_cmd *cmd) {
  if (cmd->pool_count == VD_CMD_MAX_DESCRIPTOR_POOLS)
    return vd_status_make(VD_ERR_LIMIT, "a recording needs more than %d descriptor sets",
                          VD_CMD_MAX_DESCRIPTOR_POOLS * VD_CMD_SETS_PER_POOL);
  VkDescriptorPoolSize size = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VD_CMD_SETS_PER_POOL * 8};
  VkDescriptorPoolCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
                                   .maxSets = VD_CMD_SETS_PER_POOL, .poolSizeCount = 1, .pPoolSizes = &size};
  vd_context *ctx = cmd->ctx;
  VD_VK_CHECK(ctx->vkd.vkCreateDescriptorPool(ctx->device, &ci, NULL, &cmd->pools[cmd->pool_count]),
              "vkCreateDescriptorPool");
  cmd->pool_count++;
  return NULL;
}

vd_status vd_cmd_create(vd_context *ctx, uint32_t max_timed, vd_cmd **out_cmd) {
  *out_cmd = NULL;
  vd_cmd *cmd = calloc(1, sizeof(*cmd));
  if (!cmd) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "command bookkeeping");
  cmd->ctx = ctx;
  VkCommandBufferAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
                                    .commandPool = ctx->command_pool,
                                    .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY, .commandBufferCount = 1};
  VkFenceCreateInfo fi = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  vd_status st = NULL;
  VkResult r = ctx->vkd.vkAllocateCommandBuffers(ctx->device, &ai, &cmd->cb);
  if (r < 0) st = vd_vk_error(r, "vkAllocateCommandBuffers");
  if (!st && (r = ctx->vkd.vkCreateFence(ctx->device, &fi, NULL, &cmd->fence)) < 0)
    st = vd_vk_error(r, "vkCreateFence");
  if (!st) st = vd_cmd_add_pool(cmd);
  if (!st && max_timed && ctx->info->timestamp_valid_bits) {
    VkQueryPoolCreateInfo qi = {.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
                                .queryType = VK_QUERY_TYPE_TIMESTAMP, .queryCount = 2 * max_timed};
    cmd->labels = calloc(max_timed, sizeof(*cmd->labels));
    if (!cmd->labels) st = vd_status_make(VD_ERR_OUT_OF_MEMORY, "timestamp labels");
    if (!st && (r = ctx->vkd.vkCreateQueryPool(ctx->device, &qi, NULL, &cmd->queries)) < 0)
      st = vd_vk_error(r, "vkCreateQueryPool");
    if (!st) cmd->timed_capacity = max_timed;
  }
  if (st) {
    vd_cmd_destroy(cmd);
    return st;
  }
  *out_cmd = cmd;
  return NULL;
}

void vd_cmd_destroy(vd_cmd *cmd) {
  if (!cmd) return;
  vd_context *ctx = cmd->ctx;
  if (cmd->pending) vd_status_free(vd_cmd_wait(cmd));
  for (uint32_t i = 0; i < cmd->pool_count; ++i) ctx->vkd.vkDestroyDescriptorPool(ctx->device, cmd->pools[i], NULL);
  if (cmd->queries) ctx->vkd.vkDestroyQueryPool(ctx->device, cmd->queries, NULL);
  if (cmd->fence) ctx->vkd.vkDestroyFence(ctx->device, cmd->fence, NULL);
  if (cmd->cb) ctx->vkd.vkFreeCommandBuffers(ctx->device, ctx->command_pool, 1, &cmd->cb);
  free(cmd->labels);
  free(cmd);
}

vd_status vd_cmd_begin(vd_cmd *cmd) {
  vd_context *ctx = cmd->ctx;
  if (cmd->pending) VD_RETURN_IF_ERROR(vd_cmd_wait(cmd));
  for (uint32_t i = 0; i < cmd->pool_count; ++i)
    VD_VK_CHECK(ctx->vkd.vkResetDescriptorPool(ctx->device, cmd->pools[i], 0), "vkResetDescriptorPool");
  cmd->pool_current = 0;
  cmd->timed_count = 0;
  cmd->recorded = false;
  VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  VD_VK_CHECK(ctx->vkd.vkBeginCommandBuffer(cmd->cb, &bi), "vkBeginCommandBuffer");
  if (cmd->queries) ctx->vkd.vkCmdResetQueryPool(cmd->cb, cmd->queries, 0, 2 * cmd->timed_capacity);
  cmd->recording = true;
  // Order this submission after everything submitted before it (replays reuse the same memory).
  vd_cmd_barrier(cmd);
  return NULL;
}

vd_status vd_cmd_end(vd_cmd *cmd) {
  if (!cmd->recording) return vd_status_make(VD_ERR_INTERNAL, "vd_cmd_end without vd_cmd_begin");
  // Make device writes available to host reads of mapped memory after the fence wait.
  VkMemoryBarrier mb = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
                        .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
                        .dstAccessMask = VK_ACCESS_HOST_READ_BIT};
  cmd->ctx->vkd.vkCmdPipelineBarrier(cmd->cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                                     VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb, 0, NULL, 0, NULL);
  cmd->recording = false;
  VD_VK_CHECK(cmd->ctx->vkd.vkEndCommandBuffer(cmd->cb), "vkEndCommandBuffer");
  cmd->recorded = true;
  return NULL;
}

void vd_cmd_barrier(vd_cmd *cmd) {
  VkMemoryBarrier mb = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
                        .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
                        .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                                         VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT};
  VkPipelineStageFlags stages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
  cmd->ctx->vkd.vkCmdPipelineBarrier(cmd->cb, stages, stages, 0, 1, &mb, 0, NULL, 0, NULL);
}

void vd_cmd_copy(vd_cmd *cmd, const vd_buffer *src, uint64_t src_offset, const vd_buffer *dst,
                 uint64_t dst_offset, uint64_t size) {
  VkBufferCopy region = {src_offset, dst_offset, size};
  cmd->ctx->vkd.vkCmdCopyBuffer(cmd->cb, src->buffer, dst->buffer, 1, &region);
}

void vd_cmd_fill(vd_cmd *cmd, const vd_buffer *dst, uint64_t offset, uint64_t size, uint32_t word) {
  cmd->ctx->vkd.vkCmdFillBuffer(cmd->cb, dst->buffer, offset, size, word);
}

static vd_status vd_cmd_alloc_set(vd_cmd *cmd, const vd_pipeline *p, VkDescriptorSet *out_set) {
  vd_context *ctx = cmd->ctx;
  for (;;) {
    VkDescriptorSetAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                                      .descriptorPool = cmd->pools[cmd->pool_current],
                                      .descriptorSetCount = 1, .pSetLayouts = &p->set_layout};
    VkResult r = ctx->vkd.vkAllocateDescriptorSets(ctx->device, &ai, out_set);
    if (r == VK_SUCCESS) return NULL;
    if (r != VK_ERROR_OUT_OF_POOL_MEMORY && r != VK_ERROR_FRAGMENTED_POOL)
      return vd_vk_error(r, "vkAllocateDescriptorSets");
    if (++cmd->pool_current == cmd->pool_count) VD_RETURN_IF_ERROR(vd_cmd_add_pool(cmd));
  }
}

static vd_status vd_cmd_check_bindings(const vd_cmd *cmd, const vd_pipeline *p, const vd_binding *b,
                                       uint32_t n) {
  if (n != p->binding_count)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s takes %u buffers, %u given", p->name, p->binding_count, n);
  uint64_t align = cmd->ctx->info->min_storage_buffer_offset_alignment;
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t range = b[i].range ? b[i].range : (b[i].buffer ? b[i].buffer->size - b[i].offset : 0);
    if (!b[i].buffer || b[i].offset >= b[i].buffer->size || range > b[i].buffer->size - b[i].offset)
      return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s binding %u: range outside its buffer", p->name, i);
    if (align && b[i].offset % align)
      return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s binding %u: offset %llu not a multiple of %llu",
                            p->name, i, (unsigned long long)b[i].offset, (unsigned long long)align);
    if (range > cmd->ctx->policy.max_buffer_range)
      return vd_status_make(VD_ERR_LIMIT, "%s binding %u: %llu bytes exceed maxStorageBufferRange", p->name, i,
                            (unsigned long long)range);
  }
  return NULL;
}

vd_status vd_cmd_dispatch(vd_cmd *cmd, const vd_pipeline *p, const vd_binding *bindings,
                          uint32_t binding_count, const void *push, const uint32_t groups[3],
                          const char *label) {
  vd_context *ctx = cmd->ctx;
  if (!cmd->recording) return vd_status_make(VD_ERR_INTERNAL, "dispatch of %s outside a recording", p->name);
  VD_RETURN_IF_ERROR(vd_cmd_check_bindings(cmd, p, bindings, binding_count));
  for (int i = 0; i < 3; ++i)
    if (groups[i] == 0 || groups[i] > ctx->info->max_workgroup_count[i])
      return vd_status_make(VD_ERR_LIMIT, "%s: %u workgroups in dimension %d (limit %u)", p->name, groups[i], i,
                            ctx->info->max_workgroup_count[i]);
  VkDescriptorSet set;
  VD_RETURN_IF_ERROR(vd_cmd_alloc_set(cmd, p, &set));
  VkDescriptorBufferInfo infos[VD_PIPELINE_MAX_BINDINGS];
  VkWriteDescriptorSet writes[VD_PIPELINE_MAX_BINDINGS];
  for (uint32_t i = 0; i < binding_count; ++i) {
    infos[i] = (VkDescriptorBufferInfo){bindings[i].buffer->buffer, bindings[i].offset,
                                        bindings[i].range ? bindings[i].range : VK_WHOLE_SIZE};
    writes[i] = (VkWriteDescriptorSet){.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set,
                                       .dstBinding = i, .descriptorCount = 1,
                                       .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                       .pBufferInfo = &infos[i]};
  }
  ctx->vkd.vkUpdateDescriptorSets(ctx->device, binding_count, writes, 0, NULL);
  bool timed = label && cmd->queries && cmd->timed_count < cmd->timed_capacity;
  if (timed) {
    snprintf(cmd->labels[cmd->timed_count], VD_CMD_LABEL_LEN, "%s", label);
    ctx->vkd.vkCmdWriteTimestamp(cmd->cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, cmd->queries, 2 * cmd->timed_count);
  }
  ctx->vkd.vkCmdBindPipeline(cmd->cb, VK_PIPELINE_BIND_POINT_COMPUTE, p->pipeline);
  ctx->vkd.vkCmdBindDescriptorSets(cmd->cb, VK_PIPELINE_BIND_POINT_COMPUTE, p->layout, 0, 1, &set, 0, NULL);
  if (p->push_size) ctx->vkd.vkCmdPushConstants(cmd->cb, p->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, p->push_size, push);
  ctx->vkd.vkCmdDispatch(cmd->cb, groups[0], groups[1], groups[2]);
  if (timed) {
    ctx->vkd.vkCmdWriteTimestamp(cmd->cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, cmd->queries,
                                 2 * cmd->timed_count + 1);
    cmd->timed_count++;
  }
  return NULL;
}

vd_status vd_cmd_submit(vd_cmd *cmd) {
  vd_context *ctx = cmd->ctx;
  if (!cmd->recorded) return vd_status_make(VD_ERR_INTERNAL, "submitting a command buffer that was not recorded");
  if (cmd->pending) VD_RETURN_IF_ERROR(vd_cmd_wait(cmd));
  VD_VK_CHECK(ctx->vkd.vkResetFences(ctx->device, 1, &cmd->fence), "vkResetFences");
  VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &cmd->cb};
  VD_VK_CHECK(ctx->vkd.vkQueueSubmit(ctx->queue, 1, &si, cmd->fence), "vkQueueSubmit");
  cmd->pending = true;
  return NULL;
}

vd_status vd_cmd_wait(vd_cmd *cmd) {
  vd_context *ctx = cmd->ctx;
  if (!cmd->pending) return NULL;
  VkResult r = ctx->vkd.vkWaitForFences(ctx->device, 1, &cmd->fence, VK_TRUE, ctx->wait_timeout_ns);
  if (r == VK_TIMEOUT)
    return vd_status_make(VD_ERR_DEVICE_LOST, "the GPU did not finish a submission within %.0f s (VLMD_TIMEOUT_S)",
                          (double)ctx->wait_timeout_ns * 1e-9);
  cmd->pending = false;
  if (r == VK_ERROR_DEVICE_LOST)
    return vd_status_make(VD_ERR_DEVICE_LOST, "the Vulkan device was lost while running a submission "
                                              "(driver reset, watchdog or a faulting kernel)");
  VD_VK_CHECK(r, "vkWaitForFences");
  return NULL;
}

vd_status vd_cmd_run(vd_cmd *cmd) {
  VD_RETURN_IF_ERROR(vd_cmd_submit(cmd));
  return vd_cmd_wait(cmd);
}

vd_status vd_cmd_timings(vd_cmd *cmd, vd_dispatch_timing *out, uint32_t capacity, uint32_t *out_count) {
  *out_count = 0;
  if (!cmd->queries || cmd->timed_count == 0) return NULL;
  if (cmd->pending) VD_RETURN_IF_ERROR(vd_cmd_wait(cmd));
  uint32_t n = cmd->timed_count < capacity ? cmd->timed_count : capacity;
  uint64_t *ticks = malloc(2 * (size_t)n * sizeof(uint64_t));
  if (!ticks) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "timestamp results");
  vd_context *ctx = cmd->ctx;
  VkResult r = ctx->vkd.vkGetQueryPoolResults(ctx->device, cmd->queries, 0, 2 * n, 2 * n * sizeof(uint64_t), ticks,
                                              sizeof(uint64_t), VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
  if (r < 0) {
    free(ticks);
    return vd_vk_error(r, "vkGetQueryPoolResults");
  }
  uint32_t bits = ctx->info->timestamp_valid_bits;
  uint64_t mask = bits >= 64 ? ~0ull : ((1ull << bits) - 1);
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t dt = (ticks[2 * i + 1] - ticks[2 * i]) & mask;
    out[i] = (vd_dispatch_timing){cmd->labels[i], (double)dt * ctx->info->timestamp_period * 1e-6};
  }
  free(ticks);
  *out_count = n;
  return NULL;
}

vd_status vd_groups_1d(const vd_context *ctx, uint64_t n, uint32_t wg, uint32_t out_groups[3]) {
  uint64_t groups = (n + wg - 1) / wg;
  uint64_t max_x = ctx->info->max_workgroup_count[0];
  uint64_t max_y = ctx->info->max_workgroup_count[1];
  if (groups == 0) groups = 1;
  uint64_t gy = (groups + max_x - 1) / max_x;
  uint64_t gx = (groups + gy - 1) / gy;
  if (gy > max_y)
    return vd_status_make(VD_ERR_LIMIT, "%llu invocations exceed the device's dispatch limits", (unsigned long long)n);
  out_groups[0] = (uint32_t)gx;
  out_groups[1] = (uint32_t)gy;
  out_groups[2] = 1;
  return NULL;
}
