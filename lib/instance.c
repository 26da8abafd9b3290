/* exo-main's instance (exo-main.md 7; exo's placement_utils.py
 * get_mlx_ring_hosts_by_node, get_mlx_jaccl_devices_matrix,
 * get_mlx_jaccl_coordinators and find_ip_prioritised). */
#include "instance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "shards_exo_main.h"

#define NO_CONNECTION (-1L)
#define NO_RANK UINT32_MAX

/* ---- each node's outgoing connections ------------------------------------ */

exoplace_status exoplace__out_edges_init(exoplace__out_edges *out, const exoplace_topology *topology,
                                         exoplace_error *err)
{
    size_t n = topology->n_nodes, e = topology->n_connections;
    out->first = calloc(n + 1, sizeof *out->first);
    out->connection = malloc((e ? e : 1) * sizeof *out->connection);
    if (!out->first || !out->connection) {
        exoplace__out_edges_dispose(out);
        return exoplace__fail_no_memory(err);
    }
    /* Counting sort by source: counts, offsets, then each index in order. */
    for (size_t c = 0; c < e; c++)
        out->first[topology->connections[c].from + 1]++;
    for (size_t i = 0; i < n; i++)
        out->first[i + 1] += out->first[i];
    for (size_t c = 0; c < e; c++)
        out->connection[out->first[topology->connections[c].from]++] = (uint32_t)c;
    /* The fill moved every offset one group on: move them back. */
    for (size_t i = n; i > 0; i--)
        out->first[i] = out->first[i - 1];
    out->first[0] = 0;
    return EXOPLACE_OK;
}

void exoplace__out_edges_dispose(exoplace__out_edges *out_edges)
{
    free(out_edges->first);
    free(out_edges->connection);
    memset(out_edges, 0, sizeof *out_edges);
}

/* ---- address choice (7.1) ------------------------------------------------ */

typedef enum address_table { RING_TABLE, JACCL_TABLE } address_table;

/* Priority by interface type (smaller wins), indexed by exoplace_interface_type. */
static unsigned type_priority(address_table table, exoplace_interface_type type)
{
    switch (type) {
    case EXOPLACE_INTERFACE_THUNDERBOLT: return table == RING_TABLE ? 0 : 4;
    case EXOPLACE_INTERFACE_MAYBE_ETHERNET: return table == RING_TABLE ? 1 : 3;
    case EXOPLACE_INTERFACE_ETHERNET: return table == RING_TABLE ? 2 : 0;
    case EXOPLACE_INTERFACE_WIFI: return table == RING_TABLE ? 3 : 1;
    case EXOPLACE_INTERFACE_UNKNOWN: break;
    }
    return table == RING_TABLE ? 4 : 2;
}

/* The IP text of a socket connection as written in its multiaddr (what exo
 * calls ip_address): ip[0..*len). */
static const char *connection_ip(size_t *len, const exoplace__connection *conn)
{
    *len = conn->address.host_len;
    return conn->multiaddr + conn->address.host_start;
}

/* The type of the last interface of `node` whose address is the text ip[0..len). */
static exoplace_interface_type interface_type_of(const exoplace__node *node, const char *ip, size_t len)
{
    for (size_t i = node->n_interfaces; i > 0; i--) {
        const char *address = node->interfaces[i - 1].ip_address;
        if (strncmp(address, ip, len) == 0 && address[len] == '\0')
            return node->interfaces[i - 1].type;
    }
    return EXOPLACE_INTERFACE_UNKNOWN;
}

/* ip(u, v, table) over the socket connections u -> v, met in any order: the
 * candidates newest first, the first of the smallest priority (so the newest
 * of them); a /dns connection among them fails the lookup, the newest one
 * being the one exo meets first. */
typedef struct address_lookup {
    long best;
    unsigned best_priority;
    long dns;
} address_lookup;

static void lookup_init(address_lookup *lookup)
{
    lookup->best = NO_CONNECTION;
    lookup->best_priority = 0;
    lookup->dns = NO_CONNECTION;
}

