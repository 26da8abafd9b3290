/* place: one attempt, no retry (placement.md section 4). */
#include "place.h"

#include "error.h"
#include "instance.h"
#include "layers.h"
#include "names.h"
#include "select_exo_main.h"
#include "sort.h"

#include <stdlib.h>

#include "alloc.h"
#include <string.h>

void exoplace_model_init(exoplace_model *model)
{
    if (!model)
        return;
    memset(model, 0, sizeof *model);
    model->struct_size = (uint32_t)sizeof *model;
    model->supports_tensor = -1;
}

void exoplace_place_options_init(exoplace_place_options *options)
{
    if (!options)
        return;
    memset(options, 0, sizeof *options);
    options->struct_size = (uint32_t)sizeof *options;
    options->sharding = EXOPLACE_SHARDING_PIPELINE;
    options->instance_meta = EXOPLACE_INSTANCE_MLX_RING;
    options->min_nodes = 1;
    options->strategy = EXOPLACE_LAYERS_LARGEST_REMAINDER;
    options->memory_tier = EXOPLACE_TIER_AVAILABLE;
}

void exoplace_placement_dispose(exoplace_placement *placement)
{
    if (!placement)
        return;
    free(placement->shards);
    exoplace__instance_dispose(&placement->instance);
    memset(placement, 0, sizeof *placement);
}

