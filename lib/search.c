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
 *    cycle found, canonical order deciding ties.
 * Every unit of work counts against a bound, so the search never hangs.
 */
#include "search.h"

#include "error.h"
#include "sort.h"

#include <stdlib.h>
#include <string.h>

#define DIST_UNREACHED UINT32_MAX
/* Reverse-BFS rows are cached per start node up to this many nodes (n*n*4 bytes). */
#define DIST_CACHE_MAX_NODES 2048

typedef struct tier_view {
    int ready;
    uint64_t *metric;           /* per node */
    uint32_t *by_metric;        /* placeable nodes, metric descending, rank ascending */
    size_t n_by_metric;
    exoplace__u128 *top_prefix; /* top_prefix[k] = sum of the k largest metrics */
    size_t *succ_start;         /* successors (placeable, not self) in by_metric order */
    uint32_t *succ;
} tier_view;

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
    uint8_t *is_leaf;
    uint8_t *has_plain_pair; /* node is in a pair without thunderbolt */
    size_t n_placeable;
    size_t *pred_start; /* placeable predecessors, self excluded */
    uint32_t *pred;
    uint32_t **dist_rows; /* cached reverse-BFS distances per start (small graphs) */
    uint32_t *girth;      /* shortest cycle through start within ranks >= its own; 0 = unknown */
    tier_view tiers[4];
    tier_view *tier;

    uint64_t steps;
    uint64_t max_steps;

    /* scratch for one length search */
    uint32_t *dist;       /* current start's distances (owned unless cached) */
    uint32_t *bfs_queue;
    uint32_t *allowed;    /* allowed nodes of the current start, metric descending */
    exoplace__u128 *allowed_prefix;
    size_t n_allowed;
    uint8_t *on_path;
    uint32_t *path;
    size_t *next_child;
    exoplace__u128 *path_sum;
    uint8_t *path_tb;
    uint8_t *path_leaf;
    int8_t *path_order; /* prefix vs best: -1 smaller, 0 equal, 1 greater */
    uint32_t *best;
    size_t scratch_length;
};

static int id_before(const void *ctx, uint32_t a, uint32_t b)
{
    const exoplace_topology *t = ctx;
    return strcmp(t->nodes[a].id, t->nodes[b].id) < 0;
}

