/* exo-main's shards (exo-main.md 5.12 and 6): the float split, the per-node
 * check, CFG parallel and tensor, after the selection chose a cycle
 * (internal). */
#ifndef EXOPLACE_SHARDS_EXO_MAIN_H
#define EXOPLACE_SHARDS_EXO_MAIN_H

#include "topology.h"
#include "u128.h"

/*
 * Steps 12 and 13 up to the shards: for a chosen cycle (node indexes in rank
 * order, n_nodes >= 1) and the tier being tried, fills *out (zeroed first)
 * with rules EXO_MAIN, the sharding and instance_meta after the one-node
 * override, the tier,
 * is_low_memory, and n_nodes shards (owned; kind, CFG fields, layers and
 * memory_delta). out->instance stays zero. The tier's metric
 * (exoplace__node_metric) stands for ramAvailable in the split and the check.
 * Returns OK, E_ZERO_MEMORY, E_TOO_FEW_LAYERS, E_NODE_INSUFFICIENT_MEMORY
 * (exo's texts), E_INVALID_ARGUMENT (an index out of range), E_NO_MEMORY;
 * on failure *out is zero.
 */
exoplace_status exoplace__exo_main_shards(exoplace_placement *out, const exoplace_topology *topology,
                                          const uint32_t *cycle, size_t n_nodes, const exoplace_model *model,
                                          exoplace_sharding sharding, exoplace_instance_meta instance_meta,
                                          exoplace_memory_tier tier, exoplace_error *err);

/*
 * The split of 6.1 over m >= 1 nodes with metrics a (in order), and its
 * per-node check naming node_ids[i]: counts_out[m]. Allocates scratch only.
 * Returns OK, E_ZERO_MEMORY, E_TOO_FEW_LAYERS, E_NODE_INSUFFICIENT_MEMORY,
 * E_NO_MEMORY.
 */
exoplace_status exoplace__exo_main_split(uint32_t *counts_out, const exoplace__u128 *a, const char *const *node_ids,
                                         size_t m, uint64_t storage_size, uint32_t n_layers, exoplace_error *err);

/* Python's format(bytes / 2**30, ".2f"): the correctly rounded double of
 * the quotient, printed with two decimals, correctly rounded (half to even
 * on the exact binary value), independent of the locale. */
void exoplace__gb_text(char *buf, size_t size, exoplace__u128 bytes);

#endif
