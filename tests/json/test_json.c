/* The JSON boundary: bad inputs (one data file per case in bad/, with a
 * sibling .expect naming the entry point, code, field and message), big
 * integers, positions, limits, key spellings, response shapes, and the
 * JSON path against the C API. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exoplace.h"
#include "json_build.h"

/* The allocation seam of the uninstalled library (lib/alloc.h). */
void *exoplace__seam_malloc(size_t size);
long exoplace__seam_fail_after(long successes);

/* Every entry point as (out, NUL-terminated request, options, err). */
typedef exoplace_status (*json_entry)(char **, const char *, const exoplace_json_options *, exoplace_error *);

#define TEXT_ENTRY_(name)                                                                                   \
    static exoplace_status name##_text(char **out, const char *request, const exoplace_json_options *options, \
                                       exoplace_error *err)                                                 \
    {                                                                                                       \
        return exoplace_##name##_json(out, request, request ? strlen(request) : 0, options, err);            \
    }
TEXT_ENTRY_(get_placement)
TEXT_ENTRY_(place)
TEXT_ENTRY_(previews)
TEXT_ENTRY_(model_fit)
#undef TEXT_ENTRY_

static exoplace_status cycles_text(char **out, const char *request, const exoplace_json_options *options,
                                   exoplace_error *err)
{
    (void)options;
    return exoplace_cycles_json(out, request, request ? strlen(request) : 0, NULL, err);
}

static exoplace_status layers_text(char **out, const char *request, const exoplace_json_options *options,
                                   exoplace_error *err)
{
    return exoplace_layers_json(out, request, request ? strlen(request) : 0, options, err);
}

static const struct {
    const char *name;
    json_entry entry;
} entries[] = {
    {"get_placement", get_placement_text}, {"place", place_text},   {"previews", previews_text},
    {"cycles", cycles_text},               {"layers", layers_text}, {"model_fit", model_fit_text},
};

static json_entry entry_named(const char *name)
{
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++)
        if (name && strcmp(entries[i].name, name) == 0)
            return entries[i].entry;
    return NULL;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(fread(text, 1, (size_t)size, f), (size_t)size);
    text[size] = '\0';
    fclose(f);
    return text;
}

/* ---- bad inputs, one file per case -------------------------------------------- */

static const char *bad_dir;
static char **bad_cases;
static int n_bad_cases;

static void load_bad_cases(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "cannot read %s\n", dir);
        exit(1);
    }
    bad_cases = calloc((size_t)n, sizeof *bad_cases);
    for (int i = 0; i < n; i++) {
        size_t len = strlen(names[i]->d_name);
        if (len > 7 && strcmp(names[i]->d_name + len - 7, ".expect") == 0) {
            bad_cases[n_bad_cases] = strdup(names[i]->d_name);
            bad_cases[n_bad_cases++][len - 7] = '\0';
        }
        free(names[i]);
    }
    free(names);
}

START_TEST(bad_input_is_refused_naming_the_field)
{
    const char *name = bad_cases[_i];
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.expect", bad_dir, name);
    char *expect_text = read_file(path);
    json_error_t jerr;
    json_t *expect = json_loads(expect_text, 0, &jerr);
    ck_assert_msg(expect != NULL, "%s.expect: %s", name, jerr.text);
    snprintf(path, sizeof path, "%s/%s.json", bad_dir, name);
    char *request = read_file(path);

    json_entry entry = entry_named(json_string_value(json_object_get(expect, "entry")));
    ck_assert_msg(entry != NULL, "%s: unknown entry", name);
    char *out = (char *)"untouched";
    exoplace_error err;
    exoplace_status st = entry(&out, request, NULL, &err);
    const char *code = json_string_value(json_object_get(expect, "code"));
    ck_assert_msg(strcmp(exoplace_status_name(st), code) == 0, "%s: status %s (%s), expected %s", name,
                  exoplace_status_name(st), err.message, code);
    ck_assert_int_eq(err.code, st);
    ck_assert_msg(out == NULL, "%s: *out must be NULL for bad input", name);
    const char *field = json_string_value(json_object_get(expect, "field"));
    ck_assert_msg(strcmp(err.field, field) == 0, "%s: field \"%s\", expected \"%s\"", name, err.field, field);
    /* The field is in err.field, never in the message. */
    if (field[0])
        ck_assert_msg(strncmp(err.message, field, strlen(field)) != 0, "%s: message \"%s\" repeats the field %s",
                      name, err.message, field);
    const char *message = json_string_value(json_object_get(expect, "message"));
    if (message)
        ck_assert_msg(strcmp(err.message, message) == 0, "%s: message \"%s\", expected \"%s\"", name, err.message,
                      message);
    const char *contains = json_string_value(json_object_get(expect, "message_contains"));
    if (contains)
        ck_assert_msg(strstr(err.message, contains) != NULL, "%s: message \"%s\" lacks \"%s\"", name, err.message,
                      contains);
    ck_assert_msg(message || contains || field[0], "%s: the case checks nothing about the message", name);

    /* The same request with err NULL: same status, still no output. */
    out = (char *)"untouched";
    ck_assert_int_eq(entry(&out, request, NULL, NULL), st);
    ck_assert_ptr_null(out);
    free(request);
    free(expect_text);
    json_decref(expect);
}
END_TEST

/* ---- helpers for the unit cases ---------------------------------------------- */

