/* The exo-main rule set's request (exo-main.md section 1): exo's GET /state
 * object unchanged, with the placement fields added at the top. The graph
 * comes from "topology" (nodes in order, then connection endpoints; edges in
 * document order), each node's data from the maps keyed by node id. */
#include "json_read.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "json_write_instance.h"
#include "request.h"
#include "topology.h"

typedef exoplace__json_path json_path;
typedef exoplace__json_member json_member;
typedef exoplace__json_cursor json_cursor;

#define COUNT_OF(table) (sizeof(table) / sizeof((table)[0]))

/* Copies a static member table and reads the object at *c into it. */
static exoplace_status read_members(json_cursor *c, const json_member *table, json_member *out, size_t n,
                                    exoplace__json_unknown unknown, json_path *path, exoplace_error *err)
{
    memcpy(out, table, n * sizeof *out);
    return exoplace__json_members(c, out, n, unknown, path, err);
}

/* A map key that is a node id, decoded into *out (free()): refused when
 * empty (exo-main.md 11.2) or holding U+0000, as an id in topology.nodes is. */
static exoplace_status key_text(char **out, size_t *len, const exoplace__json_string *key, const json_path *path,
                                exoplace_error *err)
{
    int has_nul;
    exoplace_status st = exoplace__json_string_decode(out, len, &has_nul, key, err);
    if (st)
        return st;
    if (*len == 0)
        st = exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "empty node id");
    else if (has_nul)
        st = exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "contains a NUL character");
    if (st) {
        free(*out);
        *out = NULL;
    }
    return st;
}

/* A map member keyed by node id: calls `entry` for each member with the
 * decoded id (NULL when it is no topology node) and the path at it. */
typedef exoplace_status (*node_entry_fn)(exoplace_request *request, const char *node_id, json_cursor *value,
                                         json_path *path, exoplace_error *err);

static exoplace_status for_each_node_entry(exoplace_request *request, const json_member *member, json_path *path,
                                           node_entry_fn entry, exoplace_error *err)
{
    if (!member->present)
        return EXOPLACE_OK;
    size_t mark = exoplace__json_path_push_member(path, member);
    json_cursor c = member->value;
    exoplace_status st = exoplace__json_expect(&c, EXOPLACE__JSON_OBJECT, "an object", path, err);
    if (st == EXOPLACE_OK) {
        exoplace__json_enter(&c);
        exoplace__json_string key;
        while (st == EXOPLACE_OK && exoplace__json_next_member(&c, &key)) {
            size_t key_mark = exoplace__json_path_push_text(path, &key);
            char *id = NULL;
            size_t len = 0;
            st = key_text(&id, &len, &key, path, err);
            size_t index;
            /* Entries for ids that are no topology node (ids too long to be
             * one included) are read, then dropped. */
            int known = st == EXOPLACE_OK &&
                        exoplace_topology_find_node(&index, request->topology, id, NULL) == EXOPLACE_OK;
            if (st == EXOPLACE_OK)
                st = entry(request, known ? id : NULL, &c, path, err);
            free(id);
            exoplace__json_path_pop(path, key_mark);
        }
    }
    exoplace__json_path_pop(path, mark);
    return st;
}

/* ---- topology ------------------------------------------------------------------ */

/* A node id: a non-empty string without U+0000 (an empty id is refused,
 * exo-main.md 11.2). */
static exoplace_status read_id(char **out, json_cursor *c, json_path *path, exoplace_error *err)
{
    return exoplace__json_read_text(out, c, EXOPLACE_MAX_ID_BYTES, 0, path, err);
}

/* The same for a connections key, which becomes a node. */
static exoplace_status key_id(char **out, const exoplace__json_string *key, const json_path *path,
                              exoplace_error *err)
{
    size_t len;
    exoplace_status st = key_text(out, &len, key, path, err);
    if (st == EXOPLACE_OK && len > EXOPLACE_MAX_ID_BYTES) {
        st = exoplace__json_fail(err, EXOPLACE_E_LIMIT, path, "longer than %d bytes", EXOPLACE_MAX_ID_BYTES);
        free(*out);
        *out = NULL;
    }
    return st;
}

enum { EDGE_SINK_MULTIADDR, EDGE_SOURCE_IFACE, EDGE_SINK_IFACE };
static const json_member edge_members[] = {
    {"sinkMultiaddr", "sink_multiaddr", 0, {0}, NULL},
    {"sourceRdmaIface", "source_rdma_iface", 0, {0}, NULL},
    {"sinkRdmaIface", "sink_rdma_iface", 0, {0}, NULL},
};

