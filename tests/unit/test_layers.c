/*
 * Pipeline layer distribution (placement.md section 3): the exo strategy bit
 * for bit (divide, multiply, round half to even, last takes the rest), the
 * exact largest-remainder strategy and the fit split within the layers each
 * node holds.
 */
#include "unit.h"

#include <math.h>
#include <string.h>

static exoplace_status distribute(uint32_t *out, const uint64_t *memory, size_t n, uint32_t n_layers,
                                  exoplace_layer_strategy strategy)
{
    for (size_t i = 0; i < n; i++)
        out[i] = 0xdeadbeefu;
    exoplace_error err;
    return exoplace_layers_distribute(out, memory, n, n_layers, strategy, &err);
}

static void expect_split(exoplace_layer_strategy strategy, const uint64_t *memory, size_t n, uint32_t n_layers,
                         const uint32_t *expected, size_t n_expected)
{
    ck_assert_uint_eq(n, n_expected);
    uint32_t out[16];
    ck_assert_uint_le(n, 16);
    exoplace_error err;
    exoplace_status st = exoplace_layers_distribute(out, memory, n, n_layers, strategy, &err);
    ck_assert_msg(st == EXOPLACE_OK, "distribute: %s (%s)", exoplace_status_name(st), err.message);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(out[i] == expected[i], "node %zu got %u layers, expected %u", i, (unsigned)out[i],
                      (unsigned)expected[i]);
}

static void expect_exo(const uint64_t *memory, size_t n, uint32_t n_layers, const uint32_t *expected, size_t ne)
{
    expect_split(EXOPLACE_LAYERS_EXO, memory, n, n_layers, expected, ne);
}

static void expect_lr(const uint64_t *memory, size_t n, uint32_t n_layers, const uint32_t *expected, size_t ne)
{
    expect_split(EXOPLACE_LAYERS_LARGEST_REMAINDER, memory, n, n_layers, expected, ne);
}

static void expect_invalid_split(exoplace_layer_strategy strategy, const uint64_t *memory, size_t n,
                                 uint32_t n_layers)
{
    uint32_t out[16];
    exoplace_error err;
    ck_assert_int_eq(exoplace_layers_distribute(out, memory, n, n_layers, strategy, &err),
                     EXOPLACE_E_INVALID_SPLIT);
    ck_assert_int_eq(err.code, EXOPLACE_E_INVALID_SPLIT);
}

/* ---- exo strategy ---- */

START_TEST(exo_500_500_1000_kib_over_12_is_3_3_6)
{
    expect_exo(T_U64(500 * T_KIB, 500 * T_KIB, 1000 * T_KIB), 12, T_U32(3, 3, 6));
}
END_TEST

START_TEST(exo_500_500_500_kib_over_12_is_4_4_4)
{
    expect_exo(T_U64(500 * T_KIB, 500 * T_KIB, 500 * T_KIB), 12, T_U32(4, 4, 4));
}
END_TEST

START_TEST(exo_312_518_1024_kib_over_12_is_2_3_7)
{
    expect_exo(T_U64(312 * T_KIB, 518 * T_KIB, 1024 * T_KIB), 12, T_U32(2, 3, 7));
}
END_TEST

START_TEST(exo_two_equal_nodes_5_layers_rounds_2_5_to_2)
{
    expect_exo(T_U64(64 * T_GIB, 64 * T_GIB), 5, T_U32(2, 3));
}
END_TEST

START_TEST(exo_four_equal_nodes_10_layers_rounds_2_5_to_2_each)
{
    expect_exo(T_U64(16 * T_GIB, 16 * T_GIB, 16 * T_GIB, 16 * T_GIB), 10, T_U32(2, 2, 2, 4));
}
END_TEST

START_TEST(exo_rounds_3_5_to_4)
{
    /* 7/16 * 8 = 3.5 -> 4 */
    expect_exo(T_U64(7, 9), 8, T_U32(4, 4));
}
END_TEST

START_TEST(exo_rounds_1_5_to_2_leaving_the_last_node_nothing)
{
    /* 3/4 * 2 = 1.5 -> 2; the last node would get 0 */
    expect_invalid_split(EXOPLACE_LAYERS_EXO, T_U64(3, 1), 2);
}
END_TEST

