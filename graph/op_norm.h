// Normalisations: group norm (optionally fused with SiLU), layer norm, RMS norm and instance norm. All
// statistics are fp32 (mean and biased variance; the variance from squared deviations, combined across
// workgroups with Chan's formula, never as E[x^2] - E[x]^2). Rows longer than one workgroup's chunk
// (VD_NORM_CHUNK elements) take two passes through a caller-provided fp32 scratch view of
// vd_*_scratch_bytes() bytes; shorter rows take one pass and need no scratch ({NULL, 0} is fine).
// Reductions use subgroup arithmetic when ctx->policy.subgroup_arith, shared-memory trees otherwise.
#ifndef VD_GRAPH_OP_NORM_H
#define VD_GRAPH_OP_NORM_H

#include <stdbool.h>
#include <stdint.h>

#include "graph/ops.h"

#define VD_NORM_CHUNK 4096u  // elements one workgroup normalises (256 invocations x 16)

// GroupNorm over NCHW x: per sample, `groups` groups of channels/groups consecutive channels; mean and
// biased variance over (channels/groups)*height*width values; y = (x-mean)/sqrt(var+eps)*gamma[c]+beta[c],
// then y = y*sigmoid(y) when silu. gamma and beta: [channels].
typedef struct vd_group_norm_params {
  uint32_t batch;     // N
  uint32_t channels;  // C, a multiple of groups
  uint32_t height;    // H
  uint32_t width;     // W
  uint32_t groups;    // G (32 in every network here)
  float eps;          // 1e-6 (VAE, SpatialTransformer) or 1e-5 (GroupNorm32)
  bool silu;          // fuse the SiLU that follows (ResBlocks)
} vd_group_norm_params;

// LayerNorm over the last axis of [rows, cols]: gamma [cols]; beta [cols] or absent ({NULL, 0}).
typedef struct vd_layer_norm_params {
  uint32_t rows;  // product of the leading dimensions (B*L)
  uint32_t cols;  // normalised width
  float eps;      // 1e-5 (CLIP, UNet transformers, InternVL projector) or 1e-6 (DINO, InternViT)
} vd_layer_norm_params;

// RMSNorm (Qwen2): y = gamma * x / sqrt(mean(x^2) + eps) over the last axis; gamma [cols].
typedef struct vd_rms_norm_params {
  uint32_t rows;  // B*L
  uint32_t cols;  // hidden width
  float eps;      // 1e-6 (Qwen2)
} vd_rms_norm_params;

// InstanceNorm2d without affine (the SGN's SFF block): per (n, c), mean and biased variance over H*W.
typedef struct vd_instance_norm_params {
  uint32_t batch;     // N
  uint32_t channels;  // C
  uint32_t height;    // H
  uint32_t width;     // W
  float eps;          // 1e-5
} vd_instance_norm_params;

vd_status vd_op_group_norm(const vd_op_env *env, const vd_group_norm_params *p, vd_view x, vd_view gamma,
                           vd_view beta, vd_view y, vd_view scratch);
vd_status vd_op_layer_norm(const vd_op_env *env, const vd_layer_norm_params *p, vd_view x, vd_view gamma,
                           vd_view beta, vd_view y, vd_view scratch);
vd_status vd_op_rms_norm(const vd_op_env *env, const vd_rms_norm_params *p, vd_view x, vd_view gamma, vd_view y,
                         vd_view scratch);
vd_status vd_op_instance_norm(const vd_op_env *env, const vd_instance_norm_params *p, vd_view x, vd_view y,
                              vd_view scratch);

// Scratch each op needs (0: none).
uint64_t vd_group_norm_scratch_bytes(const vd_group_norm_params *p);
uint64_t vd_layer_norm_scratch_bytes(const vd_layer_norm_params *p);
uint64_t vd_rms_norm_scratch_bytes(const vd_rms_norm_params *p);
uint64_t vd_instance_norm_scratch_bytes(const vd_instance_norm_params *p);

// Bytes each op moves through memory (inputs read once, outputs written once, parameters), for GB/s.
uint64_t vd_group_norm_bytes(const vd_group_norm_params *p, vd_precision precision);
uint64_t vd_layer_norm_bytes(const vd_layer_norm_params *p, vd_precision precision);
uint64_t vd_rms_norm_bytes(const vd_rms_norm_params *p, vd_precision precision);
uint64_t vd_instance_norm_bytes(const vd_instance_norm_params *p, vd_precision precision);

// The kernel variant the op records on this context for a row length, e.g. "norm_rows_sg/2-pass".
const char *vd_norm_variant(const vd_op_env *env, uint64_t row_length);

// --- Shared with op_softmax.c: the row kernel behind all of the above. ---
typedef enum vd_norm_mode {
  VD_NORM_MEAN_VAR = 0,  // (x - mean) / sqrt(var + eps)
  VD_NORM_RMS = 1,       // x / sqrt(mean(x^2) + eps)
  VD_NORM_SOFTMAX = 2,   // exp(x - max) / sum
} vd_norm_mode;

typedef struct vd_norm_rows_desc {
  const char *op;        // op name for messages
  vd_norm_mode mode;     // what is computed
  uint32_t rows;         // rows
  uint64_t n;            // elements per row
  uint32_t groups;       // grouped affine (group norm): groups per sample, else 0
  uint32_t cpg;          // grouped affine: channels per group
  uint32_t inner;        // grouped affine: elements per channel
  uint32_t affine;       // 0 none, 1 gamma, 2 gamma and beta
  bool silu;             // fused SiLU
  float eps;             // epsilon
  uint64_t param_count;  // elements of gamma and beta
} vd_norm_rows_desc;

uint64_t vd_norm_rows_scratch_bytes(uint32_t rows, uint64_t n);
vd_status vd_norm_rows_record(const vd_op_env *env, const vd_norm_rows_desc *d, vd_view x, vd_view gamma,
                              vd_view beta, vd_view y, vd_view scratch);

#endif