/* One edge source -> sink: a socket edge or an RDMA edge, nothing else. */
static exoplace_status read_edge(exoplace_topology *topology, const char *source, const char *sink, json_cursor *c,
                                 json_path *path, exoplace_error *err)
{
    json_member m[COUNT_OF(edge_members)];
    exoplace_status st = read_members(c, edge_members, m, COUNT_OF(edge_members), EXOPLACE__JSON_REFUSE_UNKNOWN,
                                      path, err);
    if (st)
        return st;
    int socket = m[EDGE_SINK_MULTIADDR].present;
    int rdma = m[EDGE_SOURCE_IFACE].present || m[EDGE_SINK_IFACE].present;
    if (socket == rdma)
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path,
                                   socket ? "an edge is either a socket edge (sinkMultiaddr) or an RDMA edge "
                                            "(sourceRdmaIface, sinkRdmaIface), not both"
                                          : "expected sinkMultiaddr, or sourceRdmaIface and sinkRdmaIface");
    exoplace_error sub;
    if (socket) {
        size_t mark = exoplace__json_path_push_member(path, &m[EDGE_SINK_MULTIADDR]);
        json_cursor value = m[EDGE_SINK_MULTIADDR].value;
        json_member address = {"address", NULL, 0, {0}, NULL};
        char *text = NULL;
        st = exoplace__json_members(&value, &address, 1, EXOPLACE__JSON_IGNORE_UNKNOWN, path, err);
        if (st == EXOPLACE_OK)
            st = exoplace__json_member_text(&text, &address, EXOPLACE_MAX_ID_BYTES, 0, path, err);
        /* Any text exo's patterns match (exo-main.md 1.1), e.g. /ip4/999.0.0.5/tcp/99999. */
        if (st == EXOPLACE_OK && exoplace__topology_add_exo_connection(topology, source, sink, text, &sub)) {
            exoplace__json_path_push_key(path, "address");
            st = exoplace__json_forward(err, path, &sub);
        }
        free(text);
        exoplace__json_path_pop(path, mark);
        return st;
    }
    char *source_iface = NULL, *sink_iface = NULL;
    st = exoplace__json_member_text(&source_iface, &m[EDGE_SOURCE_IFACE], EXOPLACE_MAX_ID_BYTES, 1, path, err);
    if (st == EXOPLACE_OK)
        st = exoplace__json_member_text(&sink_iface, &m[EDGE_SINK_IFACE], EXOPLACE_MAX_ID_BYTES, 1, path, err);
    if (st == EXOPLACE_OK &&
        exoplace_topology_add_rdma_connection(topology, source, sink, source_iface, sink_iface, &sub))
        st = exoplace__json_forward(err, path, &sub);
    free(source_iface);
    free(sink_iface);
    return st;
}

/* connections: source id -> sink id -> [edges], in document order. */
static exoplace_status read_connections(exoplace_topology *topology, json_cursor *c, json_path *path,
                                        exoplace_error *err)
{
    exoplace_status st = exoplace__json_expect(c, EXOPLACE__JSON_OBJECT, "an object", path, err);
    if (st)
        return st;
    exoplace__json_enter(c);
    exoplace__json_string source_key;
    while (st == EXOPLACE_OK && exoplace__json_next_member(c, &source_key)) {
        size_t source_mark = exoplace__json_path_push_text(path, &source_key);
        char *source = NULL;
        st = key_id(&source, &source_key, path, err);
        if (st == EXOPLACE_OK)
            st = exoplace__json_expect(c, EXOPLACE__JSON_OBJECT, "an object", path, err);
        if (st == EXOPLACE_OK) {
            exoplace__json_enter(c);
            exoplace__json_string sink_key;
            while (st == EXOPLACE_OK && exoplace__json_next_member(c, &sink_key)) {
                size_t sink_mark = exoplace__json_path_push_text(path, &sink_key);
                char *sink = NULL;
                st = key_id(&sink, &sink_key, path, err);
                if (st == EXOPLACE_OK)
                    st = exoplace__json_expect(c, EXOPLACE__JSON_ARRAY, "an array", path, err);
                if (st == EXOPLACE_OK) {
                    exoplace__json_enter(c);
                    for (size_t i = 0; st == EXOPLACE_OK && exoplace__json_next_element(c); i++) {
                        size_t edge_mark = exoplace__json_path_push_index(path, i);
                        st = read_edge(topology, source, sink, c, path, err);
                        exoplace__json_path_pop(path, edge_mark);
                    }
                }
                free(sink);
                exoplace__json_path_pop(path, sink_mark);
            }
        }
        free(source);
        exoplace__json_path_pop(path, source_mark);
    }
    return st;
}

