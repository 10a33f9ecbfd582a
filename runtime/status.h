// Errors as values: a vd_status is NULL on success, otherwise an owned error carrying a code and a
// message that names what failed. The type and accessors are public (vlmdiff.h); construction is here.
#ifndef VD_RUNTIME_STATUS_H
#define VD_RUNTIME_STATUS_H

#include <stdarg.h>

#include "vlmdiff.h"

#if defined(__GNUC__)
#define VD_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define VD_PRINTF(f, a)
#endif

// Creates an error; never returns NULL (falls back to a static out-of-memory status).
vd_status vd_status_make(vd_status_code code, const char *fmt, ...) VD_PRINTF(2, 3);
vd_status vd_status_makev(vd_status_code code, const char *fmt, va_list ap);
// Prefixes context ("loading X: " + old message). Passes NULL through. Takes ownership of st.
vd_status vd_status_annotate(vd_status st, const char *fmt, ...) VD_PRINTF(2, 3);

#define VD_RETURN_IF_ERROR(expr)       \
  do {                                 \
    vd_status vd_st_tmp_ = (expr);     \
    if (vd_st_tmp_) return vd_st_tmp_; \
  } while (0)

#endif