exoplace_status exoplace__check_request(exoplace_place_options *resolved, const exoplace_model *model,
                                        const exoplace_place_options *options, exoplace_error *err)
{
    if (options && options->struct_size != sizeof *options)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "options.struct_size",
                              "fill the options with exoplace_place_options_init()");
    if (options)
        *resolved = *options;
    else
        exoplace_place_options_init(resolved);
    if (!model)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "model", "must not be NULL");
    if (model->struct_size != sizeof *model)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "model.struct_size",
                              "fill the model with exoplace_model_init()");
    if (!model->model_id || !model->model_id[0])
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "model.model_id", "must not be empty");
    if (strlen(model->model_id) > EXOPLACE_MAX_ID_BYTES)
        return exoplace__fail(err, EXOPLACE_E_LIMIT, "model.model_id", "longer than %d bytes",
                              EXOPLACE_MAX_ID_BYTES);
    if (model->n_layers == 0)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "model.n_layers", "must be at least 1");
    if (model->supports_tensor < -1 || model->supports_tensor > 1)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "model.supports_tensor",
                              "must be -1, 0 or 1");
    if (model->uses_cfg != 0 && model->uses_cfg != 1)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "model.uses_cfg", "must be 0 or 1");
    if ((model->n_backends && !model->backends) || (model->n_tasks && !model->tasks))
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "model.backends",
                              "model.backends and model.tasks must not be NULL when their counts are not 0");
    for (size_t i = 0; i < model->n_backends; i++)
        if (!exoplace__enum_is_valid(&exoplace__backend_info, (int)model->backends[i]))
            return exoplace__fail_item(err, EXOPLACE_E_INVALID_ARGUMENT, "model.backends", i, "", "unknown value %d",
                                       (int)model->backends[i]);
    for (size_t i = 0; i < model->n_tasks; i++)
        if (!exoplace__enum_is_valid(&exoplace__task_info, (int)model->tasks[i]))
            return exoplace__fail_item(err, EXOPLACE_E_INVALID_ARGUMENT, "model.tasks", i, "", "unknown value %d",
                                       (int)model->tasks[i]);
    if (model->base_model && strlen(model->base_model) > EXOPLACE_MAX_ID_BYTES)
        return exoplace__fail(err, EXOPLACE_E_LIMIT, "model.base_model", "longer than %d bytes",
                              EXOPLACE_MAX_ID_BYTES);
    size_t card_limit = EXOPLACE_MAX_CARD_JSON_BYTES;
    if (model->card_json && strnlen(model->card_json, card_limit + 1) > card_limit)
        return exoplace__fail(err, EXOPLACE_E_LIMIT, "model.card_json", "longer than %u bytes",
                              (unsigned)EXOPLACE_MAX_CARD_JSON_BYTES);
    if (resolved->min_nodes == 0)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "min_nodes", "must be at least 1");
    if (!exoplace__enum_is_valid(&exoplace__sharding_info, (int)resolved->sharding))
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "sharding", "unknown value %d",
                              (int)resolved->sharding);
    if (!exoplace__enum_is_valid(&exoplace__instance_meta_info, (int)resolved->instance_meta))
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "instance_meta",
                              "unknown value %d", (int)resolved->instance_meta);
    if (!exoplace__enum_is_valid(&exoplace__layer_strategy_info, (int)resolved->strategy))
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "strategy", "unknown value %d",
                              (int)resolved->strategy);
    if (!exoplace__enum_is_valid(&exoplace__memory_tier_info, (int)resolved->memory_tier))
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "memory_tier", "unknown value %d",
                              (int)resolved->memory_tier);
    if (!exoplace__enum_is_valid(&exoplace__rules_info, (int)resolved->rules))
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "rules", "unknown value %d", (int)resolved->rules);
    if (resolved->use_random_seed != 0 && resolved->use_random_seed != 1)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "use_random_seed", "must be 0 or 1");
    if (resolved->rules == EXOPLACE_RULES_EXO_MAIN) {
        /* exo-main keeps exo's split and its per-node check (exo-main.md 8). */
        if (resolved->strategy == EXOPLACE_LAYERS_FIT)
            return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "strategy",
                                  "strategy fit is a seed rule set strategy; exo-main splits layers as exo does");
        if (model->kv_cache_bytes_per_layer != 0)
            return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "model.kv_cache_bytes_per_layer",
                                  "is read by the seed rule set's strategy fit only; exo-main must have 0");
        if (resolved->reserve_bytes != 0)
            return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "reserve_bytes",
                                  "is read by the seed rule set's strategy fit only; exo-main must have 0");
    }
    if (resolved->reserve_bytes != 0 && resolved->strategy != EXOPLACE_LAYERS_FIT)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "reserve_bytes",
                              "is read by strategy fit only; strategy %s would ignore it",
                              exoplace_layer_strategy_name(resolved->strategy));
    if (resolved->n_required_node_ids && !resolved->required_node_ids)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "required_node_ids",
                              "must not be NULL when n_required_node_ids is not 0");
    if (resolved->n_required_node_ids && resolved->rules != EXOPLACE_RULES_EXO_MAIN)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "required_node_ids",
                              "only the exo-main rule set places on required nodes");
    for (size_t i = 0; i < resolved->n_required_node_ids; i++)
        if (!resolved->required_node_ids[i])
            return exoplace__fail_item(err, EXOPLACE_E_INVALID_ARGUMENT, "required_node_ids", i, "",
                                       "must not be NULL");
    return EXOPLACE_OK;
}

static int node_id_before(const void *ctx, uint32_t a, uint32_t b)
{
    const exoplace_shard *shards = ctx;
    return strcmp(shards[a].node_id, shards[b].node_id) < 0;
}

void exoplace__shard_set_rank(exoplace_shard *shard, const exoplace_topology *topology, const uint32_t *cycle,
                              size_t rank, size_t n_nodes, uint32_t n_layers)
{
    shard->node_index = cycle[rank];
    shard->node_id = topology->nodes[cycle[rank]].id;
    shard->device_rank = (uint32_t)rank;
    shard->world_size = (uint32_t)n_nodes;
    shard->n_layers = n_layers;
}

void exoplace__shards_memory_delta(exoplace_shard *shards, size_t n, uint64_t storage_size, uint32_t *order,
                                   uint32_t *tmp)
{
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    exoplace__sort(order, tmp, n, node_id_before, shards);
    for (size_t k = 0; k < n; k++)
        shards[order[k]].memory_delta = storage_size / n + (k < storage_size % n);
}

