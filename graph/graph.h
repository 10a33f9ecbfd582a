// graph/ — tensors, the graph builder (one function per op), the op library that records the shaders, the
// planner (lifetimes, one aliased arena, barriers only on hazards) and the executor (record once, replay),
// with per-node timing and dumps. Uses runtime/ only. This header is its entry point.
//
// A static compute graph: tensors (inputs, weights, intermediates, outputs) and nodes, each node one op
// with its parameters and a function that records it. Model builders call one vd_graph_<op> function
// per op (graph/build_*.h); shapes are checked as nodes are added, and the first error is kept in the
// graph (later calls do nothing) so builders read like the network and check the status once.
#ifndef VD_GRAPH_GRAPH_H
#define VD_GRAPH_GRAPH_H

#include <stdbool.h>
#include <stdint.h>

#include "graph/ops.h"

#define VD_MAX_RANK 6
#define VD_NODE_MAX_IN 6
#define VD_NODE_MAX_OUT 3
#define VD_NODE_PARAM_BYTES 256
#define VD_NAME_LEN 128
#define VD_NO_TENSOR UINT32_MAX

typedef uint32_t vd_tensor_id;

// F64 and DF64 are the 8-byte "wide" floats of the anomaly map's float64 stages: IEEE double where the
// device has shaderFloat64, else a double-float pair (hi, lo) of fp32 with hi = fl(hi + lo).
typedef enum vd_dtype { VD_DTYPE_F32 = 0, VD_DTYPE_F16, VD_DTYPE_I32, VD_DTYPE_F64, VD_DTYPE_DF64 } vd_dtype;

typedef enum vd_tensor_kind {
  VD_TENSOR_INPUT = 0,     // written by the host (or bound to another graph's tensor) before a run
  VD_TENSOR_WEIGHT,        // resolved by name from a weight store; shared between graphs, never written
  VD_TENSOR_INTERMEDIATE,  // produced and consumed inside the graph: lives in the arena
  VD_TENSOR_OUTPUT,        // produced inside the graph and read by the host afterwards
  VD_TENSOR_CONSTANT,      // data owned by the graph (e.g. a frequency table), uploaded once
} vd_tensor_kind;

typedef struct vd_tensor {
  char name[VD_NAME_LEN];      // unique within the graph
  vd_tensor_kind kind;         // role
  vd_dtype dtype;              // element type
  uint32_t rank;               // dimensions used in shape
  int64_t shape[VD_MAX_RANK];  // extents, row-major
  uint64_t bytes;              // element count x element size
  uint32_t producer;           // node index, VD_NO_TENSOR for inputs and weights
  bool keep;                   // must survive to the end of the run (outputs, dumped tensors)
  const void *data;            // constants: bytes owned by the graph (NULL otherwise)
} vd_tensor;

typedef struct vd_node vd_node;
// Records a node's dispatches. io[0..n_in-1] are the inputs' views, io[n_in..] the outputs'.
typedef vd_status (*vd_node_record_fn)(const vd_op_env *env, const vd_node *node, const vd_view *io);

struct vd_node {
  char name[VD_NAME_LEN];              // scope + local name, e.g. "unet.input_blocks.1.0.in_layers.2"
  const char *op;                      // op kind, e.g. "conv2d"
  vd_node_record_fn record;            // how to record it
  uint32_t n_in, n_out;                // used entries of in / out
  vd_tensor_id in[VD_NODE_MAX_IN];     // VD_NO_TENSOR for an absent optional input
  vd_tensor_id out[VD_NODE_MAX_OUT];   // produced tensors (scratch included)
  uint64_t flops;                      // for the profile's throughput column (0: unknown)
  _Alignas(16) unsigned char params[VD_NODE_PARAM_BYTES];  // op parameters (copied in)
};

typedef struct vd_graph vd_graph;

vd_status vd_graph_create(vd_precision precision, vd_graph **out_graph);
void vd_graph_destroy(vd_graph *g);
// The first error met while building (NULL if none). Ownership stays with the graph.
vd_status vd_graph_status(const vd_graph *g);
// A new status equal to the first build error (the caller owns and frees it), or NULL.
vd_status vd_graph_error(const vd_graph *g);
// Records an error (if none yet) and returns VD_NO_TENSOR, for builder functions.
vd_tensor_id vd_graph_fail(vd_graph *g, vd_status st);
vd_precision vd_graph_precision(const vd_graph *g);
// The element type of activations and weights (f32 or f16 after the precision).
vd_dtype vd_graph_float_dtype(const vd_graph *g);

// Names: nodes and intermediates are named "<scope>.<local>"; scopes nest.
void vd_graph_scope_push(vd_graph *g, const char *fmt, ...) VD_PRINTF(2, 3);
void vd_graph_scope_pop(vd_graph *g);

vd_tensor_id vd_graph_input(vd_graph *g, const char *name, vd_dtype dtype, uint32_t rank, const int64_t *shape);
// A weight tensor by its store name (the float dtype of the graph).
vd_tensor_id vd_graph_weight(vd_graph *g, const char *name, uint32_t rank, const int64_t *shape);
// A constant tensor whose `bytes` of data the graph copies and the executor uploads once.
vd_tensor_id vd_graph_constant(vd_graph *g, const char *name, vd_dtype dtype, uint32_t rank, const int64_t *shape,
                               const void *data);
// Marks a produced tensor as an output readable under `name` after a run.
void vd_graph_output(vd_graph *g, vd_tensor_id t, const char *name);

// "<scope>.<local>" (or just the scope when local is "") into out.
void vd_graph_scoped_name(const vd_graph *g, const char *local, char out[VD_NAME_LEN]);
// For op builders: a new intermediate tensor named "<scope>.<local>".
vd_tensor_id vd_graph_tensor(vd_graph *g, const char *local, vd_dtype dtype, uint32_t rank, const int64_t *shape);
// For op builders: appends a node; inputs must exist, outputs must be new intermediates (unproduced).
vd_status vd_graph_node(vd_graph *g, const char *local, const char *op, vd_node_record_fn record,
                        const void *params, size_t params_size, const vd_tensor_id *in, uint32_t n_in,
                        const vd_tensor_id *out, uint32_t n_out, uint64_t flops);

uint32_t vd_graph_tensor_count(const vd_graph *g);
const vd_tensor *vd_graph_get_tensor(const vd_graph *g, vd_tensor_id t);
uint32_t vd_graph_node_count(const vd_graph *g);
const vd_node *vd_graph_get_node(const vd_graph *g, uint32_t i);
// Finds an input, weight or output by name (outputs by their output name). VD_NO_TENSOR if absent.
vd_tensor_id vd_graph_find(const vd_graph *g, const char *name);
// Shape checks for builders: returns an error naming the node when t's shape differs from want.
vd_status vd_graph_expect_shape(const vd_graph *g, vd_tensor_id t, uint32_t rank, const int64_t *want,
                                const char *node, const char *what);
uint64_t vd_dtype_size(vd_dtype dtype);
// A double as a double-float pair: hi = (float)x, lo = (float)(x - hi) (48 significant bits), and back.
void vd_df64_from_double(double x, float out_pair[2]);
double vd_df64_to_double(const float pair[2]);
const char *vd_dtype_name(vd_dtype dtype);
// "[2, 320, 32, 32]" into buf.
const char *vd_shape_format(uint32_t rank, const int64_t *shape, char *buf, size_t cap);

#endif
