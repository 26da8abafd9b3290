/* The JSON tokenizer (lib/json_parse.c) and the builder on top of it
 * (lib/json_build.c): validation accepts what jansson accepts and refuses
 * what it refuses, with positions counted as jansson counts them; the cursor
 * reads every value in place; the builder builds jansson's values; and the
 * documented differences (integers and reals beyond jansson's range, keys
 * holding U+0000, the limits, the builder's markers) hold. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_build.h"
#include "json_parse.h"
#include "json_parse.h"
#include "parse_agreement.h"

/* The internal library's allocation seam (lib/alloc.h). */
long exoplace__seam_fail_after(long successes);

/* The builder with a clear error, as the entry points call it. */
static exoplace_status load(json_t **doc, const char *text, exoplace_error *err)
{
    memset(err, 0, sizeof *err);
    return test_json_load(doc, text, err);
}

static exoplace_status validate(const char *text, size_t len, exoplace_error *err)
{
    memset(err, 0, sizeof *err);
    return exoplace__json_validate(text, len, err);
}

/* A copy of text[0..len) in a buffer of exactly len bytes, not terminated:
 * under ASan, a read past the text is a report. */
static char *exact_copy(const char *text, size_t len)
{
    char *copy = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, text, len);
    return copy;
}

static void assert_agreement(const char *text, size_t len)
{
    char *copy = exact_copy(text, len);
    char why[512] = "";
    ck_assert_msg(parse_agreement(copy, len, why, sizeof why), "%.*s: %s", (int)len, text, why);
    free(copy);
}

static const char *const valid_texts[] = {
    "{}",
    "[]",
    " \t\r\n{ } \n",
    "[1, -1, 0, -0, 1.5, -0.0, 1e3, 1E+3, 1e-3, 0.5e10, 123456789.25]",
    "[9223372036854775807, -9223372036854775808, 9223372036854775806]",
    "{\"a\": true, \"b\": false, \"c\": null}",
    "{\"a\": 1, \"a\": 2, \"b\": {\"a\": 3}}",
    "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]",
    "[\"\\u00e9\\u20AC\\ud83d\\ude00\\u0041\"]",
    "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\", \"\xf4\x8f\xbf\xbf\"]",
    "{\"k\\u00e9y\": {\"n\\u0041\": [\"x\"]}, \"\xc3\xa9\": 1}",
    "[\"\\u0000abc\", \"a\\u0000\", \"\"]",
    "[[[[]]], {\"a\": [{}]}, [[], {}]]",
    "{\"topology\": {\"nodes\": [{\"nodeId\": \"a\", \"x\": [1, 2.5, \"s\"]}]}}",
    /* Strings longer than a scan block, with specials on either side of a block boundary. */
    "[\"0123456789abcdef0123456789abcdef\", \"0123456789abcde\\n0123456789abcdef\\\\\", \"0123456\\\"89abcdef\"]",
    ("[\"0123456789abcd\xc3\xa9" "0123456789abcdef\xf0\x9f\x98\x80\", \"\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\"\"]"),
    "{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}",
};

/* Texts every parser refuses. */
static const char *const invalid_texts[] = {
    "", "   ", "1", "\"a\"", "true", "null",
    "{", "[", "{\"a\"", "{\"a\":", "{\"a\":1", "[1,", "[1,]", "{\"a\":1,}", "{,}", "[,1]",
    "{\"a\" 1}", "{a:1}", "{'a':1}", "{\"a\":1}}", "[1]x", "[1] [2]", "[01]", "[1.]", "[.5]", "[+1]",
    "[-]", "[1e]", "[1e+]", "[-a]", "[0x10]", "[Infinity]", "[NaN]", "[tru]", "[truex]", "[nul]",
    "[True]", "[1 2]", "{\"a\":1 \"b\":2}", "[\"abc", "[\"abc\\", "[\"abc\\\"]",
    "[\"\\x\"]", "[\"\\u12\"]", "[\"\\u12G4\"]", "[\"\\ud800\"]", "[\"\\udc00\"]", "[\"\\ud800\\u0041\"]",
    "[\"\\ud800x\"]", "[\"a\tb\"]", "[\"a\nb\"]", "[\"a\x01\"]",
    "[\"\xc0\xaf\"]", "[\"\xed\xa0\x80\"]", "[\"\xf4\x90\x80\x80\"]", "[\"\xe2\x82\"]", "[\"\x80\"]",
    "[\"\xff\"]", "\xef\xbb\xbf{}", "[\xc3\xa9]",
    "[\"0123456789abcdef0123456789\x1f\"]", "[\"0123456789abcdef0123456789\xff\"]",
};

