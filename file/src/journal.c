/* Journals: records durable one by one, for what a kill must never take back (charges). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_internal.h"

struct file_journal {
  int fd;
  char path[FILE_PATH_MAX];
};

/* 1 when the file's last octet is not a line end (a record cut by a crash), 0, or -1. */
static int ends_torn(int fd, off_t size) {
  char c;
  if (size == 0) return 0;
  if (pread(fd, &c, 1, size - 1) != 1) return -1;
  return c != '\n';
}

int file_journal_open(file_journal **out, const char *path, unsigned flags, char *err, size_t errlen) {
  mode_t mode = (flags & FILE_OUT_PRIVATE) ? (S_IRUSR | S_IWUSR) : 0666;
  file_journal *j;
  struct stat st;
  int fd, rv, torn;
  *out = NULL;
  if (!path || !*path || strlen(path) >= FILE_PATH_MAX)
    return file_fail(err, errlen, FILE_ERR_ARG, path, "no path, or a path too long");
  if ((rv = file_path_check_regular(path, err, errlen)) != 0) return rv;
  fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return file_fail(err, errlen, FILE_ERR_IO, path, "cannot open for appending: %s", strerror(errno));
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return file_fail(err, errlen, FILE_ERR_NOT_REGULAR, path, "is not a regular file");
  }
  torn = ends_torn(fd, st.st_size);
  if (torn < 0 || (torn && (file_fd_write_all(fd, "\n", 1) != 0 || fdatasync(fd) != 0))) {
    rv = file_fail(err, errlen, FILE_ERR_IO, path, "cannot mend its cut last line: %s", strerror(errno));
    close(fd);
    return rv;
  }
  if (file_path_dir_sync(path) != 0) {
    rv = file_fail(err, errlen, FILE_ERR_IO, path, "cannot sync its directory: %s", strerror(errno));
    close(fd);
    return rv;
  }
  if (!(j = calloc(1, sizeof(*j)))) {
    close(fd);
    return file_fail(err, errlen, FILE_ERR_NOMEM, path, "out of memory");
  }
  j->fd = fd;
  memcpy(j->path, path, strlen(path) + 1);
  *out = j;
  return 0;
}

int file_journal_append(file_journal *j, const void *data, size_t len, char *err, size_t errlen) {
  if (file_fd_write_all(j->fd, data, len) != 0 || fdatasync(j->fd) != 0)
    return file_fail(err, errlen, FILE_ERR_IO, j->path, "cannot write: %s", strerror(errno));
  return 0;
}

int file_journal_close(file_journal *j, char *err, size_t errlen) {
  int rv = 0;
  if (!j) return 0;
  if (fsync(j->fd) != 0) rv = file_fail(err, errlen, FILE_ERR_IO, j->path, "cannot sync: %s", strerror(errno));
  if (close(j->fd) != 0 && rv == 0)
    rv = file_fail(err, errlen, FILE_ERR_IO, j->path, "cannot close: %s", strerror(errno));
  free(j);
  return rv;
}
