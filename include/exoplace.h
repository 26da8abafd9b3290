/*
 * exoplace.h - the public API of libexoplace.
 *
 * Introduction
 * ============
 * libexoplace decides where a large language model runs on a cluster of
 * machines. It takes a cluster topology (nodes with total and available
 * memory, directed connections, some of them thunderbolt) and a model (bytes,
 * layers), finds the ring of nodes to run the model on and splits the layers
 * across them. It follows the placement logic of the exo distributed
 * inference cluster and adds memory tiers past exo's two.
 *
 * Data path: build an exoplace_topology (or parse a JSON request), describe
 * the model in an exoplace_model, then call exoplace_get_placement() (strict
 * placement, then the low-memory fallback), exoplace_place() (one attempt in
 * one memory tier) or exoplace_previews_new() (every sharding x backend x
 * minimum node count). The JSON entry points at the end of this header do the
 * same from exo's wire format.
 *
 * Errors: every fallible call returns an exoplace_status. EXOPLACE_OK is 0.
 * Calls also take an optional exoplace_error* (NULL is accepted) that
 * receives the status, a message and the path of the offending field. For
 * the placement failures the message is exo's text word for word. No call
 * aborts, exits or prints.
 *
 * Ownership: whatever a _new function returns is freed by the matching _free
 * function, which accepts NULL. A result struct the caller allocated and the
 * library filled is released by its _dispose function (contents only).
 * Strings the library returns as `char *` are freed with exoplace_free().
 * Getters return borrowed pointers, valid until their parent is freed.
 *
 * Threads: the library has no global mutable state. Calls on different
 * objects may run concurrently. A topology is modified only by the
 * exoplace_topology_add_* calls; once built, it is read-only for every other
 * call and may be shared by any number of threads at once.
 *
 * Limits (each enforced with its own error):
 *   EXOPLACE_MAX_NODES        nodes in one topology
 *   EXOPLACE_MAX_ID_BYTES     bytes in a node id, model id or interface name
 *   EXOPLACE_MAX_INPUT_BYTES  bytes of one JSON request
 *   EXOPLACE_MAX_JSON_DEPTH   nesting depth of one JSON request
 *   max_search_steps          the placement search work bound (options)
 *
 * ABI: the soname is libexoplace.so.MAJOR; while MAJOR is 0 a minor release
 * may change the ABI and bumps the version. Option structs start with
 * struct_size so that they can grow; always fill them with their _init call.
 */
#ifndef EXOPLACE_H
#define EXOPLACE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(EXOPLACE_BUILDING)
#define EXOPLACE_API __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define EXOPLACE_API __attribute__((visibility("default")))
#else
#define EXOPLACE_API
#endif

/* ------------------------------------------------------------------------ */
/** @name Version */

#define EXOPLACE_VERSION_MAJOR 0
#define EXOPLACE_VERSION_MINOR 1
#define EXOPLACE_VERSION_PATCH 0

/**
 * The library's version, "MAJOR.MINOR.PATCH", of the library actually loaded.
 * @returns a static string; never NULL, never to be freed.
 */
EXOPLACE_API const char *exoplace_version(void);

/* ------------------------------------------------------------------------ */
/** @name Status and errors */

/*
 * X(NAME, value, code, text): one table gives the enum, exoplace_status_name()
 * (the stable code, the JSON "code") and exoplace_status_str() (the default
 * text). Values are fixed for good; new ones are only ever appended.
 */
#define EXOPLACE_STATUS_MAP(X)                                                        \
    X(OK, 0, "ok", "success")                                                         \
    X(E_INVALID_ARGUMENT, 1, "invalid_argument", "invalid argument")                  \
    X(E_NO_MEMORY, 2, "out_of_memory", "out of memory")                               \
    X(E_INVALID_JSON, 3, "invalid_json", "malformed JSON")                            \
    X(E_DUPLICATE_NODE, 4, "duplicate_node", "duplicate node id")                     \
    X(E_UNKNOWN_NODE, 5, "unknown_node", "no node with that id")                      \
    X(E_LIMIT, 6, "limit_exceeded", "a documented limit was exceeded")                \
    X(E_BUFFER_TOO_SMALL, 7, "buffer_too_small", "output buffer too small")           \
    X(E_TOO_MANY_CYCLES, 8, "too_many_cycles", "too many cycles to list")             \
    X(E_INSUFFICIENT_MEMORY, 9, "insufficient_memory",                                \
      "No cycles found with sufficient memory")                                       \
    X(E_TENSOR_NOT_SUPPORTED, 10, "tensor_not_supported",                             \
      "Requested Tensor sharding but this model does not support tensor parallelism") \
    X(E_NO_TENSOR_SHARDING, 11, "no_tensor_sharding",                                 \
      "No tensor sharding found for model")                                           \
    X(E_INVALID_SPLIT, 12, "invalid_split",                                           \
      "the layer split would give a node no layers")                                  \
    X(E_SEARCH_LIMIT, 13, "search_limit", "the placement search exceeded its work bound") \
    X(E_PROBE, 14, "probe_failed", "the local memory probe failed")

