/*
 * Allocation failure: every call fails cleanly with EXOPLACE_E_NO_MEMORY
 * whichever allocation fails, and frees what it had taken (the sanitizer
 * and valgrind runs of this suite find any leak). The n-th allocation fails
 * for n = 0, 1, 2, ... until the call succeeds, through the seam in
 * lib/alloc.h that only the internal test library has. A failed
 * exoplace_topology_add_* call leaves the topology exactly as it was.
 */
#include "unit.h"

/* The internal library is built with the seam; see its declarations. */
#define EXOPLACE_ALLOC_SEAM
#include "alloc.h"

#include <stdio.h>
#include <string.h>

typedef exoplace_status (*scenario_fn)(void);

/* A small mesh with thunderbolt and ethernet links, built under the seam. */
static exoplace_status build_cluster(exoplace_topology **out)
{
    exoplace_topology *t = NULL;
    exoplace_status st = exoplace_topology_new(&t, NULL);
    if (st)
        return st;
    static const char *const ids[] = {"c", "a", "d", "b"};
    for (size_t i = 0; i < 4 && !st; i++) {
        exoplace_node_memory m;
        exoplace_node_memory_init(&m);
        m.ram_total = 1000 * (i + 1);
        m.ram_available = 400 * (i + 1);
        st = exoplace_topology_add_node(t, ids[i], &m, NULL);
        if (!st)
            st = exoplace_topology_add_interface(t, ids[i], "en0", "169.254.0.1", EXOPLACE_INTERFACE_UNKNOWN, NULL);
    }
    for (size_t i = 0; i < 4 && !st; i++)
        for (size_t j = 0; j < 4 && !st; j++) {
            char addr[40];
            snprintf(addr, sizeof addr, "/ip4/%s.%zu.%zu/tcp/1", (i + j) % 2 ? "169.254" : "10.0", i, j);
            if (i != j)
                st = exoplace_topology_add_connection(t, ids[i], ids[j], addr, NULL);
        }
    if (!st)
        st = exoplace_topology_add_connection(t, "a", "ghost", "/ip4/10.9.9.9/tcp/1", NULL);
    if (st) {
        exoplace_topology_free(t);
        return st;
    }
    *out = t;
    return EXOPLACE_OK;
}

static void model_of(exoplace_model *model, uint64_t bytes)
{
    exoplace_model_init(model);
    model->model_id = "m";
    model->storage_size = bytes;
    model->n_layers = 30;
}

static exoplace_status scenario_get_placement(void)
{
    exoplace_topology *t = NULL;
    exoplace_status st = build_cluster(&t);
    if (st)
        return st;
    exoplace_model model;
    model_of(&model, 4500); /* more than all available memory: the total tier, several nodes */
    exoplace_placement p;
    exoplace_error err;
    st = exoplace_get_placement(&p, t, &model, NULL, &err);
    if (st == EXOPLACE_OK) {
        ck_assert_int_eq(p.memory_tier, EXOPLACE_TIER_TOTAL);
        exoplace_placement_dispose(&p);
    } else {
        ck_assert_int_eq(err.code, st);
    }
    exoplace_topology_free(t);
    return st;
}

/* A failure explained in every tier (the candidate search, the shares). */
static exoplace_status scenario_explain(void)
{
    exoplace_topology *t = NULL;
    exoplace_status st = build_cluster(&t);
    if (st)
        return st;
    exoplace_model model;
    model_of(&model, 6000); /* more than the total of any cycle but the longest */
    exoplace_place_options options;
    exoplace_place_options_init(&options);
    options.sharding = EXOPLACE_SHARDING_TENSOR;
    model.hidden_size = 4; /* length 3 removed by a rule */
    exoplace_explanation e;
    st = exoplace_explain(&e, t, &model, &options, NULL);
    if (st == EXOPLACE_OK) {
        ck_assert_uint_ge(e.n_tiers, 2);
        exoplace_explanation_dispose(&e);
    }
    exoplace_topology_free(t);
    return st;
}