static void lookup_consider(address_lookup *lookup, const exoplace_topology *topology, uint32_t c,
                            address_table table)
{
    const exoplace__connection *conn = &topology->connections[c];
    if (conn->address.kind == EXOPLACE_ADDRESS_DNS) {
        if ((long)c > lookup->dns)
            lookup->dns = (long)c;
        return;
    }
    size_t ip_len;
    const char *ip = connection_ip(&ip_len, conn);
    unsigned priority = type_priority(table, interface_type_of(&topology->nodes[conn->to], ip, ip_len));
    if (lookup->best == NO_CONNECTION || priority < lookup->best_priority ||
        (priority == lookup->best_priority && (long)c > lookup->best)) {
        lookup->best = (long)c;
        lookup->best_priority = priority;
    }
}

/* The lookup's outcome: OK with an address, or exo's error. */
static exoplace_status lookup_result(const address_lookup *lookup, const exoplace_topology *topology,
                                     exoplace_status no_address, const char *no_address_text, exoplace_error *err)
{
    if (lookup->dns != NO_CONNECTION)
        return exoplace__fail(err, EXOPLACE_E_INVALID_MULTIADDR, NULL,
                              "Invalid multiaddr format: %s. Expected format like /ip6/::1/tcp/4001",
                              topology->connections[lookup->dns].multiaddr);
    if (lookup->best == NO_CONNECTION)
        return exoplace__fail(err, no_address, NULL, "%s", no_address_text);
    return EXOPLACE_OK;
}

/* ---- the ranks of the cycle's nodes -------------------------------------- */

/* Open addressing from a node index to its rank: O(n) for a cycle of n,
 * whatever the size of the topology. */
typedef struct rank_map {
    uint32_t *node; /* NO_RANK: empty */
    uint32_t *rank;
    size_t mask;
} rank_map;

static size_t rank_slot(const rank_map *map, uint32_t node)
{
    size_t i = ((size_t)node * 0x9e3779b97f4a7c15ull) & map->mask;
    while (map->node[i] != NO_RANK && map->node[i] != node)
        i = (i + 1) & map->mask;
    return i;
}

static int rank_map_init(rank_map *map, const exoplace_shard *shards, size_t n)
{
    size_t capacity = 16;
    while (capacity < 2 * n)
        capacity *= 2;
    map->node = malloc(capacity * sizeof *map->node);
    map->rank = malloc(capacity * sizeof *map->rank);
    map->mask = capacity - 1;
    if (!map->node || !map->rank)
        return 0;
    memset(map->node, 0xff, capacity * sizeof *map->node);
    for (size_t r = 0; r < n; r++) {
        size_t i = rank_slot(map, (uint32_t)shards[r].node_index);
        map->node[i] = (uint32_t)shards[r].node_index;
        map->rank[i] = (uint32_t)r;
    }
    return 1;
}

static uint32_t rank_of(const rank_map *map, uint32_t node)
{
    size_t i = rank_slot(map, node);
    return map->node[i] == NO_RANK ? NO_RANK : map->rank[i];
}

static void rank_map_dispose(rank_map *map)
{
    free(map->node);
    free(map->rank);
}

/* ---- building ------------------------------------------------------------- */

typedef struct builder {
    const exoplace_topology *topology;
    const exoplace_placement *placement;
    size_t n;
    rank_map ranks;
    /* MlxRing: per rank, toward rank - 1 and rank + 1 (the same rank when n = 2). */
    address_lookup *prev, *next;
    /* MlxJaccl: the newest RDMA connection of each ordered pair, row-major,
     * and per rank the socket connections toward rank 0. */
    long *device;
    address_lookup *coordinator;
} builder;

static size_t prev_rank(size_t r, size_t n)
{
    return (r + n - 1) % n;
}

static size_t next_rank(size_t r, size_t n)
{
    return (r + 1) % n;
}

static void consider(builder *b, uint32_t c)
{
    const exoplace__connection *conn = &b->topology->connections[c];
    uint32_t r = rank_of(&b->ranks, conn->from), s = rank_of(&b->ranks, conn->to);
    if (r == NO_RANK || s == NO_RANK || r == s)
        return;
    if (b->placement->instance_meta == EXOPLACE_INSTANCE_MLX_RING) {
        if (conn->kind != EXOPLACE_CONNECTION_SOCKET)
            return;
        if (s == next_rank(r, b->n))
            lookup_consider(&b->next[r], b->topology, c, RING_TABLE);
        else if (s == prev_rank(r, b->n))
            lookup_consider(&b->prev[r], b->topology, c, RING_TABLE);
        return;
    }
    if (conn->kind == EXOPLACE_CONNECTION_RDMA) {
        long *cell = &b->device[(size_t)r * b->n + s];
        if ((long)c > *cell)
            *cell = (long)c;
    } else if (s == 0) {
        lookup_consider(&b->coordinator[r], b->topology, c, JACCL_TABLE);
    }
}

