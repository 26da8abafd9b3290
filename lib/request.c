/* The request model: a topology, models and placement options that one
 * request owns, whichever reader filled them (docs/json.md, exo's /state). */
#include "request.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "error.h"

/* The public struct first, then what it owns. */
typedef struct request_storage {
    exoplace_request request;
    exoplace_model model; /* "model" */
    int has_model;
    exoplace_model *models;
    size_t models_capacity;
    char **required_ids;
    size_t n_required_ids;
} request_storage;

void exoplace_json_options_init(exoplace_json_options *options)
{
    if (!options)
        return;
    memset(options, 0, sizeof *options);
    options->struct_size = (uint32_t)sizeof *options;
    options->strategy = EXOPLACE_LAYERS_LARGEST_REMAINDER;
}

exoplace_status exoplace__json_options_resolve(exoplace_json_options *resolved, const exoplace_json_options *options,
                                               exoplace_error *err)
{
    if (options && options->struct_size != sizeof *options)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "options.struct_size",
                              "fill the options with exoplace_json_options_init()");
    if (options)
        *resolved = *options;
    else
        exoplace_json_options_init(resolved);
    return EXOPLACE_OK;
}

exoplace_status exoplace__request_new(exoplace_request **out, const exoplace_json_options *host, exoplace_error *err)
{
    request_storage *storage = calloc(1, sizeof *storage);
    if (!storage)
        return exoplace__fail_no_memory(err);
    exoplace_request *r = &storage->request;
    r->struct_size = (uint32_t)sizeof *r;
    if (exoplace_topology_new(&r->topology, NULL) != EXOPLACE_OK) {
        free(storage);
        return exoplace__fail_no_memory(err);
    }
    exoplace_place_options_init(&r->options);
    if (host) {
        r->options.strategy = host->strategy;
        r->options.no_fallback = host->no_fallback;
        r->options.allow_swap = host->allow_swap;
        r->options.max_search_steps = host->max_search_steps;
        r->options.use_random_seed = host->use_random_seed;
        r->options.random_seed = host->random_seed;
    }
    *out = r;
    return EXOPLACE_OK;
}

static void model_dispose(exoplace_model *m)
{
    free((char *)m->model_id);
    free((char *)m->base_model);
    free((char *)m->card_json);
    free((void *)m->backends);
    free((void *)m->tasks);
}

void exoplace_request_free(exoplace_request *request)
{
    if (!request)
        return;
    request_storage *storage = (request_storage *)request;
    if (request->models != &storage->model)
        for (size_t i = 0; i < request->n_models; i++)
            model_dispose(&storage->models[i]);
    if (storage->has_model)
        model_dispose(&storage->model);
    free(storage->models);
    for (size_t i = 0; i < storage->n_required_ids; i++)
        free(storage->required_ids[i]);
    free(storage->required_ids);
    exoplace_topology_free(request->topology);
    free(storage);
}

exoplace_status exoplace__request_reserve_models(exoplace_request *request, size_t count, exoplace_error *err)
{
    request_storage *storage = (request_storage *)request;
    if (request->n_models + count <= storage->models_capacity)
        return EXOPLACE_OK;
    size_t capacity = storage->models_capacity ? storage->models_capacity : 4;
    while (capacity < request->n_models + count)
        capacity *= 2;
    exoplace_model *grown = realloc(storage->models, capacity * sizeof *grown);
    if (!grown)
        return exoplace__fail_no_memory(err);
    storage->models = grown;
    storage->models_capacity = capacity;
    request->models = grown;
    return EXOPLACE_OK;
}

static char *copy_or_null(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static void *copy_array(const void *items, size_t count, size_t size)
{
    if (count == 0)
        return NULL;
    void *p = malloc(count * size);
    if (p)
        memcpy(p, items, count * size);
    return p;
}

/* A copy of `model` whose strings and arrays are new allocations. */
static exoplace_status model_copy(exoplace_model *copy, const exoplace_model *model, exoplace_error *err)
{
    *copy = *model;
    copy->model_id = copy_or_null(model->model_id);
    copy->base_model = copy_or_null(model->base_model);
    copy->card_json = copy_or_null(model->card_json);
    copy->backends = copy_array(model->backends, model->n_backends, sizeof *model->backends);
    copy->tasks = copy_array(model->tasks, model->n_tasks, sizeof *model->tasks);
    if ((model->model_id && !copy->model_id) || (model->base_model && !copy->base_model) ||
        (model->card_json && !copy->card_json) ||
        (model->n_backends && !copy->backends) || (model->n_tasks && !copy->tasks)) {
        model_dispose(copy);
        return exoplace__fail_no_memory(err);
    }
    return EXOPLACE_OK;
}

exoplace_status exoplace__request_add_model(exoplace_model **copy_out, exoplace_request *request,
                                            const exoplace_model *model, exoplace_error *err)
{
    exoplace_status st = exoplace__request_reserve_models(request, 1, err);
    if (st)
        return st;
    request_storage *storage = (request_storage *)request;
    exoplace_model *slot = &storage->models[request->n_models];
    if ((st = model_copy(slot, model, err)))
        return st;
    request->n_models++;
    if (copy_out)
        *copy_out = slot;
    return EXOPLACE_OK;
}

exoplace_status exoplace__request_set_model(exoplace_request *request, const exoplace_model *model,
                                            exoplace_error *err)
{
    request_storage *storage = (request_storage *)request;
    exoplace_model copy;
    exoplace_status st = model_copy(&copy, model, err);
    if (st)
        return st;
    if (storage->has_model)
        model_dispose(&storage->model);
    storage->model = copy;
    storage->has_model = 1;
    request->model = &storage->model;
    return EXOPLACE_OK;
}

void exoplace__request_finish_models(exoplace_request *request)
{
    request_storage *storage = (request_storage *)request;
    if (request->n_models == 0 && storage->has_model) {
        request->models = &storage->model;
        request->n_models = 1;
    }
}

exoplace_status exoplace__request_set_required_nodes(exoplace_request *request, const char *const *ids, size_t count,
                                                     exoplace_error *err)
{
    request_storage *storage = (request_storage *)request;
    char **copies = count ? calloc(count, sizeof *copies) : NULL;
    if (count && !copies)
        return exoplace__fail_no_memory(err);
    for (size_t i = 0; i < count; i++) {
        copies[i] = copy_or_null(ids[i]);
        if (!copies[i]) {
            for (size_t j = 0; j < i; j++)
                free(copies[j]);
            free(copies);
            return exoplace__fail_no_memory(err);
        }
    }
    for (size_t i = 0; i < storage->n_required_ids; i++)
        free(storage->required_ids[i]);
    free(storage->required_ids);
    storage->required_ids = copies;
    storage->n_required_ids = count;
    request->options.required_node_ids = (const char *const *)copies;
    request->options.n_required_node_ids = count;
    return EXOPLACE_OK;
}
