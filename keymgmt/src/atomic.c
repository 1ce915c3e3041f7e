/* Atomic replacement of a key file: a crash leaves either the old file or the new one. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "km_internal.h"

static int write_all(int fd, const uint8_t *p, size_t len) {
  while (len > 0) {
    ssize_t k = write(fd, p, len);
    if (k < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += k;
    len -= (size_t)k;
  }
  return 0;
}

/* The directory part of path ("." when there is none). */
static void dir_of(char *out, size_t cap, const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) {
    snprintf(out, cap, ".");
  } else if (slash == path) {
    snprintf(out, cap, "/");
  } else {
    snprintf(out, cap, "%.*s", (int)(slash - path), path);
  }
}

static int fsync_dir(const char *path) {
  char dir[4096];
  int fd, rv;
  dir_of(dir, sizeof(dir), path);
  fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  rv = fsync(fd);
  close(fd);
  return rv;
}

int keymgmt_write_atomic(const char *path, const uint8_t *data, size_t len, bool no_replace,
                        char *err, size_t errlen) {
  char tmp[4096];
  const char *hook;
  int fd, e;
  if (!path || (!data && len > 0))
    return km_fail(err, errlen, KEYMGMT_ERR_ARG, path, "invalid argument");
  if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
    return km_fail(err, errlen, KEYMGMT_ERR_ARG, path, "path too long");
  if (no_replace && access(path, F_OK) == 0)
    return km_fail(err, errlen, KEYMGMT_ERR_EXISTS, path, "exists; refusing to overwrite it");
  /* mkstemp creates the file 0600, the mode every key file keeps. */
  fd = mkstemp(tmp);
  if (fd < 0)
    return km_fail(err, errlen, KEYMGMT_ERR_IO, path, "cannot create a temporary file: %s",
                   strerror(errno));
  if (fchmod(fd, S_IRUSR | S_IWUSR) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
    e = errno;
    close(fd);
    unlink(tmp);
    return km_fail(err, errlen, KEYMGMT_ERR_IO, path, "cannot write %s: %s", tmp, strerror(e));
  }
  if (close(fd) != 0) {
    e = errno;
    unlink(tmp);
    return km_fail(err, errlen, KEYMGMT_ERR_IO, path, "cannot write %s: %s", tmp, strerror(e));
  }
  hook = getenv("EFC_TEST_CRASH_BEFORE_RENAME");
  if (hook && strcmp(hook, "1") == 0) _exit(99); /* test hook: a crash at the worst moment */
  if (no_replace) {
    /* link() fails if path appeared meanwhile: no overwrite even in a race. */
    if (link(tmp, path) != 0) {
      e = errno;
      unlink(tmp);
      if (e == EEXIST)
        return km_fail(err, errlen, KEYMGMT_ERR_EXISTS, path, "exists; refusing to overwrite it");
      return km_fail(err, errlen, KEYMGMT_ERR_IO, path, "cannot create: %s", strerror(e));
    }
    unlink(tmp);
  } else if (rename(tmp, path) != 0) {
    e = errno;
    unlink(tmp);
    return km_fail(err, errlen, KEYMGMT_ERR_IO, path, "cannot replace: %s", strerror(e));
  }
  if (fsync_dir(path) != 0)
    return km_fail(err, errlen, KEYMGMT_ERR_IO, path, "written, but cannot sync its directory: %s",
                   strerror(errno));
  return 0;
}
