/* exo-main's instance (exo-main.md 7): runner ids, ring hosts, the jaccl
 * devices matrix and coordinators, and the ephemeral port (internal). */
#ifndef EXOPLACE_INSTANCE_H
#define EXOPLACE_INSTANCE_H

#include "random.h"
#include "topology.h"

/* Each node's outgoing connections in the order they were added, so that an
 * instance reads the connections of its own nodes only. Built in O(nodes +
 * connections) once for any number of instances of one topology. */
typedef struct exoplace__out_edges {
    uint32_t *first;       /* n_nodes + 1 offsets into connection */
    uint32_t *connection;  /* connection indexes, grouped by source */
} exoplace__out_edges;

exoplace_status exoplace__out_edges_init(exoplace__out_edges *out, const exoplace_topology *topology,
                                         exoplace_error *err);
void exoplace__out_edges_dispose(exoplace__out_edges *out_edges);

/*
 * Section 7 for a placement whose shards exoplace__exo_main_shards() filled
 * (ranks, instance_meta after the one-node override): fills
 * placement->instance. out_edges may be NULL (the connections are then
 * scanned once). Random values are drawn from `random` in exo's order
 * (exoplace.h, "Instances"), a failure stopping the draws where exo's
 * would stop. Returns OK, E_RING_NO_LINK, E_JACCL_NOT_ALL_TO_ALL,
 * E_JACCL_UNREACHABLE_COORDINATOR, E_INVALID_MULTIADDR (exo's texts),
 * E_RANDOM, E_NO_MEMORY; on failure the instance is zero.
 */
exoplace_status exoplace__instance_build(exoplace_placement *placement, const exoplace_topology *topology,
                                         const exoplace__out_edges *out_edges, exoplace__random *random,
                                         exoplace_error *err);

/* Frees what an instance owns and zeroes it. */
void exoplace__instance_dispose(exoplace_instance *instance);

/*
 * exo-main.md 5.12 and 5.13 after the selection: the shards
 * (exoplace__exo_main_shards) then the instance (exoplace__instance_build),
 * for the chosen cycle (node indexes in rank order) in the tier being
 * tried, the random values from `random` (exoplace__random_init() of the
 * call's options, one stream for every placement of the call). On failure
 * *out is zero; the shards' errors come before any draw.
 */
exoplace_status exoplace__exo_main_place_cycle(exoplace_placement *out, const exoplace_topology *topology,
                                               const exoplace__out_edges *out_edges, const uint32_t *cycle,
                                               size_t n_nodes, const exoplace_model *model,
                                               exoplace_sharding sharding, exoplace_instance_meta instance_meta,
                                               exoplace_memory_tier tier, exoplace__random *random,
                                               exoplace_error *err);

#endif
