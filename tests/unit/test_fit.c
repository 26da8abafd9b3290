/*
 * Strategy fit (placement.md section 3): cycles selected by the layers their
 * nodes hold, with the KV cache and the reserve, and a split that overfills
 * no node. Each case is also placed with the largest-remainder strategy, so
 * that it shows what fit changes.
 */
#include "unit.h"

#include <string.h>

#define T_MIB (UINT64_C(1024) * 1024)

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

static exoplace_place_options fit_options(void)
{
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.strategy = EXOPLACE_LAYERS_FIT;
    return o;
}

/* Places with `o` (exoplace_place(): one attempt) and disposes of any earlier placement. */
static void place_ok(const exoplace_model *m, const exoplace_place_options *o)
{
    exoplace_placement_dispose(&p);
    exoplace_error err;
    exoplace_status st = exoplace_place(&p, t, m, o, &err);
    ck_assert_msg(st == EXOPLACE_OK, "place: %s (%s)", exoplace_status_name(st), err.message);
}

static void place_fails(const exoplace_model *m, const exoplace_place_options *o, exoplace_status expected)
{
    exoplace_placement_dispose(&p);
    exoplace_error err;
    exoplace_status st = exoplace_place(&p, t, m, o, &err);
    ck_assert_msg(st == expected, "place gave %s (%s), expected %s", exoplace_status_name(st), err.message,
                  exoplace_status_name(expected));
    ck_assert_ptr_null(p.shards);
    t_assert_failure_explained(t, m, o, expected);
}

/* Every shard's layers, at the shard's node's capacity, cost at most that capacity. */
static void assert_no_node_overfilled(const exoplace_model *m, exoplace_memory_tier tier, uint64_t reserve)
{
    uint64_t cost = m->storage_size / m->n_layers + (m->storage_size % m->n_layers != 0) + m->kv_cache_bytes_per_layer;
    for (size_t i = 0; i < p.n_nodes; i++) {
        exoplace_node_memory mem;
        ck_assert(exoplace_topology_node_memory(&mem, t, p.shards[i].node_index));
        uint64_t metric = tier == EXOPLACE_TIER_TOTAL ? mem.ram_total : mem.ram_available;
        uint64_t capacity = metric > reserve ? metric - reserve : 0;
        uint64_t layers = p.shards[i].end_layer - p.shards[i].start_layer;
        ck_assert_msg(layers >= 1 && layers * cost <= capacity, "%s: %llu layers of %llu bytes in %llu bytes",
                      p.shards[i].node_id, (unsigned long long)layers, (unsigned long long)cost,
                      (unsigned long long)capacity);
    }
}

/* exo PR #2227: a 24 GB GPU given one layer more than it holds once the KV
 * cache is counted. 40 GiB over 32 layers is 1.25 GiB a layer, 1.5 GiB with
 * 256 MiB of KV cache. gpu has 22938 MiB (holds 14), mac 27648 (holds 18);
 * neither holds 32 alone, the pair holds exactly 32. */
START_TEST(the_24_gib_node_gets_one_layer_fewer_under_fit)
{
    t_node(t, "gpu", 24 * T_GIB, 22938 * T_MIB);
    t_node(t, "mac", 32 * T_GIB, 27648 * T_MIB);
    t_eth(t, "gpu", "mac");
    t_eth(t, "mac", "gpu");
    exoplace_model m = t_model("m", 40 * T_GIB, 32);
    m.kv_cache_bytes_per_layer = 256 * T_MIB;

    exoplace_place_options o;
    exoplace_place_options_init(&o);
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 32, T_IDS("gpu", "mac"));
    /* quotas 14.51 and 17.49: the leftover layer to gpu, 22.5 GiB in 22.4 */
    t_assert_layer_counts(&p, T_U32(15, 17));

    o = fit_options();
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 32, T_IDS("gpu", "mac"));
    t_assert_layer_counts(&p, T_U32(14, 18));
    assert_no_node_overfilled(&m, EXOPLACE_TIER_AVAILABLE, 0);
    ck_assert_int_eq(p.memory_tier, EXOPLACE_TIER_AVAILABLE);
    ck_assert_int_eq(p.is_low_memory, 0);
}
END_TEST

