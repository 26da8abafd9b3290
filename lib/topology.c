/* Topology: nodes, profiles, interfaces and deduplicated directed connections. */
#include "topology.h"

#include "error.h"
#include "names.h"
#include "sort.h"

#include <stdlib.h>

#include "alloc.h"
#include <string.h>

/* ---- hashing and the open-addressing index ---------------------------- */

/* Every index hashes under the topology's key: ids, node pairs and
 * addresses come from the network, and node indexes are predictable, so an
 * unkeyed hash of any of them could be made to collide. */
static uint64_t hash_id(const exoplace_topology *t, const char *id)
{
    return exoplace__siphash13(t->hash_key, id, strlen(id));
}

static void put_le32(unsigned char *p, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void absorb_pair(exoplace__siphash *s, uint32_t from, uint32_t to)
{
    unsigned char bytes[8];
    put_le32(bytes, from);
    put_le32(bytes + 4, to);
    exoplace__siphash_update(s, bytes, sizeof bytes);
}

static uint64_t hash_pair(const exoplace_topology *t, uint32_t from, uint32_t to)
{
    exoplace__siphash s;
    exoplace__siphash_init(&s, t->hash_key, 1, 3);
    absorb_pair(&s, from, to);
    return exoplace__siphash_final(&s);
}

typedef int (*index_equal_fn)(const void *ctx, uint32_t position, const void *key);

/* Position stored under (hash, key), or -1. */
static long index_find(const exoplace__index *index, uint64_t hash, index_equal_fn equal,
                       const void *ctx, const void *key)
{
    if (index->capacity == 0)
        return -1;
    size_t mask = index->capacity - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        uint32_t slot = index->slots[i];
        if (slot == 0)
            return -1;
        if (index->hashes[i] == hash && equal(ctx, slot - 1, key))
            return (long)(slot - 1);
    }
}

static void index_put_unchecked(exoplace__index *index, uint64_t hash, uint32_t position)
{
    size_t mask = index->capacity - 1;
    size_t i = (size_t)hash & mask;
    while (index->slots[i] != 0)
        i = (i + 1) & mask;
    index->slots[i] = position + 1;
    index->hashes[i] = hash;
    index->count++;
}

/* Makes room for `more` more entries (load factor at most 1/2). */
static int index_reserve_n(exoplace__index *index, size_t more)
{
    if ((index->count + more) * 2 <= index->capacity)
        return 1;
    size_t capacity = index->capacity ? index->capacity * 2 : 16;
    while ((index->count + more) * 2 > capacity)
        capacity *= 2;
    exoplace__index grown = {calloc(capacity, sizeof(uint64_t)), calloc(capacity, sizeof(uint32_t)),
                             capacity, 0};
    if (!grown.hashes || !grown.slots) {
        free(grown.hashes);
        free(grown.slots);
        return 0;
    }
    for (size_t i = 0; i < index->capacity; i++)
        if (index->slots[i])
            index_put_unchecked(&grown, index->hashes[i], index->slots[i] - 1);
    free(index->hashes);
    free(index->slots);
    *index = grown;
    return 1;
}

static int index_reserve(exoplace__index *index)
{
    return index_reserve_n(index, 1);
}

void exoplace__index_stats_get(exoplace__index_stats *out, const exoplace__index *index)
{
    memset(out, 0, sizeof *out);
    out->entries = index->count;
    out->capacity = index->capacity;
    size_t mask = index->capacity - 1;
    for (size_t i = 0; i < index->capacity; i++) {
        if (index->slots[i] == 0)
            continue;
        size_t probes = ((i - ((size_t)index->hashes[i] & mask)) & mask) + 1;
        out->total_probes += probes;
        if (probes > out->max_probes)
            out->max_probes = probes;
    }
}

static void index_dispose(exoplace__index *index)
{
    free(index->hashes);
    free(index->slots);
    memset(index, 0, sizeof *index);
}

