/* The JSON tokenizer (lib/json_parse.c) and the builder on top of it
 * (tests/common/json_build.c) against jansson's own parser, and the cursor against
 * itself: shared by test_json_parse and the fuzz_json_parse harness.
 *
 *  - exoplace__json_validate() accepts exactly the texts jansson's json_loadb
 *    accepts (JSON_ALLOW_NUL; both want an object or an array at the top),
 *    except where it is documented to differ: it accepts integers beyond
 *    int64, reals beyond a double and object keys holding U+0000, which
 *    jansson refuses, refuses a NUL byte outside strings where jansson may
 *    stop at it, and refuses more than EXOPLACE_MAX_JSON_DEPTH levels
 *    or EXOPLACE_MAX_INPUT_BYTES bytes (E_LIMIT). A refusal has a position,
 *    no field, and a valid UTF-8 message.
 *  - On a text both accept, test_json_load() builds jansson's values,
 *    apart from its documented marker ('?' before a string starting with NUL);
 *    on a valid text jansson refuses, it builds values (big integers as
 *    markers) or refuses with the position of the one token at fault.
 *  - On an accepted text, a walk of every value with the cursor lands, after
 *    each value, where exoplace__json_skip() from that value lands; every
 *    string decodes the same through string_decode, string_copy (whole and
 *    cut) and string_equals; every number reads as its literal says.
 *  - On a refused text, the same walk still ends, inside the text.
 */
#ifndef EXOPLACE_TEST_PARSE_AGREEMENT_H
#define EXOPLACE_TEST_PARSE_AGREEMENT_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_build.h"
#include "json_parse.h"
#include "utf8.h"

/* Equal values, where a string of ours may be jansson's with '?' in front
 * when jansson's starts with NUL. */
static inline int parse_agreement_same(const json_t *ours, const json_t *theirs)
{
    if (json_typeof(ours) != json_typeof(theirs))
        return 0;
    switch (json_typeof(ours)) {
    case JSON_OBJECT: {
        if (json_object_size(ours) != json_object_size(theirs))
            return 0;
        const char *key;
        const json_t *value;
        json_object_foreach ((json_t *)ours, key, value) {
            const json_t *other = json_object_get(theirs, key);
            if (!other || !parse_agreement_same(value, other))
                return 0;
        }
        return 1;
    }
    case JSON_ARRAY:
        if (json_array_size(ours) != json_array_size(theirs))
            return 0;
        for (size_t i = 0; i < json_array_size(ours); i++)
            if (!parse_agreement_same(json_array_get(ours, i), json_array_get(theirs, i)))
                return 0;
        return 1;
    case JSON_STRING: {
        size_t n = json_string_length(theirs);
        const char *t = json_string_value(theirs);
        const char *o = json_string_value(ours);
        if (n > 0 && t[0] == '\0')
            return json_string_length(ours) == n + 1 && o[0] == '?' && memcmp(o + 1, t, n) == 0;
        return json_string_length(ours) == n && memcmp(o, t, n) == 0;
    }
    default:
        return json_equal((json_t *)ours, (json_t *)theirs);
    }
}

/* Whether text[0..n) is valid UTF-8 (it may hold NUL bytes). */
static inline int parse_agreement_utf8(const char *text, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t k = exoplace__utf8_sequence((const unsigned char *)text + i, n - i);
        if (!k)
            return 0;
        i += k;
    }
    return 1;
}

typedef struct parse_agreement_walk {
    const char *text;
    size_t len;
    char *why;
    size_t why_size;
    int failed;
} parse_agreement_walk;

static inline void parse_agreement_fail(parse_agreement_walk *w, const char *what, size_t at)
{
    if (!w->failed)
        snprintf(w->why, w->why_size, "cursor at offset %zu: %s", at, what);
    w->failed = 1;
}

