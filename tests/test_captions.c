// Caption files: the reference's pair found in a folder and aligned per dataset (MVTec filename, VisA image,
// Real-IAD substring, COCO zero-padded ids with joined captions), refusals of misaligned or mis-sized files,
// and the writer: its bytes against what Python's json.dump wrote (tools/reference/make_caption_goldens.py),
// the captioner's file names, atomic writes, and a written pair read back through a dataset.
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "anomaly/caption_json.h"
#include "anomaly/captions.h"
#include "anomaly/dataset.h"
#include "anomaly/json_pull.h"
#include "vdtest.h"
#include "vdtest_datasets.h"

#define GOLDEN_DIR VLMD_SOURCE_DIR "/tests/data/captions"

static char *g_base;  // the test's temporary folder

static void expect_error(vd_status st, vd_status_code code, const char *a, const char *b, const char *where) {
  const char *msg = vd_status_message(st);
  if (getenv("VDT_SHOW_ERRORS")) printf("[%s] %s\n", where, msg);
  CHECK_MSG(vd_status_code_of(st) == code, "%s: expected %s, got %s (%s)", where, vd_status_code_name(code),
            vd_status_code_name(vd_status_code_of(st)), msg);
  if (a) CHECK_MSG(strstr(msg, a) != NULL, "%s: message lacks \"%s\": %s", where, a, msg);
  if (b) CHECK_MSG(strstr(msg, b) != NULL, "%s: message lacks \"%s\": %s", where, b, msg);
  vd_status_free(st);
}

static vd_status open_captioned(vd_dataset_kind kind, const char *root, const char *index, const char *captions,
                                const char *const *classes, int class_count, vd_dataset **out) {
  vd_dataset_options o;
  vd_dataset_options_default(&o);
  o.kind = kind;
  o.root = root;
  o.index_path = index;
  o.captions = captions;
  o.classes = classes;
  o.class_count = class_count;
  o.coco_caption_suffix = "_internvl";
  return vd_dataset_open(&o, out);
}

static char *read_file(const char *path, size_t *out_len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *data = malloc((size_t)n + 1);
  if (data && fread(data, 1, (size_t)n, f) != (size_t)n) n = -1;
  fclose(f);
  if (!data || n < 0) {
    free(data);
    return NULL;
  }
  data[n] = '\0';
  *out_len = (size_t)n;
  return data;
}

// A JSON array of the given strings written with Python's separators (plain ASCII test strings).
static void write_string_array(const char *path, const char *const *items, size_t count, bool as_lists) {
  char *bytes;
  size_t len;
  CHECK_OK(vd_caption_json_encode(items, count, as_lists, &bytes, &len));
  vdt_write_bytes(path, bytes, len);
  free(bytes);
}

static void write_pair(const char *dir, const char *captions_name, const char *const *captions, const char *labels_name,
                       const char *const *labels, size_t count) {
  char *c = vdt_path(dir, captions_name), *l = vdt_path(dir, labels_name);
  write_string_array(c, captions, count, false);
  write_string_array(l, labels, count, false);
  free(c);
  free(l);
}

// ---- MVTec AD ---------------------------------------------------------------------------------------------

static const char *const mvtec_captions[] = {"c0 zipper", "c1", "c2 caf\xc3\xa9", "c3", "c4 \xf0\x9f\x98\x80", "c5",
                                             "c6",        "c7", "c8 one too many"};

