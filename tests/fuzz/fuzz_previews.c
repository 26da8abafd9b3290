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

typedef exoplace_status (*json_entry)(char **, const char *, const exoplace_json_options *, exoplace_error *);

static void run(json_entry entry, void (*check)(const json_t *), const char *text,
                const exoplace_json_options *options)
{
    char *out = NULL;
    exoplace_error err;
    exoplace_status st = entry(&out, text, options, &err);
    json_t *doc = fuzz_check_json_call(st, out, &err);
    if (doc)
        check(doc);
    json_decref(doc);
    exoplace_free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    exoplace_json_options options;
    exoplace_json_options_init(&options);
    options.max_search_steps = FUZZ_SEARCH_STEPS;
    options.max_cycles = FUZZ_MAX_CYCLES;

    run(exoplace_previews_json, check_previews, text, &options);
    run(exoplace_model_fit_json, check_fit, text, &options);
    run(exoplace_cycles_json, check_cycles, text, &options);
    options.cycles_filter = 1;
    options.cycles_min_bytes = size;
    options.cycles_use_total_memory = (int)(size & 1);
    run(exoplace_cycles_json, check_cycles, text, &options);
    options.strategy = EXOPLACE_LAYERS_EXO;
    run(exoplace_layers_json, check_layers, text, &options);

    free(text);
    return 0;
}