static exoplace_status scenario_previews(void)
{
    exoplace_topology *t = NULL;
    exoplace_status st = build_cluster(&t);
    if (st)
        return st;
    exoplace_model model;
    model_of(&model, 1500);
    exoplace_preview_list *list = NULL;
    st = exoplace_preview_list_new(&list, t, &model, NULL, NULL);
    if (st == EXOPLACE_OK)
        ck_assert_uint_gt(exoplace_preview_list_count(list), 0);
    else
        ck_assert_ptr_null(list);
    exoplace_preview_list_free(list);
    exoplace_topology_free(t);
    return st;
}

static exoplace_status scenario_cycles(void)
{
    exoplace_topology *t = NULL;
    exoplace_status st = build_cluster(&t);
    if (st)
        return st;
    size_t count = 0, total = 0, starts[64], nodes[256];
    st = exoplace_cycle_list(&count, &total, starts, 64, nodes, 256, t, 0, NULL);
    exoplace_topology_free(t);
    return st;
}

static exoplace_status scenario_layers(void)
{
    const uint64_t memory[] = {3, 5, 7, 11, 13};
    uint32_t layers[5];
    return exoplace_layers_distribute(layers, memory, 5, 17, EXOPLACE_LAYERS_LARGEST_REMAINDER, NULL);
}

/* Strategy fit with a KV cache and a reserve: the available tier holds too
 * few layers, the total tier places on several nodes. */
static exoplace_status scenario_fit(void)
{
    exoplace_topology *t = NULL;
    exoplace_status st = build_cluster(&t);
    if (st)
        return st;
    exoplace_model model;
    model_of(&model, 3000); /* 100 bytes a layer of weights */
    model.kv_cache_bytes_per_layer = 20;
    exoplace_place_options options;
    exoplace_place_options_init(&options);
    options.strategy = EXOPLACE_LAYERS_FIT;
    options.reserve_bytes = 50;
    exoplace_placement p;
    exoplace_error err;
    st = exoplace_get_placement(&p, t, &model, &options, &err);
    if (st == EXOPLACE_OK) {
        ck_assert_int_eq(p.memory_tier, EXOPLACE_TIER_TOTAL);
        exoplace_placement_dispose(&p);
        exoplace_preview_list *list = NULL;
        st = exoplace_preview_list_new(&list, t, &model, &options, NULL);
        exoplace_preview_list_free(list);
    } else {
        ck_assert_int_eq(err.code, st);
    }
    exoplace_topology_free(t);
    return st;
}

static exoplace_status scenario_manual(void)
{
    exoplace_topology *t = NULL;
    exoplace_status st = build_cluster(&t);
    if (st)
        return st;
    exoplace_model model;
    model_of(&model, 3000);
    static const char *const ring[] = {"d", "b", "a"};
    static const uint32_t counts[] = {10, 14, 6}; /* 1000, 1400, 600 bytes in 1200, 1600, 800 */
    exoplace_placement p;
    st = exoplace_place_manual(&p, t, &model, ring, counts, 3, NULL, NULL);
    if (st == EXOPLACE_OK)
        exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
    return st;
}

static exoplace_status scenario_fit_split(void)
{
    const uint64_t capacity[] = {29, 100, 60};
    uint32_t layers[3];
    return exoplace_layers_fit(layers, capacity, 3, 17, 10, NULL);
}

/* Fails each allocation of the scenario in turn; returns how many runs failed. */
static long fail_each_allocation(scenario_fn scenario)
{
    long failures = 0;
    for (long n = 0;; n++) {
        exoplace__seam_fail_after(n);
        exoplace_status st = scenario();
        long made = exoplace__seam_fail_after(-1);
        if (made <= n) { /* the n-th allocation never came: a clean run */
            ck_assert_msg(st == EXOPLACE_OK, "with every allocation granted: %s", exoplace_status_name(st));
            return failures;
        }
        ck_assert_msg(st == EXOPLACE_E_NO_MEMORY, "allocation %ld failed but the call returned %s", n,
                      exoplace_status_name(st));
        failures++;
    }
}

/* ---- a failed topology call changes nothing -------------------------------- */

/* A ring of n nodes n0 .. n(n-1) with profiles and interfaces, node n0
 * connected to itself, and the unknown endpoint "ghost" (built without the
 * seam failing anything). Different sizes put the arrays and indexes at
 * different distances from their next growth. */
