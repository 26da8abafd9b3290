/* The exo-main reader (lib/json_read_state.c): every request of the
 * exo-main vectors read into the C structs, compared with what the /state
 * says, as exo-main.md sections 1 and 2.1 read it: node order, edge order
 * and kinds, per-node maps, the card and the placement fields. Bad input is
 * refused naming the vector's field. Plus the reader's own refusals. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exoplace.h"
#include "json_build.h"
#include "topology.h"

static const char *vectors_dir;
static char **names;
static int n_names;

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(fread(text, 1, (size_t)size, f), (size_t)size);
    text[size] = '\0';
    fclose(f);
    return text;
}

static int is_vector(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return n > 5 && strcmp(e->d_name + n - 5, ".json") == 0;
}

/* "a.b[0]" and "a.b.0" name the same field (exo writes indexes as parts). */
static void dotted(char *out, size_t size, const char *path)
{
    size_t n = 0;
    for (const char *p = path; *p && n + 1 < size; p++)
        if (*p == '[')
            out[n++] = '.';
        else if (*p != ']')
            out[n++] = *p;
    out[n] = '\0';
}

static long node_index(const exoplace_topology *t, const char *id)
{
    size_t index;
    return exoplace_topology_find_node(&index, t, id, NULL) == EXOPLACE_OK ? (long)index : -1;
}

/* The node order of exo-main.md 2.1: topology.nodes, then endpoints as read. */
static void check_nodes(const exoplace_topology *t, const json_t *topology, const char *name)
{
    size_t expected = 0;
    const json_t *nodes = json_object_get(topology, "nodes");
    size_t i;
    const json_t *id;
    json_array_foreach (nodes, i, id) {
        ck_assert_msg(node_index(t, json_string_value(id)) == (long)expected, "%s: node %s", name,
                      json_string_value(id));
        expected++;
    }
    const char *source;
    const json_t *sinks;
    json_object_foreach ((json_t *)json_object_get(topology, "connections"), source, sinks) {
        const char *ids[2] = {source, NULL};
        const char *sink;
        const json_t *edges;
        json_object_foreach ((json_t *)sinks, sink, edges) {
            ids[1] = sink;
            for (int k = 0; k < 2; k++)
                if (node_index(t, ids[k]) < 0 || (size_t)node_index(t, ids[k]) == expected)
                    ck_assert_msg((size_t)node_index(t, ids[k]) == expected++, "%s: endpoint %s", name, ids[k]);
        }
    }
    ck_assert_uint_eq(exoplace_topology_node_count(t), expected);
}

/* Edges in document order, identical ones once, with their kind and text. */
static void check_edges(const exoplace_topology *t, const json_t *topology, const char *name)
{
    size_t at = 0;
    const char *source;
    const json_t *sinks;
    json_object_foreach ((json_t *)json_object_get(topology, "connections"), source, sinks) {
        const char *sink;
        const json_t *edges;
        json_object_foreach ((json_t *)sinks, sink, edges) {
            size_t i;
            const json_t *edge;
            json_array_foreach (edges, i, edge) {
                const json_t *multiaddr = json_object_get(edge, "sinkMultiaddr");
                const char *address = json_string_value(json_object_get(multiaddr, "address"));
                const char *source_iface = json_string_value(json_object_get(edge, "sourceRdmaIface"));
                const char *sink_iface = json_string_value(json_object_get(edge, "sinkRdmaIface"));
                int repeated = 0;
                for (size_t k = 0; k < at && !repeated; k++) {
                    exoplace_connection_info c;
                    exoplace_topology_connection(&c, t, k, NULL);
                    repeated = c.source == (size_t)node_index(t, source) && c.sink == (size_t)node_index(t, sink) &&
                               (address ? c.multiaddr && strcmp(c.multiaddr, address) == 0
                                        : c.source_iface && strcmp(c.source_iface, source_iface) == 0 &&
                                              strcmp(c.sink_iface, sink_iface) == 0);
                }
                if (repeated)
                    continue;
                exoplace_connection_info c;
                ck_assert_msg(exoplace_topology_connection(&c, t, at, NULL) == EXOPLACE_OK, "%s: edge %zu", name, at);
                ck_assert_uint_eq(c.source, (size_t)node_index(t, source));
                ck_assert_uint_eq(c.sink, (size_t)node_index(t, sink));
                if (address) {
                    ck_assert_int_eq(c.kind, EXOPLACE_CONNECTION_SOCKET);
                    ck_assert_str_eq(c.multiaddr, address);
                } else {
                    ck_assert_int_eq(c.kind, EXOPLACE_CONNECTION_RDMA);
                    ck_assert_str_eq(c.source_iface, source_iface);
                    ck_assert_str_eq(c.sink_iface, sink_iface);
                }
                at++;
            }
        }
    }
    ck_assert_uint_eq(exoplace_topology_connection_count(t), at);
}

