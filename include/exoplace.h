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
 * one memory tier) or exoplace_preview_list_new() (every sharding x backend x
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
 * ABI: the soname changes whenever the ABI may: while MAJOR is 0 every minor
 * release may change it, and the soname is libexoplace.so.0.MINOR; from 1.0
 * on it is libexoplace.so.MAJOR. Option structs start with
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
#define EXOPLACE_VERSION_MINOR 2
#define EXOPLACE_VERSION_PATCH 0

/**
 * The library's version, "MAJOR.MINOR.PATCH", of the library actually loaded.
 * @returns a static string; never NULL, never to be freed.
 */
EXOPLACE_API const char *exoplace_version(void);

/* ------------------------------------------------------------------------ */
/** @name Status and errors */

/*
 * X(NAME, value, code, kind, text): one table gives the enum,
 * exoplace_status_name() (the stable code, the JSON "code"),
 * exoplace_status_str() (the default text) and
 * exoplace_status_is_placement_failure() (kind PLACEMENT). Values are fixed
 * for good; new ones are only ever appended. Each rule set has its own
 * placement failures: `seed` (placement.md) fails with INSUFFICIENT_MEMORY,
 * TENSOR_NOT_SUPPORTED, NO_TENSOR_SHARDING, INVALID_SPLIT (and
 * NODE_INSUFFICIENT_MEMORY from exoplace_place_manual()); `exo-main`
 * (exo-main.md section 9) with INSUFFICIENT_MEMORY and the values from
 * TENSOR_UNSUPPORTED through INVALID_MULTIADDR; both with SEARCH_LIMIT.
 */
#define EXOPLACE_STATUS_MAP(X)                                                                           \
    X(OK, 0, "ok", OTHER, "success")                                                                     \
    X(E_INVALID_ARGUMENT, 1, "invalid_argument", OTHER, "invalid argument")                              \
    X(E_NO_MEMORY, 2, "out_of_memory", OTHER, "out of memory")                                           \
    X(E_INVALID_JSON, 3, "invalid_json", OTHER, "malformed JSON")                                        \
    X(E_DUPLICATE_NODE, 4, "duplicate_node", OTHER, "duplicate node id")                                 \
    X(E_UNKNOWN_NODE, 5, "unknown_node", OTHER, "no node with that id")                                  \
    X(E_LIMIT, 6, "limit_exceeded", OTHER, "a documented limit was exceeded")                            \
    X(E_BUFFER_TOO_SMALL, 7, "buffer_too_small", OTHER, "output buffer too small")                       \
    X(E_TOO_MANY_CYCLES, 8, "too_many_cycles", OTHER, "too many cycles to list")                         \
    X(E_INSUFFICIENT_MEMORY, 9, "insufficient_memory", PLACEMENT, "No cycles found with sufficient memory") \
    X(E_TENSOR_NOT_SUPPORTED, 10, "tensor_not_supported", PLACEMENT,                                     \
      "Requested Tensor sharding but this model does not support tensor parallelism")                    \
    X(E_NO_TENSOR_SHARDING, 11, "no_tensor_sharding", PLACEMENT, "No tensor sharding found for model")   \
    X(E_INVALID_SPLIT, 12, "invalid_split", PLACEMENT, "the layer split would give a node no layers")    \
    X(E_SEARCH_LIMIT, 13, "search_limit", PLACEMENT, "the placement search exceeded its work bound")     \
    X(E_PROBE, 14, "probe_failed", OTHER, "the local memory probe failed")                               \
    X(E_TENSOR_UNSUPPORTED, 15, "tensor_unsupported", PLACEMENT,                                         \
      "Requested Tensor sharding but this model does not support tensor parallelism")                    \
    X(E_TENSOR_INDIVISIBLE, 16, "tensor_indivisible", PLACEMENT, "No tensor sharding found for model")   \
    X(E_PIPELINE_UNSUPPORTED_MODEL, 17, "pipeline_unsupported_model", PLACEMENT,                         \
      "Pipeline parallelism is not supported for this model")                                            \
    X(E_PIPELINE_SINGLE_NODE_ONLY, 18, "pipeline_single_node_only", PLACEMENT,                           \
      "Pipeline parallelism over several nodes is not supported for this model")                         \
    X(E_BACKEND_INCOMPATIBLE_MODEL, 19, "backend_incompatible_model", PLACEMENT,                         \
      "the model's backends cannot satisfy the engine")                                                  \
    X(E_BACKEND_NO_CYCLE, 20, "backend_no_cycle", PLACEMENT,                                             \
      "no cycle where every node supports a backend of the model")                                       \
    X(E_RDMA_NO_CYCLE, 21, "rdma_no_cycle", PLACEMENT,                                                   \
      "Requested RDMA (MlxJaccl) but no RDMA-connected cycles available")                                \
    X(E_ZERO_MEMORY, 22, "zero_memory", PLACEMENT,                                                       \
      "Cannot create shard assignments: total available memory is 0")                                    \
    X(E_TOO_FEW_LAYERS, 23, "too_few_layers", PLACEMENT, "fewer layers than nodes")                      \
    X(E_NODE_INSUFFICIENT_MEMORY, 24, "node_insufficient_memory", PLACEMENT,                             \
      "a node has insufficient memory for its layers")                                                   \
    X(E_RING_NO_LINK, 25, "ring_no_link", PLACEMENT,                                                     \
      "MLX ring backend requires connectivity between neighbouring nodes")                               \
    X(E_JACCL_NOT_ALL_TO_ALL, 26, "jaccl_not_all_to_all", PLACEMENT,                                     \
      "Current jaccl backend requires all-to-all RDMA connections")                                      \
    X(E_JACCL_UNREACHABLE_COORDINATOR, 27, "jaccl_unreachable_coordinator", PLACEMENT,                   \
      "Current jaccl backend requires all participating devices to be able to communicate")             \
    X(E_INVALID_MULTIADDR, 28, "invalid_multiaddr", PLACEMENT, "Invalid multiaddr format")           \
    X(E_RANDOM, 29, "random_failed", OTHER, "the random source failed")

/** Status of every fallible call. */
typedef enum exoplace_status {
#define EXOPLACE_STATUS_ENUM_(name, value, code, kind, text) EXOPLACE_##name = value,
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
 * Whether a status means "this well-formed request cannot be placed" (kind
 * PLACEMENT in EXOPLACE_STATUS_MAP). The CLI exits 1 for these and 2 for
 * every other failure.
 * @param[in] status any value.
 * @returns 1 or 0.
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
/** Default bound on the number of cycles exoplace_cycle_list() may list. */
#define EXOPLACE_DEFAULT_MAX_CYCLES 1000000u
/** Bytes of an exoplace_model's card_json (exo-main.md 1.7); a longer card is E_LIMIT. */
#define EXOPLACE_MAX_CARD_JSON_BYTES (1u << 20)
/**
 * Bytes of one JSON response that carries exo-main instances: each instance
 * repeats the card in every shard and lists n hosts for each of its n ring
 * nodes, so its text grows with n x card and n^2. Writing past this is E_LIMIT.
 */
#define EXOPLACE_MAX_OUTPUT_BYTES (256u << 20)

/* ------------------------------------------------------------------------ */
/** @name Enumerations
 *
 * Every enumeration comes from one table X(NAME, value, name text): the
 * enum and its exoplace_<type>_name() function, which gives the name as exo
 * and the JSON spell it ("Pipeline", "MlxJaccl", "available", ...) and NULL
 * for an unknown value. */

/** Rule sets: seed is placement.md (exo PR #994), exo-main is exo-main.md (exo's main branch). */
#define EXOPLACE_RULES_MAP(X)       \
    X(RULES_SEED, 0, "seed")        \
    X(RULES_EXO_MAIN, 1, "exo-main")

#define EXOPLACE_SHARDING_MAP(X)            \
    X(SHARDING_PIPELINE, 0, "Pipeline") /* contiguous layer ranges */ \
    X(SHARDING_TENSOR, 1, "Tensor")     /* every node holds every layer */

/** A one-node MlxJaccl placement becomes MlxRing. */
#define EXOPLACE_INSTANCE_META_MAP(X)        \
    X(INSTANCE_MLX_RING, 0, "MlxRing")       \
    X(INSTANCE_MLX_JACCL, 1, "MlxJaccl")

/**
 * Memory tiers (placement.md section 7), in ladder order: available
 * (ram_available; 0 at pressure level critical), pressure (ram_total *
 * free_percent / 100, else ram_available; halved at warn, 0 at critical),
 * total (ram_total: exo's low-memory mode), swap (ram_total +
 * swap_available: "just try anyway", opt-in only).
 */
#define EXOPLACE_MEMORY_TIER_MAP(X)        \
    X(TIER_AVAILABLE, 0, "available")      \
    X(TIER_PRESSURE, 1, "pressure")        \
    X(TIER_TOTAL, 2, "total")              \
    X(TIER_SWAP, 3, "swap")

/** UNREPORTED: no pressure information, which behaves as normal. */
#define EXOPLACE_PRESSURE_LEVEL_MAP(X)          \
    X(PRESSURE_UNREPORTED, 0, "unreported")     \
    X(PRESSURE_NORMAL, 1, "normal")             \
    X(PRESSURE_WARN, 2, "warn")                 \
    X(PRESSURE_CRITICAL, 3, "critical")

/** How pipeline layers are split (placement.md section 3): an exact integer
 * split (the default), exo's double-precision split, bit for bit, or fit: a
 * split that never gives a node more layers than it holds, with cycles
 * selected by the layers their nodes hold (see exoplace_layers_fit()). */
#define EXOPLACE_LAYER_STRATEGY_MAP(X)                      \
    X(LAYERS_LARGEST_REMAINDER, 0, "largest-remainder")     \
    X(LAYERS_EXO, 1, "exo")                                 \
    X(LAYERS_FIT, 2, "fit")

/** A network interface's type as exo reports it (exo-main.md 1.3). */
#define EXOPLACE_INTERFACE_TYPE_MAP(X)                \
    X(INTERFACE_UNKNOWN, 0, "unknown")                \
    X(INTERFACE_WIFI, 1, "wifi")                      \
    X(INTERFACE_ETHERNET, 2, "ethernet")              \
    X(INTERFACE_MAYBE_ETHERNET, 3, "maybe_ethernet")  \
    X(INTERFACE_THUNDERBOLT, 4, "thunderbolt")

/** Inference backends (exo-main.md 1.4). Sets of them are bit masks:
 * EXOPLACE_BACKEND_BIT(EXOPLACE_BACKEND_MLX_METAL) | ... */
#define EXOPLACE_BACKEND_MAP(X)             \
    X(BACKEND_MLX_METAL, 0, "MlxMetal")     \
    X(BACKEND_MLX_CPU, 1, "MlxCpu")         \
    X(BACKEND_MLX_CUDA, 2, "MlxCuda")       \
    X(BACKEND_VLLM, 3, "Vllm")
#define EXOPLACE_BACKEND_BIT(backend) (1u << (unsigned)(backend))

/** What a model does (a ModelCard's "tasks", exo-main.md 1.7). */
#define EXOPLACE_TASK_MAP(X)                            \
    X(TASK_TEXT_GENERATION, 0, "TextGeneration")        \
    X(TASK_TEXT_TO_IMAGE, 1, "TextToImage")             \
    X(TASK_IMAGE_TO_IMAGE, 2, "ImageToImage")

/** A node's download entry for a model (exo-main.md 1.6). */
#define EXOPLACE_DOWNLOAD_KIND_MAP(X)                   \
    X(DOWNLOAD_COMPLETED, 0, "DownloadCompleted")       \
    X(DOWNLOAD_ONGOING, 1, "DownloadOngoing")           \
    X(DOWNLOAD_PENDING, 2, "DownloadPending")           \
    X(DOWNLOAD_FAILED, 3, "DownloadFailed")

/** A directed connection: a socket reached at a multiaddr, or an RDMA link
 * between two interfaces (exo-main.md 1.1; the seed rule set has sockets only). */
#define EXOPLACE_CONNECTION_KIND_MAP(X)     \
    X(CONNECTION_SOCKET, 0, "socket")       \
    X(CONNECTION_RDMA, 1, "rdma")

/** The shard metadata kinds of exo's instances (exo-main.md 6). */
#define EXOPLACE_SHARD_KIND_MAP(X)                          \
    X(SHARD_PIPELINE, 0, "PipelineShardMetadata")           \
    X(SHARD_CFG, 1, "CfgShardMetadata")                     \
    X(SHARD_TENSOR, 2, "TensorShardMetadata")

#define EXOPLACE_ENUM_MEMBER_(name, value, text) EXOPLACE_##name = value,
typedef enum exoplace_rules { EXOPLACE_RULES_MAP(EXOPLACE_ENUM_MEMBER_) } exoplace_rules;
typedef enum exoplace_sharding { EXOPLACE_SHARDING_MAP(EXOPLACE_ENUM_MEMBER_) } exoplace_sharding;
typedef enum exoplace_instance_meta { EXOPLACE_INSTANCE_META_MAP(EXOPLACE_ENUM_MEMBER_) } exoplace_instance_meta;
typedef enum exoplace_memory_tier { EXOPLACE_MEMORY_TIER_MAP(EXOPLACE_ENUM_MEMBER_) } exoplace_memory_tier;
typedef enum exoplace_pressure_level { EXOPLACE_PRESSURE_LEVEL_MAP(EXOPLACE_ENUM_MEMBER_) } exoplace_pressure_level;
typedef enum exoplace_layer_strategy { EXOPLACE_LAYER_STRATEGY_MAP(EXOPLACE_ENUM_MEMBER_) } exoplace_layer_strategy;
typedef enum exoplace_interface_type { EXOPLACE_INTERFACE_TYPE_MAP(EXOPLACE_ENUM_MEMBER_) } exoplace_interface_type;
typedef enum exoplace_backend { EXOPLACE_BACKEND_MAP(EXOPLACE_ENUM_MEMBER_) } exoplace_backend;
typedef enum exoplace_task { EXOPLACE_TASK_MAP(EXOPLACE_ENUM_MEMBER_) } exoplace_task;
typedef enum exoplace_download_kind { EXOPLACE_DOWNLOAD_KIND_MAP(EXOPLACE_ENUM_MEMBER_) } exoplace_download_kind;
typedef enum exoplace_connection_kind { EXOPLACE_CONNECTION_KIND_MAP(EXOPLACE_ENUM_MEMBER_) } exoplace_connection_kind;
typedef enum exoplace_shard_kind { EXOPLACE_SHARD_KIND_MAP(EXOPLACE_ENUM_MEMBER_) } exoplace_shard_kind;
#undef EXOPLACE_ENUM_MEMBER_

/** Number of memory tiers (the values are 0 .. EXOPLACE_TIER_COUNT - 1). */
#define EXOPLACE_TIER_COUNT 4

/*
 * The name of an enumeration value, as exo and the JSON spell it: a static
 * string, never to be freed, or NULL when the value is not one of its type's.
 */

/**
 * @param[in] value any value.
 * @returns "seed" or "exo-main"; NULL for any other value.
 */
EXOPLACE_API const char *exoplace_rules_name(exoplace_rules value);

/**
 * @param[in] value any value.
 * @returns "Pipeline" or "Tensor"; NULL for any other value.
 */
EXOPLACE_API const char *exoplace_sharding_name(exoplace_sharding value);

/**
 * @param[in] value any value.
 * @returns "MlxRing" or "MlxJaccl"; NULL for any other value.
 */
EXOPLACE_API const char *exoplace_instance_meta_name(exoplace_instance_meta value);

/**
 * @param[in] value any value.
 * @returns "available", "pressure", "total" or "swap"; NULL for any other value.
 */
EXOPLACE_API const char *exoplace_memory_tier_name(exoplace_memory_tier value);

/**
 * @param[in] value any value.
 * @returns "unreported", "normal", "warn" or "critical"; NULL for any other value.
 */
EXOPLACE_API const char *exoplace_pressure_level_name(exoplace_pressure_level value);

/**
 * @param[in] value any value.
 * @returns "largest-remainder" or "exo"; NULL for any other value.
 */
EXOPLACE_API const char *exoplace_layer_strategy_name(exoplace_layer_strategy value);

/**
 * @param[in] value any value.
 * @returns "unknown", "wifi", "ethernet", "maybe_ethernet" or "thunderbolt"; NULL for any other value.
 */
EXOPLACE_API const char *exoplace_interface_type_name(exoplace_interface_type value);

/**
 * @param[in] value any value.
 * @returns "MlxMetal", "MlxCpu", "MlxCuda" or "Vllm"; NULL for any other value.
 */
EXOPLACE_API const char *exoplace_backend_name(exoplace_backend value);

/**
 * @param[in] value any value.
 * @returns "TextGeneration", "TextToImage" or "ImageToImage"; NULL for any other value.
 */
EXOPLACE_API const char *exoplace_task_name(exoplace_task value);

/**
 * @param[in] value any value.
 * @returns "DownloadCompleted", "DownloadOngoing", "DownloadPending" or "DownloadFailed"; NULL for any other value.
 */
EXOPLACE_API const char *exoplace_download_kind_name(exoplace_download_kind value);

/**
 * @param[in] value any value.
 * @returns "socket" or "rdma"; NULL for any other value.
 */
EXOPLACE_API const char *exoplace_connection_kind_name(exoplace_connection_kind value);

/**
 * @param[in] value any value.
 * @returns "PipelineShardMetadata", "CfgShardMetadata" or "TensorShardMetadata"; NULL for any other value.
 */
EXOPLACE_API const char *exoplace_shard_kind_name(exoplace_shard_kind value);

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

/**
 * Sets every byte count to 0, pressure_level UNREPORTED, free_percent -1.
 * @param[out] memory the profile; NULL is accepted and does nothing.
 */
EXOPLACE_API void exoplace_node_memory_init(exoplace_node_memory *memory);

/** Opaque cluster topology. */
typedef struct exoplace_topology exoplace_topology;

/**
 * Creates an empty topology.
 * @param[out] out receives the topology (NULL on E_NO_MEMORY); free it with
 *   exoplace_topology_free().
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (out is NULL); E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_topology_new(exoplace_topology **out, exoplace_error *err);

/**
 * Frees a topology. Every pointer borrowed from it (node ids, connection
 * texts, the node ids of placements made on it) becomes invalid.
 * @param[in] topology the topology; NULL is accepted and does nothing.
 */
EXOPLACE_API void exoplace_topology_free(exoplace_topology *topology);

/**
 * Adds a node. A node added without a profile can never be placed on.
 * If an earlier connection already added this id as an unknown endpoint
 * (without a profile), this call gives it the profile instead of failing.
 * @param[in,out] topology the topology.
 * @param[in] node_id non-empty, at most EXOPLACE_MAX_ID_BYTES bytes; copied.
 * @param[in] memory the profile, copied; NULL for a node without a profile.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL topology or id, empty id,
 *   free_percent outside -1..100, unknown pressure level); E_DUPLICATE_NODE
 *   (the id was added by an earlier add_node); E_LIMIT (id too long,
 *   EXOPLACE_MAX_NODES reached); E_NO_MEMORY. On failure the topology is
 *   unchanged.
 */
EXOPLACE_API exoplace_status exoplace_topology_add_node(exoplace_topology *topology,
                                                        const char *node_id,
                                                        const exoplace_node_memory *memory,
                                                        exoplace_error *err);

/**
 * Sets (or, with memory NULL, removes) the memory profile of an existing
 * node: exo's nodeMemory entry, which comes apart from the node itself. A
 * node without a profile is never placed on.
 * @param[in,out] topology the topology.
 * @param[in] node_id an existing node.
 * @param[in] memory the profile, copied; NULL for none.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL topology or id, empty id,
 *   a profile exoplace_topology_add_node() would refuse); E_LIMIT (id longer
 *   than EXOPLACE_MAX_ID_BYTES); E_UNKNOWN_NODE.
 */
EXOPLACE_API exoplace_status exoplace_topology_set_node_memory(exoplace_topology *topology, const char *node_id,
                                                               const exoplace_node_memory *memory,
                                                               exoplace_error *err);

/**
 * Adds a network interface to a node, after the ones it has. Interfaces keep
 * their order: exo-main's address choice reads the last one whose address
 * matches (exo-main.md 7.1).
 * @param[in,out] topology the topology.
 * @param[in] node_id an existing node.
 * @param[in] name the interface name (may be empty); copied.
 * @param[in] ip_address the address as text (may be empty); copied.
 * @param[in] type the interface type; EXOPLACE_INTERFACE_UNKNOWN when not reported.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL topology, node_id, name or
 *   ip_address, empty node_id, unknown type); E_UNKNOWN_NODE; E_LIMIT
 *   (node_id, name or address longer than EXOPLACE_MAX_ID_BYTES);
 *   E_NO_MEMORY. On failure the topology is unchanged.
 */
EXOPLACE_API exoplace_status exoplace_topology_add_interface(exoplace_topology *topology,
                                                             const char *node_id,
                                                             const char *name,
                                                             const char *ip_address,
                                                             exoplace_interface_type type,
                                                             exoplace_error *err);

/**
 * Adds a directed socket connection source_node_id -> sink_node_id, reached
 * at the sink's multiaddr. An endpoint that is not yet a node is added
 * without a profile (as exo does). An identical connection (same ids, same
 * kind, same multiaddr text) is counted once. A self-connection is allowed;
 * it makes the node its own successor but adds no cycle of two or more nodes.
 * Connections keep the order they were added in (exo-main reads it).
 * @param[in,out] topology the topology.
 * @param[in] source_node_id the source's id; copied.
 * @param[in] sink_node_id the sink's id; copied.
 * @param[in] multiaddr text exoplace_multiaddr_parse() accepts; copied. (The
 *   exo-main JSON reader adds its socket edges by exo's own patterns instead,
 *   exo-main.md 1.1: shape only, no octet or port bounds.)
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL or empty argument, a
 *   multiaddr exoplace_multiaddr_parse() refuses); E_LIMIT (an id or the
 *   multiaddr longer than EXOPLACE_MAX_ID_BYTES, EXOPLACE_MAX_NODES
 *   reached); E_NO_MEMORY. On failure the topology is unchanged.
 */
EXOPLACE_API exoplace_status exoplace_topology_add_connection(exoplace_topology *topology,
                                                              const char *source_node_id,
                                                              const char *sink_node_id,
                                                              const char *multiaddr,
                                                              exoplace_error *err);

/**
 * Adds a directed RDMA connection source_node_id -> sink_node_id between the
 * source's interface source_iface and the sink's sink_iface (exo-main.md
 * 1.1). Endpoints, identical connections and order as
 * exoplace_topology_add_connection(). The seed rule set counts an RDMA
 * connection as a link that is not thunderbolt.
 * @param[in,out] topology the topology.
 * @param[in] source_node_id the source's id; copied.
 * @param[in] sink_node_id the sink's id; copied.
 * @param[in] source_iface the source's RDMA interface name (may be empty); copied.
 * @param[in] sink_iface the sink's RDMA interface name (may be empty); copied.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL argument, empty id);
 *   E_LIMIT (an id or interface name longer than EXOPLACE_MAX_ID_BYTES,
 *   EXOPLACE_MAX_NODES reached); E_NO_MEMORY. On failure the topology is
 *   unchanged.
 */
EXOPLACE_API exoplace_status exoplace_topology_add_rdma_connection(exoplace_topology *topology,
                                                                   const char *source_node_id,
                                                                   const char *sink_node_id,
                                                                   const char *source_iface,
                                                                   const char *sink_iface,
                                                                   exoplace_error *err);

/**
 * Sets the backends a node supports (exo's nodeBackends), replacing any set
 * before. A node whose backends were never set supports none.
 * @param[in,out] topology the topology.
 * @param[in] node_id an existing node.
 * @param[in] backends a mask of EXOPLACE_BACKEND_BIT() values.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL topology or id, empty id, a
 *   bit that is no backend); E_LIMIT (id longer than EXOPLACE_MAX_ID_BYTES);
 *   E_UNKNOWN_NODE.
 */
EXOPLACE_API exoplace_status exoplace_topology_set_node_backends(exoplace_topology *topology,
                                                                 const char *node_id, uint32_t backends,
                                                                 exoplace_error *err);

/**
 * Sets whether RDMA control is enabled on a node (exo's nodeRdmaCtl);
 * not enabled unless set.
 * @param[in,out] topology the topology.
 * @param[in] node_id an existing node.
 * @param[in] enabled 1 or 0.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL topology or id, empty id,
 *   enabled not 0 or 1); E_LIMIT (id longer than EXOPLACE_MAX_ID_BYTES);
 *   E_UNKNOWN_NODE.
 */
EXOPLACE_API exoplace_status exoplace_topology_set_node_rdma_ctl(exoplace_topology *topology,
                                                                 const char *node_id, int enabled,
                                                                 exoplace_error *err);

/** A node's download entry (exo's downloads). Fill with exoplace_download_init() first. */
typedef struct exoplace_download {
    uint32_t struct_size;        /**< set by _init */
    const char *model_id;        /**< the model of the entry's shard; copied by add_download */
    exoplace_download_kind kind; /**< default DOWNLOAD_COMPLETED */
    uint64_t downloaded_bytes;   /**< ONGOING and PENDING: bytes downloaded */
    uint64_t total_bytes;        /**< ONGOING and PENDING: bytes in all */
} exoplace_download;

/**
 * Sets struct_size, model_id NULL, kind COMPLETED, both byte counts 0.
 * @param[out] download the entry; NULL is accepted and does nothing.
 */
EXOPLACE_API void exoplace_download_init(exoplace_download *download);

/**
 * Appends a download entry to a node, after the ones it has. For a model,
 * the node's first entry for that model id decides its download fraction
 * (exo-main.md section 4): COMPLETED 1, ONGOING and PENDING downloaded /
 * total (0 when total is 0), FAILED 0; no entry 0.
 * @param[in,out] topology the topology.
 * @param[in] node_id an existing node.
 * @param[in] download the entry; its model_id is copied.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL topology, node_id, download
 *   or model id, struct_size not set by _init, empty node_id or model id,
 *   unknown kind); E_UNKNOWN_NODE; E_LIMIT (node_id or model id longer than
 *   EXOPLACE_MAX_ID_BYTES); E_NO_MEMORY. On failure the topology is
 *   unchanged.
 */
EXOPLACE_API exoplace_status exoplace_topology_add_download(exoplace_topology *topology, const char *node_id,
                                                            const exoplace_download *download,
                                                            exoplace_error *err);

/**
 * Number of nodes. Nodes are indexed 0 .. count - 1 in the order they were
 * added, endpoints a connection added included.
 * @param[in] topology the topology.
 * @returns the count; 0 when topology is NULL.
 */
EXOPLACE_API size_t exoplace_topology_node_count(const exoplace_topology *topology);

/**
 * Number of distinct connections, of both kinds.
 * @param[in] topology the topology.
 * @returns the count; 0 when topology is NULL.
 */
EXOPLACE_API size_t exoplace_topology_connection_count(const exoplace_topology *topology);

/** One connection, as exoplace_topology_connection() describes it. */
typedef struct exoplace_connection_info {
    size_t source;                 /**< node index */
    size_t sink;                   /**< node index */
    exoplace_connection_kind kind;
    const char *multiaddr;         /**< SOCKET: the multiaddr text (borrowed); RDMA: NULL. A connection
                                        read from an exo-main request holds any text exo's patterns match
                                        (exo-main.md 1.1), which exoplace_multiaddr_parse() may refuse
                                        (/ip4/999.0.0.5/tcp/99999). */
    const char *source_iface;      /**< RDMA: the source's interface (borrowed); SOCKET: NULL */
    const char *sink_iface;        /**< RDMA: the sink's interface (borrowed); SOCKET: NULL */
} exoplace_connection_info;

/**
 * Connection `index`, in the order the connections were added.
 * @param[out] out receives the connection; its strings are borrowed from the
 *   topology, valid until it is freed. Untouched on failure.
 * @param[in] topology the topology.
 * @param[in] index 0 .. exoplace_topology_connection_count() - 1.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL out or topology, index out
 *   of range).
 */
EXOPLACE_API exoplace_status exoplace_topology_connection(exoplace_connection_info *out,
                                                          const exoplace_topology *topology, size_t index,
                                                          exoplace_error *err);

/**
 * The backends a node supports.
 * @param[in] topology the topology.
 * @param[in] index the node's index.
 * @returns its mask of EXOPLACE_BACKEND_BIT() values; 0 when never set, when
 *   index is out of range or topology is NULL.
 */
EXOPLACE_API uint32_t exoplace_topology_node_backends(const exoplace_topology *topology, size_t index);

/**
 * Whether RDMA control is enabled on a node.
 * @param[in] topology the topology.
 * @param[in] index the node's index.
 * @returns 1 or 0; 0 when never set, when index is out of range or topology
 *   is NULL.
 */
EXOPLACE_API int exoplace_topology_node_rdma_ctl(const exoplace_topology *topology, size_t index);

/**
 * The id of a node.
 * @param[in] topology the topology.
 * @param[in] index the node's index.
 * @returns the id, borrowed from the topology until it is freed; NULL when
 *   index is out of range or topology is NULL.
 */
EXOPLACE_API const char *exoplace_topology_node_id(const exoplace_topology *topology, size_t index);

/**
 * Finds a node by id.
 * @param[out] index_out receives the node's index; untouched on failure.
 * @param[in] topology the topology.
 * @param[in] node_id the id (any length).
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL index_out, topology or
 *   node_id); E_UNKNOWN_NODE (no node has that id).
 */
EXOPLACE_API exoplace_status exoplace_topology_find_node(size_t *index_out,
                                                         const exoplace_topology *topology,
                                                         const char *node_id,
                                                         exoplace_error *err);

/**
 * A node's profile.
 * @param[out] memory_out receives a copy of the profile.
 * @param[in] topology the topology.
 * @param[in] index the node's index.
 * @returns 1 when node `index` has a profile (memory_out filled); 0 when it
 *   has none, index is out of range or an argument is NULL (memory_out
 *   untouched).
 */
EXOPLACE_API int exoplace_topology_node_memory(exoplace_node_memory *memory_out,
                                               const exoplace_topology *topology, size_t index);

/**
 * Whether a node is a leaf, as the rule set says: seed, exactly one distinct
 * successor in the whole topology; exo-main, at most one (connections of any
 * kind; a self-connection counts).
 * @param[in] topology the topology.
 * @param[in] index the node's index.
 * @param[in] rules the rule set.
 * @returns 1 or 0; 0 when index is out of range, topology is NULL or rules
 *   is unknown.
 */
EXOPLACE_API int exoplace_topology_node_is_leaf(const exoplace_topology *topology, size_t index,
                                               exoplace_rules rules);

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
 * IPv6 address must be valid inet_pton text; a DNS name non-empty; the
 * transport, if any, /tcp/PORT or /udp/PORT with a port 0..65535. Parts
 * after the port (e.g. /p2p/...) are ignored.
 * @param[out] out receives the parts; zeroed first, so on failure it may
 *   hold the parts read before the wrong one.
 * @param[in] text the multiaddr, NUL-terminated.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL out or text; a malformed
 *   multiaddr or an address of EXOPLACE_MULTIADDR_HOST_BYTES bytes or more,
 *   with a message saying which part is wrong).
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
 * E_TOO_MANY_CYCLES. Placement never calls this. Allocates only scratch.
 * @param[out] cycle_count_out the number of cycles (OK, E_BUFFER_TOO_SMALL).
 * @param[out] node_total_out the entries of cycle_nodes they take (OK,
 *   E_BUFFER_TOO_SMALL).
 * @param[out] cycle_starts cycle_count + 1 offsets into cycle_nodes;
 *   untouched on failure.
 * @param[in] cycle_starts_capacity entries of cycle_starts.
 * @param[out] cycle_nodes the node indexes of every cycle, one after the
 *   other; untouched on failure.
 * @param[in] cycle_nodes_capacity entries of cycle_nodes.
 * @param[in] topology the topology.
 * @param[in] max_cycles the most cycles to list; 0 = EXOPLACE_DEFAULT_MAX_CYCLES.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL cycle_count_out,
 *   node_total_out or topology, a NULL array with a capacity that is not 0);
 *   E_BUFFER_TOO_SMALL (a capacity is too small); E_TOO_MANY_CYCLES (more
 *   than max_cycles cycles); E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_cycle_list(size_t *cycle_count_out, size_t *node_total_out,
                                                  size_t *cycle_starts, size_t cycle_starts_capacity,
                                                  size_t *cycle_nodes, size_t cycle_nodes_capacity,
                                                  const exoplace_topology *topology,
                                                  size_t max_cycles, exoplace_error *err);

