#include "models/dino_runner.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "models/dino.h"
#include "models/dump.h"
#include "models/feature_pair.h"
#include "models/net_cache.h"
#include "models/weights_gpu.h"

struct vd_dino {
  vd_context *ctx;
  vd_kernels *kernels;
  vd_dino_config config;
  const vd_weight_file *file;  // NULL: random weights
  vd_dino_options options;
  vd_weights_gpu *weights;
  vd_net_cache nets;  // recorded graphs by shape
  double last_ms;
};

static double vd_dino_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

vd_status vd_dino_create(vd_context *ctx, const vd_dino_config *config, const vd_weight_file *weights,
                         const vd_dino_options *options, vd_dino **out_dino) {
  *out_dino = NULL;
  VD_RETURN_IF_ERROR(vd_dino_config_validate(config, "dino"));
  vd_dino *m = calloc(1, sizeof(*m));
  if (!m) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "dino");
  m->ctx = ctx;
  m->config = *config;
  m->file = weights;
  m->options = options ? *options : (vd_dino_options){0};
  vd_status st = vd_kernels_create(ctx, &m->kernels);
  if (!st) st = vd_weights_gpu_create(ctx, m->options.precision, &m->weights);
  m->nets = (vd_net_cache){.ctx = ctx, .kernels = m->kernels, .weights = m->weights, .precision = m->options.precision};
  if (st) {
    vd_dino_destroy(m);
    return st;
  }
  *out_dino = m;
  return NULL;
}

void vd_dino_destroy(vd_dino *m) {
  if (!m) return;
  vd_net_cache_clear(&m->nets);
  vd_weights_gpu_destroy(m->weights);
  vd_kernels_destroy(m->kernels);
  free(m);
}

double vd_dino_last_ms(const vd_dino *m) { return m->last_ms; }

static vd_status vd_dino_build_cb(void *user, const vd_net_key *k, vd_graph *g) {
  const vd_dino *m = user;
  return vd_dino_build_graph(g, &m->config, k->n, k->h, k->w);
}

static vd_status vd_dino_load_cb(void *user, const vd_net_key *k, const vd_graph *g) {
  vd_dino *m = user;
  (void)k;
  return m->file ? vd_weights_gpu_load(m->weights, g, m->file, "")
                 : vd_weights_gpu_random(m->weights, g, m->options.random_seed ^ 0xd1e0, 0.05f);
}

static vd_status vd_dino_get_net(vd_dino *m, uint32_t n, uint32_t h, uint32_t w, vd_exec **out_exec) {
  vd_net_key key = {0, n, h, w, 0};
  return vd_net_cache_get(&m->nets, &key, vd_dino_build_cb, vd_dino_load_cb, m, out_exec);
}

vd_status vd_dino_features(vd_dino *m, uint32_t n, uint32_t h, uint32_t w, const float *image, float *features) {
  uint32_t p = (uint32_t)m->config.patch_size;
  if (!n || !h || !w || h % p || w % p)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "dino: image %ux%u (batch %u) is not a non-empty multiple of "
                          "the patch size %u", h, w, n, p);
  vd_exec *e = NULL;
  VD_RETURN_IF_ERROR(vd_dino_get_net(m, n, h, w, &e));
  VD_RETURN_IF_ERROR(vd_exec_write_f32(e, "image", image, (uint64_t)n * 3 * h * w));
  double t0 = vd_dino_now_ms();
  vd_status st = vd_exec_run(e);
  m->last_ms = vd_dino_now_ms() - t0;
  VD_RETURN_IF_ERROR(st);
  VD_RETURN_IF_ERROR(vd_dump_after_run(e, "dino"));
  return vd_exec_read_f32(e, "features", features, (uint64_t)n * m->config.embed_dim * (h / p) * (w / p));
}

vd_status vd_dino_features_pair(vd_dino *m, uint32_t n, uint32_t h, uint32_t w, const float *input, const float *recon,
                                float *input_features, float *recon_features) {
  uint32_t p = (uint32_t)m->config.patch_size;
  uint64_t per = (uint64_t)m->config.embed_dim * (h / p) * (w / p);
  float *batch = NULL, *out = NULL;
  VD_RETURN_IF_ERROR(vd_pair_batch(n, 3ull * h * w, input, recon, &batch));
  out = malloc(2ull * n * per * sizeof(float) + 4);
  vd_status st = out ? NULL : vd_status_make(VD_ERR_OUT_OF_MEMORY, "dino: pair features");
  if (!st) st = vd_dino_features(m, 2 * n, h, w, batch, out);
  if (!st) vd_pair_split(n, per, out, input_features, recon_features);
  free(out);
  free(batch);
  return st;
}
