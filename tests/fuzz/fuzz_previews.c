/* Fuzz target: exoplace_previews_json(), and the other entry points that
 * read the same kind of request: exoplace_model_fit_json(),
 * exoplace_cycles_json() (a small max_cycles) and exoplace_layers_json().
 * The input is a request (json.md, or exo's /state for exo-main). Each
 * answer must keep the contract of exoplace.h, and bad input is refused
 * with exoplace_request_parse()'s status. Seed: every successful preview
 * is a well-formed placement whose memory_delta_by_node names its nodes.
 * exo-main (exo-main.md 8): every successful preview carries a well-formed
 * instance of its loop's sharding and engine whose memory_delta_by_node
 * splits the model's size over its nodes, each error preview has a null
 * instance, and the de-duplication of 8.3 holds. */
#include "fuzz_exo_main_check.h"

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

/* One preview key (exo-main.md 8.3): sharding, engine and node count (0
 * for an error). */
typedef struct preview_key {
    const char *model_id, *sharding, *instance_meta;
    size_t count;
} preview_key;

static void check_exo_main_previews(const json_t *doc, const exoplace_request *request)
{
    const json_t *previews = json_object_get(doc, "previews");
    FUZZ_CHECK(json_is_array(previews));
    size_t n_previews = json_array_size(previews);
    size_t n_nodes = exoplace_topology_node_count(request->topology);
    if (n_nodes == 0)
        FUZZ_CHECK(n_previews == 0);
    const char **by_rank = calloc(n_nodes + 1, sizeof *by_rank);
    preview_key *seen = calloc(n_previews + 1, sizeof *seen);
    FUZZ_CHECK(by_rank && seen);
    size_t n_seen = 0;
    for (size_t i = 0; i < n_previews; i++) {
        const json_t *preview = json_array_get(previews, i);
        const char *model_id = json_string_value(json_object_get(preview, "model_id"));
        const char *sharding = json_string_value(json_object_get(preview, "sharding"));
        const char *meta = json_string_value(json_object_get(preview, "instance_meta"));
        FUZZ_CHECK(model_id && sharding && meta);
        int tensor = strcmp(sharding, "Tensor") == 0, jaccl = strcmp(meta, "MlxJaccl") == 0;
        FUZZ_CHECK(tensor || strcmp(sharding, "Pipeline") == 0);
        FUZZ_CHECK(jaccl || strcmp(meta, "MlxRing") == 0);
        const exoplace_model *model = fuzz_exo_model(request, model_id);
        const json_t *error = json_object_get(preview, "error");
        const json_t *instance = json_object_get(preview, "instance");
        const json_t *deltas = json_object_get(preview, "memory_delta_by_node");
        preview_key key = {model_id, sharding, meta, 0};
        if (json_is_string(error)) {
            FUZZ_CHECK(json_string_value(error)[0] != '\0');
            FUZZ_CHECK(json_is_null(instance) && json_is_null(deltas));
            FUZZ_CHECK(json_is_null(json_object_get(preview, "memory_tier")));
            const char *code = json_string_value(json_object_get(preview, "code"));
            FUZZ_CHECK(code && code[0] != '\0');
        } else {
            FUZZ_CHECK(json_is_null(error));
            fuzz_exo_ask ask = {request, model, tensor ? EXOPLACE_SHARDING_TENSOR : EXOPLACE_SHARDING_PIPELINE,
                                jaccl ? EXOPLACE_INSTANCE_MLX_JACCL : EXOPLACE_INSTANCE_MLX_RING, 1,
                                fuzz_check_exo_tier(preview, request->options.allow_swap)};
            size_t n = fuzz_check_exo_instance(instance, &ask, by_rank);
            key.count = n;
            /* 8.4: S // n per node, the remainder one byte each. */
            FUZZ_CHECK(json_is_object(deltas) && json_object_size(deltas) == n);
            double total = 0;
            for (size_t r = 0; r < n; r++) {
                const json_t *delta = json_object_get(deltas, by_rank[r]);
                FUZZ_CHECK(json_is_number(delta));
                total += json_number_value(delta);
            }
            if (model && model->storage_size < ((uint64_t)1 << 53)) {
                FUZZ_CHECK(total == (double)model->storage_size);
                for (size_t r = 0; r < n; r++) {
                    double delta = json_number_value(json_object_get(deltas, by_rank[r]));
                    FUZZ_CHECK(delta == (double)(model->storage_size / n) ||
                               delta == (double)(model->storage_size / n + 1));
                }
            }
        }
        /* 8.3, for each model whose id is its own: a key shows once. */
        if (!model)
            continue;
        for (size_t k = 0; k < n_seen; k++)
            FUZZ_CHECK(!(strcmp(seen[k].model_id, key.model_id) == 0 && strcmp(seen[k].sharding, key.sharding) == 0 &&
                         strcmp(seen[k].instance_meta, key.instance_meta) == 0 && seen[k].count == key.count));
        seen[n_seen++] = key;
    }
    free(seen);
    free(by_rank);
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
    exoplace_request *request = NULL;
    exoplace_status parsed = EXOPLACE_OK;
    /* The layers request is a format of its own; the others are requests. */
    if (which != LAYERS) {
        parsed = exoplace_request_parse(&request, text, size, which == CYCLES ? NULL : options, NULL);
        if (parsed != EXOPLACE_OK)
            FUZZ_CHECK(st == parsed);
    }
    if (doc && which == PREVIEWS && request && request->rules == EXOPLACE_RULES_EXO_MAIN)
        check_exo_main_previews(doc, request);
    else if (doc)
        check(doc);
    exoplace_request_free(request);
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
