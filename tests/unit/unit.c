/* Shared helpers of the unit suites; see unit.h. */
#include "unit.h"

#include "topology.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fresh addresses so that no two helper connections are identical. */
static unsigned next_address;

exoplace_topology *t_topology(void)
{
    exoplace_topology *t = NULL;
    exoplace_error err;
    ck_assert_int_eq(exoplace_topology_new(&t, &err), EXOPLACE_OK);
    ck_assert_ptr_nonnull(t);
    return t;
}

void t_node(exoplace_topology *t, const char *id, uint64_t ram_total, uint64_t ram_available)
{
    exoplace_node_memory m;
    exoplace_node_memory_init(&m);
    m.ram_total = ram_total;
    m.ram_available = ram_available;
    t_node_memory(t, id, &m);
}

void t_node_memory(exoplace_topology *t, const char *id, const exoplace_node_memory *memory)
{
    exoplace_error err;
    exoplace_status st = exoplace_topology_add_node(t, id, memory, &err);
    ck_assert_msg(st == EXOPLACE_OK, "add_node(%s): %s (%s)", id, exoplace_status_name(st), err.message);
}

void t_node_bare(exoplace_topology *t, const char *id)
{
    t_node_memory(t, id, NULL);
}

static void link_nodes(exoplace_topology *t, const char *a, const char *b, int tb)
{
    char addr[64];
    unsigned n = ++next_address;
    snprintf(addr, sizeof addr, "/ip4/%s.%u.%u/tcp/52415", tb ? "169.254" : "10.0", (n / 250) % 250,
             n % 250 + 1);
    exoplace_error err;
    exoplace_status st = exoplace_topology_add_connection(t, a, b, addr, &err);
    ck_assert_msg(st == EXOPLACE_OK, "add_connection(%s, %s, %s): %s (%s)", a, b, addr,
                  exoplace_status_name(st), err.message);
}

void t_eth(exoplace_topology *t, const char *a, const char *b)
{
    link_nodes(t, a, b, 0);
}

void t_tb(exoplace_topology *t, const char *a, const char *b)
{
    link_nodes(t, a, b, 1);
}

void t_ring(exoplace_topology *t, int tb, const char *const *ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        link_nodes(t, ids[i], ids[(i + 1) % n], tb);
}

void t_mesh(exoplace_topology *t, int tb, const char *const *ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (i != j)
                link_nodes(t, ids[i], ids[j], tb);
}

void t_assert_same_topology(const exoplace_topology *a, const exoplace_topology *b)
{
    ck_assert_uint_eq(a->n_nodes, b->n_nodes);
    ck_assert_uint_eq(a->n_connections, b->n_connections);
    ck_assert_uint_eq(a->n_pairs, b->n_pairs);
    ck_assert_uint_eq(a->node_index.count, b->node_index.count);
    ck_assert_uint_eq(a->pair_index.count, b->pair_index.count);
    ck_assert_uint_eq(a->connection_index.count, b->connection_index.count);
    for (size_t i = 0; i < a->n_nodes; i++) {
        const exoplace__node *x = &a->nodes[i], *y = &b->nodes[i];
        ck_assert_str_eq(x->id, y->id);
        ck_assert_int_eq(exoplace__topology_lookup(a, x->id), (long)i);
        ck_assert_int_eq(exoplace__topology_lookup(b, x->id), (long)i);
        ck_assert_int_eq(x->has_profile, y->has_profile);
        ck_assert(memcmp(&x->memory, &y->memory, sizeof x->memory) == 0);
        ck_assert_uint_eq(x->n_interfaces, y->n_interfaces);
        for (size_t k = 0; k < x->n_interfaces; k++) {
            ck_assert_str_eq(x->interfaces[k].name, y->interfaces[k].name);
            ck_assert_str_eq(x->interfaces[k].ip_address, y->interfaces[k].ip_address);
            ck_assert_int_eq(x->interfaces[k].type, y->interfaces[k].type);
        }
        ck_assert_int_eq(x->added_by_connection, y->added_by_connection);
        ck_assert_int_eq(x->has_self_connection, y->has_self_connection);
        ck_assert_int_eq(x->self_connection_is_rdma, y->self_connection_is_rdma);
        ck_assert_uint_eq(x->n_successors, y->n_successors);
        if (x->n_successors)
            ck_assert(memcmp(x->successors, y->successors, x->n_successors * sizeof *x->successors) == 0);
    }
    for (size_t k = 0; k < a->n_pairs; k++) {
        const exoplace__pair *p = &a->pairs[k], *q = &b->pairs[k];
        ck_assert_uint_eq(p->from, q->from);
        ck_assert_uint_eq(p->to, q->to);
        ck_assert_int_eq(p->has_thunderbolt, q->has_thunderbolt);
        ck_assert_int_eq(p->has_rdma, q->has_rdma);
        ck_assert_ptr_eq(exoplace__topology_pair(a, p->from, p->to), p);
        ck_assert_ptr_eq(exoplace__topology_pair(b, q->from, q->to), q);
    }
    for (size_t k = 0; k < a->n_connections; k++) {
        const exoplace__connection *c = &a->connections[k], *d = &b->connections[k];
        ck_assert_uint_eq(c->from, d->from);
        ck_assert_uint_eq(c->to, d->to);
        ck_assert_int_eq(c->kind, d->kind);
        ck_assert_pstr_eq(c->multiaddr, d->multiaddr);
        ck_assert_pstr_eq(c->source_iface, d->source_iface);
        ck_assert_pstr_eq(c->sink_iface, d->sink_iface);
        ck_assert_int_eq(c->address.kind, d->address.kind);
        ck_assert_uint_eq(c->address.host_start, d->address.host_start);
        ck_assert_uint_eq(c->address.host_len, d->address.host_len);
        ck_assert_int_eq(c->address.is_thunderbolt, d->address.is_thunderbolt);
    }
}