static const char two_nodes[] =
    "{\"topology\": {\"nodes\": ["
    "{\"nodeId\": \"a\", \"nodeProfile\": {\"memory\": {\"ramTotal\": {\"inBytes\": 3000}, "
    "\"ramAvailable\": {\"inBytes\": 1000}, \"swapTotal\": {\"inBytes\": 0}, \"swapAvailable\": {\"inBytes\": 0}}}},"
    "{\"nodeId\": \"b\", \"nodeProfile\": {\"memory\": {\"ramTotal\": {\"inBytes\": 3000}, "
    "\"ramAvailable\": {\"inBytes\": 2000}, \"swapTotal\": {\"inBytes\": 0}, \"swapAvailable\": {\"inBytes\": 0}}}}],"
    "\"connections\": ["
    "{\"localNodeId\": \"a\", \"sendBackNodeId\": \"b\", \"sendBackMultiaddr\": {\"address\": \"/ip4/169.254.0.2/tcp/5\"}},"
    "{\"localNodeId\": \"b\", \"sendBackNodeId\": \"a\", \"sendBackMultiaddr\": {\"address\": \"/ip4/169.254.0.1/tcp/5\"}}]},"
    " \"model\": {\"modelId\": \"m\", \"storageSize\": {\"inBytes\": 2500}, \"nLayers\": 9}}";

static const char two_nodes_snake[] =
    "{\"topology\": {\"nodes\": ["
    "{\"node_id\": \"a\", \"node_profile\": {\"memory\": {\"ram_total\": 3000, \"ram_available\": {\"in_bytes\": 1000}}}},"
    "{\"node_id\": \"b\", \"node_profile\": {\"memory\": {\"ram_total\": {\"in_bytes\": 3000}, \"ram_available\": 2000}}}],"
    "\"connections\": ["
    "{\"local_node_id\": \"a\", \"send_back_node_id\": \"b\", \"send_back_multiaddr\": \"/ip4/169.254.0.2/tcp/5\"},"
    "{\"local_node_id\": \"b\", \"send_back_node_id\": \"a\", \"send_back_multiaddr\": {\"address\": \"/ip4/169.254.0.1/tcp/5\"}}]},"
    " \"model\": {\"model_id\": \"m\", \"storage_size\": 2500, \"n_layers\": 9}, \"min_nodes\": 1}";

static char *call_ok(json_entry entry, const char *request, const exoplace_json_options *options)
{
    char *out = NULL;
    exoplace_error err;
    exoplace_status st = entry(&out, request, options, &err);
    ck_assert_msg(st == EXOPLACE_OK, "status %s: %s", exoplace_status_name(st), err.message);
    ck_assert_ptr_nonnull(out);
    return out;
}

static json_t *parse_exact(const char *text)
{
    json_t *doc = NULL;
    exoplace_error err;
    ck_assert_msg(test_json_load(&doc, text, &err) == EXOPLACE_OK, "%s", err.message);
    return doc;
}

/* Replaces the first occurrence of `from` in text by `to` (new string). */
static char *replace(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    ck_assert_ptr_nonnull(at);
    size_t size = strlen(text) - strlen(from) + strlen(to) + 1;
    char *out = malloc(size);
    ck_assert_ptr_nonnull(out);
    snprintf(out, size, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    return out;
}

/* ---- unit cases -------------------------------------------------------------- */

START_TEST(options_init_sets_documented_defaults)
{
    exoplace_json_options options;
    memset(&options, 0x5a, sizeof options);
    exoplace_json_options_init(&options);
    ck_assert_uint_eq(options.struct_size, sizeof options);
    ck_assert_int_eq(options.strategy, EXOPLACE_LAYERS_LARGEST_REMAINDER);
    ck_assert_int_eq(options.no_fallback, 0);
    ck_assert_int_eq(options.allow_swap, 0);
    ck_assert_uint_eq(options.max_search_steps, 0);
    exoplace_json_options_init(NULL);
    exoplace_cycle_filter filter;
    memset(&filter, 0x5a, sizeof filter);
    exoplace_cycle_filter_init(&filter);
    ck_assert_uint_eq(filter.struct_size, sizeof filter);
    ck_assert_uint_eq(filter.max_cycles, 0);
    ck_assert_int_eq(filter.by_memory, 0);
    ck_assert_int_eq(filter.tier, EXOPLACE_TIER_AVAILABLE);
    exoplace_cycle_filter_init(NULL);
    exoplace_free(NULL);
}
END_TEST

START_TEST(null_arguments_and_bad_options_are_invalid)
{
    char *out = NULL;
    exoplace_error err;
    ck_assert_int_eq(exoplace_get_placement_json(NULL, two_nodes, strlen(two_nodes), NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_get_placement_json(&out, NULL, 0, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    exoplace_json_options options;
    exoplace_json_options_init(&options);
    options.struct_size = 4;
    ck_assert_int_eq(exoplace_previews_json(&out, two_nodes, strlen(two_nodes), &options, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "options.struct_size");
    ck_assert_ptr_null(out);
}
END_TEST

START_TEST(placement_has_the_json_md_shape)
{
    char *out = call_ok(get_placement_text, two_nodes, NULL);
    json_t *doc = parse_exact(out);
    ck_assert(json_is_true(json_object_get(doc, "ok")));
    ck_assert_str_eq(json_string_value(json_object_get(doc, "model_id")), "m");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "sharding")), "Pipeline");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "instance_meta")), "MlxRing");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "memory_tier")), "available");
    ck_assert(json_is_false(json_object_get(doc, "is_low_memory")));
    const json_t *nodes = json_object_get(doc, "nodes"), *shards = json_object_get(doc, "shards");
    ck_assert_uint_eq(json_array_size(nodes), 2);
    ck_assert_uint_eq(json_array_size(shards), 2);
    json_int_t next_start = 0;
    for (size_t i = 0; i < 2; i++) {
        const json_t *shard = json_array_get(shards, i);
        ck_assert_uint_eq(json_object_size(shard), 6);
        ck_assert_str_eq(json_string_value(json_object_get(shard, "node_id")),
                         json_string_value(json_array_get(nodes, i)));
        ck_assert_int_eq(json_integer_value(json_object_get(shard, "device_rank")), (json_int_t)i);
        ck_assert_int_eq(json_integer_value(json_object_get(shard, "world_size")), 2);
        ck_assert_int_eq(json_integer_value(json_object_get(shard, "n_layers")), 9);
        ck_assert_int_eq(json_integer_value(json_object_get(shard, "start_layer")), next_start);
        next_start = json_integer_value(json_object_get(shard, "end_layer"));
    }
    ck_assert_int_eq(next_start, 9);
    json_decref(doc);
    exoplace_free(out);
}
END_TEST

