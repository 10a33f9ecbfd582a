// The pickle machine: allocation under a budget, the stack, marks, memo and the opcode loop.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/pickle_vm.h"

vd_status vd_pickle_vm_error(const vd_pickle_vm *vm, const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  return vd_status_make(VD_ERR_FORMAT, "%s: %s (opcode at byte %zu)", vm->label, msg, vm->op_pos);
}

static vd_status vd_pickle_charge(vd_pickle_vm *vm, size_t bytes) {
  if (bytes > vm->p->byte_limit - vm->p->bytes)
    return vd_status_make(VD_ERR_LIMIT, "%s: pickle needs more than %llu bytes of memory", vm->label,
                          (unsigned long long)vm->p->byte_limit);
  vm->p->bytes += bytes;
  return NULL;
}

vd_status vd_pickle_vm_alloc(vd_pickle_vm *vm, size_t bytes, void **out) {
  VD_RETURN_IF_ERROR(vd_pickle_charge(vm, bytes));
  *out = calloc(1, bytes ? bytes : 1);
  return *out ? NULL : vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", vm->label);
}

// Grows an array of `elem` bytes per slot to hold at least `need` slots.
static vd_status vd_pickle_grow(vd_pickle_vm *vm, void **array, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return NULL;
  size_t new_cap = *cap ? *cap : 8;
  while (new_cap < need) new_cap *= 2;
  VD_RETURN_IF_ERROR(vd_pickle_charge(vm, (new_cap - *cap) * elem));
  void *p = realloc(*array, new_cap * elem);
  if (!p) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", vm->label);
  memset((char *)p + *cap * elem, 0, (new_cap - *cap) * elem);
  *array = p;
  *cap = new_cap;
  return NULL;
}

vd_status vd_pickle_vm_new(vd_pickle_vm *vm, vd_pickle_kind kind, vd_pickle_value **out_value) {
  vd_pickle_value *v = NULL;
  VD_RETURN_IF_ERROR(vd_pickle_vm_alloc(vm, sizeof(*v), (void **)&v));
  v->kind = kind;
  v->next_alloc = vm->p->values;
  vm->p->values = v;
  *out_value = v;
  return NULL;
}

vd_status vd_pickle_vm_push(vd_pickle_vm *vm, vd_pickle_value *v) {
  if (vm->sp >= VD_PICKLE_MAX_STACK) return vd_pickle_vm_error(vm, "stack deeper than %u", VD_PICKLE_MAX_STACK);
  VD_RETURN_IF_ERROR(vd_pickle_grow(vm, (void **)&vm->stack, &vm->stack_cap, vm->sp + 1, sizeof(*vm->stack)));
  vm->stack[vm->sp++] = v;
  return NULL;
}

vd_status vd_pickle_vm_pop(vd_pickle_vm *vm, vd_pickle_value **out_value) {
  size_t floor = vm->mark_count ? vm->marks[vm->mark_count - 1] : 0;
  if (vm->sp <= floor) return vd_pickle_vm_error(vm, "stack underflow");
  *out_value = vm->stack[--vm->sp];
  return NULL;
}

static vd_status vd_pickle_top(vd_pickle_vm *vm, vd_pickle_value **out_value) {
  size_t floor = vm->mark_count ? vm->marks[vm->mark_count - 1] : 0;
  if (vm->sp <= floor) return vd_pickle_vm_error(vm, "stack underflow");
  *out_value = vm->stack[vm->sp - 1];
  return NULL;
}

// ---- reading operands ----------------------------------------------------------------------------

static vd_status vd_pickle_read(vd_pickle_vm *vm, size_t n, const uint8_t **out) {
  if (n > vm->size - vm->pos) return vd_pickle_vm_error(vm, "truncated: operand of %zu bytes runs past the end", n);
  *out = vm->data + vm->pos;
  vm->pos += n;
  return NULL;
}

static vd_status vd_pickle_read_le(vd_pickle_vm *vm, int n, uint64_t *out) {
  const uint8_t *p = NULL;
  VD_RETURN_IF_ERROR(vd_pickle_read(vm, (size_t)n, &p));
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  *out = v;
  return NULL;
}