START_TEST(valid_texts_validate_and_read_as_jansson_reads_them)
{
    const char *text = valid_texts[_i];
    assert_agreement(text, strlen(text));
    exoplace_error err;
    ck_assert_msg(validate(text, strlen(text), &err) == EXOPLACE_OK, "%s: %s", text, err.message);
    json_t *doc = NULL;
    ck_assert_msg(load(&doc, text, &err) == EXOPLACE_OK, "%s: %s", text, err.message);
    json_decref(doc);
}
END_TEST

START_TEST(invalid_texts_are_refused_with_a_position)
{
    const char *text = invalid_texts[_i];
    assert_agreement(text, strlen(text));
    exoplace_error err;
    ck_assert_int_eq(validate(text, strlen(text), &err), EXOPLACE_E_INVALID_JSON);
    ck_assert_int_eq(err.code, EXOPLACE_E_INVALID_JSON);
    ck_assert_msg(strncmp(err.message, "line ", 5) == 0, "%s", err.message);
    ck_assert_str_eq(err.field, "");
    ck_assert(exoplace__utf8_valid(err.message));
    json_t *doc = NULL;
    ck_assert_int_eq(load(&doc, text, &err), EXOPLACE_E_INVALID_JSON);
    ck_assert_ptr_null(doc);
}
END_TEST

/* Valid JSON that jansson refuses: the validation accepts it (a reader may
 * ignore the member); the builder, which makes jansson values, refuses what
 * jansson cannot hold, naming the token once. */
static const struct {
    const char *text;
    const char *built; /* the builder's message, or NULL when it accepts */
} beyond_jansson[] = {
    {"{\"extra\": 1e400}", "line 1, column 15: real number overflow near '1e400'"},
    {"[-1e400]", "line 1, column 7: real number overflow near '-1e400'"},
    {"[1e-400]", NULL},
    {"{\"nLayers\": -99999999999999999999}", NULL},
    {"[18446744073709551616, 99999999999999999999999999999999]", NULL},
    {"{\"\\u0000\": 1}", "line 1, column 9: NUL byte in object key not supported near '\"\\u0000\"'"},
    {"{\"a\\u0000b\": 1}", "line 1, column 11: NUL byte in object key not supported near '\"a\\u0000b\"'"},
};

START_TEST(valid_json_beyond_jansson_validates)
{
    const char *text = beyond_jansson[_i].text;
    assert_agreement(text, strlen(text));
    exoplace_error err;
    ck_assert_msg(validate(text, strlen(text), &err) == EXOPLACE_OK, "%s: %s", text, err.message);
    json_t *doc = NULL;
    exoplace_status built = load(&doc, text, &err);
    if (beyond_jansson[_i].built) {
        ck_assert_int_eq(built, EXOPLACE_E_INVALID_JSON);
        ck_assert_str_eq(err.message, beyond_jansson[_i].built);
        ck_assert_ptr_null(doc);
    } else {
        ck_assert_msg(built == EXOPLACE_OK, "%s: %s", text, err.message);
        json_decref(doc);
    }
}
END_TEST

