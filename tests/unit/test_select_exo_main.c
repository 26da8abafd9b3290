/* exo-main's selection (lib/select_exo_main.c, exo-main.md 3 to 5.11)
 * through exoplace_place(); the vectors of tests/conformance-exo-main and
 * the differential test cover the rules at large, these the corners. */
#include "unit.h"

#include "select_exo_main.h"
#include "topology.h"

#include <math.h>
#include <string.h>

static const exoplace_backend metal[] = {EXOPLACE_BACKEND_MLX_METAL};

static exoplace_model card(uint64_t storage_size)
{
    exoplace_model m = t_model("org/model", storage_size, 16);
    m.hidden_size = 4096;
    m.supports_tensor = 1;
    m.backends = metal;
    m.n_backends = 1;
    return m;
}

static exoplace_place_options exo_main_options(void)
{
    exoplace_place_options o = t_random_options(NULL, NULL, 1, 42);
    o.rules = EXOPLACE_RULES_EXO_MAIN;
    return o;
}

/* Nodes with MlxMetal, each with ram_available `available`. */
static void metal_node(exoplace_topology *t, const char *id, uint64_t available)
{
    t_node(t, id, 2 * available, available);
    ck_assert_int_eq(exoplace_topology_set_node_backends(t, id, EXOPLACE_BACKEND_BIT(EXOPLACE_BACKEND_MLX_METAL), NULL),
                     EXOPLACE_OK);
}

static exoplace_status place(exoplace_placement *p, const exoplace_topology *t, const exoplace_model *m,
                             const exoplace_place_options *o, exoplace_error *err)
{
    return exoplace_place(p, t, m, o, err);
}

