/* A manual split (exo #1720): the caller's ring and layer counts, checked
 * against the topology and against each node's memory as strategy fit counts
 * it (placement.md section 3), then made into shards. */
#include "error.h"
#include "layers.h"
#include "names.h"
#include "place.h"

#include <stdlib.h>

#include "alloc.h"
#include <string.h>

/* The ring: every id a node, none twice, each linked to the next. */
static exoplace_status check_ring(uint32_t *cycle, const exoplace_topology *t, const char *const *node_ids,
                                  size_t n, exoplace_error *err)
{
    uint8_t *seen = calloc(t->n_nodes ? t->n_nodes : 1, 1);
    if (!seen)
        return exoplace__fail_no_memory(err);
    exoplace_status st = EXOPLACE_OK;
    for (size_t i = 0; i < n && st == EXOPLACE_OK; i++) {
        long index = node_ids[i] ? exoplace__topology_lookup(t, node_ids[i]) : -1;
        if (!node_ids[i])
            st = exoplace__fail_item(err, EXOPLACE_E_INVALID_ARGUMENT, "node_ids", i, "", "must not be NULL");
        else if (index < 0)
            st = exoplace__fail_item(err, EXOPLACE_E_UNKNOWN_NODE, "node_ids", i, "", "no node with id %s",
                                     node_ids[i]);
        else if (seen[index])
            st = exoplace__fail_item(err, EXOPLACE_E_INVALID_ARGUMENT, "node_ids", i, "",
                                     "node %s is in the ring twice", node_ids[i]);
        else {
            seen[index] = 1;
            cycle[i] = (uint32_t)index;
        }
    }
    free(seen);
    for (size_t i = 0; i < n && st == EXOPLACE_OK && n > 1; i++) {
        size_t next = (i + 1) % n;
        if (!exoplace__topology_pair(t, cycle[i], cycle[next]))
            st = exoplace__fail_item(err, EXOPLACE_E_INVALID_ARGUMENT, "node_ids", i, "",
                                     "the ring is no cycle of the topology: no connection from %s to %s",
                                     node_ids[i], node_ids[next]);
    }
    return st;
}

/* Every node holds its layers in the tier: layers x layer_cost <= metric - reserve. */
static exoplace_status check_memory(const exoplace_topology *t, const uint32_t *cycle, const uint32_t *layer_counts,
                                    size_t n, const exoplace_model *model, const exoplace_place_options *options,
                                    exoplace_error *err)
{
    const char *tier = exoplace_memory_tier_name(options->memory_tier);
    exoplace__u128 cost = exoplace__fit_layer_cost(model);
    for (size_t i = 0; i < n; i++) {
        const exoplace__node *node = &t->nodes[cycle[i]];
        exoplace__u128 need = cost * layer_counts[i];
        char need_text[EXOPLACE__U128_TEXT_BYTES], cost_text[EXOPLACE__U128_TEXT_BYTES];
        exoplace__u128_text(need_text, need);
        exoplace__u128_text(cost_text, cost);
        if (!node->has_profile)
            return exoplace__fail_item(err, EXOPLACE_E_NODE_INSUFFICIENT_MEMORY, "layer_counts", i, "",
                                       "node %s has no memory profile: its %u layers need %s bytes (%u x %s)",
                                       node->id, layer_counts[i], need_text, layer_counts[i], cost_text);
        exoplace__u128 metric = exoplace__node_metric(node, options->memory_tier);
        exoplace__u128 capacity = exoplace__fit_capacity(metric, options->reserve_bytes);
        if (need <= capacity)
            continue;
        char capacity_text[EXOPLACE__U128_TEXT_BYTES], metric_text[EXOPLACE__U128_TEXT_BYTES];
        char short_text[EXOPLACE__U128_TEXT_BYTES];
        exoplace__u128_text(capacity_text, capacity);
        exoplace__u128_text(metric_text, metric);
        exoplace__u128_text(short_text, need - capacity);
        return exoplace__fail_item(err, EXOPLACE_E_NODE_INSUFFICIENT_MEMORY, "layer_counts", i, "",
                                   "node %s cannot hold its %u layers in %s memory: they need %s bytes (%u x %s), "
                                   "it has %s (%s less the reserve of %llu): %s bytes short",
                                   node->id, layer_counts[i], tier, need_text, layer_counts[i], cost_text,
                                   capacity_text, metric_text, (unsigned long long)options->reserve_bytes,
                                   short_text);
    }
    return EXOPLACE_OK;
}

