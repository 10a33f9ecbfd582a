// Flat invocation index for 1-D work dispatched as a 2-D grid (the host splits large counts over y so
// no dimension exceeds maxComputeWorkGroupCount). Macros, not functions: gl_WorkGroupSize must be read
// after the shader's local-size declaration, or glslang folds it to 1.
#ifndef VD_INDEX_GLSL
#define VD_INDEX_GLSL

#define vd_flat_group() (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x)
#define vd_flat_index() (vd_flat_group() * gl_WorkGroupSize.x + gl_LocalInvocationID.x)

#endif