static void check_node_maps(const exoplace_topology *t, const json_t *state, const char *name)
{
    for (size_t i = 0; i < exoplace_topology_node_count(t); i++) {
        const char *id = exoplace_topology_node_id(t, i);
        const json_t *memory = json_object_get(json_object_get(state, "nodeMemory"), id);
        exoplace_node_memory m;
        ck_assert_msg(exoplace_topology_node_memory(&m, t, i) == (memory != NULL), "%s: memory of %s", name, id);
        if (memory) {
            uint64_t available, total;
            ck_assert(test_json_bytes(&available, json_object_get(memory, "ramAvailable")));
            ck_assert(test_json_bytes(&total, json_object_get(memory, "ramTotal")));
            ck_assert(m.ram_available == available && m.ram_total == total);
        }
        uint32_t mask = 0;
        size_t k;
        const json_t *backend;
        json_array_foreach (json_object_get(json_object_get(state, "nodeBackends"), id), k, backend)
            for (int b = 0; exoplace_backend_name((exoplace_backend)b); b++)
                if (strcmp(json_string_value(backend), exoplace_backend_name((exoplace_backend)b)) == 0)
                    mask |= EXOPLACE_BACKEND_BIT(b);
        ck_assert_msg(exoplace_topology_node_backends(t, i) == mask, "%s: backends of %s", name, id);
        const json_t *rdma = json_object_get(json_object_get(state, "nodeRdmaCtl"), id);
        ck_assert_int_eq(exoplace_topology_node_rdma_ctl(t, i), json_is_true(json_object_get(rdma, "enabled")));
        const json_t *interfaces =
            json_object_get(json_object_get(json_object_get(state, "nodeNetwork"), id), "interfaces");
        ck_assert_uint_eq(t->nodes[i].n_interfaces, json_array_size(interfaces));
    }
}

static void check_card(const exoplace_model *model, const json_t *card)
{
    ck_assert_str_eq(model->model_id, json_string_value(json_object_get(card, "modelId")));
    uint64_t size;
    ck_assert(test_json_bytes(&size, json_object_get(card, "storageSize")));
    ck_assert(model->storage_size == size);
    ck_assert_int_eq(model->n_layers, json_integer_value(json_object_get(card, "nLayers")));
    ck_assert_int_eq(model->hidden_size, json_integer_value(json_object_get(card, "hiddenSize")));
    ck_assert_int_eq(model->supports_tensor, json_is_true(json_object_get(card, "supportsTensor")));
    const json_t *heads = json_object_get(card, "numKeyValueHeads");
    ck_assert_int_eq(model->num_key_value_heads, json_is_integer(heads) ? json_integer_value(heads) : 0);
    ck_assert_uint_eq(model->n_backends, json_array_size(json_object_get(card, "backends")));
    for (size_t i = 0; i < model->n_backends; i++)
        ck_assert_str_eq(exoplace_backend_name(model->backends[i]),
                         json_string_value(json_array_get(json_object_get(card, "backends"), i)));
    ck_assert_int_eq(model->uses_cfg, json_is_true(json_object_get(card, "usesCfg")));
    const char *base = json_string_value(json_object_get(card, "baseModel"));
    ck_assert_str_eq(model->base_model ? model->base_model : "", base ? base : "");
}

