/* Fuzz target: the C API driven by a byte stream.
 *
 * The bytes build a small topology (at most FUZZ_MAX_IDS distinct ids, drawn
 * from the bytes, with duplicates, empty, over-long and non-UTF-8 ones) with
 * exoplace_topology_add_node / add_connection / add_interface (multiaddrs
 * from templates or raw bytes), then describe a model and options (unknown
 * enum values included) and call exoplace_place, exoplace_get_placement,
 * exoplace_preview_list_new, exoplace_cycle_list (a small max_cycles) with the
 * pure functions over its list, exoplace_layers_distribute,
 * exoplace_model_fit_check, exoplace_models_order and exoplace_explain.
 *
 * Besides "no crash, no leak, no undefined behaviour", each answer is checked
 * against placement.md: a placement is a cycle of the topology, of at least
 * min_nodes nodes, with enough memory in its tier, contiguous layers; cycle
 * lists are canonical; a layer split sums to n_layers. When the whole cycle
 * list fits in a small bound, exoplace_place in the available and total
 * tiers is compared with an exhaustive reference (section 4, steps 1 to 7).
 * Strategy fit (flags, then a KV cache and a reserve from the stream) must
 * give no node more layers than its capacity holds, and its reference
 * selects by layers held (placement.md section 3). An explanation's first
 * tier is the attempt exoplace_place() made, and its numbers add up.
 * The stream reads zeros once it runs out, so every input is a valid program.
 */
#include "fuzz_common.h"

#define FUZZ_MAX_IDS 10
#define FUZZ_MAX_OPS 48
#define FUZZ_REFERENCE_CYCLES 4000u

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

static uint16_t u16(stream *s)
{
    uint16_t hi = u8(s);
    return (uint16_t)(hi << 8 | u8(s));
}

static uint64_t raw_u64(stream *s)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | u8(s);
    return v;
}

/* Byte counts: mostly small, with the edges of the 64-bit range. */
static uint64_t bytes_value(stream *s)
{
    uint8_t kind = u8(s);
    switch (kind % 8) {
    case 0: return u8(s);
    case 1: return (uint64_t)u16(s) * 1000u;
    case 2: return UINT64_MAX - u8(s);
    case 3: return (uint64_t)1 << (u8(s) % 64);
    case 4: return raw_u64(s);
    case 5: return (uint64_t)u8(s) << 30;
    default: return (uint64_t)u16(s);
    }
}

/* ---- ids ------------------------------------------------------------------ */

typedef struct id_pool {
    size_t n;
    char ids[FUZZ_MAX_IDS][8];
    char long_id[EXOPLACE_MAX_ID_BYTES + 2]; /* one byte over the limit */
} id_pool;

/* Ids of 0..6 bytes from the stream; a zero byte ends one early. */
static void pool_fill(id_pool *pool, stream *s)
{
    pool->n = 1 + u8(s) % FUZZ_MAX_IDS;
    for (size_t i = 0; i < pool->n; i++) {
        size_t len = u8(s) % 7;
        size_t j = 0;
        for (; j < len; j++) {
            uint8_t c = u8(s);
            if (!c)
                break;
            pool->ids[i][j] = (char)c;
        }
        pool->ids[i][j] = '\0';
    }
    memset(pool->long_id, 'x', sizeof pool->long_id - 1);
    pool->long_id[sizeof pool->long_id - 1] = '\0';
}

/* Mostly an id of the pool; sometimes NULL, "" or one too long. */
static const char *pick_id(const id_pool *pool, stream *s)
{
    uint8_t b = u8(s);
    if (b < 250)
        return pool->ids[b % pool->n];
    if (b < 252)
        return "";
    if (b < 254)
        return pool->long_id;
    return NULL;
}

/* ---- multiaddrs ------------------------------------------------------------- */

static const char *pick_multiaddr(char *buf, size_t size, stream *s)
{
    uint8_t kind = u8(s);
    unsigned a = u8(s), b = u8(s);
    switch (kind % 10) {
    case 0:
    case 1:
    case 2: snprintf(buf, size, "/ip4/169.254.%u.%u/tcp/%u", a, b, 5000u + a); break;
    case 3:
    case 4: snprintf(buf, size, "/ip4/192.168.%u.%u/tcp/52415", a, b); break;
    case 5: snprintf(buf, size, "/ip6/fe80::%x:%x/tcp/%u", a, b, 1000u + b); break;
    case 6: snprintf(buf, size, "/dns/node%u.local/tcp/%u", a, b); break;
    case 7: snprintf(buf, size, "/ip4/169.254.%u.%u", a, b); break;
    case 8: return NULL;
    default: {
        /* Raw text: mostly invalid. */
        size_t len = a % 24, j = 0;
        if (len >= size)
            len = size - 1;
        for (; j < len; j++) {
            uint8_t c = u8(s);
            if (!c)
                break;
            buf[j] = (char)c;
        }
        buf[j] = '\0';
    }
    }
    return buf;
}

/* ---- what the harness knows about the topology it built -------------------- */

typedef struct shadow {
    size_t n_nodes;
    uint8_t has_edge[FUZZ_MAX_IDS][FUZZ_MAX_IDS];
    uint8_t has_tb_edge[FUZZ_MAX_IDS][FUZZ_MAX_IDS];
    uint8_t self_loop[FUZZ_MAX_IDS];
} shadow;