/** Status of every fallible call. */
typedef enum exoplace_status {
#define EXOPLACE_STATUS_ENUM_(name, value, code, text) EXOPLACE_##name = value,
    EXOPLACE_STATUS_MAP(EXOPLACE_STATUS_ENUM_)
#undef EXOPLACE_STATUS_ENUM_
} exoplace_status;

/**
 * The stable code of a status, e.g. "insufficient_memory".
 * @param[in] status any value; unknown values give "unknown".
 * @returns a static string.
 */
EXOPLACE_API const char *exoplace_status_name(exoplace_status status);

/**
 * The default text of a status, e.g. "No cycles found with sufficient memory".
 * @param[in] status any value; unknown values give "unknown status".
 * @returns a static string.
 */
EXOPLACE_API const char *exoplace_status_str(exoplace_status status);

/**
 * True (1) for the statuses that mean "this well-formed request cannot be
 * placed": E_INSUFFICIENT_MEMORY, E_TENSOR_NOT_SUPPORTED,
 * E_NO_TENSOR_SHARDING, E_INVALID_SPLIT and E_SEARCH_LIMIT. The CLI exits 1
 * for these and 2 for every other failure.
 */
EXOPLACE_API int exoplace_status_is_placement_failure(exoplace_status status);

#define EXOPLACE_ERROR_MESSAGE_BYTES 512
#define EXOPLACE_ERROR_FIELD_BYTES 256

/**
 * Details of a failure, filled by the call that failed. Caller-allocated,
 * nothing to free. When one call sets several errors, the first one wins.
 * Long messages and fields are cut to fit (always NUL-terminated).
 */
typedef struct exoplace_error {
    exoplace_status code;                        /**< same as the return value */
    char message[EXOPLACE_ERROR_MESSAGE_BYTES];  /**< human text; exo's text for placement failures */
    char field[EXOPLACE_ERROR_FIELD_BYTES];      /**< path of the offending input, "" if none,
                                                      e.g. "topology.nodes[2].nodeProfile.memory.ramAvailable" */
} exoplace_error;

/* ------------------------------------------------------------------------ */
/** @name Limits */

#define EXOPLACE_MAX_NODES 65536
#define EXOPLACE_MAX_ID_BYTES 1024
#define EXOPLACE_MAX_INPUT_BYTES (32u * 1024u * 1024u)
#define EXOPLACE_MAX_JSON_DEPTH 64
/** Default work bound of one placement search (node expansions). */
#define EXOPLACE_DEFAULT_MAX_SEARCH_STEPS 20000000u
/** A previews call may do this many placement searches' work in all. */
#define EXOPLACE_PREVIEWS_WORK_FACTOR 4u
/** Default bound on the number of cycles exoplace_cycles_list() may list. */
#define EXOPLACE_DEFAULT_MAX_CYCLES 1000000u

/* ------------------------------------------------------------------------ */
/** @name Enumerations */

typedef enum exoplace_sharding {
    EXOPLACE_SHARDING_PIPELINE = 0, /**< "Pipeline": contiguous layer ranges */
    EXOPLACE_SHARDING_TENSOR = 1    /**< "Tensor": every node holds every layer */
} exoplace_sharding;

typedef enum exoplace_instance_meta {
    EXOPLACE_INSTANCE_MLX_RING = 0, /**< "MlxRing" */
    EXOPLACE_INSTANCE_MLX_JACCL = 1 /**< "MlxJaccl"; a one-node placement becomes MlxRing */
} exoplace_instance_meta;

/** Memory tiers, placement.md section 7, in ladder order. */
typedef enum exoplace_memory_tier {
    EXOPLACE_TIER_AVAILABLE = 0, /**< ram_available; 0 at pressure level critical */
    EXOPLACE_TIER_PRESSURE = 1,  /**< ram_total * free_percent / 100 (else ram_available);
                                      halved at warn, 0 at critical */
    EXOPLACE_TIER_TOTAL = 2,     /**< ram_total: exo's low-memory mode */
    EXOPLACE_TIER_SWAP = 3       /**< ram_total + swap_available: "just try anyway", opt-in only */
} exoplace_memory_tier;

typedef enum exoplace_pressure_level {
    EXOPLACE_PRESSURE_UNREPORTED = 0, /**< no pressure information: behaves as normal */
    EXOPLACE_PRESSURE_NORMAL = 1,
    EXOPLACE_PRESSURE_WARN = 2,
    EXOPLACE_PRESSURE_CRITICAL = 3
} exoplace_pressure_level;

