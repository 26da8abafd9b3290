/*
 * The placement search (lib/search.h, placement.md section 4) on its own:
 * the best cycle of one length against exhaustive enumeration of the cycles
 * on small graphs, per tier, per length and per requirement; the rule order
 * on hand-made graphs (thunderbolt, then leaf, then sum, then canonical
 * order); the necessary condition length_may_fit; the work bound; the memo
 * that answers a repeated question; and the fit view.
 */
#include "unit.h"

#include "layers.h"
#include "search.h"
#include "topology.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static exoplace_topology *t;
static exoplace__search *search;

static void setup(void)
{
    t = t_topology();
    search = NULL;
}

static void teardown(void)
{
    exoplace__search_free(search);
    search = NULL;
    exoplace_topology_free(t);
    t = NULL;
}

/* A search context over t, on `tier`. */
static void search_on(exoplace_memory_tier tier)
{
    exoplace__search_free(search);
    search = NULL;
    exoplace_error err = {0};
    exoplace_status st = exoplace__search_new(&search, t, &err);
    ck_assert_msg(st == EXOPLACE_OK, "search_new: %s (%s)", exoplace_status_name(st), err.message);
    st = exoplace__search_use_tier(search, tier, &err);
    ck_assert_msg(st == EXOPLACE_OK, "use_tier: %s (%s)", exoplace_status_name(st), err.message);
}

/* The best cycle of `length` reaching `required`: 1 and cycle_out, or 0. */
static int best_cycle(size_t length, uint64_t required, uint32_t *cycle_out)
{
    exoplace_error err = {0};
    int found = -1;
    exoplace__search_reset_work(search, 0);
    exoplace_status st = exoplace__search_best_cycle(search, length, required, cycle_out, &found, &err);
    ck_assert_msg(st == EXOPLACE_OK, "best_cycle(%zu, %llu): %s (%s)", length, (unsigned long long)required,
                  exoplace_status_name(st), err.message);
    ck_assert(found == 0 || found == 1);
    return found;
}

/* Asserts that the best cycle of `length` reaching `required` is exactly `ids`. */
static void assert_best(size_t length, uint64_t required, const char *const *ids, size_t n)
{
    uint32_t cycle[16];
    ck_assert_uint_eq(length, n);
    ck_assert_msg(best_cycle(length, required, cycle), "no cycle of %zu nodes found", length);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(cycle[i] == t_index(t, ids[i]), "node %zu of the cycle is %s, expected %s", i,
                      exoplace_topology_node_id(t, cycle[i]), ids[i]);
}

static void assert_none(size_t length, uint64_t required)
{
    uint32_t cycle[16];
    ck_assert_msg(!best_cycle(length, required, cycle), "a cycle of %zu nodes found, expected none", length);
}

/* ---- exhaustive enumeration ------------------------------------------------ */

/* What placement.md section 4 compares, in this order. */
typedef struct oracle_key {
    int thunderbolt;
    int leaf;
    exoplace__u128 sum;
} oracle_key;

static int oracle_better(const oracle_key *a, const oracle_key *b)
{
    if (a->thunderbolt != b->thunderbolt)
        return a->thunderbolt > b->thunderbolt;
    if (a->leaf != b->leaf)
        return a->leaf > b->leaf;
    return a->sum > b->sum;
}

/* The metric of a node in the view: bytes in `tier`, or with fit the layers
 * it holds; 0 for a node outside the view (no profile, or no layer held). */
typedef struct oracle_view {
    exoplace_memory_tier tier;
    int fit;
    exoplace__u128 layer_cost;
    uint64_t reserve;
    uint32_t n_layers;
} oracle_view;

static int oracle_metric(const oracle_view *view, size_t node, exoplace__u128 *metric)
{
    const exoplace__node *nd = &t->nodes[node];
    if (!nd->has_profile)
        return 0;
    *metric = exoplace__node_metric(nd, view->tier);
    if (view->fit) {
        *metric = exoplace__fit_cap(exoplace__fit_capacity(*metric, view->reserve), view->layer_cost,
                                    view->n_layers);
        return *metric >= 1;
    }
    return 1;
}

