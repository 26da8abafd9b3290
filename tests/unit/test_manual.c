/*
 * exoplace_place_manual(): the caller's ring and layer counts, checked
 * against the topology and against each node's memory as strategy fit counts
 * it, with the node and its shortfall named when one is short.
 */
#include "unit.h"

#include <string.h>

#define T_MIB (UINT64_C(1024) * 1024)

static exoplace_topology *t;
static exoplace_placement p;

/* gpu (22938 MiB available, 24 GiB total) and mac (27648 MiB, 32 GiB) both
 * ways; c reached from mac only, and back to gpu. */
static void setup(void)
{
    t = t_topology();
    memset(&p, 0, sizeof p);
    t_node(t, "gpu", 24 * T_GIB, 22938 * T_MIB);
    t_node(t, "mac", 32 * T_GIB, 27648 * T_MIB);
    t_node(t, "c", 8 * T_GIB, 8 * T_GIB);
    t_node_bare(t, "bare");
    t_eth(t, "gpu", "mac");
    t_eth(t, "mac", "gpu");
    t_eth(t, "mac", "c");
    t_eth(t, "c", "gpu");
    t_eth(t, "c", "bare");
    t_eth(t, "bare", "c");
}

static void teardown(void)
{
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
    t = NULL;
}

/* exo PR #2227's model: 40 GiB over 32 layers and 256 MiB of KV cache a layer, 1536 MiB each. */
static exoplace_model pr_2227_model(void)
{
    exoplace_model m = t_model("m", 40 * T_GIB, 32);
    m.kv_cache_bytes_per_layer = 256 * T_MIB;
    return m;
}

/* manual(T_IDS(...), T_U32(...), options, err): the ring and its counts, of one length. */
static exoplace_status manual(const char *const *ids, size_t n_ids, const uint32_t *counts, size_t n_counts,
                              const exoplace_place_options *o, exoplace_error *err)
{
    ck_assert_uint_eq(n_ids, n_counts);
    exoplace_placement_dispose(&p);
    exoplace_model m = pr_2227_model();
    return exoplace_place_manual(&p, t, &m, ids, counts, n_ids, o, err);
}

START_TEST(a_ring_that_holds_its_layers_gets_those_shards)
{
    exoplace_error err;
    const char *ids[] = {"mac", "gpu"};
    ck_assert_int_eq(manual(ids, 2, T_U32(18, 14), NULL, &err), EXOPLACE_OK);
    t_assert_ranks(&p, t, 32, ids, 2);
    t_assert_layer_counts(&p, T_U32(18, 14));
    ck_assert_int_eq(p.memory_tier, EXOPLACE_TIER_AVAILABLE);
    ck_assert_int_eq(p.is_low_memory, 0);
    ck_assert_int_eq(p.instance_meta, EXOPLACE_INSTANCE_MLX_RING);
    ck_assert_int_eq(p.sharding, EXOPLACE_SHARDING_PIPELINE);
    /* 40 GiB evenly by id: gpu, mac */
    ck_assert(p.shards[0].memory_delta == 20 * T_GIB && p.shards[1].memory_delta == 20 * T_GIB);
    /* three nodes, the ring mac -> c -> gpu -> mac; MlxJaccl kept for more than one node */
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.instance_meta = EXOPLACE_INSTANCE_MLX_JACCL;
    const char *three[] = {"mac", "c", "gpu"};
    ck_assert_int_eq(manual(three, 3, T_U32(16, 5, 11), &o, &err), EXOPLACE_OK);
    t_assert_ranks(&p, t, 32, three, 3);
    t_assert_layer_counts(&p, T_U32(16, 5, 11));
    ck_assert_int_eq(p.instance_meta, EXOPLACE_INSTANCE_MLX_JACCL);
    /* one node is always a ring */
    const char *one[] = {"mac"};
    exoplace_model small = t_model("s", 8 * T_GIB, 4);
    exoplace_placement_dispose(&p);
    ck_assert_int_eq(exoplace_place_manual(&p, t, &small, one, (const uint32_t[]){4}, 1, &o, &err), EXOPLACE_OK);
    ck_assert_int_eq(p.instance_meta, EXOPLACE_INSTANCE_MLX_RING);
}
END_TEST

