#include "models/resnet_runner.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "models/dump.h"
#include "models/feature_pair.h"
#include "models/net_cache.h"
#include "models/resnet.h"
#include "models/resnet_weights.h"
#include "models/weights_gpu.h"

struct vd_resnet {
  vd_context *ctx;              // device
  vd_kernels *kernels;          // pipelines
  vd_resnet_config config;      // sizes and variant
  const vd_weight_file *file;   // NULL: random weights
  vd_resnet_options options;    // precision, seed
  vd_weights_gpu *weights;      // folded weights on the device
  vd_net_cache nets;            // recorded graphs by shape
  double last_ms;               // last run
};

static double vd_resnet_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

vd_status vd_resnet_create(vd_context *ctx, const vd_resnet_config *config, const vd_weight_file *weights,
                           const vd_resnet_options *options, vd_resnet **out_resnet) {
  *out_resnet = NULL;
  VD_RETURN_IF_ERROR(vd_resnet_config_validate(config, "resnet"));
  vd_resnet *m = calloc(1, sizeof(*m));
  if (!m) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "resnet");
  m->ctx = ctx;
  m->config = *config;
  m->file = weights;
  m->options = options ? *options : (vd_resnet_options){0};
  vd_status st = vd_kernels_create(ctx, &m->kernels);
  if (!st) st = vd_weights_gpu_create(ctx, m->options.precision, &m->weights);
  m->nets = (vd_net_cache){.ctx = ctx, .kernels = m->kernels, .weights = m->weights, .precision = m->options.precision};
  if (st) {
    vd_resnet_destroy(m);
    return st;
  }
  *out_resnet = m;
  return NULL;
}

void vd_resnet_destroy(vd_resnet *m) {
  if (!m) return;
  vd_net_cache_clear(&m->nets);
  vd_weights_gpu_destroy(m->weights);
  vd_kernels_destroy(m->kernels);
  free(m);
}

double vd_resnet_last_ms(const vd_resnet *m) { return m->last_ms; }

static vd_status vd_resnet_build_cb(void *user, const vd_net_key *k, vd_graph *g) {
  const vd_resnet *m = user;
  return vd_resnet_build_graph(g, &m->config, k->n, k->h, k->w);
}

static vd_status vd_resnet_load_cb(void *user, const vd_net_key *k, const vd_graph *g) {
  vd_resnet *m = user;
  (void)k;
  return m->file ? vd_resnet_weights_load(m->weights, g, m->file, m->config.bn_eps)
                 : vd_weights_gpu_random(m->weights, g, m->options.random_seed ^ 0x7e50, 0.05f);
}

// Runs a batch of n images; level i's output goes to features[i].
static vd_status vd_resnet_run(vd_resnet *m, uint32_t n, uint32_t h, uint32_t w, const float *image,
                               float *const features[VD_RESNET_LEVELS]) {
  if (!n || !h || !w) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "resnet: empty image batch %ux%u x %u", h, w, n);
  vd_exec *e = NULL;
  vd_net_key key = {0, n, h, w, 0};
  VD_RETURN_IF_ERROR(vd_net_cache_get(&m->nets, &key, vd_resnet_build_cb, vd_resnet_load_cb, m, &e));
  VD_RETURN_IF_ERROR(vd_exec_write_f32(e, "image", image, (uint64_t)n * 3 * h * w));
  double t0 = vd_resnet_now_ms();
  vd_status st = vd_exec_run(e);
  m->last_ms = vd_resnet_now_ms() - t0;
  VD_RETURN_IF_ERROR(st);
  VD_RETURN_IF_ERROR(vd_dump_after_run(e, "resnet"));
  vd_resnet_level lv[VD_RESNET_LEVELS];
  vd_resnet_levels(&m->config, h, w, lv);
  for (int i = 0; i < VD_RESNET_LEVELS; ++i) {
    char name[16];
    snprintf(name, sizeof name, "features.%d", i);
    VD_RETURN_IF_ERROR(vd_exec_read_f32(e, name, features[i], (uint64_t)n * lv[i].c * lv[i].h * lv[i].w));
  }
  return NULL;
}

vd_status vd_resnet_features(vd_resnet *m, uint32_t n, uint32_t h, uint32_t w, const float *image,
                             float *const features[VD_RESNET_LEVELS]) {
  return vd_resnet_run(m, n, h, w, image, features);
}

vd_status vd_resnet_features_pair(vd_resnet *m, uint32_t n, uint32_t h, uint32_t w, const float *input,
                                  const float *recon, float *const input_features[VD_RESNET_LEVELS],
                                  float *const recon_features[VD_RESNET_LEVELS]) {
  vd_resnet_level lv[VD_RESNET_LEVELS];
  vd_resnet_levels(&m->config, h, w, lv);
  float *batch = NULL, *out[VD_RESNET_LEVELS] = {0};
  VD_RETURN_IF_ERROR(vd_pair_batch(n, 3ull * h * w, input, recon, &batch));
  vd_status st = NULL;
  for (int i = 0; i < VD_RESNET_LEVELS && !st; ++i)
    if (!(out[i] = malloc(2ull * n * lv[i].c * lv[i].h * lv[i].w * sizeof(float))))
      st = vd_status_make(VD_ERR_OUT_OF_MEMORY, "resnet: pair features");
  if (!st) st = vd_resnet_run(m, 2 * n, h, w, batch, out);
  for (int i = 0; i < VD_RESNET_LEVELS; ++i) {
    if (!st) vd_pair_split(n, (uint64_t)lv[i].c * lv[i].h * lv[i].w, out[i], input_features[i], recon_features[i]);
    free(out[i]);
  }
  free(batch);
  return st;
}
