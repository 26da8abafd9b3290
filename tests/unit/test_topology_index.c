/*
 * The topology's hash indexes under hostile input: ids, multiaddrs and node
 * pairs chosen to collide under the unkeyed hashes the indexes once used
 * (FNV-1a, splitmix64's finalizer) stay spread under the keyed hash, probes
 * are counted through exoplace__index_stats_get() (never timed), and no
 * answer depends on the key.
 */
#include "unit.h"

#include "fnv_collisions.h"
#include "topology.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const exoplace__siphash_key key_a = {0x0123456789abcdefull, 0xfedcba9876543210ull};
static const exoplace__siphash_key key_b = {0x5851f42d4c957f2dull, 0x14057b7ef767814full};

/* Linear probing at load 1/2 averages 1.5 probes per lookup of an entry;
 * the bounds leave room for an unlucky key while staying far below what a
 * chosen collision costs (n / 2 probes on average, n at most). */
#define MEAN_PROBES_BOUND 2.0
#define MAX_PROBES_BOUND 64u

static exoplace_topology *keyed(exoplace__siphash_key key)
{
    exoplace_topology *t = NULL;
    ck_assert_int_eq(exoplace__topology_new_keyed(&t, key, NULL), EXOPLACE_OK);
    return t;
}

static void assert_spread(const exoplace__index *index, size_t entries, const char *what)
{
    exoplace__index_stats stats;
    exoplace__index_stats_get(&stats, index);
    ck_assert_uint_eq(stats.entries, entries);
    ck_assert_msg((double)stats.total_probes <= MEAN_PROBES_BOUND * (double)entries,
                  "%s: %llu probes for %zu entries", what, (unsigned long long)stats.total_probes, entries);
    ck_assert_msg(stats.max_probes <= MAX_PROBES_BOUND, "%s: a lookup takes %zu probes", what, stats.max_probes);
}

/* FNV_WAYS^steps strings prefix + chain + suffix, NUL-terminated, `stride` bytes apart. */
static char *chained_strings(const char *prefix, uint64_t state, size_t steps, const char *suffix, size_t *stride)
{
    fnv_chain *chain = malloc(sizeof *chain);
    ck_assert_ptr_nonnull(chain);
    ck_assert_int_eq(fnv_chain_build(chain, fnv1a(state, prefix, strlen(prefix)), steps), 0);
    size_t p = strlen(prefix), body = chain->length, s = strlen(suffix);
    *stride = p + body + s + 1;
    size_t n = 1;
    for (size_t k = 0; k < steps; k++)
        n *= FNV_WAYS;
    char *out = malloc(n * *stride);
    ck_assert_ptr_nonnull(out);
    for (size_t i = 0; i < n; i++) {
        char *text = out + i * *stride;
        memcpy(text, prefix, p);
        fnv_chain_string(text + p, chain, i);
        memcpy(text + p + body, suffix, s + 1);
    }
    free(chain);
    return out;
}

/* Every string's old hash (FNV-1a from `state`) has the same low bits: in an
 * index of at most 2^FNV_COLLISION_BITS slots they share one home slot, and
 * linear probing makes the k-th of them k probes away. */
static void assert_fnv_collide(const char *strings, size_t n, size_t stride, uint64_t state)
{
    const uint64_t mask = (1ull << FNV_COLLISION_BITS) - 1;
    uint64_t first = fnv1a(state, strings, strlen(strings)) & mask;
    for (size_t i = 1; i < n; i++) {
        const char *s = strings + i * stride;
        ck_assert_msg((fnv1a(state, s, strlen(s)) & mask) == first, "string %zu does not collide", i);
        ck_assert_str_ne(s, strings + (i - 1) * stride);
    }
}

START_TEST(fnv_colliding_ids_stay_spread)
{
    const size_t steps = 8, n = 65536; /* 4^8 */
    size_t stride;
    char *ids = chained_strings("node-", FNV_OFFSET_BASIS, steps, "", &stride);
    assert_fnv_collide(ids, n, stride, FNV_OFFSET_BASIS);

    exoplace_topology *t = keyed(key_a);
    for (size_t i = 0; i < n; i++)
        t_node(t, ids + i * stride, 1000, 500);
    assert_spread(&t->node_index, n, "node ids");
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(exoplace__topology_lookup(t, ids + i * stride), (long)i);
    ck_assert_int_eq(exoplace__topology_lookup(t, "node-"), -1);
    exoplace_topology_free(t);
    free(ids);
}
END_TEST

