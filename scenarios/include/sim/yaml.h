/* Loading a YAML file through libcyaml with errors that name the file, the line and the
 * field ("noisy.yaml:7: traffic.speeds_kmh: ..."): scenario files and attack files. */
#ifndef SIM_YAML_H
#define SIM_YAML_H

#include <cyaml/cyaml.h>

/* 0 with *out allocated (sim_yaml_free), or -1 with err. */
int sim_yaml_load(const char *path, const cyaml_schema_value_t *schema, void **out, char *err, size_t errlen);
void sim_yaml_free(const cyaml_schema_value_t *schema, void *data);
/* The line of a dotted key ("traffic.passages") in path, 0 when it is not there. */
unsigned sim_yaml_key_line(const char *path, const char *key);

#endif