/* 4 layers of 10 bytes. The pair a, b has the 40 bytes (19 + 21) but holds 1 +
 * 2 = 3 layers; the triangle a, b, c holds 1 + 2 + 1 = 4. */
START_TEST(byte_sums_pass_but_fit_takes_the_next_length_for_a_safe_split)
{
    t_node(t, "a", 100, 19);
    t_node(t, "b", 100, 21);
    t_node(t, "c", 100, 10);
    t_eth(t, "a", "b");
    t_eth(t, "b", "a");
    t_eth(t, "b", "c");
    t_eth(t, "c", "a");
    exoplace_model m = t_model("m", 40, 4);

    exoplace_place_options o;
    exoplace_place_options_init(&o);
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 4, T_IDS("a", "b"));
    t_assert_layer_counts(&p, T_U32(2, 2)); /* a: 20 bytes in 19 */

    o = fit_options();
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 4, T_IDS("a", "b", "c"));
    t_assert_layer_counts(&p, T_U32(1, 2, 1)); /* every node at its cap */
    assert_no_node_overfilled(&m, EXOPLACE_TIER_AVAILABLE, 0);
}
END_TEST

/* Caps that sum to exactly n_layers place; one byte less does not. */
START_TEST(caps_reached_exactly_place_and_one_byte_short_does_not)
{
    t_node(t, "a", 100, 30);
    t_node(t, "b", 100, 50);
    t_eth(t, "a", "b");
    t_eth(t, "b", "a");
    exoplace_model m = t_model("m", 80, 8); /* 10 bytes a layer: caps 3 and 5 */
    exoplace_place_options o = fit_options();
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 8, T_IDS("a", "b"));
    t_assert_layer_counts(&p, T_U32(3, 5));
    m.kv_cache_bytes_per_layer = 1; /* 11 bytes: caps 2 and 4 */
    place_fails(&m, &o, EXOPLACE_E_INSUFFICIENT_MEMORY);
    m.kv_cache_bytes_per_layer = 0;
    o.reserve_bytes = 1; /* capacities 29 and 49: caps 2 and 4 */
    place_fails(&m, &o, EXOPLACE_E_INSUFFICIENT_MEMORY);
}
END_TEST

/* 60 layers of 1 GiB on at least two nodes. Without a reserve the
 * thunderbolt pair a, b wins; 5.5 GiB left free on every node leaves b half
 * a layer, so b holds none and the ethernet pair a, c places. */
START_TEST(a_reserve_that_leaves_a_node_no_layer_removes_it)
{
    t_node(t, "a", 80 * T_GIB, 70 * T_GIB);
    t_node(t, "b", 8 * T_GIB, 6 * T_GIB);
    t_node(t, "c", 12 * T_GIB, 10 * T_GIB);
    t_tb(t, "a", "b");
    t_tb(t, "b", "a");
    t_eth(t, "a", "c");
    t_eth(t, "c", "a");
    exoplace_model m = t_model("m", 60 * T_GIB, 60);
    exoplace_place_options o = fit_options();
    o.min_nodes = 2;
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 60, T_IDS("a", "b"));
    o.reserve_bytes = 5 * T_GIB + T_GIB / 2;
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 60, T_IDS("a", "c"));
    /* capacities 64.5 and 4.5 GiB: quotas 56.09 and 3.91 */
    t_assert_layer_counts(&p, T_U32(56, 4));
    assert_no_node_overfilled(&m, EXOPLACE_TIER_AVAILABLE, o.reserve_bytes);
}
END_TEST

/* 24 layers of 1 GiB: a holds them all; with 512 MiB of KV cache a layer,
 * a holds 20 and the pair is needed. The byte strategies do not read the KV
 * cache and keep a alone. */
