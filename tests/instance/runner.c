/* The instance of every successful placement of the exo-main vectors
 * (tests/conformance-exo-main: place and get_placement successes, and each
 * successful preview), made from the chosen cycle without the selection:
 * the request is read with exoplace_request_parse(), the card's own text
 * becomes the model's card_json, the cycle is the vector's `ranks`, and the
 * shards and instance come from exoplace__exo_main_place_cycle() in the
 * vector's tier. exoplace_placement_write_json() writes the response, whose
 * instance is compared with the vector's by the README's placeholder rule
 * (tests/conformance-exo-main/exo_main_vectors.py does the same in Python):
 * each placeholder binds to one value, runners to distinct uuid4 texts, the
 * port to one integer in 49152..65535 other than 52415, <model-card> to the
 * vector's model_card. Each instance is made twice, with and without the
 * out-edge index, and the two texts must be the same.
 * Prints one line per failed check, "N passed, N failed" (vectors) and how
 * many instances were compared. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "exoplace.h"
#include "instance.h"
#include "json_build.h"
#include "json_parse.h"
#include "names.h"
#include "vector_files.h"

typedef test_vector_run vector_run;

static int same_text(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* ---- the vector's own text ------------------------------------------------- */

/* A copy of the value at keys[0].keys[1]... of the validated text (free()),
 * or NULL when a key is missing. */
static char *value_text(const char *text, const char *const *keys, size_t n_keys)
{
    exoplace__json_cursor c;
    exoplace__json_cursor_init(&c, text, strlen(text));
    for (size_t k = 0; k < n_keys; k++) {
        if (exoplace__json_kind_at(&c) != EXOPLACE__JSON_OBJECT)
            return NULL;
        exoplace__json_enter(&c);
        exoplace__json_string key;
        int found = 0;
        while (!found && exoplace__json_next_member(&c, &key)) {
            if (exoplace__json_string_equals(&key, keys[k]))
                found = 1;
            else
                exoplace__json_skip(&c);
        }
        if (!found)
            return NULL;
    }
    exoplace__json_kind_at(&c);
    size_t start = c.pos;
    exoplace__json_skip(&c);
    char *copy = malloc(c.pos - start + 1);
    if (copy) {
        memcpy(copy, text + start, c.pos - start);
        copy[c.pos - start] = '\0';
    }
    return copy;
}

/* ---- placeholders ------------------------------------------------------------ */

#define MAX_BINDINGS 256

typedef struct bindings {
    const json_t *model_card;
    size_t count;
    char *placeholder[MAX_BINDINGS];
    json_t *value[MAX_BINDINGS]; /* a key placeholder binds to the key's text */
} bindings;

static void bindings_dispose(bindings *b)
{
    for (size_t i = 0; i < b->count; i++) {
        free(b->placeholder[i]);
        json_decref(b->value[i]);
    }
    b->count = 0;
}

static const json_t *bound(const bindings *b, const char *placeholder)
{
    for (size_t i = 0; i < b->count; i++)
        if (strcmp(b->placeholder[i], placeholder) == 0)
            return b->value[i];
    return NULL;
}

/* "<instance-id>", "<runner:1>", "<port:3>", "<model-card>": the kind, or NULL. */
static const char *placeholder_kind(const char *text)
{
    static const char *const kinds[] = {"instance-id", "runner", "port", "model-card"};
    size_t n = strlen(text);
    if (n < 3 || text[0] != '<' || text[n - 1] != '>')
        return NULL;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        size_t len = strlen(kinds[k]);
        if (strncmp(text + 1, kinds[k], len) != 0)
            continue;
        /* Then (":" digits)* and the '>'. */
        const char *p = text + 1 + len;
        while (*p == ':' && p[1] >= '0' && p[1] <= '9') {
            p++;
            while (*p >= '0' && *p <= '9')
                p++;
        }
        if (p == text + n - 1)
            return kinds[k];
    }
    return NULL;
}

