// The pickle allow-list: which globals exist, what calling them builds, and persistent storage ids.
#include <string.h>

#include "formats/pickle_vm.h"

static const struct {
  const char *module, *name;  // as spelled in the pickle
  vd_pickle_global which;     // what it stands for
  vd_weight_dtype dtype;      // storage element type (storage types only)
} vd_pickle_allowed[] = {
    {"collections", "OrderedDict", VD_PICKLE_GLOBAL_ORDERED_DICT, VD_WEIGHT_F32},
    {"torch._utils", "_rebuild_tensor", VD_PICKLE_GLOBAL_REBUILD_TENSOR, VD_WEIGHT_F32},
    {"torch._utils", "_rebuild_tensor_v2", VD_PICKLE_GLOBAL_REBUILD_TENSOR_V2, VD_WEIGHT_F32},
    {"torch._utils", "_rebuild_parameter", VD_PICKLE_GLOBAL_REBUILD_PARAMETER, VD_WEIGHT_F32},
    {"torch._utils", "_rebuild_parameter_with_state", VD_PICKLE_GLOBAL_REBUILD_PARAMETER_WITH_STATE, VD_WEIGHT_F32},
    {"torch", "FloatStorage", VD_PICKLE_GLOBAL_STORAGE_TYPE, VD_WEIGHT_F32},
    {"torch", "HalfStorage", VD_PICKLE_GLOBAL_STORAGE_TYPE, VD_WEIGHT_F16},
    {"torch", "BFloat16Storage", VD_PICKLE_GLOBAL_STORAGE_TYPE, VD_WEIGHT_BF16},
    {"torch", "DoubleStorage", VD_PICKLE_GLOBAL_STORAGE_TYPE, VD_WEIGHT_F64},
    {"torch", "LongStorage", VD_PICKLE_GLOBAL_STORAGE_TYPE, VD_WEIGHT_I64},
    {"torch", "IntStorage", VD_PICKLE_GLOBAL_STORAGE_TYPE, VD_WEIGHT_I32},
    {"torch", "ShortStorage", VD_PICKLE_GLOBAL_STORAGE_TYPE, VD_WEIGHT_I16},
    {"torch", "CharStorage", VD_PICKLE_GLOBAL_STORAGE_TYPE, VD_WEIGHT_I8},
    {"torch", "ByteStorage", VD_PICKLE_GLOBAL_STORAGE_TYPE, VD_WEIGHT_U8},
    {"torch", "BoolStorage", VD_PICKLE_GLOBAL_STORAGE_TYPE, VD_WEIGHT_BOOL},
};

vd_status vd_pickle_vm_global(vd_pickle_vm *vm, const char *module, const char *name, vd_pickle_value **out) {
  for (size_t i = 0; i < sizeof(vd_pickle_allowed) / sizeof(vd_pickle_allowed[0]); ++i) {
    if (strcmp(module, vd_pickle_allowed[i].module) != 0 || strcmp(name, vd_pickle_allowed[i].name) != 0) continue;
    VD_RETURN_IF_ERROR(vd_pickle_vm_new(vm, VD_PICKLE_GLOBAL, out));
    (*out)->u.global.which = vd_pickle_allowed[i].which;
    (*out)->u.global.dtype = vd_pickle_allowed[i].dtype;
    return NULL;
  }
  return vd_pickle_vm_error(vm, "refusing forbidden global \"%.100s.%.100s\" (only torch tensor rebuild helpers, "
                                "storage types and collections.OrderedDict are allowed)",
                            module, name);
}

static bool vd_pickle_int_arg(const vd_pickle_value *v, int64_t *out) {
  if (v->kind != VD_PICKLE_INT) return false;
  *out = v->u.integer;
  return true;
}

// Reads a tuple of ints (size or stride) into dims.
static vd_status vd_pickle_dims(vd_pickle_vm *vm, const vd_pickle_value *v, const char *what, int *rank,
                                int64_t *dims) {
  if (v->kind != VD_PICKLE_TUPLE) return vd_pickle_vm_error(vm, "tensor %s is a %s, not a tuple", what,
                                                            vd_pickle_kind_name(v->kind));
  if (v->u.seq.count > VD_WEIGHT_MAX_RANK)
    return vd_pickle_vm_error(vm, "tensor rank %zu exceeds the limit %d", v->u.seq.count, VD_WEIGHT_MAX_RANK);
  for (size_t i = 0; i < v->u.seq.count; ++i)
    if (!vd_pickle_int_arg(v->u.seq.items[i], &dims[i]) || dims[i] < 0)
      return vd_pickle_vm_error(vm, "tensor %s holds something other than non-negative ints", what);
  *rank = (int)v->u.seq.count;
  return NULL;
}

