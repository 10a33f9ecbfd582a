// A minimal test harness: CHECK macros that count failures, and a summary line ctest and CI read.
#ifndef VD_TESTS_VDTEST_H
#define VD_TESTS_VDTEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/status.h"

static int vdt_failures = 0;
static int vdt_checks = 0;

#define CHECK(cond)                                                               \
  do {                                                                            \
    ++vdt_checks;                                                                 \
    if (!(cond)) {                                                                \
      ++vdt_failures;                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);    \
    }                                                                             \
  } while (0)

#define CHECK_MSG(cond, ...)                                                      \
  do {                                                                            \
    ++vdt_checks;                                                                 \
    if (!(cond)) {                                                                \
      ++vdt_failures;                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);    \
      fprintf(stderr, __VA_ARGS__);                                               \
      fputc('\n', stderr);                                                        \
    }                                                                             \
  } while (0)

// Checks that a status is OK; prints and frees it otherwise.
#define CHECK_OK(expr)                                                                     \
  do {                                                                                     \
    vd_status vdt_st_ = (expr);                                                            \
    ++vdt_checks;                                                                          \
    if (vdt_st_) {                                                                         \
      ++vdt_failures;                                                                      \
      fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #expr,                 \
              vd_status_message(vdt_st_));                                                 \
      vd_status_free(vdt_st_);                                                             \
    }                                                                                      \
  } while (0)

// Checks that a status is an error of the given code; frees it.
#define CHECK_ERR(expr, code)                                                              \
  do {                                                                                     \
    vd_status vdt_st_ = (expr);                                                            \
    ++vdt_checks;                                                                          \
    if (vd_status_code_of(vdt_st_) != (code)) {                                            \
      ++vdt_failures;                                                                      \
      fprintf(stderr, "%s:%d: %s: expected %s, got %s (%s)\n", __FILE__, __LINE__, #expr,  \
              vd_status_code_name(code), vd_status_code_name(vd_status_code_of(vdt_st_)),  \
              vd_status_message(vdt_st_));                                                 \
    }                                                                                      \
    vd_status_free(vdt_st_);                                                               \
  } while (0)

// Ends main(): prints "N passed, N failed" and returns the exit code.
static inline int vdt_finish(const char *name) {
  printf("%s: %d passed, %d failed\n", name, vdt_checks - vdt_failures, vdt_failures);
  return vdt_failures ? 1 : 0;
}

// Deterministic random numbers (xorshift64*), uniform in [lo, hi).
typedef struct vdt_rng {
  unsigned long long s;
} vdt_rng;

static inline double vdt_uniform(vdt_rng *r, double lo, double hi) {
  r->s ^= r->s >> 12;
  r->s ^= r->s << 25;
  r->s ^= r->s >> 27;
  unsigned long long x = r->s * 2685821657736338717ULL;
  return lo + (hi - lo) * (double)(x >> 11) * (1.0 / 9007199254740992.0);
}

#endif