// Reads a newline-terminated GLOBAL operand into buf.
static vd_status vd_pickle_read_line(vd_pickle_vm *vm, char *buf, size_t cap) {
  size_t n = 0;
  for (;;) {
    const uint8_t *c = NULL;
    VD_RETURN_IF_ERROR(vd_pickle_read(vm, 1, &c));
    if (*c == '\n') break;
    if (n + 1 >= cap || *c == '\0') return vd_pickle_vm_error(vm, "GLOBAL operand too long or malformed");
    buf[n++] = (char)*c;
  }
  buf[n] = '\0';
  return NULL;
}

// ---- opcodes --------------------------------------------------------------------------------------

static vd_status vd_pickle_push_string(vd_pickle_vm *vm, vd_pickle_kind kind, int len_bytes) {
  uint64_t len = 0;
  const uint8_t *p = NULL;
  VD_RETURN_IF_ERROR(vd_pickle_read_le(vm, len_bytes, &len));
  if (len > vm->size - vm->pos) return vd_pickle_vm_error(vm, "string of %llu bytes runs past the end",
                                                          (unsigned long long)len);
  VD_RETURN_IF_ERROR(vd_pickle_read(vm, (size_t)len, &p));
  vd_pickle_value *v = NULL;
  VD_RETURN_IF_ERROR(vd_pickle_vm_new(vm, kind, &v));
  VD_RETURN_IF_ERROR(vd_pickle_vm_alloc(vm, (size_t)len + 1, (void **)&v->u.str.data));
  memcpy(v->u.str.data, p, (size_t)len);
  v->u.str.len = (size_t)len;
  return vd_pickle_vm_push(vm, v);
}

static vd_status vd_pickle_push_int(vd_pickle_vm *vm, int64_t x) {
  vd_pickle_value *v = NULL;
  VD_RETURN_IF_ERROR(vd_pickle_vm_new(vm, VD_PICKLE_INT, &v));
  v->u.integer = x;
  return vd_pickle_vm_push(vm, v);
}

static vd_status vd_pickle_op_long1(vd_pickle_vm *vm) {
  uint64_t n = 0, raw = 0;
  VD_RETURN_IF_ERROR(vd_pickle_read_le(vm, 1, &n));
  if (n > 8) return vd_pickle_vm_error(vm, "integer of %llu bytes does not fit 64 bits", (unsigned long long)n);
  if (n == 0) return vd_pickle_push_int(vm, 0);
  VD_RETURN_IF_ERROR(vd_pickle_read_le(vm, (int)n, &raw));
  if (n < 8 && (raw >> (8 * n - 1)) & 1u) raw |= ~0ull << (8 * n);  // sign-extend
  int64_t x = 0;
  memcpy(&x, &raw, sizeof(x));
  return vd_pickle_push_int(vm, x);
}

static vd_status vd_pickle_op_binfloat(vd_pickle_vm *vm) {
  const uint8_t *p = NULL;
  VD_RETURN_IF_ERROR(vd_pickle_read(vm, 8, &p));
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits = (bits << 8) | p[i];  // big-endian
  vd_pickle_value *v = NULL;
  VD_RETURN_IF_ERROR(vd_pickle_vm_new(vm, VD_PICKLE_FLOAT, &v));
  memcpy(&v->u.real, &bits, sizeof(double));
  return vd_pickle_vm_push(vm, v);
}

static vd_status vd_pickle_push_kind(vd_pickle_vm *vm, vd_pickle_kind kind, bool b) {
  vd_pickle_value *v = NULL;
  VD_RETURN_IF_ERROR(vd_pickle_vm_new(vm, kind, &v));
  v->u.boolean = b;
  return vd_pickle_vm_push(vm, v);
}

static vd_status vd_pickle_op_mark(vd_pickle_vm *vm) {
  if (vm->mark_count >= VD_PICKLE_MAX_STACK) return vd_pickle_vm_error(vm, "too many marks");
  VD_RETURN_IF_ERROR(vd_pickle_grow(vm, (void **)&vm->marks, &vm->mark_cap, vm->mark_count + 1, sizeof(size_t)));
  vm->marks[vm->mark_count++] = vm->sp;
  return NULL;
}

// Pops everything above the last mark and the mark; returns the first popped slot index.
static vd_status vd_pickle_pop_mark(vd_pickle_vm *vm, size_t *out_begin) {
  if (!vm->mark_count) return vd_pickle_vm_error(vm, "no MARK on the stack");
  *out_begin = vm->marks[--vm->mark_count];
  vm->sp = *out_begin;  // the items stay readable at stack[begin .. old sp) until the next push
  return NULL;
}

