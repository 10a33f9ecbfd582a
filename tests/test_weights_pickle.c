// The pickle interpreter: the torch.save subset, forbidden globals, malformed and truncated streams.
#include "formats/pickle.h"
#include "tests/weights_util.h"

static vd_status run(const void *data, size_t size) {
  uint8_t *copy = malloc(size ? size : 1);
  memcpy(copy, data, size);
  vd_pickle *p = NULL;
  vd_status st = vd_pickle_load(copy, size, "test.pkl", &p);
  vd_pickle_destroy(p);
  free(copy);
  return st;
}
#define RUN_LIT(lit) run(lit, sizeof(lit) - 1)

static void test_values(void) {
  // {'a': [1, -2, 3.5, True, None], 'b': (300, 70000, 2**40, -1), 'c': b'xy'} with memo reuse.
  vdt_buf b = {0};
  VDT_BUF_LIT(&b, "\x80\x02}q\x00(");
  vdt_pk_str(&b, "a");
  VDT_BUF_LIT(&b, "]q\x01(K\x01J\xfe\xff\xff\xffG\x40\x0c\x00\x00\x00\x00\x00\x00\x88Ne");
  vdt_pk_str(&b, "b");
  VDT_BUF_LIT(&b, "(M\x2c\x01J\x70\x11\x01\x00\x8a\x06\x00\x00\x00\x00\x00\x01\x8a\x01\xfftq\x02");
  vdt_pk_str(&b, "c");
  VDT_BUF_LIT(&b, "C\x02xy");
  vdt_pk_str(&b, "d");
  VDT_BUF_LIT(&b, "h\x02u.");
  vd_pickle *p = NULL;
  CHECK_OK(vd_pickle_load(b.data, b.size, "values.pkl", &p));
  if (p) {
    const vd_pickle_value *root = vd_pickle_root(p), *a = vd_pickle_dict_get(root, "a");
    const vd_pickle_value *t = vd_pickle_dict_get(root, "b");
    CHECK(a && a->kind == VD_PICKLE_LIST && a->u.seq.count == 5);
    CHECK(a && a->u.seq.items[1]->u.integer == -2 && a->u.seq.items[2]->u.real == 3.5);
    CHECK(a && a->u.seq.items[3]->kind == VD_PICKLE_BOOL && a->u.seq.items[4]->kind == VD_PICKLE_NONE);
    CHECK(t && t->kind == VD_PICKLE_TUPLE && t->u.seq.count == 4);
    CHECK(t && t->u.seq.items[0]->u.integer == 300 && t->u.seq.items[1]->u.integer == 70000);
    CHECK(t && t->u.seq.items[2]->u.integer == (1ll << 40) && t->u.seq.items[3]->u.integer == -1);
    CHECK(vd_pickle_dict_get(root, "c")->kind == VD_PICKLE_BYTES);
    CHECK(vd_pickle_dict_get(root, "d") == t);  // memo shares the value
    vd_pickle_destroy(p);
  }
  int accepted = 0;
  for (size_t n = 0; n < b.size; ++n) {
    vd_status st = run(b.data, n);
    accepted += st == NULL;
    vd_status_free(st);
  }
  CHECK_MSG(accepted == 0, "%d truncations accepted", accepted);
  vdt_buf_free(&b);
}

static void test_forbidden_globals(void) {
  CHECK_ERR_MSG(RUN_LIT("\x80\x02\x63posix\nsystem\nq\x00X\x02\x00\x00\x00lsq\x01\x85q\x02Rq\x03."),
                "forbidden global \"posix.system\"");
  CHECK_ERR_MSG(RUN_LIT("\x80\x02\x63os\nsystem\nX\x02\x00\x00\x00ls\x85R."), "\"os.system\"");
  CHECK_ERR_MSG(RUN_LIT("\x80\x02\x63\x62uiltins\neval\nX\x01\x00\x00\x001\x85R."), "\"builtins.eval\"");
  CHECK_ERR_MSG(RUN_LIT("\x80\x04\x8c\x02os\x8c\x06system\x93."), "\"os.system\"");
  CHECK_ERR_MSG(RUN_LIT("\x80\x02\x63torch\nload\n."), "\"torch.load\"");
  CHECK_ERR_MSG(RUN_LIT("\x80\x02\x63torch._utils\n_rebuild_tensor_v2\n)R."), "arguments");
  CHECK_ERR_MSG(RUN_LIT("\x80\x02\x63torch\nFloatStorage\n)R."), "storage type");
  CHECK_ERR_MSG(RUN_LIT("\x80\x02K\x01)R."), "call of a int");
}

