/*
 * Branch and bound over simple cycles of one length (placement.md section 4).
 *
 * A cycle is found once, in canonical rotation, by a depth-first search from
 * its smallest node (in byte-wise id order, "rank") through nodes of greater
 * rank only. Successors are tried in decreasing metric so that good cycles
 * are found early, and a partial path is cut as soon as
 *  - it cannot return to its start in the steps left (reverse BFS distances),
 *  - its memory plus the largest metrics still allowed cannot reach the
 *    requirement, or
 *  - its best possible key (thunderbolt, leaf, sum) cannot beat the best
 *    cycle found.
 * One node set is many cycles in a dense graph, and ties are decided by
 * canonical order, so a second pass walks successors in rank order and stops
 * at the first cycle that reaches the best key: that is the canonical first.
 * Every unit of work counts against a bound, so the search never hangs.
 */
#include "search.h"

#include "error.h"
#include "layers.h"
#include "select_exo_main.h"
#include "sort.h"

#include <stdlib.h>

#include "alloc.h"
#include <string.h>

/* One byte view and one fit view per memory tier (the tier table in exoplace.h). */
#define TIER_COUNT_ONE_(name, value, text) +1
_Static_assert(EXOPLACE_TIER_COUNT == 0 EXOPLACE_MEMORY_TIER_MAP(TIER_COUNT_ONE_),
               "EXOPLACE_TIER_COUNT counts the memory tier table");
#undef TIER_COUNT_ONE_

#define DIST_UNREACHED UINT32_MAX
/* Reverse-BFS rows are cached per start node up to this many nodes (n*n*4 bytes). */
#define DIST_CACHE_MAX_NODES 2048

/* The answer for one length, kept for the other attempts of one call
 * (previews ask for the same lengths for every min_nodes and sharding). */
typedef struct length_memo {
    int known;
    uint64_t required;
    int found;
    uint32_t *cycle; /* length entries when found */
} length_memo;

typedef struct tier_view {
    int ready;
    length_memo *memo; /* by length, n + 1 entries */
    exoplace__u128 *metric;     /* per node */
    uint32_t *by_metric;        /* placeable nodes, metric descending, rank ascending */
    uint32_t *position;         /* position[node] in by_metric */
    size_t n_by_metric;
    exoplace__u128 *top_prefix; /* top_prefix[k] = sum of the k largest metrics */
    size_t *succ_start;         /* successors (in the view, not self) in by_metric order */
    uint32_t *succ;
    /* NULL: every placeable node is in the view. A fit view leaves out the
     * nodes that hold no layer: no cycle through them has a safe split. */
    uint8_t *usable;
} tier_view;

/* What a fit view's metric (layers held) depends on besides the tier. */
typedef struct fit_key {
    exoplace__u128 layer_cost;
    uint64_t reserve;
    uint32_t n_layers;
} fit_key;

/* For one node on the path: the sums of the `remaining` and `remaining + 1`
 * largest allowed metrics off the path, and the by_metric position of the
 * last of those, so that each child's exact bound is O(1). */
typedef struct level_bound {
    int ready;
    int enough;             /* at least remaining + 1 allowed nodes off the path */
    exoplace__u128 top;     /* the `remaining` largest */
    exoplace__u128 top_one_more;
    uint32_t last_position; /* by_metric position of the (remaining + 1)-th */
} level_bound;

typedef struct search_key {
    int thunderbolt;
    int leaf;
    exoplace__u128 sum;
} search_key;

struct exoplace__search {
    const exoplace_topology *topology;
    size_t n;
    uint32_t *rank;
    uint32_t *by_rank;
    uint8_t *placeable;
    size_t *placeable_after; /* placeable nodes of rank greater than r */
    uint8_t *is_leaf;
    uint8_t *has_plain_pair; /* node is in a pair without thunderbolt */
    int any_thunderbolt_pair; /* without one, no cycle of two or more nodes is a thunderbolt cycle */
    size_t n_placeable;
    size_t *pred_start; /* placeable predecessors, self excluded */
    uint32_t *pred;
    size_t *rank_succ_start; /* placeable successors, self excluded, rank ascending */
    uint32_t *rank_succ;
    uint32_t **dist_rows; /* cached reverse-BFS distances per start (small graphs) */
    uint32_t *girth;      /* shortest cycle through start within ranks >= its own; 0 = unknown */
    uint32_t *reach;      /* placeable nodes of greater rank that reach start (valid when girth != 0) */
    tier_view tiers[EXOPLACE_TIER_COUNT];
    tier_view fit_tiers[EXOPLACE_TIER_COUNT]; /* strategy fit: layers held in each tier, for fit_keys[tier] */
    fit_key fit_keys[EXOPLACE_TIER_COUNT];
    tier_view *tier;

    uint64_t steps;
    uint64_t max_steps;
    int work_shared; /* one bound for every following search: reset_work keeps the count */
    exoplace__exo_main_graph *exo_main; /* created on first use */

    /* scratch for one length search */
    uint32_t *dist;       /* current start's distances (owned unless cached) */
    uint32_t *bfs_queue;
    uint32_t *allowed;    /* allowed nodes of the current start, metric descending */
    exoplace__u128 *allowed_prefix;
    uint32_t *allowed_index;  /* allowed_index[node]: its position in allowed */
    uint32_t *off_count;      /* Fenwick tree over allowed positions: allowed nodes off the path, */
    exoplace__u128 *off_sum;  /* and the sum of their metrics */
    size_t off_top;           /* largest power of two <= n_allowed, 0 when none */
    int off_ready;            /* the tree is built for the current start (lazily: few need it) */
    size_t n_allowed;
    uint8_t *on_path;
    uint32_t *path;
    size_t *next_child;
    exoplace__u128 *path_sum;
    uint8_t *path_tb;
    uint8_t *path_leaf;
    level_bound *levels;
    uint32_t *best;
    size_t scratch_length;
};

