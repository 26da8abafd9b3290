/*
 * exoplace_place(): one attempt in one memory tier (placement.md section 4),
 * exo's own placement tests restated as facts, the libexoplace tie-break, the
 * tensor checks, limits and argument errors.
 */
#include "unit.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static exoplace_topology *t;
static exoplace_placement p;

static void setup(void)
{
    t = t_topology();
    memset(&p, 0, sizeof p);
}

static void teardown(void)
{
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
    t = NULL;
}

static void place_ok(const exoplace_model *model, const exoplace_place_options *options)
{
    exoplace_error err;
    exoplace_status st = exoplace_place(&p, t, model, options, &err);
    ck_assert_msg(st == EXOPLACE_OK, "place: %s (%s)", exoplace_status_name(st), err.message);
    ck_assert_int_eq(err.code, EXOPLACE_OK);
}

static void place_fails(const exoplace_model *model, const exoplace_place_options *options,
                        exoplace_status expected, const char *message)
{
    exoplace_error err;
    exoplace_status st = exoplace_place(&p, t, model, options, &err);
    ck_assert_msg(st == expected, "place gave %s (%s), expected %s", exoplace_status_name(st), err.message,
                  exoplace_status_name(expected));
    ck_assert_int_eq(err.code, expected);
    if (message)
        ck_assert_str_eq(err.message, message);
    t_assert_failure_explained(t, model, options, expected);
}

static const char *const no_memory_text = "No cycles found with sufficient memory";

/* ---- defaults ---- */

START_TEST(place_options_init_sets_documented_defaults)
{
    exoplace_place_options o;
    memset(&o, 0x5a, sizeof o);
    exoplace_place_options_init(&o);
    ck_assert_uint_eq(o.struct_size, sizeof o);
    ck_assert_int_eq(o.sharding, EXOPLACE_SHARDING_PIPELINE);
    ck_assert_int_eq(o.instance_meta, EXOPLACE_INSTANCE_MLX_RING);
    ck_assert_uint_eq(o.min_nodes, 1);
    ck_assert_int_eq(o.strategy, EXOPLACE_LAYERS_LARGEST_REMAINDER);
    ck_assert_int_eq(o.memory_tier, EXOPLACE_TIER_AVAILABLE);
    ck_assert_int_eq(o.no_fallback, 0);
    ck_assert_int_eq(o.allow_swap, 0);
    ck_assert(o.max_search_steps == 0 || o.max_search_steps == EXOPLACE_DEFAULT_MAX_SEARCH_STEPS);
    ck_assert_uint_eq(o.reserve_bytes, 0);
}
END_TEST

START_TEST(model_init_sets_documented_defaults)
{
    exoplace_model m;
    memset(&m, 0x5a, sizeof m);
    exoplace_model_init(&m);
    ck_assert_ptr_null(m.model_id);
    ck_assert_uint_eq(m.storage_size, 0);
    ck_assert_uint_eq(m.n_layers, 0);
    ck_assert_uint_eq(m.hidden_size, 0);
    ck_assert_int_eq(m.supports_tensor, -1);
    ck_assert_uint_eq(m.kv_cache_bytes_per_layer, 0);
}
END_TEST

START_TEST(null_options_mean_defaults_largest_remainder)
{
    /* two equal nodes, 5 layers: largest remainder gives 3, 2 (exo would give 2, 3) */
    t_node(t, "a", 100, 100);
    t_node(t, "b", 100, 100);
    t_ring(t, 0, T_IDS("a", "b"));
    exoplace_model m = t_model("m", 150, 5);
    place_ok(&m, NULL);
    t_assert_ranks(&p, t, 5, T_IDS("a", "b"));
    t_assert_layer_counts(&p, T_U32(3, 2));
    ck_assert_int_eq(p.sharding, EXOPLACE_SHARDING_PIPELINE);
    ck_assert_int_eq(p.instance_meta, EXOPLACE_INSTANCE_MLX_RING);
    ck_assert_int_eq(p.memory_tier, EXOPLACE_TIER_AVAILABLE);
    ck_assert_int_eq(p.is_low_memory, 0);
}
END_TEST

START_TEST(exo_strategy_option_gives_exo_split)
{
    t_node(t, "a", 100, 100);
    t_node(t, "b", 100, 100);
    t_ring(t, 0, T_IDS("a", "b"));
    exoplace_model m = t_model("m", 150, 5);
    exoplace_place_options o = t_exo_options();
    place_ok(&m, &o);
    t_assert_layer_counts(&p, T_U32(2, 3));
}
END_TEST

START_TEST(dispose_frees_and_zeroes)
{
    t_node(t, "a", 100, 100);
    exoplace_model m = t_model("m", 10, 1);
    place_ok(&m, NULL);
    exoplace_placement_dispose(&p);
    ck_assert_ptr_null(p.shards);
    ck_assert_uint_eq(p.n_nodes, 0);
    exoplace_placement_dispose(&p); /* twice is harmless */
}
END_TEST

START_TEST(failed_place_leaves_no_shards_in_out)
{
    /* "filled on success only": a failure hands the caller nothing to free */
    t_node(t, "a", 100, 100);
    exoplace_model m = t_model("m", 101, 1);
    exoplace_placement out;
    memset(&out, 0, sizeof out);
    ck_assert_int_eq(exoplace_place(&out, t, &m, NULL, NULL), EXOPLACE_E_INSUFFICIENT_MEMORY);
    ck_assert_ptr_null(out.shards);
    ck_assert_uint_eq(out.n_nodes, 0);
}
END_TEST

/* ---- exo's placement tests, as facts ---- */

START_TEST(one_node_of_1000_kib_takes_a_1000_kib_model)
{
    t_node(t, "n", 1000 * T_KIB, 1000 * T_KIB);
    exoplace_model m = t_model("m", 1000 * T_KIB, 10);
    exoplace_place_options o = t_exo_options();
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 10, T_IDS("n"));
    t_assert_layer_counts(&p, T_U32(10));
}
END_TEST

START_TEST(one_node_of_1001_kib_takes_a_1000_kib_model)
{
    t_node(t, "n", 1001 * T_KIB, 1001 * T_KIB);
    exoplace_model m = t_model("m", 1000 * T_KIB, 10);
    exoplace_place_options o = t_exo_options();
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 10, T_IDS("n"));
}
END_TEST

START_TEST(model_of_1001_kib_on_a_1000_kib_node_has_no_cycle)
{
    t_node(t, "n", 1000 * T_KIB, 1000 * T_KIB);
    exoplace_model m = t_model("m", 1001 * T_KIB, 10);
    place_fails(&m, NULL, EXOPLACE_E_INSUFFICIENT_MEMORY, no_memory_text);
}
END_TEST

