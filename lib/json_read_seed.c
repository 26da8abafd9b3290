/* The seed rule set's request (docs/json.md): exo PR #994's topology of node
 * objects and connection objects, json.md's models and settings. */
#include "json_read.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "request.h"

typedef exoplace__json_path json_path;
typedef exoplace__json_member json_member;

/* Reads the members of the object at *c; `members` is a static table copied
 * into `out` first. */
#define READ_MEMBERS(c, table, out, path, err)                                                           \
    (memcpy((out), (table), sizeof(table)),                                                              \
     exoplace__json_members((c), (out), sizeof(table) / sizeof((table)[0]), EXOPLACE__JSON_IGNORE_UNKNOWN, \
                            (path), (err)))

enum { MEM_TOTAL, MEM_AVAILABLE, MEM_SWAP_TOTAL, MEM_SWAP_AVAILABLE, MEM_PRESSURE, MEM_FREE_PERCENT };
static const json_member memory_members[] = {
    {"ramTotal", "ram_total", 0, {0}, NULL},         {"ramAvailable", "ram_available", 0, {0}, NULL},
    {"swapTotal", "swap_total", 0, {0}, NULL},       {"swapAvailable", "swap_available", 0, {0}, NULL},
    {"pressureLevel", "pressure_level", 0, {0}, NULL}, {"freePercent", "free_percent", 0, {0}, NULL},
};

/* A memory object: ram figures required; swap required by exo-main, optional
 * in a hand-written seed request; the optional pressure extension. */
exoplace_status exoplace__json_read_memory(exoplace_node_memory *memory, exoplace__json_cursor *c, json_path *path,
                                           exoplace_rules rules, exoplace_error *err)
{
    int swap_required = rules == EXOPLACE_RULES_EXO_MAIN;
    json_member m[sizeof memory_members / sizeof memory_members[0]];
    exoplace_status st = READ_MEMBERS(c, memory_members, m, path, err);
    if (st)
        return st;
    exoplace_node_memory_init(memory);
    if ((st = exoplace__json_member_bytes(&memory->ram_total, &m[MEM_TOTAL], rules, path, err)) ||
        (st = exoplace__json_member_bytes(&memory->ram_available, &m[MEM_AVAILABLE], rules, path, err)))
        return st;
    if ((swap_required || m[MEM_SWAP_TOTAL].present) &&
        (st = exoplace__json_member_bytes(&memory->swap_total, &m[MEM_SWAP_TOTAL], rules, path, err)))
        return st;
    if ((swap_required || m[MEM_SWAP_AVAILABLE].present) &&
        (st = exoplace__json_member_bytes(&memory->swap_available, &m[MEM_SWAP_AVAILABLE], rules, path, err)))
        return st;
    if (m[MEM_PRESSURE].present) {
        /* "unreported" is the C default, not a value a request may name. */
        int level;
        static const int values[] = {EXOPLACE_PRESSURE_NORMAL, EXOPLACE_PRESSURE_WARN, EXOPLACE_PRESSURE_CRITICAL};
        static const char *const names[] = {"normal", "warn", "critical"};
        static const exoplace__enum_info reported = {3, values, names};
        if ((st = exoplace__json_member_enum(&level, &m[MEM_PRESSURE], &reported, path, err)))
            return st;
        memory->pressure_level = (exoplace_pressure_level)level;
    }
    if (m[MEM_FREE_PERCENT].present) {
        uint32_t percent;
        if ((st = exoplace__json_member_u32(&percent, &m[MEM_FREE_PERCENT], 0, 100, path, err)))
            return st;
        memory->free_percent = (int32_t)percent;
    }
    return EXOPLACE_OK;
}

enum { IFACE_NAME, IFACE_ADDRESS };
static const json_member interface_members[] = {
    {"name", NULL, 0, {0}, NULL},
    {"ipAddress", "ip_address", 0, {0}, NULL},
};