static void test_malformed(void) {
  CHECK_ERR_MSG(RUN_LIT("\x80\x02."), "underflow");
  CHECK_ERR_MSG(RUN_LIT("\x80\x02}"), "without STOP");
  CHECK_ERR_MSG(RUN_LIT("\x80\x02h\x05."), "memo index 5");
  CHECK_ERR_MSG(RUN_LIT("\x80\x02Nr\xff\xff\xff\xff."), "memo index");
  CHECK_ERR_MSG(RUN_LIT("\x80\x02X\xff\xff\xff\xff."), "past the end");
  CHECK_ERR_MSG(RUN_LIT("\x80\x02\x8a\x09\x01\x02\x03\x04\x05\x06\x07\x08\x09."), "64 bits");
  CHECK_ERR_MSG(RUN_LIT("\x80\x02K\x01K\x01K\x02s."), "SETITEM on a int");
  CHECK_ERR_MSG(RUN_LIT("\x80\x02}(K\x01u."), "odd");
  CHECK_ERR_MSG(RUN_LIT("\x80\x02]K\x01(a."), "underflow");  // APPEND may not reach below a MARK
  CHECK_ERR_MSG(RUN_LIT("\x80\x02t."), "MARK");
  CHECK_ERR_MSG(RUN_LIT("\x80\x09."), "protocol");
  CHECK_ERR_MSG(RUN_LIT("\x80\x02S'x'\n."), "opcode 0x53");
  CHECK_ERR_MSG(RUN_LIT("\x80\x02Q."), "underflow");
  CHECK_ERR_MSG(RUN_LIT("\x80\x02K\x01Q."), "persistent id");
  CHECK_ERR_MSG(RUN_LIT("\x80\x02\x63torch\nFloatStorage\nb."), "underflow");
  CHECK_ERR_MSG(RUN_LIT("\x80\x02K\x01" "K\x01" "b."), "BUILD on a int");
  CHECK_ERR_MSG(RUN_LIT("\x80\x02\x63os\n"), "past the end");
  // A list that contains itself parses (no recursion anywhere) and frees cleanly.
  vd_pickle *p = NULL;
  CHECK_OK(vd_pickle_load((const uint8_t *)"\x80\x02]q\x00h\x00" "a.", 9, "cycle.pkl", &p));
  vd_pickle_destroy(p);
}

static void test_bounded_memory(void) {
  // 200k MARKs: fine (bounded by input); a million nested EMPTY_LISTs appended: also bounded.
  size_t n = 200000;
  uint8_t *buf = malloc(n + 4);
  buf[0] = 0x80;
  buf[1] = 2;
  memset(buf + 2, '(', n);
  buf[n + 2] = '.';
  CHECK_ERR_MSG(run(buf, n + 3), "underflow");
  memset(buf + 2, ']', n);  // 200k empty lists on the stack, then STOP returns the last
  CHECK_OK(run(buf, n + 3));
  free(buf);
  // A memo index far beyond what the input could fill is refused before allocating.
  CHECK_ERR_MSG(RUN_LIT("\x80\x02Nr\x00\x00\x30\x00."), "memory");
}

static void test_tensor(void) {
  vdt_pk_tensor t = {"w", "HalfStorage", "0", 6, 0, 2, {2, 3}, {1, 2}};
  vdt_buf b = vdt_pk_state_dict(&t, 1);
  vd_pickle *p = NULL;
  CHECK_OK(vd_pickle_load(b.data, b.size, "tensor.pkl", &p));
  if (p) {
    const vd_pickle_value *w = vd_pickle_dict_get(vd_pickle_dict_get(vd_pickle_root(p), "state_dict"), "w");
    CHECK(w && w->kind == VD_PICKLE_TENSOR && w->u.tensor.rank == 2 && w->u.tensor.stride[1] == 2);
    CHECK(w && w->u.tensor.storage->u.storage.dtype == VD_WEIGHT_F16);
    CHECK(w && strcmp(w->u.tensor.storage->u.storage.key, "0") == 0);
    vd_pickle_destroy(p);
  }
  vdt_buf_free(&b);
  vdt_pk_tensor bad = {"w", "FloatStorage", "0", 6, 0, 9, {1, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 1, 1}};
  b = vdt_pk_state_dict(&bad, 1);
  CHECK_ERR_MSG(run(b.data, b.size), "rank 9");
  vdt_buf_free(&b);
  vdt_pk_tensor neg = {"w", "FloatStorage", "0", 6, -1, 1, {2}, {1}};
  b = vdt_pk_state_dict(&neg, 1);
  CHECK_ERR_MSG(run(b.data, b.size), "offset");
  vdt_buf_free(&b);
  vdt_pk_tensor odd = {"w", "ComplexFloatStorage", "0", 6, 0, 1, {2}, {1}};
  b = vdt_pk_state_dict(&odd, 1);
  CHECK_ERR_MSG(run(b.data, b.size), "torch.ComplexFloatStorage");
  vdt_buf_free(&b);
  vdt_pk_tensor slash = {"w", "FloatStorage", "../../etc/passwd", 6, 0, 1, {2}, {1}};
  b = vdt_pk_state_dict(&slash, 1);
  CHECK_ERR_MSG(run(b.data, b.size), "storage key");
  vdt_buf_free(&b);
}

int main(void) {
  test_values();
  test_forbidden_globals();
  test_malformed();
  test_bounded_memory();
  test_tensor();
  return vdt_finish("test_weights_pickle");
}
