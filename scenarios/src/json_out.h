/* Internal: what the JSON files efc-scenario writes (summary.json, sensitivity.json) share:
 * how a number that may be infinite is written, the stamp of the build that wrote them, and
 * the file itself, built in a temporary and renamed into place (docs/files.md). */
#ifndef SIM_JSON_OUT_H
#define SIM_JSON_OUT_H

#include <jansson.h>
#include <stddef.h>

/* v, or null when it is not finite. */
json_t *sim_json_num_or_null(double v);

/* "written_by": prog's --version line (io_cli_version_line); prog NULL: nothing. */
void sim_json_stamp(json_t *o, const char *prog);

/* Writes o to path (indented, six significant digits) and releases o. 0, or -1 with err. */
int sim_json_write(json_t *o, const char *path, char *err, size_t errlen);

#endif
