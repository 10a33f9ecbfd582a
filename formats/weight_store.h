// Host-side weights of one network: the tensors under a key prefix of a weight file, checked against
// the list of (name, shape) the network expects and converted to the precision of the run. Loading
// reports every missing key, unexpected key and shape mismatch at once, and refuses to produce a store
// when anything expected is missing or mismatched. GPU upload builds on the plain (data, bytes) here.
#ifndef VD_FORMATS_WEIGHT_STORE_H
#define VD_FORMATS_WEIGHT_STORE_H

#include <stddef.h>

#include "formats/weight_file.h"

typedef struct vd_weight_spec {
  const char *name;                   // key without the network prefix, e.g. "encoder.conv_in.weight"
  int rank;                           // expected rank
  int64_t shape[VD_WEIGHT_MAX_RANK];  // expected extents
} vd_weight_spec;

typedef struct vd_host_tensor {
  const char *name;                   // key without the prefix (the spec's string)
  vd_weight_dtype dtype;              // F32/F16 for floats (the run precision), integers as stored
  int rank;                           // dimensions
  int64_t shape[VD_WEIGHT_MAX_RANK];  // extents
  const void *data;                   // dense row-major elements, owned by the store
  size_t bytes;                       // size of data
} vd_host_tensor;

typedef struct vd_weight_store vd_weight_store;

// Loads the `count` expected tensors named prefix + spec.name from file, converting floats to precision
// (VD_WEIGHT_F32 or VD_WEIGHT_F16). Tensors under prefix that no spec names are "unexpected": listed in
// vd_weight_store_notes, not an error. Any missing or mismatched tensor fails the whole load with one
// message listing all problems.
vd_status vd_weight_store_load(const vd_weight_file *file, const char *prefix, const vd_weight_spec *expected,
                               size_t count, vd_weight_dtype precision, vd_weight_store **out_store);
void vd_weight_store_destroy(vd_weight_store *store);

size_t vd_weight_store_count(const vd_weight_store *store);
// Tensors in spec order.
const vd_host_tensor *vd_weight_store_tensor(const vd_weight_store *store, size_t index);
// By name without prefix; NULL when absent.
const vd_host_tensor *vd_weight_store_find(const vd_weight_store *store, const char *name);
// Notes from loading (unexpected keys), "" when none.
const char *vd_weight_store_notes(const vd_weight_store *store);
// Total bytes of host data.
size_t vd_weight_store_bytes(const vd_weight_store *store);

#endif
