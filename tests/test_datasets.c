// The dataset readers on miniature datasets in the real layouts (tests/vdtest_datasets.c): records, order,
// classes, labels, mask rules, class selection, the up-front file check, malformed and missing index files,
// and a Real-IAD-sized split (10^5 records) read in one pass.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "anomaly/arena.h"
#include "anomaly/dataset.h"
#include "vdtest.h"
#include "vdtest_datasets.h"

static char *g_base;  // the test's temporary folder

// ---- helpers ---------------------------------------------------------------------------------------------

static vd_status open_ds(vd_dataset_kind kind, vd_split split, const char *root, const char *index,
                         const char *const *classes, int class_count, vd_dataset **out) {
  vd_dataset_options o;
  vd_dataset_options_default(&o);
  o.kind = kind;
  o.split = split;
  o.root = root;
  o.index_path = index;
  o.classes = classes;
  o.class_count = class_count;
  return vd_dataset_open(&o, out);
}

// Checks code and that the message holds each of the (up to three) substrings; frees st.
static void expect_error(vd_status st, vd_status_code code, const char *a, const char *b, const char *c,
                         const char *where) {
  const char *msg = vd_status_message(st);
  if (getenv("VDT_SHOW_ERRORS")) printf("[%s] %s\n", where, msg);
  CHECK_MSG(vd_status_code_of(st) == code, "%s: expected %s, got %s (%s)", where, vd_status_code_name(code),
            vd_status_code_name(vd_status_code_of(st)), msg);
  const char *need[3] = {a, b, c};
  for (int i = 0; i < 3; ++i)
    if (need[i]) CHECK_MSG(strstr(msg, need[i]) != NULL, "%s: message lacks \"%s\": %s", where, need[i], msg);
  vd_status_free(st);
}

static size_t count_of(const char *const *list) {
  size_t n = 0;
  while (list[n]) ++n;
  return n;
}

static void check_order(const vd_dataset *ds, const char *const *expected, const char *where) {
  size_t n = count_of(expected);
  CHECK_MSG(ds->count == n, "%s: %zu records, expected %zu", where, ds->count, n);
  for (size_t i = 0; i < n && i < ds->count; ++i)
    CHECK_MSG(strcmp(ds->records[i].rel_path, expected[i]) == 0, "%s: record %zu is %s, expected %s", where, i,
              ds->records[i].rel_path, expected[i]);
}

// path == root + "/" + rel_path, and rel_path is its suffix; the same for the mask.
static void check_paths(const vd_dataset *ds, const char *where) {
  size_t lroot = strlen(ds->root);
  for (size_t i = 0; i < ds->count; ++i) {
    const vd_dataset_record *r = &ds->records[i];
    CHECK_MSG(strncmp(r->path, ds->root, lroot) == 0 && r->path[lroot] == '/' && r->rel_path == r->path + lroot + 1,
              "%s: record %zu path %s", where, i, r->path);
    CHECK_MSG(strcmp(r->class_name, ds->class_names[r->class_index]) == 0, "%s: record %zu class", where, i);
    CHECK_MSG(r->caption && r->caption[0] == '\0', "%s: record %zu has a caption without captions", where, i);
    if (r->mask_kind == VD_MASK_FILE)
      CHECK_MSG(r->mask_path && r->mask_rel_path == r->mask_path + lroot + 1, "%s: record %zu mask path", where, i);
    else CHECK_MSG(!r->mask_path && !r->mask_rel_path, "%s: record %zu has a mask path without a mask file", where, i);
  }
}

static char *base_path(const char *rel) { return vdt_path(g_base, rel); }

static void write_at(const char *rel, const char *json_single_quoted) {
  char *p = base_path(rel);
  vdt_write_json(p, json_single_quoted);
  free(p);
}

// ---- MVTec AD --------------------------------------------------------------------------------------------------

static const char *const two_mvtec[] = {"bottle", "zipper"};

