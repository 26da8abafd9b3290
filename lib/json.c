/* The JSON entry points: read a request, make the C call, write the
 * response. Reading is json_read_*.c, writing json_write.c; nothing here
 * places anything itself. */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "cycles.h"
#include "error.h"
#include "json_read.h"
#include "place.h"
#include "request.h"

void exoplace_free(void *ptr)
{
    free(ptr);
}

/* The response to a placement call: the placement, the failure object for a
 * well-formed request that cannot be placed (with the failure in err too),
 * nothing for anything else; with its explanation when it has one. */
static exoplace_status respond(char **out, exoplace_status status, const exoplace_placement *placement,
                               const exoplace_explanation *explanation, const exoplace_request *request,
                               const exoplace_error *result, exoplace_error *err)
{
    const exoplace_explanation *shown = explanation->tiers ? explanation : NULL;
    if (status == EXOPLACE_OK)
        return exoplace_placement_explained_write_json(out, placement, request->model, shown, err);
    if (exoplace_status_is_placement_failure(status)) {
        exoplace_status written =
            exoplace_failure_explained_write_json(out, result, request->options.rules, shown, err);
        if (written)
            return written;
    }
    return exoplace__fail_from(err, result);
}

/* What a placement call needs of its request: a topology and the model. */
static exoplace_status placement_input(const exoplace_model **model, const exoplace_request *request,
                                       exoplace_error *err)
{
    if (!request->has_topology)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "topology", "missing");
    if (!request->model)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "model", "missing");
    *model = request->model;
    return EXOPLACE_OK;
}

/* A call over the request's models needs a topology and at least one model. */
static exoplace_status models_input(const exoplace_request *request, exoplace_error *err)
{
    if (!request->has_topology)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "topology", "missing");
    if (request->n_models == 0)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "model", "missing");
    return EXOPLACE_OK;
}

typedef exoplace_status (*request_call)(char **out, const exoplace_request *request, exoplace_error *err);

/* The shell of every entry point that reads a request. */
static exoplace_status with_request(char **out, const char *text, size_t length, const exoplace_json_options *options,
                                    request_call call, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !text)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "out and request must not be NULL");
    *out = NULL;
    exoplace_request *request = NULL;
    exoplace_status st = exoplace_request_parse(&request, text, length, options, err);
    if (st == EXOPLACE_OK)
        st = call(out, request, err);
    exoplace_request_free(request);
    return st;
}

static exoplace_status placement_call(char **out, const exoplace_request *request, int ladder, exoplace_error *err)
{
    const exoplace_model *model = NULL;
    exoplace_status st = placement_input(&model, request, err);
    if (st)
        return st;
    exoplace_place_options options = request->options;
    options.no_fallback |= !ladder; /* exoplace_place()'s one attempt */
    exoplace_placement placement;
    exoplace_explanation explanation;
    exoplace_error result;
    st = exoplace_get_placement_explained(&placement, &explanation, request->topology, model, &options, &result);
    st = respond(out, st, &placement, &explanation, request, &result, err);
    exoplace_explanation_dispose(&explanation);
    exoplace_placement_dispose(&placement);
    return st;
}

static exoplace_status get_placement_call(char **out, const exoplace_request *request, exoplace_error *err)
{
    return placement_call(out, request, 1, err);
}

static exoplace_status place_call(char **out, const exoplace_request *request, exoplace_error *err)
{
    return placement_call(out, request, 0, err);
}

exoplace_status exoplace_get_placement_json(char **out, const char *request, size_t length,
                                            const exoplace_json_options *options, exoplace_error *err)
{
    return with_request(out, request, length, options, get_placement_call, err);
}

exoplace_status exoplace_place_json(char **out, const char *request, size_t length,
                                    const exoplace_json_options *options, exoplace_error *err)
{
    return with_request(out, request, length, options, place_call, err);
}

static exoplace_status previews_call(char **out, const exoplace_request *request, exoplace_error *err)
{
    exoplace_status st = models_input(request, err);
    if (st)
        return st;
    exoplace_preview_list **lists = calloc(request->n_models, sizeof *lists);
    if (!lists)
        return exoplace__fail_no_memory(err);
    /* One search context for every model: the topology is the same. */
    exoplace__search *search = NULL;
    for (size_t m = 0; st == EXOPLACE_OK && m < request->n_models; m++)
        st = exoplace__previews_list(&lists[m], &search, request->topology, &request->models[m], &request->options,
                                     err);
    exoplace__search_free(search);
    if (st == EXOPLACE_OK)
        st = exoplace_preview_lists_write_json(out, (const exoplace_preview_list *const *)lists, request->models,
                                               request->n_models, err);
    for (size_t m = 0; m < request->n_models; m++)
        exoplace_preview_list_free(lists[m]);
    free(lists);
    return st;
}

