/*
 * Shared helpers of the unit suites (tests/unit/test_<module>.c).
 *
 * Every helper asserts with Check, so a failing set-up step fails the test
 * that called it with the line of the helper. Memory figures are bytes.
 */
#ifndef EXOPLACE_TEST_UNIT_H
#define EXOPLACE_TEST_UNIT_H

#include "exoplace.h"

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#define T_KIB UINT64_C(1024)
#define T_GIB (UINT64_C(1024) * 1024 * 1024)

/* An id list and its length, as two arguments: f(t, T_IDS("a", "b")). */
#define T_IDS(...)                                                                                 \
    ((const char *const[]){__VA_ARGS__}),                                                          \
        (sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

/* A uint32_t list and its length, as two arguments. */
#define T_U32(...)                                                                                 \
    ((const uint32_t[]){__VA_ARGS__}), (sizeof((const uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t))

/* A uint64_t list and its length, as two arguments. */
#define T_U64(...)                                                                                 \
    ((const uint64_t[]){__VA_ARGS__}), (sizeof((const uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t))

/* A new empty topology (asserts success). */
exoplace_topology *t_topology(void);

/* Adds a node with ram_total/ram_available, no swap, no pressure information. */
void t_node(exoplace_topology *t, const char *id, uint64_t ram_total, uint64_t ram_available);

/* Adds a node with a full profile. */
void t_node_memory(exoplace_topology *t, const char *id, const exoplace_node_memory *memory);

/* Adds a node without a profile. */
void t_node_bare(exoplace_topology *t, const char *id);

/* Adds a connection a -> b over a fresh ethernet (10.x) or thunderbolt (169.254.x) address. */
void t_eth(exoplace_topology *t, const char *a, const char *b);
void t_tb(exoplace_topology *t, const char *a, const char *b);

/* ids[0] -> ids[1] -> ... -> ids[n-1] -> ids[0]; thunderbolt when tb. */
void t_ring(exoplace_topology *t, int tb, const char *const *ids, size_t n);

/* Every ordered pair of distinct ids; thunderbolt when tb. */
void t_mesh(exoplace_topology *t, int tb, const char *const *ids, size_t n);

/* Asserts that two topologies hold the same nodes (ids in order, profiles,
 * interfaces, successors in order, how each was added), connections in order
 * and node pairs, whatever their hash keys; reads lib/ internals. */
void t_assert_same_topology(const exoplace_topology *a, const exoplace_topology *b);

/* Index of node `id` (asserts it exists). */
size_t t_index(const exoplace_topology *t, const char *id);

/* A model: id, storage_size, n_layers; hidden_size not stated, supports_tensor not stated. */
exoplace_model t_model(const char *id, uint64_t storage_size, uint32_t n_layers);

/* Options from exoplace_place_options_init() with a random source: the
 * callback (NULL: none) and ctx, and the seed when use_seed. */
exoplace_place_options t_random_options(int (*random_bytes)(void *ctx, void *buffer, size_t length), void *ctx,
                                        int use_seed, uint64_t seed);

/* Options from exoplace_place_options_init() with the exo layer strategy. */
exoplace_place_options t_exo_options(void);

/* Asserts the placement's shards are, in rank order, exactly the given ids, and
 * that every shard's device_rank, world_size, node_index and n_layers agree. */
void t_assert_ranks(const exoplace_placement *p, const exoplace_topology *t, uint32_t n_layers,
                    const char *const *ids, size_t n);

/* Asserts pipeline shards: contiguous ranges from 0 with these layer counts. */
void t_assert_layer_counts(const exoplace_placement *p, const uint32_t *counts, size_t n);

/* Asserts tensor shards: every shard holds [0, n_layers). */
void t_assert_tensor_layers(const exoplace_placement *p);

/* ---- explanations ---- */

__extension__ typedef unsigned __int128 t_u128;

/* A node's metric in `tier` in bytes, from its profile (the tier table of exoplace.h). */
t_u128 t_tier_bytes(const exoplace_topology *t, size_t node, exoplace_memory_tier tier);

/* Whether an explanation of these options counts layers (strategy fit, pipeline). */
int t_explains_by_layers(const exoplace_place_options *o);

/* A node's metric in an explanation's unit (bytes, or layers held);
 * *usable says whether it can take a share at all. */
t_u128 t_explained_metric(const exoplace_topology *t, size_t node, exoplace_memory_tier tier,
                          const exoplace_model *m, const exoplace_place_options *o, int *usable);

/* Asserts every relation exoplace.h states between an explanation's numbers:
 * metrics, cluster sums, shares summing to the need, shortfalls to the gap. */
void t_assert_explanation_adds_up(const exoplace_topology *t, const exoplace_explanation *explanation,
                                  const exoplace_model *m, const exoplace_place_options *o);

/* Explains a failed request (NULL options: the defaults), asserts that its
 * first tier failed with `status` (or, for E_SEARCH_LIMIT, some tier did)
 * and that its numbers add up. */
void t_assert_failure_explained(const exoplace_topology *t, const exoplace_model *m,
                                const exoplace_place_options *o, exoplace_status status);

/* Runs one suite; returns the process exit status. */
int t_run(Suite *suite);

#endif
