/* Topology: nodes, profiles, interfaces and deduplicated directed connections. */
#include "topology.h"

#include "error.h"
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

/* Makes room for `extra` more entries (load factor at most 1/2). */
static int index_reserve(exoplace__index *index, size_t extra)
{
    if ((index->count + extra) * 2 <= index->capacity)
        return 1;
    size_t capacity = index->capacity ? index->capacity * 2 : 16;
    while (capacity < (index->count + extra) * 2)
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
    return index_find(&topology->node_index, hash_id(topology, node_id), node_id_equal, topology,
                      node_id);
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
    const char *multiaddr;
} connection_key;

static uint64_t hash_connection(const exoplace_topology *t, const connection_key *k)
{
    exoplace__siphash s;
    exoplace__siphash_init(&s, t->hash_key, 1, 3);
    absorb_pair(&s, k->from, k->to);
    exoplace__siphash_update(&s, k->multiaddr, strlen(k->multiaddr));
    return exoplace__siphash_final(&s);
}

static int connection_equal(const void *ctx, uint32_t position, const void *key)
{
    const exoplace_topology *t = ctx;
    const connection_key *k = key;
    const exoplace__connection *c = &t->connections[position];
    return c->from == k->from && c->to == k->to && strcmp(c->multiaddr, k->multiaddr) == 0;
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
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "out", "out: must not be NULL");
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
        free(n->successors);
    }
    for (size_t i = 0; i < topology->n_connections; i++)
        free(topology->connections[i].multiaddr);
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
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, what, "%s: must not be NULL", what);
    size_t n = strlen(text);
    if (n == 0 && !allow_empty)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, what, "%s: must not be empty", what);
    if (n > EXOPLACE_MAX_ID_BYTES)
        return exoplace__fail(err, EXOPLACE_E_LIMIT, what, "%s: longer than %d bytes", what,
                              EXOPLACE_MAX_ID_BYTES);
    return EXOPLACE_OK;
}

static exoplace_status node_limit_error(exoplace_error *err)
{
    return exoplace__fail(err, EXOPLACE_E_LIMIT, "node_id", "the topology already has %d nodes",
                          EXOPLACE_MAX_NODES);
}

/* Makes room for `extra` more nodes. */
static int reserve_nodes(exoplace_topology *t, size_t extra)
{
    return reserve((void **)&t->nodes, &t->nodes_capacity, t->n_nodes + extra, sizeof *t->nodes) &&
           index_reserve(&t->node_index, extra);
}

/* Appends a node without a profile that owns `id`, where reserve_nodes()
 * made room: cannot fail. Returns its index. */
static uint32_t append_reserved_node(exoplace_topology *t, char *id)
{
    uint32_t at = (uint32_t)t->n_nodes++;
    exoplace__node *n = &t->nodes[at];
    memset(n, 0, sizeof *n);
    exoplace_node_memory_init(&n->memory);
    n->id = id;
    index_put_unchecked(&t->node_index, hash_id(t, id), at);
    return at;
}

exoplace_status exoplace_topology_add_node(exoplace_topology *topology, const char *node_id,
                                           const exoplace_node_memory *memory, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!topology)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "topology", "topology: must not be NULL");
    exoplace_status st = check_text(node_id, "node_id", 0, err);
    if (st)
        return st;
    if (memory) {
        if (memory->free_percent < -1 || memory->free_percent > 100)
            return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "memory.free_percent",
                                  "memory.free_percent: must be 0..100 (or -1 when not reported)");
        if ((unsigned)memory->pressure_level > EXOPLACE_PRESSURE_CRITICAL)
            return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "memory.pressure_level",
                                  "memory.pressure_level: unknown value %d", (int)memory->pressure_level);
    }
    long at = exoplace__topology_lookup(topology, node_id);
    if (at >= 0 && !topology->nodes[at].added_by_connection)
        return exoplace__fail(err, EXOPLACE_E_DUPLICATE_NODE, "node_id", "node_id: duplicate node id \"%s\"",
                              node_id);
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
    n->has_profile = memory != NULL;
    if (memory)
        n->memory = *memory;
    return EXOPLACE_OK;
}

exoplace_status exoplace_topology_add_interface(exoplace_topology *topology, const char *node_id,
                                                const char *name, const char *ip_address,
                                                exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!topology)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "topology", "topology: must not be NULL");
    exoplace_status st;
    if ((st = check_text(node_id, "node_id", 0, err)) || (st = check_text(name, "name", 1, err)) ||
        (st = check_text(ip_address, "ip_address", 1, err)))
        return st;
    long at = exoplace__topology_lookup(topology, node_id);
    if (at < 0)
        return exoplace__fail(err, EXOPLACE_E_UNKNOWN_NODE, "node_id", "node_id: no node \"%s\"", node_id);
    exoplace__node *n = &topology->nodes[at];
    exoplace__interface *grown = realloc(n->interfaces, (n->n_interfaces + 1) * sizeof *grown);
    if (!grown)
        return exoplace__fail_no_memory(err);
    n->interfaces = grown;
    exoplace__interface *iface = &n->interfaces[n->n_interfaces];
    iface->name = exoplace__copy_string(name);
    iface->ip_address = exoplace__copy_string(ip_address);
    if (!iface->name || !iface->ip_address) {
        free(iface->name);
        free(iface->ip_address);
        return exoplace__fail_no_memory(err);
    }
    n->n_interfaces++;
    return EXOPLACE_OK;
}

/* Records a new distinct successor where the caller reserved room. */
static void push_successor(exoplace__node *n, uint32_t to)
{
    n->successors[n->n_successors++] = to;
}

