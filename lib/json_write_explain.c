/* The explanation object of docs/json.md "Explanations". */
#include "error.h"
#include "explain.h"
#include "json_write.h"
#include "json_write_instance.h"

static void member_amount(exoplace__json_writer *w, const char *key, exoplace_amount value)
{
    exoplace__jw_key(w, key);
    exoplace__jw_u128(w, exoplace__amount_value(value));
}

static void member_string(exoplace__json_writer *w, const char *key, const char *value)
{
    exoplace__jw_key(w, key);
    if (value)
        exoplace__jw_string(w, value);
    else
        exoplace__jw_null(w);
}

static void member_bool(exoplace__json_writer *w, const char *key, int value)
{
    exoplace__jw_key(w, key);
    exoplace__jw_bool(w, value);
}

static void write_node(exoplace__json_writer *w, const exoplace_explained_node *node)
{
    exoplace__jw_begin_object(w);
    member_string(w, "node_id", node->node_id);
    member_amount(w, "metric", node->metric);
    member_amount(w, "metric_bytes", node->metric_bytes);
    member_amount(w, "share", node->share);
    member_amount(w, "shortfall", node->shortfall);
    member_amount(w, "shortfall_bytes", node->shortfall_bytes);
    exoplace__jw_end_object(w);
}

static void write_tier(exoplace__json_writer *w, const exoplace_explained_tier *tier)
{
    exoplace__jw_begin_object(w);
    member_string(w, "tier", exoplace_memory_tier_name(tier->tier));
    member_string(w, "code", exoplace_status_name(tier->status));
    member_string(w, "error", tier->status == EXOPLACE_OK ? NULL : tier->error.message);
    member_amount(w, "need", tier->need);
    member_amount(w, "cluster_sum", tier->cluster_sum);
    exoplace__jw_member_u64(w, "cluster_nodes", tier->n_cluster_nodes);
    member_bool(w, "complete", tier->complete);
    exoplace__jw_key(w, "candidate");
    if (tier->n_candidate) {
        exoplace__jw_begin_object(w);
        member_amount(w, "sum", tier->candidate_sum);
        exoplace__jw_key(w, "nodes");
        exoplace__jw_begin_array(w);
        for (size_t i = 0; i < tier->n_candidate; i++)
            write_node(w, &tier->candidate[i]);
        exoplace__jw_end_array(w);
        exoplace__jw_end_object(w);
    } else {
        exoplace__jw_null(w);
    }
    member_amount(w, "gap", tier->gap);
    exoplace__jw_end_object(w);
}

void exoplace__json_write_explanation(exoplace__json_writer *w, const exoplace_explanation *e)
{
    int by_layers = e->n_tiers && e->tiers[0].by_layers;
    exoplace__jw_begin_object(w);
    member_string(w, "rules", exoplace_rules_name(e->rules));
    member_string(w, "sharding", exoplace_sharding_name(e->sharding));
    exoplace__jw_member_u64(w, "min_nodes", e->min_nodes);
    member_string(w, "unit", by_layers ? "layers" : "bytes");
    if (by_layers) {
        member_amount(w, "layer_cost", e->layer_cost);
        exoplace__jw_member_u64(w, "reserve_bytes", e->reserve_bytes);
    }
    member_bool(w, "placed", e->placed);
    member_string(w, "placing_tier", e->placed ? exoplace_memory_tier_name(e->placing_tier) : NULL);
    exoplace__jw_key(w, "tiers");
    exoplace__jw_begin_array(w);
    for (size_t i = 0; i < e->n_tiers; i++)
        write_tier(w, &e->tiers[i]);
    exoplace__jw_end_array(w);
    exoplace__jw_key(w, "rules_applied");
    exoplace__jw_begin_array(w);
    for (size_t i = 0; i < e->n_rules; i++) {
        const exoplace_explained_rule *rule = &e->rules_applied[i];
        exoplace__jw_begin_object(w);
        member_string(w, "code", exoplace_status_name(rule->status));
        exoplace__jw_member_u64(w, "first_length", rule->first_length);
        exoplace__jw_member_u64(w, "last_length", rule->last_length);
        member_string(w, "message", rule->message);
        exoplace__jw_end_object(w);
    }
    exoplace__jw_end_array(w);
    exoplace__jw_end_object(w);
}

exoplace_status exoplace_explanation_write_json(char **out, const exoplace_explanation *explanation,
                                                exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !explanation)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "out and the explanation must not be NULL");
    *out = NULL;
    exoplace__json_writer w;
    exoplace__jw_init(&w);
    exoplace__json_write_explanation(&w, explanation);
    exoplace_status st = exoplace__json_check_output_size(&w, err);
    if (st) {
        exoplace__jw_dispose(&w);
        return st;
    }
    return exoplace__jw_finish(out, &w, err);
}