START_TEST(a_node_short_of_memory_is_named_with_its_shortfall)
{
    exoplace_error err;
    /* gpu's 15 layers need 23040 MiB; it has 22938: 102 MiB short */
    ck_assert_int_eq(manual(T_IDS("gpu", "mac"), T_U32(15, 17), NULL, &err), EXOPLACE_E_NODE_INSUFFICIENT_MEMORY);
    ck_assert_str_eq(err.field, "layer_counts[0]");
    ck_assert_str_eq(err.message, "node gpu cannot hold its 15 layers in available memory: they need 24159191040 "
                                  "bytes (15 x 1610612736), it has 24052236288 (24052236288 less the reserve of "
                                  "0): 106954752 bytes short");
    ck_assert_ptr_null(p.shards);
    ck_assert(exoplace_status_is_placement_failure(err.code));
    /* in the total tier (24 GiB) it holds 16 */
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.memory_tier = EXOPLACE_TIER_TOTAL;
    ck_assert_int_eq(manual(T_IDS("gpu", "mac"), T_U32(15, 17), &o, &err), EXOPLACE_OK);
    ck_assert_int_eq(p.is_low_memory, 1);
    ck_assert_int_eq(p.memory_tier, EXOPLACE_TIER_TOTAL);
    /* a reserve of 1 GiB leaves gpu 23 GiB: 15 x 1.5 = 22.5 fits, 16 x 1.5 = 24 does not */
    o.reserve_bytes = T_GIB;
    ck_assert_int_eq(manual(T_IDS("gpu", "mac"), T_U32(15, 17), &o, &err), EXOPLACE_OK);
    ck_assert_int_eq(manual(T_IDS("gpu", "mac"), T_U32(16, 16), &o, &err), EXOPLACE_E_NODE_INSUFFICIENT_MEMORY);
    ck_assert_str_eq(err.field, "layer_counts[0]");
    ck_assert_msg(strstr(err.message, "less the reserve of 1073741824): 1073741824 bytes short") != NULL, "%s",
                  err.message);
    /* the first short node in rank order is the one named */
    o.reserve_bytes = 0;
    o.memory_tier = EXOPLACE_TIER_AVAILABLE;
    ck_assert_int_eq(manual(T_IDS("mac", "gpu"), T_U32(19, 13), &o, &err), EXOPLACE_E_NODE_INSUFFICIENT_MEMORY);
    ck_assert_str_eq(err.field, "layer_counts[0]");
    ck_assert(strncmp(err.message, "node mac cannot hold its 19 layers", 34) == 0);
}
END_TEST

START_TEST(a_node_without_a_profile_holds_nothing)
{
    exoplace_error err;
    exoplace_model m = t_model("m", 2, 2);
    const char *ids[] = {"c", "bare"};
    const uint32_t counts[] = {1, 1};
    ck_assert_int_eq(exoplace_place_manual(&p, t, &m, ids, counts, 2, NULL, &err), EXOPLACE_E_NODE_INSUFFICIENT_MEMORY);
    ck_assert_str_eq(err.field, "layer_counts[1]");
    ck_assert_str_eq(err.message, "node bare has no memory profile: its 1 layers need 1 bytes (1 x 1)");
}
END_TEST