static void test_mvtec_index(const char *root) {
  char *index = base_path("MVTec-AD/test.json");
  vd_dataset *ds = NULL;
  CHECK_OK(open_ds(VD_DATASET_MVTEC, VD_SPLIT_TEST, root, index, NULL, 0, &ds));
  if (!ds) return;
  check_order(ds, vdt_mvtec_test_index, "mvtec index test");
  check_paths(ds, "mvtec index test");
  CHECK(ds->class_count == 15 && strcmp(ds->class_names[0], "bottle") == 0 &&
        strcmp(ds->class_names[14], "zipper") == 0);
  CHECK(ds->class_records[0] == 5 && ds->class_records[14] == 3 && ds->class_records[1] == 0);
  CHECK(ds->index_path && strcmp(ds->index_path, index) == 0);
  const int labels[] = {1, 1, 0, 1, 1, 0, 0, 1};
  const vd_mask_kind masks[] = {VD_MASK_FILE, VD_MASK_FILE,  VD_MASK_ZEROS, VD_MASK_FILE,
                                VD_MASK_ONES, VD_MASK_ZEROS, VD_MASK_ZEROS, VD_MASK_FILE};
  for (size_t i = 0; i < ds->count && i < 8; ++i) {
    const vd_dataset_record *r = &ds->records[i];
    CHECK_MSG(r->label == labels[i] && r->mask_kind == masks[i], "mvtec record %zu: label %d mask %d", i, r->label,
              (int)r->mask_kind);
    CHECK_MSG(strcmp(r->key, r->rel_path) == 0, "mvtec record %zu key %s", i, r->key);
    CHECK(r->class_index == (i < 3 ? 14 : 0));
  }
  if (ds->count == 8) {
    CHECK(strcmp(ds->records[0].mask_rel_path, "zipper/ground_truth/squeezed_teeth/001_mask.png") == 0);
    CHECK(strcmp(ds->records[7].mask_rel_path, "bottle/ground_truth/contamination/000_mask.png") == 0);
  }
  vd_dataset_destroy(ds);
  free(index);

  index = base_path("MVTec-AD/train.json");
  CHECK_OK(open_ds(VD_DATASET_MVTEC, VD_SPLIT_TRAIN, root, index, NULL, 0, &ds));
  if (ds) {
    CHECK(ds->count == 5 && strcmp(ds->records[0].rel_path, "zipper/train/good/001.png") == 0);
    for (size_t i = 0; i < ds->count; ++i)
      CHECK(ds->records[i].label == 0 && ds->records[i].mask_kind == VD_MASK_ZEROS);
    vd_dataset_destroy(ds);
  }
  free(index);
}

static void test_mvtec_scan(const char *root) {
  vd_dataset *ds = NULL;
  CHECK_OK(open_ds(VD_DATASET_MVTEC, VD_SPLIT_TEST, root, NULL, two_mvtec, 2, &ds));
  if (ds) {
    check_order(ds, vdt_mvtec_test_scan, "mvtec scan test");
    check_paths(ds, "mvtec scan test");
    CHECK(ds->index_path == NULL);
    for (size_t i = 0; i < ds->count; ++i) {
      const vd_dataset_record *r = &ds->records[i];
      bool good = strstr(r->rel_path, "/good/") != NULL;
      CHECK_MSG(r->label == !good && r->mask_kind == (good ? VD_MASK_ZEROS : VD_MASK_FILE), "scan record %zu", i);
    }
    CHECK(strcmp(ds->records[0].mask_rel_path, "bottle/ground_truth/broken_large/000_mask.png") == 0);
    vd_dataset_destroy(ds);
  }
  CHECK_OK(open_ds(VD_DATASET_MVTEC, VD_SPLIT_TRAIN, root, NULL, two_mvtec, 2, &ds));
  if (ds) {
    check_order(ds, vdt_mvtec_train_scan, "mvtec scan train");
    vd_dataset_destroy(ds);
  }
  // Without a selection every class needs a folder; with one, only the selected ones.
  expect_error(open_ds(VD_DATASET_MVTEC, VD_SPLIT_TEST, root, NULL, NULL, 0, &ds), VD_ERR_NOT_FOUND, "cable",
               "transistor", "--classes", "mvtec scan of 2 of 15 classes");
  const char *const with_missing[] = {"zipper", "wood"};
  expect_error(open_ds(VD_DATASET_MVTEC, VD_SPLIT_TEST, root, NULL, with_missing, 2, &ds), VD_ERR_NOT_FOUND, "wood",
               NULL, NULL, "mvtec scan of a selected class without a folder");
  const char *const zipper[] = {"zipper"};
  CHECK_OK(open_ds(VD_DATASET_MVTEC, VD_SPLIT_TEST, root, NULL, zipper, 1, &ds));
  if (ds) {
    CHECK(ds->count == 3 && strcmp(ds->records[0].rel_path, "zipper/test/good/000.png") == 0);
    vd_dataset_destroy(ds);
  }
}

static void test_mvtec_selection(const char *root) {
  char *index = base_path("MVTec-AD/test.json");
  vd_dataset *ds = NULL;
  const char *const zipper[] = {"zipper"};
  CHECK_OK(open_ds(VD_DATASET_MVTEC, VD_SPLIT_TEST, root, index, zipper, 1, &ds));
  if (ds) {
    CHECK(ds->count == 3 && ds->class_records[14] == 3 && ds->class_records[0] == 0);
    for (size_t i = 0; i < ds->count; ++i) CHECK(strcmp(ds->records[i].class_name, "zipper") == 0);
    CHECK(strcmp(ds->records[0].rel_path, vdt_mvtec_test_index[0]) == 0);
    vd_dataset_destroy(ds);
  }
  const char *const typo[] = {"zipper", "bottel"};
  expect_error(open_ds(VD_DATASET_MVTEC, VD_SPLIT_TEST, root, index, typo, 2, &ds), VD_ERR_INVALID_ARGUMENT,
               "\"bottel\"", "bottle, cable, capsule, carpet", "zipper", "unknown mvtec class");
  expect_error(open_ds(VD_DATASET_MVTEC, VD_SPLIT_TEST, root, NULL, typo, 2, &ds), VD_ERR_INVALID_ARGUMENT,
               "\"bottel\"", NULL, NULL, "unknown mvtec class, scan");
  free(index);
}

