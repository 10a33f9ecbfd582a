// DDIM schedule and sampler arithmetic against tests/data/ddim_golden.txt, written by
// tools/reference/ddim_reference.py (numpy/torch, computed the way the reference code does).
#include <stdint.h>

#include "models/ddim.h"
#include "vdtest.h"

#define GOLDEN VLMD_SOURCE_DIR "/tests/data/ddim_golden.txt"
#define MAX_ENTRIES 4096

typedef struct golden_entry {
  char name[48];  // quantity
  int index;      // timestep, step or element
  double value;   // value (float32 values are exact in double)
} golden_entry;

static golden_entry entries[MAX_ENTRIES];
static int entry_count;

static int load_golden(void) {
  FILE *f = fopen(GOLDEN, "r");
  if (!f) return 0;
  while (entry_count < MAX_ENTRIES &&
         fscanf(f, "%47s %d %lf", entries[entry_count].name, &entries[entry_count].index,
                &entries[entry_count].value) == 3)
    ++entry_count;
  fclose(f);
  return entry_count;
}

// Value of (name, index); returns 0 when absent.
static int golden(const char *name, int index, double *out) {
  for (int i = 0; i < entry_count; ++i)
    if (entries[i].index == index && strcmp(entries[i].name, name) == 0) {
      *out = entries[i].value;
      return 1;
    }
  return 0;
}

static int rel_close(double got, double want, double tol) {
  return fabs(got - want) <= tol * fabs(want) || got == want;
}

static void test_train_schedule(const vd_ddim_schedule *s) {
  int probes = 0;
  for (int i = 0; i < entry_count; ++i) {
    const golden_entry *e = &entries[i];
    int t = e->index;
    if (t < 0 || t >= s->train_steps) continue;
    if (strcmp(e->name, "beta") == 0) {
      CHECK_MSG(rel_close(s->betas[t], e->value, 1e-12), "beta[%d] %.17g vs %.17g", t, s->betas[t], e->value);
    } else if (strcmp(e->name, "alphas_cumprod64") == 0) {
      CHECK_MSG(rel_close(s->alphas_cumprod[t], e->value, 1e-12), "ac64[%d] %.17g vs %.17g", t,
                s->alphas_cumprod[t], e->value);
    } else if (strcmp(e->name, "alphas_cumprod32") == 0) {
      CHECK_MSG((double)s->alphas_cumprod_f32[t] == e->value, "ac32[%d]", t);
    } else if (strcmp(e->name, "sqrt_alphas_cumprod32") == 0) {
      CHECK_MSG((double)s->sqrt_alphas_cumprod_f32[t] == e->value, "sqrt_ac32[%d]", t);
    } else if (strcmp(e->name, "sqrt_one_minus_alphas_cumprod32") == 0) {
      CHECK_MSG((double)s->sqrt_one_minus_alphas_cumprod_f32[t] == e->value, "sqrt_1m_ac32[%d]", t);
    } else {
      continue;
    }
    ++probes;
  }
  CHECK(probes >= 5 * 20);
  // Facts stated in the spec (§1.5.2): β_0, β_999, ᾱ[0] = 1 − β_0.
  CHECK(rel_close(s->betas[0], 0.00085, 1e-12));
  CHECK(rel_close(s->betas[999], 0.012, 1e-12));
  CHECK(rel_close(s->alphas_cumprod[0], 1.0 - 0.00085, 1e-15));
}

static void test_grid(const vd_ddim_schedule *s) {
  CHECK(s->step_count == 10);
  for (int k = 0; k < 10; ++k) {
    double want;
    CHECK(golden("ddim_timestep", k, &want) && s->timesteps[k] == (int32_t)want);
    CHECK(s->timesteps[k] == 100 * k + 1);
  }
  static const int32_t order[10] = {901, 801, 701, 601, 501, 401, 301, 201, 101, 1};
  for (int i = 0; i < 10; ++i) CHECK(s->steps[i].t == order[i]);
  CHECK(s->steps[9].a_prev == s->alphas_cumprod_f32[0]);  // the last step lands on ᾱ[0], not 1
  CHECK(s->steps[0].a_prev == s->alphas_cumprod_f32[801]);
}