static size_t node_index(const exoplace_topology *topology, const char *id)
{
    size_t index = SIZE_MAX;
    exoplace_status st = exoplace_topology_find_node(&index, topology, id, NULL);
    FUZZ_CHECK(st == EXOPLACE_OK);
    FUZZ_CHECK(index < FUZZ_MAX_IDS);
    FUZZ_CHECK(strcmp(exoplace_topology_node_id(topology, index), id) == 0);
    return index;
}

static void build_topology(exoplace_topology *topology, shadow *sh, const id_pool *pool, stream *s)
{
    size_t n_ops = u8(s) % FUZZ_MAX_OPS;
    for (size_t op = 0; op < n_ops; op++) {
        uint8_t kind = u8(s);
        exoplace_error err;
        exoplace_error *errp = (kind & 0x80) ? NULL : &err;
        exoplace_status st;
        switch (kind % 5) {
        case 0:
        case 1: {
            const char *id = pick_id(pool, s);
            exoplace_node_memory memory;
            exoplace_node_memory_init(&memory);
            memory.ram_total = bytes_value(s);
            memory.ram_available = (u8(s) & 1) ? memory.ram_total / (1 + u8(s) % 4) : bytes_value(s);
            memory.swap_total = bytes_value(s);
            memory.swap_available = bytes_value(s);
            uint8_t pressure = u8(s);
            if (pressure & 1) {
                memory.pressure_level = (exoplace_pressure_level)((pressure >> 1) % 5); /* 4: unknown */
                memory.free_percent = (int32_t)((pressure >> 4) % 3 == 0 ? -1 : (int)(u8(s) % 103) - 1);
            }
            st = exoplace_topology_add_node(topology, id, (kind % 5) ? &memory : NULL, errp);
            break;
        }
        case 2:
        case 3: {
            const char *from = pick_id(pool, s), *to = pick_id(pool, s);
            char buf[64];
            const char *addr = pick_multiaddr(buf, sizeof buf, s);
            st = exoplace_topology_add_connection(topology, from, to, addr, errp);
            if (st == EXOPLACE_OK) {
                size_t i = node_index(topology, from), j = node_index(topology, to);
                exoplace_multiaddr parsed;
                FUZZ_CHECK(exoplace_multiaddr_parse(&parsed, addr, NULL) == EXOPLACE_OK);
                if (i == j) {
                    sh->self_loop[i] = 1;
                } else {
                    sh->has_edge[i][j] = 1;
                    sh->has_tb_edge[i][j] |= (uint8_t)parsed.is_thunderbolt;
                }
            }
            break;
        }
        default: {
            const char *id = pick_id(pool, s);
            char name[8], ip[64];
            snprintf(name, sizeof name, "en%u", u8(s) % 8);
            const char *addr = pick_multiaddr(ip, sizeof ip, s);
            st = exoplace_topology_add_interface(topology, id, name, addr, EXOPLACE_INTERFACE_UNKNOWN, errp);
            break;
        }
        }
        if (errp)
            fuzz_check_error(errp, st);
        FUZZ_CHECK(st == EXOPLACE_OK || st == EXOPLACE_E_INVALID_ARGUMENT || st == EXOPLACE_E_DUPLICATE_NODE ||
                   st == EXOPLACE_E_UNKNOWN_NODE || st == EXOPLACE_E_LIMIT);
    }
    sh->n_nodes = exoplace_topology_node_count(topology);
    FUZZ_CHECK(sh->n_nodes <= pool->n);
    for (size_t i = 0; i < sh->n_nodes; i++) {
        size_t index;
        FUZZ_CHECK(exoplace_topology_find_node(&index, topology, exoplace_topology_node_id(topology, i), NULL) ==
                   EXOPLACE_OK);
        FUZZ_CHECK(index == i);
    }
    FUZZ_CHECK(exoplace_topology_node_id(topology, sh->n_nodes) == NULL);
}

/* ---- memory metrics (placement.md section 7) --------------------------------- */

__extension__ typedef unsigned __int128 u128;

static int node_memory(exoplace_node_memory *memory, const exoplace_topology *topology, size_t index)
{
    return exoplace_topology_node_memory(memory, topology, index);
}

/* The available and total tiers only (the others are checked by unit tests). */
static u128 metric(const exoplace_node_memory *memory, exoplace_memory_tier tier)
{
    if (tier == EXOPLACE_TIER_TOTAL)
        return memory->ram_total;
    return memory->pressure_level == EXOPLACE_PRESSURE_CRITICAL ? 0 : memory->ram_available;
}

/* ---- strategy fit (placement.md section 3) ------------------------------------ */

static int uses_fit(const exoplace_place_options *options)
{
    return options->strategy == EXOPLACE_LAYERS_FIT && options->sharding == EXOPLACE_SHARDING_PIPELINE;
}

static u128 layer_cost(const exoplace_model *model)
{
    return (u128)(model->storage_size / model->n_layers + (model->storage_size % model->n_layers != 0)) +
           model->kv_cache_bytes_per_layer;
}