START_TEST(fnv_colliding_multiaddrs_stay_spread)
{
    /* The old connection hash: FNV-1a of the multiaddr, from the pair hash
     * of (0, 1), the first two nodes. */
    const size_t steps = 8, n = 65536;
    const uint64_t state = old_mix64(((uint64_t)0 << 32) | 1);
    size_t stride;
    char *addrs = chained_strings("/dns/", state, steps, "/tcp/5000", &stride);
    assert_fnv_collide(addrs, n, stride, state);

    exoplace_topology *t = keyed(key_a);
    t_node(t, "a", 1000, 500);
    t_node(t, "b", 1000, 500);
    for (size_t i = 0; i < n; i++) {
        exoplace_error err;
        exoplace_status st = exoplace_topology_add_connection(t, "a", "b", addrs + i * stride, &err);
        ck_assert_msg(st == EXOPLACE_OK, "%s", err.message);
    }
    ck_assert_uint_eq(exoplace_topology_connection_count(t), n);
    assert_spread(&t->connection_index, n, "connections");
    /* Identical connections still count once. */
    ck_assert_int_eq(exoplace_topology_add_connection(t, "a", "b", addrs, NULL), EXOPLACE_OK);
    ck_assert_uint_eq(exoplace_topology_connection_count(t), n);
    exoplace_topology_free(t);
    free(addrs);
}
END_TEST

START_TEST(colliding_pairs_stay_spread)
{
    /* Node indexes are the order of addition, so an attacker knows them and
     * can pick which nodes to connect: here the pairs whose old hash has 11
     * zero low bits, which fell into one or two home slots. */
    const uint32_t n_nodes = 2048;
    const uint64_t mask = (1u << 11) - 1;
    exoplace_topology *t = keyed(key_b);
    char id[16];
    for (uint32_t i = 0; i < n_nodes; i++) {
        snprintf(id, sizeof id, "n%u", i);
        t_node(t, id, 1000, 500);
    }
    size_t pairs = 0;
    for (uint32_t from = 0; from < n_nodes; from++)
        for (uint32_t to = 0; to < n_nodes; to++) {
            if (from == to || (old_mix64(((uint64_t)from << 32) | to) & mask) != 0)
                continue;
            char a[16], b[16], addr[48];
            snprintf(a, sizeof a, "n%u", from);
            snprintf(b, sizeof b, "n%u", to);
            snprintf(addr, sizeof addr, "/ip4/10.%u.%u.%u/tcp/1", (unsigned)(pairs >> 16) & 255u,
                     (unsigned)(pairs >> 8) & 255u, (unsigned)pairs & 255u);
            ck_assert_int_eq(exoplace_topology_add_connection(t, a, b, addr, NULL), EXOPLACE_OK);
            ck_assert_ptr_nonnull(exoplace__topology_pair(t, from, to));
            pairs++;
        }
    ck_assert_uint_ge(pairs, 1500); /* about n_nodes^2 / 2^11 */
    assert_spread(&t->pair_index, pairs, "pairs");
    exoplace_topology_free(t);
}
END_TEST

START_TEST(collisions_under_one_key_are_not_collisions_under_another)
{
    /* Ids chosen to share their home slot under key_a: the statistics see
     * the pile-up (so the bounds above are not vacuous), key_b spreads them. */
    const size_t n = 512;
    const uint64_t mask = 2 * n - 1; /* 512 entries live in 1024 slots */
    char (*ids)[16] = malloc(n * sizeof *ids);
    ck_assert_ptr_nonnull(ids);
    size_t found = 0;
    for (unsigned long k = 0; found < n; k++) {
        snprintf(ids[found], sizeof ids[0], "k%lu", k);
        if ((exoplace__siphash13(key_a, ids[found], strlen(ids[found])) & mask) == 0)
            found++;
    }
    exoplace_topology *ta = keyed(key_a), *tb = keyed(key_b);
    for (size_t i = 0; i < n; i++) {
        t_node_bare(ta, ids[i]);
        t_node_bare(tb, ids[i]);
    }
    exoplace__index_stats stats;
    exoplace__index_stats_get(&stats, &ta->node_index);
    ck_assert_uint_eq(stats.capacity, 2 * n);
    ck_assert_uint_eq(stats.max_probes, n);
    ck_assert_uint_eq(stats.total_probes, n * (n + 1) / 2);
    assert_spread(&tb->node_index, n, "ids chosen against another key");
    exoplace_topology_free(ta);
    exoplace_topology_free(tb);
    free(ids);
}
END_TEST

/* ---- answers do not depend on the key ------------------------------------- */

typedef struct lcg {
    uint64_t state;
} lcg;

static uint32_t lcg_below(lcg *r, uint32_t n)
{
    r->state = r->state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((r->state >> 33) % n);
}