/* Every way of reading s gives the same text. */
static inline void parse_agreement_string(parse_agreement_walk *w, const exoplace__json_string *s)
{
    size_t at = (size_t)(s->raw - w->text);
    if (s->raw < w->text || s->raw_len > w->len - at) {
        parse_agreement_fail(w, "string outside the text", at);
        return;
    }
    if ((memchr(s->raw, '\\', s->raw_len) != NULL) != (s->has_escapes != 0))
        parse_agreement_fail(w, "has_escapes differs from the raw text", at);
    char *decoded = NULL;
    size_t n = 0;
    int has_nul = -1;
    exoplace_error err;
    memset(&err, 0, sizeof err);
    if (exoplace__json_string_decode(&decoded, &n, &has_nul, s, &err) != EXOPLACE_OK) {
        parse_agreement_fail(w, "string_decode failed", at);
        return;
    }
    if (decoded[n] != '\0' || has_nul != (memchr(decoded, '\0', n) != NULL) || !parse_agreement_utf8(decoded, n))
        parse_agreement_fail(w, "string_decode: not terminated, has_nul wrong or not UTF-8", at);
    char *whole = malloc(s->raw_len + 1);
    if (!whole)
        abort();
    if (exoplace__json_string_copy(whole, s->raw_len + 1, s) != n || memcmp(whole, decoded, n + 1) != 0)
        parse_agreement_fail(w, "string_copy into raw_len + 1 bytes differs from string_decode", at);
    free(whole);
    /* Cut copies: the longest prefix of whole characters that fits,
     * terminated, and the whole length returned. */
    for (size_t size = 0; size <= n + 1 && size < 12; size++) {
        char cut[12];
        memset(cut, 'X', sizeof cut);
        if (exoplace__json_string_copy(cut, size, s) != n)
            parse_agreement_fail(w, "string_copy into a small buffer gives another length", at);
        if (size == 0) {
            if (cut[0] != 'X')
                parse_agreement_fail(w, "string_copy wrote into a buffer of 0 bytes", at);
            continue;
        }
        size_t kept = n < size - 1 ? n : size - 1;
        while (kept > 0 && kept < n && ((unsigned char)decoded[kept] & 0xC0) == 0x80)
            kept--;
        if (memcmp(cut, decoded, kept) != 0 || cut[kept] != '\0')
            parse_agreement_fail(w, "string_copy into a small buffer is not the longest whole-character prefix", at);
    }
    if (!has_nul) {
        if (!exoplace__json_string_equals(s, decoded))
            parse_agreement_fail(w, "string_equals refuses the decoded text", at);
        char *other = malloc(n + 2);
        if (!other)
            abort();
        memcpy(other, decoded, n);
        memcpy(other + n, "x", 2);
        if (exoplace__json_string_equals(s, other))
            parse_agreement_fail(w, "string_equals accepts a longer text", at);
        if (n > 0) {
            other[n - 1] = '\0';
            if (exoplace__json_string_equals(s, other))
                parse_agreement_fail(w, "string_equals accepts a shorter text", at);
        }
        free(other);
    }
    free(decoded);
}

/* The number reads as its literal says. */
static inline void parse_agreement_number(parse_agreement_walk *w, const exoplace__json_number *number)
{
    size_t at = (size_t)(number->text - w->text);
    const char *t = number->text;
    size_t n = number->len;
    if (n == 0 || at > w->len || n > w->len - at) {
        parse_agreement_fail(w, "number outside the text", at);
        return;
    }
    int negative = t[0] == '-';
    const char *digits = t + negative;
    size_t n_digits = n - (size_t)negative;
    int is_integer = !memchr(t, '.', n) && !memchr(t, 'e', n) && !memchr(t, 'E', n);
    if (number->negative != negative || number->is_integer != is_integer) {
        parse_agreement_fail(w, "number: sign or kind differs from the literal", at);
        return;
    }
    if (!is_integer) {
        if (number->overflow)
            parse_agreement_fail(w, "number: a real marked as integer overflow", at);
        return;
    }
    static const char max_u64[] = "18446744073709551615";
    int overflow = n_digits > sizeof max_u64 - 1 ||
                   (n_digits == sizeof max_u64 - 1 && memcmp(digits, max_u64, n_digits) > 0);
    if (number->overflow != overflow) {
        parse_agreement_fail(w, "number: overflow differs from the literal", at);
        return;
    }
    if (!overflow) {
        char copy[32];
        memcpy(copy, digits, n_digits);
        copy[n_digits] = '\0';
        if (number->magnitude != strtoull(copy, NULL, 10))
            parse_agreement_fail(w, "number: magnitude differs from the literal", at);
    }
}

/* Reads the value at the cursor and everything in it; checks (when check)
 * that skipping it lands where reading it does. Beyond max_depth it skips. */
static inline void parse_agreement_read(parse_agreement_walk *w, exoplace__json_cursor *c, int depth, int check)
{
    exoplace__json_cursor ahead = *c;
    exoplace__json_skip(&ahead);
    if (depth > EXOPLACE_MAX_JSON_DEPTH) {
        *c = ahead;
        return;
    }
    switch (exoplace__json_kind_at(c)) {
    case EXOPLACE__JSON_OBJECT: {
        exoplace__json_string key;
        exoplace__json_enter(c);
        while (exoplace__json_next_member(c, &key)) {
            if (check)
                parse_agreement_string(w, &key);
            parse_agreement_read(w, c, depth + 1, check);
        }
        break;
    }
    case EXOPLACE__JSON_ARRAY:
        exoplace__json_enter(c);
        while (exoplace__json_next_element(c))
            parse_agreement_read(w, c, depth + 1, check);
        break;
    case EXOPLACE__JSON_STRING: {
        exoplace__json_string s = exoplace__json_string_at(c);
        if (check)
            parse_agreement_string(w, &s);
        break;
    }
    case EXOPLACE__JSON_NUMBER: {
        exoplace__json_number number = exoplace__json_number_at(c);
        if (check)
            parse_agreement_number(w, &number);
        break;
    }
    default: {
        size_t at = c->pos;
        exoplace__json_skip(c);
        if (check) {
            size_t n = c->pos - at;
            const char *t = w->text + at;
            if (!((n == 4 && (memcmp(t, "true", 4) == 0 || memcmp(t, "null", 4) == 0)) ||
                  (n == 5 && memcmp(t, "false", 5) == 0)))
                parse_agreement_fail(w, "a literal skips to another length", at);
        }
        break;
    }
    }
    if (c->pos > w->len)
        parse_agreement_fail(w, "the cursor left the text", c->pos);
    else if (check && c->pos != ahead.pos)
        parse_agreement_fail(w, "skip lands elsewhere than reading the value", ahead.pos);
}

