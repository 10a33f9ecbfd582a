// Reading the tokenizers' files: whole files (gzip-compressed or plain, read through zlib) with a size
// limit, JSON files through cJSON, and small path helpers.
#ifndef VD_TEXT_TEXT_FILE_H
#define VD_TEXT_TEXT_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/status.h"

struct cJSON;

// Reads the whole file (decompressed when gzip) into a NUL-terminated buffer the caller frees.
vd_status vd_text_file_read(const char *path, size_t max_bytes, char **out_data, size_t *out_len);
// Parses a JSON file; the caller deletes *out_root with cJSON_Delete.
vd_status vd_text_json_read(const char *path, size_t max_bytes, struct cJSON **out_root);

bool vd_text_path_is_dir(const char *path);
bool vd_text_path_is_file(const char *path);
bool vd_text_ends_with(const char *s, const char *suffix);
// The folder part of a file path into out ("." when it has none, "/" for a file at the root).
vd_status vd_text_path_dirname(const char *path, char *out, size_t cap);
// out = dir + "/" + name; an error when it does not fit in cap bytes.
vd_status vd_text_path_join(char *out, size_t cap, const char *dir, const char *name);

#endif
