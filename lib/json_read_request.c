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
#include "request.h"
#include "sort.h"

typedef exoplace__json_path json_path;

/* ---- reading a request ------------------------------------------------------ */

/* Forwards a failure of a C API call as a failure of the JSON field at `path`. */
static exoplace_status forward(exoplace_error *err, exoplace_status status, const json_path *path,
                               const exoplace_error *sub)
{
    if (status == EXOPLACE_E_NO_MEMORY)
        return exoplace__fail_no_memory(err);
    return exoplace__json_fail(err, status, path, "%s", sub->message);
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

static exoplace_status read_topology(exoplace_topology *topology, const json_t *object, json_path *path,
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

    /* Nodes first: a connection to an id not yet seen would add it without a profile. */
    for (size_t i = 0; st == EXOPLACE_OK && i < n_nodes; i++) {
        size_t mark = exoplace__json_path_push_key(path, "nodes");
        exoplace__json_path_push_index(path, i);
        st = read_node(topology, json_array_get(nodes, i), path, err);
        exoplace__json_path_pop(path, mark);
    }
    for (size_t i = 0; st == EXOPLACE_OK && i < n_connections; i++) {
        size_t mark = exoplace__json_path_push_key(path, "connections");
        exoplace__json_path_push_index(path, i);
        st = read_connection(topology, json_array_get(connections, i), path, err);
        exoplace__json_path_pop(path, mark);
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

/* Adds model `object` to the request. */
static exoplace_status add_model(exoplace_request *request, const json_t *object, json_path *path, exoplace_error *err)
{
    exoplace_model model;
    exoplace_status st = read_model(&model, object, path, err);
    return st ? st : exoplace__request_add_model(NULL, request, &model, err);
}

/* "model": {...} and "models": [...]; neither is fine (the calls that need
 * a model say so). */
static exoplace_status read_models(exoplace_request *request, const json_t *root, json_path *path, exoplace_error *err)
{
    exoplace_status st = EXOPLACE_OK;
    const json_t *one = exoplace__json_member(root, "model", NULL, NULL);
    if (one) {
        exoplace_model model;
        size_t mark = exoplace__json_path_push_key(path, "model");
        st = read_model(&model, one, path, err);
        exoplace__json_path_pop(path, mark);
        if (st == EXOPLACE_OK)
            st = exoplace__request_set_model(request, &model, err);
    }
    const json_t *list = exoplace__json_member(root, "models", NULL, NULL);
    if (st || !list)
        return st;
    size_t mark = exoplace__json_path_push_key(path, "models");
    size_t n = 0;
    st = optional_array(list, &n, path, err);
    if (st == EXOPLACE_OK)
        st = exoplace__request_reserve_models(request, n, err);
    for (size_t i = 0; st == EXOPLACE_OK && i < n; i++) {
        size_t item_mark = exoplace__json_path_push_index(path, i);
        st = add_model(request, json_array_get(list, i), path, err);
        exoplace__json_path_pop(path, item_mark);
    }
    exoplace__json_path_pop(path, mark);
    return st;
}

/* The request's own settings on top of the host's options. */
static exoplace_status read_settings(exoplace_place_options *place, const json_t *root, json_path *path,
                                     exoplace_error *err)
{
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


/* Parses `length` bytes of text into *doc. */
static exoplace_status load_text(json_t **doc, const char *text, size_t length, exoplace_error *err)
{
    if (length > EXOPLACE_MAX_INPUT_BYTES)
        return exoplace__fail(err, EXOPLACE_E_LIMIT, NULL, "the request is longer than %u bytes",
                              (unsigned)EXOPLACE_MAX_INPUT_BYTES);
    if (memchr(text, '\0', length))
        return exoplace__fail(err, EXOPLACE_E_INVALID_JSON, NULL, "the request contains a NUL byte");
    char *copy = malloc(length + 1);
    if (!copy)
        return exoplace__fail_no_memory(err);
    memcpy(copy, text, length);
    copy[length] = '\0';
    exoplace_status st = exoplace__json_load(doc, copy, err);
    free(copy);
    return st;
}

/* The request parsed into *out; on failure *out is NULL. */
static exoplace_status parse_request(exoplace_request **out, const char *text, size_t length,
                                     const exoplace_json_options *options, int catalogue, exoplace_error *err)
{
    *out = NULL;
    exoplace_json_options host;
    exoplace_status st = exoplace__json_options_resolve(&host, options, err);
    if (st)
        return st;
    json_t *doc = NULL;
    st = load_text(&doc, text, length, err);
    if (st)
        return st;
    exoplace_request *request = NULL;
    st = exoplace__request_new(&request, &host, err);
    json_path path;
    exoplace__json_path_init(&path);
    if (st == EXOPLACE_OK) {
        if (catalogue && json_is_array(doc)) {
            size_t n = json_array_size(doc);
            st = exoplace__request_reserve_models(request, n, err);
            for (size_t i = 0; st == EXOPLACE_OK && i < n; i++) {
                size_t mark = exoplace__json_path_push_index(&path, i);
                st = add_model(request, json_array_get(doc, i), &path, err);
                exoplace__json_path_pop(&path, mark);
            }
        } else if (!json_is_object(doc)) {
            st = exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, &path, "expected an object");
        } else if (catalogue && !exoplace__json_member(doc, "models", NULL, NULL)) {
            st = add_model(request, doc, &path, err);
        } else {
            const json_t *topology = exoplace__json_member(doc, "topology", NULL, NULL);
            if (!catalogue && !topology && json_object_get(doc, "nodes")) {
                /* A bare topology (the cycles verb's historical input). */
                st = read_topology(request->topology, doc, &path, err);
                request->has_topology = st == EXOPLACE_OK;
            } else if (!catalogue && topology) {
                WITH_MEMBER(&path, doc, "topology", NULL, v, st = read_topology(request->topology, v, &path, err));
                request->has_topology = st == EXOPLACE_OK;
            }
            if (st == EXOPLACE_OK)
                st = read_models(request, doc, &path, err);
            if (st == EXOPLACE_OK && !catalogue)
                st = read_settings(&request->options, doc, &path, err);
        }
    }
    json_decref(doc);
    if (st) {
        exoplace_request_free(request);
        return st;
    }
    exoplace__request_finish_models(request);
    *out = request;
    return EXOPLACE_OK;
}

exoplace_status exoplace_request_parse(exoplace_request **out, const char *text, size_t length,
                                       const exoplace_json_options *options, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !text)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "out and text must not be NULL");
    return parse_request(out, text, length, options, 0, err);
}

exoplace_status exoplace_request_parse_catalogue(exoplace_request **out, const char *text, size_t length,
                                                 exoplace_rules rules, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !text)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "out and text must not be NULL");
    (void)rules;
    return parse_request(out, text, length, NULL, 1, err);
}