START_TEST(exo_divides_before_multiplying)
{
    /* 28 * (31138512896 / 60129542144) = 14.500000000000002 -> 15;
       (28 * 31138512896) / 60129542144 would be exactly 14.5 -> 14 */
    expect_exo(T_U64(31138512896u, 28991029248u), 28, T_U32(15, 13));
}
END_TEST

START_TEST(exo_one_node_takes_every_layer)
{
    expect_exo(T_U64(1000), 7, T_U32(7));
}
END_TEST

START_TEST(exo_gives_at_least_one_layer_to_a_tiny_node)
{
    expect_exo(T_U64(1, 1000000), 10, T_U32(1, 9));
}
END_TEST

START_TEST(exo_zero_memory_counts_as_total_one)
{
    /* total = max(1, 0): every node but the last gets max(1, 0) = 1 */
    expect_exo(T_U64(0, 0), 3, T_U32(1, 2));
}
END_TEST

START_TEST(exo_five_nodes_four_layers_is_invalid_split)
{
    expect_invalid_split(EXOPLACE_LAYERS_EXO, T_U64(100, 100, 100, 100, 100), 4);
}
END_TEST

START_TEST(exo_negative_last_share_is_invalid_split)
{
    /* the strict split of invalid-strict-split-falls-back-to-low-memory: 3, 1, -1 */
    expect_invalid_split(EXOPLACE_LAYERS_EXO, T_U64(62277025792u, 2147483648u, 2147483648u), 3);
}
END_TEST

START_TEST(exo_rounds_in_double_not_in_integers)
{
    /* 2^60 / (2^61 + 1) is 0.5 in double: 3 * 0.5 = 1.5 -> 2 */
    expect_exo(T_U64(UINT64_C(1) << 60, (UINT64_C(1) << 60) + 1), 3, T_U32(2, 1));
}
END_TEST

/* The spec's formula transcribed, as an oracle for the property test. */
static int exo_oracle(uint32_t *out, const uint64_t *memory, size_t n, uint32_t n_layers)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += memory[i]; /* small values in the property test: no overflow */
    double total = (double)(sum > 0 ? sum : 1);
    int64_t used = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        double share = (double)n_layers * ((double)memory[i] / total);
        int64_t r = (int64_t)rint(share); /* default rounding: to nearest, ties to even */
        if (r < 1)
            r = 1;
        out[i] = (uint32_t)r;
        used += r;
    }
    int64_t last = (int64_t)n_layers - used;
    if (last <= 0)
        return 0;
    out[n - 1] = (uint32_t)last;
    return 1;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

START_TEST(exo_matches_the_formula_on_random_inputs)
{
    for (int iter = 0; iter < 5000; iter++) {
        size_t n = 1 + rng() % 8;
        uint32_t n_layers = 1 + (uint32_t)(rng() % 100);
        uint64_t memory[8];
        for (size_t i = 0; i < n; i++)
            memory[i] = (rng() % 4 == 0) ? rng() % 16 : rng() % (UINT64_C(1) << 40);
        uint32_t want[8], got[8];
        int ok = exo_oracle(want, memory, n, n_layers);
        exoplace_status st = distribute(got, memory, n, n_layers, EXOPLACE_LAYERS_EXO);
        if (!ok) {
            ck_assert_msg(st == EXOPLACE_E_INVALID_SPLIT, "iteration %d: expected invalid_split, got %s", iter,
                          exoplace_status_name(st));
            continue;
        }
        ck_assert_msg(st == EXOPLACE_OK, "iteration %d: %s", iter, exoplace_status_name(st));
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(got[i] == want[i], "iteration %d node %zu: %u, expected %u", iter, i,
                          (unsigned)got[i], (unsigned)want[i]);
    }
}
END_TEST

/* ---- largest remainder ---- */

START_TEST(lr_exo_examples_are_exact)
{
    expect_lr(T_U64(500 * T_KIB, 500 * T_KIB, 1000 * T_KIB), 12, T_U32(3, 3, 6));
    expect_lr(T_U64(500 * T_KIB, 500 * T_KIB, 500 * T_KIB), 12, T_U32(4, 4, 4));
    expect_lr(T_U64(312 * T_KIB, 518 * T_KIB, 1024 * T_KIB), 12, T_U32(2, 3, 7));
}
END_TEST