START_TEST(the_ring_must_be_a_cycle_of_distinct_known_nodes)
{
    exoplace_error err;
    /* gpu -> c has no connection */
    ck_assert_int_eq(manual(T_IDS("gpu", "c", "mac"), T_U32(10, 5, 17), NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "node_ids[0]");
    ck_assert_str_eq(err.message, "the ring is no cycle of the topology: no connection from gpu to c");
    /* mac -> c -> gpu, but not back to ... the last must reach the first: c -> mac has none */
    ck_assert_int_eq(manual(T_IDS("mac", "c"), T_U32(20, 12), NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "node_ids[1]");
    ck_assert_int_eq(manual(T_IDS("gpu", "nobody"), T_U32(16, 16), NULL, &err), EXOPLACE_E_UNKNOWN_NODE);
    ck_assert_str_eq(err.field, "node_ids[1]");
    ck_assert_int_eq(manual(T_IDS("gpu", "mac", "gpu"), T_U32(10, 12, 10), NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "node_ids[2]");
    const char *with_null[] = {"gpu", NULL};
    ck_assert_int_eq(manual(with_null, 2, T_U32(16, 16), NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "node_ids[1]");
}
END_TEST

START_TEST(the_counts_must_be_positive_and_sum_to_n_layers)
{
    exoplace_error err;
    ck_assert_int_eq(manual(T_IDS("mac", "gpu"), T_U32(18, 13), NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "layer_counts");
    ck_assert_str_eq(err.message, "the counts sum to 31, the model has 32 layers");
    ck_assert_int_eq(manual(T_IDS("mac", "gpu"), T_U32(32, 0), NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "layer_counts[1]");
    /* 2^32 - 1 + 33 wraps a 32-bit sum to 32 */
    ck_assert_int_eq(manual(T_IDS("mac", "gpu"), T_U32(UINT32_MAX, 33), NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "layer_counts");
}
END_TEST

START_TEST(arguments_and_rule_sets_are_checked)
{
    exoplace_error err;
    exoplace_model m = pr_2227_model();
    const char *ids[] = {"mac", "gpu"};
    const uint32_t counts[] = {18, 14};
    ck_assert_int_eq(exoplace_place_manual(NULL, t, &m, ids, counts, 2, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_place_manual(&p, NULL, &m, ids, counts, 2, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_place_manual(&p, t, NULL, ids, counts, 2, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_place_manual(&p, t, &m, NULL, counts, 2, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_place_manual(&p, t, &m, ids, NULL, 2, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_place_manual(&p, t, &m, ids, counts, 0, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "n_nodes");
    ck_assert_int_eq(exoplace_place_manual(&p, t, &m, ids, counts, 5, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "n_nodes");
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.sharding = EXOPLACE_SHARDING_TENSOR;
    ck_assert_int_eq(exoplace_place_manual(&p, t, &m, ids, counts, 2, &o, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "sharding");
    exoplace_place_options_init(&o);
    o.rules = EXOPLACE_RULES_EXO_MAIN;
    ck_assert_int_eq(exoplace_place_manual(&p, t, &m, ids, counts, 2, &o, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "rules");
    exoplace_place_options_init(&o);
    o.struct_size = 3;
    ck_assert_int_eq(exoplace_place_manual(&p, t, &m, ids, counts, 2, &o, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "options.struct_size");
    m.n_layers = 0;
    ck_assert_int_eq(exoplace_place_manual(&p, t, &m, ids, counts, 2, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "model.n_layers");
    ck_assert_ptr_null(p.shards);
}
END_TEST

static Suite *manual_suite(void)
{
    Suite *s = suite_create("manual");
    TCase *tc = tcase_create("manual split");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, a_ring_that_holds_its_layers_gets_those_shards);
    tcase_add_test(tc, a_node_short_of_memory_is_named_with_its_shortfall);
    tcase_add_test(tc, a_node_without_a_profile_holds_nothing);
    tcase_add_test(tc, the_ring_must_be_a_cycle_of_distinct_known_nodes);
    tcase_add_test(tc, the_counts_must_be_positive_and_sum_to_n_layers);
    tcase_add_test(tc, arguments_and_rule_sets_are_checked);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run(manual_suite());
}