exoplace_status exoplace_layers_json(char **out, const char *text, size_t length, const exoplace_json_options *options,
                                     exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !text)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "out and request must not be NULL");
    *out = NULL;
    exoplace_json_options host;
    exoplace_status st = exoplace__json_options_resolve(&host, options, err);
    if (st)
        return st;
    json_t *doc = NULL;
    st = load_text(&doc, text, length, err);
    json_path path;
    exoplace__json_path_init(&path);
    uint64_t *memory = NULL;
    uint32_t *layers = NULL;
    uint32_t n_layers = 0;
    size_t n_nodes = 0;
    exoplace_layer_strategy strategy = host.strategy;
    const json_t *list = NULL;
    if (st == EXOPLACE_OK)
        WITH_MEMBER(&path, doc, "memory", NULL, v, {
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
        WITH_MEMBER(&path, doc, "nLayers", "n_layers", v,
                    st = exoplace__json_u32_range(&n_layers, v, 1, UINT32_MAX, &path, err));
    if (st == EXOPLACE_OK)
        WITH_MEMBER(&path, doc, "strategy", NULL, v, st = v ? read_strategy(&strategy, v, &path, err) : st);
    if (st == EXOPLACE_OK) {
        exoplace_error split_err;
        exoplace_status split = exoplace_layers_distribute(layers, memory, n_nodes, n_layers, strategy, &split_err);
        if (split == EXOPLACE_OK) {
            st = exoplace_layers_write_json(out, layers, n_nodes, err);
        } else if (exoplace_status_is_placement_failure(split)) {
            st = exoplace_failure_write_json(out, &split_err, EXOPLACE_RULES_SEED, err);
            if (st == EXOPLACE_OK)
                st = exoplace__fail_from(err, &split_err);
        } else {
            st = exoplace__fail_from(err, &split_err);
        }
    }
    free(memory);
    free(layers);
    json_decref(doc);
    return st;
}
