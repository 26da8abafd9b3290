/* The JSON boundary (json.md): exo's wire format in, snake_case responses out.
 *
 * A request is read into the same objects a C caller builds (a topology from
 * exoplace_topology_add_*, exoplace_model, exoplace_place_options) and handed
 * to the same entry points; nothing here places anything itself. */
#include <jansson.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "cycles.h"
#include "error.h"
#include "json_read.h"
#include "json_write.h"
#include "place.h"
#include "sort.h"

typedef exoplace__json_path json_path;

/* ---- reading a request ------------------------------------------------------ */

typedef struct parsed_request {
    json_t *doc;
    exoplace_topology *topology;
    exoplace_model *models; /* ids borrowed from doc */
    size_t n_models;
    exoplace_place_options place;
} parsed_request;

static void request_dispose(parsed_request *req)
{
    exoplace_topology_free(req->topology);
    free(req->models);
    json_decref(req->doc);
    memset(req, 0, sizeof *req);
}

/* Forwards a failure of a C API call, putting the JSON path in front of its
 * problem text (the call's own "field: " prefix is dropped). */
static exoplace_status forward(exoplace_error *err, exoplace_status status, const json_path *path,
                               const exoplace_error *sub)
{
    if (status == EXOPLACE_E_NO_MEMORY)
        return exoplace__fail_no_memory(err);
    const char *problem = sub->message;
    size_t field_len = strlen(sub->field);
    if (field_len && strncmp(problem, sub->field, field_len) == 0 && strncmp(problem + field_len, ": ", 2) == 0)
        problem += field_len + 2;
    return exoplace__json_fail(err, status, path, "%s", problem);
}

/* Runs body with `value` bound to member camel (or snake) of object, NULL
 * when absent, and the path extended by the spelling found (or camel). */
#define WITH_MEMBER(path, object, camel, snake, value, body)                       \
    do {                                                                           \
        const char *spelled_;                                                      \
        const json_t *value = exoplace__json_member(object, camel, snake, &spelled_); \
        size_t mark_ = exoplace__json_path_push_key(path, spelled_);                \
        body;                                                                      \
        exoplace__json_path_pop(path, mark_);                                      \
    } while (0)

static exoplace_status expect_object(const json_t *value, const json_path *path, exoplace_error *err)
{
    if (json_is_object(value))
        return EXOPLACE_OK;
    return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, value ? "expected an object" : "missing");
}

/* An optional array: absent gives *n_out 0. */
static exoplace_status optional_array(const json_t *value, size_t *n_out, const json_path *path,
                                      exoplace_error *err)
{
    *n_out = 0;
    if (!value)
        return EXOPLACE_OK;
    if (!json_is_array(value))
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "expected an array");
    *n_out = json_array_size(value);
    return EXOPLACE_OK;
}

static exoplace_status id_text(const char **out, const json_t *value, const json_path *path, exoplace_error *err)
{
    exoplace_status st = exoplace__json_text(out, value, path, err);
    if (st == EXOPLACE_OK && strlen(*out) > EXOPLACE_MAX_ID_BYTES)
        st = exoplace__json_fail(err, EXOPLACE_E_LIMIT, path, "longer than %d bytes", EXOPLACE_MAX_ID_BYTES);
    return st;
}

/* Reads a string that must be one of `names` (names[i] stands for value
 * first + i); the error lists them. */
static exoplace_status read_name(int *out, const json_t *value, const json_path *path, const char *const *names,
                                 int first, int count, exoplace_error *err)
{
    const char *text;
    exoplace_status st = exoplace__json_text(&text, value, path, err);
    if (st)
        return st;
    char expected[128] = "";
    for (int i = 0; i < count; i++) {
        if (strcmp(text, names[i]) == 0) {
            *out = first + i;
            return EXOPLACE_OK;
        }
        size_t used = strlen(expected);
        snprintf(expected + used, sizeof expected - used, "%s%s", i == 0 ? "" : i + 1 == count ? " or " : ", ",
                 names[i]);
    }
    return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "unknown value \"%s\" (expected %s)", text,
                               expected);
}

/* A reader per enum, over its COUNT consecutive values from FIRST, named
 * by the library's own name function. */
#define ENUM_READER(reader, type, name_of, first, count)                                                    \
    static exoplace_status reader(type *out, const json_t *value, const json_path *path, exoplace_error *err) \
    {                                                                                                       \
        const char *names[count];                                                                           \
        for (int i = 0; i < (count); i++)                                                                   \
            names[i] = name_of((type)((first) + i));                                                        \
        int index = 0;                                                                                      \
        exoplace_status st = read_name(&index, value, path, names, (first), (count), err);                 \
        if (st == EXOPLACE_OK)                                                                              \
            *out = (type)index;                                                                             \
        return st;                                                                                          \
    }

