/* Requests written by an attacker (a cluster's state comes from the
 * network): long non-ASCII text in errors, bytes that are not UTF-8 from C
 * callers, huge and negative numbers, valid JSON the request does not use.
 * Every message must be valid UTF-8 and every document valid UTF-8 JSON. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exoplace.h"
#include "utf8.h"

static const char node_a[] =
    "{\"nodeId\": \"a\", \"nodeProfile\": {\"memory\": {\"ramTotal\": {\"inBytes\": 4000}, "
    "\"ramAvailable\": {\"inBytes\": 3000}}}}";

/* A seed request: node a, then `rest` inside the top object. */
static char *request_with(const char *topology_extra, const char *rest)
{
    size_t size = strlen(node_a) + strlen(topology_extra) + strlen(rest) + 256;
    char *text = malloc(size);
    ck_assert_ptr_nonnull(text);
    snprintf(text, size, "{\"topology\": {\"nodes\": [%s%s], \"connections\": []}%s}", node_a, topology_extra,
             rest);
    return text;
}

static char *repeat(const char *unit, size_t times)
{
    size_t n = strlen(unit);
    char *s = malloc(n * times + 1);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * n, unit, n);
    s[n * times] = '\0';
    return s;
}

static void assert_valid_json_text(const char *out)
{
    ck_assert_msg(exoplace__utf8_valid(out), "not UTF-8: %.200s", out);
    json_error_t jerr;
    json_t *doc = json_loads(out, 0, &jerr);
    ck_assert_msg(doc != NULL, "not JSON (%s): %.200s", jerr.text, out);
    json_decref(doc);
}