static void test_mvtec_pair(const char *root) {
  char *index = vdt_path(g_base, "MVTec-AD/test.json");
  char *dir = vdt_path(g_base, "mvtec_captions_internvl_pd");
  write_pair(dir, "test_captions_mvtec_internvl_0_120000.json", mvtec_captions,
             "test_labels_mvtec_internvl_0_120000.json", vdt_mvtec_test_index, 8);
  // Decoys: a folder that sorts first, and a later file with the same prefix (never read).
  char *decoy_dir = vdt_path(dir, "test_captions_a_folder/x.json");
  vdt_write_text(decoy_dir, "[]");
  char *decoy = vdt_path(dir, "test_captions_mvtec_internvl_zz.json");
  vdt_write_text(decoy, "not json");
  vd_dataset *ds = NULL;
  CHECK_OK(open_captioned(VD_DATASET_MVTEC, root, index, dir, NULL, 0, &ds));
  if (ds) {
    CHECK(ds->captioned == 8 && ds->count == 8);
    for (size_t i = 0; i < ds->count; ++i)
      CHECK_MSG(strcmp(ds->records[i].caption, mvtec_captions[i]) == 0, "record %zu caption %s", i,
                ds->records[i].caption);
    CHECK(strstr(ds->captions_path, "/test_captions_mvtec_internvl_0_120000.json") != NULL);
    CHECK(strstr(ds->labels_path, "/test_labels_mvtec_internvl_0_120000.json") != NULL);
    vd_dataset_destroy(ds);
  }
  // Captions are aligned with the whole split, then the classes are selected.
  const char *const bottle[] = {"bottle"};
  CHECK_OK(open_captioned(VD_DATASET_MVTEC, root, index, dir, bottle, 1, &ds));
  if (ds) {
    CHECK(ds->count == 5 && strcmp(ds->records[0].caption, "c3") == 0 && strcmp(ds->records[4].caption, "c7") == 0);
    CHECK(ds->captioned == 5 && ds->records[0].has_caption);
    vd_dataset_destroy(ds);
  }
  // The sorted scan lists the same files in another order than the reference's index: refused.
  const char *const both[] = {"bottle", "zipper"};
  expect_error(open_captioned(VD_DATASET_MVTEC, root, NULL, dir, both, 2, &ds), VD_ERR_FORMAT,
               "entry 0: label \"zipper/test/squeezed_teeth/001.png\", record \"bottle/test/broken_large/000.png\"",
               "must equal the record's filename", "scan order vs reference captions");
  // Only the requested split's pair is needed; the train pair is missing here.
  vd_dataset_options o;
  vd_dataset_options_default(&o);
  o.root = root;
  o.split = VD_SPLIT_TRAIN;
  o.index_path = index;
  o.captions = dir;
  expect_error(vd_dataset_open(&o, &ds), VD_ERR_NOT_FOUND, "no file whose name starts with train_captions", NULL,
               "missing train pair");
  free(decoy);
  free(decoy_dir);
  free(dir);
  free(index);
}