enum { TOPOLOGY_NODES, TOPOLOGY_CONNECTIONS };
static const json_member topology_members[] = {
    {"nodes", NULL, 0, {0}, NULL},
    {"connections", NULL, 0, {0}, NULL},
};

static exoplace_status read_topology(exoplace_topology *topology, json_cursor *c, json_path *path,
                                     exoplace_error *err)
{
    json_member m[COUNT_OF(topology_members)];
    exoplace_status st =
        read_members(c, topology_members, m, COUNT_OF(topology_members), EXOPLACE__JSON_IGNORE_UNKNOWN, path, err);
    if (st == EXOPLACE_OK && m[TOPOLOGY_NODES].present) {
        size_t mark = exoplace__json_path_push_member(path, &m[TOPOLOGY_NODES]);
        json_cursor nodes = m[TOPOLOGY_NODES].value;
        st = exoplace__json_expect(&nodes, EXOPLACE__JSON_ARRAY, "an array", path, err);
        if (st == EXOPLACE_OK) {
            exoplace__json_enter(&nodes);
            for (size_t i = 0; st == EXOPLACE_OK && exoplace__json_next_element(&nodes); i++) {
                size_t item_mark = exoplace__json_path_push_index(path, i);
                char *id = NULL;
                exoplace_error sub;
                st = read_id(&id, &nodes, path, err);
                if (st == EXOPLACE_OK && exoplace_topology_add_node(topology, id, NULL, &sub))
                    st = exoplace__json_forward(err, path, &sub);
                free(id);
                exoplace__json_path_pop(path, item_mark);
            }
        }
        exoplace__json_path_pop(path, mark);
    }
    if (st == EXOPLACE_OK && m[TOPOLOGY_CONNECTIONS].present) {
        size_t mark = exoplace__json_path_push_member(path, &m[TOPOLOGY_CONNECTIONS]);
        json_cursor connections = m[TOPOLOGY_CONNECTIONS].value;
        st = read_connections(topology, &connections, path, err);
        exoplace__json_path_pop(path, mark);
    }
    return st;
}

/* ---- per-node maps --------------------------------------------------------------- */

static exoplace_status memory_entry(exoplace_request *request, const char *node_id, json_cursor *value,
                                    json_path *path, exoplace_error *err)
{
    exoplace_node_memory memory;
    exoplace_status st = exoplace__json_read_memory(&memory, value, path, EXOPLACE_RULES_EXO_MAIN, err);
    exoplace_error sub;
    if (st == EXOPLACE_OK && node_id && exoplace_topology_set_node_memory(request->topology, node_id, &memory, &sub))
        st = exoplace__json_forward(err, path, &sub);
    return st;
}

enum { IFACE_NAME, IFACE_ADDRESS, IFACE_TYPE };
static const json_member interface_members[] = {
    {"name", NULL, 0, {0}, NULL},
    {"ipAddress", "ip_address", 0, {0}, NULL},
    {"interfaceType", "interface_type", 0, {0}, NULL},
};