void exoplace__search_free(exoplace__search *s)
{
    if (!s)
        return;
    for (int i = 0; i < 4; i++) {
        free(s->tiers[i].metric);
        free(s->tiers[i].by_metric);
        free(s->tiers[i].top_prefix);
        free(s->tiers[i].succ_start);
        free(s->tiers[i].succ);
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
    free(s->is_leaf);
    free(s->has_plain_pair);
    free(s->pred_start);
    free(s->pred);
    free(s->girth);
    free(s->bfs_queue);
    free(s->allowed);
    free(s->allowed_prefix);
    free(s->on_path);
    free(s->path);
    free(s->next_child);
    free(s->path_sum);
    free(s->path_tb);
    free(s->path_leaf);
    free(s->path_order);
    free(s->best);
    free(s);
}

exoplace_status exoplace__search_new(exoplace__search **out, const exoplace_topology *t, exoplace_error *err)
{
    exoplace__search *s = calloc(1, sizeof *s);
    if (!s)
        return exoplace__fail_no_memory(err);
    size_t n = t->n_nodes;
    s->topology = t;
    s->n = n;
    s->max_steps = EXOPLACE_DEFAULT_MAX_SEARCH_STEPS;
    size_t cells = n ? n : 1;
    s->rank = malloc(cells * sizeof *s->rank);
    s->by_rank = malloc(cells * sizeof *s->by_rank);
    s->placeable = calloc(cells, 1);
    s->is_leaf = calloc(cells, 1);
    s->has_plain_pair = calloc(cells, 1);
    s->pred_start = calloc(n + 1, sizeof *s->pred_start);
    s->girth = calloc(cells, sizeof *s->girth);
    s->bfs_queue = malloc(cells * sizeof *s->bfs_queue);
    s->allowed = malloc(cells * sizeof *s->allowed);
    s->allowed_prefix = malloc((n + 1) * sizeof *s->allowed_prefix);
    s->on_path = calloc(cells, 1);
    if (n <= DIST_CACHE_MAX_NODES)
        s->dist_rows = calloc(cells, sizeof *s->dist_rows);
    else
        s->dist = malloc(cells * sizeof *s->dist);
    uint32_t *tmp = malloc(cells * sizeof *tmp);
    if (!s->rank || !s->by_rank || !s->placeable || !s->is_leaf || !s->has_plain_pair || !s->pred_start ||
        !s->girth || !s->bfs_queue || !s->allowed || !s->allowed_prefix || !s->on_path ||
        (!s->dist_rows && !s->dist) || !tmp) {
        free(tmp);
        exoplace__search_free(s);
        return exoplace__fail_no_memory(err);
    }

    for (size_t i = 0; i < n; i++) {
        s->by_rank[i] = (uint32_t)i;
        s->placeable[i] = (uint8_t)t->nodes[i].has_profile;
        s->n_placeable += s->placeable[i];
        s->is_leaf[i] = t->nodes[i].n_successors == 1;
    }
    exoplace__sort(s->by_rank, tmp, n, id_before, t);
    free(tmp);
    for (size_t r = 0; r < n; r++)
        s->rank[s->by_rank[r]] = (uint32_t)r;

    for (size_t p = 0; p < t->n_pairs; p++) {
        const exoplace__pair *pair = &t->pairs[p];
        if (!pair->has_thunderbolt)
            s->has_plain_pair[pair->from] = s->has_plain_pair[pair->to] = 1;
        if (s->placeable[pair->from])
            s->pred_start[pair->to + 1]++;
    }
    for (size_t i = 0; i < n; i++)
        s->pred_start[i + 1] += s->pred_start[i];
    s->pred = malloc((s->pred_start[n] ? s->pred_start[n] : 1) * sizeof *s->pred);
    size_t *fill = malloc(cells * sizeof *fill);
    if (!s->pred || !fill) {
        free(fill);
        exoplace__search_free(s);
        return exoplace__fail_no_memory(err);
    }
    memcpy(fill, s->pred_start, n * sizeof *fill);
    for (size_t p = 0; p < t->n_pairs; p++) {
        const exoplace__pair *pair = &t->pairs[p];
        if (s->placeable[pair->from])
            s->pred[fill[pair->to]++] = pair->from;
    }
    free(fill);
    *out = s;
    return EXOPLACE_OK;
}

void exoplace__search_reset_work(exoplace__search *s, uint64_t max_steps)
{
    s->steps = 0;
    s->max_steps = max_steps ? max_steps : EXOPLACE_DEFAULT_MAX_SEARCH_STEPS;
}

/* Counts work; 0 when the bound is exceeded. */
static int spend(exoplace__search *s, uint64_t units)
{
    s->steps += units;
    return s->steps <= s->max_steps;
}

size_t exoplace__search_placeable_count(const exoplace__search *s)
{
    return s->n_placeable;
}

uint64_t exoplace__search_metric(const exoplace__search *s, uint32_t node)
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
    const uint64_t *metric = s->tier->metric;
    if (metric[a] != metric[b])
        return metric[a] > metric[b];
    return s->rank[a] < s->rank[b];
}