/* The first cycle in canonical order (exoplace_cycle_list) with the best
 * key among those of `length` nodes in the view whose sum reaches `required`. */
static int oracle_best(const oracle_view *view, size_t length, uint64_t required, size_t *best)
{
    size_t count = 0, total = 0;
    exoplace_error err = {0};
    exoplace_status st = exoplace_cycle_list(&count, &total, NULL, 0, NULL, 0, t, 0, &err);
    ck_assert(st == EXOPLACE_E_BUFFER_TOO_SMALL || st == EXOPLACE_OK);
    size_t *starts = calloc(count + 1, sizeof *starts);
    size_t *nodes = calloc(total ? total : 1, sizeof *nodes);
    ck_assert(starts && nodes);
    st = exoplace_cycle_list(&count, &total, starts, count + 1, nodes, total, t, 0, &err);
    ck_assert_msg(st == EXOPLACE_OK, "cycle_list: %s", exoplace_status_name(st));
    int found = 0;
    oracle_key best_key = {0, 0, 0};
    for (size_t c = 0; c < count; c++) {
        const size_t *cycle = nodes + starts[c];
        if (starts[c + 1] - starts[c] != length)
            continue;
        oracle_key key = {0, 0, 0};
        int in_view = 1;
        for (size_t i = 0; i < length && in_view; i++) {
            exoplace__u128 metric = 0;
            in_view = oracle_metric(view, cycle[i], &metric);
            key.sum += metric;
            key.leaf |= exoplace_topology_node_is_leaf(t, cycle[i], EXOPLACE_RULES_SEED);
        }
        if (!in_view || key.sum < required)
            continue;
        ck_assert(exoplace_cycle_is_thunderbolt(&key.thunderbolt, t, cycle, length, &err) == EXOPLACE_OK);
        if (!found || oracle_better(&key, &best_key)) {
            found = 1;
            best_key = key;
            memcpy(best, cycle, length * sizeof *best);
        }
    }
    free(starts);
    free(nodes);
    return found;
}

/* A small pseudo-random generator, so that every run sees the same graphs. */
static uint32_t next_random(uint64_t *state)
{
    *state = *state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (uint32_t)(*state >> 33);
}

/* A random graph of n nodes: ids out of id order, a few bare nodes, repeated
 * memory figures (ties), ethernet and thunderbolt connections. */
static void random_graph(uint64_t seed, size_t n)
{
    static const char *const ids[] = {"h", "c", "f", "a", "g", "b", "e", "d"};
    uint64_t state = seed;
    for (size_t i = 0; i < n; i++) {
        if (next_random(&state) % 8 == 0) {
            t_node_bare(t, ids[i]);
            continue;
        }
        uint64_t total = (1 + next_random(&state) % 4) * T_GIB;
        t_node(t, ids[i], total, total - (next_random(&state) % 2) * T_GIB / 2);
    }
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++) {
            uint32_t r = next_random(&state) % 8;
            if (a == b || r >= 5)
                continue;
            if (r == 0)
                t_tb(t, ids[a], ids[b]);
            else
                t_eth(t, ids[a], ids[b]);
        }
}

/* Asserts, for every length and a spread of requirements, that the search
 * gives exactly the cycle exhaustive enumeration gives. */
static void assert_matches_enumeration(const oracle_view *view, uint64_t seed)
{
    size_t n = t->n_nodes;
    uint64_t requirements[] = {0, 1, 3 * T_GIB, 5 * T_GIB, 9 * T_GIB};
    for (size_t length = 1; length <= n; length++)
        for (size_t q = 0; q < sizeof requirements / sizeof *requirements; q++) {
            uint64_t required = requirements[q];
            if (view->fit)
                required = q; /* layers */
            size_t expected[16];
            uint32_t got[16];
            int want = oracle_best(view, length, required, expected);
            int have = best_cycle(length, required, got);
            ck_assert_msg(have == want, "seed %llu tier %d length %zu required %llu: found %d, expected %d",
                          (unsigned long long)seed, (int)view->tier, length, (unsigned long long)required, have,
                          want);
            for (size_t i = 0; have && i < length; i++)
                ck_assert_msg(got[i] == expected[i], "seed %llu tier %d length %zu required %llu: node %zu is %u, expected %zu",
                              (unsigned long long)seed, (int)view->tier, length, (unsigned long long)required, i,
                              got[i], expected[i]);
            if (want)
                ck_assert(exoplace__search_length_may_fit(search, length, required));
        }
}

