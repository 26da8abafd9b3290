/* One placement attempt in one memory tier, shared by get_placement and previews. */
#ifndef EXOPLACE_PLACE_H
#define EXOPLACE_PLACE_H

#include "search.h"

/* Checks a model and options (NULL options = defaults, filled into *resolved). */
exoplace_status exoplace__check_request(exoplace_place_options *resolved, const exoplace_model *model,
                                        const exoplace_place_options *options, exoplace_error *err);

/* placement.md section 4 in `tier`, reusing `search`'s caches. */
exoplace_status exoplace__place_attempt(exoplace_placement *out, exoplace__search *search,
                                        const exoplace_model *model, const exoplace_place_options *options,
                                        exoplace_memory_tier tier, exoplace_error *err);

/* exoplace_preview_list_new() over a search context that may serve several
 * models of one topology (its adjacency and distances do not depend on the
 * model): created into *search when NULL, freed by the caller. Each model
 * gets its own work bound. */
exoplace_status exoplace__previews_list(exoplace_preview_list **out, exoplace__search **search,
                                        const exoplace_topology *topology, const exoplace_model *model,
                                        const exoplace_place_options *options, exoplace_error *err);

/* The rank part of shard `rank` of a cycle (node indexes in rank order) of
 * n_nodes: node, device_rank, world_size and the model's n_layers. */
void exoplace__shard_set_rank(exoplace_shard *shard, const exoplace_topology *topology, const uint32_t *cycle,
                              size_t rank, size_t n_nodes, uint32_t n_layers);

/* memory_delta of each shard (placement.md, exo-main.md 8.4): storage_size
 * split evenly over the shards' nodes in byte-wise id order, the first
 * storage_size % n one byte more. order and tmp: n entries of scratch each. */
void exoplace__shards_memory_delta(exoplace_shard *shards, size_t n, uint64_t storage_size, uint32_t *order,
                                   uint32_t *tmp);

#endif
