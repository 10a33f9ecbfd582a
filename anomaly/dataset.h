// Dataset readers: the lists of images the commands iterate (caption, eval, metrics), one record per image
// of one split, in the reference's order, with its mask rule, class and caption.
//
//   vd_dataset_options o;
//   vd_dataset_options_default(&o);
//   o.kind = VD_DATASET_MVTEC; o.split = VD_SPLIT_TEST; o.root = "/data/mvtec_anomaly_detection";
//   vd_dataset *ds;  vd_status st = vd_dataset_open(&o, &ds);
//   for (size_t i = 0; i < ds->count; ++i) use(ds->records[i].path, ds->records[i].mask_kind, ...);
//   vd_dataset_destroy(ds);
//
// What each layout reads (vlmdiff-pipeline.md §6.3):
//   MVTec AD   index_path = the reference's JSON-lines train.json / test.json (training/MVTec-AD/, shipped
//              with the reference, not with the dataset). Without one, a directory scan gives the same
//              records in sorted order: classes in alphabetical order, then {class}/{split}/{defect}/ folders
//              and their *.png files in byte order (strcmp), masks at ground_truth/{defect}/{stem}_mask.png.
//              The shipped index files are NOT sorted (they list files in the filesystem order of the
//              machine that wrote them: bottle before transistor, 002.png before 009.png before 000.png),
//              so a scan holds the same set in another order: per-class metrics agree, but caption files
//              written by the reference align only with its index file. A scan lists the classes whose
//              folders exist; a selected class without a folder is an error.
//   VisA       index_path = the split CSV (object, split, label, image, mask); default
//              root/split_csv/1cls.csv (the VisA release's standard 1-class split, the reference's
//              training/VisA/visa.csv). Rows of the split in file order.
//   Real-IAD   classes = the entries of root, each cut at its first '.', de-duplicated, sorted (hidden
//              entries, starting with '.', are skipped: the reference would make an empty class of them);
//              per class the JSON root/../real_iad_jsons/realiad_jsons/{class}.json (index_path overrides
//              the folder), its "train" or "test" list in file order, classes one after another.
//   COCO-AD    index_path = root/meta_20_{coco_part}.json by default; its {split}.coco list in file order.
//
// Masks: a record whose index names a mask (MVTec maskname, VisA mask; Real-IAD and COCO only for
// anomalies, as the reference opens them only then) has VD_MASK_FILE. Otherwise a normal record has
// VD_MASK_ZEROS (256×256 zeros) and a defective MVTec/VisA record VD_MASK_ONES: the reference's synthetic
// 'L' image of pixel value 1 (not 255; after ToTensor 1/255, still anomalous after the > 0 binarisation).
// The shipped index files never need it; it is reproduced for other index files. A Real-IAD or COCO
// anomaly without a mask path is a format error (the reference would open the folder).
//
// Files: unless options.skip_file_check, every image and every mask file of the selected records is
// checked up front, all at once: one error lists the missing ones (the first VD_DATASET_MISSING_SHOWN,
// then how many more), so a broken layout shows at once instead of after hours of GPU work.
//
// Order of the steps in vd_dataset_open: read the whole split (all classes), attach captions (aligned
// with the whole split, as the reference aligns them), select the classes, check the files.
#ifndef VD_ANOMALY_DATASET_H
#define VD_ANOMALY_DATASET_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/status.h"

#define VD_DATASET_MAX_CLASSES 256   // classes one dataset may have (Real-IAD's come from a listing)
#define VD_DATASET_MISSING_SHOWN 10  // missing files named in the error; the rest are counted

typedef enum vd_dataset_kind {
  VD_DATASET_MVTEC,    // MVTec AD, "mvtec"
  VD_DATASET_VISA,     // VisA, "visa"
  VD_DATASET_REALIAD,  // Real-IAD, "realiad"
  VD_DATASET_COCO,     // COCO-AD, "coco"
} vd_dataset_kind;

typedef enum vd_split {
  VD_SPLIT_TRAIN,  // "train": the normal training images
  VD_SPLIT_TEST,   // "test": normal and anomalous test images
} vd_split;

typedef enum vd_mask_kind {
  VD_MASK_FILE,   // read mask_path ('L'); it exists unless the file check was skipped
  VD_MASK_ZEROS,  // no mask file: all-zero 256×256 (a normal image)
  VD_MASK_ONES,   // no mask file: all-one 256×256, pixel value 1 (a defective MVTec/VisA record without one)
} vd_mask_kind;

