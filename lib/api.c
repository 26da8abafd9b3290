/* The API shim: the memory-tier ladder (strict, then low memory), previews,
 * model fit and the model-list order (placement.md sections 5 and 7). */
#include "error.h"
#include "explain.h"
#include "place.h"
#include "sort.h"

#include <stdlib.h>

#include "alloc.h"
#include <string.h>

/* Walks the tiers from options->memory_tier: pressure only when a node
 * reports it, swap only when allowed, one attempt without fallback. Keeps the
 * first attempt's error; a search that hits its work bound ends the ladder. */
static exoplace_status ladder(exoplace_placement *out, exoplace__search *search, const exoplace_model *model,
                              const exoplace_place_options *options, exoplace_error *err)
{
    int pressure = exoplace__topology_reports_pressure(exoplace__search_topology(search));
    exoplace_status first = EXOPLACE_OK;
    for (int tier = (int)options->memory_tier; tier <= EXOPLACE_TIER_SWAP; tier++) {
        int is_first = first == EXOPLACE_OK;
        if (!is_first) {
            if (options->no_fallback)
                break;
            if (tier == EXOPLACE_TIER_PRESSURE && !pressure)
                continue;
            if (tier == EXOPLACE_TIER_SWAP && !options->allow_swap)
                continue;
        }
        exoplace_error attempt_err;
        exoplace__error_clear(&attempt_err);
        exoplace_status st = exoplace__place_attempt(out, search, model, options, (exoplace_memory_tier)tier,
                                                     &attempt_err);
        if (st == EXOPLACE_OK) {
            exoplace__error_clear(err); /* an earlier tier's error is not this call's */
            return EXOPLACE_OK;
        }
        /* Out of memory is the answer. So is an undecided search: a later tier
         * could place what this one might have placed with less memory, and
         * the caller would be told to free memory for nothing. */
        if (!exoplace_status_is_placement_failure(st) || st == EXOPLACE_E_SEARCH_LIMIT) {
            exoplace__error_clear(err);
            return exoplace__fail(err, st, attempt_err.field, "%s", attempt_err.message);
        }
        if (is_first) {
            first = st;
            exoplace__fail(err, st, attempt_err.field, "%s", attempt_err.message);
        }
    }
    return first;
}

/* Shared front of every placement entry point. */
static exoplace_status begin(exoplace__search **search, exoplace_place_options *resolved, exoplace_placement *out,
                             const exoplace_topology *topology, const exoplace_model *model,
                             const exoplace_place_options *options, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !topology)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "out and topology must not be NULL");
    memset(out, 0, sizeof *out);
    exoplace_status st = exoplace__check_request(resolved, model, options, err);
    return st ? st : exoplace__search_new(search, topology, err);
}

exoplace_status exoplace_place(exoplace_placement *out, const exoplace_topology *topology,
                               const exoplace_model *model, const exoplace_place_options *options,
                               exoplace_error *err)
{
    exoplace__search *search = NULL;
    exoplace_place_options resolved;
    exoplace_status st = begin(&search, &resolved, out, topology, model, options, err);
    if (st == EXOPLACE_OK)
        st = exoplace__place_attempt(out, search, model, &resolved, resolved.memory_tier, err);
    exoplace__search_free(search);
    return st;
}

exoplace_status exoplace_get_placement(exoplace_placement *out, const exoplace_topology *topology,
                                       const exoplace_model *model, const exoplace_place_options *options,
                                       exoplace_error *err)
{
    exoplace__search *search = NULL;
    exoplace_place_options resolved;
    exoplace_status st = begin(&search, &resolved, out, topology, model, options, err);
    if (st == EXOPLACE_OK)
        st = ladder(out, search, model, &resolved, err);
    exoplace__search_free(search);
    return st;
}

int exoplace_status_is_explained(exoplace_status status)
{
    /* A search that hit its work bound is not explained again: the
     * explanation would hit it too, several times over. */
    return exoplace_status_is_placement_failure(status) && status != EXOPLACE_E_SEARCH_LIMIT;
}

