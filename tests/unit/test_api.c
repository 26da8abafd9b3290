/*
 * The API shim (placement.md sections 5 and 7): get_placement's retry and
 * memory-tier ladder, previews, model fit and model-list order.
 */
#include "unit.h"

#include <string.h>

static exoplace_topology *t;
static exoplace_placement p;
static exoplace_preview_list *list;

static const char *const no_memory_text = "No cycles found with sufficient memory";

static void setup(void)
{
    t = t_topology();
    memset(&p, 0, sizeof p);
    list = NULL;
}

static void teardown(void)
{
    exoplace_preview_list_free(list);
    list = NULL;
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
    t = NULL;
}

static void get_ok(const exoplace_model *model, const exoplace_place_options *options)
{
    exoplace_placement_dispose(&p);
    exoplace_error err;
    exoplace_status st = exoplace_get_placement(&p, t, model, options, &err);
    ck_assert_msg(st == EXOPLACE_OK, "get_placement: %s (%s)", exoplace_status_name(st), err.message);
}

static void get_fails(const exoplace_model *model, const exoplace_place_options *options,
                      exoplace_status expected, const char *message)
{
    exoplace_placement_dispose(&p);
    exoplace_error err;
    exoplace_status st = exoplace_get_placement(&p, t, model, options, &err);
    ck_assert_msg(st == expected, "get_placement gave %s (%s), expected %s", exoplace_status_name(st),
                  err.message, exoplace_status_name(expected));
    ck_assert_int_eq(err.code, expected);
    if (message)
        ck_assert_str_eq(err.message, message);
    t_assert_failure_explained(t, model, options, expected);
}

static void assert_tier(exoplace_memory_tier tier)
{
    ck_assert_msg(p.memory_tier == tier, "placed in tier %s, expected %s", exoplace_memory_tier_name(p.memory_tier),
                  exoplace_memory_tier_name(tier));
    ck_assert_int_eq(p.is_low_memory, tier != EXOPLACE_TIER_AVAILABLE);
}

static exoplace_node_memory mem(uint64_t total, uint64_t available, exoplace_pressure_level level,
                                int32_t free_percent)
{
    exoplace_node_memory m;
    exoplace_node_memory_init(&m);
    m.ram_total = total;
    m.ram_available = available;
    m.pressure_level = level;
    m.free_percent = free_percent;
    return m;
}

static void seed_cluster(void)
{
    t_node(t, "mac1", 64 * T_GIB, 20 * T_GIB);
    t_node(t, "mac2", 48 * T_GIB, 30 * T_GIB);
    t_node(t, "mac3", 40 * T_GIB, 40 * T_GIB);
    t_mesh(t, 1, T_IDS("mac1", "mac2", "mac3"));
}

/* ---- get_placement: the seed's two modes ---- */

START_TEST(strict_success_is_not_low_memory)
{
    t_node(t, "n", 1000, 2048000);
    exoplace_model m = t_model("m", 1024000, 1);
    get_ok(&m, NULL);
    t_assert_ranks(&p, t, 1, T_IDS("n"));
    assert_tier(EXOPLACE_TIER_AVAILABLE);
}
END_TEST

START_TEST(strict_failure_retries_with_total_memory)
{
    t_node(t, "n", 2048000, 512000);
    exoplace_model m = t_model("m", 1024000, 1);
    get_ok(&m, NULL);
    t_assert_ranks(&p, t, 1, T_IDS("n"));
    assert_tier(EXOPLACE_TIER_TOTAL);
}
END_TEST

START_TEST(both_attempts_failing_gives_the_strict_error)
{
    t_node(t, "n", 921600, 512000);
    exoplace_model m = t_model("m", 1024000, 1);
    get_fails(&m, NULL, EXOPLACE_E_INSUFFICIENT_MEMORY, no_memory_text);
}
END_TEST

START_TEST(strict_memory_error_wins_over_the_retry_tensor_error)
{
    /* strict: no memory; total: the model does not support tensor; the strict error is returned */
    t_node(t, "a", 64 * T_GIB, 10 * T_GIB);
    exoplace_model m = t_model("m", 20 * T_GIB, 32);
    m.supports_tensor = 0;
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.sharding = EXOPLACE_SHARDING_TENSOR;
    get_fails(&m, &o, EXOPLACE_E_INSUFFICIENT_MEMORY, no_memory_text);
}
END_TEST

START_TEST(strict_invalid_split_falls_back_to_total_memory)
{
    /* available 58, 2, 2 GiB split 3, 1, -1 (invalid); total 60, 60, 60 GiB splits 1, 1, 1 */
    t_node(t, "a", 60 * T_GIB, 58 * T_GIB);
    t_node(t, "b", 60 * T_GIB, 2 * T_GIB);
    t_node(t, "c", 60 * T_GIB, 2 * T_GIB);
    t_ring(t, 0, T_IDS("a", "b", "c"));
    exoplace_model m = t_model("m", 61 * T_GIB, 3);
    exoplace_place_options o = t_exo_options();
    get_ok(&m, &o);
    t_assert_ranks(&p, t, 3, T_IDS("a", "b", "c"));
    t_assert_layer_counts(&p, T_U32(1, 1, 1));
    assert_tier(EXOPLACE_TIER_TOTAL);
}
END_TEST