/* A seeded cluster with every kind of connection: thunderbolt and ethernet,
 * repeated ones, self-connections, unknown endpoints, nodes without a profile. */
static void build_cluster(exoplace_topology *t, uint64_t seed, uint32_t n)
{
    lcg r = {seed};
    char id[32], other[32], addr[64];
    for (uint32_t i = 0; i < n; i++) {
        snprintf(id, sizeof id, "node-%08x", lcg_below(&r, 1u << 30));
        if (lcg_below(&r, 8) == 0)
            t_node_bare(t, id);
        else
            t_node(t, id, (uint64_t)(1 + lcg_below(&r, 8)) * T_GIB, (uint64_t)(1 + lcg_below(&r, 4)) * T_GIB / 2);
    }
    for (uint32_t k = 0; k < 4 * n; k++) {
        size_t from = lcg_below(&r, n), to = lcg_below(&r, 8) == 0 ? from : lcg_below(&r, n);
        snprintf(id, sizeof id, "%s", exoplace_topology_node_id(t, from));
        if (lcg_below(&r, 16) == 0)
            snprintf(other, sizeof other, "ghost-%u", lcg_below(&r, 4));
        else
            snprintf(other, sizeof other, "%s", exoplace_topology_node_id(t, to));
        snprintf(addr, sizeof addr, "/ip4/%s.%u.%u/tcp/5000", lcg_below(&r, 2) ? "169.254" : "10.0",
                 lcg_below(&r, 3), lcg_below(&r, 3));
        ck_assert_int_eq(exoplace_topology_add_connection(t, id, other, addr, NULL), EXOPLACE_OK);
    }
}

static void assert_same_placement(const exoplace_placement *p, exoplace_status sp, const exoplace_placement *q,
                                  exoplace_status sq)
{
    ck_assert_int_eq(sp, sq);
    if (sp != EXOPLACE_OK)
        return;
    ck_assert_int_eq(p->memory_tier, q->memory_tier);
    ck_assert_uint_eq(p->n_nodes, q->n_nodes);
    for (size_t i = 0; i < p->n_nodes; i++) {
        ck_assert_str_eq(p->shards[i].node_id, q->shards[i].node_id);
        ck_assert_uint_eq(p->shards[i].start_layer, q->shards[i].start_layer);
        ck_assert_uint_eq(p->shards[i].end_layer, q->shards[i].end_layer);
        ck_assert_uint_eq(p->shards[i].memory_delta, q->shards[i].memory_delta);
    }
}

static void assert_same_cycles(const exoplace_topology *a, const exoplace_topology *b)
{
    size_t counts[2][2];
    size_t *starts[2], *nodes[2];
    const exoplace_topology *ts[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(exoplace_cycle_list(&counts[k][0], &counts[k][1], NULL, 0, NULL, 0, ts[k], 0, NULL),
                         EXOPLACE_E_BUFFER_TOO_SMALL);
        starts[k] = malloc((counts[k][0] + 1) * sizeof(size_t));
        nodes[k] = malloc(counts[k][1] * sizeof(size_t));
        ck_assert_int_eq(exoplace_cycle_list(&counts[k][0], &counts[k][1], starts[k], counts[k][0] + 1, nodes[k],
                                              counts[k][1], ts[k], 0, NULL),
                         EXOPLACE_OK);
    }
    ck_assert_uint_eq(counts[0][0], counts[1][0]);
    ck_assert_uint_eq(counts[0][1], counts[1][1]);
    ck_assert(memcmp(starts[0], starts[1], (counts[0][0] + 1) * sizeof(size_t)) == 0);
    ck_assert(memcmp(nodes[0], nodes[1], counts[0][1] * sizeof(size_t)) == 0);
    for (int k = 0; k < 2; k++) {
        free(starts[k]);
        free(nodes[k]);
    }
}