exoplace_status exoplace_get_placement_explained(exoplace_placement *out, exoplace_explanation *explanation,
                                                 const exoplace_topology *topology, const exoplace_model *model,
                                                 const exoplace_place_options *options, exoplace_error *err)
{
    if (!explanation) {
        exoplace__error_clear(err);
        if (out)
            memset(out, 0, sizeof *out);
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "explanation must not be NULL");
    }
    memset(explanation, 0, sizeof *explanation);
    exoplace__search *search = NULL;
    exoplace_place_options resolved;
    exoplace_status st = begin(&search, &resolved, out, topology, model, options, err);
    if (st == EXOPLACE_OK)
        st = ladder(out, search, model, &resolved, err);
    int explained = st == EXOPLACE_OK ? out->is_low_memory : exoplace_status_is_explained(st);
    if (search && explained) {
        exoplace_error explain_err;
        exoplace__error_clear(&explain_err);
        exoplace_status why = exoplace__explain_in(explanation, search, model, &resolved, &explain_err);
        if (why) {
            exoplace_placement_dispose(out);
            exoplace__error_clear(err);
            st = exoplace__fail_from(err, &explain_err);
        }
    }
    exoplace__search_free(search);
    return st;
}

/* ---- previews --------------------------------------------------------------- */

struct exoplace_preview_list {
    exoplace_preview *items;
    size_t count;
    size_t capacity;
};

void exoplace_preview_list_free(exoplace_preview_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++)
        exoplace_placement_dispose(&list->items[i].placement);
    free(list->items);
    free(list);
}

size_t exoplace_preview_list_count(const exoplace_preview_list *list)
{
    return list ? list->count : 0;
}

const exoplace_preview *exoplace_preview_list_get(const exoplace_preview_list *list, size_t index)
{
    return list && index < list->count ? &list->items[index] : NULL;
}

static exoplace_preview *preview_append(exoplace_preview_list *list)
{
    if (list->count == list->capacity) {
        size_t cap = list->capacity ? list->capacity * 2 : 8;
        exoplace_preview *p = realloc(list->items, cap * sizeof *p);
        if (!p)
            return NULL;
        list->items = p;
        list->capacity = cap;
    }
    exoplace_preview *p = &list->items[list->count++];
    memset(p, 0, sizeof *p);
    return p;
}

/* The outcome of one attempt of the previews loop. */
typedef struct attempt_result {
    exoplace_status status;
    exoplace_error error;
    exoplace_placement placement;
} attempt_result;

static exoplace_status copy_placement(exoplace_placement *dst, const exoplace_placement *src,
                                      exoplace_instance_meta meta)
{
    *dst = *src;
    /* An instance is owned by one placement: a copy has none of its own. */
    memset(&dst->instance, 0, sizeof dst->instance);
    dst->shards = malloc(src->n_nodes * sizeof *dst->shards);
    if (!dst->shards)
        return EXOPLACE_E_NO_MEMORY;
    memcpy(dst->shards, src->shards, src->n_nodes * sizeof *dst->shards);
    dst->instance_meta = src->n_nodes == 1 ? EXOPLACE_INSTANCE_MLX_RING : meta;
    return EXOPLACE_OK;
}

/*
 * The previews of one sharding, for instance_meta in (MlxRing, MlxJaccl)
 * and min_nodes in 1..n. In seed the instance_meta plays no part in the
 * placement, so both share one attempt per min_nodes; in exo-main it does
 * (5.8, 5.9) and every placement draws its own instance (8.6), so each is
 * its own attempt, and its placement moves into the preview.
 */