static const struct {
    const char *text;
    const char *message_start;
} positions[] = {
    {"", "line 1, column 0: "},
    {"{\"a\": 1}\nx", "line 2, column 1: "},
    {"[1,\n  2,\n  tru]", "line 3, column 5: "},
    /* é is one column. */
    {"{\"\xc3\xa9\": [1 2]}", "line 1, column 10: "},
    {"[\"ab\\qc\"]", "line 1, column 6: "},
    {"[\"a\x01\"]", "line 1, column 4: "},
    /* A string token ends at its closing quote. */
    {"{\"a\": 1 \"nLayers\": 2}", "line 1, column 17: ',' or '}' expected near '\"nLayers\"'"},
    {"[1,\r\n 2 x]", "line 2, column 4: ',' or ']' expected near 'x'"},
    {"{\"a\": 1", "line 1, column 7: ',' or '}' expected near end of file"},
    {"[1e400 x]", "line 1, column 8: ',' or ']' expected near 'x'"},
    /* Once a string has an escape, a missing closing quote is what is reported. */
    {"[\"a\\n\x01", "line 1, column 6: premature end of input in a string"},
    {"[\"a\x01\\n", "line 1, column 4: control character in a string"},
};

START_TEST(errors_give_line_and_column_of_the_offending_token)
{
    const char *text = positions[_i].text;
    exoplace_error err;
    ck_assert_int_eq(validate(text, strlen(text), &err), EXOPLACE_E_INVALID_JSON);
    ck_assert_msg(strncmp(err.message, positions[_i].message_start, strlen(positions[_i].message_start)) == 0,
                  "%s: got \"%s\", want \"%s...\"", text, err.message, positions[_i].message_start);
    ck_assert_str_eq(err.field, "");
    /* The builder reports validation errors unchanged. */
    json_t *doc = NULL;
    exoplace_error built;
    ck_assert_int_eq(load(&doc, text, &built), EXOPLACE_E_INVALID_JSON);
    ck_assert_str_eq(built.message, err.message);
}
END_TEST

START_TEST(tokens_in_messages_are_cut_and_escaped)
{
    exoplace_error err;
    const char *text = "[1 abcdefghijklmnopqrstuvwxyz0123456789]";
    ck_assert_int_eq(validate(text, strlen(text), &err), EXOPLACE_E_INVALID_JSON);
    ck_assert_msg(strstr(err.message, "near 'abcdefghijklmnopqrstuvwx...'") != NULL, "%s", err.message);
    /* Bytes outside printable ASCII are shown as \xNN: valid UTF-8, nothing a terminal acts on. */
    text = "[1 \xc3\xa9]";
    ck_assert_int_eq(validate(text, strlen(text), &err), EXOPLACE_E_INVALID_JSON);
    ck_assert_str_eq(err.message, "line 1, column 4: ',' or ']' expected near '\\xc3\\xa9'");
    text = "[1, \x1b[31m]";
    ck_assert_int_eq(validate(text, strlen(text), &err), EXOPLACE_E_INVALID_JSON);
    ck_assert_str_eq(err.message, "line 1, column 5: invalid token near '\\x1b'");
    text = "{\"a\xff\": 1}";
    ck_assert_int_eq(validate(text, strlen(text), &err), EXOPLACE_E_INVALID_JSON);
    ck_assert_str_eq(err.message, "line 1, column 4: invalid UTF-8 in a string");
    ck_assert(exoplace__utf8_valid(err.message));
}
END_TEST