/* Zeroed room for `count` elements, at least one so that an empty graph
 * needs no case of its own. Out of memory clears *ok and gives NULL: a
 * constructor makes all its allocations, then checks *ok once and frees
 * what it has with its one free function. */
static void *cells_alloc(int *ok, size_t count, size_t size)
{
    void *cells = calloc(count ? count : 1, size);
    if (!cells)
        *ok = 0;
    return cells;
}

/* Adjacency lists as offsets into one array: once start[i + 1] holds the
 * length of node i's list, prefix sums make start[i] where it begins. */
static void lists_offsets(size_t *start, size_t n)
{
    for (size_t i = 0; i < n; i++)
        start[i + 1] += start[i];
}

/* After each list was filled by list[start[i]++], start[i] is where list
 * i + 1 begins: shifts the offsets back. */
static void lists_rewind(size_t *start, size_t n)
{
    for (size_t i = n; i > 0; i--)
        start[i] = start[i - 1];
    start[0] = 0;
}

/* The per-length path arrays (see scratch_reserve). */
static void scratch_free(exoplace__search *s)
{
    free(s->path);
    free(s->next_child);
    free(s->path_sum);
    free(s->path_tb);
    free(s->path_leaf);
    free(s->levels);
    free(s->best);
}

/* Frees a view's arrays and marks it not ready. */
static void view_free(const exoplace__search *s, tier_view *v)
{
    if (v->memo)
        for (size_t l = 0; l <= s->n; l++)
            free(v->memo[l].cycle);
    free(v->memo);
    free(v->metric);
    free(v->by_metric);
    free(v->position);
    free(v->top_prefix);
    free(v->succ_start);
    free(v->succ);
    free(v->usable);
    memset(v, 0, sizeof *v);
}

void exoplace__search_free(exoplace__search *s)
{
    if (!s)
        return;
    exoplace__exo_main_graph_free(s->exo_main);
    for (int i = 0; i < EXOPLACE_TIER_COUNT; i++) {
        view_free(s, &s->tiers[i]);
        view_free(s, &s->fit_tiers[i]);
    }
    if (s->dist_rows) {
        for (size_t i = 0; i < s->n; i++)
            free(s->dist_rows[i]);
        free(s->dist_rows);
    } else {
        free(s->dist);
    }
    free(s->rank);
    free(s->by_rank);
    free(s->placeable);
    free(s->placeable_after);
    free(s->is_leaf);
    free(s->has_plain_pair);
    free(s->pred_start);
    free(s->pred);
    free(s->rank_succ_start);
    free(s->rank_succ);
    free(s->girth);
    free(s->reach);
    free(s->bfs_queue);
    free(s->allowed);
    free(s->allowed_prefix);
    free(s->allowed_index);
    free(s->off_count);
    free(s->off_sum);
    free(s->on_path);
    scratch_free(s);
    free(s);
}

/* The context's arrays, sized by the node count; 0 when out of memory. */
static int search_alloc(exoplace__search *s)
{
    size_t n = s->n;
    int ok = 1;
    s->rank = cells_alloc(&ok, n, sizeof *s->rank);
    s->by_rank = cells_alloc(&ok, n, sizeof *s->by_rank);
    s->placeable = cells_alloc(&ok, n, sizeof *s->placeable);
    s->placeable_after = cells_alloc(&ok, n, sizeof *s->placeable_after);
    s->is_leaf = cells_alloc(&ok, n, sizeof *s->is_leaf);
    s->has_plain_pair = cells_alloc(&ok, n, sizeof *s->has_plain_pair);
    s->pred_start = cells_alloc(&ok, n + 1, sizeof *s->pred_start);
    s->girth = cells_alloc(&ok, n, sizeof *s->girth);
    s->reach = cells_alloc(&ok, n, sizeof *s->reach);
    s->bfs_queue = cells_alloc(&ok, n, sizeof *s->bfs_queue);
    s->allowed = cells_alloc(&ok, n, sizeof *s->allowed);
    s->allowed_prefix = cells_alloc(&ok, n + 1, sizeof *s->allowed_prefix);
    s->allowed_index = cells_alloc(&ok, n, sizeof *s->allowed_index);
    s->off_count = cells_alloc(&ok, n + 1, sizeof *s->off_count);
    s->off_sum = cells_alloc(&ok, n + 1, sizeof *s->off_sum);
    s->on_path = cells_alloc(&ok, n, sizeof *s->on_path);
    if (n <= DIST_CACHE_MAX_NODES)
        s->dist_rows = cells_alloc(&ok, n, sizeof *s->dist_rows);
    else
        s->dist = cells_alloc(&ok, n, sizeof *s->dist);
    return ok;
}

/* Which nodes can be placed on, which are leaves, and the id order. */
static int nodes_index(exoplace__search *s)
{
    const exoplace_topology *t = s->topology;
    size_t n = s->n;
    int ok = 1;
    uint32_t *tmp = cells_alloc(&ok, n, sizeof *tmp);
    if (!ok)
        return 0;
    for (size_t i = 0; i < n; i++) {
        s->placeable[i] = (uint8_t)t->nodes[i].has_profile;
        s->n_placeable += s->placeable[i];
        s->is_leaf[i] = t->nodes[i].n_successors == 1;
    }
    exoplace__topology_id_order(t, s->by_rank, s->rank, tmp);
    free(tmp);
    for (size_t r = n; r-- > 1;)
        s->placeable_after[r - 1] = s->placeable_after[r] + s->placeable[s->by_rank[r]];
    return 1;
}

