/* Pipeline layer splits (placement.md section 3). */
#include "error.h"
#include "u128.h"

#include "layers.h"
#include "sort.h"

#include <math.h>
#include <stdlib.h>

#include "alloc.h"

/* Python's round(): halves to even, whatever the FPU rounding mode. */
static double round_half_even(double x)
{
    double lower = floor(x);
    double diff = x - lower;
    if (diff > 0.5)
        return lower + 1;
    if (diff < 0.5)
        return lower;
    return fmod(lower, 2.0) == 0.0 ? lower : lower + 1;
}

static exoplace_status split_exo(uint32_t *layers_out, const exoplace__u128 *memory, size_t n, uint32_t n_layers,
                                 exoplace_error *err)
{
    exoplace__u128 sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += memory[i];
    double total = sum == 0 ? 1.0 : (double)sum;
    int64_t assigned = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        double share = round_half_even((double)n_layers * ((double)memory[i] / total));
        int64_t layers = share < 1.0 ? 1 : (int64_t)share;
        layers_out[i] = (uint32_t)layers;
        assigned += layers;
    }
    int64_t last = (int64_t)n_layers - assigned;
    if (last <= 0)
        return exoplace__fail(err, EXOPLACE_E_INVALID_SPLIT, "n_layers",
                              "exo's split of %u layers over %zu nodes would give the last node %lld layers",
                              n_layers, n, (long long)last);
    layers_out[n - 1] = (uint32_t)last;
    return EXOPLACE_OK;
}

typedef struct remainder_order {
    const exoplace__u128 *memory;
    exoplace__u128 total;
    uint32_t n_layers;
} remainder_order;

static int remainder_before(const void *ctx, uint32_t a, uint32_t b)
{
    const remainder_order *o = ctx;
    exoplace__u128 ra = (exoplace__u128)o->n_layers * o->memory[a] % o->total;
    exoplace__u128 rb = (exoplace__u128)o->n_layers * o->memory[b] % o->total;
    return ra != rb ? ra > rb : a < b;
}

static exoplace_status split_largest_remainder(uint32_t *layers_out, const exoplace__u128 *memory, size_t n,
                                               uint32_t n_layers, exoplace_error *err)
{
    if (n_layers < n)
        return exoplace__fail(err, EXOPLACE_E_INVALID_SPLIT, "n_layers",
                              "%u layers cannot give each of %zu nodes a layer", n_layers, n);
    exoplace__u128 total = 0;
    for (size_t i = 0; i < n; i++)
        total += memory[i];
    uint32_t given = 0;
    if (total == 0) {
        /* No memory figures: an even split. */
        for (size_t i = 0; i < n; i++)
            layers_out[i] = (uint32_t)(n_layers / n + (i < n_layers % n));
        return EXOPLACE_OK;
    }
    for (size_t i = 0; i < n; i++) {
        layers_out[i] = (uint32_t)((exoplace__u128)n_layers * memory[i] / total);
        given += layers_out[i];
    }
    /* Leftovers (fewer than n) to the largest remainders, lower index on ties. */
    if (given < n_layers) {
        remainder_order order = {memory, total, n_layers};
        uint32_t *by_remainder = malloc(n * sizeof *by_remainder);
        uint32_t *tmp = malloc(n * sizeof *tmp);
        if (!by_remainder || !tmp) {
            free(by_remainder);
            free(tmp);
            return exoplace__fail_no_memory(err);
        }
        for (size_t i = 0; i < n; i++)
            by_remainder[i] = (uint32_t)i;
        exoplace__sort(by_remainder, tmp, n, remainder_before, &order);
        for (size_t k = 0; given < n_layers; k++, given++)
            layers_out[by_remainder[k]]++;
        free(by_remainder);
        free(tmp);
    }
    /* Every node at least one layer, taken from the node with the most. */
    for (size_t i = 0; i < n; i++) {
        if (layers_out[i] > 0)
            continue;
        size_t most = 0;
        for (size_t j = 1; j < n; j++)
            if (layers_out[j] > layers_out[most])
                most = j;
        layers_out[most]--;
        layers_out[i]++;
    }
    return EXOPLACE_OK;
}

exoplace_status exoplace__layers_split(uint32_t *layers_out, const exoplace__u128 *memory, size_t n_nodes,
                                      uint32_t n_layers, exoplace_layer_strategy strategy, exoplace_error *err)
{
    if (n_nodes == 0)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "n_nodes", "must be at least 1");
    if (n_layers == 0)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "n_layers", "must be at least 1");
    switch (strategy) {
    case EXOPLACE_LAYERS_EXO:
        return split_exo(layers_out, memory, n_nodes, n_layers, err);
    case EXOPLACE_LAYERS_LARGEST_REMAINDER:
        return split_largest_remainder(layers_out, memory, n_nodes, n_layers, err);
    }
    return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "strategy", "unknown value %d", (int)strategy);
}

exoplace_status exoplace_layers_distribute(uint32_t *layers_out, const uint64_t *memory, size_t n_nodes,
                                           uint32_t n_layers, exoplace_layer_strategy strategy,
                                           exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!layers_out || !memory)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "layers_out and memory must not be NULL");
    if (n_nodes == 0)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "n_nodes", "must be at least 1");
    if (n_nodes > SIZE_MAX / sizeof(exoplace__u128))
        return exoplace__fail(err, EXOPLACE_E_LIMIT, "n_nodes", "too many nodes");
    exoplace__u128 *wide = malloc(n_nodes * sizeof *wide);
    if (!wide)
        return exoplace__fail_no_memory(err);
    for (size_t i = 0; i < n_nodes; i++)
        wide[i] = memory[i];
    exoplace_status st = exoplace__layers_split(layers_out, wide, n_nodes, n_layers, strategy, err);
    free(wide);
    return st;
}
