// The tiny VLMDiff test model (tests/data/nets): its configs, and its weights regenerated natively with
// the counter-based generator tools/reference/make_net_goldens.py specifies (tests/data/nets/README.md),
// written as a safetensors file so the tests load them through the engine's real readers.
#ifndef VD_TESTS_NETS_TINY_H
#define VD_TESTS_NETS_TINY_H

#include "formats/config.h"
#include "graph/graph.h"

// Reads tests/data/nets/tiny.yaml and tiny_clip_config.json; exits the test on failure.
void vdt_tiny_configs(vd_ldm_config *ldm, vd_clip_text_config *clip);
// Writes every weight the tiny model's networks declare to `path` (NULL: a file in the build tree, written
// once per process). Returns the path.
const char *vdt_tiny_weights(const vd_ldm_config *ldm, const vd_clip_text_config *clip, const char *path);

// Writes every weight tensor the graphs declare, with the README's generated values, to path (exits on
// failure). For other tiny networks than the LDM (DINO).
void vdt_write_generated_weights(const vd_graph *const *graphs, int ng, const char *path);

// The generated float32 values of weight tensor t (graphs: where its partner weight is looked up).
void vdt_weight_values(const vd_tensor *t, const vd_graph *const *graphs, int ng, float *out);

// The generator itself (README "How the weights are generated"), for other tiny networks: FNV-1a 64 of
// a key, and element i's value v in [-1, 1) for seed = FNV1a64(key) ^ 0x564C4D4469666621.
uint64_t vdt_fnv1a(const char *s);
float vdt_uniform_pm1(uint64_t seed, uint64_t i);

#endif
