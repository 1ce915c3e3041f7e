/* Files as efcsim writes them: every write, flush, fsync and close checked, and every
 * output built in a temporary beside its final name and renamed into place, so that a run
 * that fails or is killed never leaves a file that looks complete (docs/files.md). The one
 * exception is a journal: records that must survive a kill the moment they exist (the
 * lane's claims), appended and synced one by one.
 *
 * Temporaries are named "PATH.tmp.PID.N"; file_tmp_sweep removes those whose process is
 * gone, which is how a later run cleans up after a kill. */
#ifndef FILE_OUT_H
#define FILE_OUT_H

#include <stddef.h>
#include <stdio.h>

enum {
  FILE_ERR_IO = -1,          /* a create, write, flush, fsync, close or rename failed */
  FILE_ERR_EXISTS = -2,      /* FILE_OUT_NO_REPLACE and the path exists */
  FILE_ERR_NOT_REGULAR = -3, /* the path exists and is not a regular file: never replaced */
  FILE_ERR_ARG = -4,         /* no path, or one too long */
  FILE_ERR_NOMEM = -5
};
const char *file_strerror(int rv);

enum {
  FILE_OUT_PRIVATE = 1,   /* mode 0600 (keys, personal data) instead of 0666 less the umask */
  FILE_OUT_NO_REPLACE = 2 /* fail with FILE_ERR_EXISTS if path exists, even if it appears
                             while the temporary is written */
};

/* Every error below is one line in err naming the file and what failed
 * ("out/summary.json: cannot write: No space left on device"). */

typedef struct file_out file_out;
/* *out: a temporary beside path, to be filled through file_out_stream or file_out_write and
 * then committed or aborted. 0, or FILE_ERR_NOT_REGULAR when path exists and is not a
 * regular file (a device, a directory, a symbolic link), FILE_ERR_EXISTS, FILE_ERR_IO when
 * the temporary cannot be created. */
int file_out_open(file_out **out, const char *path, unsigned flags, char *err, size_t errlen);
/* The temporary as a stdio stream: fprintf freely, the errors surface at commit. */
FILE *file_out_stream(file_out *o);
int file_out_write(file_out *o, const void *data, size_t len, char *err, size_t errlen);
/* Flush, fsync, close, rename (or link, with FILE_OUT_NO_REPLACE) into place and fsync
 * the directory. 0 or a FILE_ERR_*; the temporary is removed on failure. Frees o either way. */
int file_out_commit(file_out *o, char *err, size_t errlen);
/* Removes the temporary and frees o (NULL: nothing). */
void file_out_abort(file_out *o);

/* data as the whole content of path, through file_out. */
int file_write_atomic(const char *path, const void *data, size_t len, unsigned flags, char *err,
                      size_t errlen);

/* Removes the temporaries "PATH.tmp.PID.N" of path whose process no longer runs: returns
 * how many, or FILE_ERR_IO when the directory cannot be read. */
int file_tmp_sweep(const char *path, char *err, size_t errlen);
/* The same for every file of the directory dir. */
int file_tmp_sweep_dir(const char *dir, char *err, size_t errlen);

typedef struct file_journal file_journal;
/* *out: path opened for appending whole lines, created when missing (a regular file only;
 * flags: FILE_OUT_PRIVATE). A last line cut short by an earlier crash is closed with a line
 * end first, so that it stays one bad line a reader can name and the next record starts
 * clean. 0 or a FILE_ERR_*. */
int file_journal_open(file_journal **out, const char *path, unsigned flags, char *err, size_t errlen);
/* Appends one record (a line, its "\n" included) in one write and syncs it to disk before
 * returning 0: once it returns, a kill cannot lose the record. */
int file_journal_append(file_journal *j, const void *data, size_t len, char *err, size_t errlen);
/* fsync and close: 0 or FILE_ERR_IO. Frees j either way (NULL: 0). */
int file_journal_close(file_journal *j, char *err, size_t errlen);

#endif
