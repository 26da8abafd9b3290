/* Internal error helpers shared across lib/ (not installed). */
#ifndef EXOPLACE_ERROR_H
#define EXOPLACE_ERROR_H

#include "exoplace.h"

/* Resets *err (NULL accepted) to EXOPLACE_OK; every public entry point calls
 * this first so that "the first error set wins" holds within one call. */
void exoplace__error_clear(exoplace_error *err);

/* Records a failure unless one is already recorded, and returns `code`.
 * field may be NULL; fmt NULL means the status's default text. */
exoplace_status exoplace__fail(exoplace_error *err, exoplace_status code, const char *field,
                               const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* exoplace__fail() about item `index` of an array argument: the field is
 * "<array>[<index>]<member>" (member may be ""). */
exoplace_status exoplace__fail_item(exoplace_error *err, exoplace_status code, const char *array, size_t index,
                                    const char *member, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* Records the failure another call reported in `from` (code, message,
 * field), unless one is already recorded; returns from->code. */
exoplace_status exoplace__fail_from(exoplace_error *err, const exoplace_error *from);

/* Shorthand for an out-of-memory failure. */
exoplace_status exoplace__fail_no_memory(exoplace_error *err);

/* Copies src into a fixed buffer as valid UTF-8: invalid bytes become '?',
 * and a text too long is cut at a character boundary; always
 * NUL-terminated. */
void exoplace__copy_text(char *dst, size_t dst_size, const char *src);

#endif
