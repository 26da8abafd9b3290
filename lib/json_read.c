/* Reading JSON requests: paths of fields and typed field access. Parsing
 * itself is in json_parse.c. */
#include "json_read.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "error.h"

/* ---- paths ---- */

void exoplace__json_path_init(exoplace__json_path *path)
{
    path->text[0] = '\0';
    path->len = 0;
}

/* Appends `n` bytes, cut to fit (always NUL-terminated). A path is built for
 * every field read, error or not: plain copies, no printf. */
static void path_append(exoplace__json_path *path, const char *text, size_t n)
{
    size_t room = sizeof path->text - path->len;
    if (room <= 1)
        return;
    if (n > room - 1)
        n = room - 1;
    memcpy(path->text + path->len, text, n);
    path->len += n;
    path->text[path->len] = '\0';
}

size_t exoplace__json_path_push_key(exoplace__json_path *path, const char *key)
{
    size_t old = path->len;
    if (path->len)
        path_append(path, ".", 1);
    path_append(path, key, strlen(key));
    return old;
}

size_t exoplace__json_path_push_index(exoplace__json_path *path, size_t index)
{
    size_t old = path->len;
    char digits[24];
    size_t at = sizeof digits;
    digits[--at] = ']';
    do
        digits[--at] = (char)('0' + index % 10);
    while ((index /= 10) != 0);
    digits[--at] = '[';
    path_append(path, digits + at, sizeof digits - at);
    return old;
}

void exoplace__json_path_pop(exoplace__json_path *path, size_t len)
{
    path->len = len;
    path->text[len] = '\0';
}

exoplace_status exoplace__json_fail(exoplace_error *err, exoplace_status code, const exoplace__json_path *path,
                                    const char *fmt, ...)
{
    char problem[EXOPLACE_ERROR_MESSAGE_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(problem, sizeof problem, fmt, ap);
    va_end(ap);
    return exoplace__fail(err, code, path->text, "%s", problem);
}

/* ---- members and typed values ---- */

/* Whether the caller wrote this object's keys in snake_case, so that a
 * missing member is named the way the caller would have spelled it. */
static int uses_snake_case(const json_t *object)
{
    const char *key;
    const json_t *value;
    json_object_foreach ((json_t *)object, key, value) {
        (void)value;
        if (strchr(key, '_'))
            return 1;
    }
    return 0;
}

const json_t *exoplace__json_member(const json_t *object, const char *camel, const char *snake,
                                    const char **spelled_out)
{
    const char *names[2] = {camel, snake};
    for (size_t i = 0; i < 2; i++) {
        if (!names[i])
            continue;
        const json_t *value = json_object_get(object, names[i]);
        if (value && !json_is_null(value)) {
            if (spelled_out)
                *spelled_out = names[i];
            return value;
        }
    }
    if (spelled_out)
        *spelled_out = snake && uses_snake_case(object) ? snake : camel;
    return NULL;
}

int exoplace__json_is_big_integer(const json_t *value)
{
    return json_is_string(value) && json_string_length(value) >= 2 && json_string_value(value)[0] == '\0';
}

exoplace_status exoplace__json_u64(uint64_t *out, const json_t *value, const exoplace__json_path *path,
                                   exoplace_error *err)
{
    static const char expected[] = "expected a non-negative integer";
    if (!value)
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "missing");
    if (json_is_integer(value)) {
        json_int_t v = json_integer_value(value);
        if (v < 0)
            return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "%s", expected);
        *out = (uint64_t)v;
        return EXOPLACE_OK;
    }
    if (!exoplace__json_is_big_integer(value))
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "%s", expected);
    const char *digits = json_string_value(value) + 1;
    if (digits[0] == '-')
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "%s", expected);
    uint64_t v = 0;
    for (const char *d = digits; *d; d++) {
        uint64_t digit = (uint64_t)(*d - '0');
        if (v > (UINT64_MAX - digit) / 10)
            return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "exceeds 2^64-1");
        v = v * 10 + digit;
    }
    *out = v;
    return EXOPLACE_OK;
}

exoplace_status exoplace__json_bytes(uint64_t *out, const json_t *value, exoplace__json_path *path,
                                     exoplace_error *err)
{
    if (!json_is_object(value))
        return exoplace__json_u64(out, value, path, err);
    const char *spelled;
    const json_t *in_bytes = exoplace__json_member(value, "inBytes", "in_bytes", &spelled);
    size_t mark = exoplace__json_path_push_key(path, spelled);
    exoplace_status status = exoplace__json_u64(out, in_bytes, path, err);
    exoplace__json_path_pop(path, mark);
    return status;
}

exoplace_status exoplace__json_u32_range(uint32_t *out, const json_t *value, uint32_t min, uint32_t max,
                                         const exoplace__json_path *path, exoplace_error *err)
{
    if (!value)
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "missing");
    if (exoplace__json_is_big_integer(value))
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "must be at most %lu",
                                   (unsigned long)max);
    if (!json_is_integer(value))
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "expected an integer");
    json_int_t v = json_integer_value(value);
    if (v < (json_int_t)min)
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "must be at least %lu",
                                   (unsigned long)min);
    if (v > (json_int_t)max)
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "must be at most %lu",
                                   (unsigned long)max);
    *out = (uint32_t)v;
    return EXOPLACE_OK;
}

exoplace_status exoplace__json_bool(int *out, const json_t *value, const exoplace__json_path *path,
                                    exoplace_error *err)
{
    if (!value)
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "missing");
    if (!json_is_boolean(value))
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "expected true or false");
    *out = json_is_true(value);
    return EXOPLACE_OK;
}

exoplace_status exoplace__json_text(const char **out, const json_t *value, const exoplace__json_path *path,
                                    exoplace_error *err)
{
    if (!value)
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "missing");
    if (!json_is_string(value) || exoplace__json_is_big_integer(value))
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "expected a string");
    size_t len = json_string_length(value);
    const char *text = json_string_value(value);
    if (len == 0)
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "expected a non-empty string");
    if (memchr(text, '\0', len))
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "contains a NUL character");
    *out = text;
    return EXOPLACE_OK;
}
