/*
 * Cycle listing in canonical order, the buffer protocol, the listing bound,
 * and the thunderbolt-cycle rule (placement.md section 2).
 */
#include "unit.h"

#include <stdlib.h>
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

/*
 * Lists the cycles with the two-call pattern and renders them as text:
 * cycles separated by ' ', ids within a cycle by ','.
 */
static char *list_text(size_t max_cycles)
{
    size_t count = 0, total = 0;
    exoplace_error err;
    exoplace_status st = exoplace_cycle_list(&count, &total, NULL, 0, NULL, 0, t, max_cycles, &err);
    if (count == 0 && total == 0 && st == EXOPLACE_OK) {
        char *empty = malloc(1);
        ck_assert_ptr_nonnull(empty);
        empty[0] = '\0';
        return empty;
    }
    ck_assert_msg(st == EXOPLACE_E_BUFFER_TOO_SMALL, "size query gave %s", exoplace_status_name(st));
    size_t *starts = calloc(count + 1, sizeof *starts);
    size_t *nodes = calloc(total ? total : 1, sizeof *nodes);
    ck_assert_ptr_nonnull(starts);
    ck_assert_ptr_nonnull(nodes);
    size_t count2 = 0, total2 = 0;
    st = exoplace_cycle_list(&count2, &total2, starts, count + 1, nodes, total, t, max_cycles, &err);
    ck_assert_msg(st == EXOPLACE_OK, "list gave %s (%s)", exoplace_status_name(st), err.message);
    ck_assert_uint_eq(count2, count);
    ck_assert_uint_eq(total2, total);
    ck_assert_uint_eq(starts[0], 0);
    ck_assert_uint_eq(starts[count], total);

    size_t cap = 1;
    for (size_t i = 0; i < total; i++)
        cap += strlen(exoplace_topology_node_id(t, nodes[i])) + 1;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    char *p = text;
    for (size_t c = 0; c < count; c++) {
        ck_assert_uint_lt(starts[c], starts[c + 1]);
        for (size_t k = starts[c]; k < starts[c + 1]; k++) {
            const char *id = exoplace_topology_node_id(t, nodes[k]);
            ck_assert_ptr_nonnull(id);
            if (k > starts[c])
                *p++ = ',';
            size_t n = strlen(id);
            memcpy(p, id, n);
            p += n;
        }
        if (c + 1 < count)
            *p++ = ' ';
    }
    *p = '\0';
    free(starts);
    free(nodes);
    return text;
}

static void assert_cycles(const char *expected)
{
    char *got = list_text(0);
    ck_assert_str_eq(got, expected);
    free(got);
}

START_TEST(empty_topology_has_no_cycles)
{
    size_t count = 9, total = 9, starts[1] = {7};
    ck_assert_int_eq(exoplace_cycle_list(&count, &total, starts, 1, NULL, 0, t, 0, NULL), EXOPLACE_OK);
    ck_assert_uint_eq(count, 0);
    ck_assert_uint_eq(total, 0);
}
END_TEST

START_TEST(every_node_is_a_singleton)
{
    t_node(t, "b", 1, 1);
    t_node(t, "a", 1, 1);
    t_node_bare(t, "c");
    assert_cycles("a b c");
}
END_TEST

START_TEST(mesh_of_three_is_listed_by_length_then_canonical_sequence)
{
    /* added in the order c, a, b: the listing must not follow insertion order */
    t_node(t, "c", 1, 1);
    t_node(t, "a", 1, 1);
    t_node(t, "b", 1, 1);
    t_mesh(t, 0, T_IDS("c", "a", "b"));
    assert_cycles("a b c a,b a,c b,c a,b,c a,c,b");
}
END_TEST

START_TEST(cycle_is_rotated_to_its_smallest_id_keeping_direction)
{
    t_ring(t, 0, T_IDS("m", "z", "b"));
    assert_cycles("b m z b,m,z");
}
END_TEST

START_TEST(one_way_ring_lists_only_its_direction)
{
    t_ring(t, 0, T_IDS("a", "c", "b"));
    assert_cycles("a b c a,c,b");
}
END_TEST

START_TEST(ids_compare_bytewise)
{
    /* 'B' (0x42) < 'a' (0x61) < 'b': upper case first, as strcmp */
    t_ring(t, 0, T_IDS("a", "b"));
    t_ring(t, 0, T_IDS("B", "C"));
    assert_cycles("B C a b B,C a,b");
}
END_TEST

