// Command recording and submission: one command buffer with its fence, the descriptor sets its
// dispatches bind, and timestamp queries around labelled dispatches. A recorded vd_cmd can be submitted
// any number of times (record once, replay).
#ifndef VD_RUNTIME_CMD_H
#define VD_RUNTIME_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/memory.h"
#include "runtime/pipeline.h"
#include "runtime/status.h"

#define VD_CMD_MAX_DESCRIPTOR_POOLS 64
#define VD_CMD_SETS_PER_POOL 256
#define VD_CMD_LABEL_LEN 64

typedef struct vd_binding {
  const vd_buffer *buffer;  // bound buffer
  uint64_t offset;          // bytes from its start (multiple of minStorageBufferOffsetAlignment)
  uint64_t range;           // bytes; 0 = to the end of the buffer
} vd_binding;

typedef struct vd_dispatch_timing {
  const char *label;  // the label given at record time (owned by the vd_cmd)
  double ms;          // GPU time between the timestamps around the dispatch
} vd_dispatch_timing;

typedef struct vd_cmd {
  vd_context *ctx;                 // owner
  VkCommandBuffer cb;              // the recorded commands
  VkFence fence;                   // signalled when a submission completes
  VkDescriptorPool pools[VD_CMD_MAX_DESCRIPTOR_POOLS];  // descriptor sets of the recorded dispatches
  uint32_t pool_count;             // pools created
  uint32_t pool_current;           // the pool sets are taken from now
  VkQueryPool queries;             // 2 timestamps per timed dispatch (VK_NULL_HANDLE: no timing)
  uint32_t timed_capacity;         // dispatches that can be timed
  uint32_t timed_count;            // dispatches timed in the current recording
  char (*labels)[VD_CMD_LABEL_LEN];  // label of each timed dispatch
  bool recording;                  // between begin and end
  bool recorded;                   // ended at least once: may be submitted
  bool pending;                    // submitted and not yet waited for
} vd_cmd;

// max_timed: how many dispatches per recording get timestamps (0: none).
vd_status vd_cmd_create(vd_context *ctx, uint32_t max_timed, vd_cmd **out_cmd);
void vd_cmd_destroy(vd_cmd *cmd);

// Starts a new recording (drops the previous one and its descriptor sets).
vd_status vd_cmd_begin(vd_cmd *cmd);
vd_status vd_cmd_end(vd_cmd *cmd);

// Makes all earlier compute-shader and transfer writes visible to later compute and transfer reads and
// writes. The graph planner calls it only where a hazard exists.
void vd_cmd_barrier(vd_cmd *cmd);
void vd_cmd_copy(vd_cmd *cmd, const vd_buffer *src, uint64_t src_offset, const vd_buffer *dst,
                 uint64_t dst_offset, uint64_t size);
// Fills with a repeated 32-bit word (offset and size multiples of 4).
void vd_cmd_fill(vd_cmd *cmd, const vd_buffer *dst, uint64_t offset, uint64_t size, uint32_t word);
// Records one dispatch. push may be NULL when the pipeline has no push constants. label: NULL for an
// untimed dispatch, else it is timed (while capacity lasts) and reported by vd_cmd_timings.
vd_status vd_cmd_dispatch(vd_cmd *cmd, const vd_pipeline *pipeline, const vd_binding *bindings,
                          uint32_t binding_count, const void *push, const uint32_t groups[3],
                          const char *label);

vd_status vd_cmd_submit(vd_cmd *cmd);
// Waits for the last submission (timeout: the context's; a hang or device loss is an error value).
vd_status vd_cmd_wait(vd_cmd *cmd);
vd_status vd_cmd_run(vd_cmd *cmd);  // submit + wait
// Per-dispatch GPU times of the last completed submission; out_count gets the number written.
vd_status vd_cmd_timings(vd_cmd *cmd, vd_dispatch_timing *out, uint32_t capacity, uint32_t *out_count);

// Workgroup counts covering n invocations with workgroups of wg, split over y when x would exceed
// the device's maxComputeWorkGroupCount[0] (shaders use common/index.glsl's vd_flat_index).
vd_status vd_groups_1d(const vd_context *ctx, uint64_t n, uint32_t wg, uint32_t out_groups[3]);

#endif