static exoplace_status previews_for_sharding(exoplace_preview_list *list, exoplace__search *search,
                                             const exoplace_model *model, exoplace_place_options *options,
                                             exoplace_sharding sharding, exoplace_error *err)
{
    size_t n = exoplace_topology_node_count(exoplace__search_topology(search));
    int exo_main = options->rules == EXOPLACE_RULES_EXO_MAIN;
    attempt_result *results = calloc(n, sizeof *results);
    uint8_t *seen = calloc(n + 1, 1);
    exoplace_status st = EXOPLACE_OK;
    if (!results || !seen) {
        st = exoplace__fail_no_memory(err);
        goto done;
    }
    options->sharding = sharding;
    for (int meta = EXOPLACE_INSTANCE_MLX_RING; meta <= EXOPLACE_INSTANCE_MLX_JACCL; meta++) {
        memset(seen, 0, n + 1);
        int error_seen = 0;
        options->instance_meta = (exoplace_instance_meta)meta;
        for (size_t k = 1; k <= n; k++) {
            attempt_result *r = &results[k - 1];
            if (exo_main || meta == EXOPLACE_INSTANCE_MLX_RING) {
                exoplace_placement_dispose(&r->placement);
                options->min_nodes = (uint32_t)k;
                exoplace__error_clear(&r->error);
                r->status = ladder(&r->placement, search, model, options, &r->error);
                if (r->status && !exoplace_status_is_placement_failure(r->status)) {
                    st = exoplace__fail(err, r->status, r->error.field, "%s", r->error.message);
                    goto done;
                }
            }
            if (r->status == EXOPLACE_OK ? seen[r->placement.n_nodes] : error_seen)
                continue;
            exoplace_preview *p = preview_append(list);
            if (!p) {
                st = exoplace__fail_no_memory(err);
                goto done;
            }
            p->rules = options->rules;
            p->sharding = sharding;
            p->instance_meta = (exoplace_instance_meta)meta;
            p->min_nodes = (uint32_t)k;
            p->status = r->status;
            if (r->status != EXOPLACE_OK) {
                error_seen = 1;
                p->error = r->error;
                continue;
            }
            seen[r->placement.n_nodes] = 1;
            if (exo_main) {
                p->placement = r->placement;
                memset(&r->placement, 0, sizeof r->placement);
            } else if (copy_placement(&p->placement, &r->placement, (exoplace_instance_meta)meta)) {
                st = exoplace__fail_no_memory(err);
                goto done;
            }
        }
    }
done:
    if (results)
        for (size_t k = 0; k < n; k++)
            exoplace_placement_dispose(&results[k].placement);
    free(results);
    free(seen);
    return st;
}

/* The whole previews call may do EXOPLACE_PREVIEWS_WORK_FACTOR searches' work. */
static uint64_t previews_work_bound(uint64_t max_search_steps)
{
    uint64_t one = max_search_steps ? max_search_steps : EXOPLACE_DEFAULT_MAX_SEARCH_STEPS;
    return one > UINT64_MAX / EXOPLACE_PREVIEWS_WORK_FACTOR ? UINT64_MAX : one * EXOPLACE_PREVIEWS_WORK_FACTOR;
}

exoplace_status exoplace__previews_list(exoplace_preview_list **out, exoplace__search **search,
                                        const exoplace_topology *topology, const exoplace_model *model,
                                        const exoplace_place_options *options, exoplace_error *err)
{
    *out = NULL;
    /* The loops set sharding, instance_meta and min_nodes: check the rest. */
    exoplace_place_options resolved, looped;
    if (options) {
        looped = *options;
        looped.sharding = EXOPLACE_SHARDING_PIPELINE;
        looped.instance_meta = EXOPLACE_INSTANCE_MLX_RING;
        looped.min_nodes = 1;
    }
    exoplace_status st = exoplace__check_request(&resolved, model, options ? &looped : NULL, err);
    if (st)
        return st;
    exoplace_preview_list *list = calloc(1, sizeof *list);
    if (!list)
        return exoplace__fail_no_memory(err);
    if (topology->n_nodes > 0) {
        if (!*search)
            st = exoplace__search_new(search, topology, err);
        /* One work bound for the whole model: 2 x node count x tiers attempts
         * would otherwise each get their own, which is no bound at all. */
        if (!st)
            exoplace__search_share_work(*search, previews_work_bound(resolved.max_search_steps));
        if (!st)
            st = previews_for_sharding(list, *search, model, &resolved, EXOPLACE_SHARDING_PIPELINE, err);
        if (!st)
            st = previews_for_sharding(list, *search, model, &resolved, EXOPLACE_SHARDING_TENSOR, err);
    }
    if (st) {
        exoplace_preview_list_free(list);
        return st;
    }
    *out = list;
    return EXOPLACE_OK;
}

