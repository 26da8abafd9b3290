/* Fuzz target: exo-main's shards, instance and their JSON (lib/shards_exo_main.c,
 * lib/instance.c, lib/json_write_instance.c) from a byte stream.
 *
 * The first byte says how many bytes of program follow; the program builds
 * a topology of at most FUZZ_NODES nodes (memory, interfaces of every type,
 * socket connections to IPv4, IPv6 and /dns addresses, RDMA connections,
 * self-connections, pairs linked every way), a cycle of distinct nodes in rank order, the model's
 * fields, the sharding, engine and tier. The bytes after the program are
 * the card's JSON text (card_json). The stream reads zeros once it runs
 * out, so every input is a valid program.
 *
 * Besides "no crash, no leak, no undefined behaviour": the placement fails
 * only with the statuses of exo-main.md 6 and 7; a success has one shard per
 * rank with contiguous pipeline layers of at least one each (CFG: both
 * groups over the same ranges), distinct uuid4 ids, an ephemeral port, ring
 * hosts for every rank or a complete jaccl matrix with a coordinator text
 * per rank; writing succeeds exactly when the readers' card check accepts
 * the card, and then gives valid JSON.
 */
#include "fuzz_common.h"

#include "error.h"
#include "instance.h"
#include "json_parse.h"
#include "json_write_instance.h"

#define FUZZ_NODES 6
#define FUZZ_OPS 40

typedef struct stream {
    const uint8_t *data;
    size_t size;
} stream;

static uint8_t u8(stream *s)
{
    if (!s->size)
        return 0;
    s->size--;
    return *s->data++;
}

/* Memory figures: zero, small, GiB-sized, near the 64-bit edge. */
static uint64_t bytes_value(stream *s)
{
    uint8_t kind = u8(s);
    switch (kind % 4) {
    case 0: return u8(s);
    case 1: return (uint64_t)u8(s) << 30;
    case 2: return UINT64_MAX - u8(s);
    default: return (uint64_t)u8(s) << (u8(s) % 56);
    }
}

static const char *const node_ids[FUZZ_NODES] = {"n0", "n1", "n2", "n3", "n4", "n5"};
static const char *const addresses[] = {
    "/ip4/10.0.0.1/tcp/52415", "/ip4/10.0.0.2/tcp/52415", "/ip4/169.254.0.3/tcp/52415", "/ip6/fe80::4/tcp/1",
    "/ip4/10.0.0.1", "/dns/host.example/tcp/1", "/dns4/a.example", "/ip6/2001:db8::5/tcp/52415/p2p/QmPeer",
};
static const char *const interface_ips[] = {"10.0.0.1", "10.0.0.2", "169.254.0.3", "fe80::4", "2001:db8::5"};

static void build_topology(exoplace_topology *t, stream *s, size_t n_nodes)
{
    for (size_t i = 0; i < n_nodes; i++) {
        exoplace_node_memory memory;
        exoplace_node_memory_init(&memory);
        memory.ram_total = bytes_value(s);
        memory.ram_available = bytes_value(s);
        memory.swap_available = bytes_value(s);
        exoplace_topology_add_node(t, node_ids[i], &memory, NULL);
    }
    size_t ops = u8(s) % FUZZ_OPS;
    for (size_t k = 0; k < ops; k++) {
        uint8_t op = u8(s);
        const char *a = node_ids[u8(s) % n_nodes], *b = node_ids[u8(s) % n_nodes];
        switch (op % 4) {
        case 3:
            /* A pair linked both ways by sockets and RDMA: rings and jaccl meshes come often. */
            exoplace_topology_add_connection(t, a, b, addresses[u8(s) % 2], NULL);
            exoplace_topology_add_connection(t, b, a, addresses[u8(s) % 2], NULL);
            exoplace_topology_add_rdma_connection(t, a, b, "rdma_en1", "rdma_en2", NULL);
            exoplace_topology_add_rdma_connection(t, b, a, "rdma_en2", "rdma_en1", NULL);
            break;
        case 0:
            exoplace_topology_add_connection(t, a, b, addresses[u8(s) % (sizeof addresses / sizeof *addresses)], NULL);
            break;
        case 1:
            exoplace_topology_add_rdma_connection(t, a, b, u8(s) % 2 ? "rdma_en1" : "rdma_en2", "rdma_en3", NULL);
            break;
        default:
            exoplace_topology_add_interface(t, a, "en0", interface_ips[u8(s) % (sizeof interface_ips / sizeof *interface_ips)],
                                            (exoplace_interface_type)(u8(s) % 5), NULL);
        }
    }
}

