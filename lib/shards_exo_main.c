/* exo-main's shards (exo-main.md 5.12 and 6, exo's placement_utils.py
 * get_shard_assignments): floating point is part of the rule, so the split
 * computes exactly what exo's Python computes, double for double. */
#include "shards_exo_main.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "place.h"
#include "sort.h"

/* ---- the GB text of the per-node check ---------------------------------- */

/* Decimal digits of v into buf (at least 40 bytes); returns their count. */
static size_t u128_digits(char *buf, exoplace__u128 v)
{
    char tmp[40];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + (unsigned)(v % 10));
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

void exoplace__gb_text(char *buf, size_t size, exoplace__u128 bytes)
{
    double x = exoplace__u128_quotient(bytes, (exoplace__u128)1 << 30);
    /* x = mantissa * 2^e exactly; hundredths = x * 100 rounded half to even. */
    int e2 = 0;
    double f = frexp(x, &e2);
    exoplace__u128 scaled = (exoplace__u128)(uint64_t)ldexp(f, 53) * 100;
    int e = e2 - 53;
    exoplace__u128 hundredths;
    if (x == 0.0) {
        hundredths = 0;
    } else if (e >= 0) {
        hundredths = scaled << e; /* x < 2^98: bytes < 2^128 */
    } else if (-e >= 120) {
        hundredths = 0; /* below 2^-60: far from half a hundredth */
    } else {
        unsigned s = (unsigned)-e;
        exoplace__u128 whole = scaled >> s, rest = scaled & (((exoplace__u128)1 << s) - 1);
        exoplace__u128 half = (exoplace__u128)1 << (s - 1);
        hundredths = whole + (rest > half || (rest == half && (whole & 1)));
    }
    char text[48];
    size_t n = u128_digits(text, hundredths / 100);
    unsigned cents = (unsigned)(hundredths % 100);
    text[n++] = '.';
    text[n++] = (char)('0' + cents / 10);
    text[n++] = (char)('0' + cents % 10);
    text[n] = '\0';
    exoplace__copy_text(buf, size, text);
}

/* ---- the split (6.1) ------------------------------------------------------ */

static int remainder_before(const void *ctx, uint32_t a, uint32_t b)
{
    const double *remainder = ctx;
    return remainder[a] > remainder[b]; /* descending; the merge sort keeps ties in index order */
}

exoplace_status exoplace__exo_main_split(uint32_t *counts_out, const exoplace__u128 *a, const char *const *node_ids,
                                         size_t m, uint64_t storage_size, uint32_t n_layers, exoplace_error *err)
{
    exoplace__u128 total = 0;
    for (size_t i = 0; i < m; i++)
        total += a[i];
    if (total == 0)
        return exoplace__fail(err, EXOPLACE_E_ZERO_MEMORY, NULL,
                              "Cannot create shard assignments: total available memory is 0");
    if (n_layers < m)
        return exoplace__fail(err, EXOPLACE_E_TOO_FEW_LAYERS, NULL,
                              "Cannot distribute %u layers across %zu nodes (need at least 1 layer per node)",
                              (unsigned)n_layers, m);
    double *remainder = malloc(m * sizeof *remainder);
    uint32_t *order = malloc(m * sizeof *order);
    uint32_t *tmp = malloc(m * sizeof *tmp);
    if (!remainder || !order || !tmp) {
        free(remainder);
        free(order);
        free(tmp);
        return exoplace__fail_no_memory(err);
    }
    /* raw = fraction * L in doubles, floored; leftovers by descending remainder. */
    uint64_t given = 0;
    for (size_t i = 0; i < m; i++) {
        double raw = exoplace__u128_quotient(a[i], total) * (double)n_layers;
        double whole = trunc(raw);
        counts_out[i] = (uint32_t)whole;
        remainder[i] = raw - whole;
        given += counts_out[i];
        order[i] = (uint32_t)i;
    }
    exoplace__sort(order, tmp, m, remainder_before, remainder);
    /* Rounding keeps the floored sum within n_layers, and the leftovers below m. */
    for (uint64_t k = 0; given + k < n_layers && k < m; k++)
        counts_out[order[k]]++;
    /* At least one layer each, taken from the first node holding the most. */
    for (size_t i = 0; i < m; i++) {
        if (counts_out[i] != 0)
            continue;
        size_t most = 0;
        for (size_t j = 1; j < m; j++)
            if (counts_out[j] > counts_out[most])
                most = j;
        counts_out[most]--;
        counts_out[i] = 1;
    }
    free(remainder);
    free(order);
    free(tmp);

    for (size_t i = 0; i < m; i++) {
        exoplace__u128 need = (exoplace__u128)storage_size * counts_out[i] / n_layers;
        if (need > a[i]) {
            char need_gb[48], have_gb[48];
            exoplace__gb_text(need_gb, sizeof need_gb, need);
            exoplace__gb_text(have_gb, sizeof have_gb, a[i]);
            return exoplace__fail(err, EXOPLACE_E_NODE_INSUFFICIENT_MEMORY, NULL,
                                  "Node %zu (%s) has insufficient memory: requires %s GB for %u layers, but only "
                                  "has %s GB available",
                                  i, node_ids[i], need_gb, (unsigned)counts_out[i], have_gb);
        }
    }
    return EXOPLACE_OK;
}

