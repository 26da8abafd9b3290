/*
 * filter_cycles_by_memory and smallest_cycles (placement.md section 3): the
 * metric, nodes without a profile, exact sums past 2^64, minimum length.
 */
#include "unit.h"

#include <string.h>

static exoplace_topology *t;

static void setup(void)
{
    t = t_topology();
}

static void teardown(void)
{
    exoplace_topology_free(t);
    t = NULL;
}

/* Cycles in flat form, built from id lists. */
typedef struct {
    size_t starts[17];
    size_t nodes[64];
    size_t count;
} flat;

static void flat_add(flat *f, const char *const *ids, size_t n)
{
    ck_assert_uint_lt(f->count, 16);
    size_t at = f->starts[f->count];
    ck_assert_uint_le(at + n, 64);
    for (size_t i = 0; i < n; i++)
        f->nodes[at + i] = t_index(t, ids[i]);
    f->count++;
    f->starts[f->count] = at + n;
}

static void filter(uint8_t *keep, const flat *f, uint64_t required, int use_total)
{
    memset(keep, 0x77, f->count);
    exoplace_error err;
    exoplace_status st =
        exoplace_cycle_list_filter_by_memory(keep, t, f->starts, f->nodes, f->count, required, (use_total) ? EXOPLACE_TIER_TOTAL : EXOPLACE_TIER_AVAILABLE, &err);
    ck_assert_msg(st == EXOPLACE_OK, "filter: %s (%s)", exoplace_status_name(st), err.message);
    for (size_t i = 0; i < f->count; i++)
        ck_assert_msg(keep[i] == 0 || keep[i] == 1, "keep[%zu] = %u", i, (unsigned)keep[i]);
}

/* a: total 1000 / available 400; b: 1000 / 700; c: no profile. */
static void small_cluster(flat *f)
{
    t_node(t, "a", 1000, 400);
    t_node(t, "b", 1000, 700);
    t_node_bare(t, "c");
    memset(f, 0, sizeof *f);
    flat_add(f, T_IDS("a"));
    flat_add(f, T_IDS("b"));
    flat_add(f, T_IDS("c"));
    flat_add(f, T_IDS("a", "b"));
    flat_add(f, T_IDS("a", "c"));
}

START_TEST(available_metric_keeps_cycles_whose_sum_reaches_the_requirement)
{
    flat f;
    small_cluster(&f);
    uint8_t keep[5];
    filter(keep, &f, 1000, 0);
    ck_assert_mem_eq(keep, ((uint8_t[]){0, 0, 0, 1, 0}), 5);
}
END_TEST

START_TEST(total_metric_uses_ram_total)
{
    flat f;
    small_cluster(&f);
    uint8_t keep[5];
    filter(keep, &f, 1000, 1);
    ck_assert_mem_eq(keep, ((uint8_t[]){1, 1, 0, 1, 0}), 5);
}
END_TEST

START_TEST(sum_equal_to_the_requirement_is_kept_one_more_byte_is_not)
{
    flat f;
    small_cluster(&f);
    uint8_t keep[5];
    filter(keep, &f, 1100, 0);
    ck_assert_uint_eq(keep[3], 1);
    filter(keep, &f, 1101, 0);
    ck_assert_uint_eq(keep[3], 0);
}
END_TEST

START_TEST(zero_requirement_still_drops_nodes_without_profile)
{
    flat f;
    small_cluster(&f);
    uint8_t keep[5];
    filter(keep, &f, 0, 0);
    ck_assert_mem_eq(keep, ((uint8_t[]){1, 1, 0, 1, 0}), 5);
    filter(keep, &f, 0, 1);
    ck_assert_mem_eq(keep, ((uint8_t[]){1, 1, 0, 1, 0}), 5);
}
END_TEST

START_TEST(exo_two_node_ring_keeps_every_cycle_for_one_byte)
{
    t_node(t, "n1", 1000 * T_KIB, 1000 * T_KIB);
    t_node(t, "n2", 1000 * T_KIB, 1000 * T_KIB);
    t_ring(t, 1, T_IDS("n1", "n2"));
    flat f;
    memset(&f, 0, sizeof f);
    flat_add(&f, T_IDS("n1"));
    flat_add(&f, T_IDS("n2"));
    flat_add(&f, T_IDS("n1", "n2"));
    uint8_t keep[3];
    filter(keep, &f, 1, 0);
    ck_assert_mem_eq(keep, ((uint8_t[]){1, 1, 1}), 3);
    filter(keep, &f, 2001 * T_KIB, 0);
    ck_assert_mem_eq(keep, ((uint8_t[]){0, 0, 0}), 3);
}
END_TEST