static exoplace_status network_entry(exoplace_request *request, const char *node_id, json_cursor *value,
                                     json_path *path, exoplace_error *err)
{
    json_member interfaces = {"interfaces", NULL, 0, {0}, NULL};
    exoplace_status st = exoplace__json_members(value, &interfaces, 1, EXOPLACE__JSON_IGNORE_UNKNOWN, path, err);
    if (st || !interfaces.present)
        return st;
    size_t mark = exoplace__json_path_push_member(path, &interfaces);
    json_cursor list = interfaces.value;
    st = exoplace__json_expect(&list, EXOPLACE__JSON_ARRAY, "an array", path, err);
    if (st == EXOPLACE_OK) {
        exoplace__json_enter(&list);
        for (size_t i = 0; st == EXOPLACE_OK && exoplace__json_next_element(&list); i++) {
            size_t item_mark = exoplace__json_path_push_index(path, i);
            json_member m[COUNT_OF(interface_members)];
            char *name = NULL, *address = NULL;
            int type = EXOPLACE_INTERFACE_UNKNOWN;
            st = read_members(&list, interface_members, m, COUNT_OF(interface_members), EXOPLACE__JSON_IGNORE_UNKNOWN,
                              path, err);
            if (st == EXOPLACE_OK)
                st = exoplace__json_member_text(&name, &m[IFACE_NAME], EXOPLACE_MAX_ID_BYTES, 1, path, err);
            if (st == EXOPLACE_OK)
                st = exoplace__json_member_text(&address, &m[IFACE_ADDRESS], EXOPLACE_MAX_ID_BYTES, 1, path, err);
            if (st == EXOPLACE_OK && m[IFACE_TYPE].present)
                st = exoplace__json_member_enum(&type, &m[IFACE_TYPE], &exoplace__interface_type_info, path, err);
            exoplace_error sub;
            if (st == EXOPLACE_OK && node_id &&
                exoplace_topology_add_interface(request->topology, node_id, name, address,
                                                (exoplace_interface_type)type, &sub))
                st = exoplace__json_forward(err, path, &sub);
            free(name);
            free(address);
            exoplace__json_path_pop(path, item_mark);
        }
    }
    exoplace__json_path_pop(path, mark);
    return st;
}

/* A list of backend names (duplicates kept) into a new array. */
static exoplace_status read_backends(exoplace_backend **out, size_t *n_out, json_cursor *c, json_path *path,
                                     exoplace_error *err)
{
    *out = NULL;
    *n_out = 0;
    exoplace_status st = exoplace__json_expect(c, EXOPLACE__JSON_ARRAY, "an array", path, err);
    if (st)
        return st;
    size_t capacity = 0;
    exoplace__json_enter(c);
    for (size_t i = 0; st == EXOPLACE_OK && exoplace__json_next_element(c); i++) {
        size_t mark = exoplace__json_path_push_index(path, i);
        int backend;
        st = exoplace__json_read_enum(&backend, c, &exoplace__backend_info, path, err);
        exoplace__json_path_pop(path, mark);
        if (st)
            break;
        if (*n_out == capacity) {
            capacity = capacity ? capacity * 2 : 4;
            exoplace_backend *grown = realloc(*out, capacity * sizeof *grown);
            if (!grown) {
                st = exoplace__fail_no_memory(err);
                break;
            }
            *out = grown;
        }
        (*out)[(*n_out)++] = (exoplace_backend)backend;
    }
    if (st) {
        free(*out);
        *out = NULL;
        *n_out = 0;
    }
    return st;
}

static exoplace_status backends_entry(exoplace_request *request, const char *node_id, json_cursor *value,
                                      json_path *path, exoplace_error *err)
{
    exoplace_backend *backends;
    size_t n;
    exoplace_status st = read_backends(&backends, &n, value, path, err);
    uint32_t mask = 0;
    for (size_t i = 0; i < n; i++)
        mask |= EXOPLACE_BACKEND_BIT(backends[i]);
    free(backends);
    exoplace_error sub;
    if (st == EXOPLACE_OK && node_id && exoplace_topology_set_node_backends(request->topology, node_id, mask, &sub))
        st = exoplace__json_forward(err, path, &sub);
    return st;
}

static exoplace_status rdma_ctl_entry(exoplace_request *request, const char *node_id, json_cursor *value,
                                      json_path *path, exoplace_error *err)
{
    json_member enabled = {"enabled", NULL, 0, {0}, NULL};
    int on = 0;
    exoplace_status st = exoplace__json_members(value, &enabled, 1, EXOPLACE__JSON_IGNORE_UNKNOWN, path, err);
    if (st == EXOPLACE_OK)
        st = exoplace__json_member_bool(&on, &enabled, path, err);
    exoplace_error sub;
    if (st == EXOPLACE_OK && node_id && exoplace_topology_set_node_rdma_ctl(request->topology, node_id, on, &sub))
        st = exoplace__json_forward(err, path, &sub);
    return st;
}

/* exo's tagged unions (a download entry, a shard) are one-member objects
 * whose key is the kind. */
typedef enum tag_shape { TAG_ONE, TAG_EMPTY, TAG_UNKNOWN, TAG_SECOND } tag_shape;

/* Reads the object at *c (an object; *c is left after it) as a one-member
 * object whose key names a value of `info`: TAG_ONE with *tag that value and
 * *value at the member's value (a repeated key keeps its last value, as
 * everywhere); TAG_EMPTY; TAG_UNKNOWN when the first key names no value;
 * TAG_SECOND when a member with another key follows (*second: that key).
 * *first is the first key (TAG_ONE, TAG_UNKNOWN, TAG_SECOND). */
