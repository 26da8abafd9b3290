/* Internal view of a topology, shared by the lib/ files that read it. */
#ifndef EXOPLACE_TOPOLOGY_H
#define EXOPLACE_TOPOLOGY_H

#include "exoplace.h"
#include "multiaddr.h"
#include "siphash.h"
#include "u128.h"

#include <stdint.h>

/* Open-addressing index (linear probing, load at most 1/2) from a 64-bit
 * hash to an array position; the caller supplies equality, so one index type
 * serves ids, pairs and connections. The hashes are keyed (the topology's
 * hash_key), so the expected cost of an operation is O(1) whatever the ids
 * and addresses. Nothing iterates an index in slot order except rehashing:
 * no answer depends on the key. */
typedef struct exoplace__index {
    uint64_t *hashes;
    uint32_t *slots; /* array position + 1; 0 = empty */
    size_t capacity; /* power of two, or 0 */
    size_t count;
} exoplace__index;

typedef struct exoplace__interface {
    char *name;
    char *ip_address;
    exoplace_interface_type type;
} exoplace__interface;

typedef struct exoplace__download {
    char *model_id;
    exoplace_download_kind kind;
    uint64_t downloaded_bytes;
    uint64_t total_bytes;
} exoplace__download;

typedef struct exoplace__node {
    char *id;
    int has_profile;
    exoplace_node_memory memory;
    exoplace__interface *interfaces;
    size_t n_interfaces;
    uint32_t *successors; /* distinct; a self-connection makes the node its own successor */
    size_t n_successors;
    size_t successors_capacity;
    int has_self_connection;
    int self_connection_is_rdma; /* some self-connection is an RDMA one */
    int added_by_connection; /* an unknown endpoint, not yet given by add_node */
    uint32_t backends;       /* EXOPLACE_BACKEND_BIT mask */
    int rdma_ctl_enabled;
    exoplace__download *downloads;
    size_t n_downloads;
} exoplace__node;

/* One directed connection; the array keeps the order they were added in. */
typedef struct exoplace__connection {
    uint32_t from;
    uint32_t to;
    exoplace_connection_kind kind;
    char *multiaddr;           /* SOCKET */
    char *source_iface;        /* RDMA */
    char *sink_iface;          /* RDMA */
    exoplace__address address; /* SOCKET: the multiaddr's kind and host, as the rule set that added it read it */
} exoplace__connection;

/* All connections of one ordered pair of distinct nodes. */
typedef struct exoplace__pair {
    uint32_t from;
    uint32_t to;
    int has_thunderbolt;
    int has_rdma;
} exoplace__pair;

struct exoplace_topology {
    exoplace__node *nodes;
    size_t n_nodes;
    size_t nodes_capacity;
    exoplace__connection *connections;
    size_t n_connections;
    size_t connections_capacity;
    exoplace__pair *pairs;
    size_t n_pairs;
    size_t pairs_capacity;
    exoplace__siphash_key hash_key; /* of all three indexes, drawn per topology */
    exoplace__index node_index;
    exoplace__index pair_index;
    exoplace__index connection_index;
};

/* exoplace_topology_new() with a given hash key instead of a random one:
 * for tests, which need reproducible slot positions. */
exoplace_status exoplace__topology_new_keyed(exoplace_topology **out, exoplace__siphash_key key,
                                             exoplace_error *err);

/* How well an index spreads its entries (tests): a lookup of an entry makes
 * (its slot - its home slot) + 1 probes. */
typedef struct exoplace__index_stats {
    size_t entries;
    size_t capacity;
    uint64_t total_probes; /* a lookup of every entry once */
    size_t max_probes;     /* the longest of those lookups */
} exoplace__index_stats;

void exoplace__index_stats_get(exoplace__index_stats *out, const exoplace__index *index);

/* Index of the node with this id, or -1. */
long exoplace__topology_lookup(const exoplace_topology *topology, const char *node_id);

/* exoplace_topology_add_connection() for a multiaddr read by the exo-main
 * rule set: any text exo's patterns match (exoplace__multiaddr_exo_match),
 * else E_INVALID_ARGUMENT. */
exoplace_status exoplace__topology_add_exo_connection(exoplace_topology *topology, const char *source_node_id,
                                                      const char *sink_node_id, const char *multiaddr,
                                                      exoplace_error *err);

/* The pair from -> to (distinct nodes), or NULL when no connection links them. */
const exoplace__pair *exoplace__topology_pair(const exoplace_topology *topology, uint32_t from,
                                              uint32_t to);

/* A pair that has connections but no thunderbolt one: it disqualifies every
 * cycle containing both nodes from being a thunderbolt cycle. */
int exoplace__topology_pair_is_plain(const exoplace_topology *topology, uint32_t from, uint32_t to);

/* A node's metric in a memory tier (placement.md section 7); 0 without
 * profile. 128-bit: the swap tier's ram_total + swap_available can pass 2^64. */
exoplace__u128 exoplace__node_metric(const exoplace__node *node, exoplace_memory_tier tier);

/* The byte-wise id order: by_rank[r] is the node of rank r, rank[node] its
 * rank (either may be NULL); tmp is n_nodes entries of scratch. */
void exoplace__topology_id_order(const exoplace_topology *topology, uint32_t *by_rank, uint32_t *rank,
                                 uint32_t *tmp);

/* Whether a node is a leaf under a rule set (exoplace_topology_node_is_leaf). */
int exoplace__node_is_leaf(const exoplace__node *node, exoplace_rules rules);

/* Whether any node reports pressure information. */
int exoplace__topology_reports_pressure(const exoplace_topology *topology);

#endif