static void test_mvtec_missing_files(const char *root) {
  char *index = base_path("MVTec-AD/test.json");
  char *mask = vdt_path(root, "bottle/ground_truth/contamination/000_mask.png");
  char *image = vdt_path(root, "zipper/test/good/000.png");
  unlink(mask);
  unlink(image);
  vd_dataset *ds = NULL;
  expect_error(open_ds(VD_DATASET_MVTEC, VD_SPLIT_TEST, root, index, NULL, 0, &ds), VD_ERR_NOT_FOUND,
               "bottle/ground_truth/contamination/000_mask.png (mask of anomalous record 7: the index names it, the "
               "file is missing)",
               "zipper/test/good/000.png (image of record 2)", "2 of 12 files", "missing mask and image");
  vd_dataset_options o;
  vd_dataset_options_default(&o);
  o.root = root;
  o.index_path = index;
  o.skip_file_check = true;
  CHECK_OK(vd_dataset_open(&o, &ds));
  if (ds) {
    CHECK(ds->count == 8);
    CHECK_ERR(vd_dataset_check_files(ds), VD_ERR_NOT_FOUND);
    vd_dataset_destroy(ds);
  }
  vdt_write_image(mask, 255);
  vdt_write_image(image, 100);
  // Many missing files: the first VD_DATASET_MISSING_SHOWN are named, the rest counted.
  char lines[4096] = "";
  for (int i = 0; i < 14; ++i) {
    char line[160];
    snprintf(line, sizeof(line), "{'filename': 'bottle/test/good/%03d_gone.png', 'label': 0, 'clsname': 'bottle'}\n",
             i);
    strcat(lines, line);
  }
  write_at("gone.json", lines);
  char *gone = base_path("gone.json");
  expect_error(open_ds(VD_DATASET_MVTEC, VD_SPLIT_TEST, root, gone, NULL, 0, &ds), VD_ERR_NOT_FOUND, "14 of 14 files",
               "009_gone.png", "... and 4 more", "many missing files");
  free(gone);
  free(mask);
  free(image);
  free(index);
}

typedef struct bad_index {
  const char *name;    // what it tests
  const char *text;    // the index (single quotes for double)
  const char *needs;   // a piece of the message
  const char *needs2;  // another, or NULL
} bad_index;

static void test_mvtec_malformed(const char *root) {
  static const bad_index cases[] = {
      {"syntax",
       "{'filename': 'bottle/test/good/000.png', 'label': 0, 'clsname': 'bottle'}\n{'filename': 'x', 'label': 0 "
       "'clsname': 'bottle'}\n",
       "bad.json:2:", "expected ',' or '}'"},
      {"no filename", "{'label': 0, 'clsname': 'bottle'}\n", "bad.json:1:1", "no \"filename\""},
      {"no clsname", "\n\n{'filename': 'a.png', 'label': 0}\n", "bad.json:3:", "no \"clsname\""},
      {"label 2", "{'filename': 'a.png', 'label': 2, 'clsname': 'bottle'}\n", "bad.json:1:", "must be 0 or 1"},
      {"label string", "{'filename': 'a.png', 'label': '1', 'clsname': 'bottle'}\n",
       "bad.json:1:", "expected a number"},
      {"no label", "{'filename': 'a.png', 'clsname': 'bottle'}\n", "bad.json:1:", "must be 0 or 1"},
      {"unknown class", "{'filename': 'a.png', 'label': 0, 'clsname': 'bottles'}\n", "not an MVTec AD class", "zipper"},
      {"two per line", "{'filename': 'a.png', 'label': 0, 'clsname': 'bottle'} {'filename': 'b.png'}\n",
       "bad.json:1:", "one JSON value per line"},
      {"not an object", "['a.png']\n", "bad.json:1:1", "expected an object"},
      {"unterminated", "{'filename': 'a.png\n", "bad.json:1:", "unterminated string"},
      {"trailing comma", "{'filename': 'a.png', 'label': 0, 'clsname': 'bottle',}\n", "bad.json:1:", "string key"},
      {"invalid utf-8", "{'filename': 'a\xff.png', 'label': 0, 'clsname': 'bottle'}\n", "bad.json:1:", "invalid UTF-8"},
      {"empty", "\n  \n", "holds no records", NULL},
  };
  char *bad = base_path("bad.json");
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
    vd_dataset *ds = NULL;
    vdt_write_json(bad, cases[i].text);
    expect_error(open_ds(VD_DATASET_MVTEC, VD_SPLIT_TEST, root, bad, NULL, 0, &ds), VD_ERR_FORMAT, cases[i].needs,
                 cases[i].needs2, bad, cases[i].name);
    CHECK(ds == NULL);
  }
  vd_dataset *ds = NULL;
  char *none = base_path("MVTec-AD/nonexistent.json");
  expect_error(open_ds(VD_DATASET_MVTEC, VD_SPLIT_TEST, root, none, NULL, 0, &ds), VD_ERR_NOT_FOUND, "MVTec AD index",
               none, "does not exist", "missing index");
  char *gone_root = base_path("no_such_root");
  expect_error(open_ds(VD_DATASET_MVTEC, VD_SPLIT_TEST, gone_root, NULL, NULL, 0, &ds), VD_ERR_NOT_FOUND, gone_root,
               "does not exist", NULL, "missing root");
  expect_error(open_ds(VD_DATASET_MVTEC, VD_SPLIT_TEST, bad, NULL, NULL, 0, &ds), VD_ERR_NOT_FOUND, "not a folder",
               NULL, NULL, "root is a file");
  free(gone_root);
  free(none);
  free(bad);
}

