/*
 * Explanations (exoplace_explain()): the numbers add up, the candidate is
 * the greatest cycle an exhaustive listing finds, each tier's status is the
 * placement attempt's, and each seed rule that removes lengths is named.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

#define T_MIB (UINT64_C(1024) * 1024)

static exoplace_topology *t;
static exoplace_explanation e;

static void setup(void)
{
    t = t_topology();
    memset(&e, 0, sizeof e);
}

static void teardown(void)
{
    exoplace_explanation_dispose(&e);
    exoplace_topology_free(t);
    t = NULL;
}

static u128 v(exoplace_amount a)
{
    return ((u128)a.hi << 64) | a.lo;
}

static void explain_ok(const exoplace_model *m, const exoplace_place_options *o)
{
    exoplace_explanation_dispose(&e);
    exoplace_error err;
    exoplace_status st = exoplace_explain(&e, t, m, o, &err);
    ck_assert_msg(st == EXOPLACE_OK, "explain: %s (%s)", exoplace_status_name(st), err.message);
}

/* The greatest sum over the topology's listed cycles that the rules allow
 * in `tier`, and the fewest nodes of a cycle with that sum; 0 when there
 * is none. */
static int greatest_listed(exoplace_memory_tier tier, const exoplace_model *m, const exoplace_place_options *o,
                           u128 *greatest, size_t *shortest)
{
    size_t count = 0, total = 0;
    exoplace_status st = exoplace_cycle_list(&count, &total, NULL, 0, NULL, 0, t, 0, NULL);
    ck_assert(st == EXOPLACE_OK || st == EXOPLACE_E_BUFFER_TOO_SMALL);
    size_t *starts = calloc(count + 1, sizeof *starts), *nodes = calloc(total + 1, sizeof *nodes);
    ck_assert(starts && nodes);
    ck_assert_int_eq(exoplace_cycle_list(&count, &total, starts, count + 1, nodes, total + 1, t, 0, NULL),
                     EXOPLACE_OK);
    int found = 0;
    *greatest = 0;
    for (size_t c = 0; c < count; c++) {
        size_t length = starts[c + 1] - starts[c];
        if (length < o->min_nodes || (t_explains_by_layers(o) && length > m->n_layers))
            continue;
        if (o->sharding == EXOPLACE_SHARDING_TENSOR && m->hidden_size && m->hidden_size % length)
            continue;
        if (o->sharding == EXOPLACE_SHARDING_TENSOR && o->rules == EXOPLACE_RULES_EXO_MAIN &&
            m->num_key_value_heads && m->num_key_value_heads % length)
            continue;
        u128 sum = 0;
        int all_usable = 1;
        for (size_t j = starts[c]; j < starts[c + 1]; j++) {
            int usable = 0;
            sum += t_explained_metric(t, nodes[j], tier, m, o, &usable);
            all_usable &= usable;
        }
        if (all_usable && (!found || sum > *greatest || (sum == *greatest && length < *shortest))) {
            *greatest = sum;
            *shortest = length;
            found = 1;
        }
    }
    free(starts);
    free(nodes);
    return found;
}

/* Each tier's status is exoplace_place()'s in that tier, and an unplaced
 * tier's candidate is the greatest listed cycle. */
static void assert_same_as_placement_and_listing(const exoplace_model *m, const exoplace_place_options *o)
{
    for (size_t k = 0; k < e.n_tiers; k++) {
        const exoplace_explained_tier *et = &e.tiers[k];
        exoplace_place_options tier_options = *o;
        tier_options.memory_tier = et->tier;
        exoplace_placement p;
        exoplace_status st = exoplace_place(&p, t, m, &tier_options, NULL);
        ck_assert_msg(st == et->status, "tier %s: place %s, explanation %s", exoplace_memory_tier_name(et->tier),
                      exoplace_status_name(st), exoplace_status_name(et->status));
        if (st == EXOPLACE_OK) {
            ck_assert_uint_eq(p.n_nodes, et->n_candidate);
            for (size_t i = 0; i < p.n_nodes; i++)
                ck_assert_uint_eq(p.shards[i].node_index, et->candidate[i].node_index);
            exoplace_placement_dispose(&p);
            continue;
        }
        ck_assert(et->complete);
        u128 greatest = 0;
        size_t shortest = 0;
        if (!greatest_listed(et->tier, m, o, &greatest, &shortest)) {
            ck_assert_uint_eq(et->n_candidate, 0);
        } else {
            ck_assert_uint_eq(et->n_candidate, shortest);
            ck_assert(v(et->candidate_sum) == greatest);
        }
    }
}