/* The node pairs: which nodes are in a pair without thunderbolt, and each
 * node's placeable predecessors, in pair order. */
static int pairs_index(exoplace__search *s)
{
    const exoplace_topology *t = s->topology;
    for (size_t p = 0; p < t->n_pairs; p++) {
        const exoplace__pair *pair = &t->pairs[p];
        if (!pair->has_thunderbolt)
            s->has_plain_pair[pair->from] = s->has_plain_pair[pair->to] = 1;
        else
            s->any_thunderbolt_pair = 1;
        if (s->placeable[pair->from])
            s->pred_start[pair->to + 1]++;
    }
    lists_offsets(s->pred_start, s->n);
    int ok = 1;
    s->pred = cells_alloc(&ok, s->pred_start[s->n], sizeof *s->pred);
    if (!ok)
        return 0;
    for (size_t p = 0; p < t->n_pairs; p++) {
        const exoplace__pair *pair = &t->pairs[p];
        if (s->placeable[pair->from])
            s->pred[s->pred_start[pair->to]++] = pair->from;
    }
    lists_rewind(s->pred_start, s->n);
    return 1;
}

/* The placeable nodes' successor lists, restricted to `targets` and each
 * in their order, without sorting a list: walk the targets in order and
 * append each to its predecessors' lists. *start_out gets n + 1 offsets
 * into *succ_out; the arrays are the caller's to free, also on failure. */
static int successors_build(const exoplace__search *s, const uint32_t *targets, size_t n_targets,
                            size_t **start_out, uint32_t **succ_out)
{
    int ok = 1;
    size_t *start = *start_out = cells_alloc(&ok, s->n + 1, sizeof *start);
    if (!ok)
        return 0;
    for (size_t k = 0; k < n_targets; k++)
        for (size_t p = s->pred_start[targets[k]]; p < s->pred_start[targets[k] + 1]; p++)
            start[s->pred[p] + 1]++;
    lists_offsets(start, s->n);
    uint32_t *succ = *succ_out = cells_alloc(&ok, start[s->n], sizeof *succ);
    if (!ok)
        return 0;
    for (size_t k = 0; k < n_targets; k++)
        for (size_t p = s->pred_start[targets[k]]; p < s->pred_start[targets[k] + 1]; p++)
            succ[start[s->pred[p]]++] = targets[k];
    lists_rewind(start, s->n);
    return 1;
}

exoplace_status exoplace__search_new(exoplace__search **out, const exoplace_topology *t, exoplace_error *err)
{
    exoplace__search *s = calloc(1, sizeof *s);
    if (!s)
        return exoplace__fail_no_memory(err);
    s->topology = t;
    s->n = t->n_nodes;
    s->max_steps = EXOPLACE_DEFAULT_MAX_SEARCH_STEPS;
    /* The canonical pass walks successors in rank order. */
    if (!search_alloc(s) || !nodes_index(s) || !pairs_index(s) ||
        !successors_build(s, s->by_rank, s->n, &s->rank_succ_start, &s->rank_succ)) {
        exoplace__search_free(s);
        return exoplace__fail_no_memory(err);
    }
    *out = s;
    return EXOPLACE_OK;
}

void exoplace__search_reset_work(exoplace__search *s, uint64_t max_steps)
{
    if (s->work_shared)
        return;
    s->steps = 0;
    s->max_steps = max_steps ? max_steps : EXOPLACE_DEFAULT_MAX_SEARCH_STEPS;
}

void exoplace__search_share_work(exoplace__search *s, uint64_t max_steps)
{
    s->work_shared = 0;
    exoplace__search_reset_work(s, max_steps);
    s->work_shared = 1;
}

int exoplace__search_spend(exoplace__search *s, uint64_t units)
{
    s->steps = units > UINT64_MAX - s->steps ? UINT64_MAX : s->steps + units;
    return s->steps <= s->max_steps;
}

exoplace_status exoplace__search_exo_main_graph(exoplace__exo_main_graph **out, exoplace__search *s,
                                                exoplace_error *err)
{
    if (!s->exo_main) {
        exoplace_status st = exoplace__exo_main_graph_new(&s->exo_main, s->topology, err);
        if (st)
            return st;
    }
    *out = s->exo_main;
    return EXOPLACE_OK;
}

exoplace_status exoplace__search_fail_limit(const exoplace__search *s, exoplace_error *err)
{
    return exoplace__fail(err, EXOPLACE_E_SEARCH_LIMIT, "max_search_steps",
                          "the placement search exceeded its work bound of %llu steps; raise "
                          "max_search_steps or ask for fewer nodes",
                          (unsigned long long)s->max_steps);
}

size_t exoplace__search_placeable_count(const exoplace__search *s)
{
    return s->n_placeable;
}

exoplace__u128 exoplace__search_metric(const exoplace__search *s, uint32_t node)
{
    return s->tier->metric[node];
}

const uint32_t *exoplace__search_rank(const exoplace__search *s)
{
    return s->rank;
}

const exoplace_topology *exoplace__search_topology(const exoplace__search *s)
{
    return s->topology;
}

/* Placeable nodes by metric descending, rank ascending. */
static int metric_before(const void *ctx, uint32_t a, uint32_t b)
{
    const exoplace__search *s = ctx;
    const exoplace__u128 *metric = s->tier->metric;
    if (metric[a] != metric[b])
        return metric[a] > metric[b];
    return s->rank[a] < s->rank[b];
}