START_TEST(two_node_ring_of_1000_kib_each_takes_1500_kib)
{
    t_node(t, "n1", 1000 * T_KIB, 1000 * T_KIB);
    t_node(t, "n2", 1000 * T_KIB, 1000 * T_KIB);
    t_ring(t, 1, T_IDS("n1", "n2"));
    exoplace_model m = t_model("m", 1500 * T_KIB, 10);
    exoplace_place_options o = t_exo_options();
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 10, T_IDS("n1", "n2"));
    t_assert_layer_counts(&p, T_U32(5, 5));
}
END_TEST

START_TEST(two_node_ring_of_1000_kib_each_refuses_2001_kib)
{
    t_node(t, "n1", 1000 * T_KIB, 1000 * T_KIB);
    t_node(t, "n2", 1000 * T_KIB, 1000 * T_KIB);
    t_ring(t, 1, T_IDS("n1", "n2"));
    exoplace_model m = t_model("m", 2001 * T_KIB, 10);
    place_fails(&m, NULL, EXOPLACE_E_INSUFFICIENT_MEMORY, no_memory_text);
}
END_TEST

START_TEST(requirement_of_1500_kib_keeps_only_the_three_node_cycle)
{
    /* A, B 500 KiB, C 1000 KiB; A->B, B->A, A->C, C->B: [A,B] has 1000 KiB, [A,C,B] 2000 KiB */
    t_node(t, "a", 1000 * T_KIB, 500 * T_KIB);
    t_node(t, "b", 1000 * T_KIB, 500 * T_KIB);
    t_node(t, "c", 1000 * T_KIB, 1000 * T_KIB);
    t_tb(t, "a", "b");
    t_tb(t, "b", "a");
    t_tb(t, "a", "c");
    t_tb(t, "c", "b");
    exoplace_model m = t_model("m", 1500 * T_KIB, 12);
    exoplace_place_options o = t_exo_options();
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 12, T_IDS("a", "c", "b"));
    t_assert_layer_counts(&p, T_U32(3, 6, 3));
}
END_TEST

START_TEST(create_instance_500_500_1000_kib_splits_3_3_6)
{
    t_node(t, "a", 1000, 500);
    t_node(t, "b", 1000, 500);
    t_node(t, "c", 1000, 1000);
    t_ring(t, 1, T_IDS("a", "b", "c"));
    exoplace_model m = t_model("m", 2000, 12);
    exoplace_place_options o = t_exo_options();
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 12, T_IDS("a", "b", "c"));
    t_assert_layer_counts(&p, T_U32(3, 3, 6));
}
END_TEST

START_TEST(create_instance_312_518_1024_splits_2_3_7)
{
    t_node(t, "a", 1000, 312);
    t_node(t, "b", 1000, 518);
    t_node(t, "c", 1000, 1024);
    t_ring(t, 1, T_IDS("a", "b", "c"));
    exoplace_model m = t_model("m", 1854, 12);
    exoplace_place_options o = t_exo_options();
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 12, T_IDS("a", "b", "c"));
    t_assert_layer_counts(&p, T_U32(2, 3, 7));
}
END_TEST

START_TEST(smallest_feasible_cycle_of_triangle_plus_back_edge_is_the_pair)
{
    t_node(t, "a", 1000, 500 * T_KIB);
    t_node(t, "b", 1000, 500 * T_KIB);
    t_node(t, "c", 1000, 1000 * T_KIB);
    t_ring(t, 1, T_IDS("a", "b", "c"));
    t_tb(t, "b", "a");
    exoplace_model m = t_model("m", 1000 * T_KIB, 10);
    exoplace_place_options o = t_exo_options();
    o.min_nodes = 2;
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 10, T_IDS("a", "b"));
    t_assert_layer_counts(&p, T_U32(5, 5));
}
END_TEST

START_TEST(cycle_with_a_leaf_beats_a_cycle_with_more_memory)
{
    /* a,b,c (1600 available, a is a leaf) against d,e,f (1800, each also points to x, y or z) */
    t_node(t, "a", 1000, 400);
    t_node(t, "b", 1000, 400);
    t_node(t, "c", 1000, 800);
    t_node(t, "d", 1000, 600);
    t_node(t, "e", 1000, 600);
    t_node(t, "f", 1000, 600);
    t_node(t, "x", 1000, 10);
    t_node(t, "y", 1000, 10);
    t_node(t, "z", 1000, 10);
    t_ring(t, 1, T_IDS("a", "b", "c"));
    t_ring(t, 1, T_IDS("d", "e", "f"));
    t_tb(t, "d", "x");
    t_tb(t, "e", "y");
    t_tb(t, "f", "z");
    exoplace_model m = t_model("m", 1500, 12);
    exoplace_place_options o = t_exo_options();
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 12, T_IDS("a", "b", "c"));
    t_assert_layer_counts(&p, T_U32(3, 3, 6));
}
END_TEST

START_TEST(thunderbolt_pair_beats_a_richer_ethernet_pair)
{
    t_node(t, "a", 30 * T_GIB, 30 * T_GIB);
    t_node(t, "b", 30 * T_GIB, 30 * T_GIB);
    t_node(t, "c", 40 * T_GIB, 40 * T_GIB);
    t_node(t, "d", 40 * T_GIB, 40 * T_GIB);
    t_ring(t, 1, T_IDS("a", "b"));
    t_ring(t, 0, T_IDS("c", "d"));
    exoplace_model m = t_model("m", 50 * T_GIB, 32);
    exoplace_place_options o = t_exo_options();
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 32, T_IDS("a", "b"));
    t_assert_layer_counts(&p, T_U32(16, 16));
}
END_TEST

START_TEST(thunderbolt_ring_with_an_ethernet_chord_loses_to_a_clean_one)
{
    static const char *const ids[] = {"a", "b", "c", "d", "e", "f"};
    for (size_t i = 0; i < 6; i++)
        t_node(t, ids[i], 20 * T_GIB, 20 * T_GIB);
    t_ring(t, 1, T_IDS("a", "b", "c"));
    t_eth(t, "b", "a");
    t_ring(t, 1, T_IDS("d", "e", "f"));
    t_tb(t, "e", "d");
    exoplace_model m = t_model("m", 55 * T_GIB, 24);
    exoplace_place_options o = t_exo_options();
    o.min_nodes = 3;
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 24, T_IDS("d", "e", "f"));
    t_assert_layer_counts(&p, T_U32(8, 8, 8));
}
END_TEST