/**
 * Whether a cycle (node indexes, in order) is a thunderbolt cycle: every
 * ordered pair of its distinct nodes that has a connection has a thunderbolt
 * one. A singleton is always one.
 * @param[out] out receives 1 or 0; untouched on failure.
 * @param[in] topology the topology.
 * @param[in] nodes n_nodes node indexes, in cycle order.
 * @param[in] n_nodes the cycle's length, at least 1.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL out, topology or nodes,
 *   n_nodes 0, an index out of range).
 */
EXOPLACE_API exoplace_status exoplace_cycle_is_thunderbolt(int *out, const exoplace_topology *topology,
                                                           const size_t *nodes, size_t n_nodes,
                                                           exoplace_error *err);

/**
 * filter_cycles_by_memory: keep_out[i] = 1 when every node of cycle i has a
 * profile and the exact (128-bit) sum of its metric in `tier` is >=
 * required_bytes (exo's use_total_memory is EXOPLACE_TIER_TOTAL). Cycles in
 * the flat form of exoplace_cycle_list().
 * @param[out] keep_out cycle_count flags; untouched on failure.
 * @param[in] topology the topology the cycles are of.
 * @param[in] cycle_starts cycle_count + 1 offsets into cycle_nodes.
 * @param[in] cycle_nodes node indexes.
 * @param[in] cycle_count the number of cycles; with 0 the arrays may be NULL.
 * @param[in] required_bytes the model's size.
 * @param[in] tier the memory tier whose metric is summed.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL topology, a NULL array when
 *   cycle_count is not 0, a node index out of range, decreasing
 *   cycle_starts, unknown tier).
 */