/* The view's metric per node and its nodes, in node order. */
static void view_fill_metric(exoplace__search *s, tier_view *v, exoplace_memory_tier tier, const fit_key *fit)
{
    const exoplace_topology *t = s->topology;
    v->n_by_metric = 0;
    for (size_t i = 0; i < s->n; i++) {
        exoplace__u128 metric = exoplace__node_metric(&t->nodes[i], tier);
        int in_view = s->placeable[i];
        if (fit) {
            metric = exoplace__fit_cap(exoplace__fit_capacity(metric, fit->reserve), fit->layer_cost, fit->n_layers);
            in_view = in_view && metric >= 1;
            v->usable[i] = (uint8_t)in_view;
        }
        v->metric[i] = metric;
        if (in_view)
            v->by_metric[v->n_by_metric++] = (uint32_t)i;
    }
}

/* Builds view v of `tier` and makes it current: the tier's bytes, or with
 * `fit` the layers each node holds in it. A failed build leaves v empty. */
static exoplace_status view_build(exoplace__search *s, tier_view *v, exoplace_memory_tier tier, const fit_key *fit,
                                  exoplace_error *err)
{
    s->tier = v;
    size_t n = s->n;
    int ok = 1;
    v->metric = cells_alloc(&ok, n, sizeof *v->metric);
    v->by_metric = cells_alloc(&ok, n, sizeof *v->by_metric);
    v->position = cells_alloc(&ok, n, sizeof *v->position);
    v->top_prefix = cells_alloc(&ok, n + 1, sizeof *v->top_prefix);
    v->memo = cells_alloc(&ok, n + 1, sizeof *v->memo);
    if (fit)
        v->usable = cells_alloc(&ok, n, sizeof *v->usable);
    uint32_t *tmp = cells_alloc(&ok, n, sizeof *tmp);
    if (ok) {
        view_fill_metric(s, v, tier, fit);
        exoplace__sort(v->by_metric, tmp, v->n_by_metric, metric_before, s);
        v->top_prefix[0] = 0;
        for (size_t k = 0; k < v->n_by_metric; k++) {
            v->top_prefix[k + 1] = v->top_prefix[k] + v->metric[v->by_metric[k]];
            v->position[v->by_metric[k]] = (uint32_t)k;
        }
        /* Pass 1 walks successors in metric order: good cycles come early. */
        ok = successors_build(s, v->by_metric, v->n_by_metric, &v->succ_start, &v->succ);
    }
    free(tmp);
    if (!ok) {
        view_free(s, v);
        return exoplace__fail_no_memory(err);
    }
    v->ready = 1;
    return EXOPLACE_OK;
}

exoplace_status exoplace__search_use_tier(exoplace__search *s, exoplace_memory_tier tier, exoplace_error *err)
{
    tier_view *v = &s->tiers[tier];
    s->tier = v;
    return v->ready ? EXOPLACE_OK : view_build(s, v, tier, NULL, err);
}

exoplace_status exoplace__search_use_fit(exoplace__search *s, exoplace_memory_tier tier, exoplace__u128 layer_cost,
                                         uint64_t reserve, uint32_t n_layers, exoplace_error *err)
{
    tier_view *v = &s->fit_tiers[tier];
    fit_key *key = &s->fit_keys[tier];
    s->tier = v;
    if (v->ready && key->layer_cost == layer_cost && key->reserve == reserve && key->n_layers == n_layers)
        return EXOPLACE_OK;
    view_free(s, v);
    key->layer_cost = layer_cost;
    key->reserve = reserve;
    key->n_layers = n_layers;
    return view_build(s, v, tier, key, err);
}

int exoplace__search_length_may_fit(const exoplace__search *s, size_t length, uint64_t required)
{
    return length <= s->tier->n_by_metric && s->tier->top_prefix[length] >= required;
}

/* How a step of a length search ends. */
typedef enum search_outcome {
    SEARCH_CONTINUE,   /* nothing stops the search: it goes on (or a pass ends) */
    SEARCH_FOUND,      /* the canonical pass found its cycle: the search is done */
    SEARCH_WORK_BOUND, /* the work bound is exceeded */
    SEARCH_NO_MEMORY
} search_outcome;

/* ---- distances back to the start ------------------------------------------ */

/* Reverse BFS from `start` through placeable nodes of greater rank. Fills
 * s->dist (or a cached row) and the start's girth. */
/* A row cut short by the work bound must not stay cached: a later search of
 * the same context would read it as complete. */
static search_outcome distances_abandon(exoplace__search *s, uint32_t start)
{
    if (s->dist_rows) {
        free(s->dist_rows[start]);
        s->dist_rows[start] = NULL;
        s->dist = NULL;
    }
    return SEARCH_WORK_BOUND;
}