exoplace_status exoplace_preview_list_new(exoplace_preview_list **out, const exoplace_topology *topology,
                                      const exoplace_model *model, const exoplace_place_options *options,
                                      exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !topology)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "out and topology must not be NULL");
    exoplace__search *search = NULL;
    exoplace_status st = exoplace__previews_list(out, &search, topology, model, options, err);
    exoplace__search_free(search);
    return st;
}

/* ---- model fit -------------------------------------------------------------- */

static void cluster_sums(const exoplace_topology *topology, exoplace__u128 *available, exoplace__u128 *total)
{
    *available = *total = 0;
    for (size_t i = 0; i < topology->n_nodes; i++) {
        const exoplace__node *node = &topology->nodes[i];
        if (!node->has_profile)
            continue;
        *available += node->memory.ram_available;
        *total += node->memory.ram_total;
    }
}

exoplace_status exoplace_model_fit_check(exoplace_model_fit *out, const exoplace_topology *topology,
                                         uint64_t storage_size, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !topology)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "out and topology must not be NULL");
    exoplace__u128 available, total;
    cluster_sums(topology, &available, &total);
    out->will_fit = storage_size <= available;
    out->can_fit = storage_size <= total;
    return EXOPLACE_OK;
}

typedef struct model_order {
    const exoplace_model *models;
    exoplace__u128 available, total;
} model_order;

static int model_before(const void *ctx, uint32_t a, uint32_t b)
{
    const model_order *o = ctx;
    const exoplace_model *ma = &o->models[a], *mb = &o->models[b];
    int can_a = ma->storage_size <= o->total, can_b = mb->storage_size <= o->total;
    if (can_a != can_b)
        return can_a;
    int will_a = ma->storage_size <= o->available, will_b = mb->storage_size <= o->available;
    if (will_a != will_b)
        return will_a;
    if (ma->storage_size != mb->storage_size)
        return ma->storage_size > mb->storage_size;
    return strcmp(ma->model_id, mb->model_id) < 0;
}

exoplace_status exoplace_models_order(size_t *order_out, const exoplace_topology *topology,
                                      const exoplace_model *models, size_t n_models, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!topology || (n_models && (!order_out || !models)))
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "order_out, topology and models must not be NULL");
    if (n_models > UINT32_MAX)
        return exoplace__fail(err, EXOPLACE_E_LIMIT, "n_models", "too many models");
    for (size_t i = 0; i < n_models; i++)
        if (!models[i].model_id)
            return exoplace__fail_item(err, EXOPLACE_E_INVALID_ARGUMENT, "models", i, ".model_id", "must not be NULL");
    if (n_models == 0)
        return EXOPLACE_OK;
    model_order o = {models, 0, 0};
    cluster_sums(topology, &o.available, &o.total);
    uint32_t *order = malloc(n_models * sizeof *order);
    uint32_t *tmp = malloc(n_models * sizeof *tmp);
    if (!order || !tmp) {
        free(order);
        free(tmp);
        return exoplace__fail_no_memory(err);
    }
    for (size_t i = 0; i < n_models; i++)
        order[i] = (uint32_t)i;
    exoplace__sort(order, tmp, n_models, model_before, &o);
    for (size_t i = 0; i < n_models; i++)
        order_out[i] = order[i];
    free(order);
    free(tmp);
    return EXOPLACE_OK;
}