exoplace_status exoplace__search_use_tier(exoplace__search *s, exoplace_memory_tier tier, exoplace_error *err)
{
    tier_view *v = &s->tiers[tier];
    s->tier = v;
    if (v->ready)
        return EXOPLACE_OK;
    const exoplace_topology *t = s->topology;
    size_t n = s->n, cells = n ? n : 1;
    v->metric = malloc(cells * sizeof *v->metric);
    v->by_metric = malloc(cells * sizeof *v->by_metric);
    v->top_prefix = malloc((n + 1) * sizeof *v->top_prefix);
    v->succ_start = calloc(n + 1, sizeof *v->succ_start);
    uint32_t *tmp = malloc(cells * sizeof *tmp);
    size_t *fill = malloc(cells * sizeof *fill);
    if (!v->metric || !v->by_metric || !v->top_prefix || !v->succ_start || !tmp || !fill) {
        free(tmp);
        free(fill);
        return exoplace__fail_no_memory(err);
    }
    v->n_by_metric = 0;
    for (size_t i = 0; i < n; i++) {
        v->metric[i] = exoplace__node_metric(&t->nodes[i], tier);
        if (s->placeable[i])
            v->by_metric[v->n_by_metric++] = (uint32_t)i;
    }
    exoplace__sort(v->by_metric, tmp, v->n_by_metric, metric_before, s);
    free(tmp);
    v->top_prefix[0] = 0;
    for (size_t k = 0; k < v->n_by_metric; k++)
        v->top_prefix[k + 1] = v->top_prefix[k] + v->metric[v->by_metric[k]];

    /* Successor lists in metric order without sorting each: walk the targets
     * in metric order and append each to its predecessors' lists. */
    for (size_t k = 0; k < v->n_by_metric; k++) {
        uint32_t to = v->by_metric[k];
        for (size_t p = s->pred_start[to]; p < s->pred_start[to + 1]; p++)
            v->succ_start[s->pred[p] + 1]++;
    }
    for (size_t i = 0; i < n; i++)
        v->succ_start[i + 1] += v->succ_start[i];
    v->succ = malloc((v->succ_start[n] ? v->succ_start[n] : 1) * sizeof *v->succ);
    if (!v->succ) {
        free(fill);
        return exoplace__fail_no_memory(err);
    }
    memcpy(fill, v->succ_start, n * sizeof *fill);
    for (size_t k = 0; k < v->n_by_metric; k++) {
        uint32_t to = v->by_metric[k];
        for (size_t p = s->pred_start[to]; p < s->pred_start[to + 1]; p++)
            v->succ[fill[s->pred[p]]++] = to;
    }
    free(fill);
    v->ready = 1;
    return EXOPLACE_OK;
}

int exoplace__search_length_may_fit(const exoplace__search *s, size_t length, uint64_t required)
{
    return length <= s->tier->n_by_metric && s->tier->top_prefix[length] >= required;
}

/* ---- distances back to the start ------------------------------------------ */

/* Reverse BFS from `start` through placeable nodes of greater rank. Fills
 * s->dist (or a cached row) and the start's girth. 0 on work bound. */