size_t t_index(const exoplace_topology *t, const char *id)
{
    size_t index = (size_t)-1;
    exoplace_error err;
    exoplace_status st = exoplace_topology_find_node(&index, t, id, &err);
    ck_assert_msg(st == EXOPLACE_OK, "find_node(%s): %s", id, exoplace_status_name(st));
    return index;
}

exoplace_model t_model(const char *id, uint64_t storage_size, uint32_t n_layers)
{
    exoplace_model m;
    exoplace_model_init(&m);
    m.model_id = id;
    m.storage_size = storage_size;
    m.n_layers = n_layers;
    return m;
}

exoplace_place_options t_random_options(int (*random_bytes)(void *ctx, void *buffer, size_t length), void *ctx,
                                        int use_seed, uint64_t seed)
{
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.random_bytes = random_bytes;
    o.random_ctx = ctx;
    o.use_random_seed = use_seed;
    o.random_seed = seed;
    return o;
}

exoplace_place_options t_exo_options(void)
{
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.strategy = EXOPLACE_LAYERS_EXO;
    return o;
}

void t_assert_ranks(const exoplace_placement *p, const exoplace_topology *t, uint32_t n_layers,
                    const char *const *ids, size_t n)
{
    ck_assert_uint_eq(p->n_nodes, n);
    ck_assert_ptr_nonnull(p->shards);
    for (size_t i = 0; i < n; i++) {
        const exoplace_shard *s = &p->shards[i];
        ck_assert_ptr_nonnull(s->node_id);
        ck_assert_msg(strcmp(s->node_id, ids[i]) == 0, "rank %zu is %s, expected %s", i, s->node_id,
                      ids[i]);
        ck_assert_uint_eq(s->node_index, t_index(t, ids[i]));
        ck_assert_uint_eq(s->device_rank, i);
        ck_assert_uint_eq(s->world_size, n);
        ck_assert_uint_eq(s->n_layers, n_layers);
    }
}

void t_assert_layer_counts(const exoplace_placement *p, const uint32_t *counts, size_t n)
{
    ck_assert_uint_eq(p->n_nodes, n);
    uint32_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const exoplace_shard *s = &p->shards[i];
        ck_assert_msg(s->start_layer == start && s->end_layer == start + counts[i],
                      "rank %zu has [%u, %u), expected [%u, %u)", i, (unsigned)s->start_layer,
                      (unsigned)s->end_layer, (unsigned)start, (unsigned)(start + counts[i]));
        start += counts[i];
    }
    if (n)
        ck_assert_uint_eq(p->shards[n - 1].end_layer, p->shards[n - 1].n_layers);
}

void t_assert_tensor_layers(const exoplace_placement *p)
{
    for (size_t i = 0; i < p->n_nodes; i++) {
        ck_assert_uint_eq(p->shards[i].start_layer, 0);
        ck_assert_uint_eq(p->shards[i].end_layer, p->shards[i].n_layers);
    }
}

static t_u128 amount(exoplace_amount a)
{
    return ((t_u128)a.hi << 64) | a.lo;
}

t_u128 t_tier_bytes(const exoplace_topology *t, size_t node, exoplace_memory_tier tier)
{
    exoplace_node_memory mem;
    ck_assert(exoplace_topology_node_memory(&mem, t, node));
    int critical = mem.pressure_level == EXOPLACE_PRESSURE_CRITICAL;
    switch (tier) {
    case EXOPLACE_TIER_AVAILABLE:
        return critical ? 0 : mem.ram_available;
    case EXOPLACE_TIER_PRESSURE: {
        if (critical)
            return 0;
        t_u128 base = mem.free_percent >= 0 ? (t_u128)mem.ram_total * (uint32_t)mem.free_percent / 100
                                            : mem.ram_available;
        return mem.pressure_level == EXOPLACE_PRESSURE_WARN ? base / 2 : base;
    }
    case EXOPLACE_TIER_TOTAL:
        return mem.ram_total;
    default:
        return (t_u128)mem.ram_total + mem.swap_available;
    }
}

static t_u128 layer_cost_of(const exoplace_model *m)
{
    return (t_u128)(m->storage_size / m->n_layers + (m->storage_size % m->n_layers != 0)) + m->kv_cache_bytes_per_layer;
}

