// A growable text report (for lists of missing/unexpected/mismatched keys and config notes).
#ifndef VD_FORMATS_WEIGHT_REPORT_H
#define VD_FORMATS_WEIGHT_REPORT_H

#include <stddef.h>

#include "runtime/status.h"

typedef struct vd_report {
  char *text;     // NUL-terminated, NULL until the first line
  size_t len;     // bytes used
  size_t cap;     // bytes allocated
  int lines;      // lines added
  int failed;     // set when an allocation failed (text is then incomplete)
} vd_report;

// Appends one line (a newline is added).
void vd_report_line(vd_report *report, const char *fmt, ...) VD_PRINTF(2, 3);
// The text, "" when empty.
const char *vd_report_text(const vd_report *report);
void vd_report_free(vd_report *report);

#endif