/* Layers a node holds in the available or total tier. */
static u128 layers_held(const exoplace_node_memory *memory, exoplace_memory_tier tier, const exoplace_model *model,
                        const exoplace_place_options *options)
{
    u128 m = metric(memory, tier), cost = layer_cost(model);
    u128 capacity = m > options->reserve_bytes ? m - options->reserve_bytes : 0;
    return cost == 0 ? model->n_layers : capacity / cost;
}

/* ---- placements -------------------------------------------------------------- */

static void check_placement(const exoplace_placement *p, const exoplace_topology *topology, const shadow *sh,
                            const exoplace_model *model, const exoplace_place_options *options)
{
    size_t n = p->n_nodes;
    FUZZ_CHECK(n >= 1 && n <= sh->n_nodes && n >= options->min_nodes);
    FUZZ_CHECK(p->shards != NULL);
    FUZZ_CHECK(p->sharding == options->sharding);
    FUZZ_CHECK(p->memory_tier >= options->memory_tier && p->memory_tier <= EXOPLACE_TIER_SWAP);
    FUZZ_CHECK(p->is_low_memory == (p->memory_tier != EXOPLACE_TIER_AVAILABLE));
    if (p->memory_tier == EXOPLACE_TIER_SWAP)
        FUZZ_CHECK(options->allow_swap || options->memory_tier == EXOPLACE_TIER_SWAP);
    FUZZ_CHECK(p->instance_meta == (n == 1 ? EXOPLACE_INSTANCE_MLX_RING : options->instance_meta));
    if (p->sharding == EXOPLACE_SHARDING_TENSOR) {
        FUZZ_CHECK(model->supports_tensor != 0);
        if (model->hidden_size)
            FUZZ_CHECK(model->hidden_size % n == 0);
    }
    u128 sum = 0, deltas = 0;
    uint32_t next = 0;
    for (size_t i = 0; i < n; i++) {
        const exoplace_shard *shard = &p->shards[i];
        FUZZ_CHECK(shard->node_index < sh->n_nodes);
        FUZZ_CHECK(shard->node_id == exoplace_topology_node_id(topology, shard->node_index));
        FUZZ_CHECK(shard->device_rank == i && shard->world_size == n && shard->n_layers == model->n_layers);
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(p->shards[j].node_index != shard->node_index);
        if (n > 1) {
            size_t to = p->shards[(i + 1) % n].node_index;
            FUZZ_CHECK(sh->has_edge[shard->node_index][to]);
        }
        if (p->sharding == EXOPLACE_SHARDING_TENSOR) {
            FUZZ_CHECK(shard->start_layer == 0 && shard->end_layer == model->n_layers);
        } else {
            FUZZ_CHECK(shard->start_layer == next && shard->end_layer > shard->start_layer);
            next = shard->end_layer;
        }
        exoplace_node_memory memory;
        FUZZ_CHECK(node_memory(&memory, topology, shard->node_index));
        if (p->memory_tier == EXOPLACE_TIER_AVAILABLE || p->memory_tier == EXOPLACE_TIER_TOTAL) {
            sum += metric(&memory, p->memory_tier);
            /* fit never gives a node more layers than it holds */
            if (uses_fit(options))
                FUZZ_CHECK(shard->end_layer - shard->start_layer <=
                           layers_held(&memory, p->memory_tier, model, options));
        }
        uint64_t even = model->storage_size / n;
        FUZZ_CHECK(shard->memory_delta == even || shard->memory_delta == even + 1);
        deltas += shard->memory_delta;
    }
    if (p->sharding == EXOPLACE_SHARDING_PIPELINE)
        FUZZ_CHECK(next == model->n_layers);
    if (p->memory_tier == EXOPLACE_TIER_AVAILABLE || p->memory_tier == EXOPLACE_TIER_TOTAL)
        FUZZ_CHECK(sum >= model->storage_size);
    FUZZ_CHECK(deltas == model->storage_size);
}

static int is_placement_status(exoplace_status st)
{
    return st == EXOPLACE_OK || exoplace_status_is_placement_failure(st) || st == EXOPLACE_E_INVALID_ARGUMENT ||
           st == EXOPLACE_E_LIMIT;
}

/* ---- explanations -------------------------------------------------------------- */

static u128 amount(exoplace_amount a)
{
    return ((u128)a.hi << 64) | a.lo;
}

/* exoplace_explain(): its first tier is the attempt exoplace_place() made,
 * and every tier's numbers add up (the header's relations). */