static int is_uuid4(const char *s)
{
    if (!s || strlen(s) != 36)
        return 0;
    for (size_t i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        int hex = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f');
        if (dash ? s[i] != '-' : !hex)
            return 0;
    }
    return s[14] == '4' && strchr("89ab", s[19]) != NULL;
}

static int is_port(json_int_t port)
{
    return port >= 49152 && port <= 65535 && port != 52415;
}

/* Binds placeholder to value (a new reference is taken), or checks the binding. */
static void bind(vector_run *run, bindings *b, const char *placeholder, const json_t *value, const char *where)
{
    const char *kind = placeholder_kind(placeholder);
    if (same_text(kind, "model-card")) {
        if (!json_equal(value, b->model_card))
            test_vector_fail(run, "%s: modelCard differs from the vector's model_card", where);
        return;
    }
    if (same_text(kind, "port") ? !json_is_integer(value) || !is_port(json_integer_value(value))
                                : !is_uuid4(json_string_value(value))) {
        char *text = json_dumps(value, JSON_ENCODE_ANY);
        test_vector_fail(run, "%s: %s is not a %s", where, text ? text : "?", same_text(kind, "port") ? "port" : "uuid4");
        free(text);
        return;
    }
    const json_t *before = bound(b, placeholder);
    if (before) {
        if (!json_equal(before, value))
            test_vector_fail(run, "%s: %s is bound to two values", where, placeholder);
        return;
    }
    if (same_text(kind, "runner"))
        for (size_t i = 0; i < b->count; i++)
            if (same_text(placeholder_kind(b->placeholder[i]), "runner") && json_equal(b->value[i], value))
                test_vector_fail(run, "%s: two runners share the id %s", where, json_string_value(value));
    if (b->count == MAX_BINDINGS) {
        test_vector_fail(run, "%s: too many placeholders", where);
        return;
    }
    b->placeholder[b->count] = strdup(placeholder);
    b->value[b->count] = json_deep_copy(value);
    b->count++;
}

/* Whether an actual key is the value of some binding (a placeholder key's). */
static int key_is_bound(const bindings *b, const char *key)
{
    for (size_t i = 0; i < b->count; i++)
        if (same_text(json_string_value(b->value[i]), key))
            return 1;
    return 0;
}

static void match(vector_run *run, bindings *b, const json_t *expected, const json_t *actual, const char *where);

static void match_object(vector_run *run, bindings *b, const json_t *expected, const json_t *actual,
                         const char *where)
{
    char at[512];
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)expected, key, value) {
        if (placeholder_kind(key))
            continue;
        snprintf(at, sizeof at, "%s.%s", where, key);
        const json_t *got = json_object_get(actual, key);
        if (!got)
            test_vector_fail(run, "%s: missing", at);
        else
            match(run, b, value, got, at);
    }
    /* Placeholder keys: a bound one names its key; the others take the
     * actual keys left, in order. */
    json_object_foreach((json_t *)expected, key, value) {
        if (!placeholder_kind(key))
            continue;
        const json_t *target = bound(b, key);
        const char *target_key = target ? json_string_value(target) : NULL;
        if (!target_key || !json_object_get(actual, target_key)) {
            const char *candidate;
            const json_t *ignored;
            target_key = NULL;
            json_object_foreach((json_t *)actual, candidate, ignored) {
                if (!json_object_get(expected, candidate) && !key_is_bound(b, candidate)) {
                    target_key = candidate;
                    break;
                }
            }
            if (!target_key) {
                test_vector_fail(run, "%s: no member for %s", where, key);
                continue;
            }
            json_t *name = json_string(target_key);
            bind(run, b, key, name, where);
            json_decref(name);
        }
        snprintf(at, sizeof at, "%s[%s]", where, key);
        match(run, b, value, json_object_get(actual, target_key), at);
    }
    json_object_foreach((json_t *)actual, key, value) {
        if (!json_object_get(expected, key) && !key_is_bound(b, key))
            test_vector_fail(run, "%s: unexpected member %s", where, key);
    }
}

