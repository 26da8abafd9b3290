/* Fuzz target: the JSON request parser and the placement entry points.
 * The input is a request (json.md); it goes to exoplace_get_placement_json()
 * with the host's defaults and to exoplace_place_json() (one attempt) with
 * the exo layer split and the swap tier allowed, then once more to
 * exoplace_get_placement_json() with strategy fit (its reserveBytes and the
 * model's KV cache read). Each answer must keep the
 * contract of exoplace.h: a response exactly for a success or a placement
 * failure, a well-formed placement, an error that names what went wrong.
 * The search bound is small so that every input runs fast. */
#include "fuzz_json_check.h"

#define FUZZ_SEARCH_STEPS 20000u

static void check_placement(exoplace_status st, char *out, const exoplace_error *err)
{
    json_t *doc = fuzz_check_json_call(st, out, err);
    if (doc && st == EXOPLACE_OK) {
        FUZZ_CHECK(json_is_true(json_object_get(doc, "ok")));
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
    json_decref(doc);
    exoplace_free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);

    exoplace_json_options options;
    exoplace_json_options_init(&options);
    options.max_search_steps = FUZZ_SEARCH_STEPS;
    char *out = NULL;
    exoplace_error err;
    exoplace_status first = exoplace_get_placement_json(&out, text, strlen(text), &options, &err);
    check_placement(first, out, &err);

    options.strategy = EXOPLACE_LAYERS_EXO;
    options.allow_swap = 1;
    out = NULL;
    exoplace_status second = exoplace_place_json(&out, text, strlen(text), &options, &err);
    check_placement(second, out, &err);
    /* Bad input is bad input whichever entry point reads it. */
    int first_bad = first != EXOPLACE_OK && !exoplace_status_is_placement_failure(first);
    int second_bad = second != EXOPLACE_OK && !exoplace_status_is_placement_failure(second);
    FUZZ_CHECK(first_bad == second_bad);

    /* fit reads a reserve the byte strategies refuse: no agreement to check. */
    options.strategy = EXOPLACE_LAYERS_FIT;
    options.allow_swap = 0;
    out = NULL;
    check_placement(exoplace_get_placement_json(&out, text, strlen(text), &options, &err), out, &err);

    free(text);
    return 0;
}