static void check_explanation(const exoplace_topology *topology, const exoplace_model *model,
                              const exoplace_place_options *options, exoplace_status placed)
{
    exoplace_explanation e;
    exoplace_error err;
    exoplace_status st = exoplace_explain(&e, topology, model, options, &err);
    fuzz_check_error(&err, st);
    if (placed == EXOPLACE_E_INVALID_ARGUMENT || placed == EXOPLACE_E_LIMIT) {
        FUZZ_CHECK(st == placed && e.n_tiers == 0 && e.tiers == NULL);
        return;
    }
    FUZZ_CHECK(st == EXOPLACE_OK && e.n_tiers >= 1);
    FUZZ_CHECK(e.tiers[0].tier == options->memory_tier && e.tiers[0].status == placed);
    u128 need = uses_fit(options) ? model->n_layers : model->storage_size;
    for (size_t k = 0; k < e.n_tiers; k++) {
        const exoplace_explained_tier *et = &e.tiers[k];
        FUZZ_CHECK(amount(et->need) == need);
        FUZZ_CHECK(et->status == EXOPLACE_OK || exoplace_status_is_placement_failure(et->status));
        FUZZ_CHECK((et->status == EXOPLACE_OK) == (e.placed && k == e.n_tiers - 1));
        u128 sum = 0, shares = 0, shortfalls = 0;
        for (size_t i = 0; i < et->n_candidate; i++) {
            const exoplace_explained_node *node = &et->candidate[i];
            FUZZ_CHECK(node->node_index < exoplace_topology_node_count(topology));
            u128 share = amount(node->share), metric_here = amount(node->metric);
            FUZZ_CHECK(amount(node->shortfall) == (share > metric_here ? share - metric_here : 0));
            sum += metric_here;
            shares += share;
            shortfalls += amount(node->shortfall);
        }
        FUZZ_CHECK(et->n_candidate == 0 || et->n_candidate >= options->min_nodes);
        FUZZ_CHECK(amount(et->candidate_sum) == sum && sum <= amount(et->cluster_sum));
        FUZZ_CHECK(amount(et->gap) == (need > sum ? need - sum : 0));
        if (et->n_candidate) {
            FUZZ_CHECK(shares == need);
            FUZZ_CHECK(need < sum || shortfalls == amount(et->gap));
        }
    }
    exoplace_explanation_dispose(&e);
}

/* ---- cycles ------------------------------------------------------------------ */

typedef struct cycle_list {
    size_t count, node_total;
    size_t *starts, *nodes;
} cycle_list;

static void cycle_list_free(cycle_list *list)
{
    free(list->starts);
    free(list->nodes);
    memset(list, 0, sizeof *list);
}

/* Lists the cycles under max_cycles; OK, E_TOO_MANY_CYCLES or a failed
 * check. Follows the two-call protocol of exoplace_cycle_list(). */
static exoplace_status list_cycles(cycle_list *list, const exoplace_topology *topology, size_t max_cycles)
{
    memset(list, 0, sizeof *list);
    exoplace_error err;
    exoplace_status st = exoplace_cycle_list(&list->count, &list->node_total, NULL, 0, NULL, 0, topology,
                                              max_cycles, &err);
    fuzz_check_error(&err, st);
    if (st == EXOPLACE_E_TOO_MANY_CYCLES)
        return st;
    if (st == EXOPLACE_OK) {
        FUZZ_CHECK(list->count == 0 && list->node_total == 0);
        return st;
    }
    FUZZ_CHECK(st == EXOPLACE_E_BUFFER_TOO_SMALL);
    FUZZ_CHECK(list->count <= max_cycles && list->node_total >= list->count);
    size_t count = list->count, node_total = list->node_total;
    list->starts = malloc((count + 1) * sizeof *list->starts);
    list->nodes = malloc(node_total * sizeof *list->nodes);
    FUZZ_CHECK(list->starts && list->nodes);
    st = exoplace_cycle_list(&list->count, &list->node_total, list->starts, count + 1, list->nodes, node_total,
                              topology, max_cycles, &err);
    fuzz_check_error(&err, st);
    FUZZ_CHECK(st == EXOPLACE_OK);
    FUZZ_CHECK(list->count == count && list->node_total == node_total);
    return st;
}

static int compare_cycles(const exoplace_topology *topology, const size_t *a, size_t na, const size_t *b, size_t nb)
{
    if (na != nb)
        return na < nb ? -1 : 1;
    for (size_t i = 0; i < na; i++) {
        int c = strcmp(exoplace_topology_node_id(topology, a[i]), exoplace_topology_node_id(topology, b[i]));
        if (c)
            return c;
    }
    return 0;
}

static int reference_is_thunderbolt(const shadow *sh, const size_t *nodes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (i != j && sh->has_edge[nodes[i]][nodes[j]] && !sh->has_tb_edge[nodes[i]][nodes[j]])
                return 0;
    return 1;
}

/* Canonical form, order, singletons, edges; thunderbolt and the memory
 * filter against their definitions. */