exoplace_status exoplace_place_manual(exoplace_placement *out, const exoplace_topology *topology,
                                      const exoplace_model *model, const char *const *node_ids,
                                      const uint32_t *layer_counts, size_t n_nodes,
                                      const exoplace_place_options *options, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !topology || !node_ids || !layer_counts)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL,
                              "out, topology, node_ids and layer_counts must not be NULL");
    memset(out, 0, sizeof *out);
    if (options && options->struct_size == sizeof *options && options->rules != EXOPLACE_RULES_SEED)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "rules",
                              "a manual split is of the seed rule set; exo-main splits layers as exo does");
    /* The manual split is checked as fit counts memory: it reads the reserve. */
    exoplace_place_options fit;
    if (options && options->struct_size == sizeof *options) {
        fit = *options;
        fit.strategy = EXOPLACE_LAYERS_FIT;
        options = &fit;
    }
    exoplace_place_options resolved;
    exoplace_status st = exoplace__check_request(&resolved, model, options, err);
    if (st)
        return st;
    if (resolved.sharding != EXOPLACE_SHARDING_PIPELINE)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "sharding",
                              "a manual split gives layer ranges: Pipeline only");
    if (n_nodes == 0)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "n_nodes", "must be at least 1");
    if (n_nodes > topology->n_nodes)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "n_nodes", "%zu nodes in a ring of a topology of %zu",
                              n_nodes, topology->n_nodes);
    uint64_t total = 0;
    for (size_t i = 0; i < n_nodes; i++) {
        if (layer_counts[i] == 0)
            return exoplace__fail_item(err, EXOPLACE_E_INVALID_ARGUMENT, "layer_counts", i, "", "must be at least 1");
        total += layer_counts[i];
    }
    if (total != model->n_layers)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "layer_counts",
                              "the counts sum to %llu, the model has %u layers", (unsigned long long)total,
                              model->n_layers);
    uint32_t *cycle = malloc(n_nodes * sizeof *cycle);
    uint32_t *order = malloc(n_nodes * sizeof *order);
    uint32_t *tmp = malloc(n_nodes * sizeof *tmp);
    exoplace_shard *shards = calloc(n_nodes, sizeof *shards);
    if (!cycle || !order || !tmp || !shards) {
        st = exoplace__fail_no_memory(err);
        goto done;
    }
    if ((st = check_ring(cycle, topology, node_ids, n_nodes, err)) ||
        (st = check_memory(topology, cycle, layer_counts, n_nodes, model, &resolved, err)))
        goto done;
    uint32_t start = 0;
    for (size_t i = 0; i < n_nodes; i++) {
        exoplace_shard *sh = &shards[i];
        exoplace__shard_set_rank(sh, topology, cycle, i, n_nodes, model->n_layers);
        sh->kind = EXOPLACE_SHARD_PIPELINE;
        sh->start_layer = start;
        start += layer_counts[i];
        sh->end_layer = start;
    }
    exoplace__shards_memory_delta(shards, n_nodes, model->storage_size, order, tmp);
    out->rules = EXOPLACE_RULES_SEED;
    out->sharding = EXOPLACE_SHARDING_PIPELINE;
    out->instance_meta = n_nodes == 1 ? EXOPLACE_INSTANCE_MLX_RING : resolved.instance_meta;
    out->memory_tier = resolved.memory_tier;
    out->is_low_memory = resolved.memory_tier != EXOPLACE_TIER_AVAILABLE;
    out->n_nodes = n_nodes;
    out->shards = shards;
    shards = NULL;
done:
    free(cycle);
    free(order);
    free(tmp);
    free(shards);
    return st;
}