static tag_shape read_tag(int *tag, json_cursor *value, exoplace__json_string *first, exoplace__json_string *second,
                          json_cursor *c, const exoplace__enum_info *info)
{
    exoplace__json_enter(c);
    if (!exoplace__json_next_member(c, first))
        return TAG_EMPTY;
    const char *name = NULL;
    for (size_t i = 0; i < info->count && !name; i++)
        if (exoplace__json_string_equals(first, info->names[i])) {
            name = info->names[i];
            *tag = info->values[i];
        }
    tag_shape shape = name ? TAG_ONE : TAG_UNKNOWN;
    *value = *c;
    exoplace__json_skip(c);
    exoplace__json_string key;
    while (exoplace__json_next_member(c, &key)) {
        if (shape == TAG_ONE && exoplace__json_string_equals(&key, name)) {
            *value = *c;
        } else if (shape == TAG_ONE) {
            shape = TAG_SECOND;
            *second = key;
        }
        exoplace__json_skip(c);
    }
    return shape;
}

/* The model id of a download entry's shard (exo-main.md 1.6: shardMetadata
 * -> its one member, PipelineShardMetadata, CfgShardMetadata or
 * TensorShardMetadata -> modelCard.modelId), or NULL when it has none to
 * find: any other shape, an unknown shard kind included. */
static char *download_model_id(const json_member *shard_metadata)
{
    if (!shard_metadata->present)
        return NULL;
    json_cursor c = shard_metadata->value;
    if (exoplace__json_kind_at(&c) != EXOPLACE__JSON_OBJECT)
        return NULL;
    int kind;
    json_cursor shard;
    exoplace__json_string first, second;
    if (read_tag(&kind, &shard, &first, &second, &c, &exoplace__shard_kind_info) != TAG_ONE ||
        exoplace__json_kind_at(&shard) != EXOPLACE__JSON_OBJECT)
        return NULL;
    json_path scratch;
    exoplace__json_path_init(&scratch);
    json_member card = {"modelCard", "model_card", 0, {0}, NULL};
    if (exoplace__json_members(&shard, &card, 1, EXOPLACE__JSON_IGNORE_UNKNOWN, &scratch, NULL) || !card.present ||
        exoplace__json_kind_at(&card.value) != EXOPLACE__JSON_OBJECT)
        return NULL;
    json_member model_id = {"modelId", "model_id", 0, {0}, NULL};
    char *id = NULL;
    if (exoplace__json_members(&card.value, &model_id, 1, EXOPLACE__JSON_IGNORE_UNKNOWN, &scratch, NULL) ||
        exoplace__json_member_text(&id, &model_id, EXOPLACE_MAX_ID_BYTES, 0, &scratch, NULL))
        return NULL;
    return id;
}

/* A byte count inside an entry: {"inBytes": N} at member `name` of *c's object; 0 when absent. */
static exoplace_status optional_bytes(uint64_t *out, const json_member *m, json_path *path, exoplace_error *err)
{
    *out = 0;
    return m->present ? exoplace__json_member_bytes(out, m, EXOPLACE_RULES_EXO_MAIN, path, err) : EXOPLACE_OK;
}

enum { DL_SHARD, DL_PROGRESS, DL_DOWNLOADED, DL_TOTAL };
static const json_member download_members[] = {
    {"shardMetadata", "shard_metadata", 0, {0}, NULL},
    {"downloadProgress", "download_progress", 0, {0}, NULL},
    {"downloaded", NULL, 0, {0}, NULL},
    {"total", NULL, 0, {0}, NULL},
};
static const json_member progress_members[] = {
    {"downloaded", NULL, 0, {0}, NULL},
    {"total", NULL, 0, {0}, NULL},
};