/** How pipeline layers are split, placement.md section 3. */
typedef enum exoplace_layer_strategy {
    EXOPLACE_LAYERS_LARGEST_REMAINDER = 0, /**< exact integer split, the default */
    EXOPLACE_LAYERS_EXO = 1                /**< exo's double-precision split, bit for bit */
} exoplace_layer_strategy;

/**
 * Names as exo and the JSON spell them ("Pipeline", "MlxJaccl", "available",
 * "warn", "largest-remainder"). Unknown values give NULL.
 */
EXOPLACE_API const char *exoplace_sharding_name(exoplace_sharding sharding);
EXOPLACE_API const char *exoplace_instance_meta_name(exoplace_instance_meta meta);
EXOPLACE_API const char *exoplace_memory_tier_name(exoplace_memory_tier tier);
EXOPLACE_API const char *exoplace_pressure_level_name(exoplace_pressure_level level);
EXOPLACE_API const char *exoplace_layer_strategy_name(exoplace_layer_strategy strategy);

/* ------------------------------------------------------------------------ */
/** @name Topology */

/** A node's memory profile (bytes). Fill with exoplace_node_memory_init() first. */
typedef struct exoplace_node_memory {
    uint64_t ram_total;
    uint64_t ram_available;
    uint64_t swap_total;
    uint64_t swap_available;
    exoplace_pressure_level pressure_level; /**< UNREPORTED unless the node reports it */
    int32_t free_percent;                   /**< 0..100, or -1 when not reported */
} exoplace_node_memory;

/** Sets every byte count to 0, pressure_level UNREPORTED, free_percent -1. */
EXOPLACE_API void exoplace_node_memory_init(exoplace_node_memory *memory);

/** Opaque cluster topology. */
typedef struct exoplace_topology exoplace_topology;

/**
 * Creates an empty topology.
 * @param[out] out receives the topology; free it with exoplace_topology_free().
 * @param[out] err optional details.
 * @returns EXOPLACE_OK, E_INVALID_ARGUMENT (out is NULL), E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_topology_new(exoplace_topology **out, exoplace_error *err);

/** Frees a topology and everything borrowed from it. NULL is accepted. */
EXOPLACE_API void exoplace_topology_free(exoplace_topology *topology);

/**
 * Adds a node. A node added without a profile can never be placed on.
 * If an earlier connection already added this id as an unknown endpoint
 * (without a profile), this call gives it the profile instead of failing.
 * @param[in,out] topology the topology.
 * @param[in] node_id non-empty, at most EXOPLACE_MAX_ID_BYTES bytes, no NUL; copied.
 * @param[in] memory the profile, copied; NULL for a node without a profile.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL topology or id, empty id,
 *   free_percent outside -1..100, unknown pressure level); E_DUPLICATE_NODE
 *   (the id was added by an earlier add_node); E_LIMIT (id too long,
 *   EXOPLACE_MAX_NODES reached); E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_topology_add_node(exoplace_topology *topology,
                                                        const char *node_id,
                                                        const exoplace_node_memory *memory,
                                                        exoplace_error *err);

/**
 * Adds a network interface (name, IP address text) to a node's profile.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL argument); E_UNKNOWN_NODE;
 *   E_LIMIT (name or address longer than EXOPLACE_MAX_ID_BYTES); E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_topology_add_interface(exoplace_topology *topology,
                                                             const char *node_id,
                                                             const char *name,
                                                             const char *ip_address,
                                                             exoplace_error *err);

/**
 * Adds a directed connection local_node_id -> send_back_node_id reached over
 * multiaddr. An endpoint that is not yet a node is added without a profile
 * (as exo does). An identical connection (same ids, same multiaddr text) is
 * counted once. A self-connection is allowed and adds no cycle. A call that
 * fails leaves the topology exactly as it was (no endpoint added), as do
 * failed add_node and add_interface calls.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL or empty argument, a
 *   multiaddr exoplace_multiaddr_parse() refuses); E_LIMIT; E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_topology_add_connection(exoplace_topology *topology,
                                                              const char *local_node_id,
                                                              const char *send_back_node_id,
                                                              const char *multiaddr,
                                                              exoplace_error *err);

/** Number of nodes, in the order they were added (unknown endpoints included). */
EXOPLACE_API size_t exoplace_topology_node_count(const exoplace_topology *topology);

/** Number of distinct connections. */
EXOPLACE_API size_t exoplace_topology_connection_count(const exoplace_topology *topology);

/** The id of node `index` (borrowed), or NULL when index is out of range. */
EXOPLACE_API const char *exoplace_topology_node_id(const exoplace_topology *topology, size_t index);

/**
 * Finds a node by id.
 * @param[out] index_out receives the node's index.
 * @returns EXOPLACE_OK, E_INVALID_ARGUMENT (NULL argument), E_UNKNOWN_NODE.
 */
EXOPLACE_API exoplace_status exoplace_topology_find_node(size_t *index_out,
                                                         const exoplace_topology *topology,
                                                         const char *node_id,
                                                         exoplace_error *err);