static exoplace_status read_interfaces(exoplace_topology *topology, const char *node_id, exoplace__json_cursor *c,
                                       json_path *path, exoplace_error *err)
{
    exoplace_status st = exoplace__json_expect(c, EXOPLACE__JSON_ARRAY, "an array", path, err);
    if (st)
        return st;
    exoplace__json_enter(c);
    for (size_t i = 0; st == EXOPLACE_OK && exoplace__json_next_element(c); i++) {
        size_t mark = exoplace__json_path_push_index(path, i);
        json_member m[2];
        char *name = NULL, *address = NULL;
        st = READ_MEMBERS(c, interface_members, m, path, err);
        if (st == EXOPLACE_OK)
            st = exoplace__json_member_text(&name, &m[IFACE_NAME], EXOPLACE_MAX_ID_BYTES, 0, path, err);
        if (st == EXOPLACE_OK)
            st = exoplace__json_member_text(&address, &m[IFACE_ADDRESS], EXOPLACE_MAX_ID_BYTES, 0, path, err);
        if (st == EXOPLACE_OK) {
            exoplace_error sub;
            if (exoplace_topology_add_interface(topology, node_id, name, address, EXOPLACE_INTERFACE_UNKNOWN, &sub))
                st = exoplace__json_forward(err, path, &sub);
        }
        free(name);
        free(address);
        exoplace__json_path_pop(path, mark);
    }
    return st;
}

enum { NODE_ID, NODE_PROFILE };
static const json_member node_members[] = {
    {"nodeId", "node_id", 0, {0}, NULL},
    {"nodeProfile", "node_profile", 0, {0}, NULL},
};
enum { PROFILE_MEMORY, PROFILE_INTERFACES };
static const json_member profile_members[] = {
    {"memory", NULL, 0, {0}, NULL},
    {"networkInterfaces", "network_interfaces", 0, {0}, NULL},
};

static exoplace_status read_node(exoplace_topology *topology, exoplace__json_cursor *c, json_path *path,
                                 exoplace_error *err)
{
    json_member m[2], profile[2];
    exoplace_status st = READ_MEMBERS(c, node_members, m, path, err);
    char *node_id = NULL;
    if (st == EXOPLACE_OK)
        st = exoplace__json_member_text(&node_id, &m[NODE_ID], EXOPLACE_MAX_ID_BYTES, 0, path, err);
    exoplace_node_memory memory;
    int has_profile = st == EXOPLACE_OK && m[NODE_PROFILE].present;
    if (has_profile) {
        size_t mark = exoplace__json_path_push_member(path, &m[NODE_PROFILE]);
        exoplace__json_cursor value = m[NODE_PROFILE].value;
        st = READ_MEMBERS(&value, profile_members, profile, path, err);
        if (st == EXOPLACE_OK) {
            size_t memory_mark = exoplace__json_path_push_member(path, &profile[PROFILE_MEMORY]);
            exoplace__json_cursor memory_value = profile[PROFILE_MEMORY].value;
            st = profile[PROFILE_MEMORY].present
                     ? exoplace__json_read_memory(&memory, &memory_value, path, EXOPLACE_RULES_SEED, err)
                     : exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "missing");
            exoplace__json_path_pop(path, memory_mark);
        }
        exoplace__json_path_pop(path, mark);
    }
    if (st == EXOPLACE_OK) {
        exoplace_error sub;
        if (exoplace_topology_add_node(topology, node_id, has_profile ? &memory : NULL, &sub)) {
            size_t mark = exoplace__json_path_push_member(path, &m[NODE_ID]);
            st = exoplace__json_forward(err, path, &sub);
            exoplace__json_path_pop(path, mark);
        }
    }
    if (st == EXOPLACE_OK && has_profile && profile[PROFILE_INTERFACES].present) {
        size_t mark = exoplace__json_path_push_member(path, &m[NODE_PROFILE]);
        exoplace__json_path_push_member(path, &profile[PROFILE_INTERFACES]);
        exoplace__json_cursor value = profile[PROFILE_INTERFACES].value;
        st = read_interfaces(topology, node_id, &value, path, err);
        exoplace__json_path_pop(path, mark);
    }
    free(node_id);
    return st;
}

enum { CONNECTION_FROM, CONNECTION_TO, CONNECTION_ADDRESS };
static const json_member connection_members[] = {
    {"localNodeId", "local_node_id", 0, {0}, NULL},
    {"sendBackNodeId", "send_back_node_id", 0, {0}, NULL},
    {"sendBackMultiaddr", "send_back_multiaddr", 0, {0}, NULL},
};

/* exo writes a multiaddr as {"address": "/ip4/..."}; a bare string is accepted too. */
static exoplace_status read_multiaddr(char **out, exoplace__json_cursor *c, json_path *path, exoplace_error *err)
{
    if (exoplace__json_kind_at(c) != EXOPLACE__JSON_OBJECT)
        return exoplace__json_read_text(out, c, EXOPLACE_MAX_ID_BYTES, 0, path, err);
    json_member address = {"address", NULL, 0, {0}, NULL};
    exoplace_status st = exoplace__json_members(c, &address, 1, EXOPLACE__JSON_IGNORE_UNKNOWN, path, err);
    if (st == EXOPLACE_OK)
        st = exoplace__json_member_text(out, &address, EXOPLACE_MAX_ID_BYTES, 0, path, err);
    if (st == EXOPLACE_OK)
        exoplace__json_path_push_key(path, "address"); /* where a refused address is */
    return st;
}