/* Meets every connection between two nodes of the cycle (and maybe others). */
static void scan_connections(builder *b, const exoplace__out_edges *out_edges)
{
    if (!out_edges) {
        for (size_t c = 0; c < b->topology->n_connections; c++)
            consider(b, (uint32_t)c);
        return;
    }
    for (size_t r = 0; r < b->n; r++) {
        size_t u = b->placement->shards[r].node_index;
        for (uint32_t k = out_edges->first[u]; k < out_edges->first[u + 1]; k++)
            consider(b, out_edges->connection[k]);
    }
}

/* 7.2's errors in exo's order: ranks in order, each rank's neighbours by index. */
static exoplace_status check_ring(const builder *b, exoplace_error *err)
{
    static const char no_link[] = "MLX ring backend requires connectivity between neighbouring nodes";
    for (size_t r = 0; r < b->n && b->n > 1; r++) {
        const address_lookup *first = &b->next[r], *second = &b->prev[r];
        if (b->n == 2)
            second = NULL; /* one neighbour, met as "next" */
        else if (prev_rank(r, b->n) < next_rank(r, b->n)) {
            first = &b->prev[r];
            second = &b->next[r];
        }
        exoplace_status st = lookup_result(first, b->topology, EXOPLACE_E_RING_NO_LINK, no_link, err);
        if (!st && second)
            st = lookup_result(second, b->topology, EXOPLACE_E_RING_NO_LINK, no_link, err);
        if (st)
            return st;
    }
    return EXOPLACE_OK;
}

static exoplace_status not_all_to_all(exoplace_error *err)
{
    return exoplace__fail(err, EXOPLACE_E_JACCL_NOT_ALL_TO_ALL, NULL,
                          "Current jaccl backend requires all-to-all RDMA connections");
}

static exoplace_status check_jaccl_devices(const builder *b, exoplace_error *err)
{
    for (size_t i = 0; i < b->n; i++)
        for (size_t j = 0; j < b->n; j++)
            if (i != j && b->device[i * b->n + j] == NO_CONNECTION)
                return not_all_to_all(err);
    return EXOPLACE_OK;
}

/* exo looks the coordinator up from the cycle's nodes in the subgraph's
 * order, which is topology index order (exo-main.md 2.2): the failing node
 * with the smallest index reports its error. */
static exoplace_status check_jaccl_coordinators(const builder *b, exoplace_error *err)
{
    size_t first = 0;
    for (size_t r = 1; r < b->n; r++) {
        const address_lookup *lookup = &b->coordinator[r];
        int fails = lookup->dns != NO_CONNECTION || lookup->best == NO_CONNECTION;
        if (fails && (!first || b->placement->shards[r].node_index < b->placement->shards[first].node_index))
            first = r;
    }
    if (!first)
        return EXOPLACE_OK;
    return lookup_result(&b->coordinator[first], b->topology, EXOPLACE_E_JACCL_UNREACHABLE_COORDINATOR,
                         "Current jaccl backend requires all participating devices to be able to communicate", err);
}

/* Copies text[0..len) into the pool at *at, NUL-terminated, and returns where it went. */
static const char *pool_put(char *pool, size_t *at, const char *text, size_t len)
{
    char *where = pool + *at;
    memcpy(where, text, len);
    where[len] = '\0';
    *at += len + 1;
    return where;
}