START_TEST(answers_do_not_depend_on_the_key)
{
    for (uint64_t seed = 1; seed <= 6; seed++) {
        uint32_t n = 6 + (uint32_t)seed;
        exoplace_topology *a = keyed(key_a), *b = keyed(key_b), *c = t_topology();
        build_cluster(a, seed, n);
        build_cluster(b, seed, n);
        build_cluster(c, seed, n);
        t_assert_same_topology(a, b);
        t_assert_same_topology(a, c);
        assert_same_cycles(a, b);

        for (uint64_t gib = 1; gib <= 24; gib += 5) {
            exoplace_model model = t_model("m", gib * T_GIB, 64);
            exoplace_placement p, q;
            exoplace_status sp = exoplace_get_placement(&p, a, &model, NULL, NULL);
            exoplace_status sq = exoplace_get_placement(&q, b, &model, NULL, NULL);
            assert_same_placement(&p, sp, &q, sq);
            exoplace_placement_dispose(&p);
            exoplace_placement_dispose(&q);

            exoplace_preview_list *la = NULL, *lb = NULL;
            ck_assert_int_eq(exoplace_preview_list_new(&la, a, &model, NULL, NULL), EXOPLACE_OK);
            ck_assert_int_eq(exoplace_preview_list_new(&lb, c, &model, NULL, NULL), EXOPLACE_OK);
            ck_assert_uint_eq(exoplace_preview_list_count(la), exoplace_preview_list_count(lb));
            for (size_t i = 0; i < exoplace_preview_list_count(la); i++) {
                const exoplace_preview *x = exoplace_preview_list_get(la, i), *y = exoplace_preview_list_get(lb, i);
                ck_assert_int_eq(x->sharding, y->sharding);
                ck_assert_int_eq(x->instance_meta, y->instance_meta);
                ck_assert_uint_eq(x->min_nodes, y->min_nodes);
                assert_same_placement(&x->placement, x->status, &y->placement, y->status);
            }
            exoplace_preview_list_free(la);
            exoplace_preview_list_free(lb);
        }
        exoplace_topology_free(a);
        exoplace_topology_free(b);
        exoplace_topology_free(c);
    }
}
END_TEST

START_TEST(json_answers_do_not_depend_on_the_key)
{
    /* Every call builds its topology under a fresh random key. */
    static const char request[] =
        "{\"topology\": {\"nodes\": ["
        "{\"nodeId\": \"c\", \"nodeProfile\": {\"memory\": {\"ramTotal\": {\"inBytes\": 4000}, "
        "\"ramAvailable\": {\"inBytes\": 3000}, \"swapTotal\": {\"inBytes\": 0}, \"swapAvailable\": {\"inBytes\": 0}}}},"
        "{\"nodeId\": \"a\", \"nodeProfile\": {\"memory\": {\"ramTotal\": {\"inBytes\": 4000}, "
        "\"ramAvailable\": {\"inBytes\": 2000}, \"swapTotal\": {\"inBytes\": 0}, \"swapAvailable\": {\"inBytes\": 0}}}},"
        "{\"nodeId\": \"b\", \"nodeProfile\": {\"memory\": {\"ramTotal\": {\"inBytes\": 4000}, "
        "\"ramAvailable\": {\"inBytes\": 2500}, \"swapTotal\": {\"inBytes\": 0}, \"swapAvailable\": {\"inBytes\": 0}}}}],"
        "\"connections\": ["
        "{\"localNodeId\": \"a\", \"sendBackNodeId\": \"b\", \"sendBackMultiaddr\": {\"address\": \"/ip4/169.254.0.2/tcp/1\"}},"
        "{\"localNodeId\": \"b\", \"sendBackNodeId\": \"c\", \"sendBackMultiaddr\": {\"address\": \"/ip4/10.0.0.3/tcp/1\"}},"
        "{\"localNodeId\": \"c\", \"sendBackNodeId\": \"a\", \"sendBackMultiaddr\": {\"address\": \"/ip4/10.0.0.1/tcp/1\"}},"
        "{\"localNodeId\": \"b\", \"sendBackNodeId\": \"a\", \"sendBackMultiaddr\": {\"address\": \"/ip4/169.254.0.1/tcp/1\"}}]},"
        "\"model\": {\"modelId\": \"m\", \"storageSize\": {\"inBytes\": 4200}, \"nLayers\": 12}}";
    char *first = NULL, *again = NULL;
    ck_assert_int_eq(exoplace_previews_json(&first, request, strlen(request), NULL, NULL), EXOPLACE_OK);
    for (int k = 0; k < 8; k++) {
        ck_assert_int_eq(exoplace_previews_json(&again, request, strlen(request), NULL, NULL), EXOPLACE_OK);
        ck_assert_str_eq(again, first);
        exoplace_free(again);
    }
    exoplace_free(first);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("topology_index");
    TCase *tc = tcase_create("topology_index");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, fnv_colliding_ids_stay_spread);
    tcase_add_test(tc, fnv_colliding_multiaddrs_stay_spread);
    tcase_add_test(tc, colliding_pairs_stay_spread);
    tcase_add_test(tc, collisions_under_one_key_are_not_collisions_under_another);
    tcase_add_test(tc, answers_do_not_depend_on_the_key);
    tcase_add_test(tc, json_answers_do_not_depend_on_the_key);
    suite_add_tcase(s, tc);
    return t_run(s);
}
