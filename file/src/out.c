/* Outputs built in a temporary and renamed into place. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_internal.h"

struct file_out {
  FILE *f;
  unsigned flags;
  char path[FILE_PATH_MAX];
  char tmp[FILE_PATH_MAX];
};

/* Tries PATH.tmp.PID.0, .1, ...: O_EXCL makes two writers of one path in one process
 * (threads) take different names. */
static int tmp_create(file_out *o) {
  mode_t mode = (o->flags & FILE_OUT_PRIVATE) ? (S_IRUSR | S_IWUSR) : 0666;
  for (unsigned k = 0; k < 1000; k++) {
    int fd, n = snprintf(o->tmp, sizeof(o->tmp), "%s.tmp.%ld.%u", o->path, (long)getpid(), k);
    if (n < 0 || (size_t)n >= sizeof(o->tmp)) {
      errno = ENAMETOOLONG;
      return -1;
    }
    fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  errno = EEXIST;
  return -1;
}

int file_out_open(file_out **out, const char *path, unsigned flags, char *err, size_t errlen) {
  file_out *o;
  int fd, rv;
  *out = NULL;
  if (!path || !*path || strlen(path) + 32 >= FILE_PATH_MAX)
    return file_fail(err, errlen, FILE_ERR_ARG, path, "no path, or a path too long");
  if ((rv = file_path_check_regular(path, err, errlen)) != 0) return rv;
  if ((flags & FILE_OUT_NO_REPLACE) && access(path, F_OK) == 0)
    return file_fail(err, errlen, FILE_ERR_EXISTS, path, "exists; refusing to overwrite it");
  if (!(o = calloc(1, sizeof(*o)))) return file_fail(err, errlen, FILE_ERR_NOMEM, path, "out of memory");
  o->flags = flags;
  memcpy(o->path, path, strlen(path) + 1);
  if ((fd = tmp_create(o)) < 0) {
    rv = file_fail(err, errlen, FILE_ERR_IO, path, "cannot create a temporary file: %s", strerror(errno));
    free(o);
    return rv;
  }
  if (!(o->f = fdopen(fd, "w"))) {
    rv = file_fail(err, errlen, FILE_ERR_IO, path, "cannot open a temporary file: %s", strerror(errno));
    close(fd);
    unlink(o->tmp);
    free(o);
    return rv;
  }
  *out = o;
  return 0;
}

FILE *file_out_stream(file_out *o) { return o->f; }

int file_out_write(file_out *o, const void *data, size_t len, char *err, size_t errlen) {
  if (len > 0 && fwrite(data, 1, len, o->f) != len)
    return file_fail(err, errlen, FILE_ERR_IO, o->path, "cannot write: %s", strerror(errno));
  return 0;
}

static int commit_fail(file_out *o, const char *what, int e, char *err, size_t errlen) {
  int rv = file_fail(err, errlen, FILE_ERR_IO, o->path, "%s: %s", what, strerror(e));
  unlink(o->tmp);
  free(o);
  return rv;
}

int file_out_commit(file_out *o, char *err, size_t errlen) {
  const char *hook;
  int e, bad;
  if (!o) return file_fail(err, errlen, FILE_ERR_ARG, NULL, "nothing to commit");
  /* A stream error earlier (a full disk) leaves errno stale; EIO names it honestly. */
  errno = EIO;
  bad = fflush(o->f) != 0 || ferror(o->f);
  e = errno;
  if (!bad && fsync(fileno(o->f)) != 0) {
    bad = 1;
    e = errno;
  }
  if (fclose(o->f) != 0 && !bad) {
    bad = 1;
    e = errno;
  }
  if (bad) return commit_fail(o, "cannot write", e, err, errlen);
  hook = getenv("EFC_TEST_CRASH_BEFORE_RENAME");
  if (hook && strcmp(hook, "1") == 0) _exit(99); /* test hook: a crash at the worst moment */
  if (o->flags & FILE_OUT_NO_REPLACE) {
    /* link() fails if path appeared meanwhile: no overwrite even in a race. */
    if (link(o->tmp, o->path) != 0) {
      int rv;
      e = errno;
      if (e == EEXIST)
        rv = file_fail(err, errlen, FILE_ERR_EXISTS, o->path, "exists; refusing to overwrite it");
      else
        rv = file_fail(err, errlen, FILE_ERR_IO, o->path, "cannot create: %s", strerror(e));
      unlink(o->tmp);
      free(o);
      return rv;
    }
    unlink(o->tmp);
  } else {
    /* Checked again: a special file may have been put there while we wrote. */
    if (file_path_check_regular(o->path, err, errlen) != 0) {
      unlink(o->tmp);
      free(o);
      return FILE_ERR_NOT_REGULAR;
    }
    if (rename(o->tmp, o->path) != 0) return commit_fail(o, "cannot replace", errno, err, errlen);
  }
  if (file_path_dir_sync(o->path) != 0) {
    e = errno;
    file_fail(err, errlen, FILE_ERR_IO, o->path, "written, but cannot sync its directory: %s", strerror(e));
    free(o);
    return FILE_ERR_IO;
  }
  free(o);
  return 0;
}

void file_out_abort(file_out *o) {
  if (!o) return;
  fclose(o->f);
  unlink(o->tmp);
  free(o);
}

int file_write_atomic(const char *path, const void *data, size_t len, unsigned flags, char *err,
                      size_t errlen) {
  file_out *o;
  int rv;
  if (!data && len > 0) return file_fail(err, errlen, FILE_ERR_ARG, path, "no data");
  if ((rv = file_out_open(&o, path, flags, err, errlen)) != 0) return rv;
  if ((rv = file_out_write(o, data, len, err, errlen)) != 0) {
    file_out_abort(o);
    return rv;
  }
  return file_out_commit(o, err, errlen);
}