static exoplace_status read_connection(exoplace_topology *topology, exoplace__json_cursor *c, json_path *path,
                                       exoplace_error *err)
{
    json_member m[3];
    char *from = NULL, *to = NULL, *multiaddr = NULL;
    exoplace_status st = READ_MEMBERS(c, connection_members, m, path, err);
    if (st == EXOPLACE_OK)
        st = exoplace__json_member_text(&from, &m[CONNECTION_FROM], EXOPLACE_MAX_ID_BYTES, 0, path, err);
    if (st == EXOPLACE_OK)
        st = exoplace__json_member_text(&to, &m[CONNECTION_TO], EXOPLACE_MAX_ID_BYTES, 0, path, err);
    if (st == EXOPLACE_OK) {
        size_t mark = exoplace__json_path_push_member(path, &m[CONNECTION_ADDRESS]);
        exoplace__json_cursor value = m[CONNECTION_ADDRESS].value;
        st = m[CONNECTION_ADDRESS].present ? read_multiaddr(&multiaddr, &value, path, err)
                                           : exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "missing");
        if (st == EXOPLACE_OK) {
            exoplace_error sub;
            if (exoplace_topology_add_connection(topology, from, to, multiaddr, &sub))
                st = exoplace__json_forward(err, path, &sub);
        }
        exoplace__json_path_pop(path, mark);
    }
    free(from);
    free(to);
    free(multiaddr);
    return st;
}

/* An array whose elements `read_item` reads, each with its index on the path. */
static exoplace_status read_list(exoplace_topology *topology, const json_member *member, json_path *path,
                                 exoplace_status (*read_item)(exoplace_topology *, exoplace__json_cursor *,
                                                              json_path *, exoplace_error *),
                                 exoplace_error *err)
{
    if (!member->present)
        return EXOPLACE_OK;
    size_t mark = exoplace__json_path_push_member(path, member);
    exoplace__json_cursor c = member->value;
    exoplace_status st = exoplace__json_expect(&c, EXOPLACE__JSON_ARRAY, "an array", path, err);
    if (st == EXOPLACE_OK) {
        exoplace__json_enter(&c);
        for (size_t i = 0; st == EXOPLACE_OK && exoplace__json_next_element(&c); i++) {
            size_t item_mark = exoplace__json_path_push_index(path, i);
            st = read_item(topology, &c, path, err);
            exoplace__json_path_pop(path, item_mark);
        }
    }
    exoplace__json_path_pop(path, mark);
    return st;
}

enum { TOPOLOGY_NODES, TOPOLOGY_CONNECTIONS };
static const json_member topology_members[] = {
    {"nodes", NULL, 0, {0}, NULL},
    {"connections", NULL, 0, {0}, NULL},
};

static exoplace_status read_topology(exoplace_topology *topology, exoplace__json_cursor *c, json_path *path,
                                     exoplace_error *err)
{
    json_member m[2];
    exoplace_status st = READ_MEMBERS(c, topology_members, m, path, err);
    /* Nodes first: a connection to an id not yet seen would add it without a profile. */
    if (st == EXOPLACE_OK)
        st = read_list(topology, &m[TOPOLOGY_NODES], path, read_node, err);
    if (st == EXOPLACE_OK)
        st = read_list(topology, &m[TOPOLOGY_CONNECTIONS], path, read_connection, err);
    return st;
}

enum { MODEL_ID, MODEL_SIZE, MODEL_LAYERS, MODEL_HIDDEN, MODEL_TENSOR, MODEL_KV, MODEL_KV_PER_TOKEN, MODEL_CONTEXT };
static const json_member model_members[] = {
    {"modelId", "model_id", 0, {0}, NULL},         {"storageSize", "storage_size", 0, {0}, NULL},
    {"nLayers", "n_layers", 0, {0}, NULL},         {"hiddenSize", "hidden_size", 0, {0}, NULL},
    {"supportsTensor", "supports_tensor", 0, {0}, NULL},
    {"kvCacheBytesPerLayer", "kv_cache_bytes_per_layer", 0, {0}, NULL},
    {"kvBytesPerTokenPerLayer", "kv_bytes_per_token_per_layer", 0, {0}, NULL},
    {"contextLength", "context_length", 0, {0}, NULL},
};

