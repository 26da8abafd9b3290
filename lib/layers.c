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

/* ---- fit ------------------------------------------------------------------- */

exoplace__u128 exoplace__fit_layer_cost(const exoplace_model *model)
{
    uint64_t n = model->n_layers;
    return (exoplace__u128)(model->storage_size / n + (model->storage_size % n != 0)) +
           model->kv_cache_bytes_per_layer;
}

exoplace__u128 exoplace__fit_capacity(exoplace__u128 metric, uint64_t reserve)
{
    return metric > reserve ? metric - reserve : 0;
}

exoplace__u128 exoplace__fit_cap(exoplace__u128 capacity, exoplace__u128 layer_cost, uint32_t n_layers)
{
    return layer_cost == 0 ? n_layers : capacity / layer_cost;
}

/*
 * The bounded proportional split: x_i = clamp(lambda * c_i, 1, k_i) with the
 * smallest lambda that makes the x_i sum to n_layers, then floors and the
 * largest fractional parts. sum(x_i) is continuous and piecewise linear in
 * lambda, bending where a node leaves its lower bound (lambda = 1 / c_i) and
 * where it reaches its cap (lambda = k_i / c_i); walking those points in
 * increasing order finds the piece where the sum reaches n_layers, and there
 * lambda = (n_layers - fixed) / C, with `fixed` the sum over nodes at a bound
 * and C the capacity of the others. All quantities are exact integers:
 * k <= 2^32, c < 2^66, n <= 2^16 keep every product below 2^128.
 */
enum { FIT_LOW, FIT_MIDDLE, FIT_HIGH };

typedef struct fit_points {
    const exoplace__u128 *capacity;
    const uint32_t *cap;
} fit_points;

/* Point p is node p / 2 leaving its lower bound (p even: lambda = 1 / c) or
 * reaching its cap (p odd: lambda = k / c). */
static exoplace__u128 point_numerator(const fit_points *f, uint32_t p)
{
    return p % 2 == 0 ? 1 : f->cap[p / 2];
}

static int point_before(const void *ctx, uint32_t a, uint32_t b)
{
    const fit_points *f = ctx;
    exoplace__u128 left = point_numerator(f, a) * f->capacity[b / 2];
    exoplace__u128 right = point_numerator(f, b) * f->capacity[a / 2];
    if (left != right)
        return left < right;
    return a < b; /* equal lambdas: any order gives the same sums */
}

typedef struct fit_remainders {
    const exoplace__u128 *capacity;
    exoplace__u128 share; /* layers the middle nodes share */
    exoplace__u128 middle_capacity;
} fit_remainders;

static int fit_remainder_before(const void *ctx, uint32_t a, uint32_t b)
{
    const fit_remainders *o = ctx;
    exoplace__u128 ra = o->share * o->capacity[a] % o->middle_capacity;
    exoplace__u128 rb = o->share * o->capacity[b] % o->middle_capacity;
    return ra != rb ? ra > rb : a < b;
}

