// Precision macros: every shader is written once against these and compiled twice (cmake/Shaders.cmake)
// with VD_FP16=0 (fp32 storage) and VD_FP16=1 (fp16 storage). Arithmetic and every reduction stay fp32.
//   VD_T        element type in storage buffers
//   VD_LOAD(x)  storage value -> float
//   VD_STORE(x) float -> storage value
#ifndef VD_PRECISION_GLSL
#define VD_PRECISION_GLSL

#if VD_FP16
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#define VD_T float16_t
#else
#define VD_T float
#endif
#define VD_LOAD(x) float(x)
#define VD_STORE(x) VD_T(x)

#endif