START_TEST(vector_requests_read_as_exo_main_reads_them)
{
    const char *name = names[_i];
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", vectors_dir, name);
    char *text = read_file(path);
    json_t *vector = NULL;
    exoplace_error err;
    ck_assert_int_eq(test_json_load(&vector, text, &err), EXOPLACE_OK);
    const json_t *state = json_object_get(vector, "request");
    const json_t *expect = json_object_get(vector, "expect");
    char *request = json_dumps(state, JSON_COMPACT);
    exoplace_request *r = NULL;
    exoplace_status st = exoplace_request_parse(&r, request, strlen(request), NULL, &err);
    if (json_is_true(json_object_get(expect, "bad_input"))) {
        ck_assert_msg(st != EXOPLACE_OK && !exoplace_status_is_placement_failure(st), "%s: accepted", name);
        char got[EXOPLACE_ERROR_FIELD_BYTES], want[EXOPLACE_ERROR_FIELD_BYTES];
        dotted(got, sizeof got, err.field);
        dotted(want, sizeof want, json_string_value(json_object_get(expect, "field")));
        ck_assert_msg(strcmp(got, want) == 0, "%s: field %s, expected %s", name, err.field, want);
        ck_assert_ptr_null(r);
    } else {
        ck_assert_msg(st == EXOPLACE_OK, "%s: %s: %s", name, err.field, err.message);
        ck_assert_int_eq(r->rules, EXOPLACE_RULES_EXO_MAIN);
        ck_assert_int_eq(r->options.rules, EXOPLACE_RULES_EXO_MAIN);
        const json_t *topology = json_object_get(state, "topology");
        check_nodes(r->topology, topology, name);
        check_edges(r->topology, topology, name);
        check_node_maps(r->topology, state, name);
        ck_assert_ptr_nonnull(r->model);
        check_card(r->model, json_object_get(state, "model"));
        const json_t *sharding = json_object_get(state, "sharding");
        ck_assert_str_eq(exoplace_sharding_name(r->options.sharding),
                         sharding ? json_string_value(sharding) : "Pipeline");
        const json_t *meta = json_object_get(state, "instanceMeta");
        ck_assert_str_eq(exoplace_instance_meta_name(r->options.instance_meta),
                         meta ? json_string_value(meta) : "MlxRing");
        const json_t *min_nodes = json_object_get(state, "minNodes");
        ck_assert_int_eq(r->options.min_nodes, min_nodes ? json_integer_value(min_nodes) : 1);
        const json_t *required = json_object_get(state, "nodeIds");
        ck_assert_uint_eq(r->options.n_required_node_ids, json_array_size(required));
        for (size_t i = 0; i < r->options.n_required_node_ids; i++)
            ck_assert_str_eq(r->options.required_node_ids[i], json_string_value(json_array_get(required, i)));
    }
    exoplace_request_free(r);
    free(request);
    json_decref(vector);
    free(text);
}
END_TEST

/* One request of the exo-main shape, the `extra` members spliced in. */
static exoplace_status parse_state(exoplace_request **out, exoplace_error *err, const char *topology,
                                   const char *extra)
{
    char text[4096];
    snprintf(text, sizeof text,
             "{\"topology\": %s, \"nodeMemory\": {\"a\": {\"ramTotal\": {\"inBytes\": 100}, \"ramAvailable\": "
             "{\"inBytes\": 50}, \"swapTotal\": {\"inBytes\": 0}, \"swapAvailable\": {\"inBytes\": 0}}}%s}",
             topology, extra);
    return exoplace_request_parse(out, text, strlen(text), NULL, err);
}

static const char *two_nodes = "{\"nodes\": [\"a\", \"b\"], \"connections\": {\"a\": {\"b\": [{\"sinkMultiaddr\": "
                               "{\"address\": \"/ip4/10.0.0.2/tcp/52415\"}}]}}}";