exoplace_status exoplace__layers_fit(uint32_t *layers_out, const exoplace__u128 *capacity, size_t n,
                                     uint32_t n_layers, exoplace__u128 layer_cost, exoplace_error *err)
{
    if (n == 0)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "n_nodes", "must be at least 1");
    if (n_layers == 0)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "n_layers", "must be at least 1");
    if (n_layers < n)
        return exoplace__fail(err, EXOPLACE_E_INVALID_SPLIT, "n_layers",
                              "%u layers cannot give each of %zu nodes a layer", n_layers, n);
    if (n > (size_t)EXOPLACE_MAX_NODES)
        return exoplace__fail(err, EXOPLACE_E_LIMIT, "n_nodes", "more than %d nodes", EXOPLACE_MAX_NODES);
    uint32_t *cap = malloc(n * sizeof *cap);
    uint8_t *state = malloc(n);
    uint32_t *order = malloc(2 * n * sizeof *order);
    uint32_t *tmp = malloc(2 * n * sizeof *tmp);
    exoplace_status st = EXOPLACE_OK;
    if (!cap || !state || !order || !tmp) {
        st = exoplace__fail_no_memory(err);
        goto done;
    }
    uint64_t cap_sum = 0;
    exoplace__u128 total = 0;
    for (size_t i = 0; i < n; i++) {
        exoplace__u128 held = exoplace__fit_cap(capacity[i], layer_cost, n_layers);
        cap[i] = held < n_layers ? (uint32_t)held : n_layers;
        if (cap[i] == 0) {
            char have[EXOPLACE__U128_TEXT_BYTES], need[EXOPLACE__U128_TEXT_BYTES];
            st = exoplace__fail_item(err, EXOPLACE_E_INVALID_SPLIT, "capacity", i, "",
                                     "node %zu holds no layer: its capacity of %s bytes is below the %s bytes "
                                     "of one layer",
                                     i, exoplace__u128_text(have, capacity[i]), exoplace__u128_text(need, layer_cost));
            goto done;
        }
        cap_sum += cap[i];
        total += capacity[i];
    }
    if (cap_sum < n_layers) {
        st = exoplace__fail(err, EXOPLACE_E_INVALID_SPLIT, "n_layers",
                            "the %zu nodes hold %llu layers in all, fewer than the model's %u", n,
                            (unsigned long long)cap_sum, n_layers);
        goto done;
    }
    if (total == 0) {
        /* Only with layer_cost 0, where every node holds every layer. */
        for (size_t i = 0; i < n; i++)
            layers_out[i] = (uint32_t)(n_layers / n + (i < n_layers % n));
        goto done;
    }

    /* Walk the bends of sum(x_i) in increasing lambda. */
    fit_points points = {capacity, cap};
    size_t n_points = 0;
    for (size_t i = 0; i < n; i++) {
        state[i] = FIT_LOW;
        if (capacity[i] != 0 && cap[i] > 1) { /* otherwise it stays at 1 */
            order[n_points++] = (uint32_t)(2 * i);
            order[n_points++] = (uint32_t)(2 * i + 1);
        }
    }
    exoplace__sort(order, tmp, n_points, point_before, &points);
    exoplace__u128 fixed = n, middle_capacity = 0;
    for (size_t k = 0; k < n_points && fixed < n_layers; k++) {
        uint32_t p = order[k];
        size_t i = p / 2;
        /* sum(x) at this point's lambda >= n_layers: lambda* is on this piece. */
        if (middle_capacity != 0 && point_numerator(&points, p) * middle_capacity >= (n_layers - fixed) * capacity[i])
            break;
        if (p % 2 == 0) {
            state[i] = FIT_MIDDLE;
            fixed -= 1;
            middle_capacity += capacity[i];
        } else {
            state[i] = FIT_HIGH;
            fixed += cap[i];
            middle_capacity -= capacity[i];
        }
    }
    /* Past the last bend every node is at a bound, and the bounds sum to at
     * least n_layers (cap_sum, or n_layers from one node when layer_cost is 0),
     * so the walk stops on a piece with middle nodes or with fixed == n_layers. */
    if (middle_capacity == 0 && fixed != n_layers) {
        st = exoplace__fail(err, EXOPLACE_E_INVALID_SPLIT, "n_layers", "no fit split of %u layers", n_layers);
        goto done;
    }
    fit_remainders rem = {capacity, n_layers - fixed, middle_capacity};
    uint32_t given = 0;
    size_t n_middle = 0;
    for (size_t i = 0; i < n; i++) {
        if (state[i] == FIT_MIDDLE) {
            layers_out[i] = (uint32_t)(rem.share * capacity[i] / middle_capacity);
            order[n_middle++] = (uint32_t)i;
        } else {
            layers_out[i] = state[i] == FIT_HIGH ? cap[i] : 1;
        }
        given += layers_out[i];
    }
    if (given < n_layers) {
        exoplace__sort(order, tmp, n_middle, fit_remainder_before, &rem);
        for (size_t k = 0; given < n_layers; k++, given++)
            layers_out[order[k]]++;
    }
done:
    free(cap);
    free(state);
    free(order);
    free(tmp);
    return st;
}

exoplace_status exoplace_layers_fit(uint32_t *layers_out, const uint64_t *capacity, size_t n_nodes,
                                    uint32_t n_layers, uint64_t layer_cost, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!layers_out || !capacity)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "layers_out and capacity must not be NULL");
    if (n_nodes == 0)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "n_nodes", "must be at least 1");
    if (n_nodes > (size_t)EXOPLACE_MAX_NODES)
        return exoplace__fail(err, EXOPLACE_E_LIMIT, "n_nodes", "more than %d nodes", EXOPLACE_MAX_NODES);
    exoplace__u128 *wide = malloc(n_nodes * sizeof *wide);
    if (!wide)
        return exoplace__fail_no_memory(err);
    for (size_t i = 0; i < n_nodes; i++)
        wide[i] = capacity[i];
    exoplace_status st = exoplace__layers_fit(layers_out, wide, n_nodes, n_layers, layer_cost, err);
    free(wide);
    return st;
}

/* ---- by strategy -------------------------------------------------------------- */

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
    case EXOPLACE_LAYERS_FIT:
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "strategy",
                              "fit needs the cost of a layer: use exoplace_layers_fit()");
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