START_TEST(lr_tied_remainders_go_to_the_lower_index)
{
    expect_lr(T_U64(1, 1), 5, T_U32(3, 2));
    expect_lr(T_U64(1, 1, 1), 10, T_U32(4, 3, 3));
    expect_lr(T_U64(1, 1, 1, 1), 10, T_U32(3, 3, 2, 2));
}
END_TEST

START_TEST(lr_leftover_goes_to_the_largest_remainder)
{
    /* (1, 2) over 4 layers: quotas 4/3 (remainder 1) and 8/3 (remainder 2): the leftover goes to the second */
    expect_lr(T_U64(1, 2), 4, T_U32(1, 3));
}
END_TEST

START_TEST(lr_is_exact_where_double_would_tie)
{
    /* 2^60 and 2^60 + 1: exact remainders differ (the second is larger); doubles see 0.5 each */
    expect_lr(T_U64(UINT64_C(1) << 60, (UINT64_C(1) << 60) + 1), 3, T_U32(1, 2));
}
END_TEST

START_TEST(lr_gives_every_node_at_least_one_layer)
{
    /* floors 2, 0, 0 + leftover to node 0 -> 3, 0, 0; then one each from the node with most */
    expect_lr(T_U64(1000, 1, 1), 3, T_U32(1, 1, 1));
    expect_lr(T_U64(100, 1), 3, T_U32(2, 1));
    expect_lr(T_U64(7, 0, 0), 3, T_U32(1, 1, 1));
}
END_TEST

START_TEST(lr_takes_from_the_lower_index_among_the_largest)
{
    /* quotas 1.999, 1.999, 0.002 -> 2, 2, 0; the layer for the third node comes from the first */
    expect_lr(T_U64(1000, 1000, 1), 4, T_U32(1, 2, 1));
}
END_TEST

START_TEST(lr_sums_near_2_pow_64_are_exact)
{
    expect_lr(T_U64(UINT64_MAX, UINT64_MAX, UINT64_MAX), 3, T_U32(1, 1, 1));
    expect_lr(T_U64(UINT64_MAX, UINT64_MAX / 3), 8, T_U32(6, 2));
}
END_TEST

START_TEST(lr_one_node_takes_every_layer)
{
    expect_lr(T_U64(5), 80, T_U32(80));
}
END_TEST

START_TEST(lr_fewer_layers_than_nodes_is_invalid_split)
{
    expect_invalid_split(EXOPLACE_LAYERS_LARGEST_REMAINDER, T_U64(100, 100, 100, 100, 100), 4);
    expect_invalid_split(EXOPLACE_LAYERS_LARGEST_REMAINDER, T_U64(1, 1), 1);
}
END_TEST

START_TEST(lr_is_within_one_of_the_quota_on_random_inputs)
{
    for (int iter = 0; iter < 5000; iter++) {
        size_t n = 1 + rng() % 8;
        uint32_t n_layers = (uint32_t)n + (uint32_t)(rng() % 100);
        uint64_t memory[8], sum = 0;
        for (size_t i = 0; i < n; i++) {
            memory[i] = 1 + rng() % (UINT64_C(1) << 30);
            sum += memory[i];
        }
        uint32_t got[8];
        exoplace_status st = distribute(got, memory, n, n_layers, EXOPLACE_LAYERS_LARGEST_REMAINDER);
        ck_assert_msg(st == EXOPLACE_OK, "iteration %d: %s", iter, exoplace_status_name(st));
        uint64_t total = 0;
        int any_zero_floor = 0;
        for (size_t i = 0; i < n; i++)
            if ((uint64_t)n_layers * memory[i] / sum == 0)
                any_zero_floor = 1;
        for (size_t i = 0; i < n; i++) {
            ck_assert_uint_ge(got[i], 1);
            total += got[i];
            if (!any_zero_floor) {
                uint64_t fl = (uint64_t)n_layers * memory[i] / sum;
                ck_assert_msg(got[i] == fl || got[i] == fl + 1, "iteration %d node %zu: %u not floor %llu or +1",
                              iter, i, (unsigned)got[i], (unsigned long long)fl);
            }
        }
        ck_assert_uint_eq(total, n_layers);
    }
}
END_TEST