EXOPLACE_API exoplace_status exoplace_cycle_list_filter_by_memory(uint8_t *keep_out,
                                                                  const exoplace_topology *topology,
                                                                  const size_t *cycle_starts,
                                                                  const size_t *cycle_nodes,
                                                                  size_t cycle_count,
                                                                  uint64_t required_bytes,
                                                                  exoplace_memory_tier tier,
                                                                  exoplace_error *err);

/**
 * smallest_cycles: keep_out[i] = 1 for the cycles of minimum length among
 * those with keep_in[i] != 0 (keep_in NULL: all cycles), 0 for the others.
 * @param[out] keep_out cycle_count flags; untouched on failure.
 * @param[in] cycle_starts cycle_count + 1 offsets, as exoplace_cycle_list() gives them.
 * @param[in] cycle_count the number of cycles; with 0 the arrays may be NULL.
 * @param[in] keep_in cycle_count flags; NULL counts every cycle.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL keep_out or cycle_starts
 *   when cycle_count is not 0, decreasing cycle_starts).
 */
EXOPLACE_API exoplace_status exoplace_cycle_list_smallest(uint8_t *keep_out, const size_t *cycle_starts,
                                                      size_t cycle_count, const uint8_t *keep_in,
                                                      exoplace_error *err);

/**
 * Splits n_layers pipeline layers over nodes with the given memory metric,
 * in order. Allocates only scratch, freed before it returns.
 * - EXO: exo's numbers bit for bit (double divide-then-multiply, round half
 *   to even, at least 1 each, the last takes the rest); E_INVALID_SPLIT when
 *   the last node would get zero or fewer layers.
 * - LARGEST_REMAINDER: exact integer proportional split, leftovers to the
 *   largest remainders (lower index on ties), then every node at least one
 *   layer (an even split when every metric is 0); E_INVALID_SPLIT when
 *   n_layers < n_nodes.
 * - FIT needs the cost of a layer: use exoplace_layers_fit(); here it is
 *   E_INVALID_ARGUMENT.
 * @param[out] layers_out n_nodes counts that sum to n_layers; unspecified
 *   on failure.
 * @param[in] memory n_nodes metrics (bytes).
 * @param[in] n_nodes the number of nodes, at least 1.
 * @param[in] n_layers the model's layers, at least 1.
 * @param[in] strategy the split.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL layers_out or memory,
 *   n_nodes 0, n_layers 0, unknown strategy, FIT); E_INVALID_SPLIT (as above);
 *   E_LIMIT (n_nodes too large for the scratch to be sized); E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_layers_distribute(uint32_t *layers_out, const uint64_t *memory,
                                                        size_t n_nodes, uint32_t n_layers,
                                                        exoplace_layer_strategy strategy,
                                                        exoplace_error *err);

/**
 * The fit split (strategy EXOPLACE_LAYERS_FIT, placement.md section 3): the
 * split closest to proportional to capacity that gives every node at least
 * one layer and none more than it holds.
 *
 * Node i has capacity c_i bytes (its tier metric minus the reserve, see
 * exoplace_place_options.reserve_bytes) and holds cap_i = floor(c_i /
 * layer_cost) layers (every layer when layer_cost is 0); k_i = min(cap_i,
 * n_layers). The real shares are x_i = clamp(lambda * c_i, 1, k_i) with
 * lambda >= 0 the smallest value for which they sum to n_layers. Node i gets
 * floor(x_i) layers, and the n_layers - sum(floor(x_i)) layers left over go
 * one each to the nodes with the largest fractional parts of x_i (lower
 * index on ties). Only nodes strictly between their bounds have a
 * fractional part, so no node ends up below 1 or above k_i. Computed exactly
 * in integers. When no bound binds (every n_layers * c_i / sum(c) lies in
 * [1, k_i]) this is the LARGEST_REMAINDER split. When every capacity is 0
 * (possible only with layer_cost 0) the split is even: n_layers / n_nodes
 * each, the first n_layers % n_nodes nodes one more.
 * @param[out] layers_out n_nodes counts that sum to n_layers.
 * @param[in] capacity n_nodes capacities in bytes, in ring order.
 * @param[in] n_nodes the number of nodes (>= 1).
 * @param[in] n_layers the model's layers (>= 1).
 * @param[in] layer_cost bytes of one layer on a node:
 *   ceil(storage_size / n_layers) + kv_cache_bytes_per_layer.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL array, n_nodes 0, n_layers
 *   0); E_INVALID_SPLIT (n_layers < n_nodes; a node that holds no layer,
 *   named by index in the message and err->field "capacity[i]"; caps that
 *   sum to fewer than n_layers); E_LIMIT; E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_layers_fit(uint32_t *layers_out, const uint64_t *capacity, size_t n_nodes,
                                                 uint32_t n_layers, uint64_t layer_cost, exoplace_error *err);

/* ------------------------------------------------------------------------ */
/** @name Placement */

