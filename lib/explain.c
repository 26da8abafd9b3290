/* Explanations: why a model does not fit, from the placement search itself. */
#include "error.h"
#include "explain.h"
#include "layers.h"
#include "place.h"
#include "select_exo_main.h"
#include "sort.h"

#include <stdio.h>
#include <stdlib.h>

#include "alloc.h"
#include <string.h>

/* floor(a * b / c) and its remainder, for b <= c and c > 0, without the
 * 192-bit product: the quotient is built bit by bit from a's top bit down,
 * the remainder kept below c. */
static exoplace__u128 mul_div(uint64_t a, exoplace__u128 b, exoplace__u128 c, exoplace__u128 *remainder)
{
    exoplace__u128 q = 0, r = 0;
    for (int bit = 63; bit >= 0; bit--) {
        q <<= 1;
        if (r >= c - r) {
            r -= c - r;
            q++;
        } else {
            r <<= 1;
        }
        if ((a >> bit) & 1) {
            if (r >= c - b) {
                r -= c - b;
                q++;
            } else {
                r += b;
            }
        }
    }
    *remainder = r;
    return q;
}

typedef struct share_order {
    const exoplace__u128 *remainder;
} share_order;

static int remainder_before(const void *ctx, uint32_t a, uint32_t b)
{
    const share_order *o = ctx;
    return o->remainder[a] > o->remainder[b];
}

/* The shares of `need` over the nodes' metrics, largest remainder (see
 * exoplace_explained_node.share); equal shares when the metrics sum to 0. */
static int shares_fill(exoplace_explained_node *nodes, size_t n, uint64_t need, exoplace__u128 sum)
{
    exoplace__u128 *remainder = malloc(n * sizeof *remainder);
    uint32_t *order = malloc(2 * n * sizeof *order);
    if (!remainder || !order) {
        free(remainder);
        free(order);
        return 0;
    }
    exoplace__u128 given = 0;
    for (size_t i = 0; i < n; i++) {
        exoplace__u128 share = sum ? mul_div(need, exoplace__amount_value(nodes[i].metric), sum, &remainder[i]) : need / n;
        if (!sum)
            remainder[i] = 0;
        nodes[i].share = exoplace__amount_of(share);
        given += share;
        order[i] = (uint32_t)i;
    }
    share_order ctx = {remainder};
    exoplace__sort(order, order + n, n, remainder_before, &ctx);
    for (size_t k = 0; given < need; k++, given++) {
        exoplace_explained_node *node = &nodes[order[k % n]];
        node->share = exoplace__amount_of(exoplace__amount_value(node->share) + 1);
    }
    free(remainder);
    free(order);
    return 1;
}

/* What one tier's search needs to know of the request. */
typedef struct explain_request {
    const exoplace_model *model;
    const exoplace_place_options *options;
    int by_layers;
    exoplace__u128 layer_cost;
    uint64_t need;
} explain_request;

/* The search's view of `tier`: bytes, or layers held. */
static exoplace_status use_view(exoplace__search *search, const explain_request *rq, exoplace_memory_tier tier,
                                exoplace_error *err)
{
    return rq->by_layers ? exoplace__search_use_fit(search, tier, rq->layer_cost, rq->options->reserve_bytes,
                                                    rq->model->n_layers, err)
                         : exoplace__search_use_tier(search, tier, err);
}