/* What add_connection allocates before it changes anything: a failed call
 * then frees these and leaves the topology exactly as it was (only array
 * capacities may have grown). */
typedef struct connection_parts {
    char *multiaddr;
    char *new_ids[2];          /* the unknown endpoints, in the order they are added */
    uint32_t *new_successors;  /* a new source node's successor array */
    size_t new_successors_capacity;
} connection_parts;

static void connection_parts_free(connection_parts *parts)
{
    free(parts->multiaddr);
    free(parts->new_ids[0]);
    free(parts->new_ids[1]);
    free(parts->new_successors);
}

exoplace_status exoplace_topology_add_connection(exoplace_topology *topology, const char *local_node_id,
                                                 const char *send_back_node_id, const char *multiaddr,
                                                 exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!topology)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "topology", "topology: must not be NULL");
    exoplace_status st;
    if ((st = check_text(local_node_id, "local_node_id", 0, err)) ||
        (st = check_text(send_back_node_id, "send_back_node_id", 0, err)) ||
        (st = check_text(multiaddr, "multiaddr", 0, err)))
        return st;
    exoplace_multiaddr parsed;
    if ((st = exoplace_multiaddr_parse(&parsed, multiaddr, err)))
        return st;

    exoplace_topology *t = topology;
    int self = strcmp(local_node_id, send_back_node_id) == 0;
    long known_from = exoplace__topology_lookup(t, local_node_id);
    long known_to = self ? known_from : exoplace__topology_lookup(t, send_back_node_id);
    size_t new_nodes = (known_from < 0) + (!self && known_to < 0);
    if (t->n_nodes + new_nodes > EXOPLACE_MAX_NODES)
        return node_limit_error(err);
    /* Unknown endpoints are added, as exo does, local first. */
    uint32_t from = known_from >= 0 ? (uint32_t)known_from : (uint32_t)t->n_nodes;
    uint32_t to = known_to >= 0 ? (uint32_t)known_to : self ? from : (uint32_t)(t->n_nodes + (known_from < 0));

    connection_key key = {from, to, multiaddr};
    uint64_t hash = hash_connection(t, &key);
    if (new_nodes == 0 && index_find(&t->connection_index, hash, connection_equal, t, &key) >= 0)
        return EXOPLACE_OK; /* identical connections count once */
    pair_key pk = {from, to};
    uint64_t pair_hash = self ? 0 : hash_pair(t, from, to);
    long pair = self || new_nodes ? -1 : index_find(&t->pair_index, pair_hash, pair_equal, t, &pk);
    int new_pair = !self && pair < 0;
    int new_successor = self ? known_from < 0 || !t->nodes[from].has_self_connection : new_pair;

    /* Everything that can fail, before any change. */
    connection_parts parts = {exoplace__copy_string(multiaddr), {NULL, NULL}, NULL, 0};
    int ok = parts.multiaddr != NULL;
    if (ok && known_from < 0)
        ok = (parts.new_ids[0] = exoplace__copy_string(local_node_id)) != NULL;
    if (ok && !self && known_to < 0)
        ok = (parts.new_ids[known_from < 0] = exoplace__copy_string(send_back_node_id)) != NULL;
    ok = ok && reserve_nodes(t, new_nodes) &&
         reserve((void **)&t->connections, &t->connections_capacity, t->n_connections + 1,
                 sizeof *t->connections) &&
         index_reserve(&t->connection_index, 1);
    if (ok && new_pair)
        ok = reserve((void **)&t->pairs, &t->pairs_capacity, t->n_pairs + 1, sizeof *t->pairs) &&
             index_reserve(&t->pair_index, 1);
    if (ok && new_successor) {
        if (known_from >= 0)
            ok = reserve((void **)&t->nodes[from].successors, &t->nodes[from].successors_capacity,
                         t->nodes[from].n_successors + 1, sizeof *t->nodes[from].successors);
        else
            ok = reserve((void **)&parts.new_successors, &parts.new_successors_capacity, 1,
                         sizeof *parts.new_successors);
    }
    if (!ok) {
        connection_parts_free(&parts);
        return exoplace__fail_no_memory(err);
    }

    /* Commit: nothing below can fail. */
    for (size_t i = 0; i < new_nodes; i++)
        t->nodes[append_reserved_node(t, parts.new_ids[i])].added_by_connection = 1;
    exoplace__node *source = &t->nodes[from];
    if (known_from < 0) {
        source->successors = parts.new_successors;
        source->successors_capacity = parts.new_successors_capacity;
    }
    if (new_successor)
        push_successor(source, to);
    if (self) {
        source->has_self_connection = 1;
    } else {
        if (new_pair) {
            pair = (long)t->n_pairs++;
            t->pairs[pair] = (exoplace__pair){from, to, 0};
            index_put_unchecked(&t->pair_index, pair_hash, (uint32_t)pair);
        }
        if (parsed.is_thunderbolt)
            t->pairs[pair].has_thunderbolt = 1;
    }
    t->connections[t->n_connections] = (exoplace__connection){from, to, parts.multiaddr, parsed.is_thunderbolt};
    index_put_unchecked(&t->connection_index, hash, (uint32_t)t->n_connections);
    t->n_connections++;
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
        return exoplace__fail(err, EXOPLACE_E_UNKNOWN_NODE, "node_id", "node_id: no node \"%s\"", node_id);
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

int exoplace_topology_node_is_leaf(const exoplace_topology *topology, size_t index)
{
    return topology && index < topology->n_nodes && topology->nodes[index].n_successors == 1;
}