/**
 * A model: what placement reads of exo's ModelCard. Fill with
 * exoplace_model_init() first. Strings and arrays are borrowed for the
 * duration of a call. The seed rule set reads model_id, storage_size,
 * n_layers, hidden_size and supports_tensor; exo-main reads them all.
 */
typedef struct exoplace_model {
    uint32_t struct_size;         /**< set by _init */
    const char *model_id;         /**< non-empty */
    uint64_t storage_size;        /**< bytes */
    uint32_t n_layers;            /**< >= 1 */
    uint32_t hidden_size;         /**< seed: 0 when not stated, else tensor placements need a divisor
                                       of it; exo-main: >= 1 */
    int supports_tensor;          /**< -1 not stated (seed only), 0 no, 1 yes */
    uint32_t num_key_value_heads; /**< exo-main: 0 when null, else tensor placements need a divisor of
                                       it (unless base_model starts with "DeepSeek V4") */
    const char *base_model;       /**< exo-main: NULL or "" when none */
    int uses_cfg;                 /**< exo-main: 1 for classifier-free guidance (CFG parallel pipelines) */
    const exoplace_backend *backends; /**< exo-main: the card's backends, in its order, duplicates kept */
    size_t n_backends;
    const exoplace_task *tasks;   /**< exo-main: the card's tasks (echoed only) */
    size_t n_tasks;
    /**
     * exo-main: the card as JSON text, NUL-terminated (borrowed; at most
     * EXOPLACE_MAX_CARD_JSON_BYTES: placing and writing a longer one is
     * E_LIMIT), or NULL for a model built by hand. Only the instance's JSON
     * reads it (exo-main.md 7.4): the members placement does not read
     * (components, family, quantization, capabilities, reasoningDialect,
     * contextLength, trustRemoteCode, isCustom, vision, samplingDefaults)
     * are echoed from it as written, checked against exo's card model, in
     * either key spelling; absent or null ones take exo's defaults, unknown
     * ones are dropped. Every other member of the written card (modelId,
     * storageSize, nLayers, hiddenSize, supportsTensor, numKeyValueHeads,
     * tasks, backends, baseModel, usesCfg) comes from the fields above,
     * whatever the text says. NULL: every echoed member takes its default.
     */
    const char *card_json;
    /**
     * seed, strategy FIT and exoplace_place_manual(): bytes one layer's KV
     * cache takes at the context the host runs the model with (0 when not
     * known). A layer then costs ceil(storage_size / n_layers) + this on the
     * node that holds it. The other strategies and tensor sharding place by
     * storage_size alone and do not read it. exo-main: must be 0 (exo-main
     * keeps exo's own memory check; E_INVALID_ARGUMENT otherwise).
     */
    uint64_t kv_cache_bytes_per_layer;
} exoplace_model;

/**
 * Sets struct_size, every pointer NULL, every number 0, supports_tensor -1.
 * @param[out] model the model; NULL is accepted and does nothing.
 */
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
    exoplace_rules rules;                  /**< default SEED */
    const char *const *required_node_ids;  /**< exo-main: only cycles containing all of these
                                                (exo's node_ids; an id that is no node leaves
                                                none); borrowed; NULL for none. The seed rule
                                                set has no such filter: E_INVALID_ARGUMENT */
    size_t n_required_node_ids;
    /* Random source of exo-main instances: see "Instances" below. The
     * callback wins over the seed; with neither, the system's randomness. */
    int (*random_bytes)(void *ctx, void *buffer, size_t length); /**< fills buffer, returns 0; any
                                                other value fails the call with E_RANDOM. Default NULL */
    void *random_ctx;                      /**< passed to random_bytes */
    int use_random_seed;                   /**< 1: a deterministic generator seeded with random_seed
                                                (0 or 1; default 0) */
    uint64_t random_seed;                  /**< any value, 0 included */
    uint64_t reserve_bytes;                /**< strategy FIT and exoplace_place_manual(): bytes left free
                                                on every node; a node's capacity in a tier is its
                                                metric minus this (0 when the metric is smaller).
                                                Default 0. Nonzero with another strategy, or with
                                                rules EXO_MAIN, is E_INVALID_ARGUMENT */
} exoplace_place_options;

