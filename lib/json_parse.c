/* Parsing request text into jansson values, in one pass.
 *
 * Requests are not parsed with jansson's own json_loadb, for three reasons:
 * it stores integers as signed 64-bit and refuses larger literals, while
 * memory sizes are unsigned 64-bit; it has no nesting limit; and it copies
 * strings a byte at a time, which made parsing most of the cost of a whole
 * `exoplace place` on large clusters. This parser accepts exactly RFC 8259
 * JSON (an object or an array at the top, UTF-8 text) and builds the values
 * jansson would build, with two differences the typed readers rely on:
 *   - an integer literal outside the int64 range becomes a string holding a
 *     NUL byte followed by the literal's text;
 *   - a string the caller wrote that starts with a NUL byte gets a '?' put
 *     in front, so a string starting with NUL is always a big integer.
 * Real literals are converted by jansson itself (json_loadb on the literal
 * alone), so they are exactly jansson's reals, independent of the locale.
 *
 * Errors give the line and the column of the last character of the
 * offending token, counted as jansson counts them: lines from 1, columns in
 * characters from 1, column 0 for empty input. */
#include "json_read.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "utf8.h"

typedef struct parser {
    const char *text; /* NUL-terminated at len */
    size_t len;
    size_t pos;
    unsigned depth;
    /* Decoded strings and the keys of the objects being read, as a stack:
     * a key stays at its offset until its value has been read. */
    char *scratch;
    size_t scratch_capacity;
    size_t scratch_top;
    exoplace_error *err;
} parser;

static exoplace_status parse_value(parser *p, json_t **out);

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Bytes that continue a bare token (a number or a literal) for messages. */
static int is_word_byte(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '+' || c == '-' || c == '.';
}

/* Line and column of the character at offset (offset len: the last one). */
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

/* Offset of the last byte of the token that starts at `start`: a whole
 * string, a run of word bytes, or one UTF-8 character. */
static size_t token_end(const parser *p, size_t start)
{
    const char *t = p->text;
    size_t i = start;
    if (t[start] == '"') {
        for (i = start + 1; i < p->len && t[i] != '"'; i++)
            if (t[i] == '\\' && i + 1 < p->len)
                i++;
        return i < p->len ? i : p->len - 1;
    }
    if (is_word_byte(t[start])) {
        while (i + 1 < p->len && is_word_byte(t[i + 1]))
            i++;
        return i;
    }
    while (i + 1 < p->len && ((unsigned char)t[i + 1] & 0xC0) == 0x80)
        i++;
    return i;
}

static exoplace_status fail_at(const parser *p, size_t offset, const char *problem)
{
    int line, column;
    text_position(p->text, offset, &line, &column);
    return exoplace__fail(p->err, EXOPLACE_E_INVALID_JSON, NULL, "line %d, column %d: %s", line, column, problem);
}