ENUM_READER(read_pressure_level, exoplace_pressure_level, exoplace_pressure_level_name, EXOPLACE_PRESSURE_NORMAL, 3)
ENUM_READER(read_sharding, exoplace_sharding, exoplace_sharding_name, EXOPLACE_SHARDING_PIPELINE, 2)
ENUM_READER(read_instance_meta, exoplace_instance_meta, exoplace_instance_meta_name, EXOPLACE_INSTANCE_MLX_RING, 2)
ENUM_READER(read_strategy, exoplace_layer_strategy, exoplace_layer_strategy_name, EXOPLACE_LAYERS_LARGEST_REMAINDER,
            2)

static exoplace_status read_memory(exoplace_node_memory *memory, const json_t *object, json_path *path,
                                   exoplace_error *err)
{
    exoplace_status st = expect_object(object, path, err);
    if (st)
        return st;
    exoplace_node_memory_init(memory);
    WITH_MEMBER(path, object, "ramTotal", "ram_total", v, st = exoplace__json_bytes(&memory->ram_total, v, path, err));
    if (st)
        return st;
    WITH_MEMBER(path, object, "ramAvailable", "ram_available", v,
                st = exoplace__json_bytes(&memory->ram_available, v, path, err));
    if (st)
        return st;
    /* exo always sends swap; a hand-written request may leave it out. */
    WITH_MEMBER(path, object, "swapTotal", "swap_total", v,
                st = v ? exoplace__json_bytes(&memory->swap_total, v, path, err) : EXOPLACE_OK);
    if (st)
        return st;
    WITH_MEMBER(path, object, "swapAvailable", "swap_available", v,
                st = v ? exoplace__json_bytes(&memory->swap_available, v, path, err) : EXOPLACE_OK);
    if (st)
        return st;
    WITH_MEMBER(path, object, "pressureLevel", "pressure_level", v,
                st = v ? read_pressure_level(&memory->pressure_level, v, path, err) : EXOPLACE_OK);
    if (st)
        return st;
    uint32_t free_percent = 0;
    const json_t *reported = NULL;
    WITH_MEMBER(path, object, "freePercent", "free_percent", v, {
        reported = v;
        st = v ? exoplace__json_u32_range(&free_percent, v, 0, 100, path, err) : EXOPLACE_OK;
    });
    if (st == EXOPLACE_OK && reported)
        memory->free_percent = (int32_t)free_percent;
    return st;
}

static exoplace_status read_interfaces(exoplace_topology *topology, const char *node_id, const json_t *list,
                                       json_path *path, exoplace_error *err)
{
    size_t n;
    exoplace_status st = optional_array(list, &n, path, err);
    for (size_t i = 0; st == EXOPLACE_OK && i < n; i++) {
        const json_t *item = json_array_get(list, i);
        size_t mark = exoplace__json_path_push_index(path, i);
        const char *name = NULL, *address = NULL;
        st = expect_object(item, path, err);
        if (st == EXOPLACE_OK)
            WITH_MEMBER(path, item, "name", NULL, v, st = exoplace__json_text(&name, v, path, err));
        if (st == EXOPLACE_OK)
            WITH_MEMBER(path, item, "ipAddress", "ip_address", v, st = exoplace__json_text(&address, v, path, err));
        if (st == EXOPLACE_OK) {
            exoplace_error sub;
            st = exoplace_topology_add_interface(topology, node_id, name, address, EXOPLACE_INTERFACE_UNKNOWN, &sub);
            if (st)
                forward(err, st, path, &sub);
        }
        exoplace__json_path_pop(path, mark);
    }
    return st;
}

static exoplace_status read_node(exoplace_topology *topology, const json_t *node, json_path *path,
                                 exoplace_error *err)
{
    exoplace_status st = expect_object(node, path, err);
    if (st)
        return st;
    const char *node_id = NULL;
    WITH_MEMBER(path, node, "nodeId", "node_id", v, st = id_text(&node_id, v, path, err));
    if (st)
        return st;

    const char *profile_key;
    const json_t *profile = exoplace__json_member(node, "nodeProfile", "node_profile", &profile_key);
    exoplace_node_memory memory;
    size_t mark = exoplace__json_path_push_key(path, profile_key);
    if (profile) {
        st = expect_object(profile, path, err);
        if (st == EXOPLACE_OK)
            WITH_MEMBER(path, profile, "memory", NULL, v, st = read_memory(&memory, v, path, err));
    }
    exoplace__json_path_pop(path, mark);
    if (st)
        return st;

    exoplace_error sub;
    st = exoplace_topology_add_node(topology, node_id, profile ? &memory : NULL, &sub);
    if (st) {
        /* Only the id can be wrong here: the profile was checked above. */
        WITH_MEMBER(path, node, "nodeId", "node_id", v, (void)v; forward(err, st, path, &sub));
        return st;
    }
    if (profile) {
        mark = exoplace__json_path_push_key(path, profile_key);
        WITH_MEMBER(path, profile, "networkInterfaces", "network_interfaces", v,
                    st = read_interfaces(topology, node_id, v, path, err));
        exoplace__json_path_pop(path, mark);
    }
    return st;
}