START_TEST(fits_total_not_available_places_by_total)
{
    seed_cluster();
    exoplace_model m = t_model("m", 100 * T_GIB, 40);
    exoplace_place_options o = t_exo_options();
    get_ok(&m, &o);
    t_assert_ranks(&p, t, 40, T_IDS("mac1", "mac2"));
    t_assert_layer_counts(&p, T_U32(23, 17));
    assert_tier(EXOPLACE_TIER_TOTAL);
}
END_TEST

START_TEST(fits_neither_is_insufficient_memory)
{
    seed_cluster();
    exoplace_model m = t_model("m", 153 * T_GIB, 40);
    get_fails(&m, NULL, EXOPLACE_E_INSUFFICIENT_MEMORY, no_memory_text);
}
END_TEST

START_TEST(starting_at_total_is_low_memory_even_when_available_would_do)
{
    seed_cluster();
    exoplace_model m = t_model("m", 30 * T_GIB, 40);
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.memory_tier = EXOPLACE_TIER_TOTAL;
    get_ok(&m, &o);
    t_assert_ranks(&p, t, 40, T_IDS("mac1"));
    assert_tier(EXOPLACE_TIER_TOTAL);
}
END_TEST

START_TEST(no_fallback_makes_one_attempt)
{
    t_node(t, "n", 2048000, 512000);
    exoplace_model m = t_model("m", 1024000, 1);
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.no_fallback = 1;
    get_fails(&m, &o, EXOPLACE_E_INSUFFICIENT_MEMORY, no_memory_text);
}
END_TEST

