// Writing caption files the way VLMDiff's captioner.py writes them, so the reference's loaders read the
// engine's captions unchanged (encoders-and-captioner.md §5.2):
//   folder   {dataset}_captions_{vlm}_{prompt_type}/
//   files    {split}_captions_{dataset}_{vlm}_{start}_{end}.json and {split}_labels_..._{start}_{end}.json
//   bytes    json.dump(list) with Python's defaults: ensure_ascii (every character outside ' '..'~' is
//            escaped: the quote, backslash, backspace, form feed, newline, return and tab by their short
//            escapes, the other controls and DEL as \u00XX, non-ASCII as lowercase \uXXXX, above U+FFFF a
//            surrogate pair; '/' stays as it is), items separated by ", ", no newline at the end.
// Labels are strings, or one-element lists ["<id>"] (COCO in captioner.py). Input strings are UTF-8;
// invalid bytes become U+FFFD as Python's bytes.decode("utf-8", errors="replace") makes them.
// Each file is written to NAME.tmp.<pid>, flushed, synced and renamed over NAME; the captions file is
// renamed first, then the labels file; on failure no temporary file is left behind.
#ifndef VD_ANOMALY_CAPTION_JSON_H
#define VD_ANOMALY_CAPTION_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "anomaly/dataset.h"

#define VD_CAPTION_NAME_CAP 512  // bytes of each generated name

typedef struct vd_caption_names {
  char folder[VD_CAPTION_NAME_CAP];    // {dataset}_captions_{vlm}_{prompt_type}
  char captions[VD_CAPTION_NAME_CAP];  // {split}_captions_{dataset}_{vlm}_{start}_{end}.json
  char labels[VD_CAPTION_NAME_CAP];    // {split}_labels_{dataset}_{vlm}_{start}_{end}.json
} vd_caption_names;

// The captioner's names; dataset is vd_dataset_kind_name's ("mvtec", ...), vlm e.g. "internvl", prompt_type
// "pd" or "pa"; start/end are the item range of the run (captioner.py's --start_ind/--end_ind).
vd_status vd_caption_names_make(const char *dataset, const char *vlm, const char *prompt_type, vd_split split,
                                long start, long end, vd_caption_names *out_names);
// json.dump(items) bytes (items as one-element lists when as_lists) into *out (malloc'd, NUL-terminated).
vd_status vd_caption_json_encode(const char *const *items, size_t count, bool as_lists, char **out, size_t *out_len);
// Writes the pair into parent/names->folder/ (created, parents too, when missing).
vd_status vd_caption_pair_write(const char *parent, const vd_caption_names *names, const char *const *captions,
                                const char *const *labels, size_t count, bool labels_as_lists);
// Writes bytes as the new content of path (temporary file, fsync, rename).
vd_status vd_caption_file_write(const char *path, const char *bytes, size_t len);

#endif
