/* The JSON tokenizer (internal, not installed): one validating pass over a
 * request's text, then a cursor that reads the validated text in place.
 *
 * exoplace__json_validate() checks the whole text once, allocating nothing:
 * after it, readers walk the text with a cursor, read the members they use
 * into C values and skip the others, so nothing is built for what a request
 * does not use and parsing needs no memory beyond the text itself.
 *
 * Thread safety: none of these functions has state outside its arguments;
 * a cursor belongs to one thread at a time. */
#ifndef EXOPLACE_JSON_PARSE_H
#define EXOPLACE_JSON_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "exoplace.h"

/*
 * Checks that text[0..len) is one JSON text as RFC 8259 defines it, with an
 * object or an array at the top (the rule of the JSON contract, docs/json.md),
 * in valid UTF-8 (ignored strings included), without lone surrogates in
 * \u escapes, and without bytes outside the grammar (a NUL byte outside a
 * string is one; \u0000 inside a string is valid). Numbers are checked for
 * their grammar only: 1e400, -0 and integers of any length are valid.
 * text need not be NUL-terminated. Allocates nothing.
 *
 * Returns EXOPLACE_OK; EXOPLACE_E_INVALID_JSON with the message
 * "line L, column C: <problem> near '<token>'" (lines from 1, columns in
 * characters from 1, column 0 for empty input; bytes outside printable ASCII
 * shown as \xNN) and an empty err->field; EXOPLACE_E_LIMIT when len exceeds
 * EXOPLACE_MAX_INPUT_BYTES or the nesting exceeds EXOPLACE_MAX_JSON_DEPTH.
 */
exoplace_status exoplace__json_validate(const char *text, size_t len, exoplace_error *err);

/* "line L, column C: <problem> near '<token>'" about the token that starts at
 * text[start] (or "... near end of file" when start >= len), as
 * exoplace__json_validate() reports its own errors: for callers that refuse a
 * valid text for what a token holds. Returns EXOPLACE_E_INVALID_JSON. */
exoplace_status exoplace__json_fail_near(exoplace_error *err, const char *text, size_t len, size_t start,
                                         const char *problem);

/* ---- the cursor ------------------------------------------------------------
 *
 * A cursor reads text that exoplace__json_validate() accepted. It trusts that
 * text: it does not validate again. On any other bytes it never reads outside
 * text[0..len) and every call returns after O(len) work, and every call that
 * consumes (skip, enter, string_at, number_at) advances at least one byte
 * while pos < len; what it returns then is unspecified.
 *
 * A cursor is a plain value: a copy (struct assignment) is a saved position,
 * to come back to later. Objects and arrays are read by entering them, then
 * iterating:
 *
 *     exoplace__json_enter(&c);                         // at '{'
 *     exoplace__json_string key;
 *     while (exoplace__json_next_member(&c, &key)) {
 *         if (exoplace__json_string_equals(&key, "nodes"))
 *             saved = c;                                // read it later
 *         exoplace__json_skip(&c);                      // or read it now
 *     }
 *
 * The caller reads or skips each value before asking for the next one. */

typedef enum exoplace__json_kind {
    EXOPLACE__JSON_OBJECT,
    EXOPLACE__JSON_ARRAY,
    EXOPLACE__JSON_STRING,
    EXOPLACE__JSON_NUMBER,
    EXOPLACE__JSON_TRUE,
    EXOPLACE__JSON_FALSE,
    EXOPLACE__JSON_NULL
} exoplace__json_kind;

typedef struct exoplace__json_cursor {
    const char *text;
    size_t len;
    size_t pos; /* offset of the next byte to read */
} exoplace__json_cursor;

/* A cursor at the top value of text[0..len). */
void exoplace__json_cursor_init(exoplace__json_cursor *c, const char *text, size_t len);

/* The kind of the value at pos, after skipping whitespace to it. */
exoplace__json_kind exoplace__json_kind_at(exoplace__json_cursor *c);

/* Moves past the value at pos, whatever it is, without decoding it. */
void exoplace__json_skip(exoplace__json_cursor *c);

/* Moves into the object or array whose '{' or '[' is at pos. */
void exoplace__json_enter(exoplace__json_cursor *c);

/* A string as written: the body between the quotes, escapes not decoded.
 * raw points into the cursor's text. */
typedef struct exoplace__json_string {
    const char *raw;
    size_t raw_len;
    int has_escapes; /* raw holds a backslash: the decoded text differs */
} exoplace__json_string;

/* In an entered object: 1 with *key filled and pos at the member's value, or
 * 0 once the closing '}' has been consumed. */
int exoplace__json_next_member(exoplace__json_cursor *c, exoplace__json_string *key);

/* In an entered array: 1 with pos at the next element, or 0 once the closing
 * ']' has been consumed. */
int exoplace__json_next_element(exoplace__json_cursor *c);

/* The string value at pos; moves past it. */
exoplace__json_string exoplace__json_string_at(exoplace__json_cursor *c);

/* 1 when the decoded text of s is exactly the NUL-terminated literal
 * ("mod\u0065ls" equals "models"); allocates nothing. */
int exoplace__json_string_equals(const exoplace__json_string *s, const char *literal);

/* Decodes s into a new NUL-terminated allocation, *out (the caller frees it
 * with free()), of *len_out bytes; *has_nul (may be NULL) is set to 1 when the
 * text contains U+0000, else 0. Returns EXOPLACE_OK or EXOPLACE_E_NO_MEMORY
 * (*out NULL). */
exoplace_status exoplace__json_string_decode(char **out, size_t *len_out, int *has_nul,
                                             const exoplace__json_string *s, exoplace_error *err);

/* Decodes s into buf[0..size), for short texts (names, messages): returns
 * the decoded length, which may exceed size - 1; the text is then cut at a
 * UTF-8 character boundary. buf is NUL-terminated whenever size > 0. A buffer
 * of s->raw_len + 1 bytes always holds the whole text. */
size_t exoplace__json_string_copy(char *buf, size_t size, const exoplace__json_string *s);

typedef struct exoplace__json_number {
    int negative;       /* a leading '-' */
    int is_integer;     /* no fraction, no exponent */
    int overflow;       /* an integer whose magnitude exceeds UINT64_MAX */
    uint64_t magnitude; /* the integer's magnitude, exact when is_integer && !overflow
                           (UINT64_MAX on overflow, 0 for a non-integer) */
    const char *text;   /* the literal as written, in the cursor's text */
    size_t len;
} exoplace__json_number;

/* The number at pos; moves past it. */
exoplace__json_number exoplace__json_number_at(exoplace__json_cursor *c);

#endif