static void test_mvtec_refusals(const char *root) {
  char *index = vdt_path(g_base, "MVTec-AD/test.json");
  vd_dataset *ds = NULL;
  // Fewer captions than records: the first ones get theirs, the rest keep "" (the captioner's --end_ind).
  char *dir = vdt_path(g_base, "fewer");
  write_pair(dir, "test_captions_x.json", mvtec_captions, "test_labels_x.json", vdt_mvtec_test_index, 3);
  CHECK_OK(open_captioned(VD_DATASET_MVTEC, root, index, dir, NULL, 0, &ds));
  if (ds) {
    CHECK(ds->captioned == 3 && strcmp(ds->records[2].caption, "c2 caf\xc3\xa9") == 0 &&
          ds->records[3].caption[0] == 0);
    CHECK(ds->records[2].has_caption && !ds->records[3].has_caption);
    vd_dataset_destroy(ds);
  }
  free(dir);
  // Misaligned: labels 1 and 2 swapped.
  const char *swapped[8];
  memcpy(swapped, vdt_mvtec_test_index, sizeof(swapped));
  swapped[1] = vdt_mvtec_test_index[2];
  swapped[2] = vdt_mvtec_test_index[1];
  dir = vdt_path(g_base, "swapped");
  write_pair(dir, "test_captions_x.json", mvtec_captions, "test_labels_x.json", swapped, 8);
  expect_error(open_captioned(VD_DATASET_MVTEC, root, index, dir, NULL, 0, &ds), VD_ERR_FORMAT,
               "entry 1: label \"zipper/test/good/000.png\", record \"zipper/test/squeezed_teeth/000.png\"",
               "test_labels_x.json", "misaligned");
  free(dir);
  // More captions than records.
  const char *nine[9];
  memcpy(nine, vdt_mvtec_test_index, 8 * sizeof(nine[0]));
  nine[8] = "extra.png";
  dir = vdt_path(g_base, "nine");
  write_pair(dir, "test_captions_x.json", mvtec_captions, "test_labels_x.json", nine, 9);
  expect_error(open_captioned(VD_DATASET_MVTEC, root, index, dir, NULL, 0, &ds), VD_ERR_FORMAT,
               "more captions than the 8 records", "test_captions_x.json", "more captions");
  free(dir);
  // Arrays of different lengths.
  dir = vdt_path(g_base, "lengths");
  char *c = vdt_path(dir, "test_captions_x.json"), *l = vdt_path(dir, "test_labels_x.json");
  write_string_array(c, mvtec_captions, 4, false);
  write_string_array(l, vdt_mvtec_test_index, 3, false);
  expect_error(open_captioned(VD_DATASET_MVTEC, root, index, dir, NULL, 0, &ds), VD_ERR_FORMAT,
               "holds more entries than", "(3 in the shorter one)", "lengths");
  // Labels as one-element lists (captioner.py's COCO form) do not align with MVTec.
  write_string_array(l, vdt_mvtec_test_index, 4, true);
  expect_error(open_captioned(VD_DATASET_MVTEC, root, index, dir, NULL, 0, &ds), VD_ERR_FORMAT,
               "label 0 is not a string", "test_labels_x.json:1:2", "list labels");
  // A caption that is not a string, and malformed JSON.
  vdt_write_text(c, "[\"a\", 5]");
  write_string_array(l, vdt_mvtec_test_index, 2, false);
  expect_error(open_captioned(VD_DATASET_MVTEC, root, index, dir, NULL, 0, &ds), VD_ERR_FORMAT,
               "test_captions_x.json:1:7", "expected a string", "number caption");
  vdt_write_text(c, "[\"a\",\n \"b\"");
  expect_error(open_captioned(VD_DATASET_MVTEC, root, index, dir, NULL, 0, &ds), VD_ERR_FORMAT,
               "test_captions_x.json:2:5", "expected ',' or ']'", "unterminated array");
  free(c);
  free(l);
  free(dir);
  char *nowhere = vdt_path(g_base, "no_captions_here");
  expect_error(open_captioned(VD_DATASET_MVTEC, root, index, nowhere, NULL, 0, &ds), VD_ERR_NOT_FOUND,
               "is not a folder", NULL, "missing caption folder");
  free(nowhere);
  free(index);
}

// ---- VisA, Real-IAD ---------------------------------------------------------------------------------------

static void test_visa_pair(const char *root) {
  char *dir = vdt_path(g_base, "visa_captions_internvl_pd");
  const char *caps[] = {"v0", "v1", "v2", "v3", "v4"};
  write_pair(dir, "test_captions_visa_internvl_0_120000.json", caps, "test_labels_visa_internvl_0_120000.json",
             vdt_visa_test, 5);
  vd_dataset *ds = NULL;
  CHECK_OK(open_captioned(VD_DATASET_VISA, root, NULL, dir, NULL, 0, &ds));
  if (ds) {
    CHECK(ds->captioned == 5 && strcmp(ds->records[4].caption, "v4") == 0);
    vd_dataset_destroy(ds);
  }
  const char *labels[5];
  memcpy(labels, vdt_visa_test, sizeof(labels));
  labels[3] = "candle/Data/Images/Anomaly/001.jpg";  // case differs: VisA compares exactly
  write_pair(dir, "test_captions_visa_internvl_0_120000.json", caps, "test_labels_visa_internvl_0_120000.json", labels,
             5);
  expect_error(open_captioned(VD_DATASET_VISA, root, NULL, dir, NULL, 0, &ds), VD_ERR_FORMAT, "entry 3",
               "must equal the record's image", "visa misaligned");
  free(dir);
}