START_TEST(edges_take_exactly_one_kind)
{
    exoplace_request *r;
    exoplace_error err;
    const char *cases[][2] = {
        {"{\"nodes\": [\"a\"], \"connections\": {\"a\": {\"b\": [{\"sinkMultiaddr\": {\"address\": "
         "\"/ip4/1.2.3.4\"}, \"sourceRdmaIface\": \"x\", \"sinkRdmaIface\": \"y\"}]}}}",
         "topology.connections.a.b[0]"},
        {"{\"nodes\": [\"a\"], \"connections\": {\"a\": {\"b\": [{\"sourceRdmaIface\": \"x\"}]}}}",
         "topology.connections.a.b[0].sinkRdmaIface"},
        {"{\"nodes\": [\"a\"], \"connections\": {\"a\": {\"b\": [{\"extra\": 1, \"sourceRdmaIface\": \"x\", "
         "\"sinkRdmaIface\": \"y\"}]}}}",
         "topology.connections.a.b[0].extra"},
        {"{\"nodes\": [\"a\"], \"connections\": {\"a\": {\"b\": [{}]}}}", "topology.connections.a.b[0]"},
        {"{\"nodes\": [\"a\"], \"connections\": {\"a\": {\"\": []}}}", "topology.connections.a."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_int_eq(parse_state(&r, &err, cases[i][0], ""), EXOPLACE_E_INVALID_ARGUMENT);
        ck_assert_str_eq(err.field, cases[i][1]);
    }
}
END_TEST

START_TEST(multiaddrs_follow_exo_patterns)
{
    /* The patterns check the shape only, not the octets, the port or the IPv6 text. */
    const char *accepted[] = {"/ip4/10.0.0.2",          "/ip4/10.0.0.2/tcp/1",       "/ip4/10.0.0.2/tcp/52415/p2p/Qm12",
                              "/ip6/fe80::1/tcp/4001",  "/dns/host-1.local/tcp/443", "/dns4/a.b",
                              "/ip4/999.0.0.5/tcp/52415", "/ip4/10.0.0.256/tcp/1",   "/ip4/1.2.3.4/tcp/65536",
                              "/ip4/1.2.3.4/tcp/99999", "/ip4/10.0.0.5/p2p/QmPeer",  "/ip6/1/tcp/1",
                              "/ip6/:::::/tcp/1",       "/dns6/-/p2p/1"};
    const char *refused[] = {"/ip4/10.0.0/tcp/1", "/ip4/1.2.3.4/udp/1",  "/ip4/1.2.3.4/tcp/123456",
                             "/ip6/fe80::g1",     "/dns/a_b/tcp/1",      "/ip4/1.2.3.4/tcp/1/",
                             "/tcp/1",            "/ip4/1.2.3.4/p2p/a-b"};
    char topology[512];
    exoplace_request *r;
    exoplace_error err;
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        snprintf(topology, sizeof topology,
                 "{\"nodes\": [\"a\", \"b\"], \"connections\": {\"a\": {\"b\": [{\"sinkMultiaddr\": {\"address\": "
                 "\"%s\", \"port\": 7}}]}}}",
                 accepted[i]);
        ck_assert_msg(parse_state(&r, &err, topology, "") == EXOPLACE_OK, "%s: %s", accepted[i], err.message);
        exoplace_connection_info c;
        ck_assert_int_eq(exoplace_topology_connection(&c, r->topology, 0, NULL), EXOPLACE_OK);
        ck_assert_str_eq(c.multiaddr, accepted[i]);
        exoplace_request_free(r);
    }
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        snprintf(topology, sizeof topology,
                 "{\"nodes\": [\"a\", \"b\"], \"connections\": {\"a\": {\"b\": [{\"sinkMultiaddr\": {\"address\": "
                 "\"%s\"}}]}}}",
                 refused[i]);
        ck_assert_msg(parse_state(&r, &err, topology, "") == EXOPLACE_E_INVALID_ARGUMENT, "%s accepted", refused[i]);
        ck_assert_str_eq(err.field, "topology.connections.a.b[0].sinkMultiaddr.address");
    }
}
END_TEST