/**
 * A node's profile.
 * @param[out] memory_out receives a copy of the profile.
 * @returns 1 when node `index` has a profile (memory_out filled), 0 when it
 *   has none or index is out of range (memory_out untouched).
 */
EXOPLACE_API int exoplace_topology_node_memory(exoplace_node_memory *memory_out,
                                               const exoplace_topology *topology, size_t index);

/**
 * Whether node `index` is a leaf: exactly one distinct successor in the whole
 * topology. Returns 0 for an index out of range.
 */
EXOPLACE_API int exoplace_topology_node_is_leaf(const exoplace_topology *topology, size_t index);

/** Parsed multiaddr: /ip4/A.B.C.D/tcp/PORT, /ip6/ADDR/tcp/PORT, /dns/NAME/tcp/PORT. */
typedef enum exoplace_address_kind {
    EXOPLACE_ADDRESS_IP4 = 0,
    EXOPLACE_ADDRESS_IP6 = 1,
    EXOPLACE_ADDRESS_DNS = 2 /**< /dns, /dns4 and /dns6 */
} exoplace_address_kind;

#define EXOPLACE_MULTIADDR_HOST_BYTES 256

typedef struct exoplace_multiaddr {
    exoplace_address_kind kind;
    char host[EXOPLACE_MULTIADDR_HOST_BYTES]; /**< address or name text as written */
    int has_port;                             /**< 1 when a /tcp/ or /udp/ part follows */
    uint16_t port;
    int is_thunderbolt; /**< IPv4 whose text starts with "169.254" */
} exoplace_multiaddr;

/**
 * Parses a multiaddr. An IPv4 address must be four decimal octets 0..255; an
 * IPv6 address must be valid inet_pton text; a DNS name non-empty; a port
 * 0..65535. Parts after the transport (e.g. /p2p/...) are ignored.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT with a message saying which part is wrong.
 */
EXOPLACE_API exoplace_status exoplace_multiaddr_parse(exoplace_multiaddr *out, const char *text,
                                                      exoplace_error *err);

/* ------------------------------------------------------------------------ */
/** @name Pure functions: cycles, memory filter, layers */

/**
 * Lists every simple directed cycle of the topology, each once, plus every
 * node as a singleton, in canonical order (placement.md section 2): each
 * cycle rotated to start at its byte-wise smallest id; cycles ordered by
 * length, then by their id sequences.
 *
 * Output is flat: cycle i is cycle_nodes[cycle_starts[i] .. cycle_starts[i+1])
 * (node indexes). Call with capacities 0 (arrays may be NULL) to learn the
 * sizes: the call then returns E_BUFFER_TOO_SMALL with *cycle_count_out and
 * *node_total_out set; cycle_starts needs cycle_count + 1 entries.
 * The count grows faster than exponentially on dense clusters; past
 * max_cycles (0 = EXOPLACE_DEFAULT_MAX_CYCLES) the call stops with
 * E_TOO_MANY_CYCLES. Placement never calls this.
 * @returns EXOPLACE_OK, E_INVALID_ARGUMENT, E_BUFFER_TOO_SMALL,
 *   E_TOO_MANY_CYCLES, E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_cycles_list(size_t *cycle_count_out, size_t *node_total_out,
                                                  size_t *cycle_starts, size_t cycle_starts_capacity,
                                                  size_t *cycle_nodes, size_t cycle_nodes_capacity,
                                                  const exoplace_topology *topology,
                                                  size_t max_cycles, exoplace_error *err);

/**
 * Whether a cycle (node indexes, in order) is a thunderbolt cycle: every
 * ordered pair of its distinct nodes that has a connection has a thunderbolt
 * one. A singleton is always one.
 * @param[out] out receives 1 or 0.
 * @returns EXOPLACE_OK, E_INVALID_ARGUMENT (NULL, empty, index out of range).
 */
EXOPLACE_API exoplace_status exoplace_cycle_is_thunderbolt(int *out, const exoplace_topology *topology,
                                                           const size_t *nodes, size_t n_nodes,
                                                           exoplace_error *err);

/**
 * filter_cycles_by_memory: keep_out[i] = 1 when every node of cycle i has a
 * profile and the exact (128-bit) sum of its metric is >= required_bytes.
 * The metric is ram_available, or ram_total when use_total_memory is set.
 * Cycles in the flat form of exoplace_cycles_list().
 * @returns EXOPLACE_OK, E_INVALID_ARGUMENT (NULL array, index out of range,
 *   decreasing cycle_starts).
 */
EXOPLACE_API exoplace_status exoplace_cycles_filter_by_memory(uint8_t *keep_out,
                                                              const size_t *cycle_starts,
                                                              const size_t *cycle_nodes,
                                                              size_t cycle_count,
                                                              const exoplace_topology *topology,
                                                              uint64_t required_bytes,
                                                              int use_total_memory,
                                                              exoplace_error *err);

