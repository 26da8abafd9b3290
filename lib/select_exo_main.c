/*
 * exo-main's selection (exo-main.md 3 to 5.11) without listing cycles.
 *
 * exo lists every simple cycle in rustworkx's Johnson order and filters the
 * list. Only cycles of the smallest feasible length reach the selection, and
 * every filter of 5.3 to 5.10 reads a cycle's length or its node set, so the
 * search walks rustworkx's own start sequence and depth-first order for one
 * length at a time and cuts a partial path when
 *  - it cannot get back to its start in the steps left (reverse BFS
 *    distances within the start's piece),
 *  - its memory plus the most the remaining nodes can add cannot reach the
 *    model, or it has no room left for a required node it lacks,
 *  - (MlxJaccl) two of its nodes are linked without an RDMA edge, or a node
 *    lacks rdma_ctl: the RDMA-cycle test only gets stricter as nodes join,
 *  - its best possible key cannot beat the best cycle found.
 * The cycles of one length are met in candidate order, so keeping the first
 * with the greatest key is exo's choice, exact ties included (5.11).
 */
#include "select_exo_main.h"

#include "error.h"
#include "sort.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "alloc.h"
#include <string.h>

#define NONE UINT32_MAX
#define UNREACHED UINT32_MAX
/* Reverse-BFS rows are kept per start while starts x nodes stays below this. */
#define DIST_CACHE_MAX_CELLS (1u << 20)
/* The score bound adds the largest fraction once per node left, so it is
 * only computed for this many nodes left (beyond, it does not cut). */
#define SCORE_BOUND_MAX_REMAINING 64
/* The exact memory bound scans the metric order for the r + 1 largest nodes
 * off the path; beyond this r the loose bound (the largest metrics of all,
 * or what the piece has left) stands. */
#define BOUND_SCAN_MAX_REMAINING 256

typedef struct tier_metrics {
    int ready;
    exoplace__u128 *metric;     /* per node; 0 without memory */
    exoplace__u128 *top_prefix; /* top_prefix[k]: the k largest metrics of nodes with memory */
    uint32_t *by_metric;        /* nodes with memory, metric descending, index ascending */
    size_t n_by_metric;
    uint32_t *position;         /* position[v] in by_metric */
    /* The distinct successors again, metric descending: where the order of
     * the cycles does not matter (existence, the best key), good cycles come
     * first and the bounds cut the rest early. */
    size_t *fast_first;
    uint32_t *fast;
} tier_metrics;

/* For the node that follows a path of p nodes, with r = length - p - 1
 * more after it: the r and r + 1 largest metrics of the allowed nodes of the
 * piece off the path, so that each candidate's exact bound is O(1). */
typedef struct level_bound {
    int exact;               /* 0: r too large to scan; the loose bound stands */
    size_t count;            /* nodes counted, at most r + 1 */
    exoplace__u128 top;      /* the first min(r, count) of them */
    exoplace__u128 top_one_more;
    uint32_t last_r;         /* by_metric position of the r-th counted */
    uint32_t last_counted;   /* and of the last counted */
} level_bound;

struct exoplace__exo_main_graph {
    const exoplace_topology *topology;
    size_t n;
    /* G' (self-edges dropped), one entry per edge, newest edge first (2.2). */
    size_t *succ_first;
    uint32_t *succ;
    size_t *pred_first;
    uint32_t *pred;
    /* Distinct successors (self excluded) by increasing index of their newest
     * edge: the depth-first order of section 3. */
    size_t *next_first;
    uint32_t *next;
    /* Their transpose: the distinct predecessors (self excluded). */
    size_t *prev_first;
    uint32_t *prev;

    /* The start sequence: start k is node start[k] with piece C_k. The
     * pieces form a tree met in preorder, so C_k holds v exactly when
     * k <= deepest[v] <= piece_end[k]. */
    int starts_state; /* 0 not computed, 1 ready, else the status that stopped it */
    size_t n_starts;
    uint32_t *start;
    uint32_t *piece_end;
    uint32_t *piece_parent;
    uint32_t *piece_size;
    uint32_t *deepest;
    uint32_t **dist_rows; /* per start when cached, else NULL */
    uint32_t *dist;       /* the current start's row when not cached */
    int dist_cached;

    tier_metrics tiers[4];
    exoplace__out_edges out_edges;
    int out_edges_ready;
    exoplace__random random;
    int random_ready;

    /* scratch for one selection */
    uint32_t gen;
    uint32_t *mark_a, *mark_b, *mark_c, *mark_h; /* generation stamps */
    uint32_t *stack;                             /* n + edges */
    uint32_t *order;                             /* n */
    uint32_t *scratch;                           /* n */
    double *fraction;                            /* per node, for fraction_model */
    const exoplace_model *fraction_model;        /* the model they were read for (NULL: none yet) */
    double max_fraction;
    uint8_t *on_path;
    uint8_t *required;
    uint8_t *rdma_both_ways; /* has an RDMA edge out and one in (from and to other nodes) */
    uint32_t *path;
    size_t *path_it;
    exoplace__u128 *path_sum;
    double *path_score;
    uint32_t *path_required;
    uint32_t *path_leaves;
    level_bound *levels;
    uint32_t *best;
};

/* ---- the graph -------------------------------------------------------------- */

static void tier_dispose(tier_metrics *tm)
{
    free(tm->metric);
    free(tm->top_prefix);
    free(tm->by_metric);
    free(tm->position);
    free(tm->fast_first);
    free(tm->fast);
    memset(tm, 0, sizeof *tm);
}

void exoplace__exo_main_graph_free(exoplace__exo_main_graph *g)
{
    if (!g)
        return;
    free(g->succ_first);
    free(g->succ);
    free(g->pred_first);
    free(g->pred);
    free(g->next_first);
    free(g->next);
    free(g->prev_first);
    free(g->prev);
    free(g->start);
    free(g->piece_end);
    free(g->piece_parent);
    free(g->piece_size);
    free(g->deepest);
    if (g->dist_rows)
        for (size_t k = 0; k < g->n_starts; k++)
            free(g->dist_rows[k]);
    free(g->dist_rows);
    free(g->dist);
    if (g->out_edges_ready)
        exoplace__out_edges_dispose(&g->out_edges);
    for (int t = 0; t < 4; t++)
        tier_dispose(&g->tiers[t]);
    free(g->mark_a);
    free(g->mark_b);
    free(g->mark_c);
    free(g->mark_h);
    free(g->stack);
    free(g->order);
    free(g->scratch);
    free(g->fraction);
    free(g->on_path);
    free(g->required);
    free(g->rdma_both_ways);
    free(g->path);
    free(g->path_it);
    free(g->path_sum);
    free(g->path_score);
    free(g->path_required);
    free(g->path_leaves);
    free(g->levels);
    free(g->best);
    free(g);
}

