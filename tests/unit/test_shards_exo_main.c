/*
 * exo-main's shards (exo-main.md 5.12 and 6): the exact quotient as a
 * correctly rounded double, the two-decimal GB text, the float split with
 * its minimum of one layer and its per-node check (each split-* vector's
 * numbers, in the rank order exo chose), CFG parallel, tensor and the
 * one-node override, in the tier being tried.
 */
#include "unit.h"

#include "error.h"
#include "shards_exo_main.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- the quotient ---- */

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

START_TEST(quotient_below_2_pow_53_is_the_hardware_division)
{
    uint64_t s = 0x1234567;
    for (int i = 0; i < 200000; i++) {
        uint64_t num = xorshift(&s) >> (11 + (unsigned)(i % 40));
        uint64_t den = (xorshift(&s) >> (11 + (unsigned)(i % 13))) | 1;
        double expected = (double)num / (double)den;
        double got = exoplace__u128_quotient(num, den);
        ck_assert_msg(got == expected, "%llu / %llu: %.17g, expected %.17g", (unsigned long long)num,
                      (unsigned long long)den, got, expected);
    }
}
END_TEST

START_TEST(quotient_rounds_half_to_even_past_2_pow_53)
{
    exoplace__u128 two53 = (exoplace__u128)1 << 53;
    /* (2^53 + 1): halfway between 2^53 and 2^53 + 2, to the even 2^53. */
    ck_assert(exoplace__u128_quotient((two53 + 1) * 3, 3) == ldexp(1.0, 53));
    /* (2^53 + 3): halfway between 2^53 + 2 and 2^53 + 4, to the even 2^53 + 4. */
    ck_assert(exoplace__u128_quotient((two53 + 3) * 7, 7) == ldexp(1.0, 53) + 4);
    /* Just past the half: up. */
    ck_assert(exoplace__u128_quotient((two53 + 1) * 4 + 1, 4) == ldexp(1.0, 53) + 2);
    /* Both operands past 2^53: converting them first would give 1.0. */
    exoplace__u128 a = two53 + 1, b = two53 + 3;
    ck_assert(exoplace__u128_quotient(a, b) < 1.0);
    ck_assert((double)a / (double)b != exoplace__u128_quotient(a, b));
    ck_assert(exoplace__u128_quotient(0, 5) == 0.0);
    ck_assert(exoplace__u128_quotient(5, 5) == 1.0);
}
END_TEST

/* Whether d is num / den correctly rounded: |num / den - d| <= ulp / 2, with
 * an even mantissa at exact halves; checked by cross-multiplying integers. */
static int correctly_rounded(exoplace__u128 num, exoplace__u128 den, double d)
{
    int e = 0;
    double f = frexp(d, &e);
    uint64_t m = (uint64_t)ldexp(f, 53);
    int k = 53 - e; /* d = m * 2^-k */
    exoplace__u128 lhs, lo, hi;
    if (k >= 0) {
        lhs = (num * 2) << k;
        lo = den * (2 * (exoplace__u128)m - 1);
        hi = den * (2 * (exoplace__u128)m + 1);
    } else {
        lhs = num * 2;
        lo = (den * (2 * (exoplace__u128)m - 1)) << -k;
        hi = (den * (2 * (exoplace__u128)m + 1)) << -k;
    }
    if (lhs < lo || lhs > hi)
        return 0;
    return (lhs != lo && lhs != hi) || m % 2 == 0;
}

START_TEST(quotient_is_correctly_rounded_on_random_wide_inputs)
{
    uint64_t s = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 200000; i++) {
        /* Operands below 2^70 so that the check's products fit. */
        exoplace__u128 num = ((exoplace__u128)(xorshift(&s) >> 58) << 64) | xorshift(&s);
        exoplace__u128 den = ((exoplace__u128)(xorshift(&s) >> 58) << 64) | xorshift(&s);
        num >>= (unsigned)(i % 50);
        den >>= (unsigned)(i % 37);
        if (num == 0 || den == 0)
            continue;
        ck_assert_msg(correctly_rounded(num, den, exoplace__u128_quotient(num, den)), "case %d", i);
    }
}
END_TEST

