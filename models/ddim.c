// DDIM schedule (float64 then float32, as ldm's register_schedule / make_schedule) and the float32 step.
#include "models/ddim.h"

#include <math.h>
#include <stdlib.h>

vd_ddim_config vd_ddim_config_default(void) {
  return (vd_ddim_config){.train_steps = 1000,
                          .linear_start = 0.00085,
                          .linear_end = 0.012,
                          .sample_steps = 10,
                          .eta = 0.0,
                          .guidance_scale = 9.0f};
}

static vd_status vd_ddim_check_config(const vd_ddim_config *c) {
  if (c->train_steps < 2 || c->train_steps > VD_DDIM_MAX_TRAIN_STEPS)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "ddim: train_steps %d outside 2..%d", c->train_steps,
                          VD_DDIM_MAX_TRAIN_STEPS);
  if (c->sample_steps < 1 || c->sample_steps > c->train_steps || c->sample_steps > VD_DDIM_MAX_STEPS)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "ddim: sample_steps %d outside 1..%d", c->sample_steps,
                          c->train_steps < VD_DDIM_MAX_STEPS ? c->train_steps : VD_DDIM_MAX_STEPS);
  if (!(c->linear_start > 0 && c->linear_end > 0 && c->linear_start < 1 && c->linear_end < 1))
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "ddim: linear_start %g / linear_end %g must lie in (0, 1)",
                          c->linear_start, c->linear_end);
  if (c->eta != 0.0)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "ddim: eta %g unsupported (only the deterministic eta = 0)",
                          c->eta);
  return NULL;
}

// torch.linspace(start, end, n, float64): the first half counts up from start, the second down from end.
static double vd_ddim_linspace(double start, double end, int n, int i) {
  double step = (end - start) / (double)(n - 1);
  return i < n / 2 ? start + step * (double)i : end - step * (double)(n - 1 - i);
}

// make_beta_schedule("linear") and register_schedule.
static void vd_ddim_fill_train_schedule(vd_ddim_schedule *s) {
  const vd_ddim_config *c = &s->config;
  double prod = 1.0;
  for (int i = 0; i < s->train_steps; ++i) {
    double r = vd_ddim_linspace(sqrt(c->linear_start), sqrt(c->linear_end), s->train_steps, i);
    s->betas[i] = r * r;
    prod *= 1.0 - s->betas[i];
    s->alphas_cumprod[i] = prod;
    s->alphas_cumprod_f32[i] = (float)prod;
    s->sqrt_alphas_cumprod_f32[i] = (float)sqrt(prod);
    s->sqrt_one_minus_alphas_cumprod_f32[i] = (float)sqrt(1.0 - prod);
  }
}

// make_ddim_timesteps("uniform"): range(0, T, T // S) + 1; the grid has ceil(T / (T // S)) points.
static vd_status vd_ddim_fill_grid(vd_ddim_schedule *s) {
  int stride = s->train_steps / s->config.sample_steps, count = 0;
  for (int t = 0; t < s->train_steps; t += stride) {
    if (count == VD_DDIM_MAX_STEPS || t + 1 >= s->train_steps)
      return vd_status_make(VD_ERR_INVALID_ARGUMENT, "ddim: %d steps over %d give a timestep out of range",
                            s->config.sample_steps, s->train_steps);
    s->timesteps[count++] = t + 1;
  }
  s->step_count = count;
  return NULL;
}

// make_ddim_sampling_parameters (η = 0) and the float32 values p_sample_ddim derives from them.
static void vd_ddim_fill_steps(vd_ddim_schedule *s) {
  int n = s->step_count;
  for (int i = 0; i < n; ++i) {
    int index = n - 1 - i;
    vd_ddim_step *st = &s->steps[i];
    st->t = s->timesteps[index];
    st->a_t = s->alphas_cumprod_f32[st->t];
    st->a_prev = s->alphas_cumprod_f32[index > 0 ? s->timesteps[index - 1] : 0];
    st->sqrt_a_t = sqrtf(st->a_t);
    st->sqrt_one_minus_a_t = sqrtf(1.0f - st->a_t);
    st->sqrt_a_prev = sqrtf(st->a_prev);
    st->sqrt_one_minus_a_prev = sqrtf(1.0f - st->a_prev - 0.0f);
    st->coef_x = (double)st->sqrt_a_prev / (double)st->sqrt_a_t;
    st->coef_eps = (double)st->sqrt_one_minus_a_prev -
                   (double)st->sqrt_a_prev * (double)st->sqrt_one_minus_a_t / (double)st->sqrt_a_t;
  }
}

