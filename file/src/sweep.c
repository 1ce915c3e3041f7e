/* Cleaning up after kills: temporaries whose writer is gone. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "file_internal.h"

/* The PID of a temporary's name "BASE.tmp.PID.N", or 0 when name is not one. */
static long tmp_pid(const char *name) {
  const char *t = NULL, *p;
  char *end;
  long pid;
  /* The last ".tmp." names the writer: a path may itself contain ".tmp.". */
  for (p = strstr(name, ".tmp."); p; p = strstr(p + 1, ".tmp.")) t = p;
  if (!t || t == name) return 0;
  t += 5;
  if (*t < '1' || *t > '9') return 0;
  errno = 0;
  pid = strtol(t, &end, 10);
  if (errno != 0 || *end != '.' || pid <= 0) return 0;
  for (p = end + 1; *p; p++)
    if (*p < '0' || *p > '9') return 0;
  return end[1] ? pid : 0;
}

/* Still running (or not ours to judge: EPERM means it exists). */
static int pid_alive(long pid) { return kill((pid_t)pid, 0) == 0 || errno != ESRCH; }

static int sweep(const char *dir, const char *base, char *err, size_t errlen) {
  DIR *d = opendir(dir);
  struct dirent *e;
  size_t blen = base ? strlen(base) : 0;
  int n = 0;
  if (!d) {
    if (errno == ENOENT) return 0;
    return file_fail(err, errlen, FILE_ERR_IO, dir, "cannot read the directory: %s", strerror(errno));
  }
  while ((e = readdir(d)) != NULL) {
    char path[FILE_PATH_MAX];
    long pid;
    if (base && (strncmp(e->d_name, base, blen) != 0 || strncmp(e->d_name + blen, ".tmp.", 5) != 0))
      continue;
    if ((pid = tmp_pid(e->d_name)) == 0 || pid_alive(pid)) continue;
    if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path)) continue;
    if (unlink(path) == 0) n++;
  }
  closedir(d);
  return n;
}

int file_tmp_sweep(const char *path, char *err, size_t errlen) {
  char dir[FILE_PATH_MAX];
  const char *slash;
  if (!path || !*path) return file_fail(err, errlen, FILE_ERR_ARG, path, "no path");
  file_path_dir(dir, sizeof(dir), path);
  slash = strrchr(path, '/');
  return sweep(dir, slash ? slash + 1 : path, err, errlen);
}

int file_tmp_sweep_dir(const char *dir, char *err, size_t errlen) {
  if (!dir || !*dir) return file_fail(err, errlen, FILE_ERR_ARG, dir, "no directory");
  return sweep(dir, NULL, err, errlen);
}