START_TEST(thunderbolt_filter_comes_before_the_leaf_filter)
{
    /* a<->b thunderbolt, neither a leaf (a->x, b->y); c<->d ethernet, both leaves */
    t_node(t, "a", 100, 100);
    t_node(t, "b", 100, 100);
    t_node(t, "c", 100, 100);
    t_node(t, "d", 100, 100);
    t_node_bare(t, "x");
    t_node_bare(t, "y");
    t_ring(t, 1, T_IDS("a", "b"));
    t_tb(t, "a", "x");
    t_tb(t, "b", "y");
    t_ring(t, 0, T_IDS("c", "d"));
    exoplace_model m = t_model("m", 150, 4);
    place_ok(&m, NULL);
    t_assert_ranks(&p, t, 4, T_IDS("a", "b"));
}
END_TEST

START_TEST(memory_decides_among_thunderbolt_cycles_with_leaves)
{
    t_node(t, "a", 100, 100);
    t_node(t, "b", 100, 100);
    t_node(t, "c", 100, 100);
    t_node(t, "d", 100, 101);
    t_ring(t, 1, T_IDS("a", "b"));
    t_ring(t, 1, T_IDS("c", "d"));
    exoplace_model m = t_model("m", 150, 4);
    place_ok(&m, NULL);
    t_assert_ranks(&p, t, 4, T_IDS("c", "d"));
}
END_TEST

START_TEST(smallest_cycle_wins_over_more_memory)
{
    /* the pair fits; the triangle has more memory but is longer */
    t_node(t, "a", 100, 100);
    t_node(t, "b", 100, 100);
    t_node(t, "c", 100, 100);
    t_node(t, "d", 100, 100);
    t_node(t, "e", 100, 100);
    t_ring(t, 1, T_IDS("a", "b"));
    t_ring(t, 1, T_IDS("c", "d", "e"));
    exoplace_model m = t_model("m", 200, 4);
    place_ok(&m, NULL);
    t_assert_ranks(&p, t, 4, T_IDS("a", "b"));
}
END_TEST

START_TEST(singleton_with_the_most_memory_is_chosen)
{
    t_node(t, "a", 100, 60);
    t_node(t, "b", 100, 90);
    t_node(t, "c", 100, 70);
    t_mesh(t, 1, T_IDS("a", "b", "c"));
    exoplace_model m = t_model("m", 50, 4);
    place_ok(&m, NULL);
    t_assert_ranks(&p, t, 4, T_IDS("b"));
}
END_TEST

START_TEST(tie_break_takes_the_bytewise_first_cycle)
{
    /* {a,b} and {C,D} tie on everything: "C" < "a" byte-wise */
    t_node(t, "a", 16 * T_GIB, 16 * T_GIB);
    t_node(t, "b", 16 * T_GIB, 16 * T_GIB);
    t_node(t, "C", 16 * T_GIB, 16 * T_GIB);
    t_node(t, "D", 16 * T_GIB, 16 * T_GIB);
    t_eth(t, "b", "a");
    t_eth(t, "a", "b");
    t_eth(t, "D", "C");
    t_eth(t, "C", "D");
    exoplace_model m = t_model("m", 20 * T_GIB, 10);
    exoplace_place_options o = t_exo_options();
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 10, T_IDS("C", "D"));
    t_assert_layer_counts(&p, T_U32(5, 5));
}
END_TEST

START_TEST(tie_break_in_a_mesh_keeps_the_canonical_direction)
{
    t_node(t, "c", 30 * T_GIB, 30 * T_GIB);
    t_node(t, "a", 10 * T_GIB, 10 * T_GIB);
    t_node(t, "b", 20 * T_GIB, 20 * T_GIB);
    t_mesh(t, 0, T_IDS("a", "b", "c"));
    exoplace_model m = t_model("m", 55 * T_GIB, 12);
    exoplace_place_options o = t_exo_options();
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 12, T_IDS("a", "b", "c"));
    t_assert_layer_counts(&p, T_U32(2, 4, 6));
}
END_TEST

START_TEST(one_way_ring_is_placed_in_its_own_direction)
{
    t_node(t, "a", 100, 100);
    t_node(t, "b", 100, 100);
    t_node(t, "c", 100, 100);
    t_ring(t, 0, T_IDS("a", "c", "b"));
    exoplace_model m = t_model("m", 250, 6);
    place_ok(&m, NULL);
    t_assert_ranks(&p, t, 6, T_IDS("a", "c", "b"));
}
END_TEST

START_TEST(placed_cycle_starts_at_its_smallest_id)
{
    t_node(t, "m", 100, 100);
    t_node(t, "z", 100, 100);
    t_node(t, "b", 100, 100);
    t_ring(t, 0, T_IDS("z", "b", "m"));
    exoplace_model m = t_model("m", 250, 6);
    place_ok(&m, NULL);
    t_assert_ranks(&p, t, 6, T_IDS("b", "m", "z"));
}
END_TEST

START_TEST(selection_compares_sums_past_2_pow_64_exactly)
{
    /* {a,b} sums to 2^64, {c,d} to 2^64 + 1; a saturating sum would tie and pick {a,b} */
    t_node(t, "a", UINT64_MAX - 1, UINT64_MAX - 1);
    t_node(t, "b", 2, 2);
    t_node(t, "c", UINT64_MAX - 1, UINT64_MAX - 1);
    t_node(t, "d", 3, 3);
    t_ring(t, 0, T_IDS("a", "b"));
    t_ring(t, 0, T_IDS("c", "d"));
    exoplace_model m = t_model("m", UINT64_MAX, 10);
    place_ok(&m, NULL);
    t_assert_ranks(&p, t, 10, T_IDS("c", "d"));
}
END_TEST

START_TEST(big_sum_over_2_pow_64_places_the_pair)
{
    t_node(t, "a", UINT64_C(1) << 63, UINT64_C(1) << 63);
    t_node(t, "b", (UINT64_C(1) << 63) + 5, (UINT64_C(1) << 63) + 5);
    t_node(t, "c", UINT64_C(1) << 62, UINT64_C(1) << 62);
    t_ring(t, 0, T_IDS("a", "b"));
    t_ring(t, 0, T_IDS("b", "c"));
    exoplace_model m = t_model("m", UINT64_MAX, 10);
    exoplace_place_options o = t_exo_options();
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 10, T_IDS("a", "b"));
    t_assert_layer_counts(&p, T_U32(5, 5));
}
END_TEST