START_TEST(exo_1500_kib_keeps_only_the_three_node_cycle)
{
    t_node(t, "a", 1000 * T_KIB, 500 * T_KIB);
    t_node(t, "b", 1000 * T_KIB, 500 * T_KIB);
    t_node(t, "c", 1000 * T_KIB, 1000 * T_KIB);
    flat f;
    memset(&f, 0, sizeof f);
    flat_add(&f, T_IDS("a"));
    flat_add(&f, T_IDS("b"));
    flat_add(&f, T_IDS("c"));
    flat_add(&f, T_IDS("a", "b"));
    flat_add(&f, T_IDS("a", "c", "b"));
    uint8_t keep[5];
    filter(keep, &f, 1500 * T_KIB, 0);
    ck_assert_mem_eq(keep, ((uint8_t[]){0, 0, 0, 0, 1}), 5);
}
END_TEST

START_TEST(sum_reaching_exactly_2_pow_64_is_kept)
{
    /* a wrapping 64-bit sum would be 0 */
    t_node(t, "a", UINT64_MAX, UINT64_MAX);
    t_node(t, "b", 1, 1);
    flat f;
    memset(&f, 0, sizeof f);
    flat_add(&f, T_IDS("a", "b"));
    uint8_t keep[1];
    filter(keep, &f, UINT64_MAX, 0);
    ck_assert_uint_eq(keep[0], 1);
}
END_TEST

START_TEST(sum_far_above_2_pow_64_is_kept)
{
    /* wrapping gives 2^64 - 2 < UINT64_MAX */
    t_node(t, "a", UINT64_MAX, UINT64_MAX);
    t_node(t, "b", UINT64_MAX, UINT64_MAX);
    flat f;
    memset(&f, 0, sizeof f);
    flat_add(&f, T_IDS("a", "b"));
    uint8_t keep[1];
    filter(keep, &f, UINT64_MAX, 0);
    ck_assert_uint_eq(keep[0], 1);
    filter(keep, &f, UINT64_MAX, 1);
    ck_assert_uint_eq(keep[0], 1);
}
END_TEST

START_TEST(sum_just_below_2_pow_64_is_compared_exactly)
{
    t_node(t, "a", 0, UINT64_C(1) << 63);
    t_node(t, "b", 0, (UINT64_C(1) << 63) - 1);
    t_node(t, "c", 0, (UINT64_C(1) << 63) - 2);
    flat f;
    memset(&f, 0, sizeof f);
    flat_add(&f, T_IDS("a", "b")); /* 2^64 - 1 */
    flat_add(&f, T_IDS("a", "c")); /* 2^64 - 2 */
    uint8_t keep[2];
    filter(keep, &f, UINT64_MAX, 0);
    ck_assert_mem_eq(keep, ((uint8_t[]){1, 0}), 2);
}
END_TEST

START_TEST(three_node_sum_over_2_pow_64_is_kept)
{
    /* big-sum-over-2pow64: a = 2^63, b = 2^63 + 5, c = 2^62 */
    t_node(t, "a", UINT64_C(1) << 63, UINT64_C(1) << 63);
    t_node(t, "b", (UINT64_C(1) << 63) + 5, (UINT64_C(1) << 63) + 5);
    t_node(t, "c", UINT64_C(1) << 62, UINT64_C(1) << 62);
    flat f;
    memset(&f, 0, sizeof f);
    flat_add(&f, T_IDS("a"));
    flat_add(&f, T_IDS("b"));
    flat_add(&f, T_IDS("c"));
    flat_add(&f, T_IDS("a", "b"));
    flat_add(&f, T_IDS("b", "c"));
    uint8_t keep[5];
    filter(keep, &f, UINT64_MAX, 0);
    ck_assert_mem_eq(keep, ((uint8_t[]){0, 0, 0, 1, 0}), 5);
}
END_TEST

START_TEST(empty_cycle_list_is_fine)
{
    t_node(t, "a", 1, 1);
    size_t starts[1] = {0};
    uint8_t keep[1] = {9};
    ck_assert_int_eq(exoplace_cycle_list_filter_by_memory(keep, t, starts, NULL, 0, 1, EXOPLACE_TIER_AVAILABLE, NULL), EXOPLACE_OK);
    ck_assert_uint_eq(keep[0], 9);
}
END_TEST

START_TEST(filter_arguments_are_checked)
{
    t_node(t, "a", 1, 1);
    t_node(t, "b", 1, 1);
    size_t starts[3] = {0, 1, 2}, nodes[2] = {0, 1}, bad_nodes[2] = {0, 2}, bad_starts[3] = {0, 2, 1};
    uint8_t keep[2];
    ck_assert_int_eq(exoplace_cycle_list_filter_by_memory(NULL, t, starts, nodes, 2, 1, EXOPLACE_TIER_AVAILABLE, NULL),
                     EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_cycle_list_filter_by_memory(keep, t, NULL, nodes, 2, 1, EXOPLACE_TIER_AVAILABLE, NULL),
                     EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_cycle_list_filter_by_memory(keep, t, starts, NULL, 2, 1, EXOPLACE_TIER_AVAILABLE, NULL),
                     EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_cycle_list_filter_by_memory(keep, NULL, starts, nodes, 2, 1, EXOPLACE_TIER_AVAILABLE, NULL),
                     EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_cycle_list_filter_by_memory(keep, t, starts, bad_nodes, 2, 1, EXOPLACE_TIER_AVAILABLE, NULL),
                     EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_cycle_list_filter_by_memory(keep, t, bad_starts, nodes, 2, 1, EXOPLACE_TIER_AVAILABLE, NULL),
                     EXOPLACE_E_INVALID_ARGUMENT);
}
END_TEST