/* A pair a <-> b whose edges are the two addresses. */
static int pair_is_thunderbolt(const char *a_to_b, const char *b_to_a)
{
    char topology[512];
    snprintf(topology, sizeof topology,
             "{\"nodes\": [\"a\", \"b\"], \"connections\": {\"a\": {\"b\": [{\"sinkMultiaddr\": {\"address\": "
             "\"%s\"}}]}, \"b\": {\"a\": [{\"sinkMultiaddr\": {\"address\": \"%s\"}}]}}}",
             a_to_b, b_to_a);
    exoplace_request *r;
    exoplace_error err;
    ck_assert_msg(parse_state(&r, &err, topology, "") == EXOPLACE_OK, "%s: %s", err.field, err.message);
    size_t nodes[] = {0, 1};
    int thunderbolt = -1;
    ck_assert_int_eq(exoplace_cycle_is_thunderbolt(&thunderbolt, r->topology, nodes, 2, NULL), EXOPLACE_OK);
    exoplace_request_free(r);
    return thunderbolt;
}

/* An address only exo's patterns accept is stored, but is thunderbolt only
 * when it is a valid IPv4 address in 169.254/16. */
START_TEST(thunderbolt_only_for_valid_link_local_addresses)
{
    ck_assert_int_eq(pair_is_thunderbolt("/ip4/169.254.0.2/tcp/1", "/ip4/169.254.0.1/p2p/Qm1"), 1);
    ck_assert_int_eq(pair_is_thunderbolt("/ip4/169.254.0.256/tcp/1", "/ip4/169.254.0.1/tcp/1"), 0);
    ck_assert_int_eq(pair_is_thunderbolt("/ip4/169.254.0.2/tcp/99999", "/ip4/169.254.999.1/tcp/1"), 0);
    ck_assert_int_eq(pair_is_thunderbolt("/ip4/169.254.0.2/tcp/99999", "/ip4/169.254.000.001"), 1);
}
END_TEST

START_TEST(rules_come_from_the_request_or_the_shape)
{
    exoplace_request *r;
    exoplace_error err;
    ck_assert_int_eq(parse_state(&r, &err, two_nodes, ""), EXOPLACE_OK);
    ck_assert_int_eq(r->rules, EXOPLACE_RULES_EXO_MAIN);
    exoplace_request_free(r);
    /* "rules" wins over the shape. */
    ck_assert_int_eq(parse_state(&r, &err, two_nodes, ", \"rules\": \"seed\""), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "topology.nodes[0]");
    ck_assert_int_eq(parse_state(&r, &err, two_nodes, ", \"rules\": \"exo\""), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "rules");
    const char *seed = "{\"topology\": {\"nodes\": [], \"connections\": []}}";
    ck_assert_int_eq(exoplace_request_parse(&r, seed, strlen(seed), NULL, &err), EXOPLACE_OK);
    ck_assert_int_eq(r->rules, EXOPLACE_RULES_SEED);
    exoplace_request_free(r);
}
END_TEST