/* exo writes a multiaddr as {"address": "/ip4/..."}; a bare string is accepted too. */
static exoplace_status read_multiaddr(const char **out, const json_t *value, json_path *path, exoplace_error *err)
{
    exoplace_status st;
    if (json_is_object(value))
        WITH_MEMBER(path, value, "address", NULL, v, st = exoplace__json_text(out, v, path, err));
    else
        st = exoplace__json_text(out, value, path, err);
    if (st)
        return st;
    exoplace_multiaddr parsed;
    exoplace_error sub;
    st = exoplace_multiaddr_parse(&parsed, *out, &sub);
    if (st) {
        if (json_is_object(value))
            WITH_MEMBER(path, value, "address", NULL, v, (void)v; forward(err, st, path, &sub));
        else
            forward(err, st, path, &sub);
    }
    return st;
}

static exoplace_status read_connection(exoplace_topology *topology, const json_t *connection, json_path *path,
                                       exoplace_error *err)
{
    exoplace_status st = expect_object(connection, path, err);
    const char *from = NULL, *to = NULL, *multiaddr = NULL;
    if (st == EXOPLACE_OK)
        WITH_MEMBER(path, connection, "localNodeId", "local_node_id", v, st = id_text(&from, v, path, err));
    if (st == EXOPLACE_OK)
        WITH_MEMBER(path, connection, "sendBackNodeId", "send_back_node_id", v, st = id_text(&to, v, path, err));
    if (st == EXOPLACE_OK)
        WITH_MEMBER(path, connection, "sendBackMultiaddr", "send_back_multiaddr", v,
                    st = read_multiaddr(&multiaddr, v, path, err));
    if (st)
        return st;
    exoplace_error sub;
    st = exoplace_topology_add_connection(topology, from, to, multiaddr, &sub);
    return st ? forward(err, st, path, &sub) : EXOPLACE_OK;
}

static exoplace_status read_topology(exoplace_topology **out, const json_t *object, json_path *path,
                                     exoplace_error *err)
{
    exoplace_status st = expect_object(object, path, err);
    if (st)
        return st;
    const json_t *nodes = NULL, *connections = NULL;
    size_t n_nodes = 0, n_connections = 0;
    WITH_MEMBER(path, object, "nodes", NULL, v, nodes = v; st = optional_array(v, &n_nodes, path, err));
    if (st == EXOPLACE_OK)
        WITH_MEMBER(path, object, "connections", NULL, v,
                    connections = v; st = optional_array(v, &n_connections, path, err));
    if (st)
        return st;
    if (n_nodes > EXOPLACE_MAX_NODES)
        WITH_MEMBER(path, object, "nodes", NULL, v, (void)v;
                    st = exoplace__json_fail(err, EXOPLACE_E_LIMIT, path, "more than %d nodes", EXOPLACE_MAX_NODES));
    if (st)
        return st;

    exoplace_error sub;
    st = exoplace_topology_new(out, &sub);
    if (st)
        return exoplace__fail_no_memory(err);
    /* Nodes first: a connection to an id not yet seen would add it without a profile. */
    for (size_t i = 0; st == EXOPLACE_OK && i < n_nodes; i++) {
        size_t mark = exoplace__json_path_push_key(path, "nodes");
        exoplace__json_path_push_index(path, i);
        st = read_node(*out, json_array_get(nodes, i), path, err);
        exoplace__json_path_pop(path, mark);
    }
    for (size_t i = 0; st == EXOPLACE_OK && i < n_connections; i++) {
        size_t mark = exoplace__json_path_push_key(path, "connections");
        exoplace__json_path_push_index(path, i);
        st = read_connection(*out, json_array_get(connections, i), path, err);
        exoplace__json_path_pop(path, mark);
    }
    if (st) {
        exoplace_topology_free(*out);
        *out = NULL;
    }
    return st;
}

static exoplace_status read_model(exoplace_model *model, const json_t *object, json_path *path,
                                  exoplace_error *err)
{
    exoplace_status st = expect_object(object, path, err);
    if (st)
        return st;
    exoplace_model_init(model);
    WITH_MEMBER(path, object, "modelId", "model_id", v, st = id_text(&model->model_id, v, path, err));
    if (st == EXOPLACE_OK)
        WITH_MEMBER(path, object, "storageSize", "storage_size", v,
                    st = exoplace__json_bytes(&model->storage_size, v, path, err));
    if (st == EXOPLACE_OK)
        WITH_MEMBER(path, object, "nLayers", "n_layers", v,
                    st = exoplace__json_u32_range(&model->n_layers, v, 1, UINT32_MAX, path, err));
    if (st == EXOPLACE_OK)
        WITH_MEMBER(path, object, "hiddenSize", "hidden_size", v,
                    st = v ? exoplace__json_u32_range(&model->hidden_size, v, 1, UINT32_MAX, path, err)
                           : EXOPLACE_OK);
    if (st == EXOPLACE_OK)
        WITH_MEMBER(path, object, "supportsTensor", "supports_tensor", v,
                    st = v ? exoplace__json_bool(&model->supports_tensor, v, path, err) : EXOPLACE_OK);
    return st;
}