// ---- VisA ------------------------------------------------------------------------------------------------------

static void test_visa(const char *root) {
  vd_dataset *ds = NULL;
  CHECK_OK(open_ds(VD_DATASET_VISA, VD_SPLIT_TEST, root, NULL, NULL, 0, &ds));
  if (ds) {
    check_order(ds, vdt_visa_test, "visa test");
    check_paths(ds, "visa test");
    const int labels[] = {1, 0, 1, 1, 0};
    const vd_mask_kind masks[] = {VD_MASK_FILE, VD_MASK_ZEROS, VD_MASK_FILE, VD_MASK_ONES, VD_MASK_ZEROS};
    for (size_t i = 0; i < ds->count && i < 5; ++i) {
      const vd_dataset_record *r = &ds->records[i];
      CHECK_MSG(r->label == labels[i] && r->mask_kind == masks[i], "visa record %zu", i);
      CHECK(strcmp(r->key, vdt_visa_test[i]) == 0);
      CHECK(r->class_index == (strncmp(r->rel_path, "pcb1", 4) == 0 ? 7 : 0));
    }
    CHECK(ds->class_count == 12 && strcmp(ds->class_names[11], "pipe_fryum") == 0);
    CHECK(strstr(ds->index_path, "/split_csv/1cls.csv") != NULL);
    vd_dataset_destroy(ds);
  }
  CHECK_OK(open_ds(VD_DATASET_VISA, VD_SPLIT_TRAIN, root, NULL, NULL, 0, &ds));
  if (ds) {
    check_order(ds, vdt_visa_train, "visa train");
    vd_dataset_destroy(ds);
  }
  const char *const pcb[] = {"pcb1"};
  CHECK_OK(open_ds(VD_DATASET_VISA, VD_SPLIT_TEST, root, NULL, pcb, 1, &ds));
  if (ds) {
    CHECK(ds->count == 2 && ds->class_records[7] == 2);
    vd_dataset_destroy(ds);
  }
  const char *const typo[] = {"pcb5"};
  expect_error(open_ds(VD_DATASET_VISA, VD_SPLIT_TEST, root, NULL, typo, 1, &ds), VD_ERR_INVALID_ARGUMENT, "pcb5",
               "candle, capsules", "pipe_fryum", "unknown visa class");
}

static void test_visa_malformed(const char *root) {
  static const bad_index cases[] = {
      {"header", "object,split,label,image\ncandle,test,normal,a.JPG\n", "the header is \"object,split,label,image\"",
       NULL},
      {"header extra", "object,split,label,image,mask,x\n", "object,split,label,image,mask,...", NULL},
      {"four fields", "object,split,label,image,mask\ncandle,test,normal,a.JPG,\n\ncandle,test,normal,b.JPG\n",
       "bad.csv:4: 4 fields, expected 5", NULL},
      {"label", "object,split,label,image,mask\ncandle,test,good,a.JPG,\n", "bad.csv:2: label \"good\"", NULL},
      {"object", "object,split,label,image,mask\ncandles,test,normal,a.JPG,\n", "bad.csv:2:", "not a VisA class"},
      {"quote", "object,split,label,image,mask\ncandle,test,normal,\"a.JPG,\n", "bad.csv:2: unterminated", NULL},
      {"utf-8", "object,split,label,image,mask\ncandle,test,normal,a\xc3.JPG,\n", "bad.csv:2: invalid UTF-8", NULL},
      {"empty image", "object,split,label,image,mask\ncandle,test,normal,,\n", "bad.csv:2: the image column is empty",
       NULL},
      {"no rows", "object,split,label,image,mask\ncandle,train,normal,a.JPG,\n", "has no test rows", NULL},
      {"empty", "", "is empty", NULL},
  };
  char *bad = base_path("bad.csv");
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
    vd_dataset *ds = NULL;
    vdt_write_text(bad, cases[i].text);
    expect_error(open_ds(VD_DATASET_VISA, VD_SPLIT_TEST, root, bad, NULL, 0, &ds), VD_ERR_FORMAT, cases[i].needs,
                 cases[i].needs2, bad, cases[i].name);
  }
  free(bad);
  vd_dataset *ds = NULL;
  char *none = base_path("visa.csv");
  expect_error(open_ds(VD_DATASET_VISA, VD_SPLIT_TEST, root, none, NULL, 0, &ds), VD_ERR_NOT_FOUND, "VisA split", none,
               "does not exist", "missing csv");
  free(none);
  expect_error(open_ds(VD_DATASET_VISA, VD_SPLIT_TEST, g_base, NULL, NULL, 0, &ds), VD_ERR_NOT_FOUND,
               "split_csv/1cls.csv does not exist", NULL, NULL, "no default csv");
  char *image = vdt_path(root, "candle/Data/Images/Normal/0002.JPG");
  unlink(image);
  expect_error(open_ds(VD_DATASET_VISA, VD_SPLIT_TEST, root, NULL, NULL, 0, &ds), VD_ERR_NOT_FOUND,
               "candle/Data/Images/Normal/0002.JPG (image of record 1)", NULL, NULL, "visa missing image");
  vdt_write_image(image, 0);
  free(image);
}

