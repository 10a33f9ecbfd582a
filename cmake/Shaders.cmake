# Compiles shaders/*.comp with glslc into SPIR-V, one fp32 and one fp16-storage variant each, validates every
# module with spirv-val, embeds the words as C arrays and generates a registry (name + precision -> SPIR-V).
# Shaders under shaders/coopmat/ use GL_KHR_cooperative_matrix and are built only when the compiler accepts it.
#
# Which tools: -DVLMD_GLSLC=PATH (or the environment variable VLMD_GLSLC) if given; else the project-local
# toolchain that tools/setup.sh unpacks where the system's glslc rejects GL_KHR_cooperative_matrix
# (VLMD_TOOLCHAIN_DIR, default .toolchain/); else glslc on PATH. spirv-val is looked for beside that glslc
# first (-DVLMD_SPIRV_VAL=PATH overrides).
#   -DVLMD_SPIRV_VALIDATE=AUTO|ON|OFF    AUTO (default): validate when a spirv-val that knows every built
#                                        module's extensions is found; ON: required; OFF: never
#   -DVLMD_REQUIRE_COOPMAT_SHADERS=ON    fail configuring when the cooperative-matrix shaders cannot be built

set(VLMD_TOOLCHAIN_DIR ${CMAKE_SOURCE_DIR}/.toolchain CACHE PATH "Project-local shader toolchain (tools/setup.sh)")
set(VLMD_SPIRV_VALIDATE AUTO CACHE STRING "Validate every SPIR-V module with spirv-val: AUTO, ON or OFF")
set_property(CACHE VLMD_SPIRV_VALIDATE PROPERTY STRINGS AUTO ON OFF)
option(VLMD_REQUIRE_COOPMAT_SHADERS "Fail when the cooperative-matrix shaders cannot be built" OFF)

if(NOT VLMD_GLSLC AND DEFINED ENV{VLMD_GLSLC})
  set(VLMD_GLSLC $ENV{VLMD_GLSLC} CACHE FILEPATH "glslc used to compile the compute shaders")
endif()
find_program(VLMD_GLSLC NAMES glslc PATHS ${VLMD_TOOLCHAIN_DIR}/bin NO_DEFAULT_PATH
             DOC "glslc used to compile the compute shaders")
find_program(VLMD_GLSLC NAMES glslc REQUIRED DOC "glslc used to compile the compute shaders")
get_filename_component(glslc_dir ${VLMD_GLSLC} DIRECTORY)
find_program(VLMD_SPIRV_VAL NAMES spirv-val PATHS ${glslc_dir} ${VLMD_TOOLCHAIN_DIR}/bin NO_DEFAULT_PATH
             DOC "spirv-val used to validate every embedded module")
find_program(VLMD_SPIRV_VAL NAMES spirv-val DOC "spirv-val used to validate every embedded module")
execute_process(COMMAND ${VLMD_GLSLC} --version OUTPUT_VARIABLE glslc_version ERROR_QUIET)
string(REGEX MATCH "^[^\n]*" glslc_version "${glslc_version}")
message(STATUS "glslc: ${VLMD_GLSLC} (${glslc_version})")

set(VLMD_SHADER_GEN_DIR ${CMAKE_BINARY_DIR}/shaders)
file(MAKE_DIRECTORY ${VLMD_SHADER_GEN_DIR})