/* "model": {...}, or with allow_list "models": [...] instead. */
static exoplace_status read_models(parsed_request *req, const json_t *root, int allow_list, json_path *path,
                                   exoplace_error *err)
{
    exoplace_status st = EXOPLACE_OK;
    const json_t *list = allow_list ? exoplace__json_member(root, "models", NULL, NULL) : NULL;
    if (!list) {
        req->models = malloc(sizeof *req->models);
        if (!req->models)
            return exoplace__fail_no_memory(err);
        req->n_models = 1;
        WITH_MEMBER(path, root, "model", NULL, v, st = read_model(&req->models[0], v, path, err));
        return st;
    }
    size_t mark = exoplace__json_path_push_key(path, "models");
    size_t n = 0;
    st = optional_array(list, &n, path, err);
    if (st == EXOPLACE_OK && n) {
        req->models = calloc(n, sizeof *req->models);
        if (!req->models)
            st = exoplace__fail_no_memory(err);
    }
    for (size_t i = 0; st == EXOPLACE_OK && i < n; i++) {
        size_t item_mark = exoplace__json_path_push_index(path, i);
        st = read_model(&req->models[i], json_array_get(list, i), path, err);
        exoplace__json_path_pop(path, item_mark);
        req->n_models = i + 1;
    }
    exoplace__json_path_pop(path, mark);
    return st;
}

/* The host's options, then the request's own settings on top. */
static exoplace_status read_settings(exoplace_place_options *place, const json_t *root,
                                     const exoplace_json_options *options, json_path *path, exoplace_error *err)
{
    exoplace_place_options_init(place);
    place->strategy = options->strategy;
    place->no_fallback = options->no_fallback;
    place->allow_swap = options->allow_swap;
    place->max_search_steps = options->max_search_steps;

    exoplace_status st = EXOPLACE_OK;
    int allow_low_memory = 0;
    WITH_MEMBER(path, root, "sharding", NULL, v, st = v ? read_sharding(&place->sharding, v, path, err) : st);
    if (st == EXOPLACE_OK)
        WITH_MEMBER(path, root, "instanceMeta", "instance_meta", v,
                    st = v ? read_instance_meta(&place->instance_meta, v, path, err) : st);
    if (st == EXOPLACE_OK)
        WITH_MEMBER(path, root, "minNodes", "min_nodes", v,
                    st = v ? exoplace__json_u32_range(&place->min_nodes, v, 1, UINT32_MAX, path, err) : st);
    if (st == EXOPLACE_OK)
        WITH_MEMBER(path, root, "allowLowMemory", "allow_low_memory", v,
                    st = v ? exoplace__json_bool(&allow_low_memory, v, path, err) : st);
    if (st == EXOPLACE_OK)
        WITH_MEMBER(path, root, "strategy", NULL, v, st = v ? read_strategy(&place->strategy, v, path, err) : st);
    /* exo's allow_low_memory is the total tier (placement.md section 7). */
    place->memory_tier = allow_low_memory ? EXOPLACE_TIER_TOTAL : EXOPLACE_TIER_AVAILABLE;
    return st;
}

static exoplace_status check_arguments(char **out, const char *text, const exoplace_json_options *options,
                                       exoplace_json_options *resolved, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !text)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "out and request must not be NULL");
    *out = NULL;
    if (options && options->struct_size != sizeof *options)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "options.struct_size",
                              "options.struct_size: fill the options with exoplace_json_options_init()");
    if (options)
        *resolved = *options;
    else
        exoplace_json_options_init(resolved);
    return EXOPLACE_OK;
}

enum request_parts {
    NEED_TOPOLOGY = 1,
    BARE_TOPOLOGY_OK = 2, /* the request may be the topology object itself */
    NEED_MODELS = 4,    /* "models" or "model" */
    NEED_ONE_MODEL = 8, /* "model" */
    NEED_SETTINGS = 16
};