int t_explains_by_layers(const exoplace_place_options *o)
{
    return o->strategy == EXOPLACE_LAYERS_FIT && o->sharding == EXOPLACE_SHARDING_PIPELINE;
}

/* A node's metric in the explanation's unit; *usable says whether it can take a share. */
t_u128 t_explained_metric(const exoplace_topology *t, size_t node, exoplace_memory_tier tier,
                          const exoplace_model *m, const exoplace_place_options *o, int *usable)
{
    exoplace_node_memory mem;
    *usable = exoplace_topology_node_memory(&mem, t, node);
    t_u128 bytes = *usable ? t_tier_bytes(t, node, tier) : 0;
    if (!t_explains_by_layers(o))
        return bytes;
    t_u128 cost = layer_cost_of(m);
    t_u128 capacity = bytes > o->reserve_bytes ? bytes - o->reserve_bytes : 0;
    t_u128 cap = cost ? capacity / cost : m->n_layers;
    *usable = *usable && cap >= 1;
    return cap;
}

void t_assert_explanation_adds_up(const exoplace_topology *t, const exoplace_explanation *explanation,
                                  const exoplace_model *m, const exoplace_place_options *o)
{
    int by_layers = t_explains_by_layers(o);
    t_u128 need = by_layers ? m->n_layers : m->storage_size;
    ck_assert_uint_ge(explanation->n_tiers, 1);
    for (size_t k = 0; k < explanation->n_tiers; k++) {
        const exoplace_explained_tier *et = &explanation->tiers[k];
        ck_assert_int_eq(et->by_layers, by_layers);
        ck_assert(amount(et->need) == need);
        t_u128 cluster = 0;
        size_t cluster_nodes = 0;
        for (size_t i = 0; i < exoplace_topology_node_count(t); i++) {
            int usable = 0;
            t_u128 metric = t_explained_metric(t, i, et->tier, m, o, &usable);
            if (usable) {
                cluster += metric;
                cluster_nodes++;
            }
        }
        ck_assert(amount(et->cluster_sum) == cluster);
        ck_assert_uint_eq(et->n_cluster_nodes, cluster_nodes);
        t_u128 sum = 0, shares = 0, shortfalls = 0;
        for (size_t i = 0; i < et->n_candidate; i++) {
            const exoplace_explained_node *node = &et->candidate[i];
            int usable = 0;
            ck_assert_str_eq(node->node_id, exoplace_topology_node_id(t, node->node_index));
            ck_assert(amount(node->metric) == t_explained_metric(t, node->node_index, et->tier, m, o, &usable));
            ck_assert(usable);
            ck_assert(amount(node->metric_bytes) == t_tier_bytes(t, node->node_index, et->tier));
            t_u128 share = amount(node->share), metric = amount(node->metric);
            ck_assert(amount(node->shortfall) == (share > metric ? share - metric : 0));
            t_u128 bytes_needed = by_layers ? share * layer_cost_of(m) + o->reserve_bytes : share;
            t_u128 bytes_have = by_layers ? amount(node->metric_bytes) : metric;
            ck_assert(amount(node->shortfall_bytes) == (bytes_needed > bytes_have ? bytes_needed - bytes_have : 0));
            sum += metric;
            shares += share;
            shortfalls += amount(node->shortfall);
        }
        ck_assert(amount(et->candidate_sum) == sum);
        ck_assert(amount(et->gap) == (need > sum ? need - sum : 0));
        if (et->n_candidate) {
            ck_assert(shares == need);
            if (need >= sum)
                ck_assert(shortfalls == amount(et->gap));
        }
        if (et->status == EXOPLACE_OK) {
            ck_assert(explanation->placed);
            ck_assert_int_eq(explanation->placing_tier, et->tier);
            ck_assert_uint_eq(k, explanation->n_tiers - 1);
            ck_assert(amount(et->gap) == 0);
        }
    }
}


void t_assert_failure_explained(const exoplace_topology *t, const exoplace_model *m,
                                const exoplace_place_options *o, exoplace_status status)
{
    exoplace_place_options defaults;
    exoplace_place_options_init(&defaults);
    if (!o)
        o = &defaults;
    exoplace_explanation explanation;
    exoplace_error err;
    exoplace_status st = exoplace_explain(&explanation, t, m, o, &err);
    if (!exoplace_status_is_placement_failure(status)) {
        ck_assert_int_eq(st, status); /* the request's own error */
        ck_assert_ptr_null(explanation.tiers);
        return;
    }
    ck_assert_msg(st == EXOPLACE_OK, "explain: %s (%s)", exoplace_status_name(st), err.message);
    int seen = explanation.tiers[0].status == status;
    for (size_t k = 1; status == EXOPLACE_E_SEARCH_LIMIT && k < explanation.n_tiers; k++)
        seen |= explanation.tiers[k].status == status;
    ck_assert_msg(seen, "explanation's first tier: %s, expected %s", exoplace_status_name(explanation.tiers[0].status),
                  exoplace_status_name(status));
    t_assert_explanation_adds_up(t, &explanation, m, o);
    exoplace_explanation_dispose(&explanation);
}

int t_run(Suite *suite)
{
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