static exoplace_status read_download(exoplace_request *request, const char *node_id, json_cursor *c, json_path *path,
                                     exoplace_error *err)
{
    exoplace_status st = exoplace__json_expect(c, EXOPLACE__JSON_OBJECT, "an object", path, err);
    if (st)
        return st;
    int kind = 0;
    json_cursor body;
    exoplace__json_string kind_key, second_key;
    switch (read_tag(&kind, &body, &kind_key, &second_key, c, &exoplace__download_kind_info)) {
    case TAG_ONE: break;
    case TAG_EMPTY:
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path,
                                   "expected one of DownloadCompleted, DownloadOngoing, DownloadPending or "
                                   "DownloadFailed");
    case TAG_UNKNOWN: {
        size_t mark = exoplace__json_path_push_text(path, &kind_key);
        st = exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path,
                                 "unknown download kind (expected DownloadCompleted, DownloadOngoing, "
                                 "DownloadPending or DownloadFailed)");
        exoplace__json_path_pop(path, mark);
        return st;
    }
    case TAG_SECOND: {
        /* The key is the caller's text: shown cut, at most 64 bytes. */
        char first[65], second[65];
        exoplace__json_string_copy(first, sizeof first, &kind_key);
        exoplace__json_string_copy(second, sizeof second, &second_key);
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path,
                                   "a download entry has one member, its kind; found \"%s\" and \"%s\"", first,
                                   second);
    }
    }
    size_t mark = exoplace__json_path_push_text(path, &kind_key);
    json_member m[COUNT_OF(download_members)];
    st = read_members(&body, download_members, m, COUNT_OF(download_members), EXOPLACE__JSON_IGNORE_UNKNOWN, path,
                      err);
    exoplace_download download;
    exoplace_download_init(&download);
    download.kind = (exoplace_download_kind)kind;
    if (st == EXOPLACE_OK && kind == EXOPLACE_DOWNLOAD_ONGOING && m[DL_PROGRESS].present) {
        size_t progress_mark = exoplace__json_path_push_member(path, &m[DL_PROGRESS]);
        json_member p[COUNT_OF(progress_members)];
        json_cursor value = m[DL_PROGRESS].value;
        st = read_members(&value, progress_members, p, COUNT_OF(progress_members), EXOPLACE__JSON_IGNORE_UNKNOWN,
                          path, err);
        if (st == EXOPLACE_OK)
            st = optional_bytes(&download.downloaded_bytes, &p[0], path, err);
        if (st == EXOPLACE_OK)
            st = optional_bytes(&download.total_bytes, &p[1], path, err);
        exoplace__json_path_pop(path, progress_mark);
    } else if (st == EXOPLACE_OK && kind == EXOPLACE_DOWNLOAD_PENDING) {
        st = optional_bytes(&download.downloaded_bytes, &m[DL_DOWNLOADED], path, err);
        if (st == EXOPLACE_OK)
            st = optional_bytes(&download.total_bytes, &m[DL_TOTAL], path, err);
    }
    exoplace__json_path_pop(path, mark);
    if (st || !node_id)
        return st;
    char *model_id = download_model_id(&m[DL_SHARD]);
    if (!model_id)
        return EXOPLACE_OK; /* an entry whose model cannot be found is ignored */
    download.model_id = model_id;
    exoplace_error sub;
    if (exoplace_topology_add_download(request->topology, node_id, &download, &sub))
        st = exoplace__json_forward(err, path, &sub);
    free(model_id);
    return st;
}

static exoplace_status downloads_entry(exoplace_request *request, const char *node_id, json_cursor *value,
                                       json_path *path, exoplace_error *err)
{
    exoplace_status st = exoplace__json_expect(value, EXOPLACE__JSON_ARRAY, "an array", path, err);
    if (st)
        return st;
    exoplace__json_enter(value);
    for (size_t i = 0; st == EXOPLACE_OK && exoplace__json_next_element(value); i++) {
        size_t mark = exoplace__json_path_push_index(path, i);
        st = read_download(request, node_id, value, path, err);
        exoplace__json_path_pop(path, mark);
    }
    return st;
}

/* ---- the model card -------------------------------------------------------------- */

enum {
    CARD_ID,
    CARD_SIZE,
    CARD_LAYERS,
    CARD_HIDDEN,
    CARD_TENSOR,
    CARD_TASKS,
    CARD_BACKENDS,
    CARD_KV_HEADS,
    CARD_BASE_MODEL,
    CARD_USES_CFG,
};
static const json_member card_members[] = {
    {"modelId", "model_id", 0, {0}, NULL},
    {"storageSize", "storage_size", 0, {0}, NULL},
    {"nLayers", "n_layers", 0, {0}, NULL},
    {"hiddenSize", "hidden_size", 0, {0}, NULL},
    {"supportsTensor", "supports_tensor", 0, {0}, NULL},
    {"tasks", NULL, 0, {0}, NULL},
    {"backends", NULL, 0, {0}, NULL},
    {"numKeyValueHeads", "num_key_value_heads", 0, {0}, NULL},
    {"baseModel", "base_model", 0, {0}, NULL},
    {"usesCfg", "uses_cfg", 0, {0}, NULL},
};