static void match(vector_run *run, bindings *b, const json_t *expected, const json_t *actual, const char *where)
{
    const char *text = json_string_value(expected);
    if (text && placeholder_kind(text)) {
        bind(run, b, text, actual, where);
        return;
    }
    const char *port = text ? strstr(text, ":<port") : NULL;
    if (port) {
        /* "10.0.0.1:<port>" in jacclCoordinators: the text after the last ':'. */
        const char *got = json_string_value(actual);
        const char *colon = got ? strrchr(got, ':') : NULL;
        size_t host_len = (size_t)(port - text);
        if (!colon || (size_t)(colon - got) != host_len || strncmp(got, text, host_len) != 0) {
            test_vector_fail(run, "%s: expected %s, got %s", where, text, got ? got : "(not a string)");
            return;
        }
        char *end = NULL;
        long value = strtol(colon + 1, &end, 10);
        json_t *number = json_integer(colon[1] >= '0' && colon[1] <= '9' && *end == '\0' ? value : -1);
        bind(run, b, port + 1, number, where);
        json_decref(number);
        return;
    }
    if (json_is_object(expected)) {
        if (!json_is_object(actual))
            test_vector_fail(run, "%s: expected an object", where);
        else
            match_object(run, b, expected, actual, where);
        return;
    }
    if (json_is_array(expected)) {
        if (!json_is_array(actual) || json_array_size(actual) != json_array_size(expected)) {
            test_vector_fail(run, "%s: expected %zu items", where, json_array_size(expected));
            return;
        }
        char at[512];
        for (size_t i = 0; i < json_array_size(expected); i++) {
            snprintf(at, sizeof at, "%s[%zu]", where, i);
            match(run, b, json_array_get(expected, i), json_array_get(actual, i), at);
        }
        return;
    }
    if (!json_equal(expected, actual)) {
        char *want = json_dumps(expected, JSON_ENCODE_ANY), *got = json_dumps(actual, JSON_ENCODE_ANY);
        test_vector_fail(run, "%s: expected %s, got %s", where, want ? want : "?", got ? got : "(none)");
        free(want);
        free(got);
    }
}

/* Compares an instance with the vector's, runners bound through nodeToRunner
 * first so that runnerToShard is compared by node. */
static void compare_instance(vector_run *run, const json_t *expected, const json_t *actual, const json_t *model_card,
                             const char *where)
{
    bindings b;
    memset(&b, 0, sizeof b);
    b.model_card = model_card;
    const char *kind;
    const json_t *body;
    json_object_foreach((json_t *)expected, kind, body) {
        const json_t *want = json_object_get(json_object_get(body, "shardAssignments"), "nodeToRunner");
        const json_t *got =
            json_object_get(json_object_get(json_object_get(actual, kind), "shardAssignments"), "nodeToRunner");
        const char *node;
        const json_t *runner;
        json_object_foreach((json_t *)want, node, runner) {
            const json_t *actual_runner = json_object_get(got, node);
            if (actual_runner && json_string_value(runner))
                bind(run, &b, json_string_value(runner), actual_runner, where);
        }
    }
    match(run, &b, expected, actual, where);
    bindings_dispose(&b);
}

/* ---- one placement ----------------------------------------------------------- */

typedef struct case_input {
    const exoplace_request *request;
    exoplace_model model;            /* the request's, with card_json */
    const exoplace__out_edges *out_edges;
    const json_t *model_card;
    uint64_t seed;
    int *instances; /* instances compared, over every vector */
} case_input;

static int enum_value(int *out, const exoplace__enum_info *info, const char *name)
{
    return name && exoplace__enum_from_name(out, info, name, strlen(name));
}