START_TEST(snake_case_and_bare_integers_give_the_same_response)
{
    char *camel = call_ok(get_placement_text, two_nodes, NULL);
    char *snake = call_ok(get_placement_text, two_nodes_snake, NULL);
    ck_assert_str_eq(camel, snake);
    exoplace_free(camel);
    exoplace_free(snake);
}
END_TEST

/* The JSON path builds the same topology as the C API and calls the same placement. */
START_TEST(json_placement_equals_the_c_api)
{
    exoplace_topology *topology;
    ck_assert_int_eq(exoplace_topology_new(&topology, NULL), EXOPLACE_OK);
    exoplace_node_memory memory;
    exoplace_node_memory_init(&memory);
    memory.ram_total = 3000;
    memory.ram_available = 1000;
    ck_assert_int_eq(exoplace_topology_add_node(topology, "a", &memory, NULL), EXOPLACE_OK);
    memory.ram_available = 2000;
    ck_assert_int_eq(exoplace_topology_add_node(topology, "b", &memory, NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_add_connection(topology, "a", "b", "/ip4/169.254.0.2/tcp/5", NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_add_connection(topology, "b", "a", "/ip4/169.254.0.1/tcp/5", NULL), EXOPLACE_OK);
    exoplace_model model;
    exoplace_model_init(&model);
    model.model_id = "m";
    model.storage_size = 2500;
    model.n_layers = 9;
    exoplace_place_options options;
    exoplace_place_options_init(&options);
    options.strategy = EXOPLACE_LAYERS_EXO;
    exoplace_placement placement;
    ck_assert_int_eq(exoplace_get_placement(&placement, topology, &model, &options, NULL), EXOPLACE_OK);

    exoplace_json_options json_options;
    exoplace_json_options_init(&json_options);
    json_options.strategy = EXOPLACE_LAYERS_EXO;
    char *out = call_ok(get_placement_text, two_nodes, &json_options);
    json_t *doc = parse_exact(out);
    const json_t *shards = json_object_get(doc, "shards");
    ck_assert_uint_eq(json_array_size(shards), placement.n_nodes);
    for (size_t i = 0; i < placement.n_nodes; i++) {
        const json_t *shard = json_array_get(shards, i);
        ck_assert_str_eq(json_string_value(json_object_get(shard, "node_id")), placement.shards[i].node_id);
        ck_assert_int_eq(json_integer_value(json_object_get(shard, "start_layer")), placement.shards[i].start_layer);
        ck_assert_int_eq(json_integer_value(json_object_get(shard, "end_layer")), placement.shards[i].end_layer);
    }
    ck_assert_int_eq(json_is_true(json_object_get(doc, "is_low_memory")), placement.is_low_memory);
    json_decref(doc);
    exoplace_free(out);
    exoplace_placement_dispose(&placement);
    exoplace_topology_free(topology);
}
END_TEST

/* 2^64-1 and 2^63+5 are read exactly and written back exactly. */
START_TEST(integers_above_2pow63_round_trip_exactly)
{
    char *request = replace(two_nodes, "\"storageSize\": {\"inBytes\": 2500}", "\"storageSize\": {\"inBytes\": 9223372036854775813}");
    char *big_a = replace(request, "\"ramAvailable\": {\"inBytes\": 1000}", "\"ramAvailable\": {\"inBytes\": 18446744073709551615}");
    char *big = replace(big_a, "\"ramTotal\": {\"inBytes\": 3000}", "\"ramTotal\": {\"inBytes\": 18446744073709551615}");
    char *out = call_ok(previews_text, big, NULL);
    /* Node a alone holds it: its delta is the whole model, written digit for digit. */
    ck_assert_msg(strstr(out, "\"memory_delta_by_node\": {\"a\": 9223372036854775813}") != NULL, "%s", out);
    exoplace_free(out);

    char *fit_out = call_ok(model_fit_text, big, NULL);
    ck_assert_msg(strstr(fit_out, "\"storage_size\": 9223372036854775813") != NULL, "%s", fit_out);
    exoplace_free(fit_out);

    char *max = replace(big, "9223372036854775813", "18446744073709551615");
    char *max_fit = call_ok(model_fit_text, max, NULL);
    ck_assert_msg(strstr(max_fit, "\"storage_size\": 18446744073709551615") != NULL, "%s", max_fit);
    exoplace_free(max_fit);
    free(max);
    free(big);
    free(big_a);
    free(request);
}
END_TEST

START_TEST(loader_reads_big_literals_and_keeps_caller_strings_apart)
{
    json_t *doc = parse_exact("{\"a\": 18446744073709551615, \"b\": -9223372036854775809, \"c\": \"\\u0000123\", "
                              "\"d\": 9223372036854775807, \"e\": [1.5e3, 20000000000000000000.0]}");
    uint64_t value = 0;
    ck_assert(test_json_is_big_integer(json_object_get(doc, "a")));
    ck_assert(test_json_u64(&value, json_object_get(doc, "a")));
    ck_assert(value == UINT64_MAX);
    ck_assert(!test_json_u64(&value, json_object_get(doc, "b")));
    /* A string the caller wrote is never taken for a number, even one starting with NUL. */
    ck_assert(!test_json_is_big_integer(json_object_get(doc, "c")));
    ck_assert(!test_json_u64(&value, json_object_get(doc, "c")));
    ck_assert(json_is_integer(json_object_get(doc, "d")));
    ck_assert(json_is_real(json_array_get(json_object_get(doc, "e"), 1)));
    json_decref(doc);
}
END_TEST

/* A syntax error after a big literal is reported where it is in the original
 * text: the same place as in a copy whose literal is a real of equal length. */
START_TEST(syntax_error_positions_survive_big_literals)
{
    /* '@' stands for the literal. */
    static const char *const shapes[] = {
        "{\"x\": @,\n \"y\": [1, 2,, 3]}",
        "{\"x\": [@, @],\n\n   \"y\": tru}",
        "{\"x\": @ \"z\": 1}",
        "{\"\xc3\xa9\": @, \"y\": [1 2]}",
    };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        char *with_big = strdup(shapes[s]), *with_real = strdup(shapes[s]);
        while (strchr(with_big, '@')) {
            char *next = replace(with_big, "@", "123456789012345678901");
            free(with_big);
            with_big = next;
            next = replace(with_real, "@", "1.3456789012345678901");
            free(with_real);
            with_real = next;
        }
        exoplace_error big_err, real_err;
        char *out = NULL;
        ck_assert_int_eq(exoplace_cycles_json(&out, with_big, strlen(with_big), NULL, &big_err), EXOPLACE_E_INVALID_JSON);
        ck_assert_int_eq(exoplace_cycles_json(&out, with_real, strlen(with_real), NULL, &real_err), EXOPLACE_E_INVALID_JSON);
        /* Compare "line L, column C:" only; the token text may differ. */
        size_t prefix = (size_t)(strchr(real_err.message, ':') - real_err.message);
        ck_assert_msg(strncmp(big_err.message, real_err.message, prefix + 1) == 0, "%s vs %s", big_err.message,
                      real_err.message);
        ck_assert_msg(strncmp(big_err.message, "line ", 5) == 0, "%s", big_err.message);
        free(with_big);
        free(with_real);
    }
}
END_TEST

/* {"nodes": [], "x": [[...]]} nested `depth` deep in all. */
static char *nested(int depth)
{
    size_t size = 32 + 2 * (size_t)depth;
    char *text = malloc(size);
    ck_assert_ptr_nonnull(text);
    int n = snprintf(text, size, "{\"nodes\": [], \"x\": ");
    for (int i = 0; i < depth - 1; i++)
        text[n++] = '[';
    for (int i = 0; i < depth - 1; i++)
        text[n++] = ']';
    snprintf(text + n, size - (size_t)n, "}");
    return text;
}

START_TEST(nesting_limit_is_exact)
{
    char *deep = nested(EXOPLACE_MAX_JSON_DEPTH);
    char *out = call_ok(cycles_text, deep, NULL); /* exactly the limit */
    exoplace_free(out);
    char *deeper = nested(EXOPLACE_MAX_JSON_DEPTH + 1);
    exoplace_error err;
    out = NULL;
    ck_assert_int_eq(exoplace_cycles_json(&out, deeper, strlen(deeper), NULL, &err), EXOPLACE_E_LIMIT);
    ck_assert_ptr_null(out);
    ck_assert_msg(strstr(err.message, "nested deeper than") != NULL, "%s", err.message);
    free(deep);
    free(deeper);
}
END_TEST

START_TEST(input_over_the_size_limit_is_refused)
{
    size_t size = (size_t)EXOPLACE_MAX_INPUT_BYTES + 1;
    char *text = malloc(size + 1);
    ck_assert_ptr_nonnull(text);
    memset(text, ' ', size);
    memcpy(text, "{\"nodes\": []}", 13);
    text[size] = '\0';
    char *out = NULL;
    exoplace_error err;
    ck_assert_int_eq(exoplace_cycles_json(&out, text, strlen(text), NULL, &err), EXOPLACE_E_LIMIT);
    ck_assert_ptr_null(out);
    text[size - 1] = '\0'; /* exactly at the limit: accepted */
    out = call_ok(cycles_text, text, NULL);
    ck_assert_str_eq(out, "{\"cycles\": []}");
    exoplace_free(out);
    free(text);
}
END_TEST

START_TEST(placement_failure_returns_the_failure_object)
{
    char *request = replace(two_nodes, "\"storageSize\": {\"inBytes\": 2500}", "\"storageSize\": {\"inBytes\": 7000}");
    char *out = NULL;
    exoplace_error err;
    ck_assert_int_eq(exoplace_get_placement_json(&out, request, strlen(request), NULL, &err), EXOPLACE_E_INSUFFICIENT_MEMORY);
    /* The failure object, then its explanation (test_explain.c checks its numbers). */
    const char *head = "{\"ok\": false, \"code\": \"insufficient_memory\", "
                       "\"error\": \"No cycles found with sufficient memory\", \"explanation\": {";
    ck_assert_int_eq(strncmp(out, head, strlen(head)), 0);
    ck_assert_ptr_nonnull(strstr(out, "\"placed\": false, \"placing_tier\": null"));
    ck_assert_str_eq(err.message, "No cycles found with sufficient memory");
    exoplace_free(out);
    free(request);
}
END_TEST

START_TEST(low_memory_and_the_host_switches)
{
    /* 3500 bytes: more than the 3000 available, less than the 6000 total. */
    char *request = replace(two_nodes, "\"storageSize\": {\"inBytes\": 2500}", "\"storageSize\": {\"inBytes\": 3500}");
    char *out = call_ok(get_placement_text, request, NULL);
    ck_assert_msg(strstr(out, "\"is_low_memory\": true, \"memory_tier\": \"total\"") != NULL, "%s", out);
    exoplace_free(out);
    /* One attempt (exo's place) fails; so does get_placement without its fallback. */
    exoplace_error err;
    out = NULL;
    ck_assert_int_eq(exoplace_place_json(&out, request, strlen(request), NULL, &err), EXOPLACE_E_INSUFFICIENT_MEMORY);
    exoplace_free(out);
    exoplace_json_options options;
    exoplace_json_options_init(&options);
    options.no_fallback = 1;
    out = NULL;
    ck_assert_int_eq(exoplace_get_placement_json(&out, request, strlen(request), &options, &err), EXOPLACE_E_INSUFFICIENT_MEMORY);
    exoplace_free(out);
    /* allow_low_memory in the request makes the one attempt use the total tier. */
    char *allowed = replace(request, "\"model\":", "\"allow_low_memory\": true, \"model\":");
    out = call_ok(place_text, allowed, NULL);
    ck_assert_msg(strstr(out, "\"memory_tier\": \"total\"") != NULL, "%s", out);
    exoplace_free(out);
    free(allowed);
    free(request);
}
END_TEST

/* The ring runs a -> c -> b, so the shards come in that order; the memory
 * deltas are keyed in id order, a, b, c, as exo writes them. */
START_TEST(memory_deltas_are_keyed_in_id_order)
{
    static const char request[] =
        "{\"topology\": {\"nodes\": ["
        "{\"nodeId\": \"c\", \"nodeProfile\": {\"memory\": {\"ramTotal\": 1000, \"ramAvailable\": 1000}}},"
        "{\"nodeId\": \"a\", \"nodeProfile\": {\"memory\": {\"ramTotal\": 1000, \"ramAvailable\": 1000}}},"
        "{\"nodeId\": \"b\", \"nodeProfile\": {\"memory\": {\"ramTotal\": 1000, \"ramAvailable\": 1000}}}],"
        " \"connections\": ["
        "{\"localNodeId\": \"a\", \"sendBackNodeId\": \"c\", \"sendBackMultiaddr\": \"/ip4/10.0.0.3/tcp/1\"},"
        "{\"localNodeId\": \"c\", \"sendBackNodeId\": \"b\", \"sendBackMultiaddr\": \"/ip4/10.0.0.2/tcp/1\"},"
        "{\"localNodeId\": \"b\", \"sendBackNodeId\": \"a\", \"sendBackMultiaddr\": \"/ip4/10.0.0.1/tcp/1\"}]},"
        " \"models\": [{\"modelId\": \"m\", \"storageSize\": 2000, \"nLayers\": 3}]}";
    char *out = call_ok(previews_text, request, NULL);
    json_t *doc = parse_exact(out);
    const json_t *previews = json_object_get(doc, "previews");
    size_t checked = 0;
    for (size_t i = 0; i < json_array_size(previews); i++) {
        const json_t *p = json_array_get(previews, i);
        const json_t *shards = json_object_get(p, "shards");
        if (json_array_size(shards) != 3)
            continue;
        const json_t *nodes = json_object_get(p, "nodes");
        ck_assert_str_eq(json_string_value(json_array_get(nodes, 0)), "a");
        ck_assert_str_eq(json_string_value(json_array_get(nodes, 1)), "c");
        const char *key;
        const json_t *value;
        char order[4] = "";
        size_t n = 0;
        json_object_foreach ((json_t *)json_object_get(p, "memory_delta_by_node"), key, value) {
            (void)value;
            ck_assert_uint_lt(n, 3);
            order[n++] = key[0];
        }
        ck_assert_str_eq(order, "abc");
        checked++;
    }
    ck_assert_uint_gt(checked, 0);
    json_decref(doc);
    exoplace_free(out);
}
END_TEST

START_TEST(previews_cover_every_model_of_the_list)
{
    char *request = replace(two_nodes, "\"model\": {\"modelId\": \"m\", \"storageSize\": {\"inBytes\": 2500}, \"nLayers\": 9}",
                            "\"models\": [{\"modelId\": \"small\", \"storageSize\": 10, \"nLayers\": 4},"
                            " {\"modelId\": \"huge\", \"storageSize\": 99999, \"nLayers\": 4}]");
    char *out = call_ok(previews_text, request, NULL);
    json_t *doc = parse_exact(out);
    const json_t *previews = json_object_get(doc, "previews");
    size_t small = 0, huge = 0;
    for (size_t i = 0; i < json_array_size(previews); i++) {
        const json_t *p = json_array_get(previews, i);
        const char *id = json_string_value(json_object_get(p, "model_id"));
        int failed = json_is_string(json_object_get(p, "error"));
        if (strcmp(id, "small") == 0) {
            small++;
            ck_assert(!failed);
            ck_assert(json_is_array(json_object_get(p, "shards")));
        } else {
            huge++;
            ck_assert(failed);
            ck_assert(json_is_null(json_object_get(p, "nodes")) && json_is_null(json_object_get(p, "shards")));
            ck_assert(json_is_null(json_object_get(p, "memory_tier")));
            ck_assert_uint_eq(json_object_size(json_object_get(p, "memory_delta_by_node")), 0);
        }
        ck_assert_uint_eq(json_object_size(p), 9);
    }
    ck_assert_uint_gt(small, 0);
    ck_assert_uint_gt(huge, 0);
    json_decref(doc);
    exoplace_free(out);
    free(request);
}
END_TEST

START_TEST(cycles_accept_a_bare_topology_and_filter_on_request)
{
    const char *bare = strstr(two_nodes, "{\"nodes\"");
    char *topology = strdup(bare);
    *strstr(topology, ", \"model\"") = '\0'; /* the topology object alone */
    char *out = call_ok(cycles_text, topology, NULL);
    ck_assert_str_eq(out, "{\"cycles\": [[\"a\"], [\"b\"], [\"a\", \"b\"]]}");
    exoplace_free(out);
    exoplace_cycle_filter filter;
    exoplace_cycle_filter_init(&filter);
    filter.by_memory = 1;
    filter.min_bytes = 2000;
    exoplace_error err;
    ck_assert_int_eq(exoplace_cycles_json(&out, two_nodes, strlen(two_nodes), &filter, &err), EXOPLACE_OK);
    ck_assert_str_eq(out, "{\"cycles\": [[\"b\"], [\"a\", \"b\"]]}");
    exoplace_free(out);
    filter.tier = EXOPLACE_TIER_TOTAL;
    filter.min_bytes = 3000;
    ck_assert_int_eq(exoplace_cycles_json(&out, two_nodes, strlen(two_nodes), &filter, &err), EXOPLACE_OK);
    ck_assert_str_eq(out, "{\"cycles\": [[\"a\"], [\"b\"], [\"a\", \"b\"]]}");
    exoplace_free(out);
    filter.struct_size = 3;
    ck_assert_int_eq(exoplace_cycles_json(&out, two_nodes, strlen(two_nodes), &filter, &err),
                     EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "filter.struct_size");
    free(topology);
}
END_TEST

START_TEST(layers_take_both_memory_forms_and_strategies)
{
    char *out = call_ok(layers_text,
                        "{\"memory\": [1, {\"inBytes\": 1}, {\"in_bytes\": 1}], \"n_layers\": 4, \"strategy\": \"exo\"}",
                        NULL);
    ck_assert_str_eq(out, "{\"ok\": true, \"layers\": [1, 1, 2]}");
    exoplace_free(out);
    out = call_ok(layers_text, "{\"memory\": [1, 1, 1], \"n_layers\": 4}", NULL);
    ck_assert_str_eq(out, "{\"ok\": true, \"layers\": [2, 1, 1]}");
    exoplace_free(out);
    /* fit: capacities and the cost of a layer (caps 1, 2, 1) */
    out = call_ok(layers_text, "{\"memory\": [19, 21, 10], \"n_layers\": 4, \"strategy\": \"fit\", "
                               "\"layer_cost\": {\"inBytes\": 10}}", NULL);
    ck_assert_str_eq(out, "{\"ok\": true, \"layers\": [1, 2, 1]}");
    exoplace_free(out);
    exoplace_error err;
    out = NULL;
    ck_assert_int_eq(exoplace_layers_json(&out, "{\"memory\": [5, 5, 5], \"n_layers\": 2}", strlen("{\"memory\": [5, 5, 5], \"n_layers\": 2}"), NULL, &err),
                     EXOPLACE_E_INVALID_SPLIT);
    ck_assert_ptr_nonnull(out);
    ck_assert(strncmp(out, "{\"ok\": false, \"code\": \"invalid_split\", \"error\": ", 47) == 0);
    exoplace_free(out);
}
END_TEST

/* The model and options exoplace_request_parse() reads from `request`. */
static exoplace_request *parse_ok(const char *request)
{
    exoplace_request *r = NULL;
    exoplace_error err;
    exoplace_status st = exoplace_request_parse(&r, request, strlen(request), NULL, &err);
    ck_assert_msg(st == EXOPLACE_OK, "%s: %s", request, err.message);
    return r;
}

START_TEST(kv_cache_and_reserve_are_read_in_each_form_and_spelling)
{
    static const char *const models[] = {
        "{\"modelId\": \"m\", \"storageSize\": 1, \"nLayers\": 1, \"kvCacheBytesPerLayer\": 7}",
        "{\"model_id\": \"m\", \"storage_size\": 1, \"n_layers\": 1, \"kv_cache_bytes_per_layer\": {\"in_bytes\": 7}}",
        /* exactly multiplied, with 2^32 - 1 and 2^32 + 1 ... */
        "{\"modelId\": \"m\", \"storageSize\": 1, \"nLayers\": 1, \"kvBytesPerTokenPerLayer\": 4294967295, "
        "\"contextLength\": 4294967297}",
        "{\"model_id\": \"m\", \"storage_size\": 1, \"n_layers\": 1, \"kv_bytes_per_token_per_layer\": 7, "
        "\"context_length\": 1}",
        /* ... a zero context, and contextLength alone, of any type, is not read */
        "{\"modelId\": \"m\", \"storageSize\": 1, \"nLayers\": 1, \"kvBytesPerTokenPerLayer\": 7, \"contextLength\": 0}",
        "{\"modelId\": \"m\", \"storageSize\": 1, \"nLayers\": 1, \"contextLength\": \"long\"}",
        /* null is absent */
        "{\"modelId\": \"m\", \"storageSize\": 1, \"nLayers\": 1, \"kvCacheBytesPerLayer\": null, "
        "\"kvBytesPerTokenPerLayer\": 7, \"contextLength\": 1}",
    };
    static const uint64_t expected[] = {7, 7, UINT64_MAX, 7, 0, 0, 7};
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        char request[512];
        snprintf(request, sizeof request, "{\"model\": %s, \"reserveBytes\": %zu}", models[i], i);
        exoplace_request *r = parse_ok(request);
        ck_assert_ptr_nonnull(r->model);
        ck_assert_msg(r->model->kv_cache_bytes_per_layer == expected[i], "model %zu: %llu", i,
                      (unsigned long long)r->model->kv_cache_bytes_per_layer);
        ck_assert_uint_eq(r->options.reserve_bytes, i);
        exoplace_request_free(r);
    }
    exoplace_request *r = parse_ok("{\"reserve_bytes\": {\"inBytes\": 18446744073709551615}}");
    ck_assert(r->options.reserve_bytes == UINT64_MAX);
    exoplace_request_free(r);
}
END_TEST