/* ---- the GB text ---- */

static void expect_gb(exoplace__u128 bytes, const char *expected)
{
    char text[64];
    exoplace__gb_text(text, sizeof text, bytes);
    ck_assert_str_eq(text, expected);
}

START_TEST(gb_text_is_pythons_two_decimals)
{
    expect_gb(0, "0.00");
    expect_gb(T_GIB, "1.00");
    expect_gb(3221225472u, "3.00");
    expect_gb(322122547u, "0.30");
    expect_gb(40802189312u / 3, "12.67");
    expect_gb((exoplace__u128)1 << 27, "0.12");     /* 0.125 exactly: half to even */
    expect_gb((exoplace__u128)3 << 27, "0.38");     /* 0.375 exactly */
    expect_gb(((exoplace__u128)5 << 30) + ((exoplace__u128)1 << 29) / 50, "5.01"); /* 5.01 just */
    expect_gb(~(exoplace__u128)0, "316912650057057350374175801344.00");
}
END_TEST

START_TEST(gb_text_agrees_with_printf_on_random_sizes)
{
    uint64_t s = 0xdeadbeefcafebabeull;
    for (int i = 0; i < 100000; i++) {
        uint64_t bytes = xorshift(&s) >> (unsigned)(i % 64);
        char mine[64], theirs[64];
        exoplace__gb_text(mine, sizeof mine, bytes);
        snprintf(theirs, sizeof theirs, "%.2f", ldexp((double)bytes, -30));
        ck_assert_msg(strcmp(mine, theirs) == 0, "%llu bytes: %s, printf %s", (unsigned long long)bytes, mine,
                      theirs);
    }
}
END_TEST

/* ---- the split ---- */

static exoplace_status split(uint32_t *counts, const exoplace__u128 *a, const char *const *ids, size_t m,
                             uint64_t storage, uint32_t layers, exoplace_error *err)
{
    exoplace__error_clear(err);
    return exoplace__exo_main_split(counts, a, ids, m, storage, layers, err);
}

static void expect_counts(const exoplace__u128 *a, const char *const *ids, size_t m, uint64_t storage,
                          uint32_t layers, const uint32_t *expected)
{
    uint32_t counts[16];
    exoplace_error err;
    exoplace_status st = split(counts, a, ids, m, storage, layers, &err);
    ck_assert_msg(st == EXOPLACE_OK, "%s: %s", exoplace_status_name(st), err.message);
    for (size_t i = 0; i < m; i++)
        ck_assert_msg(counts[i] == expected[i], "rank %zu: %u layers, expected %u", i, counts[i], expected[i]);
}

static void expect_split_error(const exoplace__u128 *a, const char *const *ids, size_t m, uint64_t storage,
                               uint32_t layers, exoplace_status code, const char *text)
{
    uint32_t counts[16];
    exoplace_error err;
    ck_assert_int_eq(split(counts, a, ids, m, storage, layers, &err), code);
    ck_assert_int_eq(err.code, code);
    ck_assert_str_eq(err.message, text);
}

/* split-float-remainder-order: ranks d, a, b, c. */
START_TEST(split_float_remainder_order)
{
    const exoplace__u128 a[] = {637534208, 520093696, 117440512, 335544320};
    const char *const ids[] = {"d", "a", "b", "c"};
    expect_counts(a, ids, 4, 1288490188, 16, (const uint32_t[]){6, 5, 1, 4});
    /* Exact largest remainder ties d and a and gives the layer to d (the lower rank). */
    const uint64_t wide[] = {637534208, 520093696, 117440512, 335544320};
    uint32_t exact[4];
    ck_assert_int_eq(exoplace_layers_distribute(exact, wide, 4, 16, EXOPLACE_LAYERS_LARGEST_REMAINDER, NULL),
                     EXOPLACE_OK);
    ck_assert_uint_eq(exact[0], 7);
    ck_assert_uint_eq(exact[3], 3);
}
END_TEST