/* Grows *array (of `size`-byte elements) to hold at least `needed`. */
static int reserve(void **array, size_t *capacity, size_t needed, size_t size)
{
    if (needed <= *capacity)
        return 1;
    size_t grown = *capacity ? *capacity * 2 : 8;
    while (grown < needed)
        grown *= 2;
    if (grown > SIZE_MAX / size)
        return 0;
    void *p = realloc(*array, grown * size);
    if (!p)
        return 0;
    *array = p;
    *capacity = grown;
    return 1;
}

/* ---- lookups ------------------------------------------------------------ */

static int node_id_equal(const void *ctx, uint32_t position, const void *key)
{
    const exoplace_topology *t = ctx;
    return strcmp(t->nodes[position].id, key) == 0;
}

long exoplace__topology_lookup(const exoplace_topology *topology, const char *node_id)
{
    return index_find(&topology->node_index, hash_id(topology, node_id), node_id_equal, topology, node_id);
}

typedef struct pair_key {
    uint32_t from, to;
} pair_key;

static int pair_equal(const void *ctx, uint32_t position, const void *key)
{
    const exoplace_topology *t = ctx;
    const pair_key *k = key;
    return t->pairs[position].from == k->from && t->pairs[position].to == k->to;
}

const exoplace__pair *exoplace__topology_pair(const exoplace_topology *topology, uint32_t from,
                                              uint32_t to)
{
    pair_key key = {from, to};
    long at = index_find(&topology->pair_index, hash_pair(topology, from, to), pair_equal, topology, &key);
    return at < 0 ? NULL : &topology->pairs[at];
}

int exoplace__topology_pair_is_plain(const exoplace_topology *topology, uint32_t from, uint32_t to)
{
    const exoplace__pair *pair = exoplace__topology_pair(topology, from, to);
    return pair && !pair->has_thunderbolt;
}

typedef struct connection_key {
    uint32_t from, to;
    exoplace_connection_kind kind;
    const char *text0; /* SOCKET: multiaddr; RDMA: source interface */
    const char *text1; /* RDMA: sink interface; SOCKET: NULL */
} connection_key;

static uint64_t hash_connection(const exoplace_topology *t, const connection_key *k)
{
    exoplace__siphash s;
    exoplace__siphash_init(&s, t->hash_key, 1, 3);
    absorb_pair(&s, k->from, k->to);
    unsigned char kind = (unsigned char)k->kind;
    exoplace__siphash_update(&s, &kind, 1);
    /* With its NUL, so that ("x", "y") and ("xy", "") differ. */
    exoplace__siphash_update(&s, k->text0, strlen(k->text0) + 1);
    if (k->text1)
        exoplace__siphash_update(&s, k->text1, strlen(k->text1));
    return exoplace__siphash_final(&s);
}

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int connection_equal(const void *ctx, uint32_t position, const void *key)
{
    const exoplace_topology *t = ctx;
    const connection_key *k = key;
    const exoplace__connection *c = &t->connections[position];
    if (c->from != k->from || c->to != k->to || c->kind != k->kind)
        return 0;
    if (c->kind == EXOPLACE_CONNECTION_SOCKET)
        return strcmp(c->multiaddr, k->text0) == 0;
    return same_text(c->source_iface, k->text0) && same_text(c->sink_iface, k->text1);
}

/* ---- metrics ------------------------------------------------------------ */