/* CSR lists of G' edges by `key` endpoint, newest edge first. */
static void edge_lists(const exoplace_topology *t, size_t *first, uint32_t *items, int by_source)
{
    size_t n = t->n_nodes;
    memset(first, 0, (n + 1) * sizeof *first);
    for (size_t e = 0; e < t->n_connections; e++) {
        const exoplace__connection *c = &t->connections[e];
        if (c->from != c->to)
            first[(by_source ? c->from : c->to) + 1]++;
    }
    for (size_t v = 0; v < n; v++)
        first[v + 1] += first[v];
    /* Filled from the newest edge down, so each list is newest first. */
    size_t *fill = malloc((n ? n : 1) * sizeof *fill);
    if (fill)
        memcpy(fill, first, n * sizeof *fill);
    for (size_t e = t->n_connections; e-- > 0;) {
        const exoplace__connection *c = &t->connections[e];
        if (c->from == c->to)
            continue;
        uint32_t key = by_source ? c->from : c->to;
        items[fill ? fill[key]++ : 0] = by_source ? c->to : c->from;
    }
    free(fill);
}

/* The edge orders of section 2.2 and what the passes read from them. */
static void build_orders(exoplace__exo_main_graph *g, const exoplace_topology *t)
{
    size_t n = g->n, cells = n ? n : 1, m = t->n_connections;
    /* In a cycle of two or more nodes every node has an RDMA edge to its
     * successor and one from its predecessor (5.9). Bit 1: out, bit 2: in. */
    for (size_t e = 0; e < m; e++) {
        const exoplace__connection *c = &t->connections[e];
        if (c->kind == EXOPLACE_CONNECTION_RDMA && c->from != c->to) {
            g->rdma_both_ways[c->from] |= 1;
            g->rdma_both_ways[c->to] |= 2;
        }
    }
    for (size_t v = 0; v < n; v++)
        g->rdma_both_ways[v] = g->rdma_both_ways[v] == 3;
    edge_lists(t, g->succ_first, g->succ, 1);
    edge_lists(t, g->pred_first, g->pred, 0);
    /* Distinct successors: the first occurrence in a newest-first list is the
     * newest edge to that sink; reversing gives increasing newest index. */
    size_t at = 0;
    g->next_first[0] = 0;
    for (size_t u = 0; u < n; u++) {
        size_t begin = at;
        uint32_t stamp = (uint32_t)u + 1;
        for (size_t e = g->succ_first[u]; e < g->succ_first[u + 1]; e++) {
            uint32_t v = g->succ[e];
            if (g->mark_a[v] != stamp) {
                g->mark_a[v] = stamp;
                g->next[at++] = v;
            }
        }
        for (size_t i = begin, j = at; i + 1 < j; i++, j--) {
            uint32_t x = g->next[i];
            g->next[i] = g->next[j - 1];
            g->next[j - 1] = x;
        }
        g->next_first[u + 1] = at;
    }
    for (size_t i = 0; i < at; i++)
        g->prev_first[g->next[i] + 1]++;
    for (size_t v = 0; v < n; v++)
        g->prev_first[v + 1] += g->prev_first[v];
    /* mark_a as each list's fill position (reset below). */
    memset(g->mark_a, 0, cells * sizeof *g->mark_a);
    for (size_t u = 0; u < n; u++)
        for (size_t e = g->next_first[u]; e < g->next_first[u + 1]; e++) {
            uint32_t v = g->next[e];
            g->prev[g->prev_first[v] + g->mark_a[v]++] = (uint32_t)u;
        }
    memset(g->mark_a, 0, cells * sizeof *g->mark_a);
}

exoplace_status exoplace__exo_main_graph_new(exoplace__exo_main_graph **out, const exoplace_topology *t,
                                             exoplace_error *err)
{
    *out = NULL;
    exoplace__exo_main_graph *g = calloc(1, sizeof *g);
    if (!g)
        return exoplace__fail_no_memory(err);
    size_t n = t->n_nodes, cells = n ? n : 1, m = t->n_connections;
    g->topology = t;
    g->n = n;
    g->succ_first = malloc((n + 1) * sizeof *g->succ_first);
    g->pred_first = malloc((n + 1) * sizeof *g->pred_first);
    g->next_first = malloc((n + 1) * sizeof *g->next_first);
    g->succ = malloc((m ? m : 1) * sizeof *g->succ);
    g->pred = malloc((m ? m : 1) * sizeof *g->pred);
    g->next = malloc((m ? m : 1) * sizeof *g->next);
    g->prev_first = calloc(n + 1, sizeof *g->prev_first);
    g->prev = malloc((m ? m : 1) * sizeof *g->prev);
    g->start = malloc(cells * sizeof *g->start);
    g->piece_end = malloc(cells * sizeof *g->piece_end);
    g->piece_parent = malloc(cells * sizeof *g->piece_parent);
    g->piece_size = malloc(cells * sizeof *g->piece_size);
    g->deepest = malloc(cells * sizeof *g->deepest);
    g->mark_a = calloc(cells, sizeof *g->mark_a);
    g->mark_b = calloc(cells, sizeof *g->mark_b);
    g->mark_c = calloc(cells, sizeof *g->mark_c);
    g->mark_h = calloc(cells, sizeof *g->mark_h);
    g->stack = malloc((n + m + 1) * sizeof *g->stack);
    g->order = malloc(cells * sizeof *g->order);
    g->scratch = malloc(cells * sizeof *g->scratch);
    g->fraction = malloc(cells * sizeof *g->fraction);
    g->on_path = calloc(cells, 1);
    g->required = calloc(cells, 1);
    g->rdma_both_ways = calloc(cells, 1);
    g->path = malloc(cells * sizeof *g->path);
    g->path_it = malloc(cells * sizeof *g->path_it);
    g->path_sum = malloc(cells * sizeof *g->path_sum);
    g->path_score = malloc(cells * sizeof *g->path_score);
    g->path_required = malloc(cells * sizeof *g->path_required);
    g->path_leaves = malloc(cells * sizeof *g->path_leaves);
    g->levels = malloc(cells * sizeof *g->levels);
    g->best = malloc(cells * sizeof *g->best);
    if (!g->succ_first || !g->pred_first || !g->next_first || !g->succ || !g->pred || !g->next || !g->prev_first ||
        !g->prev || !g->start ||
        !g->piece_end || !g->piece_parent || !g->piece_size || !g->deepest || !g->mark_a || !g->mark_b ||
        !g->mark_c || !g->mark_h || !g->stack || !g->order || !g->scratch || !g->fraction || !g->on_path ||
        !g->required || !g->rdma_both_ways || !g->path || !g->path_it || !g->path_sum || !g->path_score || !g->path_required ||
        !g->path_leaves || !g->levels || !g->best) {
        exoplace__exo_main_graph_free(g);
        return exoplace__fail_no_memory(err);
    }
    build_orders(g, t);
    g->gen = 0;
    *out = g;
    return EXOPLACE_OK;
}