/**
 * Sets struct_size and the defaults above; every other member 0 or NULL.
 * @param[out] options the options; NULL is accepted and does nothing.
 */
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
    /* exo's shard metadata kind (exo-main.md 6). The seed rule set gives
     * PIPELINE or TENSOR and leaves the four CFG fields 0. */
    exoplace_shard_kind kind;
    uint32_t cfg_rank;            /**< CFG: 0 for the first pipeline (device_rank < world_size / 2),
                                       1 for the second; else 0 */
    uint32_t cfg_world_size;      /**< CFG: 2; else 0 */
    uint32_t pipeline_rank;       /**< CFG: the stage in its pipeline (the second pipeline runs in
                                       reverse: world_size - 1 - device_rank); else 0 */
    uint32_t pipeline_world_size; /**< CFG: world_size / 2; else 0 */
} exoplace_shard;

/* ------------------------------------------------------------------------ */
/** @name Instances
 *
 * The exo-main rule set also makes exo's Instance (exo-main.md 7): runner
 * ids, and how the ranks reach each other. Its random parts come from the
 * place options' source: the random_bytes callback if set, else with
 * use_random_seed the SplitMix64 generator started at random_seed (a draw of
 * k bytes takes the next ceil(k / 8) outputs, each output's bytes least
 * significant first, surplus bytes dropped), else the system's randomness
 * (getrandom() where it exists, else arc4random_buf(), falling back to
 * /dev/urandom; E_RANDOM when none of them works).
 *
 * A placement draws in exo's order (master/placement.py place_instance),
 * once its shards are made: one runner id per node in rank order, then the
 * instance id (16 bytes each: uuid4, version and variant bits set,
 * lowercase text); then for MlxRing the ephemeral port, before the ring's
 * addresses are looked up, and for MlxJaccl the port once the devices
 * matrix is complete, before the coordinators are looked up. So a placement
 * that fails in its instance (ring_no_link, jaccl_not_all_to_all,
 * jaccl_unreachable_coordinator, invalid_multiaddr) has drawn what exo
 * would have drawn by then; one that fails earlier has drawn nothing. The
 * port takes 2 bytes u, least significant first, drawn again while
 * u >= 65532; then x = 49153 + u % 16383 and the port is x - 1 when
 * x <= 52415, else x: exo's random_ephemeral_port, uniform over
 * 49152..65535 without 52415. A call that places several times (the memory
 * ladder, previews) continues one stream, so a seeded call gives the same
 * instances every time. */

/** Characters of a uuid4 text and its NUL. */
#define EXOPLACE_UUID_TEXT_BYTES 37
/** The host a ring node lists for a rank that is not its neighbour (RFC 5737 TEST-NET-2), with port 0. */
#define EXOPLACE_RING_PLACEHOLDER_IP "198.51.100.1"
/** The host a node lists for itself, and the coordinator's own address. */
#define EXOPLACE_SELF_IP "0.0.0.0"

/** An address and port, as exo's Host. */
typedef struct exoplace_host {
    const char *ip;  /**< owned by the instance, or one of the two static texts above */
    uint16_t port;   /**< the ephemeral port; 0 for the placeholder */
} exoplace_host;

/**
 * exo's Instance (exo-main.md 7), part of an exoplace_placement and freed
 * with it by exoplace_placement_dispose(). Arrays are indexed by rank, like
 * the placement's shards. Strings are owned by the instance unless noted.
 */
typedef struct exoplace_instance {
    exoplace_instance_meta kind;     /**< MLX_RING: MlxRingInstance; MLX_JACCL: MlxJacclInstance */
    char instance_id[EXOPLACE_UUID_TEXT_BYTES];
    size_t n_nodes;                  /**< = the placement's n_nodes */
    char (*runner_ids)[EXOPLACE_UUID_TEXT_BYTES]; /**< n_nodes runner ids */
    uint16_t ephemeral_port;         /**< P: the ring's ephemeralPort, the jaccl coordinators' port */
    /* MLX_RING (NULL otherwise). exo's hostsByNode[rank r][idx] is self
     * (EXOPLACE_SELF_IP, P) at idx = r, ring_prev[r] at idx = r - 1 mod n,
     * ring_next[r] at idx = r + 1 mod n, else the placeholder; see
     * exoplace_instance_ring_host(). For one node both are self; for two,
     * both are the other node. */
    exoplace_host *ring_prev;        /**< n_nodes: how rank r reaches rank r - 1 mod n */
    exoplace_host *ring_next;        /**< n_nodes: how rank r reaches rank r + 1 mod n */
    /* MLX_JACCL (NULL otherwise). */
    const char **jaccl_devices;      /**< n_nodes x n_nodes, row-major: [i * n + j] is rank i's RDMA
                                          interface to rank j (borrowed from the topology), NULL for
                                          i = j */
    const char **jaccl_coordinators; /**< n_nodes texts "ip:port": how rank r reaches rank 0
                                          ("0.0.0.0:P" for rank 0 itself) */
    char *text;                      /**< storage of the owned strings (internal) */
} exoplace_instance;

/**
 * exo's hostsByNode[rank][idx] of a ring instance.
 * @param[out] out receives the host: its ip borrowed from the instance, or
 *   one of the static texts EXOPLACE_SELF_IP and EXOPLACE_RING_PLACEHOLDER_IP.
 *   Untouched on failure.
 * @param[in] instance a ring instance of a placement.
 * @param[in] rank the rank whose list it is.
 * @param[in] idx the rank listed.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL out or instance, not a ring
 *   instance, rank or idx >= n_nodes).
 */
EXOPLACE_API exoplace_status exoplace_instance_ring_host(exoplace_host *out, const exoplace_instance *instance,
                                                         size_t rank, size_t idx, exoplace_error *err);

/**
 * A placement: the selected cycle in rank order, one shard per node.
 * Caller-allocated; exoplace_placement_dispose() frees the shards and the
 * instance.
 */
typedef struct exoplace_placement {
    exoplace_rules rules;                 /**< the rule set that placed it */
    exoplace_sharding sharding;
    exoplace_instance_meta instance_meta; /**< MLX_RING for a one-node MlxJaccl request */
    exoplace_memory_tier memory_tier;     /**< the tier whose metric placed it */
    int is_low_memory;                    /**< 1 for every tier but AVAILABLE */
    size_t n_nodes;
    exoplace_shard *shards; /**< n_nodes entries, owned */
    exoplace_instance instance; /**< exo-main: the instance (owned); seed: all zero */
} exoplace_placement;

/**
 * Frees the shards and the instance and zeroes the struct.
 * @param[in,out] placement a placement a call filled, or one zeroed (as every
 *   failed call leaves it); NULL is accepted and does nothing.
 */
EXOPLACE_API void exoplace_placement_dispose(exoplace_placement *placement);

/**
 * One placement attempt in options->memory_tier, by options->rules.
 * seed (placement.md section 4): the smallest feasible cycles of length >=
 * min_nodes, thunderbolt cycles first, then cycles with a leaf, then the
 * greatest memory, then canonical order. exo-main (exo-main.md section 5):
 * exo main's place_instance step by step, the tier's metric standing for
 * ramAvailable, and the instance of section 7 (out->instance), its random
 * values from the options' source. Both search cycle lengths upward with
 * branch and bound and never list every cycle.
 *
 * Pipeline sharding with strategy FIT (seed) selects by layers held instead
 * of bytes: node i holds cap_i = floor((metric_i - reserve_bytes) /
 * layer_cost) layers, layer_cost = ceil(storage_size / n_layers) +
 * kv_cache_bytes_per_layer (cap_i = n_layers when layer_cost is 0), and a
 * cycle is feasible when every node holds at least one layer, it has at most
 * n_layers nodes and its caps sum to at least n_layers: exactly when a split
 * with 1 <= layers_i <= cap_i exists. "The greatest memory" is then the
 * greatest sum of caps. So the cycle found is the smallest with a safe
 * split, and its split is exoplace_layers_fit()'s. Tensor sharding places by
 * bytes whatever the strategy.
 * @param[out] out filled on success (dispose it after use; the shards' node
 *   ids are borrowed from topology); zeroed on failure, unless topology is
 *   NULL.
 * @param[in] topology the cluster; only read, so other threads may read it too.
 * @param[in] model the model; borrowed for the call.
 * @param[in] options NULL for the defaults; else filled by
 *   exoplace_place_options_init() first.
 * @param[out] err optional details; cleared on success.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL out, topology or model;
 *   options or model not filled by their _init; NULL or empty model id,
 *   n_layers 0, supports_tensor not -1..1, uses_cfg not 0 or 1, NULL backends
 *   or tasks with a count, min_nodes 0, use_random_seed not 0 or 1, NULL
 *   required_node_ids or entry of it, required_node_ids under rules SEED,
 *   an unknown enum value, reserve_bytes without strategy FIT; with rules
 *   EXO_MAIN: strategy FIT, a nonzero kv_cache_bytes_per_layer or
 *   reserve_bytes); E_LIMIT (model
 *   id or base_model longer than EXOPLACE_MAX_ID_BYTES, card_json longer
 *   than EXOPLACE_MAX_CARD_JSON_BYTES); with exo's texts in err->message,
 *   E_INSUFFICIENT_MEMORY (no cycle of min_nodes or more nodes has the
 *   memory), E_TENSOR_NOT_SUPPORTED (Tensor for a model with supports_tensor
 *   0), E_NO_TENSOR_SHARDING (no such cycle's length divides hidden_size),
 *   E_INVALID_SPLIT (the layer split gives a node no layers; FIT: min_nodes
 *   greater than n_layers); exo-main, with
 *   exo's texts: E_INSUFFICIENT_MEMORY, E_TENSOR_UNSUPPORTED,
 *   E_TENSOR_INDIVISIBLE, E_PIPELINE_UNSUPPORTED_MODEL,
 *   E_PIPELINE_SINGLE_NODE_ONLY, E_BACKEND_INCOMPATIBLE_MODEL,
 *   E_BACKEND_NO_CYCLE, E_RDMA_NO_CYCLE (the selection, 5.3 to 5.9),
 *   E_ZERO_MEMORY, E_TOO_FEW_LAYERS, E_NODE_INSUFFICIENT_MEMORY (the split,
 *   6.1), E_RING_NO_LINK, E_JACCL_NOT_ALL_TO_ALL,
 *   E_JACCL_UNREACHABLE_COORDINATOR, E_INVALID_MULTIADDR (the instance, 7),
 *   E_RANDOM (the random source failed); E_SEARCH_LIMIT when
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
 * placed strictly. The first tier, options->memory_tier, is always tried.
 * @param[out] out as for exoplace_place(); memory_tier and is_low_memory
 *   say which tier placed it.
 * @param[in] topology the cluster, only read.
 * @param[in] model the model; borrowed for the call.
 * @param[in] options NULL for the defaults.
 * @param[out] err optional details: the first attempt's error, or the
 *   error that ended the ladder; cleared on success.
 * @returns as exoplace_place(); E_SEARCH_LIMIT and E_NO_MEMORY from any
 *   attempt.
 */
