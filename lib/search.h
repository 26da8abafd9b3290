/* The placement search: the best cycle of one length without listing cycles. */
#ifndef EXOPLACE_SEARCH_H
#define EXOPLACE_SEARCH_H

#include "topology.h"
#include "u128.h"

/* Per-call context: the topology's derived graph (id order, adjacency,
 * leaves, thunderbolt conflicts) and caches that hold across lengths, tiers
 * and preview combinations. Owned by one call; never shared between threads. */
typedef struct exoplace__search exoplace__search;

exoplace_status exoplace__search_new(exoplace__search **out, const exoplace_topology *topology,
                                     exoplace_error *err);
void exoplace__search_free(exoplace__search *search);

/* Sets the work bound for the following searches and resets the count. */
void exoplace__search_reset_work(exoplace__search *search, uint64_t max_steps);

/* Resets the count and makes one work bound cover every following search of
 * this context together (previews): exoplace__search_reset_work then keeps
 * the count, until the next call of this function. */
void exoplace__search_share_work(exoplace__search *search, uint64_t max_steps);

/* Counts `units` of work against the bound; 0 once it is exceeded. */
int exoplace__search_spend(exoplace__search *search, uint64_t units);

/* The E_SEARCH_LIMIT failure, naming the bound. */
exoplace_status exoplace__search_fail_limit(const exoplace__search *search, exoplace_error *err);

/* The call's exo-main state (select_exo_main.h): the graph, created on the
 * first use and owned by the search context. */
struct exoplace__exo_main_graph;
exoplace_status exoplace__search_exo_main_graph(struct exoplace__exo_main_graph **out, exoplace__search *search,
                                                exoplace_error *err);

/* Switches the metric to a memory tier (cached per tier). */
exoplace_status exoplace__search_use_tier(exoplace__search *search, exoplace_memory_tier tier,
                                          exoplace_error *err);

/* Switches the metric to the layers each node holds in `tier` under strategy
 * fit: floor((metric - reserve) / layer_cost), n_layers when layer_cost is 0
 * (placement.md section 3). Nodes that hold no layer leave the graph, so
 * every cycle found has a safe split when its metric sum is >= n_layers and
 * it has at most n_layers nodes. Cached per tier for the last (layer_cost,
 * reserve, n_layers). */
exoplace_status exoplace__search_use_fit(exoplace__search *search, exoplace_memory_tier tier,
                                         exoplace__u128 layer_cost, uint64_t reserve, uint32_t n_layers,
                                         exoplace_error *err);

/* Nodes that can be placed on (those with a profile): no cycle is longer. */
size_t exoplace__search_placeable_count(const exoplace__search *search);

/* Whether some cycle of `length` nodes could reach `required` by the
 * largest metrics alone (a necessary condition, O(1)). */
int exoplace__search_length_may_fit(const exoplace__search *search, size_t length, uint64_t required);

/* The best cycle of exactly `length` nodes of the current view whose metric sum is >=
 * `required`, by placement.md section 4: thunderbolt cycle, then has a leaf,
 * then the greatest sum, then canonical order. On EXOPLACE_OK, *found says
 * whether one exists and cycle_out (length entries) holds it in canonical
 * rotation. E_SEARCH_LIMIT when the work bound is exceeded. */
exoplace_status exoplace__search_best_cycle(exoplace__search *search, size_t length, uint64_t required,
                                            uint32_t *cycle_out, int *found, exoplace_error *err);

/* The cycle of exactly `length` nodes of the current view with the greatest
 * metric sum, when that sum reaches `required` (canonical first among equal
 * sums; thunderbolt and leaves play no part). Same outcomes and work bound
 * as exoplace__search_best_cycle(); not remembered between calls. */
exoplace_status exoplace__search_greatest_cycle(exoplace__search *search, size_t length, exoplace__u128 required,
                                                uint32_t *cycle_out, int *found, exoplace_error *err);

/* The current view's nodes, and the sum of their metrics. */
size_t exoplace__search_view_count(const exoplace__search *search);
exoplace__u128 exoplace__search_metric_total(const exoplace__search *search);

/* The current tier's metric of a node. */
exoplace__u128 exoplace__search_metric(const exoplace__search *search, uint32_t node);

/* Byte-wise id order: rank[node] is the node's position in it. */
const uint32_t *exoplace__search_rank(const exoplace__search *search);

const exoplace_topology *exoplace__search_topology(const exoplace__search *search);

#endif
