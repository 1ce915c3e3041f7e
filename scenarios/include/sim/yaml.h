/* Loading a YAML file through libcyaml with errors that name the file, the line and the
 * key ("noisy.yaml:7: traffic.speeds_kmh: ..."): scenario files and attack files.
 *
 * Numbers are loaded as strings (SIM_YAML_NUMBER_PTR, sim_yaml_number_entry) and read by
 * sim_yaml_u64 / sim_yaml_u32 / sim_yaml_double, which check type, range and overflow
 * through the command line's number parsers (io/cli.h): libcyaml alone reads "2.5" as 2,
 * "1e308" as 1 and "-1" as 2^64 - 1 without a word. */
#ifndef SIM_YAML_H
#define SIM_YAML_H

#include <cyaml/cyaml.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest number text a file may hold. */
#define SIM_YAML_NUMBER_MAX 64

/* An optional number key of struct st, member a char * (NULL when absent). */
#define SIM_YAML_NUMBER_PTR(key, flags, st, member) \
  CYAML_FIELD_STRING_PTR(key, flags, st, member, 0, SIM_YAML_NUMBER_MAX)
/* The entry schema of a sequence of numbers (member char **). */
extern const cyaml_schema_value_t sim_yaml_number_entry;

/* 0 with *out allocated (sim_yaml_free), or -1 with err. An empty or comment-only file is
 * an error, not an empty mapping. */
int sim_yaml_load(const char *path, const cyaml_schema_value_t *schema, void **out, char *err, size_t errlen);
void sim_yaml_free(const cyaml_schema_value_t *schema, void *data);

/* The line of a dotted key ("traffic.passages") in path, its nth occurrence (1-based: list
 * items repeat their keys); where it is not there, the line of the deepest part that is
 * (at least 1). */
unsigned sim_yaml_key_line(const char *path, const char *key, unsigned nth);
/* Whether a plain key ("speeds_kmh") appears in path at all. */
bool sim_yaml_key_present(const char *path, const char *key);

/* err = "PATH:LINE: KEY: why", the line that of the key's nth occurrence. Returns -1. */
int sim_yaml_fail(char *err, size_t errlen, const char *path, const char *key, unsigned nth, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Reads the number text s of key (its nth occurrence) into *out, within lo..hi: decimal
 * digits only for integers; a finite number for doubles, ends excluded by flags
 * (IO_CLI_ABOVE_LO, IO_CLI_BELOW_HI). 0, or -1 with err =
 * "PATH:LINE: KEY: expected 1..100000000, got '2.5'" and *out left alone. */
int sim_yaml_u64(uint64_t *out, const char *path, const char *key, unsigned nth, const char *s, uint64_t lo,
                 uint64_t hi, char *err, size_t errlen);
int sim_yaml_u32(uint32_t *out, const char *path, const char *key, unsigned nth, const char *s, uint32_t lo,
                 uint32_t hi, char *err, size_t errlen);
int sim_yaml_double(double *out, const char *path, const char *key, unsigned nth, const char *s, double lo,
                    double hi, unsigned flags, char *err, size_t errlen);

#endif
