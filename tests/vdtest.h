// A minimal test harness: CHECK macros that count failures, skips that say why, and a summary line ctest
// and CI read. Exit codes (vdt_finish): 1 when any check failed; else 77 (ctest's SKIP_RETURN_CODE, set on
// every test) when any part was skipped or no check ran at all; else 0. A skip is never a pass.
#ifndef VD_TESTS_VDTEST_H
#define VD_TESTS_VDTEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/status.h"

// Shared by every file of a test executable (tests/vdtest.c).
extern int vdt_failures;
extern int vdt_checks;

#define VDT_SKIP_EXIT 77  // the exit code of a skipped test (ctest SKIP_RETURN_CODE)

#if defined(__GNUC__)
#define VDT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define VDT_PRINTF(f, a)
#endif

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

// Records that a part of the test did not run here, and why (printed now and again by vdt_finish, which
// then reports the test as skipped). Use it wherever a test leaves something out, never a bare `continue`.
void vdt_skip(const char *fmt, ...) VDT_PRINTF(1, 2);
// Number of skips recorded so far.
int vdt_skip_count(void);
// Keeps, per measure name, the largest value seen and where (its share of `bound` too); vdt_finish prints
// them, so every run shows how close each measure came to its bound.
void vdt_note(const char *measure, double value, double bound, const char *where);
// Ends main(): prints the notes, "N passed, N failed, N skipped", then "SKIPPED: reason; ..." if anything was
// skipped or nothing was checked, and returns the exit code (1 failed, 77 skipped, 0 passed).
int vdt_finish(const char *name);

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