static void test_realiad_pair(const char *root) {
  vd_dataset *ds = NULL;
  vd_dataset_options o;
  vd_dataset_options_default(&o);
  o.kind = VD_DATASET_REALIAD;
  o.root = root;
  CHECK_OK(vd_dataset_open(&o, &ds));
  if (!ds) return;
  // The labels the captioner writes: os.path.join(root, {class}/{image_path}) with the root as given.
  char labels[5][4096];
  const char *lp[5], *caps[] = {"r0", "r1", "r2", "r3", "r4"};
  for (size_t i = 0; i < 5 && i < ds->count; ++i) {
    CHECK_OK(vd_dataset_caption_label(ds, &ds->records[i], labels[i], sizeof(labels[i])));
    char want[4096];
    snprintf(want, sizeof(want), "%s/%s", root, vdt_realiad_test[i]);
    CHECK_MSG(strcmp(labels[i], want) == 0, "realiad label %s", labels[i]);
    lp[i] = labels[i];
  }
  vd_dataset_destroy(ds);
  char *dir = vdt_path(g_base, "realiad_captions_internvl_pd");
  write_pair(dir, "test_captions_realiad_internvl_0_120000.json", caps, "test_labels_realiad_internvl_0_120000.json",
             lp, 5);
  o.captions = dir;
  CHECK_OK(vd_dataset_open(&o, &ds));
  if (ds) {
    CHECK(ds->captioned == 5 && strcmp(ds->records[3].caption, "r3") == 0);
    vd_dataset_destroy(ds);
  }
  // A label of another root still contains {class}/{image_path}: the reference's substring rule accepts it.
  char other[5][4096];
  for (int i = 0; i < 5; ++i) {
    snprintf(other[i], sizeof(other[i]), "/elsewhere/real_iad/%s", vdt_realiad_test[i]);
    lp[i] = other[i];
  }
  write_pair(dir, "test_captions_realiad_internvl_0_120000.json", caps, "test_labels_realiad_internvl_0_120000.json",
             lp, 5);
  CHECK_OK(vd_dataset_open(&o, &ds));
  vd_dataset_destroy(ds);
  lp[2] = vdt_realiad_test[1];
  write_pair(dir, "test_captions_realiad_internvl_0_120000.json", caps, "test_labels_realiad_internvl_0_120000.json",
             lp, 5);
  expect_error(vd_dataset_open(&o, &ds), VD_ERR_FORMAT, "entry 2", "must contain the record's {class}/{image_path}",
               "realiad misaligned");
  free(dir);
}

// ---- COCO-AD ----------------------------------------------------------------------------------------------

