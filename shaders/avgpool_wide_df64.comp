#version 450
// Double-float variant of common/avgpool_wide_body.glsl.
#define VD_WIDE_DF64 1
#include "avgpool_wide_body.glsl"