/* ---- instance meta ---- */

START_TEST(one_node_mlx_jaccl_becomes_mlx_ring)
{
    t_node(t, "solo", 64 * T_GIB, 64 * T_GIB);
    t_node(t, "duo", 8 * T_GIB, 8 * T_GIB);
    t_ring(t, 1, T_IDS("solo", "duo"));
    exoplace_model m = t_model("m", 40 * T_GIB, 32);
    exoplace_place_options o = t_exo_options();
    o.instance_meta = EXOPLACE_INSTANCE_MLX_JACCL;
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 32, T_IDS("solo"));
    ck_assert_int_eq(p.instance_meta, EXOPLACE_INSTANCE_MLX_RING);
}
END_TEST

START_TEST(multi_node_mlx_jaccl_stays_mlx_jaccl)
{
    t_node(t, "a", 1000, 500);
    t_node(t, "b", 1000, 500);
    t_node(t, "c", 1000, 500);
    t_mesh(t, 1, T_IDS("a", "b", "c"));
    exoplace_model m = t_model("m", 1500, 12);
    exoplace_place_options o = t_exo_options();
    o.instance_meta = EXOPLACE_INSTANCE_MLX_JACCL;
    o.sharding = EXOPLACE_SHARDING_TENSOR;
    place_ok(&m, &o);
    ck_assert_int_eq(p.instance_meta, EXOPLACE_INSTANCE_MLX_JACCL);
    ck_assert_int_eq(p.sharding, EXOPLACE_SHARDING_TENSOR);
    t_assert_ranks(&p, t, 12, T_IDS("a", "b", "c"));
    t_assert_tensor_layers(&p);
}
END_TEST

/* ---- tensor ---- */

static void tensor_mesh(size_t n)
{
    static const char *const ids[] = {"t1", "t2", "t3", "t4"};
    for (size_t i = 0; i < n; i++)
        t_node(t, ids[i], 30 * T_GIB, 30 * T_GIB);
    t_mesh(t, 0, ids, n);
}

START_TEST(tensor_on_a_model_without_tensor_support_fails_with_exo_text)
{
    tensor_mesh(4);
    exoplace_model m = t_model("mlx-community/Llama-3.2-1B-Instruct-4bit", 20 * T_GIB, 32);
    m.supports_tensor = 0;
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.sharding = EXOPLACE_SHARDING_TENSOR;
    place_fails(&m, &o, EXOPLACE_E_TENSOR_NOT_SUPPORTED,
                "Requested Tensor sharding but this model does not support tensor parallelism: "
                "mlx-community/Llama-3.2-1B-Instruct-4bit");
}
END_TEST

START_TEST(tensor_with_no_candidate_dividing_hidden_size_fails_with_exo_text)
{
    tensor_mesh(3);
    exoplace_model m = t_model("m", 80 * T_GIB, 32);
    m.hidden_size = 4097;
    m.supports_tensor = 1;
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.sharding = EXOPLACE_SHARDING_TENSOR;
    o.min_nodes = 2;
    place_fails(&m, &o, EXOPLACE_E_NO_TENSOR_SHARDING,
                "No tensor sharding found for model with hidden_size 4097 candidate cycles");
}
END_TEST

START_TEST(tensor_skips_cycle_lengths_that_do_not_divide_hidden_size)
{
    /* 80 GiB needs three 30 GiB nodes; 3 does not divide 4096, 4 does */
    tensor_mesh(4);
    exoplace_model m = t_model("m", 80 * T_GIB, 32);
    m.hidden_size = 4096;
    m.supports_tensor = 1;
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.sharding = EXOPLACE_SHARDING_TENSOR;
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 32, T_IDS("t1", "t2", "t3", "t4"));
    t_assert_tensor_layers(&p);
    ck_assert_int_eq(p.sharding, EXOPLACE_SHARDING_TENSOR);
}
END_TEST

START_TEST(memory_error_takes_precedence_over_tensor_error)
{
    t_node(t, "a", 64 * T_GIB, 10 * T_GIB);
    exoplace_model m = t_model("m", 20 * T_GIB, 32);
    m.supports_tensor = 0;
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.sharding = EXOPLACE_SHARDING_TENSOR;
    place_fails(&m, &o, EXOPLACE_E_INSUFFICIENT_MEMORY, no_memory_text);
}
END_TEST

START_TEST(memory_error_takes_precedence_over_hidden_size_error)
{
    tensor_mesh(3);
    exoplace_model m = t_model("m", 100 * T_GIB, 32);
    m.hidden_size = 7;
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.sharding = EXOPLACE_SHARDING_TENSOR;
    place_fails(&m, &o, EXOPLACE_E_INSUFFICIENT_MEMORY, no_memory_text);
}
END_TEST

START_TEST(tensor_checks_apply_only_to_stated_fields)
{
    tensor_mesh(3);
    exoplace_model m = t_model("m", 80 * T_GIB, 32); /* hidden_size 0, supports_tensor -1 */
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.sharding = EXOPLACE_SHARDING_TENSOR;
    place_ok(&m, &o);
    ck_assert_uint_eq(p.n_nodes, 3);
    t_assert_tensor_layers(&p);
}
END_TEST

START_TEST(pipeline_ignores_tensor_support_and_hidden_size)
{
    tensor_mesh(3);
    exoplace_model m = t_model("m", 80 * T_GIB, 32);
    m.supports_tensor = 0;
    m.hidden_size = 4097;
    place_ok(&m, NULL);
    ck_assert_uint_eq(p.n_nodes, 3);
    ck_assert_int_eq(p.sharding, EXOPLACE_SHARDING_PIPELINE);
}
END_TEST

START_TEST(tensor_shards_hold_every_layer_with_their_rank)
{
    t_node(t, "a", 100, 100);
    t_node(t, "b", 100, 100);
    t_ring(t, 0, T_IDS("a", "b"));
    exoplace_model m = t_model("m", 150, 7);
    m.hidden_size = 6;
    m.supports_tensor = 1;
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.sharding = EXOPLACE_SHARDING_TENSOR;
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 7, T_IDS("a", "b"));
    t_assert_tensor_layers(&p);
}
END_TEST

/* ---- min_nodes, profiles, unknown endpoints ---- */

START_TEST(min_nodes_above_node_count_has_no_cycle)
{
    t_node(t, "a", 64 * T_GIB, 64 * T_GIB);
    t_node(t, "b", 64 * T_GIB, 64 * T_GIB);
    t_ring(t, 0, T_IDS("a", "b"));
    exoplace_model m = t_model("m", 1 * T_GIB, 16);
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.min_nodes = 3;
    place_fails(&m, &o, EXOPLACE_E_INSUFFICIENT_MEMORY, no_memory_text);
}
END_TEST