const exoplace__out_edges *exoplace__exo_main_graph_out_edges(exoplace__exo_main_graph *g, exoplace_error *err)
{
    if (!g->out_edges_ready) {
        if (exoplace__out_edges_init(&g->out_edges, g->topology, err))
            return NULL;
        g->out_edges_ready = 1;
    }
    return &g->out_edges;
}

exoplace__random *exoplace__exo_main_graph_random(exoplace__exo_main_graph *g, const exoplace_place_options *options)
{
    if (!g->random_ready) {
        exoplace__random_init(&g->random, options);
        g->random_ready = 1;
    }
    return &g->random;
}

/* ---- the start sequence (section 3) ------------------------------------------- */

/* Marks compare with a generation; before a step that takes up to `count`
 * new generations, wrap-around clears every mark (and would otherwise make
 * an old mark look current). */
static void reserve_gens(exoplace__exo_main_graph *g, uint32_t count)
{
    if (g->gen < UINT32_MAX - count)
        return;
    size_t cells = g->n ? g->n : 1;
    memset(g->mark_a, 0, cells * sizeof *g->mark_a);
    memset(g->mark_b, 0, cells * sizeof *g->mark_b);
    memset(g->mark_c, 0, cells * sizeof *g->mark_c);
    memset(g->mark_h, 0, cells * sizeof *g->mark_h);
    g->gen = 0;
}

static uint32_t next_gen(exoplace__exo_main_graph *g)
{
    return ++g->gen;
}

/*
 * Kosaraju's components of G'[H] as petgraph computes them: H is h[0..n_h)
 * in index order with mark_h[v] == h_stamp. The components of two or more
 * nodes are written to out (in emitted order, each in its own order), their
 * ends to ends. Returns 0 when the work bound is reached.
 */
static int components(exoplace__exo_main_graph *g, exoplace__search *search, const uint32_t *h, size_t n_h,
                      uint32_t h_stamp, uint32_t *out, size_t *out_len, size_t *ends, size_t *n_ends)
{
    uint32_t seen = next_gen(g), done = next_gen(g);
    uint32_t *finished = g->order;
    size_t n_finished = 0;
    for (size_t i = 0; i < n_h; i++) {
        uint32_t r = h[i];
        if (g->mark_a[r] == seen)
            continue;
        size_t sp = 0;
        g->stack[sp++] = r;
        while (sp) {
            uint32_t x = g->stack[sp - 1];
            if (g->mark_a[x] != seen) {
                g->mark_a[x] = seen;
                if (!exoplace__search_spend(search, 1 + g->pred_first[x + 1] - g->pred_first[x]))
                    return 0;
                for (size_t e = g->pred_first[x]; e < g->pred_first[x + 1]; e++) {
                    uint32_t p = g->pred[e];
                    if (g->mark_h[p] == h_stamp && g->mark_a[p] != seen)
                        g->stack[sp++] = p;
                }
            } else {
                sp--;
                if (g->mark_b[x] != done) {
                    g->mark_b[x] = done;
                    finished[n_finished++] = x;
                }
            }
        }
    }
    uint32_t assigned = next_gen(g);
    size_t len = *out_len;
    for (size_t i = n_finished; i-- > 0;) {
        uint32_t x = finished[i];
        if (g->mark_c[x] == assigned)
            continue;
        size_t begin = len, sp = 0;
        g->stack[sp++] = x;
        while (sp) {
            uint32_t y = g->stack[--sp];
            if (g->mark_c[y] == assigned)
                continue;
            g->mark_c[y] = assigned;
            if (!exoplace__search_spend(search, 1 + g->succ_first[y + 1] - g->succ_first[y]))
                return 0;
            for (size_t e = g->succ_first[y]; e < g->succ_first[y + 1]; e++) {
                uint32_t v = g->succ[e];
                if (g->mark_h[v] == h_stamp && g->mark_c[v] != assigned)
                    g->stack[sp++] = v;
            }
            out[len++] = y;
        }
        if (len - begin >= 2)
            ends[(*n_ends)++] = len;
        else
            len = begin;
    }
    *out_len = len;
    return 1;
}