static search_outcome distances_to(exoplace__search *s, uint32_t start)
{
    uint32_t *dist;
    if (s->dist_rows) {
        if (s->dist_rows[start]) {
            s->dist = s->dist_rows[start];
            return SEARCH_CONTINUE;
        }
        dist = malloc((s->n ? s->n : 1) * sizeof *dist);
        if (!dist)
            return SEARCH_NO_MEMORY;
        s->dist_rows[start] = dist;
    } else {
        dist = s->dist;
    }
    s->dist = dist;
    uint32_t start_rank = s->rank[start];
    if (!exoplace__search_spend(s, s->n))
        return distances_abandon(s, start);
    for (size_t i = 0; i < s->n; i++)
        dist[i] = DIST_UNREACHED;
    dist[start] = 0;
    size_t head = 0, tail = 0;
    s->bfs_queue[tail++] = start;
    /* Once every placeable node of greater rank is labelled, nothing changes. */
    size_t unlabelled = s->placeable_after[start_rank];
    while (head < tail && unlabelled > 0) {
        uint32_t v = s->bfs_queue[head++];
        size_t from = s->pred_start[v], to = s->pred_start[v + 1];
        if (!exoplace__search_spend(s, to - from + 1))
            return distances_abandon(s, start);
        for (size_t p = from; p < to; p++) {
            uint32_t u = s->pred[p];
            if (dist[u] == DIST_UNREACHED && s->rank[u] > start_rank) {
                dist[u] = dist[v] + 1;
                s->bfs_queue[tail++] = u;
                unlabelled--;
            }
        }
    }
    /* The shortest cycle through start closes from its nearest predecessor. */
    uint32_t girth = DIST_UNREACHED;
    for (size_t p = s->pred_start[start]; p < s->pred_start[start + 1]; p++) {
        uint32_t u = s->pred[p];
        if (dist[u] != DIST_UNREACHED && dist[u] + 1 < girth)
            girth = dist[u] + 1;
    }
    s->girth[start] = girth;
    s->reach[start] = (uint32_t)(tail - 1);
    return SEARCH_CONTINUE;
}

/* ---- the depth-first search ------------------------------------------------ */

static int key_compare(const search_key *a, const search_key *b)
{
    if (a->thunderbolt != b->thunderbolt)
        return a->thunderbolt ? 1 : -1;
    if (a->leaf != b->leaf)
        return a->leaf ? 1 : -1;
    if (a->sum != b->sum)
        return a->sum > b->sum ? 1 : -1;
    return 0;
}

/* Whether adding `node` keeps the path free of pairs without thunderbolt. */
static int keeps_thunderbolt(exoplace__search *s, size_t depth, uint32_t node)
{
    if (!s->any_thunderbolt_pair)
        return 0;
    if (!s->has_plain_pair[node])
        return 1;
    for (size_t i = 0; i < depth; i++) {
        uint32_t u = s->path[i];
        if (!s->has_plain_pair[u])
            continue;
        if (exoplace__topology_pair_is_plain(s->topology, u, node) ||
            exoplace__topology_pair_is_plain(s->topology, node, u))
            return 0;
    }
    return 1;
}

/* The allowed nodes off the path, as a Fenwick tree over their positions in
 * `allowed` (metric descending): the k largest off-path metrics are a prefix
 * query, so a level bound costs O(log n) instead of a scan of the allowed list. */
static void off_path_build(exoplace__search *s)
{
    const exoplace__u128 *metric = s->tier->metric;
    size_t m = s->n_allowed;
    for (size_t i = 1; i <= m; i++) {
        s->off_count[i] = 1;
        s->off_sum[i] = metric[s->allowed[i - 1]];
    }
    for (size_t i = 1; i <= m; i++) {
        size_t j = i + (i & (~i + 1));
        if (j <= m) {
            s->off_count[j] += s->off_count[i];
            s->off_sum[j] += s->off_sum[i];
        }
    }
    s->off_top = 0;
    if (m) {
        s->off_top = 1;
        while (s->off_top <= m / 2)
            s->off_top *= 2;
    }
}

/* An allowed node leaves (on_path = 1) or rejoins (on_path = 0) the off-path set. */
static void off_path_set(exoplace__search *s, uint32_t node, int on_path)
{
    if (!s->off_ready)
        return;
    exoplace__u128 metric = s->tier->metric[node];
    for (size_t i = (size_t)s->allowed_index[node] + 1; i <= s->n_allowed; i += i & (~i + 1)) {
        if (on_path) {
            s->off_count[i]--;
            s->off_sum[i] -= metric;
        } else {
            s->off_count[i]++;
            s->off_sum[i] += metric;
        }
    }
}

/* Fills the level bound of the path's node at `depth`: the (remaining + 1)-th
 * largest off-path metric by Fenwick descent, and the sum of those before it. */
static void level_fill(exoplace__search *s, level_bound *level, size_t depth, size_t remaining)
{
    if (!s->off_ready) {
        off_path_build(s);
        s->off_ready = 1;
        for (size_t i = 1; i <= depth; i++) /* path[0], the start, is not an allowed node */
            off_path_set(s, s->path[i], 1);
    }
    size_t pos = 0, need = remaining + 1;
    exoplace__u128 sum = 0;
    for (size_t step = s->off_top; step; step >>= 1) {
        size_t next = pos + step;
        if (next <= s->n_allowed && s->off_count[next] < need) {
            pos = next;
            need -= s->off_count[next];
            sum += s->off_sum[next];
        }
    }
    /* allowed[pos] is the (remaining + 1)-th off-path node, if there is one. */
    level->enough = pos < s->n_allowed;
    if (level->enough) {
        uint32_t v = s->allowed[pos];
        level->top = sum;
        level->top_one_more = sum + s->tier->metric[v];
        level->last_position = s->tier->position[v];
    }
    level->ready = 1;
}

/* Exact best completion of the path plus `child`: the child and the
 * `remaining` largest allowed metrics off the path other than the child. */
static exoplace__u128 exact_bound(const exoplace__search *s, const level_bound *level, exoplace__u128 path_sum,
                                  uint32_t child)
{
    if (s->tier->position[child] <= level->last_position)
        return path_sum + level->top_one_more; /* the child is one of the largest */
    return path_sum + s->tier->metric[child] + level->top;
}