static exoplace_status read_tasks(exoplace_task **out, size_t *n_out, const json_member *m, json_path *path,
                                  exoplace_error *err)
{
    *out = NULL;
    *n_out = 0;
    size_t mark = exoplace__json_path_push_member(path, m);
    json_cursor c = m->value;
    exoplace_status st = m->present ? exoplace__json_expect(&c, EXOPLACE__JSON_ARRAY, "an array", path, err)
                                    : exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "missing");
    size_t capacity = 0;
    if (st == EXOPLACE_OK)
        exoplace__json_enter(&c);
    for (size_t i = 0; st == EXOPLACE_OK && exoplace__json_next_element(&c); i++) {
        size_t item_mark = exoplace__json_path_push_index(path, i);
        int task;
        st = exoplace__json_read_enum(&task, &c, &exoplace__task_info, path, err);
        exoplace__json_path_pop(path, item_mark);
        if (st == EXOPLACE_OK && *n_out == capacity) {
            capacity = capacity ? capacity * 2 : 2;
            exoplace_task *grown = realloc(*out, capacity * sizeof *grown);
            if (!grown)
                st = exoplace__fail_no_memory(err);
            else
                *out = grown;
        }
        if (st == EXOPLACE_OK)
            (*out)[(*n_out)++] = (exoplace_task)task;
    }
    exoplace__json_path_pop(path, mark);
    return st;
}

exoplace_status exoplace__json_read_card(exoplace_request *request, int as_the_model, json_cursor *c, json_path *path,
                                         exoplace_error *err)
{
    json_member m[COUNT_OF(card_members)];
    exoplace__json_kind_at(c); /* at the card's '{' */
    size_t card_start = c->pos;
    exoplace_status st =
        read_members(c, card_members, m, COUNT_OF(card_members), EXOPLACE__JSON_IGNORE_UNKNOWN, path, err);
    if (st)
        return st;
    /* The card's own text, for the members an instance only echoes. */
    size_t card_length = c->pos - card_start;
    if (card_length > EXOPLACE_MAX_CARD_JSON_BYTES)
        return exoplace__json_fail(err, EXOPLACE_E_LIMIT, path, "a model card longer than %u bytes",
                                   (unsigned)EXOPLACE_MAX_CARD_JSON_BYTES);
    char *card_json = malloc(card_length + 1);
    if (!card_json)
        return exoplace__fail_no_memory(err);
    memcpy(card_json, c->text + card_start, card_length);
    card_json[card_length] = '\0';
    exoplace_model model;
    exoplace_model_init(&model);
    char *model_id = NULL, *base_model = NULL;
    exoplace_backend *backends = NULL;
    exoplace_task *tasks = NULL;
    st = exoplace__json_member_text(&model_id, &m[CARD_ID], EXOPLACE_MAX_ID_BYTES, 0, path, err);
    if (st == EXOPLACE_OK)
        st = exoplace__json_member_bytes(&model.storage_size, &m[CARD_SIZE], EXOPLACE_RULES_EXO_MAIN, path, err);
    if (st == EXOPLACE_OK)
        st = exoplace__json_member_u32(&model.n_layers, &m[CARD_LAYERS], 1, UINT32_MAX, path, err);
    if (st == EXOPLACE_OK)
        st = exoplace__json_member_u32(&model.hidden_size, &m[CARD_HIDDEN], 1, UINT32_MAX, path, err);
    if (st == EXOPLACE_OK)
        st = exoplace__json_member_bool(&model.supports_tensor, &m[CARD_TENSOR], path, err);
    if (st == EXOPLACE_OK)
        st = read_tasks(&tasks, &model.n_tasks, &m[CARD_TASKS], path, err);
    if (st == EXOPLACE_OK) {
        size_t mark = exoplace__json_path_push_member(path, &m[CARD_BACKENDS]);
        json_cursor value = m[CARD_BACKENDS].value;
        st = m[CARD_BACKENDS].present ? read_backends(&backends, &model.n_backends, &value, path, err)
                                      : exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "missing");
        exoplace__json_path_pop(path, mark);
    }
    if (st == EXOPLACE_OK && m[CARD_KV_HEADS].present)
        st = exoplace__json_member_u32(&model.num_key_value_heads, &m[CARD_KV_HEADS], 1, UINT32_MAX, path, err);
    if (st == EXOPLACE_OK && m[CARD_BASE_MODEL].present)
        st = exoplace__json_member_text(&base_model, &m[CARD_BASE_MODEL], EXOPLACE_MAX_ID_BYTES, 1, path, err);
    if (st == EXOPLACE_OK && m[CARD_USES_CFG].present)
        st = exoplace__json_member_bool(&model.uses_cfg, &m[CARD_USES_CFG], path, err);
    /* The members an instance only echoes are checked as exo checks them. */
    if (st == EXOPLACE_OK)
        st = exoplace__json_check_card_echo(card_json, path->text, err);
    model.model_id = model_id;
    model.base_model = base_model;
    model.backends = backends;
    model.tasks = tasks;
    model.card_json = card_json;
    if (st == EXOPLACE_OK)
        st = as_the_model ? exoplace__request_set_model(request, &model, err)
                          : exoplace__request_add_model(NULL, request, &model, err);
    free(card_json);
    free(model_id);
    free(base_model);
    free(backends);
    free(tasks);
    return st;
}