static int by_index(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* rustworkx's SimpleCycleIter start sequence: each start with its piece. */
static exoplace_status compute_starts(exoplace__exo_main_graph *g, exoplace__search *search, exoplace_error *err)
{
    size_t n = g->n;
    /* L: disjoint components, so n node slots; each ends[] entry with its parent piece. */
    uint32_t *l_nodes = malloc((n ? n : 1) * sizeof *l_nodes);
    size_t *l_ends = malloc((n ? n : 1) * sizeof *l_ends);
    uint32_t *l_parent = malloc((n ? n : 1) * sizeof *l_parent);
    if (!l_nodes || !l_ends || !l_parent) {
        free(l_nodes);
        free(l_ends);
        free(l_parent);
        return exoplace__fail_no_memory(err);
    }
    for (size_t v = 0; v < n; v++) {
        g->scratch[v] = (uint32_t)v;
        g->deepest[v] = NONE;
    }
    size_t l_len = 0, l_count = 0;
    reserve_gens(g, 4);
    uint32_t h_stamp = next_gen(g);
    for (size_t v = 0; v < n; v++)
        g->mark_h[v] = h_stamp;
    int ok = components(g, search, g->scratch, n, h_stamp, l_nodes, &l_len, l_ends, &l_count);
    for (size_t i = 0; i < l_count; i++)
        l_parent[i] = NONE;
    g->n_starts = 0;
    while (ok && l_count) {
        size_t end = l_ends[--l_count], begin = l_count ? l_ends[l_count - 1] : 0;
        uint32_t parent = l_parent[l_count];
        size_t k = g->n_starts++;
        uint32_t s = l_nodes[end - 1];
        g->start[k] = s;
        g->piece_parent[k] = parent;
        g->piece_size[k] = (uint32_t)(end - begin);
        g->piece_end[k] = (uint32_t)k;
        for (size_t i = begin; i < end; i++)
            g->deepest[l_nodes[i]] = (uint32_t)k;
        /* H = C minus s, in index order. */
        size_t n_h = end - begin - 1;
        memcpy(g->scratch, &l_nodes[begin], n_h * sizeof *g->scratch);
        qsort(g->scratch, n_h, sizeof *g->scratch, by_index);
        reserve_gens(g, 4);
        h_stamp = next_gen(g);
        for (size_t i = 0; i < n_h; i++)
            g->mark_h[g->scratch[i]] = h_stamp;
        if (!exoplace__search_spend(search, n_h + 1)) {
            ok = 0;
            break;
        }
        size_t first_new = l_count;
        l_len = begin;
        ok = components(g, search, g->scratch, n_h, h_stamp, l_nodes, &l_len, l_ends, &l_count);
        for (size_t i = first_new; i < l_count; i++)
            l_parent[i] = (uint32_t)k;
    }
    free(l_nodes);
    free(l_ends);
    free(l_parent);
    if (!ok)
        return exoplace__search_fail_limit(search, err);
    for (size_t k = g->n_starts; k-- > 0;) {
        uint32_t p = g->piece_parent[k];
        if (p != NONE && g->piece_end[k] > g->piece_end[p])
            g->piece_end[p] = g->piece_end[k];
    }
    g->dist_cached = g->n_starts && g->n_starts <= DIST_CACHE_MAX_CELLS / (n ? n : 1);
    if (g->dist_cached) {
        g->dist_rows = calloc(g->n_starts, sizeof *g->dist_rows);
        if (!g->dist_rows)
            return exoplace__fail_no_memory(err);
    } else if (!(g->dist = malloc((n ? n : 1) * sizeof *g->dist))) {
        return exoplace__fail_no_memory(err);
    }
    return EXOPLACE_OK;
}

static int in_piece(const exoplace__exo_main_graph *g, size_t k, uint32_t v)
{
    uint32_t d = g->deepest[v];
    return d != NONE && d >= k && d <= g->piece_end[k];
}

/* Fewest edges from each node of C_k (with memory) to start k, inside C_k:
 * a lower bound for any node filter, which only removes nodes. NULL on the
 * work bound or out of memory (*status says which). */
static const uint32_t *start_distances(exoplace__exo_main_graph *g, exoplace__search *search, size_t k,
                                       exoplace_status *status, exoplace_error *err)
{
    uint32_t *row = g->dist;
    if (g->dist_cached) {
        if (g->dist_rows[k])
            return g->dist_rows[k];
        if (!(row = malloc(g->n * sizeof *row))) {
            *status = exoplace__fail_no_memory(err);
            return NULL;
        }
        g->dist_rows[k] = row;
    }
    const exoplace_topology *t = g->topology;
    for (size_t v = 0; v < g->n; v++)
        row[v] = UNREACHED;
    uint32_t s = g->start[k];
    uint32_t *queue = g->stack;
    size_t head = 0, tail = 0;
    row[s] = 0;
    queue[tail++] = s;
    if (!exoplace__search_spend(search, g->n)) {
        *status = exoplace__search_fail_limit(search, err);
        goto fail;
    }
    while (head < tail) {
        uint32_t x = queue[head++];
        if (!exoplace__search_spend(search, 1 + g->pred_first[x + 1] - g->pred_first[x])) {
            *status = exoplace__search_fail_limit(search, err);
            goto fail;
        }
        for (size_t e = g->pred_first[x]; e < g->pred_first[x + 1]; e++) {
            uint32_t p = g->pred[e];
            if (row[p] == UNREACHED && t->nodes[p].has_profile && in_piece(g, k, p)) {
                row[p] = row[x] + 1;
                queue[tail++] = p;
            }
        }
    }
    return row;
fail:
    if (g->dist_cached) {
        free(row);
        g->dist_rows[k] = NULL;
    }
    return NULL;
}

/* ---- per tier and per model ---------------------------------------------------- */

typedef struct metric_order {
    const exoplace__u128 *metric;
} metric_order;

static int metric_before(const void *ctx, uint32_t a, uint32_t b)
{
    const exoplace__u128 *metric = ((const metric_order *)ctx)->metric;
    return metric[a] != metric[b] ? metric[a] > metric[b] : a < b;
}

static const tier_metrics *use_tier(exoplace__exo_main_graph *g, exoplace_memory_tier tier, exoplace_error *err)
{
    tier_metrics *tm = &g->tiers[tier];
    if (tm->ready)
        return tm;
    size_t n = g->n, cells = n ? n : 1, m = g->next_first[n];
    tm->metric = malloc(cells * sizeof *tm->metric);
    tm->top_prefix = malloc((n + 1) * sizeof *tm->top_prefix);
    tm->by_metric = malloc(cells * sizeof *tm->by_metric);
    tm->position = malloc(cells * sizeof *tm->position);
    tm->fast_first = malloc((n + 1) * sizeof *tm->fast_first);
    tm->fast = malloc((m ? m : 1) * sizeof *tm->fast);
    uint32_t *tmp = malloc((m > n ? m : cells) * sizeof *tmp);
    if (!tm->metric || !tm->top_prefix || !tm->by_metric || !tm->position || !tm->fast_first || !tm->fast || !tmp) {
        free(tmp);
        tier_dispose(tm);
        exoplace__fail_no_memory(err);
        return NULL;
    }
    tm->n_by_metric = 0;
    for (size_t v = 0; v < n; v++) {
        const exoplace__node *node = &g->topology->nodes[v];
        tm->metric[v] = exoplace__node_metric(node, tier);
        tm->position[v] = NONE;
        if (node->has_profile)
            tm->by_metric[tm->n_by_metric++] = (uint32_t)v;
    }
    metric_order order = {tm->metric};
    exoplace__sort(tm->by_metric, tmp, tm->n_by_metric, metric_before, &order);
    tm->top_prefix[0] = 0;
    for (size_t i = 0; i < n; i++)
        tm->top_prefix[i + 1] = tm->top_prefix[i] + (i < tm->n_by_metric ? tm->metric[tm->by_metric[i]] : 0);
    for (size_t i = 0; i < tm->n_by_metric; i++)
        tm->position[tm->by_metric[i]] = (uint32_t)i;
    /* Each successor list in metric order, without comparisons: the nodes in
     * metric order, each appended to the lists of its predecessors; nodes
     * without memory (never on a cycle) last. tmp holds each list's fill. */
    memcpy(tm->fast_first, g->next_first, (n + 1) * sizeof *tm->fast_first);
    memset(tmp, 0, cells * sizeof *tmp);
    for (size_t i = 0; i < n; i++) {
        uint32_t v = i < tm->n_by_metric ? tm->by_metric[i] : NONE;
        if (v == NONE)
            break;
        for (size_t e = g->prev_first[v]; e < g->prev_first[v + 1]; e++) {
            uint32_t u = g->prev[e];
            tm->fast[tm->fast_first[u] + tmp[u]++] = v;
        }
    }
    for (size_t v = 0; v < n; v++) {
        if (g->topology->nodes[v].has_profile)
            continue;
        for (size_t e = g->prev_first[v]; e < g->prev_first[v + 1]; e++) {
            uint32_t u = g->prev[e];
            tm->fast[tm->fast_first[u] + tmp[u]++] = (uint32_t)v;
        }
    }
    free(tmp);
    tm->ready = 1;
    return tm;
}

double exoplace__download_fraction(const exoplace__node *node, const char *model_id)
{
    for (size_t i = 0; i < node->n_downloads; i++) {
        const exoplace__download *d = &node->downloads[i];
        if (strcmp(d->model_id, model_id) != 0)
            continue;
        switch (d->kind) {
        case EXOPLACE_DOWNLOAD_COMPLETED:
            return 1.0;
        case EXOPLACE_DOWNLOAD_ONGOING:
        case EXOPLACE_DOWNLOAD_PENDING:
            return d->total_bytes ? exoplace__u128_quotient(d->downloaded_bytes, d->total_bytes) : 0.0;
        case EXOPLACE_DOWNLOAD_FAILED:
            return 0.0;
        }
        return 0.0;
    }
    return 0.0;
}

/* ---- one length ------------------------------------------------------------------ */

typedef enum pass_mode {
    PASS_EXISTS, /* is there a cycle: any order, the first found ends it */
    PASS_BEST,   /* the greatest key: any order */
    PASS_GREATEST, /* the greatest sum alone (an explanation's candidate): any order */
    PASS_FIRST   /* the first cycle in candidate order whose key reaches `target` */
} pass_mode;

typedef struct cycle_key {
    double score;       /* download score, summed in rank order (4) */
    exoplace__u128 sum; /* exact metric sum */
} cycle_key;

typedef struct length_pass {
    size_t length;
    exoplace__u128 required_bytes;
    size_t n_required;     /* distinct required nodes (g->required marks them) */
    uint32_t backend_mask; /* 0: any node; else a node needs one of these */
    int need_rdma;         /* RDMA cycle with rdma_ctl at every node (5.9) */
    int need_leaf;         /* contains a leaf (5.10) */
    pass_mode mode;
    cycle_key target;      /* PASS_FIRST */
    const tier_metrics *tier;
    double max_fraction;
    /* result */
    int found;
    cycle_key best;
} length_pass;

static int node_allowed(const exoplace__exo_main_graph *g, const length_pass *pass, uint32_t v)
{
    const exoplace__node *node = &g->topology->nodes[v];
    if (!node->has_profile)
        return 0;
    if (pass->backend_mask && !(node->backends & pass->backend_mask))
        return 0;
    if (pass->need_rdma &&
        (!node->rdma_ctl_enabled || (node->has_self_connection && !node->self_connection_is_rdma)))
        return 0;
    return 1;
}

static int is_leaf(const exoplace__exo_main_graph *g, uint32_t v)
{
    return exoplace__node_is_leaf(&g->topology->nodes[v], EXOPLACE_RULES_EXO_MAIN);
}

/* Whether v can join the path's nodes in an RDMA cycle: every link between
 * them, either way, has an RDMA edge. */
static int rdma_links(const exoplace__exo_main_graph *g, const uint32_t *path, size_t p, uint32_t v)
{
    for (size_t i = 0; i < p; i++) {
        const exoplace__pair *ab = exoplace__topology_pair(g->topology, path[i], v);
        const exoplace__pair *ba = exoplace__topology_pair(g->topology, v, path[i]);
        if ((ab && !ab->has_rdma) || (ba && !ba->has_rdma))
            return 0;
    }
    return 1;
}

/* Compares keys: score first (as doubles), then memory (5.11). */
static int key_compare(cycle_key a, cycle_key b)
{
    if (a.score != b.score)
        return a.score > b.score ? 1 : -1;
    return (a.sum > b.sum) - (a.sum < b.sum);
}

/* Whether a cycle whose key is at most `bound` can still change the pass's answer. */
static int may_matter(const length_pass *pass, cycle_key bound)
{
    switch (pass->mode) {
    case PASS_EXISTS:
        return 1;
    case PASS_BEST:
        return !pass->found || key_compare(bound, pass->best) > 0;
    case PASS_GREATEST:
        return !pass->found || bound.sum > pass->best.sum;
    case PASS_FIRST:
        return key_compare(bound, pass->target) >= 0;
    }
    return 1;
}

/* A cycle that passed every filter; returns 1 when the pass is over. */
static int take_cycle(exoplace__exo_main_graph *g, length_pass *pass, const uint32_t *cycle, cycle_key key)
{
    if (pass->mode == PASS_FIRST && key_compare(key, pass->target) < 0)
        return 0;
    if (pass->mode == PASS_BEST && pass->found && key_compare(key, pass->best) <= 0)
        return 0;
    if (pass->mode == PASS_GREATEST && pass->found && key.sum <= pass->best.sum)
        return 0;
    memcpy(g->best, cycle, pass->length * sizeof *cycle);
    pass->found = 1;
    pass->best = key;
    return pass->mode != PASS_BEST && pass->mode != PASS_GREATEST;
}

/* Singletons in candidate order: nodes with a self-edge in decreasing index
 * (rustworkx reports self-loops first), then every node in index order.
 * Few enough to walk in that order in every mode. */
static void singleton_pass(exoplace__exo_main_graph *g, length_pass *pass)
{
    const exoplace_topology *t = g->topology;
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < g->n; i++) {
            uint32_t v = round == 0 ? (uint32_t)(g->n - 1 - i) : (uint32_t)i;
            if (round == 0 && !t->nodes[v].has_self_connection)
                continue;
            if (!node_allowed(g, pass, v) || pass->tier->metric[v] < pass->required_bytes)
                continue;
            if (pass->n_required > 1 || (pass->n_required == 1 && !g->required[v]))
                continue;
            if (pass->need_leaf && !is_leaf(g, v))
                continue;
            cycle_key key = {0.0 + g->fraction[v], pass->tier->metric[v]};
            if (take_cycle(g, pass, &v, key))
                return;
        }
    }
}