exoplace__u128 exoplace__node_metric(const exoplace__node *node, exoplace_memory_tier tier)
{
    if (!node->has_profile)
        return 0;
    const exoplace_node_memory *m = &node->memory;
    switch (tier) {
    case EXOPLACE_TIER_AVAILABLE:
        return m->pressure_level == EXOPLACE_PRESSURE_CRITICAL ? 0 : m->ram_available;
    case EXOPLACE_TIER_PRESSURE: {
        if (m->pressure_level == EXOPLACE_PRESSURE_CRITICAL)
            return 0;
        uint64_t base = m->ram_available;
        if (m->free_percent >= 0) {
            /* total * percent / 100 without overflow: split total by 100. */
            uint64_t pct = (uint64_t)m->free_percent;
            base = (m->ram_total / 100) * pct + (m->ram_total % 100) * pct / 100;
        }
        return m->pressure_level == EXOPLACE_PRESSURE_WARN ? base / 2 : base;
    }
    case EXOPLACE_TIER_TOTAL:
        return m->ram_total;
    case EXOPLACE_TIER_SWAP:
        return (exoplace__u128)m->ram_total + m->swap_available;
    }
    return 0;
}

static int id_before(const void *ctx, uint32_t a, uint32_t b)
{
    const exoplace_topology *t = ctx;
    return strcmp(t->nodes[a].id, t->nodes[b].id) < 0;
}

void exoplace__topology_id_order(const exoplace_topology *topology, uint32_t *by_rank, uint32_t *rank,
                                 uint32_t *tmp)
{
    size_t n = topology->n_nodes;
    for (size_t i = 0; i < n; i++)
        by_rank[i] = (uint32_t)i;
    exoplace__sort(by_rank, tmp, n, id_before, topology);
    if (rank)
        for (size_t r = 0; r < n; r++)
            rank[by_rank[r]] = (uint32_t)r;
}

int exoplace__topology_reports_pressure(const exoplace_topology *topology)
{
    for (size_t i = 0; i < topology->n_nodes; i++) {
        const exoplace__node *n = &topology->nodes[i];
        if (n->has_profile &&
            (n->memory.pressure_level != EXOPLACE_PRESSURE_UNREPORTED || n->memory.free_percent >= 0))
            return 1;
    }
    return 0;
}

/* ---- public API --------------------------------------------------------- */

void exoplace_node_memory_init(exoplace_node_memory *memory)
{
    if (!memory)
        return;
    memset(memory, 0, sizeof *memory);
    memory->pressure_level = EXOPLACE_PRESSURE_UNREPORTED;
    memory->free_percent = -1;
}

exoplace_status exoplace__topology_new_keyed(exoplace_topology **out, exoplace__siphash_key key,
                                             exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "out", "must not be NULL");
    *out = calloc(1, sizeof **out);
    if (!*out)
        return exoplace__fail_no_memory(err);
    (*out)->hash_key = key;
    return EXOPLACE_OK;
}

exoplace_status exoplace_topology_new(exoplace_topology **out, exoplace_error *err)
{
    exoplace_status st = exoplace__topology_new_keyed(out, (exoplace__siphash_key){0, 0}, err);
    if (st == EXOPLACE_OK)
        (*out)->hash_key = exoplace__siphash_random_key(*out);
    return st;
}

void exoplace_topology_free(exoplace_topology *topology)
{
    if (!topology)
        return;
    for (size_t i = 0; i < topology->n_nodes; i++) {
        exoplace__node *n = &topology->nodes[i];
        free(n->id);
        for (size_t j = 0; j < n->n_interfaces; j++) {
            free(n->interfaces[j].name);
            free(n->interfaces[j].ip_address);
        }
        free(n->interfaces);
        for (size_t j = 0; j < n->n_downloads; j++)
            free(n->downloads[j].model_id);
        free(n->downloads);
        free(n->successors);
    }
    for (size_t i = 0; i < topology->n_connections; i++) {
        free(topology->connections[i].multiaddr);
        free(topology->connections[i].source_iface);
        free(topology->connections[i].sink_iface);
    }
    free(topology->nodes);
    free(topology->connections);
    free(topology->pairs);
    index_dispose(&topology->node_index);
    index_dispose(&topology->pair_index);
    index_dispose(&topology->connection_index);
    free(topology);
}

