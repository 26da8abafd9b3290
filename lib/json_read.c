/* Reading JSON requests: limits, big integers, error positions, typed fields.
 *
 * jansson stores integers as signed 64-bit and refuses larger literals, but
 * memory sizes are unsigned 64-bit. Before parsing, one pass over the text
 * finds the integer literals outside the int64 range (and measures nesting).
 * When there are none, the text is parsed as it is. Otherwise it is parsed
 * twice: first a copy in which each such literal is replaced by a string of
 * the same length, so that every syntax error keeps its line and column;
 * then a copy in which each literal becomes the string "\u0000<literal>",
 * which the typed readers below turn back into a number. A string the caller
 * wrote that starts with \u0000 gets a '?' put in front in that second copy,
 * so a string starting with NUL is always one of ours. */
#include "json_read.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "error.h"

/* What the second copy changes, in text order. */
typedef enum edit_kind {
    EDIT_BIG_INTEGER, /* replace [offset, offset + length) by a marker string */
    EDIT_NUL_STRING   /* insert '?' at offset (just after an opening quote) */
} edit_kind;

typedef struct edit {
    edit_kind kind;
    size_t offset;
    size_t length;
} edit;

typedef struct scan_result {
    edit *edits;
    size_t n_edits;
    size_t capacity;
    size_t n_big;
    size_t too_deep_offset; /* offset of the bracket past the depth limit, or SIZE_MAX */
    int failed_alloc;
} scan_result;

static void add_edit(scan_result *scan, edit_kind kind, size_t offset, size_t length)
{
    if (scan->failed_alloc)
        return;
    if (scan->n_edits == scan->capacity) {
        size_t capacity = scan->capacity ? scan->capacity * 2 : 16;
        edit *grown = realloc(scan->edits, capacity * sizeof *grown);
        if (!grown) {
            scan->failed_alloc = 1;
            return;
        }
        scan->edits = grown;
        scan->capacity = capacity;
    }
    scan->edits[scan->n_edits++] = (edit){kind, offset, length};
    if (kind == EDIT_BIG_INTEGER)
        scan->n_big++;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Whether the digits (no sign, no leading zero) fit int64 with that sign. */
static int fits_int64(const char *digits, size_t n, int negative)
{
    static const char max_positive[] = "9223372036854775807";
    static const char max_negative[] = "9223372036854775808";
    const size_t max_len = sizeof max_positive - 1;
    if (n != max_len)
        return n < max_len;
    return memcmp(digits, negative ? max_negative : max_positive, max_len) <= 0;
}

/*
 * One pass over the text, following JSON's lexical rules closely enough to
 * stay outside strings: finds integer literals too big for jansson, strings
 * that start with an escaped NUL, and the first bracket nested too deep.
 * Malformed text is not judged here; jansson does that.
 */
static void scan_text(scan_result *scan, const char *text, size_t len)
{
    size_t depth = 0;
    size_t i = 0;
    scan->too_deep_offset = SIZE_MAX;
    while (i < len) {
        char c = text[i];
        if (c == '"') {
            size_t start = ++i;
            while (i < len && text[i] != '"') {
                if (text[i] == '\\') {
                    if (i == start && i + 5 < len && memcmp(text + i, "\\u0000", 6) == 0)
                        add_edit(scan, EDIT_NUL_STRING, start, 0);
                    i += 2;
                } else {
                    i++;
                }
            }
            i++;
        } else if (c == '{' || c == '[') {
            if (++depth > EXOPLACE_MAX_JSON_DEPTH && scan->too_deep_offset == SIZE_MAX)
                scan->too_deep_offset = i;
            i++;
        } else if (c == '}' || c == ']') {
            if (depth)
                depth--;
            i++;
        } else if (c == '-' || is_digit(c)) {
            size_t start = i;
            int negative = c == '-';
            if (negative)
                i++;
            size_t digits = i;
            while (i < len && is_digit(text[i]))
                i++;
            size_t n_digits = i - digits;
            int is_plain_integer = !(i < len && (text[i] == '.' || text[i] == 'e' || text[i] == 'E'));
            /* Only well-formed integers: jansson reports the rest itself. */
            if (is_plain_integer && n_digits > 0 && text[digits] != '0' &&
                !fits_int64(text + digits, n_digits, negative))
                add_edit(scan, EDIT_BIG_INTEGER, start, i - start);
            while (i < len && (is_digit(text[i]) || text[i] == '.' || text[i] == 'e' || text[i] == 'E' ||
                               text[i] == '+' || text[i] == '-'))
                i++;
        } else {
            i++;
        }
    }
}

/* Line and column as jansson counts them: lines from 1, columns in
 * characters (UTF-8 lead bytes) from 1. */
static void text_position(const char *text, size_t offset, int *line_out, int *column_out)
{
    int line = 1, column = 0;
    for (size_t i = 0; i <= offset && text[i]; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            line++;
            column = 0;
        } else if ((c & 0xC0) != 0x80) {
            column++;
        }
    }
    *line_out = line;
    *column_out = column;
}

