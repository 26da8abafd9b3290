/* Status names and texts from the one table in exoplace.h, and error filling. */
#include "error.h"

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
    size_t n = src ? strlen(src) : 0;
    if (n >= dst_size)
        n = dst_size - 1;
    if (n)
        memcpy(dst, src, n);
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
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    } else {
        exoplace__copy_text(err->message, sizeof err->message, exoplace_status_str(code));
    }
    return code;
}

exoplace_status exoplace__fail_no_memory(exoplace_error *err)
{
    return exoplace__fail(err, EXOPLACE_E_NO_MEMORY, NULL, NULL);
}
