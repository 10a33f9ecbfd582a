// What the dataset readers share (anomaly/dataset_*.c): building records and reading index files. Not for
// the commands, which see anomaly/dataset.h only.
#ifndef VD_ANOMALY_DATASET_INTERNAL_H
#define VD_ANOMALY_DATASET_INTERNAL_H

#include "anomaly/arena.h"
#include "anomaly/dataset.h"

#define VD_DATASET_INDEX_MAX_BYTES ((size_t)4 << 30)  // largest index or caption file read

// An empty dataset of kind/split whose root (given) is resolved; an error naming it when it is not a folder.
vd_status vd_dataset_create(vd_dataset_kind kind, vd_split split, const char *root, vd_dataset **out_dataset);
// Appends a zeroed record (capacity doubles: a handful of reallocations for 10^5 records).
vd_status vd_dataset_append(vd_dataset *dataset, vd_dataset_record **out_record);
// Sets path and rel_path (prefix + "/" + rel when prefix is not NULL, else rel; joined to the root as
// os.path.join does: an absolute rel stays as it is).
vd_status vd_dataset_set_image(vd_dataset *dataset, vd_dataset_record *record, const char *prefix, const char *rel);
// The same for mask_path and mask_rel_path; sets mask_kind = VD_MASK_FILE.
vd_status vd_dataset_set_mask(vd_dataset *dataset, vd_dataset_record *record, const char *prefix, const char *rel);
// Copies the class list into the dataset (count <= VD_DATASET_MAX_CLASSES).
vd_status vd_dataset_set_classes(vd_dataset *dataset, const char *const *names, int count);
// Sets class_index and class_name of a record from a name of the class list; false when it is not in it.
bool vd_dataset_record_class(const vd_dataset *dataset, vd_dataset_record *record, const char *name);
// "a, b, c": the class list into buf (cap bytes, truncated with "..."), for messages; returns buf.
const char *vd_dataset_class_list_text(const char *const *names, int count, char *buf, size_t cap);
// Validates a class selection against names; the error lists the valid names.
vd_status vd_dataset_check_selection(vd_dataset_kind kind, const char *const *names, int count,
                                     const char *const *selection, int selection_count);
// Whether the selection (NULL = everything) includes name.
bool vd_dataset_selected(const char *const *selection, int selection_count, const char *name);

// printf into a path buffer; an error when it does not fit.
vd_status vd_dataset_path(char *out, size_t cap, const char *fmt, ...) VD_PRINTF(3, 4);
// Reads a whole file that `what` names in messages ("MVTec AD index", ...); a missing file is
// VD_ERR_NOT_FOUND naming both. The caller frees *out_text.
vd_status vd_dataset_read_file(const char *path, const char *what, char **out_text, size_t *out_len);
// The sorted (strcmp) names of a folder's entries, without "." and ".."; hidden entries (leading '.')
// are left out when skip_hidden. *out_dirs (may be NULL) gets a flag per entry: a folder (symlinks followed).
// Strings and arrays live in arena.
vd_status vd_dataset_list_dir(const char *path, vd_arena *arena, bool skip_hidden, const char ***out_names,
                              bool **out_dirs, size_t *out_count);

// The readers: append the split's records (every class) and set the class list.
vd_status vd_mvtec_read(vd_dataset *dataset, const vd_dataset_options *options);
vd_status vd_visa_read(vd_dataset *dataset, const vd_dataset_options *options);
vd_status vd_realiad_read(vd_dataset *dataset, const vd_dataset_options *options);
vd_status vd_coco_read(vd_dataset *dataset, const vd_dataset_options *options);

#endif