static void test_coco_captions(const char *root) {
  char *ann = vdt_path(root, "annotations");
  vd_dataset *ds = NULL;
  vd_dataset_options o;
  vd_dataset_options_default(&o);
  o.kind = VD_DATASET_COCO;
  o.root = root;
  o.captions = ann;
  o.coco_caption_suffix = "_internvl";
  CHECK_OK(vd_dataset_open(&o, &ds));
  if (ds) {
    CHECK(ds->captioned == 2);
    CHECK_MSG(strcmp(ds->records[0].caption, "A living room with a TV.") == 0, "joined: %s", ds->records[0].caption);
    CHECK(strcmp(ds->records[1].caption, "A brown bear.") == 0 && ds->records[2].caption[0] == '\0');
    CHECK(ds->records[0].has_caption && ds->records[1].has_caption && !ds->records[2].has_caption);
    CHECK(strstr(ds->captions_path, "annotations/captions_val2017_internvl.json") && !ds->labels_path);
    vd_dataset_destroy(ds);
  }
  char path[4096];
  CHECK_OK(vd_coco_captions_path(root, VD_SPLIT_TEST, "_internvl", path, sizeof(path)));
  CHECK(strstr(path, "/annotations/captions_val2017_internvl.json") != NULL);
  o.captions = path;  // the file itself
  CHECK_OK(vd_dataset_open(&o, &ds));
  if (ds) {
    CHECK(ds->captioned == 2 && strcmp(ds->records[0].caption, "A living room with a TV.") == 0);
    vd_dataset_destroy(ds);
  }
  o.captions = ann;
  o.coco_caption_suffix = NULL;
  expect_error(vd_dataset_open(&o, &ds), VD_ERR_NOT_FOUND, "annotations/captions_val2017.json does not exist", NULL,
               "coco gt captions absent");
  // Ids of other types never match; a matched annotation needs a string caption; the list must exist.
  char *file = vdt_path(g_base, "coco_caps.json");
  o.captions = file;
  vdt_write_json(file,
                 "{'annotations': [{'image_id': 139.0, 'caption': 'float id'}, {'image_id': null, 'caption': 'x'}, "
                 "{'image_id': [285], 'caption': 'x'}, {'image_id': '000000000632', 'caption': 'padded string'}, "
                 "{'image_id': 632, 'caption': 5}]}");
  expect_error(vd_dataset_open(&o, &ds), VD_ERR_FORMAT,
               "coco_caps.json:1:", "image 000000000632 has no string \"caption\"", "coco number caption");
  vdt_write_json(file,
                 "{'annotations': [{'image_id': 139.0, 'caption': 'float id'}, {'image_id': null, 'caption': 'x'}, "
                 "{'image_id': '000000000632', 'caption': 'padded string'}, {'image_id': 999, 'caption': 5}]}");
  CHECK_OK(vd_dataset_open(&o, &ds));
  if (ds) {
    CHECK(ds->captioned == 1 && strcmp(ds->records[2].caption, "padded string") == 0 && ds->records[0].caption[0] == 0);
    vd_dataset_destroy(ds);
  }
  vdt_write_json(file, "{'images': []}");
  expect_error(vd_dataset_open(&o, &ds), VD_ERR_FORMAT, "has no \"annotations\" list", NULL, "coco no annotations");
  vdt_write_json(file, "{'annotations': [{'caption': 'no id'}]}");
  expect_error(vd_dataset_open(&o, &ds), VD_ERR_FORMAT, "coco_caps.json:1:18", "no \"image_id\"", "coco no id");
  free(file);
  free(ann);
}

// ---- the writer ---------------------------------------------------------------------------------------------

typedef struct items {
  char *data;      // the file
  char *ptrs[64];  // NUL-terminated copies of each item
  size_t lens[64];
  size_t count;
} items;

// Reads a goldens .bin file: per item a 4-byte little-endian length, then the bytes.
static bool read_items(const char *name, items *out) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s", GOLDEN_DIR, name);
  size_t len = 0, pos = 0;
  memset(out, 0, sizeof(*out));
  out->data = read_file(path, &len);
  if (!out->data) return false;
  while (pos + 4 <= len && out->count < 64) {
    const uint8_t *p = (const uint8_t *)out->data + pos;
    size_t n = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
    if (pos + 4 + n > len) return false;
    char *s = malloc(n + 1);
    memcpy(s, p + 4, n);
    s[n] = '\0';
    out->ptrs[out->count] = s;
    out->lens[out->count++] = n;
    pos += 4 + n;
  }
  return pos == len;
}

static void free_items(items *it) {
  for (size_t i = 0; i < it->count; ++i) free(it->ptrs[i]);
  free(it->data);
}

static void check_golden(const char *name, const char *bytes, size_t len) {
  char path[4096];
  size_t glen = 0;
  snprintf(path, sizeof(path), "%s/%s", GOLDEN_DIR, name);
  char *golden = read_file(path, &glen);
  CHECK_MSG(golden != NULL, "golden %s missing", path);
  if (!golden) return;
  size_t at = 0;
  while (at < len && at < glen && bytes[at] == golden[at]) ++at;
  CHECK_MSG(len == glen && at == len, "%s: %zu bytes vs Python's %zu, first difference at %zu: ...%.40s vs ...%.40s",
            name, len, glen, at, bytes + (at < len ? at : len), golden + (at < glen ? at : glen));
  free(golden);
}