typedef struct vd_dataset_record {
  const char *path;           // absolute image path: the resolved root + "/" + rel_path
  const char *rel_path;       // image path relative to the root (a suffix of path), as the index names it
  const char *mask_path;      // absolute mask path; NULL unless mask_kind == VD_MASK_FILE
  const char *mask_rel_path;  // mask path relative to the root (a suffix of mask_path), or NULL
  vd_mask_kind mask_kind;     // where the mask comes from
  int label;                  // 0 normal, 1 anomalous (MVTec label, VisA label, Real-IAD != "OK", COCO anomaly)
  int class_index;            // index into the dataset's class_names
  const char *class_name;     // = class_names[class_index]
  const char *key;            // caption alignment key: MVTec filename, VisA image, Real-IAD rel_path
                              // ({class}/{image_path}), COCO file stem (the basename without its last 4 bytes)
  const char *caption;        // the attached caption, "" when none
  bool has_caption;           // a caption file covered this record (its caption may still be "")
} vd_dataset_record;

typedef struct vd_dataset {
  vd_dataset_kind kind;        // which layout
  vd_split split;              // which split the records are
  const char *root;            // the dataset root, absolute and resolved (realpath)
  const char *root_given;      // the root as the caller spelled it (the reference writes it into labels)
  const char *index_path;      // the index file read (MVTec/VisA/COCO) or JSON folder (Real-IAD); NULL for a scan
  vd_dataset_record *records;  // count records in the reference's order (after the class selection)
  size_t count;                // number of records
  int class_count;             // number of classes of the dataset (all of them, selected or not)
  const char **class_names;    // the dataset's classes (MVTec 15, VisA 12, Real-IAD the listing, COCO "coco")
  size_t *class_records;       // records per class after the selection (0 for classes not selected)
  size_t captioned;            // records with has_caption (a caption file may cover only the first ones)
  const char *captions_path;   // the caption file read, or NULL
  const char *labels_path;     // its labels file (MVTec/VisA/Real-IAD), or NULL
  struct vd_arena *arena;      // owns every string above
  size_t capacity;             // records allocated
} vd_dataset;

typedef struct vd_dataset_options {
  vd_dataset_kind kind;             // which layout
  vd_split split;                   // which split
  const char *root;                 // the dataset root folder
  const char *index_path;           // index file / Real-IAD JSON folder; NULL = the default (MVTec: scan)
  const char *const *classes;       // class selection (NULL = every class); unknown names are an error
  int class_count;                  // entries of classes
  int coco_part;                    // COCO-AD split 0..3 (meta_20_{k}.json)
  const char *captions;             // MVTec/VisA/Real-IAD: folder of the caption pair; COCO: the annotations
                                    // JSON, or a folder holding captions_{train|val}2017{coco_caption_suffix}.json
  const char *coco_caption_suffix;  // e.g. "_internvl" (NULL = "")
  bool skip_file_check;             // true: do not check that every image and mask exists
} vd_dataset_options;

void vd_dataset_options_default(vd_dataset_options *out_options);
// Reads the split, attaches captions, selects classes and checks files (the order is the header's).
vd_status vd_dataset_open(const vd_dataset_options *options, vd_dataset **out_dataset);
void vd_dataset_destroy(vd_dataset *dataset);

// "mvtec", "visa", "realiad", "coco" (and "train", "test") to the enum and back.
vd_status vd_dataset_kind_parse(const char *name, vd_dataset_kind *out_kind);
const char *vd_dataset_kind_name(vd_dataset_kind kind);
vd_status vd_split_parse(const char *name, vd_split *out_split);
const char *vd_split_name(vd_split split);
// The fixed class list of MVTec AD (15) or VisA (12); NULL with *out_count 0 for the others.
const char *const *vd_dataset_known_classes(vd_dataset_kind kind, int *out_count);
// Index of a class name in dataset->class_names, -1 when absent.
int vd_dataset_class_index(const vd_dataset *dataset, const char *name);

// Keeps the records of the named classes (order kept); an unknown name is an error listing the valid ones.
vd_status vd_dataset_select_classes(vd_dataset *dataset, const char *const *names, int count);
// Checks every image and mask file of the records; one error names the missing ones.
vd_status vd_dataset_check_files(const vd_dataset *dataset);
// The label the reference's captioner.py writes for a record into out (cap bytes): MVTec/VisA the key,
// Real-IAD os.path.join(root_given, rel_path), COCO str(int(stem)) (the id without its zero padding).
vd_status vd_dataset_caption_label(const vd_dataset *dataset, const vd_dataset_record *record, char *out, size_t cap);

#endif
