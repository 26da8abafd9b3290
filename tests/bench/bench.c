/*
 * bench: how long placement takes on large clusters, and how much memory.
 *
 * For each case (a seeded topology plus a model) it times
 * exoplace_get_placement() and exoplace_preview_list_new() through the public API
 * only, each in its own child process so that the peak RSS (wait4's
 * ru_maxrss) belongs to that case and operation, and so that a call that runs
 * too long is killed and reported instead of hanging the benchmark. The
 * repeat count adapts to the first call's time (a budget per operation), and
 * the median is printed. It also prints how many simple cycles exo's approach
 * (list every cycle, then filter) would list on each full mesh.
 *
 * Usage: bench [--case SUBSTRING] [--budget SECONDS] [--timeout SECONDS]
 *              [--previews-timeout SECONDS] [--no-fork] [--list]
 *        bench --write-json FILE [CASE]   (exo's request JSON; default mesh-64)
 * --no-fork runs everything in this process (no RSS, no timeouts): for perf
 * and callgrind. Exit status: 0, or 1 when a C API target fails, 2 on usage.
 *
 * Then the hostile-input cases (--case flood-ids, random-ids, flood-addrs,
 * random-addrs; not in --list, which names the cases --write-json writes):
 * 65 536 node ids and 262 144 connection multiaddrs chosen to collide in the
 * low bits of FNV-1a, the unkeyed hash the topology's indexes once used,
 * beside random strings of the same length. One run each, through the C API
 * and through exoplace_get_placement_json; --flood-timeout (default 300 s)
 * bounds each.
 */
#include <exoplace.h>

#include "fnv_collisions.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GIB (1024.0 * 1024.0 * 1024.0)
#define MAX_RUNS 301u
#define SEED 0x6578706c616365ull /* "explace" */

/* ---- the cases ------------------------------------------------------------ */

typedef enum shape {
    SHAPE_MESH,    /* every ordered pair connected, ethernet */
    SHAPE_RING,    /* i -> i+1 and i+1 -> i, ethernet */
    SHAPE_SPARSE,  /* seeded random digraph, out-degree 3 */
    SHAPE_ISLANDS  /* 16 thunderbolt full meshes of 16, ethernet between */
} shape;

typedef enum model_size {
    MODEL_SHARE,     /* `amount` times the summed available memory */
    MODEL_ONE_NODE,  /* half of the largest node's available memory */
    MODEL_NODES,     /* `amount` times the mean available memory */
    MODEL_ISLANDS    /* `amount` times the richest island's available memory */
} model_size;

typedef struct bench_case {
    const char *name;
    shape shape;
    size_t n;
    model_size model;
    double amount;
    const char *what;
    exoplace_rules rules; /* exo-main: every node MlxMetal with rdma_ctl, the /state request shape */
} bench_case;

static const bench_case cases[] = {
    {"mesh-8", SHAPE_MESH, 8, MODEL_SHARE, 0.30, "full mesh, model 30% of cluster", EXOPLACE_RULES_SEED},
    {"mesh-12", SHAPE_MESH, 12, MODEL_SHARE, 0.30, "full mesh, model 30% of cluster", EXOPLACE_RULES_SEED},
    {"mesh-16", SHAPE_MESH, 16, MODEL_SHARE, 0.30, "full mesh, model 30% of cluster", EXOPLACE_RULES_SEED},
    {"mesh-64", SHAPE_MESH, 64, MODEL_SHARE, 0.30, "full mesh, model 30% of cluster", EXOPLACE_RULES_SEED},
    {"mesh-64-one", SHAPE_MESH, 64, MODEL_ONE_NODE, 0.0, "full mesh, model fits one node", EXOPLACE_RULES_SEED},
    {"mesh-256", SHAPE_MESH, 256, MODEL_SHARE, 0.30, "full mesh, model 30% of cluster", EXOPLACE_RULES_SEED},
    {"mesh-1024", SHAPE_MESH, 1024, MODEL_SHARE, 0.30, "full mesh, model 30% of cluster", EXOPLACE_RULES_SEED},
    {"mesh-1024-one", SHAPE_MESH, 1024, MODEL_ONE_NODE, 0.0, "full mesh, model fits one node", EXOPLACE_RULES_SEED},
    {"ring-1024", SHAPE_RING, 1024, MODEL_SHARE, 0.30, "bidirectional ring, 30% of cluster", EXOPLACE_RULES_SEED},
    {"sparse-256", SHAPE_SPARSE, 256, MODEL_NODES, 4.0, "random out-degree 3, model 4x mean node", EXOPLACE_RULES_SEED},
    {"sparse-1024", SHAPE_SPARSE, 1024, MODEL_NODES, 4.0, "random out-degree 3, model 4x mean node", EXOPLACE_RULES_SEED},
    {"islands-16x16", SHAPE_ISLANDS, 256, MODEL_NODES, 4.0, "16 tb islands of 16, model 4x mean node", EXOPLACE_RULES_SEED},
    {"islands-16x16-x", SHAPE_ISLANDS, 256, MODEL_ISLANDS, 1.3, "16 tb islands of 16, model 1.3x best island", EXOPLACE_RULES_SEED},
    {"exo-mesh-8", SHAPE_MESH, 8, MODEL_SHARE, 0.30, "exo-main: full mesh, model 30% of cluster",
     EXOPLACE_RULES_EXO_MAIN},
    {"exo-mesh-64", SHAPE_MESH, 64, MODEL_SHARE, 0.30, "exo-main: full mesh, model 30% of cluster",
     EXOPLACE_RULES_EXO_MAIN},
    {"exo-mesh-64-one", SHAPE_MESH, 64, MODEL_ONE_NODE, 0.0, "exo-main: full mesh, model fits one node",
     EXOPLACE_RULES_EXO_MAIN},
    {"exo-ring-1024", SHAPE_RING, 1024, MODEL_SHARE, 0.30, "exo-main: bidirectional ring, 30% of cluster",
     EXOPLACE_RULES_EXO_MAIN},
    {"exo-sparse-256", SHAPE_SPARSE, 256, MODEL_NODES, 4.0, "exo-main: random out-degree 3, 4x mean node",
     EXOPLACE_RULES_EXO_MAIN},
};
#define N_CASES (sizeof cases / sizeof cases[0])

/* ---- seeded data ----------------------------------------------------------- */

typedef struct rng {
    uint64_t state;
} rng;