static exoplace_topology *base_topology(size_t n)
{
    exoplace_topology *t = t_topology();
    char id[16], next[16], addr[48];
    for (size_t i = 0; i < n; i++) {
        snprintf(id, sizeof id, "n%zu", i);
        t_node(t, id, 1000 * (i + 1), 500 * (i + 1));
        ck_assert_int_eq(exoplace_topology_add_interface(t, id, "en0", "10.0.0.1", EXOPLACE_INTERFACE_ETHERNET, NULL), EXOPLACE_OK);
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(id, sizeof id, "n%zu", i);
        snprintf(next, sizeof next, "n%zu", (i + 1) % n);
        snprintf(addr, sizeof addr, "/ip4/10.1.%zu.%zu/tcp/1", i / 200, i % 200);
        ck_assert_int_eq(exoplace_topology_add_connection(t, id, next, addr, NULL), EXOPLACE_OK);
    }
    ck_assert_int_eq(exoplace_topology_add_connection(t, "n0", "n0", "/ip4/10.2.0.0/tcp/1", NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_add_connection(t, "n1", "ghost", "/ip4/10.3.0.0/tcp/1", NULL), EXOPLACE_OK);
    return t;
}

/* One call that changes a topology: its function and its three strings. */
typedef struct change {
    exoplace_status (*apply)(exoplace_topology *t, const struct change *c, exoplace_error *err);
    const char *a, *b, *c;
} change;

static exoplace_status apply_connection(exoplace_topology *t, const change *c, exoplace_error *err)
{
    return exoplace_topology_add_connection(t, c->a, c->b, c->c, err);
}

static exoplace_status apply_node(exoplace_topology *t, const change *c, exoplace_error *err)
{
    exoplace_node_memory m;
    exoplace_node_memory_init(&m);
    m.ram_total = 77;
    return exoplace_topology_add_node(t, c->a, &m, err);
}

static exoplace_status apply_interface(exoplace_topology *t, const change *c, exoplace_error *err)
{
    return exoplace_topology_add_interface(t, c->a, c->b, c->c, EXOPLACE_INTERFACE_UNKNOWN, err);
}

static exoplace_status apply_rdma(exoplace_topology *t, const change *c, exoplace_error *err)
{
    return exoplace_topology_add_rdma_connection(t, c->a, c->b, c->c, "rdma_sink", err);
}

/* For each base size and each allocation the change makes, in turn: the
 * change fails with E_NO_MEMORY and the topology equals an untouched one;
 * the same change then succeeds and gives what it gives without a failure.
 * Returns the number of failed calls seen. */
static long check_failed_change_changes_nothing(const change *tried)
{
    long failures = 0;
    for (size_t n = 2; n <= 18; n++) {
        for (long k = 0;; k++) {
            exoplace_topology *t = base_topology(n), *untouched = base_topology(n);
            exoplace_error err;
            exoplace__seam_fail_after(k);
            exoplace_status st = tried->apply(t, tried, &err);
            long made = exoplace__seam_fail_after(-1);
            if (made <= k) {
                ck_assert_int_eq(st, EXOPLACE_OK);
                exoplace_topology_free(t);
                exoplace_topology_free(untouched);
                break;
            }
            ck_assert_msg(st == EXOPLACE_E_NO_MEMORY, "size %zu, allocation %ld: %s", n, k, exoplace_status_name(st));
            failures++;
            t_assert_same_topology(t, untouched);
            ck_assert_int_eq(tried->apply(t, tried, NULL), EXOPLACE_OK);
            ck_assert_int_eq(tried->apply(untouched, tried, NULL), EXOPLACE_OK);
            t_assert_same_topology(t, untouched);
            exoplace_topology_free(t);
            exoplace_topology_free(untouched);
        }
    }
    return failures;
}

START_TEST(failed_add_connection_changes_nothing)
{
    static const change changes[] = {
        {apply_connection, "new-a", "new-b", "/ip4/10.9.0.1/tcp/1"},   /* two unknown endpoints */
        {apply_connection, "n1", "new-b", "/ip4/169.254.0.9/tcp/1"},   /* known to unknown */
        {apply_connection, "new-a", "n0", "/ip4/10.9.0.2/tcp/1"},      /* unknown to known */
        {apply_connection, "n1", "n0", "/ip4/169.254.0.3/tcp/1"},      /* a new pair */
        {apply_connection, "n0", "n1", "/ip4/169.254.7.7/tcp/1"},      /* a known pair, now thunderbolt */
        {apply_connection, "new-a", "new-a", "/ip4/10.9.0.3/tcp/1"},   /* an unknown node to itself */
        {apply_connection, "n1", "n1", "/ip4/10.9.0.4/tcp/1"},         /* a known node to itself */
        {apply_connection, "ghost", "n1", "/dns/ghost.local/tcp/1"},   /* from an unknown endpoint */
        {apply_rdma, "new-a", "new-b", "rdma_en2"},                    /* RDMA between unknown endpoints */
        {apply_rdma, "n1", "n0", "rdma_en3"},                          /* RDMA on a new pair */
        {apply_rdma, "n0", "n0", "rdma_en4"},                          /* RDMA to itself */
    };
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++)
        ck_assert_msg(check_failed_change_changes_nothing(&changes[i]) > 0, "change %zu allocates nothing", i);
}
END_TEST

