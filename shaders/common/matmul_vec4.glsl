// VD_T4: the 4-vector of the storage type, for the GEMM kernels' vectorised reads (a buffer declared a
// second time at the same binding as VD_T4[]; the host only enables such reads on aligned data).
#ifndef VD_MATMUL_VEC4_GLSL
#define VD_MATMUL_VEC4_GLSL

#include "precision.glsl"

#if VD_FP16
#define VD_T4 f16vec4
#else
#define VD_T4 vec4
#endif

#endif