/* split-min-one-layer-fits: ranks c, a, b. */
START_TEST(split_min_one_layer_fits)
{
    const exoplace__u128 a[] = {1288490188, 21474836480u, 22548578304u};
    expect_counts(a, (const char *const[]){"c", "a", "b"}, 3, 11811160064u, 10, (const uint32_t[]){1, 4, 5});
}
END_TEST

/* split-min-one-layer-taken-from-largest: c floors to 0, takes from a (the first of the most). */
START_TEST(split_min_one_layer_taken_from_largest)
{
    const exoplace__u128 a[] = {322122547, 21474836480u, 22548578304u};
    expect_split_error(a, (const char *const[]){"c", "a", "b"}, 3, 32212254720u, 10,
                       EXOPLACE_E_NODE_INSUFFICIENT_MEMORY,
                       "Node 0 (c) has insufficient memory: requires 3.00 GB for 1 layers, but only has 0.30 GB "
                       "available");
    /* With the check passing, the counts themselves. */
    expect_counts(a, (const char *const[]){"c", "a", "b"}, 3, 10, 10, (const uint32_t[]){1, 4, 5});
}
END_TEST

START_TEST(split_too_few_layers)
{
    const exoplace__u128 a[] = {8589934592u, 8589934597u, 8589934601u};
    expect_split_error(a, (const char *const[]){"a", "b", "c"}, 3, 21474836480u, 2, EXOPLACE_E_TOO_FEW_LAYERS,
                       "Cannot distribute 2 layers across 3 nodes (need at least 1 layer per node)");
}
END_TEST

START_TEST(split_zero_total_memory)
{
    const exoplace__u128 a[] = {0, 0};
    expect_split_error(a, (const char *const[]){"a", "b"}, 2, 0, 4, EXOPLACE_E_ZERO_MEMORY,
                       "Cannot create shard assignments: total available memory is 0");
    /* Zero memory is checked before the layer count. */
    expect_split_error(a, (const char *const[]){"a", "b"}, 2, 0, 1, EXOPLACE_E_ZERO_MEMORY,
                       "Cannot create shard assignments: total available memory is 0");
}
END_TEST

/* per-node-check-after-split: ranks b, a; b gets 1 of 3 layers = 12.67 GB > 10 GB. */
START_TEST(split_per_node_check_names_rank_and_node)
{
    const exoplace__u128 a[] = {10737418240u, 32212254720u};
    expect_split_error(a, (const char *const[]){"b", "a"}, 2, 40802189312u, 3,
                       EXOPLACE_E_NODE_INSUFFICIENT_MEMORY,
                       "Node 0 (b) has insufficient memory: requires 12.67 GB for 1 layers, but only has 10.00 GB "
                       "available");
}
END_TEST

START_TEST(split_past_2_pow_64_is_exact)
{
    /* Swap-tier metrics pass 2^64: fractions from exact quotients. */
    exoplace__u128 big = ((exoplace__u128)1 << 64) + 12345;
    const exoplace__u128 a[] = {big, big, big * 2};
    expect_counts(a, (const char *const[]){"x", "y", "z"}, 3, 100, 8, (const uint32_t[]){2, 2, 4});
}
END_TEST

/* ---- shards ---- */

static exoplace_topology *mesh_with(const char *const *ids, size_t n, const uint64_t *available, size_t n_available)
{
    ck_assert_uint_eq(n, n_available);
    exoplace_topology *t = t_topology();
    for (size_t i = 0; i < n; i++)
        t_node(t, ids[i], available[i] + T_GIB, available[i]);
    t_mesh(t, 0, ids, n);
    return t;
}