/* Checks an id-like string argument; returns OK or the failure. */
static exoplace_status check_text(const char *text, const char *what, int allow_empty,
                                  exoplace_error *err)
{
    if (!text)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, what, "must not be NULL");
    size_t n = strlen(text);
    if (n == 0 && !allow_empty)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, what, "must not be empty");
    if (n > EXOPLACE_MAX_ID_BYTES)
        return exoplace__fail(err, EXOPLACE_E_LIMIT, what, "longer than %d bytes", EXOPLACE_MAX_ID_BYTES);
    return EXOPLACE_OK;
}

static exoplace_status node_limit_error(exoplace_error *err)
{
    return exoplace__fail(err, EXOPLACE_E_LIMIT, "node_id", "the topology already has %d nodes",
                          EXOPLACE_MAX_NODES);
}

/* Room for `more` new nodes: the array and the id index. */
static int reserve_nodes(exoplace_topology *t, size_t more)
{
    return reserve((void **)&t->nodes, &t->nodes_capacity, t->n_nodes + more, sizeof *t->nodes) &&
           index_reserve_n(&t->node_index, more);
}

/* Appends a node without a profile, taking `id`; room was reserved. */
static uint32_t append_reserved_node(exoplace_topology *t, char *id)
{
    exoplace__node *n = &t->nodes[t->n_nodes];
    memset(n, 0, sizeof *n);
    exoplace_node_memory_init(&n->memory);
    n->id = id;
    index_put_unchecked(&t->node_index, hash_id(t, id), (uint32_t)t->n_nodes);
    return (uint32_t)t->n_nodes++;
}

/* Checks a caller's memory profile; returns OK or the failure. */
static exoplace_status check_memory(const exoplace_node_memory *memory, exoplace_error *err)
{
    if (memory->free_percent < -1 || memory->free_percent > 100)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "memory.free_percent",
                              "must be 0..100 (or -1 when not reported)");
    if (!exoplace__enum_is_valid(&exoplace__pressure_level_info, (int)memory->pressure_level))
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "memory.pressure_level", "unknown value %d",
                              (int)memory->pressure_level);
    return EXOPLACE_OK;
}

static void set_profile(exoplace__node *n, const exoplace_node_memory *memory)
{
    n->has_profile = memory != NULL;
    if (memory)
        n->memory = *memory;
    else
        exoplace_node_memory_init(&n->memory);
}

exoplace_status exoplace_topology_add_node(exoplace_topology *topology, const char *node_id,
                                           const exoplace_node_memory *memory, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!topology)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "topology", "must not be NULL");
    exoplace_status st = check_text(node_id, "node_id", 0, err);
    if (st || (memory && (st = check_memory(memory, err))))
        return st;
    long at = exoplace__topology_lookup(topology, node_id);
    if (at >= 0 && !topology->nodes[at].added_by_connection)
        return exoplace__fail(err, EXOPLACE_E_DUPLICATE_NODE, "node_id", "duplicate node id \"%s\"", node_id);
    if (at < 0) {
        if (topology->n_nodes >= EXOPLACE_MAX_NODES)
            return node_limit_error(err);
        char *id = exoplace__copy_string(node_id);
        if (!id || !reserve_nodes(topology, 1)) {
            free(id);
            return exoplace__fail_no_memory(err);
        }
        at = append_reserved_node(topology, id);
    }
    exoplace__node *n = &topology->nodes[at];
    n->added_by_connection = 0;
    set_profile(n, memory);
    return EXOPLACE_OK;
}

/* The node named node_id, or the failure. */
static exoplace_status existing_node(exoplace__node **out, exoplace_topology *topology, const char *node_id,
                                     exoplace_error *err)
{
    if (!topology)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "topology", "must not be NULL");
    exoplace_status st = check_text(node_id, "node_id", 0, err);
    if (st)
        return st;
    long at = exoplace__topology_lookup(topology, node_id);
    if (at < 0)
        return exoplace__fail(err, EXOPLACE_E_UNKNOWN_NODE, "node_id", "no node \"%s\"", node_id);
    *out = &topology->nodes[at];
    return EXOPLACE_OK;
}