vd_status vd_ddim_schedule_create(const vd_ddim_config *config, vd_ddim_schedule **out_schedule) {
  *out_schedule = NULL;
  vd_ddim_config c = config ? *config : vd_ddim_config_default();
  VD_RETURN_IF_ERROR(vd_ddim_check_config(&c));
  vd_ddim_schedule *s = calloc(1, sizeof(*s));
  if (!s) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "ddim: out of memory");
  s->config = c;
  s->train_steps = c.train_steps;
  size_t T = (size_t)c.train_steps;
  s->betas = malloc(sizeof(double) * T);
  s->alphas_cumprod = malloc(sizeof(double) * T);
  s->alphas_cumprod_f32 = malloc(sizeof(float) * T);
  s->sqrt_alphas_cumprod_f32 = malloc(sizeof(float) * T);
  s->sqrt_one_minus_alphas_cumprod_f32 = malloc(sizeof(float) * T);
  if (!s->betas || !s->alphas_cumprod || !s->alphas_cumprod_f32 || !s->sqrt_alphas_cumprod_f32 ||
      !s->sqrt_one_minus_alphas_cumprod_f32) {
    vd_ddim_schedule_destroy(s);
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "ddim: out of memory");
  }
  vd_ddim_fill_train_schedule(s);
  vd_status st = vd_ddim_fill_grid(s);
  if (st) {
    vd_ddim_schedule_destroy(s);
    return st;
  }
  vd_ddim_fill_steps(s);
  *out_schedule = s;
  return NULL;
}

void vd_ddim_schedule_destroy(vd_ddim_schedule *schedule) {
  if (!schedule) return;
  free(schedule->betas);
  free(schedule->alphas_cumprod);
  free(schedule->alphas_cumprod_f32);
  free(schedule->sqrt_alphas_cumprod_f32);
  free(schedule->sqrt_one_minus_alphas_cumprod_f32);
  free(schedule);
}

vd_status vd_ddim_q_sample_coefs(const vd_ddim_schedule *schedule, int t, float *out_signal, float *out_noise) {
  if (t < 0 || t >= schedule->train_steps)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "ddim: q_sample timestep %d outside 0..%d", t,
                          schedule->train_steps - 1);
  *out_signal = schedule->sqrt_alphas_cumprod_f32[t];
  *out_noise = schedule->sqrt_one_minus_alphas_cumprod_f32[t];
  return NULL;
}

vd_status vd_ddim_q_sample(const vd_ddim_schedule *schedule, int t, const float *z, const float *noise, float *out,
                           size_t n) {
  float a = 0.0f, b = 0.0f;
  VD_RETURN_IF_ERROR(vd_ddim_q_sample_coefs(schedule, t, &a, &b));
  for (size_t i = 0; i < n; ++i) {
    float signal = a * z[i], scaled_noise = b * noise[i];
    out[i] = signal + scaled_noise;
  }
  return NULL;
}

void vd_ddim_guidance_combine(const float *e_uncond, const float *e_cond, float scale, float *out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    float diff = e_cond[i] - e_uncond[i];
    float scaled = scale * diff;
    out[i] = e_uncond[i] + scaled;
  }
}

void vd_ddim_step_apply(const vd_ddim_step *step, float *x, const float *e, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    float noise_part = step->sqrt_one_minus_a_t * e[i];
    float x0 = (x[i] - noise_part) / step->sqrt_a_t;
    float dir = step->sqrt_one_minus_a_prev * e[i];
    float signal = step->sqrt_a_prev * x0;
    x[i] = signal + dir;
  }
}

vd_status vd_ddim_sample_cpu(const vd_ddim_schedule *schedule, float *x, size_t n, vd_ddim_eps_fn eps, void *user) {
  if (!schedule || (!x && n) || !eps) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "ddim: invalid arguments");
  float *e = malloc(sizeof(float) * (n ? n : 1));
  if (!e) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "ddim: out of memory for %zu floats", n);
  vd_status st = NULL;
  for (int i = 0; i < schedule->step_count && !st; ++i) {
    const vd_ddim_step *step = &schedule->steps[i];
    st = eps(user, x, step->t, i, e, n);
    if (st) st = vd_status_annotate(st, "ddim step %d (t = %d)", i, (int)step->t);
    if (!st) vd_ddim_step_apply(step, x, e, n);
  }
  free(e);
  return st;
}