EXOPLACE_API exoplace_status exoplace_get_placement(exoplace_placement *out,
                                                    const exoplace_topology *topology,
                                                    const exoplace_model *model,
                                                    const exoplace_place_options *options,
                                                    exoplace_error *err);

/**
 * A manual split (exo #1720): the caller gives the ring, in rank order, and
 * the layers of each node; the library checks them and makes the shards. In
 * order:
 * - the model and options as exoplace_place() checks them, with rules SEED
 *   and sharding PIPELINE; options->reserve_bytes is read whatever the
 *   strategy (the strategy, min_nodes, required_node_ids and the ladder
 *   settings are not read);
 * - every count is at least 1 and they sum to the model's n_layers;
 * - every id is a node, none twice, and each is connected to the next and
 *   the last to the first (node_ids[i] -> node_ids[i + 1]; one node is
 *   always a cycle);
 * - every node holds its layers in options->memory_tier, as strategy FIT
 *   counts memory: layer_counts[i] x layer_cost <= metric_i - reserve_bytes,
 *   layer_cost = ceil(storage_size / n_layers) + kv_cache_bytes_per_layer.
 *   The first node in rank order that does not fails the call.
 * The placement has those ranks and ranges, the tier of the options
 * (is_low_memory for any but AVAILABLE), instance_meta MLX_RING for one node
 * and memory_delta as exoplace_place() gives it.
 * @param[out] out filled on success (dispose it after use), zeroed on failure.
 * @param[in] topology the cluster.
 * @param[in] model the model.
 * @param[in] node_ids n_nodes ids in rank order (borrowed).
 * @param[in] layer_counts n_nodes layer counts, in the same order.
 * @param[in] n_nodes the ring's length (>= 1).
 * @param[in] options NULL for the defaults (the available tier, no reserve).
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (a NULL argument, n_nodes 0 or more
 *   than the topology's nodes, an id twice, two consecutive nodes not
 *   connected (err->field "node_ids[i]", i the first of the two), a count 0
 *   ("layer_counts[i]"), counts that do not sum to n_layers
 *   ("layer_counts"), sharding TENSOR, rules EXO_MAIN, what exoplace_place()
 *   refuses); E_UNKNOWN_NODE ("node_ids[i]"); E_NODE_INSUFFICIENT_MEMORY
 *   (err->field "layer_counts[i]", the message naming the node, the bytes its
 *   layers need, its capacity and the shortfall in bytes; a node without a
 *   profile has none); E_LIMIT; E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_place_manual(exoplace_placement *out, const exoplace_topology *topology,
                                                   const exoplace_model *model, const char *const *node_ids,
                                                   const uint32_t *layer_counts, size_t n_nodes,
                                                   const exoplace_place_options *options, exoplace_error *err);

/* ------------------------------------------------------------------------ */
/** @name Explanations
 *
 * Why a model does not fit, or needed a tier below available, as data
 * computed by the placement search itself. For each tier it tries, an
 * explanation gives what the model needs, the best candidate the search
 * finds (the cycle of min_nodes or more nodes with the greatest sum of the
 * tier's metric; of those the shortest, then the first in canonical
 * order), the gap between them, each candidate node's part of the
 * need and its shortfall, and the whole cluster's sum. Amounts are in the
 * tier's unit: bytes, or with strategy FIT (pipeline) layers held. */

/** An unsigned 128-bit amount, hi x 2^64 + lo: sums over many nodes, and the
 * swap tier's metric of one node, can pass 2^64. */
typedef struct exoplace_amount {
    uint64_t hi;
    uint64_t lo;
} exoplace_amount;

/** One node of an explanation's candidate. */
typedef struct exoplace_explained_node {
    const char *node_id;       /**< borrowed from the topology */
    size_t node_index;         /**< index in the topology */
    exoplace_amount metric;    /**< the tier's metric in its unit: bytes, or layers held
                                    (floor((bytes - reserve_bytes) / layer_cost)) */
    exoplace_amount metric_bytes; /**< the tier's metric in bytes (before the reserve) */
    exoplace_amount share;     /**< its part of the need: need x metric / candidate_sum, rounded
                                    down, and the leftover units one each to the largest
                                    remainders (earlier rank first on a tie), so the shares sum
                                    to need exactly */
    exoplace_amount shortfall; /**< share - metric when positive, else 0 */
    exoplace_amount shortfall_bytes; /**< bytes: = shortfall; layers: the bytes it needs free to
                                    hold its share, share x layer_cost + reserve_bytes -
                                    metric_bytes when positive, else 0 */
} exoplace_explained_node;

/** One tier an explanation tried. */
typedef struct exoplace_explained_tier {
    exoplace_memory_tier tier;
    exoplace_status status;    /**< EXOPLACE_OK when this tier places the model, else its failure */
    exoplace_error error;      /**< the attempt's error when status is not OK */
    int by_layers;             /**< 1: the unit is layers (strategy FIT), 0: bytes */
    exoplace_amount need;      /**< storage_size, or n_layers */
    exoplace_amount cluster_sum; /**< the metric summed over every node that can take a share
                                    (with a profile; by_layers: holding a layer) */
    size_t n_cluster_nodes;    /**< those nodes */
    /** 0: the work bound (max_search_steps) stopped the search for the
     * candidate; it is the greatest found, a greater one may exist. */
    int complete;
    size_t n_candidate;        /**< its nodes, in rank order; 0 when no cycle of min_nodes or more
                                    nodes exists in the tier (then the gap is need) */
    exoplace_explained_node *candidate; /**< n_candidate entries, owned */
    exoplace_amount candidate_sum; /**< sum of the candidate's metric */
    exoplace_amount gap;       /**< need - candidate_sum when positive, else 0; when positive it
                                    equals the sum of the candidate's shortfalls */
} exoplace_explained_tier;

/** A rule that removed candidates whatever the memory. */
typedef struct exoplace_explained_rule {
    exoplace_status status;    /**< seed: E_TENSOR_NOT_SUPPORTED, E_NO_TENSOR_SHARDING (lengths that
                                    do not divide hidden_size), E_INVALID_SPLIT (FIT: min_nodes
                                    above n_layers); exo-main: E_TENSOR_UNSUPPORTED,
                                    E_TENSOR_INDIVISIBLE (lengths that do not divide hidden_size,
                                    or the key-value heads) */
    uint32_t first_length;     /**< the run of cycle lengths it removed, first_length to */
    uint32_t last_length;      /**< last_length; both 0: every length */
    char message[EXOPLACE_ERROR_MESSAGE_BYTES]; /**< e.g. "hidden_size 4096 is not divisible by 3" */
} exoplace_explained_rule;

/**
 * An explanation. Caller-allocated; exoplace_explanation_dispose() frees
 * its arrays.
 */
typedef struct exoplace_explanation {
    exoplace_rules rules;
    exoplace_sharding sharding;
    uint32_t min_nodes;
    exoplace_amount layer_cost;      /**< by_layers: ceil(storage_size / n_layers) + kv_cache_bytes_per_layer */
    uint64_t reserve_bytes;
    int placed;                      /**< 1 when some tier tried places the model */
    exoplace_memory_tier placing_tier; /**< when placed: the first tier that does */
    size_t n_tiers;
    exoplace_explained_tier *tiers;  /**< in ladder order, owned */
    size_t n_rules;
    exoplace_explained_rule *rules_applied; /**< owned */
} exoplace_explanation;

/**
 * Explains a placement: why it does not fit, or why it needs a tier below
 * available. Tries the tiers in ladder order from options->memory_tier:
 * pressure only when a node reports it, then total and swap, whatever
 * no_fallback and allow_swap say (an explanation places nothing; it says
 * which tier would), stopping after the first tier that places. A tier
 * whose metric is the one before's for every node (swap without swap space)
 * repeats that tier's entry. For each tier it makes the attempt
 * exoplace_place() makes and, unless that places, searches the greatest
 * candidate among the lengths the rules leave (from min_nodes; Tensor: the
 * divisors of placement.md 4 or exo-main.md 5.4; FIT: at most n_layers):
 * first the longest of them, on a quarter of the work bound, then each
 * length upward for a greater sum, by the rule set's own branch and bound
 * (seed: the graph of placement.md; exo-main: exo's graph, through every
 * required node). Each attempt and each candidate search has its own work
 * bound of max_search_steps.
 * @param[out] out filled on success (dispose it after use; node ids are
 *   borrowed from topology); zeroed on failure, unless out is NULL.
 * @param[in] topology the cluster, only read.
 * @param[in] model the model; borrowed for the call.
 * @param[in] options NULL for the defaults.
 * @param[out] err optional details; cleared on success.
 * @returns EXOPLACE_OK, also when no tier places the model (that is what it
 *   explains); E_INVALID_ARGUMENT, E_LIMIT as exoplace_place() checks the
 *   request; E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_explain(exoplace_explanation *out, const exoplace_topology *topology,
                                              const exoplace_model *model, const exoplace_place_options *options,
                                              exoplace_error *err);

/**
 * Whether a placement call that returns `status` is explained (by
 * exoplace_get_placement_explained() and in the *_json responses): a
 * placement failure other than E_SEARCH_LIMIT, whose explanation would hit
 * the work bound again. A placement (EXOPLACE_OK) is explained when it is
 * low memory.
 * @param[in] status what the placement call returned.
 * @returns 1 or 0.
 */
EXOPLACE_API int exoplace_status_is_explained(exoplace_status status);

/**
 * exoplace_get_placement() and, where it is explained (a low-memory
 * placement, or a failure for which exoplace_status_is_explained()), its
 * explanation, made over the same search context: the attempts the
 * explanation repeats reuse the placement's work. With options->no_fallback
 * the placement is exoplace_place()'s one attempt. The explanation is that
 * of exoplace_explain() for the same arguments.
 * @param[out] out as for exoplace_get_placement().
 * @param[out] explanation filled when explained (dispose it after use), else
 *   zeroed; also zeroed on every failure of the call itself.
 * @param[in] topology the cluster, only read.
 * @param[in] model the model; borrowed for the call.
 * @param[in] options NULL for the defaults.
 * @param[out] err optional details: the placement's error, or the
 *   explanation's when making it failed.
 * @returns as exoplace_get_placement(); E_INVALID_ARGUMENT also for a NULL
 *   explanation; E_NO_MEMORY when the explanation could not be made (out
 *   is then zeroed).
 */
EXOPLACE_API exoplace_status exoplace_get_placement_explained(exoplace_placement *out,
                                                              exoplace_explanation *explanation,
                                                              const exoplace_topology *topology,
                                                              const exoplace_model *model,
                                                              const exoplace_place_options *options,
                                                              exoplace_error *err);

/**
 * Frees an explanation's arrays and zeroes it.
 * @param[in,out] explanation filled by exoplace_explain(), or zeroed; NULL
 *   is accepted and does nothing.
 */
EXOPLACE_API void exoplace_explanation_dispose(exoplace_explanation *explanation);

