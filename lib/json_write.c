/* JSON text writer: Python's json.dumps layout (", " and ": ") or compact
 * ("," and ":"), exact unsigned 64-bit numbers, strings escaped as JSON
 * requires. */
#include "json_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "error.h"

void exoplace__jw_init(exoplace__json_writer *w)
{
    memset(w, 0, sizeof *w);
}

void exoplace__jw_init_compact(exoplace__json_writer *w)
{
    exoplace__jw_init(w);
    w->compact = 1;
}

void exoplace__jw_dispose(exoplace__json_writer *w)
{
    free(w->text);
    exoplace__jw_init(w);
}

exoplace_status exoplace__jw_finish(char **out, exoplace__json_writer *w, exoplace_error *err)
{
    if (w->out_of_memory || !w->text) {
        exoplace__jw_dispose(w);
        return exoplace__fail_no_memory(err);
    }
    *out = w->text;
    w->text = NULL;
    exoplace__jw_dispose(w);
    return EXOPLACE_OK;
}

static void put(exoplace__json_writer *w, const char *bytes, size_t n)
{
    if (w->out_of_memory)
        return;
    if (w->capacity - w->len <= n) {
        size_t capacity = w->capacity ? w->capacity : 256;
        while (capacity - w->len <= n)
            capacity *= 2;
        char *grown = realloc(w->text, capacity);
        if (!grown) {
            w->out_of_memory = 1;
            return;
        }
        w->text = grown;
        w->capacity = capacity;
    }
    memcpy(w->text + w->len, bytes, n);
    w->len += n;
    w->text[w->len] = '\0';
}

static void put_text(exoplace__json_writer *w, const char *text)
{
    put(w, text, strlen(text));
}

/* Separator before a value: none after a key, ", " between items. */
static void before_value(exoplace__json_writer *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth == 0)
        return;
    if (w->has_items[w->depth - 1])
        put_text(w, w->compact ? "," : ", ");
    w->has_items[w->depth - 1] = 1;
}

static void open_container(exoplace__json_writer *w, const char *bracket)
{
    before_value(w);
    put_text(w, bracket);
    /* Responses are shallow; deeper nesting would be a bug in json.c. */
    if (w->depth < EXOPLACE__JSON_WRITER_DEPTH)
        w->has_items[w->depth++] = 0;
    else
        w->out_of_memory = 1;
}

static void close_container(exoplace__json_writer *w, const char *bracket)
{
    if (w->depth)
        w->depth--;
    put_text(w, bracket);
}

void exoplace__jw_begin_object(exoplace__json_writer *w)
{
    open_container(w, "{");
}

void exoplace__jw_end_object(exoplace__json_writer *w)
{
    close_container(w, "}");
}

void exoplace__jw_begin_array(exoplace__json_writer *w)
{
    open_container(w, "[");
}

void exoplace__jw_end_array(exoplace__json_writer *w)
{
    close_container(w, "]");
}

static void put_quoted(exoplace__json_writer *w, const char *s)
{
    put_text(w, "\"");
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        const char *escape = NULL;
        char unicode[8];
        switch (c) {
        case '"': escape = "\\\""; break;
        case '\\': escape = "\\\\"; break;
        case '\n': escape = "\\n"; break;
        case '\r': escape = "\\r"; break;
        case '\t': escape = "\\t"; break;
        case '\b': escape = "\\b"; break;
        case '\f': escape = "\\f"; break;
        default:
            if (c < 0x20) {
                snprintf(unicode, sizeof unicode, "\\u%04x", c);
                escape = unicode;
            }
        }
        if (escape) {
            put(w, run, (size_t)(s - run));
            put_text(w, escape);
            run = s + 1;
        }
    }
    put(w, run, (size_t)(s - run));
    put_text(w, "\"");
}

void exoplace__jw_key(exoplace__json_writer *w, const char *key)
{
    before_value(w);
    put_quoted(w, key);
    put_text(w, w->compact ? ":" : ": ");
    w->after_key = 1;
}

void exoplace__jw_string(exoplace__json_writer *w, const char *value)
{
    before_value(w);
    put_quoted(w, value);
}

void exoplace__jw_u64(exoplace__json_writer *w, uint64_t value)
{
    char digits[24];
    size_t n = sizeof digits;
    do {
        digits[--n] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    before_value(w);
    put(w, digits + n, sizeof digits - n);
}

void exoplace__jw_bool(exoplace__json_writer *w, int value)
{
    before_value(w);
    put_text(w, value ? "true" : "false");
}

void exoplace__jw_null(exoplace__json_writer *w)
{
    before_value(w);
    put_text(w, "null");
}
