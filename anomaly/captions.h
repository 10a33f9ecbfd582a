// Reading the reference's caption files and attaching each caption to its record.
//
// MVTec AD, VisA, Real-IAD: a folder holding the pair VLMDiff's captioner writes (anomaly/caption_json.h):
// {split}_captions*.json (a JSON array of strings) and {split}_labels*.json (the dataset's filename of
// each caption). get_captions takes the first entry in os.listdir order whose name starts with the
// prefix, i.e. the file system's order; here it is the first in sorted (strcmp) order among regular
// files, so the choice is reproducible (it differs from the reference only where a folder holds several
// files with one prefix, such as chunks _0_10000 and _10000_20000: the reference's pick is then arbitrary).
// Only the requested split's pair is needed (the reference wants all four files). Caption i goes to
// record i of the whole split after the reference's check: MVTec filename == label, VisA image == label,
// Real-IAD {class}/{image_path} a substring of the label (which holds the root-joined path). A mismatch
// is an error naming the index and both values. Fewer captions than records is allowed (the captioner's
// --end_ind cuts the train split at 10,000): the rest keep "" as in the reference. More captions than
// records, or label and caption arrays of different lengths, are errors.
//
// COCO-AD: the converted annotations file root/annotations/captions_{train|val}2017{suffix}.json,
// {"annotations": [{"image_id": ..., "caption": "..."}]}; str(image_id) zero-padded to 12 digits is
// matched against the record's file stem, and every matching caption is appended to the record's caption
// (starting from "") with no separator, in file order. Image ids that are neither strings nor integers
// never match (as str() of them would not); a matched annotation's caption must be a string.
#ifndef VD_ANOMALY_CAPTIONS_H
#define VD_ANOMALY_CAPTIONS_H

#include <stddef.h>

#include "anomaly/dataset.h"

// The pair of split in dir: full paths into out_captions and out_labels (cap bytes each).
vd_status vd_captions_find_pair(const char *dir, vd_split split, char *out_captions, char *out_labels, size_t cap);
// Attaches captions to every record they cover (dataset->captioned counts them). source: the folder of
// the pair (MVTec/VisA/Real-IAD); for COCO the annotations file, or a folder in which
// captions_{train|val}2017{coco_suffix}.json is read (coco_suffix NULL = "").
vd_status vd_captions_attach(vd_dataset *dataset, const char *source, const char *coco_suffix);
// The reference's COCO caption file of a split: root/annotations/captions_{train|val}2017{suffix}.json.
vd_status vd_coco_captions_path(const char *root, vd_split split, const char *suffix, char *out, size_t cap);

#endif
