/* jansson values built from a validated text through the library's cursor,
 * for the tests: what they compare with jansson's own parser, and how the
 * test runners read vectors and responses (integers past 2^63 included). */
#ifndef EXOPLACE_JSON_BUILD_H
#define EXOPLACE_JSON_BUILD_H

#include <jansson.h>

#include "exoplace.h"

/*
 * Validates the NUL-terminated text (exoplace__json_validate(): its errors,
 * limits and positions) and builds the values jansson's json_loadb would
 * build, with two in-band markers:
 *   - an integer literal outside the int64 range becomes a string holding a
 *     NUL byte followed by the literal's text; test_json_u64() reads it;
 *   - a string the caller wrote that starts with a NUL byte gets a '?' put in
 *     front, so a string starting with NUL is always a big integer.
 * Like jansson, it refuses a valid text in two cases, with E_INVALID_JSON and
 * the token's position: a real literal beyond the range of a double
 * ("real number overflow") and an object key holding U+0000.
 * On success *out is a new reference; on failure it is NULL.
 */
exoplace_status test_json_load(json_t **out, const char *text, exoplace_error *err);

/* 1 when value is a big-integer literal as test_json_load() stores it. */
int test_json_is_big_integer(const json_t *value);

/* A member by its camelCase or snake_case key (a null counts as absent), or NULL. */
const json_t *test_json_member(const json_t *object, const char *camel, const char *snake);

/* A non-negative integer of up to 2^64-1 (big literals included): 1 and *out, or 0. */
int test_json_u64(uint64_t *out, const json_t *value);

/* A memory value, {"inBytes": N} / {"in_bytes": N} or a bare N: 1 and *out, or 0. */
int test_json_bytes(uint64_t *out, const json_t *value);

#endif