START_TEST(random_graphs_match_exhaustive_enumeration)
{
    for (uint64_t seed = 1; seed <= 60; seed++) {
        exoplace_topology_free(t);
        t = t_topology();
        random_graph(seed, 3 + seed % 6);
        for (int tier = 0; tier < EXOPLACE_TIER_COUNT; tier++) {
            oracle_view view = {(exoplace_memory_tier)tier, 0, 0, 0, 0};
            search_on(view.tier);
            assert_matches_enumeration(&view, seed);
        }
    }
}
END_TEST

START_TEST(random_graphs_match_exhaustive_enumeration_in_the_fit_view)
{
    for (uint64_t seed = 100; seed <= 140; seed++) {
        exoplace_topology_free(t);
        t = t_topology();
        random_graph(seed, 3 + seed % 6);
        search_on(EXOPLACE_TIER_AVAILABLE);
        oracle_view view = {EXOPLACE_TIER_AVAILABLE, 1, T_GIB, T_GIB / 2, 4};
        exoplace_error err = {0};
        ck_assert(exoplace__search_use_fit(search, view.tier, view.layer_cost, view.reserve, view.n_layers, &err) ==
                  EXOPLACE_OK);
        assert_matches_enumeration(&view, seed);
    }
}
END_TEST

/* ---- the rules on hand-made graphs ----------------------------------------- */

START_TEST(mesh_takes_the_largest_nodes)
{
    t_node(t, "a", 8 * T_GIB, 1 * T_GIB);
    t_node(t, "b", 8 * T_GIB, 4 * T_GIB);
    t_node(t, "c", 8 * T_GIB, 2 * T_GIB);
    t_node(t, "d", 8 * T_GIB, 3 * T_GIB);
    t_mesh(t, 0, T_IDS("a", "b", "c", "d"));
    search_on(EXOPLACE_TIER_AVAILABLE);
    assert_best(1, 0, T_IDS("b"));
    assert_best(2, 0, T_IDS("b", "d"));
    assert_best(3, 0, T_IDS("b", "c", "d")); /* b,d,c holds the same nodes: canonical order */
    assert_best(4, 10 * T_GIB, T_IDS("a", "b", "c", "d"));
    assert_none(4, 10 * T_GIB + 1);
    assert_none(5, 0);
}
END_TEST

START_TEST(ring_has_one_cycle_of_its_length)
{
    t_node(t, "d", T_GIB, T_GIB);
    t_node(t, "a", T_GIB, T_GIB);
    t_node(t, "c", T_GIB, T_GIB);
    t_node(t, "b", T_GIB, T_GIB);
    t_ring(t, 0, T_IDS("d", "a", "c", "b"));
    search_on(EXOPLACE_TIER_AVAILABLE);
    assert_none(2, 0);
    assert_none(3, 0);
    assert_best(4, 0, T_IDS("a", "c", "b", "d")); /* rotated to start at a, direction kept */
}
END_TEST

START_TEST(a_thunderbolt_cycle_beats_a_larger_sum)
{
    t_node(t, "a", 8 * T_GIB, 1 * T_GIB);
    t_node(t, "b", 8 * T_GIB, 1 * T_GIB);
    t_node(t, "x", 8 * T_GIB, 6 * T_GIB);
    t_node(t, "y", 8 * T_GIB, 6 * T_GIB);
    t_mesh(t, 1, T_IDS("a", "b"));
    t_mesh(t, 0, T_IDS("x", "y"));
    t_mesh(t, 0, T_IDS("a", "x"));
    search_on(EXOPLACE_TIER_AVAILABLE);
    assert_best(2, 0, T_IDS("a", "b"));
    /* A requirement the thunderbolt pair cannot reach leaves the larger one. */
    assert_best(2, 3 * T_GIB, T_IDS("x", "y"));
}
END_TEST