START_TEST(nul_bytes_outside_strings_are_refused)
{
    exoplace_error err;
    ck_assert_int_eq(validate("{}\0", 3, &err), EXOPLACE_E_INVALID_JSON);
    ck_assert_str_eq(err.message, "line 1, column 3: end of file expected near '\\x00'");
    ck_assert_int_eq(validate("[\0]", 3, &err), EXOPLACE_E_INVALID_JSON);
    ck_assert_str_eq(err.message, "line 1, column 2: invalid token near '\\x00'");
    ck_assert_int_eq(validate("[1\0]", 4, &err), EXOPLACE_E_INVALID_JSON);
    ck_assert_int_eq(validate("[\"a\0\"]", 6, &err), EXOPLACE_E_INVALID_JSON);
    ck_assert_str_eq(err.message, "line 1, column 4: control character in a string");
    assert_agreement("{}\0", 3);
    assert_agreement("[\"a\0\"]", 6);
    /* Escaped, U+0000 is a character like another. */
    ck_assert_int_eq(validate("[\"a\\u0000\"]", 11, &err), EXOPLACE_OK);
}
END_TEST

START_TEST(limits_are_refused_as_limits)
{
    exoplace_error err;
    /* 64 levels are read; the 65th is refused where it opens. */
    char deep[2 * EXOPLACE_MAX_JSON_DEPTH + 8];
    size_t n = 0;
    for (int i = 0; i < EXOPLACE_MAX_JSON_DEPTH; i++)
        deep[n++] = '[';
    for (int i = 0; i < EXOPLACE_MAX_JSON_DEPTH; i++)
        deep[n++] = ']';
    ck_assert_int_eq(validate(deep, n, &err), EXOPLACE_OK);
    n = 0;
    for (int i = 0; i <= EXOPLACE_MAX_JSON_DEPTH; i++)
        deep[n++] = '[';
    for (int i = 0; i <= EXOPLACE_MAX_JSON_DEPTH; i++)
        deep[n++] = ']';
    ck_assert_int_eq(validate(deep, n, &err), EXOPLACE_E_LIMIT);
    ck_assert_str_eq(err.message, "line 1, column 65: nested deeper than 64");
    ck_assert_str_eq(err.field, "");

    /* A text one byte over the input limit is refused before it is read. */
    size_t over = (size_t)EXOPLACE_MAX_INPUT_BYTES + 1;
    char *big = malloc(over);
    ck_assert_ptr_nonnull(big);
    memset(big, ' ', over);
    big[0] = '[';
    big[over - 1] = ']';
    ck_assert_int_eq(validate(big, over, &err), EXOPLACE_E_LIMIT);
    ck_assert_int_eq(validate(big, over - 1, &err), EXOPLACE_E_INVALID_JSON);
    free(big);
}
END_TEST

/* Numbers as the cursor reads them. */
static const struct {
    const char *literal;
    int negative, is_integer, overflow;
    uint64_t magnitude;
} numbers[] = {
    {"0", 0, 1, 0, 0},
    {"-0", 1, 1, 0, 0},
    {"42", 0, 1, 0, 42},
    {"-9223372036854775808", 1, 1, 0, UINT64_C(9223372036854775808)},
    {"18446744073709551615", 0, 1, 0, UINT64_MAX},
    {"18446744073709551616", 0, 1, 1, UINT64_MAX},
    {"-99999999999999999999", 1, 1, 1, UINT64_MAX},
    {"184467440737095516150", 0, 1, 1, UINT64_MAX},
    {"1.5", 0, 0, 0, 0},
    {"-1e400", 1, 0, 0, 0},
    {"1E+3", 0, 0, 0, 0},
    {"99999999999999999999.0", 0, 0, 0, 0},
};