/* a holds 1000 of 3000 bytes, b 500 of 3000, c (alone) 100 of 100. */
static void two_short_nodes(void)
{
    t_node(t, "a", 3000, 1000);
    t_node(t, "b", 3000, 500);
    t_node(t, "c", 100, 100);
    t_ring(t, 0, T_IDS("a", "b"));
}

START_TEST(a_low_memory_placement_says_who_is_short_by_how_much)
{
    two_short_nodes();
    exoplace_model m = t_model("m", 2000, 4);
    exoplace_place_options defaults;
    exoplace_place_options_init(&defaults);
    explain_ok(&m, NULL);
    t_assert_explanation_adds_up(t, &e, &m, &defaults);
    ck_assert(e.placed);
    ck_assert_int_eq(e.placing_tier, EXOPLACE_TIER_TOTAL);
    ck_assert_uint_eq(e.n_tiers, 2);
    const exoplace_explained_tier *available = &e.tiers[0];
    ck_assert_int_eq(available->tier, EXOPLACE_TIER_AVAILABLE);
    ck_assert_int_eq(available->status, EXOPLACE_E_INSUFFICIENT_MEMORY);
    ck_assert_str_eq(available->error.message, "No cycles found with sufficient memory");
    ck_assert(v(available->cluster_sum) == 1600);
    ck_assert_uint_eq(available->n_candidate, 2);
    ck_assert_str_eq(available->candidate[0].node_id, "a");
    ck_assert(v(available->candidate_sum) == 1500);
    ck_assert(v(available->gap) == 500);
    /* 2000 x 1000 / 1500 = 1333 r 500, 2000 x 500 / 1500 = 666 r 1000: b has the larger remainder */
    ck_assert(v(available->candidate[0].share) == 1333);
    ck_assert(v(available->candidate[1].share) == 667);
    ck_assert(v(available->candidate[0].shortfall_bytes) == 333);
    ck_assert(v(available->candidate[1].shortfall_bytes) == 167);
    ck_assert_int_eq(e.tiers[1].status, EXOPLACE_OK);
    ck_assert_uint_eq(e.tiers[1].n_candidate, 1); /* the placement: a alone holds 2000 of its 3000 */
    ck_assert_uint_eq(e.n_rules, 0);
}
END_TEST

START_TEST(a_model_too_big_even_for_swap_is_explained_in_every_tier)
{
    two_short_nodes();
    exoplace_model m = t_model("m", 7000, 4);
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    explain_ok(&m, &o);
    t_assert_explanation_adds_up(t, &e, &m, &o);
    assert_same_as_placement_and_listing(&m, &o);
    ck_assert(!e.placed);
    ck_assert_uint_eq(e.n_tiers, 3); /* available, total, swap: no node reports pressure */
    ck_assert_int_eq(e.tiers[1].tier, EXOPLACE_TIER_TOTAL);
    ck_assert_int_eq(e.tiers[2].tier, EXOPLACE_TIER_SWAP);
    ck_assert(v(e.tiers[1].cluster_sum) == 6100); /* below 7000: not even every node's total memory */
    ck_assert(v(e.tiers[1].gap) == 1000);
}
END_TEST

START_TEST(no_cycle_of_min_nodes_leaves_no_candidate_and_the_whole_need_as_gap)
{
    two_short_nodes();
    exoplace_model m = t_model("m", 50, 4);
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.min_nodes = 3; /* c is connected to no one */
    explain_ok(&m, &o);
    t_assert_explanation_adds_up(t, &e, &m, &o);
    assert_same_as_placement_and_listing(&m, &o);
    for (size_t k = 0; k < e.n_tiers; k++) {
        ck_assert_uint_eq(e.tiers[k].n_candidate, 0);
        ck_assert(v(e.tiers[k].gap) == 50);
    }
}
END_TEST