# Configure-time probe: does this glslc know GL_KHR_cooperative_matrix?
set(probe_src ${VLMD_SHADER_GEN_DIR}/probe_coopmat.comp)
file(WRITE ${probe_src} "#version 450
#extension GL_KHR_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
layout(local_size_x = 32) in;
layout(std430, binding = 0) buffer B { float16_t d[]; };
void main() {
  coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseA> m;
  coopMatLoad(m, d, 0, 16, gl_CooperativeMatrixLayoutRowMajor);
  coopMatStore(m, d, 256, 16, gl_CooperativeMatrixLayoutRowMajor);
}
")
execute_process(COMMAND ${VLMD_GLSLC} --target-env=vulkan1.3 -o ${VLMD_SHADER_GEN_DIR}/probe_coopmat.spv ${probe_src}
                RESULT_VARIABLE probe_rc OUTPUT_QUIET ERROR_VARIABLE probe_err)
if(probe_rc EQUAL 0)
  set(VLMD_HAVE_COOPMAT_SHADERS ON)
  message(STATUS "glslc accepts GL_KHR_cooperative_matrix: cooperative-matrix shaders will be built")
else()
  set(VLMD_HAVE_COOPMAT_SHADERS OFF)
  message(STATUS "glslc (${VLMD_GLSLC}) rejects GL_KHR_cooperative_matrix: cooperative-matrix shaders skipped "
                 "(tools/setup.sh provides a glslc that knows it)")
  if(VLMD_REQUIRE_COOPMAT_SHADERS)
    message(FATAL_ERROR "VLMD_REQUIRE_COOPMAT_SHADERS=ON but ${VLMD_GLSLC} rejects GL_KHR_cooperative_matrix:\n"
                        "${probe_err}\nRun tools/setup.sh or pass -DVLMD_GLSLC=<a glslc from shaderc 2023.8 or newer>")
  endif()
endif()

# Validation: the spirv-val must know what the built modules use (Debian 12's predates SPV_KHR_cooperative_matrix).
set(VLMD_SPIRV_VALIDATING OFF)
if(NOT VLMD_SPIRV_VALIDATE STREQUAL "OFF")
  set(val_problem "")
  if(NOT VLMD_SPIRV_VAL)
    set(val_problem "no spirv-val found")
  elseif(VLMD_HAVE_COOPMAT_SHADERS)
    execute_process(COMMAND ${VLMD_SPIRV_VAL} --target-env vulkan1.3 ${VLMD_SHADER_GEN_DIR}/probe_coopmat.spv
                    RESULT_VARIABLE val_rc OUTPUT_QUIET ERROR_VARIABLE val_err)
    if(NOT val_rc EQUAL 0)
      set(val_problem "${VLMD_SPIRV_VAL} cannot validate cooperative-matrix modules: ${val_err}")
    endif()
  endif()
  if(val_problem STREQUAL "")
    set(VLMD_SPIRV_VALIDATING ON)
    message(STATUS "spirv-val: ${VLMD_SPIRV_VAL} validates every module")
  elseif(VLMD_SPIRV_VALIDATE STREQUAL "ON")
    message(FATAL_ERROR "VLMD_SPIRV_VALIDATE=ON: ${val_problem}")
  else()
    message(STATUS "SPIR-V modules not validated: ${val_problem}")
  endif()
endif()

file(GLOB VLMD_SHADERS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/shaders/*.comp)
set(VLMD_COOPMAT_SHADERS)
file(GLOB VLMD_COOPMAT_SHADER_FILES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/shaders/coopmat/*.comp)
set(skipped_coopmat)
foreach(src ${VLMD_COOPMAT_SHADER_FILES})
  get_filename_component(n ${src} NAME_WE)
  if(VLMD_HAVE_COOPMAT_SHADERS)
    list(APPEND VLMD_SHADERS ${src})
  else()
    list(APPEND skipped_coopmat ${n})
  endif()
endforeach()

set(VLMD_SHADER_INCS)
set(reg_arrays "")
set(reg_entries "")
foreach(src ${VLMD_SHADERS})
  get_filename_component(name ${src} NAME_WE)
  get_filename_component(dir ${src} DIRECTORY)
  if(dir MATCHES "/coopmat$")
    set(env vulkan1.3)
    set(is_coopmat 1)
  else()
    set(env vulkan1.2)
    set(is_coopmat 0)
  endif()
  foreach(variant f32 f16)
    if(variant STREQUAL "f16")
      set(fp16 1)
      set(prec VD_PRECISION_F16)
    else()
      set(fp16 0)
      set(prec VD_PRECISION_F32)
    endif()
    set(spv ${VLMD_SHADER_GEN_DIR}/${name}.${variant}.spv)
    set(out ${VLMD_SHADER_GEN_DIR}/${name}.${variant}.inc)
    set(validate_cmd)
    if(VLMD_SPIRV_VALIDATING)
      set(validate_cmd COMMAND ${VLMD_SPIRV_VAL} --target-env ${env} ${spv})
    endif()
    add_custom_command(
      OUTPUT ${out}
      COMMAND ${VLMD_GLSLC} --target-env=${env} -O -Werror -DVD_FP16=${fp16}
              -I ${CMAKE_SOURCE_DIR}/shaders/common -MD -MF ${out}.d -MT ${out} -o ${spv} ${src}
      ${validate_cmd}
      COMMAND ${CMAKE_COMMAND} -DSPV=${spv} -DINC=${out} -P ${CMAKE_SOURCE_DIR}/cmake/SpvToInc.cmake
      DEPENDS ${src} ${CMAKE_SOURCE_DIR}/cmake/SpvToInc.cmake
      DEPFILE ${out}.d
      COMMENT "glslc ${name} (${variant})"
      VERBATIM)
    list(APPEND VLMD_SHADER_INCS ${out})
    string(APPEND reg_arrays "static const uint32_t spv_${name}_${variant}[] =\n#include \"${name}.${variant}.inc\"\n;\n")
    string(APPEND reg_entries "  {\"${name}\", ${prec}, ${is_coopmat}, spv_${name}_${variant}, sizeof(spv_${name}_${variant})},\n")
  endforeach()
endforeach()

set(skipped_list "")
foreach(n ${skipped_coopmat})
  string(APPEND skipped_list "  \"${n}\",\n")
endforeach()
list(LENGTH skipped_coopmat n_skipped)
if(VLMD_HAVE_COOPMAT_SHADERS)
  set(have_cm 1)
else()
  set(have_cm 0)
endif()
if(VLMD_SPIRV_VALIDATING)
  set(validated 1)
else()
  set(validated 0)
endif()

set(reg_c ${VLMD_SHADER_GEN_DIR}/shader_registry_data.c)
file(CONFIGURE OUTPUT ${reg_c} CONTENT "// Generated by cmake/Shaders.cmake: do not edit.
#include <stddef.h>
#include <stdint.h>
#include \"runtime/shader_registry.h\"

${reg_arrays}
const vd_shader_blob vd_shader_blobs[] = {
${reg_entries}  {NULL, VD_PRECISION_F32, 0, NULL, 0},
};
const size_t vd_shader_blob_count = sizeof(vd_shader_blobs) / sizeof(vd_shader_blobs[0]) - 1;
const int vd_shader_coopmat_compiled = ${have_cm};
const int vd_shader_spirv_validated = ${validated};
const char *const vd_shader_coopmat_skipped[] = {
${skipped_list}  NULL,
};
const size_t vd_shader_coopmat_skipped_count = ${n_skipped};
")
set(VLMD_SHADER_REGISTRY_SOURCES ${reg_c} ${VLMD_SHADER_INCS})
set_source_files_properties(${reg_c} PROPERTIES OBJECT_DEPENDS "${VLMD_SHADER_INCS}")