// ---- Real-IAD --------------------------------------------------------------------------------------------------

static void test_realiad(const char *root) {
  vd_dataset *ds = NULL;
  CHECK_OK(open_ds(VD_DATASET_REALIAD, VD_SPLIT_TEST, root, NULL, NULL, 0, &ds));
  if (ds) {
    check_order(ds, vdt_realiad_test, "realiad test");
    check_paths(ds, "realiad test");
    CHECK(ds->class_count == 2 && strcmp(ds->class_names[0], "audiojack") == 0 &&
          strcmp(ds->class_names[1], "bottle_cap") == 0);
    const int labels[] = {0, 1, 0, 1, 0};
    for (size_t i = 0; i < ds->count && i < 5; ++i) {
      const vd_dataset_record *r = &ds->records[i];
      CHECK_MSG(r->label == labels[i] && r->mask_kind == (labels[i] ? VD_MASK_FILE : VD_MASK_ZEROS), "realiad %zu", i);
      CHECK(strcmp(r->key, r->rel_path) == 0 && r->class_index == (i < 3 ? 0 : 1));
    }
    if (ds->count == 5)
      CHECK(strcmp(ds->records[1].mask_rel_path, "audiojack/NG/AK/S0102/audiojack_0102_NG_AK_C2_20231021.png") == 0);
    CHECK(strstr(ds->index_path, "/../real_iad_jsons/realiad_jsons") != NULL);
    vd_dataset_destroy(ds);
  }
  CHECK_OK(open_ds(VD_DATASET_REALIAD, VD_SPLIT_TRAIN, root, NULL, NULL, 0, &ds));
  if (ds) {
    CHECK(ds->count == 2 &&
          strcmp(ds->records[1].rel_path, "bottle_cap/OK/S0004/bottle_cap_0004_OK_C1_20231022.jpg") == 0);
    vd_dataset_destroy(ds);
  }
  const char *const cap[] = {"bottle_cap"};
  CHECK_OK(open_ds(VD_DATASET_REALIAD, VD_SPLIT_TEST, root, NULL, cap, 1, &ds));
  if (ds) {
    CHECK(ds->count == 2 && ds->class_records[0] == 0 && ds->class_records[1] == 2);
    vd_dataset_destroy(ds);
  }
  const char *const typo[] = {"audio_jack"};
  expect_error(open_ds(VD_DATASET_REALIAD, VD_SPLIT_TEST, root, NULL, typo, 1, &ds), VD_ERR_INVALID_ARGUMENT,
               "audio_jack", "audiojack, bottle_cap", NULL, "unknown realiad class");
}