START_TEST(per_node_maps_read_both_spellings_and_skip_unknown_nodes)
{
    exoplace_request *r;
    exoplace_error err;
    const char *extra =
        ", \"node_backends\": {\"a\": [\"MlxMetal\", \"MlxMetal\"], \"ghost\": [\"Vllm\"]}, "
        "\"node_rdma_ctl\": {\"b\": {\"enabled\": true}}, "
        "\"nodeNetwork\": {\"b\": {\"interfaces\": [{\"name\": \"en0\", \"ipAddress\": \"10.0.0.2\"}, "
        "{\"name\": \"en2\", \"ipAddress\": \"169.254.0.2\", \"interfaceType\": \"thunderbolt\"}]}}, "
        "\"downloads\": {\"a\": [{\"DownloadOngoing\": {\"shardMetadata\": {\"PipelineShardMetadata\": "
        "{\"modelCard\": {\"modelId\": \"m\"}}}, \"downloadProgress\": {\"downloaded\": {\"inBytes\": 3}, "
        "\"total\": {\"inBytes\": 4}}}}, {\"DownloadFailed\": {\"shardMetadata\": {}}}, "
        "{\"DownloadPending\": {\"shardMetadata\": {\"CfgShardMetadata\": {\"modelCard\": {\"modelId\": \"m\"}}}}}]}, "
        "\"node_ids\": [\"b\"], \"min_nodes\": 2, \"instance_meta\": \"MlxJaccl\"";
    ck_assert_msg(parse_state(&r, &err, two_nodes, extra) == EXOPLACE_OK, "%s: %s", err.field, err.message);
    const exoplace_topology *t = r->topology;
    ck_assert_uint_eq(exoplace_topology_node_backends(t, 0), EXOPLACE_BACKEND_BIT(EXOPLACE_BACKEND_MLX_METAL));
    ck_assert_int_eq(exoplace_topology_node_rdma_ctl(t, 1), 1);
    ck_assert_uint_eq(t->nodes[1].n_interfaces, 2);
    ck_assert_int_eq(t->nodes[1].interfaces[0].type, EXOPLACE_INTERFACE_UNKNOWN);
    ck_assert_int_eq(t->nodes[1].interfaces[1].type, EXOPLACE_INTERFACE_THUNDERBOLT);
    /* The failed entry has no model to find: ignored; the pending one has no byte counts: 0 of 0. */
    ck_assert_uint_eq(t->nodes[0].n_downloads, 2);
    ck_assert_int_eq(t->nodes[0].downloads[0].kind, EXOPLACE_DOWNLOAD_ONGOING);
    ck_assert(t->nodes[0].downloads[0].downloaded_bytes == 3 && t->nodes[0].downloads[0].total_bytes == 4);
    ck_assert_int_eq(t->nodes[0].downloads[1].kind, EXOPLACE_DOWNLOAD_PENDING);
    ck_assert_uint_eq(exoplace_topology_node_count(t), 2); /* "ghost" is no node */
    ck_assert_uint_eq(r->options.n_required_node_ids, 1);
    ck_assert_int_eq(r->options.min_nodes, 2);
    ck_assert_int_eq(r->options.instance_meta, EXOPLACE_INSTANCE_MLX_JACCL);
    ck_assert_ptr_null(r->model);
    exoplace_request_free(r);
    ck_assert_int_eq(parse_state(&r, &err, two_nodes, ", \"downloads\": {\"a\": [{\"DownloadDone\": {}}]}"),
                     EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "downloads.a[0].DownloadDone");
    ck_assert_int_eq(parse_state(&r, &err, two_nodes, ", \"nodeMemory\": {\"b\": {\"ramTotal\": {\"inBytes\": 1}}}"),
                     EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "nodeMemory.b.ramAvailable");
}
END_TEST

/* The keys of the per-node maps are node ids: an empty one is refused
 * (exo-main.md 11.2), one holding U+0000 too (as in topology.nodes); an id
 * too long to be a node is no topology node: its entry is read, then dropped. */
