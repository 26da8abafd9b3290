/* Status names and texts from the one table in exoplace.h, and error filling. */
#include "error.h"

#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *exoplace_version(void)
{
#define EXOPLACE_STR_(x) #x
#define EXOPLACE_XSTR_(x) EXOPLACE_STR_(x)
    return EXOPLACE_XSTR_(EXOPLACE_VERSION_MAJOR) "." EXOPLACE_XSTR_(EXOPLACE_VERSION_MINOR) "." EXOPLACE_XSTR_(
        EXOPLACE_VERSION_PATCH);
#undef EXOPLACE_XSTR_
#undef EXOPLACE_STR_
}

const char *exoplace_status_name(exoplace_status status)
{
    switch (status) {
#define EXOPLACE_STATUS_NAME_(name, value, code, kind, text) \
    case EXOPLACE_##name:                               \
        return code;
        EXOPLACE_STATUS_MAP(EXOPLACE_STATUS_NAME_)
#undef EXOPLACE_STATUS_NAME_
    }
    return "unknown";
}

const char *exoplace_status_str(exoplace_status status)
{
    switch (status) {
#define EXOPLACE_STATUS_TEXT_(name, value, code, kind, text) \
    case EXOPLACE_##name:                               \
        return text;
        EXOPLACE_STATUS_MAP(EXOPLACE_STATUS_TEXT_)
#undef EXOPLACE_STATUS_TEXT_
    }
    return "unknown status";
}

int exoplace_status_is_placement_failure(exoplace_status status)
{
    enum { OTHER, PLACEMENT };
    switch (status) {
#define EXOPLACE_STATUS_KIND_(name, value, code, kind, text) \
    case EXOPLACE_##name:                                   \
        return kind == PLACEMENT;
        EXOPLACE_STATUS_MAP(EXOPLACE_STATUS_KIND_)
#undef EXOPLACE_STATUS_KIND_
    }
    return 0;
}

void exoplace__copy_text(char *dst, size_t dst_size, const char *src)
{
    if (dst_size == 0)
        return;
    size_t n = 0;
    const unsigned char *s = (const unsigned char *)(src ? src : "");
    while (*s) {
        size_t avail = strnlen((const char *)s, 4);
        size_t len = exoplace__utf8_sequence(s, avail);
        if (len == 0) {
            /* Not UTF-8 (a caller's bytes): one '?' per byte keeps the text valid. */
            if (n + 1 >= dst_size)
                break;
            dst[n++] = '?';
            s++;
            continue;
        }
        if (n + len >= dst_size)
            break;
        memcpy(dst + n, s, len);
        n += len;
        s += len;
    }
    dst[n] = '\0';
}

void exoplace__error_clear(exoplace_error *err)
{
    if (!err)
        return;
    err->code = EXOPLACE_OK;
    err->message[0] = '\0';
    err->field[0] = '\0';
}

exoplace_status exoplace__fail(exoplace_error *err, exoplace_status code, const char *field,
                               const char *fmt, ...)
{
    if (!err || err->code != EXOPLACE_OK)
        return code;
    err->code = code;
    exoplace__copy_text(err->field, sizeof err->field, field);
    if (fmt) {
        /* Formatted in a larger buffer, then copied so that a cut never
         * splits a UTF-8 character. */
        char text[EXOPLACE_ERROR_MESSAGE_BYTES + 8];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(text, sizeof text, fmt, ap);
        va_end(ap);
        exoplace__copy_text(err->message, sizeof err->message, text);
    } else {
        exoplace__copy_text(err->message, sizeof err->message, exoplace_status_str(code));
    }
    return code;
}

exoplace_status exoplace__fail_item(exoplace_error *err, exoplace_status code, const char *array, size_t index,
                                    const char *member, const char *fmt, ...)
{
    if (!err || err->code != EXOPLACE_OK)
        return code;
    char field[EXOPLACE_ERROR_FIELD_BYTES];
    snprintf(field, sizeof field, "%s[%zu]%s", array, index, member);
    char text[EXOPLACE_ERROR_MESSAGE_BYTES + 8];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return exoplace__fail(err, code, field, "%s", text);
}

exoplace_status exoplace__fail_from(exoplace_error *err, const exoplace_error *from)
{
    if (!from)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, NULL);
    return exoplace__fail(err, from->code, from->field, "%s", from->message);
}

exoplace_status exoplace__fail_no_memory(exoplace_error *err)
{
    return exoplace__fail(err, EXOPLACE_E_NO_MEMORY, NULL, NULL);
}
