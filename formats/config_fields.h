// Table-driven config reading shared by the YAML and JSON readers: each known key has a type and a
// place in a struct; keys marked IGNORE are known to carry nothing the engine uses.
#ifndef VD_FORMATS_CONFIG_FIELDS_H
#define VD_FORMATS_CONFIG_FIELDS_H

#include <stddef.h>

#include "formats/config.h"

typedef enum vd_cfg_type {
  VD_CFG_INT = 0,    // int
  VD_CFG_FLOAT,      // float
  VD_CFG_DOUBLE,     // double (kept exact: BatchNorm's eps as Python's 1e-5)
  VD_CFG_BOOL,       // bool
  VD_CFG_INT_LIST,   // vd_int_list
  VD_CFG_STRING,     // char[32]
  VD_CFG_IGNORE,     // known key, value not read
} vd_cfg_type;

typedef struct vd_cfg_field {
  const char *key;    // key in the file
  vd_cfg_type type;   // expected value type
  size_t offset;      // offsetof the destination in the config struct
} vd_cfg_field;

#define VD_CFG_STRING_CAP 32

// The field named key, or NULL.
const vd_cfg_field *vd_cfg_find(const vd_cfg_field *fields, size_t count, const char *key);
// Parses a plain decimal integer / finite float / YAML-JSON boolean word; false on anything else.
bool vd_cfg_parse_int(const char *text, int *out);
bool vd_cfg_parse_float(const char *text, float *out);
bool vd_cfg_parse_double(const char *text, double *out);
bool vd_cfg_parse_bool(const char *text, bool *out);

#endif