exoplace_status exoplace_previews_json(char **out, const char *request, size_t length,
                                       const exoplace_json_options *options, exoplace_error *err)
{
    return with_request(out, request, length, options, previews_call, err);
}

static exoplace_status model_fit_call(char **out, const exoplace_request *request, exoplace_error *err)
{
    exoplace_status st = models_input(request, err);
    if (st)
        return st;
    size_t *order = malloc((request->n_models ? request->n_models : 1) * sizeof *order);
    if (!order)
        return exoplace__fail_no_memory(err);
    st = exoplace_models_order(order, request->topology, request->models, request->n_models, err);
    if (st == EXOPLACE_OK)
        st = exoplace_model_fit_write_json(out, request->topology, request->models, order, request->n_models, err);
    free(order);
    return st;
}

exoplace_status exoplace_model_fit_json(char **out, const char *request, size_t length,
                                        const exoplace_json_options *options, exoplace_error *err)
{
    return with_request(out, request, length, options, model_fit_call, err);
}

void exoplace_cycle_filter_init(exoplace_cycle_filter *filter)
{
    if (!filter)
        return;
    memset(filter, 0, sizeof *filter);
    filter->struct_size = (uint32_t)sizeof *filter;
    filter->tier = EXOPLACE_TIER_AVAILABLE;
}

exoplace_status exoplace_cycles_json(char **out, const char *text, size_t length, const exoplace_cycle_filter *filter,
                                     exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !text)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "out and request must not be NULL");
    *out = NULL;
    exoplace_cycle_filter resolved;
    exoplace_cycle_filter_init(&resolved);
    if (filter && filter->struct_size != sizeof *filter)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "filter.struct_size",
                              "fill the filter with exoplace_cycle_filter_init()");
    if (filter)
        resolved = *filter;
    exoplace_request *request = NULL;
    exoplace_status st = exoplace_request_parse(&request, text, length, NULL, err);
    if (st == EXOPLACE_OK && !request->has_topology)
        st = exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "topology", "missing");
    size_t count = 0, *starts = NULL, *nodes = NULL;
    uint8_t *keep = NULL;
    /* One enumeration: the public buffer protocol would list twice. */
    if (st == EXOPLACE_OK)
        st = exoplace__cycles_list_new(&starts, &nodes, &count, request->topology, resolved.max_cycles, err);
    if (st == EXOPLACE_OK && resolved.by_memory && count) {
        keep = malloc(count);
        st = keep ? exoplace_cycle_list_filter_by_memory(keep, request->topology, starts, nodes, count,
                                                         resolved.min_bytes, resolved.tier, err)
                  : exoplace__fail_no_memory(err);
    }
    if (st == EXOPLACE_OK)
        st = exoplace_cycle_list_write_json(out, request->topology, starts, nodes, count, keep, err);
    free(starts);
    free(nodes);
    free(keep);
    exoplace_request_free(request);
    return st;
}

exoplace_status exoplace_layers_json(char **out, const char *text, size_t length, const exoplace_json_options *options,
                                     exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !text)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "out and request must not be NULL");
    *out = NULL;
    exoplace_json_options host;
    exoplace_status st = exoplace__json_options_resolve(&host, options, err);
    if (st)
        return st;
    uint64_t *memory = NULL;
    size_t n_nodes = 0;
    uint32_t n_layers = 0;
    exoplace_layer_strategy strategy = host.strategy;
    uint64_t layer_cost = 0;
    st = exoplace__json_read_layers_request(&memory, &n_nodes, &n_layers, &strategy, &layer_cost, text, length, err);
    uint32_t *layers = st == EXOPLACE_OK ? malloc(n_nodes * sizeof *layers) : NULL;
    if (st == EXOPLACE_OK && !layers)
        st = exoplace__fail_no_memory(err);
    if (st == EXOPLACE_OK) {
        exoplace_error split_err;
        exoplace_status split =
            strategy == EXOPLACE_LAYERS_FIT
                ? exoplace_layers_fit(layers, memory, n_nodes, n_layers, layer_cost, &split_err)
                : exoplace_layers_distribute(layers, memory, n_nodes, n_layers, strategy, &split_err);
        if (split == EXOPLACE_OK) {
            st = exoplace_layers_write_json(out, layers, n_nodes, err);
        } else {
            if (exoplace_status_is_placement_failure(split))
                st = exoplace_failure_write_json(out, &split_err, EXOPLACE_RULES_SEED, err);
            if (st == EXOPLACE_OK)
                st = exoplace__fail_from(err, &split_err);
        }
    }
    free(memory);
    free(layers);
    return st;
}
