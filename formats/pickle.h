// A non-executing interpreter for the pickle subset torch.save emits (protocol 2; the framing and
// memo opcodes of protocols 4/5 too). It builds plain values — None, bools, ints, floats, strings,
// bytes, tuples, lists, dicts — plus storages (from persistent ids) and tensors (from the torch rebuild
// helpers). It calls nothing: the only globals it accepts are collections.OrderedDict, the torch tensor
// and parameter rebuild helpers and the torch storage types; any other global is an error naming it.
// Memory, stack depth and memo size are bounded by the input size and fixed limits.
#ifndef VD_FORMATS_PICKLE_H
#define VD_FORMATS_PICKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/weight_tensor.h"

#define VD_PICKLE_MAX_STACK (1u << 20)       // values on the stack (and marks)
#define VD_PICKLE_MAX_MEMO (1u << 22)        // highest memo index
#define VD_PICKLE_MAX_BYTES (1ull << 30)     // values + arrays allocated, also <= 256 x input + 1 MiB
#define VD_PICKLE_MAX_GLOBAL_NAME 256        // bytes of a GLOBAL module or name

typedef enum vd_pickle_kind {
  VD_PICKLE_NONE = 0,
  VD_PICKLE_BOOL,
  VD_PICKLE_INT,
  VD_PICKLE_FLOAT,
  VD_PICKLE_STRING,
  VD_PICKLE_BYTES,
  VD_PICKLE_TUPLE,
  VD_PICKLE_LIST,
  VD_PICKLE_DICT,
  VD_PICKLE_GLOBAL,   // an allowed callable (see vd_pickle_global)
  VD_PICKLE_STORAGE,  // a storage named by a persistent id
  VD_PICKLE_TENSOR,   // a tensor view of a storage
  VD_PICKLE_MARK,     // internal: never visible in a result
} vd_pickle_kind;

typedef enum vd_pickle_global {
  VD_PICKLE_GLOBAL_ORDERED_DICT = 0,     // collections.OrderedDict
  VD_PICKLE_GLOBAL_REBUILD_TENSOR,       // torch._utils._rebuild_tensor
  VD_PICKLE_GLOBAL_REBUILD_TENSOR_V2,    // torch._utils._rebuild_tensor_v2
  VD_PICKLE_GLOBAL_REBUILD_PARAMETER,    // torch._utils._rebuild_parameter
  VD_PICKLE_GLOBAL_REBUILD_PARAMETER_WITH_STATE,  // torch._utils._rebuild_parameter_with_state
  VD_PICKLE_GLOBAL_STORAGE_TYPE,         // torch.FloatStorage and friends
} vd_pickle_global;

typedef struct vd_pickle_value vd_pickle_value;

typedef struct vd_pickle_seq {
  vd_pickle_value **items;  // elements (shared: a memoised value may appear several times)
  size_t count;             // used
  size_t cap;               // allocated
} vd_pickle_seq;

typedef struct vd_pickle_dict {
  vd_pickle_value **keys;    // keys in insertion order
  vd_pickle_value **values;  // values, same order
  size_t count;              // used
  size_t cap;                // allocated
} vd_pickle_dict;

typedef struct vd_pickle_storage {
  vd_weight_dtype dtype;  // element type from the storage class
  const char *key;        // archive key: the data lives in ARCHIVE/data/KEY
  uint64_t numel;         // elements the persistent id announces
} vd_pickle_storage;

typedef struct vd_pickle_tensor_view {
  const vd_pickle_value *storage;       // a VD_PICKLE_STORAGE value
  uint64_t offset;                      // storage offset in elements
  int rank;                             // dimensions
  int64_t shape[VD_WEIGHT_MAX_RANK];    // sizes
  int64_t stride[VD_WEIGHT_MAX_RANK];   // strides in elements
} vd_pickle_tensor_view;

struct vd_pickle_value {
  vd_pickle_kind kind;            // which member of the union is valid
  vd_pickle_value *next_alloc;    // chain of every value of a run, for freeing
  union {
    bool boolean;                 // VD_PICKLE_BOOL
    int64_t integer;              // VD_PICKLE_INT
    double real;                  // VD_PICKLE_FLOAT
    struct {
      char *data;                 // NUL-terminated copy
      size_t len;                 // bytes without the NUL
    } str;                        // VD_PICKLE_STRING, VD_PICKLE_BYTES
    vd_pickle_seq seq;            // VD_PICKLE_TUPLE, VD_PICKLE_LIST
    vd_pickle_dict dict;          // VD_PICKLE_DICT
    struct {
      vd_pickle_global which;     // the callable
      vd_weight_dtype dtype;      // for VD_PICKLE_GLOBAL_STORAGE_TYPE
    } global;                     // VD_PICKLE_GLOBAL
    vd_pickle_storage storage;    // VD_PICKLE_STORAGE
    vd_pickle_tensor_view tensor; // VD_PICKLE_TENSOR
  } u;
};

typedef struct vd_pickle vd_pickle;

// Runs the pickle in data[0, size); label names it in errors (e.g. "model.ckpt: archive/data.pkl").
vd_status vd_pickle_load(const uint8_t *data, size_t size, const char *label, vd_pickle **out_pickle);
void vd_pickle_destroy(vd_pickle *pickle);
// The value STOP returned.
const vd_pickle_value *vd_pickle_root(const vd_pickle *pickle);
// The last value stored under a string key of a dict, or NULL.
const vd_pickle_value *vd_pickle_dict_get(const vd_pickle_value *dict, const char *key);
const char *vd_pickle_kind_name(vd_pickle_kind kind);

#endif
