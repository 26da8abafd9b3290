/* Reading JSON requests: typed field access over the values json_build.h
 * builds, exact unsigned 64-bit integers, and the path of each field read
 * (internal, not installed). */
#ifndef EXOPLACE_JSON_READ_H
#define EXOPLACE_JSON_READ_H

#include <jansson.h>

#include "exoplace.h"
#include "json_build.h"

/* Path of the field being read, e.g. "topology.nodes[2].nodeId". A path
 * too long for the buffer is cut (the error field is cut the same way). */
typedef struct exoplace__json_path {
    char text[EXOPLACE_ERROR_FIELD_BYTES];
    size_t len;
} exoplace__json_path;

void exoplace__json_path_init(exoplace__json_path *path);
/* Append ".key" (or "key" at the root) / "[index]"; both return the length
 * to restore with exoplace__json_path_pop(). */
size_t exoplace__json_path_push_key(exoplace__json_path *path, const char *key);
size_t exoplace__json_path_push_index(exoplace__json_path *path, size_t index);
void exoplace__json_path_pop(exoplace__json_path *path, size_t len);

/* Records a failure whose field is the path. Returns code. */
exoplace_status exoplace__json_fail(exoplace_error *err, exoplace_status code,
                                    const exoplace__json_path *path, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/*
 * Looks up a member by its camelCase or its snake_case spelling (camelCase
 * first; snake may be NULL when both are the same). A JSON null counts as
 * absent. Returns the value, or NULL when absent; *spelled_out (may be NULL)
 * receives the spelling found, for the error path (when absent: snake when
 * the object's other keys are snake_case, else camel).
 */
const json_t *exoplace__json_member(const json_t *object, const char *camel, const char *snake,
                                    const char **spelled_out);

/* 1 when value is a big-integer literal as exoplace__json_load() stores it. */
int exoplace__json_is_big_integer(const json_t *value);

/* Typed readers. value NULL means "absent" and fails with "missing". */
exoplace_status exoplace__json_u64(uint64_t *out, const json_t *value, const exoplace__json_path *path,
                                   exoplace_error *err);
/* A memory value: {"inBytes": N}, {"in_bytes": N} or a bare N. */
exoplace_status exoplace__json_bytes(uint64_t *out, const json_t *value, exoplace__json_path *path,
                                     exoplace_error *err);
/* An integer in [min, max]. */
exoplace_status exoplace__json_u32_range(uint32_t *out, const json_t *value, uint32_t min, uint32_t max,
                                         const exoplace__json_path *path, exoplace_error *err);
exoplace_status exoplace__json_bool(int *out, const json_t *value, const exoplace__json_path *path,
                                    exoplace_error *err);
/* A non-empty string without NUL bytes; *out is borrowed from value. */
exoplace_status exoplace__json_text(const char **out, const json_t *value, const exoplace__json_path *path,
                                    exoplace_error *err);

#endif