/* The instance for `ranks` in `tier`, written, made once per out-edge mode. */
static json_t *make_response(vector_run *run, const case_input *in, const json_t *ranks, exoplace_sharding sharding,
                             exoplace_instance_meta meta, exoplace_memory_tier tier, const char *where)
{
    size_t n = json_array_size(ranks);
    uint32_t *cycle = calloc(n ? n : 1, sizeof *cycle);
    char *text[2] = {NULL, NULL};
    json_t *doc = NULL;
    for (size_t i = 0; cycle && i < n; i++) {
        size_t index = 0;
        const char *id = json_string_value(json_object_get(json_array_get(ranks, i), "node"));
        if (!id || exoplace_topology_find_node(&index, in->request->topology, id, NULL) != EXOPLACE_OK) {
            test_vector_fail(run, "%s: rank %zu names no node", where, i);
            goto done;
        }
        cycle[i] = (uint32_t)index;
    }
    for (int with_index = 0; cycle && with_index < 2; with_index++) {
        exoplace_place_options options;
        exoplace_place_options_init(&options);
        options.use_random_seed = 1;
        options.random_seed = in->seed;
        exoplace__random random;
        exoplace__random_init(&random, &options);
        exoplace_placement placement;
        exoplace_error err;
        exoplace__error_clear(&err);
        exoplace_status st = exoplace__exo_main_place_cycle(&placement, in->request->topology,
                                                            with_index ? in->out_edges : NULL, cycle, n, &in->model,
                                                            sharding, meta, tier, &random, &err);
        if (st == EXOPLACE_OK)
            st = exoplace_placement_write_json(&text[with_index], &placement, &in->model, &err);
        exoplace_placement_dispose(&placement);
        if (st != EXOPLACE_OK) {
            test_vector_fail(run, "%s: %s: %s (%s)", where, exoplace_status_name(st), err.message, err.field);
            goto done;
        }
    }
    if (cycle && strcmp(text[0], text[1]) != 0) {
        test_vector_fail(run, "%s: the out-edge index changes the instance", where);
        goto done;
    }
    exoplace_error err;
    if (cycle && test_json_load(&doc, text[0], &err) != EXOPLACE_OK)
        test_vector_fail(run, "%s: the response is not JSON: %s", where, err.message);
done:
    free(cycle);
    exoplace_free(text[0]);
    exoplace_free(text[1]);
    return doc;
}

/* One success: the response's members and its instance. */
static void check_success(vector_run *run, const case_input *in, const json_t *expect, exoplace_sharding sharding,
                          exoplace_instance_meta meta, exoplace_memory_tier tier, const char *where)
{
    json_t *doc = make_response(run, in, json_object_get(expect, "ranks"), sharding, meta, tier, where);
    if (!doc)
        return;
    if (!json_is_true(json_object_get(doc, "ok")) ||
        !same_text(json_string_value(json_object_get(doc, "rules")), "exo-main"))
        test_vector_fail(run, "%s: not an exo-main success", where);
    if (!json_equal(json_object_get(doc, "is_low_memory"), json_boolean(tier != EXOPLACE_TIER_AVAILABLE)) ||
        !same_text(json_string_value(json_object_get(doc, "memory_tier")), exoplace_memory_tier_name(tier)))
        test_vector_fail(run, "%s: the response does not carry tier %s", where, exoplace_memory_tier_name(tier));
    const json_t *instance = json_object_get(expect, "instance");
    if (json_is_object(instance)) {
        char at[256];
        snprintf(at, sizeof at, "%s.instance", where);
        compare_instance(run, instance, json_object_get(doc, "instance"), in->model_card, at);
        (*in->instances)++;
    }
    json_decref(doc);
}

