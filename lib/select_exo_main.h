/* exo-main's cycle selection (exo-main.md 3, 4 and 5.1 to 5.11), internal. */
#ifndef EXOPLACE_SELECT_EXO_MAIN_H
#define EXOPLACE_SELECT_EXO_MAIN_H

#include "instance.h"
#include "random.h"
#include "search.h"

/* What one call's exo-main attempts share: the graph exo builds (edge
 * orders, the start sequence of rustworkx's Johnson iteration and its
 * pieces), reverse-BFS distances per start and per-tier metric orders. It
 * depends on the topology only, so it serves every attempt of a call. */
typedef struct exoplace__exo_main_graph exoplace__exo_main_graph;

exoplace_status exoplace__exo_main_graph_new(exoplace__exo_main_graph **out, const exoplace_topology *topology,
                                             exoplace_error *err);
void exoplace__exo_main_graph_free(exoplace__exo_main_graph *graph);

/*
 * Steps 5.1 to 5.11 in `tier` (its metric stands for ramAvailable): the
 * cycle exo's place_instance chooses for `model` with options' sharding,
 * instance_meta, min_nodes and required node ids, in rank order (rank 0
 * first: section 3's rotation) into cycle_out (room for every node), its
 * length into *length_out. Work counts against `search`'s bound (the start
 * sequence is computed once, on the first call, and counted there).
 * Returns OK or a step's failure with exo's text (E_INSUFFICIENT_MEMORY,
 * E_TENSOR_UNSUPPORTED, E_TENSOR_INDIVISIBLE, E_PIPELINE_UNSUPPORTED_MODEL,
 * E_PIPELINE_SINGLE_NODE_ONLY, E_BACKEND_INCOMPATIBLE_MODEL,
 * E_BACKEND_NO_CYCLE, E_RDMA_NO_CYCLE); E_SEARCH_LIMIT; E_NO_MEMORY.
 */
exoplace_status exoplace__exo_main_select(uint32_t *cycle_out, size_t *length_out, exoplace__exo_main_graph *graph,
                                          exoplace__search *search, const exoplace_model *model,
                                          const exoplace_place_options *options, exoplace_memory_tier tier,
                                          exoplace_error *err);

/* An explanation's candidate (exoplace_explain()): the cycle of exactly
 * `length` nodes of exo's graph through every required node of `options`
 * with the greatest metric sum in `tier`, when that sum reaches `required`,
 * into cycle_out in rank order; *found says whether there is one. Work
 * counts against `search`'s bound: E_SEARCH_LIMIT; E_NO_MEMORY. */
exoplace_status exoplace__exo_main_greatest(uint32_t *cycle_out, int *found, exoplace__exo_main_graph *graph,
                                            exoplace__search *search, const exoplace_model *model,
                                            const exoplace_place_options *options, exoplace_memory_tier tier,
                                            size_t length, exoplace__u128 required, exoplace_error *err);

/* Whether tensor sharding may use cycles of `length` nodes (exo-main.md 5.4):
 * it divides hidden_size and, unless the base model is DeepSeek V4, the
 * key-value heads when stated. */
int exoplace__exo_main_tensor_length_ok(const exoplace_model *model, size_t length);

/* The out-edge index of the graph's topology (exoplace__out_edges_init),
 * built on the first call; NULL with *err set when out of memory. */
const exoplace__out_edges *exoplace__exo_main_graph_out_edges(exoplace__exo_main_graph *graph, exoplace_error *err);

/* The call's random source: made from `options` on the first call
 * (exoplace__random_init), the same stream for every later placement of
 * the call, so that each draws its own ids. */
exoplace__random *exoplace__exo_main_graph_random(exoplace__exo_main_graph *graph,
                                                  const exoplace_place_options *options);

/* A node's download fraction for a model id (exo-main.md 4). */
double exoplace__download_fraction(const exoplace__node *node, const char *model_id);

#endif
