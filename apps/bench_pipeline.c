// vlmdiff bench --net pipeline: the full VLMDiff architecture (published config, random weights) on one
// image: VAE encode, DDIM sampling with the UNet + guidance network, VAE decode. A speed run only: the
// weights are random, so the reconstruction means nothing.
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apps/bench.h"
#include "models/dino_runner.h"
#include "models/ldm.h"

static double vd_ms_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static void vd_progress(void *user, int step, int steps) {
  const char *label = user;
  fprintf(stderr, "\r  %s: step %d/%d", label, step, steps);
  if (step == steps) fputc('\n', stderr);
  fflush(stderr);
}

static void vd_fill_random(float *v, size_t n, uint64_t seed, float lo, float hi) {
  for (size_t i = 0; i < n; ++i) {
    seed ^= seed >> 12, seed ^= seed << 25, seed ^= seed >> 27;
    v[i] = lo + (hi - lo) * (float)((double)((seed * 2685821657736338717ull) >> 11) / 9007199254740992.0);
  }
}

static vd_status vd_write_pipeline_json(const char *path, const vd_context *ctx, vd_precision p,
                                        const vd_pipeline_args *a, const vd_ldm_timing *t, double total_ms) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "device", vd_context_device_name(ctx));
  cJSON_AddStringToObject(o, "precision", vd_precision_name(p));
  cJSON_AddStringToObject(o, "weights", "random (speed run)");
  cJSON_AddNumberToObject(o, "image_size", a->size);
  cJSON_AddNumberToObject(o, "ddim_steps", a->steps);
  cJSON_AddNumberToObject(o, "eps_batch", a->both_branches ? 2 : 1);
  cJSON_AddNumberToObject(o, "images_timed", a->images);
  cJSON_AddNumberToObject(o, "vae_encode_ms", t->vae_encode_ms);
  cJSON_AddNumberToObject(o, "eps_ms", t->eps_ms);
  cJSON_AddNumberToObject(o, "sampler_ms", t->sampler_ms);
  cJSON_AddNumberToObject(o, "vae_decode_ms", t->vae_decode_ms);
  cJSON_AddNumberToObject(o, "total_per_image_ms", total_ms);
  cJSON_AddNumberToObject(o, "images_per_s", total_ms > 0 ? 1000.0 / total_ms : 0);
  char *text = cJSON_Print(o);
  cJSON_Delete(o);
  if (!text) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "bench JSON");
  char tmp[4200];
  snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
  FILE *f = fopen(tmp, "w");
  bool ok = f && fputs(text, f) >= 0;
  if (f) ok = (fclose(f) == 0) && ok;
  free(text);
  if (ok && rename(tmp, path) == 0) return NULL;
  remove(tmp);
  return vd_status_make(VD_ERR_IO, "cannot write %s", path);
}

vd_status vd_bench_pipeline(vd_context *ctx, vd_precision precision, const vd_pipeline_args *a, const char *json) {
  vd_ldm_config cfg;
  vd_ldm_config_default(&cfg);
  if (a->plan) {  // memory plan only: nothing is allocated or run
    VD_RETURN_IF_ERROR(vd_ldm_plan_report(ctx, &cfg, precision, a->size, a->size, a->both_branches ? 2 : 1, stdout));
    vd_dino_config dino;  // runs on the input and on the reconstruction: batch 1 twice, or both at once
    vd_dino_config_default(&dino);
    VD_RETURN_IF_ERROR(vd_dino_plan_report(ctx, &dino, precision, a->size, a->size, 1, stdout));
    return vd_dino_plan_report(ctx, &dino, precision, a->size, a->size, 2, stdout);
  }
  vd_ldm_options o = {.precision = precision, .ddim_steps = a->steps, .both_branches = a->both_branches,
                      .random_seed = 7};
  vd_ldm *m = NULL;
  fprintf(stderr, "bench pipeline on %s, %s, %ux%u, %d DDIM steps, %s guidance: building and uploading random "
                  "weights...\n",
          vd_context_device_name(ctx), vd_precision_name(precision), a->size, a->size, a->steps,
          a->both_branches ? "two-branch" : "collapsed (identical contexts)");
  VD_RETURN_IF_ERROR(vd_ldm_create(ctx, &cfg, NULL, NULL, &o, &m));
  uint32_t lat = a->size / 8;
  size_t ni = 3ull * a->size * a->size, nz = 4ull * lat * lat, nc = 77ull * 768;
  float *image = malloc(ni * 4), *samples = malloc(ni * 4), *noise = malloc(nz * 4), *pnoise = malloc(nz * 4);
  float *latent = malloc(nz * 4), *context = malloc(nc * 4);
  vd_status st = image && samples && noise && pnoise && latent && context
                     ? NULL
                     : vd_status_make(VD_ERR_OUT_OF_MEMORY, "bench inputs");
  if (!st) {
    vd_fill_random(image, ni, 1, -2.0f, 2.5f);
    vd_fill_random(noise, nz, 2, -2.0f, 2.0f);
    vd_fill_random(pnoise, nz, 3, -2.0f, 2.0f);
    vd_fill_random(context, nc, 4, -1.0f, 1.0f);
  }
  vd_ldm_timing sum = {0};
  double total = 0;
  for (int i = 0; !st && i <= a->images; ++i) {  // image 0 is the warm-up (pipeline creation, weight upload)
    char label[48];
    snprintf(label, sizeof(label), i ? "image %d/%d" : "warm-up", i, a->images);
    vd_reconstruct_io io = {.h = a->size, .w = a->size, .image = image, .noise = noise, .posterior_noise = pnoise,
                            .context = context, .uncond_context = context, .ctx_len = 77, .latent = latent,
                            .samples = samples, .progress = vd_progress, .progress_user = label};
    double t0 = vd_ms_now();
    st = vd_ldm_reconstruct(m, &io);
    double ms = vd_ms_now() - t0;
    if (st || i == 0) continue;
    vd_ldm_timing t = vd_ldm_last_timing(m);
    sum.vae_encode_ms += t.vae_encode_ms, sum.eps_ms += t.eps_ms, sum.sampler_ms += t.sampler_ms;
    sum.vae_decode_ms += t.vae_decode_ms, total += ms;
  }
  if (!st && a->images > 0) {
    double k = 1.0 / a->images;
    sum.vae_encode_ms *= k, sum.eps_ms *= k, sum.sampler_ms *= k, sum.vae_decode_ms *= k, total *= k;
    printf("pipeline (random weights, speed only): %s, %s, %ux%u, %d steps, eps batch %d\n",
           vd_context_device_name(ctx), vd_precision_name(precision), a->size, a->size, a->steps,
           a->both_branches ? 2 : 1);
    printf("  vae_encode %10.2f ms\n  eps        %10.2f ms (one evaluation)\n  sampler    %10.2f ms (all steps)\n"
           "  vae_decode %10.2f ms\n  total      %10.2f ms per image, %.2f images/s (wall time incl. host work)\n",
           sum.vae_encode_ms, sum.eps_ms, sum.sampler_ms, sum.vae_decode_ms, total, 1000.0 / total);
    if (json) st = vd_write_pipeline_json(json, ctx, precision, a, &sum, total);
  }
  free(image), free(samples), free(noise), free(pnoise), free(latent), free(context);
  vd_ldm_destroy(m);
  return st;
}