/**
 * smallest_cycles: keep_out[i] = 1 for the cycles of minimum length among
 * those with keep_in[i] != 0 (keep_in NULL: all cycles).
 * @returns EXOPLACE_OK, E_INVALID_ARGUMENT.
 */
EXOPLACE_API exoplace_status exoplace_cycles_smallest(uint8_t *keep_out, const size_t *cycle_starts,
                                                      size_t cycle_count, const uint8_t *keep_in,
                                                      exoplace_error *err);

/**
 * Splits n_layers pipeline layers over nodes with the given memory metric,
 * in order. Allocates only scratch (largest-remainder leftovers).
 * - EXO: exo's numbers bit for bit (double divide-then-multiply, round half
 *   to even, at least 1 each, the last takes the rest); E_INVALID_SPLIT when
 *   a node would get zero or fewer layers.
 * - LARGEST_REMAINDER: exact integer proportional split, leftovers to the
 *   largest remainders (lower index on ties), then every node at least one
 *   layer; E_INVALID_SPLIT when n_layers < n_nodes.
 * @param[out] layers_out n_nodes counts that sum to n_layers.
 * @returns EXOPLACE_OK, E_INVALID_ARGUMENT (NULL array, n_nodes 0,
 *   n_layers 0, unknown strategy), E_INVALID_SPLIT, E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_layers_distribute(uint32_t *layers_out, const uint64_t *memory,
                                                        size_t n_nodes, uint32_t n_layers,
                                                        exoplace_layer_strategy strategy,
                                                        exoplace_error *err);

/* ------------------------------------------------------------------------ */
/** @name Placement */

/** A model. Strings are borrowed for the duration of a call. */
typedef struct exoplace_model {
    const char *model_id;  /**< non-empty */
    uint64_t storage_size; /**< bytes */
    uint32_t n_layers;     /**< >= 1 */
    uint32_t hidden_size;  /**< 0 when not stated; else tensor placements need a divisor of it */
    int supports_tensor;   /**< -1 not stated, 0 no, 1 yes */
} exoplace_model;

/** Sets model_id NULL, sizes 0, supports_tensor -1. */
EXOPLACE_API void exoplace_model_init(exoplace_model *model);

/** Options of one placement. Fill with exoplace_place_options_init(). */
typedef struct exoplace_place_options {
    uint32_t struct_size;                  /**< set by _init */
    exoplace_sharding sharding;            /**< default PIPELINE */
    exoplace_instance_meta instance_meta;  /**< default MLX_RING */
    uint32_t min_nodes;                    /**< default 1; 0 is invalid */
    exoplace_layer_strategy strategy;      /**< default LARGEST_REMAINDER */
    exoplace_memory_tier memory_tier;      /**< exoplace_place(): the tier; get_placement(): the
                                                first tier of the ladder. Default AVAILABLE;
                                                exo's allow_low_memory is TOTAL */
    int no_fallback;                       /**< get_placement(): one attempt only. Default 0 */
    int allow_swap;                        /**< get_placement(): the ladder may reach SWAP.
                                                Never on by default */
    uint64_t max_search_steps;             /**< work bound; 0 = EXOPLACE_DEFAULT_MAX_SEARCH_STEPS */
} exoplace_place_options;

EXOPLACE_API void exoplace_place_options_init(exoplace_place_options *options);

/** One node's share of a placement. */
typedef struct exoplace_shard {
    const char *node_id;   /**< borrowed from the topology */
    size_t node_index;     /**< index in the topology */
    uint32_t device_rank;  /**< position in the cycle */
    uint32_t world_size;   /**< cycle length */
    uint32_t start_layer;  /**< half-open [start_layer, end_layer) */
    uint32_t end_layer;
    uint32_t n_layers;     /**< the model's layer count */
    uint64_t memory_delta; /**< storage_size split evenly over the nodes ordered by id,
                                the first storage_size % n one byte more */
} exoplace_shard;

/**
 * A placement: the selected cycle in rank order, one shard per node.
 * Caller-allocated; exoplace_placement_dispose() frees the shards.
 */
typedef struct exoplace_placement {
    exoplace_sharding sharding;
    exoplace_instance_meta instance_meta; /**< MLX_RING for a one-node MlxJaccl request */
    exoplace_memory_tier memory_tier;     /**< the tier whose metric placed it */
    int is_low_memory;                    /**< 1 for every tier but AVAILABLE */
    size_t n_nodes;
    exoplace_shard *shards; /**< n_nodes entries, owned */
} exoplace_placement;

/** Frees the shards and zeroes the struct. NULL is accepted. */
EXOPLACE_API void exoplace_placement_dispose(exoplace_placement *placement);

