// Miniature datasets in the four real layouts (vlmdiff-pipeline.md §6.3), written at test time under a
// fresh temporary folder, for the dataset and caption tests. .png files are valid 8×8 grey PNGs (so the
// image and command tests can read them too); .jpg/.JPG files are placeholders (the readers only check
// that files exist). Each builder returns the dataset root (malloc'd) and documents what it writes; the
// expected orders are the arrays below, shared by the builders and the tests.
#ifndef VD_TESTS_VDTEST_DATASETS_H
#define VD_TESTS_VDTEST_DATASETS_H

#include <stddef.h>

// A new empty folder $TMPDIR/vlmd-TAG-XXXXXX (or under /tmp); exits the test when it cannot. Caller frees.
char *vdt_temp_dir(const char *tag);
// rm -r; for the test's own temporary folders only.
void vdt_remove_tree(const char *dir);
// dir + "/" + name (malloc'd; exits the test when out of memory).
char *vdt_path(const char *dir, const char *name);
// Writes text to path, creating missing parent folders; exits the test when it cannot.
void vdt_write_text(const char *path, const char *text);
void vdt_write_bytes(const char *path, const void *data, size_t len);
// An image file: an 8×8 grey PNG (value grey) when the name ends in .png, placeholder bytes otherwise.
void vdt_write_image(const char *path, int grey);
// A JSON-lines or JSON text with single quotes turned into double quotes (keeps test sources readable).
void vdt_write_json(const char *path, const char *single_quoted);

// MVTec AD: base/mvtec_anomaly_detection with bottle and zipper (train, test, ground_truth) plus noise
// (license.txt, a hidden file, a .txt among the images, a hidden folder), and the reference-style
// unsorted JSON-lines index files base/MVTec-AD/{train,test}.json.
char *vdt_make_mvtec(const char *base);
extern const char *const vdt_mvtec_test_index[];  // test.json's filenames in file order (NULL-terminated)
extern const char *const vdt_mvtec_test_scan[];   // the same set in the scan's sorted order
extern const char *const vdt_mvtec_train_scan[];  // the train images, sorted

// VisA: base/visa with candle and pcb1 and base/visa/split_csv/1cls.csv (CRLF, a quoted field, an anomaly
// row without a mask).
char *vdt_make_visa(const char *base);
extern const char *const vdt_visa_test[];   // image column of the test rows in file order
extern const char *const vdt_visa_train[];  // image column of the train rows in file order

// Real-IAD: base/real_iad with audiojack/, audiojack.zip, bottle_cap/ and a hidden file; the class JSONs
// at base/real_iad_jsons/realiad_jsons/{audiojack,bottle_cap}.json.
char *vdt_make_realiad(const char *base);
extern const char *const vdt_realiad_test[];  // {class}/{image_path} of the test records in order

// COCO-AD: base/COCO with meta_20_0.json and meta_20_1.json, train2017/, val2017/, the masks, and
// annotations/captions_val2017_internvl.json.
char *vdt_make_coco(const char *base);
extern const char *const vdt_coco_test_part0[];  // img_path of part 0's test records in order

#endif