static void check_cycle_list(const cycle_list *list, const exoplace_topology *topology, const shadow *sh,
                             uint64_t required, int use_total)
{
    size_t singletons = 0;
    int any_critical = 0;
    for (size_t i = 0; i < sh->n_nodes; i++) {
        exoplace_node_memory memory;
        if (node_memory(&memory, topology, i) && memory.pressure_level == EXOPLACE_PRESSURE_CRITICAL)
            any_critical = 1;
    }
    FUZZ_CHECK(list->starts[0] == 0 && list->starts[list->count] == list->node_total);
    for (size_t c = 0; c < list->count; c++) {
        const size_t *nodes = list->nodes + list->starts[c];
        size_t n = list->starts[c + 1] - list->starts[c];
        FUZZ_CHECK(n >= 1 && n <= sh->n_nodes);
        singletons += n == 1;
        for (size_t i = 0; i < n; i++) {
            FUZZ_CHECK(nodes[i] < sh->n_nodes);
            if (i)
                FUZZ_CHECK(strcmp(exoplace_topology_node_id(topology, nodes[0]),
                                  exoplace_topology_node_id(topology, nodes[i])) < 0);
            if (n > 1)
                FUZZ_CHECK(sh->has_edge[nodes[i]][nodes[(i + 1) % n]]);
        }
        if (c) {
            const size_t *prev = list->nodes + list->starts[c - 1];
            size_t np = list->starts[c] - list->starts[c - 1];
            FUZZ_CHECK(compare_cycles(topology, prev, np, nodes, n) < 0);
        }
        int tb = -1;
        FUZZ_CHECK(exoplace_cycle_is_thunderbolt(&tb, topology, nodes, n, NULL) == EXOPLACE_OK);
        FUZZ_CHECK(tb == reference_is_thunderbolt(sh, nodes, n));
    }
    FUZZ_CHECK(singletons == sh->n_nodes);

    if (!list->count)
        return;
    uint8_t *keep = malloc(list->count), *smallest = malloc(list->count);
    FUZZ_CHECK(keep && smallest);
    exoplace_error err;
    exoplace_status st = exoplace_cycle_list_filter_by_memory(keep, topology, list->starts, list->nodes, list->count, required, (use_total) ? EXOPLACE_TIER_TOTAL : EXOPLACE_TIER_AVAILABLE, &err);
    fuzz_check_error(&err, st);
    FUZZ_CHECK(st == EXOPLACE_OK);
    size_t min_length = SIZE_MAX;
    for (size_t c = 0; c < list->count; c++) {
        u128 sum = 0;
        int all = 1;
        for (size_t i = list->starts[c]; i < list->starts[c + 1]; i++) {
            exoplace_node_memory memory;
            if (!node_memory(&memory, topology, list->nodes[i]))
                all = 0;
            else
                sum += use_total ? memory.ram_total : memory.ram_available;
        }
        /* Section 3 says ram_available; section 7's available tier is 0 at
         * critical pressure. Compare only where the two agree. */
        if (!any_critical)
            FUZZ_CHECK(keep[c] == (all && sum >= required));
        if (keep[c] && list->starts[c + 1] - list->starts[c] < min_length)
            min_length = list->starts[c + 1] - list->starts[c];
    }
    st = exoplace_cycle_list_smallest(smallest, list->starts, list->count, keep, &err);
    fuzz_check_error(&err, st);
    FUZZ_CHECK(st == EXOPLACE_OK);
    for (size_t c = 0; c < list->count; c++)
        FUZZ_CHECK(smallest[c] == (keep[c] && list->starts[c + 1] - list->starts[c] == min_length));
    free(keep);
    free(smallest);
}

/* ---- the exhaustive reference for one attempt (section 4, steps 1-7) ---------- */

/* Returns the expected status; *choice_out is the selected cycle's index. */
static exoplace_status reference_place(size_t *choice_out, const cycle_list *list, const exoplace_topology *topology,
                                       const shadow *sh, const exoplace_model *model,
                                       const exoplace_place_options *options)
{
    size_t count = list->count;
    uint8_t *keep = calloc(count ? count : 1, 1);
    FUZZ_CHECK(keep != NULL);
    size_t kept = 0;
    for (size_t c = 0; c < count; c++) {
        size_t n = list->starts[c + 1] - list->starts[c];
        if (n < options->min_nodes)
            continue;
        u128 sum = 0, held = 0;
        int all = 1, each_holds = 1;
        for (size_t i = list->starts[c]; i < list->starts[c + 1]; i++) {
            exoplace_node_memory memory;
            if (!node_memory(&memory, topology, list->nodes[i])) {
                all = 0;
            } else {
                sum += metric(&memory, options->memory_tier);
                u128 cap = layers_held(&memory, options->memory_tier, model, options);
                held += cap;
                each_holds &= cap >= 1;
            }
        }
        if (uses_fit(options))
            keep[c] = (uint8_t)(all && each_holds && n <= model->n_layers && held >= model->n_layers);
        else
            keep[c] = (uint8_t)(all && sum >= model->storage_size);
        kept += keep[c];
    }
    exoplace_status st = EXOPLACE_OK;
    if (!kept)
        st = uses_fit(options) && options->min_nodes > model->n_layers ? EXOPLACE_E_INVALID_SPLIT
                                                                      : EXOPLACE_E_INSUFFICIENT_MEMORY;
    if (st == EXOPLACE_OK && options->sharding == EXOPLACE_SHARDING_TENSOR) {
        if (model->supports_tensor == 0) {
            st = EXOPLACE_E_TENSOR_NOT_SUPPORTED;
        } else if (model->hidden_size) {
            kept = 0;
            for (size_t c = 0; c < count; c++) {
                if (keep[c] && model->hidden_size % (list->starts[c + 1] - list->starts[c]) != 0)
                    keep[c] = 0;
                kept += keep[c];
            }
            if (!kept)
                st = EXOPLACE_E_NO_TENSOR_SHARDING;
        }
    }
    if (st == EXOPLACE_OK) {
        size_t min_length = SIZE_MAX;
        for (size_t c = 0; c < count; c++)
            if (keep[c] && list->starts[c + 1] - list->starts[c] < min_length)
                min_length = list->starts[c + 1] - list->starts[c];
        int any_tb = 0, any_leaf = 0;
        for (size_t c = 0; c < count; c++) {
            if (keep[c] && list->starts[c + 1] - list->starts[c] != min_length)
                keep[c] = 0;
            if (keep[c])
                any_tb |= reference_is_thunderbolt(sh, list->nodes + list->starts[c], min_length);
        }
        for (size_t c = 0; c < count; c++) {
            if (keep[c] && any_tb && !reference_is_thunderbolt(sh, list->nodes + list->starts[c], min_length))
                keep[c] = 0;
            if (keep[c])
                for (size_t i = list->starts[c]; i < list->starts[c + 1]; i++)
                    any_leaf |= exoplace_topology_node_is_leaf(topology, list->nodes[i], EXOPLACE_RULES_SEED);
        }
        size_t best = SIZE_MAX;
        u128 best_sum = 0;
        for (size_t c = 0; c < count; c++) {
            if (!keep[c])
                continue;
            int leaf = 0;
            u128 sum = 0;
            for (size_t i = list->starts[c]; i < list->starts[c + 1]; i++) {
                exoplace_node_memory memory;
                node_memory(&memory, topology, list->nodes[i]);
                leaf |= exoplace_topology_node_is_leaf(topology, list->nodes[i], EXOPLACE_RULES_SEED);
                sum += uses_fit(options) ? layers_held(&memory, options->memory_tier, model, options)
                                         : metric(&memory, options->memory_tier);
            }
            if (any_leaf && !leaf)
                continue;
            /* The list is in canonical order: the first of equal sums wins. */
            if (best == SIZE_MAX || sum > best_sum) {
                best = c;
                best_sum = sum;
            }
        }
        FUZZ_CHECK(best != SIZE_MAX);
        *choice_out = best;
    }
    free(keep);
    return st;
}