START_TEST(get_placement_arguments_are_checked)
{
    t_node(t, "n", 100, 100);
    exoplace_model m = t_model("m", 10, 1);
    ck_assert_int_eq(exoplace_get_placement(NULL, t, &m, NULL, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_get_placement(&p, NULL, &m, NULL, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_get_placement(&p, t, NULL, NULL, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.min_nodes = 0;
    ck_assert_int_eq(exoplace_get_placement(&p, t, &m, &o, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    m.n_layers = 0;
    ck_assert_int_eq(exoplace_get_placement(&p, t, &m, NULL, NULL), EXOPLACE_E_INVALID_ARGUMENT);
}
END_TEST

/* ---- memory tiers (section 7) ---- */

START_TEST(pressure_tier_is_used_when_a_node_reports_free_percent)
{
    exoplace_node_memory a = mem(4000, 500, EXOPLACE_PRESSURE_NORMAL, 60);
    t_node_memory(t, "a", &a);
    exoplace_model m = t_model("m", 2000, 4);
    get_ok(&m, NULL);
    assert_tier(EXOPLACE_TIER_PRESSURE);
}
END_TEST

START_TEST(pressure_tier_is_skipped_without_pressure_information)
{
    t_node(t, "a", 4000, 500);
    exoplace_model m = t_model("m", 2000, 4);
    get_ok(&m, NULL);
    assert_tier(EXOPLACE_TIER_TOTAL);
}
END_TEST

START_TEST(pressure_tier_uses_ram_available_for_nodes_without_free_percent)
{
    /* pressure metric: a = 4000 * 50% = 2000, b reports nothing = 900; pair 2900 */
    exoplace_node_memory a = mem(4000, 100, EXOPLACE_PRESSURE_NORMAL, 50);
    t_node_memory(t, "a", &a);
    t_node(t, "b", 1000, 900);
    t_ring(t, 0, T_IDS("a", "b"));
    exoplace_model m = t_model("m", 2900, 29);
    exoplace_place_options o = t_exo_options();
    get_ok(&m, &o);
    assert_tier(EXOPLACE_TIER_PRESSURE);
    t_assert_ranks(&p, t, 29, T_IDS("a", "b"));
    /* 2000 / 2900 * 29 = 20 */
    t_assert_layer_counts(&p, T_U32(20, 9));
}
END_TEST

START_TEST(warn_halves_the_pressure_metric)
{
    exoplace_node_memory a = mem(4000, 500, EXOPLACE_PRESSURE_WARN, 50);
    t_node_memory(t, "a", &a);
    exoplace_model m = t_model("m", 1000, 4);
    get_ok(&m, NULL);
    assert_tier(EXOPLACE_TIER_PRESSURE);
    m.storage_size = 1001;
    get_ok(&m, NULL);
    assert_tier(EXOPLACE_TIER_TOTAL);
}
END_TEST

START_TEST(warn_halves_ram_available_in_the_pressure_tier)
{
    /* pressure metric: a (warn, no free_percent) = 1000 / 2 = 500; b = 4000 * 50% = 2000 */
    exoplace_node_memory a = mem(1000, 1000, EXOPLACE_PRESSURE_WARN, -1);
    exoplace_node_memory b = mem(4000, 0, EXOPLACE_PRESSURE_NORMAL, 50);
    t_node_memory(t, "a", &a);
    t_node_memory(t, "b", &b);
    t_ring(t, 0, T_IDS("a", "b"));
    exoplace_model m = t_model("m", 2500, 10);
    exoplace_place_options o = t_exo_options();
    get_ok(&m, &o);
    assert_tier(EXOPLACE_TIER_PRESSURE);
    t_assert_ranks(&p, t, 10, T_IDS("a", "b"));
    t_assert_layer_counts(&p, T_U32(2, 8));
    m.storage_size = 2501;
    get_ok(&m, &o);
    assert_tier(EXOPLACE_TIER_TOTAL);
}
END_TEST

START_TEST(warn_does_not_change_the_available_tier)
{
    exoplace_node_memory a = mem(4000, 1500, EXOPLACE_PRESSURE_WARN, -1);
    t_node_memory(t, "a", &a);
    exoplace_model m = t_model("m", 1500, 4);
    get_ok(&m, NULL);
    assert_tier(EXOPLACE_TIER_AVAILABLE);
}
END_TEST

START_TEST(critical_node_counts_zero_until_the_total_tier)
{
    exoplace_node_memory a = mem(4000, 3000, EXOPLACE_PRESSURE_CRITICAL, 90);
    t_node_memory(t, "a", &a);
    t_node(t, "b", 500, 500);
    t_ring(t, 0, T_IDS("a", "b"));
    exoplace_model m = t_model("m", 1000, 4);
    get_ok(&m, NULL);
    assert_tier(EXOPLACE_TIER_TOTAL);
    t_assert_ranks(&p, t, 4, T_IDS("a"));
}
END_TEST

START_TEST(free_percent_of_a_huge_total_does_not_overflow)
{
    /* 3 * 2^62 * 50 / 100 = 3 * 2^61; a 64-bit product would wrap */
    exoplace_node_memory a = mem(UINT64_C(3) << 62, 0, EXOPLACE_PRESSURE_NORMAL, 50);
    t_node_memory(t, "a", &a);
    exoplace_model m = t_model("m", UINT64_C(3) << 61, 4);
    get_ok(&m, NULL);
    assert_tier(EXOPLACE_TIER_PRESSURE);
}
END_TEST

START_TEST(free_percent_zero_gives_nothing_in_the_pressure_tier)
{
    exoplace_node_memory a = mem(4000, 0, EXOPLACE_PRESSURE_NORMAL, 0);
    t_node_memory(t, "a", &a);
    exoplace_model m = t_model("m", 1, 4);
    get_ok(&m, NULL);
    assert_tier(EXOPLACE_TIER_TOTAL);
}
END_TEST

START_TEST(swap_tier_is_never_used_by_default)
{
    exoplace_node_memory a = mem(1000, 100, EXOPLACE_PRESSURE_UNREPORTED, -1);
    a.swap_total = 2000;
    a.swap_available = 1000;
    t_node_memory(t, "a", &a);
    exoplace_model m = t_model("m", 1500, 4);
    get_fails(&m, NULL, EXOPLACE_E_INSUFFICIENT_MEMORY, no_memory_text);
}
END_TEST

START_TEST(swap_tier_is_used_with_allow_swap)
{
    exoplace_node_memory a = mem(1000, 100, EXOPLACE_PRESSURE_UNREPORTED, -1);
    a.swap_total = 2000;
    a.swap_available = 1000;
    t_node_memory(t, "a", &a);
    exoplace_model m = t_model("m", 1500, 4);
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.allow_swap = 1;
    get_ok(&m, &o);
    assert_tier(EXOPLACE_TIER_SWAP);
}
END_TEST

START_TEST(every_tier_failing_gives_the_available_tier_error)
{
    exoplace_node_memory a = mem(64 * T_GIB, 10 * T_GIB, EXOPLACE_PRESSURE_NORMAL, 100);
    a.swap_available = 64 * T_GIB;
    t_node_memory(t, "a", &a);
    exoplace_model m = t_model("m", 20 * T_GIB, 32);
    m.supports_tensor = 0;
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.sharding = EXOPLACE_SHARDING_TENSOR;
    o.allow_swap = 1;
    get_fails(&m, &o, EXOPLACE_E_INSUFFICIENT_MEMORY, no_memory_text);
}
END_TEST

START_TEST(no_fallback_with_pressure_information_makes_one_attempt)
{
    exoplace_node_memory a = mem(4000, 500, EXOPLACE_PRESSURE_NORMAL, 60);
    t_node_memory(t, "a", &a);
    exoplace_model m = t_model("m", 2000, 4);
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.no_fallback = 1;
    o.allow_swap = 1;
    get_fails(&m, &o, EXOPLACE_E_INSUFFICIENT_MEMORY, no_memory_text);
}
END_TEST

/* available 100, pressure 1000 * 30% = 300, total 1000, swap 1000 + 500 = 1500 */
static const struct {
    uint64_t storage;
    int placed;
    exoplace_memory_tier tier;
} ladder[] = {
    {100, 1, EXOPLACE_TIER_AVAILABLE}, {101, 1, EXOPLACE_TIER_PRESSURE}, {300, 1, EXOPLACE_TIER_PRESSURE},
    {301, 1, EXOPLACE_TIER_TOTAL},     {1000, 1, EXOPLACE_TIER_TOTAL},   {1001, 1, EXOPLACE_TIER_SWAP},
    {1500, 1, EXOPLACE_TIER_SWAP},     {1501, 0, EXOPLACE_TIER_AVAILABLE},
};

START_TEST(cluster_fitting_exactly_one_tier_is_placed_in_that_tier)
{
    exoplace_node_memory a = mem(1000, 100, EXOPLACE_PRESSURE_NORMAL, 30);
    a.swap_total = 800;
    a.swap_available = 500;
    t_node_memory(t, "a", &a);
    exoplace_model m = t_model("m", ladder[_i].storage, 4);
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.allow_swap = 1;
    if (ladder[_i].placed) {
        get_ok(&m, &o);
        assert_tier(ladder[_i].tier);
    } else {
        get_fails(&m, &o, EXOPLACE_E_INSUFFICIENT_MEMORY, no_memory_text);
    }
}
END_TEST

/* ---- previews ---- */

static void previews(const exoplace_model *model, const exoplace_place_options *options)
{
    exoplace_preview_list_free(list);
    list = NULL;
    exoplace_error err;
    exoplace_status st = exoplace_preview_list_new(&list, t, model, options, &err);
    ck_assert_msg(st == EXOPLACE_OK, "previews: %s (%s)", exoplace_status_name(st), err.message);
    ck_assert_ptr_nonnull(list);
}

static const exoplace_preview *preview(size_t i)
{
    const exoplace_preview *pv = exoplace_preview_list_get(list, i);
    ck_assert_msg(pv != NULL, "no preview %zu", i);
    return pv;
}

static void assert_preview(size_t i, exoplace_sharding sharding, exoplace_instance_meta meta, uint32_t min_nodes,
                           size_t n_nodes)
{
    const exoplace_preview *pv = preview(i);
    ck_assert_msg(pv->sharding == sharding && pv->instance_meta == meta && pv->min_nodes == min_nodes,
                  "preview %zu is (%s, %s, %u), expected (%s, %s, %u)", i, exoplace_sharding_name(pv->sharding),
                  exoplace_instance_meta_name(pv->instance_meta), (unsigned)pv->min_nodes,
                  exoplace_sharding_name(sharding), exoplace_instance_meta_name(meta), (unsigned)min_nodes);
    if (n_nodes) {
        ck_assert_msg(pv->status == EXOPLACE_OK, "preview %zu: %s", i, exoplace_status_name(pv->status));
        ck_assert_uint_eq(pv->placement.n_nodes, n_nodes);
        ck_assert_int_eq(pv->placement.sharding, sharding);
    } else {
        ck_assert_msg(pv->status != EXOPLACE_OK, "preview %zu should be an error", i);
        ck_assert_int_eq(pv->error.code, pv->status);
    }
}

START_TEST(empty_topology_has_no_previews)
{
    exoplace_model m = t_model("m", 1, 1);
    previews(&m, NULL);
    ck_assert_uint_eq(exoplace_preview_list_count(list), 0);
    ck_assert_ptr_null(exoplace_preview_list_get(list, 0));
}
END_TEST

START_TEST(previews_are_not_low_memory_when_strict_works)
{
    t_node(t, "n", 1000, 2048000);
    exoplace_model m = t_model("m", 1024000, 1);
    previews(&m, NULL);
    ck_assert_uint_eq(exoplace_preview_list_count(list), 4);
    assert_preview(0, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_RING, 1, 1);
    assert_preview(1, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_JACCL, 1, 1);
    assert_preview(2, EXOPLACE_SHARDING_TENSOR, EXOPLACE_INSTANCE_MLX_RING, 1, 1);
    assert_preview(3, EXOPLACE_SHARDING_TENSOR, EXOPLACE_INSTANCE_MLX_JACCL, 1, 1);
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(preview(i)->placement.is_low_memory, 0);
        ck_assert_int_eq(preview(i)->placement.memory_tier, EXOPLACE_TIER_AVAILABLE);
        ck_assert_uint_eq(preview(i)->placement.shards[0].memory_delta, 1024000);
    }
    ck_assert_ptr_null(exoplace_preview_list_get(list, 4));
}
END_TEST

START_TEST(previews_are_low_memory_when_only_total_works)
{
    t_node(t, "n", 2048000, 512000);
    exoplace_model m = t_model("m", 1024000, 1);
    previews(&m, NULL);
    ck_assert_uint_eq(exoplace_preview_list_count(list), 4);
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(preview(i)->status, EXOPLACE_OK);
        ck_assert_int_eq(preview(i)->placement.is_low_memory, 1);
        ck_assert_int_eq(preview(i)->placement.memory_tier, EXOPLACE_TIER_TOTAL);
    }
}
END_TEST

START_TEST(jaccl_preview_keeps_its_loop_meta_when_placement_falls_back_to_ring)
{
    t_node(t, "n", 1000, 2048000);
    exoplace_model m = t_model("m", 1024000, 1);
    previews(&m, NULL);
    ck_assert_int_eq(preview(1)->instance_meta, EXOPLACE_INSTANCE_MLX_JACCL);
    ck_assert_int_eq(preview(1)->placement.instance_meta, EXOPLACE_INSTANCE_MLX_RING);
}
END_TEST

START_TEST(previews_loop_sharding_then_meta_then_min_nodes)
{
    /* a <-> b, each fits the model alone: min_nodes 1 gives one node, 2 gives two */
    t_node(t, "a", 100, 100);
    t_node(t, "b", 100, 100);
    t_ring(t, 0, T_IDS("a", "b"));
    exoplace_model m = t_model("m", 50, 4);
    previews(&m, NULL);
    ck_assert_uint_eq(exoplace_preview_list_count(list), 8);
    assert_preview(0, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_RING, 1, 1);
    assert_preview(1, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_RING, 2, 2);
    assert_preview(2, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_JACCL, 1, 1);
    assert_preview(3, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_JACCL, 2, 2);
    assert_preview(4, EXOPLACE_SHARDING_TENSOR, EXOPLACE_INSTANCE_MLX_RING, 1, 1);
    assert_preview(5, EXOPLACE_SHARDING_TENSOR, EXOPLACE_INSTANCE_MLX_RING, 2, 2);
    assert_preview(6, EXOPLACE_SHARDING_TENSOR, EXOPLACE_INSTANCE_MLX_JACCL, 1, 1);
    assert_preview(7, EXOPLACE_SHARDING_TENSOR, EXOPLACE_INSTANCE_MLX_JACCL, 2, 2);
    ck_assert_int_eq(preview(3)->placement.instance_meta, EXOPLACE_INSTANCE_MLX_JACCL);
}
END_TEST

START_TEST(previews_drop_a_second_placement_with_the_same_node_count)
{
    /* one-way ring a -> b -> c: min_nodes 2 and 3 both give the three-node cycle */
    t_node(t, "a", 100, 100);
    t_node(t, "b", 100, 100);
    t_node(t, "c", 100, 100);
    t_ring(t, 0, T_IDS("a", "b", "c"));
    exoplace_model m = t_model("m", 50, 6);
    previews(&m, NULL);
    ck_assert_uint_eq(exoplace_preview_list_count(list), 8);
    assert_preview(0, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_RING, 1, 1);
    assert_preview(1, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_RING, 2, 3);
    assert_preview(2, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_JACCL, 1, 1);
    assert_preview(3, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_JACCL, 2, 3);
    assert_preview(4, EXOPLACE_SHARDING_TENSOR, EXOPLACE_INSTANCE_MLX_RING, 1, 1);
    assert_preview(5, EXOPLACE_SHARDING_TENSOR, EXOPLACE_INSTANCE_MLX_RING, 2, 3);
    assert_preview(6, EXOPLACE_SHARDING_TENSOR, EXOPLACE_INSTANCE_MLX_JACCL, 1, 1);
    assert_preview(7, EXOPLACE_SHARDING_TENSOR, EXOPLACE_INSTANCE_MLX_JACCL, 2, 3);
}
END_TEST

START_TEST(previews_loop_min_nodes_up_to_every_node_including_unplaceable_ones)
{
    /* a <-> b placeable, ghost only an endpoint: min_nodes 3 has no cycle */
    t_node(t, "a", 100, 100);
    t_node(t, "b", 100, 100);
    t_ring(t, 0, T_IDS("a", "b"));
    t_eth(t, "a", "ghost");
    exoplace_model m = t_model("m", 50, 4);
    previews(&m, NULL);
    ck_assert_uint_eq(exoplace_preview_list_count(list), 12);
    assert_preview(0, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_RING, 1, 1);
    assert_preview(1, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_RING, 2, 2);
    assert_preview(2, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_RING, 3, 0);
    assert_preview(11, EXOPLACE_SHARDING_TENSOR, EXOPLACE_INSTANCE_MLX_JACCL, 3, 0);
    ck_assert_int_eq(preview(2)->status, EXOPLACE_E_INSUFFICIENT_MEMORY);
    ck_assert_str_eq(preview(0)->placement.shards[0].node_id, "b"); /* the leaf */
}
END_TEST

START_TEST(previews_count_all_errors_of_one_combination_as_one)
{
    t_node(t, "a", 100, 100);
    t_node(t, "b", 100, 100);
    t_node(t, "c", 100, 100);
    t_mesh(t, 0, T_IDS("a", "b", "c"));
    exoplace_model m = t_model("m", 1000, 6);
    previews(&m, NULL);
    ck_assert_uint_eq(exoplace_preview_list_count(list), 4);
    assert_preview(0, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_RING, 1, 0);
    assert_preview(1, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_JACCL, 1, 0);
    assert_preview(2, EXOPLACE_SHARDING_TENSOR, EXOPLACE_INSTANCE_MLX_RING, 1, 0);
    assert_preview(3, EXOPLACE_SHARDING_TENSOR, EXOPLACE_INSTANCE_MLX_JACCL, 1, 0);
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(preview(i)->status, EXOPLACE_E_INSUFFICIENT_MEMORY);
        ck_assert_str_eq(preview(i)->error.message, no_memory_text);
    }
}
END_TEST

START_TEST(previews_mix_strict_low_memory_and_errors)
{
    /* seed-previews-strict-low-and-error: hidden_size 7 allows tensor on 1 or 7 nodes only */
    seed_cluster();
    exoplace_model m = t_model("m", 45 * T_GIB, 61);
    m.hidden_size = 7;
    m.supports_tensor = 1;
    previews(&m, NULL);
    ck_assert_uint_eq(exoplace_preview_list_count(list), 8);
    assert_preview(0, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_RING, 1, 2);
    assert_preview(1, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_RING, 3, 3);
    assert_preview(2, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_JACCL, 1, 2);
    assert_preview(3, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_JACCL, 3, 3);
    assert_preview(4, EXOPLACE_SHARDING_TENSOR, EXOPLACE_INSTANCE_MLX_RING, 1, 1);
    assert_preview(5, EXOPLACE_SHARDING_TENSOR, EXOPLACE_INSTANCE_MLX_RING, 2, 0);
    assert_preview(6, EXOPLACE_SHARDING_TENSOR, EXOPLACE_INSTANCE_MLX_JACCL, 1, 1);
    assert_preview(7, EXOPLACE_SHARDING_TENSOR, EXOPLACE_INSTANCE_MLX_JACCL, 2, 0);

    const exoplace_preview *pv = preview(0);
    ck_assert_int_eq(pv->placement.is_low_memory, 0);
    ck_assert_str_eq(pv->placement.shards[0].node_id, "mac2");
    ck_assert_str_eq(pv->placement.shards[1].node_id, "mac3");
    ck_assert_uint_eq(pv->placement.shards[0].memory_delta, 24159191040u);
    ck_assert_uint_eq(pv->placement.shards[1].memory_delta, 24159191040u);
    pv = preview(1);
    for (size_t i = 0; i < 3; i++)
        ck_assert_uint_eq(pv->placement.shards[i].memory_delta, 16106127360u);

    pv = preview(4);
    ck_assert_int_eq(pv->placement.is_low_memory, 1);
    ck_assert_int_eq(pv->placement.memory_tier, EXOPLACE_TIER_TOTAL);
    ck_assert_str_eq(pv->placement.shards[0].node_id, "mac1");
    ck_assert_uint_eq(pv->placement.shards[0].memory_delta, 45 * T_GIB);

    pv = preview(5);
    ck_assert_int_eq(pv->status, EXOPLACE_E_NO_TENSOR_SHARDING);
    ck_assert_str_eq(pv->error.message, "No tensor sharding found for model with hidden_size 7 candidate cycles");
}
END_TEST

START_TEST(preview_memory_delta_gives_the_remainder_to_the_first_ids)
{
    /* 4 GiB over three nodes: 4294967296 = 3 * 1431655765 + 1; a gets the extra byte */
    t_node(t, "c", 16 * T_GIB, 12 * T_GIB);
    t_node(t, "b", 64 * T_GIB, 48 * T_GIB);
    t_node(t, "a", 32 * T_GIB, 24 * T_GIB);
    t_mesh(t, 1, T_IDS("a", "b", "c"));
    exoplace_model m = t_model("small", 4 * T_GIB, 32);
    previews(&m, NULL);
    ck_assert_uint_ge(exoplace_preview_list_count(list), 3);
    const exoplace_preview *pv = preview(2);
    ck_assert_int_eq(pv->status, EXOPLACE_OK);
    ck_assert_uint_eq(pv->placement.n_nodes, 3);
    for (size_t i = 0; i < 3; i++) {
        const exoplace_shard *s = &pv->placement.shards[i];
        uint64_t expected = strcmp(s->node_id, "a") == 0 ? 1431655766u : 1431655765u;
        ck_assert_uint_eq(s->memory_delta, expected);
    }
}
END_TEST

/* A tier whose search exceeds the work bound decides nothing: the ladder must
 * not go on and offer, as low memory, what that tier might have placed. The
 * ring's three nodes fit only together in available memory (a search), while
 * one node fits in total memory (no search beyond singletons). */
START_TEST(search_limit_in_a_tier_ends_the_ladder)
{
    t_node(t, "a", 1000, 100);
    t_node(t, "b", 1000, 100);
    t_node(t, "c", 1000, 100);
    t_ring(t, 0, T_IDS("a", "b", "c"));
    exoplace_model model = t_model("m", 250, 12);
    exoplace_place_options options;
    exoplace_place_options_init(&options);
    options.max_search_steps = 6; /* enough for the singletons, not for a 3-cycle */
    get_fails(&model, &options, EXOPLACE_E_SEARCH_LIMIT, NULL);

    options.memory_tier = EXOPLACE_TIER_TOTAL; /* the total tier alone is decided */
    get_ok(&model, &options);
    assert_tier(EXOPLACE_TIER_TOTAL);

    options.memory_tier = EXOPLACE_TIER_AVAILABLE; /* with room to search, the strict answer */
    options.max_search_steps = 0;
    get_ok(&model, &options);
    assert_tier(EXOPLACE_TIER_AVAILABLE);
    ck_assert_uint_eq(p.n_nodes, 3);
}
END_TEST

START_TEST(previews_use_the_ladder_of_the_options)
{
    t_node(t, "n", 2048000, 512000);
    exoplace_model m = t_model("m", 1024000, 1);
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.no_fallback = 1;
    previews(&m, &o);
    ck_assert_uint_eq(exoplace_preview_list_count(list), 4);
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(preview(i)->status, EXOPLACE_E_INSUFFICIENT_MEMORY);
}
END_TEST

START_TEST(previews_report_the_first_tier_that_places)
{
    exoplace_node_memory a = mem(4000, 500, EXOPLACE_PRESSURE_NORMAL, 60);
    t_node_memory(t, "a", &a);
    exoplace_model m = t_model("m", 2000, 4);
    previews(&m, NULL);
    ck_assert_uint_eq(exoplace_preview_list_count(list), 4);
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(preview(i)->status, EXOPLACE_OK);
        ck_assert_int_eq(preview(i)->placement.memory_tier, EXOPLACE_TIER_PRESSURE);
        ck_assert_int_eq(preview(i)->placement.is_low_memory, 1);
    }
}
END_TEST

START_TEST(previews_ignore_the_sharding_meta_and_min_nodes_of_the_options)
{
    t_node(t, "n", 1000, 2048000);
    exoplace_model m = t_model("m", 1024000, 1);
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.sharding = EXOPLACE_SHARDING_TENSOR;
    o.instance_meta = EXOPLACE_INSTANCE_MLX_JACCL;
    o.min_nodes = 3;
    previews(&m, &o);
    ck_assert_uint_eq(exoplace_preview_list_count(list), 4);
    assert_preview(0, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_RING, 1, 1);
    assert_preview(3, EXOPLACE_SHARDING_TENSOR, EXOPLACE_INSTANCE_MLX_JACCL, 1, 1);
}
END_TEST

START_TEST(previews_accept_min_nodes_zero_in_the_ignored_options)
{
    t_node(t, "n", 1000, 2048000);
    exoplace_model m = t_model("m", 1024000, 1);
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.min_nodes = 0;
    previews(&m, &o);
    ck_assert_uint_eq(exoplace_preview_list_count(list), 4);
}
END_TEST

START_TEST(preview_list_getters_accept_null)
{
    ck_assert_uint_eq(exoplace_preview_list_count(NULL), 0);
    ck_assert_ptr_null(exoplace_preview_list_get(NULL, 0));
}
END_TEST

START_TEST(previews_arguments_are_checked)
{
    t_node(t, "n", 100, 100);
    exoplace_model m = t_model("m", 10, 1);
    ck_assert_int_eq(exoplace_preview_list_new(NULL, t, &m, NULL, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_preview_list_new(&list, NULL, &m, NULL, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_preview_list_new(&list, t, NULL, NULL, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    m.model_id = NULL;
    ck_assert_int_eq(exoplace_preview_list_new(&list, t, &m, NULL, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_ptr_null(list);
}
END_TEST

/* ---- model fit and order ---- */

static exoplace_model_fit fit(uint64_t storage)
{
    exoplace_model_fit f;
    memset(&f, 0x55, sizeof f);
    exoplace_error err;
    ck_assert_int_eq(exoplace_model_fit_check(&f, t, storage, &err), EXOPLACE_OK);
    ck_assert(f.will_fit == 0 || f.will_fit == 1);
    ck_assert(f.can_fit == 0 || f.can_fit == 1);
    return f;
}

static void fit_cluster(void)
{
    /* available 1000 + 500 = 1500, total 2000 + 1000 = 3000; c has no profile */
    t_node(t, "a", 2000, 1000);
    t_node(t, "b", 1000, 500);
    t_node_bare(t, "c");
}

START_TEST(will_fit_is_storage_within_summed_available)
{
    fit_cluster();
    ck_assert_int_eq(fit(1500).will_fit, 1);
    ck_assert_int_eq(fit(1501).will_fit, 0);
    ck_assert_int_eq(fit(0).will_fit, 1);
}
END_TEST

START_TEST(can_fit_is_storage_within_summed_total)
{
    fit_cluster();
    ck_assert_int_eq(fit(1501).can_fit, 1);
    ck_assert_int_eq(fit(3000).can_fit, 1);
    ck_assert_int_eq(fit(3001).can_fit, 0);
    ck_assert_int_eq(fit(3001).will_fit, 0);
}
END_TEST

START_TEST(fit_sums_past_2_pow_64_exactly)
{
    t_node(t, "a", UINT64_MAX, UINT64_MAX);
    t_node(t, "b", 1, 1);
    exoplace_model_fit f = fit(UINT64_MAX);
    ck_assert_int_eq(f.will_fit, 1);
    ck_assert_int_eq(f.can_fit, 1);
}
END_TEST

START_TEST(fit_on_an_empty_topology)
{
    ck_assert_int_eq(fit(1).can_fit, 0);
    ck_assert_int_eq(fit(0).will_fit, 1);
}
END_TEST

START_TEST(fit_arguments_are_checked)
{
    exoplace_model_fit f;
    ck_assert_int_eq(exoplace_model_fit_check(NULL, t, 1, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_model_fit_check(&f, NULL, 1, NULL), EXOPLACE_E_INVALID_ARGUMENT);
}
END_TEST

START_TEST(models_are_ordered_can_fit_will_fit_larger_then_id)
{
    t_node(t, "n", 2000, 1000);
    /* will-fit: w800, a500, b500, w300; can-fit only: c1800, c1500; neither: n3000, n2500 */
    exoplace_model models[8];
    models[0] = t_model("n2500", 2500, 1);
    models[1] = t_model("w300", 300, 1);
    models[2] = t_model("c1500", 1500, 1);
    models[3] = t_model("b500", 500, 1);
    models[4] = t_model("n3000", 3000, 1);
    models[5] = t_model("w800", 800, 1);
    models[6] = t_model("c1800", 1800, 1);
    models[7] = t_model("a500", 500, 1);
    size_t order[8];
    exoplace_error err;
    ck_assert_int_eq(exoplace_models_order(order, t, models, 8, &err), EXOPLACE_OK);
    static const char *const expected[8] = {"w800", "a500", "b500", "w300", "c1800", "c1500", "n3000", "n2500"};
    for (size_t i = 0; i < 8; i++) {
        ck_assert_uint_lt(order[i], 8);
        ck_assert_str_eq(models[order[i]].model_id, expected[i]);
    }
}
END_TEST

START_TEST(model_ids_tie_break_bytewise)
{
    t_node(t, "n", 2000, 1000);
    exoplace_model models[3] = {t_model("b", 500, 1), t_model("B", 500, 1), t_model("a", 500, 1)};
    size_t order[3];
    ck_assert_int_eq(exoplace_models_order(order, t, models, 3, NULL), EXOPLACE_OK);
    ck_assert_str_eq(models[order[0]].model_id, "B");
    ck_assert_str_eq(models[order[1]].model_id, "a");
    ck_assert_str_eq(models[order[2]].model_id, "b");
}
END_TEST

START_TEST(models_order_arguments_are_checked)
{
    t_node(t, "n", 2000, 1000);
    exoplace_model models[2] = {t_model("a", 1, 1), t_model(NULL, 1, 1)};
    size_t order[2];
    ck_assert_int_eq(exoplace_models_order(order, t, models, 2, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_models_order(NULL, t, models, 1, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_models_order(order, NULL, models, 1, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_models_order(order, t, NULL, 1, NULL), EXOPLACE_E_INVALID_ARGUMENT);
}
END_TEST

static Suite *api_suite(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("get_placement");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, strict_success_is_not_low_memory);
    tcase_add_test(tc, strict_failure_retries_with_total_memory);
    tcase_add_test(tc, both_attempts_failing_gives_the_strict_error);
    tcase_add_test(tc, strict_memory_error_wins_over_the_retry_tensor_error);
    tcase_add_test(tc, strict_invalid_split_falls_back_to_total_memory);
    tcase_add_test(tc, fits_total_not_available_places_by_total);
    tcase_add_test(tc, fits_neither_is_insufficient_memory);
    tcase_add_test(tc, starting_at_total_is_low_memory_even_when_available_would_do);
    tcase_add_test(tc, no_fallback_makes_one_attempt);
    tcase_add_test(tc, get_placement_arguments_are_checked);
    suite_add_tcase(s, tc);

    tc = tcase_create("tiers");
    tcase_add_test(tc, search_limit_in_a_tier_ends_the_ladder);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, pressure_tier_is_used_when_a_node_reports_free_percent);
    tcase_add_test(tc, pressure_tier_is_skipped_without_pressure_information);
    tcase_add_test(tc, pressure_tier_uses_ram_available_for_nodes_without_free_percent);
    tcase_add_test(tc, warn_halves_the_pressure_metric);
    tcase_add_test(tc, warn_halves_ram_available_in_the_pressure_tier);
    tcase_add_test(tc, warn_does_not_change_the_available_tier);
    tcase_add_test(tc, critical_node_counts_zero_until_the_total_tier);
    tcase_add_test(tc, free_percent_of_a_huge_total_does_not_overflow);
    tcase_add_test(tc, free_percent_zero_gives_nothing_in_the_pressure_tier);
    tcase_add_test(tc, swap_tier_is_never_used_by_default);
    tcase_add_test(tc, swap_tier_is_used_with_allow_swap);
    tcase_add_test(tc, every_tier_failing_gives_the_available_tier_error);
    tcase_add_test(tc, no_fallback_with_pressure_information_makes_one_attempt);
    tcase_add_loop_test(tc, cluster_fitting_exactly_one_tier_is_placed_in_that_tier, 0,
                        (int)(sizeof ladder / sizeof ladder[0]));
    suite_add_tcase(s, tc);

    tc = tcase_create("previews");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, empty_topology_has_no_previews);
    tcase_add_test(tc, previews_are_not_low_memory_when_strict_works);
    tcase_add_test(tc, previews_are_low_memory_when_only_total_works);
    tcase_add_test(tc, jaccl_preview_keeps_its_loop_meta_when_placement_falls_back_to_ring);
    tcase_add_test(tc, previews_loop_sharding_then_meta_then_min_nodes);
    tcase_add_test(tc, previews_drop_a_second_placement_with_the_same_node_count);
    tcase_add_test(tc, previews_loop_min_nodes_up_to_every_node_including_unplaceable_ones);
    tcase_add_test(tc, previews_count_all_errors_of_one_combination_as_one);
    tcase_add_test(tc, previews_mix_strict_low_memory_and_errors);
    tcase_add_test(tc, preview_memory_delta_gives_the_remainder_to_the_first_ids);
    tcase_add_test(tc, previews_use_the_ladder_of_the_options);
    tcase_add_test(tc, previews_report_the_first_tier_that_places);
    tcase_add_test(tc, previews_ignore_the_sharding_meta_and_min_nodes_of_the_options);
    tcase_add_test(tc, previews_accept_min_nodes_zero_in_the_ignored_options);
    tcase_add_test(tc, preview_list_getters_accept_null);
    tcase_add_test(tc, previews_arguments_are_checked);
    suite_add_tcase(s, tc);

    tc = tcase_create("model_fit");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, will_fit_is_storage_within_summed_available);
    tcase_add_test(tc, can_fit_is_storage_within_summed_total);
    tcase_add_test(tc, fit_sums_past_2_pow_64_exactly);
    tcase_add_test(tc, fit_on_an_empty_topology);
    tcase_add_test(tc, fit_arguments_are_checked);
    tcase_add_test(tc, models_are_ordered_can_fit_will_fit_larger_then_id);
    tcase_add_test(tc, model_ids_tie_break_bytewise);
    tcase_add_test(tc, models_order_arguments_are_checked);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run(api_suite());
}