static void test_realiad_malformed(const char *root) {
  vd_dataset *ds = NULL;
  // An entry of the root whose class has no JSON (the class list is the listing).
  char *stray = vdt_path(root, "notes.v2.txt");
  vdt_write_text(stray, "x");
  expect_error(open_ds(VD_DATASET_REALIAD, VD_SPLIT_TEST, root, NULL, NULL, 0, &ds), VD_ERR_NOT_FOUND,
               "Real-IAD class \"notes\"", "notes.json does not exist", NULL, "realiad stray entry");
  unlink(stray);
  free(stray);
  // The JSON folder given as the index: malformed class files.
  static const bad_index cases[] = {
      {"no mask",
       "{'test': [{'anomaly_class': 'OK', 'image_path': 'a.jpg'},\n {'anomaly_class': 'AK', 'image_path': "
       "'b.jpg', 'mask_path': null}]}",
       "audiojack.json:2:2", "anomalous record b.jpg (AK) has no \"mask_path\""},
      {"no split", "{'train': []}", "no \"test\" list", NULL},
      {"no image", "{'test': [{'anomaly_class': 'OK'}]}", "audiojack.json:1:11", "no \"image_path\""},
      {"no class", "{'test': [{'image_path': 'a.jpg'}]}", "no \"anomaly_class\"", NULL},
      {"trailing", "{'test': []} x", "expected the end of the file", NULL},
      {"number path", "{'test': [{'image_path': 5}]}", "expected a string", NULL},
  };
  char *folder = base_path("realiad_bad");
  char *audio = vdt_path(folder, "audiojack.json");
  char *bottle = vdt_path(folder, "bottle_cap.json");
  vdt_write_json(bottle, "{'test': []}");
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
    vdt_write_json(audio, cases[i].text);
    expect_error(open_ds(VD_DATASET_REALIAD, VD_SPLIT_TEST, root, folder, NULL, 0, &ds), VD_ERR_FORMAT, cases[i].needs,
                 cases[i].needs2, NULL, cases[i].name);
  }
  // A repeated split key: the last list wins, as in Python.
  vdt_write_json(audio,
                 "{'test': [{'anomaly_class': 'OK', 'image_path': 'x.jpg'}], 'test': [{'anomaly_class': 'OK', "
                 "'image_path': 'OK/S0001/audiojack_0001_OK_C1_20231021.jpg'}]}");
  CHECK_OK(open_ds(VD_DATASET_REALIAD, VD_SPLIT_TEST, root, folder, NULL, 0, &ds));
  if (ds) {
    CHECK(ds->count == 1 && strcmp(ds->records[0].rel_path, vdt_realiad_test[0]) == 0);
    vd_dataset_destroy(ds);
  }
  // Both class files exist but hold no test records.
  vdt_write_json(audio, "{'test': []}");
  expect_error(open_ds(VD_DATASET_REALIAD, VD_SPLIT_TEST, root, folder, NULL, 0, &ds), VD_ERR_NOT_FOUND,
               "no test records", NULL, NULL, "realiad empty");
  free(audio);
  free(bottle);
  free(folder);
}

// ---- COCO-AD ---------------------------------------------------------------------------------------------------

static vd_status open_coco(const char *root, vd_split split, int part, const char *index, vd_dataset **out) {
  vd_dataset_options o;
  vd_dataset_options_default(&o);
  o.kind = VD_DATASET_COCO;
  o.split = split;
  o.root = root;
  o.coco_part = part;
  o.index_path = index;
  return vd_dataset_open(&o, out);
}

static void test_coco(const char *root) {
  vd_dataset *ds = NULL;
  CHECK_OK(open_coco(root, VD_SPLIT_TEST, 0, NULL, &ds));
  if (ds) {
    check_order(ds, vdt_coco_test_part0, "coco part 0 test");
    check_paths(ds, "coco part 0 test");
    const char *keys[] = {"000000000139", "000000000285", "000000000632"};
    for (size_t i = 0; i < ds->count && i < 3; ++i) {
      CHECK(strcmp(ds->records[i].key, keys[i]) == 0);
      CHECK(ds->records[i].label == (i == 1) && ds->records[i].mask_kind == (i == 1 ? VD_MASK_FILE : VD_MASK_ZEROS));
      CHECK(strcmp(ds->records[i].class_name, "coco") == 0);
    }
    char label[64];
    CHECK_OK(vd_dataset_caption_label(ds, &ds->records[0], label, sizeof(label)));
    CHECK(strcmp(label, "139") == 0);
    CHECK(ds->class_count == 1 && ds->class_records[0] == 3);
    CHECK(strstr(ds->index_path, "meta_20_0.json") != NULL);
    vd_dataset_destroy(ds);
  }
  CHECK_OK(open_coco(root, VD_SPLIT_TEST, 1, NULL, &ds));
  if (ds) {
    CHECK(ds->count == 1 && ds->records[0].label == 1 &&
          strcmp(ds->records[0].mask_rel_path, "val2017_mask_ad_20_1/000000000632.png") == 0);
    vd_dataset_destroy(ds);
  }
  CHECK_OK(open_coco(root, VD_SPLIT_TRAIN, 0, NULL, &ds));
  if (ds) {
    CHECK(ds->count == 2 && ds->records[1].label == 0);
    vd_dataset_destroy(ds);
  }
  expect_error(open_coco(root, VD_SPLIT_TRAIN, 1, NULL, &ds), VD_ERR_NOT_FOUND, "no train records", NULL, NULL,
               "coco empty train");
  expect_error(open_coco(root, VD_SPLIT_TEST, 4, NULL, &ds), VD_ERR_INVALID_ARGUMENT, "part 4", NULL, NULL,
               "coco part 4");
  expect_error(open_coco(root, VD_SPLIT_TEST, 2, NULL, &ds), VD_ERR_NOT_FOUND, "meta_20_2.json does not exist", NULL,
               NULL, "coco missing meta");
  const char *const upper[] = {"COCO"};
  expect_error(open_ds(VD_DATASET_COCO, VD_SPLIT_TEST, root, NULL, upper, 1, &ds), VD_ERR_INVALID_ARGUMENT,
               "the classes are: coco", NULL, NULL, "coco class");
  static const bad_index cases[] = {
      {"no coco", "{'test': {'visa': []}}", "no \"coco\" list in \"test\"", NULL},
      {"no test", "{'train': {'coco': []}}", "no \"test\" entry", NULL},
      {"no mask", "{'test': {'coco': [{'img_path': 'val2017/000000000139.jpg', 'anomaly': 1, 'mask_path': ''}]}}",
       "meta.json:1:20", "anomalous record val2017/000000000139.jpg has no \"mask_path\""},
      {"anomaly 3", "{'test': {'coco': [{'img_path': 'a.jpg', 'anomaly': 3}]}}", "\"anomaly\" must be 0 or 1", NULL},
      {"cls_name", "{'test': {'coco': [{'img_path': 'a.jpg', 'anomaly': 0, 'cls_name': 'cat'}]}}", "is not \"coco\"",
       NULL},
      {"not json", "{'test': {'coco': [}}", "meta.json:1:", "expected a value"},
      {"deep",
       "{'test': {'coco': [{'img_path': 'a.jpg', 'anomaly': 0, 'x': "
       "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
       "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]}]}}",
       "nested deeper than 128", NULL},
  };
  char *meta = base_path("meta.json");
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
    vdt_write_json(meta, cases[i].text);
    expect_error(open_coco(root, VD_SPLIT_TEST, 0, meta, &ds), VD_ERR_FORMAT, cases[i].needs, cases[i].needs2, NULL,
                 cases[i].name);
  }
  free(meta);
}