START_TEST(a_strict_placement_explains_one_tier)
{
    two_short_nodes();
    exoplace_model m = t_model("m", 900, 4);
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    explain_ok(&m, &o);
    t_assert_explanation_adds_up(t, &e, &m, &o);
    ck_assert(e.placed);
    ck_assert_int_eq(e.placing_tier, EXOPLACE_TIER_AVAILABLE);
    ck_assert_uint_eq(e.n_tiers, 1);
}
END_TEST

START_TEST(tensor_lengths_that_do_not_divide_hidden_size_are_named_in_runs)
{
    static const char *const ids[] = {"n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7"};
    for (size_t i = 0; i < 8; i++)
        t_node(t, ids[i], 100, 100);
    t_mesh(t, 0, ids, 8);
    exoplace_model m = t_model("m", 5000, 8); /* more than the 800 bytes of all nodes */
    m.hidden_size = 4096;
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.sharding = EXOPLACE_SHARDING_TENSOR;
    explain_ok(&m, &o);
    t_assert_explanation_adds_up(t, &e, &m, &o);
    assert_same_as_placement_and_listing(&m, &o);
    ck_assert_uint_eq(e.n_rules, 2); /* 3, then 5 to 7 */
    ck_assert_int_eq(e.rules_applied[0].status, EXOPLACE_E_NO_TENSOR_SHARDING);
    ck_assert_uint_eq(e.rules_applied[0].first_length, 3);
    ck_assert_uint_eq(e.rules_applied[0].last_length, 3);
    ck_assert_str_eq(e.rules_applied[0].message, "hidden_size 4096 is not divisible by 3");
    ck_assert_uint_eq(e.rules_applied[1].first_length, 5);
    ck_assert_uint_eq(e.rules_applied[1].last_length, 7);
    ck_assert_uint_eq(e.tiers[0].n_candidate, 8); /* the greatest allowed length */
}
END_TEST

START_TEST(the_hidden_size_rule_decides_when_memory_suffices)
{
    t_node(t, "a", 1000, 1000);
    t_node(t, "b", 1000, 1000);
    t_node(t, "c", 1000, 1000);
    t_ring(t, 0, T_IDS("a", "b", "c"));
    exoplace_model m = t_model("m", 2500, 6);
    m.hidden_size = 4096;
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.sharding = EXOPLACE_SHARDING_TENSOR;
    explain_ok(&m, &o);
    t_assert_explanation_adds_up(t, &e, &m, &o);
    assert_same_as_placement_and_listing(&m, &o);
    ck_assert_int_eq(e.tiers[0].status, EXOPLACE_E_NO_TENSOR_SHARDING);
    /* Of the lengths that divide 4096 only 1 has cycles (the ring has no pairs). */
    ck_assert_uint_eq(e.tiers[0].n_candidate, 1);
    ck_assert(v(e.tiers[0].gap) == 1500);
    ck_assert_uint_eq(e.n_rules, 1);
    ck_assert_str_eq(e.rules_applied[0].message, "hidden_size 4096 is not divisible by 3");
}
END_TEST

START_TEST(a_model_without_tensor_support_is_named_as_a_rule)
{
    two_short_nodes();
    exoplace_model m = t_model("m", 900, 4);
    m.supports_tensor = 0;
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.sharding = EXOPLACE_SHARDING_TENSOR;
    explain_ok(&m, &o);
    t_assert_explanation_adds_up(t, &e, &m, &o);
    ck_assert_int_eq(e.tiers[0].status, EXOPLACE_E_TENSOR_NOT_SUPPORTED);
    ck_assert_uint_eq(e.n_rules, 1);
    ck_assert_int_eq(e.rules_applied[0].status, EXOPLACE_E_TENSOR_NOT_SUPPORTED);
    ck_assert_uint_eq(e.rules_applied[0].first_length, 0);
    ck_assert_ptr_nonnull(strstr(e.rules_applied[0].message, "does not support tensor parallelism"));
}
END_TEST

