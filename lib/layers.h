/* Pipeline layer splits over exact (128-bit) per-node metrics. */
#ifndef EXOPLACE_LAYERS_H
#define EXOPLACE_LAYERS_H

#include "exoplace.h"
#include "u128.h"

/* exoplace_layers_distribute() for 128-bit metrics (the swap tier's can pass 2^64). */
exoplace_status exoplace__layers_split(uint32_t *layers_out, const exoplace__u128 *memory, size_t n_nodes,
                                      uint32_t n_layers, exoplace_layer_strategy strategy, exoplace_error *err);

/* Strategy fit (placement.md section 3). A layer's cost on a node:
 * ceil(storage_size / n_layers) + kv_cache_bytes_per_layer (n_layers >= 1). */
exoplace__u128 exoplace__fit_layer_cost(const exoplace_model *model);

/* A node's capacity: its tier metric minus the reserve, 0 when smaller. */
exoplace__u128 exoplace__fit_capacity(exoplace__u128 metric, uint64_t reserve);

/* The layers a node of `capacity` holds: floor(capacity / layer_cost), or
 * n_layers when a layer costs nothing. */
exoplace__u128 exoplace__fit_cap(exoplace__u128 capacity, exoplace__u128 layer_cost, uint32_t n_layers);

/* exoplace_layers_fit() for 128-bit capacities and layer cost. */
exoplace_status exoplace__layers_fit(uint32_t *layers_out, const exoplace__u128 *capacity, size_t n_nodes,
                                     uint32_t n_layers, exoplace__u128 layer_cost, exoplace_error *err);

#endif