static vd_status vd_pickle_seq_add(vd_pickle_vm *vm, vd_pickle_seq *s, vd_pickle_value *item) {
  VD_RETURN_IF_ERROR(vd_pickle_grow(vm, (void **)&s->items, &s->cap, s->count + 1, sizeof(*s->items)));
  s->items[s->count++] = item;
  return NULL;
}

static vd_status vd_pickle_make_tuple(vd_pickle_vm *vm, vd_pickle_value **items, size_t n) {
  vd_pickle_value *t = NULL;
  VD_RETURN_IF_ERROR(vd_pickle_vm_new(vm, VD_PICKLE_TUPLE, &t));
  for (size_t i = 0; i < n; ++i) VD_RETURN_IF_ERROR(vd_pickle_seq_add(vm, &t->u.seq, items[i]));
  return vd_pickle_vm_push(vm, t);
}

static vd_status vd_pickle_op_tuple_n(vd_pickle_vm *vm, size_t n) {
  vd_pickle_value *items[3] = {NULL, NULL, NULL};
  for (size_t i = n; i-- > 0;) VD_RETURN_IF_ERROR(vd_pickle_vm_pop(vm, &items[i]));
  return vd_pickle_make_tuple(vm, items, n);
}

static vd_status vd_pickle_op_tuple(vd_pickle_vm *vm) {
  size_t begin = 0, end = vm->sp;
  VD_RETURN_IF_ERROR(vd_pickle_pop_mark(vm, &begin));
  vd_pickle_value *t = NULL;
  VD_RETURN_IF_ERROR(vd_pickle_vm_new(vm, VD_PICKLE_TUPLE, &t));
  for (size_t i = begin; i < end; ++i) VD_RETURN_IF_ERROR(vd_pickle_seq_add(vm, &t->u.seq, vm->stack[i]));
  return vd_pickle_vm_push(vm, t);
}

static vd_status vd_pickle_append_items(vd_pickle_vm *vm, vd_pickle_value **items, size_t n) {
  vd_pickle_value *list = NULL;
  VD_RETURN_IF_ERROR(vd_pickle_top(vm, &list));
  if (list->kind != VD_PICKLE_LIST)
    return vd_pickle_vm_error(vm, "APPEND to a %s, not a list", vd_pickle_kind_name(list->kind));
  for (size_t i = 0; i < n; ++i) VD_RETURN_IF_ERROR(vd_pickle_seq_add(vm, &list->u.seq, items[i]));
  return NULL;
}

static vd_status vd_pickle_dict_set(vd_pickle_vm *vm, vd_pickle_value *dict, vd_pickle_value *k, vd_pickle_value *v) {
  vd_pickle_dict *d = &dict->u.dict;
  size_t cap = d->cap;
  VD_RETURN_IF_ERROR(vd_pickle_grow(vm, (void **)&d->keys, &cap, d->count + 1, sizeof(*d->keys)));
  VD_RETURN_IF_ERROR(vd_pickle_grow(vm, (void **)&d->values, &d->cap, d->count + 1, sizeof(*d->values)));
  d->keys[d->count] = k;
  d->values[d->count++] = v;
  return NULL;
}

static vd_status vd_pickle_set_items(vd_pickle_vm *vm, vd_pickle_value **items, size_t n) {
  vd_pickle_value *dict = NULL;
  VD_RETURN_IF_ERROR(vd_pickle_top(vm, &dict));
  if (dict->kind != VD_PICKLE_DICT)
    return vd_pickle_vm_error(vm, "SETITEM on a %s, not a dict", vd_pickle_kind_name(dict->kind));
  if (n % 2) return vd_pickle_vm_error(vm, "SETITEMS with an odd number of values");
  for (size_t i = 0; i < n; i += 2) VD_RETURN_IF_ERROR(vd_pickle_dict_set(vm, dict, items[i], items[i + 1]));
  return NULL;
}

// SETITEM / APPEND (single) and SETITEMS / APPENDS (from the mark).
static vd_status vd_pickle_op_collect(vd_pickle_vm *vm, bool dict, bool from_mark) {
  vd_pickle_value *pair[2] = {NULL, NULL};
  vd_pickle_value **items = pair;
  size_t n = dict ? 2 : 1;
  if (from_mark) {
    size_t begin = 0, end = vm->sp;
    VD_RETURN_IF_ERROR(vd_pickle_pop_mark(vm, &begin));
    items = vm->stack + begin;
    n = end - begin;
  } else {
    for (size_t i = n; i-- > 0;) VD_RETURN_IF_ERROR(vd_pickle_vm_pop(vm, &pair[i]));
  }
  // items may point into the stack above sp: copying them into the container happens before any push.
  return dict ? vd_pickle_set_items(vm, items, n) : vd_pickle_append_items(vm, items, n);
}