START_TEST(per_node_map_keys_are_node_ids)
{
    static const char *const maps[][2] = {
        {"nodeMemory", "{\"ramTotal\": {\"inBytes\": 1}, \"ramAvailable\": {\"inBytes\": 1}, \"swapTotal\": "
                       "{\"inBytes\": 0}, \"swapAvailable\": {\"inBytes\": 0}}"},
        {"nodeNetwork", "{\"interfaces\": []}"},
        {"nodeBackends", "[\"MlxMetal\"]"},
        {"nodeRdmaCtl", "{\"enabled\": true}"},
        {"downloads", "[]"},
    };
    exoplace_request *r;
    exoplace_error err;
    char long_id[EXOPLACE_MAX_ID_BYTES + 2];
    memset(long_id, 'n', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++) {
        /* nodeMemory is the request's own member too: the one under test comes last and wins. */
        char extra[2048], field[64];
        snprintf(extra, sizeof extra, ", \"%s\": {\"b\": %s, \"\": %s}", maps[i][0], maps[i][1], maps[i][1]);
        ck_assert_int_eq(parse_state(&r, &err, two_nodes, extra), EXOPLACE_E_INVALID_ARGUMENT);
        snprintf(field, sizeof field, "%s.", maps[i][0]);
        ck_assert_str_eq(err.field, field);
        ck_assert_str_eq(err.message, "empty node id");
        snprintf(extra, sizeof extra, ", \"%s\": {\"b\\u0000\": %s}", maps[i][0], maps[i][1]);
        ck_assert_int_eq(parse_state(&r, &err, two_nodes, extra), EXOPLACE_E_INVALID_ARGUMENT);
        snprintf(field, sizeof field, "%s.b\\x00", maps[i][0]);
        ck_assert_str_eq(err.field, field);
        ck_assert_str_eq(err.message, "contains a NUL character");
        snprintf(extra, sizeof extra, ", \"%s\": {\"%s\": %s}", maps[i][0], long_id, maps[i][1]);
        ck_assert_msg(parse_state(&r, &err, two_nodes, extra) == EXOPLACE_OK, "%s: %s", err.field, err.message);
        ck_assert_uint_eq(exoplace_topology_node_count(r->topology), 2);
        exoplace_request_free(r);
    }
}
END_TEST

/* downloads.a as `entries`, parsed; asserts it reads. */
static exoplace_request *parse_downloads(const char *entries)
{
    char extra[2048];
    snprintf(extra, sizeof extra, ", \"downloads\": {\"a\": [%s]}", entries);
    exoplace_request *r;
    exoplace_error err;
    ck_assert_msg(parse_state(&r, &err, two_nodes, extra) == EXOPLACE_OK, "%s: %s: %s", entries, err.field,
                  err.message);
    return r;
}

#define SHARD(kind, id) "{\"" kind "\": {\"modelCard\": {\"modelId\": \"" id "\"}}}"

/* exo-main.md 1.6: an entry is a one-member object keyed by its kind; the
 * model id comes from the shard's one member, a Pipeline, Cfg or Tensor
 * shard, and an entry without one to find is ignored. */