START_TEST(min_nodes_two_skips_a_fitting_singleton)
{
    t_node(t, "a", 64 * T_GIB, 64 * T_GIB);
    t_node(t, "b", 64 * T_GIB, 64 * T_GIB);
    t_ring(t, 0, T_IDS("a", "b"));
    exoplace_model m = t_model("m", 1 * T_GIB, 16);
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.min_nodes = 2;
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 16, T_IDS("a", "b"));
}
END_TEST

START_TEST(node_without_profile_is_never_placed)
{
    t_node(t, "a", 40 * T_GIB, 40 * T_GIB);
    t_node_bare(t, "b");
    t_node(t, "c", 20 * T_GIB, 20 * T_GIB);
    t_node(t, "d", 20 * T_GIB, 20 * T_GIB);
    t_ring(t, 1, T_IDS("a", "b"));
    t_ring(t, 0, T_IDS("c", "d"));
    exoplace_model m = t_model("m", 30 * T_GIB, 16);
    exoplace_place_options o = t_exo_options();
    o.min_nodes = 2;
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 16, T_IDS("c", "d"));
    t_assert_layer_counts(&p, T_U32(8, 8));
}
END_TEST

START_TEST(zero_byte_model_is_not_placed_on_a_node_without_profile)
{
    t_node_bare(t, "a");
    exoplace_model m = t_model("m", 0, 1);
    place_fails(&m, NULL, EXOPLACE_E_INSUFFICIENT_MEMORY, no_memory_text);
}
END_TEST

START_TEST(unknown_endpoint_is_never_placed)
{
    t_node(t, "a", 40 * T_GIB, 40 * T_GIB);
    t_node(t, "b", 25 * T_GIB, 25 * T_GIB);
    t_node(t, "c", 25 * T_GIB, 25 * T_GIB);
    t_ring(t, 1, T_IDS("a", "ghost"));
    t_ring(t, 0, T_IDS("b", "c"));
    exoplace_model m = t_model("m", 40 * T_GIB, 16);
    exoplace_place_options o = t_exo_options();
    o.min_nodes = 2;
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 16, T_IDS("b", "c"));
}
END_TEST

START_TEST(empty_topology_has_no_cycle)
{
    exoplace_model m = t_model("m", 1, 1);
    place_fails(&m, NULL, EXOPLACE_E_INSUFFICIENT_MEMORY, no_memory_text);
}
END_TEST

/* ---- invalid split ---- */

START_TEST(five_node_ring_with_four_layers_is_invalid_split)
{
    static const char *const ids[] = {"r0", "r1", "r2", "r3", "r4"};
    for (size_t i = 0; i < 5; i++)
        t_node(t, ids[i], 10 * T_GIB, 10 * T_GIB);
    t_ring(t, 0, ids, 5);
    exoplace_model m = t_model("m", 45 * T_GIB, 4);
    exoplace_place_options o = t_exo_options();
    place_fails(&m, &o, EXOPLACE_E_INVALID_SPLIT, NULL);
    o.strategy = EXOPLACE_LAYERS_LARGEST_REMAINDER;
    place_fails(&m, &o, EXOPLACE_E_INVALID_SPLIT, NULL);
}
END_TEST

/* ---- memory_delta ---- */

START_TEST(memory_delta_splits_storage_by_node_id_order)
{
    /* ranks a, c, b; 2500 = 3 * 833 + 1: by id a gets 834, b and c 833 */
    t_node(t, "a", 1000, 1000);
    t_node(t, "b", 1000, 1000);
    t_node(t, "c", 1000, 1000);
    t_ring(t, 0, T_IDS("a", "c", "b"));
    exoplace_model m = t_model("m", 2500, 6);
    place_ok(&m, NULL);
    t_assert_ranks(&p, t, 6, T_IDS("a", "c", "b"));
    ck_assert_uint_eq(p.shards[0].memory_delta, 834);
    ck_assert_uint_eq(p.shards[1].memory_delta, 833);
    ck_assert_uint_eq(p.shards[2].memory_delta, 833);
}
END_TEST

START_TEST(memory_delta_remainder_goes_to_the_first_ids_not_the_first_ranks)
{
    /* ring b -> z -> m, ranks b, z, m; 2501 = 3 * 833 + 2: by id b and m get 834, z 833 */
    t_node(t, "z", 1000, 1000);
    t_node(t, "b", 1000, 1000);
    t_node(t, "m", 1000, 1000);
    t_ring(t, 0, T_IDS("b", "z", "m"));
    exoplace_model m = t_model("m", 2501, 6);
    place_ok(&m, NULL);
    t_assert_ranks(&p, t, 6, T_IDS("b", "z", "m"));
    ck_assert_uint_eq(p.shards[0].memory_delta, 834); /* b */
    ck_assert_uint_eq(p.shards[1].memory_delta, 833); /* z */
    ck_assert_uint_eq(p.shards[2].memory_delta, 834); /* m */
}
END_TEST

START_TEST(memory_delta_of_one_node_is_the_whole_model)
{
    t_node(t, "n", 2048000, 2048000);
    exoplace_model m = t_model("m", 1024000, 1);
    place_ok(&m, NULL);
    ck_assert_uint_eq(p.shards[0].memory_delta, 1024000);
}
END_TEST

/* ---- tiers in one attempt ---- */

static void seed_cluster(void)
{
    t_node(t, "mac1", 64 * T_GIB, 20 * T_GIB);
    t_node(t, "mac2", 48 * T_GIB, 30 * T_GIB);
    t_node(t, "mac3", 40 * T_GIB, 40 * T_GIB);
    t_mesh(t, 1, T_IDS("mac1", "mac2", "mac3"));
}

START_TEST(available_tier_selects_by_ram_available)
{
    seed_cluster();
    exoplace_model m = t_model("m", 30 * T_GIB, 40);
    place_ok(&m, NULL);
    t_assert_ranks(&p, t, 40, T_IDS("mac3"));
    ck_assert_int_eq(p.memory_tier, EXOPLACE_TIER_AVAILABLE);
    ck_assert_int_eq(p.is_low_memory, 0);
}
END_TEST