static vd_status vd_pickle_memo_put(vd_pickle_vm *vm, uint64_t index) {
  vd_pickle_value *v = NULL;
  VD_RETURN_IF_ERROR(vd_pickle_top(vm, &v));
  if (index >= VD_PICKLE_MAX_MEMO) return vd_pickle_vm_error(vm, "memo index %llu exceeds the limit",
                                                              (unsigned long long)index);
  VD_RETURN_IF_ERROR(vd_pickle_grow(vm, (void **)&vm->memo, &vm->memo_cap, (size_t)index + 1, sizeof(*vm->memo)));
  if (!vm->memo[index]) ++vm->memo_len;
  vm->memo[index] = v;
  return NULL;
}

static vd_status vd_pickle_memo_get(vd_pickle_vm *vm, uint64_t index) {
  if (index >= vm->memo_cap || !vm->memo[index])
    return vd_pickle_vm_error(vm, "memo index %llu was never stored", (unsigned long long)index);
  return vd_pickle_vm_push(vm, vm->memo[index]);
}

static vd_status vd_pickle_op_global(vd_pickle_vm *vm) {
  char module[VD_PICKLE_MAX_GLOBAL_NAME], name[VD_PICKLE_MAX_GLOBAL_NAME];
  VD_RETURN_IF_ERROR(vd_pickle_read_line(vm, module, sizeof(module)));
  VD_RETURN_IF_ERROR(vd_pickle_read_line(vm, name, sizeof(name)));
  vd_pickle_value *v = NULL;
  VD_RETURN_IF_ERROR(vd_pickle_vm_global(vm, module, name, &v));
  return vd_pickle_vm_push(vm, v);
}

static vd_status vd_pickle_op_stack_global(vd_pickle_vm *vm) {
  vd_pickle_value *module = NULL, *name = NULL, *v = NULL;
  VD_RETURN_IF_ERROR(vd_pickle_vm_pop(vm, &name));
  VD_RETURN_IF_ERROR(vd_pickle_vm_pop(vm, &module));
  if (module->kind != VD_PICKLE_STRING || name->kind != VD_PICKLE_STRING)
    return vd_pickle_vm_error(vm, "STACK_GLOBAL operands are not strings");
  VD_RETURN_IF_ERROR(vd_pickle_vm_global(vm, module->u.str.data, name->u.str.data, &v));
  return vd_pickle_vm_push(vm, v);
}

static vd_status vd_pickle_op_reduce(vd_pickle_vm *vm) {
  vd_pickle_value *args = NULL, *fn = NULL, *out = NULL;
  VD_RETURN_IF_ERROR(vd_pickle_vm_pop(vm, &args));
  VD_RETURN_IF_ERROR(vd_pickle_vm_pop(vm, &fn));
  VD_RETURN_IF_ERROR(vd_pickle_vm_call(vm, fn, args, &out));
  return vd_pickle_vm_push(vm, out);
}

static vd_status vd_pickle_op_build(vd_pickle_vm *vm) {
  vd_pickle_value *state = NULL, *obj = NULL;
  VD_RETURN_IF_ERROR(vd_pickle_vm_pop(vm, &state));
  VD_RETURN_IF_ERROR(vd_pickle_top(vm, &obj));
  // The state of an OrderedDict (its _metadata) or a tensor carries nothing the engine reads.
  if (obj->kind != VD_PICKLE_DICT && obj->kind != VD_PICKLE_TENSOR)
    return vd_pickle_vm_error(vm, "BUILD on a %s", vd_pickle_kind_name(obj->kind));
  return NULL;
}

static vd_status vd_pickle_op_persid(vd_pickle_vm *vm) {
  vd_pickle_value *pid = NULL, *out = NULL;
  VD_RETURN_IF_ERROR(vd_pickle_vm_pop(vm, &pid));
  VD_RETURN_IF_ERROR(vd_pickle_vm_persistent(vm, pid, &out));
  return vd_pickle_vm_push(vm, out);
}

static vd_status vd_pickle_op_int(vd_pickle_vm *vm, int bytes, bool is_signed) {
  uint64_t raw = 0;
  VD_RETURN_IF_ERROR(vd_pickle_read_le(vm, bytes, &raw));
  return vd_pickle_push_int(vm, is_signed ? (int64_t)(int32_t)(uint32_t)raw : (int64_t)raw);
}