START_TEST(id_prefix_sorts_first)
{
    t_ring(t, 0, T_IDS("ab", "a"));
    assert_cycles("a ab a,ab");
}
END_TEST

START_TEST(self_loop_yields_one_singleton)
{
    t_node(t, "a", 1, 1);
    t_eth(t, "a", "a");
    assert_cycles("a");
}
END_TEST

START_TEST(self_loops_on_a_pair_add_no_cycles)
{
    t_eth(t, "a", "a");
    t_eth(t, "a", "b");
    t_eth(t, "b", "a");
    t_tb(t, "b", "b");
    assert_cycles("a b a,b");
}
END_TEST

START_TEST(parallel_connections_list_a_cycle_once)
{
    t_eth(t, "a", "b");
    t_tb(t, "a", "b");
    t_eth(t, "b", "a");
    t_tb(t, "b", "a");
    t_eth(t, "b", "a");
    assert_cycles("a b a,b");
}
END_TEST

START_TEST(exo_multiple_cycles_graph_lists_its_cycles)
{
    /* A->B, B->A, A->C, C->B: cycles [A,B] and [A,C,B] */
    t_tb(t, "a", "b");
    t_tb(t, "b", "a");
    t_tb(t, "a", "c");
    t_tb(t, "c", "b");
    assert_cycles("a b c a,b a,c,b");
}
END_TEST

START_TEST(mesh_of_four_has_twenty_four_cycles)
{
    t_mesh(t, 0, T_IDS("a", "b", "c", "d"));
    /* 4 singletons, 6 pairs, 8 triangles, 6 four-cycles */
    assert_cycles("a b c d "
                  "a,b a,c a,d b,c b,d c,d "
                  "a,b,c a,b,d a,c,b a,c,d a,d,b a,d,c b,c,d b,d,c "
                  "a,b,c,d a,b,d,c a,c,b,d a,c,d,b a,d,b,c a,d,c,b");
}
END_TEST

