// The harness itself: its measures catch what they exist for (the small entries of a 151,936-way
// softmax that max rel cannot see, NaN outputs, the bulk error NMSE measures) and leave out what "tiny"
// says; and a test that skips, or checks nothing, exits 77, a failure 1 even when something skipped
// (the executable runs itself with a mode argument to see its exit codes).
#include <math.h>
#include <sys/wait.h>

#include "tests/vdtest.h"
#include "tests/vdtest_close.h"

#define VOCAB 151936

// A softmax over a vocabulary with logits spread over 40 nats (entries down to e^-40 of the largest).
static void wide_softmax(double *p, vdt_rng *rng) {
  double sum = 0;
  for (size_t i = 0; i < VOCAB; ++i) sum += p[i] = exp(vdt_uniform(rng, -10, 30) - 30);
  for (size_t i = 0; i < VOCAB; ++i) p[i] /= sum;
}

// Entries under 1e-6 of the largest wrong by a factor 2: invisible to max rel, caught element by element.
static void test_small_entries(void) {
  vdt_rng rng = {0x5eed1234ull};
  double *want = malloc(VOCAB * sizeof(double)), scale = 0;
  float *got = malloc(VOCAB * sizeof(float));
  wide_softmax(want, &rng);
  for (size_t i = 0; i < VOCAB; ++i) scale = fmax(scale, want[i]);
  size_t wrong = 0;
  for (size_t i = 0; i < VOCAB; ++i) {
    bool small = want[i] < 1e-6 * scale;
    got[i] = (float)(small ? 2 * want[i] : want[i]);
    wrong += small;
  }
  vdt_diff d = vdt_diff_of(got, want, VOCAB, vdt_softmax_bounds(VD_PRECISION_F32, 1e-5));
  CHECK_MSG(wrong > 10000, "only %zu small entries", wrong);
  CHECK_MSG(d.max_rel < 1e-5, "max rel %g should not see the small entries", d.max_rel);
  CHECK_MSG(d.elem_rel > 0.99 && want[d.worst_elem] < 1e-6 * scale, "element rel %g at [%zu]", d.elem_rel,
            d.worst_elem);
  // The op bounds leave elements under 1% of the largest to max rel: the same error passes there.
  vdt_diff op = vdt_diff_of(got, want, VOCAB, vdt_op_bounds(VD_PRECISION_F32, 1e-5));
  CHECK_MSG(op.elem_rel < 1e-6 && op.counted < VOCAB - wrong, "op bounds: element rel %g over %zu", op.elem_rel,
            op.counted);
  free(want), free(got);
}

// Known values: one element off by 10% of itself, a NaN, the floor, a zero reference.
static void test_measures(void) {
  double want[4] = {4, -2, 1e-5, 0};
  float got[4] = {4, -2.2f, 1e-5f, 0};
  vdt_bounds b = vdt_op_bounds(VD_PRECISION_F32, 1e-5);
  vdt_diff d = vdt_diff_of(got, want, 4, b);
  double e = fabs((double)-2.2f + 2);
  CHECK(fabs(d.max_rel - e / 4) < 1e-12 && fabs(d.elem_rel - e / 2) < 1e-12 && d.worst_elem == 1);
  CHECK(fabs(d.nmse - e * e / (16 + 4 + 1e-10)) < 1e-12 && d.counted == 2);  // 1e-5 and 0 are tiny
  double small[2] = {1e-2, 5e-5};  // 5e-5 is above every fraction of the scale, but under fp16's floor
  float small_got[2] = {1e-2f, 5e-5f};
  CHECK(vdt_diff_of(small_got, small, 2, vdt_softmax_bounds(VD_PRECISION_F32, 1e-5)).counted == 2);
  CHECK(vdt_diff_of(small_got, small, 2, vdt_softmax_bounds(VD_PRECISION_F16, 1e-2)).counted == 1);
  got[2] = NAN;
  d = vdt_diff_of(got, want, 4, b);
  CHECK(isinf(d.max_rel) && isinf(d.nmse) && d.worst_abs == 2);
  CHECK(vdt_op_bounds(VD_PRECISION_F16, 0).elem_rel == 0 && vdt_op_bounds(VD_PRECISION_F16, 0).nmse == 0);
}

// The bulk: every element 1e-4 off passes max rel 1e-3 but not an NMSE bound of 1e-9.
static void test_nmse(void) {
  enum { N = 1000 };
  double want[N];
  float got[N];
  vdt_rng rng = {77};
  for (int i = 0; i < N; ++i) want[i] = vdt_uniform(&rng, 1, 2), got[i] = (float)(want[i] * (1 + 1e-4));
  vdt_diff d = vdt_diff_of(got, want, N, vdt_op_bounds(VD_PRECISION_F32, 1e-3));
  CHECK_MSG(d.max_rel < 1e-3 && d.nmse > 0.9e-8 && d.nmse < 1.1e-8, "max rel %g, NMSE %g", d.max_rel, d.nmse);
}

// What `argv[0] mode` exits with.
static int exit_code_of(const char *self, const char *mode) {
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "'%s' %s >/dev/null 2>&1", self, mode);
  int st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int run_mode(const char *mode) {
  bool skip = strcmp(mode, "skip") == 0, fail = strcmp(mode, "fail_and_skip") == 0;
  if (skip || fail || strcmp(mode, "pass") == 0) CHECK(!fail);
  if (skip || fail) vdt_skip("a part that cannot run here");
  return vdt_finish(mode);  // "nothing": no check at all
}

int main(int argc, char **argv) {
  if (argc > 1) return run_mode(argv[1]);
  test_small_entries();
  test_measures();
  test_nmse();
  CHECK(exit_code_of(argv[0], "pass") == 0);
  CHECK(exit_code_of(argv[0], "skip") == 77);
  CHECK(exit_code_of(argv[0], "nothing") == 77);
  CHECK(exit_code_of(argv[0], "fail_and_skip") == 1);
  return vdt_finish("test_vdtest");
}