/* The selected cycle, rotated to its canonical start, equals the reference. */
static void check_same_cycle(const exoplace_placement *p, const cycle_list *list, size_t choice)
{
    const size_t *expected = list->nodes + list->starts[choice];
    size_t n = list->starts[choice + 1] - list->starts[choice];
    FUZZ_CHECK(p->n_nodes == n);
    size_t offset = 0;
    while (offset < n && p->shards[offset].node_index != expected[0])
        offset++;
    FUZZ_CHECK(offset < n);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(p->shards[(offset + i) % n].node_index == expected[i]);
}

/* ---- layers and model lists ----------------------------------------------- */

static void fuzz_layers(stream *s)
{
    uint64_t memory[FUZZ_MAX_IDS];
    uint32_t layers[FUZZ_MAX_IDS];
    size_t n = u8(s) % (FUZZ_MAX_IDS + 1);
    for (size_t i = 0; i < n; i++)
        memory[i] = bytes_value(s);
    uint32_t n_layers = (u8(s) & 1) ? (uint32_t)raw_u64(s) : u8(s);
    exoplace_layer_strategy strategy = (exoplace_layer_strategy)(u8(s) % 3);
    exoplace_error err;
    if (strategy == EXOPLACE_LAYERS_FIT) {
        /* the fit split against its bounds: 1 <= layers <= min(cap, n_layers) */
        uint64_t cost = bytes_value(s);
        exoplace_status st = exoplace_layers_fit(layers, memory, n, n_layers, cost, &err);
        fuzz_check_error(&err, st);
        if (n == 0 || n_layers == 0) {
            FUZZ_CHECK(st == EXOPLACE_E_INVALID_ARGUMENT);
            return;
        }
        u128 held = 0;
        int each_holds = 1;
        for (size_t i = 0; i < n; i++) {
            u128 cap = cost == 0 ? n_layers : memory[i] / cost;
            held += cap < n_layers ? cap : n_layers;
            each_holds &= cap >= 1;
        }
        FUZZ_CHECK((st == EXOPLACE_OK) == (n_layers >= n && each_holds && held >= n_layers));
        if (st != EXOPLACE_OK) {
            FUZZ_CHECK(st == EXOPLACE_E_INVALID_SPLIT);
            return;
        }
        uint64_t sum = 0;
        for (size_t i = 0; i < n; i++) {
            FUZZ_CHECK(layers[i] >= 1 && (cost == 0 || layers[i] <= memory[i] / cost));
            sum += layers[i];
        }
        FUZZ_CHECK(sum == n_layers);
        return;
    }
    exoplace_status st = exoplace_layers_distribute(layers, memory, n, n_layers, strategy, &err);
    fuzz_check_error(&err, st);
    if (st == EXOPLACE_OK) {
        uint64_t sum = 0;
        for (size_t i = 0; i < n; i++) {
            FUZZ_CHECK(layers[i] >= 1);
            sum += layers[i];
        }
        FUZZ_CHECK(sum == n_layers);
    } else {
        FUZZ_CHECK(st == EXOPLACE_E_INVALID_ARGUMENT || st == EXOPLACE_E_INVALID_SPLIT);
        if (st == EXOPLACE_E_INVALID_ARGUMENT)
            FUZZ_CHECK(n == 0 || n_layers == 0 || strategy > EXOPLACE_LAYERS_EXO);
    }
    if (n && n_layers >= 1 && strategy == EXOPLACE_LAYERS_LARGEST_REMAINDER)
        FUZZ_CHECK((st == EXOPLACE_OK) == (n_layers >= n));
}