/* A layer's KV cache: kvCacheBytesPerLayer, or kvBytesPerTokenPerLayer x
 * contextLength multiplied exactly (json.md). contextLength alone is a fact
 * about the model that placement does not read. */
static exoplace_status read_kv_cache(uint64_t *out, const json_member *m, json_path *path, exoplace_error *err)
{
    const json_member *whole = &m[MODEL_KV], *per_token = &m[MODEL_KV_PER_TOKEN], *context = &m[MODEL_CONTEXT];
    if (whole->present && per_token->present) {
        size_t mark = exoplace__json_path_push_member(path, whole);
        exoplace_status st = exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path,
                                                 "give %s or %s with %s, not both", whole->spelled,
                                                 per_token->spelled, context->spelled);
        exoplace__json_path_pop(path, mark);
        return st;
    }
    if (whole->present)
        return exoplace__json_member_bytes(out, whole, EXOPLACE_RULES_SEED, path, err);
    if (!per_token->present)
        return EXOPLACE_OK;
    uint64_t bytes_per_token, tokens;
    exoplace_status st = exoplace__json_member_u64(&bytes_per_token, per_token, path, err);
    if (st == EXOPLACE_OK && !context->present) {
        size_t mark = exoplace__json_path_push_member(path, context);
        st = exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "missing (%s needs it)", per_token->spelled);
        exoplace__json_path_pop(path, mark);
    }
    if (st == EXOPLACE_OK)
        st = exoplace__json_member_u64(&tokens, context, path, err);
    if (st)
        return st;
    if (tokens != 0 && bytes_per_token > UINT64_MAX / tokens) {
        size_t mark = exoplace__json_path_push_member(path, per_token);
        st = exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "%s x %s = %llu x %llu exceeds 2^64-1",
                                 per_token->spelled, context->spelled, (unsigned long long)bytes_per_token,
                                 (unsigned long long)tokens);
        exoplace__json_path_pop(path, mark);
        return st;
    }
    *out = bytes_per_token * tokens;
    return EXOPLACE_OK;
}

exoplace_status exoplace__json_read_seed_model(exoplace_request *request, int as_the_model, exoplace__json_cursor *c,
                                               json_path *path, exoplace_error *err)
{
    json_member m[sizeof model_members / sizeof model_members[0]];
    exoplace_status st = READ_MEMBERS(c, model_members, m, path, err);
    if (st)
        return st;
    exoplace_model model;
    exoplace_model_init(&model);
    char *model_id = NULL;
    st = exoplace__json_member_text(&model_id, &m[MODEL_ID], EXOPLACE_MAX_ID_BYTES, 0, path, err);
    model.model_id = model_id;
    if (st == EXOPLACE_OK)
        st = exoplace__json_member_bytes(&model.storage_size, &m[MODEL_SIZE], EXOPLACE_RULES_SEED, path, err);
    if (st == EXOPLACE_OK)
        st = exoplace__json_member_u32(&model.n_layers, &m[MODEL_LAYERS], 1, UINT32_MAX, path, err);
    if (st == EXOPLACE_OK && m[MODEL_HIDDEN].present)
        st = exoplace__json_member_u32(&model.hidden_size, &m[MODEL_HIDDEN], 1, UINT32_MAX, path, err);
    if (st == EXOPLACE_OK && m[MODEL_TENSOR].present)
        st = exoplace__json_member_bool(&model.supports_tensor, &m[MODEL_TENSOR], path, err);
    if (st == EXOPLACE_OK)
        st = read_kv_cache(&model.kv_cache_bytes_per_layer, m, path, err);
    if (st == EXOPLACE_OK)
        st = as_the_model ? exoplace__request_set_model(request, &model, err)
                          : exoplace__request_add_model(NULL, request, &model, err);
    free(model_id);
    return st;
}

/* "model" and "models" of a request, by `read_model` (seed or exo-main). */
exoplace_status exoplace__json_read_models(exoplace_request *request, exoplace__json_member *top, json_path *path,
                                           exoplace__json_model_reader read_model, exoplace_error *err)
{
    exoplace_status st = EXOPLACE_OK;
    const json_member *one = &top[EXOPLACE__TOP_MODEL], *list = &top[EXOPLACE__TOP_MODELS];
    if (one->present) {
        size_t mark = exoplace__json_path_push_member(path, one);
        exoplace__json_cursor c = one->value;
        st = read_model(request, 1, &c, path, err);
        exoplace__json_path_pop(path, mark);
    }
    if (st || !list->present)
        return st;
    size_t mark = exoplace__json_path_push_member(path, list);
    exoplace__json_cursor c = list->value;
    st = exoplace__json_expect(&c, EXOPLACE__JSON_ARRAY, "an array", path, err);
    if (st == EXOPLACE_OK) {
        exoplace__json_enter(&c);
        for (size_t i = 0; st == EXOPLACE_OK && exoplace__json_next_element(&c); i++) {
            size_t item_mark = exoplace__json_path_push_index(path, i);
            st = read_model(request, 0, &c, path, err);
            exoplace__json_path_pop(path, item_mark);
        }
    }
    exoplace__json_path_pop(path, mark);
    return st;
}