static void test_steps(const vd_ddim_schedule *s) {
  for (int i = 0; i < s->step_count; ++i) {
    const vd_ddim_step *st = &s->steps[i];
    double w = 0.0;
    CHECK(golden("step_t", i, &w) && st->t == (int32_t)w);
    CHECK_MSG(golden("step_a_t", i, &w) && (double)st->a_t == w, "step %d a_t", i);
    CHECK_MSG(golden("step_a_prev", i, &w) && (double)st->a_prev == w, "step %d a_prev", i);
    CHECK_MSG(golden("step_sqrt_a_t", i, &w) && (double)st->sqrt_a_t == w, "step %d sqrt a_t", i);
    CHECK_MSG(golden("step_sqrt_one_minus_a_t", i, &w) && (double)st->sqrt_one_minus_a_t == w,
              "step %d sqrt(1-a_t) %.9g vs %.9g", i, st->sqrt_one_minus_a_t, w);
    CHECK_MSG(golden("step_sqrt_a_prev", i, &w) && (double)st->sqrt_a_prev == w, "step %d sqrt a_prev", i);
    CHECK_MSG(golden("step_sqrt_one_minus_a_prev", i, &w) && (double)st->sqrt_one_minus_a_prev == w,
              "step %d sqrt(1-a_prev)", i);
    CHECK_MSG(golden("step_A", i, &w) && rel_close(st->coef_x, w, 1e-12), "step %d A %.17g vs %.17g", i,
              st->coef_x, w);
    CHECK_MSG(golden("step_B", i, &w) && rel_close(st->coef_eps, w, 1e-12), "step %d B %.17g vs %.17g", i,
              st->coef_eps, w);
  }
  // The spec's table (§1.5.3), 8 significant digits.
  CHECK(fabs(s->steps[0].a_t - 0.01400490) < 1e-8);
  CHECK(fabs(s->steps[0].a_prev - 0.03654652) < 1e-8);
  CHECK(fabs(s->steps[9].a_t - 0.99829602) < 1e-8);
  CHECK(fabs(s->steps[9].a_prev - 0.99914998) < 1e-8);
  CHECK(fabs(s->steps[0].coef_x - 1.615411) < 1e-6 && fabs(s->steps[0].coef_eps + 0.622503) < 1e-6);
  CHECK(fabs(s->steps[9].coef_x - 1.000428) < 1e-6 && fabs(s->steps[9].coef_eps + 0.012142) < 1e-6);
}

static void test_q_sample(const vd_ddim_schedule *s) {
  float a = 0, b = 0;
  CHECK_OK(vd_ddim_q_sample_coefs(s, 999, &a, &b));
  CHECK(a == 0.068264917f && b == 0.99766725f);  // spec §1.4: the float32 buffer values
  CHECK_ERR(vd_ddim_q_sample_coefs(s, 1000, &a, &b), VD_ERR_INVALID_ARGUMENT);
  CHECK_ERR(vd_ddim_q_sample_coefs(s, -1, &a, &b), VD_ERR_INVALID_ARGUMENT);
}

// The stand-in eps network of the golden run: e_u = x·c[i] + d[i], e_c = e_u·0.75 + 0.01, guidance 9.
typedef struct stand_in {
  float c[10];      // per-step scale
  float d[10][16];  // per-step offsets
  int calls;        // evaluations seen
} stand_in;

static vd_status stand_in_eps(void *user, const float *x, int32_t t, int step, float *out, size_t n) {
  stand_in *s = user;
  (void)t;
  float e_u[16], e_c[16];
  for (size_t j = 0; j < n; ++j) {
    float scaled = x[j] * s->c[step];
    e_u[j] = scaled + s->d[step][j];
    float part = e_u[j] * 0.75f;
    e_c[j] = part + 0.01f;
  }
  vd_ddim_guidance_combine(e_u, e_c, 9.0f, out, n);
  ++s->calls;
  return NULL;
}

static vd_status failing_eps(void *user, const float *x, int32_t t, int step, float *out, size_t n) {
  (void)user, (void)x, (void)out, (void)n;
  if (step == 3) return vd_status_make(VD_ERR_INTERNAL, "network failed at t = %d", (int)t);
  return NULL;
}