static void fuzz_models(const exoplace_topology *topology, const id_pool *pool, stream *s)
{
    exoplace_model models[6];
    size_t order[6];
    exoplace_model_fit fits[6];
    size_t n = u8(s) % 7;
    for (size_t i = 0; i < n; i++) {
        exoplace_model_init(&models[i]);
        models[i].model_id = pick_id(pool, s);
        models[i].storage_size = bytes_value(s);
    }
    exoplace_error err;
    exoplace_status st = exoplace_models_order(order, topology, models, n, &err);
    fuzz_check_error(&err, st);
    if (st != EXOPLACE_OK) {
        FUZZ_CHECK(st == EXOPLACE_E_INVALID_ARGUMENT);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(models[i].model_id != NULL);
        FUZZ_CHECK(exoplace_model_fit_check(&fits[i], topology, models[i].storage_size, NULL) == EXOPLACE_OK);
    }
    uint8_t seen[6] = {0};
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(order[i] < n && !seen[order[i]]);
        seen[order[i]] = 1;
        if (!i)
            continue;
        const exoplace_model *a = &models[order[i - 1]], *b = &models[order[i]];
        const exoplace_model_fit *fa = &fits[order[i - 1]], *fb = &fits[order[i]];
        /* can-fit first, then will-fit, then larger first, then id. */
        int key = fa->can_fit != fb->can_fit     ? (fa->can_fit ? -1 : 1)
                  : fa->will_fit != fb->will_fit ? (fa->will_fit ? -1 : 1)
                  : a->storage_size != b->storage_size ? (a->storage_size > b->storage_size ? -1 : 1)
                                                       : strcmp(a->model_id, b->model_id);
        FUZZ_CHECK(key <= 0);
    }
}