START_TEST(numbers_read_as_written)
{
    char text[64];
    snprintf(text, sizeof text, "[%s ,1]", numbers[_i].literal);
    size_t len = strlen(text);
    exoplace_error err;
    ck_assert_int_eq(validate(text, len, &err), EXOPLACE_OK);
    exoplace__json_cursor c;
    exoplace__json_cursor_init(&c, text, len);
    exoplace__json_enter(&c);
    ck_assert(exoplace__json_next_element(&c));
    ck_assert_int_eq(exoplace__json_kind_at(&c), EXOPLACE__JSON_NUMBER);
    exoplace__json_number number = exoplace__json_number_at(&c);
    ck_assert_int_eq(number.negative, numbers[_i].negative);
    ck_assert_int_eq(number.is_integer, numbers[_i].is_integer);
    ck_assert_int_eq(number.overflow, numbers[_i].overflow);
    ck_assert(number.magnitude == numbers[_i].magnitude);
    ck_assert_uint_eq(number.len, strlen(numbers[_i].literal));
    ck_assert_ptr_eq(number.text, text + 1);
    /* Moved past it, to the next element. */
    ck_assert(exoplace__json_next_element(&c));
    ck_assert_int_eq(exoplace__json_number_at(&c).magnitude, 1);
    ck_assert(!exoplace__json_next_element(&c));
    ck_assert_uint_eq(c.pos, len);
    assert_agreement(text, len);
}
END_TEST

START_TEST(integers_of_any_length_validate)
{
    enum { DIGITS = 200000 };
    char *text = malloc(DIGITS + 32);
    ck_assert_ptr_nonnull(text);
    size_t n = (size_t)sprintf(text, "{\"extra\": -");
    memset(text + n, '9', DIGITS);
    n += DIGITS;
    n += (size_t)sprintf(text + n, ", \"x\": \"\\u0000\"}");
    exoplace_error err;
    ck_assert_msg(validate(text, n, &err) == EXOPLACE_OK, "%s", err.message);
    exoplace__json_cursor c;
    exoplace__json_cursor_init(&c, text, n);
    exoplace__json_enter(&c);
    exoplace__json_string key;
    ck_assert(exoplace__json_next_member(&c, &key));
    ck_assert(exoplace__json_string_equals(&key, "extra"));
    exoplace__json_number number = exoplace__json_number_at(&c);
    ck_assert(number.negative && number.is_integer && number.overflow);
    ck_assert_uint_eq(number.len, DIGITS + 1);
    ck_assert(exoplace__json_next_member(&c, &key));
    char *decoded;
    size_t len;
    int has_nul;
    exoplace__json_string s = exoplace__json_string_at(&c);
    ck_assert_int_eq(exoplace__json_string_decode(&decoded, &len, &has_nul, &s, &err), EXOPLACE_OK);
    ck_assert_uint_eq(len, 1);
    ck_assert_int_eq(decoded[0], '\0');
    ck_assert_int_eq(has_nul, 1);
    free(decoded);
    ck_assert(!exoplace__json_next_member(&c, &key));
    ck_assert_uint_eq(c.pos, n);
    free(text);
}
END_TEST

START_TEST(keys_compare_by_their_decoded_text)
{
    const char *text = "{\"mod\\u0065ls\": 1, \"models\": 2, \"\\u00e9t\\u00E9\": 3, \"\\ud83d\\ude00\": 4,"
                       " \"a\\/b\\\\\": 5, \"\": 6}";
    size_t len = strlen(text);
    exoplace_error err;
    ck_assert_int_eq(validate(text, len, &err), EXOPLACE_OK);
    static const char *const decoded[] = {"models", "models", "\xc3\xa9t\xc3\xa9", "\xf0\x9f\x98\x80", "a/b\\", ""};
    exoplace__json_cursor c;
    exoplace__json_cursor_init(&c, text, len);
    exoplace__json_enter(&c);
    exoplace__json_string key;
    for (size_t i = 0; i < sizeof decoded / sizeof decoded[0]; i++) {
        ck_assert(exoplace__json_next_member(&c, &key));
        ck_assert_msg(exoplace__json_string_equals(&key, decoded[i]), "key %zu", i);
        ck_assert(!exoplace__json_string_equals(&key, "model"));
        ck_assert(!exoplace__json_string_equals(&key, "modelss"));
        ck_assert_int_eq(key.has_escapes, i == 0 || i == 2 || i == 3 || i == 4);
        exoplace__json_skip(&c);
    }
    ck_assert(!exoplace__json_next_member(&c, &key));
    ck_assert_uint_eq(c.pos, len);
}
END_TEST

