/* The memory filter and smallest cycles over a caller's cycle list. */
#include "error.h"
#include "names.h"
#include "topology.h"
#include "u128.h"

/* Checks the flat cycle form; returns OK or the failure. */
static exoplace_status check_cycles(const size_t *cycle_starts, const size_t *cycle_nodes, size_t cycle_count,
                                    const exoplace_topology *topology, exoplace_error *err)
{
    for (size_t i = 0; i < cycle_count; i++) {
        if (cycle_starts[i + 1] < cycle_starts[i])
            return exoplace__fail_item(err, EXOPLACE_E_INVALID_ARGUMENT, "cycle_starts", i + 1, "",
                                       "smaller than the offset before it");
        if (!cycle_nodes)
            continue;
        for (size_t j = cycle_starts[i]; j < cycle_starts[i + 1]; j++)
            if (cycle_nodes[j] >= topology->n_nodes)
                return exoplace__fail_item(err, EXOPLACE_E_INVALID_ARGUMENT, "cycle_nodes", j, "",
                                           "node index out of range");
    }
    return EXOPLACE_OK;
}

exoplace_status exoplace_cycle_list_filter_by_memory(uint8_t *keep_out, const exoplace_topology *topology,
                                                     const size_t *cycle_starts, const size_t *cycle_nodes,
                                                     size_t cycle_count, uint64_t required_bytes,
                                                     exoplace_memory_tier tier, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!topology || (cycle_count && (!keep_out || !cycle_starts || !cycle_nodes)))
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL,
                              "keep_out, cycle_starts, cycle_nodes and topology must not be NULL");
    if (!exoplace__enum_is_valid(&exoplace__memory_tier_info, (int)tier))
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "tier", "unknown value %d", (int)tier);
    exoplace_status st = check_cycles(cycle_starts, cycle_nodes, cycle_count, topology, err);
    if (st)
        return st;
    for (size_t i = 0; i < cycle_count; i++) {
        exoplace__u128 sum = 0;
        int all_profiled = 1;
        for (size_t j = cycle_starts[i]; j < cycle_starts[i + 1]; j++) {
            const exoplace__node *node = &topology->nodes[cycle_nodes[j]];
            all_profiled &= node->has_profile;
            sum += exoplace__node_metric(node, tier);
        }
        keep_out[i] = (uint8_t)(all_profiled && sum >= required_bytes);
    }
    return EXOPLACE_OK;
}

exoplace_status exoplace_cycle_list_smallest(uint8_t *keep_out, const size_t *cycle_starts, size_t cycle_count,
                                             const uint8_t *keep_in, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (cycle_count && (!keep_out || !cycle_starts))
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "keep_out and cycle_starts must not be NULL");
    size_t smallest = SIZE_MAX;
    for (size_t i = 0; i < cycle_count; i++) {
        if (cycle_starts[i + 1] < cycle_starts[i])
            return exoplace__fail_item(err, EXOPLACE_E_INVALID_ARGUMENT, "cycle_starts", i + 1, "",
                                       "smaller than the offset before it");
        size_t length = cycle_starts[i + 1] - cycle_starts[i];
        if ((!keep_in || keep_in[i]) && length < smallest)
            smallest = length;
    }
    for (size_t i = 0; i < cycle_count; i++)
        keep_out[i] = (uint8_t)((!keep_in || keep_in[i]) && cycle_starts[i + 1] - cycle_starts[i] == smallest);
    return EXOPLACE_OK;
}
