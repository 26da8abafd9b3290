/* jansson values built from a validated request text (internal, not
 * installed): what the jansson-based readers of json.c read today, and what
 * the tests compare with jansson's own parser. */
#ifndef EXOPLACE_JSON_BUILD_H
#define EXOPLACE_JSON_BUILD_H

#include <jansson.h>

#include "exoplace.h"

/*
 * Validates the NUL-terminated text (exoplace__json_validate(): its errors,
 * limits and positions) and builds the values jansson's json_loadb would
 * build, with two in-band markers the jansson-based readers rely on:
 *   - an integer literal outside the int64 range becomes a string holding a
 *     NUL byte followed by the literal's text; exoplace__json_u64() reads it;
 *   - a string the caller wrote that starts with a NUL byte gets a '?' put in
 *     front, so a string starting with NUL is always a big integer.
 * Like jansson, it refuses a valid text in two cases, with E_INVALID_JSON and
 * the token's position: a real literal beyond the range of a double
 * ("real number overflow") and an object key holding U+0000.
 * On success *out is a new reference; on failure it is NULL.
 */
exoplace_status exoplace__json_load(json_t **out, const char *text, exoplace_error *err);

#endif