/** One preview: a placement, or the error why there is none. */
typedef struct exoplace_preview {
    exoplace_rules rules;                 /**< the rule set of the call (its writer's shape) */
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
 * @param[out] out the list; free with exoplace_preview_list_free(). The
 *   previews' node ids are borrowed from topology. NULL on failure (untouched
 *   when out or topology is NULL).
 * @param[in] topology the cluster, only read.
 * @param[in] model the model; borrowed for the call.
 * @param[in] options NULL for the defaults.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK (even when every preview is an error);
 *   E_INVALID_ARGUMENT (NULL out or topology; the model and options checks
 *   of exoplace_place() but for sharding, instance_meta and min_nodes);
 *   E_LIMIT (as exoplace_place()); E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_preview_list_new(exoplace_preview_list **out,
                                                   const exoplace_topology *topology,
                                                   const exoplace_model *model,
                                                   const exoplace_place_options *options,
                                                   exoplace_error *err);

/**
 * Frees a list and the placements of its previews.
 * @param[in] list the list; NULL is accepted and does nothing.
 */
EXOPLACE_API void exoplace_preview_list_free(exoplace_preview_list *list);

/**
 * Number of previews, in exo's order: Pipeline then Tensor, MlxRing then
 * MlxJaccl, min_nodes upward.
 * @param[in] list the list.
 * @returns the count; 0 when list is NULL.
 */
EXOPLACE_API size_t exoplace_preview_list_count(const exoplace_preview_list *list);

/**
 * One preview.
 * @param[in] list the list.
 * @param[in] index 0 .. exoplace_preview_list_count() - 1.
 * @returns the preview, borrowed from the list until it is freed; NULL when
 *   index is out of range or list is NULL.
 */
EXOPLACE_API const exoplace_preview *exoplace_preview_list_get(const exoplace_preview_list *list,
                                                               size_t index);

/** Whether a model fits the cluster's summed memory (what a model list shows). */
typedef struct exoplace_model_fit {
    int will_fit; /**< storage_size <= sum of ram_available over nodes with a profile */
    int can_fit;  /**< storage_size <= sum of ram_total over nodes with a profile */
} exoplace_model_fit;

/**
 * Whether a model of storage_size bytes fits the cluster (sums over 128 bits).
 * @param[out] out receives the two flags; untouched on failure.
 * @param[in] topology the cluster.
 * @param[in] storage_size the model's bytes.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL out or topology).
 */
EXOPLACE_API exoplace_status exoplace_model_fit_check(exoplace_model_fit *out,
                                                      const exoplace_topology *topology,
                                                      uint64_t storage_size, exoplace_error *err);

/**
 * Orders a model list for display: can-fit first, then will-fit, then larger
 * models first, then model id (byte-wise). Fills order_out with a permutation
 * of 0..n_models-1 (allocates scratch only).
 * @param[out] order_out n_models indexes into models; untouched on failure.
 * @param[in] topology the cluster whose memory decides the fit.
 * @param[in] models n_models models (only storage_size and model_id are read).
 * @param[in] n_models the number of models; with 0 the arrays may be NULL.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL topology, NULL order_out or
 *   models when n_models is not 0, a NULL model id); E_LIMIT (n_models
 *   above UINT32_MAX); E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_models_order(size_t *order_out, const exoplace_topology *topology,
                                                   const exoplace_model *models, size_t n_models,
                                                   exoplace_error *err);

/* ------------------------------------------------------------------------ */
/** @name Requests and the JSON boundary
 *
 * A JSON request (docs/json.md: the seed rule set's format, or exo's
 * GET /state object with the placement fields added, exo-main.md section 1)
 * is read into an exoplace_request: the same C objects a caller builds by
 * hand. The calls of this header then place it, and the writers below turn
 * their results into the JSON responses. The *_json entry points do all
 * three in one call. */

/**
 * The host's settings for reading a request and placing it. Settings in the
 * request itself (sharding, instanceMeta, minNodes, nodeIds,
 * allow_low_memory, rules) are read from the request.
 */
typedef struct exoplace_json_options {
    uint32_t struct_size;              /**< set by _init */
    exoplace_layer_strategy strategy;  /**< seed rule set's split; default LARGEST_REMAINDER */
    int no_fallback;                   /**< one attempt, no automatic fallback tier */
    int allow_swap;                    /**< the ladder may reach the swap tier */
    uint64_t max_search_steps;         /**< 0 = default */
    int use_random_seed;               /**< 1: exo-main instances draw from random_seed (see
                                            exoplace_place_options), so a response is reproducible */
    uint64_t random_seed;
} exoplace_json_options;

/**
 * Sets struct_size and the defaults above.
 * @param[out] options the options; NULL is accepted and does nothing.
 */
EXOPLACE_API void exoplace_json_options_init(exoplace_json_options *options);

/**
 * A request in C. Everything it points to is owned by the request and lives
 * until exoplace_request_free(); read it, do not change it.
 */
typedef struct exoplace_request {
    uint32_t struct_size;            /**< sizeof(exoplace_request) of the library */
    exoplace_rules rules;            /**< "rules" of the request, else by shape (exo-main.md 1) */
    exoplace_topology *topology;     /**< never NULL; empty when the text has no topology */
    int has_topology;                /**< the text had a topology */
    const exoplace_model *model;     /**< the request's "model"; NULL when it has none */
    const exoplace_model *models;    /**< "models" (or a catalogue's list); else "model" alone */
    size_t n_models;
    exoplace_place_options options;  /**< the host's options with the request's settings on top */
} exoplace_request;

/**
 * Reads a request. The request owns copies of what it keeps of the text.
 * @param[out] out the request; free it with exoplace_request_free(). NULL on
 *   failure (untouched when text is NULL).
 * @param[in] text JSON text, UTF-8, at most EXOPLACE_MAX_INPUT_BYTES; need not be NUL-terminated.
 * @param[in] length bytes of text.
 * @param[in] options the host's settings, copied into the request's options;
 *   NULL for the defaults.
 * @param[out] err optional details: the path of the offending field in err->field.
 * @returns EXOPLACE_OK; E_INVALID_JSON (not JSON: line and column in the
 *   message); E_INVALID_ARGUMENT (NULL out or text, options not filled by
 *   exoplace_json_options_init(), a field of the wrong type or value);
 *   E_DUPLICATE_NODE (a node id listed twice); E_LIMIT (a documented limit:
 *   size, depth, an id's bytes, the node count); E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_request_parse(exoplace_request **out, const char *text, size_t length,
                                                    const exoplace_json_options *options, exoplace_error *err);

/**
 * Reads a model catalogue: a JSON list of models (exo-main: model cards), an
 * object with a "models" list, or one model object. The result is a request
 * whose topology is empty.
 * @param[out] out the catalogue; free it with exoplace_request_free(). NULL
 *   on failure (untouched when text is NULL).
 * @param[in] text JSON text as for exoplace_request_parse().
 * @param[in] length bytes of text.
 * @param[in] rules how the models are read (seed: json.md models; exo-main: ModelCards).
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_JSON; E_INVALID_ARGUMENT (NULL out or
 *   text, unknown rules, a model field of the wrong type or value); E_LIMIT;
 *   E_NO_MEMORY; each as for exoplace_request_parse().
 */
EXOPLACE_API exoplace_status exoplace_request_parse_catalogue(exoplace_request **out, const char *text,
                                                              size_t length, exoplace_rules rules,
                                                              exoplace_error *err);

/**
 * Frees a request and everything it owns, its topology and models included.
 * @param[in] request the request; NULL is accepted and does nothing.
 */
EXOPLACE_API void exoplace_request_free(exoplace_request *request);

/**
 * Writers: the JSON responses of docs/json.md (seed) and exo-main.md
 * section 9 (exo-main), as a string the caller frees with exoplace_free().
 * Each returns EXOPLACE_OK, E_INVALID_ARGUMENT (a NULL argument) or
 * E_NO_MEMORY, and the statuses its own block adds. On failure *out is
 * NULL, or untouched when a required argument is NULL. The inputs are
 * borrowed for the call.
 */

/**
 * A placement: {"ok": true, ...} in its rule set's shape. A placement whose
 * rules is EXOPLACE_RULES_EXO_MAIN is written as exo-main.md section 9:
 * {"ok": true, "rules": "exo-main", "instance": <exo's Instance, 7.4>,
 * "is_low_memory": B, "memory_tier": T}, every shard of the instance
 * carrying the model's card (exoplace_model.card_json).
 * @param[out] out the text.
 * @param[in] placement a placement a call of this library filled.
 * @param[in] model the model it places.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL out, placement, model or
 *   model id); E_NO_MEMORY; and for exo-main: E_INVALID_ARGUMENT (a
 *   placement without its instance; a model exo's card cannot hold: empty
 *   id, n_layers or hidden_size 0, supports_tensor not 0 or 1, NULL or
 *   unknown backends or tasks; a member of card_json exo's card refuses,
 *   err->field "model.card_json.<path>"); E_INVALID_JSON (card_json is no
 *   JSON text); E_LIMIT (card_json longer than EXOPLACE_MAX_CARD_JSON_BYTES
 *   or nested deeper than EXOPLACE_MAX_JSON_DEPTH, the text longer than
 *   EXOPLACE_MAX_OUTPUT_BYTES).
 */
EXOPLACE_API exoplace_status exoplace_placement_write_json(char **out, const exoplace_placement *placement,
                                                           const exoplace_model *model, exoplace_error *err);

/**
 * A placement failure: {"ok": false, "code": ..., "error": ...} (exo-main
 * adds "rules"). "error" is failure->message, or the status's default text
 * when the message is empty.
 * @param[out] out the text.
 * @param[in] failure the error a placement call filled; its code must be a
 *   placement failure (exoplace_status_is_placement_failure()).
 * @param[in] rules the rule set of the call: EXOPLACE_RULES_EXO_MAIN adds
 *   "rules", any other value writes the seed shape.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL out or failure, a code that
 *   is no placement failure); E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_failure_write_json(char **out, const exoplace_error *failure,
                                                         exoplace_rules rules, exoplace_error *err);

/**
 * An explanation (exoplace_explain()) as the JSON object of docs/json.md
 * "Explanations": amounts as JSON integers, exact (they may pass 2^64).
 * The placement and failure responses of the *_json entry points carry it
 * as their "explanation" member.
 * @param[out] out the text.
 * @param[in] explanation filled by exoplace_explain().
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL out or explanation);
 *   E_LIMIT (the text longer than EXOPLACE_MAX_OUTPUT_BYTES); E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_explanation_write_json(char **out, const exoplace_explanation *explanation,
                                                             exoplace_error *err);

/**
 * exoplace_placement_write_json() with an "explanation" member (the object
 * of exoplace_explanation_write_json()) before the closing brace; none when
 * explanation is NULL. The *_json entry points write a low-memory
 * placement this way.
 * @param[out] out the text.
 * @param[in] placement as for exoplace_placement_write_json().
 * @param[in] model the model it places.
 * @param[in] explanation NULL, or filled by exoplace_explain().
 * @param[out] err optional details.
 * @returns as exoplace_placement_write_json().
 */
