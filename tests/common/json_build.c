/* jansson values from a validated text, through the cursor (json_build.h). */
#include "json_build.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "json_parse.h"

typedef struct builder {
    const char *text;
    size_t len;
    /* Decoded strings: a string is decoded at scratch + 1, so that a '?' can
     * go in front of it. */
    char *scratch;
    size_t scratch_capacity;
    exoplace_error *err;
} builder;

static exoplace_status build_value(builder *b, exoplace__json_cursor *c, json_t **out);

/* Room for need bytes in the scratch. */
static exoplace_status reserve(builder *b, size_t need)
{
    if (need <= b->scratch_capacity)
        return EXOPLACE_OK;
    size_t capacity = b->scratch_capacity ? b->scratch_capacity : 256;
    while (capacity < need)
        capacity *= 2;
    char *grown = realloc(b->scratch, capacity);
    if (!grown)
        return exoplace__fail_no_memory(b->err);
    b->scratch = grown;
    b->scratch_capacity = capacity;
    return EXOPLACE_OK;
}

/* Decodes s to b->scratch + 1 (*len_out bytes). */
static exoplace_status decode(builder *b, const exoplace__json_string *s, size_t *len_out)
{
    /* Decoding never lengthens a text: raw_len + 1 bytes hold it with its NUL. */
    exoplace_status status = reserve(b, s->raw_len + 2);
    if (status == EXOPLACE_OK)
        *len_out = exoplace__json_string_copy(b->scratch + 1, b->scratch_capacity - 1, s);
    return status;
}

static exoplace_status build_string(builder *b, exoplace__json_cursor *c, json_t **out)
{
    exoplace__json_string s = exoplace__json_string_at(c);
    if (!s.has_escapes) {
        *out = json_stringn_nocheck(s.raw, s.raw_len);
    } else {
        size_t n;
        exoplace_status status = decode(b, &s, &n);
        if (status != EXOPLACE_OK)
            return status;
        char *text = b->scratch + 1;
        /* Only an escape makes a NUL, and only a marker starts with one. */
        if (n > 0 && text[0] == '\0') {
            *--text = '?';
            n++;
        }
        *out = json_stringn_nocheck(text, n);
    }
    return *out ? EXOPLACE_OK : exoplace__fail_no_memory(b->err);
}

static exoplace_status build_number(builder *b, exoplace__json_cursor *c, json_t **out)
{
    size_t start = c->pos;
    exoplace__json_number number = exoplace__json_number_at(c);
    if (!number.is_integer) {
        /* jansson converts reals itself, so they are exactly its reals,
         * independent of the locale. */
        json_error_t jerr;
        memset(&jerr, 0, sizeof jerr);
        *out = json_loadb(number.text, number.len, JSON_DECODE_ANY, &jerr);
        if (*out)
            return EXOPLACE_OK;
        if (json_error_code(&jerr) == json_error_out_of_memory || jerr.text[0] == '\0')
            return exoplace__fail_no_memory(b->err);
        /* jansson's text names the literal itself. */
        return exoplace__json_fail_near(b->err, b->text, b->len, start,
                                        json_error_code(&jerr) == json_error_numeric_overflow ? "real number overflow"
                                                                                               : jerr.text);
    }
    /* Negation in unsigned arithmetic: -2^63 has no positive twin. */
    uint64_t limit = number.negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (!number.overflow && number.magnitude <= limit) {
        *out = json_integer(number.negative ? (json_int_t)(0 - number.magnitude) : (json_int_t)number.magnitude);
    } else {
        exoplace_status status = reserve(b, number.len + 1);
        if (status != EXOPLACE_OK)
            return status;
        b->scratch[0] = '\0';
        memcpy(b->scratch + 1, number.text, number.len);
        *out = json_stringn_nocheck(b->scratch, number.len + 1);
    }
    return *out ? EXOPLACE_OK : exoplace__fail_no_memory(b->err);
}