START_TEST(kv_bytes_change_the_cycle)
{
    t_node(t, "a", 32 * T_GIB, 30 * T_GIB);
    t_node(t, "b", 32 * T_GIB, 20 * T_GIB);
    t_eth(t, "a", "b");
    t_eth(t, "b", "a");
    exoplace_model m = t_model("m", 24 * T_GIB, 24);
    exoplace_place_options o = fit_options();
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 24, T_IDS("a"));
    m.kv_cache_bytes_per_layer = 512 * T_MIB;
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 24, T_IDS("a", "b"));
    t_assert_layer_counts(&p, T_U32(14, 10)); /* quotas 14.4 and 9.6, caps 20 and 13 */
    assert_no_node_overfilled(&m, EXOPLACE_TIER_AVAILABLE, 0);
    o.strategy = EXOPLACE_LAYERS_LARGEST_REMAINDER;
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 24, T_IDS("a"));
}
END_TEST

/* A node that holds no layer takes every cycle through it out, even where
 * the bytes add up. */
START_TEST(a_node_holding_no_layer_takes_its_cycles_out)
{
    t_node(t, "a", 100, 60);
    t_node(t, "b", 100, 9);
    t_node(t, "c", 100, 60);
    t_ring(t, 0, T_IDS("a", "b", "c"));
    exoplace_model m = t_model("m", 120, 12); /* 10 bytes a layer: b holds none */
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 12, T_IDS("a", "b", "c"));
    o = fit_options();
    place_fails(&m, &o, EXOPLACE_E_INSUFFICIENT_MEMORY);
}
END_TEST

/* Among the smallest cycles with a safe split: thunderbolt, then a leaf, then
 * the most layers held, then canonical order. */
START_TEST(the_cycle_holding_the_most_layers_wins)
{
    t_node(t, "a", 100, 35);
    t_node(t, "b", 100, 38);
    t_node(t, "c", 100, 31);
    t_mesh(t, 0, T_IDS("a", "b", "c"));
    exoplace_model m = t_model("m", 60, 6); /* caps 3, 3, 3: every pair ties at 6 */
    exoplace_place_options o = fit_options();
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 6, T_IDS("a", "b"));
    t_assert_layer_counts(&p, T_U32(3, 3));
    m.storage_size = 48; /* 8 bytes a layer: caps 4, 4, 3; the byte sums would pick a, b too */
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 6, T_IDS("a", "b"));
    /* caps 4 (a: 35) and 4 (b: 38): quotas 2.88 and 3.12, (3, 3) */
    t_assert_layer_counts(&p, T_U32(3, 3));
    m.kv_cache_bytes_per_layer = 2; /* 10 bytes: caps 3, 3, 3; a, b again by canonical order */
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 6, T_IDS("a", "b"));
    t_node(t, "d", 100, 41); /* caps 4: the pairs with d hold 7 */
    t_eth(t, "a", "d");
    t_eth(t, "d", "a");
    t_eth(t, "c", "d");
    t_eth(t, "d", "c");
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 6, T_IDS("a", "d"));
}
END_TEST

START_TEST(more_nodes_than_layers_is_invalid_split)
{
    t_node(t, "a", 100, 100);
    t_node(t, "b", 100, 100);
    t_node(t, "c", 100, 100);
    t_ring(t, 0, T_IDS("a", "b", "c"));
    exoplace_model m = t_model("m", 2, 2);
    exoplace_place_options o = fit_options();
    o.min_nodes = 3;
    place_fails(&m, &o, EXOPLACE_E_INVALID_SPLIT);
    o.min_nodes = 2; /* no pair: only the ring, of more nodes than layers */
    place_fails(&m, &o, EXOPLACE_E_INSUFFICIENT_MEMORY);
    o.min_nodes = 1;
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 2, T_IDS("a"));
}
END_TEST

/* Tensor sharding places by bytes whatever the strategy. */
START_TEST(tensor_sharding_places_by_bytes)
{
    t_node(t, "a", 100, 40);
    exoplace_model m = t_model("m", 40, 4);
    m.kv_cache_bytes_per_layer = 10; /* 20 bytes a layer: a holds 2 */
    exoplace_place_options o = fit_options();
    place_fails(&m, &o, EXOPLACE_E_INSUFFICIENT_MEMORY);
    o.sharding = EXOPLACE_SHARDING_TENSOR;
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 4, T_IDS("a"));
    t_assert_tensor_layers(&p);
}
END_TEST

/* The ladder: the available tier holds 3 layers, the total tier 5; the split
 * is of the tier's capacities. */