static vd_status vd_pickle_op_memo(vd_pickle_vm *vm, int bytes, bool put) {
  uint64_t index = 0;
  VD_RETURN_IF_ERROR(vd_pickle_read_le(vm, bytes, &index));
  return put ? vd_pickle_memo_put(vm, index) : vd_pickle_memo_get(vm, index);
}

static vd_status vd_pickle_op_header(vd_pickle_vm *vm, bool proto) {
  uint64_t v = 0;
  VD_RETURN_IF_ERROR(vd_pickle_read_le(vm, proto ? 1 : 8, &v));
  if (proto && v > 5) return vd_pickle_vm_error(vm, "unsupported pickle protocol %llu", (unsigned long long)v);
  if (!proto && v > vm->size - vm->pos) return vd_pickle_vm_error(vm, "FRAME runs past the end");
  return NULL;
}

static vd_status vd_pickle_op_pop(vd_pickle_vm *vm, bool to_mark) {
  vd_pickle_value *v = NULL;
  size_t begin = 0;
  return to_mark ? vd_pickle_pop_mark(vm, &begin) : vd_pickle_vm_pop(vm, &v);
}

static vd_status vd_pickle_op_dup(vd_pickle_vm *vm) {
  vd_pickle_value *v = NULL;
  VD_RETURN_IF_ERROR(vd_pickle_top(vm, &v));
  return vd_pickle_vm_push(vm, v);
}

static vd_status vd_pickle_step(vd_pickle_vm *vm, uint8_t op) {
  switch (op) {
    case 0x80: return vd_pickle_op_header(vm, true);           // PROTO
    case 0x95: return vd_pickle_op_header(vm, false);          // FRAME
    case '}': return vd_pickle_push_kind(vm, VD_PICKLE_DICT, false);   // EMPTY_DICT
    case ']': return vd_pickle_push_kind(vm, VD_PICKLE_LIST, false);   // EMPTY_LIST
    case ')': return vd_pickle_make_tuple(vm, NULL, 0);                // EMPTY_TUPLE
    case 'N': return vd_pickle_push_kind(vm, VD_PICKLE_NONE, false);   // NONE
    case 0x88: return vd_pickle_push_kind(vm, VD_PICKLE_BOOL, true);   // NEWTRUE
    case 0x89: return vd_pickle_push_kind(vm, VD_PICKLE_BOOL, false);  // NEWFALSE
    case 0x85: return vd_pickle_op_tuple_n(vm, 1);             // TUPLE1
    case 0x86: return vd_pickle_op_tuple_n(vm, 2);             // TUPLE2
    case 0x87: return vd_pickle_op_tuple_n(vm, 3);             // TUPLE3
    case 't': return vd_pickle_op_tuple(vm);                   // TUPLE
    case '(': return vd_pickle_op_mark(vm);                    // MARK
    case '0': return vd_pickle_op_pop(vm, false);              // POP
    case '1': return vd_pickle_op_pop(vm, true);               // POP_MARK
    case '2': return vd_pickle_op_dup(vm);                     // DUP
    case 'X': return vd_pickle_push_string(vm, VD_PICKLE_STRING, 4);   // BINUNICODE
    case 0x8c: return vd_pickle_push_string(vm, VD_PICKLE_STRING, 1);  // SHORT_BINUNICODE
    case 0x8d: return vd_pickle_push_string(vm, VD_PICKLE_STRING, 8);  // BINUNICODE8
    case 'B': return vd_pickle_push_string(vm, VD_PICKLE_BYTES, 4);    // BINBYTES
    case 'C': return vd_pickle_push_string(vm, VD_PICKLE_BYTES, 1);    // SHORT_BINBYTES
    case 'J': return vd_pickle_op_int(vm, 4, true);            // BININT
    case 'K': return vd_pickle_op_int(vm, 1, false);           // BININT1
    case 'M': return vd_pickle_op_int(vm, 2, false);           // BININT2
    case 0x8a: return vd_pickle_op_long1(vm);                  // LONG1
    case 'G': return vd_pickle_op_binfloat(vm);                // BINFLOAT
    case 'a': return vd_pickle_op_collect(vm, false, false);   // APPEND
    case 'e': return vd_pickle_op_collect(vm, false, true);    // APPENDS
    case 's': return vd_pickle_op_collect(vm, true, false);    // SETITEM
    case 'u': return vd_pickle_op_collect(vm, true, true);     // SETITEMS
    case 'q': return vd_pickle_op_memo(vm, 1, true);           // BINPUT
    case 'r': return vd_pickle_op_memo(vm, 4, true);           // LONG_BINPUT
    case 'h': return vd_pickle_op_memo(vm, 1, false);          // BINGET
    case 'j': return vd_pickle_op_memo(vm, 4, false);          // LONG_BINGET
    case 0x94: return vd_pickle_memo_put(vm, vm->memo_len);    // MEMOIZE
    case 'c': return vd_pickle_op_global(vm);                  // GLOBAL
    case 0x93: return vd_pickle_op_stack_global(vm);           // STACK_GLOBAL
    case 'R': return vd_pickle_op_reduce(vm);                  // REDUCE
    case 0x81: return vd_pickle_op_reduce(vm);                 // NEWOBJ (cls, args): same rules
    case 'b': return vd_pickle_op_build(vm);                   // BUILD
    case 'Q': return vd_pickle_op_persid(vm);                  // BINPERSID
    default: return vd_pickle_vm_error(vm, "unsupported pickle opcode 0x%02x", op);
  }
}