/* The candidate's nodes, their metrics, shares and shortfalls, and the gap. */
static exoplace_status candidate_fill(exoplace_explained_tier *et, exoplace__search *search,
                                      const explain_request *rq, const uint32_t *cycle, size_t length,
                                      exoplace_error *err)
{
    const exoplace_topology *t = exoplace__search_topology(search);
    et->candidate = calloc(length ? length : 1, sizeof *et->candidate);
    if (!et->candidate)
        return exoplace__fail_no_memory(err);
    et->n_candidate = length;
    exoplace__u128 sum = 0;
    for (size_t i = 0; i < length; i++) {
        exoplace_explained_node *node = &et->candidate[i];
        node->node_index = cycle[i];
        node->node_id = t->nodes[cycle[i]].id;
        node->metric = exoplace__amount_of(exoplace__search_metric(search, cycle[i]));
        node->metric_bytes = exoplace__amount_of(exoplace__node_metric(&t->nodes[cycle[i]], et->tier));
        sum += exoplace__amount_value(node->metric);
    }
    et->candidate_sum = exoplace__amount_of(sum);
    et->gap = exoplace__amount_of(rq->need > sum ? rq->need - sum : 0);
    if (length && !shares_fill(et->candidate, length, rq->need, sum))
        return exoplace__fail_no_memory(err);
    for (size_t i = 0; i < length; i++) {
        exoplace_explained_node *node = &et->candidate[i];
        exoplace__u128 share = exoplace__amount_value(node->share), metric = exoplace__amount_value(node->metric);
        node->shortfall = exoplace__amount_of(share > metric ? share - metric : 0);
        exoplace__u128 bytes_needed = share, bytes_have = metric;
        if (rq->by_layers) {
            bytes_needed = share * rq->layer_cost + rq->options->reserve_bytes;
            bytes_have = exoplace__amount_value(node->metric_bytes);
        }
        node->shortfall_bytes = exoplace__amount_of(bytes_needed > bytes_have ? bytes_needed - bytes_have : 0);
    }
    return EXOPLACE_OK;
}

/* Whether the rules leave cycles of `length` whatever the memory: tensor
 * sharding's divisors (placement.md 4, exo-main.md 5.4). */
static int length_allowed(const explain_request *rq, size_t length)
{
    if (rq->options->sharding != EXOPLACE_SHARDING_TENSOR)
        return 1;
    if (rq->options->rules == EXOPLACE_RULES_EXO_MAIN)
        return exoplace__exo_main_tensor_length_ok(rq->model, length);
    return rq->model->hidden_size == 0 || rq->model->hidden_size % length == 0;
}

/* The best cycle so far of a candidate search. */
typedef struct best_cycle {
    uint32_t *nodes;
    size_t length; /* 0: none yet */
    exoplace__u128 sum;
} best_cycle;

/* Searches cycles of `length` for one better than the best: a greater sum,
 * or an equal sum and fewer nodes (fewer nodes to run on), and takes it.
 * E_SEARCH_LIMIT when the work bound stopped the search. */
static exoplace_status try_length(best_cycle *best, uint32_t *scratch, exoplace__search *search,
                                  const explain_request *rq, exoplace_memory_tier tier, size_t length,
                                  exoplace_error *err)
{
    exoplace__u128 required = !best->length ? 0 : length < best->length ? best->sum : best->sum + 1;
    int found = 0;
    exoplace_error search_err;
    exoplace__error_clear(&search_err);
    exoplace_status st;
    if (rq->options->rules == EXOPLACE_RULES_EXO_MAIN) {
        exoplace__exo_main_graph *graph = NULL;
        st = exoplace__search_exo_main_graph(&graph, search, &search_err);
        if (st == EXOPLACE_OK)
            st = exoplace__exo_main_greatest(scratch, &found, graph, search, rq->model, rq->options, tier, length,
                                             required, &search_err);
    } else {
        st = exoplace__search_greatest_cycle(search, length, required, scratch, &found, &search_err);
    }
    if (st == EXOPLACE_E_SEARCH_LIMIT)
        return st;
    if (st)
        return exoplace__fail_from(err, &search_err);
    if (found) {
        best->length = length;
        best->sum = 0;
        for (size_t i = 0; i < length; i++)
            best->sum += exoplace__search_metric(search, scratch[i]);
        memcpy(best->nodes, scratch, length * sizeof *scratch);
    }
    return EXOPLACE_OK;
}

/* The greatest candidate of the tier: the cycle of an allowed length of
 * min_nodes or more with the greatest sum, the shortest of equal sums. */