/* The hosts of a checked ring, once the port is known. */
static exoplace_status fill_ring(exoplace_instance *inst, const builder *b, exoplace_error *err)
{
    size_t n = b->n;
    inst->ring_prev = malloc(n * sizeof *inst->ring_prev);
    inst->ring_next = malloc(n * sizeof *inst->ring_next);
    if (!inst->ring_prev || !inst->ring_next)
        return exoplace__fail_no_memory(err);
    exoplace_host self = {EXOPLACE_SELF_IP, inst->ephemeral_port};
    if (n == 1) {
        inst->ring_prev[0] = inst->ring_next[0] = self;
        return EXOPLACE_OK;
    }
    /* Pass 0 measures the neighbours' IPs, pass 1 stores them. */
    size_t size = 0, at = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && !(inst->text = malloc(size)))
            return exoplace__fail_no_memory(err);
        for (size_t r = 0; r < n; r++) {
            for (int side = 0; side < (n == 2 ? 1 : 2); side++) {
                size_t ip_len;
                const char *ip =
                    connection_ip(&ip_len, &b->topology->connections[side ? b->prev[r].best : b->next[r].best]);
                if (pass == 0) {
                    size += ip_len + 1;
                    continue;
                }
                exoplace_host host = {pool_put(inst->text, &at, ip, ip_len), inst->ephemeral_port};
                *(side ? &inst->ring_prev[r] : &inst->ring_next[r]) = host;
            }
            if (pass == 1 && n == 2)
                inst->ring_prev[r] = inst->ring_next[r];
        }
    }
    return EXOPLACE_OK;
}

/* The matrix and coordinators of a checked jaccl instance, once the port is known. */
static exoplace_status fill_jaccl(exoplace_instance *inst, const builder *b, exoplace_error *err)
{
    size_t n = b->n;
    inst->jaccl_devices = malloc(n * n * sizeof *inst->jaccl_devices);
    inst->jaccl_coordinators = malloc(n * sizeof *inst->jaccl_coordinators);
    if (!inst->jaccl_devices || !inst->jaccl_coordinators)
        return exoplace__fail_no_memory(err);
    for (size_t i = 0; i < n * n; i++) {
        long c = b->device[i];
        inst->jaccl_devices[i] = c == NO_CONNECTION ? NULL : b->topology->connections[c].source_iface;
    }
    /* Pass 0 measures the coordinator texts, pass 1 stores them. */
    size_t size = 0, at = 0;
    char port[8];
    int port_len = snprintf(port, sizeof port, ":%u", (unsigned)inst->ephemeral_port);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && !(inst->text = malloc(size)))
            return exoplace__fail_no_memory(err);
        for (size_t r = 0; r < n; r++) {
            size_t ip_len = strlen(EXOPLACE_SELF_IP);
            const char *ip = r == 0 ? EXOPLACE_SELF_IP
                                    : connection_ip(&ip_len, &b->topology->connections[b->coordinator[r].best]);
            if (pass == 0) {
                size += ip_len + (size_t)port_len + 1;
                continue;
            }
            /* "ip:port", exo's text: the IP as written, IPv6 not bracketed. */
            char *text = inst->text + at;
            memcpy(text, ip, ip_len);
            memcpy(text + ip_len, port, (size_t)port_len + 1);
            at += ip_len + (size_t)port_len + 1;
            inst->jaccl_coordinators[r] = text;
        }
    }
    return EXOPLACE_OK;
}

/* The ids exo draws once the shards are made: one runner id per rank in
 * rank order, then the instance id. */
static exoplace_status draw_ids(exoplace_instance *inst, exoplace__random *random, exoplace_error *err)
{
    exoplace_status st = EXOPLACE_OK;
    for (size_t r = 0; r < inst->n_nodes && !st; r++)
        st = exoplace__random_uuid4(inst->runner_ids[r], random, err);
    if (!st)
        st = exoplace__random_uuid4(inst->instance_id, random, err);
    return st;
}

static int builder_init(builder *b, int ring)
{
    size_t n = b->n;
    if (!rank_map_init(&b->ranks, b->placement->shards, n))
        return 0;
    if (ring) {
        if (!(b->prev = malloc(n * sizeof *b->prev)) || !(b->next = malloc(n * sizeof *b->next)))
            return 0;
        for (size_t r = 0; r < n; r++) {
            lookup_init(&b->prev[r]);
            lookup_init(&b->next[r]);
        }
        return 1;
    }
    if (!(b->device = malloc(n * n * sizeof *b->device)) || !(b->coordinator = malloc(n * sizeof *b->coordinator)))
        return 0;
    for (size_t i = 0; i < n * n; i++)
        b->device[i] = NO_CONNECTION;
    for (size_t r = 0; r < n; r++)
        lookup_init(&b->coordinator[r]);
    return 1;
}