START_TEST(total_tier_selects_by_ram_total_and_is_low_memory)
{
    seed_cluster();
    exoplace_model m = t_model("m", 30 * T_GIB, 40);
    exoplace_place_options o = t_exo_options();
    o.memory_tier = EXOPLACE_TIER_TOTAL;
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 40, T_IDS("mac1"));
    ck_assert_int_eq(p.memory_tier, EXOPLACE_TIER_TOTAL);
    ck_assert_int_eq(p.is_low_memory, 1);
}
END_TEST

START_TEST(total_tier_splits_layers_by_ram_total)
{
    /* 95 GiB: by total mac1 + mac2 = 112 GiB is the richest pair; 64/112 * 40 = 22.86 -> 23 */
    seed_cluster();
    exoplace_model m = t_model("m", 95 * T_GIB, 40);
    exoplace_place_options o = t_exo_options();
    o.memory_tier = EXOPLACE_TIER_TOTAL;
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 40, T_IDS("mac1", "mac2"));
    t_assert_layer_counts(&p, T_U32(23, 17));
}
END_TEST

START_TEST(one_attempt_does_not_fall_back)
{
    seed_cluster();
    exoplace_model m = t_model("m", 100 * T_GIB, 40);
    place_fails(&m, NULL, EXOPLACE_E_INSUFFICIENT_MEMORY, no_memory_text);
}
END_TEST

START_TEST(swap_tier_adds_swap_available_to_ram_total)
{
    exoplace_node_memory mem;
    exoplace_node_memory_init(&mem);
    mem.ram_total = 1000;
    mem.ram_available = 100;
    mem.swap_total = 4000;
    mem.swap_available = 500;
    t_node_memory(t, "n", &mem);
    exoplace_model m = t_model("m", 1500, 4);
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.memory_tier = EXOPLACE_TIER_SWAP;
    place_ok(&m, &o);
    ck_assert_int_eq(p.memory_tier, EXOPLACE_TIER_SWAP);
    ck_assert_int_eq(p.is_low_memory, 1);
    m.storage_size = 1501;
    exoplace_placement_dispose(&p);
    place_fails(&m, &o, EXOPLACE_E_INSUFFICIENT_MEMORY, no_memory_text);
}
END_TEST

START_TEST(swap_metric_past_2_pow_64_is_exact)
{
    /* a: 2^64 - 1 + 1 = 2^64, b: 2^64 + 1; a saturated per-node metric would tie them and pick a */
    exoplace_node_memory mem;
    exoplace_node_memory_init(&mem);
    mem.ram_total = UINT64_MAX;
    mem.swap_total = 8;
    mem.swap_available = 1;
    t_node_memory(t, "a", &mem);
    mem.swap_available = 2;
    t_node_memory(t, "b", &mem);
    exoplace_model m = t_model("m", UINT64_MAX, 4);
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.memory_tier = EXOPLACE_TIER_SWAP;
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 4, T_IDS("b"));
}
END_TEST

START_TEST(pressure_tier_uses_free_percent_of_ram_total)
{
    exoplace_node_memory mem;
    exoplace_node_memory_init(&mem);
    mem.ram_total = 4000;
    mem.ram_available = 100;
    mem.pressure_level = EXOPLACE_PRESSURE_NORMAL;
    mem.free_percent = 50;
    t_node_memory(t, "n", &mem);
    exoplace_model m = t_model("m", 2000, 4);
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.memory_tier = EXOPLACE_TIER_PRESSURE;
    place_ok(&m, &o);
    ck_assert_int_eq(p.memory_tier, EXOPLACE_TIER_PRESSURE);
    ck_assert_int_eq(p.is_low_memory, 1);
    exoplace_placement_dispose(&p);
    m.storage_size = 2001;
    place_fails(&m, &o, EXOPLACE_E_INSUFFICIENT_MEMORY, no_memory_text);
}
END_TEST

START_TEST(available_tier_counts_a_critical_node_as_zero)
{
    exoplace_node_memory mem;
    exoplace_node_memory_init(&mem);
    mem.ram_total = 2000;
    mem.ram_available = 2000;
    mem.pressure_level = EXOPLACE_PRESSURE_CRITICAL;
    t_node_memory(t, "crit", &mem);
    t_node(t, "ok", 1500, 1500);
    exoplace_model m = t_model("m", 1000, 4);
    place_ok(&m, NULL);
    t_assert_ranks(&p, t, 4, T_IDS("ok"));
}
END_TEST

/* ---- search bound ---- */

static void ring_of(size_t n, uint64_t each)
{
    char ids[64][8];
    const char *ptrs[64];
    ck_assert_uint_le(n, 64);
    for (size_t i = 0; i < n; i++) {
        snprintf(ids[i], sizeof ids[i], "r%02zu", i);
        ptrs[i] = ids[i];
        t_node(t, ids[i], each, each);
    }
    t_ring(t, 0, ptrs, n);
}

START_TEST(tiny_search_bound_is_search_limit)
{
    ring_of(8, 100);
    exoplace_model m = t_model("m", 750, 16);
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.max_search_steps = 1;
    place_fails(&m, &o, EXOPLACE_E_SEARCH_LIMIT, NULL);
}
END_TEST

START_TEST(default_search_bound_places_the_same_ring)
{
    ring_of(8, 100);
    exoplace_model m = t_model("m", 750, 16);
    place_ok(&m, NULL);
    ck_assert_uint_eq(p.n_nodes, 8);
    ck_assert_str_eq(p.shards[0].node_id, "r00");
}
END_TEST

START_TEST(ring_of_64_nodes_is_placed_on_all_of_them)
{
    ring_of(64, 100);
    exoplace_model m = t_model("m", 6400, 64);
    place_ok(&m, NULL);
    ck_assert_uint_eq(p.n_nodes, 64);
    for (size_t i = 0; i < 64; i++) {
        char id[8];
        snprintf(id, sizeof id, "r%02zu", i);
        ck_assert_str_eq(p.shards[i].node_id, id);
        ck_assert_uint_eq(p.shards[i].start_layer, i);
        ck_assert_uint_eq(p.shards[i].end_layer, i + 1);
    }
}
END_TEST

static void mesh_of_12(void)
{
    static const char *const ids[] = {"n00", "n01", "n02", "n03", "n04", "n05",
                                      "n06", "n07", "n08", "n09", "n10", "n11"};
    for (size_t i = 0; i < 12; i++)
        t_node(t, ids[i], 100, 100 + i);
    t_mesh(t, 0, ids, 12);
}