static exoplace_model card(const char *id, uint64_t storage, uint32_t layers, int uses_cfg)
{
    exoplace_model m = t_model(id, storage, layers);
    m.hidden_size = 4096;
    m.supports_tensor = 1;
    m.uses_cfg = uses_cfg;
    return m;
}

static void place_shards(exoplace_placement *p, const exoplace_topology *t, const char *const *rank_ids, size_t n,
                         const exoplace_model *m, exoplace_sharding sharding, exoplace_instance_meta meta,
                         exoplace_memory_tier tier, exoplace_status expected)
{
    uint32_t cycle[16];
    for (size_t i = 0; i < n; i++)
        cycle[i] = (uint32_t)t_index(t, rank_ids[i]);
    exoplace_error err;
    exoplace__error_clear(&err);
    exoplace_status st = exoplace__exo_main_shards(p, t, cycle, n, m, sharding, meta, tier, &err);
    ck_assert_msg(st == expected, "%s: %s", exoplace_status_name(st), err.message);
}

static void expect_shard(const exoplace_shard *s, exoplace_shard_kind kind, uint32_t start, uint32_t end,
                         uint32_t cfg_rank, uint32_t pipeline_rank)
{
    ck_assert_int_eq(s->kind, kind);
    ck_assert_msg(s->start_layer == start && s->end_layer == end, "rank %u: [%u, %u), expected [%u, %u)",
                  s->device_rank, s->start_layer, s->end_layer, start, end);
    ck_assert_uint_eq(s->cfg_rank, cfg_rank);
    ck_assert_uint_eq(s->pipeline_rank, pipeline_rank);
    ck_assert_uint_eq(s->cfg_world_size, kind == EXOPLACE_SHARD_CFG ? 2 : 0);
    ck_assert_uint_eq(s->pipeline_world_size, kind == EXOPLACE_SHARD_CFG ? s->world_size / 2 : 0);
}

/* cfg-parallel-4-nodes: ranks d, a, b, c; the second pipeline runs in reverse. */
START_TEST(cfg_four_nodes_split_the_first_group_and_mirror_it)
{
    const char *const ids[] = {"a", "b", "c", "d"};
    exoplace_topology *t = mesh_with(ids, 4, T_U64(32212254720u, 37580963840u, 42949672960u, 48318382080u));
    exoplace_model m = card("m/split", 62813896704u, 57, 1);
    exoplace_placement p;
    place_shards(&p, t, T_IDS("d", "a", "b", "c"), &m, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_RING,
                 EXOPLACE_TIER_AVAILABLE, EXOPLACE_OK);
    ck_assert_uint_eq(p.n_nodes, 4);
    expect_shard(&p.shards[0], EXOPLACE_SHARD_CFG, 0, 34, 0, 0);
    expect_shard(&p.shards[1], EXOPLACE_SHARD_CFG, 34, 57, 0, 1);
    expect_shard(&p.shards[2], EXOPLACE_SHARD_CFG, 34, 57, 1, 1);
    expect_shard(&p.shards[3], EXOPLACE_SHARD_CFG, 0, 34, 1, 0);
    ck_assert_str_eq(p.shards[2].node_id, "b");
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
}
END_TEST