START_TEST(the_ladder_places_by_layers_held_in_each_tier)
{
    t_node(t, "a", 50, 30);
    exoplace_model m = t_model("m", 50, 5);
    exoplace_place_options o = fit_options();
    exoplace_error err;
    ck_assert_int_eq(exoplace_get_placement(&p, t, &m, &o, &err), EXOPLACE_OK);
    ck_assert_int_eq(p.memory_tier, EXOPLACE_TIER_TOTAL);
    ck_assert_int_eq(p.is_low_memory, 1);
    t_assert_layer_counts(&p, T_U32(5));
    exoplace_placement_dispose(&p);
    o.no_fallback = 1;
    ck_assert_int_eq(exoplace_get_placement(&p, t, &m, &o, &err), EXOPLACE_E_INSUFFICIENT_MEMORY);
    ck_assert_str_eq(err.message, "No cycles found with sufficient memory");
}
END_TEST

/* A model of no bytes without KV cache: every node holds every layer. */
START_TEST(layers_that_cost_nothing_fit_anywhere)
{
    t_node(t, "a", 0, 0);
    t_node(t, "b", 0, 0);
    t_eth(t, "a", "b");
    t_eth(t, "b", "a");
    exoplace_model m = t_model("m", 0, 5);
    exoplace_place_options o = fit_options();
    place_ok(&m, &o);
    t_assert_ranks(&p, t, 5, T_IDS("a"));
    o.min_nodes = 2;
    place_ok(&m, &o);
    t_assert_layer_counts(&p, T_U32(3, 2));
}
END_TEST

/* Previews: each pipeline preview is what get_placement gives for its
 * min_nodes with fit. */
START_TEST(previews_use_the_fit_predicate)
{
    t_node(t, "a", 100, 19);
    t_node(t, "b", 100, 21);
    t_node(t, "c", 100, 10);
    t_eth(t, "a", "b");
    t_eth(t, "b", "a");
    t_eth(t, "b", "c");
    t_eth(t, "c", "a");
    exoplace_model m = t_model("m", 40, 4);
    exoplace_place_options o = fit_options();
    exoplace_preview_list *list = NULL;
    exoplace_error err;
    ck_assert_int_eq(exoplace_preview_list_new(&list, t, &m, &o, &err), EXOPLACE_OK);
    size_t pipeline_ok = 0;
    for (size_t i = 0; i < exoplace_preview_list_count(list); i++) {
        const exoplace_preview *pv = exoplace_preview_list_get(list, i);
        if (pv->sharding != EXOPLACE_SHARDING_PIPELINE || pv->status != EXOPLACE_OK)
            continue;
        /* the pair a, b passes by bytes and holds 3 layers: never a preview */
        ck_assert_uint_eq(pv->placement.n_nodes, 3);
        pipeline_ok++;
    }
    ck_assert_uint_eq(pipeline_ok, 2); /* MlxRing and MlxJaccl */
    exoplace_preview_list_free(list);
}
END_TEST

static Suite *fit_suite(void)
{
    Suite *s = suite_create("fit");
    TCase *tc = tcase_create("placement");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, the_24_gib_node_gets_one_layer_fewer_under_fit);
    tcase_add_test(tc, byte_sums_pass_but_fit_takes_the_next_length_for_a_safe_split);
    tcase_add_test(tc, caps_reached_exactly_place_and_one_byte_short_does_not);
    tcase_add_test(tc, a_reserve_that_leaves_a_node_no_layer_removes_it);
    tcase_add_test(tc, kv_bytes_change_the_cycle);
    tcase_add_test(tc, a_node_holding_no_layer_takes_its_cycles_out);
    tcase_add_test(tc, the_cycle_holding_the_most_layers_wins);
    tcase_add_test(tc, more_nodes_than_layers_is_invalid_split);
    tcase_add_test(tc, tensor_sharding_places_by_bytes);
    tcase_add_test(tc, the_ladder_places_by_layers_held_in_each_tier);
    tcase_add_test(tc, layers_that_cost_nothing_fit_anywhere);
    tcase_add_test(tc, previews_use_the_fit_predicate);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run(fit_suite());
}