static vd_status vd_pickle_run(vd_pickle_vm *vm) {
  while (vm->pos < vm->size) {
    vm->op_pos = vm->pos;
    uint8_t op = vm->data[vm->pos++];
    if (op == '.') {  // STOP
      vd_pickle_value *root = NULL;
      VD_RETURN_IF_ERROR(vd_pickle_vm_pop(vm, &root));
      if (root->kind == VD_PICKLE_MARK) return vd_pickle_vm_error(vm, "STOP on a mark");
      vm->p->root = root;
      return NULL;
    }
    VD_RETURN_IF_ERROR(vd_pickle_step(vm, op));
  }
  return vd_status_make(VD_ERR_FORMAT, "%s: truncated: pickle ends without STOP", vm->label);
}

vd_status vd_pickle_load(const uint8_t *data, size_t size, const char *label, vd_pickle **out_pickle) {
  *out_pickle = NULL;
  vd_pickle *p = calloc(1, sizeof(*p));
  if (!p) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", label);
  uint64_t limit = (uint64_t)size * 256 + (1u << 20);
  p->byte_limit = limit < VD_PICKLE_MAX_BYTES ? limit : VD_PICKLE_MAX_BYTES;
  vd_pickle_vm vm = {.p = p, .label = label, .data = data, .size = size};
  vd_status st = vd_pickle_run(&vm);
  free(vm.stack);
  free(vm.marks);
  free(vm.memo);
  if (st) {
    vd_pickle_destroy(p);
    return st;
  }
  *out_pickle = p;
  return NULL;
}

static void vd_pickle_value_free(vd_pickle_value *v) {
  switch (v->kind) {
    case VD_PICKLE_STRING:
    case VD_PICKLE_BYTES: free(v->u.str.data); break;
    case VD_PICKLE_TUPLE:
    case VD_PICKLE_LIST: free(v->u.seq.items); break;
    case VD_PICKLE_DICT:
      free(v->u.dict.keys);
      free(v->u.dict.values);
      break;
    default: break;
  }
  free(v);
}

void vd_pickle_destroy(vd_pickle *pickle) {
  if (!pickle) return;
  for (vd_pickle_value *v = pickle->values, *next; v; v = next) {
    next = v->next_alloc;
    vd_pickle_value_free(v);
  }
  free(pickle);
}

const vd_pickle_value *vd_pickle_root(const vd_pickle *pickle) { return pickle->root; }

const vd_pickle_value *vd_pickle_dict_get(const vd_pickle_value *dict, const char *key) {
  if (!dict || dict->kind != VD_PICKLE_DICT) return NULL;
  for (size_t i = dict->u.dict.count; i-- > 0;) {
    const vd_pickle_value *k = dict->u.dict.keys[i];
    if (k->kind == VD_PICKLE_STRING && strcmp(k->u.str.data, key) == 0) return dict->u.dict.values[i];
  }
  return NULL;
}

const char *vd_pickle_kind_name(vd_pickle_kind kind) {
  static const char *const names[] = {"None", "bool",   "int",  "float",   "str",    "bytes", "tuple",
                                      "list", "dict",   "global", "storage", "tensor", "mark"};
  return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}