static void test_sampler(const vd_ddim_schedule *s) {
  float z[16], noise[16], x[16];
  stand_in net = {0};
  int ok = 1;
  double w = 0.0;
  for (int j = 0; j < 16; ++j) {
    ok &= golden("sample_z", j, &w), z[j] = (float)w;
    ok &= golden("sample_noise", j, &w), noise[j] = (float)w;
  }
  for (int i = 0; i < 10; ++i) {
    ok &= golden("sample_c", i, &w), net.c[i] = (float)w;
    for (int j = 0; j < 16; ++j) ok &= golden("sample_d", i * 16 + j, &w), net.d[i][j] = (float)w;
  }
  CHECK(ok);
  CHECK_OK(vd_ddim_q_sample(s, 999, z, noise, x, 16));
  for (int j = 0; j < 16; ++j) CHECK_MSG(golden("sample_xT", j, &w) && (double)x[j] == w, "x_T[%d]", j);
  CHECK_OK(vd_ddim_sample_cpu(s, x, 16, stand_in_eps, &net));
  CHECK(net.calls == 10);
  for (int j = 0; j < 16; ++j)
    CHECK_MSG(golden("sample_final", j, &w) && (double)x[j] == w, "final[%d] %.9g vs %.9g", j, x[j], w);
  CHECK_ERR(vd_ddim_sample_cpu(s, x, 16, failing_eps, NULL), VD_ERR_INTERNAL);
  CHECK_ERR(vd_ddim_sample_cpu(s, x, 16, NULL, NULL), VD_ERR_INVALID_ARGUMENT);
}

// The (A, B) form agrees with the two-stage float32 update to float32 rounding.
static void test_fused_form(const vd_ddim_schedule *s) {
  vdt_rng rng = {0x9e3779b97f4a7c15ULL};
  for (int i = 0; i < s->step_count; ++i) {
    float x[64], e[64];
    for (int j = 0; j < 64; ++j) x[j] = (float)vdt_uniform(&rng, -3, 3), e[j] = (float)vdt_uniform(&rng, -3, 3);
    float ref[64];
    memcpy(ref, x, sizeof(x));
    vd_ddim_step_apply(&s->steps[i], ref, e, 64);
    double worst = 0, scale = 0;
    for (int j = 0; j < 64; ++j) {
      double fused = s->steps[i].coef_x * x[j] + s->steps[i].coef_eps * e[j];
      worst = fmax(worst, fabs(fused - ref[j]));
      scale = fmax(scale, fabs(ref[j]));
    }
    CHECK_MSG(worst <= 1e-5 * scale, "step %d: fused form differs by %g", i, worst);
  }
}

static void test_configs(void) {
  vd_ddim_schedule *s = NULL;
  vd_ddim_config c = vd_ddim_config_default();
  c.eta = 0.5;
  CHECK_ERR(vd_ddim_schedule_create(&c, &s), VD_ERR_INVALID_ARGUMENT);
  c = vd_ddim_config_default();
  c.sample_steps = 0;
  CHECK_ERR(vd_ddim_schedule_create(&c, &s), VD_ERR_INVALID_ARGUMENT);
  c.sample_steps = 1000;  // grid 1..1000 would index ᾱ[1000]
  CHECK_ERR(vd_ddim_schedule_create(&c, &s), VD_ERR_INVALID_ARGUMENT);
  c = vd_ddim_config_default();
  c.linear_end = 1.5;
  CHECK_ERR(vd_ddim_schedule_create(&c, &s), VD_ERR_INVALID_ARGUMENT);
  c = vd_ddim_config_default();
  c.sample_steps = 7;  // range(0, 1000, 142) has 8 points: 1, 143, ..., 995
  CHECK_OK(vd_ddim_schedule_create(&c, &s));
  if (s) {
    CHECK(s->step_count == 8 && s->timesteps[7] == 995 && s->steps[0].t == 995 && s->steps[7].t == 1);
    vd_ddim_schedule_destroy(s);
  }
  c.sample_steps = 50;
  CHECK_OK(vd_ddim_schedule_create(&c, &s));
  if (s) {
    CHECK(s->step_count == 50 && s->steps[0].t == 981 && s->steps[49].t == 1);
    vd_ddim_schedule_destroy(s);
  }
}

int main(void) {
  CHECK_MSG(load_golden() > 400, "cannot read %s", GOLDEN);
  vd_ddim_schedule *s = NULL;
  CHECK_OK(vd_ddim_schedule_create(NULL, &s));
  if (s) {
    test_train_schedule(s);
    test_grid(s);
    test_steps(s);
    test_q_sample(s);
    test_sampler(s);
    test_fused_form(s);
    vd_ddim_schedule_destroy(s);
  }
  test_configs();
  return vdt_finish("test_ddim");
}