static exoplace_status read_request(parsed_request *req, const char *text, const exoplace_json_options *options,
                                    unsigned parts, exoplace_error *err)
{
    memset(req, 0, sizeof *req);
    exoplace_status st = exoplace__json_load(&req->doc, text, err);
    if (st)
        return st;
    json_path path;
    exoplace__json_path_init(&path);
    if (!json_is_object(req->doc))
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, &path, "expected an object");
    if (parts & NEED_TOPOLOGY) {
        const json_t *topology = exoplace__json_member(req->doc, "topology", NULL, NULL);
        if (!topology && (parts & BARE_TOPOLOGY_OK) && json_object_get(req->doc, "nodes"))
            st = read_topology(&req->topology, req->doc, &path, err);
        else
            WITH_MEMBER(&path, req->doc, "topology", NULL, v, st = read_topology(&req->topology, v, &path, err));
    }
    if (st == EXOPLACE_OK && (parts & (NEED_ONE_MODEL | NEED_MODELS)))
        st = read_models(req, req->doc, (parts & NEED_MODELS) != 0, &path, err);
    if (st == EXOPLACE_OK && (parts & NEED_SETTINGS))
        st = read_settings(&req->place, req->doc, options, &path, err);
    return st;
}

/* ---- writing responses ------------------------------------------------------ */

static void write_failure(exoplace__json_writer *w, exoplace_status status, const exoplace_error *error)
{
    exoplace__jw_begin_object(w);
    exoplace__jw_key(w, "ok");
    exoplace__jw_bool(w, 0);
    exoplace__jw_key(w, "code");
    exoplace__jw_string(w, exoplace_status_name(status));
    exoplace__jw_key(w, "error");
    exoplace__jw_string(w, error->message);
    exoplace__jw_end_object(w);
}

static void write_nodes_and_shards(exoplace__json_writer *w, const exoplace_placement *placement)
{
    exoplace__jw_key(w, "nodes");
    exoplace__jw_begin_array(w);
    for (size_t i = 0; i < placement->n_nodes; i++)
        exoplace__jw_string(w, placement->shards[i].node_id);
    exoplace__jw_end_array(w);
    exoplace__jw_key(w, "shards");
    exoplace__jw_begin_array(w);
    for (size_t i = 0; i < placement->n_nodes; i++) {
        const exoplace_shard *shard = &placement->shards[i];
        exoplace__jw_begin_object(w);
        exoplace__jw_key(w, "node_id");
        exoplace__jw_string(w, shard->node_id);
        exoplace__jw_key(w, "device_rank");
        exoplace__jw_u64(w, shard->device_rank);
        exoplace__jw_key(w, "world_size");
        exoplace__jw_u64(w, shard->world_size);
        exoplace__jw_key(w, "start_layer");
        exoplace__jw_u64(w, shard->start_layer);
        exoplace__jw_key(w, "end_layer");
        exoplace__jw_u64(w, shard->end_layer);
        exoplace__jw_key(w, "n_layers");
        exoplace__jw_u64(w, shard->n_layers);
        exoplace__jw_end_object(w);
    }
    exoplace__jw_end_array(w);
}

static void write_placement(exoplace__json_writer *w, const char *model_id, const exoplace_placement *placement)
{
    exoplace__jw_begin_object(w);
    exoplace__jw_key(w, "ok");
    exoplace__jw_bool(w, 1);
    exoplace__jw_key(w, "model_id");
    exoplace__jw_string(w, model_id);
    exoplace__jw_key(w, "sharding");
    exoplace__jw_string(w, exoplace_sharding_name(placement->sharding));
    exoplace__jw_key(w, "instance_meta");
    exoplace__jw_string(w, exoplace_instance_meta_name(placement->instance_meta));
    exoplace__jw_key(w, "is_low_memory");
    exoplace__jw_bool(w, placement->is_low_memory);
    exoplace__jw_key(w, "memory_tier");
    exoplace__jw_string(w, exoplace_memory_tier_name(placement->memory_tier));
    write_nodes_and_shards(w, placement);
    exoplace__jw_end_object(w);
}

/* The response of a placement call: the placement, a failure object for a
 * well-formed request that cannot be placed, nothing for anything else. */
static exoplace_status placement_response(char **out, exoplace_status status, const char *model_id,
                                          const exoplace_placement *placement, const exoplace_error *result_err,
                                          exoplace_error *err)
{
    if (status != EXOPLACE_OK && !exoplace_status_is_placement_failure(status)) {
        if (status == EXOPLACE_E_NO_MEMORY)
            return exoplace__fail_no_memory(err);
        return exoplace__fail(err, status, result_err->field, "%s", result_err->message);
    }
    exoplace__json_writer w;
    exoplace__jw_init(&w);
    if (status == EXOPLACE_OK)
        write_placement(&w, model_id, placement);
    else
        write_failure(&w, status, result_err);
    exoplace_status written = exoplace__jw_finish(out, &w, err);
    if (written)
        return written;
    if (status != EXOPLACE_OK)
        exoplace__fail(err, status, result_err->field, "%s", result_err->message);
    return status;
}