static exoplace__u128 min_u128(exoplace__u128 a, exoplace__u128 b)
{
    return a < b ? a : b;
}

/* Fills the level bound for the node after a path of p nodes (see level_bound). */
static int level_bound_fill(level_bound *lb, exoplace__exo_main_graph *g, exoplace__search *search,
                            const length_pass *pass, size_t k, size_t p)
{
    size_t r = pass->length - p - 1;
    memset(lb, 0, sizeof *lb);
    if (r > BOUND_SCAN_MAX_REMAINING)
        return 1;
    lb->exact = 1;
    const tier_metrics *tm = pass->tier;
    size_t i = 0;
    for (; i < tm->n_by_metric && lb->count < r + 1; i++) {
        uint32_t v = tm->by_metric[i];
        if (g->on_path[v] || !in_piece(g, k, v) || !node_allowed(g, pass, v))
            continue;
        if (lb->count < r) {
            lb->top += tm->metric[v];
            lb->last_r = (uint32_t)i;
        }
        lb->top_one_more += tm->metric[v];
        lb->last_counted = (uint32_t)i;
        lb->count++;
    }
    return exoplace__search_spend(search, i + 1);
}

/* The most the r nodes after v can add, or 0 with *enough = 0 when the piece
 * has fewer than r allowed nodes left beside v and the path. */
static exoplace__u128 rest_bound(const level_bound *lb, const length_pass *pass, exoplace__u128 piece_left,
                                 uint32_t v, size_t r, int *enough)
{
    *enough = 1;
    if (!lb->exact)
        return min_u128(pass->tier->top_prefix[r], piece_left);
    uint32_t at = pass->tier->position[v];
    int counted = lb->count > 0 && at <= lb->last_counted;
    size_t others = lb->count - (size_t)counted;
    if (others < r) {
        *enough = 0;
        return 0;
    }
    if (counted && (lb->count <= r || at <= lb->last_r))
        return lb->top_one_more - pass->tier->metric[v];
    return lb->top;
}