static void check_placement(const exoplace_placement *p, const exoplace_model *m, size_t n)
{
    const exoplace_instance *inst = &p->instance;
    FUZZ_CHECK(p->n_nodes == n && inst->n_nodes == n);
    FUZZ_CHECK(p->rules == EXOPLACE_RULES_EXO_MAIN);
    FUZZ_CHECK(n > 1 || (p->sharding == EXOPLACE_SHARDING_PIPELINE && p->instance_meta == EXOPLACE_INSTANCE_MLX_RING));
    FUZZ_CHECK(inst->ephemeral_port >= 49152 && inst->ephemeral_port != 52415);
    FUZZ_CHECK(fuzz_is_uuid4(inst->instance_id));
    int cfg = p->shards[0].kind == EXOPLACE_SHARD_CFG;
    size_t stages = cfg ? n / 2 : n;
    for (size_t r = 0; r < n; r++) {
        const exoplace_shard *sh = &p->shards[r];
        FUZZ_CHECK(sh->device_rank == r && sh->world_size == n && sh->n_layers == m->n_layers);
        FUZZ_CHECK(fuzz_is_uuid4(inst->runner_ids[r]) && strcmp(inst->runner_ids[r], inst->instance_id) != 0);
        for (size_t q = 0; q < r; q++)
            FUZZ_CHECK(strcmp(inst->runner_ids[r], inst->runner_ids[q]) != 0);
        if (p->sharding == EXOPLACE_SHARDING_TENSOR) {
            FUZZ_CHECK(sh->kind == EXOPLACE_SHARD_TENSOR && sh->start_layer == 0 && sh->end_layer == m->n_layers);
            continue;
        }
        size_t stage = cfg ? sh->pipeline_rank : r;
        FUZZ_CHECK(stage < stages && sh->start_layer < sh->end_layer);
        FUZZ_CHECK(stage == 0 ? sh->start_layer == 0 : sh->start_layer > 0);
        if (stage == stages - 1)
            FUZZ_CHECK(sh->end_layer == m->n_layers);
        if (!cfg && r > 0)
            FUZZ_CHECK(sh->start_layer == p->shards[r - 1].end_layer);
        if (cfg)
            FUZZ_CHECK(sh->cfg_rank == (r >= stages) && sh->pipeline_rank == (r < stages ? r : n - 1 - r) &&
                       sh->start_layer == p->shards[sh->pipeline_rank].start_layer);
    }
    if (inst->kind == EXOPLACE_INSTANCE_MLX_RING) {
        for (size_t r = 0; r < n; r++)
            FUZZ_CHECK(inst->ring_prev[r].ip && inst->ring_next[r].ip && inst->ring_next[r].port == inst->ephemeral_port);
    } else {
        for (size_t i = 0; i < n; i++) {
            FUZZ_CHECK(inst->jaccl_coordinators[i] && strchr(inst->jaccl_coordinators[i], ':'));
            for (size_t j = 0; j < n; j++)
                FUZZ_CHECK((i == j) == (inst->jaccl_devices[i * n + j] == NULL));
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t program = size ? data[0] : 0;
    if (program > size - (size ? 1 : 0))
        program = size ? size - 1 : 0;
    stream s = {size ? data + 1 : data, program};
    char *card_json = fuzz_text(data + (size ? 1 : 0) + program, size - (size ? 1 : 0) - program);

    size_t n_nodes = 1 + u8(&s) % FUZZ_NODES;
    exoplace_topology *t = NULL;
    if (exoplace_topology_new(&t, NULL) != EXOPLACE_OK)
        abort();
    build_topology(t, &s, n_nodes);
    /* The cycle: the first n nodes of a shuffle, in rank order. */
    uint32_t cycle[FUZZ_NODES];
    for (size_t i = 0; i < n_nodes; i++)
        cycle[i] = (uint32_t)i;
    for (size_t i = n_nodes - 1; i > 0; i--) {
        size_t j = u8(&s) % (i + 1);
        uint32_t swap = cycle[i];
        cycle[i] = cycle[j];
        cycle[j] = swap;
    }
    size_t n = 1 + u8(&s) % n_nodes;
    exoplace_model m;
    exoplace_model_init(&m);
    m.model_id = "org/model";
    m.storage_size = bytes_value(&s);
    m.n_layers = 1 + u8(&s) % 12;
    m.hidden_size = 1 + u8(&s);
    m.supports_tensor = u8(&s) % 2;
    m.uses_cfg = u8(&s) % 2;
    m.num_key_value_heads = u8(&s) % 4;
    m.card_json = u8(&s) % 4 ? card_json : NULL;
    exoplace_sharding sharding = (exoplace_sharding)(u8(&s) % 2);
    exoplace_instance_meta meta = (exoplace_instance_meta)(u8(&s) % 2);
    exoplace_memory_tier tier = u8(&s) % 2 ? EXOPLACE_TIER_TOTAL : EXOPLACE_TIER_AVAILABLE;
    exoplace__out_edges out_edges;
    exoplace__out_edges *index = NULL;
    if (u8(&s) % 2) {
        if (exoplace__out_edges_init(&out_edges, t, NULL) != EXOPLACE_OK)
            abort();
        index = &out_edges;
    }

    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.use_random_seed = 1;
    o.random_seed = size;
    exoplace__random random;
    exoplace__random_init(&random, &o);
    exoplace_placement p;
    exoplace_error err;
    exoplace__error_clear(&err);
    exoplace_status st =
        exoplace__exo_main_place_cycle(&p, t, index, cycle, n, &m, sharding, meta, tier, &random, &err);
    fuzz_check_error(&err, st);
    FUZZ_CHECK(st == EXOPLACE_OK || st == EXOPLACE_E_ZERO_MEMORY || st == EXOPLACE_E_TOO_FEW_LAYERS ||
               st == EXOPLACE_E_NODE_INSUFFICIENT_MEMORY || st == EXOPLACE_E_RING_NO_LINK ||
               st == EXOPLACE_E_JACCL_NOT_ALL_TO_ALL || st == EXOPLACE_E_JACCL_UNREACHABLE_COORDINATOR ||
               st == EXOPLACE_E_INVALID_MULTIADDR);
    if (st == EXOPLACE_OK) {
        check_placement(&p, &m, n);
        char *text = NULL;
        exoplace_error write_err, check_err;
        exoplace_status written = exoplace_placement_write_json(&text, &p, &m, &write_err);
        exoplace__error_clear(&check_err);
        exoplace_status checked = exoplace__json_check_card_echo(m.card_json, "model", &check_err);
        fuzz_check_error(&write_err, written);
        FUZZ_CHECK((written == EXOPLACE_OK) == (checked == EXOPLACE_OK));
        FUZZ_CHECK(written == checked);
        if (written == EXOPLACE_OK) {
            FUZZ_CHECK(exoplace__json_validate(text, strlen(text), NULL) == EXOPLACE_OK);
            exoplace_free(text);
        } else {
            FUZZ_CHECK(text == NULL);
            FUZZ_CHECK(written == EXOPLACE_E_INVALID_ARGUMENT || written == EXOPLACE_E_INVALID_JSON ||
                       written == EXOPLACE_E_LIMIT);
        }
        exoplace_placement_dispose(&p);
    } else {
        FUZZ_CHECK(p.shards == NULL && p.instance.runner_ids == NULL);
    }
    if (index)
        exoplace__out_edges_dispose(index);
    exoplace_topology_free(t);
    free(card_json);
    return 0;
}
