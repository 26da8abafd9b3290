/* The request parser (lib/json_parse.c): it accepts what jansson accepts and
 * builds the same values, refuses what jansson refuses, reports positions
 * as jansson counts them, and keeps its documented differences (big
 * integers, strings starting with NUL, the nesting limit). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "parse_agreement.h"

/* The parser with a clear error, as the entry points call it. */
static exoplace_status load(json_t **doc, const char *text, exoplace_error *err)
{
    memset(err, 0, sizeof *err);
    return exoplace__json_load(doc, text, err);
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
};

static const char *const invalid_texts[] = {
    "", "   ", "1", "\"a\"", "true", "null",
    "{", "[", "{\"a\"", "{\"a\":", "{\"a\":1", "[1,", "[1,]", "{\"a\":1,}", "{,}", "[,1]",
    "{\"a\" 1}", "{a:1}", "{'a':1}", "{\"a\":1}}", "[1]x", "[1] [2]", "[01]", "[1.]", "[.5]", "[+1]",
    "[-]", "[1e]", "[1e+]", "[-a]", "[0x10]", "[Infinity]", "[NaN]", "[tru]", "[truex]", "[nul]",
    "[True]", "[1 2]", "{\"a\":1 \"b\":2}", "[\"abc", "[\"abc\\", "[\"abc\\\"]",
    "[\"\\x\"]", "[\"\\u12\"]", "[\"\\u12G4\"]", "[\"\\ud800\"]", "[\"\\udc00\"]", "[\"\\ud800\\u0041\"]",
    "[\"\\ud800x\"]", "[\"a\tb\"]", "[\"a\nb\"]", "[\"a\x01\"]",
    "[\"\xc0\xaf\"]", "[\"\xed\xa0\x80\"]", "[\"\xf4\x90\x80\x80\"]", "[\"\xe2\x82\"]", "[\"\x80\"]",
    "[\"\xff\"]", "\xef\xbb\xbf{}", "[\xc3\xa9]", "{\"\\u0000\": 1}", "{\"a\\u0000b\": 1}", "[1e400]",
    "[-1e400]",
};

START_TEST(valid_texts_parse_as_jansson_parses_them)
{
    const char *text = valid_texts[_i];
    char why[512] = "";
    ck_assert_msg(parse_agreement(text, why, sizeof why), "%s: %s", text, why);
    json_t *doc = NULL;
    exoplace_error err;
    ck_assert_msg(load(&doc, text, &err) == EXOPLACE_OK, "%s: %s", text, err.message);
    json_decref(doc);
}
END_TEST

START_TEST(invalid_texts_are_refused_with_a_position)
{
    const char *text = invalid_texts[_i];
    char why[512] = "";
    ck_assert_msg(parse_agreement(text, why, sizeof why), "%s: %s", text, why);
    json_t *doc = NULL;
    exoplace_error err;
    ck_assert_int_eq(load(&doc, text, &err), EXOPLACE_E_INVALID_JSON);
    ck_assert_ptr_null(doc);
    ck_assert_int_eq(err.code, EXOPLACE_E_INVALID_JSON);
    ck_assert_msg(strncmp(err.message, "line ", 5) == 0, "%s", err.message);
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
};

START_TEST(errors_give_line_and_column_of_the_offending_token)
{
    json_t *doc = NULL;
    exoplace_error err;
    ck_assert_int_eq(load(&doc, positions[_i].text, &err), EXOPLACE_E_INVALID_JSON);
    ck_assert_msg(strncmp(err.message, positions[_i].message_start, strlen(positions[_i].message_start)) == 0,
                  "%s: got \"%s\", want \"%s...\"", positions[_i].text, err.message, positions[_i].message_start);
}
END_TEST

START_TEST(long_tokens_are_cut_in_messages)
{
    json_t *doc = NULL;
    exoplace_error err;
    ck_assert_int_eq(load(&doc, "[1 abcdefghijklmnopqrstuvwxyz0123456789]", &err), EXOPLACE_E_INVALID_JSON);
    ck_assert_msg(strstr(err.message, "near 'abcdefghijklmnopqrstuvwx...'") != NULL, "%s", err.message);
    /* Bytes outside printable ASCII are shown as '?', keeping the message UTF-8. */
    ck_assert_int_eq(load(&doc, "[1 \xc3\xa9]", &err), EXOPLACE_E_INVALID_JSON);
    ck_assert_msg(strstr(err.message, "near '\?\?'") != NULL, "%s", err.message);
}
END_TEST

START_TEST(integers_outside_int64_become_marked_strings)
{
    json_t *doc = NULL;
    exoplace_error err;
    ck_assert_int_eq(load(&doc, "[9223372036854775808, -9223372036854775809, 9223372036854775807, "
                                               "-9223372036854775808]", &err), EXOPLACE_OK);
    const json_t *above = json_array_get(doc, 0), *below = json_array_get(doc, 1);
    ck_assert(exoplace__json_is_big_integer(above));
    ck_assert_uint_eq(json_string_length(above), 20);
    ck_assert_mem_eq(json_string_value(above), "\0" "9223372036854775808", 20);
    ck_assert(exoplace__json_is_big_integer(below));
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
    ck_assert(!exoplace__json_is_big_integer(first));
    ck_assert_uint_eq(json_string_length(second), 2);
    ck_assert_mem_eq(json_string_value(second), "x\0", 2);
    json_decref(doc);
}
END_TEST

/* Escaped keys wait on the parser's scratch while long escaped values grow
 * it: every key must come out whole. */
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
    char why[512] = "";
    ck_assert_msg(parse_agreement(text, why, sizeof why), "%s", why);
    json_decref(doc);
    free(text);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("json_parse");
    TCase *tc = tcase_create("parse");
    tcase_add_loop_test(tc, valid_texts_parse_as_jansson_parses_them, 0,
                        (int)(sizeof valid_texts / sizeof valid_texts[0]));
    tcase_add_loop_test(tc, invalid_texts_are_refused_with_a_position, 0,
                        (int)(sizeof invalid_texts / sizeof invalid_texts[0]));
    tcase_add_loop_test(tc, errors_give_line_and_column_of_the_offending_token, 0,
                        (int)(sizeof positions / sizeof positions[0]));
    tcase_add_test(tc, long_tokens_are_cut_in_messages);
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