/* Whether an attempt selects cycles by layers held (strategy fit, pipeline). */
static int selects_by_layers(const exoplace_place_options *options)
{
    return options->strategy == EXOPLACE_LAYERS_FIT && options->sharding == EXOPLACE_SHARDING_PIPELINE;
}

/* Fills the shards of `cycle` (rank order) into out. */
static exoplace_status make_shards(exoplace_placement *out, exoplace__search *search, const exoplace_model *model,
                                   const exoplace_place_options *options, exoplace_memory_tier tier,
                                   const uint32_t *cycle, size_t length, exoplace_error *err)
{
    const exoplace_topology *t = exoplace__search_topology(search);
    exoplace__u128 *memory = malloc(length * sizeof *memory);
    uint32_t *layers = malloc(length * sizeof *layers);
    uint32_t *tmp = malloc(length * sizeof *tmp);
    exoplace_shard *shards = calloc(length, sizeof *shards);
    exoplace_status st = EXOPLACE_OK;
    if (!memory || !layers || !tmp || !shards) {
        st = exoplace__fail_no_memory(err);
        goto done;
    }
    if (selects_by_layers(options)) {
        /* The search's metric is layers held; the split divides capacity. */
        for (size_t i = 0; i < length; i++)
            memory[i] = exoplace__fit_capacity(exoplace__node_metric(&t->nodes[cycle[i]], tier), options->reserve_bytes);
        if ((st = exoplace__layers_fit(layers, memory, length, model->n_layers, exoplace__fit_layer_cost(model), err)))
            goto done;
    } else if (options->sharding == EXOPLACE_SHARDING_PIPELINE) {
        for (size_t i = 0; i < length; i++)
            memory[i] = exoplace__search_metric(search, cycle[i]);
        if ((st = exoplace__layers_split(layers, memory, length, model->n_layers, options->strategy, err)))
            goto done;
    }
    uint32_t start = 0;
    for (size_t i = 0; i < length; i++) {
        exoplace_shard *sh = &shards[i];
        exoplace__shard_set_rank(sh, t, cycle, i, length, model->n_layers);
        if (options->sharding == EXOPLACE_SHARDING_PIPELINE) {
            sh->kind = EXOPLACE_SHARD_PIPELINE;
            sh->start_layer = start;
            start += layers[i];
            sh->end_layer = start;
        } else {
            sh->kind = EXOPLACE_SHARD_TENSOR;
            sh->start_layer = 0;
            sh->end_layer = model->n_layers;
        }
    }
    /* The split is in the shards now: its array is the sort's scratch. */
    exoplace__shards_memory_delta(shards, length, model->storage_size, layers, tmp);

    out->sharding = options->sharding;
    out->instance_meta = length == 1 ? EXOPLACE_INSTANCE_MLX_RING : options->instance_meta;
    out->n_nodes = length;
    out->shards = shards;
    shards = NULL;
done:
    free(memory);
    free(layers);
    free(tmp);
    free(shards);
    return st;
}

/* exo-main.md 5: the selection, then the shards and the instance. */
static exoplace_status exo_main_attempt(exoplace_placement *out, exoplace__search *search,
                                        const exoplace_model *model, const exoplace_place_options *options,
                                        exoplace_memory_tier tier, exoplace_error *err)
{
    exoplace__exo_main_graph *graph = NULL;
    exoplace_status st = exoplace__search_exo_main_graph(&graph, search, err);
    if (st)
        return st;
    const exoplace__out_edges *out_edges = exoplace__exo_main_graph_out_edges(graph, err);
    if (!out_edges)
        return EXOPLACE_E_NO_MEMORY;
    exoplace__search_reset_work(search, options->max_search_steps);
    const exoplace_topology *topology = exoplace__search_topology(search);
    size_t n = exoplace_topology_node_count(topology);
    uint32_t *cycle = malloc((n ? n : 1) * sizeof *cycle);
    if (!cycle)
        return exoplace__fail_no_memory(err);
    size_t length = 0;
    st = exoplace__exo_main_select(cycle, &length, graph, search, model, options, tier, err);
    if (!st)
        st = exoplace__exo_main_place_cycle(out, topology, out_edges, cycle, length, model, options->sharding,
                                            options->instance_meta, tier,
                                            exoplace__exo_main_graph_random(graph, options), err);
    free(cycle);
    return st;
}

