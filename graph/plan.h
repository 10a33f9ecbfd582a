// The planner: a pure function of a graph and a few device limits. It gives every intermediate tensor a
// place in an arena of slabs (one storage buffer each) so that tensors whose lifetimes do not overlap
// share memory, and decides before which nodes a barrier is needed (a later node reads or overwrites
// memory an earlier node wrote, or overwrites memory an earlier node read, since the last barrier).
#ifndef VD_GRAPH_PLAN_H
#define VD_GRAPH_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "graph/graph.h"

typedef struct vd_plan_limits {
  uint64_t alignment;  // offset alignment of every tensor (>= minStorageBufferOffsetAlignment)
  uint64_t max_slab;   // bytes one slab may have (<= maxStorageBufferRange and the allocation limit)
} vd_plan_limits;

typedef struct vd_plan {
  uint32_t tensor_count;      // entries in the per-tensor arrays
  uint32_t *slab;             // per tensor: its slab (intermediates and outputs), UINT32_MAX otherwise
  uint64_t *offset;           // per tensor: byte offset inside its slab
  uint32_t *first_use;        // per tensor: index of the producing node
  uint32_t *last_use;         // per tensor: index of the last node reading it (node count if kept)
  uint32_t slab_count;        // slabs in the arena
  uint64_t *slab_bytes;       // size of each slab
  uint32_t node_count;        // entries in barrier_before
  bool *barrier_before;       // per node: record a barrier before it
  uint32_t barrier_count;     // barriers in total
  uint64_t arena_bytes;       // sum of slab sizes
  uint64_t intermediate_bytes;  // sum of all intermediate and output tensor sizes (what no aliasing needs)
  uint64_t weight_bytes;      // sum of weight tensor sizes
  uint64_t input_bytes;       // sum of input tensor sizes
} vd_plan;

// keep_extra: NULL, or per tensor whether to keep it alive to the end as well (e.g. for dumps).
vd_status vd_plan_build(const vd_graph *g, const vd_plan_limits *limits, const bool *keep_extra, vd_plan **out_plan);
void vd_plan_destroy(vd_plan *plan);
// True if any two tensors that are live at the same time overlap in the arena (a planner bug); used by
// tests. Also checks that every tensor lies inside its slab.
bool vd_plan_has_overlap(const vd_graph *g, const vd_plan *plan);

#endif