static int distances_to(exoplace__search *s, uint32_t start)
{
    uint32_t *dist;
    if (s->dist_rows) {
        if (s->dist_rows[start]) {
            s->dist = s->dist_rows[start];
            return 1;
        }
        dist = malloc((s->n ? s->n : 1) * sizeof *dist);
        if (!dist)
            return -1;
        s->dist_rows[start] = dist;
    } else {
        dist = s->dist;
    }
    s->dist = dist;
    uint32_t start_rank = s->rank[start];
    if (!spend(s, s->n))
        return 0;
    for (size_t i = 0; i < s->n; i++)
        dist[i] = DIST_UNREACHED;
    dist[start] = 0;
    size_t head = 0, tail = 0;
    s->bfs_queue[tail++] = start;
    while (head < tail) {
        uint32_t v = s->bfs_queue[head++];
        size_t from = s->pred_start[v], to = s->pred_start[v + 1];
        if (!spend(s, to - from + 1))
            return 0;
        for (size_t p = from; p < to; p++) {
            uint32_t u = s->pred[p];
            if (dist[u] == DIST_UNREACHED && s->rank[u] > start_rank) {
                dist[u] = dist[v] + 1;
                s->bfs_queue[tail++] = u;
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
    return 1;
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

/* Sum of the `k` largest allowed metrics not on the path and not `skip`. */
static exoplace__u128 top_allowed(exoplace__search *s, size_t k, uint32_t skip)
{
    exoplace__u128 sum = 0;
    const uint64_t *metric = s->tier->metric;
    for (size_t i = 0; i < s->n_allowed && k > 0; i++) {
        uint32_t v = s->allowed[i];
        if (v == skip || s->on_path[v])
            continue;
        sum += metric[v];
        k--;
    }
    return sum;
}

static int scratch_reserve(exoplace__search *s, size_t length)
{
    if (length <= s->scratch_length)
        return 1;
    free(s->path);
    free(s->next_child);
    free(s->path_sum);
    free(s->path_tb);
    free(s->path_leaf);
    free(s->path_order);
    free(s->best);
    s->path = malloc(length * sizeof *s->path);
    s->next_child = malloc(length * sizeof *s->next_child);
    s->path_sum = malloc(length * sizeof *s->path_sum);
    s->path_tb = malloc(length);
    s->path_leaf = malloc(length);
    s->path_order = malloc(length);
    s->best = malloc(length * sizeof *s->best);
    s->scratch_length = 0;
    if (!s->path || !s->next_child || !s->path_sum || !s->path_tb || !s->path_leaf || !s->path_order ||
        !s->best)
        return 0;
    s->scratch_length = length;
    return 1;
}

typedef struct length_search {
    size_t length;
    exoplace__u128 required;
    int found;
    search_key best_key;
    int any_allowed_leaf;
} length_search;

/* Order of the path prefix ending in `node` at `depth` against the best cycle. */
static int8_t prefix_order(const exoplace__search *s, const length_search *ls, size_t depth, uint32_t node)
{
    if (!ls->found)
        return -1;
    int8_t parent = depth == 0 ? 0 : s->path_order[depth - 1];
    if (parent != 0)
        return parent;
    uint32_t a = s->rank[node], b = s->rank[s->best[depth]];
    return a < b ? -1 : a > b ? 1 : 0;
}

/* Whether a path whose best completion has `bound` and prefix order `order`
 * can still beat the best cycle. */
static int can_beat(const length_search *ls, const search_key *bound, int8_t order)
{
    if (!ls->found)
        return 1;
    int c = key_compare(bound, &ls->best_key);
    return c > 0 || (c == 0 && order < 0);
}

static void record_best(exoplace__search *s, length_search *ls, const search_key *key)
{
    memcpy(s->best, s->path, ls->length * sizeof *s->best);
    ls->best_key = *key;
    ls->found = 1;
    /* The path is now the best: every prefix on the stack equals it. */
    memset(s->path_order, 0, ls->length);
}

/* Searches every cycle whose smallest node is `start`. 0 on work bound. */
static int search_from(exoplace__search *s, length_search *ls, uint32_t start)
{
    const tier_view *v = s->tier;
    const uint64_t *metric = v->metric;
    size_t L = ls->length;
    uint32_t start_rank = s->rank[start];

    s->path[0] = start;
    s->on_path[start] = 1;
    s->path_sum[0] = metric[start];
    s->path_tb[0] = 1;
    s->path_leaf[0] = s->is_leaf[start];
    s->path_order[0] = prefix_order(s, ls, 0, start);
    s->next_child[0] = v->succ_start[start];
    size_t depth = 0;
    int ok = 1;

    while (ok) {
        uint32_t node = s->path[depth];
        if (depth + 1 == L) {
            /* A full path: a cycle when its last node leads back to start. */
            if (s->dist[node] == 1 && s->path_sum[depth] >= ls->required) {
                search_key key = {s->path_tb[depth], s->path_leaf[depth], s->path_sum[depth]};
                int c = ls->found ? key_compare(&key, &ls->best_key) : 1;
                if (c > 0 || (c == 0 && s->path_order[depth] < 0))
                    record_best(s, ls, &key);
            }
            s->on_path[node] = 0;
            if (depth == 0)
                break;
            depth--;
            continue;
        }

        size_t remaining = L - depth - 2; /* nodes still to add after the child */
        int descended = 0;
        while (s->next_child[depth] < v->succ_start[node + 1]) {
            uint32_t child = v->succ[s->next_child[depth]++];
            if (!spend(s, 1)) {
                ok = 0;
                break;
            }
            if (s->rank[child] <= start_rank || s->on_path[child])
                continue;
            if (s->dist[child] > remaining + 1)
                continue;
            exoplace__u128 base = s->path_sum[depth] + metric[child];
            /* O(1) bound first (ignores exclusions), exact bound only if needed. */
            exoplace__u128 loose = base + s->allowed_prefix[remaining < s->n_allowed ? remaining : s->n_allowed];
            if (loose < ls->required)
                break; /* children come in decreasing metric: none later can reach it */
            int tb_max = s->path_tb[depth];
            int leaf_max = s->path_leaf[depth] || ls->any_allowed_leaf;
            int8_t order = prefix_order(s, ls, depth + 1, child);
            search_key bound = {tb_max, leaf_max, loose};
            if (!can_beat(ls, &bound, order))
                continue;
            exoplace__u128 exact = base + top_allowed(s, remaining, child);
            if (!spend(s, remaining + depth)) {
                ok = 0;
                break;
            }
            if (exact < ls->required)
                continue;
            int tb = tb_max && keeps_thunderbolt(s, depth + 1, child);
            int leaf = s->path_leaf[depth] || s->is_leaf[child] || (remaining > 0 && ls->any_allowed_leaf);
            bound = (search_key){tb, leaf, exact};
            if (!can_beat(ls, &bound, order))
                continue;
            depth++;
            s->path[depth] = child;
            s->on_path[child] = 1;
            s->path_sum[depth] = base;
            s->path_tb[depth] = (uint8_t)tb;
            s->path_leaf[depth] = (uint8_t)(s->path_leaf[depth - 1] || s->is_leaf[child]);
            s->path_order[depth] = order;
            s->next_child[depth] = v->succ_start[child];
            descended = 1;
            break;
        }
        if (!ok)
            break;
        if (descended)
            continue;
        s->on_path[node] = 0;
        if (depth == 0)
            break;
        depth--;
    }
    for (size_t i = 0; i <= depth && i < L; i++)
        s->on_path[s->path[i]] = 0;
    return ok;
}

exoplace_status exoplace__search_best_cycle(exoplace__search *s, size_t length, uint64_t required,
                                            uint32_t *cycle_out, int *found, exoplace_error *err)
{
    const tier_view *v = s->tier;
    *found = 0;
    if (length == 0 || length > v->n_by_metric || v->top_prefix[length] < required)
        return EXOPLACE_OK;
    if (!scratch_reserve(s, length))
        return exoplace__fail_no_memory(err);
    length_search ls = {length, required, 0, {0, 0, 0}, 0};
    const uint64_t *metric = v->metric;

    for (size_t r = 0; r < s->n; r++) {
        uint32_t start = s->by_rank[r];
        if (!spend(s, 1))
            goto limit;
        if (!s->placeable[start])
            continue;
        if (length == 1) {
            search_key key = {1, s->is_leaf[start], metric[start]};
            if (metric[start] >= required && (!ls.found || key_compare(&key, &ls.best_key) > 0)) {
                ls.best_key = key;
                ls.found = 1;
                s->best[0] = start;
            }
            continue;
        }
        if (s->girth[start] != 0 && s->girth[start] > length)
            continue;
        /* Loose bound from the global largest metrics before any per-start work. */
        exoplace__u128 loose = (exoplace__u128)metric[start] + v->top_prefix[length - 1];
        if (loose < required)
            continue;
        search_key bound = {1, 1, loose};
        if (!can_beat(&ls, &bound, 1)) /* a later start is canonically greater */
            continue;

        int got = distances_to(s, start);
        if (got < 0)
            return exoplace__fail_no_memory(err);
        if (!got)
            goto limit;
        if (s->girth[start] > length)
            continue;

        /* Allowed nodes of this start, metric descending. */
        if (!spend(s, v->n_by_metric))
            goto limit;
        s->n_allowed = 0;
        ls.any_allowed_leaf = 0;
        s->allowed_prefix[0] = 0;
        for (size_t k = 0; k < v->n_by_metric; k++) {
            uint32_t node = v->by_metric[k];
            if (s->rank[node] <= r || s->dist[node] == DIST_UNREACHED)
                continue;
            s->allowed[s->n_allowed] = node;
            s->allowed_prefix[s->n_allowed + 1] = s->allowed_prefix[s->n_allowed] + metric[node];
            s->n_allowed++;
            ls.any_allowed_leaf |= s->is_leaf[node];
        }
        if (s->n_allowed < length - 1)
            continue;
        bound.leaf = s->is_leaf[start] || ls.any_allowed_leaf;
        bound.sum = (exoplace__u128)metric[start] + s->allowed_prefix[length - 1];
        if (bound.sum < required || !can_beat(&ls, &bound, 1))
            continue;
        if (!search_from(s, &ls, start))
            goto limit;
    }
    if (ls.found) {
        memcpy(cycle_out, s->best, length * sizeof *cycle_out);
        *found = 1;
    }
    return EXOPLACE_OK;
limit:
    return exoplace__fail(err, EXOPLACE_E_SEARCH_LIMIT, "max_search_steps",
                          "the placement search exceeded its work bound of %llu steps; raise "
                          "max_search_steps or ask for fewer nodes",
                          (unsigned long long)s->max_steps);
}