START_TEST(a_cycle_with_a_leaf_beats_a_larger_sum)
{
    /* l's only successor is a: a leaf. x and y have two successors each. */
    t_node(t, "a", 8 * T_GIB, 1 * T_GIB);
    t_node(t, "l", 8 * T_GIB, 1 * T_GIB);
    t_node(t, "x", 8 * T_GIB, 6 * T_GIB);
    t_node(t, "y", 8 * T_GIB, 6 * T_GIB);
    t_mesh(t, 0, T_IDS("a", "l"));
    t_mesh(t, 0, T_IDS("x", "y", "a"));
    search_on(EXOPLACE_TIER_AVAILABLE);
    ck_assert(exoplace_topology_node_is_leaf(t, t_index(t, "l"), EXOPLACE_RULES_SEED));
    assert_best(2, 0, T_IDS("a", "l"));
    assert_best(2, 3 * T_GIB, T_IDS("x", "y"));
}
END_TEST

START_TEST(ties_go_to_the_first_cycle_in_canonical_order)
{
    /* Added out of id order: the answer must follow ids, not insertion. */
    t_node(t, "e", T_GIB, T_GIB);
    t_node(t, "c", T_GIB, T_GIB);
    t_node(t, "d", T_GIB, T_GIB);
    t_node(t, "b", T_GIB, T_GIB);
    t_node(t, "a", T_GIB, T_GIB);
    t_mesh(t, 0, T_IDS("e", "c", "d", "b", "a"));
    search_on(EXOPLACE_TIER_AVAILABLE);
    assert_best(1, 0, T_IDS("a"));
    assert_best(2, 0, T_IDS("a", "b"));
    assert_best(3, 0, T_IDS("a", "b", "c"));
    assert_best(5, 0, T_IDS("a", "b", "c", "d", "e"));
}
END_TEST

START_TEST(nodes_without_a_profile_are_never_placed)
{
    t_node(t, "a", T_GIB, T_GIB);
    t_node_bare(t, "b");
    t_node(t, "c", T_GIB, T_GIB);
    t_mesh(t, 0, T_IDS("a", "b", "c"));
    search_on(EXOPLACE_TIER_AVAILABLE);
    ck_assert_uint_eq(exoplace__search_placeable_count(search), 2);
    assert_best(2, 0, T_IDS("a", "c"));
    assert_none(3, 0);
}
END_TEST

START_TEST(length_may_fit_is_the_sum_of_the_largest_metrics)
{
    t_node(t, "a", 8 * T_GIB, 1 * T_GIB);
    t_node(t, "b", 8 * T_GIB, 2 * T_GIB);
    t_node(t, "c", 8 * T_GIB, 4 * T_GIB);
    t_ring(t, 0, T_IDS("a", "b", "c")); /* no cycle of 2: the condition is only necessary */
    search_on(EXOPLACE_TIER_AVAILABLE);
    ck_assert(exoplace__search_length_may_fit(search, 2, 6 * T_GIB));
    ck_assert(!exoplace__search_length_may_fit(search, 2, 6 * T_GIB + 1));
    ck_assert(exoplace__search_length_may_fit(search, 3, 7 * T_GIB));
    ck_assert(!exoplace__search_length_may_fit(search, 3, 7 * T_GIB + 1));
    ck_assert(!exoplace__search_length_may_fit(search, 4, 0));
    assert_none(2, 0);
    /* Another tier, another metric. */
    exoplace_error err = {0};
    ck_assert(exoplace__search_use_tier(search, EXOPLACE_TIER_TOTAL, &err) == EXOPLACE_OK);
    ck_assert(exoplace__search_length_may_fit(search, 3, 24 * T_GIB));
    ck_assert(!exoplace__search_length_may_fit(search, 3, 24 * T_GIB + 1));
    ck_assert_uint_eq(exoplace__search_metric(search, (uint32_t)t_index(t, "a")), 8 * T_GIB);
}
END_TEST

