#include "graph/op_softmax.h"

#include "graph/op_norm.h"

vd_status vd_op_softmax(const vd_op_env *env, const vd_softmax_params *p, vd_view x, vd_view y, vd_view scratch) {
  if (!p) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "softmax: no parameters");
  vd_norm_rows_desc d = {.op = "softmax", .mode = VD_NORM_SOFTMAX, .rows = p->rows, .n = p->cols};
  return vd_norm_rows_record(env, &d, x, (vd_view){0}, (vd_view){0}, y, scratch);
}

uint64_t vd_softmax_scratch_bytes(const vd_softmax_params *p) { return vd_norm_rows_scratch_bytes(p->rows, p->cols); }

uint64_t vd_softmax_bytes(const vd_softmax_params *p, vd_precision precision) {
  return 2ull * p->rows * p->cols * vd_precision_bytes(precision);
}

const char *vd_softmax_variant(const vd_op_env *env, const vd_softmax_params *p) {
  return vd_norm_variant(env, p->cols);
}