START_TEST(size_query_reports_counts)
{
    t_mesh(t, 0, T_IDS("a", "b", "c"));
    size_t count = 0, total = 0;
    exoplace_error err;
    ck_assert_int_eq(exoplace_cycle_list(&count, &total, NULL, 0, NULL, 0, t, 0, &err),
                     EXOPLACE_E_BUFFER_TOO_SMALL);
    ck_assert_int_eq(err.code, EXOPLACE_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(count, 8);
    ck_assert_uint_eq(total, 3 * 1 + 3 * 2 + 2 * 3);
}
END_TEST

START_TEST(starts_one_short_is_buffer_too_small)
{
    t_mesh(t, 0, T_IDS("a", "b", "c"));
    size_t starts[8], nodes[15], count = 0, total = 0;
    /* cycle_starts needs count + 1 = 9 entries */
    ck_assert_int_eq(exoplace_cycle_list(&count, &total, starts, 8, nodes, 15, t, 0, NULL),
                     EXOPLACE_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(count, 8);
    ck_assert_uint_eq(total, 15);
}
END_TEST

START_TEST(nodes_one_short_is_buffer_too_small)
{
    t_mesh(t, 0, T_IDS("a", "b", "c"));
    size_t starts[9], nodes[14], count = 0, total = 0;
    ck_assert_int_eq(exoplace_cycle_list(&count, &total, starts, 9, nodes, 14, t, 0, NULL),
                     EXOPLACE_E_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(count, 8);
    ck_assert_uint_eq(total, 15);
}
END_TEST

START_TEST(max_cycles_equal_to_the_count_lists_them)
{
    t_mesh(t, 0, T_IDS("a", "b", "c", "d"));
    char *text = list_text(24);
    free(text);
}
END_TEST

START_TEST(max_cycles_below_the_count_is_too_many_cycles)
{
    t_mesh(t, 0, T_IDS("a", "b", "c", "d"));
    size_t starts[25], nodes[64], count = 0, total = 0;
    exoplace_error err;
    ck_assert_int_eq(exoplace_cycle_list(&count, &total, starts, 25, nodes, 64, t, 23, &err),
                     EXOPLACE_E_TOO_MANY_CYCLES);
    ck_assert_int_eq(err.code, EXOPLACE_E_TOO_MANY_CYCLES);
}
END_TEST

START_TEST(size_query_past_max_cycles_is_too_many_cycles)
{
    t_mesh(t, 0, T_IDS("a", "b", "c", "d"));
    size_t count = 0, total = 0;
    ck_assert_int_eq(exoplace_cycle_list(&count, &total, NULL, 0, NULL, 0, t, 5, NULL),
                     EXOPLACE_E_TOO_MANY_CYCLES);
}
END_TEST

START_TEST(dense_mesh_stops_at_the_default_bound)
{
    /* a full mesh of 12 nodes has over 10^8 simple cycles: the default bound must stop it */
    static const char *const ids[] = {"n00", "n01", "n02", "n03", "n04", "n05",
                                      "n06", "n07", "n08", "n09", "n10", "n11"};
    t_mesh(t, 0, ids, 12);
    size_t count = 0, total = 0;
    ck_assert_int_eq(exoplace_cycle_list(&count, &total, NULL, 0, NULL, 0, t, 0, NULL),
                     EXOPLACE_E_TOO_MANY_CYCLES);
}
END_TEST

START_TEST(list_arguments_are_checked)
{
    t_node(t, "a", 1, 1);
    size_t count, total, starts[2], nodes[1];
    ck_assert_int_eq(exoplace_cycle_list(&count, &total, starts, 2, nodes, 1, NULL, 0, NULL),
                     EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_cycle_list(NULL, &total, starts, 2, nodes, 1, t, 0, NULL),
                     EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_cycle_list(&count, NULL, starts, 2, nodes, 1, t, 0, NULL),
                     EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_cycle_list(&count, &total, NULL, 2, nodes, 1, t, 0, NULL),
                     EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_cycle_list(&count, &total, starts, 2, NULL, 1, t, 0, NULL),
                     EXOPLACE_E_INVALID_ARGUMENT);
}
END_TEST

/* ---- thunderbolt cycles ---- */

static int is_tb(const char *const *ids, size_t n)
{
    size_t idx[16];
    ck_assert_uint_le(n, 16);
    for (size_t i = 0; i < n; i++)
        idx[i] = t_index(t, ids[i]);
    int out = -1;
    exoplace_error err;
    exoplace_status st = exoplace_cycle_is_thunderbolt(&out, t, idx, n, &err);
    ck_assert_msg(st == EXOPLACE_OK, "is_thunderbolt: %s", exoplace_status_name(st));
    ck_assert(out == 0 || out == 1);
    return out;
}

START_TEST(singleton_is_a_thunderbolt_cycle)
{
    t_node(t, "a", 1, 1);
    ck_assert_int_eq(is_tb(T_IDS("a")), 1);
}
END_TEST

START_TEST(singleton_with_ethernet_self_loop_is_a_thunderbolt_cycle)
{
    t_eth(t, "a", "a");
    ck_assert_int_eq(is_tb(T_IDS("a")), 1);
}
END_TEST

START_TEST(all_thunderbolt_ring_is_a_thunderbolt_cycle)
{
    t_ring(t, 1, T_IDS("a", "b", "c"));
    ck_assert_int_eq(is_tb(T_IDS("a", "b", "c")), 1);
}
END_TEST

START_TEST(ring_with_an_ethernet_edge_is_not_a_thunderbolt_cycle)
{
    t_tb(t, "a", "b");
    t_tb(t, "b", "c");
    t_eth(t, "c", "a");
    ck_assert_int_eq(is_tb(T_IDS("a", "b", "c")), 0);
}
END_TEST

START_TEST(ethernet_chord_disqualifies_a_thunderbolt_ring)
{
    /* b -> a is not on the cycle a -> b -> c, but it links two of its nodes without thunderbolt */
    t_ring(t, 1, T_IDS("a", "b", "c"));
    t_eth(t, "b", "a");
    ck_assert_int_eq(is_tb(T_IDS("a", "b", "c")), 0);
}
END_TEST

START_TEST(chord_with_a_parallel_thunderbolt_connection_is_fine)
{
    t_ring(t, 1, T_IDS("a", "b", "c"));
    t_eth(t, "b", "a");
    t_tb(t, "b", "a");
    ck_assert_int_eq(is_tb(T_IDS("a", "b", "c")), 1);
}
END_TEST

START_TEST(edge_with_a_parallel_thunderbolt_connection_is_fine)
{
    t_ring(t, 1, T_IDS("a", "b"));
    t_eth(t, "a", "b");
    ck_assert_int_eq(is_tb(T_IDS("a", "b")), 1);
}
END_TEST

START_TEST(ethernet_links_to_nodes_outside_the_cycle_do_not_matter)
{
    t_ring(t, 1, T_IDS("a", "b", "c"));
    t_eth(t, "a", "x");
    t_eth(t, "x", "b");
    t_eth(t, "c", "x");
    ck_assert_int_eq(is_tb(T_IDS("a", "b", "c")), 1);
}
END_TEST

START_TEST(ethernet_self_loop_on_a_cycle_node_does_not_matter)
{
    t_ring(t, 1, T_IDS("a", "b"));
    t_eth(t, "a", "a");
    ck_assert_int_eq(is_tb(T_IDS("a", "b")), 1);
}
END_TEST

START_TEST(thunderbolt_arguments_are_checked)
{
    t_ring(t, 1, T_IDS("a", "b"));
    size_t nodes[2] = {0, 1}, bad[2] = {0, 2};
    int out;
    ck_assert_int_eq(exoplace_cycle_is_thunderbolt(NULL, t, nodes, 2, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_cycle_is_thunderbolt(&out, NULL, nodes, 2, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_cycle_is_thunderbolt(&out, t, NULL, 2, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_cycle_is_thunderbolt(&out, t, nodes, 0, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_cycle_is_thunderbolt(&out, t, bad, 2, NULL), EXOPLACE_E_INVALID_ARGUMENT);
}
END_TEST

static Suite *cycles_suite(void)
{
    Suite *s = suite_create("cycles");
    TCase *tc = tcase_create("listing");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, empty_topology_has_no_cycles);
    tcase_add_test(tc, every_node_is_a_singleton);
    tcase_add_test(tc, mesh_of_three_is_listed_by_length_then_canonical_sequence);
    tcase_add_test(tc, cycle_is_rotated_to_its_smallest_id_keeping_direction);
    tcase_add_test(tc, one_way_ring_lists_only_its_direction);
    tcase_add_test(tc, ids_compare_bytewise);
    tcase_add_test(tc, id_prefix_sorts_first);
    tcase_add_test(tc, self_loop_yields_one_singleton);
    tcase_add_test(tc, self_loops_on_a_pair_add_no_cycles);
    tcase_add_test(tc, parallel_connections_list_a_cycle_once);
    tcase_add_test(tc, exo_multiple_cycles_graph_lists_its_cycles);
    tcase_add_test(tc, mesh_of_four_has_twenty_four_cycles);
    suite_add_tcase(s, tc);

    tc = tcase_create("buffers_and_bounds");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, size_query_reports_counts);
    tcase_add_test(tc, starts_one_short_is_buffer_too_small);
    tcase_add_test(tc, nodes_one_short_is_buffer_too_small);
    tcase_add_test(tc, max_cycles_equal_to_the_count_lists_them);
    tcase_add_test(tc, max_cycles_below_the_count_is_too_many_cycles);
    tcase_add_test(tc, size_query_past_max_cycles_is_too_many_cycles);
    tcase_add_test(tc, dense_mesh_stops_at_the_default_bound);
    tcase_add_test(tc, list_arguments_are_checked);
    suite_add_tcase(s, tc);

    tc = tcase_create("thunderbolt");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, singleton_is_a_thunderbolt_cycle);
    tcase_add_test(tc, singleton_with_ethernet_self_loop_is_a_thunderbolt_cycle);
    tcase_add_test(tc, all_thunderbolt_ring_is_a_thunderbolt_cycle);
    tcase_add_test(tc, ring_with_an_ethernet_edge_is_not_a_thunderbolt_cycle);
    tcase_add_test(tc, ethernet_chord_disqualifies_a_thunderbolt_ring);
    tcase_add_test(tc, chord_with_a_parallel_thunderbolt_connection_is_fine);
    tcase_add_test(tc, edge_with_a_parallel_thunderbolt_connection_is_fine);
    tcase_add_test(tc, ethernet_links_to_nodes_outside_the_cycle_do_not_matter);
    tcase_add_test(tc, ethernet_self_loop_on_a_cycle_node_does_not_matter);
    tcase_add_test(tc, thunderbolt_arguments_are_checked);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run(cycles_suite());
}