START_TEST(fit_lists_models_in_display_order)
{
    char *request = replace(two_nodes, "\"model\": {\"modelId\": \"m\", \"storageSize\": {\"inBytes\": 2500}, \"nLayers\": 9}",
                            "\"models\": [{\"modelId\": \"z-small\", \"storageSize\": 10, \"nLayers\": 1},"
                            " {\"modelId\": \"too-big\", \"storageSize\": 6001, \"nLayers\": 1},"
                            " {\"modelId\": \"low\", \"storageSize\": 5000, \"nLayers\": 1},"
                            " {\"modelId\": \"a-small\", \"storageSize\": 10, \"nLayers\": 1},"
                            " {\"modelId\": \"big\", \"storageSize\": 3000, \"nLayers\": 1}]");
    char *out = call_ok(model_fit_text, request, NULL);
    json_t *doc = parse_exact(out);
    const json_t *models = json_object_get(doc, "models");
    static const char *const ids[] = {"big", "a-small", "z-small", "low", "too-big"};
    static const char *const fits[] = {"fits", "fits", "fits", "low_memory", "does_not_fit"};
    ck_assert_uint_eq(json_array_size(models), 5);
    for (size_t i = 0; i < 5; i++) {
        const json_t *m = json_array_get(models, i);
        ck_assert_str_eq(json_string_value(json_object_get(m, "model_id")), ids[i]);
        ck_assert_str_eq(json_string_value(json_object_get(m, "fit")), fits[i]);
        ck_assert_int_eq(json_is_true(json_object_get(m, "will_fit")), i < 3);
        ck_assert_int_eq(json_is_true(json_object_get(m, "can_fit")), i < 4);
    }
    json_decref(doc);
    exoplace_free(out);
    free(request);
}
END_TEST