/* ---- fit ---- */

#define T_MIB (UINT64_C(1024) * 1024)
__extension__ typedef unsigned __int128 u128;

static void expect_fit(const uint64_t *capacity, size_t n, uint32_t n_layers, uint64_t layer_cost,
                       const uint32_t *expected, size_t n_expected)
{
    ck_assert_uint_eq(n, n_expected);
    uint32_t out[16];
    ck_assert_uint_le(n, 16);
    exoplace_error err;
    exoplace_status st = exoplace_layers_fit(out, capacity, n, n_layers, layer_cost, &err);
    ck_assert_msg(st == EXOPLACE_OK, "fit: %s (%s)", exoplace_status_name(st), err.message);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(out[i] == expected[i], "node %zu got %u layers, expected %u", i, (unsigned)out[i],
                      (unsigned)expected[i]);
}

static void expect_fit_invalid(const uint64_t *capacity, size_t n, uint32_t n_layers, uint64_t layer_cost,
                               const char *field)
{
    uint32_t out[16];
    exoplace_error err;
    ck_assert_int_eq(exoplace_layers_fit(out, capacity, n, n_layers, layer_cost, &err), EXOPLACE_E_INVALID_SPLIT);
    ck_assert_int_eq(err.code, EXOPLACE_E_INVALID_SPLIT);
    ck_assert_str_eq(err.field, field);
}

START_TEST(fit_gives_the_24_gib_node_the_layer_it_cannot_hold_no_more)
{
    /* exo PR #2227: 40 GiB over 32 layers is 1.25 GiB a layer, 256 MiB of KV
     * cache each makes 1.5 GiB. Capacities 22938 and 27648 MiB: quotas
     * 32 * 22938 / 50586 = 14.51 and 17.49, so the largest-remainder split
     * gives the first node 15 layers, 22.5 GiB, 102 MiB more than it has. It
     * holds 14 (22938 / 1536 = 14.9); fit gives it 14 and the other 18. */
    uint64_t capacity[2] = {22938 * T_MIB, 27648 * T_MIB};
    expect_lr(capacity, 2, 32, T_U32(15, 17));
    expect_fit(capacity, 2, 32, 1536 * T_MIB, T_U32(14, 18));
}
END_TEST

START_TEST(fit_gives_each_node_its_cap_when_the_caps_sum_to_n_layers)
{
    /* caps 3, 5, 2 (cost 10) sum to the 10 layers */
    expect_fit(T_U64(35, 59, 20), 10, 10, T_U32(3, 5, 2));
    expect_fit(T_U64(10, 10, 10), 3, 10, T_U32(1, 1, 1));
}
END_TEST

START_TEST(fit_lifts_a_tiny_node_to_one_layer_and_shares_the_rest_by_capacity)
{
    /* the third node holds one layer and takes it; the first two share 9, 4.5
     * each, and the tie goes to the lower index: (5, 4, 1). Largest remainder
     * instead gives (5, 5, 0), then takes the third node's layer from the
     * first: (4, 5, 1). */
    expect_fit(T_U64(300, 300, 1), 10, 1, T_U32(5, 4, 1));
    expect_lr(T_U64(300, 300, 1), 10, T_U32(4, 5, 1));
}
END_TEST

START_TEST(fit_spreads_what_a_full_node_cannot_take_by_capacity)
{
    /* cost 10: caps 2, 10, 6. Quotas 17 * (29, 100, 60) / 189 = 2.61, 8.99,
     * 5.40: largest remainder gives (3, 9, 5), a layer past the first node's
     * 29 bytes. fit holds it at 2 and the others share 15 as 100 : 60, 9.375
     * and 5.625: floors 9 and 5, the leftover to the larger fraction. */
    expect_lr(T_U64(29, 100, 60), 17, T_U32(3, 9, 5));
    expect_fit(T_U64(29, 100, 60), 17, 10, T_U32(2, 9, 6));
}
END_TEST