START_TEST(fit_with_more_nodes_asked_than_layers_is_named_as_a_rule)
{
    two_short_nodes();
    exoplace_model m = t_model("m", 10, 1);
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.strategy = EXOPLACE_LAYERS_FIT;
    o.min_nodes = 2;
    explain_ok(&m, &o);
    t_assert_explanation_adds_up(t, &e, &m, &o);
    ck_assert_int_eq(e.tiers[0].status, EXOPLACE_E_INVALID_SPLIT);
    ck_assert_uint_eq(e.n_rules, 1);
    ck_assert_int_eq(e.rules_applied[0].status, EXOPLACE_E_INVALID_SPLIT);
}
END_TEST

/* The 24 GiB node of test_fit.c with one byte of reserve: mac holds 17
 * layers instead of 18, the pair 31 of 32. */
START_TEST(fit_speaks_in_layers_and_the_bytes_a_node_lacks)
{
    t_node(t, "gpu", 24 * T_GIB, 22938 * T_MIB);
    t_node(t, "mac", 32 * T_GIB, 27648 * T_MIB);
    t_ring(t, 0, T_IDS("gpu", "mac"));
    exoplace_model m = t_model("m", 40 * T_GIB, 32);
    m.kv_cache_bytes_per_layer = 256 * T_MIB;
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.strategy = EXOPLACE_LAYERS_FIT;
    o.reserve_bytes = 1;
    explain_ok(&m, &o);
    t_assert_explanation_adds_up(t, &e, &m, &o);
    assert_same_as_placement_and_listing(&m, &o);
    ck_assert(v(e.layer_cost) == 1536 * T_MIB);
    const exoplace_explained_tier *available = &e.tiers[0];
    ck_assert(available->by_layers);
    ck_assert(v(available->need) == 32);
    ck_assert(v(available->candidate_sum) == 31);
    ck_assert(v(available->gap) == 1);
    const exoplace_explained_node *mac = &available->candidate[1];
    ck_assert_str_eq(mac->node_id, "mac");
    ck_assert(v(mac->metric) == 17);
    ck_assert(v(mac->share) == 18);
    ck_assert(v(mac->shortfall_bytes) == 1); /* the reserve's byte */
    ck_assert(v(available->candidate[0].shortfall) == 0);
}
END_TEST

START_TEST(a_search_stopped_by_its_work_bound_says_so)
{
    static const char *const ids[] = {"n0", "n1", "n2", "n3", "n4", "n5"};
    for (size_t i = 0; i < 6; i++)
        t_node(t, ids[i], 100, 10);
    t_mesh(t, 0, ids, 6);
    exoplace_model m = t_model("m", 55, 8); /* only the six nodes together have it */
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.max_search_steps = 3;
    explain_ok(&m, &o);
    ck_assert_int_eq(e.tiers[0].status, EXOPLACE_E_SEARCH_LIMIT);
    ck_assert_int_eq(e.tiers[0].complete, 0);
    t_assert_explanation_adds_up(t, &e, &m, &o);
}
END_TEST

START_TEST(exo_main_candidates_come_from_exos_graph)
{
    two_short_nodes();
    exoplace_model m = t_model("m", 7000, 4);
    m.hidden_size = 8;
    m.supports_tensor = 1;
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.rules = EXOPLACE_RULES_EXO_MAIN;
    o.use_random_seed = 1;
    explain_ok(&m, &o);
    ck_assert(!e.placed);
    t_assert_explanation_adds_up(t, &e, &m, &o);
    assert_same_as_placement_and_listing(&m, &o);
    ck_assert_uint_eq(e.tiers[0].n_candidate, 2); /* a and b: 1500 of 7000 */
    ck_assert(v(e.tiers[0].gap) == 5500);
    /* Required nodes: c alone is the only cycle through c. */
    static const char *const need_c[] = {"c"};
    o.required_node_ids = need_c;
    o.n_required_node_ids = 1;
    explain_ok(&m, &o);
    ck_assert_uint_eq(e.tiers[0].n_candidate, 1);
    ck_assert_str_eq(e.tiers[0].candidate[0].node_id, "c");
    ck_assert(v(e.tiers[0].candidate_sum) == 100);
}
END_TEST