// ---- scale ----------------------------------------------------------------------------------------------------

// 10^5 Real-IAD test records (3 classes) read in one pass: one arena, geometric record growth.
static void test_realiad_large(void) {
  enum { CLASSES = 3, PER_CLASS = 34000 };
  char *base = vdt_temp_dir("realiad-large");
  char *root = vdt_path(base, "real_iad");
  const char *names[CLASSES] = {"pcb", "switch", "usb"};
  size_t cap = (size_t)PER_CLASS * 200 + 64;
  char *text = malloc(cap);
  for (int c = 0; c < CLASSES && text; ++c) {
    char *dir = vdt_path(root, names[c]);
    vdt_write_text(dir, "");  // an entry of the root (a file is enough for the listing)
    size_t n = (size_t)snprintf(text, cap, "{\"train\": [], \"test\": [");
    for (int i = 0; i < PER_CLASS; ++i) {
      bool ng = i % 4 == 3;
      n += (size_t)snprintf(text + n, cap - n,
                            "%s{\"anomaly_class\": \"%s\", \"image_path\": \"%s/S%05d/%s_%05d_C%d.jpg\"%s%s%s}",
                            i ? ", " : "", ng ? "ZW" : "OK", ng ? "NG/ZW" : "OK", i / 5, names[c], i, i % 5 + 1,
                            ng ? ", \"mask_path\": \"NG/ZW/S" : "", ng ? "x" : "", ng ? ".png\"" : "");
    }
    snprintf(text + n, cap - n, "]}");
    char json[4096];
    snprintf(json, sizeof(json), "%s/real_iad_jsons/realiad_jsons/%s.json", base, names[c]);
    vdt_write_text(json, text);
    free(dir);
  }
  free(text);
  vd_dataset_options o;
  vd_dataset_options_default(&o);
  o.kind = VD_DATASET_REALIAD;
  o.root = root;
  o.skip_file_check = true;
  vd_dataset *ds = NULL;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  CHECK_OK(vd_dataset_open(&o, &ds));
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (ds) {
    CHECK(ds->count == (size_t)CLASSES * PER_CLASS);
    CHECK(ds->class_records[1] == PER_CLASS && ds->records[PER_CLASS].class_index == 1);
    CHECK(ds->records[3].label == 1 && ds->records[3].mask_kind == VD_MASK_FILE);
    CHECK(strcmp(ds->records[PER_CLASS + 7].rel_path, "switch/NG/ZW/S00001/switch_00007_C3.jpg") == 0);
    double per_record = (double)vd_arena_used(ds->arena) / (double)ds->count;
    size_t lroot = strlen(ds->root);
    vdt_note("arena bytes per record beyond 1.25 root paths", per_record - 1.25 * (double)lroot, 96.0, "realiad 10^5");
    CHECK_MSG(per_record < 1.25 * (double)lroot + 96.0, "arena %.0f bytes per record (root %zu bytes)", per_record,
              lroot);
    printf("Real-IAD %zu records read in %.3f s, %.0f arena bytes per record\n", ds->count,
           (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec), per_record);
    vd_dataset_destroy(ds);
  }
  vdt_remove_tree(base);
  free(root);
  free(base);
}

// ---- mutated index files -------------------------------------------------------------------------------------

static char *slurp(const char *path, size_t *out_len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *data = malloc(1 << 16);
  *out_len = data ? fread(data, 1, (1 << 16) - 1, f) : 0;
  fclose(f);
  return data;
}

