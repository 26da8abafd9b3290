/* Pipeline layer splits over exact (128-bit) per-node metrics. */
#ifndef EXOPLACE_LAYERS_H
#define EXOPLACE_LAYERS_H

#include "exoplace.h"
#include "u128.h"

/* exoplace_layers_distribute() for 128-bit metrics (the swap tier's can pass 2^64). */
exoplace_status exoplace__layers_split(uint32_t *layers_out, const exoplace__u128 *memory, size_t n_nodes,
                                      uint32_t n_layers, exoplace_layer_strategy strategy, exoplace_error *err);

#endif