/**
 * One placement attempt in options->memory_tier (placement.md section 4):
 * the smallest feasible cycles of length >= min_nodes, thunderbolt cycles
 * first, then cycles with a leaf, then the greatest memory, then canonical
 * order. It searches cycle lengths upward with branch and bound and never
 * lists every cycle.
 * @param[out] out filled on success (dispose it after use), zeroed on failure.
 * @param[in] options NULL for the defaults.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL topology/model/out, empty
 *   model id, n_layers 0, min_nodes 0, unknown enum value); E_LIMIT (model
 *   id longer than EXOPLACE_MAX_ID_BYTES);
 *   E_INSUFFICIENT_MEMORY, E_TENSOR_NOT_SUPPORTED, E_NO_TENSOR_SHARDING,
 *   E_INVALID_SPLIT (exo's texts in err->message); E_SEARCH_LIMIT when
 *   proving exo's choice would take more than max_search_steps (sparse
 *   graphs with a large min_nodes; dense groups joined by few links when the
 *   model needs several groups): no placement is made, since the one found
 *   so far might not be exo's. A smaller min_nodes or model, or a larger
 *   bound, may help (README "Limits"); E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_place(exoplace_placement *out, const exoplace_topology *topology,
                                            const exoplace_model *model,
                                            const exoplace_place_options *options,
                                            exoplace_error *err);

/**
 * get_placement (placement.md sections 5 and 7): tries the memory tiers in
 * ladder order from options->memory_tier: available, pressure (only when a
 * node reports pressure information), total, swap (only with allow_swap),
 * stopping at the first that places. With no_fallback, one attempt. When
 * every attempt fails, the first attempt's error is returned. An attempt
 * that exceeds max_search_steps ends the ladder with E_SEARCH_LIMIT: a later
 * tier must not place, as "low memory", what an undecided tier might have
 * placed strictly.
 * @returns as exoplace_place().
 */
EXOPLACE_API exoplace_status exoplace_get_placement(exoplace_placement *out,
                                                    const exoplace_topology *topology,
                                                    const exoplace_model *model,
                                                    const exoplace_place_options *options,
                                                    exoplace_error *err);

/** One preview: a placement, or the error why there is none. */
typedef struct exoplace_preview {
    exoplace_sharding sharding;
    exoplace_instance_meta instance_meta; /**< of the loop, even when the placement fell back to MlxRing */
    uint32_t min_nodes;                   /**< the min_nodes of the loop that produced it */
    exoplace_status status;               /**< EXOPLACE_OK or a placement failure */
    exoplace_error error;                 /**< when status != OK: the strict (first) error */
    exoplace_placement placement;         /**< when status == OK */
} exoplace_preview;

/** Opaque list of previews. */
typedef struct exoplace_preview_list exoplace_preview_list;

/**
 * get_placement_previews: for sharding in (Pipeline, Tensor), instance_meta
 * in (MlxRing, MlxJaccl), min_nodes in 1..node_count, get_placement with the
 * ladder of `options` (their sharding, instance_meta and min_nodes are
 * ignored); de-duplicated on (sharding, instance_meta, placed node count),
 * all errors of one (sharding, instance_meta) counting as one. A topology
 * without nodes gives an empty list. One work bound covers the whole call:
 * EXOPLACE_PREVIEWS_WORK_FACTOR x max_search_steps; attempts made after it is
 * spent become E_SEARCH_LIMIT error previews.
 * @param[out] out the list; free with exoplace_preview_list_free().
 * @returns EXOPLACE_OK (even when every preview is an error);
 *   E_INVALID_ARGUMENT; E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_previews_new(exoplace_preview_list **out,
                                                   const exoplace_topology *topology,
                                                   const exoplace_model *model,
                                                   const exoplace_place_options *options,
                                                   exoplace_error *err);

EXOPLACE_API void exoplace_preview_list_free(exoplace_preview_list *list);
EXOPLACE_API size_t exoplace_preview_list_count(const exoplace_preview_list *list);
/** Preview `index` (borrowed), NULL when out of range. */
EXOPLACE_API const exoplace_preview *exoplace_preview_list_get(const exoplace_preview_list *list,
                                                               size_t index);

/** Whether a model fits the cluster's summed memory (what a model list shows). */
typedef struct exoplace_model_fit {
    int will_fit; /**< storage_size <= sum of ram_available over nodes with a profile */
    int can_fit;  /**< storage_size <= sum of ram_total over nodes with a profile */
} exoplace_model_fit;

/** @returns EXOPLACE_OK, E_INVALID_ARGUMENT (NULL argument). */
EXOPLACE_API exoplace_status exoplace_model_fit_check(exoplace_model_fit *out,
                                                      const exoplace_topology *topology,
                                                      uint64_t storage_size, exoplace_error *err);

/**
 * Orders a model list for display: can-fit first, then will-fit, then larger
 * models first, then model id (byte-wise). Fills order_out with a permutation
 * of 0..n_models-1 (allocates scratch only).
 * @returns EXOPLACE_OK, E_INVALID_ARGUMENT (NULL argument, NULL model id),
 *   E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_models_order(size_t *order_out, const exoplace_topology *topology,
                                                   const exoplace_model *models, size_t n_models,
                                                   exoplace_error *err);

/* ------------------------------------------------------------------------ */
/** @name JSON boundary (exo's wire format, json.md) */