/* "<problem> near '<token>'" at the end of the token that starts at start. */
static exoplace_status fail_near(const parser *p, size_t start, const char *problem)
{
    if (start >= p->len) {
        int line, column;
        text_position(p->text, p->len, &line, &column);
        return exoplace__fail(p->err, EXOPLACE_E_INVALID_JSON, NULL, "line %d, column %d: %s near end of file",
                              line, column, problem);
    }
    size_t end = token_end(p, start);
    enum { NEAR_BYTES = 24 };
    char near[NEAR_BYTES + 1];
    size_t n = 0;
    /* Printable ASCII only: the message must stay valid UTF-8. */
    for (size_t i = start; i <= end && n < NEAR_BYTES; i++) {
        unsigned char c = (unsigned char)p->text[i];
        near[n++] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    near[n] = '\0';
    int line, column;
    text_position(p->text, end, &line, &column);
    return exoplace__fail(p->err, EXOPLACE_E_INVALID_JSON, NULL, "line %d, column %d: %s near '%s%s'", line, column,
                          problem, near, end - start + 1 > n ? "..." : "");
}

static void skip_space(parser *p)
{
    while (p->pos < p->len) {
        char c = p->text[p->pos];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
            return;
        p->pos++;
    }
}

/* Room for `need` bytes from scratch_top. */
static exoplace_status reserve_scratch(parser *p, size_t need)
{
    size_t want = p->scratch_top + need;
    if (want <= p->scratch_capacity)
        return EXOPLACE_OK;
    size_t capacity = p->scratch_capacity ? p->scratch_capacity : 256;
    while (capacity < want)
        capacity *= 2;
    char *grown = realloc(p->scratch, capacity);
    if (!grown)
        return exoplace__fail_no_memory(p->err);
    p->scratch = grown;
    p->scratch_capacity = capacity;
    return EXOPLACE_OK;
}

/* Four hex digits at s (bounds checked by the caller), or -1. */
static long hex4(const char *s)
{
    long value = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int digit = is_digit(c) ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (digit < 0)
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

static size_t put_utf8(char *out, uint32_t code)
{
    if (code < 0x80) {
        out[0] = (char)code;
        return 1;
    }
    if (code < 0x800) {
        out[0] = (char)(0xC0 | (code >> 6));
        out[1] = (char)(0x80 | (code & 0x3F));
        return 2;
    }
    if (code < 0x10000) {
        out[0] = (char)(0xE0 | (code >> 12));
        out[1] = (char)(0x80 | ((code >> 6) & 0x3F));
        out[2] = (char)(0x80 | (code & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (code >> 18));
    out[1] = (char)(0x80 | ((code >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((code >> 6) & 0x3F));
    out[3] = (char)(0x80 | (code & 0x3F));
    return 4;
}

/* Checks one raw (unescaped) string byte at i; returns its sequence length
 * or 0 after recording the error. */
static size_t raw_string_bytes(const parser *p, size_t i)
{
    unsigned char c = (unsigned char)p->text[i];
    if (c < 0x20) {
        fail_at(p, i, "control character in a string");
        return 0;
    }
    size_t n = exoplace__utf8_sequence((const unsigned char *)p->text + i, p->len - i);
    if (!n)
        fail_at(p, i, "invalid UTF-8 in a string");
    return n;
}

/* Decodes the escaped string body [start, end) to scratch_top + 1 (one byte
 * is left in front for the '?' of parse_value). */
static exoplace_status decode_escaped(parser *p, size_t start, size_t end, const char **out, size_t *out_len)
{
    exoplace_status status = reserve_scratch(p, end - start + 2);
    if (status != EXOPLACE_OK)
        return status;
    const char *t = p->text;
    char *to = p->scratch + p->scratch_top + 1;
    size_t n = 0;
    size_t i = start;
    while (i < end) {
        if (t[i] != '\\') {
            size_t bytes = raw_string_bytes(p, i);
            if (!bytes)
                return EXOPLACE_E_INVALID_JSON;
            memcpy(to + n, t + i, bytes);
            n += bytes;
            i += bytes;
            continue;
        }
        char kind = t[i + 1]; /* end is a closing quote, so i + 1 < len */
        static const char simple_from[] = "\"\\/bfnrt";
        static const char simple_to[] = "\"\\/\b\f\n\r\t";
        const char *simple = kind ? strchr(simple_from, kind) : NULL;
        if (simple) {
            to[n++] = simple_to[simple - simple_from];
            i += 2;
            continue;
        }
        if (kind != 'u')
            return fail_at(p, i + 1, "invalid escape in a string");
        long code = i + 6 <= end ? hex4(t + i + 2) : -1;
        if (code < 0)
            return fail_at(p, i + 1, "invalid \\u escape in a string");
        i += 6;
        if (code >= 0xDC00 && code <= 0xDFFF)
            return fail_at(p, i - 1, "lone low surrogate in a string");
        if (code >= 0xD800 && code <= 0xDBFF) {
            long low = i + 6 <= end && t[i] == '\\' && t[i + 1] == 'u' ? hex4(t + i + 2) : -1;
            if (low < 0xDC00 || low > 0xDFFF)
                return fail_at(p, i - 1, "high surrogate without a low surrogate in a string");
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
        }
        n += put_utf8(to + n, (uint32_t)code);
    }
    *out = to;
    *out_len = n;
    return EXOPLACE_OK;
}

/*
 * Reads the string whose opening quote is at pos and moves past it. The
 * text comes back in place when it has no escapes, else decoded into the
 * scratch at scratch_top + 1; it is valid until the next string is read.
 */
static exoplace_status read_string(parser *p, const char **out, size_t *out_len)
{
    const char *t = p->text;
    size_t start = p->pos + 1;
    size_t i = start;
    /* The common case: no escapes, so no copy. */
    while (i < p->len && t[i] != '"' && t[i] != '\\') {
        if ((unsigned char)t[i] >= 0x20 && (unsigned char)t[i] < 0x80) {
            i++;
            continue;
        }
        size_t bytes = raw_string_bytes(p, i);
        if (!bytes)
            return EXOPLACE_E_INVALID_JSON;
        i += bytes;
    }
    if (i < p->len && t[i] == '"') {
        *out = t + start;
        *out_len = i - start;
        p->pos = i + 1;
        return EXOPLACE_OK;
    }
    /* Escapes: find the closing quote, then decode. */
    while (i < p->len && t[i] != '"')
        i += t[i] == '\\' && i + 1 < p->len ? 2 : 1;
    if (i >= p->len)
        return fail_at(p, p->len, "premature end of input in a string");
    exoplace_status status = decode_escaped(p, start, i, out, out_len);
    if (status == EXOPLACE_OK)
        p->pos = i + 1;
    return status;
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

static exoplace_status parse_number(parser *p, json_t **out)
{
    const char *t = p->text;
    size_t start = p->pos;
    size_t i = start;
    int negative = t[i] == '-';
    if (negative)
        i++;
    size_t digits = i;
    if (i >= p->len || !is_digit(t[i]))
        return fail_near(p, start, "invalid number");
    if (t[i] == '0')
        i++;
    else
        while (i < p->len && is_digit(t[i]))
            i++;
    size_t digits_end = i;
    int is_integer = 1;
    if (i < p->len && t[i] == '.') {
        is_integer = 0;
        if (++i >= p->len || !is_digit(t[i]))
            return fail_near(p, start, "invalid number");
        while (i < p->len && is_digit(t[i]))
            i++;
    }
    if (i < p->len && (t[i] == 'e' || t[i] == 'E')) {
        is_integer = 0;
        i++;
        if (i < p->len && (t[i] == '+' || t[i] == '-'))
            i++;
        if (i >= p->len || !is_digit(t[i]))
            return fail_near(p, start, "invalid number");
        while (i < p->len && is_digit(t[i]))
            i++;
    }
    if (i < p->len && is_word_byte(t[i]))
        return fail_near(p, start, "invalid number");
    p->pos = i;

    if (!is_integer) {
        json_error_t jerr;
        memset(&jerr, 0, sizeof jerr);
        *out = json_loadb(t + start, i - start, JSON_DECODE_ANY, &jerr);
        if (*out)
            return EXOPLACE_OK;
        if (json_error_code(&jerr) == json_error_out_of_memory || jerr.text[0] == '\0')
            return exoplace__fail_no_memory(p->err);
        return fail_near(p, start, jerr.text);
    }
    size_t n_digits = digits_end - digits;
    if (fits_int64(t + digits, n_digits, negative)) {
        uint64_t magnitude = 0;
        for (size_t d = digits; d < digits_end; d++)
            magnitude = magnitude * 10 + (uint64_t)(t[d] - '0');
        /* Negation in unsigned arithmetic: -2^63 has no positive twin. */
        json_int_t value = negative ? (json_int_t)(0 - magnitude) : (json_int_t)magnitude;
        *out = json_integer(value);
    } else {
        size_t n = i - start;
        exoplace_status status = reserve_scratch(p, n + 1);
        if (status != EXOPLACE_OK)
            return status;
        char *marker = p->scratch + p->scratch_top;
        marker[0] = '\0';
        memcpy(marker + 1, t + start, n);
        *out = json_stringn_nocheck(marker, n + 1);
    }
    return *out ? EXOPLACE_OK : exoplace__fail_no_memory(p->err);
}

static exoplace_status enter_container(parser *p)
{
    if (++p->depth <= EXOPLACE_MAX_JSON_DEPTH)
        return EXOPLACE_OK;
    int line, column;
    text_position(p->text, p->pos, &line, &column);
    return exoplace__fail(p->err, EXOPLACE_E_LIMIT, NULL, "line %d, column %d: nested deeper than %d", line, column,
                          EXOPLACE_MAX_JSON_DEPTH);
}

static int next_is(parser *p, char c)
{
    skip_space(p);
    if (p->pos < p->len && p->text[p->pos] == c) {
        p->pos++;
        return 1;
    }
    return 0;
}

/* Reads "key": value and adds it to object. */
static exoplace_status parse_member(parser *p, json_t *object)
{
    skip_space(p);
    if (p->pos >= p->len || p->text[p->pos] != '"')
        return fail_near(p, p->pos, "string or '}' expected");
    size_t key_start = p->pos;
    const char *key;
    size_t key_len;
    exoplace_status status = read_string(p, &key, &key_len);
    if (status != EXOPLACE_OK)
        return status;
    if (memchr(key, '\0', key_len))
        return fail_near(p, key_start, "NUL byte in object key not supported");
    /* The key moves to the top of the scratch and stays there, NUL-ended,
     * while its value is read. A decoded key is already there, one byte up
     * and with room for its NUL. */
    size_t key_offset = p->scratch_top;
    if (p->scratch && key == p->scratch + key_offset + 1) {
        memmove(p->scratch + key_offset, key, key_len);
    } else {
        status = reserve_scratch(p, key_len + 1);
        if (status != EXOPLACE_OK)
            return status;
        memcpy(p->scratch + key_offset, key, key_len);
    }
    p->scratch[key_offset + key_len] = '\0';
    p->scratch_top += key_len + 1;

    json_t *value = NULL;
    if (!next_is(p, ':'))
        return fail_near(p, p->pos, "':' expected");
    skip_space(p);
    status = parse_value(p, &value);
    if (status != EXOPLACE_OK)
        return status;
    /* jansson takes the value even when adding fails. As in jansson's own
     * parser, a repeated key keeps its last value. */
    if (json_object_set_new_nocheck(object, p->scratch + key_offset, value) != 0)
        return exoplace__fail_no_memory(p->err);
    p->scratch_top = key_offset;
    return EXOPLACE_OK;
}

static exoplace_status parse_object(parser *p, json_t **out)
{
    exoplace_status status = enter_container(p);
    if (status != EXOPLACE_OK)
        return status;
    p->pos++;
    json_t *object = json_object();
    if (!object)
        return exoplace__fail_no_memory(p->err);
    if (!next_is(p, '}')) {
        for (;;) {
            status = parse_member(p, object);
            if (status != EXOPLACE_OK)
                break;
            if (next_is(p, ','))
                continue;
            if (!next_is(p, '}'))
                status = fail_near(p, p->pos, "',' or '}' expected");
            break;
        }
    }
    p->depth--;
    if (status != EXOPLACE_OK) {
        json_decref(object);
        return status;
    }
    *out = object;
    return EXOPLACE_OK;
}

static exoplace_status parse_array(parser *p, json_t **out)
{
    exoplace_status status = enter_container(p);
    if (status != EXOPLACE_OK)
        return status;
    p->pos++;
    json_t *array = json_array();
    if (!array)
        return exoplace__fail_no_memory(p->err);
    if (!next_is(p, ']')) {
        for (;;) {
            json_t *value = NULL;
            skip_space(p);
            status = parse_value(p, &value);
            if (status != EXOPLACE_OK)
                break;
            if (json_array_append_new(array, value) != 0) {
                status = exoplace__fail_no_memory(p->err);
                break;
            }
            if (next_is(p, ','))
                continue;
            if (!next_is(p, ']'))
                status = fail_near(p, p->pos, "',' or ']' expected");
            break;
        }
    }
    p->depth--;
    if (status != EXOPLACE_OK) {
        json_decref(array);
        return status;
    }
    *out = array;
    return EXOPLACE_OK;
}

static int take_literal(parser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->text + p->pos, word, n) != 0)
        return 0;
    if (p->pos + n < p->len && is_word_byte(p->text[p->pos + n]))
        return 0;
    p->pos += n;
    return 1;
}

/* The value that starts at pos (whitespace already skipped). */
static exoplace_status parse_value(parser *p, json_t **out)
{
    if (p->pos >= p->len)
        return fail_near(p, p->pos, "value expected");
    char c = p->text[p->pos];
    if (c == '{')
        return parse_object(p, out);
    if (c == '[')
        return parse_array(p, out);
    if (c == '"') {
        const char *text;
        size_t len;
        exoplace_status status = read_string(p, &text, &len);
        if (status != EXOPLACE_OK)
            return status;
        /* Only an escape makes a NUL, so the text is in the scratch with
         * the byte in front of it free. */
        if (len > 0 && text[0] == '\0') {
            char *prefixed = (char *)text - 1;
            prefixed[0] = '?';
            text = prefixed;
            len++;
        }
        *out = json_stringn_nocheck(text, len);
        return *out ? EXOPLACE_OK : exoplace__fail_no_memory(p->err);
    }
    if (c == '-' || is_digit(c))
        return parse_number(p, out);
    if (take_literal(p, "true")) {
        *out = json_true();
        return EXOPLACE_OK;
    }
    if (take_literal(p, "false")) {
        *out = json_false();
        return EXOPLACE_OK;
    }
    if (take_literal(p, "null")) {
        *out = json_null();
        return EXOPLACE_OK;
    }
    return fail_near(p, p->pos, "invalid token");
}

exoplace_status exoplace__json_load(json_t **out, const char *text, exoplace_error *err)
{
    *out = NULL;
    size_t len = strnlen(text, (size_t)EXOPLACE_MAX_INPUT_BYTES + 1);
    if (len > EXOPLACE_MAX_INPUT_BYTES)
        return exoplace__fail(err, EXOPLACE_E_LIMIT, NULL, "request larger than %u bytes",
                              (unsigned)EXOPLACE_MAX_INPUT_BYTES);
    parser p = {.text = text, .len = len, .err = err};
    skip_space(&p);
    exoplace_status status;
    json_t *root = NULL;
    if (p.pos >= len || (text[p.pos] != '{' && text[p.pos] != '['))
        status = fail_near(&p, p.pos, "'[' or '{' expected");
    else
        status = parse_value(&p, &root);
    skip_space(&p);
    if (status == EXOPLACE_OK && p.pos < len)
        status = fail_near(&p, p.pos, "end of file expected");
    free(p.scratch);
    if (status != EXOPLACE_OK) {
        json_decref(root);
        return status;
    }
    *out = root;
    return EXOPLACE_OK;
}