START_TEST(dense_mesh_of_12_places_a_triangle_without_listing_every_cycle)
{
    /* 10^8 cycles in all; three nodes suffice: the richest triangle n09, n10, n11 */
    mesh_of_12();
    exoplace_model m = t_model("m", 320, 12);
    place_ok(&m, NULL);
    ck_assert_uint_eq(p.n_nodes, 3);
    t_assert_ranks(&p, t, 12, T_IDS("n09", "n10", "n11"));
}
END_TEST

START_TEST(dense_mesh_of_12_needing_every_node_is_placed_in_canonical_order)
{
    /* 11! twelve-node cycles tie on every key: the canonical first is n00, n01, ..., n11 */
    mesh_of_12();
    exoplace_model m = t_model("m", 12 * 100 + 66, 24);
    place_ok(&m, NULL);
    t_assert_ranks(&p, t, 24,
                   T_IDS("n00", "n01", "n02", "n03", "n04", "n05", "n06", "n07", "n08", "n09", "n10", "n11"));
}
END_TEST

START_TEST(dense_mesh_of_12_needing_eleven_nodes_leaves_out_the_poorest)
{
    mesh_of_12();
    exoplace_model m = t_model("m", 12 * 100 + 66 - 100, 24);
    place_ok(&m, NULL);
    t_assert_ranks(&p, t, 24,
                   T_IDS("n01", "n02", "n03", "n04", "n05", "n06", "n07", "n08", "n09", "n10", "n11"));
}
END_TEST

/* ---- threads ---- */

typedef struct worker {
    const exoplace_topology *topology;
    exoplace_status status;
    char first[16];
    size_t n_nodes;
} worker;

static void *place_worker(void *arg)
{
    worker *w = arg;
    exoplace_model m = t_model("m", 320, 12);
    for (int i = 0; i < 20; i++) {
        exoplace_placement out;
        w->status = exoplace_place(&out, w->topology, &m, NULL, NULL);
        if (w->status != EXOPLACE_OK)
            return NULL;
        w->n_nodes = out.n_nodes;
        snprintf(w->first, sizeof w->first, "%s", out.shards[0].node_id);
        exoplace_placement_dispose(&out);
    }
    return NULL;
}