/* ---- shards (6.2 - 6.4) --------------------------------------------------- */

/* The split over the first m nodes of the cycle, in the tier's metric. */
static exoplace_status split_cycle(uint32_t *counts_out, const exoplace_topology *topology, const uint32_t *cycle,
                                   size_t m, const exoplace_model *model, exoplace_memory_tier tier,
                                   exoplace_error *err)
{
    exoplace__u128 *a = malloc(m * sizeof *a);
    const char **ids = malloc(m * sizeof *ids);
    exoplace_status st;
    if (!a || !ids) {
        st = exoplace__fail_no_memory(err);
    } else {
        for (size_t i = 0; i < m; i++) {
            a[i] = exoplace__node_metric(&topology->nodes[cycle[i]], tier);
            ids[i] = topology->nodes[cycle[i]].id;
        }
        st = exoplace__exo_main_split(counts_out, a, ids, m, model->storage_size, model->n_layers, err);
    }
    free(a);
    free(ids);
    return st;
}

exoplace_status exoplace__exo_main_shards(exoplace_placement *out, const exoplace_topology *topology,
                                          const uint32_t *cycle, size_t n_nodes, const exoplace_model *model,
                                          exoplace_sharding sharding, exoplace_instance_meta instance_meta,
                                          exoplace_memory_tier tier, exoplace_error *err)
{
    memset(out, 0, sizeof *out);
    if (n_nodes == 0 || n_nodes > topology->n_nodes)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "cycle", "a cycle of %zu nodes in a topology of %zu",
                              n_nodes, topology->n_nodes);
    for (size_t i = 0; i < n_nodes; i++)
        if (cycle[i] >= topology->n_nodes)
            return exoplace__fail_item(err, EXOPLACE_E_INVALID_ARGUMENT, "cycle", i, "", "node index out of range");
    /* 5.12: one node runs Pipeline on MlxRing, whatever was asked. */
    if (n_nodes == 1) {
        sharding = EXOPLACE_SHARDING_PIPELINE;
        instance_meta = EXOPLACE_INSTANCE_MLX_RING;
    }
    int cfg = sharding == EXOPLACE_SHARDING_PIPELINE && model->uses_cfg && n_nodes % 2 == 0;
    size_t split_nodes = cfg ? n_nodes / 2 : n_nodes;

    exoplace_shard *shards = calloc(n_nodes, sizeof *shards);
    /* counts[0..split_nodes) and after them the starts of each stage. */
    uint32_t *counts = sharding == EXOPLACE_SHARDING_PIPELINE ? malloc(2 * split_nodes * sizeof *counts) : NULL;
    uint32_t *order = malloc(2 * n_nodes * sizeof *order);
    uint32_t *starts = NULL;
    exoplace_status st = EXOPLACE_OK;
    if (!shards || !order || (sharding == EXOPLACE_SHARDING_PIPELINE && !counts)) {
        st = exoplace__fail_no_memory(err);
        goto done;
    }
    if (counts && (st = split_cycle(counts, topology, cycle, split_nodes, model, tier, err)))
        goto done;
    starts = counts ? counts + split_nodes : NULL;
    for (size_t q = 0; starts && q < split_nodes; q++)
        starts[q] = q ? starts[q - 1] + counts[q - 1] : 0;
    for (size_t p = 0; p < n_nodes; p++) {
        exoplace_shard *sh = &shards[p];
        exoplace__shard_set_rank(sh, topology, cycle, p, n_nodes, model->n_layers);
        if (sharding == EXOPLACE_SHARDING_TENSOR) {
            sh->kind = EXOPLACE_SHARD_TENSOR;
            sh->start_layer = 0;
            sh->end_layer = model->n_layers;
            continue;
        }
        size_t stage = p;
        if (cfg) {
            /* The second pipeline runs in reverse, so both last stages are ring neighbours. */
            sh->kind = EXOPLACE_SHARD_CFG;
            sh->cfg_rank = p < split_nodes ? 0 : 1;
            sh->cfg_world_size = 2;
            stage = p < split_nodes ? p : n_nodes - 1 - p;
            sh->pipeline_rank = (uint32_t)stage;
            sh->pipeline_world_size = (uint32_t)split_nodes;
        } else {
            sh->kind = EXOPLACE_SHARD_PIPELINE;
        }
        sh->start_layer = starts[stage];
        sh->end_layer = starts[stage] + counts[stage];
    }
    exoplace__shards_memory_delta(shards, n_nodes, model->storage_size, order, order + n_nodes);

    out->rules = EXOPLACE_RULES_EXO_MAIN;
    out->sharding = sharding;
    out->instance_meta = instance_meta;
    out->memory_tier = tier;
    out->is_low_memory = tier != EXOPLACE_TIER_AVAILABLE;
    out->n_nodes = n_nodes;
    out->shards = shards;
    shards = NULL;
done:
    free(shards);
    free(counts);
    free(order);
    return st;
}