/* The next successor of the path's last node (of p nodes) that can lead to
 * a cycle that matters, its path entries filled at index p; NONE when the
 * node has no more. */
static uint32_t next_child(exoplace__exo_main_graph *g, const length_pass *pass, size_t k, const uint32_t *dist,
                           const size_t *first, const uint32_t *succ, exoplace__u128 piece_total, size_t p)
{
    const exoplace__u128 *metric = pass->tier->metric;
    const uint32_t *path = g->path;
    uint32_t u = path[p - 1];
    size_t remaining = pass->length - p - 1; /* nodes still to add after v */
    const level_bound *lb = &g->levels[p - 1];
    while (g->path_it[p - 1] < first[u + 1]) {
        uint32_t v = succ[g->path_it[p - 1]++];
        if (g->on_path[v] || !in_piece(g, k, v) || dist[v] > remaining + 1 || !node_allowed(g, pass, v))
            continue;
        uint32_t required = g->path_required[p - 1] + g->required[v];
        if (pass->n_required - required > remaining)
            continue;
        if (pass->need_leaf && !remaining && !g->path_leaves[p - 1] && !is_leaf(g, v))
            continue;
        exoplace__u128 sum = g->path_sum[p - 1] + metric[v];
        int enough;
        exoplace__u128 rest = rest_bound(lb, pass, piece_total - sum, v, remaining, &enough);
        if (!enough || sum + rest < pass->required_bytes)
            continue;
        double score = g->path_score[p - 1] + g->fraction[v];
        cycle_key bound = {score, sum + rest};
        if (pass->max_fraction > 0.0) {
            if (remaining > SCORE_BOUND_MAX_REMAINING)
                bound.score = (double)INFINITY;
            else
                for (size_t i = 0; i < remaining; i++)
                    bound.score += pass->max_fraction;
        }
        if (!may_matter(pass, bound))
            continue;
        if (pass->need_rdma && (!g->rdma_both_ways[v] || !rdma_links(g, path, p, v)))
            continue;
        g->path_sum[p] = sum;
        g->path_score[p] = score;
        g->path_required[p] = required;
        g->path_leaves[p] = g->path_leaves[p - 1] + (uint32_t)is_leaf(g, v);
        return v;
    }
    return NONE;
}

/* The cycles of pass->length >= 2 through start k, depth first: in
 * candidate order for PASS_FIRST, metric order otherwise. Returns OK, or
 * the work bound / out of memory status. */
static exoplace_status start_pass(exoplace__exo_main_graph *g, exoplace__search *search, length_pass *pass,
                                  size_t k, exoplace_error *err)
{
    const tier_metrics *tm = pass->tier;
    const exoplace__u128 *metric = tm->metric;
    const size_t *first = pass->mode == PASS_FIRST ? g->next_first : tm->fast_first;
    const uint32_t *succ = pass->mode == PASS_FIRST ? g->next : tm->fast;
    size_t length = pass->length;
    uint32_t s = g->start[k];
    if (g->piece_size[k] < length || !node_allowed(g, pass, s) || (pass->need_rdma && !g->rdma_both_ways[s]))
        return EXOPLACE_OK;
    /* Every required node must be in the piece; the memory of the piece bounds the rest. */
    exoplace__u128 piece_total = 0;
    size_t required_in_piece = 0;
    if (!exoplace__search_spend(search, g->n))
        return exoplace__search_fail_limit(search, err);
    for (size_t v = 0; v < g->n; v++) {
        if (!in_piece(g, k, (uint32_t)v))
            continue;
        required_in_piece += g->required[v];
        if (node_allowed(g, pass, (uint32_t)v))
            piece_total += metric[v];
    }
    if (required_in_piece < pass->n_required || piece_total < pass->required_bytes)
        return EXOPLACE_OK;
    exoplace_status st = EXOPLACE_OK;
    const uint32_t *dist = start_distances(g, search, k, &st, err);
    if (!dist)
        return st;

    uint32_t *path = g->path;
    size_t p = 1;
    path[0] = s;
    g->on_path[s] = 1;
    g->path_sum[0] = metric[s];
    g->path_score[0] = 0.0 + g->fraction[s];
    g->path_required[0] = g->required[s];
    g->path_leaves[0] = (uint32_t)is_leaf(g, s);
    g->path_it[0] = first[s];
    if (!level_bound_fill(&g->levels[0], g, search, pass, k, 1))
        st = exoplace__search_fail_limit(search, err);
    while (p > 0 && !st) {
        if (!exoplace__search_spend(search, 1)) {
            st = exoplace__search_fail_limit(search, err);
            break;
        }
        uint32_t u = path[p - 1];
        if (p == length) {
            /* dist[u] == 1: u has an edge to s (u is in the piece, with memory). */
            if (dist[u] == 1 && g->path_required[p - 1] == pass->n_required &&
                (!pass->need_leaf || g->path_leaves[p - 1])) {
                cycle_key key = {g->path_score[p - 1], g->path_sum[p - 1]};
                if (take_cycle(g, pass, path, key))
                    break;
            }
            g->on_path[u] = 0;
            p--;
            continue;
        }
        uint32_t chosen = next_child(g, pass, k, dist, first, succ, piece_total, p);
        if (chosen == NONE) {
            g->on_path[u] = 0;
            p--;
            continue;
        }
        path[p] = chosen;
        g->on_path[chosen] = 1;
        g->path_it[p] = first[chosen];
        p++;
        if (p < length && !level_bound_fill(&g->levels[p - 1], g, search, pass, k, p))
            st = exoplace__search_fail_limit(search, err);
    }
    for (size_t i = 0; i < p; i++)
        g->on_path[path[i]] = 0;
    return st;
}

/* Runs one pass over every cycle of pass->length. */
static exoplace_status run_pass(exoplace__exo_main_graph *g, exoplace__search *search, length_pass *pass,
                                exoplace_error *err)
{
    pass->found = 0;
    if (pass->tier->top_prefix[pass->length] < pass->required_bytes)
        return EXOPLACE_OK;
    if (pass->length == 1) {
        singleton_pass(g, pass);
        return EXOPLACE_OK;
    }
    for (size_t k = 0; k < g->n_starts; k++) {
        exoplace_status st = start_pass(g, search, pass, k, err);
        if (st)
            return st;
        if (pass->found && pass->mode != PASS_BEST && pass->mode != PASS_GREATEST)
            break;
    }
    return EXOPLACE_OK;
}

/* Whether the node filter of `pass` keeps every node with memory. */
static int every_node_allowed(const exoplace__exo_main_graph *g, const length_pass *pass)
{
    for (size_t v = 0; v < g->n; v++)
        if (g->topology->nodes[v].has_profile && !node_allowed(g, pass, (uint32_t)v))
            return 0;
    return 1;
}

