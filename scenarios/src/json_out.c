/* The JSON files efc-scenario writes: numbers, the build's stamp, the atomic write. */
#include <math.h>
#include <stdio.h>

#include "file/out.h"
#include "io/cli.h"
#include "json_out.h"

json_t *sim_json_num_or_null(double v) { return isfinite(v) ? json_real(v) : json_null(); }

void sim_json_stamp(json_t *o, const char *prog) {
  char line[256];
  if (prog && io_cli_version_line(line, sizeof(line), prog) == 0) json_object_set_new(o, "written_by", json_string(line));
}

int sim_json_write(json_t *o, const char *path, char *err, size_t errlen) {
  file_out *out;
  if (file_out_open(&out, path, 0, err, errlen) != 0) {
    json_decref(o);
    return -1;
  }
  if (json_dumpf(o, file_out_stream(out), JSON_INDENT(1) | JSON_REAL_PRECISION(6)) != 0) {
    file_out_abort(out);
    snprintf(err, errlen, "%s: cannot write", path);
    json_decref(o);
    return -1;
  }
  json_decref(o);
  return file_out_commit(out, err, errlen) == 0 ? 0 : -1;
}