exoplace_status exoplace_topology_set_node_memory(exoplace_topology *topology, const char *node_id,
                                                  const exoplace_node_memory *memory, exoplace_error *err)
{
    exoplace__error_clear(err);
    exoplace_status st = memory ? check_memory(memory, err) : EXOPLACE_OK;
    if (st)
        return st;
    exoplace__node *n;
    if ((st = existing_node(&n, topology, node_id, err)))
        return st;
    set_profile(n, memory);
    return EXOPLACE_OK;
}

exoplace_status exoplace_topology_add_interface(exoplace_topology *topology, const char *node_id,
                                                const char *name, const char *ip_address,
                                                exoplace_interface_type type, exoplace_error *err)
{
    exoplace__error_clear(err);
    exoplace_status st;
    if ((st = check_text(name, "name", 1, err)) || (st = check_text(ip_address, "ip_address", 1, err)))
        return st;
    if (!exoplace__enum_is_valid(&exoplace__interface_type_info, (int)type))
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "type", "unknown value %d", (int)type);
    exoplace__node *n;
    if ((st = existing_node(&n, topology, node_id, err)))
        return st;
    exoplace__interface *grown = realloc(n->interfaces, (n->n_interfaces + 1) * sizeof *grown);
    if (!grown)
        return exoplace__fail_no_memory(err);
    n->interfaces = grown;
    exoplace__interface *iface = &n->interfaces[n->n_interfaces];
    iface->name = exoplace__copy_string(name);
    iface->ip_address = exoplace__copy_string(ip_address);
    iface->type = type;
    if (!iface->name || !iface->ip_address) {
        free(iface->name);
        free(iface->ip_address);
        return exoplace__fail_no_memory(err);
    }
    n->n_interfaces++;
    return EXOPLACE_OK;
}

/* A connection to add: its endpoints by id and what identifies it. */
typedef struct edge_request {
    const char *source_id;
    const char *sink_id;
    exoplace_connection_kind kind;
    const char *text[2];       /* SOCKET: multiaddr; RDMA: source and sink interfaces */
    exoplace__address address; /* SOCKET */
} edge_request;

/* Adds a connection, or nothing when an identical one exists. Everything
 * that can fail is allocated before the topology changes, so that a failed
 * call leaves it exactly as it was. */