/**
 * Options for the JSON entry points. Settings in the request itself
 * (sharding, instance_meta, min_nodes, allow_low_memory) are read from the
 * request; these are the host's settings.
 */
typedef struct exoplace_json_options {
    uint32_t struct_size;              /**< set by _init */
    exoplace_layer_strategy strategy;  /**< default LARGEST_REMAINDER */
    int no_fallback;                   /**< strict only: no automatic fallback */
    int allow_swap;                    /**< the swap tier may be used */
    uint64_t max_search_steps;         /**< 0 = default */
    size_t max_cycles;                 /**< for exoplace_cycles_json; 0 = default */
    int cycles_filter;                 /**< exoplace_cycles_json: 1 = apply the memory filter */
    uint64_t cycles_min_bytes;         /**< with cycles_filter */
    int cycles_use_total_memory;       /**< with cycles_filter */
} exoplace_json_options;

EXOPLACE_API void exoplace_json_options_init(exoplace_json_options *options);

/**
 * The JSON entry points. Each takes a request in json.md's format (a
 * NUL-terminated string of at most EXOPLACE_MAX_INPUT_BYTES) and writes a
 * response to *out, a string the caller frees with exoplace_free().
 *
 * Return value and *out:
 * - EXOPLACE_OK: *out is the success response.
 * - a placement failure (exoplace_status_is_placement_failure()): the
 *   request was well-formed but cannot be placed; *out is the failure
 *   object {"ok": false, "code": ..., "error": ...}.
 * - any other status (bad input: E_INVALID_JSON with line and column,
 *   E_INVALID_ARGUMENT / E_DUPLICATE_NODE / E_LIMIT naming the field in
 *   err->field): *out is NULL.
 */
/** get_placement with the ladder: a placement object. */
EXOPLACE_API exoplace_status exoplace_get_placement_json(char **out, const char *request,
                                                         const exoplace_json_options *options,
                                                         exoplace_error *err);
/** One attempt (the request's allow_low_memory picks the total tier). */
EXOPLACE_API exoplace_status exoplace_place_json(char **out, const char *request,
                                                 const exoplace_json_options *options,
                                                 exoplace_error *err);
/** {"previews": [...]} for "model" or every model of "models". */
EXOPLACE_API exoplace_status exoplace_previews_json(char **out, const char *request,
                                                    const exoplace_json_options *options,
                                                    exoplace_error *err);
/** {"cycles": [[ids...], ...]} in canonical order; request is {"topology": ...} or a bare topology. */
EXOPLACE_API exoplace_status exoplace_cycles_json(char **out, const char *request,
                                                  const exoplace_json_options *options,
                                                  exoplace_error *err);
/** {"ok": true, "layers": [...]} for {"memory": [...], "n_layers": N}; invalid_split is a failure. */
EXOPLACE_API exoplace_status exoplace_layers_json(char **out, const char *request,
                                                  const exoplace_json_options *options,
                                                  exoplace_error *err);
/**
 * {"models": [{"model_id", "storage_size", "will_fit", "can_fit", "fit"}, ...]}
 * for a request with "models" (or "model"), in exoplace_models_order()'s order;
 * "fit" is "fits", "low_memory" or "does_not_fit".
 */
EXOPLACE_API exoplace_status exoplace_model_fit_json(char **out, const char *request,
                                                     const exoplace_json_options *options,
                                                     exoplace_error *err);

/** Frees a string returned by the library. NULL is accepted. */
EXOPLACE_API void exoplace_free(void *ptr);

/* ------------------------------------------------------------------------ */
/** @name Local memory probe */

/**
 * Where the probe reads and how it maps memory pressure to a level. Fill
 * with exoplace_probe_options_init().
 *
 * Linux: memory from <proc_root>/meminfo (MemTotal, MemAvailable, SwapTotal,
 * SwapFree; without MemAvailable, as on kernels before 3.14, available is
 * MemFree + Buffers + Cached); pressure from <proc_root>/pressure/memory
 * (PSI): critical when full avg10 > critical_full_avg10 or some avg10 >
 * critical_some_avg10, warn when some avg10 > warn_some_avg10, else normal;
 * no PSI file: level unreported. No free_percent on Linux (MemAvailable
 * already counts reclaimable cache).
 * macOS: hw.memsize, vm.swapusage, kern.memorystatus_level (free_percent)
 * and kern.memorystatus_vm_pressure_level (1 normal, 2 warn, 4 critical).
 */