/* sharding, instance_meta, min_nodes and reserve_bytes, shared by both rule
 * sets (exo-main refuses a reserve when it places: exo-main.md keeps exo's
 * memory check). */
exoplace_status exoplace__json_read_settings(exoplace_place_options *options, exoplace__json_member *top,
                                             json_path *path, exoplace_error *err)
{
    exoplace_status st = EXOPLACE_OK;
    int value;
    if (top[EXOPLACE__TOP_SHARDING].present &&
        !(st = exoplace__json_member_enum(&value, &top[EXOPLACE__TOP_SHARDING], &exoplace__sharding_info, path, err)))
        options->sharding = (exoplace_sharding)value;
    if (st == EXOPLACE_OK && top[EXOPLACE__TOP_INSTANCE_META].present &&
        !(st = exoplace__json_member_enum(&value, &top[EXOPLACE__TOP_INSTANCE_META], &exoplace__instance_meta_info,
                                          path, err)))
        options->instance_meta = (exoplace_instance_meta)value;
    if (st == EXOPLACE_OK && top[EXOPLACE__TOP_MIN_NODES].present)
        st = exoplace__json_member_u32(&options->min_nodes, &top[EXOPLACE__TOP_MIN_NODES], 1, UINT32_MAX, path, err);
    if (st == EXOPLACE_OK && top[EXOPLACE__TOP_RESERVE_BYTES].present)
        st = exoplace__json_member_bytes(&options->reserve_bytes, &top[EXOPLACE__TOP_RESERVE_BYTES], EXOPLACE_RULES_SEED,
                                         path, err);
    return st;
}

exoplace_status exoplace__json_read_seed(exoplace_request *request, exoplace__json_member *top, json_path *path,
                                         exoplace_error *err)
{
    exoplace_status st = EXOPLACE_OK;
    if (top[EXOPLACE__TOP_TOPOLOGY].present) {
        size_t mark = exoplace__json_path_push_member(path, &top[EXOPLACE__TOP_TOPOLOGY]);
        exoplace__json_cursor c = top[EXOPLACE__TOP_TOPOLOGY].value;
        st = read_topology(request->topology, &c, path, err);
        exoplace__json_path_pop(path, mark);
        request->has_topology = st == EXOPLACE_OK;
    } else if (top[EXOPLACE__TOP_NODES].present) {
        /* A bare topology: {"nodes": [...], "connections": [...]} (the cycles verb). */
        st = read_list(request->topology, &top[EXOPLACE__TOP_NODES], path, read_node, err);
        if (st == EXOPLACE_OK)
            st = read_list(request->topology, &top[EXOPLACE__TOP_CONNECTIONS], path, read_connection, err);
        request->has_topology = st == EXOPLACE_OK;
    }
    if (st == EXOPLACE_OK)
        st = exoplace__json_read_models(request, top, path, exoplace__json_read_seed_model, err);
    exoplace_place_options *options = &request->options;
    if (st == EXOPLACE_OK)
        st = exoplace__json_read_settings(options, top, path, err);
    int allow_low_memory = 0;
    if (st == EXOPLACE_OK && top[EXOPLACE__TOP_ALLOW_LOW_MEMORY].present)
        st = exoplace__json_member_bool(&allow_low_memory, &top[EXOPLACE__TOP_ALLOW_LOW_MEMORY], path, err);
    /* exo's allow_low_memory is the total tier (placement.md section 7). */
    options->memory_tier = allow_low_memory ? EXOPLACE_TIER_TOTAL : EXOPLACE_TIER_AVAILABLE;
    int strategy;
    if (st == EXOPLACE_OK && top[EXOPLACE__TOP_STRATEGY].present &&
        !(st = exoplace__json_member_enum(&strategy, &top[EXOPLACE__TOP_STRATEGY], &exoplace__layer_strategy_info,
                                          path, err)))
        options->strategy = (exoplace_layer_strategy)strategy;
    return st;
}