static void test_writer_goldens(void) {
  items in, dec;
  bool ok_in = read_items("inputs.bin", &in), ok_dec = read_items("decoded.bin", &dec);
  CHECK_MSG(ok_in && ok_dec && in.count == dec.count && in.count >= 10, "goldens inputs.bin/decoded.bin unreadable");
  if (!ok_in || !ok_dec) return;
  char *bytes;
  size_t len;
  CHECK_OK(vd_caption_json_encode((const char *const *)in.ptrs, in.count, false, &bytes, &len));
  check_golden("captions.json", bytes, len);
  free(bytes);
  CHECK_OK(vd_caption_json_encode((const char *const *)in.ptrs, in.count, true, &bytes, &len));
  check_golden("labels_lists.json", bytes, len);
  free(bytes);
  CHECK_OK(vd_caption_json_encode(NULL, 0, false, &bytes, &len));
  check_golden("empty.json", bytes, len);
  free(bytes);
  // Python's file read back: every string as Python decoded it (invalid bytes as U+FFFD).
  char path[4096];
  size_t n;
  snprintf(path, sizeof(path), "%s/captions.json", GOLDEN_DIR);
  char *text = read_file(path, &n);
  vd_arena *arena = vd_arena_create();
  vd_jpull j;
  vd_jpull_init(&j, text, n, path);
  bool has = false;
  size_t i = 0;
  CHECK_OK(vd_jpull_array_begin(&j));
  for (;; ++i) {
    vd_status st = vd_jpull_array_next(&j, &has);
    CHECK_OK(st);
    if (st || !has) break;
    const char *s;
    size_t slen;
    CHECK_OK(vd_jpull_string(&j, arena, &s, &slen));
    CHECK_MSG(i < dec.count && slen == dec.lens[i] && memcmp(s, dec.ptrs[i], slen) == 0, "item %zu read back: %s", i,
              s);
  }
  CHECK(i == dec.count);
  CHECK_OK(vd_jpull_finish(&j));
  vd_arena_destroy(arena);
  free(text);
  free_items(&in);
  free_items(&dec);
}

static void test_writer_names(void) {
  vd_caption_names n;
  CHECK_OK(vd_caption_names_make("mvtec", "internvl", "pd", VD_SPLIT_TEST, 0, 120000, &n));
  CHECK(strcmp(n.folder, "mvtec_captions_internvl_pd") == 0);
  CHECK(strcmp(n.captions, "test_captions_mvtec_internvl_0_120000.json") == 0);
  CHECK(strcmp(n.labels, "test_labels_mvtec_internvl_0_120000.json") == 0);
  CHECK_OK(vd_caption_names_make("realiad", "internvl2-1b", "pa", VD_SPLIT_TRAIN, 10000, 20000, &n));
  CHECK(strcmp(n.captions, "train_captions_realiad_internvl2-1b_10000_20000.json") == 0);
  CHECK(strcmp(n.labels, "train_labels_realiad_internvl2-1b_10000_20000.json") == 0);
  CHECK_ERR(vd_caption_names_make("mvtec", "../x", "pd", VD_SPLIT_TEST, 0, 1, &n), VD_ERR_INVALID_ARGUMENT);
}

static size_t count_tmp_files(const char *dir) {
  DIR *d = opendir(dir);
  size_t n = 0;
  for (struct dirent *e; d && (e = readdir(d)) != NULL;) n += strstr(e->d_name, ".tmp.") != NULL;
  if (d) closedir(d);
  return n;
}