START_TEST(fit_of_nodes_holding_every_layer_is_largest_remainder)
{
    /* layer_cost 0: every node holds every layer */
    expect_fit(T_U64(1, 3), 4, 0, T_U32(1, 3));
    /* ... and zero capacities split evenly */
    expect_fit(T_U64(0, 0, 0), 10, 0, T_U32(4, 3, 3));
    expect_fit(T_U64(UINT64_MAX, UINT64_MAX / 3), 8, 1, T_U32(6, 2));
}
END_TEST

START_TEST(fit_refuses_what_no_split_can_hold)
{
    /* the second node's 9 bytes hold no layer of 10 */
    expect_fit_invalid(T_U64(100, 9, 100), 5, 10, "capacity[1]");
    /* caps 2 and 3 hold 5 of 6 layers */
    expect_fit_invalid(T_U64(20, 39), 6, 10, "n_layers");
    /* more nodes than layers */
    expect_fit_invalid(T_U64(100, 100, 100), 2, 1, "n_layers");
    uint32_t out[1];
    ck_assert_int_eq(exoplace_layers_fit(out, T_U64(100), 0, 1, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_layers_fit(NULL, T_U64(100), 1, 1, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_layers_fit(out, NULL, 1, 1, 1, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    uint64_t one[1] = {100};
    ck_assert_int_eq(exoplace_layers_fit(out, one, 0, 1, 1, NULL), EXOPLACE_E_INVALID_ARGUMENT);
}
END_TEST

START_TEST(fit_is_largest_remainder_where_no_bound_binds_on_random_inputs)
{
    int compared = 0;
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = 1 + rng() % 8;
        uint32_t n_layers = (uint32_t)n + (uint32_t)(rng() % 60);
        uint64_t capacity[8], layer_cost = 1 + rng() % 1000;
        u128 total = 0;
        for (size_t i = 0; i < n; i++) {
            capacity[i] = rng() % (UINT64_C(1) << (rng() % 2 ? 14 : 40));
            total += capacity[i];
        }
        uint32_t fit[8], lr[8];
        exoplace_error err;
        exoplace_status st = exoplace_layers_fit(fit, capacity, n, n_layers, layer_cost, &err);
        uint64_t held = 0;
        int holds = 1;
        for (size_t i = 0; i < n; i++) {
            uint64_t cap = capacity[i] / layer_cost;
            holds &= cap >= 1;
            held += cap < n_layers ? cap : n_layers;
        }
        if (!holds || held < n_layers) {
            ck_assert_msg(st == EXOPLACE_E_INVALID_SPLIT, "iteration %d: %s, expected invalid_split", iter,
                          exoplace_status_name(st));
            continue;
        }
        ck_assert_msg(st == EXOPLACE_OK, "iteration %d: %s (%s)", iter, exoplace_status_name(st), err.message);
        uint32_t sum = 0;
        int inside = 1;
        for (size_t i = 0; i < n; i++) {
            uint64_t cap = capacity[i] / layer_cost;
            ck_assert_uint_ge(fit[i], 1);
            ck_assert_uint_le(fit[i], cap);
            sum += fit[i];
            /* the quota n_layers * c_i / total within [1, cap] */
            u128 quota = (u128)n_layers * capacity[i];
            inside &= quota >= total && quota <= (u128)cap * total;
        }
        ck_assert_uint_eq(sum, n_layers);
        if (!inside)
            continue;
        ck_assert_int_eq(exoplace_layers_distribute(lr, capacity, n, n_layers, EXOPLACE_LAYERS_LARGEST_REMAINDER,
                                                    NULL),
                         EXOPLACE_OK);
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(fit[i] == lr[i], "iteration %d node %zu: fit %u, largest remainder %u", iter, i,
                          (unsigned)fit[i], (unsigned)lr[i]);
        compared++;
    }
    ck_assert_int_gt(compared, 1000);
}
END_TEST

/* ---- arguments ---- */

START_TEST(distribute_arguments_are_checked)
{
    uint32_t out[2];
    uint64_t memory[2] = {1, 1};
    for (int s = 0; s < 2; s++) {
        exoplace_layer_strategy strategy = (exoplace_layer_strategy)s;
        ck_assert_int_eq(exoplace_layers_distribute(NULL, memory, 2, 4, strategy, NULL), EXOPLACE_E_INVALID_ARGUMENT);
        ck_assert_int_eq(exoplace_layers_distribute(out, NULL, 2, 4, strategy, NULL), EXOPLACE_E_INVALID_ARGUMENT);
        ck_assert_int_eq(exoplace_layers_distribute(out, memory, 0, 4, strategy, NULL), EXOPLACE_E_INVALID_ARGUMENT);
        ck_assert_int_eq(exoplace_layers_distribute(out, memory, 2, 0, strategy, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    }
    exoplace_error err;
    ck_assert_int_eq(exoplace_layers_distribute(out, memory, 2, 4, (exoplace_layer_strategy)3, &err),
                     EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(err.code, EXOPLACE_E_INVALID_ARGUMENT);
    /* fit needs the cost of a layer: exoplace_layers_fit() */
    ck_assert_int_eq(exoplace_layers_distribute(out, memory, 2, 4, EXOPLACE_LAYERS_FIT, &err),
                     EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "strategy");
}
END_TEST

static Suite *layers_suite(void)
{
    Suite *s = suite_create("layers");
    TCase *tc = tcase_create("exo");
    tcase_add_test(tc, exo_500_500_1000_kib_over_12_is_3_3_6);
    tcase_add_test(tc, exo_500_500_500_kib_over_12_is_4_4_4);
    tcase_add_test(tc, exo_312_518_1024_kib_over_12_is_2_3_7);
    tcase_add_test(tc, exo_two_equal_nodes_5_layers_rounds_2_5_to_2);
    tcase_add_test(tc, exo_four_equal_nodes_10_layers_rounds_2_5_to_2_each);
    tcase_add_test(tc, exo_rounds_3_5_to_4);
    tcase_add_test(tc, exo_rounds_1_5_to_2_leaving_the_last_node_nothing);
    tcase_add_test(tc, exo_divides_before_multiplying);
    tcase_add_test(tc, exo_one_node_takes_every_layer);
    tcase_add_test(tc, exo_gives_at_least_one_layer_to_a_tiny_node);
    tcase_add_test(tc, exo_zero_memory_counts_as_total_one);
    tcase_add_test(tc, exo_five_nodes_four_layers_is_invalid_split);
    tcase_add_test(tc, exo_negative_last_share_is_invalid_split);
    tcase_add_test(tc, exo_rounds_in_double_not_in_integers);
    tcase_add_test(tc, exo_matches_the_formula_on_random_inputs);
    suite_add_tcase(s, tc);

    tc = tcase_create("largest_remainder");
    tcase_add_test(tc, lr_exo_examples_are_exact);
    tcase_add_test(tc, lr_tied_remainders_go_to_the_lower_index);
    tcase_add_test(tc, lr_leftover_goes_to_the_largest_remainder);
    tcase_add_test(tc, lr_is_exact_where_double_would_tie);
    tcase_add_test(tc, lr_gives_every_node_at_least_one_layer);
    tcase_add_test(tc, lr_takes_from_the_lower_index_among_the_largest);
    tcase_add_test(tc, lr_sums_near_2_pow_64_are_exact);
    tcase_add_test(tc, lr_one_node_takes_every_layer);
    tcase_add_test(tc, lr_fewer_layers_than_nodes_is_invalid_split);
    tcase_add_test(tc, lr_is_within_one_of_the_quota_on_random_inputs);
    suite_add_tcase(s, tc);

    tc = tcase_create("fit");
    tcase_add_test(tc, fit_gives_the_24_gib_node_the_layer_it_cannot_hold_no_more);
    tcase_add_test(tc, fit_gives_each_node_its_cap_when_the_caps_sum_to_n_layers);
    tcase_add_test(tc, fit_lifts_a_tiny_node_to_one_layer_and_shares_the_rest_by_capacity);
    tcase_add_test(tc, fit_spreads_what_a_full_node_cannot_take_by_capacity);
    tcase_add_test(tc, fit_of_nodes_holding_every_layer_is_largest_remainder);
    tcase_add_test(tc, fit_refuses_what_no_split_can_hold);
    tcase_add_test(tc, fit_is_largest_remainder_where_no_bound_binds_on_random_inputs);
    suite_add_tcase(s, tc);

    tc = tcase_create("arguments");
    tcase_add_test(tc, distribute_arguments_are_checked);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run(layers_suite());
}