START_TEST(the_work_bound_fails_with_search_limit)
{
    char ids[12][4];
    const char *names[12];
    for (int i = 0; i < 12; i++) {
        snprintf(ids[i], sizeof ids[i], "n%02d", i);
        names[i] = ids[i];
        t_node(t, ids[i], T_GIB, T_GIB);
    }
    t_mesh(t, 0, names, 12);
    search_on(EXOPLACE_TIER_AVAILABLE);
    uint32_t cycle[12];
    int found = -1;
    exoplace_error err = {0};
    exoplace__search_reset_work(search, 10);
    exoplace_status st = exoplace__search_best_cycle(search, 6, 6 * T_GIB, cycle, &found, &err);
    ck_assert_msg(st == EXOPLACE_E_SEARCH_LIMIT, "gave %s", exoplace_status_name(st));
    ck_assert_str_eq(err.field, "max_search_steps");
    ck_assert_ptr_nonnull(strstr(err.message, "10 steps"));
    ck_assert_int_eq(found, 0);
    /* With the default bound the same question has its answer, in the same
     * context: the distances the cut search left unfinished are not reused. */
    exoplace__search_reset_work(search, 0);
    ck_assert(best_cycle(6, 6 * T_GIB, cycle));
    for (uint32_t i = 0; i < 6; i++)
        ck_assert_uint_eq(cycle[i], i);
}
END_TEST

START_TEST(a_shared_bound_covers_several_searches)
{
    t_node(t, "a", T_GIB, T_GIB);
    t_node(t, "b", T_GIB, T_GIB);
    t_node(t, "c", T_GIB, T_GIB);
    t_mesh(t, 0, T_IDS("a", "b", "c"));
    search_on(EXOPLACE_TIER_AVAILABLE);
    exoplace__search_share_work(search, 3);
    exoplace__search_reset_work(search, 0); /* kept: the bound is shared */
    ck_assert(exoplace__search_spend(search, 3));
    ck_assert(!exoplace__search_spend(search, 1));
    uint32_t cycle[3];
    int found = -1;
    exoplace_error err = {0};
    ck_assert(exoplace__search_best_cycle(search, 2, 0, cycle, &found, &err) == EXOPLACE_E_SEARCH_LIMIT);
}
END_TEST

START_TEST(a_repeated_question_is_answered_from_the_memo)
{
    char ids[10][4];
    const char *names[10];
    for (int i = 0; i < 10; i++) {
        snprintf(ids[i], sizeof ids[i], "n%d", i);
        names[i] = ids[i];
        t_node(t, ids[i], T_GIB, T_GIB);
    }
    t_mesh(t, 0, names, 10);
    search_on(EXOPLACE_TIER_AVAILABLE);
    uint32_t first[10], again[10];
    int found = -1;
    exoplace_error err = {0};
    exoplace__search_reset_work(search, 0);
    ck_assert(exoplace__search_best_cycle(search, 5, 5 * T_GIB, first, &found, &err) == EXOPLACE_OK);
    ck_assert_int_eq(found, 1);
    /* A bound of one step: only the memo can answer. */
    exoplace__search_reset_work(search, 1);
    found = -1;
    ck_assert(exoplace__search_best_cycle(search, 5, 5 * T_GIB, again, &found, &err) == EXOPLACE_OK);
    ck_assert_int_eq(found, 1);
    ck_assert_mem_eq(first, again, 5 * sizeof *first);
    /* Not-found answers are remembered too. */
    exoplace__search_reset_work(search, 0);
    ck_assert(exoplace__search_best_cycle(search, 5, 5 * T_GIB + 1, again, &found, &err) == EXOPLACE_OK);
    ck_assert_int_eq(found, 0);
    exoplace__search_reset_work(search, 1);
    found = -1;
    ck_assert(exoplace__search_best_cycle(search, 5, 5 * T_GIB + 1, again, &found, &err) == EXOPLACE_OK);
    ck_assert_int_eq(found, 0);
    /* Another requirement is another question: the bound applies. */
    ck_assert(exoplace__search_best_cycle(search, 5, 4 * T_GIB, again, &found, &err) == EXOPLACE_E_SEARCH_LIMIT);
}
END_TEST