/* ---- entry points ----------------------------------------------------------- */

void exoplace_json_options_init(exoplace_json_options *options)
{
    if (!options)
        return;
    memset(options, 0, sizeof *options);
    options->struct_size = (uint32_t)sizeof *options;
    options->strategy = EXOPLACE_LAYERS_LARGEST_REMAINDER;
}

void exoplace_free(void *ptr)
{
    free(ptr);
}

static exoplace_status placement_json(char **out, const char *text, const exoplace_json_options *options,
                                      int one_attempt, exoplace_error *err)
{
    exoplace_json_options resolved;
    exoplace_status st = check_arguments(out, text, options, &resolved, err);
    if (st)
        return st;
    parsed_request req;
    st = read_request(&req, text, &resolved, NEED_TOPOLOGY | NEED_ONE_MODEL | NEED_SETTINGS, err);
    if (st == EXOPLACE_OK) {
        exoplace_placement placement = {0};
        exoplace_error result_err;
        st = one_attempt ? exoplace_place(&placement, req.topology, &req.models[0], &req.place, &result_err)
                         : exoplace_get_placement(&placement, req.topology, &req.models[0], &req.place, &result_err);
        st = placement_response(out, st, req.models[0].model_id, &placement, &result_err, err);
        exoplace_placement_dispose(&placement);
    }
    request_dispose(&req);
    return st;
}

exoplace_status exoplace_get_placement_json(char **out, const char *request, const exoplace_json_options *options,
                                            exoplace_error *err)
{
    return placement_json(out, request, options, 0, err);
}

exoplace_status exoplace_place_json(char **out, const char *request, const exoplace_json_options *options,
                                    exoplace_error *err)
{
    return placement_json(out, request, options, 1, err);
}

static int shard_id_before(const void *ctx, uint32_t a, uint32_t b)
{
    const exoplace_shard *shards = ctx;
    return strcmp(shards[a].node_id, shards[b].node_id) < 0;
}