/* Whether some node the filter keeps is a leaf (else no cycle has one). */
static int some_allowed_leaf(const exoplace__exo_main_graph *g, const length_pass *pass)
{
    for (size_t v = 0; v < g->n; v++)
        if (is_leaf(g, (uint32_t)v) && node_allowed(g, pass, (uint32_t)v))
            return 1;
    return 0;
}

/* Whether some cycle of `length` passes the filters of `base`. */
static exoplace_status exists(int *found, exoplace__exo_main_graph *g, exoplace__search *search,
                              const length_pass *base, size_t length, exoplace_error *err)
{
    length_pass pass = *base;
    pass.length = length;
    pass.mode = PASS_EXISTS;
    exoplace_status st = run_pass(g, search, &pass, err);
    *found = pass.found;
    return st;
}

/* ---- the selection ------------------------------------------------------------------ */

/* Python's text of a sorted list of backend names, e.g. ['MlxCpu', 'MlxMetal']. */
static void backend_list_text(char *out, size_t size, const exoplace_backend *backends, size_t count,
                              uint32_t mask)
{
    /* Names in text order: MlxCpu < MlxCuda < MlxMetal < Vllm. */
    static const exoplace_backend text_order[] = {EXOPLACE_BACKEND_MLX_CPU, EXOPLACE_BACKEND_MLX_CUDA,
                                                  EXOPLACE_BACKEND_MLX_METAL, EXOPLACE_BACKEND_VLLM};
    size_t len = 0;
    int first = 1;
    out[0] = '\0';
    len += (size_t)snprintf(out + len, size - len, "[");
    for (size_t i = 0; i < sizeof text_order / sizeof *text_order; i++) {
        size_t times = 0;
        if (backends) {
            for (size_t j = 0; j < count; j++)
                times += backends[j] == text_order[i];
        } else {
            times = (mask & EXOPLACE_BACKEND_BIT(text_order[i])) != 0;
        }
        for (size_t r = 0; r < times && len < size; r++) {
            len += (size_t)snprintf(out + len, size - len, "%s'%s'", first ? "" : ", ",
                                    exoplace_backend_name(text_order[i]));
            first = 0;
        }
    }
    if (len < size)
        snprintf(out + len, size - len, "]");
}

static int starts_with(const char *text, const char *prefix)
{
    return text && strncmp(text, prefix, strlen(prefix)) == 0;
}

static exoplace_status tensor_indivisible(const exoplace_model *model, exoplace_error *err)
{
    if (model->num_key_value_heads)
        return exoplace__fail(err, EXOPLACE_E_TENSOR_INDIVISIBLE, NULL,
                              "No tensor sharding found for model with hidden_size=%u, num_key_value_heads=%u "
                              "across candidate cycles",
                              model->hidden_size, model->num_key_value_heads);
    return exoplace__fail(err, EXOPLACE_E_TENSOR_INDIVISIBLE, NULL,
                          "No tensor sharding found for model with hidden_size=%u across candidate cycles",
                          model->hidden_size);
}

int exoplace__exo_main_tensor_length_ok(const exoplace_model *model, size_t length)
{
    if (model->hidden_size % length)
        return 0;
    if (starts_with(model->base_model, "DeepSeek V4") || !model->num_key_value_heads)
        return 1;
    return model->num_key_value_heads % length == 0;
}

/* Marks the required nodes; 0 when one is not a topology node. */
static int mark_required(exoplace__exo_main_graph *g, const exoplace_place_options *options, size_t *count)
{
    memset(g->required, 0, g->n ? g->n : 1);
    *count = 0;
    for (size_t i = 0; i < options->n_required_node_ids; i++) {
        long v = exoplace__topology_lookup(g->topology, options->required_node_ids[i]);
        if (v < 0)
            return 0;
        if (!g->required[v]) {
            g->required[v] = 1;
            (*count)++;
        }
    }
    return 1;
}

/* The start sequence, made on the first attempt of a call; an attempt after
 * one that could not make it ends the same way. */
static exoplace_status ensure_starts(exoplace__exo_main_graph *g, exoplace__search *search, exoplace_error *err)
{
    if (g->starts_state == 1)
        return EXOPLACE_OK;
    if (g->starts_state != 0)
        return g->starts_state == EXOPLACE_E_SEARCH_LIMIT ? exoplace__search_fail_limit(search, err)
                                                          : exoplace__fail_no_memory(err);
    exoplace_status st = compute_starts(g, search, err);
    g->starts_state = st == EXOPLACE_OK ? 1 : (int)st;
    return st;
}

/* 5.1 to 5.6: the length every later step works on (5.7), in *smallest. */
static exoplace_status smallest_length(size_t *smallest, exoplace__exo_main_graph *g, exoplace__search *search,
                                       const length_pass *base, const exoplace_model *model,
                                       const exoplace_place_options *options, exoplace_error *err)
{
    size_t placeable = 0;
    for (size_t v = 0; v < g->n; v++)
        placeable += (size_t)g->topology->nodes[v].has_profile;
    /* 5.1 to 5.3: the smallest length with a cycle that has the memory
     * (the required nodes were marked; none is unknown). */
    exoplace_status st;
    int found = 0;
    for (size_t l = options->min_nodes; l <= placeable && !found; l++) {
        if ((st = exists(&found, g, search, base, l, err)))
            return st;
        *smallest = l;
    }
    if (!found)
        return exoplace__fail(err, EXOPLACE_E_INSUFFICIENT_MEMORY, NULL, "No cycles found with sufficient memory");
    if (options->sharding == EXOPLACE_SHARDING_PIPELINE) {
        /* 5.5 and 5.6 */
        if (strcmp(model->model_id, "mlx-community/DeepSeek-V3.1-8bit") == 0)
            return exoplace__fail(err, EXOPLACE_E_PIPELINE_UNSUPPORTED_MODEL, NULL,
                                  "Pipeline parallelism is not supported for DeepSeek V3.1 (8-bit)");
        if (starts_with(model->base_model, "Gemma 4") && *smallest != 1)
            return exoplace__fail(err, EXOPLACE_E_PIPELINE_SINGLE_NODE_ONLY, NULL,
                                  "Pipeline parallelism is not supported for Gemma 4; use tensor parallelism "
                                  "instead.");
        return EXOPLACE_OK;
    }
    /* 5.4: only lengths the model divides into; the smallest of them. */
    if (model->supports_tensor == 0)
        return exoplace__fail(err, EXOPLACE_E_TENSOR_UNSUPPORTED, NULL,
                              "Requested Tensor sharding but this model does not support tensor parallelism: %s",
                              model->model_id);
    found = 0;
    for (size_t l = *smallest; l <= placeable && !found; l++) {
        if (!exoplace__exo_main_tensor_length_ok(model, l))
            continue;
        if ((st = exists(&found, g, search, base, l, err)))
            return st;
        if (found)
            *smallest = l;
    }
    return found ? EXOPLACE_OK : tensor_indivisible(model, err);
}

/* 5.8 to 5.10 on the cycles of base->length: each gate narrows `base`'s
 * filters, and fails when it leaves no cycle. */