START_TEST(one_topology_serves_concurrent_placements)
{
    mesh_of_12();
    pthread_t threads[4];
    worker workers[4];
    for (int i = 0; i < 4; i++) {
        workers[i] = (worker){t, EXOPLACE_E_NO_MEMORY, "", 0};
        ck_assert_int_eq(pthread_create(&threads[i], NULL, place_worker, &workers[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
        ck_assert_int_eq(workers[i].status, EXOPLACE_OK);
        ck_assert_uint_eq(workers[i].n_nodes, 3);
        ck_assert_str_eq(workers[i].first, "n09");
    }
}
END_TEST

/* ---- arguments ---- */

/* The fit strategy's inputs: a reserve only with fit, none of them with exo-main. */
START_TEST(fit_inputs_are_refused_where_they_would_not_be_read)
{
    t_node(t, "a", 100, 100);
    exoplace_model m = t_model("m", 10, 1);
    exoplace_place_options o;
    exoplace_error err;
    exoplace_place_options_init(&o);
    o.reserve_bytes = 1;
    place_fails(&m, &o, EXOPLACE_E_INVALID_ARGUMENT, NULL);
    ck_assert_int_eq(exoplace_place(&p, t, &m, &o, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "reserve_bytes");
    o.strategy = EXOPLACE_LAYERS_FIT;
    place_ok(&m, &o);
    exoplace_placement_dispose(&p);

    exoplace_place_options_init(&o);
    o.rules = EXOPLACE_RULES_EXO_MAIN;
    o.strategy = EXOPLACE_LAYERS_FIT;
    ck_assert_int_eq(exoplace_place(&p, t, &m, &o, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "strategy");
    o.strategy = EXOPLACE_LAYERS_EXO;
    o.reserve_bytes = 1;
    ck_assert_int_eq(exoplace_place(&p, t, &m, &o, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "reserve_bytes");
    o.reserve_bytes = 0;
    m.kv_cache_bytes_per_layer = 1;
    ck_assert_int_eq(exoplace_get_placement(&p, t, &m, &o, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "model.kv_cache_bytes_per_layer");
    exoplace_preview_list *list = NULL;
    ck_assert_int_eq(exoplace_preview_list_new(&list, t, &m, &o, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_ptr_null(list);
    /* the seed's byte strategies do not read the KV cache */
    o.rules = EXOPLACE_RULES_SEED;
    place_ok(&m, &o);
}
END_TEST

START_TEST(place_arguments_are_checked)
{
    t_node(t, "a", 100, 100);
    exoplace_model m = t_model("m", 10, 1);
    exoplace_place_options o;
    exoplace_error err;
    ck_assert_int_eq(exoplace_place(NULL, t, &m, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_place(&p, NULL, &m, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_place(&p, t, NULL, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);

    exoplace_model bad = m;
    bad.model_id = NULL;
    ck_assert_int_eq(exoplace_place(&p, t, &bad, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    bad.model_id = "";
    ck_assert_int_eq(exoplace_place(&p, t, &bad, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    bad = m;
    bad.n_layers = 0;
    ck_assert_int_eq(exoplace_place(&p, t, &bad, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(err.code, EXOPLACE_E_INVALID_ARGUMENT);

    exoplace_place_options_init(&o);
    o.min_nodes = 0;
    ck_assert_int_eq(exoplace_place(&p, t, &m, &o, &err), EXOPLACE_E_INVALID_ARGUMENT);
    exoplace_place_options_init(&o);
    o.sharding = (exoplace_sharding)2;
    ck_assert_int_eq(exoplace_place(&p, t, &m, &o, &err), EXOPLACE_E_INVALID_ARGUMENT);
    exoplace_place_options_init(&o);
    o.instance_meta = (exoplace_instance_meta)2;
    ck_assert_int_eq(exoplace_place(&p, t, &m, &o, &err), EXOPLACE_E_INVALID_ARGUMENT);
    exoplace_place_options_init(&o);
    o.strategy = (exoplace_layer_strategy)3;
    ck_assert_int_eq(exoplace_place(&p, t, &m, &o, &err), EXOPLACE_E_INVALID_ARGUMENT);
    exoplace_place_options_init(&o);
    o.memory_tier = (exoplace_memory_tier)4;
    ck_assert_int_eq(exoplace_place(&p, t, &m, &o, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_ptr_null(p.shards);
}
END_TEST

START_TEST(argument_errors_come_before_placement_errors)
{
    /* an unplaceable model with n_layers 0 is bad input first */
    t_node(t, "a", 100, 100);
    exoplace_model m = t_model("m", 1000, 0);
    ck_assert_int_eq(exoplace_place(&p, t, &m, NULL, NULL), EXOPLACE_E_INVALID_ARGUMENT);
}
END_TEST

static Suite *place_suite(void)
{
    Suite *s = suite_create("place");
    TCase *tc = tcase_create("defaults");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, place_options_init_sets_documented_defaults);
    tcase_add_test(tc, model_init_sets_documented_defaults);
    tcase_add_test(tc, null_options_mean_defaults_largest_remainder);
    tcase_add_test(tc, exo_strategy_option_gives_exo_split);
    tcase_add_test(tc, dispose_frees_and_zeroes);
    tcase_add_test(tc, failed_place_leaves_no_shards_in_out);
    suite_add_tcase(s, tc);

    tc = tcase_create("exo_scenarios");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, one_node_of_1000_kib_takes_a_1000_kib_model);
    tcase_add_test(tc, one_node_of_1001_kib_takes_a_1000_kib_model);
    tcase_add_test(tc, model_of_1001_kib_on_a_1000_kib_node_has_no_cycle);
    tcase_add_test(tc, two_node_ring_of_1000_kib_each_takes_1500_kib);
    tcase_add_test(tc, two_node_ring_of_1000_kib_each_refuses_2001_kib);
    tcase_add_test(tc, requirement_of_1500_kib_keeps_only_the_three_node_cycle);
    tcase_add_test(tc, create_instance_500_500_1000_kib_splits_3_3_6);
    tcase_add_test(tc, create_instance_312_518_1024_splits_2_3_7);
    tcase_add_test(tc, smallest_feasible_cycle_of_triangle_plus_back_edge_is_the_pair);
    tcase_add_test(tc, cycle_with_a_leaf_beats_a_cycle_with_more_memory);
    tcase_add_test(tc, thunderbolt_pair_beats_a_richer_ethernet_pair);
    tcase_add_test(tc, thunderbolt_ring_with_an_ethernet_chord_loses_to_a_clean_one);
    suite_add_tcase(s, tc);

    tc = tcase_create("selection");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, thunderbolt_filter_comes_before_the_leaf_filter);
    tcase_add_test(tc, memory_decides_among_thunderbolt_cycles_with_leaves);
    tcase_add_test(tc, smallest_cycle_wins_over_more_memory);
    tcase_add_test(tc, singleton_with_the_most_memory_is_chosen);
    tcase_add_test(tc, tie_break_takes_the_bytewise_first_cycle);
    tcase_add_test(tc, tie_break_in_a_mesh_keeps_the_canonical_direction);
    tcase_add_test(tc, one_way_ring_is_placed_in_its_own_direction);
    tcase_add_test(tc, placed_cycle_starts_at_its_smallest_id);
    tcase_add_test(tc, selection_compares_sums_past_2_pow_64_exactly);
    tcase_add_test(tc, big_sum_over_2_pow_64_places_the_pair);
    suite_add_tcase(s, tc);

    tc = tcase_create("instance_meta_and_tensor");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, one_node_mlx_jaccl_becomes_mlx_ring);
    tcase_add_test(tc, multi_node_mlx_jaccl_stays_mlx_jaccl);
    tcase_add_test(tc, tensor_on_a_model_without_tensor_support_fails_with_exo_text);
    tcase_add_test(tc, tensor_with_no_candidate_dividing_hidden_size_fails_with_exo_text);
    tcase_add_test(tc, tensor_skips_cycle_lengths_that_do_not_divide_hidden_size);
    tcase_add_test(tc, memory_error_takes_precedence_over_tensor_error);
    tcase_add_test(tc, memory_error_takes_precedence_over_hidden_size_error);
    tcase_add_test(tc, tensor_checks_apply_only_to_stated_fields);
    tcase_add_test(tc, pipeline_ignores_tensor_support_and_hidden_size);
    tcase_add_test(tc, tensor_shards_hold_every_layer_with_their_rank);
    suite_add_tcase(s, tc);

    tc = tcase_create("candidates");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, min_nodes_above_node_count_has_no_cycle);
    tcase_add_test(tc, min_nodes_two_skips_a_fitting_singleton);
    tcase_add_test(tc, node_without_profile_is_never_placed);
    tcase_add_test(tc, zero_byte_model_is_not_placed_on_a_node_without_profile);
    tcase_add_test(tc, unknown_endpoint_is_never_placed);
    tcase_add_test(tc, empty_topology_has_no_cycle);
    tcase_add_test(tc, five_node_ring_with_four_layers_is_invalid_split);
    suite_add_tcase(s, tc);

    tc = tcase_create("memory_delta");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, memory_delta_splits_storage_by_node_id_order);
    tcase_add_test(tc, memory_delta_remainder_goes_to_the_first_ids_not_the_first_ranks);
    tcase_add_test(tc, memory_delta_of_one_node_is_the_whole_model);
    suite_add_tcase(s, tc);

    tc = tcase_create("tiers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, available_tier_selects_by_ram_available);
    tcase_add_test(tc, total_tier_selects_by_ram_total_and_is_low_memory);
    tcase_add_test(tc, total_tier_splits_layers_by_ram_total);
    tcase_add_test(tc, one_attempt_does_not_fall_back);
    tcase_add_test(tc, swap_tier_adds_swap_available_to_ram_total);
    tcase_add_test(tc, swap_metric_past_2_pow_64_is_exact);
    tcase_add_test(tc, pressure_tier_uses_free_percent_of_ram_total);
    tcase_add_test(tc, available_tier_counts_a_critical_node_as_zero);
    suite_add_tcase(s, tc);

    tc = tcase_create("search");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, tiny_search_bound_is_search_limit);
    tcase_add_test(tc, default_search_bound_places_the_same_ring);
    tcase_add_test(tc, ring_of_64_nodes_is_placed_on_all_of_them);
    tcase_add_test(tc, dense_mesh_of_12_places_a_triangle_without_listing_every_cycle);
    tcase_add_test(tc, dense_mesh_of_12_needing_every_node_is_placed_in_canonical_order);
    tcase_add_test(tc, dense_mesh_of_12_needing_eleven_nodes_leaves_out_the_poorest);
    tcase_add_test(tc, one_topology_serves_concurrent_placements);
    suite_add_tcase(s, tc);

    tc = tcase_create("arguments");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, place_arguments_are_checked);
    tcase_add_test(tc, fit_inputs_are_refused_where_they_would_not_be_read);
    tcase_add_test(tc, argument_errors_come_before_placement_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run(place_suite());
}
