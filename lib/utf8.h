/* UTF-8 validation by jansson's rules, for text that becomes a JSON string
 * (internal, not installed). */
#ifndef EXOPLACE_UTF8_H
#define EXOPLACE_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (at most avail bytes, avail >= 1),
 * or 0 when it is not one: no overlong forms, no surrogates, nothing past
 * U+10FFFF. */
size_t exoplace__utf8_sequence(const unsigned char *s, size_t avail);

/* 1 when the NUL-terminated text is valid UTF-8. */
int exoplace__utf8_valid(const char *text);

#endif