START_TEST(the_fit_view_counts_layers_and_drops_nodes_that_hold_none)
{
    /* Layer cost 1 GiB, reserve 1 GiB: a holds 3 layers, b 1, c none, d 7. */
    t_node(t, "a", 8 * T_GIB, 4 * T_GIB);
    t_node(t, "b", 8 * T_GIB, 2 * T_GIB);
    t_node(t, "c", 8 * T_GIB, T_GIB + T_GIB / 2);
    t_node(t, "d", 8 * T_GIB, 8 * T_GIB);
    t_mesh(t, 0, T_IDS("a", "b", "c", "d"));
    search_on(EXOPLACE_TIER_AVAILABLE);
    exoplace_error err = {0};
    ck_assert(exoplace__search_use_fit(search, EXOPLACE_TIER_AVAILABLE, T_GIB, T_GIB, 5, &err) == EXOPLACE_OK);
    ck_assert_uint_eq(exoplace__search_metric(search, (uint32_t)t_index(t, "a")), 3);
    ck_assert_uint_eq(exoplace__search_metric(search, (uint32_t)t_index(t, "b")), 1);
    ck_assert_uint_eq(exoplace__search_metric(search, (uint32_t)t_index(t, "c")), 0);
    ck_assert_uint_eq(exoplace__search_metric(search, (uint32_t)t_index(t, "d")), 7);
    assert_best(2, 5, T_IDS("a", "d"));
    assert_best(3, 9, T_IDS("a", "b", "d"));
    assert_none(3, 12);
    assert_none(4, 0); /* c holds no layer: it is not in the view */
    ck_assert(!exoplace__search_length_may_fit(search, 4, 0));
    /* Another key rebuilds the view; the byte view is unchanged. */
    ck_assert(exoplace__search_use_fit(search, EXOPLACE_TIER_AVAILABLE, T_GIB, 0, 8, &err) == EXOPLACE_OK);
    ck_assert_uint_eq(exoplace__search_metric(search, (uint32_t)t_index(t, "c")), 1);
    ck_assert(exoplace__search_length_may_fit(search, 4, 15));
    ck_assert(exoplace__search_use_tier(search, EXOPLACE_TIER_AVAILABLE, &err) == EXOPLACE_OK);
    ck_assert_uint_eq(exoplace__search_metric(search, (uint32_t)t_index(t, "c")), T_GIB + T_GIB / 2);
    assert_best(4, 0, T_IDS("a", "b", "c", "d"));
}
END_TEST

static Suite *search_suite(void)
{
    Suite *s = suite_create("search");
    TCase *tc = tcase_create("search");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, random_graphs_match_exhaustive_enumeration);
    tcase_add_test(tc, random_graphs_match_exhaustive_enumeration_in_the_fit_view);
    tcase_add_test(tc, mesh_takes_the_largest_nodes);
    tcase_add_test(tc, ring_has_one_cycle_of_its_length);
    tcase_add_test(tc, a_thunderbolt_cycle_beats_a_larger_sum);
    tcase_add_test(tc, a_cycle_with_a_leaf_beats_a_larger_sum);
    tcase_add_test(tc, ties_go_to_the_first_cycle_in_canonical_order);
    tcase_add_test(tc, nodes_without_a_profile_are_never_placed);
    tcase_add_test(tc, length_may_fit_is_the_sum_of_the_largest_metrics);
    tcase_add_test(tc, the_work_bound_fails_with_search_limit);
    tcase_add_test(tc, a_shared_bound_covers_several_searches);
    tcase_add_test(tc, a_repeated_question_is_answered_from_the_memo);
    tcase_add_test(tc, the_fit_view_counts_layers_and_drops_nodes_that_hold_none);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run(search_suite());
}