static uint64_t next_u64(rng *r)
{
    /* splitmix64: every seed, including 0, gives a good stream. */
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t below(rng *r, uint64_t n)
{
    return next_u64(r) % n;
}

static uint64_t case_seed(const bench_case *c)
{
    uint64_t h = SEED;
    for (const char *p = c->name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h;
}

/* A generated cluster: ids, memory, connections (as exo's JSON would carry). */
typedef struct cluster {
    size_t n;
    char (*ids)[32];
    exoplace_node_memory *memory;
    size_t n_connections;
    size_t connections_capacity;
    uint32_t *from, *to;
    char (*addr)[40];
    exoplace_rules rules;
    exoplace_model model;
} cluster;

static void die(const char *what)
{
    fprintf(stderr, "bench: %s\n", what);
    exit(2);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

static void add_link(cluster *c, uint32_t from, uint32_t to, const char *addr)
{
    if (c->n_connections == c->connections_capacity) {
        size_t cap = c->connections_capacity ? c->connections_capacity * 2 : 64;
        c->from = realloc(c->from, cap * sizeof *c->from);
        c->to = realloc(c->to, cap * sizeof *c->to);
        c->addr = realloc(c->addr, cap * sizeof *c->addr);
        if (!c->from || !c->to || !c->addr)
            die("out of memory");
        c->connections_capacity = cap;
    }
    c->from[c->n_connections] = from;
    c->to[c->n_connections] = to;
    snprintf(c->addr[c->n_connections], sizeof c->addr[0], "%s", addr);
    c->n_connections++;
}

/* The address `to` is reached at: 169.254.x.x inside a thunderbolt island, 10.x otherwise. */
static void ethernet_addr(char *out, size_t size, uint32_t to)
{
    snprintf(out, size, "/ip4/10.%u.%u.%u/tcp/5000", (to >> 16) & 255u, (to >> 8) & 255u, to & 255u);
}

static void cluster_build(cluster *c, const bench_case *bc)
{
    /* Mac Studio / Mac Pro / MacBook Pro sizes: a mix, yet no node dwarfs the rest. */
    static const unsigned sizes_gib[] = {64, 96, 128, 192};
    rng r = {case_seed(bc)};
    memset(c, 0, sizeof *c);
    c->rules = bc->rules;
    size_t n = c->n = bc->n;
    c->ids = xmalloc(n * sizeof *c->ids);
    c->memory = xmalloc(n * sizeof *c->memory);
    for (size_t i = 0; i < n; i++) {
        /* exo peer ids: random, so id order is unrelated to index or memory. */
        snprintf(c->ids[i], sizeof c->ids[0], "12D3KooW%016llx", (unsigned long long)next_u64(&r));
        exoplace_node_memory *m = &c->memory[i];
        exoplace_node_memory_init(m);
        m->ram_total = (uint64_t)sizes_gib[below(&r, sizeof sizes_gib / sizeof sizes_gib[0])] << 30;
        /* 50%..90% of it available, in 4 KiB pages: distinct sums, as on real machines. */
        uint64_t pages = m->ram_total >> 12;
        m->ram_available = (pages * 50 / 100 + below(&r, pages * 40 / 100)) << 12;
    }
    char addr[40];
    switch (bc->shape) {
    case SHAPE_MESH:
        for (uint32_t i = 0; i < n; i++)
            for (uint32_t j = 0; j < n; j++)
                if (i != j) {
                    ethernet_addr(addr, sizeof addr, j);
                    add_link(c, i, j, addr);
                }
        break;
    case SHAPE_RING:
        for (uint32_t i = 0; i < n; i++) {
            uint32_t j = (uint32_t)((i + 1) % n);
            ethernet_addr(addr, sizeof addr, j);
            add_link(c, i, j, addr);
            ethernet_addr(addr, sizeof addr, i);
            add_link(c, j, i, addr);
        }
        break;
    case SHAPE_SPARSE:
        for (uint32_t i = 0; i < n; i++) {
            uint32_t picked[3];
            for (int k = 0; k < 3; k++) {
                uint32_t j;
                int again;
                do {
                    j = (uint32_t)below(&r, n);
                    again = j == i;
                    for (int q = 0; q < k; q++)
                        again |= picked[q] == j;
                } while (again);
                picked[k] = j;
                ethernet_addr(addr, sizeof addr, j);
                add_link(c, i, j, addr);
            }
        }
        break;
    case SHAPE_ISLANDS: {
        const uint32_t groups = 16, size = 16;
        for (uint32_t g = 0; g < groups; g++)
            for (uint32_t a = 0; a < size; a++)
                for (uint32_t b = 0; b < size; b++)
                    if (a != b) {
                        snprintf(addr, sizeof addr, "/ip4/169.254.%u.%u/tcp/5000", g, b + 1);
                        add_link(c, g * size + a, g * size + b, addr);
                    }
        /* Ethernet between islands: a ring of islands through nodes 0 and 1,
         * and chords g -> g + 5 through node 2. */
        for (uint32_t g = 0; g < groups; g++) {
            uint32_t h = (g + 1) % groups, k = (g + 5) % groups;
            for (uint32_t a = 0; a < 2; a++) {
                ethernet_addr(addr, sizeof addr, h * size + a);
                add_link(c, g * size + a, h * size + a, addr);
                ethernet_addr(addr, sizeof addr, g * size + a);
                add_link(c, h * size + a, g * size + a, addr);
            }
            ethernet_addr(addr, sizeof addr, k * size + 2);
            add_link(c, g * size + 2, k * size + 2, addr);
            ethernet_addr(addr, sizeof addr, g * size + 2);
            add_link(c, k * size + 2, g * size + 2, addr);
        }
        break;
    }
    }

    long double sum = 0;
    uint64_t largest = 0;
    for (size_t i = 0; i < n; i++) {
        sum += (long double)c->memory[i].ram_available;
        if (c->memory[i].ram_available > largest)
            largest = c->memory[i].ram_available;
    }
    exoplace_model_init(&c->model);
    c->model.model_id = "m";
    /* Enough layers for a valid split over every node the placement may use. */
    c->model.n_layers = n > 80 ? (uint32_t)n : 80;
    switch (bc->model) {
    case MODEL_SHARE: c->model.storage_size = (uint64_t)(sum * bc->amount); break;
    case MODEL_ONE_NODE: c->model.storage_size = largest / 2; break;
    case MODEL_NODES: c->model.storage_size = (uint64_t)(sum / n * bc->amount); break;
    case MODEL_ISLANDS: {
        long double best = 0;
        for (size_t g = 0; g < n / 16; g++) {
            long double island = 0;
            for (size_t a = 0; a < 16; a++)
                island += (long double)c->memory[g * 16 + a].ram_available;
            if (island > best)
                best = island;
        }
        c->model.storage_size = (uint64_t)(best * bc->amount);
        break;
    }
    }
    if (c->rules == EXOPLACE_RULES_EXO_MAIN) {
        static const exoplace_backend metal[] = {EXOPLACE_BACKEND_MLX_METAL};
        c->model.hidden_size = 4096;
        c->model.supports_tensor = 1;
        c->model.backends = metal;
        c->model.n_backends = 1;
    }
}

static void cluster_free(cluster *c)
{
    free(c->ids);
    free(c->memory);
    free(c->from);
    free(c->to);
    free(c->addr);
}

static exoplace_topology *topology_build(const cluster *c)
{
    exoplace_topology *t = NULL;
    exoplace_error err;
    if (exoplace_topology_new(&t, &err))
        die(err.message);
    for (size_t i = 0; i < c->n; i++)
        if (exoplace_topology_add_node(t, c->ids[i], &c->memory[i], &err))
            die(err.message);
    for (size_t k = 0; k < c->n_connections; k++)
        if (exoplace_topology_add_connection(t, c->ids[c->from[k]], c->ids[c->to[k]], c->addr[k], &err))
            die(err.message);
    if (c->rules == EXOPLACE_RULES_EXO_MAIN)
        for (size_t i = 0; i < c->n; i++)
            if (exoplace_topology_set_node_backends(t, c->ids[i], EXOPLACE_BACKEND_BIT(EXOPLACE_BACKEND_MLX_METAL),
                                                    &err) ||
                exoplace_topology_set_node_rdma_ctl(t, c->ids[i], 1, &err))
                die(err.message);
    return t;
}

/* exo's GET /state with the placement fields (exo-main.md 1), as the CLI reads it. */
static int cluster_write_state_json(const cluster *c, FILE *f)
{
    fputs("{\"topology\": {\"nodes\": [", f);
    for (size_t i = 0; i < c->n; i++)
        fprintf(f, "%s\"%s\"", i ? ", " : "", c->ids[i]);
    fputs("], \"connections\": {", f);
    /* The links grouped by source (each pair of nodes has one link). */
    int any_source = 0;
    for (size_t from = 0; from < c->n; from++) {
        int any_sink = 0;
        for (size_t k = 0; k < c->n_connections; k++) {
            if (c->from[k] != from)
                continue;
            if (!any_sink)
                fprintf(f, "%s\n\"%s\": {", any_source ? "}," : "", c->ids[from]);
            fprintf(f, "%s\"%s\": [{\"sinkMultiaddr\": {\"address\": \"%s\"}}]", any_sink ? ", " : "",
                    c->ids[c->to[k]], c->addr[k]);
            any_sink = any_source = 1;
        }
    }
    fputs(any_source ? "}" : "", f);
    fputs("}},\n \"nodeMemory\": {", f);
    for (size_t i = 0; i < c->n; i++) {
        const exoplace_node_memory *m = &c->memory[i];
        fprintf(f,
                "%s\n\"%s\": {\"ramTotal\": {\"inBytes\": %llu}, \"ramAvailable\": {\"inBytes\": %llu}, "
                "\"swapTotal\": {\"inBytes\": 0}, \"swapAvailable\": {\"inBytes\": 0}}",
                i ? "," : "", c->ids[i], (unsigned long long)m->ram_total, (unsigned long long)m->ram_available);
    }
    fputs("},\n \"nodeBackends\": {", f);
    for (size_t i = 0; i < c->n; i++)
        fprintf(f, "%s\"%s\": [\"MlxMetal\"]", i ? ", " : "", c->ids[i]);
    fputs("},\n \"nodeRdmaCtl\": {", f);
    for (size_t i = 0; i < c->n; i++)
        fprintf(f, "%s\"%s\": {\"enabled\": true}", i ? ", " : "", c->ids[i]);
    fprintf(f,
            "},\n \"model\": {\"modelId\": \"%s\", \"storageSize\": {\"inBytes\": %llu}, \"nLayers\": %u, "
            "\"hiddenSize\": %u, \"supportsTensor\": true, \"tasks\": [\"TextGeneration\"], "
            "\"backends\": [\"MlxMetal\"]}}\n",
            c->model.model_id, (unsigned long long)c->model.storage_size, c->model.n_layers, c->model.hidden_size);
    return ferror(f) ? -1 : 0;
}

/* exo's request format (json.md), as the CLI reads it. */
static int cluster_write_json(const cluster *c, FILE *f)
{
    if (c->rules == EXOPLACE_RULES_EXO_MAIN)
        return cluster_write_state_json(c, f);
    fputs("{\"topology\": {\"nodes\": [\n", f);
    for (size_t i = 0; i < c->n; i++) {
        const exoplace_node_memory *m = &c->memory[i];
        fprintf(f,
                "  {\"nodeId\": \"%s\", \"nodeProfile\": {\"memory\": {"
                "\"ramTotal\": {\"inBytes\": %llu}, \"ramAvailable\": {\"inBytes\": %llu}, "
                "\"swapTotal\": {\"inBytes\": 0}, \"swapAvailable\": {\"inBytes\": 0}}, "
                "\"networkInterfaces\": []}}%s\n",
                c->ids[i], (unsigned long long)m->ram_total, (unsigned long long)m->ram_available,
                i + 1 < c->n ? "," : "");
    }
    fputs("], \"connections\": [\n", f);
    for (size_t k = 0; k < c->n_connections; k++)
        fprintf(f, "  {\"localNodeId\": \"%s\", \"sendBackNodeId\": \"%s\", \"sendBackMultiaddr\": {\"address\": \"%s\"}}%s\n",
                c->ids[c->from[k]], c->ids[c->to[k]], c->addr[k], k + 1 < c->n_connections ? "," : "");
    fprintf(f, "]},\n \"model\": {\"modelId\": \"%s\", \"storageSize\": {\"inBytes\": %llu}, \"nLayers\": %u}}\n",
            c->model.model_id, (unsigned long long)c->model.storage_size, c->model.n_layers);
    return ferror(f) ? -1 : 0;
}

static char *cluster_json_text(const cluster *c)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f || cluster_write_json(c, f) || fclose(f))
        die("cannot write the JSON request");
    return text;
}

/* ---- memory ---------------------------------------------------------------- */

/* VmRSS from /proc/self/status (Linux), -1 elsewhere. */
static long current_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    long kib = -1;
    char line[256];
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

/* Resets the peak RSS to the current RSS (Linux >= 4.0: clear_refs 5); a no-op elsewhere. */
static void reset_peak_rss(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

/* ---- timing ---------------------------------------------------------------- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef enum operation { OP_PLACE, OP_PREVIEWS, OP_PLACE_JSON, OP_PREVIEWS_JSON } operation;

/* What one child reports back through its pipe. */
typedef struct op_result {
    int done;             /* 1 when the operation was measured */
    exoplace_status status;
    double build_ms;      /* building the topology */
    double median_ms, min_ms, max_ms;
    unsigned runs;
    size_t result_nodes;  /* placed nodes, or preview count */
    int result_tier;      /* memory tier of the placement, -1 if none */
    size_t topology_nodes, topology_connections;
    uint64_t storage_size;
    double cluster_gib;   /* summed available memory */
    size_t request_bytes; /* JSON operations: the request's size */
    long build_rss_kib;   /* peak RSS once the topology is built */
    char message[160];
} op_result;

typedef struct settings {
    double budget_s;            /* per operation */
    unsigned place_timeout_s;
    unsigned previews_timeout_s;
    int fork;
    const char *only;
    int skip_place, skip_previews;
    uint64_t max_steps;         /* 0: the library's default */
    unsigned flood_timeout_s;   /* per operation of a hostile-input case */
} settings;

/* One call of `op`; fills the result fields of the last call. */
static exoplace_status run_once(op_result *res, operation op, const exoplace_topology *t,
                                const exoplace_model *model, exoplace_rules rules, const char *json,
                                const settings *s)
{
    exoplace_error err;
    exoplace_status st = EXOPLACE_OK;
    exoplace_place_options options;
    exoplace_place_options_init(&options);
    options.max_search_steps = s->max_steps;
    options.rules = rules;
    exoplace_json_options json_options;
    exoplace_json_options_init(&json_options);
    json_options.max_search_steps = s->max_steps;
    res->result_nodes = 0;
    res->result_tier = -1;
    res->message[0] = 0;
    switch (op) {
    case OP_PLACE: {
        exoplace_placement p;
        st = exoplace_get_placement(&p, t, model, &options, &err);
        if (st == EXOPLACE_OK) {
            res->result_nodes = p.n_nodes;
            res->result_tier = (int)p.memory_tier;
        }
        exoplace_placement_dispose(&p);
        break;
    }
    case OP_PREVIEWS: {
        exoplace_preview_list *list = NULL;
        st = exoplace_preview_list_new(&list, t, model, &options, &err);
        res->result_nodes = exoplace_preview_list_count(list);
        exoplace_preview_list_free(list);
        break;
    }
    case OP_PLACE_JSON:
    case OP_PREVIEWS_JSON: {
        char *out = NULL;
        st = op == OP_PLACE_JSON ? exoplace_get_placement_json(&out, json, strlen(json), &json_options, &err)
                                 : exoplace_previews_json(&out, json, strlen(json), &json_options, &err);
        res->result_nodes = out ? strlen(out) : 0; /* response bytes */
        exoplace_free(out);
        break;
    }
    }
    if (st != EXOPLACE_OK)
        snprintf(res->message, sizeof res->message, "%.150s", err.message);
    return st;
}

/* Builds the case and times `op` within the budget. */
static void measure(op_result *res, const bench_case *bc, operation op, const settings *s)
{
    memset(res, 0, sizeof *res);
    cluster c;
    cluster_build(&c, bc);
    double t0 = now_ms();
    exoplace_topology *t = topology_build(&c);
    res->build_ms = now_ms() - t0;
    res->topology_nodes = exoplace_topology_node_count(t);
    res->topology_connections = exoplace_topology_connection_count(t);
    res->storage_size = c.model.storage_size;
    for (size_t i = 0; i < c.n; i++)
        res->cluster_gib += (double)c.memory[i].ram_available / GIB;
    char *json = NULL;
    if (op == OP_PLACE_JSON || op == OP_PREVIEWS_JSON) {
        json = cluster_json_text(&c);
        res->request_bytes = strlen(json);
    }
    /* The generator's own arrays go, and the peak restarts from here, so that
     * the child's peak RSS is the topology's plus the operation's. */
    exoplace_model model = c.model;
    exoplace_rules rules = c.rules;
    cluster_free(&c);
    res->build_rss_kib = current_rss_kib();
    reset_peak_rss();

    double *times = xmalloc(MAX_RUNS * sizeof *times);
    double budget_ms = s->budget_s * 1e3, spent = 0;
    unsigned runs = 0;
    do {
        double a = now_ms();
        res->status = run_once(res, op, t, &model, rules, json, s);
        times[runs++] = now_ms() - a;
        spent += times[runs - 1];
        /* Only what the budget allows, and never more than MAX_RUNS. */
    } while (runs < MAX_RUNS && spent + spent / runs <= budget_ms);
    qsort(times, runs, sizeof *times, compare_double);
    res->runs = runs;
    res->min_ms = times[0];
    res->max_ms = times[runs - 1];
    res->median_ms = runs % 2 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
    res->done = 1;
    free(times);
    free(json);
    exoplace_topology_free(t);
}

/* Runs fn(result, arg) in a child that writes `size` bytes of result back:
 * per-operation peak RSS (KiB) and a time limit. With fork off, runs it here.
 * Returns 0 when measured, 1 when the child was killed by the limit, -1 other failure. */
static int run_in_child(void *result, size_t size, long *rss_kib, void (*fn)(void *result, const void *arg),
                        const void *arg, int fork_child, unsigned timeout_s)
{
    memset(result, 0, size);
    *rss_kib = -1;
    if (!fork_child) {
        fn(result, arg);
        return 0;
    }
    int fd[2];
    if (pipe(fd))
        die("pipe failed");
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        die("fork failed");
    if (pid == 0) {
        close(fd[0]);
        alarm(timeout_s); /* default action: the child dies, the parent reports it */
        void *r = xmalloc(size);
        memset(r, 0, size);
        fn(r, arg);
        ssize_t w = write(fd[1], r, size);
        _exit(w == (ssize_t)size ? 0 : 3);
    }
    close(fd[1]);
    size_t got = 0;
    while (got < size) {
        ssize_t k = read(fd[0], (char *)result + got, size - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd[0]);
    int wstatus = 0;
    struct rusage ru;
    while (wait4(pid, &wstatus, 0, &ru) < 0)
        if (errno != EINTR)
            die("wait4 failed");
    *rss_kib = ru.ru_maxrss;
    if (WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGALRM)
        return 1;
    if (got != size || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
        return -1;
    return 0;
}

typedef struct measure_arg {
    const bench_case *bc;
    operation op;
    const settings *s;
} measure_arg;

static void measure_child(void *result, const void *arg)
{
    const measure_arg *m = arg;
    measure(result, m->bc, m->op, m->s);
}

/* `measure` in a child (see run_in_child). */
static int measure_in_child(op_result *res, long *rss_kib, const bench_case *bc, operation op, const settings *s,
                            unsigned timeout_s)
{
    measure_arg arg = {bc, op, s};
    return run_in_child(res, sizeof *res, rss_kib, measure_child, &arg, s->fork, timeout_s);
}

/* ---- exo's cycle count ----------------------------------------------------- */

/* log10 of sum_{k=2..n} n!/((n-k)! k) + n: every simple cycle of a full mesh
 * of n nodes (k nodes in order, divided by the k rotations) plus n singletons. */
static long double mesh_cycles_log10(size_t n)
{
    long double ln10 = logl(10.0L), top = -INFINITY;
    long double *terms = xmalloc((n + 1) * sizeof *terms);
    for (size_t k = 1; k <= n; k++) {
        terms[k] = k == 1 ? log10l((long double)n)
                          : (lgammal((long double)n + 1) - lgammal((long double)(n - k) + 1)) / ln10 -
                                log10l((long double)k);
        if (terms[k] > top)
            top = terms[k];
    }
    long double sum = 0;
    for (size_t k = 1; k <= n; k++)
        sum += powl(10.0L, terms[k] - top);
    free(terms);
    return top + log10l(sum);
}

static void format_power(char *out, size_t size, long double lg)
{
    if (lg < 15) {
        snprintf(out, size, "%.0Lf", powl(10.0L, lg));
        return;
    }
    long double e = floorl(lg);
    snprintf(out, size, "%.2Lfe+%.0Lf", powl(10.0L, lg - e), e);
}

/* Counts the cycles of a small full mesh with exoplace_cycle_list (what exo
 * does before filtering) to check the formula, and times that listing. */
static void list_check(char *out, size_t size, size_t n)
{
    bench_case bc = {"list-check", SHAPE_MESH, n, MODEL_ONE_NODE, 0, "", EXOPLACE_RULES_SEED};
    cluster c;
    cluster_build(&c, &bc);
    exoplace_topology *t = topology_build(&c);
    size_t count = 0, total = 0;
    exoplace_error err;
    exoplace_status st = exoplace_cycle_list(&count, &total, NULL, 0, NULL, 0, t, 0, &err);
    size_t *starts = NULL, *nodes = NULL;
    double ms = -1;
    if (st == EXOPLACE_E_BUFFER_TOO_SMALL) {
        starts = xmalloc((count + 1) * sizeof *starts);
        nodes = xmalloc(total * sizeof *nodes);
        double a = now_ms();
        st = exoplace_cycle_list(&count, &total, starts, count + 1, nodes, total, t, 0, &err);
        ms = now_ms() - a;
    }
    if (st == EXOPLACE_OK)
        snprintf(out, size, "  exoplace_cycle_list lists %zu in %.1f ms", count, ms);
    else
        snprintf(out, size, "  exoplace_cycle_list: %s", exoplace_status_name(st));
    free(starts);
    free(nodes);
    exoplace_topology_free(t);
    cluster_free(&c);
}

/* ---- report ---------------------------------------------------------------- */

static void format_time(char *out, size_t size, const op_result *r, int outcome, long rss_kib, unsigned timeout_s)
{
    if (outcome == 1)
        snprintf(out, size, "TIMEOUT >%us", timeout_s);
    else if (outcome < 0)
        snprintf(out, size, "CRASHED");
    else if (r->median_ms < 1)
        snprintf(out, size, "%.3f", r->median_ms);
    else
        snprintf(out, size, "%.1f", r->median_ms);
    (void)rss_kib;
}

static void format_result(char *out, size_t size, const op_result *r, int outcome, operation op)
{
    static const char *const tiers[] = {"avail", "press", "total", "swap"};
    if (outcome != 0)
        snprintf(out, size, "-");
    else if (op == OP_PREVIEWS)
        snprintf(out, size, "%zu previews", r->result_nodes);
    else if (r->status != EXOPLACE_OK)
        snprintf(out, size, "%s", exoplace_status_name(r->status));
    else if (op == OP_PLACE)
        snprintf(out, size, "%zu nodes %s", r->result_nodes,
                 r->result_tier >= 0 && r->result_tier < 4 ? tiers[r->result_tier] : "?");
    else
        snprintf(out, size, "%zu B json", r->result_nodes);
}

static void format_rss(char *out, size_t size, long rss_kib)
{
    if (rss_kib < 0)
        snprintf(out, size, "-");
    else
        snprintf(out, size, "%.1f", (double)rss_kib / 1024.0);
}

typedef struct target {
    const char *what;
    int evaluated;
    int pass;
    char detail[96];
} target;

static void usage(FILE *f)
{
    fputs("usage: bench [--case NAME[,NAME...]] [--op place|previews] [--budget SECONDS]\n"
          "             [--timeout SECONDS] [--previews-timeout SECONDS] [--max-steps N]\n"
          "             [--flood-timeout SECONDS] [--no-fork] [--list]\n"
          "       bench --write-json FILE [CASE]\n",
          f);
}

static const bench_case *find_case(const char *name)
{
    for (size_t i = 0; i < N_CASES; i++)
        if (strcmp(cases[i].name, name) == 0)
            return &cases[i];
    return NULL;
}

/* Whether `name` is in the comma-separated list (NULL: every case). */
static int selected(const char *list, const char *name)
{
    if (!list)
        return 1;
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return 1;
        p += len + (end != NULL);
    }
    return 0;
}

/* exoplace_explain() where no tier places: the model is 1.5x the available
 * memory of the case's cluster, more than its total. Each tier repeats the
 * attempt and searches the greatest candidate, each under the work bound. */
static void run_explanations(const settings *s)
{
    static const char *const names[] = {"mesh-64", "mesh-256", "sparse-256", "ring-1024", "exo-mesh-64", "exo-sparse-256"};
    int header = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const bench_case *base = find_case(names[i]);
        if (!selected(s->only, "explain") && !selected(s->only, names[i]))
            continue;
        bench_case bc = *base;
        bc.model = MODEL_SHARE;
        bc.amount = 1.5;
        cluster c;
        cluster_build(&c, &bc);
        exoplace_topology *t = topology_build(&c);
        exoplace_place_options options;
        exoplace_place_options_init(&options);
        options.max_search_steps = s->max_steps;
        exoplace_explanation e;
        memset(&e, 0, sizeof e);
        double total_ms = 0, worst_ms = 0;
        unsigned runs = 0;
        exoplace_status st = EXOPLACE_OK;
        while (runs < 3 || (total_ms < s->budget_s * 1000.0 && runs < 1000)) {
            exoplace_explanation_dispose(&e);
            double t0 = now_ms();
            st = exoplace_explain(&e, t, &c.model, &options, NULL);
            double ms = now_ms() - t0;
            total_ms += ms;
            worst_ms = ms > worst_ms ? ms : worst_ms;
            runs++;
            if (st)
                break;
        }
        if (!header) {
            printf("\nexoplace_explain, model 1.5x the cluster's available memory (no tier places it):\n");
            header = 1;
        }
        printf("  %-14s mean %8.1f ms, worst %8.1f ms (%u runs, %s):", names[i], total_ms / runs, worst_ms, runs,
               exoplace_status_name(st));
        for (size_t k = 0; st == EXOPLACE_OK && k < e.n_tiers; k++)
            printf(" %s %zu nodes%s", exoplace_memory_tier_name(e.tiers[k].tier), e.tiers[k].n_candidate,
                   e.tiers[k].complete ? "" : " (work bound)");
        printf("\n");
        exoplace_explanation_dispose(&e);
        exoplace_topology_free(t);
        cluster_free(&c);
    }
}

/* ---- hostile input: strings chosen to collide ------------------------------ */

/* Ids or multiaddrs that collide in the low bits of FNV-1a, the unkeyed hash
 * the topology's indexes once used (tests/common/fnv_collisions.h), against
 * random strings of the same length: with a keyed hash both cost the same. */
typedef enum flood_kind { FLOOD_IDS, FLOOD_ADDRS } flood_kind;

typedef struct flood_case {
    const char *name;
    flood_kind kind;
    unsigned steps; /* FNV_WAYS^steps strings */
    int colliding;
    const char *what;
} flood_case;

static const flood_case floods[] = {
    {"flood-ids", FLOOD_IDS, 8, 1, "node ids colliding in FNV-1a's low 20 bits"},
    {"random-ids", FLOOD_IDS, 8, 0, "random node ids of the same length"},
    {"flood-addrs", FLOOD_ADDRS, 9, 1, "multiaddrs a -> b colliding in FNV-1a's low 20 bits"},
    {"random-addrs", FLOOD_ADDRS, 9, 0, "random multiaddrs a -> b of the same length"},
};
#define N_FLOODS (sizeof floods / sizeof floods[0])
#define FLOOD_ID_PREFIX "12D3KooW"
#define FLOOD_ADDR_PREFIX "/dns/"
#define FLOOD_ADDR_SUFFIX "/tcp/1"

typedef struct flood_strings {
    size_t n, stride;
    char *text; /* n NUL-terminated strings, stride bytes apart */
} flood_strings;

/* The FNV-1a state the old index hashed the chained part from: the offset
 * basis then the prefix for ids; the old pair hash of nodes 0 and 1 then the
 * prefix for the multiaddrs of connection a -> b. */
static size_t flood_count(const flood_case *fc)
{
    size_t n = 1;
    for (unsigned k = 0; k < fc->steps; k++)
        n *= FNV_WAYS;
    return n;
}

static uint64_t flood_state(const flood_case *fc)
{
    if (fc->kind == FLOOD_IDS)
        return fnv1a(FNV_OFFSET_BASIS, FLOOD_ID_PREFIX, strlen(FLOOD_ID_PREFIX));
    return fnv1a(old_mix64(1), FLOOD_ADDR_PREFIX, strlen(FLOOD_ADDR_PREFIX));
}

static void flood_build(flood_strings *out, const flood_case *fc)
{
    const char *prefix = fc->kind == FLOOD_IDS ? FLOOD_ID_PREFIX : FLOOD_ADDR_PREFIX;
    const char *suffix = fc->kind == FLOOD_IDS ? "" : FLOOD_ADDR_SUFFIX;
    fnv_chain *chain = xmalloc(sizeof *chain);
    if (fnv_chain_build(chain, flood_state(fc), fc->steps))
        die("cannot build the colliding strings");
    size_t p = strlen(prefix), body = chain->length, q = strlen(suffix);
    rng r = {SEED ^ fc->steps};
    out->n = flood_count(fc);
    out->stride = p + body + q + 1;
    out->text = xmalloc(out->n * out->stride);
    for (size_t i = 0; i < out->n; i++) {
        char *t = out->text + i * out->stride;
        memcpy(t, prefix, p);
        if (fc->colliding)
            fnv_chain_string(t + p, chain, i);
        else
            for (size_t k = 0; k < body; k++)
                t[p + k] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"[below(&r, 64)];
        memcpy(t + p + body, suffix, q + 1);
    }
    free(chain);
    if (fc->colliding) {
        /* What makes them hostile: one low-20-bit FNV-1a value for all. */
        const uint64_t mask = (1ull << FNV_COLLISION_BITS) - 1;
        uint64_t first = fnv1a(flood_state(fc), out->text + p, out->stride - p - 1) & mask;
        for (size_t i = 1; i < out->n; i++)
            if ((fnv1a(flood_state(fc), out->text + i * out->stride + p, out->stride - p - 1) & mask) != first)
                die("the colliding strings do not collide");
    }
}

static void flood_memory(exoplace_node_memory *m)
{
    exoplace_node_memory_init(m);
    m->ram_total = 64ull << 30;
    m->ram_available = 32ull << 30;
}

static exoplace_topology *flood_topology(const flood_case *fc, const flood_strings *fs)
{
    exoplace_topology *t = NULL;
    exoplace_error err;
    exoplace_node_memory m;
    flood_memory(&m);
    if (exoplace_topology_new(&t, &err))
        die(err.message);
    if (fc->kind == FLOOD_IDS) {
        for (size_t i = 0; i < fs->n; i++)
            if (exoplace_topology_add_node(t, fs->text + i * fs->stride, &m, &err))
                die(err.message);
        return t;
    }
    if (exoplace_topology_add_node(t, "a", &m, &err) || exoplace_topology_add_node(t, "b", &m, &err))
        die(err.message);
    for (size_t i = 0; i < fs->n; i++)
        if (exoplace_topology_add_connection(t, "a", "b", fs->text + i * fs->stride, &err))
            die(err.message);
    return t;
}

/* The same cluster as exo's request; the model fits one node. */
static char *flood_json(const flood_case *fc, const flood_strings *fs)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        die("cannot write the JSON request");
    static const char memory[] = "\"memory\": {\"ramTotal\": {\"inBytes\": 68719476736}, "
                                 "\"ramAvailable\": {\"inBytes\": 34359738368}, \"swapTotal\": {\"inBytes\": 0}, "
                                 "\"swapAvailable\": {\"inBytes\": 0}}";
    fputs("{\"topology\": {\"nodes\": [\n", f);
    if (fc->kind == FLOOD_IDS) {
        for (size_t i = 0; i < fs->n; i++)
            fprintf(f, "  {\"nodeId\": \"%s\", \"nodeProfile\": {%s}}%s\n", fs->text + i * fs->stride, memory,
                    i + 1 < fs->n ? "," : "");
        fputs("], \"connections\": []},\n", f);
    } else {
        fprintf(f, "  {\"nodeId\": \"a\", \"nodeProfile\": {%s}},\n  {\"nodeId\": \"b\", \"nodeProfile\": {%s}}\n",
                memory, memory);
        fputs("], \"connections\": [\n", f);
        /* Compact, with the bare multiaddr string json.md allows. */
        for (size_t i = 0; i < fs->n; i++)
            fprintf(f, "{\"localNodeId\":\"a\",\"sendBackNodeId\":\"b\",\"sendBackMultiaddr\":\"%s\"}%s\n",
                    fs->text + i * fs->stride, i + 1 < fs->n ? "," : "");
        fputs("]},\n", f);
    }
    fputs(" \"model\": {\"modelId\": \"m\", \"storageSize\": {\"inBytes\": 1073741824}, \"nLayers\": 32}}\n", f);
    if (ferror(f) || fclose(f))
        die("cannot write the JSON request");
    return text;
}

typedef struct flood_result {
    size_t strings;
    double build_ms;      /* the C API: exoplace_topology_add_* for every string */
    size_t nodes, connections;
    size_t request_bytes;
    double json_ms;       /* exoplace_get_placement_json on the same cluster */
    exoplace_status json_status;
} flood_result;

typedef struct flood_arg {
    const flood_case *fc;
    int json; /* 0: the C API build, 1: the JSON entry point */
} flood_arg;

static void flood_measure(void *result, const void *arg)
{
    const flood_arg *fa = arg;
    flood_result *res = result;
    flood_strings fs;
    flood_build(&fs, fa->fc);
    res->strings = fs.n;
    if (!fa->json) {
        double t0 = now_ms();
        exoplace_topology *t = flood_topology(fa->fc, &fs);
        res->build_ms = now_ms() - t0;
        res->nodes = exoplace_topology_node_count(t);
        res->connections = exoplace_topology_connection_count(t);
        exoplace_topology_free(t);
    } else {
        char *json = flood_json(fa->fc, &fs);
        res->request_bytes = strlen(json);
        char *out = NULL;
        exoplace_json_options options;
        exoplace_json_options_init(&options);
        double t0 = now_ms();
        res->json_status = exoplace_get_placement_json(&out, json, strlen(json), &options, NULL);
        res->json_ms = now_ms() - t0;
        exoplace_free(out);
        free(json);
    }
    free(fs.text);
}

static void format_flood_time(char *out, size_t size, int outcome, double ms, unsigned timeout_s)
{
    if (outcome == 1)
        snprintf(out, size, "TIMEOUT >%us", timeout_s);
    else if (outcome < 0)
        snprintf(out, size, "CRASHED");
    else
        snprintf(out, size, "%.1f", ms);
}

/* One timed run per operation: these cases are about orders of magnitude. */
static void run_floods(const settings *s)
{
    int any = 0;
    for (size_t i = 0; i < N_FLOODS; i++)
        any |= selected(s->only, floods[i].name);
    if (!any)
        return;
    printf("\nHostile input: strings chosen to collide in the topology's old unkeyed hash, against\n"
           "random strings of the same length. build = exoplace_topology_add_node (ids) or\n"
           "_add_connection a -> b (addrs) for every string; json = exoplace_get_placement_json on the\n"
           "same cluster as a request. One run each, in ms; rss = peak of that child in MiB.\n");
    printf("%-13s %7s %11s %7s %11s %9s %16s %7s  %s\n", "case", "strings", "build", "rss", "json bytes", "json",
           "json status", "rss", "what");
    for (size_t i = 0; i < N_FLOODS; i++) {
        const flood_case *fc = &floods[i];
        if (!selected(s->only, fc->name))
            continue;
        flood_result build, json;
        long build_rss = -1, json_rss = -1;
        flood_arg build_arg = {fc, 0}, json_arg = {fc, 1};
        int bo = run_in_child(&build, sizeof build, &build_rss, flood_measure, &build_arg, s->fork, s->flood_timeout_s);
        int jo = run_in_child(&json, sizeof json, &json_rss, flood_measure, &json_arg, s->fork, s->flood_timeout_s);
        char bt[24], jt[24], br[16], jr[16], bytes[24] = "-";
        const char *status = "-";
        format_flood_time(bt, sizeof bt, bo, build.build_ms, s->flood_timeout_s);
        format_rss(br, sizeof br, build_rss);
        format_flood_time(jt, sizeof jt, jo, json.json_ms, s->flood_timeout_s);
        format_rss(jr, sizeof jr, json_rss);
        if (jo == 0) {
            snprintf(bytes, sizeof bytes, "%zu", json.request_bytes);
            status = exoplace_status_name(json.json_status);
        }
        printf("%-13s %7zu %11s %7s %11s %9s %16s %7s  %s\n", fc->name, flood_count(fc), bt, br, bytes, jt,
               status, jr, fc->what);
        fflush(stdout);
    }
}

static int write_json(const char *path, const char *name)
{
    const bench_case *bc = find_case(name);
    if (!bc) {
        fprintf(stderr, "bench: no case %s (try --list)\n", name);
        return 2;
    }
    cluster c;
    cluster_build(&c, bc);
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (!f) {
        fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
        cluster_free(&c);
        return 2;
    }
    int bad = cluster_write_json(&c, f);
    if (f != stdout)
        bad |= fclose(f);
    cluster_free(&c);
    if (bad) {
        fprintf(stderr, "bench: cannot write %s\n", path);
        return 2;
    }
    return 0;
}

static double parse_number(const char *text, const char *option)
{
    char *end;
    double v = strtod(text, &end);
    if (*end || !(v > 0)) {
        fprintf(stderr, "bench: %s needs a positive number\n", option);
        exit(2);
    }
    return v;
}

enum {
    T_MESH12, T_MESH64, T_MESH1024, T_MESH1024_RSS, T_SPARSE1024, T_PREVIEWS64, T_EXO_MESH64, T_EXO_PREVIEWS64,
    N_TARGETS
};

static void target_time(target *tg, const op_result *r, int outcome, const char *shown, double limit_ms,
                        exoplace_status also_ok)
{
    tg->evaluated = 1;
    if (outcome != 0) {
        snprintf(tg->detail, sizeof tg->detail, "%s", shown);
        return;
    }
    tg->pass = (r->status == EXOPLACE_OK || r->status == also_ok) && r->median_ms < limit_ms;
    snprintf(tg->detail, sizeof tg->detail, "%s ms, %s", shown,
             r->status == EXOPLACE_OK ? "ok" : exoplace_status_name(r->status));
}

/* Measures one case (both operations), prints its row, updates the targets. */
static void run_case(const bench_case *bc, const settings *s, target *targets, char (*note)[200])
{
    op_result place, previews;
    long place_rss = -1, previews_rss = -1;
    memset(&place, 0, sizeof place);
    memset(&previews, 0, sizeof previews);
    int place_outcome = s->skip_place ? 2 : measure_in_child(&place, &place_rss, bc, OP_PLACE, s, s->place_timeout_s);
    int previews_outcome =
        s->skip_previews ? 2 : measure_in_child(&previews, &previews_rss, bc, OP_PREVIEWS, s, s->previews_timeout_s);

    char model[16] = "-", build[16] = "-", conns[24] = "-", pt[24] = "-", pr[32] = "-", prss[16] = "-";
    char brss[16] = "-";
    char vt[24] = "-", vr[32] = "-", vrss[16] = "-";
    const op_result *any = place_outcome == 0 ? &place : &previews;
    if (place_outcome == 0 || previews_outcome == 0) {
        snprintf(model, sizeof model, "%.0f", (double)any->storage_size / GIB);
        snprintf(build, sizeof build, "%.2f", any->build_ms);
        snprintf(conns, sizeof conns, "%zu", any->topology_connections);
        if (s->fork)
            format_rss(brss, sizeof brss, any->build_rss_kib);
    }
    if (place_outcome != 2) {
        format_time(pt, sizeof pt, &place, place_outcome, place_rss, s->place_timeout_s);
        format_result(pr, sizeof pr, &place, place_outcome, OP_PLACE);
        format_rss(prss, sizeof prss, place_rss);
    }
    if (previews_outcome == 1) {
        snprintf(vt, sizeof vt, "skipped");
        snprintf(vr, sizeof vr, "call >%us", s->previews_timeout_s);
    } else if (previews_outcome != 2) {
        format_time(vt, sizeof vt, &previews, previews_outcome, previews_rss, s->previews_timeout_s);
        format_result(vr, sizeof vr, &previews, previews_outcome, OP_PREVIEWS);
    }
    format_rss(vrss, sizeof vrss, previews_rss);
    printf("%-16s %5zu %8s %6s %7s %6s %9s %4u %-14s %7s %9s %4u %-13s %7s\n", bc->name, bc->n, conns, model, build, brss, pt,
           place_outcome == 0 ? place.runs : 0, pr, prss, vt, previews_outcome == 0 ? previews.runs : 0, vr, vrss);
    fflush(stdout);
    (*note)[0] = 0;
    if (place_outcome == 0 && place.status != EXOPLACE_OK)
        snprintf(*note, sizeof *note, "%s place: %s", bc->name, place.message);

    if (strcmp(bc->name, "mesh-12") == 0 && place_outcome != 2)
        target_time(&targets[T_MESH12], &place, place_outcome, pt, 10, EXOPLACE_OK);
    if (strcmp(bc->name, "mesh-64") == 0 && place_outcome != 2)
        target_time(&targets[T_MESH64], &place, place_outcome, pt, 1, EXOPLACE_OK);
    if (strcmp(bc->name, "mesh-64") == 0 && previews_outcome != 2)
        target_time(&targets[T_PREVIEWS64], &previews, previews_outcome, vt, 50, EXOPLACE_OK);
    if (strcmp(bc->name, "mesh-1024") == 0 && place_outcome != 2) {
        target_time(&targets[T_MESH1024], &place, place_outcome, pt, 100, EXOPLACE_OK);
        target *r = &targets[T_MESH1024_RSS];
        r->evaluated = place_rss >= 0;
        r->pass = place_rss >= 0 && place_rss < 256 * 1024;
        snprintf(r->detail, sizeof r->detail, "%s MiB", prss);
    }
    if (strcmp(bc->name, "exo-mesh-64") == 0 && place_outcome != 2)
        target_time(&targets[T_EXO_MESH64], &place, place_outcome, pt, 1, EXOPLACE_OK);
    if (strcmp(bc->name, "exo-mesh-64") == 0 && previews_outcome != 2)
        target_time(&targets[T_EXO_PREVIEWS64], &previews, previews_outcome, vt, 50, EXOPLACE_OK);
    if (strcmp(bc->name, "sparse-1024") == 0 && place_outcome != 2)
        target_time(&targets[T_SPARSE1024], &place, place_outcome, pt, 100, EXOPLACE_E_SEARCH_LIMIT);
}

int main(int argc, char **argv)
{
    settings s = {0.8, 30, 4, 1, NULL, 0, 0, 0, 300};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (strcmp(a, "--write-json") == 0 && has_value)
            return write_json(argv[i + 1], i + 2 < argc ? argv[i + 2] : "mesh-64");
        if (strcmp(a, "--case") == 0 && has_value)
            s.only = argv[++i];
        else if (strcmp(a, "--op") == 0 && has_value) {
            const char *op = argv[++i];
            if (strcmp(op, "place") != 0 && strcmp(op, "previews") != 0) {
                usage(stderr);
                return 2;
            }
            s.skip_place = strcmp(op, "place") != 0;
            s.skip_previews = strcmp(op, "previews") != 0;
        } else if (strcmp(a, "--budget") == 0 && has_value)
            s.budget_s = parse_number(argv[++i], a);
        else if (strcmp(a, "--timeout") == 0 && has_value)
            s.place_timeout_s = (unsigned)ceil(parse_number(argv[++i], a));
        else if (strcmp(a, "--previews-timeout") == 0 && has_value)
            s.previews_timeout_s = (unsigned)ceil(parse_number(argv[++i], a));
        else if (strcmp(a, "--flood-timeout") == 0 && has_value)
            s.flood_timeout_s = (unsigned)ceil(parse_number(argv[++i], a));
        else if (strcmp(a, "--max-steps") == 0 && has_value)
            s.max_steps = (uint64_t)parse_number(argv[++i], a);
        else if (strcmp(a, "--no-fork") == 0)
            s.fork = 0;
        else if (strcmp(a, "--list") == 0) {
            for (size_t k = 0; k < N_CASES; k++)
                printf("%-16s %s\n", cases[k].name, cases[k].what);
            printf("%-16s %s\n", "mesh-64-json", "mesh-64 through the JSON entry points");
            return 0;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }

    /* The RSS of a child that does nothing: what every figure below includes. */
    long baseline_kib = -1;
    if (s.fork) {
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        struct rusage ru;
        int ws;
        if (pid > 0 && wait4(pid, &ws, 0, &ru) == pid)
            baseline_kib = ru.ru_maxrss;
    }
    double load[3] = {-1, -1, -1};
    if (getloadavg(load, 3) < 1)
        load[0] = -1;

    printf("libexoplace %s bench: median of N runs (adaptive: about %.1f s per operation), each\n"
           "case and operation in its own child process; rss = that child's peak RSS (ru_maxrss;\n"
           "a child doing nothing: %.1f MiB). place = exoplace_get_placement, previews =\n"
           "exoplace_preview_list_new, default options%s. Times in ms; load average %.2f.\n"
           "model = storage size in GiB; build = building the topology (not in the times), rss\n"
           "after it; rss after place / previews = the whole child's peak.\n\n",
           exoplace_version(), s.budget_s, baseline_kib >= 0 ? (double)baseline_kib / 1024.0 : -1.0,
           s.max_steps ? " but max_search_steps" : "", load[0]);
    printf("%-16s %5s %8s %6s %7s %6s %9s %4s %-14s %7s %9s %4s %-13s %7s\n", "case", "nodes", "conns", "model",
           "build", "rss", "place", "runs", "placed", "rss", "previews", "runs", "previews", "rss");

    target targets[N_TARGETS] = {
        {"full mesh 12 place in milliseconds (< 10 ms)", 0, 0, ""},
        {"C API full mesh 64 place < 1 ms", 0, 0, ""},
        {"C API full mesh 1024 place < 100 ms", 0, 0, ""},
        {"full mesh 1024 place peak RSS < 256 MiB", 0, 0, ""},
        {"sparse 1024 place < 100 ms or search_limit (no hang)", 0, 0, ""},
        {"previews full mesh 64 < 50 ms", 0, 0, ""},
        {"exo-main: C API full mesh 64 place (with the instance) < 1 ms", 0, 0, ""},
        {"exo-main: previews full mesh 64 (with instances) < 50 ms", 0, 0, ""},
    };
    char notes[N_CASES][200];
    size_t n_notes = 0;
    for (size_t i = 0; i < N_CASES; i++) {
        if (!selected(s.only, cases[i].name))
            continue;
        run_case(&cases[i], &s, targets, &notes[n_notes]);
        n_notes += notes[n_notes][0] != 0;
    }
    for (size_t i = 0; i < n_notes; i++)
        printf("  note: %s\n", notes[i]);

    /* The JSON entry points on mesh-64: what the CLI does, minus the process. */
    if (selected(s.only, "mesh-64-json")) {
        const bench_case *bc = find_case("mesh-64");
        op_result pj, vj;
        long pj_rss = -1, vj_rss = -1;
        memset(&pj, 0, sizeof pj);
        memset(&vj, 0, sizeof vj);
        int po = s.skip_place ? 2 : measure_in_child(&pj, &pj_rss, bc, OP_PLACE_JSON, &s, s.place_timeout_s);
        int vo = s.skip_previews ? 2 : measure_in_child(&vj, &vj_rss, bc, OP_PREVIEWS_JSON, &s, s.previews_timeout_s);
        char pt[24] = "-", vt[24] = "-", prss[16] = "-", vrss[16] = "-";
        if (po != 2) {
            format_time(pt, sizeof pt, &pj, po, pj_rss, s.place_timeout_s);
            format_rss(prss, sizeof prss, pj_rss);
        }
        if (vo != 2) {
            format_time(vt, sizeof vt, &vj, vo, vj_rss, s.previews_timeout_s);
            format_rss(vrss, sizeof vrss, vj_rss);
        }
        printf("\nJSON entry points on the mesh-64 request (%zu bytes; parse + place + write):\n"
               "  exoplace_get_placement_json %s ms (%u runs, %s, rss %s MiB)\n"
               "  exoplace_previews_json      %s ms (%u runs, %s, rss %s MiB)\n",
               po == 0 ? pj.request_bytes : vj.request_bytes, pt, po == 0 ? pj.runs : 0,
               po == 0 ? exoplace_status_name(pj.status) : "-", prss, vt, vo == 0 ? vj.runs : 0,
               vo == 0 ? exoplace_status_name(vj.status) : "-", vrss);
    }

    run_explanations(&s);
    run_floods(&s);

    printf("\nSimple cycles exo's approach would list, sum_{k=2..n} n!/((n-k)! k) + n singletons:\n");
    static const size_t mesh_sizes[] = {8, 9, 12, 16, 64, 256, 1024};
    for (size_t i = 0; i < sizeof mesh_sizes / sizeof mesh_sizes[0]; i++) {
        char text[48], check[96] = "";
        format_power(text, sizeof text, mesh_cycles_log10(mesh_sizes[i]));
        if (mesh_sizes[i] <= 9)
            list_check(check, sizeof check, mesh_sizes[i]);
        printf("  full mesh %-5zu %-16s%s\n", mesh_sizes[i], text, check);
    }

    int failed = 0;
    printf("\nTargets (C API; the CLI target is timed by scripts/bench):\n");
    for (size_t i = 0; i < N_TARGETS; i++) {
        if (!targets[i].evaluated)
            continue;
        printf("  %-4s %-54s %s\n", targets[i].pass ? "PASS" : "FAIL", targets[i].what, targets[i].detail);
        failed |= !targets[i].pass;
    }
    return failed;
}
