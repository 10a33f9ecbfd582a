#version 450
// Float64 variant of common/amap_upsample_body.glsl.
#define VD_WIDE_DF64 0
#include "amap_upsample_body.glsl"
