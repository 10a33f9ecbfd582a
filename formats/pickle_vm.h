// Internal to the pickle interpreter: the machine state and the helpers its opcode and call files share.
#ifndef VD_FORMATS_PICKLE_VM_H
#define VD_FORMATS_PICKLE_VM_H

#include "formats/pickle.h"

struct vd_pickle {
  vd_pickle_value *values;  // every value allocated (chained through next_alloc)
  vd_pickle_value *root;    // result of STOP
  uint64_t bytes;           // bytes allocated so far
  uint64_t byte_limit;      // bound on bytes
};

typedef struct vd_pickle_vm {
  vd_pickle *p;               // the result being built
  const char *label;          // pickle name for messages
  const uint8_t *data;        // opcodes
  size_t size;                // bytes of data
  size_t pos;                 // next byte to read
  size_t op_pos;              // offset of the opcode being run, for messages
  vd_pickle_value **stack;    // value stack
  size_t sp;                  // values on it
  size_t stack_cap;           // allocated
  size_t *marks;              // stack heights at each MARK
  size_t mark_count;          // marks pushed
  size_t mark_cap;            // allocated
  vd_pickle_value **memo;     // memo table
  size_t memo_cap;            // allocated slots
  size_t memo_len;            // slots set (MEMOIZE stores at this index)
} vd_pickle_vm;

vd_status vd_pickle_vm_error(const vd_pickle_vm *vm, const char *fmt, ...) VD_PRINTF(2, 3);
// Allocates bytes against the budget (zeroed).
vd_status vd_pickle_vm_alloc(vd_pickle_vm *vm, size_t bytes, void **out);
vd_status vd_pickle_vm_new(vd_pickle_vm *vm, vd_pickle_kind kind, vd_pickle_value **out_value);
vd_status vd_pickle_vm_push(vd_pickle_vm *vm, vd_pickle_value *v);
vd_status vd_pickle_vm_pop(vd_pickle_vm *vm, vd_pickle_value **out_value);

// GLOBAL: resolves module.name against the allow-list.
vd_status vd_pickle_vm_global(vd_pickle_vm *vm, const char *module, const char *name, vd_pickle_value **out);
// REDUCE / NEWOBJ: applies an allowed callable to an argument tuple.
vd_status vd_pickle_vm_call(vd_pickle_vm *vm, const vd_pickle_value *fn, const vd_pickle_value *args,
                            vd_pickle_value **out);
// BINPERSID: turns a ('storage', type, key, location, numel) tuple into a storage.
vd_status vd_pickle_vm_persistent(vd_pickle_vm *vm, const vd_pickle_value *pid, vd_pickle_value **out);

#endif