START_TEST(failed_add_node_changes_nothing)
{
    static const change new_node = {apply_node, "new-a", NULL, NULL};
    static const change profile_unknown_endpoint = {apply_node, "ghost", NULL, NULL};
    ck_assert_int_gt(check_failed_change_changes_nothing(&new_node), 0);
    /* Giving a connection's unknown endpoint its profile allocates nothing. */
    ck_assert_int_eq(check_failed_change_changes_nothing(&profile_unknown_endpoint), 0);
}
END_TEST

START_TEST(failed_add_interface_changes_nothing)
{
    static const change interface = {apply_interface, "n1", "en7", "fe80::1"};
    ck_assert_int_gt(check_failed_change_changes_nothing(&interface), 0);
}
END_TEST

START_TEST(get_placement_fails_cleanly_at_every_allocation)
{
    ck_assert_int_gt(fail_each_allocation(scenario_get_placement), 10);
}
END_TEST

START_TEST(explain_fails_cleanly_at_every_allocation)
{
    ck_assert_int_gt(fail_each_allocation(scenario_explain), 10);
}
END_TEST

START_TEST(previews_fail_cleanly_at_every_allocation)
{
    ck_assert_int_gt(fail_each_allocation(scenario_previews), 10);
}
END_TEST

START_TEST(cycle_listing_fails_cleanly_at_every_allocation)
{
    ck_assert_int_gt(fail_each_allocation(scenario_cycles), 5);
}
END_TEST

START_TEST(largest_remainder_split_fails_cleanly_when_scratch_is_refused)
{
    ck_assert_int_gt(fail_each_allocation(scenario_layers), 0);
}
END_TEST

START_TEST(fit_placement_and_previews_fail_cleanly_at_every_allocation)
{
    ck_assert_int_gt(fail_each_allocation(scenario_fit), 10);
}
END_TEST

START_TEST(manual_split_fails_cleanly_at_every_allocation)
{
    ck_assert_int_gt(fail_each_allocation(scenario_manual), 3);
}
END_TEST

START_TEST(fit_split_fails_cleanly_when_scratch_is_refused)
{
    ck_assert_int_gt(fail_each_allocation(scenario_fit_split), 3);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("alloc_failure");
    TCase *tc = tcase_create("seam");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, get_placement_fails_cleanly_at_every_allocation);
    tcase_add_test(tc, previews_fail_cleanly_at_every_allocation);
    tcase_add_test(tc, explain_fails_cleanly_at_every_allocation);
    tcase_add_test(tc, cycle_listing_fails_cleanly_at_every_allocation);
    tcase_add_test(tc, largest_remainder_split_fails_cleanly_when_scratch_is_refused);
    tcase_add_test(tc, fit_placement_and_previews_fail_cleanly_at_every_allocation);
    tcase_add_test(tc, manual_split_fails_cleanly_at_every_allocation);
    tcase_add_test(tc, fit_split_fails_cleanly_when_scratch_is_refused);
    tcase_add_test(tc, failed_add_connection_changes_nothing);
    tcase_add_test(tc, failed_add_node_changes_nothing);
    tcase_add_test(tc, failed_add_interface_changes_nothing);
    suite_add_tcase(s, tc);
    return t_run(s);
}
