/* What the parts of the file library share. */
#ifndef FILE_INTERNAL_H
#define FILE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "file/out.h"

#define FILE_PATH_MAX 4096

/* Formats "PATH: ..." into err and returns rv. */
int file_fail(char *err, size_t errlen, int rv, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* write() until done, through EINTR and short writes: 0 or -1 with errno. */
int file_fd_write_all(int fd, const void *data, size_t len);
/* The directory part of path ("." when there is none). */
void file_path_dir(char *out, size_t cap, const char *path);
/* fsync of path's directory, so that a rename or a creation is itself durable. */
int file_path_dir_sync(const char *path);
/* 0 when path is missing or a regular file, else FILE_ERR_NOT_REGULAR with err. */
int file_path_check_regular(const char *path, char *err, size_t errlen);

#endif