static void run_place(vector_run *run, const case_input *in, const json_t *vector)
{
    const json_t *expect = json_object_get(vector, "expect");
    int tier = EXOPLACE_TIER_AVAILABLE;
    if (same_text(json_string_value(json_object_get(vector, "kind")), "get_placement") &&
        !enum_value(&tier, &exoplace__memory_tier_info, json_string_value(json_object_get(expect, "memory_tier")))) {
        test_vector_fail(run, "no memory_tier in expect");
        return;
    }
    check_success(run, in, expect, in->request->options.sharding, in->request->options.instance_meta,
                  (exoplace_memory_tier)tier, "place");
}

static void run_previews(vector_run *run, const case_input *in, const json_t *vector)
{
    const json_t *previews = json_object_get(json_object_get(vector, "expect"), "previews");
    for (size_t i = 0; i < json_array_size(previews); i++) {
        const json_t *preview = json_array_get(previews, i);
        if (!json_is_null(json_object_get(preview, "error")))
            continue;
        char where[64];
        snprintf(where, sizeof where, "previews[%zu]", i);
        int sharding, meta;
        if (!enum_value(&sharding, &exoplace__sharding_info, json_string_value(json_object_get(preview, "sharding"))) ||
            !enum_value(&meta, &exoplace__instance_meta_info,
                        json_string_value(json_object_get(preview, "instance_meta")))) {
            test_vector_fail(run, "%s: unknown sharding or instance_meta", where);
            continue;
        }
        check_success(run, in, preview, (exoplace_sharding)sharding, (exoplace_instance_meta)meta,
                      EXOPLACE_TIER_AVAILABLE, where);
    }
}

static int run_vector(const char *path, const char *file_name, void *ctx)
{
    int *instances = ctx;
    vector_run run = {file_name, 0};
    char *text = test_read_file(path);
    json_t *vector = NULL;
    char *request_text = NULL, *card_text = NULL;
    exoplace_request *request = NULL;
    exoplace__out_edges out_edges = {NULL, NULL};
    exoplace_error err;
    if (!text || test_json_load(&vector, text, &err) != EXOPLACE_OK) {
        test_vector_fail(&run, "cannot read %s", path);
        goto done;
    }
    const json_t *expect = json_object_get(vector, "expect");
    const char *kind = json_string_value(json_object_get(vector, "kind"));
    int previews = same_text(kind, "previews");
    if (!previews && !json_is_true(json_object_get(expect, "ok")))
        goto done; /* a failure: no instance */
    request_text = value_text(text, (const char *const[]){"request"}, 1);
    card_text = value_text(text, (const char *const[]){"request", "model"}, 2);
    if (!request_text || !card_text) {
        test_vector_fail(&run, "no request or no request.model");
        goto done;
    }
    if (exoplace_request_parse(&request, request_text, strlen(request_text), NULL, &err) != EXOPLACE_OK ||
        !request->model) {
        test_vector_fail(&run, "the request does not parse: %s (%s)", err.message, err.field);
        goto done;
    }
    if (exoplace__out_edges_init(&out_edges, request->topology, &err) != EXOPLACE_OK) {
        test_vector_fail(&run, "out-edge index: %s", err.message);
        goto done;
    }
    case_input in = {request, *request->model, &out_edges, json_object_get(expect, "model_card"), 0, instances};
    in.model.card_json = card_text;
    for (const char *c = file_name; *c; c++)
        in.seed = in.seed * 31 + (unsigned char)*c;
    if (previews)
        run_previews(&run, &in, vector);
    else
        run_place(&run, &in, vector);
done:
    exoplace__out_edges_dispose(&out_edges);
    exoplace_request_free(request);
    free(request_text);
    free(card_text);
    json_decref(vector);
    free(text);
    return run.failures == 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s VECTORS_DIR\n", argv[0]);
        return 2;
    }
    int passed = 0, failed = 0, instances = 0;
    int readable = test_for_each_json(argv[1], run_vector, &instances, &passed, &failed);
    printf("%d passed, %d failed; %d instances compared\n", passed, failed, instances);
    /* No instance compared at all is a broken setup, not a pass. */
    return readable && failed == 0 && instances > 0 ? 0 : 1;
}