typedef struct exoplace_probe_options {
    uint32_t struct_size;       /**< set by _init */
    const char *proc_root;      /**< Linux: NULL means "/proc". macOS: NULL means sysctl; a
                                     proc_root reads Linux-style files there too (tests) */
    const char *node_id;        /**< NULL: the host name */
    double warn_some_avg10;     /**< default 10 */
    double critical_some_avg10; /**< default 25 */
    double critical_full_avg10; /**< default 10 */
} exoplace_probe_options;

/**
 * Fills options with the defaults: proc_root and node_id NULL, the
 * thresholds above, struct_size this header's size.
 * @param[out] options the options; NULL is accepted and does nothing.
 */
EXOPLACE_API void exoplace_probe_options_init(exoplace_probe_options *options);

/**
 * Reads this machine's memory and memory pressure.
 * @param[out] out the profile: byte counts at most INT64_MAX, available
 *   clamped to total and swap available to swap total; pressure_level
 *   UNREPORTED and free_percent -1 where the system does not report them.
 *   On failure it is reset as by exoplace_node_memory_init().
 * @param[in] options NULL for the defaults; node_id is checked but unused.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_PROBE (a file missing or malformed, named in the
 *   message and in err->field; a sysctl failing); E_INVALID_ARGUMENT (NULL
 *   out, options not from exoplace_probe_options_init(), an empty proc_root
 *   or node_id, a node_id that is not UTF-8 or longer than
 *   EXOPLACE_MAX_ID_BYTES, a negative or NaN threshold); E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_probe_memory(exoplace_node_memory *out,
                                                   const exoplace_probe_options *options,
                                                   exoplace_error *err);

/** One address of one network interface, as exo lists them. */
typedef struct exoplace_probe_interface {
    char *name;       /**< the interface name, UTF-8; owned by the result */
    char *ip_address; /**< IPv4 or IPv6 text, without a "%scope"; owned by the result */
} exoplace_probe_interface;

/**
 * This machine as an exo node: what exoplace_topology_add_node() and
 * exoplace_topology_add_interface() take. Caller-allocated, filled by
 * exoplace_probe_node(); exoplace_probe_result_dispose() frees the contents.
 */
typedef struct exoplace_probe_result {
    char *node_id;                        /**< options->node_id or the host name; owned */
    exoplace_node_memory memory;          /**< as exoplace_probe_memory() gives it */
    exoplace_probe_interface *interfaces; /**< n_interfaces entries, owned; NULL when none */
    size_t n_interfaces;
} exoplace_probe_result;

/**
 * Describes this machine: the node id, exoplace_probe_memory()'s profile, and
 * every IPv4 and IPv6 address of every interface but loopback (which no other
 * node can reach), in getifaddrs() order, one entry per address. Interfaces
 * whose name is not UTF-8 are left out.
 * @param[out] out filled on success (dispose it after use), zeroed on failure.
 * @param[in] options NULL for the defaults.
 * @param[out] err optional details.
 * @returns as exoplace_probe_memory(); also E_PROBE when the host name is
 *   empty or not UTF-8 and no node_id is given, or getifaddrs() fails.
 */
EXOPLACE_API exoplace_status exoplace_probe_node(exoplace_probe_result *out,
                                                 const exoplace_probe_options *options,
                                                 exoplace_error *err);

/**
 * Frees the contents of a result and zeroes it.
 * @param[in,out] result a result from exoplace_probe_node() or zeroed; NULL
 *   is accepted.
 */
EXOPLACE_API void exoplace_probe_result_dispose(exoplace_probe_result *result);

/**
 * Writes a result in exo's JSON format, compact:
 * {"nodeId": ..., "nodeProfile": {"memory": {"ramTotal": {"inBytes": N},
 * "ramAvailable": ..., "swapTotal": ..., "swapAvailable": ...,
 * "pressureLevel" (unless UNREPORTED), "freePercent" (unless -1)},
 * "networkInterfaces": [{"name": ..., "ipAddress": ...}, ...]}}.
 * @param[out] out the JSON text; free with exoplace_free(). NULL on failure.
 * @param[in] result a result, from exoplace_probe_node() or filled by the
 *   caller (borrowed for the call).
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL out or result, a NULL
 *   node_id, name or address, text that is not UTF-8, NULL interfaces with
 *   n_interfaces > 0, an unknown pressure level, free_percent outside
 *   -1..100; err->field names it); E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_probe_result_json(char **out, const exoplace_probe_result *result,
                                                        exoplace_error *err);

/**
 * exoplace_probe_node() then exoplace_probe_result_json(): this machine as
 * an exo node, in exo's JSON format.
 * @param[out] out the JSON text; free with exoplace_free(). NULL on failure.
 * @param[in] options NULL for the defaults.
 * @param[out] err optional details.
 * @returns as exoplace_probe_node(); E_INVALID_ARGUMENT when out is NULL.
 */
EXOPLACE_API exoplace_status exoplace_probe_local(char **out, const exoplace_probe_options *options,
                                                  exoplace_error *err);

#ifdef __cplusplus
}
#endif

#endif /* EXOPLACE_H */
