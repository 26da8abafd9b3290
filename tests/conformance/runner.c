/* Conformance runner: every vector (*.json) of the directories given on the
 * command line goes through the C JSON entry points with the exo layer
 * strategy and is checked by the rule of the conformance README:
 * - the chosen node set is one of optimal_sets, the rank order is a cycle of
 *   the topology, and the layers are the exo split for that order (compared
 *   with expect.layers when the order is canonical_choice, else recomputed
 *   here from the request's memory);
 * - is_low_memory, instance_meta, the memory tier and the error text match;
 *   an invalid exo split is the code invalid_split.
 * Vectors are read at run time; nothing of them is copied in here. The
 * library's own JSON reader loads them because they hold integers above
 * 2^63, which plain jansson refuses.
 * Prints one line per failed check and "N passed, N failed". */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exoplace.h"
#include "json_build.h"
#include "vector_files.h"

__extension__ typedef unsigned __int128 u128;

typedef test_vector_run vector_run;

/* ---- the request's own text -------------------------------------------------- */

static size_t skip_space(const char *t, size_t i)
{
    while (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' || t[i] == '\t')
        i++;
    return i;
}

static size_t skip_string(const char *t, size_t i)
{
    for (i++; t[i] && t[i] != '"'; i++)
        if (t[i] == '\\' && t[i + 1])
            i++;
    return t[i] ? i + 1 : i;
}

/* The end of the JSON value starting at i. */
static size_t skip_value(const char *t, size_t i)
{
    if (t[i] == '"')
        return skip_string(t, i);
    if (t[i] == '{' || t[i] == '[') {
        int depth = 0;
        while (t[i]) {
            if (t[i] == '"') {
                i = skip_string(t, i);
                continue;
            }
            if (t[i] == '{' || t[i] == '[')
                depth++;
            else if ((t[i] == '}' || t[i] == ']') && --depth == 0)
                return i + 1;
            i++;
        }
        return i;
    }
    while (t[i] && t[i] != ',' && t[i] != '}' && t[i] != ']' && t[i] != ' ' && t[i] != '\n')
        i++;
    return i;
}

/* The text of the vector's top-level "request" member, exactly as written
 * (its integers may not survive a round trip through jansson). */
static char *request_text(const char *t)
{
    size_t i = skip_space(t, 0);
    if (t[i] != '{')
        return NULL;
    i++;
    while (t[i]) {
        i = skip_space(t, i);
        if (t[i] != '"')
            return NULL;
        size_t key_start = i + 1, key_end = skip_string(t, i) - 1;
        i = skip_space(t, key_end + 1);
        if (t[i] != ':')
            return NULL;
        i = skip_space(t, i + 1);
        size_t value_end = skip_value(t, i);
        if (key_end - key_start == 7 && memcmp(t + key_start, "request", 7) == 0) {
            char *copy = malloc(value_end - i + 1);
            if (copy) {
                memcpy(copy, t + i, value_end - i);
                copy[value_end - i] = '\0';
            }
            return copy;
        }
        i = skip_space(t, value_end);
        if (t[i] == ',')
            i++;
    }
    return NULL;
}

/* ---- reading JSON values ----------------------------------------------------- */

static const json_t *member(const json_t *object, const char *camel, const char *snake)
{
    return test_json_member(object, camel, snake);
}

/* An unsigned value, {"inBytes": N} or bare, big integers included. */
static int read_u64(uint64_t *out, const json_t *value)
{
    return test_json_bytes(out, value);
}

static const char *text_of(const json_t *value)
{
    return json_is_string(value) ? json_string_value(value) : NULL;
}

static int same_text(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static int compare_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Whether the id list `ids` (any order) equals the sorted id array `set`. */
static int same_set(const json_t *ids, const json_t *set)
{
    size_t n = json_array_size(ids);
    if (!json_is_array(ids) || n != json_array_size(set))
        return 0;
    const char **sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return 0;
    int ok = 1;
    for (size_t i = 0; i < n; i++)
        ok &= (sorted[i] = text_of(json_array_get(ids, i))) != NULL;
    if (ok)
        qsort(sorted, n, sizeof *sorted, compare_text);
    for (size_t i = 0; ok && i < n; i++)
        ok = same_text(sorted[i], text_of(json_array_get(set, i)));
    free(sorted);
    return ok;
}

static int same_ids(const json_t *a, const json_t *b)
{
    if (!json_is_array(a) || !json_is_array(b) || json_array_size(a) != json_array_size(b))
        return 0;
    for (size_t i = 0; i < json_array_size(a); i++)
        if (!same_text(text_of(json_array_get(a, i)), text_of(json_array_get(b, i))))
            return 0;
    return 1;
}

/* ---- facts about the request's topology --------------------------------------- */

static const json_t *request_topology(const json_t *request)
{
    const json_t *topology = member(request, "topology", NULL);
    return topology ? topology : request;
}

static const json_t *find_node(const json_t *topology, const char *id)
{
    const json_t *nodes = member(topology, "nodes", NULL);
    for (size_t i = 0; i < json_array_size(nodes); i++) {
        const json_t *node = json_array_get(nodes, i);
        if (same_text(text_of(member(node, "nodeId", "node_id")), id))
            return node;
    }
    return NULL;
}

static int has_connection(const json_t *topology, const char *from, const char *to)
{
    const json_t *connections = member(topology, "connections", NULL);
    for (size_t i = 0; i < json_array_size(connections); i++) {
        const json_t *c = json_array_get(connections, i);
        if (same_text(text_of(member(c, "localNodeId", "local_node_id")), from) &&
            same_text(text_of(member(c, "sendBackNodeId", "send_back_node_id")), to))
            return 1;
    }
    return 0;
}

static int is_cycle(const json_t *topology, const json_t *order)
{
    size_t n = json_array_size(order);
    if (n == 0)
        return 0;
    if (n == 1)
        return find_node(topology, text_of(json_array_get(order, 0))) != NULL;
    for (size_t i = 0; i < n; i++)
        if (!has_connection(topology, text_of(json_array_get(order, i)), text_of(json_array_get(order, (i + 1) % n))))
            return 0;
    return 1;
}

/* The memory metric of a node in a tier (placement.md section 7). */
static int node_metric(u128 *out, const json_t *topology, const char *id, const char *tier)
{
    const json_t *memory = member(member(find_node(topology, id), "nodeProfile", "node_profile"), "memory", NULL);
    uint64_t total, available, swap_available = 0;
    if (!read_u64(&total, member(memory, "ramTotal", "ram_total")) ||
        !read_u64(&available, member(memory, "ramAvailable", "ram_available")))
        return 0;
    const json_t *swap = member(memory, "swapAvailable", "swap_available");
    if (swap && !read_u64(&swap_available, swap))
        return 0;
    const char *level = text_of(member(memory, "pressureLevel", "pressure_level"));
    const json_t *free_percent = member(memory, "freePercent", "free_percent");
    int critical = same_text(level, "critical");
    if (!tier || strcmp(tier, "available") == 0) {
        *out = critical ? 0 : available;
    } else if (strcmp(tier, "total") == 0) {
        *out = total;
    } else if (strcmp(tier, "swap") == 0) {
        *out = (u128)total + swap_available;
    } else if (strcmp(tier, "pressure") == 0) {
        u128 m = json_is_integer(free_percent) ? (u128)total * (uint64_t)json_integer_value(free_percent) / 100
                                               : available;
        if (same_text(level, "warn"))
            m /= 2;
        *out = critical ? 0 : m;
    } else {
        return 0;
    }
    return 1;
}

/* exo's split, computed here independently: divide, then multiply, round
 * half to even, at least one each, the last node takes the rest. */
static int exo_split(long *layers_out, const u128 *metric, size_t n, uint32_t n_layers)
{
    u128 total = 0;
    for (size_t i = 0; i < n; i++)
        total += metric[i];
    if (total == 0)
        total = 1;
    long assigned = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        double share = (double)n_layers * ((double)metric[i] / (double)total);
        long layers = (long)nearbyint(share); /* default rounding: ties to even */
        layers_out[i] = layers < 1 ? 1 : layers;
        assigned += layers_out[i];
    }
    layers_out[n - 1] = (long)n_layers - assigned;
    for (size_t i = 0; i < n; i++)
        if (layers_out[i] <= 0)
            return 0;
    return 1;
}

/* ---- checking one placement ---------------------------------------------------- */

typedef struct placement_expect {
    const json_t *topology;
    const json_t *expect;   /* expect, or one expected preview */
    const char *sharding;   /* the request's or the preview's */
    uint32_t n_layers;
} placement_expect;

static void check_layers(vector_run *run, const json_t *got, const placement_expect *pe)
{
    const json_t *nodes = json_object_get(got, "nodes");
    const json_t *shards = json_object_get(got, "shards");
    size_t n = json_array_size(nodes);
    if (json_array_size(shards) != n) {
        test_vector_fail(run, "%zu shards for %zu nodes", json_array_size(shards), n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *shard = json_array_get(shards, i);
        if (!same_text(text_of(json_object_get(shard, "node_id")), text_of(json_array_get(nodes, i))) ||
            json_integer_value(json_object_get(shard, "device_rank")) != (json_int_t)i ||
            json_integer_value(json_object_get(shard, "world_size")) != (json_int_t)n ||
            json_integer_value(json_object_get(shard, "n_layers")) != (json_int_t)pe->n_layers)
            test_vector_fail(run, "shard %zu: node_id, device_rank, world_size or n_layers wrong", i);
    }
    long *expected_start = calloc(n ? n : 1, sizeof *expected_start);
    long *expected_end = calloc(n ? n : 1, sizeof *expected_end);
    u128 *metric = calloc(n ? n : 1, sizeof *metric);
    if (!expected_start || !expected_end || !metric) {
        test_vector_fail(run, "out of memory");
        goto done;
    }
    const json_t *canonical = json_object_get(pe->expect, "canonical_choice");
    const json_t *layers = json_object_get(pe->expect, "layers");
    if (canonical && same_ids(nodes, canonical) && json_array_size(layers) == n) {
        for (size_t i = 0; i < n; i++) {
            const json_t *l = json_array_get(layers, i);
            expected_start[i] = (long)json_integer_value(json_object_get(l, "start_layer"));
            expected_end[i] = (long)json_integer_value(json_object_get(l, "end_layer"));
        }
    } else if (same_text(pe->sharding, "Tensor")) {
        for (size_t i = 0; i < n; i++)
            expected_end[i] = (long)pe->n_layers;
    } else {
        const char *tier = text_of(json_object_get(pe->expect, "metric"));
        for (size_t i = 0; i < n; i++) {
            if (!node_metric(&metric[i], pe->topology, text_of(json_array_get(nodes, i)), tier)) {
                test_vector_fail(run, "cannot read the memory of node %s to recompute the split",
                     text_of(json_array_get(nodes, i)));
                goto done;
            }
        }
        if (!exo_split(expected_end, metric, n, pe->n_layers)) {
            test_vector_fail(run, "the exo split of the order chosen gives a node no layers, yet it was placed");
            goto done;
        }
        long start = 0;
        for (size_t i = 0; i < n; i++) {
            expected_start[i] = start;
            start += expected_end[i];
            expected_end[i] = start;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *shard = json_array_get(shards, i);
        long start = (long)json_integer_value(json_object_get(shard, "start_layer"));
        long end = (long)json_integer_value(json_object_get(shard, "end_layer"));
        if (start != expected_start[i] || end != expected_end[i])
            test_vector_fail(run, "node %s: layers [%ld, %ld), expected [%ld, %ld)", text_of(json_array_get(nodes, i)), start,
                 end, expected_start[i], expected_end[i]);
    }
done:
    free(expected_start);
    free(expected_end);
    free(metric);
}

/* A successful placement (or preview) against its expectation. */
static void check_placed(vector_run *run, const json_t *got, const placement_expect *pe)
{
    const json_t *nodes = json_object_get(got, "nodes");
    const json_t *sets = json_object_get(pe->expect, "optimal_sets");
    const json_t *expected_nodes = json_object_get(pe->expect, "nodes");
    int in_sets = 0;
    for (size_t i = 0; i < json_array_size(sets); i++)
        in_sets |= same_set(nodes, json_array_get(sets, i));
    if (sets && !in_sets)
        test_vector_fail(run, "the chosen node set is not one of optimal_sets");
    if (json_is_array(expected_nodes) && !same_set(nodes, expected_nodes))
        test_vector_fail(run, "nodes differ from the expected set");
    const json_t *n_nodes = json_object_get(pe->expect, "n_nodes");
    if (n_nodes && json_integer_value(n_nodes) != (json_int_t)json_array_size(nodes))
        test_vector_fail(run, "%zu nodes, expected %lld", json_array_size(nodes), (long long)json_integer_value(n_nodes));
    if (!is_cycle(pe->topology, nodes))
        test_vector_fail(run, "the rank order is not a cycle of the topology");
    if (json_is_true(json_object_get(got, "is_low_memory")) !=
        json_is_true(json_object_get(pe->expect, "is_low_memory")))
        test_vector_fail(run, "is_low_memory differs");
    const char *meta = text_of(json_object_get(pe->expect, "instance_meta"));
    if (meta && !same_text(meta, text_of(json_object_get(got, "instance_meta"))))
        test_vector_fail(run, "instance_meta %s, expected %s", text_of(json_object_get(got, "instance_meta")), meta);
    const char *tier = text_of(json_object_get(pe->expect, "metric"));
    if (tier && !same_text(tier, text_of(json_object_get(got, "memory_tier"))))
        test_vector_fail(run, "memory_tier %s, expected %s", text_of(json_object_get(got, "memory_tier")), tier);
    check_layers(run, got, pe);
}

/* A failure object against expect.error / error_kind. */
static void check_failure_object(vector_run *run, const json_t *got, const json_t *expect, int in_preview)
{
    const char *kind = text_of(json_object_get(expect, "error_kind"));
    const char *expected_error = text_of(json_object_get(expect, "error"));
    const char *got_error = text_of(json_object_get(got, "error"));
    if (!in_preview) {
        const char *code = text_of(json_object_get(got, "code"));
        if (!json_is_false(json_object_get(got, "ok")))
            test_vector_fail(run, "response is not a failure object");
        if (same_text(kind, "invalid_split") && !same_text(code, "invalid_split"))
            test_vector_fail(run, "code %s, expected invalid_split", code ? code : "(none)");
        if (same_text(kind, "memory") && !same_text(code, "insufficient_memory"))
            test_vector_fail(run, "code %s, expected insufficient_memory", code ? code : "(none)");
        if (same_text(kind, "tensor") && !same_text(code, "tensor_not_supported") &&
            !same_text(code, "no_tensor_sharding"))
            test_vector_fail(run, "code %s, expected a tensor code", code ? code : "(none)");
    }
    if (expected_error && !same_text(expected_error, got_error))
        test_vector_fail(run, "error \"%s\", expected \"%s\"", got_error ? got_error : "(none)", expected_error);
}

/* ---- the kinds ----------------------------------------------------------------- */

static const json_t *load_response(vector_run *run, json_t **doc, const char *out)
{
    exoplace_error err;
    if (!out) {
        test_vector_fail(run, "no response text");
        return NULL;
    }
    if (test_json_load(doc, out, &err) != EXOPLACE_OK) {
        test_vector_fail(run, "response is not JSON: %s", err.message);
        return NULL;
    }
    return *doc;
}

static uint32_t model_layers(const json_t *model)
{
    const json_t *n = member(model, "nLayers", "n_layers");
    return json_is_integer(n) ? (uint32_t)json_integer_value(n) : 0;
}

static const json_t *model_by_id(const json_t *request, const char *id)
{
    const json_t *models = member(request, "models", NULL);
    for (size_t i = 0; i < json_array_size(models); i++)
        if (same_text(text_of(member(json_array_get(models, i), "modelId", "model_id")), id))
            return json_array_get(models, i);
    return member(request, "model", NULL);
}

static void run_placement(vector_run *run, const json_t *vector, const char *request, int one_attempt,
                          const exoplace_json_options *options)
{
    const json_t *expect = json_object_get(vector, "expect");
    const json_t *req = json_object_get(vector, "request");
    char *out = NULL;
    exoplace_error err;
    exoplace_status st = one_attempt ? exoplace_place_json(&out, request, strlen(request), options, &err)
                                     : exoplace_get_placement_json(&out, request, strlen(request), options, &err);
    json_t *doc = NULL;
    if (json_is_true(json_object_get(expect, "ok"))) {
        if (st != EXOPLACE_OK) {
            test_vector_fail(run, "status %s (%s), expected a placement", exoplace_status_name(st), err.message);
        } else if (load_response(run, &doc, out)) {
            const char *sharding = text_of(member(req, "sharding", NULL));
            placement_expect pe = {request_topology(req), expect, sharding ? sharding : "Pipeline",
                                   model_layers(member(req, "model", NULL))};
            check_placed(run, doc, &pe);
        }
    } else {
        if (!exoplace_status_is_placement_failure(st))
            test_vector_fail(run, "status %s (%s), expected a placement failure", exoplace_status_name(st), err.message);
        else if (load_response(run, &doc, out))
            check_failure_object(run, doc, expect, 0);
    }
    json_decref(doc);
    exoplace_free(out);
}

static void run_previews(vector_run *run, const json_t *vector, const char *request,
                         const exoplace_json_options *options)
{
    const json_t *expected = json_object_get(json_object_get(vector, "expect"), "previews");
    const json_t *req = json_object_get(vector, "request");
    char *out = NULL;
    exoplace_error err;
    exoplace_status st = exoplace_previews_json(&out, request, strlen(request), options, &err);
    json_t *doc = NULL;
    if (st != EXOPLACE_OK) {
        test_vector_fail(run, "status %s (%s)", exoplace_status_name(st), err.message);
    } else if (load_response(run, &doc, out)) {
        const json_t *got = json_object_get(doc, "previews");
        if (json_array_size(got) != json_array_size(expected))
            test_vector_fail(run, "%zu previews, expected %zu", json_array_size(got), json_array_size(expected));
        for (size_t i = 0; i < json_array_size(got) && i < json_array_size(expected); i++) {
            const json_t *g = json_array_get(got, i), *e = json_array_get(expected, i);
            vector_run item = {run->name, 0};
            const char *keys[] = {"model_id", "sharding", "instance_meta"};
            for (size_t k = 0; k < 3; k++)
                if (!same_text(text_of(json_object_get(g, keys[k])), text_of(json_object_get(e, keys[k]))))
                    test_vector_fail(&item, "preview %zu: %s differs", i, keys[k]);
            if (json_is_true(json_object_get(e, "ok"))) {
                if (!json_is_null(json_object_get(g, "error"))) {
                    test_vector_fail(&item, "preview %zu: error \"%s\", expected a placement", i,
                         text_of(json_object_get(g, "error")));
                } else {
                    const json_t *model = model_by_id(req, text_of(json_object_get(e, "model_id")));
                    placement_expect pe = {request_topology(req), e, text_of(json_object_get(e, "sharding")),
                                           model_layers(model)};
                    check_placed(&item, g, &pe);
                }
            } else {
                if (!json_is_null(json_object_get(g, "nodes")) ||
                    json_object_size(json_object_get(g, "memory_delta_by_node")) != 0)
                    test_vector_fail(&item, "preview %zu: an error preview with nodes or memory deltas", i);
                if (json_is_true(json_object_get(g, "is_low_memory")))
                    test_vector_fail(&item, "preview %zu: an error preview marked low memory", i);
                check_failure_object(&item, g, e, 1);
            }
            /* Memory deltas: the same ids with the same byte counts ({} stands for null). */
            const json_t *got_delta = json_object_get(g, "memory_delta_by_node");
            const json_t *want_delta = json_object_get(e, "memory_delta_by_node");
            if (json_object_size(got_delta) != json_object_size(want_delta))
                test_vector_fail(&item, "preview %zu: memory_delta_by_node has %zu entries, expected %zu", i,
                     json_object_size(got_delta), json_object_size(want_delta));
            const char *id;
            const json_t *want;
            json_object_foreach ((json_t *)want_delta, id, want) {
                uint64_t a = 0, b = 1;
                if (!read_u64(&a, json_object_get(got_delta, id)) || !read_u64(&b, want) || a != b)
                    test_vector_fail(&item, "preview %zu: memory_delta_by_node[%s] differs", i, id);
            }
            run->failures += item.failures;
        }
    }
    json_decref(doc);
    exoplace_free(out);
}

static void run_cycles(vector_run *run, const json_t *vector, const char *request)
{
    const json_t *args = json_object_get(vector, "args");
    const json_t *min_bytes = json_object_get(args, "min_bytes");
    exoplace_cycle_filter filter;
    exoplace_cycle_filter_init(&filter);
    if (min_bytes) {
        filter.by_memory = 1;
        if (!read_u64(&filter.min_bytes, min_bytes))
            test_vector_fail(run, "args.min_bytes is not a byte count");
    }
    if (json_is_true(json_object_get(args, "use_total_memory")))
        filter.tier = EXOPLACE_TIER_TOTAL;
    char *out = NULL;
    exoplace_error err;
    exoplace_status st = exoplace_cycles_json(&out, request, strlen(request), &filter, &err);
    json_t *doc = NULL;
    if (st != EXOPLACE_OK) {
        test_vector_fail(run, "status %s (%s)", exoplace_status_name(st), err.message);
    } else if (load_response(run, &doc, out)) {
        const json_t *got = json_object_get(doc, "cycles");
        const json_t *want = json_object_get(json_object_get(vector, "expect"), "cycles");
        int same = json_array_size(got) == json_array_size(want);
        for (size_t i = 0; same && i < json_array_size(got); i++)
            same = same_ids(json_array_get(got, i), json_array_get(want, i));
        if (!same)
            test_vector_fail(run, "cycles differ: got %s", out);
    }
    json_decref(doc);
    exoplace_free(out);
}

static void run_layers(vector_run *run, const json_t *vector, const char *request,
                       const exoplace_json_options *options)
{
    const json_t *expect = json_object_get(vector, "expect");
    char *out = NULL;
    exoplace_error err;
    exoplace_status st = exoplace_layers_json(&out, request, strlen(request), options, &err);
    json_t *doc = NULL;
    if (json_is_true(json_object_get(expect, "ok"))) {
        if (st != EXOPLACE_OK) {
            test_vector_fail(run, "status %s (%s), expected a split", exoplace_status_name(st), err.message);
        } else if (load_response(run, &doc, out)) {
            const json_t *got = json_object_get(doc, "layers"), *want = json_object_get(expect, "layers");
            int same = json_array_size(got) == json_array_size(want);
            for (size_t i = 0; same && i < json_array_size(got); i++)
                same = json_integer_value(json_array_get(got, i)) == json_integer_value(json_array_get(want, i));
            if (!same)
                test_vector_fail(run, "layers differ: got %s", out);
        }
    } else {
        if (st != EXOPLACE_E_INVALID_SPLIT)
            test_vector_fail(run, "status %s, expected invalid_split", exoplace_status_name(st));
        else if (load_response(run, &doc, out))
            check_failure_object(run, doc, expect, 0);
    }
    json_decref(doc);
    exoplace_free(out);
}

static int run_vector(const char *path, const char *file_name)
{
    vector_run run = {file_name, 0};
    char *text = test_read_file(path);
    json_t *vector = NULL;
    char *request = text ? request_text(text) : NULL;
    exoplace_error err;
    if (!text) {
        test_vector_fail(&run, "cannot read %s", path);
    } else if (test_json_load(&vector, text, &err) != EXOPLACE_OK) {
        test_vector_fail(&run, "not JSON: %s", err.message);
    } else if (!request) {
        test_vector_fail(&run, "no \"request\" member");
    } else {
        const char *name = text_of(json_object_get(vector, "name"));
        run.name = name ? name : file_name;
        const char *kind = text_of(json_object_get(vector, "kind"));
        const json_t *args = json_object_get(vector, "args");
        exoplace_json_options options;
        exoplace_json_options_init(&options);
        options.strategy = EXOPLACE_LAYERS_EXO;
        options.allow_swap = json_is_true(json_object_get(args, "allow_swap"));
        if (same_text(kind, "get_placement"))
            run_placement(&run, vector, request, 0, &options);
        else if (same_text(kind, "place"))
            run_placement(&run, vector, request, 1, &options);
        else if (same_text(kind, "previews"))
            run_previews(&run, vector, request, &options);
        else if (same_text(kind, "cycles"))
            run_cycles(&run, vector, request);
        else if (same_text(kind, "layers"))
            run_layers(&run, vector, request, &options);
        else
            test_vector_fail(&run, "unknown kind %s", kind ? kind : "(none)");
    }
    json_decref(vector);
    free(request);
    free(text);
    return run.failures == 0;
}

static int run_file(const char *path, const char *name, void *ctx)
{
    (void)ctx;
    return run_vector(path, name);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR...\n", argv[0]);
        return 2;
    }
    int passed = 0, failed = 0, readable = 1;
    for (int i = 1; i < argc; i++)
        readable &= test_for_each_json(argv[i], run_file, NULL, &passed, &failed);
    printf("%d passed, %d failed\n", passed, failed);
    /* No vectors at all is a broken setup, not a pass. */
    return readable && failed == 0 && passed > 0 ? 0 : 1;
}