static int scratch_reserve(exoplace__search *s, size_t length)
{
    if (length <= s->scratch_length)
        return 1;
    scratch_free(s);
    s->scratch_length = 0;
    int ok = 1;
    s->path = cells_alloc(&ok, length, sizeof *s->path);
    s->next_child = cells_alloc(&ok, length, sizeof *s->next_child);
    s->path_sum = cells_alloc(&ok, length, sizeof *s->path_sum);
    s->path_tb = cells_alloc(&ok, length, sizeof *s->path_tb);
    s->path_leaf = cells_alloc(&ok, length, sizeof *s->path_leaf);
    s->levels = cells_alloc(&ok, length, sizeof *s->levels);
    s->best = cells_alloc(&ok, length, sizeof *s->best);
    if (ok)
        s->scratch_length = length;
    return ok;
}

typedef struct length_search {
    size_t length;
    exoplace__u128 required;
    int found;
    search_key best_key;
    int any_allowed_leaf;
    /* Pass 1 looks for a strictly better key; pass 2 (canonical) walks in
     * rank order and takes the first cycle that reaches best_key. */
    int canonical_pass;
    /* Keys compare by sum alone (the greatest cycle of an explanation),
     * not thunderbolt and leaf first. */
    int sum_only;
    /* The pass's successor lists: metric order in pass 1, rank order in pass 2. */
    const size_t *succ_start;
    const uint32_t *succ;
    uint32_t start_rank; /* the rank of the current start, path[0] */
} length_search;

/* Whether a path whose best completion has `bound` is still worth extending. */
static inline int worth_extending(const length_search *ls, const search_key *bound)
{
    if (!ls->found)
        return 1;
    int c = ls->sum_only ? (bound->sum > ls->best_key.sum) - (bound->sum < ls->best_key.sum)
                         : key_compare(bound, &ls->best_key);
    return ls->canonical_pass ? c >= 0 : c > 0;
}

/* Takes the path, a cycle of `key`, as the best so far. */
static void best_take(exoplace__search *s, length_search *ls, const search_key *key)
{
    memcpy(s->best, s->path, ls->length * sizeof *s->best);
    ls->best_key = *key;
    ls->found = 1;
}

/* ---- the path ------------------------------------------------------------- */

/* Makes `start` the path's only node. */
static void path_start(exoplace__search *s, length_search *ls, uint32_t start)
{
    s->path[0] = start;
    s->on_path[start] = 1;
    s->path_sum[0] = s->tier->metric[start];
    s->path_tb[0] = 1;
    s->path_leaf[0] = s->is_leaf[start];
    s->next_child[0] = ls->succ_start[start];
    s->levels[0].ready = 0;
    ls->start_rank = s->rank[start];
}

/* Extends the path, `depth` deep, by `child`; returns the new depth. */
static inline size_t path_push(exoplace__search *s, const length_search *ls, size_t depth, uint32_t child,
                        int thunderbolt)
{
    depth++;
    s->path[depth] = child;
    s->on_path[child] = 1;
    off_path_set(s, child, 1);
    s->path_sum[depth] = s->path_sum[depth - 1] + s->tier->metric[child];
    s->path_tb[depth] = (uint8_t)thunderbolt;
    s->path_leaf[depth] = (uint8_t)(s->path_leaf[depth - 1] || s->is_leaf[child]);
    s->next_child[depth] = ls->succ_start[child];
    s->levels[depth].ready = 0;
    return depth;
}

/* Takes the last node (not the start) off the path; returns the new depth. */
static inline size_t path_pop(exoplace__search *s, size_t depth)
{
    uint32_t node = s->path[depth];
    s->on_path[node] = 0;
    off_path_set(s, node, 0);
    return depth - 1;
}

/* A full path is a cycle when its last node leads back to the start: takes
 * it when it reaches the requirement and is worth it. Whether it was taken. */
static inline int cycle_offer(exoplace__search *s, length_search *ls, size_t depth)
{
    if (s->dist[s->path[depth]] != 1 || s->path_sum[depth] < ls->required)
        return 0;
    search_key key = {s->path_tb[depth], s->path_leaf[depth], s->path_sum[depth]};
    if (!worth_extending(ls, &key))
        return 0;
    best_take(s, ls, &key);
    return 1;
}

/* ---- one successor -------------------------------------------------------- */

/* What the search does with one successor of the path's last node. */
typedef enum child_verdict {
    CHILD_SKIP,      /* on no cycle worth finding: try the next successor */
    CHILD_EXTEND,    /* extend the path by it */
    CHILD_LAST,      /* neither it nor a later successor completes a cycle worth finding */
    CHILD_WORK_BOUND /* the work bound is exceeded */
} child_verdict;

/* Until a cycle is found only the requirement matters: when even the worst
 * completion reaches it (the path and the child took the largest allowed
 * metrics), the exact bound is not needed. */
static inline int exact_bound_needed(const exoplace__search *s, const length_search *ls, size_t depth, size_t remaining,
                              exoplace__u128 base)
{
    size_t taken = depth + 1;
    return ls->found || taken + remaining > s->n_allowed ||
           base + (s->allowed_prefix[taken + remaining] - s->allowed_prefix[taken]) < ls->required;
}

/* The exact bound of the path plus `child` in *exact: CHILD_EXTEND when it
 * reaches the requirement. The level bound is filled on first use. */
static inline child_verdict child_exact_bound(exoplace__search *s, const length_search *ls, size_t depth,
                                       size_t remaining, uint32_t child, exoplace__u128 *exact)
{
    level_bound *level = &s->levels[depth];
    if (!level->ready) {
        if (!exoplace__search_spend(s, 1))
            return CHILD_WORK_BOUND;
        level_fill(s, level, depth, remaining);
    }
    if (!level->enough)
        return CHILD_LAST; /* too few nodes left to complete any cycle */
    *exact = exact_bound(s, level, s->path_sum[depth], child);
    return *exact < ls->required ? CHILD_SKIP : CHILD_EXTEND;
}