exoplace_status exoplace__instance_build(exoplace_placement *placement, const exoplace_topology *topology,
                                         const exoplace__out_edges *out_edges, exoplace__random *random,
                                         exoplace_error *err)
{
    exoplace_instance *inst = &placement->instance;
    memset(inst, 0, sizeof *inst);
    size_t n = placement->n_nodes;
    int ring = placement->instance_meta == EXOPLACE_INSTANCE_MLX_RING;
    if (n == 0 || !placement->shards)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "placement", "a placement without shards");

    builder b = {topology, placement, n, {NULL, NULL, 0}, NULL, NULL, NULL, NULL};
    exoplace_status st = EXOPLACE_OK;
    inst->kind = placement->instance_meta;
    inst->n_nodes = n;
    if (!(inst->runner_ids = malloc(n * sizeof *inst->runner_ids))) {
        st = exoplace__fail_no_memory(err);
        goto done;
    }
    if ((st = draw_ids(inst, random, err)))
        goto done;
    /* Every ordered pair needs its own RDMA connection: without that many
     * connections the matrix cannot be complete, and is not allocated. */
    if (!ring && n * (n - 1) > topology->n_connections) {
        st = not_all_to_all(err);
        goto done;
    }
    if (!builder_init(&b, ring)) {
        st = exoplace__fail_no_memory(err);
        goto done;
    }
    scan_connections(&b, out_edges);
    /* exo draws the ring's port before it looks up the hosts, the jaccl
     * port once the devices matrix is complete. */
    if (ring) {
        if (!(st = exoplace__random_port(&inst->ephemeral_port, random, err)) && !(st = check_ring(&b, err)))
            st = fill_ring(inst, &b, err);
    } else {
        if (!(st = check_jaccl_devices(&b, err)) &&
            !(st = exoplace__random_port(&inst->ephemeral_port, random, err)) &&
            !(st = check_jaccl_coordinators(&b, err)))
            st = fill_jaccl(inst, &b, err);
    }
done:
    if (st)
        exoplace__instance_dispose(inst);
    rank_map_dispose(&b.ranks);
    free(b.prev);
    free(b.next);
    free(b.device);
    free(b.coordinator);
    return st;
}

void exoplace__instance_dispose(exoplace_instance *instance)
{
    free(instance->runner_ids);
    free(instance->ring_prev);
    free(instance->ring_next);
    free(instance->jaccl_devices);
    free(instance->jaccl_coordinators);
    free(instance->text);
    memset(instance, 0, sizeof *instance);
}

exoplace_status exoplace__exo_main_place_cycle(exoplace_placement *out, const exoplace_topology *topology,
                                               const exoplace__out_edges *out_edges, const uint32_t *cycle,
                                               size_t n_nodes, const exoplace_model *model,
                                               exoplace_sharding sharding, exoplace_instance_meta instance_meta,
                                               exoplace_memory_tier tier, exoplace__random *random,
                                               exoplace_error *err)
{
    exoplace_status st =
        exoplace__exo_main_shards(out, topology, cycle, n_nodes, model, sharding, instance_meta, tier, err);
    if (!st && (st = exoplace__instance_build(out, topology, out_edges, random, err)))
        exoplace_placement_dispose(out);
    return st;
}

/* ---- public accessor ------------------------------------------------------ */

exoplace_status exoplace_instance_ring_host(exoplace_host *out, const exoplace_instance *instance, size_t rank,
                                            size_t idx, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !instance)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "out and instance must not be NULL");
    if (instance->kind != EXOPLACE_INSTANCE_MLX_RING || !instance->ring_prev)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "instance", "not a ring instance");
    size_t n = instance->n_nodes;
    if (rank >= n || idx >= n)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, rank >= n ? "rank" : "idx",
                              "%zu is out of range (%zu nodes)", rank >= n ? rank : idx, n);
    if (idx == rank)
        *out = (exoplace_host){EXOPLACE_SELF_IP, instance->ephemeral_port};
    else if (idx == next_rank(rank, n))
        *out = instance->ring_next[rank];
    else if (idx == prev_rank(rank, n))
        *out = instance->ring_prev[rank];
    else
        *out = (exoplace_host){EXOPLACE_RING_PLACEHOLDER_IP, 0};
    return EXOPLACE_OK;
}