START_TEST(download_entries_and_shards_are_one_member_objects)
{
    exoplace_request *r =
        parse_downloads("{\"DownloadCompleted\": {\"shardMetadata\": " SHARD("PipelineShardMetadata", "m") "}}, "
                        "{\"DownloadFailed\": {\"shardMetadata\": " SHARD("CfgShardMetadata", "m") "}}, "
                        "{\"DownloadPending\": {\"shardMetadata\": " SHARD("TensorShardMetadata", "m") "}}");
    ck_assert_uint_eq(r->topology->nodes[0].n_downloads, 3);
    exoplace_request_free(r);
    /* No model id to find: an unknown shard kind, two shard kinds, a kind spelt otherwise. */
    r = parse_downloads("{\"DownloadCompleted\": {\"shardMetadata\": " SHARD("FooShardMetadata", "m") "}}, "
                        "{\"DownloadCompleted\": {\"shardMetadata\": {\"PipelineShardMetadata\": {\"modelCard\": "
                        "{\"modelId\": \"m\"}}, \"TensorShardMetadata\": {\"modelCard\": {\"modelId\": \"m\"}}}}}, "
                        "{\"DownloadCompleted\": {\"shardMetadata\": {\"pipelineShardMetadata\": {\"modelCard\": "
                        "{\"modelId\": \"m\"}}}}}");
    ck_assert_uint_eq(r->topology->nodes[0].n_downloads, 0);
    exoplace_request_free(r);
    /* A repeated key is one member with its last value, for the kind and the shard. */
    r = parse_downloads("{\"DownloadOngoing\": {\"downloadProgress\": {\"total\": {\"inBytes\": -1}}}, "
                        "\"DownloadOngoing\": {\"shardMetadata\": {\"PipelineShardMetadata\": {\"modelCard\": "
                        "{\"modelId\": \"x\"}}, \"PipelineShardMetadata\": {\"modelCard\": {\"modelId\": \"m\"}}}, "
                        "\"downloadProgress\": {\"downloaded\": {\"inBytes\": 1}, \"total\": {\"inBytes\": 2}}}}");
    ck_assert_uint_eq(r->topology->nodes[0].n_downloads, 1);
    ck_assert_str_eq(r->topology->nodes[0].downloads[0].model_id, "m");
    ck_assert(r->topology->nodes[0].downloads[0].downloaded_bytes == 1 &&
              r->topology->nodes[0].downloads[0].total_bytes == 2);
    exoplace_request_free(r);
    /* A second member, another kind or any other key, is bad input naming the entry. */
    const char *refused[] = {
        "{\"DownloadCompleted\": {\"shardMetadata\": " SHARD("PipelineShardMetadata", "m") "}, "
        "\"DownloadFailed\": {\"shardMetadata\": " SHARD("PipelineShardMetadata", "m") "}}",
        "{\"DownloadCompleted\": {}, \"nodeId\": \"a\"}",
        "{\"DownloadPending\": {}, \"DownloadPending\": {}, \"DownloadFailed\": {}}",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        char extra[1024];
        snprintf(extra, sizeof extra, ", \"downloads\": {\"a\": [{\"DownloadFailed\": {}}, %s]}", refused[i]);
        exoplace_error err;
        ck_assert_int_eq(parse_state(&r, &err, two_nodes, extra), EXOPLACE_E_INVALID_ARGUMENT);
        ck_assert_str_eq(err.field, "downloads.a[1]");
        ck_assert_msg(strstr(err.message, "one member") != NULL, "%s", err.message);
    }
}
END_TEST

START_TEST(map_keys_are_shown_escaped_in_paths)
{
    exoplace_request *r;
    exoplace_error err;
    ck_assert_int_eq(parse_state(&r, &err, two_nodes, ", \"nodeRdmaCtl\": {\"x\\u001b[31m\": {\"enabled\": 1}}"),
                     EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "nodeRdmaCtl.x\\x1b[31m.enabled");
}
END_TEST

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s VECTORS_DIR\n", argv[0]);
        return 2;
    }
    vectors_dir = argv[1];
    struct dirent **entries;
    n_names = scandir(vectors_dir, &entries, is_vector, alphasort);
    if (n_names <= 0) {
        fprintf(stderr, "%s: no vectors\n", vectors_dir);
        return 1;
    }
    names = calloc((size_t)n_names, sizeof *names);
    for (int i = 0; i < n_names; i++) {
        names[i] = strdup(entries[i]->d_name);
        free(entries[i]);
    }
    free(entries);
    Suite *suite = suite_create("json_state");
    TCase *tc = tcase_create("state");
    tcase_add_loop_test(tc, vector_requests_read_as_exo_main_reads_them, 0, n_names);
    tcase_add_test(tc, edges_take_exactly_one_kind);
    tcase_add_test(tc, multiaddrs_follow_exo_patterns);
    tcase_add_test(tc, thunderbolt_only_for_valid_link_local_addresses);
    tcase_add_test(tc, rules_come_from_the_request_or_the_shape);
    tcase_add_test(tc, per_node_maps_read_both_spellings_and_skip_unknown_nodes);
    tcase_add_test(tc, per_node_map_keys_are_node_ids);
    tcase_add_test(tc, download_entries_and_shards_are_one_member_objects);
    tcase_add_test(tc, map_keys_are_shown_escaped_in_paths);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    for (int i = 0; i < n_names; i++)
        free(names[i]);
    free(names);
    return failed ? 1 : 0;
}