START_TEST(exo_main_tensor_lengths_name_the_heads_or_the_hidden_size)
{
    static const char *const ids[] = {"n0", "n1", "n2", "n3", "n4", "n5"};
    for (size_t i = 0; i < 6; i++)
        t_node(t, ids[i], 100, 100);
    t_mesh(t, 0, ids, 6);
    exoplace_model m = t_model("m", 5000, 8);
    m.hidden_size = 12;         /* 1, 2, 3, 4, 6 divide it; 5 does not */
    m.num_key_value_heads = 4;  /* 3 and 6 do not divide the heads */
    m.supports_tensor = 1;
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.rules = EXOPLACE_RULES_EXO_MAIN;
    o.sharding = EXOPLACE_SHARDING_TENSOR;
    o.use_random_seed = 1;
    explain_ok(&m, &o);
    t_assert_explanation_adds_up(t, &e, &m, &o);
    assert_same_as_placement_and_listing(&m, &o);
    ck_assert_uint_eq(e.n_rules, 3); /* 3: heads, 5: hidden size, 6: heads */
    ck_assert_int_eq(e.rules_applied[0].status, EXOPLACE_E_TENSOR_INDIVISIBLE);
    ck_assert_str_eq(e.rules_applied[0].message, "4 key-value heads are not divisible by 3");
    ck_assert_str_eq(e.rules_applied[1].message, "hidden_size 12 is not divisible by 5");
    ck_assert_uint_eq(e.rules_applied[2].first_length, 6);
    ck_assert_uint_eq(e.tiers[0].n_candidate, 4); /* the longest allowed length */
}
END_TEST