START_TEST(a_two_cycle_starts_at_the_last_node_of_the_start_sequence)
{
    /* exo-main.md 3: nodes [a, b], a -> b, b -> a: S = (b), the cycle is [b, a]. */
    exoplace_topology *t = t_topology();
    metal_node(t, "a", 10 * T_GIB);
    metal_node(t, "b", 10 * T_GIB);
    t_eth(t, "a", "b");
    t_eth(t, "b", "a");
    exoplace_model m = card(15 * T_GIB);
    exoplace_place_options o = exo_main_options();
    exoplace_placement p;
    exoplace_error err;
    ck_assert_int_eq(place(&p, t, &m, &o, &err), EXOPLACE_OK);
    t_assert_ranks(&p, t, 16, T_IDS("b", "a"));
    ck_assert_int_eq(p.rules, EXOPLACE_RULES_EXO_MAIN);
    ck_assert_uint_eq(p.instance.n_nodes, 2);
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(required_nodes_are_honoured_and_an_unknown_one_leaves_nothing)
{
    exoplace_topology *t = t_topology();
    metal_node(t, "a", 10 * T_GIB);
    metal_node(t, "b", 20 * T_GIB);
    metal_node(t, "c", 10 * T_GIB);
    t_mesh(t, 0, T_IDS("a", "b", "c"));
    exoplace_model m = card(5 * T_GIB);
    exoplace_place_options o = exo_main_options();
    exoplace_placement p;
    exoplace_error err;
    /* Without a requirement the richest single node wins. */
    ck_assert_int_eq(place(&p, t, &m, &o, &err), EXOPLACE_OK);
    t_assert_ranks(&p, t, 16, T_IDS("b"));
    exoplace_placement_dispose(&p);
    const char *const wanted[] = {"c"};
    o.required_node_ids = wanted;
    o.n_required_node_ids = 1;
    ck_assert_int_eq(place(&p, t, &m, &o, &err), EXOPLACE_OK);
    t_assert_ranks(&p, t, 16, T_IDS("c"));
    exoplace_placement_dispose(&p);
    const char *const pair[] = {"a", "c", "a"};
    o.required_node_ids = pair;
    o.n_required_node_ids = 3;
    ck_assert_int_eq(place(&p, t, &m, &o, &err), EXOPLACE_OK);
    ck_assert_uint_eq(p.n_nodes, 2);
    exoplace_placement_dispose(&p);
    const char *const unknown[] = {"a", "zz"};
    o.required_node_ids = unknown;
    o.n_required_node_ids = 2;
    ck_assert_int_eq(place(&p, t, &m, &o, &err), EXOPLACE_E_INSUFFICIENT_MEMORY);
    ck_assert_str_eq(err.message, "No cycles found with sufficient memory");
    /* The seed rule set has no such filter: refused, not ignored. */
    o.rules = EXOPLACE_RULES_SEED;
    ck_assert_int_eq(place(&p, t, &m, &o, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "required_node_ids");
    exoplace_topology_free(t);
}
END_TEST

START_TEST(exact_ties_go_to_the_first_cycle_in_candidate_order)
{
    /* A mesh of three equal nodes (edges a->b, a->c, b->a, b->c, c->a,
     * c->b): Kosaraju emits [a, b, c], so S = (c); from c the newest edges
     * lead to a (index 4) before b (5), so [c, a, b] comes before [c, b, a],
     * and both directions tie exactly (5.11). */
    exoplace_topology *t = t_topology();
    metal_node(t, "a", 10 * T_GIB);
    metal_node(t, "b", 10 * T_GIB);
    metal_node(t, "c", 10 * T_GIB);
    t_mesh(t, 0, T_IDS("a", "b", "c"));
    exoplace_model m = card(25 * T_GIB);
    exoplace_place_options o = exo_main_options();
    exoplace_placement p;
    exoplace_error err;
    ck_assert_int_eq(place(&p, t, &m, &o, &err), EXOPLACE_OK);
    t_assert_ranks(&p, t, 16, T_IDS("c", "a", "b"));
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(a_downloaded_model_beats_more_memory)
{
    exoplace_topology *t = t_topology();
    metal_node(t, "rich", 40 * T_GIB);
    metal_node(t, "has-it", 20 * T_GIB);
    exoplace_download d;
    exoplace_download_init(&d);
    d.model_id = "org/model";
    d.kind = EXOPLACE_DOWNLOAD_COMPLETED;
    ck_assert_int_eq(exoplace_topology_add_download(t, "has-it", &d, NULL), EXOPLACE_OK);
    exoplace_model m = card(10 * T_GIB);
    exoplace_place_options o = exo_main_options();
    exoplace_placement p;
    exoplace_error err;
    ck_assert_int_eq(place(&p, t, &m, &o, &err), EXOPLACE_OK);
    t_assert_ranks(&p, t, 16, T_IDS("has-it"));
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(download_fractions_are_correctly_rounded_quotients)
{
    exoplace_topology *t = t_topology();
    t_node(t, "a", T_GIB, T_GIB);
    exoplace_download d;
    exoplace_download_init(&d);
    d.model_id = "other";
    ck_assert_int_eq(exoplace_topology_add_download(t, "a", &d, NULL), EXOPLACE_OK);
    d.model_id = "m";
    d.kind = EXOPLACE_DOWNLOAD_ONGOING;
    /* Both above 2^53: converting each to double first rounds twice and
     * gives 0.9744917831777357; Python's int / int gives ...355. */
    d.downloaded_bytes = UINT64_C(1298435936178584516);
    d.total_bytes = UINT64_C(1332423688524591105);
    ck_assert_int_eq(exoplace_topology_add_download(t, "a", &d, NULL), EXOPLACE_OK);
    d.kind = EXOPLACE_DOWNLOAD_COMPLETED; /* hidden by the first entry for "m" */
    ck_assert_int_eq(exoplace_topology_add_download(t, "a", &d, NULL), EXOPLACE_OK);
    const exoplace__node *node = &t->nodes[0];
    ck_assert(exoplace__download_fraction(node, "m") == 0.9744917831777355);
    ck_assert(exoplace__download_fraction(node, "other") == 1.0);
    ck_assert(exoplace__download_fraction(node, "none") == 0.0);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(mlx_jaccl_needs_rdma_edges_between_every_linked_pair)
{
    exoplace_topology *t = t_topology();
    metal_node(t, "a", 10 * T_GIB);
    metal_node(t, "b", 10 * T_GIB);
    ck_assert_int_eq(exoplace_topology_set_node_rdma_ctl(t, "a", 1, NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_set_node_rdma_ctl(t, "b", 1, NULL), EXOPLACE_OK);
    t_eth(t, "a", "b");
    t_eth(t, "b", "a");
    exoplace_model m = card(15 * T_GIB);
    exoplace_place_options o = exo_main_options();
    o.instance_meta = EXOPLACE_INSTANCE_MLX_JACCL;
    exoplace_placement p;
    exoplace_error err;
    ck_assert_int_eq(place(&p, t, &m, &o, &err), EXOPLACE_E_RDMA_NO_CYCLE);
    ck_assert_int_eq(exoplace_topology_add_rdma_connection(t, "a", "b", "rdma_a", "rdma_b", NULL), EXOPLACE_OK);
    ck_assert_int_eq(place(&p, t, &m, &o, &err), EXOPLACE_E_RDMA_NO_CYCLE); /* b -> a is still socket only */
    ck_assert_int_eq(exoplace_topology_add_rdma_connection(t, "b", "a", "rdma_b", "rdma_a", NULL), EXOPLACE_OK);
    ck_assert_int_eq(place(&p, t, &m, &o, &err), EXOPLACE_OK);
    ck_assert_int_eq(p.instance_meta, EXOPLACE_INSTANCE_MLX_JACCL);
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(the_work_bound_stops_the_search)
{
    exoplace_topology *t = t_topology();
    const char *const ids[] = {"a", "b", "c", "d", "e", "f"};
    for (size_t i = 0; i < 6; i++)
        metal_node(t, ids[i], 10 * T_GIB);
    t_mesh(t, 0, ids, 6);
    exoplace_model m = card(41 * T_GIB);
    m.n_layers = 5; /* one layer per node: the per-node check of 6.1 passes */
    exoplace_place_options o = exo_main_options();
    o.max_search_steps = 10;
    exoplace_placement p;
    exoplace_error err;
    ck_assert_int_eq(place(&p, t, &m, &o, &err), EXOPLACE_E_SEARCH_LIMIT);
    ck_assert_str_eq(err.field, "max_search_steps");
    o.max_search_steps = 0;
    ck_assert_int_eq(place(&p, t, &m, &o, &err), EXOPLACE_OK);
    ck_assert_uint_eq(p.n_nodes, 5);
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(previews_draw_their_own_instances_and_a_seed_repeats_them)
{
    exoplace_topology *t = t_topology();
    metal_node(t, "a", 10 * T_GIB);
    metal_node(t, "b", 10 * T_GIB);
    t_eth(t, "a", "b");
    t_eth(t, "b", "a");
    exoplace_model m = card(5 * T_GIB);
    exoplace_place_options o = exo_main_options();
    o.no_fallback = 1;
    exoplace_preview_list *one = NULL, *two = NULL;
    ck_assert_int_eq(exoplace_preview_list_new(&one, t, &m, &o, NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_preview_list_new(&two, t, &m, &o, NULL), EXOPLACE_OK);
    ck_assert_uint_eq(exoplace_preview_list_count(one), exoplace_preview_list_count(two));
    const char *previous = NULL;
    size_t successes = 0;
    for (size_t i = 0; i < exoplace_preview_list_count(one); i++) {
        const exoplace_preview *a = exoplace_preview_list_get(one, i), *b = exoplace_preview_list_get(two, i);
        ck_assert_int_eq(a->status, b->status);
        if (a->status != EXOPLACE_OK)
            continue;
        successes++;
        ck_assert_str_eq(a->placement.instance.instance_id, b->placement.instance.instance_id);
        if (previous)
            ck_assert_str_ne(a->placement.instance.instance_id, previous);
        previous = a->placement.instance.instance_id;
    }
    ck_assert_uint_ge(successes, 2);
    exoplace_preview_list_free(one);
    exoplace_preview_list_free(two);
    exoplace_topology_free(t);
}
END_TEST

static Suite *select_exo_main_suite(void)
{
    Suite *s = suite_create("select_exo_main");
    TCase *tc = tcase_create("select");
    tcase_add_test(tc, a_two_cycle_starts_at_the_last_node_of_the_start_sequence);
    tcase_add_test(tc, required_nodes_are_honoured_and_an_unknown_one_leaves_nothing);
    tcase_add_test(tc, exact_ties_go_to_the_first_cycle_in_candidate_order);
    tcase_add_test(tc, a_downloaded_model_beats_more_memory);
    tcase_add_test(tc, download_fractions_are_correctly_rounded_quotients);
    tcase_add_test(tc, mlx_jaccl_needs_rdma_edges_between_every_linked_pair);
    tcase_add_test(tc, the_work_bound_stops_the_search);
    tcase_add_test(tc, previews_draw_their_own_instances_and_a_seed_repeats_them);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run(select_exo_main_suite());
}