static exoplace_status add_edge(exoplace_topology *t, const edge_request *e, exoplace_error *err)
{
    long from = exoplace__topology_lookup(t, e->source_id);
    long to = strcmp(e->source_id, e->sink_id) == 0 ? from : exoplace__topology_lookup(t, e->sink_id);
    int self = strcmp(e->source_id, e->sink_id) == 0;
    size_t new_nodes = (from < 0) + (!self && to < 0);
    if (t->n_nodes + new_nodes > EXOPLACE_MAX_NODES)
        return node_limit_error(err);
    if (new_nodes == 0) {
        connection_key key = {(uint32_t)from, (uint32_t)to, e->kind, e->text[0], e->text[1]};
        if (index_find(&t->connection_index, hash_connection(t, &key), connection_equal, t, &key) >= 0)
            return EXOPLACE_OK; /* identical connections count once */
    }

    char *source_copy = from < 0 ? exoplace__copy_string(e->source_id) : NULL;
    char *sink_copy = !self && to < 0 ? exoplace__copy_string(e->sink_id) : NULL;
    char *text0 = exoplace__copy_string(e->text[0]);
    char *text1 = e->text[1] ? exoplace__copy_string(e->text[1]) : NULL;
    long pair = -1;
    if (from >= 0 && to >= 0 && !self) {
        pair_key pk = {(uint32_t)from, (uint32_t)to};
        pair = index_find(&t->pair_index, hash_pair(t, pk.from, pk.to), pair_equal, t, &pk);
    }
    int new_pair = !self && pair < 0;
    int new_successor = new_pair || (self && (from < 0 || !t->nodes[from].has_self_connection));
    /* A new source starts its successor list here; an existing one grows its own. */
    uint32_t *fresh_successors = new_successor && from < 0 ? malloc(8 * sizeof *fresh_successors) : NULL;
    int ok = (from >= 0 || source_copy) && (self || to >= 0 || sink_copy) && text0 &&
             (!e->text[1] || text1) && (!new_successor || from >= 0 || fresh_successors) &&
             reserve_nodes(t, new_nodes) &&
             reserve((void **)&t->connections, &t->connections_capacity, t->n_connections + 1,
                     sizeof *t->connections) &&
             index_reserve(&t->connection_index) &&
             (!new_pair || (reserve((void **)&t->pairs, &t->pairs_capacity, t->n_pairs + 1, sizeof *t->pairs) &&
                            index_reserve(&t->pair_index))) &&
             (!new_successor || from < 0 ||
              reserve((void **)&t->nodes[from].successors, &t->nodes[from].successors_capacity,
                      t->nodes[from].n_successors + 1, sizeof *t->nodes[from].successors));
    if (!ok) {
        free(source_copy);
        free(sink_copy);
        free(text0);
        free(text1);
        free(fresh_successors);
        return exoplace__fail_no_memory(err);
    }

    /* Nothing below can fail. */
    if (from < 0) {
        from = append_reserved_node(t, source_copy);
        t->nodes[from].added_by_connection = 1;
        if (fresh_successors) {
            t->nodes[from].successors = fresh_successors;
            t->nodes[from].successors_capacity = 8;
        }
        if (self)
            to = from;
    }
    if (to < 0) {
        to = append_reserved_node(t, sink_copy);
        t->nodes[to].added_by_connection = 1;
    }
    exoplace__node *source = &t->nodes[from];
    if (new_successor)
        source->successors[source->n_successors++] = (uint32_t)to;
    if (self) {
        source->has_self_connection = 1;
        if (e->kind == EXOPLACE_CONNECTION_RDMA)
            source->self_connection_is_rdma = 1;
    } else {
        if (new_pair) {
            pair = (long)t->n_pairs++;
            t->pairs[pair] = (exoplace__pair){(uint32_t)from, (uint32_t)to, 0, 0};
            index_put_unchecked(&t->pair_index, hash_pair(t, (uint32_t)from, (uint32_t)to), (uint32_t)pair);
        }
        if (e->kind == EXOPLACE_CONNECTION_SOCKET && e->address.is_thunderbolt)
            t->pairs[pair].has_thunderbolt = 1;
        if (e->kind == EXOPLACE_CONNECTION_RDMA)
            t->pairs[pair].has_rdma = 1;
    }
    exoplace__connection *c = &t->connections[t->n_connections];
    *c = (exoplace__connection){(uint32_t)from, (uint32_t)to, e->kind, NULL, NULL, NULL, e->address};
    if (e->kind == EXOPLACE_CONNECTION_SOCKET) {
        c->multiaddr = text0;
    } else {
        c->source_iface = text0;
        c->sink_iface = text1;
    }
    connection_key key = {(uint32_t)from, (uint32_t)to, e->kind, e->text[0], e->text[1]};
    index_put_unchecked(&t->connection_index, hash_connection(t, &key), (uint32_t)t->n_connections);
    t->n_connections++;
    return EXOPLACE_OK;
}

/* A socket connection whose multiaddr is read by a rule set's grammar: the
 * seed's parser (exoplace_multiaddr_parse), or exo's patterns (exo-main.md
 * 1.1), which also take addresses that parser refuses. */
