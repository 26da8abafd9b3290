/* Shared by the libFuzzer harnesses: a NUL-terminated copy of the input and
 * a check that fails loudly (abort, so libFuzzer saves the reproducer). */
#ifndef EXOPLACE_FUZZ_COMMON_H
#define EXOPLACE_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exoplace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                     \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);     \
            abort();                                                                         \
        }                                                                                    \
    } while (0)

/* The input as a C string (it stops at the first NUL byte the input has). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

/* s is a uuid4 in exo's text form (exo-main.md 7): 8-4-4-4-12 lower-case
 * hex digits, version 4, variant 10xx. NULL is not. */
static inline int fuzz_is_uuid4(const char *s)
{
    if (!s || strlen(s) != 36 || s[14] != '4' || !strchr("89ab", s[19]))
        return 0;
    for (size_t i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !strchr("0123456789abcdef", s[i]))
            return 0;
    }
    return 1;
}

/* A filled exoplace_error: its code matches the status, its texts are
 * terminated within their buffers, and a failure has a message. */
static inline void fuzz_check_error(const exoplace_error *err, exoplace_status status)
{
    if (err->code != status)
        fprintf(stderr, "returned %s; error struct: code %s, field \"%.256s\", message \"%.512s\"\n",
                exoplace_status_name(status), exoplace_status_name(err->code), err->field, err->message);
    FUZZ_CHECK(err->code == status);
    FUZZ_CHECK(memchr(err->message, '\0', sizeof err->message) != NULL);
    FUZZ_CHECK(memchr(err->field, '\0', sizeof err->field) != NULL);
    if (status != EXOPLACE_OK)
        FUZZ_CHECK(err->message[0] != '\0');
    FUZZ_CHECK(exoplace_status_name(status) != NULL);
    FUZZ_CHECK(strcmp(exoplace_status_name(status), "unknown") != 0);
}

#endif
