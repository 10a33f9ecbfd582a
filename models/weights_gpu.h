// Weights on the device: the tensors a graph declares, loaded from a weight file through the weight store
// (every missing key and shape mismatch reported at once), converted to the run's precision, packed into
// a few device buffers and uploaded once. Graph executors bind them by name through vd_weights_gpu_resolve;
// one set serves every graph that names the same weights (UNet and guidance network, all DDIM steps).
#ifndef VD_MODELS_WEIGHTS_GPU_H
#define VD_MODELS_WEIGHTS_GPU_H

#include "formats/weight_file.h"
#include "graph/exec.h"

typedef struct vd_weights_gpu vd_weights_gpu;

vd_status vd_weights_gpu_create(vd_context *ctx, vd_precision precision, vd_weights_gpu **out_weights);
void vd_weights_gpu_destroy(vd_weights_gpu *w);
// Loads and uploads every weight tensor of `g` whose name starts with `prefix` (the checkpoint's key
// prefix, e.g. "first_stage_model."), from `file`. Tensors already loaded are skipped. Missing or
// mismatched tensors fail the call with one message listing them all.
vd_status vd_weights_gpu_load(vd_weights_gpu *w, const vd_graph *g, const vd_weight_file *file, const char *prefix);
// Produces the float32 values of weight tensor t (t->bytes / element size of them) into out.
typedef vd_status (*vd_weights_fill_fn)(void *user, const vd_tensor *t, float *out);
// Uploads every weight tensor of g not loaded yet with the values fill produces, converted to the run's
// precision (an fp16 overflow is an error naming the tensor): for weights the engine derives from the
// file's (ResNet's convs with their BatchNorm folded in).
vd_status vd_weights_gpu_fill(vd_weights_gpu *w, const vd_graph *g, vd_weights_fill_fn fill, void *user);
// Random weights (uniform in [-scale, scale]) for every weight tensor of g not loaded yet: for speed runs
// of the full architecture without a checkpoint.
vd_status vd_weights_gpu_random(vd_weights_gpu *w, const vd_graph *g, uint64_t seed, float scale);
// vd_resolve_fn for executors: user is the vd_weights_gpu. Inputs are left to the executor.
vd_status vd_weights_gpu_resolve(void *user, const vd_tensor *tensor, vd_view *out_view);
uint64_t vd_weights_gpu_bytes(const vd_weights_gpu *w);
uint32_t vd_weights_gpu_count(const vd_weights_gpu *w);

#endif
