#include "formats/config_fields.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const vd_cfg_field *vd_cfg_find(const vd_cfg_field *fields, size_t count, const char *key) {
  for (size_t i = 0; i < count; ++i)
    if (strcmp(fields[i].key, key) == 0) return &fields[i];
  return NULL;
}

bool vd_cfg_parse_int(const char *text, int *out) {
  char *end = NULL;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (!text[0] || *end || errno || v < INT_MIN || v > INT_MAX) return false;
  *out = (int)v;
  return true;
}

bool vd_cfg_parse_float(const char *text, float *out) {
  char *end = NULL;
  errno = 0;
  double v = strtod(text, &end);
  if (!text[0] || *end || errno || !isfinite(v) || fabs(v) > 3.0e38) return false;
  *out = (float)v;
  return true;
}

bool vd_cfg_parse_double(const char *text, double *out) {
  char *end = NULL;
  errno = 0;
  double v = strtod(text, &end);
  if (!text[0] || *end || errno || !isfinite(v)) return false;
  *out = v;
  return true;
}

bool vd_cfg_parse_bool(const char *text, bool *out) {
  static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "on", "On"};
  static const char *const no[] = {"false", "False", "FALSE", "no", "No", "off", "Off"};
  for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); ++i) {
    if (strcmp(text, yes[i]) == 0) return *out = true, true;
    if (strcmp(text, no[i]) == 0) return *out = false, true;
  }
  return false;
}