static exoplace_status add_socket_connection(exoplace_topology *topology, const char *source_node_id,
                                             const char *sink_node_id, const char *multiaddr, exoplace_rules rules,
                                             exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!topology)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "topology", "must not be NULL");
    exoplace_status st;
    if ((st = check_text(source_node_id, "source_node_id", 0, err)) ||
        (st = check_text(sink_node_id, "sink_node_id", 0, err)) || (st = check_text(multiaddr, "multiaddr", 0, err)))
        return st;
    edge_request e = {source_node_id, sink_node_id, EXOPLACE_CONNECTION_SOCKET, {multiaddr, NULL}, {0}};
    if (rules == EXOPLACE_RULES_EXO_MAIN) {
        if (!exoplace__multiaddr_exo_match(&e.address, multiaddr))
            return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "multiaddr",
                                  "not a multiaddr exo accepts (/ip4/, /ip6/ or /dns/ address, optional /tcp/PORT "
                                  "and /p2p/ID)");
    } else {
        exoplace_multiaddr parsed;
        if ((st = exoplace_multiaddr_parse(&parsed, multiaddr, err)))
            return st;
        exoplace__multiaddr_describe(&e.address, multiaddr, &parsed);
    }
    return add_edge(topology, &e, err);
}

exoplace_status exoplace_topology_add_connection(exoplace_topology *topology, const char *source_node_id,
                                                 const char *sink_node_id, const char *multiaddr,
                                                 exoplace_error *err)
{
    return add_socket_connection(topology, source_node_id, sink_node_id, multiaddr, EXOPLACE_RULES_SEED, err);
}

exoplace_status exoplace__topology_add_exo_connection(exoplace_topology *topology, const char *source_node_id,
                                                      const char *sink_node_id, const char *multiaddr,
                                                      exoplace_error *err)
{
    return add_socket_connection(topology, source_node_id, sink_node_id, multiaddr, EXOPLACE_RULES_EXO_MAIN, err);
}

exoplace_status exoplace_topology_add_rdma_connection(exoplace_topology *topology, const char *source_node_id,
                                                      const char *sink_node_id, const char *source_iface,
                                                      const char *sink_iface, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!topology)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "topology", "must not be NULL");
    exoplace_status st;
    if ((st = check_text(source_node_id, "source_node_id", 0, err)) ||
        (st = check_text(sink_node_id, "sink_node_id", 0, err)) ||
        (st = check_text(source_iface, "source_iface", 1, err)) || (st = check_text(sink_iface, "sink_iface", 1, err)))
        return st;
    edge_request e = {source_node_id, sink_node_id, EXOPLACE_CONNECTION_RDMA, {source_iface, sink_iface}, {0}};
    return add_edge(topology, &e, err);
}

exoplace_status exoplace_topology_set_node_backends(exoplace_topology *topology, const char *node_id,
                                                    uint32_t backends, exoplace_error *err)
{
    exoplace__error_clear(err);
    uint32_t known = 0;
    for (size_t i = 0; i < exoplace__backend_info.count; i++)
        known |= EXOPLACE_BACKEND_BIT(exoplace__backend_info.values[i]);
    if (backends & ~known)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "backends", "0x%x is not a mask of backends",
                              (unsigned)backends);
    exoplace__node *n;
    exoplace_status st = existing_node(&n, topology, node_id, err);
    if (st)
        return st;
    n->backends = backends;
    return EXOPLACE_OK;
}

exoplace_status exoplace_topology_set_node_rdma_ctl(exoplace_topology *topology, const char *node_id, int enabled,
                                                    exoplace_error *err)
{
    exoplace__error_clear(err);
    if (enabled != 0 && enabled != 1)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "enabled", "must be 0 or 1");
    exoplace__node *n;
    exoplace_status st = existing_node(&n, topology, node_id, err);
    if (st)
        return st;
    n->rdma_ctl_enabled = enabled;
    return EXOPLACE_OK;
}

void exoplace_download_init(exoplace_download *download)
{
    if (!download)
        return;
    memset(download, 0, sizeof *download);
    download->struct_size = (uint32_t)sizeof *download;
    download->kind = EXOPLACE_DOWNLOAD_COMPLETED;
}