static exoplace_status candidate_search(exoplace_explained_tier *et, exoplace__search *search,
                                        const explain_request *rq, exoplace_memory_tier tier, exoplace_error *err)
{
    size_t placeable = exoplace__search_view_count(search);
    size_t longest = rq->by_layers && rq->model->n_layers < placeable ? rq->model->n_layers : placeable;
    uint32_t *scratch = malloc((placeable ? placeable : 1) * sizeof *scratch);
    best_cycle best = {malloc((placeable ? placeable : 1) * sizeof *best.nodes), 0, 0};
    exoplace_status st = EXOPLACE_OK;
    if (!scratch || !best.nodes) {
        st = exoplace__fail_no_memory(err);
        goto done;
    }
    uint64_t bound = rq->options->max_search_steps ? rq->options->max_search_steps : EXOPLACE_DEFAULT_MAX_SEARCH_STEPS;
    et->complete = 1;
    /* A quarter of the work on the longest allowed length first: in a dense
     * graph its cycle is found at once and rules out every shorter length by
     * the largest metrics alone. The walk up from min_nodes has the rest and
     * decides: a probe the bound stopped only leaves no best yet. */
    size_t probe = longest;
    while (probe > rq->options->min_nodes && !length_allowed(rq, probe))
        probe--;
    if (probe > rq->options->min_nodes) {
        exoplace__search_reset_work(search, bound / 4 ? bound / 4 : 1);
        st = try_length(&best, scratch, search, rq, tier, probe, err);
        if (st && st != EXOPLACE_E_SEARCH_LIMIT)
            goto done;
        bound -= bound / 4;
    }
    exoplace__search_reset_work(search, bound);
    st = EXOPLACE_OK;
    for (size_t l = rq->options->min_nodes; l <= longest && st == EXOPLACE_OK; l++)
        if (length_allowed(rq, l))
            st = try_length(&best, scratch, search, rq, tier, l, err);
    if (st == EXOPLACE_E_SEARCH_LIMIT) {
        et->complete = 0;
        st = EXOPLACE_OK;
    }
    if (st == EXOPLACE_OK)
        st = candidate_fill(et, search, rq, best.nodes, best.length, err);
done:
    free(scratch);
    free(best.nodes);
    return st;
}

/* One tier: the attempt, the view's sums and the candidate. */
static exoplace_status tier_explain(exoplace_explained_tier *et, exoplace__search *search, const explain_request *rq,
                                    exoplace_memory_tier tier, exoplace_error *err)
{
    et->tier = tier;
    et->by_layers = rq->by_layers;
    et->need = exoplace__amount_of(rq->need);
    exoplace_placement placement;
    memset(&placement, 0, sizeof placement);
    exoplace__error_clear(&et->error);
    et->status = exoplace__place_attempt(&placement, search, rq->model, rq->options, tier, &et->error);
    if (et->status && !exoplace_status_is_placement_failure(et->status)) {
        exoplace_placement_dispose(&placement);
        return exoplace__fail_from(err, &et->error);
    }
    exoplace_status st = use_view(search, rq, tier, err);
    if (st == EXOPLACE_OK) {
        et->cluster_sum = exoplace__amount_of(exoplace__search_metric_total(search));
        et->n_cluster_nodes = exoplace__search_view_count(search);
        et->complete = 1;
    }
    if (st == EXOPLACE_OK && et->status == EXOPLACE_OK) {
        /* The candidate is the placement's cycle. */
        uint32_t *cycle = malloc((placement.n_nodes ? placement.n_nodes : 1) * sizeof *cycle);
        if (!cycle) {
            st = exoplace__fail_no_memory(err);
        } else {
            for (size_t i = 0; i < placement.n_nodes; i++)
                cycle[i] = (uint32_t)placement.shards[i].node_index;
            st = candidate_fill(et, search, rq, cycle, placement.n_nodes, err);
            free(cycle);
        }
    } else if (st == EXOPLACE_OK) {
        st = candidate_search(et, search, rq, tier, err);
    }
    exoplace_placement_dispose(&placement);
    return st;
}

/* Whether every node has the same metric in both tiers (swap without swap
 * space is total): a seed attempt and its candidate then repeat exactly. */
static int same_metrics(const exoplace_topology *t, exoplace_memory_tier a, exoplace_memory_tier b)
{
    for (size_t i = 0; i < t->n_nodes; i++)
        if (exoplace__node_metric(&t->nodes[i], a) != exoplace__node_metric(&t->nodes[i], b))
            return 0;
    return 1;
}