static exoplace_status build_object(builder *b, exoplace__json_cursor *c, json_t **out)
{
    json_t *object = json_object();
    if (!object)
        return exoplace__fail_no_memory(b->err);
    exoplace__json_enter(c);
    exoplace__json_string key;
    exoplace_status status = EXOPLACE_OK;
    while (status == EXOPLACE_OK && exoplace__json_next_member(c, &key)) {
        size_t key_start = (size_t)(key.raw - b->text) - 1;
        size_t key_len = key.raw_len;
        if (key.has_escapes) {
            /* Refused before the value is read, as jansson does. */
            status = decode(b, &key, &key_len);
            if (status == EXOPLACE_OK && memchr(b->scratch + 1, '\0', key_len))
                status = exoplace__json_fail_near(b->err, b->text, b->len, key_start,
                                                  "NUL byte in object key not supported");
        }
        json_t *value = NULL;
        if (status == EXOPLACE_OK)
            status = build_value(b, c, &value);
        /* The value may have used the scratch: decode the key again. */
        if (status == EXOPLACE_OK && key.has_escapes)
            status = decode(b, &key, &key_len);
        if (status != EXOPLACE_OK) {
            json_decref(value);
            break;
        }
        /* jansson takes the value even when adding fails. As in jansson's own
         * parser, a repeated key keeps its last value. */
        if (json_object_setn_new_nocheck(object, key.has_escapes ? b->scratch + 1 : key.raw, key_len, value) != 0)
            status = exoplace__fail_no_memory(b->err);
    }
    if (status != EXOPLACE_OK) {
        json_decref(object);
        return status;
    }
    *out = object;
    return EXOPLACE_OK;
}

static exoplace_status build_array(builder *b, exoplace__json_cursor *c, json_t **out)
{
    json_t *array = json_array();
    if (!array)
        return exoplace__fail_no_memory(b->err);
    exoplace__json_enter(c);
    exoplace_status status = EXOPLACE_OK;
    while (status == EXOPLACE_OK && exoplace__json_next_element(c)) {
        json_t *value = NULL;
        status = build_value(b, c, &value);
        if (status == EXOPLACE_OK && json_array_append_new(array, value) != 0)
            status = exoplace__fail_no_memory(b->err);
    }
    if (status != EXOPLACE_OK) {
        json_decref(array);
        return status;
    }
    *out = array;
    return EXOPLACE_OK;
}

/* The value at the cursor; validation bounds the recursion by
 * EXOPLACE_MAX_JSON_DEPTH. */
static exoplace_status build_value(builder *b, exoplace__json_cursor *c, json_t **out)
{
    switch (exoplace__json_kind_at(c)) {
    case EXOPLACE__JSON_OBJECT:
        return build_object(b, c, out);
    case EXOPLACE__JSON_ARRAY:
        return build_array(b, c, out);
    case EXOPLACE__JSON_STRING:
        return build_string(b, c, out);
    case EXOPLACE__JSON_NUMBER:
        return build_number(b, c, out);
    case EXOPLACE__JSON_TRUE:
        *out = json_true();
        break;
    case EXOPLACE__JSON_FALSE:
        *out = json_false();
        break;
    case EXOPLACE__JSON_NULL:
        *out = json_null();
        break;
    }
    exoplace__json_skip(c);
    return EXOPLACE_OK;
}

exoplace_status test_json_load(json_t **out, const char *text, exoplace_error *err)
{
    *out = NULL;
    size_t len = strnlen(text, (size_t)EXOPLACE_MAX_INPUT_BYTES + 1);
    exoplace_status status = exoplace__json_validate(text, len, err);
    if (status != EXOPLACE_OK)
        return status;
    builder b = {.text = text, .len = len, .err = err};
    exoplace__json_cursor c;
    exoplace__json_cursor_init(&c, text, len);
    status = build_value(&b, &c, out);
    free(b.scratch);
    if (status != EXOPLACE_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return status;
}

int test_json_is_big_integer(const json_t *value)
{
    return json_is_string(value) && json_string_length(value) >= 2 && json_string_value(value)[0] == '\0';
}

const json_t *test_json_member(const json_t *object, const char *camel, const char *snake)
{
    const json_t *value = json_object_get(object, camel);
    if ((!value || json_is_null(value)) && snake)
        value = json_object_get(object, snake);
    return value && !json_is_null(value) ? value : NULL;
}

int test_json_u64(uint64_t *out, const json_t *value)
{
    if (json_is_integer(value)) {
        if (json_integer_value(value) < 0)
            return 0;
        *out = (uint64_t)json_integer_value(value);
        return 1;
    }
    if (!test_json_is_big_integer(value))
        return 0;
    const char *digits = json_string_value(value) + 1;
    uint64_t v = 0;
    for (const char *d = digits; *d; d++) {
        if (*d < '0' || *d > '9')
            return 0;
        uint64_t digit = (uint64_t)(*d - '0');
        if (v > (UINT64_MAX - digit) / 10)
            return 0;
        v = v * 10 + digit;
    }
    *out = v;
    return 1;
}

int test_json_bytes(uint64_t *out, const json_t *value)
{
    if (json_is_object(value))
        value = test_json_member(value, "inBytes", "in_bytes");
    return value && test_json_u64(out, value);
}
