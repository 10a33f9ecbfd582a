#version 450
// Float64 variant of common/avgpool_wide_body.glsl.
#define VD_WIDE_DF64 0
#include "avgpool_wide_body.glsl"