/* *to = *from for another tier with the same metrics, the candidate copied. */
static exoplace_status tier_copy(exoplace_explained_tier *to, const exoplace_explained_tier *from,
                                 exoplace_memory_tier tier, exoplace_error *err)
{
    *to = *from;
    to->tier = tier;
    to->candidate = malloc((from->n_candidate ? from->n_candidate : 1) * sizeof *to->candidate);
    if (!to->candidate) {
        to->n_candidate = 0;
        return exoplace__fail_no_memory(err);
    }
    memcpy(to->candidate, from->candidate, from->n_candidate * sizeof *to->candidate);
    return EXOPLACE_OK;
}

/* Appends a rule that removed the lengths first..last (0, 0: every length). */
static exoplace_explained_rule *rule_add(exoplace_explanation *out, exoplace_status status, uint32_t first,
                                         uint32_t last)
{
    exoplace_explained_rule *rules = realloc(out->rules_applied, (out->n_rules + 1) * sizeof *rules);
    if (!rules)
        return NULL;
    out->rules_applied = rules;
    exoplace_explained_rule *rule = &rules[out->n_rules++];
    memset(rule, 0, sizeof *rule);
    rule->status = status;
    rule->first_length = first;
    rule->last_length = last;
    return rule;
}

/* The seed rules that remove cycle lengths whatever the memory: one entry
 * per run of consecutive lengths a rule removes. */
/* Why tensor sharding refuses cycles of `length` (length_allowed() false):
 * the hidden size, or under exo-main the key-value heads. */
static int tensor_reason_is_heads(const explain_request *rq, size_t length)
{
    return rq->options->rules == EXOPLACE_RULES_EXO_MAIN && rq->model->hidden_size % length == 0;
}

/* The rules that remove cycle lengths whatever the memory: one entry per
 * run of consecutive lengths a rule removes for one reason. */
static exoplace_status rules_explain(exoplace_explanation *out, const explain_request *rq, size_t placeable,
                                     exoplace_error *err)
{
    const exoplace_model *model = rq->model;
    const exoplace_place_options *options = rq->options;
    int exo_main = options->rules == EXOPLACE_RULES_EXO_MAIN;
    int tensor = options->sharding == EXOPLACE_SHARDING_TENSOR;
    if (tensor && model->supports_tensor == 0) {
        exoplace_status status = exo_main ? EXOPLACE_E_TENSOR_UNSUPPORTED : EXOPLACE_E_TENSOR_NOT_SUPPORTED;
        exoplace_explained_rule *rule = rule_add(out, status, 0, 0);
        if (!rule)
            return exoplace__fail_no_memory(err);
        exoplace_error text; /* the id as valid UTF-8, cut to fit */
        exoplace__error_clear(&text);
        exoplace__fail(&text, status, NULL, "model %s does not support tensor parallelism", model->model_id);
        memcpy(rule->message, text.message, sizeof rule->message);
    }
    for (size_t l = options->min_nodes; tensor && l <= placeable; l++) {
        if (length_allowed(rq, l))
            continue;
        int heads = tensor_reason_is_heads(rq, l);
        size_t last = l;
        while (last + 1 <= placeable && !length_allowed(rq, last + 1) && tensor_reason_is_heads(rq, last + 1) == heads)
            last++;
        exoplace_status status = exo_main ? EXOPLACE_E_TENSOR_INDIVISIBLE : EXOPLACE_E_NO_TENSOR_SHARDING;
        exoplace_explained_rule *rule = rule_add(out, status, (uint32_t)l, (uint32_t)last);
        if (!rule)
            return exoplace__fail_no_memory(err);
        char what[64];
        if (heads)
            snprintf(what, sizeof what, "%u key-value heads", model->num_key_value_heads);
        else
            snprintf(what, sizeof what, "hidden_size %u", model->hidden_size);
        if (last == l)
            snprintf(rule->message, sizeof rule->message, "%s %s not divisible by %zu", what, heads ? "are" : "is", l);
        else
            snprintf(rule->message, sizeof rule->message, "%s %s not divisible by any of %zu to %zu nodes", what,
                     heads ? "are" : "is", l, last);
        l = last;
    }
    if (rq->by_layers && options->min_nodes > model->n_layers) {
        exoplace_explained_rule *rule = rule_add(out, EXOPLACE_E_INVALID_SPLIT, 0, 0);
        if (!rule)
            return exoplace__fail_no_memory(err);
        snprintf(rule->message, sizeof rule->message, "%u layers cannot give each of at least %u nodes a layer",
                 model->n_layers, options->min_nodes);
    }
    return EXOPLACE_OK;
}