exoplace_status exoplace_topology_add_download(exoplace_topology *topology, const char *node_id,
                                               const exoplace_download *download, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!download)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "download", "must not be NULL");
    if (download->struct_size != sizeof *download)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "download.struct_size",
                              "fill the download with exoplace_download_init()");
    exoplace_status st = check_text(download->model_id, "download.model_id", 0, err);
    if (st)
        return st;
    if (!exoplace__enum_is_valid(&exoplace__download_kind_info, (int)download->kind))
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "download.kind", "unknown value %d",
                              (int)download->kind);
    exoplace__node *n;
    if ((st = existing_node(&n, topology, node_id, err)))
        return st;
    char *model_id = exoplace__copy_string(download->model_id);
    exoplace__download *grown = model_id ? realloc(n->downloads, (n->n_downloads + 1) * sizeof *grown) : NULL;
    if (!grown) {
        free(model_id);
        return exoplace__fail_no_memory(err);
    }
    n->downloads = grown;
    n->downloads[n->n_downloads++] =
        (exoplace__download){model_id, download->kind, download->downloaded_bytes, download->total_bytes};
    return EXOPLACE_OK;
}

size_t exoplace_topology_node_count(const exoplace_topology *topology)
{
    return topology ? topology->n_nodes : 0;
}

size_t exoplace_topology_connection_count(const exoplace_topology *topology)
{
    return topology ? topology->n_connections : 0;
}

exoplace_status exoplace_topology_connection(exoplace_connection_info *out, const exoplace_topology *topology,
                                             size_t index, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !topology)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "out and topology must not be NULL");
    if (index >= topology->n_connections)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "index", "%zu is out of range (%zu connections)",
                              index, topology->n_connections);
    const exoplace__connection *c = &topology->connections[index];
    *out = (exoplace_connection_info){c->from, c->to, c->kind, c->multiaddr, c->source_iface, c->sink_iface};
    return EXOPLACE_OK;
}

uint32_t exoplace_topology_node_backends(const exoplace_topology *topology, size_t index)
{
    return topology && index < topology->n_nodes ? topology->nodes[index].backends : 0;
}

int exoplace_topology_node_rdma_ctl(const exoplace_topology *topology, size_t index)
{
    return topology && index < topology->n_nodes ? topology->nodes[index].rdma_ctl_enabled : 0;
}

const char *exoplace_topology_node_id(const exoplace_topology *topology, size_t index)
{
    return topology && index < topology->n_nodes ? topology->nodes[index].id : NULL;
}

exoplace_status exoplace_topology_find_node(size_t *index_out, const exoplace_topology *topology,
                                            const char *node_id, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!index_out || !topology || !node_id)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "index_out, topology and node_id must not be NULL");
    long at = exoplace__topology_lookup(topology, node_id);
    if (at < 0)
        return exoplace__fail(err, EXOPLACE_E_UNKNOWN_NODE, "node_id", "no node \"%s\"", node_id);
    *index_out = (size_t)at;
    return EXOPLACE_OK;
}

int exoplace_topology_node_memory(exoplace_node_memory *memory_out, const exoplace_topology *topology,
                                  size_t index)
{
    if (!memory_out || !topology || index >= topology->n_nodes || !topology->nodes[index].has_profile)
        return 0;
    *memory_out = topology->nodes[index].memory;
    return 1;
}

int exoplace__node_is_leaf(const exoplace__node *node, exoplace_rules rules)
{
    switch (rules) {
    case EXOPLACE_RULES_SEED:
        return node->n_successors == 1;
    case EXOPLACE_RULES_EXO_MAIN:
        return node->n_successors <= 1;
    }
    return 0;
}

int exoplace_topology_node_is_leaf(const exoplace_topology *topology, size_t index, exoplace_rules rules)
{
    return topology && index < topology->n_nodes && exoplace__node_is_leaf(&topology->nodes[index], rules);
}