static exoplace_status parse_with_jansson(json_t **out, const char *text, size_t len, exoplace_error *err)
{
    /* Zeroed: jansson leaves it untouched when it fails to allocate early. */
    json_error_t jerr;
    memset(&jerr, 0, sizeof jerr);
    *out = json_loadb(text, len, JSON_ALLOW_NUL, &jerr);
    if (*out)
        return EXOPLACE_OK;
    /* jansson reports running out of memory with its own code or, from some
     * places, with no error at all. */
    if (json_error_code(&jerr) == json_error_out_of_memory || jerr.text[0] == '\0')
        return exoplace__fail_no_memory(err);
    return exoplace__fail(err, EXOPLACE_E_INVALID_JSON, NULL, "line %d, column %d: %s", jerr.line,
                          jerr.column, jerr.text);
}

/* The first copy: big literals become same-length strings of zeros. */
static char *copy_for_positions(const char *text, size_t len, const scan_result *scan)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, text, len + 1);
    for (size_t e = 0; e < scan->n_edits; e++) {
        const edit *ed = &scan->edits[e];
        if (ed->kind != EDIT_BIG_INTEGER)
            continue;
        /* A literal outside int64 has at least 19 digits: room for quotes. */
        copy[ed->offset] = '"';
        memset(copy + ed->offset + 1, '0', ed->length - 2);
        copy[ed->offset + ed->length - 1] = '"';
    }
    return copy;
}

static const char big_marker_open[] = "\"\\u0000";

/* The second copy: markers for big literals, '?' before a leading NUL. */
static char *copy_with_markers(const char *text, size_t len, const scan_result *scan, size_t *len_out)
{
    size_t marker_extra = (sizeof big_marker_open - 1) + 1; /* opening text and closing quote */
    size_t n_nul = scan->n_edits - scan->n_big;
    size_t total = len + scan->n_big * marker_extra + n_nul;
    char *copy = malloc(total + 1);
    if (!copy)
        return NULL;
    size_t from = 0, to = 0;
    for (size_t e = 0; e < scan->n_edits; e++) {
        const edit *ed = &scan->edits[e];
        memcpy(copy + to, text + from, ed->offset - from);
        to += ed->offset - from;
        from = ed->offset;
        if (ed->kind == EDIT_NUL_STRING) {
            copy[to++] = '?';
        } else {
            memcpy(copy + to, big_marker_open, sizeof big_marker_open - 1);
            to += sizeof big_marker_open - 1;
            memcpy(copy + to, text + from, ed->length);
            to += ed->length;
            copy[to++] = '"';
            from += ed->length;
        }
    }
    memcpy(copy + to, text + from, len - from);
    to += len - from;
    copy[to] = '\0';
    *len_out = to;
    return copy;
}

exoplace_status exoplace__json_load(json_t **out, const char *text, exoplace_error *err)
{
    *out = NULL;
    size_t len = strnlen(text, (size_t)EXOPLACE_MAX_INPUT_BYTES + 1);
    if (len > EXOPLACE_MAX_INPUT_BYTES)
        return exoplace__fail(err, EXOPLACE_E_LIMIT, NULL, "request larger than %u bytes",
                              (unsigned)EXOPLACE_MAX_INPUT_BYTES);

    scan_result scan = {0};
    scan_text(&scan, text, len);
    exoplace_status status = EXOPLACE_OK;
    if (scan.failed_alloc) {
        status = exoplace__fail_no_memory(err);
    } else if (scan.too_deep_offset != SIZE_MAX) {
        int line, column;
        text_position(text, scan.too_deep_offset, &line, &column);
        status = exoplace__fail(err, EXOPLACE_E_LIMIT, NULL, "line %d, column %d: nested deeper than %d", line,
                                column, EXOPLACE_MAX_JSON_DEPTH);
    } else if (scan.n_edits == 0) {
        status = parse_with_jansson(out, text, len, err);
    } else {
        /* Positions come from the first parse, values from the second. */
        char *positions = copy_for_positions(text, len, &scan);
        json_t *checked = NULL;
        status = positions ? parse_with_jansson(&checked, positions, len, err) : exoplace__fail_no_memory(err);
        json_decref(checked);
        free(positions);
        if (status == EXOPLACE_OK) {
            size_t marked_len = 0;
            char *marked = copy_with_markers(text, len, &scan, &marked_len);
            status = marked ? parse_with_jansson(out, marked, marked_len, err) : exoplace__fail_no_memory(err);
            free(marked);
        }
    }
    free(scan.edits);
    return status;
}

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
    const char *where = path->len ? path->text : "request";
    return exoplace__fail(err, code, path->text, "%s: %s", where, problem);
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
