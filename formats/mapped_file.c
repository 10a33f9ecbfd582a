#include "formats/mapped_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static vd_status vd_mapped_file_map(int fd, const char *path, vd_mapped_file *f) {
  struct stat st;
  if (fstat(fd, &st) != 0)
    return vd_status_make(VD_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
  if (!S_ISREG(st.st_mode)) return vd_status_make(VD_ERR_IO, "%s: not a regular file", path);
  if (st.st_size <= 0) return vd_status_make(VD_ERR_FORMAT, "%s: file is empty", path);
  if ((uint64_t)st.st_size > (uint64_t)SIZE_MAX)
    return vd_status_make(VD_ERR_LIMIT, "%s: file too large to map", path);
  void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) return vd_status_make(VD_ERR_IO, "%s: cannot map: %s", path, strerror(errno));
  f->data = p;
  f->size = (size_t)st.st_size;
  return NULL;
}

vd_status vd_mapped_file_open(const char *path, vd_mapped_file **out_file) {
  *out_file = NULL;
  vd_mapped_file *f = calloc(1, sizeof(*f));
  char *copy = strdup(path);
  if (!f || !copy) {
    free(f);
    free(copy);
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
  }
  f->path = copy;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    vd_status st = vd_status_make(errno == ENOENT ? VD_ERR_NOT_FOUND : VD_ERR_IO, "%s: cannot open: %s",
                                  path, strerror(errno));
    vd_mapped_file_destroy(f);
    return st;
  }
  vd_status st = vd_mapped_file_map(fd, path, f);
  close(fd);
  if (st) {
    vd_mapped_file_destroy(f);
    return st;
  }
  *out_file = f;
  return NULL;
}

void vd_mapped_file_destroy(vd_mapped_file *file) {
  if (!file) return;
  if (file->data) munmap((void *)file->data, file->size);
  free(file->path);
  free(file);
}

void vd_mapped_file_release(const vd_mapped_file *file, uint64_t offset, uint64_t bytes) {
  long page = sysconf(_SC_PAGESIZE);
  if (!file || page <= 0 || offset >= file->size) return;
  uint64_t end = offset + bytes < file->size ? offset + bytes : file->size;
  uint64_t begin = (offset + (uint64_t)page - 1) / (uint64_t)page * (uint64_t)page;  // whole pages only
  end = end / (uint64_t)page * (uint64_t)page;
  if (end > begin) madvise((void *)(file->data + begin), (size_t)(end - begin), MADV_DONTNEED);
}
