/* Fuzz target: the JSON request parser and the placement entry points.
 * The input is a request (json.md, or exo's /state for exo-main); it goes to
 * exoplace_get_placement_json() with the host's defaults and to
 * exoplace_place_json() (one attempt) with the exo layer split and the swap
 * tier allowed, then once more to exoplace_get_placement_json() with
 * strategy fit (its reserveBytes and the model's KV cache read). Each
 * answer must keep the contract of exoplace.h: a
 * response exactly for a success or a placement failure, in the shape of
 * the request's rule set, a well-formed placement, an error that names what
 * went wrong; bad input is refused with exoplace_request_parse()'s status.
 * The search bound is small so that every input runs fast. */
#include "fuzz_exo_main_check.h"

#define FUZZ_SEARCH_STEPS 20000u

static void check_seed_placement(const json_t *doc)
{
    FUZZ_CHECK(json_object_get(doc, "rules") == NULL);
    FUZZ_CHECK(json_is_string(json_object_get(doc, "model_id")));
    const char *meta = json_string_value(json_object_get(doc, "instance_meta"));
    FUZZ_CHECK(meta && (strcmp(meta, "MlxRing") == 0 || strcmp(meta, "MlxJaccl") == 0));
    const char *tier = json_string_value(json_object_get(doc, "memory_tier"));
    FUZZ_CHECK(tier != NULL);
    FUZZ_CHECK(json_is_boolean(json_object_get(doc, "is_low_memory")));
    FUZZ_CHECK(json_is_true(json_object_get(doc, "is_low_memory")) == (strcmp(tier, "available") != 0));
    fuzz_check_nodes_and_shards(doc);
    /* A one-node MlxJaccl request comes back as MlxRing. */
    if (json_array_size(json_object_get(doc, "nodes")) == 1)
        FUZZ_CHECK(strcmp(meta, "MlxRing") == 0);
}

static void check_exo_main_placement(const json_t *doc, const exoplace_request *request, int allow_swap)
{
    fuzz_exo_ask ask = {request, request->model, request->options.sharding, request->options.instance_meta,
                        request->options.min_nodes, fuzz_check_exo_tier(doc, allow_swap)};
    FUZZ_CHECK(request->model != NULL);
    const char **by_rank = calloc(exoplace_topology_node_count(request->topology) + 1, sizeof *by_rank);
    FUZZ_CHECK(by_rank != NULL);
    fuzz_check_exo_instance(json_object_get(doc, "instance"), &ask, by_rank);
    free(by_rank);
}

static void check_placement(exoplace_status st, char *out, const exoplace_error *err, exoplace_status parsed,
                            const exoplace_request *request, int allow_swap)
{
    json_t *doc = fuzz_check_json_call(st, out, err);
    /* What the parser refuses, every entry point refuses the same way. */
    if (parsed != EXOPLACE_OK)
        FUZZ_CHECK(st == parsed);
    if (doc) {
        FUZZ_CHECK(request != NULL);
        int exo_main = request->rules == EXOPLACE_RULES_EXO_MAIN;
        const char *rules = json_string_value(json_object_get(doc, "rules"));
        if (exo_main)
            FUZZ_CHECK(rules && strcmp(rules, "exo-main") == 0);
        if (st == EXOPLACE_OK) {
            if (exo_main)
                check_exo_main_placement(doc, request, allow_swap);
            else
                check_seed_placement(doc);
        }
    }
    json_decref(doc);
    exoplace_free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);

    exoplace_json_options options;
    exoplace_json_options_init(&options);
    options.max_search_steps = FUZZ_SEARCH_STEPS;
    exoplace_request *request = NULL;
    exoplace_status parsed = exoplace_request_parse(&request, text, strlen(text), &options, NULL);
    char *out = NULL;
    exoplace_error err;
    exoplace_status first = exoplace_get_placement_json(&out, text, strlen(text), &options, &err);
    check_placement(first, out, &err, parsed, request, 0);
    exoplace_request_free(request);

    options.strategy = EXOPLACE_LAYERS_EXO;
    options.allow_swap = 1;
    request = NULL;
    parsed = exoplace_request_parse(&request, text, strlen(text), &options, NULL);
    out = NULL;
    exoplace_status second = exoplace_place_json(&out, text, strlen(text), &options, &err);
    check_placement(second, out, &err, parsed, request, 1);
    exoplace_request_free(request);
    /* Bad input is bad input whichever entry point reads it. */
    int first_bad = first != EXOPLACE_OK && !exoplace_status_is_placement_failure(first);
    int second_bad = second != EXOPLACE_OK && !exoplace_status_is_placement_failure(second);
    FUZZ_CHECK(first_bad == second_bad);

    /* fit reads a reserve the byte strategies refuse: no agreement to check. */
    options.strategy = EXOPLACE_LAYERS_FIT;
    options.allow_swap = 0;
    request = NULL;
    parsed = exoplace_request_parse(&request, text, strlen(text), &options, NULL);
    out = NULL;
    check_placement(exoplace_get_placement_json(&out, text, strlen(text), &options, &err), out, &err, parsed, request,
                    0);
    exoplace_request_free(request);

    free(text);
    return 0;
}
