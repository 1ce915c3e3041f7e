/* Shared by the output, journal and sweep parts: messages, whole writes, directories. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_internal.h"

const char *file_strerror(int rv) {
  switch (rv) {
  case 0: return "success";
  case FILE_ERR_IO: return "input/output error";
  case FILE_ERR_EXISTS: return "file exists";
  case FILE_ERR_NOT_REGULAR: return "not a regular file";
  case FILE_ERR_ARG: return "invalid argument";
  case FILE_ERR_NOMEM: return "out of memory";
  default: return "unknown error";
  }
}

int file_fail(char *err, size_t errlen, int rv, const char *path, const char *fmt, ...) {
  va_list ap;
  int n;
  if (!err || errlen == 0) return rv;
  n = snprintf(err, errlen, "%s: ", path ? path : "(no file)");
  if (n >= 0 && (size_t)n < errlen) {
    va_start(ap, fmt);
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
  }
  return rv;
}

int file_fd_write_all(int fd, const void *data, size_t len) {
  const unsigned char *p = data;
  while (len > 0) {
    ssize_t k = write(fd, p, len);
    if (k < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (k == 0) {
      errno = EIO;
      return -1;
    }
    p += k;
    len -= (size_t)k;
  }
  return 0;
}

void file_path_dir(char *out, size_t cap, const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) {
    snprintf(out, cap, ".");
  } else if (slash == path) {
    snprintf(out, cap, "/");
  } else {
    snprintf(out, cap, "%.*s", (int)(slash - path), path);
  }
}

int file_path_dir_sync(const char *path) {
  char dir[FILE_PATH_MAX];
  int fd, rv, e;
  file_path_dir(dir, sizeof(dir), path);
  fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  rv = fsync(fd);
  e = errno;
  /* Some file systems cannot sync a directory; the data itself is synced already. */
  if (rv != 0 && (e == EINVAL || e == ENOTSUP)) rv = 0;
  close(fd);
  errno = e;
  return rv;
}

int file_path_check_regular(const char *path, char *err, size_t errlen) {
  struct stat st;
  if (lstat(path, &st) != 0) return 0;
  if (S_ISREG(st.st_mode)) return 0;
  return file_fail(err, errlen, FILE_ERR_NOT_REGULAR, path,
                   "exists and is not a regular file; refusing to replace it");
}