/* cfg-second-half-not-checked: b and c cannot hold their layers; exo accepts. */
START_TEST(cfg_checks_the_first_group_only)
{
    const char *const ids[] = {"a", "b", "c", "d"};
    exoplace_topology *t = mesh_with(ids, 4, T_U64(42949672960u, 2147483648u, 3221225472u, 47244640256u));
    exoplace_model m = card("m", 86006720102u, 40, 1);
    exoplace_placement p;
    place_shards(&p, t, T_IDS("d", "a", "b", "c"), &m, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_RING,
                 EXOPLACE_TIER_AVAILABLE, EXOPLACE_OK);
    expect_shard(&p.shards[0], EXOPLACE_SHARD_CFG, 0, 21, 0, 0);
    expect_shard(&p.shards[1], EXOPLACE_SHARD_CFG, 21, 40, 0, 1);
    expect_shard(&p.shards[2], EXOPLACE_SHARD_CFG, 21, 40, 1, 1);
    expect_shard(&p.shards[3], EXOPLACE_SHARD_CFG, 0, 21, 1, 0);
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(cfg_needs_an_even_count_else_pipeline)
{
    const char *const ids[] = {"a", "b", "c"};
    exoplace_topology *t = mesh_with(ids, 3, T_U64(T_GIB, T_GIB, T_GIB));
    exoplace_model m = card("m", T_GIB, 9, 1);
    exoplace_placement p;
    place_shards(&p, t, ids, 3, &m, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_RING, EXOPLACE_TIER_AVAILABLE,
                 EXOPLACE_OK);
    for (size_t i = 0; i < 3; i++)
        expect_shard(&p.shards[i], EXOPLACE_SHARD_PIPELINE, 3 * (uint32_t)i, 3 * (uint32_t)i + 3, 0, 0);
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(tensor_gives_every_layer_and_checks_nothing)
{
    const char *const ids[] = {"a", "b"};
    exoplace_topology *t = mesh_with(ids, 2, T_U64(100 * T_GIB, 1));
    exoplace_model m = card("m", 90 * T_GIB, 12, 1);
    exoplace_placement p;
    place_shards(&p, t, T_IDS("b", "a"), &m, EXOPLACE_SHARDING_TENSOR, EXOPLACE_INSTANCE_MLX_JACCL,
                 EXOPLACE_TIER_AVAILABLE, EXOPLACE_OK);
    ck_assert_int_eq(p.sharding, EXOPLACE_SHARDING_TENSOR);
    ck_assert_int_eq(p.instance_meta, EXOPLACE_INSTANCE_MLX_JACCL);
    for (size_t i = 0; i < 2; i++)
        expect_shard(&p.shards[i], EXOPLACE_SHARD_TENSOR, 0, 12, 0, 0);
    ck_assert_str_eq(p.shards[0].node_id, "b");
    ck_assert_uint_eq(p.shards[0].device_rank, 0);
    ck_assert_uint_eq(p.shards[1].world_size, 2);
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(one_node_becomes_pipeline_on_mlx_ring)
{
    const char *const ids[] = {"solo"};
    exoplace_topology *t = mesh_with(ids, 1, T_U64(10 * T_GIB));
    exoplace_model m = card("m", T_GIB, 7, 1);
    exoplace_placement p;
    place_shards(&p, t, ids, 1, &m, EXOPLACE_SHARDING_TENSOR, EXOPLACE_INSTANCE_MLX_JACCL, EXOPLACE_TIER_AVAILABLE,
                 EXOPLACE_OK);
    ck_assert_int_eq(p.sharding, EXOPLACE_SHARDING_PIPELINE);
    ck_assert_int_eq(p.instance_meta, EXOPLACE_INSTANCE_MLX_RING);
    expect_shard(&p.shards[0], EXOPLACE_SHARD_PIPELINE, 0, 7, 0, 0);
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(the_tier_metric_replaces_ram_available)
{
    exoplace_topology *t = t_topology();
    t_node(t, "a", 30 * T_GIB, 20 * T_GIB);
    t_node(t, "b", 30 * T_GIB, 2 * T_GIB);
    t_mesh(t, 0, T_IDS("a", "b"));
    exoplace_model m = card("m", 20 * T_GIB, 10, 0);
    exoplace_placement p;
    /* available: b gets 1 layer = 2 GiB, exactly what it has; 3 layers would not fit. */
    place_shards(&p, t, T_IDS("a", "b"), &m, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_RING,
                 EXOPLACE_TIER_AVAILABLE, EXOPLACE_OK);
    ck_assert_uint_eq(p.shards[0].end_layer, 9);
    ck_assert_int_eq(p.is_low_memory, 0);
    exoplace_placement_dispose(&p);
    place_shards(&p, t, T_IDS("a", "b"), &m, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_RING,
                 EXOPLACE_TIER_TOTAL, EXOPLACE_OK);
    ck_assert_uint_eq(p.shards[0].end_layer, 5);
    ck_assert_int_eq(p.memory_tier, EXOPLACE_TIER_TOTAL);
    ck_assert_int_eq(p.is_low_memory, 1);
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(memory_delta_splits_storage_by_id_order)
{
    const char *const ids[] = {"b", "a", "c"};
    exoplace_topology *t = mesh_with(ids, 3, T_U64(T_GIB, T_GIB, T_GIB));
    exoplace_model m = card("m", 3000002, 6, 0);
    exoplace_placement p;
    place_shards(&p, t, T_IDS("c", "b", "a"), &m, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_RING,
                 EXOPLACE_TIER_AVAILABLE, EXOPLACE_OK);
    ck_assert_uint_eq(p.shards[2].memory_delta, 1000001); /* a */
    ck_assert_uint_eq(p.shards[1].memory_delta, 1000001); /* b */
    ck_assert_uint_eq(p.shards[0].memory_delta, 1000000); /* c */
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(failed_shards_leave_the_placement_zero)
{
    const char *const ids[] = {"a", "b"};
    exoplace_topology *t = mesh_with(ids, 2, T_U64(0, 0));
    exoplace_model m = card("m", 0, 4, 0);
    exoplace_placement p;
    place_shards(&p, t, ids, 2, &m, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_RING, EXOPLACE_TIER_AVAILABLE,
                 EXOPLACE_E_ZERO_MEMORY);
    ck_assert_ptr_null(p.shards);
    ck_assert_uint_eq(p.n_nodes, 0);
    uint32_t bad[] = {0, 99};
    ck_assert_int_eq(exoplace__exo_main_shards(&p, t, bad, 2, &m, EXOPLACE_SHARDING_PIPELINE,
                                               EXOPLACE_INSTANCE_MLX_RING, EXOPLACE_TIER_AVAILABLE, NULL),
                     EXOPLACE_E_INVALID_ARGUMENT);
    exoplace_topology_free(t);
}
END_TEST

static Suite *shards_suite(void)
{
    Suite *s = suite_create("shards_exo_main");
    TCase *tc = tcase_create("numbers");
    tcase_add_test(tc, quotient_below_2_pow_53_is_the_hardware_division);
    tcase_add_test(tc, quotient_rounds_half_to_even_past_2_pow_53);
    tcase_add_test(tc, quotient_is_correctly_rounded_on_random_wide_inputs);
    tcase_add_test(tc, gb_text_is_pythons_two_decimals);
    tcase_add_test(tc, gb_text_agrees_with_printf_on_random_sizes);
    suite_add_tcase(s, tc);
    tc = tcase_create("split");
    tcase_add_test(tc, split_float_remainder_order);
    tcase_add_test(tc, split_min_one_layer_fits);
    tcase_add_test(tc, split_min_one_layer_taken_from_largest);
    tcase_add_test(tc, split_too_few_layers);
    tcase_add_test(tc, split_zero_total_memory);
    tcase_add_test(tc, split_per_node_check_names_rank_and_node);
    tcase_add_test(tc, split_past_2_pow_64_is_exact);
    suite_add_tcase(s, tc);
    tc = tcase_create("shards");
    tcase_add_test(tc, cfg_four_nodes_split_the_first_group_and_mirror_it);
    tcase_add_test(tc, cfg_checks_the_first_group_only);
    tcase_add_test(tc, cfg_needs_an_even_count_else_pipeline);
    tcase_add_test(tc, tensor_gives_every_layer_and_checks_nothing);
    tcase_add_test(tc, one_node_becomes_pipeline_on_mlx_ring);
    tcase_add_test(tc, the_tier_metric_replaces_ram_available);
    tcase_add_test(tc, memory_delta_splits_storage_by_id_order);
    tcase_add_test(tc, failed_shards_leave_the_placement_zero);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run(shards_suite());
}