START_TEST(long_non_ascii_text_is_cut_at_a_character_boundary)
{
    char *ids = repeat("\xc3\xa9", 500); /* 1000 bytes, under the id limit */
    char extra[2048];
    snprintf(extra, sizeof extra, ", {\"nodeId\": \"%s\"}, {\"nodeId\": \"%s\"}", ids, ids);
    char *request = request_with(extra, "");
    exoplace_request *r = NULL;
    exoplace_error err;
    ck_assert_int_eq(exoplace_request_parse(&r, request, strlen(request), NULL, &err), EXOPLACE_E_DUPLICATE_NODE);
    ck_assert_uint_gt(strlen(err.message), 400);
    ck_assert_msg(exoplace__utf8_valid(err.message), "message cut inside a character");
    ck_assert(exoplace__utf8_valid(err.field));
    free(request);
    char rest[2048];
    snprintf(rest, sizeof rest, ", \"sharding\": \"%s\"", ids);
    request = request_with("", rest);
    ck_assert_int_eq(exoplace_request_parse(&r, request, strlen(request), NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "sharding");
    ck_assert(exoplace__utf8_valid(err.message));
    free(request);
    free(ids);
}
END_TEST

START_TEST(a_failure_quoting_a_long_model_id_is_valid_utf8_json)
{
    char *id = repeat("\xc3\xa9", 500);
    char rest[2048];
    snprintf(rest, sizeof rest,
             ", \"model\": {\"modelId\": \"%s\", \"storageSize\": {\"inBytes\": 1000}, \"nLayers\": 4, "
             "\"supportsTensor\": false}, \"sharding\": \"Tensor\"",
             id);
    char *request = request_with("", rest);
    char *out = NULL;
    exoplace_error err;
    ck_assert_int_eq(exoplace_get_placement_json(&out, request, strlen(request), NULL, &err),
                     EXOPLACE_E_TENSOR_NOT_SUPPORTED);
    assert_valid_json_text(out);
    ck_assert(exoplace__utf8_valid(err.message));
    exoplace_free(out);
    free(request);
    free(id);
}
END_TEST

START_TEST(bytes_that_are_not_utf8_from_a_c_caller_are_written_as_replacement_characters)
{
    exoplace_topology *t;
    ck_assert_int_eq(exoplace_topology_new(&t, NULL), EXOPLACE_OK);
    exoplace_node_memory m;
    exoplace_node_memory_init(&m);
    m.ram_total = m.ram_available = 100;
    ck_assert_int_eq(exoplace_topology_add_node(t, "n\xff\xc3", &m, NULL), EXOPLACE_OK);
    exoplace_model model;
    exoplace_model_init(&model);
    model.model_id = "m\x80";
    model.storage_size = 50;
    model.n_layers = 2;
    exoplace_placement p;
    ck_assert_int_eq(exoplace_get_placement(&p, t, &model, NULL, NULL), EXOPLACE_OK);
    char *out = NULL;
    ck_assert_int_eq(exoplace_placement_write_json(&out, &p, &model, NULL), EXOPLACE_OK);
    assert_valid_json_text(out);
    ck_assert_ptr_nonnull(strstr(out, "\"n\\ufffd\\ufffd\""));
    exoplace_free(out);
    exoplace_placement_dispose(&p);
    /* And in an error message. */
    exoplace_error err;
    ck_assert_int_eq(exoplace_topology_add_node(t, "n\xff\xc3", &m, &err), EXOPLACE_E_DUPLICATE_NODE);
    ck_assert(exoplace__utf8_valid(err.message));
    exoplace_topology_free(t);
}
END_TEST

START_TEST(negative_numbers_of_any_size_report_the_lower_bound)
{
    static const struct {
        const char *rest;
        const char *field;
        const char *message;
    } cases[] = {
        {", \"model\": {\"modelId\": \"m\", \"storageSize\": 1, \"nLayers\": -99999999999999999999}", "model.nLayers",
         "must be at least 1"},
        {", \"model\": {\"modelId\": \"m\", \"storageSize\": 1, \"nLayers\": -1}", "model.nLayers",
         "must be at least 1"},
        {", \"model\": {\"modelId\": \"m\", \"storageSize\": 1, \"nLayers\": 2, \"hiddenSize\": -99999999999999999999}",
         "model.hiddenSize", "must be at least 1"},
        {", \"min_nodes\": -99999999999999999999", "min_nodes", "must be at least 1"},
        {", \"min_nodes\": 99999999999999999999", "min_nodes", "must be at most 4294967295"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *request = request_with("", cases[i].rest);
        exoplace_request *r = NULL;
        exoplace_error err;
        ck_assert_int_eq(exoplace_request_parse(&r, request, strlen(request), NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
        ck_assert_str_eq(err.field, cases[i].field);
        ck_assert_str_eq(err.message, cases[i].message);
        free(request);
    }
    char extra[] = ", {\"nodeId\": \"b\", \"nodeProfile\": {\"memory\": {\"ramTotal\": 1, \"ramAvailable\": 1, "
                   "\"freePercent\": -99999999999999999999}}}";
    char *request = request_with(extra, "");
    exoplace_request *r = NULL;
    exoplace_error err;
    ck_assert_int_eq(exoplace_request_parse(&r, request, strlen(request), NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "topology.nodes[1].nodeProfile.memory.freePercent");
    ck_assert_str_eq(err.message, "must be at least 0");
    free(request);
}
END_TEST

START_TEST(valid_json_in_members_a_request_does_not_use_is_accepted)
{
    char *digits = repeat("9", 200000);
    const char *extras[] = {", \"extra\": 1e400", ", \"extra\": \"\\u0000\"", ", \"extra\": [-0, 1E-999, {}]",
                            ", \"\\u0000key\": null", NULL};
    for (size_t i = 0; extras[i] || digits; i++) {
        char *rest;
        if (extras[i]) {
            rest = strdup(extras[i]);
        } else {
            rest = malloc(strlen(digits) + 32);
            sprintf(rest, ", \"extra\": -%s", digits);
        }
        char *request = request_with("", rest);
        exoplace_request *r = NULL;
        exoplace_error err;
        ck_assert_msg(exoplace_request_parse(&r, request, strlen(request), NULL, &err) == EXOPLACE_OK, "%.60s: %s",
                      rest, err.message);
        ck_assert_uint_eq(exoplace_topology_node_count(r->topology), 1);
        exoplace_request_free(r);
        free(request);
        free(rest);
        if (!extras[i])
            break;
    }
    free(digits);
}
END_TEST

START_TEST(the_last_of_repeated_keys_wins_and_escaped_keys_match)
{
    const char catalogue[] = "{\"models\": [{\"modelId\": \"m\", \"storageSize\": 1, \"nLayers\": 1}], "
                             "\"models\": \"oops\"}";
    exoplace_request *r = NULL;
    exoplace_error err;
    ck_assert_int_eq(exoplace_request_parse_catalogue(&r, catalogue, strlen(catalogue), EXOPLACE_RULES_SEED, &err),
                     EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "models");
    const char escaped[] = "{\"mod\\u0065ls\": [{\"modelId\": \"m\", \"storageSize\": 1, \"nLayers\": 1}]}";
    ck_assert_int_eq(exoplace_request_parse_catalogue(&r, escaped, strlen(escaped), EXOPLACE_RULES_SEED, &err),
                     EXOPLACE_OK);
    ck_assert_uint_eq(r->n_models, 1);
    exoplace_request_free(r);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("hostile_input");
    TCase *tc = tcase_create("hostile");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, long_non_ascii_text_is_cut_at_a_character_boundary);
    tcase_add_test(tc, a_failure_quoting_a_long_model_id_is_valid_utf8_json);
    tcase_add_test(tc, bytes_that_are_not_utf8_from_a_c_caller_are_written_as_replacement_characters);
    tcase_add_test(tc, negative_numbers_of_any_size_report_the_lower_bound);
    tcase_add_test(tc, valid_json_in_members_a_request_does_not_use_is_accepted);
    tcase_add_test(tc, the_last_of_repeated_keys_wins_and_escaped_keys_match);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed ? 1 : 0;
}
