#version 450
// conv2d on cooperative matrices: the body is common/conv2d_coopmat_body.glsl (shared with the
// emulated test variant shaders/conv2d_cmemu.comp).
#include "conv2d_coopmat_body.glsl"