EXOPLACE_API exoplace_status exoplace_placement_explained_write_json(char **out, const exoplace_placement *placement,
                                                                     const exoplace_model *model,
                                                                     const exoplace_explanation *explanation,
                                                                     exoplace_error *err);

/**
 * exoplace_failure_write_json() with an "explanation" member; none when
 * explanation is NULL. The *_json entry points write a placement failure
 * this way (but E_SEARCH_LIMIT, which they do not explain).
 * @param[out] out the text.
 * @param[in] failure as for exoplace_failure_write_json().
 * @param[in] rules the rule set of the call.
 * @param[in] explanation NULL, or filled by exoplace_explain().
 * @param[out] err optional details.
 * @returns as exoplace_failure_write_json().
 */
EXOPLACE_API exoplace_status exoplace_failure_explained_write_json(char **out, const exoplace_error *failure,
                                                                   exoplace_rules rules,
                                                                   const exoplace_explanation *explanation,
                                                                   exoplace_error *err);

/**
 * {"previews": [...]}: the previews of several models, in order. A preview
 * whose rules is EXOPLACE_RULES_EXO_MAIN has exo's shape (exo-main.md 8.6):
 * {"model_id", "sharding", "instance_meta", "instance" (exo's Instance, null
 * for a failure), "memory_delta_by_node" (null for a failure), "error" (null
 * for a success), "code" (failures only), "is_low_memory", "memory_tier"
 * (null for a failure)}.
 * @param[out] out the text.
 * @param[in] lists n_models preview lists (exoplace_preview_list_new()).
 * @param[in] models the models of the lists, in the same order.
 * @param[in] n_models the number of lists; with 0 the arrays may be NULL.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL out, NULL lists or models
 *   when n_models is not 0, a NULL list or model id); E_LIMIT (the text
 *   longer than EXOPLACE_MAX_OUTPUT_BYTES, whatever the rule set);
 *   E_NO_MEMORY; for exo-main previews also the exo-main errors of
 *   exoplace_placement_write_json().
 */
EXOPLACE_API exoplace_status exoplace_preview_lists_write_json(char **out, const exoplace_preview_list *const *lists,
                                                               const exoplace_model *models, size_t n_models,
                                                               exoplace_error *err);

/**
 * {"cycles": [[ids...], ...]}: the cycles of exoplace_cycle_list() whose
 * keep[] is not 0, in order.
 * @param[out] out the text.
 * @param[in] topology the topology the cycles are of.
 * @param[in] cycle_starts cycle_count + 1 offsets into cycle_nodes.
 * @param[in] cycle_nodes node indexes.
 * @param[in] cycle_count the number of cycles; with 0 the arrays may be NULL.
 * @param[in] keep cycle_count flags; NULL keeps every cycle.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL out or topology, NULL
 *   cycle_starts or cycle_nodes when cycle_count is not 0, decreasing
 *   cycle_starts, a node index out of range); E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_cycle_list_write_json(char **out, const exoplace_topology *topology,
                                                            const size_t *cycle_starts, const size_t *cycle_nodes,
                                                            size_t cycle_count, const uint8_t *keep,
                                                            exoplace_error *err);

/**
 * {"ok": true, "layers": [...]}: a split of exoplace_layers_distribute().
 * @param[out] out the text.
 * @param[in] layers n_nodes counts.
 * @param[in] n_nodes the number of counts; with 0 layers may be NULL.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL out, NULL layers when
 *   n_nodes is not 0); E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_layers_write_json(char **out, const uint32_t *layers, size_t n_nodes,
                                                        exoplace_error *err);

/**
 * {"models": [{"model_id", "storage_size", "will_fit", "can_fit", "fit"}, ...]}
 * in the order `order` gives (exoplace_models_order()); "fit" is "fits",
 * "low_memory" or "does_not_fit".
 * @param[out] out the text.
 * @param[in] topology the cluster.
 * @param[in] models n_models models.
 * @param[in] order n_models indexes into models, each below n_models (a
 *   permutation, as exoplace_models_order() gives it); NULL for the given order.
 * @param[in] n_models the number of models; with 0 the arrays may be NULL.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL out or topology, NULL models
 *   when n_models is not 0, an order entry out of range, a NULL model id);
 *   E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_model_fit_write_json(char **out, const exoplace_topology *topology,
                                                           const exoplace_model *models, const size_t *order,
                                                           size_t n_models, exoplace_error *err);

/*
 * The JSON entry points: read a request (exoplace_request_parse()), make the
 * call, write the response (the writers above) to *out, which the caller
 * frees with exoplace_free(). Their parameters: out the response; request
 * JSON text, UTF-8, need not be NUL-terminated; length its bytes; options
 * the host's settings, NULL for the defaults; err optional details.
 *
 * Return value and *out:
 * - EXOPLACE_OK: *out is the success response.
 * - a placement failure (exoplace_status_is_placement_failure()): the
 *   request was well-formed but cannot be placed; *out is the failure
 *   object, and err has the code and exo's text.
 * - any other status: *out is NULL (untouched when out or request is NULL).
 *   E_INVALID_ARGUMENT for NULL out or request and for a request without
 *   what the call needs; else a status of exoplace_request_parse(), of the
 *   C call or of its writer, e.g. E_NO_MEMORY.
 */

/**
 * get_placement with the memory-tier ladder: a placement object
 * (exoplace_placement_write_json()). The request needs "topology" and "model".
 * @param[out] out the response.
 * @param[in] request JSON text.
 * @param[in] length bytes of request.
 * @param[in] options NULL for the defaults.
 * @param[out] err optional details.
 * @returns as above; the placement failures of exoplace_get_placement().
 */
EXOPLACE_API exoplace_status exoplace_get_placement_json(char **out, const char *request, size_t length,
                                                         const exoplace_json_options *options,
                                                         exoplace_error *err);

/**
 * One attempt (seed: the request's allow_low_memory picks the total tier): a
 * placement object. The request needs "topology" and "model".
 * @param[out] out the response.
 * @param[in] request JSON text.
 * @param[in] length bytes of request.
 * @param[in] options NULL for the defaults; no_fallback and allow_swap do
 *   not apply.
 * @param[out] err optional details.
 * @returns as above; the placement failures of exoplace_place().
 */
EXOPLACE_API exoplace_status exoplace_place_json(char **out, const char *request, size_t length,
                                                 const exoplace_json_options *options, exoplace_error *err);

/**
 * {"previews": [...]} (exoplace_preview_lists_write_json()) for "model" or
 * every model of "models"; the request needs "topology" too.
 * @param[out] out the response.
 * @param[in] request JSON text.
 * @param[in] length bytes of request.
 * @param[in] options NULL for the defaults.
 * @param[out] err optional details.
 * @returns as above, never a placement failure: failed previews are in the
 *   response.
 */
EXOPLACE_API exoplace_status exoplace_previews_json(char **out, const char *request, size_t length,
                                                    const exoplace_json_options *options, exoplace_error *err);

/**
 * The model list: {"models": [...]} (exoplace_model_fit_write_json()) for
 * "models" or "model", in exoplace_models_order()'s order; the request needs
 * "topology" too.
 * @param[out] out the response.
 * @param[in] request JSON text.
 * @param[in] length bytes of request.
 * @param[in] options NULL for the defaults.
 * @param[out] err optional details.
 * @returns as above, never a placement failure.
 */
EXOPLACE_API exoplace_status exoplace_model_fit_json(char **out, const char *request, size_t length,
                                                     const exoplace_json_options *options, exoplace_error *err);

/** Which cycles exoplace_cycles_json() lists. Fill with exoplace_cycle_filter_init(). */
typedef struct exoplace_cycle_filter {
    uint32_t struct_size;          /**< set by _init */
    size_t max_cycles;             /**< 0 = EXOPLACE_DEFAULT_MAX_CYCLES */
    int by_memory;                 /**< 1: only cycles that pass the memory filter */
    uint64_t min_bytes;            /**< with by_memory */
    exoplace_memory_tier tier;     /**< with by_memory: the metric (default AVAILABLE) */
} exoplace_cycle_filter;

/**
 * Sets struct_size and the defaults above (no memory filter).
 * @param[out] filter the filter; NULL is accepted and does nothing.
 */
EXOPLACE_API void exoplace_cycle_filter_init(exoplace_cycle_filter *filter);

/**
 * {"cycles": [[ids...], ...]} in canonical order for {"topology": ...} or a
 * bare topology, read with the default json options.
 * @param[out] out the response; NULL on failure (untouched when out or
 *   request is NULL).
 * @param[in] request JSON text, UTF-8; need not be NUL-terminated.
 * @param[in] length bytes of request.
 * @param[in] filter NULL for the defaults: every cycle, at most
 *   EXOPLACE_DEFAULT_MAX_CYCLES of them.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL out or request, filter not
 *   filled by exoplace_cycle_filter_init(), no topology, an unknown tier);
 *   E_TOO_MANY_CYCLES past max_cycles; the statuses of
 *   exoplace_request_parse(); E_NO_MEMORY. Never a placement failure.
 */
EXOPLACE_API exoplace_status exoplace_cycles_json(char **out, const char *request, size_t length,
                                                  const exoplace_cycle_filter *filter, exoplace_error *err);

/**
 * {"ok": true, "layers": [...]} for {"memory": [...], "n_layers": N,
 * "strategy": S}; S defaults to options->strategy. With S "fit" the memory
 * figures are capacities and the request also gives "layer_cost"
 * (exoplace_layers_fit()). A split that gives a node no layers, or with fit
 * more than it holds, is the failure invalid_split.
 * @param[out] out the response: the layers, or for E_INVALID_SPLIT the
 *   failure object; NULL on any other failure (untouched when out or request
 *   is NULL).
 * @param[in] request JSON text, UTF-8; need not be NUL-terminated.
 * @param[in] length bytes of request.
 * @param[in] options NULL for the defaults; only strategy is read.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_SPLIT; E_INVALID_JSON; E_INVALID_ARGUMENT
 *   (NULL out or request, options not filled by exoplace_json_options_init(),
 *   memory missing or empty, n_layers missing or 0, a field of the wrong type
 *   or value); E_LIMIT (size, depth, more than EXOPLACE_MAX_NODES memory
 *   values); E_NO_MEMORY.
 */
EXOPLACE_API exoplace_status exoplace_layers_json(char **out, const char *request, size_t length,
                                                  const exoplace_json_options *options, exoplace_error *err);

/**
 * Frees a string returned by the library (never one from elsewhere).
 * @param[in] ptr the string; NULL is accepted and does nothing.
 */
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
 * @returns as exoplace_probe_memory(); also E_PROBE when no node_id is given
 *   and gethostname() fails or gives a name that is empty or not UTF-8, or
 *   when getifaddrs() fails.
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
 * @param[out] out the JSON text; free with exoplace_free(). NULL on failure
 *   (untouched when result is NULL).
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
