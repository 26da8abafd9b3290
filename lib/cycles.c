/* Cycles: the canonical list (only when a caller asks for it, under a bound)
 * and the thunderbolt-cycle test. Placement never lists cycles. */
#include "cycles.h"

#include "error.h"
#include "sort.h"
#include "topology.h"

#include <stdlib.h>

#include "alloc.h"
#include <string.h>

typedef struct cycle_store {
    const exoplace_topology *topology;
    uint32_t *rank;
    size_t *starts; /* n_cycles + 1 */
    uint32_t *nodes;
    size_t n_cycles, cycles_capacity;
    size_t n_nodes, nodes_capacity;
} cycle_store;

static int store_cycle(cycle_store *cs, const uint32_t *path, size_t length)
{
    if (cs->n_cycles + 2 > cs->cycles_capacity) {
        size_t cap = cs->cycles_capacity ? cs->cycles_capacity * 2 : 64;
        size_t *p = realloc(cs->starts, cap * sizeof *p);
        if (!p)
            return 0;
        cs->starts = p;
        cs->cycles_capacity = cap;
    }
    if (cs->n_nodes + length > cs->nodes_capacity) {
        size_t cap = cs->nodes_capacity ? cs->nodes_capacity * 2 : 256;
        while (cap < cs->n_nodes + length)
            cap *= 2;
        uint32_t *p = realloc(cs->nodes, cap * sizeof *p);
        if (!p)
            return 0;
        cs->nodes = p;
        cs->nodes_capacity = cap;
    }
    if (cs->n_cycles == 0)
        cs->starts[0] = 0;
    memcpy(cs->nodes + cs->n_nodes, path, length * sizeof *path);
    cs->n_nodes += length;
    cs->starts[++cs->n_cycles] = cs->n_nodes;
    return 1;
}

/* Canonical order: by length, then by the id sequence (ranks compare as ids). */
static int cycle_before(const void *ctx, uint32_t a, uint32_t b)
{
    const cycle_store *cs = ctx;
    size_t la = cs->starts[a + 1] - cs->starts[a], lb = cs->starts[b + 1] - cs->starts[b];
    if (la != lb)
        return la < lb;
    const uint32_t *pa = cs->nodes + cs->starts[a], *pb = cs->nodes + cs->starts[b];
    for (size_t i = 0; i < la; i++)
        if (pa[i] != pb[i])
            return cs->rank[pa[i]] < cs->rank[pb[i]];
    return 0;
}

typedef enum { LIST_OK, LIST_NO_MEMORY, LIST_TOO_MANY } list_result;

/* Every simple cycle from each start through nodes of greater rank: each
 * cycle once, already in canonical rotation. */
static list_result enumerate(cycle_store *cs, size_t max_cycles)
{
    const exoplace_topology *t = cs->topology;
    size_t n = t->n_nodes;
    uint32_t *path = malloc((n ? n : 1) * sizeof *path);
    size_t *next = malloc((n ? n : 1) * sizeof *next);
    uint8_t *on_path = calloc(n ? n : 1, 1);
    list_result result = LIST_OK;
    if (!path || !next || !on_path) {
        result = LIST_NO_MEMORY;
        goto done;
    }
    for (size_t si = 0; si < n && result == LIST_OK; si++) {
        uint32_t start = (uint32_t)si;
        if (cs->n_cycles >= max_cycles) {
            result = LIST_TOO_MANY;
            break;
        }
        if (!store_cycle(cs, &start, 1)) {
            result = LIST_NO_MEMORY;
            break;
        }
        size_t depth = 0;
        path[0] = start;
        next[0] = 0;
        on_path[start] = 1;
        for (;;) {
            const exoplace__node *node = &t->nodes[path[depth]];
            if (next[depth] >= node->n_successors) {
                on_path[path[depth]] = 0;
                if (depth == 0)
                    break;
                depth--;
                continue;
            }
            uint32_t child = node->successors[next[depth]++];
            if (child == start && depth > 0) {
                if (cs->n_cycles >= max_cycles) {
                    result = LIST_TOO_MANY;
                } else if (!store_cycle(cs, path, depth + 1)) {
                    result = LIST_NO_MEMORY;
                }
                if (result != LIST_OK) {
                    for (size_t i = 0; i <= depth; i++)
                        on_path[path[i]] = 0;
                    break;
                }
                continue;
            }
            if (cs->rank[child] <= cs->rank[start] || on_path[child])
                continue;
            path[++depth] = child;
            next[depth] = 0;
            on_path[child] = 1;
        }
    }
done:
    free(path);
    free(next);
    free(on_path);
    return result;
}