/* Judges `child` of the path's node at `depth`: the cheap checks, the O(1)
 * bound (which ignores exclusions), then only if needed the exact bound. On
 * CHILD_EXTEND, *thunderbolt says whether the longer path is still free of
 * pairs without thunderbolt. */
static inline child_verdict child_judge(exoplace__search *s, const length_search *ls, size_t depth, uint32_t child,
                                 int *thunderbolt)
{
    const tier_view *v = s->tier;
    size_t remaining = ls->length - depth - 2; /* nodes still to add after the child */
    if (s->rank[child] <= ls->start_rank || s->on_path[child] || s->dist[child] > remaining + 1 ||
        (v->usable && !v->usable[child]))
        return CHILD_SKIP;
    exoplace__u128 base = s->path_sum[depth] + v->metric[child];
    exoplace__u128 loose = base + s->allowed_prefix[remaining < s->n_allowed ? remaining : s->n_allowed];
    if (loose < ls->required) /* pass 1: children come in decreasing metric, none later can reach it */
        return ls->canonical_pass ? CHILD_SKIP : CHILD_LAST;
    search_key bound = {s->path_tb[depth], s->path_leaf[depth] || ls->any_allowed_leaf, loose};
    if (!worth_extending(ls, &bound))
        return CHILD_SKIP;
    exoplace__u128 exact = loose;
    if (exact_bound_needed(s, ls, depth, remaining, base)) {
        child_verdict verdict = child_exact_bound(s, ls, depth, remaining, child, &exact);
        if (verdict != CHILD_EXTEND)
            return verdict;
    }
    bound.thunderbolt = bound.thunderbolt && keeps_thunderbolt(s, depth + 1, child);
    bound.leaf = s->path_leaf[depth] || s->is_leaf[child] || (remaining > 0 && ls->any_allowed_leaf);
    bound.sum = exact;
    if (!worth_extending(ls, &bound))
        return CHILD_SKIP;
    *thunderbolt = bound.thunderbolt;
    return CHILD_EXTEND;
}

/* The next successor of the path's node at `depth` to extend the path by,
 * in *child_out (CHILD_EXTEND); CHILD_LAST when none is left. */
static inline child_verdict next_child(exoplace__search *s, const length_search *ls, size_t depth, uint32_t *child_out,
                                int *thunderbolt)
{
    uint32_t node = s->path[depth];
    while (s->next_child[depth] < ls->succ_start[node + 1]) {
        uint32_t child = ls->succ[s->next_child[depth]++];
        if (!exoplace__search_spend(s, 1))
            return CHILD_WORK_BOUND;
        child_verdict verdict = child_judge(s, ls, depth, child, thunderbolt);
        if (verdict != CHILD_SKIP) {
            *child_out = child;
            return verdict;
        }
    }
    return CHILD_LAST;
}

/* ---- the passes ----------------------------------------------------------- */

/* Searches the cycles whose smallest node is `start`, depth first: extend
 * the path by the next successor worth it, take a full path's cycle, or
 * step back. SEARCH_FOUND when the canonical pass finds its cycle. */
static search_outcome search_from(exoplace__search *s, length_search *ls, uint32_t start)
{
    path_start(s, ls, start);
    size_t depth = 0;
    search_outcome outcome = SEARCH_CONTINUE;
    for (;;) {
        if (depth + 1 == ls->length) {
            if (cycle_offer(s, ls, depth) && ls->canonical_pass) {
                outcome = SEARCH_FOUND;
                break;
            }
            depth = path_pop(s, depth);
            continue;
        }
        uint32_t child = 0;
        int thunderbolt = 0;
        child_verdict verdict = next_child(s, ls, depth, &child, &thunderbolt);
        if (verdict == CHILD_EXTEND) {
            depth = path_push(s, ls, depth, child, thunderbolt);
        } else if (verdict == CHILD_WORK_BOUND) {
            outcome = SEARCH_WORK_BOUND;
            break;
        } else if (depth == 0) {
            break; /* every successor of the start is tried */
        } else {
            depth = path_pop(s, depth);
        }
    }
    for (size_t i = 0; i <= depth; i++)
        s->on_path[s->path[i]] = 0;
    return outcome;
}

/* A cycle of one node: `start` alone. */
static search_outcome search_single(exoplace__search *s, length_search *ls, uint32_t start)
{
    exoplace__u128 metric = s->tier->metric[start];
    s->path[0] = start;
    search_key key = {1, s->is_leaf[start], metric};
    if (metric < ls->required || !worth_extending(ls, &key))
        return SEARCH_CONTINUE;
    best_take(s, ls, &key);
    return ls->canonical_pass ? SEARCH_FOUND : SEARCH_CONTINUE;
}

/* The allowed nodes of the start of rank r, metric descending: the nodes of
 * the view of greater rank that lead back to it. */
static void allowed_collect(exoplace__search *s, length_search *ls, size_t r)
{
    const tier_view *v = s->tier;
    s->n_allowed = 0;
    ls->any_allowed_leaf = 0;
    s->allowed_prefix[0] = 0;
    for (size_t k = 0; k < v->n_by_metric; k++) {
        uint32_t node = v->by_metric[k];
        if (s->rank[node] <= r || s->dist[node] == DIST_UNREACHED)
            continue;
        s->allowed[s->n_allowed] = node;
        s->allowed_index[node] = (uint32_t)s->n_allowed;
        s->allowed_prefix[s->n_allowed + 1] = s->allowed_prefix[s->n_allowed] + v->metric[node];
        s->n_allowed++;
        ls->any_allowed_leaf |= s->is_leaf[node];
    }
}

