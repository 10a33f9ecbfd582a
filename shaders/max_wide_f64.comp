#version 450
// Float64 variant of common/max_wide_body.glsl.
#define VD_WIDE_DF64 0
#include "max_wide_body.glsl"