START_TEST(bad_arguments_are_refused_and_leave_the_explanation_zeroed)
{
    two_short_nodes();
    exoplace_model m = t_model("m", 10, 1);
    exoplace_error err;
    ck_assert_int_eq(exoplace_explain(NULL, t, &m, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    memset(&e, 0xff, sizeof e);
    ck_assert_int_eq(exoplace_explain(&e, NULL, &m, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_uint_eq(e.n_tiers, 0);
    ck_assert_ptr_null(e.tiers);
    ck_assert_int_eq(exoplace_explain(&e, t, NULL, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    m.n_layers = 0;
    ck_assert_int_eq(exoplace_explain(&e, t, &m, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "model.n_layers");
    ck_assert_ptr_null(e.tiers);
    exoplace_explanation_dispose(NULL);
}
END_TEST

/* xorshift64: the random cases are the same on every run. */
static uint64_t next_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

START_TEST(random_small_clusters_agree_with_placement_and_exhaustive_listing)
{
    static const exoplace_backend metal[] = {EXOPLACE_BACKEND_MLX_METAL};
    size_t exo_main_placed = 0;
    uint64_t state = 0x9e3779b97f4a7c15u;
    for (int c = 0; c < 300; c++) {
        exoplace_topology_free(t);
        t = t_topology();
        size_t n = 1 + next_random(&state) % 6;
        char ids[6][4];
        for (size_t i = 0; i < n; i++) {
            snprintf(ids[i], sizeof ids[i], "n%zu", i);
            uint64_t total = 100 + next_random(&state) % 900;
            if (next_random(&state) % 8 == 0) {
                t_node_bare(t, ids[i]);
            } else {
                exoplace_node_memory mem;
                exoplace_node_memory_init(&mem);
                mem.ram_total = total;
                mem.ram_available = next_random(&state) % (total + 1);
                mem.swap_available = next_random(&state) % 300;
                t_node_memory(t, ids[i], &mem);
            }
        }
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                if (i != j && next_random(&state) % 2)
                    t_eth(t, ids[i], ids[j]);
        exoplace_model m = t_model("m", 200 + next_random(&state) % 3000, 1 + (uint32_t)(next_random(&state) % 12));
        exoplace_place_options o;
        exoplace_place_options_init(&o);
        o.min_nodes = 1 + (uint32_t)(next_random(&state) % 3);
        switch (next_random(&state) % 5) {
        case 1:
            o.sharding = EXOPLACE_SHARDING_TENSOR;
            m.hidden_size = (uint32_t)(next_random(&state) % 13);
            break;
        case 2:
            o.strategy = EXOPLACE_LAYERS_FIT;
            o.reserve_bytes = next_random(&state) % 50;
            m.kv_cache_bytes_per_layer = next_random(&state) % 40;
            break;
        case 3:
        case 4:
            o.rules = EXOPLACE_RULES_EXO_MAIN;
            o.use_random_seed = 1;
            m.hidden_size = 1 + (uint32_t)(next_random(&state) % 12);
            m.num_key_value_heads = (uint32_t)(next_random(&state) % 5);
            m.supports_tensor = (int)(next_random(&state) % 2);
            if (next_random(&state) % 2)
                o.sharding = EXOPLACE_SHARDING_TENSOR;
            /* MlxMetal everywhere, so that the memory decides. */
            m.backends = metal;
            m.n_backends = 1;
            for (size_t i = 0; i < n; i++)
                ck_assert_int_eq(exoplace_topology_set_node_backends(t, ids[i],
                                                                     EXOPLACE_BACKEND_BIT(EXOPLACE_BACKEND_MLX_METAL),
                                                                     NULL),
                                 EXOPLACE_OK);
            break;
        default:
            break;
        }
        explain_ok(&m, &o);
        t_assert_explanation_adds_up(t, &e, &m, &o);
        assert_same_as_placement_and_listing(&m, &o);
        /* The ladder with swap allowed stops where the explanation does. */
        o.allow_swap = 1;
        exoplace_placement p;
        exoplace_status st = exoplace_get_placement(&p, t, &m, &o, NULL);
        ck_assert_int_eq(st == EXOPLACE_OK, e.placed);
        if (st == EXOPLACE_OK) {
            ck_assert_int_eq(p.memory_tier, e.placing_tier);
            exo_main_placed += o.rules == EXOPLACE_RULES_EXO_MAIN;
            exoplace_placement_dispose(&p);
        }
    }
    ck_assert_uint_gt(exo_main_placed, 10); /* exo-main successes were compared too */
}
END_TEST

static Suite *explain_suite(void)
{
    Suite *s = suite_create("explain");
    TCase *tc = tcase_create("explain");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, a_low_memory_placement_says_who_is_short_by_how_much);
    tcase_add_test(tc, a_model_too_big_even_for_swap_is_explained_in_every_tier);
    tcase_add_test(tc, no_cycle_of_min_nodes_leaves_no_candidate_and_the_whole_need_as_gap);
    tcase_add_test(tc, a_strict_placement_explains_one_tier);
    tcase_add_test(tc, tensor_lengths_that_do_not_divide_hidden_size_are_named_in_runs);
    tcase_add_test(tc, the_hidden_size_rule_decides_when_memory_suffices);
    tcase_add_test(tc, a_model_without_tensor_support_is_named_as_a_rule);
    tcase_add_test(tc, fit_with_more_nodes_asked_than_layers_is_named_as_a_rule);
    tcase_add_test(tc, fit_speaks_in_layers_and_the_bytes_a_node_lacks);
    tcase_add_test(tc, a_search_stopped_by_its_work_bound_says_so);
    tcase_add_test(tc, exo_main_candidates_come_from_exos_graph);
    tcase_add_test(tc, exo_main_tensor_lengths_name_the_heads_or_the_hidden_size);
    tcase_add_test(tc, bad_arguments_are_refused_and_leave_the_explanation_zeroed);
    tcase_add_test(tc, random_small_clusters_agree_with_placement_and_exhaustive_listing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run(explain_suite());
}