exoplace_status exoplace__cycles_list_new(size_t **starts_out, size_t **nodes_out, size_t *count_out,
                                          const exoplace_topology *topology, size_t max_cycles, exoplace_error *err)
{
    *starts_out = NULL;
    *nodes_out = NULL;
    *count_out = 0;
    if (max_cycles == 0)
        max_cycles = EXOPLACE_DEFAULT_MAX_CYCLES;
    size_t n = topology->n_nodes;
    cycle_store cs = {topology, NULL, NULL, NULL, 0, 0, 0, 0};
    exoplace_status st = EXOPLACE_OK;
    uint32_t *order = NULL, *tmp = NULL;
    size_t *starts = NULL, *nodes = NULL;
    uint32_t *by_rank = malloc((n ? n : 1) * sizeof *by_rank);
    cs.rank = malloc((n ? n : 1) * sizeof *cs.rank);
    tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!by_rank || !cs.rank || !tmp) {
        st = exoplace__fail_no_memory(err);
        goto done;
    }
    exoplace__topology_id_order(topology, by_rank, cs.rank, tmp);

    switch (enumerate(&cs, max_cycles)) {
    case LIST_OK:
        break;
    case LIST_NO_MEMORY:
        st = exoplace__fail_no_memory(err);
        goto done;
    case LIST_TOO_MANY:
        st = exoplace__fail(err, EXOPLACE_E_TOO_MANY_CYCLES, "max_cycles",
                            "the topology has more than %zu cycles; raise max_cycles or use placement, "
                            "which never lists them",
                            max_cycles);
        goto done;
    }
    free(tmp);
    order = malloc((cs.n_cycles ? cs.n_cycles : 1) * sizeof *order);
    tmp = malloc((cs.n_cycles ? cs.n_cycles : 1) * sizeof *tmp);
    starts = malloc((cs.n_cycles + 1) * sizeof *starts);
    nodes = malloc((cs.n_nodes ? cs.n_nodes : 1) * sizeof *nodes);
    if (!order || !tmp || !starts || !nodes) {
        st = exoplace__fail_no_memory(err);
        goto done;
    }
    for (size_t i = 0; i < cs.n_cycles; i++)
        order[i] = (uint32_t)i;
    exoplace__sort(order, tmp, cs.n_cycles, cycle_before, &cs);
    size_t at = 0;
    starts[0] = 0;
    for (size_t i = 0; i < cs.n_cycles; i++) {
        for (size_t j = cs.starts[order[i]]; j < cs.starts[order[i] + 1]; j++)
            nodes[at++] = cs.nodes[j];
        starts[i + 1] = at;
    }
    *starts_out = starts;
    *nodes_out = nodes;
    *count_out = cs.n_cycles;
    starts = NULL;
    nodes = NULL;
done:
    free(by_rank);
    free(cs.rank);
    free(cs.starts);
    free(cs.nodes);
    free(order);
    free(tmp);
    free(starts);
    free(nodes);
    return st;
}

exoplace_status exoplace_cycle_list(size_t *cycle_count_out, size_t *node_total_out, size_t *cycle_starts,
                                     size_t cycle_starts_capacity, size_t *cycle_nodes,
                                     size_t cycle_nodes_capacity, const exoplace_topology *topology,
                                     size_t max_cycles, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!cycle_count_out || !node_total_out || !topology)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL,
                              "cycle_count_out, node_total_out and topology must not be NULL");
    if ((cycle_starts_capacity && !cycle_starts) || (cycle_nodes_capacity && !cycle_nodes))
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "an output array with a capacity is NULL");
    size_t *starts, *nodes, count;
    exoplace_status st = exoplace__cycles_list_new(&starts, &nodes, &count, topology, max_cycles, err);
    if (st)
        return st;
    *cycle_count_out = count;
    *node_total_out = starts[count];
    if (cycle_starts_capacity < count + 1 || cycle_nodes_capacity < starts[count]) {
        st = exoplace__fail(err, EXOPLACE_E_BUFFER_TOO_SMALL, NULL, "need %zu cycle starts and %zu cycle nodes",
                            count + 1, starts[count]);
    } else {
        memcpy(cycle_starts, starts, (count + 1) * sizeof *starts);
        if (starts[count]) /* no cycles: cycle_nodes may be NULL */
            memcpy(cycle_nodes, nodes, starts[count] * sizeof *nodes);
    }
    free(starts);
    free(nodes);
    return st;
}

exoplace_status exoplace_cycle_is_thunderbolt(int *out, const exoplace_topology *topology, const size_t *nodes,
                                              size_t n_nodes, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !topology || !nodes || n_nodes == 0)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "nodes",
                              "out, topology and a non-empty nodes array are required");
    for (size_t i = 0; i < n_nodes; i++)
        if (nodes[i] >= topology->n_nodes)
            return exoplace__fail_item(err, EXOPLACE_E_INVALID_ARGUMENT, "nodes", i, "", "index out of range");
    *out = 1;
    for (size_t i = 0; i < n_nodes && *out; i++)
        for (size_t j = 0; j < n_nodes; j++)
            if (nodes[i] != nodes[j] &&
                exoplace__topology_pair_is_plain(topology, (uint32_t)nodes[i], (uint32_t)nodes[j])) {
                *out = 0;
                break;
            }
    return EXOPLACE_OK;
}