/* memory_delta_by_node, keyed in id order (the order the bytes were split in). */
static void write_memory_delta(exoplace__json_writer *w, const exoplace_placement *placement)
{
    size_t n = placement->n_nodes;
    uint32_t *order = malloc((n ? n : 1) * 2 * sizeof *order);
    if (!order) {
        w->out_of_memory = 1;
        return;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    exoplace__sort(order, order + n, n, shard_id_before, placement->shards);
    exoplace__jw_begin_object(w);
    for (size_t i = 0; i < n; i++) {
        const exoplace_shard *shard = &placement->shards[order[i]];
        exoplace__jw_key(w, shard->node_id);
        exoplace__jw_u64(w, shard->memory_delta);
    }
    exoplace__jw_end_object(w);
    free(order);
}

static void write_preview(exoplace__json_writer *w, const char *model_id, const exoplace_preview *preview)
{
    int ok = preview->status == EXOPLACE_OK;
    exoplace__jw_begin_object(w);
    exoplace__jw_key(w, "model_id");
    exoplace__jw_string(w, model_id);
    exoplace__jw_key(w, "sharding");
    exoplace__jw_string(w, exoplace_sharding_name(preview->sharding));
    exoplace__jw_key(w, "instance_meta");
    exoplace__jw_string(w, exoplace_instance_meta_name(preview->instance_meta));
    if (ok) {
        write_nodes_and_shards(w, &preview->placement);
    } else {
        exoplace__jw_key(w, "nodes");
        exoplace__jw_null(w);
        exoplace__jw_key(w, "shards");
        exoplace__jw_null(w);
    }
    exoplace__jw_key(w, "memory_delta_by_node");
    if (ok) {
        write_memory_delta(w, &preview->placement);
    } else {
        exoplace__jw_begin_object(w);
        exoplace__jw_end_object(w);
    }
    exoplace__jw_key(w, "error");
    if (ok)
        exoplace__jw_null(w);
    else
        exoplace__jw_string(w, preview->error.message);
    exoplace__jw_key(w, "is_low_memory");
    exoplace__jw_bool(w, ok && preview->placement.is_low_memory);
    exoplace__jw_key(w, "memory_tier");
    if (ok)
        exoplace__jw_string(w, exoplace_memory_tier_name(preview->placement.memory_tier));
    else
        exoplace__jw_null(w);
    exoplace__jw_end_object(w);
}

exoplace_status exoplace_previews_json(char **out, const char *text, const exoplace_json_options *options,
                                       exoplace_error *err)
{
    exoplace_json_options resolved;
    exoplace_status st = check_arguments(out, text, options, &resolved, err);
    if (st)
        return st;
    parsed_request req;
    st = read_request(&req, text, &resolved, NEED_TOPOLOGY | NEED_MODELS | NEED_SETTINGS, err);
    exoplace__json_writer w;
    exoplace__jw_init(&w);
    exoplace__jw_begin_object(&w);
    exoplace__jw_key(&w, "previews");
    exoplace__jw_begin_array(&w);
    /* One search context for every model: the topology is the same. */
    exoplace__search *search = NULL;
    for (size_t m = 0; st == EXOPLACE_OK && m < req.n_models; m++) {
        exoplace_preview_list *list = NULL;
        st = exoplace__previews_list(&list, &search, req.topology, &req.models[m], &req.place, err);
        for (size_t i = 0; i < exoplace_preview_list_count(list); i++)
            write_preview(&w, req.models[m].model_id, exoplace_preview_list_get(list, i));
        exoplace_preview_list_free(list);
    }
    exoplace__search_free(search);
    exoplace__jw_end_array(&w);
    exoplace__jw_end_object(&w);
    if (st == EXOPLACE_OK)
        st = exoplace__jw_finish(out, &w, err);
    exoplace__jw_dispose(&w);
    request_dispose(&req);
    return st;
}

exoplace_status exoplace_cycles_json(char **out, const char *text, const exoplace_json_options *options,
                                     exoplace_error *err)
{
    exoplace_json_options resolved;
    exoplace_status st = check_arguments(out, text, options, &resolved, err);
    if (st)
        return st;
    parsed_request req;
    st = read_request(&req, text, &resolved, NEED_TOPOLOGY | BARE_TOPOLOGY_OK, err);
    size_t count = 0;
    size_t *starts = NULL, *nodes = NULL;
    uint8_t *keep = NULL;
    exoplace_error sub;
    if (st == EXOPLACE_OK) {
        /* One enumeration: the public buffer protocol would list twice. */
        exoplace__error_clear(&sub);
        st = exoplace__cycles_list_new(&starts, &nodes, &count, req.topology, resolved.max_cycles, &sub);
        if (st == EXOPLACE_OK) {
            keep = malloc(count ? count : 1);
            if (!keep)
                st = EXOPLACE_E_NO_MEMORY;
        }
        if (st == EXOPLACE_OK && count) {
            if (resolved.cycles_filter)
                st = exoplace_cycles_filter_by_memory(keep, starts, nodes, count, req.topology,
                                                      resolved.cycles_min_bytes, resolved.cycles_use_total_memory,
                                                      &sub);
            else
                memset(keep, 1, count);
        }
        if (st == EXOPLACE_E_NO_MEMORY)
            exoplace__fail_no_memory(err);
        else if (st)
            exoplace__fail(err, st, sub.field, "%s", sub.message);
    }
    if (st == EXOPLACE_OK) {
        exoplace__json_writer w;
        exoplace__jw_init(&w);
        exoplace__jw_begin_object(&w);
        exoplace__jw_key(&w, "cycles");
        exoplace__jw_begin_array(&w);
        for (size_t c = 0; c < count; c++) {
            if (!keep[c])
                continue;
            exoplace__jw_begin_array(&w);
            for (size_t i = starts[c]; i < starts[c + 1]; i++)
                exoplace__jw_string(&w, exoplace_topology_node_id(req.topology, nodes[i]));
            exoplace__jw_end_array(&w);
        }
        exoplace__jw_end_array(&w);
        exoplace__jw_end_object(&w);
        st = exoplace__jw_finish(out, &w, err);
    }
    free(starts);
    free(nodes);
    free(keep);
    request_dispose(&req);
    return st;
}

exoplace_status exoplace_layers_json(char **out, const char *text, const exoplace_json_options *options,
                                     exoplace_error *err)
{
    exoplace_json_options resolved;
    exoplace_status st = check_arguments(out, text, options, &resolved, err);
    if (st)
        return st;
    parsed_request req;
    st = read_request(&req, text, &resolved, 0, err);
    json_path path;
    exoplace__json_path_init(&path);
    uint64_t *memory = NULL;
    uint32_t *layers = NULL;
    uint32_t n_layers = 0;
    size_t n_nodes = 0;
    exoplace_layer_strategy strategy = resolved.strategy;
    const json_t *list = NULL;
    if (st == EXOPLACE_OK)
        WITH_MEMBER(&path, req.doc, "memory", NULL, v, {
            list = v;
            if (!json_is_array(v) || json_array_size(v) == 0)
                st = exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, &path,
                                         v ? "expected a non-empty array" : "missing");
            else if (json_array_size(v) > EXOPLACE_MAX_NODES)
                st = exoplace__json_fail(err, EXOPLACE_E_LIMIT, &path, "more than %d nodes", EXOPLACE_MAX_NODES);
        });
    if (st == EXOPLACE_OK) {
        n_nodes = json_array_size(list);
        memory = malloc(n_nodes * sizeof *memory);
        layers = malloc(n_nodes * sizeof *layers);
        if (!memory || !layers)
            st = exoplace__fail_no_memory(err);
    }
    for (size_t i = 0; st == EXOPLACE_OK && i < n_nodes; i++) {
        size_t mark = exoplace__json_path_push_key(&path, "memory");
        exoplace__json_path_push_index(&path, i);
        st = exoplace__json_bytes(&memory[i], json_array_get(list, i), &path, err);
        exoplace__json_path_pop(&path, mark);
    }
    if (st == EXOPLACE_OK)
        WITH_MEMBER(&path, req.doc, "nLayers", "n_layers", v,
                    st = exoplace__json_u32_range(&n_layers, v, 1, UINT32_MAX, &path, err));
    if (st == EXOPLACE_OK)
        WITH_MEMBER(&path, req.doc, "strategy", NULL, v, st = v ? read_strategy(&strategy, v, &path, err) : st);
    if (st == EXOPLACE_OK) {
        exoplace_error split_err;
        exoplace_status split = exoplace_layers_distribute(layers, memory, n_nodes, n_layers, strategy, &split_err);
        exoplace__json_writer w;
        exoplace__jw_init(&w);
        if (split == EXOPLACE_OK) {
            exoplace__jw_begin_object(&w);
            exoplace__jw_key(&w, "ok");
            exoplace__jw_bool(&w, 1);
            exoplace__jw_key(&w, "layers");
            exoplace__jw_begin_array(&w);
            for (size_t i = 0; i < n_nodes; i++)
                exoplace__jw_u64(&w, layers[i]);
            exoplace__jw_end_array(&w);
            exoplace__jw_end_object(&w);
        } else if (exoplace_status_is_placement_failure(split)) {
            write_failure(&w, split, &split_err);
        }
        if (split == EXOPLACE_OK || exoplace_status_is_placement_failure(split))
            st = exoplace__jw_finish(out, &w, err);
        exoplace__jw_dispose(&w);
        if (st == EXOPLACE_OK && split != EXOPLACE_OK)
            st = split == EXOPLACE_E_NO_MEMORY ? exoplace__fail_no_memory(err)
                                               : exoplace__fail(err, split, split_err.field, "%s", split_err.message);
    }
    free(memory);
    free(layers);
    request_dispose(&req);
    return st;
}

