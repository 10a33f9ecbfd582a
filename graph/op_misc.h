// Miscellaneous ops: embedding lookup, sinusoidal timestep embedding, cosine similarity over channels,
// separable Gaussian blur (SciPy gaussian_filter semantics), argmax over the last axis, and sum / max
// reductions (over the last axis or a whole tensor) with fp32 outputs.
#ifndef VD_GRAPH_OP_MISC_H
#define VD_GRAPH_OP_MISC_H

#include <stdbool.h>
#include <stdint.h>

#include "graph/ops.h"

// y[t, :] = table[ids[t], :] for t < tokens. ids: int32 [tokens]; table [vocab, dim] and y [tokens, dim]
// in env->precision. Ids outside [0, vocab) give zero rows.
vd_status vd_op_embedding(const vd_op_env *env, uint32_t tokens, uint32_t vocab, uint32_t dim, vd_view ids,
                          vd_view table, vd_view y);

// A table stored in several buffers, consecutive row ranges (the runtime caps one buffer at the device's
// per-binding range: lavapipe's 128 MiB is below CLIP's fp32 table, 152 MB, and Qwen2's fp16 one, 272 MB).
typedef struct vd_embedding_part {
  vd_view table;  // rows [first, first + rows) of the whole table, first = sum of the earlier parts' rows
  uint32_t rows;
} vd_embedding_part;

// One dispatch per part (and per chunk of at most chunk_rows rows within it; 0: as many as one binding
// allows, rounded so chunk offsets stay aligned); the dispatches write disjoint tokens, no barriers.
vd_status vd_op_embedding_parts(const vd_op_env *env, uint32_t tokens, uint32_t dim, vd_view ids,
                                const vd_embedding_part *parts, uint32_t count, vd_view y, uint32_t chunk_rows);
uint64_t vd_op_embedding_bytes(vd_precision precision, uint32_t tokens, uint32_t dim);

// Sinusoidal timestep embedding (spec vlmdiff-pipeline §2.3.1, ldm `timestep_embedding`):
// y[s] = [cos(t_s f_0 .. t_s f_{h-1}), sin(t_s f_0 .. t_s f_{h-1})] (+ a zero column for odd dim), with
// h = dim / 2 and f_i = exp(-ln(max_period) i / h) in PyTorch's float32 arithmetic. sin_first swaps the
// halves (the diffusers flip_sin_to_cos=False order); ldm's UNet uses cos first.
typedef struct vd_timestep_params {
  uint32_t n;       // samples (timesteps)
  uint32_t dim;     // 320 for the UNet / SGN
  bool sin_first;   // false for ldm
} vd_timestep_params;

// Fills freqs[0 .. dim/2 - 1] exactly as PyTorch computes them in float32. The graph uploads the table
// once, as a constant tensor (ops never allocate).
void vd_timestep_freqs(uint32_t dim, double max_period, float *freqs);
// t: fp32 [n] read at run time (a recorded graph replays with new timesteps); freqs: fp32 [dim/2];
// y: [n, dim] in env->precision.
vd_status vd_op_timestep_embedding(const vd_op_env *env, const vd_timestep_params *p, vd_view t, vd_view freqs,
                                   vd_view y);

// Cosine similarity over channels for every pixel of two [N, C, P] tensors (P = H*W; channels_last:
// [N, P, C], e.g. DINO tokens) -> [N, P] (i.e. [N, 1, H, W]). eps as torch (1e-8): each norm is clamped
// to eps. one_minus: writes 1 - cos (the anomaly map).
typedef struct vd_cosine_params {
  uint32_t n, c, p;
  float eps;
  bool channels_last;
  bool one_minus;
} vd_cosine_params;

vd_status vd_op_cosine_similarity(const vd_op_env *env, const vd_cosine_params *p, vd_view a, vd_view b,
                                  vd_view y);
uint64_t vd_op_cosine_similarity_bytes(vd_precision precision, const vd_cosine_params *p);

// scipy.ndimage.gaussian_filter(x, sigma, truncate, mode='reflect') over the last two axes of
// [planes, H, W] (each plane independently; the anomaly map: sigma 5, truncate 4 -> radius 20).
// Two passes (H, then W) through an fp32 scratch of vd_op_gaussian_blur_scratch_bytes; y may alias x.
typedef struct vd_blur_params {
  uint32_t planes, h, w;
  float sigma;     // > 0
  float truncate;  // 4.0 in SciPy
} vd_blur_params;

uint32_t vd_blur_radius(const vd_blur_params *p);  // int(truncate * sigma + 0.5)
uint64_t vd_op_gaussian_blur_scratch_bytes(const vd_blur_params *p);
vd_status vd_op_gaussian_blur(const vd_op_env *env, const vd_blur_params *p, vd_view x, vd_view scratch, vd_view y);
uint64_t vd_op_gaussian_blur_bytes(vd_precision precision, const vd_blur_params *p);

// ids[r] = argmax_j x[r, j] (int32 output, ties to the lowest index, NaN wins), x [rows, cols].
vd_status vd_op_argmax(const vd_op_env *env, uint32_t rows, uint32_t cols, vd_view x, vd_view ids);
uint64_t vd_op_argmax_bytes(vd_precision precision, uint32_t rows, uint32_t cols);

typedef enum vd_reduce_op { VD_REDUCE_SUM = 0, VD_REDUCE_MAX = 1 } vd_reduce_op;

// all = false: y[r] = op over x[r, :] for x [rows, cols]. all = true: y[0] = op over all rows*cols
// elements (two passes through an fp32 scratch of vd_op_reduce_scratch_bytes; none needed when it fits
// one workgroup). y is fp32 whatever env->precision.
typedef struct vd_reduce_params {
  vd_reduce_op op;
  uint32_t rows, cols;
  bool all;
} vd_reduce_params;

uint64_t vd_op_reduce_scratch_bytes(const vd_reduce_params *p);
vd_status vd_op_reduce(const vd_op_env *env, const vd_reduce_params *p, vd_view x, vd_view scratch, vd_view y);
// "reduce_rows", "reduce_all" (one pass) or "reduce_all_2pass".
const char *vd_op_reduce_variant(const vd_reduce_params *p);
uint64_t vd_op_reduce_bytes(vd_precision precision, const vd_reduce_params *p);

#endif
