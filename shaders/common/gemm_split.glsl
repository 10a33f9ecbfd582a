// Split-K in the GEMM kernels (graph/op_gemm.h), shared by the portable and cooperative-matrix
// matmul and conv2d. Workgroup z = slice · nbatch + batch (nbatch, kslice: push constants); the
// slice accumulates K elements [slice · kslice, min(K, (slice + 1) · kslice)). Unsplit dispatches
// have kslice = K, so z is the batch. With SPLIT the kernel stores its fp32 partial tile, without
// bias or residual, into part[z][m][n] = part[slice][batch][m][n] (binding 5, dense [S, batch, M, N]);
// gemm_splitk_reduce.comp sums the slices. Without SPLIT the host binds the output here (never written).
#ifndef VD_GEMM_SPLIT_GLSL
#define VD_GEMM_SPLIT_GLSL

layout(constant_id = 12) const bool SPLIT = false;  // store fp32 partials of a K slice

layout(std430, binding = 5) writeonly buffer Part { float part_data[]; };

uint vd_split_batch(uint nbatch) { return gl_WorkGroupID.z % nbatch; }
uint vd_split_k_begin(uint nbatch, uint kslice) { return (gl_WorkGroupID.z / nbatch) * kslice; }
uint vd_split_k_end(uint nbatch, uint kslice, uint K) { return min(K, vd_split_k_begin(nbatch, kslice) + kslice); }
void vd_split_store(uint M, uint N, uint gm, uint gn, float v) { part_data[(gl_WorkGroupID.z * M + gm) * N + gn] = v; }

#endif
