/* Fuzz target: exoplace_previews_json(), and the other entry points that
 * read the same kind of request: exoplace_model_fit_json(),
 * exoplace_cycles_json() (a small max_cycles) and exoplace_layers_json().
 * The input is a request (json.md). Each answer must keep the contract of
 * exoplace.h; every successful preview must be a well-formed placement whose
 * memory_delta_by_node adds up to the model's size over the placed nodes. */
#include "fuzz_json_check.h"

#define FUZZ_SEARCH_STEPS 5000u
#define FUZZ_MAX_CYCLES 200u

static void check_previews(const json_t *doc)
{
    const json_t *previews = json_object_get(doc, "previews");
    FUZZ_CHECK(json_is_array(previews));
    for (size_t i = 0; i < json_array_size(previews); i++) {
        const json_t *preview = json_array_get(previews, i);
        FUZZ_CHECK(json_is_string(json_object_get(preview, "model_id")));
        const json_t *error = json_object_get(preview, "error");
        const json_t *deltas = json_object_get(preview, "memory_delta_by_node");
        FUZZ_CHECK(json_is_object(deltas));
        if (json_is_string(error)) {
            FUZZ_CHECK(json_string_value(error)[0] != '\0');
            FUZZ_CHECK(json_object_size(deltas) == 0);
            continue;
        }
        FUZZ_CHECK(json_is_null(error));
        fuzz_check_nodes_and_shards(preview);
        const json_t *nodes = json_object_get(preview, "nodes");
        FUZZ_CHECK(json_object_size(deltas) == json_array_size(nodes));
        for (size_t j = 0; j < json_array_size(nodes); j++)
            FUZZ_CHECK(json_is_number(json_object_get(deltas, json_string_value(json_array_get(nodes, j)))));
    }
}

static void check_fit(const json_t *doc)
{
    const json_t *models = json_object_get(doc, "models");
    FUZZ_CHECK(json_is_array(models));
    for (size_t i = 0; i < json_array_size(models); i++) {
        const json_t *model = json_array_get(models, i);
        int will_fit = json_is_true(json_object_get(model, "will_fit"));
        int can_fit = json_is_true(json_object_get(model, "can_fit"));
        const char *fit = json_string_value(json_object_get(model, "fit"));
        FUZZ_CHECK(fit != NULL);
        FUZZ_CHECK(strcmp(fit, will_fit ? "fits" : can_fit ? "low_memory" : "does_not_fit") == 0);
    }
}

static void check_cycles(const json_t *doc)
{
    const json_t *cycles = json_object_get(doc, "cycles");
    FUZZ_CHECK(json_is_array(cycles));
    size_t previous_length = 0;
    for (size_t i = 0; i < json_array_size(cycles); i++) {
        const json_t *cycle = json_array_get(cycles, i);
        size_t n = json_array_size(cycle);
        FUZZ_CHECK(n >= 1 && n >= previous_length);
        previous_length = n;
        /* Canonical: starts at its smallest id. */
        const char *first = json_string_value(json_array_get(cycle, 0));
        FUZZ_CHECK(first != NULL);
        for (size_t j = 1; j < n; j++) {
            const char *id = json_string_value(json_array_get(cycle, j));
            FUZZ_CHECK(id != NULL && strcmp(first, id) < 0);
        }
    }
}

static void check_layers(const json_t *doc)
{
    if (!json_is_true(json_object_get(doc, "ok")))
        return;
    const json_t *layers = json_object_get(doc, "layers");
    FUZZ_CHECK(json_is_array(layers) && json_array_size(layers) >= 1);
    for (size_t i = 0; i < json_array_size(layers); i++)
        FUZZ_CHECK(json_number_value(json_array_get(layers, i)) >= 1);
}

typedef enum entry { PREVIEWS, MODEL_FIT, CYCLES, LAYERS } entry;

/* The bytes go to the entry point as they are: NUL bytes included. */
static void run(entry which, void (*check)(const json_t *), const uint8_t *data, size_t size,
                const exoplace_json_options *options, const exoplace_cycle_filter *filter)
{
    char *out = NULL;
    exoplace_error err;
    const char *text = (const char *)data;
    exoplace_status st = which == PREVIEWS    ? exoplace_previews_json(&out, text, size, options, &err)
                         : which == MODEL_FIT ? exoplace_model_fit_json(&out, text, size, options, &err)
                         : which == CYCLES    ? exoplace_cycles_json(&out, text, size, filter, &err)
                                              : exoplace_layers_json(&out, text, size, options, &err);
    json_t *doc = fuzz_check_json_call(st, out, &err);
    if (doc)
        check(doc);
    json_decref(doc);
    exoplace_free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    exoplace_json_options options;
    exoplace_json_options_init(&options);
    options.max_search_steps = FUZZ_SEARCH_STEPS;
    exoplace_cycle_filter filter;
    exoplace_cycle_filter_init(&filter);
    filter.max_cycles = FUZZ_MAX_CYCLES;

    run(PREVIEWS, check_previews, data, size, &options, NULL);
    run(MODEL_FIT, check_fit, data, size, &options, NULL);
    run(CYCLES, check_cycles, data, size, NULL, &filter);
    filter.by_memory = 1;
    filter.min_bytes = size;
    filter.tier = (size & 1) ? EXOPLACE_TIER_TOTAL : EXOPLACE_TIER_AVAILABLE;
    run(CYCLES, check_cycles, data, size, NULL, &filter);
    options.strategy = EXOPLACE_LAYERS_EXO;
    run(LAYERS, check_layers, data, size, &options, NULL);
    return 0;
}
