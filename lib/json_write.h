/* A small JSON text writer for responses (internal, not installed).
 * Responses are written as text rather than built with jansson because
 * byte counts are unsigned 64-bit and jansson's integers are signed. */
#ifndef EXOPLACE_JSON_WRITE_H
#define EXOPLACE_JSON_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "exoplace.h"
#include "u128.h"

#define EXOPLACE__JSON_WRITER_DEPTH 16

typedef struct exoplace__json_writer {
    char *text;
    size_t len;
    size_t capacity;
    int out_of_memory;
    int after_key;
    size_t depth;
    unsigned char has_items[EXOPLACE__JSON_WRITER_DEPTH];
    int compact; /* "," and ":" without spaces */
} exoplace__json_writer;

void exoplace__jw_init(exoplace__json_writer *w);
/* A writer without the spaces: exo's layout for the documents it keeps. */
void exoplace__jw_init_compact(exoplace__json_writer *w);
/* Frees the text unless it was taken. */
void exoplace__jw_dispose(exoplace__json_writer *w);
/* Hands the finished text to *out (freed with exoplace_free()).
 * Returns E_NO_MEMORY when any write failed. */
exoplace_status exoplace__jw_finish(char **out, exoplace__json_writer *w, exoplace_error *err);

void exoplace__jw_begin_object(exoplace__json_writer *w);
void exoplace__jw_end_object(exoplace__json_writer *w);
void exoplace__jw_begin_array(exoplace__json_writer *w);
void exoplace__jw_end_array(exoplace__json_writer *w);
void exoplace__jw_key(exoplace__json_writer *w, const char *key);
void exoplace__jw_string(exoplace__json_writer *w, const char *value);
void exoplace__jw_u64(exoplace__json_writer *w, uint64_t value);
/* A member whose value is an unsigned integer: the key, then the value. */
void exoplace__jw_u128(exoplace__json_writer *w, exoplace__u128 value);
void exoplace__jw_member_u64(exoplace__json_writer *w, const char *key, uint64_t value);
void exoplace__jw_bool(exoplace__json_writer *w, int value);
void exoplace__jw_null(exoplace__json_writer *w);
/* A value already written as JSON text (len bytes): another writer's
 * output, or a value of validated request text. */
void exoplace__jw_raw(exoplace__json_writer *w, const char *json, size_t len);
/* A JSON number literal as Python writes the float it reads: an integer
 * literal gets ".0", so that a reader takes it for a float. */
void exoplace__jw_float_literal(exoplace__json_writer *w, const char *literal, size_t len);

/* An explanation as the JSON object of docs/json.md "Explanations". */
void exoplace__json_write_explanation(exoplace__json_writer *w, const exoplace_explanation *explanation);

#endif
