// The DDIM schedule and sampler arithmetic of VLMDiff, host side (spec vlmdiff-pipeline.md §1.4–§1.5, §7):
// "linear" betas that are linear in sqrt(β) (float64), ᾱ = cumprod(1 − β) in float64 and stored float32,
// q_sample coefficients from float64 square roots rounded to float32, the uniform DDIM grid with the +1
// offset (S = 10 → 901, 801, …, 1), ᾱ_prev of the last step = ᾱ[0], η = 0, and the per-step update in
// float32 exactly as p_sample_ddim evaluates it. Pure functions; the GPU applies the (A, B) form.
#ifndef VD_MODELS_DDIM_H
#define VD_MODELS_DDIM_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/status.h"

#define VD_DDIM_MAX_TRAIN_STEPS 10000  // longest training schedule accepted
#define VD_DDIM_MAX_STEPS 1000         // most sampling steps

typedef struct vd_ddim_config {
  int train_steps;        // T of the training schedule (1000)
  double linear_start;    // β_0 (0.00085)
  double linear_end;      // β_{T−1} (0.012)
  int sample_steps;       // requested DDIM steps S (10); the uniform grid may hold one or two more
  double eta;             // DDIM η; only 0 (deterministic) is supported
  float guidance_scale;   // classifier-free guidance scale (9)
} vd_ddim_config;

// One DDIM step, in sampling order. The float32 members are the values the reference uses at run time.
typedef struct vd_ddim_step {
  int32_t t;                    // timestep fed to the networks
  float a_t;                    // ᾱ_t (float32 buffer value)
  float a_prev;                 // ᾱ of the previous grid point; ᾱ[0] for the last step
  float sqrt_a_t;               // float32 sqrt(a_t)
  float sqrt_one_minus_a_t;     // float32 sqrt(1 − a_t) (1 − a_t rounded to float32 first)
  float sqrt_a_prev;            // float32 sqrt(a_prev)
  float sqrt_one_minus_a_prev;  // float32 sqrt(1 − a_prev − σ²), σ = 0
  double coef_x;                // A of x_prev = A·x_t + B·e, from the float32 values above, in float64
  double coef_eps;              // B of the same
} vd_ddim_step;

typedef struct vd_ddim_schedule {
  vd_ddim_config config;                       // what it was built from
  int train_steps;                             // T
  double *betas;                               // [T] float64
  double *alphas_cumprod;                      // [T] ᾱ in float64
  float *alphas_cumprod_f32;                   // [T] the float32 `alphas_cumprod` buffer
  float *sqrt_alphas_cumprod_f32;              // [T] float32(sqrt(ᾱ64))
  float *sqrt_one_minus_alphas_cumprod_f32;    // [T] float32(sqrt(1 − ᾱ64))
  int step_count;                              // DDIM grid size
  int32_t timesteps[VD_DDIM_MAX_STEPS];        // the grid, ascending (1, 101, …, 901)
  vd_ddim_step steps[VD_DDIM_MAX_STEPS];       // in sampling order: steps[0].t is the largest
} vd_ddim_schedule;

vd_ddim_config vd_ddim_config_default(void);  // VLMDiff: 1000, 0.00085, 0.012, 10, η 0, scale 9
vd_status vd_ddim_schedule_create(const vd_ddim_config *config, vd_ddim_schedule **out_schedule);
void vd_ddim_schedule_destroy(vd_ddim_schedule *schedule);

// q_sample coefficients at t: x_t = signal·z + noise·ε (the float32 buffers; t = 999 in VLMDiff).
vd_status vd_ddim_q_sample_coefs(const vd_ddim_schedule *schedule, int t, float *out_signal, float *out_noise);
// out = signal·z + noise·ε in float32 (out may alias z).
vd_status vd_ddim_q_sample(const vd_ddim_schedule *schedule, int t, const float *z, const float *noise, float *out,
                           size_t n);
// out = e_u + scale·(e_c − e_u) in float32 (out may alias either input).
void vd_ddim_guidance_combine(const float *e_uncond, const float *e_cond, float scale, float *out, size_t n);
// One step in place: x0 = (x − √(1−a_t)·e)/√a_t, x = √a_prev·x0 + √(1−a_prev)·e, float32 as the reference.
void vd_ddim_step_apply(const vd_ddim_step *step, float *x, const float *e, size_t n);

// Produces the (guided) ε for x at timestep t into out_eps[0..n). step is the index in sampling order.
typedef vd_status (*vd_ddim_eps_fn)(void *user, const float *x, int32_t t, int step, float *out_eps, size_t n);
// The whole deterministic sampler on the CPU: x (in: x_T, out: the final latent), n floats.
vd_status vd_ddim_sample_cpu(const vd_ddim_schedule *schedule, float *x, size_t n, vd_ddim_eps_fn eps, void *user);

#endif