// Captions written by the engine are read back through the dataset, aligned by the labels it wrote.
static void test_writer_round_trip(const char *mvtec_root, const char *coco_root) {
  char *index = vdt_path(g_base, "MVTec-AD/test.json");
  vd_dataset *ds = NULL;
  vd_dataset_options o;
  vd_dataset_options_default(&o);
  o.root = mvtec_root;
  o.index_path = index;
  CHECK_OK(vd_dataset_open(&o, &ds));
  if (!ds) return;
  const char *captions[8], *labels[8];
  char label_buf[8][512];
  const char *texts[] = {
      "\"quoted\" \\ back",       "tab\there", "line\nbreak", "caf\xc3\xa9", "\xf0\x9f\x8e\x89 party", "",
      "\xe6\xbc\xa2\xe5\xad\x97", "plain"};
  for (size_t i = 0; i < 8; ++i) {
    CHECK_OK(vd_dataset_caption_label(ds, &ds->records[i], label_buf[i], sizeof(label_buf[i])));
    labels[i] = label_buf[i];
    captions[i] = texts[i];
  }
  vd_dataset_destroy(ds);
  vd_caption_names names;
  CHECK_OK(vd_caption_names_make("mvtec", "internvl", "pd", VD_SPLIT_TEST, 0, 120000, &names));
  char *parent = vdt_path(g_base, "written/deeper");
  CHECK_OK(vd_caption_pair_write(parent, &names, captions, labels, 8, false));
  CHECK_OK(vd_caption_pair_write(parent, &names, captions, labels, 8, false));  // over existing files
  char *dir = vdt_path(parent, names.folder);
  CHECK(count_tmp_files(dir) == 0);
  o.captions = dir;
  CHECK_OK(vd_dataset_open(&o, &ds));
  if (ds) {
    CHECK(ds->captioned == 8);
    for (size_t i = 0; i < ds->count; ++i)
      CHECK_MSG(strcmp(ds->records[i].caption, texts[i]) == 0, "round trip %zu", i);
    vd_dataset_destroy(ds);
  }
  // COCO: labels as one-element lists of the unpadded id, as captioner.py writes them.
  o.kind = VD_DATASET_COCO;
  o.root = coco_root;
  o.index_path = NULL;
  o.captions = NULL;
  CHECK_OK(vd_dataset_open(&o, &ds));
  if (ds) {
    for (size_t i = 0; i < ds->count; ++i) {
      CHECK_OK(vd_dataset_caption_label(ds, &ds->records[i], label_buf[i], sizeof(label_buf[i])));
      labels[i] = label_buf[i];
    }
    CHECK_OK(vd_caption_names_make("coco", "internvl", "pd", VD_SPLIT_TEST, 0, 120000, &names));
    CHECK_OK(vd_caption_pair_write(parent, &names, texts, labels, ds->count, true));
    char *lpath = vdt_path(parent, "coco_captions_internvl_pd/test_labels_coco_internvl_0_120000.json");
    size_t n = 0;
    char *bytes = read_file(lpath, &n);
    CHECK_MSG(bytes && strcmp(bytes, "[[\"139\"], [\"285\"], [\"632\"]]") == 0, "coco labels %s", bytes ? bytes : "?");
    free(bytes);
    free(lpath);
    vd_dataset_destroy(ds);
  }
  // A parent that is a file: an error, nothing written.
  char *file = vdt_path(g_base, "a_file");
  vdt_write_text(file, "x");
  expect_error(vd_caption_pair_write(file, &names, texts, labels, 3, false), VD_ERR_IO, "a_file", NULL,
               "parent is a file");
  char *target = vdt_path(g_base, "single.json");
  CHECK_OK(vd_caption_file_write(target, "[]", 2));
  size_t n = 0;
  char *bytes = read_file(target, &n);
  CHECK(bytes && n == 2 && memcmp(bytes, "[]", 2) == 0);
  CHECK(count_tmp_files(g_base) == 0);
  free(bytes);
  free(target);
  free(file);
  free(dir);
  free(parent);
  free(index);
}

int main(void) {
  g_base = vdt_temp_dir("captions");
  char *mvtec = vdt_make_mvtec(g_base);
  char *visa = vdt_make_visa(g_base);
  char *realiad = vdt_make_realiad(g_base);
  char *coco = vdt_make_coco(g_base);
  test_mvtec_pair(mvtec);
  test_mvtec_refusals(mvtec);
  test_visa_pair(visa);
  test_realiad_pair(realiad);
  test_coco_captions(coco);
  test_writer_names();
  test_writer_goldens();
  test_writer_round_trip(mvtec, coco);
  vdt_remove_tree(g_base);
  free(mvtec);
  free(visa);
  free(realiad);
  free(coco);
  free(g_base);
  return vdt_finish("test_captions");
}
