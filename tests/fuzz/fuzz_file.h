/* For targets whose parser reads a named file (libcyaml's loader, the status-list loader):
 * the input written to one temporary file per process, rewritten for every input. */
#ifndef EFC_FUZZ_FILE_H
#define EFC_FUZZ_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

static char fuzz_file_dir[4096], fuzz_file_path[4200];
static int fuzz_file_fd = -1;

static void fuzz_file_remove(void) {
  if (fuzz_file_fd >= 0) close(fuzz_file_fd);
  unlink(fuzz_file_path);
  rmdir(fuzz_file_dir);
}

/* The path of a file holding exactly data, named input.SUFFIX in a private temporary
 * folder; aborts when it cannot be written, so that a full disk is never mistaken for a
 * parser that accepts everything. The file stays open and is overwritten in place: a file
 * truncated to nothing and closed is flushed to disk by ext4 each time, a thousand times
 * slower. */
static inline const char *fuzz_file_write(const uint8_t *data, size_t size, const char *suffix) {
  size_t done = 0;
  if (fuzz_file_fd < 0) {
    const char *dir = getenv("TMPDIR");
    snprintf(fuzz_file_dir, sizeof(fuzz_file_dir), "%.4000s/efc-fuzz-XXXXXX", dir && *dir ? dir : "/tmp");
    if (!mkdtemp(fuzz_file_dir)) abort();
    snprintf(fuzz_file_path, sizeof(fuzz_file_path), "%s/input%.16s", fuzz_file_dir, suffix);
    if ((fuzz_file_fd = open(fuzz_file_path, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0) abort();
    atexit(fuzz_file_remove);
  }
  while (done < size) {
    ssize_t n = pwrite(fuzz_file_fd, data + done, size - done, (off_t)done);
    if (n <= 0) abort();
    done += (size_t)n;
  }
  if (ftruncate(fuzz_file_fd, (off_t)size) != 0) abort();
  return fuzz_file_path;
}

#endif