START_TEST(ids_are_escaped_in_responses)
{
    char *request = replace(two_nodes, "\"nodeId\": \"a\"", "\"nodeId\": \"q\\\"\\\\\\n\\u0001\\u00e9\"");
    char *with_conn = replace(request, "\"localNodeId\": \"a\"", "\"localNodeId\": \"q\\\"\\\\\\n\\u0001\\u00e9\"");
    char *both = replace(with_conn, "\"sendBackNodeId\": \"a\"", "\"sendBackNodeId\": \"q\\\"\\\\\\n\\u0001\\u00e9\"");
    char *out = call_ok(cycles_text, both, NULL);
    json_t *doc = parse_exact(out);
    const json_t *first = json_array_get(json_object_get(doc, "cycles"), 1);
    ck_assert_str_eq(json_string_value(json_array_get(first, 0)), "q\"\\\n\x01\xc3\xa9");
    json_decref(doc);
    exoplace_free(out);
    free(both);
    free(with_conn);
    free(request);
}
END_TEST

START_TEST(first_error_wins_and_err_is_reset)
{
    exoplace_error err;
    char *out = NULL;
    /* Two faults: the first one met (the node's memory) is reported. */
    char *bad = replace(two_nodes, "\"ramAvailable\": {\"inBytes\": 1000}", "\"ramAvailable\": {\"inBytes\": -1}");
    char *worse = replace(bad, "\"nLayers\": 9", "\"nLayers\": 0");
    ck_assert_int_eq(exoplace_get_placement_json(&out, worse, strlen(worse), NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "topology.nodes[0].nodeProfile.memory.ramAvailable.inBytes");
    /* A later successful call clears err. */
    ck_assert_int_eq(exoplace_get_placement_json(&out, two_nodes, strlen(two_nodes), NULL, &err), EXOPLACE_OK);
    ck_assert_int_eq(err.code, EXOPLACE_OK);
    ck_assert_str_eq(err.message, "");
    exoplace_free(out);
    free(bad);
    free(worse);
}
END_TEST

/* The library's allocations fail in turn from the n-th on (jansson's too in
 * the second round): each entry point then reports out_of_memory, writes
 * nothing and leaks nothing (valgrind), until n is large enough for the call
 * to succeed. jansson, converting a real, can misreport its own failure as
 * a syntax error, so invalid_json is accepted in the second round only. */
START_TEST(allocation_failures_are_reported_cleanly)
{
    char *models = replace(two_nodes, "\"model\": {", "\"models\": [{");
    char *models_closed = replace(models, "\"nLayers\": 9}", "\"nLayers\": 9}]");
    /* The parser's other paths: a literal past 2^63, escaped keys and
     * strings in its scratch, a real converted by jansson. */
    char *big = replace(two_nodes, "\"inBytes\": 2500",
                        "\"inBytes\": 2500, \"x\\u0041\": [9223372036854775813, \"a\\n\\u00e9\", 2.5]");
    const struct {
        json_entry entry;
        const char *request;
    } calls[] = {
        {get_placement_text, two_nodes},
        {get_placement_text, big},
        {place_text, two_nodes},
        {previews_text, models_closed},
        {cycles_text, two_nodes},
        {layers_text, "{\"memory\": [1, 2, 3], \"n_layers\": 7}"},
        {model_fit_text, models_closed},
    };
    for (int with_jansson = 0; with_jansson < 2; with_jansson++) {
        if (with_jansson)
            json_set_alloc_funcs(exoplace__seam_malloc, free);
        for (size_t c = 0; c < sizeof calls / sizeof calls[0]; c++) {
            exoplace_status st = EXOPLACE_E_NO_MEMORY;
            long n;
            for (n = 0; n < 100000 && st != EXOPLACE_OK; n++) {
                char *out = NULL;
                exoplace_error err;
                exoplace__seam_fail_after(n);
                st = calls[c].entry(&out, calls[c].request, NULL, &err);
                exoplace__seam_fail_after(-1);
                if (st != EXOPLACE_OK) {
                    ck_assert_msg(st == EXOPLACE_E_NO_MEMORY || (with_jansson && st == EXOPLACE_E_INVALID_JSON),
                                  "call %zu, failing from allocation %ld: %s", c, n, exoplace_status_name(st));
                    ck_assert_ptr_null(out);
                    ck_assert_int_eq(err.code, st);
                }
                exoplace_free(out);
            }
            ck_assert_msg(st == EXOPLACE_OK, "call %zu never succeeded", c);
            ck_assert_int_gt(n, 1);
        }
    }
    json_set_alloc_funcs(malloc, free);
    free(big);
    free(models);
    free(models_closed);
}
END_TEST

static Suite *json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *bad = tcase_create("bad_inputs");
    tcase_add_loop_test(bad, bad_input_is_refused_naming_the_field, 0, n_bad_cases);
    suite_add_tcase(s, bad);
    TCase *unit = tcase_create("boundary");
    tcase_set_timeout(unit, 60);
    tcase_add_test(unit, options_init_sets_documented_defaults);
    tcase_add_test(unit, null_arguments_and_bad_options_are_invalid);
    tcase_add_test(unit, placement_has_the_json_md_shape);
    tcase_add_test(unit, snake_case_and_bare_integers_give_the_same_response);
    tcase_add_test(unit, json_placement_equals_the_c_api);
    tcase_add_test(unit, integers_above_2pow63_round_trip_exactly);
    tcase_add_test(unit, loader_reads_big_literals_and_keeps_caller_strings_apart);
    tcase_add_test(unit, syntax_error_positions_survive_big_literals);
    tcase_add_test(unit, nesting_limit_is_exact);
    tcase_add_test(unit, input_over_the_size_limit_is_refused);
    tcase_add_test(unit, placement_failure_returns_the_failure_object);
    tcase_add_test(unit, low_memory_and_the_host_switches);
    tcase_add_test(unit, memory_deltas_are_keyed_in_id_order);
    tcase_add_test(unit, previews_cover_every_model_of_the_list);
    tcase_add_test(unit, cycles_accept_a_bare_topology_and_filter_on_request);
    tcase_add_test(unit, layers_take_both_memory_forms_and_strategies);
    tcase_add_test(unit, kv_cache_and_reserve_are_read_in_each_form_and_spelling);
    tcase_add_test(unit, fit_lists_models_in_display_order);
    tcase_add_test(unit, ids_are_escaped_in_responses);
    tcase_add_test(unit, first_error_wins_and_err_is_reset);
    tcase_add_test(unit, allocation_failures_are_reported_cleanly);
    suite_add_tcase(s, unit);
    return s;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s BAD_CASES_DIR\n", argv[0]);
        return 2;
    }
    bad_dir = argv[1];
    load_bad_cases(bad_dir);
    if (n_bad_cases == 0) {
        fprintf(stderr, "no cases in %s\n", bad_dir);
        return 1;
    }
    SRunner *runner = srunner_create(json_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    for (int i = 0; i < n_bad_cases; i++)
        free(bad_cases[i]);
    free(bad_cases);
    return failed ? 1 : 0;
}