/* ---- smallest_cycles ---- */

START_TEST(smallest_keeps_the_minimum_length)
{
    size_t starts[5] = {0, 2, 3, 6, 7}; /* lengths 2, 1, 3, 1 */
    uint8_t keep[4];
    memset(keep, 0x77, sizeof keep);
    ck_assert_int_eq(exoplace_cycle_list_smallest(keep, starts, 4, NULL, NULL), EXOPLACE_OK);
    ck_assert_mem_eq(keep, ((uint8_t[]){0, 1, 0, 1}), 4);
}
END_TEST

START_TEST(smallest_considers_only_kept_input)
{
    size_t starts[5] = {0, 2, 3, 6, 8}; /* lengths 2, 1, 3, 2 */
    uint8_t keep_in[4] = {1, 0, 1, 1};
    uint8_t keep[4];
    ck_assert_int_eq(exoplace_cycle_list_smallest(keep, starts, 4, keep_in, NULL), EXOPLACE_OK);
    ck_assert_mem_eq(keep, ((uint8_t[]){1, 0, 0, 1}), 4);
}
END_TEST

START_TEST(smallest_of_nothing_kept_is_nothing)
{
    size_t starts[3] = {0, 1, 3};
    uint8_t keep_in[2] = {0, 0};
    uint8_t keep[2] = {5, 5};
    ck_assert_int_eq(exoplace_cycle_list_smallest(keep, starts, 2, keep_in, NULL), EXOPLACE_OK);
    ck_assert_mem_eq(keep, ((uint8_t[]){0, 0}), 2);
}
END_TEST

START_TEST(exo_smallest_cycles_of_triangle_plus_back_edge_is_the_pair)
{
    /* A->B->C->A plus B->A: of the multi-node cycles [A,B] and [A,B,C], the pair */
    t_ring(t, 1, T_IDS("a", "b", "c"));
    t_tb(t, "b", "a");
    flat f;
    memset(&f, 0, sizeof f);
    flat_add(&f, T_IDS("a", "b"));
    flat_add(&f, T_IDS("a", "b", "c"));
    uint8_t keep[2];
    ck_assert_int_eq(exoplace_cycle_list_smallest(keep, f.starts, f.count, NULL, NULL), EXOPLACE_OK);
    ck_assert_mem_eq(keep, ((uint8_t[]){1, 0}), 2);
}
END_TEST

START_TEST(smallest_arguments_are_checked)
{
    size_t starts[2] = {0, 1};
    uint8_t keep[1];
    ck_assert_int_eq(exoplace_cycle_list_smallest(NULL, starts, 1, NULL, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_cycle_list_smallest(keep, NULL, 1, NULL, NULL), EXOPLACE_E_INVALID_ARGUMENT);
}
END_TEST

static Suite *memory_suite(void)
{
    Suite *s = suite_create("memory");
    TCase *tc = tcase_create("filter");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, available_metric_keeps_cycles_whose_sum_reaches_the_requirement);
    tcase_add_test(tc, total_metric_uses_ram_total);
    tcase_add_test(tc, sum_equal_to_the_requirement_is_kept_one_more_byte_is_not);
    tcase_add_test(tc, zero_requirement_still_drops_nodes_without_profile);
    tcase_add_test(tc, exo_two_node_ring_keeps_every_cycle_for_one_byte);
    tcase_add_test(tc, exo_1500_kib_keeps_only_the_three_node_cycle);
    tcase_add_test(tc, empty_cycle_list_is_fine);
    tcase_add_test(tc, filter_arguments_are_checked);
    suite_add_tcase(s, tc);

    tc = tcase_create("exact_sums");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, sum_reaching_exactly_2_pow_64_is_kept);
    tcase_add_test(tc, sum_far_above_2_pow_64_is_kept);
    tcase_add_test(tc, sum_just_below_2_pow_64_is_compared_exactly);
    tcase_add_test(tc, three_node_sum_over_2_pow_64_is_kept);
    suite_add_tcase(s, tc);

    tc = tcase_create("smallest");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, smallest_keeps_the_minimum_length);
    tcase_add_test(tc, smallest_considers_only_kept_input);
    tcase_add_test(tc, smallest_of_nothing_kept_is_nothing);
    tcase_add_test(tc, exo_smallest_cycles_of_triangle_plus_back_edge_is_the_pair);
    tcase_add_test(tc, smallest_arguments_are_checked);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run(memory_suite());
}
