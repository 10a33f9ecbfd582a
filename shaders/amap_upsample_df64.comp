#version 450
// Double-float variant of common/amap_upsample_body.glsl.
#define VD_WIDE_DF64 1
#include "amap_upsample_body.glsl"