// _rebuild_tensor(storage, offset, size, stride) and _v2 (+ requires_grad, hooks[, metadata]).
static vd_status vd_pickle_rebuild_tensor(vd_pickle_vm *vm, const vd_pickle_seq *a, bool v2, vd_pickle_value **out) {
  if (v2 ? (a->count < 6 || a->count > 7) : a->count != 4)
    return vd_pickle_vm_error(vm, "tensor rebuild with %zu arguments", a->count);
  int64_t offset = 0;
  if (a->items[0]->kind != VD_PICKLE_STORAGE) return vd_pickle_vm_error(vm, "tensor rebuild without a storage");
  if (!vd_pickle_int_arg(a->items[1], &offset) || offset < 0)
    return vd_pickle_vm_error(vm, "tensor storage offset is not a non-negative int");
  vd_pickle_value *t = NULL;
  VD_RETURN_IF_ERROR(vd_pickle_vm_new(vm, VD_PICKLE_TENSOR, &t));
  vd_pickle_tensor_view *view = &t->u.tensor;
  int stride_rank = 0;
  VD_RETURN_IF_ERROR(vd_pickle_dims(vm, a->items[2], "size", &view->rank, view->shape));
  VD_RETURN_IF_ERROR(vd_pickle_dims(vm, a->items[3], "stride", &stride_rank, view->stride));
  if (stride_rank != view->rank)
    return vd_pickle_vm_error(vm, "tensor size has %d dimensions but stride %d", view->rank, stride_rank);
  view->storage = a->items[0];
  view->offset = (uint64_t)offset;
  *out = t;
  return NULL;
}

// _rebuild_parameter(data, requires_grad, hooks[, state]): the parameter is its data tensor.
static vd_status vd_pickle_rebuild_parameter(vd_pickle_vm *vm, const vd_pickle_seq *a, size_t nargs,
                                             vd_pickle_value **out) {
  if (a->count != nargs || a->items[0]->kind != VD_PICKLE_TENSOR)
    return vd_pickle_vm_error(vm, "parameter rebuild needs %zu arguments starting with a tensor", nargs);
  *out = a->items[0];
  return NULL;
}

vd_status vd_pickle_vm_call(vd_pickle_vm *vm, const vd_pickle_value *fn, const vd_pickle_value *args,
                            vd_pickle_value **out) {
  if (fn->kind != VD_PICKLE_GLOBAL) return vd_pickle_vm_error(vm, "call of a %s", vd_pickle_kind_name(fn->kind));
  if (args->kind != VD_PICKLE_TUPLE) return vd_pickle_vm_error(vm, "call arguments are not a tuple");
  const vd_pickle_seq *a = &args->u.seq;
  switch (fn->u.global.which) {
    case VD_PICKLE_GLOBAL_ORDERED_DICT:
      if (a->count != 0) return vd_pickle_vm_error(vm, "OrderedDict called with arguments");
      return vd_pickle_vm_new(vm, VD_PICKLE_DICT, out);
    case VD_PICKLE_GLOBAL_REBUILD_TENSOR: return vd_pickle_rebuild_tensor(vm, a, false, out);
    case VD_PICKLE_GLOBAL_REBUILD_TENSOR_V2: return vd_pickle_rebuild_tensor(vm, a, true, out);
    case VD_PICKLE_GLOBAL_REBUILD_PARAMETER: return vd_pickle_rebuild_parameter(vm, a, 3, out);
    case VD_PICKLE_GLOBAL_REBUILD_PARAMETER_WITH_STATE: return vd_pickle_rebuild_parameter(vm, a, 4, out);
    case VD_PICKLE_GLOBAL_STORAGE_TYPE: break;
  }
  return vd_pickle_vm_error(vm, "a storage type cannot be called");
}

vd_status vd_pickle_vm_persistent(vd_pickle_vm *vm, const vd_pickle_value *pid, vd_pickle_value **out) {
  const vd_pickle_seq *a = &pid->u.seq;
  if (pid->kind != VD_PICKLE_TUPLE || a->count != 5 || a->items[0]->kind != VD_PICKLE_STRING ||
      strcmp(a->items[0]->u.str.data, "storage") != 0)
    return vd_pickle_vm_error(vm, "persistent id is not a ('storage', type, key, location, numel) tuple");
  const vd_pickle_value *type = a->items[1], *key = a->items[2];
  int64_t numel = 0;
  if (type->kind != VD_PICKLE_GLOBAL || type->u.global.which != VD_PICKLE_GLOBAL_STORAGE_TYPE)
    return vd_pickle_vm_error(vm, "persistent id names no storage type");
  if (key->kind != VD_PICKLE_STRING || key->u.str.len == 0 || strchr(key->u.str.data, '/') ||
      strlen(key->u.str.data) != key->u.str.len)
    return vd_pickle_vm_error(vm, "storage key is not a plain name");
  if (!vd_pickle_int_arg(a->items[4], &numel) || numel < 0)
    return vd_pickle_vm_error(vm, "storage size is not a non-negative int");
  VD_RETURN_IF_ERROR(vd_pickle_vm_new(vm, VD_PICKLE_STORAGE, out));
  (*out)->u.storage.dtype = type->u.global.dtype;
  (*out)->u.storage.key = key->u.str.data;
  (*out)->u.storage.numel = (uint64_t)numel;
  return NULL;
}