exoplace_status exoplace__place_attempt(exoplace_placement *out, exoplace__search *search,
                                        const exoplace_model *model, const exoplace_place_options *options,
                                        exoplace_memory_tier tier, exoplace_error *err)
{
    if (options->rules == EXOPLACE_RULES_EXO_MAIN)
        return exo_main_attempt(out, search, model, options, tier, err);
    /* What a cycle's metric sum must reach: the model's bytes, or with fit
     * its layers, each node holding at least one (placement.md section 3). */
    int by_layers = selects_by_layers(options);
    uint64_t required = by_layers ? model->n_layers : model->storage_size;
    exoplace_status st = by_layers ? exoplace__search_use_fit(search, tier, exoplace__fit_layer_cost(model),
                                                              options->reserve_bytes, model->n_layers, err)
                                   : exoplace__search_use_tier(search, tier, err);
    if (st)
        return st;
    exoplace__search_reset_work(search, options->max_search_steps);
    size_t placeable = exoplace__search_placeable_count(search);
    uint32_t *cycle = malloc((placeable ? placeable : 1) * sizeof *cycle);
    if (!cycle)
        return exoplace__fail_no_memory(err);
    /* With fit no cycle of more nodes than layers has a safe split. */
    size_t longest = by_layers && model->n_layers < placeable ? model->n_layers : placeable;

    /* The smallest length >= min_nodes with a cycle that has the memory. */
    size_t length = 0;
    int found = 0;
    for (size_t l = options->min_nodes; l <= longest && !found; l++) {
        if (!exoplace__search_length_may_fit(search, l, required))
            continue;
        if ((st = exoplace__search_best_cycle(search, l, required, cycle, &found, err)))
            goto done;
        length = l;
    }
    if (!found && by_layers && options->min_nodes > model->n_layers) {
        st = exoplace__fail(err, EXOPLACE_E_INVALID_SPLIT, "min_nodes",
                            "%u layers cannot give each of at least %u nodes a layer", model->n_layers,
                            options->min_nodes);
        goto done;
    }
    if (!found) {
        st = exoplace__fail(err, EXOPLACE_E_INSUFFICIENT_MEMORY, NULL, "No cycles found with sufficient memory");
        goto done;
    }
    if (options->sharding == EXOPLACE_SHARDING_TENSOR) {
        if (model->supports_tensor == 0) {
            st = exoplace__fail(err, EXOPLACE_E_TENSOR_NOT_SUPPORTED, "model.supports_tensor",
                                "Requested Tensor sharding but this model does not support tensor parallelism: %s",
                                model->model_id);
            goto done;
        }
        if (model->hidden_size > 0) {
            /* Only lengths that divide hidden_size remain; the smallest of them wins. */
            found = model->hidden_size % length == 0;
            for (size_t l = length + 1; l <= placeable && !found; l++) {
                if (model->hidden_size % l != 0 || !exoplace__search_length_may_fit(search, l, required))
                    continue;
                if ((st = exoplace__search_best_cycle(search, l, required, cycle, &found, err)))
                    goto done;
                length = l;
            }
            if (!found) {
                st = exoplace__fail(err, EXOPLACE_E_NO_TENSOR_SHARDING, "model.hidden_size",
                                    "No tensor sharding found for model with hidden_size %u candidate cycles",
                                    model->hidden_size);
                goto done;
            }
        }
    }
    memset(out, 0, sizeof *out);
    if ((st = make_shards(out, search, model, options, tier, cycle, length, err)))
        goto done;
    out->memory_tier = tier;
    out->is_low_memory = tier != EXOPLACE_TIER_AVAILABLE;
done:
    free(cycle);
    return st;
}