/* ---- the program ---------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    stream s = {data, size};
    id_pool pool;
    pool_fill(&pool, &s);

    exoplace_topology *topology = NULL;
    FUZZ_CHECK(exoplace_topology_new(&topology, NULL) == EXOPLACE_OK && topology);
    shadow sh;
    memset(&sh, 0, sizeof sh);
    build_topology(topology, &sh, &pool, &s);
    for (size_t i = 0; i < sh.n_nodes; i++) {
        size_t successors = 0;
        for (size_t j = 0; j < sh.n_nodes; j++)
            successors += sh.has_edge[i][j];
        if (!sh.self_loop[i])
            FUZZ_CHECK(exoplace_topology_node_is_leaf(topology, i, EXOPLACE_RULES_SEED) == (successors == 1));
    }

    exoplace_model model;
    exoplace_model_init(&model);
    model.model_id = (u8(&s) % 16) ? pool.ids[0] : pick_id(&pool, &s);
    model.storage_size = bytes_value(&s);
    model.n_layers = (u8(&s) % 8) ? u8(&s) : (uint32_t)raw_u64(&s);
    model.hidden_size = (u8(&s) & 1) ? u16(&s) : 0;
    model.supports_tensor = (int)(u8(&s) % 3) - 1; /* -1 not stated, 0, 1 */

    exoplace_place_options options;
    exoplace_place_options_init(&options);
    uint8_t flags = u8(&s);
    options.sharding = (exoplace_sharding)(flags % 3);
    options.instance_meta = (exoplace_instance_meta)((flags / 3) % 3);
    options.strategy = (exoplace_layer_strategy)((flags / 9) % 3);
    options.no_fallback = (flags / 27) % 2;
    options.allow_swap = (flags / 54) % 2;
    options.min_nodes = u8(&s) % (FUZZ_MAX_IDS + 3);
    options.memory_tier = (exoplace_memory_tier)(u8(&s) % 5);
    options.max_search_steps = 1u + u16(&s) % 20000u;
    if (options.strategy == EXOPLACE_LAYERS_FIT) {
        /* Only fit inputs read these, so the streams of the other strategies keep their meaning. */
        uint8_t fit = u8(&s);
        if (fit == 255)
            options.strategy = (exoplace_layer_strategy)3; /* unknown */
        if (fit & 1)
            model.kv_cache_bytes_per_layer = bytes_value(&s);
        if (fit & 2)
            options.reserve_bytes = bytes_value(&s);
    }
    int valid_options = options.sharding <= EXOPLACE_SHARDING_TENSOR &&
                        options.instance_meta <= EXOPLACE_INSTANCE_MLX_JACCL &&
                        options.strategy <= EXOPLACE_LAYERS_FIT && options.min_nodes >= 1 &&
                        options.memory_tier <= EXOPLACE_TIER_SWAP && model.n_layers >= 1 && model.model_id &&
                        model.model_id[0];
    /* A model id past the limit is refused (regress/fuzz_api/place-accepts-model-id-over-limit). */
    if (model.model_id && strlen(model.model_id) > EXOPLACE_MAX_ID_BYTES)
        valid_options = 0;

    /* One attempt, then the ladder. */
    exoplace_placement placement;
    memset(&placement, 0, sizeof placement);
    exoplace_error err;
    exoplace_status placed = exoplace_place(&placement, topology, &model, &options, &err);
    fuzz_check_error(&err, placed);
    FUZZ_CHECK(is_placement_status(placed));
    if (placed == EXOPLACE_OK) {
        if (!valid_options)
            fprintf(stderr,
                    "placed with sharding %d, instance_meta %d, strategy %d, min_nodes %u, tier %d, "
                    "n_layers %u, model_id %s (%zu bytes)\n",
                    (int)options.sharding, (int)options.instance_meta, (int)options.strategy, options.min_nodes,
                    (int)options.memory_tier, model.n_layers, model.model_id ? "set" : "NULL",
                    model.model_id ? strlen(model.model_id) : 0);
        FUZZ_CHECK(valid_options);
        FUZZ_CHECK(placement.memory_tier == options.memory_tier);
        check_placement(&placement, topology, &sh, &model, &options);
    } else {
        FUZZ_CHECK(placement.n_nodes == 0 && placement.shards == NULL);
    }

    /* The reference, when every cycle can be listed cheaply. */
    if (valid_options && placed != EXOPLACE_E_SEARCH_LIMIT &&
        (options.memory_tier == EXOPLACE_TIER_AVAILABLE || options.memory_tier == EXOPLACE_TIER_TOTAL)) {
        cycle_list all;
        if (list_cycles(&all, topology, FUZZ_REFERENCE_CYCLES) == EXOPLACE_OK) {
            size_t choice = SIZE_MAX;
            exoplace_status expected = reference_place(&choice, &all, topology, &sh, &model, &options);
            if (expected == EXOPLACE_OK) {
                /* The exo split may refuse the selected cycle; fit's never does. */
                FUZZ_CHECK(placed == EXOPLACE_OK || (placed == EXOPLACE_E_INVALID_SPLIT && !uses_fit(&options)));
                if (placed == EXOPLACE_OK)
                    check_same_cycle(&placement, &all, choice);
            } else {
                if (placed != expected)
                    fprintf(stderr, "exoplace_place: %s, reference: %s\n", exoplace_status_name(placed),
                            exoplace_status_name(expected));
                FUZZ_CHECK(placed == expected);
            }
        }
        cycle_list_free(&all);
    }
    exoplace_placement_dispose(&placement);
    exoplace_placement_dispose(&placement); /* disposing twice is harmless */

    exoplace_status got = exoplace_get_placement(&placement, topology, &model, &options, &err);
    /* err matches the status even when a later tier placed
     * (regress/fuzz_api/get-placement-ok-keeps-strict-error). */
    fuzz_check_error(&err, got);
    FUZZ_CHECK(is_placement_status(got));
    if (got == EXOPLACE_OK)
        check_placement(&placement, topology, &sh, &model, &options);
    /* The ladder starts with the same attempt. */
    if (placed == EXOPLACE_OK)
        FUZZ_CHECK(got == EXOPLACE_OK && placement.memory_tier == options.memory_tier);
    exoplace_placement_dispose(&placement);

    check_explanation(topology, &model, &options, placed);

    /* Previews: every combination, the ladder of the options. */
    exoplace_preview_list *previews = NULL;
    exoplace_status st = exoplace_preview_list_new(&previews, topology, &model, &options, &err);
    fuzz_check_error(&err, st);
    if (st == EXOPLACE_OK) {
        size_t n = exoplace_preview_list_count(previews);
        if (sh.n_nodes == 0)
            FUZZ_CHECK(n == 0);
        for (size_t i = 0; i < n; i++) {
            const exoplace_preview *preview = exoplace_preview_list_get(previews, i);
            FUZZ_CHECK(preview != NULL);
            FUZZ_CHECK(preview->status == EXOPLACE_OK || exoplace_status_is_placement_failure(preview->status));
            if (preview->status == EXOPLACE_OK) {
                exoplace_place_options loop = options;
                loop.sharding = preview->sharding;
                loop.instance_meta = preview->instance_meta;
                loop.min_nodes = preview->min_nodes;
                check_placement(&preview->placement, topology, &sh, &model, &loop);
            } else {
                fuzz_check_error(&preview->error, preview->status);
            }
        }
        FUZZ_CHECK(exoplace_preview_list_get(previews, n) == NULL);
    } else {
        FUZZ_CHECK((st == EXOPLACE_E_INVALID_ARGUMENT || st == EXOPLACE_E_LIMIT) && previews == NULL);
    }
    exoplace_preview_list_free(previews);

    /* The cycle list under a small bound, and the pure functions over it. */
    cycle_list list;
    size_t max_cycles = 1u + u8(&s) % 64u;
    uint64_t required = bytes_value(&s);
    int use_total = u8(&s) & 1;
    if (list_cycles(&list, topology, max_cycles) == EXOPLACE_OK && list.count)
        check_cycle_list(&list, topology, &sh, required, use_total);
    cycle_list_free(&list);

    fuzz_layers(&s);
    fuzz_models(topology, &pool, &s);

    exoplace_topology_free(topology);
    return 0;
}