/* Jansson refusals the validation is documented not to share. */
static inline int parse_agreement_jansson_stricter(const json_error_t *jerr)
{
    enum json_error_code code = json_error_code(jerr);
    return code == json_error_numeric_overflow || code == json_error_null_byte_in_key;
}

/* 1 when they agree on text[0..len) (which need not be NUL-terminated);
 * otherwise 0 with the reason in why. */
static inline int parse_agreement(const char *text, size_t len, char *why, size_t why_size)
{
    json_error_t jerr;
    memset(&jerr, 0, sizeof jerr);
    json_t *theirs = json_loadb(text, len, JSON_ALLOW_NUL, &jerr);
    exoplace_error err; /* the parser, like every internal step, expects it clear */
    memset(&err, 0, sizeof err);
    exoplace_status status = exoplace__json_validate(text, len, &err);
    int agree = 1;
    if (status != EXOPLACE_OK && status != EXOPLACE_E_INVALID_JSON && status != EXOPLACE_E_LIMIT) {
        snprintf(why, why_size, "validate: %s: %.200s", exoplace_status_name(status), err.message);
        agree = 0;
    } else if (status != EXOPLACE_OK && (strncmp(err.message, "line ", 5) != 0 && status != EXOPLACE_E_LIMIT)) {
        snprintf(why, why_size, "error without a position: %.200s", err.message);
        agree = 0;
    } else if (status != EXOPLACE_OK && (err.field[0] != '\0' || !exoplace__utf8_valid(err.message))) {
        snprintf(why, why_size, "error with a field or not UTF-8: %.200s", err.message);
        agree = 0;
    } else if (status == EXOPLACE_E_LIMIT) {
        /* Beyond jansson: only the validation can judge these. */
    } else if (!theirs && parse_agreement_jansson_stricter(&jerr)) {
        /* jansson stopped at what it refuses; the rest of the text is not
         * judged by both. */
    } else if (theirs && status == EXOPLACE_E_INVALID_JSON && strstr(err.message, "near '\\x00")) {
        /* jansson may take a NUL byte outside a string for the end of its
         * buffer (after a number, say) and accept what came before; the
         * validation refuses the byte, as the JSON contract says. */
    } else if ((status == EXOPLACE_OK) != (theirs != NULL)) {
        snprintf(why, why_size, "validate %s (%.200s), jansson %s (%.160s)", status == EXOPLACE_OK ? "accepts" : "refuses",
                 status == EXOPLACE_OK ? "" : err.message, theirs ? "accepts" : "refuses", jerr.text);
        agree = 0;
    }

    parse_agreement_walk w = {text, len, why, why_size, !agree};
    exoplace__json_cursor c;
    exoplace__json_cursor_init(&c, text, len);
    parse_agreement_read(&w, &c, 0, status == EXOPLACE_OK);
    exoplace__json_kind_at(&c); /* past the whitespace after the top value */
    if (status == EXOPLACE_OK && c.pos != len)
        parse_agreement_fail(&w, "the walk of the top value ends before the end of the text", c.pos);
    agree = agree && !w.failed;

    /* The builder reads NUL-terminated text: a valid one has no NUL byte. */
    if (agree && status == EXOPLACE_OK) {
        char *copy = malloc(len + 1);
        if (!copy)
            abort();
        memcpy(copy, text, len);
        copy[len] = '\0';
        json_t *ours = NULL;
        memset(&err, 0, sizeof err);
        exoplace_status built = test_json_load(&ours, copy, &err);
        const char *near = strstr(err.message, " near ");
        if (built == EXOPLACE_OK && theirs && !parse_agreement_same(ours, theirs)) {
            snprintf(why, why_size, "the builder's values differ from jansson's");
            agree = 0;
        } else if (built != EXOPLACE_OK && theirs) {
            snprintf(why, why_size, "the builder refuses a text jansson accepts: %.200s", err.message);
            agree = 0;
        } else if (built != EXOPLACE_OK &&
                   (built != EXOPLACE_E_INVALID_JSON || strncmp(err.message, "line ", 5) != 0 || !near ||
                    err.field[0] != '\0')) {
            /* What it refuses in valid JSON: one token, with its position. */
            snprintf(why, why_size, "the builder's refusal is not one token's position: %.200s", err.message);
            agree = 0;
        }
        json_decref(ours);
        free(copy);
    }
    json_decref(theirs);
    return agree;
}

#endif