START_TEST(string_copy_cuts_at_a_character_boundary)
{
    /* "aé€😀" written raw and escaped: 1 + 2 + 3 + 4 bytes decoded. */
    static const char *const texts[] = {"[\"a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]",
                                        "[\"a\\u00e9\\u20ac\\ud83d\\ude00\"]"};
    static const char whole[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
    /* For each buffer size, the bytes kept: whole characters only. */
    static const size_t kept[] = {0, 0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10, 10};
    for (size_t t = 0; t < 2; t++) {
        exoplace__json_cursor c;
        exoplace__json_cursor_init(&c, texts[t], strlen(texts[t]));
        exoplace__json_enter(&c);
        ck_assert(exoplace__json_next_element(&c));
        exoplace__json_string s = exoplace__json_string_at(&c);
        for (size_t size = 0; size < sizeof kept / sizeof kept[0]; size++) {
            char buf[16];
            memset(buf, 'X', sizeof buf);
            ck_assert_uint_eq(exoplace__json_string_copy(buf, size, &s), 10);
            if (size == 0) {
                ck_assert_int_eq(buf[0], 'X');
                continue;
            }
            ck_assert_msg(strlen(buf) == kept[size], "text %zu, size %zu: kept %zu", t, size, strlen(buf));
            ck_assert_mem_eq(buf, whole, kept[size]);
        }
    }
}
END_TEST

/* A cursor copy is a saved position: scan once, read later, last key wins. */
START_TEST(saved_positions_read_members_in_any_order)
{
    const char *text = "{\"b\": [1, 2], \"a\": \"first\", \"skip\": {\"x\": [{}]}, \"a\": \"last\"}";
    size_t len = strlen(text);
    exoplace_error err;
    ck_assert_int_eq(validate(text, len, &err), EXOPLACE_OK);
    exoplace__json_cursor c, at_a = {0}, at_b = {0};
    exoplace__json_cursor_init(&c, text, len);
    ck_assert_int_eq(exoplace__json_kind_at(&c), EXOPLACE__JSON_OBJECT);
    exoplace__json_enter(&c);
    exoplace__json_string key;
    while (exoplace__json_next_member(&c, &key)) {
        if (exoplace__json_string_equals(&key, "a"))
            at_a = c;
        else if (exoplace__json_string_equals(&key, "b"))
            at_b = c;
        exoplace__json_skip(&c);
    }
    ck_assert_uint_eq(c.pos, len);
    exoplace__json_string a = exoplace__json_string_at(&at_a);
    ck_assert(exoplace__json_string_equals(&a, "last"));
    ck_assert_int_eq(exoplace__json_kind_at(&at_b), EXOPLACE__JSON_ARRAY);
    exoplace__json_enter(&at_b);
    uint64_t sum = 0;
    while (exoplace__json_next_element(&at_b))
        sum += exoplace__json_number_at(&at_b).magnitude;
    ck_assert(sum == 3);
}
END_TEST

/* Objects and arrays nested to the limit, mixed: skipping from any level
 * lands just past that level's closing bracket. */
START_TEST(skip_passes_structures_nested_to_the_limit)
{
    char text[16 * EXOPLACE_MAX_JSON_DEPTH];
    size_t n = 0;
    size_t opened_at[EXOPLACE_MAX_JSON_DEPTH];
    for (int i = 0; i < EXOPLACE_MAX_JSON_DEPTH; i++) {
        opened_at[i] = n;
        n += (size_t)sprintf(text + n, i % 2 ? "[\"]\", " : "{\"}\": ");
    }
    n += (size_t)sprintf(text + n, "null");
    size_t closed_at[EXOPLACE_MAX_JSON_DEPTH];
    for (int i = EXOPLACE_MAX_JSON_DEPTH - 1; i >= 0; i--) {
        text[n++] = i % 2 ? ']' : '}';
        closed_at[i] = n;
    }
    exoplace_error err;
    ck_assert_msg(validate(text, n, &err) == EXOPLACE_OK, "%s", err.message);
    for (int i = 0; i < EXOPLACE_MAX_JSON_DEPTH; i++) {
        exoplace__json_cursor c = {text, n, opened_at[i]};
        exoplace__json_skip(&c);
        ck_assert_uint_eq(c.pos, closed_at[i]);
    }
    assert_agreement(text, n);
}
END_TEST

/* Issue 13's amplification: a 32 MiB request whose ignored member is
 * [{},{},...] is validated and skipped without a single allocation. */
START_TEST(a_32_mib_ignored_member_is_validated_and_skipped_without_allocating)
{
    size_t size = EXOPLACE_MAX_INPUT_BYTES;
    char *text = malloc(size);
    ck_assert_ptr_nonnull(text);
    size_t n = (size_t)sprintf(text, "{\"topology\": {\"nodes\": []}, \"extra\": [{}");
    while (n + 3 + 2 <= size) {
        memcpy(text + n, ",{}", 3);
        n += 3;
    }
    memcpy(text + n, "]}", 2);
    n += 2;
    exoplace_error err;
    exoplace__seam_fail_after(-1);
    ck_assert_msg(validate(text, n, &err) == EXOPLACE_OK, "%s", err.message);
    exoplace__json_cursor c;
    exoplace__json_cursor_init(&c, text, n);
    exoplace__json_enter(&c);
    exoplace__json_string key;
    size_t members = 0;
    while (exoplace__json_next_member(&c, &key)) {
        members++;
        exoplace__json_skip(&c);
    }
    ck_assert_uint_eq(members, 2);
    ck_assert_uint_eq(c.pos, n);
    ck_assert_int_eq(exoplace__seam_fail_after(-1), 0);
    free(text);
}
END_TEST

/* The cursor trusts validated text, yet on any bytes it stays inside them
 * and ends: parse_agreement walks every refused text (each invalid text
 * above, and here every prefix of each valid one, refused by validation). */
START_TEST(the_cursor_stays_inside_text_that_is_not_json)
{
    const char *text = valid_texts[_i];
    size_t len = strlen(text);
    for (size_t cut = 0; cut < len; cut++)
        assert_agreement(text, cut);
}
END_TEST

/* ---- the builder's markers, for the jansson-based readers ---- */

START_TEST(integers_outside_int64_become_marked_strings)
{
    json_t *doc = NULL;
    exoplace_error err;
    ck_assert_int_eq(load(&doc, "[9223372036854775808, -9223372036854775809, 9223372036854775807, "
                                               "-9223372036854775808]", &err), EXOPLACE_OK);
    const json_t *above = json_array_get(doc, 0), *below = json_array_get(doc, 1);
    ck_assert(test_json_is_big_integer(above));
    ck_assert_uint_eq(json_string_length(above), 20);
    ck_assert_mem_eq(json_string_value(above), "\0" "9223372036854775808", 20);
    ck_assert(test_json_is_big_integer(below));
    ck_assert_mem_eq(json_string_value(below), "\0" "-9223372036854775809", 21);
    ck_assert(json_integer_value(json_array_get(doc, 2)) == INT64_MAX);
    ck_assert(json_integer_value(json_array_get(doc, 3)) == INT64_MIN);
    json_decref(doc);
}
END_TEST

START_TEST(caller_strings_starting_with_nul_get_a_prefix)
{
    json_t *doc = NULL;
    exoplace_error err;
    ck_assert_int_eq(load(&doc, "[\"\\u0000x\", \"x\\u0000\"]", &err), EXOPLACE_OK);
    const json_t *first = json_array_get(doc, 0), *second = json_array_get(doc, 1);
    ck_assert_uint_eq(json_string_length(first), 3);
    ck_assert_mem_eq(json_string_value(first), "?\0x", 3);
    ck_assert(!test_json_is_big_integer(first));
    ck_assert_uint_eq(json_string_length(second), 2);
    ck_assert_mem_eq(json_string_value(second), "x\0", 2);
    json_decref(doc);
}
END_TEST

/* Escaped keys and long escaped values share the builder's scratch: every
 * key must come out whole. */
START_TEST(keys_survive_long_escaped_values)
{
    enum { LONG = 20000 };
    size_t size = 4 * LONG + 256;
    char *text = malloc(size);
    ck_assert_ptr_nonnull(text);
    size_t n = (size_t)snprintf(text, size, "{\"k\\u00e9\": [\"");
    for (int i = 0; i < LONG; i++)
        n += (size_t)snprintf(text + n, size - n, "\\n");
    n += (size_t)snprintf(text + n, size - n, "\", {\"inner\\u0041\": \"");
    for (int i = 0; i < LONG; i++)
        n += (size_t)snprintf(text + n, size - n, "\\t");
    snprintf(text + n, size - n, "\"}], \"next\\/\": 1}");

    json_t *doc = NULL;
    exoplace_error err;
    ck_assert_msg(load(&doc, text, &err) == EXOPLACE_OK, "%s", err.message);
    const json_t *list = json_object_get(doc, "k\xc3\xa9");
    ck_assert_ptr_nonnull(list);
    ck_assert_uint_eq(json_string_length(json_array_get(list, 0)), LONG);
    const json_t *inner = json_object_get(json_array_get(list, 1), "innerA");
    ck_assert_ptr_nonnull(inner);
    ck_assert_uint_eq(json_string_length(inner), LONG);
    ck_assert_int_eq(json_string_value(inner)[LONG - 1], '\t');
    ck_assert(json_integer_value(json_object_get(doc, "next/")) == 1);
    ck_assert_uint_eq(json_object_size(doc), 2);
    assert_agreement(text, strlen(text));
    json_decref(doc);
    free(text);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("json_parse");
    TCase *tc = tcase_create("parse");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, valid_texts_validate_and_read_as_jansson_reads_them, 0,
                        (int)(sizeof valid_texts / sizeof valid_texts[0]));
    tcase_add_loop_test(tc, invalid_texts_are_refused_with_a_position, 0,
                        (int)(sizeof invalid_texts / sizeof invalid_texts[0]));
    tcase_add_loop_test(tc, valid_json_beyond_jansson_validates, 0,
                        (int)(sizeof beyond_jansson / sizeof beyond_jansson[0]));
    tcase_add_loop_test(tc, errors_give_line_and_column_of_the_offending_token, 0,
                        (int)(sizeof positions / sizeof positions[0]));
    tcase_add_test(tc, tokens_in_messages_are_cut_and_escaped);
    tcase_add_test(tc, nul_bytes_outside_strings_are_refused);
    tcase_add_test(tc, limits_are_refused_as_limits);
    tcase_add_loop_test(tc, numbers_read_as_written, 0, (int)(sizeof numbers / sizeof numbers[0]));
    tcase_add_test(tc, integers_of_any_length_validate);
    tcase_add_test(tc, keys_compare_by_their_decoded_text);
    tcase_add_test(tc, string_copy_cuts_at_a_character_boundary);
    tcase_add_test(tc, saved_positions_read_members_in_any_order);
    tcase_add_test(tc, skip_passes_structures_nested_to_the_limit);
    tcase_add_test(tc, a_32_mib_ignored_member_is_validated_and_skipped_without_allocating);
    tcase_add_loop_test(tc, the_cursor_stays_inside_text_that_is_not_json, 0,
                        (int)(sizeof valid_texts / sizeof valid_texts[0]));
    tcase_add_test(tc, integers_outside_int64_become_marked_strings);
    tcase_add_test(tc, caller_strings_starting_with_nul_get_a_prefix);
    tcase_add_test(tc, keys_survive_long_escaped_values);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