void exoplace_explanation_dispose(exoplace_explanation *explanation)
{
    if (!explanation)
        return;
    for (size_t i = 0; i < explanation->n_tiers; i++)
        free(explanation->tiers[i].candidate);
    free(explanation->tiers);
    free(explanation->rules_applied);
    memset(explanation, 0, sizeof *explanation);
}

/* The tiers in ladder order from `first`, as exoplace_explain() tries them. */
static size_t tiers_to_try(exoplace_memory_tier *tiers, exoplace_memory_tier first, int pressure)
{
    size_t n = 0;
    for (int tier = (int)first; tier <= EXOPLACE_TIER_SWAP; tier++)
        if (tier == (int)first || tier != EXOPLACE_TIER_PRESSURE || pressure)
            tiers[n++] = (exoplace_memory_tier)tier;
    return n;
}

exoplace_status exoplace__explain_in(exoplace_explanation *out, exoplace__search *search, const exoplace_model *model,
                                     const exoplace_place_options *resolved, exoplace_error *err)
{
    const exoplace_topology *topology = exoplace__search_topology(search);
    memset(out, 0, sizeof *out);
    explain_request rq = {model, resolved, 0, 0, model->storage_size};
    rq.by_layers = resolved->strategy == EXOPLACE_LAYERS_FIT && resolved->sharding == EXOPLACE_SHARDING_PIPELINE;
    if (rq.by_layers) {
        rq.layer_cost = exoplace__fit_layer_cost(model);
        rq.need = model->n_layers;
    }
    out->rules = resolved->rules;
    out->sharding = resolved->sharding;
    out->min_nodes = resolved->min_nodes;
    out->layer_cost = exoplace__amount_of(rq.by_layers ? rq.layer_cost : 0);
    out->reserve_bytes = resolved->reserve_bytes;
    exoplace_memory_tier tiers[EXOPLACE_TIER_COUNT];
    size_t n_tiers = tiers_to_try(tiers, resolved->memory_tier, exoplace__topology_reports_pressure(topology));
    exoplace_status st = EXOPLACE_OK;
    out->tiers = calloc(n_tiers, sizeof *out->tiers);
    if (!out->tiers)
        st = exoplace__fail_no_memory(err);
    for (size_t i = 0; st == EXOPLACE_OK && i < n_tiers && !out->placed; i++) {
        out->n_tiers++;
        if (i > 0 && resolved->rules == EXOPLACE_RULES_SEED && same_metrics(topology, tiers[i - 1], tiers[i]))
            st = tier_copy(&out->tiers[i], &out->tiers[i - 1], tiers[i], err);
        else
            st = tier_explain(&out->tiers[i], search, &rq, tiers[i], err);
        if (st == EXOPLACE_OK && out->tiers[i].status == EXOPLACE_OK) {
            out->placed = 1;
            out->placing_tier = tiers[i];
        }
    }
    if (st == EXOPLACE_OK)
        st = rules_explain(out, &rq, exoplace__search_placeable_count(search), err);
    if (st)
        exoplace_explanation_dispose(out);
    return st;
}

exoplace_status exoplace_explain(exoplace_explanation *out, const exoplace_topology *topology,
                                 const exoplace_model *model, const exoplace_place_options *options,
                                 exoplace_error *err)
{
    exoplace__error_clear(err);
    if (out)
        memset(out, 0, sizeof *out);
    if (!out || !topology)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "out and topology must not be NULL");
    exoplace_place_options resolved;
    exoplace_status st = exoplace__check_request(&resolved, model, options, err);
    exoplace__search *search = NULL;
    if (st == EXOPLACE_OK)
        st = exoplace__search_new(&search, topology, err);
    if (st == EXOPLACE_OK)
        st = exoplace__explain_in(out, search, model, &resolved, err);
    exoplace__search_free(search);
    return st;
}