static exoplace_status engine_gates(length_pass *base, exoplace__exo_main_graph *g, exoplace__search *search,
                                    const exoplace_model *model, const exoplace_place_options *options,
                                    exoplace_error *err)
{
    int jaccl = options->instance_meta == EXOPLACE_INSTANCE_MLX_JACCL;
    uint32_t engine = jaccl ? EXOPLACE_BACKEND_BIT(EXOPLACE_BACKEND_MLX_METAL)
                            : EXOPLACE_BACKEND_BIT(EXOPLACE_BACKEND_MLX_METAL) |
                                  EXOPLACE_BACKEND_BIT(EXOPLACE_BACKEND_MLX_CUDA) |
                                  EXOPLACE_BACKEND_BIT(EXOPLACE_BACKEND_MLX_CPU);
    uint32_t card = 0;
    for (size_t i = 0; i < model->n_backends; i++)
        card |= EXOPLACE_BACKEND_BIT(model->backends[i]);
    base->backend_mask = engine & card;
    if (!base->backend_mask) {
        char card_text[96], engine_text[96];
        backend_list_text(card_text, sizeof card_text, model->backends, model->n_backends, 0);
        backend_list_text(engine_text, sizeof engine_text, NULL, 0, engine);
        return exoplace__fail(err, EXOPLACE_E_BACKEND_INCOMPATIBLE_MODEL, NULL,
                              "Model %s backends %s cannot satisfy engine %s which requires %s", model->model_id,
                              card_text, exoplace_instance_meta_name(options->instance_meta), engine_text);
    }
    /* A filter that keeps every node keeps every cycle: the memory pass's answer stands. */
    exoplace_status st;
    int found = every_node_allowed(g, base);
    if (!found && (st = exists(&found, g, search, base, base->length, err)))
        return st;
    if (!found) {
        char allowed_text[96];
        backend_list_text(allowed_text, sizeof allowed_text, NULL, 0, base->backend_mask);
        return exoplace__fail(err, EXOPLACE_E_BACKEND_NO_CYCLE, NULL,
                              "No cycle where every node supports a backend in %s for %s", allowed_text,
                              model->model_id);
    }
    if (jaccl) { /* 5.9 */
        base->need_rdma = 1;
        if ((st = exists(&found, g, search, base, base->length, err)))
            return st;
        if (!found)
            return exoplace__fail(err, EXOPLACE_E_RDMA_NO_CYCLE, NULL,
                                  "Requested RDMA (MlxJaccl) but no RDMA-connected cycles available");
    }
    /* 5.10: cycles with a leaf, if there are any. */
    base->need_leaf = 1;
    found = 0;
    if (some_allowed_leaf(g, base) && (st = exists(&found, g, search, base, base->length, err)))
        return st;
    base->need_leaf = found;
    return EXOPLACE_OK;
}

/* 5.11: the greatest key in any order, then the first cycle in candidate
 * order that has it, into g->best. */
static exoplace_status select_first_best(exoplace__exo_main_graph *g, exoplace__search *search,
                                         const length_pass *base, exoplace_error *err)
{
    length_pass best = *base;
    best.mode = PASS_BEST;
    exoplace_status st = run_pass(g, search, &best, err);
    if (st)
        return st;
    length_pass first = *base;
    first.mode = PASS_FIRST;
    first.target = best.best;
    if (best.found && (st = run_pass(g, search, &first, err)))
        return st;
    if (!best.found || !first.found) /* the gates found one: only a broken bound gets here */
        return exoplace__fail(err, EXOPLACE_E_INSUFFICIENT_MEMORY, NULL, "No cycles found with sufficient memory");
    return EXOPLACE_OK;
}

/* A model's download fractions: they hold for every tier and preview of the call. */
static void fractions_read(exoplace__exo_main_graph *g, const exoplace_model *model)
{
    if (g->fraction_model == model)
        return;
    g->max_fraction = 0.0;
    for (size_t v = 0; v < g->n; v++) {
        g->fraction[v] = exoplace__download_fraction(&g->topology->nodes[v], model->model_id);
        if (g->fraction[v] > g->max_fraction)
            g->max_fraction = g->fraction[v];
    }
    g->fraction_model = model;
}

/* What every pass of a call needs first: the start sequence, the tier's
 * metric orders and the model's download fractions; *pass zeroed but for
 * its tier and the fractions' bound. */
static exoplace_status pass_begin(length_pass *pass, exoplace__exo_main_graph *g, exoplace__search *search,
                                  const exoplace_model *model, exoplace_memory_tier tier, exoplace_error *err)
{
    memset(pass, 0, sizeof *pass);
    exoplace_status st = ensure_starts(g, search, err);
    if (st)
        return st;
    pass->tier = use_tier(g, tier, err);
    if (!pass->tier)
        return EXOPLACE_E_NO_MEMORY;
    fractions_read(g, model);
    pass->max_fraction = g->max_fraction;
    return EXOPLACE_OK;
}

exoplace_status exoplace__exo_main_select(uint32_t *cycle_out, size_t *length_out, exoplace__exo_main_graph *g,
                                          exoplace__search *search, const exoplace_model *model,
                                          const exoplace_place_options *options, exoplace_memory_tier tier,
                                          exoplace_error *err)
{
    *length_out = 0;
    length_pass base;
    exoplace_status st = pass_begin(&base, g, search, model, tier, err);
    if (st)
        return st;
    base.required_bytes = model->storage_size;
    /* 5.2: a required id that is no node leaves no candidate. */
    if (!mark_required(g, options, &base.n_required))
        return exoplace__fail(err, EXOPLACE_E_INSUFFICIENT_MEMORY, NULL, "No cycles found with sufficient memory");
    if ((st = smallest_length(&base.length, g, search, &base, model, options, err)) ||
        (st = engine_gates(&base, g, search, model, options, err)) ||
        (st = select_first_best(g, search, &base, err)))
        return st;
    memcpy(cycle_out, g->best, base.length * sizeof *cycle_out);
    *length_out = base.length;
    return EXOPLACE_OK;
}

exoplace_status exoplace__exo_main_greatest(uint32_t *cycle_out, int *found, exoplace__exo_main_graph *g,
                                            exoplace__search *search, const exoplace_model *model,
                                            const exoplace_place_options *options, exoplace_memory_tier tier,
                                            size_t length, exoplace__u128 required, exoplace_error *err)
{
    *found = 0;
    length_pass pass;
    exoplace_status st = pass_begin(&pass, g, search, model, tier, err);
    if (st)
        return st;
    pass.length = length;
    pass.required_bytes = required;
    pass.mode = PASS_GREATEST;
    if (length == 0 || length > g->n || !mark_required(g, options, &pass.n_required))
        return EXOPLACE_OK;
    if ((st = run_pass(g, search, &pass, err)))
        return st;
    if (pass.found)
        memcpy(cycle_out, g->best, length * sizeof *cycle_out);
    *found = pass.found;
    return EXOPLACE_OK;
}