/* ---- the request ------------------------------------------------------------------- */

static exoplace_status read_required_nodes(exoplace_request *request, const json_member *m, json_path *path,
                                           exoplace_error *err)
{
    size_t mark = exoplace__json_path_push_member(path, m);
    json_cursor c = m->value;
    exoplace_status st = exoplace__json_expect(&c, EXOPLACE__JSON_ARRAY, "an array", path, err);
    char **ids = NULL;
    size_t n = 0, capacity = 0;
    if (st == EXOPLACE_OK)
        exoplace__json_enter(&c);
    for (size_t i = 0; st == EXOPLACE_OK && exoplace__json_next_element(&c); i++) {
        size_t item_mark = exoplace__json_path_push_index(path, i);
        char *id = NULL;
        st = read_id(&id, &c, path, err);
        exoplace__json_path_pop(path, item_mark);
        if (st == EXOPLACE_OK && n == capacity) {
            capacity = capacity ? capacity * 2 : 4;
            char **grown = realloc(ids, capacity * sizeof *grown);
            if (!grown)
                st = exoplace__fail_no_memory(err);
            else
                ids = grown;
        }
        if (st == EXOPLACE_OK)
            ids[n++] = id;
        else
            free(id);
    }
    if (st == EXOPLACE_OK)
        st = exoplace__request_set_required_nodes(request, (const char *const *)ids, n, err);
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    exoplace__json_path_pop(path, mark);
    return st;
}

exoplace_status exoplace__json_read_state(exoplace_request *request, exoplace__json_member *top, json_path *path,
                                          exoplace_error *err)
{
    exoplace_status st = EXOPLACE_OK;
    /* The graph first: every per-node map refers to its nodes. A /state
     * without a topology is an empty cluster. */
    if (top[EXOPLACE__TOP_TOPOLOGY].present) {
        size_t mark = exoplace__json_path_push_member(path, &top[EXOPLACE__TOP_TOPOLOGY]);
        json_cursor c = top[EXOPLACE__TOP_TOPOLOGY].value;
        st = read_topology(request->topology, &c, path, err);
        exoplace__json_path_pop(path, mark);
    }
    request->has_topology = 1;
    static const struct {
        int member;
        node_entry_fn entry;
    } maps[] = {
        {EXOPLACE__TOP_NODE_MEMORY, memory_entry},     {EXOPLACE__TOP_NODE_NETWORK, network_entry},
        {EXOPLACE__TOP_NODE_BACKENDS, backends_entry}, {EXOPLACE__TOP_NODE_RDMA_CTL, rdma_ctl_entry},
        {EXOPLACE__TOP_DOWNLOADS, downloads_entry},
    };
    for (size_t i = 0; st == EXOPLACE_OK && i < COUNT_OF(maps); i++)
        st = for_each_node_entry(request, &top[maps[i].member], path, maps[i].entry, err);
    if (st == EXOPLACE_OK)
        st = exoplace__json_read_models(request, top, path, exoplace__json_read_card, err);
    if (st == EXOPLACE_OK)
        st = exoplace__json_read_settings(&request->options, top, path, err);
    if (st == EXOPLACE_OK && top[EXOPLACE__TOP_NODE_IDS].present)
        st = read_required_nodes(request, &top[EXOPLACE__TOP_NODE_IDS], path, err);
    return st;
}