static const char *fit_name(const exoplace_model_fit *fit)
{
    return fit->will_fit ? "fits" : fit->can_fit ? "low_memory" : "does_not_fit";
}

exoplace_status exoplace_model_fit_json(char **out, const char *text, const exoplace_json_options *options,
                                        exoplace_error *err)
{
    exoplace_json_options resolved;
    exoplace_status st = check_arguments(out, text, options, &resolved, err);
    if (st)
        return st;
    parsed_request req;
    st = read_request(&req, text, &resolved, NEED_TOPOLOGY | NEED_MODELS, err);
    size_t *order = NULL;
    exoplace_error sub;
    if (st == EXOPLACE_OK && req.n_models) {
        order = malloc(req.n_models * sizeof *order);
        st = order ? exoplace_models_order(order, req.topology, req.models, req.n_models, &sub)
                   : EXOPLACE_E_NO_MEMORY;
        if (st == EXOPLACE_E_NO_MEMORY)
            exoplace__fail_no_memory(err);
        else if (st)
            exoplace__fail(err, st, sub.field, "%s", sub.message);
    }
    if (st == EXOPLACE_OK) {
        exoplace__json_writer w;
        exoplace__jw_init(&w);
        exoplace__jw_begin_object(&w);
        exoplace__jw_key(&w, "models");
        exoplace__jw_begin_array(&w);
        for (size_t i = 0; st == EXOPLACE_OK && i < req.n_models; i++) {
            const exoplace_model *model = &req.models[order[i]];
            exoplace_model_fit fit;
            st = exoplace_model_fit_check(&fit, req.topology, model->storage_size, &sub);
            if (st) {
                exoplace__fail(err, st, sub.field, "%s", sub.message);
                break;
            }
            exoplace__jw_begin_object(&w);
            exoplace__jw_key(&w, "model_id");
            exoplace__jw_string(&w, model->model_id);
            exoplace__jw_key(&w, "storage_size");
            exoplace__jw_u64(&w, model->storage_size);
            exoplace__jw_key(&w, "will_fit");
            exoplace__jw_bool(&w, fit.will_fit);
            exoplace__jw_key(&w, "can_fit");
            exoplace__jw_bool(&w, fit.can_fit);
            exoplace__jw_key(&w, "fit");
            exoplace__jw_string(&w, fit_name(&fit));
            exoplace__jw_end_object(&w);
        }
        exoplace__jw_end_array(&w);
        exoplace__jw_end_object(&w);
        if (st == EXOPLACE_OK)
            st = exoplace__jw_finish(out, &w, err);
        exoplace__jw_dispose(&w);
    }
    free(order);
    request_dispose(&req);
    return st;
}
