// Proves the validation net catches something: a missing barrier between a write and a read (a
// synchronization hazard) and a descriptor with a misaligned offset each raise a message the context
// counts. A correct recording of the same work stays silent.
#include "runtime/cmd.h"
#include "runtime/context.h"
#include "tests/vdtest.h"

static vd_context *quiet_context(void) {
  vd_context_options opts = {.validation = true, .quiet_validation = true};
  vd_context *ctx = NULL;
  vd_status st = vd_context_create(&opts, &ctx);
  if (st) {
    fprintf(stderr, "context: %s\n", vd_status_message(st));
    exit(1);
  }
  return ctx;
}

// copy a -> b, then b -> c; with_barrier says whether the read of b waits for its write.
static unsigned run_copies(bool with_barrier) {
  vd_context *ctx = quiet_context();
  vd_pipeline *copy = NULL;
  vd_buffer *a = NULL, *b = NULL, *c = NULL;
  vd_cmd *cmd = NULL;
  vd_pipeline_desc d = {.shader = "copy", .binding_count = 2, .push_size = 4};
  CHECK_OK(vd_pipeline_create(ctx, &d, &copy));
  CHECK_OK(vd_buffer_create(ctx, VD_MEMORY_DEVICE, 4096, &a));
  CHECK_OK(vd_buffer_create(ctx, VD_MEMORY_DEVICE, 4096, &b));
  CHECK_OK(vd_buffer_create(ctx, VD_MEMORY_DEVICE, 4096, &c));
  CHECK_OK(vd_cmd_create(ctx, 0, &cmd));
  CHECK_OK(vd_cmd_begin(cmd));
  uint32_t n = 1024, groups[3] = {4, 1, 1};
  vd_cmd_fill(cmd, a, 0, 4096, 0x3f800000u);
  vd_cmd_barrier(cmd);
  vd_binding ab[2] = {{a, 0, 0}, {b, 0, 0}}, bc[2] = {{b, 0, 0}, {c, 0, 0}};
  CHECK_OK(vd_cmd_dispatch(cmd, copy, ab, 2, &n, groups, NULL));
  if (with_barrier) vd_cmd_barrier(cmd);
  CHECK_OK(vd_cmd_dispatch(cmd, copy, bc, 2, &n, groups, NULL));
  CHECK_OK(vd_cmd_end(cmd));
  CHECK_OK(vd_cmd_run(cmd));
  vd_cmd_destroy(cmd);
  vd_buffer_destroy(ctx, a);
  vd_buffer_destroy(ctx, b);
  vd_buffer_destroy(ctx, c);
  vd_pipeline_destroy(ctx, copy);
  unsigned msgs = vd_context_validation_messages(ctx);
  vd_context_destroy(ctx);
  return msgs;
}

// Writes a descriptor whose offset breaks minStorageBufferOffsetAlignment (raw Vulkan, bypassing the
// checks in vd_cmd_dispatch).
static unsigned run_misaligned_descriptor(void) {
  vd_context *ctx = quiet_context();
  vd_pipeline *fill = NULL;
  vd_buffer *buf = NULL;
  vd_cmd *cmd = NULL;
  vd_pipeline_desc d = {.shader = "fill", .binding_count = 1, .push_size = 8};
  CHECK_OK(vd_pipeline_create(ctx, &d, &fill));
  CHECK_OK(vd_buffer_create(ctx, VD_MEMORY_DEVICE, 4096, &buf));
  CHECK_OK(vd_cmd_create(ctx, 0, &cmd));
  VkDescriptorSet set;
  VkDescriptorSetAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                                    .descriptorPool = cmd->pools[0], .descriptorSetCount = 1,
                                    .pSetLayouts = &fill->set_layout};
  CHECK(ctx->vkd.vkAllocateDescriptorSets(ctx->device, &ai, &set) == VK_SUCCESS);
  uint64_t bad_offset = ctx->info->min_storage_buffer_offset_alignment / 2;
  if (bad_offset == 0) bad_offset = 1;  // (alignment 1 would make any offset legal; 2 is the minimum seen)
  VkDescriptorBufferInfo bi = {buf->buffer, bad_offset, 64};
  VkWriteDescriptorSet w = {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = 0,
                            .descriptorCount = 1, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                            .pBufferInfo = &bi};
  ctx->vkd.vkUpdateDescriptorSets(ctx->device, 1, &w, 0, NULL);
  vd_cmd_destroy(cmd);
  vd_buffer_destroy(ctx, buf);
  vd_pipeline_destroy(ctx, fill);
  unsigned msgs = vd_context_validation_messages(ctx);
  vd_context_destroy(ctx);
  return msgs;
}

int main(void) {
  unsigned good = run_copies(true);
  unsigned hazard = run_copies(false);
  unsigned misaligned = run_misaligned_descriptor();
  printf("messages: correct recording %u, missing barrier %u, misaligned descriptor %u\n", good, hazard, misaligned);
  CHECK(good == 0);
  CHECK(hazard > 0);
  CHECK(misaligned > 0);
  return vdt_finish("test_validation_net");
}