/* The cycles of two or more nodes whose smallest node has rank r, unless a
 * bound rules the start out first (the cheapest bounds first). */
static search_outcome search_start(exoplace__search *s, length_search *ls, size_t r)
{
    const tier_view *v = s->tier;
    uint32_t start = s->by_rank[r];
    size_t length = ls->length;
    /* Known from an earlier length: too short a girth or too few nodes. */
    if (s->girth[start] != 0 && (s->girth[start] > length || s->reach[start] < length - 1))
        return SEARCH_CONTINUE;
    /* Loose bound from the global largest metrics before any per-start work. */
    search_key bound = {s->any_thunderbolt_pair, 1, v->metric[start] + v->top_prefix[length - 1]};
    if (bound.sum < ls->required || !worth_extending(ls, &bound))
        return SEARCH_CONTINUE;
    search_outcome outcome = distances_to(s, start);
    if (outcome != SEARCH_CONTINUE)
        return outcome;
    if (s->girth[start] > length || s->reach[start] < length - 1)
        return SEARCH_CONTINUE;
    if (!exoplace__search_spend(s, v->n_by_metric))
        return SEARCH_WORK_BOUND;
    allowed_collect(s, ls, r);
    if (s->n_allowed < length - 1)
        return SEARCH_CONTINUE;
    bound.leaf = s->is_leaf[start] || ls->any_allowed_leaf;
    bound.sum = v->metric[start] + s->allowed_prefix[length - 1];
    if (bound.sum < ls->required || !worth_extending(ls, &bound))
        return SEARCH_CONTINUE;
    s->off_ready = 0;
    return search_from(s, ls, start);
}

/* One pass over every start in rank order: SEARCH_CONTINUE once every start
 * is done, SEARCH_FOUND when the canonical pass found its cycle. */
static search_outcome search_pass(exoplace__search *s, length_search *ls)
{
    const tier_view *v = s->tier;
    /* Pass 1 tries heavy successors first; pass 2 follows canonical order. */
    ls->succ_start = ls->canonical_pass ? s->rank_succ_start : v->succ_start;
    ls->succ = ls->canonical_pass ? s->rank_succ : v->succ;
    for (size_t r = 0; r < s->n; r++) {
        uint32_t start = s->by_rank[r];
        if (!exoplace__search_spend(s, 1))
            return SEARCH_WORK_BOUND;
        if (!s->placeable[start] || (v->usable && !v->usable[start]))
            continue;
        search_outcome outcome = ls->length == 1 ? search_single(s, ls, start) : search_start(s, ls, r);
        if (outcome != SEARCH_CONTINUE)
            return outcome;
    }
    return SEARCH_CONTINUE;
}

/* Both passes over cycles of `length` whose sum reaches `required`: the
 * best by the key (by the sum alone with sum_only), in canonical rotation. */
static exoplace_status length_run(exoplace__search *s, size_t length, exoplace__u128 required, int sum_only,
                                  uint32_t *cycle_out, int *found, exoplace_error *err)
{
    if (!scratch_reserve(s, length))
        return exoplace__fail_no_memory(err);
    length_search ls = {.length = length, .required = required, .sum_only = sum_only};
    search_outcome outcome = search_pass(s, &ls);
    if (outcome == SEARCH_CONTINUE && ls.found) {
        /* The best key is known; the canonical pass finds its first cycle. */
        ls.canonical_pass = 1;
        outcome = search_pass(s, &ls);
    }
    if (outcome == SEARCH_NO_MEMORY)
        return exoplace__fail_no_memory(err);
    if (outcome == SEARCH_WORK_BOUND)
        return exoplace__search_fail_limit(s, err);
    if (ls.found)
        memcpy(cycle_out, s->best, length * sizeof *cycle_out);
    *found = ls.found;
    return EXOPLACE_OK;
}

exoplace_status exoplace__search_best_cycle(exoplace__search *s, size_t length, uint64_t required,
                                            uint32_t *cycle_out, int *found, exoplace_error *err)
{
    const tier_view *v = s->tier;
    *found = 0;
    if (length == 0 || length > v->n_by_metric || v->top_prefix[length] < required)
        return EXOPLACE_OK;
    length_memo *memo = &v->memo[length];
    if (memo->known && memo->required == required) {
        if (memo->found)
            memcpy(cycle_out, memo->cycle, length * sizeof *cycle_out);
        *found = memo->found;
        return EXOPLACE_OK;
    }
    exoplace_status st = length_run(s, length, required, 0, cycle_out, found, err);
    if (st)
        return st;
    /* Remember the answer; without memory for it, the next call searches again. */
    if (!memo->cycle)
        memo->cycle = malloc(length * sizeof *memo->cycle);
    if (memo->cycle) {
        memcpy(memo->cycle, s->best, length * sizeof *memo->cycle);
        memo->known = 1;
        memo->required = required;
        memo->found = *found;
    }
    return EXOPLACE_OK;
}

exoplace_status exoplace__search_greatest_cycle(exoplace__search *s, size_t length, exoplace__u128 required,
                                                uint32_t *cycle_out, int *found, exoplace_error *err)
{
    const tier_view *v = s->tier;
    *found = 0;
    if (length == 0 || length > v->n_by_metric || v->top_prefix[length] < required)
        return EXOPLACE_OK;
    return length_run(s, length, required, 1, cycle_out, found, err);
}

exoplace__u128 exoplace__search_metric_total(const exoplace__search *s)
{
    return s->tier->top_prefix[s->tier->n_by_metric];
}

size_t exoplace__search_view_count(const exoplace__search *s)
{
    return s->tier->n_by_metric;
}