// Random edits of each layout's real index file, read through vd_dataset_open: a dataset or an error with a
// message, never a crash (ASan runs this).
static void test_mutated_indexes(const char *mvtec, const char *visa, const char *realiad, const char *coco) {
  char *mvtec_index = base_path("MVTec-AD/test.json"), *visa_csv = vdt_path(visa, "split_csv/1cls.csv");
  char *realiad_json = base_path("real_iad_jsons/realiad_jsons/audiojack.json"),
       *coco_meta = vdt_path(coco, "meta_20_0.json");
  const struct {
    vd_dataset_kind kind;  // layout
    const char *root;      // its root
    const char *file;      // the index file edited
  } layouts[] = {{VD_DATASET_MVTEC, mvtec, mvtec_index},
                 {VD_DATASET_VISA, visa, visa_csv},
                 {VD_DATASET_REALIAD, realiad, realiad_json},
                 {VD_DATASET_COCO, coco, coco_meta}};
  vdt_rng rng = {0xda7aULL};
  int opened = 0, refused = 0;
  for (size_t l = 0; l < 4; ++l) {
    size_t len = 0;
    char *orig = slurp(layouts[l].file, &len);
    char *buf = malloc(len + 64);
    for (int round = 0; orig && buf && round < 250; ++round) {
      memcpy(buf, orig, len);
      size_t n = len;
      for (int k = 0; k < 1 + round % 3 && n > 0; ++k) {
        size_t at = (size_t)vdt_uniform(&rng, 0, (double)n);
        int op = (int)vdt_uniform(&rng, 0, 3);
        char c = "{}[]\",:\n\\x0\xff"[(int)vdt_uniform(&rng, 0, 13)];
        if (op == 0) buf[at] = c;
        else if (op == 1) memmove(buf + at, buf + at + 1, n-- - at - 1);
        else n = at;
      }
      vdt_write_bytes(layouts[l].file, buf, n);
      vd_dataset_options o;
      vd_dataset_options_default(&o);
      o.kind = layouts[l].kind;
      o.root = layouts[l].root;
      o.index_path = layouts[l].kind == VD_DATASET_MVTEC ? mvtec_index : NULL;
      o.skip_file_check = true;
      vd_dataset *ds = NULL;
      vd_status st = vd_dataset_open(&o, &ds);
      CHECK_MSG(st ? ds == NULL && strlen(vd_status_message(st)) > 10 : ds != NULL, "mutant %d of %s", round,
                layouts[l].file);
      for (size_t i = 0; ds && i < ds->count; ++i)
        CHECK(ds->records[i].path && ds->records[i].key && ds->records[i].class_name);
      opened += st == NULL;
      refused += st != NULL;
      vd_status_free(st);
      vd_dataset_destroy(ds);
    }
    if (orig) vdt_write_bytes(layouts[l].file, orig, len);
    free(orig);
    free(buf);
  }
  printf("mutated index files: %d opened, %d refused\n", opened, refused);
  CHECK(opened > 0 && refused > 0);
  free(mvtec_index);
  free(visa_csv);
  free(realiad_json);
  free(coco_meta);
}

// ---- names ----------------------------------------------------------------------------------------------------

static void test_names(void) {
  vd_dataset_kind k;
  vd_split s;
  CHECK_OK(vd_dataset_kind_parse("realiad", &k));
  CHECK(k == VD_DATASET_REALIAD && strcmp(vd_dataset_kind_name(k), "realiad") == 0);
  CHECK_ERR(vd_dataset_kind_parse("real_iad", &k), VD_ERR_INVALID_ARGUMENT);
  CHECK_OK(vd_split_parse("train", &s));
  CHECK(s == VD_SPLIT_TRAIN && strcmp(vd_split_name(VD_SPLIT_TEST), "test") == 0);
  CHECK_ERR(vd_split_parse("val", &s), VD_ERR_INVALID_ARGUMENT);
  int n;
  CHECK(vd_dataset_known_classes(VD_DATASET_MVTEC, &n) && n == 15);
  CHECK(vd_dataset_known_classes(VD_DATASET_VISA, &n) && n == 12);
  CHECK(vd_dataset_known_classes(VD_DATASET_COCO, &n) == NULL && n == 0);
}

int main(void) {
  g_base = vdt_temp_dir("datasets");
  char *mvtec = vdt_make_mvtec(g_base);
  char *visa = vdt_make_visa(g_base);
  char *realiad = vdt_make_realiad(g_base);
  char *coco = vdt_make_coco(g_base);
  test_names();
  test_mvtec_index(mvtec);
  test_mvtec_scan(mvtec);
  test_mvtec_selection(mvtec);
  test_mvtec_missing_files(mvtec);
  test_mvtec_malformed(mvtec);
  test_visa(visa);
  test_visa_malformed(visa);
  test_realiad(realiad);
  test_realiad_malformed(realiad);
  test_coco(coco);
  test_mutated_indexes(mvtec, visa, realiad, coco);
  test_realiad_large();
  vdt_remove_tree(g_base);
  free(mvtec);
  free(visa);
  free(realiad);
  free(coco);
  free(g_base);
  return vdt_finish("test_datasets");
}
