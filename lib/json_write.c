/* JSON text writer: Python's json.dumps layout (", " and ": ") or compact
 * ("," and ":"), exact unsigned 64-bit numbers, strings escaped as JSON
 * requires. */
#include "json_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "json_write_instance.h"
#include "utf8.h"
#include "sort.h"

void exoplace__jw_init(exoplace__json_writer *w)
{
    memset(w, 0, sizeof *w);
}

void exoplace__jw_init_compact(exoplace__json_writer *w)
{
    exoplace__jw_init(w);
    w->compact = 1;
}

void exoplace__jw_dispose(exoplace__json_writer *w)
{
    free(w->text);
    exoplace__jw_init(w);
}

exoplace_status exoplace__jw_finish(char **out, exoplace__json_writer *w, exoplace_error *err)
{
    if (w->out_of_memory || !w->text) {
        exoplace__jw_dispose(w);
        return exoplace__fail_no_memory(err);
    }
    *out = w->text;
    w->text = NULL;
    exoplace__jw_dispose(w);
    return EXOPLACE_OK;
}

static void put(exoplace__json_writer *w, const char *bytes, size_t n)
{
    if (w->out_of_memory)
        return;
    if (w->capacity - w->len <= n) {
        size_t capacity = w->capacity ? w->capacity : 256;
        while (capacity - w->len <= n)
            capacity *= 2;
        char *grown = realloc(w->text, capacity);
        if (!grown) {
            w->out_of_memory = 1;
            return;
        }
        w->text = grown;
        w->capacity = capacity;
    }
    memcpy(w->text + w->len, bytes, n);
    w->len += n;
    w->text[w->len] = '\0';
}

static void put_text(exoplace__json_writer *w, const char *text)
{
    put(w, text, strlen(text));
}

/* Separator before a value: none after a key, ", " between items. */
static void before_value(exoplace__json_writer *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth == 0)
        return;
    if (w->has_items[w->depth - 1])
        put_text(w, w->compact ? "," : ", ");
    w->has_items[w->depth - 1] = 1;
}

static void open_container(exoplace__json_writer *w, const char *bracket)
{
    before_value(w);
    put_text(w, bracket);
    /* Responses are shallow; deeper nesting would be a bug in json.c. */
    if (w->depth < EXOPLACE__JSON_WRITER_DEPTH)
        w->has_items[w->depth++] = 0;
    else
        w->out_of_memory = 1;
}

static void close_container(exoplace__json_writer *w, const char *bracket)
{
    if (w->depth)
        w->depth--;
    put_text(w, bracket);
}

void exoplace__jw_begin_object(exoplace__json_writer *w)
{
    open_container(w, "{");
}

void exoplace__jw_end_object(exoplace__json_writer *w)
{
    close_container(w, "}");
}

void exoplace__jw_begin_array(exoplace__json_writer *w)
{
    open_container(w, "[");
}

void exoplace__jw_end_array(exoplace__json_writer *w)
{
    close_container(w, "]");
}

/* A JSON string of s. Every document the library writes is valid UTF-8:
 * a byte that starts no valid UTF-8 sequence (a C caller's text) is written
 * as U+FFFD. */
static void put_quoted(exoplace__json_writer *w, const char *s)
{
    put_text(w, "\"");
    const char *run = s;
    while (*s) {
        unsigned char c = (unsigned char)*s;
        const char *escape = NULL;
        char unicode[8];
        size_t length = 1;
        switch (c) {
        case '"': escape = "\\\""; break;
        case '\\': escape = "\\\\"; break;
        case '\n': escape = "\\n"; break;
        case '\r': escape = "\\r"; break;
        case '\t': escape = "\\t"; break;
        case '\b': escape = "\\b"; break;
        case '\f': escape = "\\f"; break;
        default:
            if (c < 0x20) {
                snprintf(unicode, sizeof unicode, "\\u%04x", c);
                escape = unicode;
            } else if (c >= 0x80) {
                length = exoplace__utf8_sequence((const unsigned char *)s, strnlen(s, 4));
                if (length == 0) {
                    escape = "\\ufffd";
                    length = 1;
                }
            }
        }
        if (escape) {
            put(w, run, (size_t)(s - run));
            put_text(w, escape);
            run = s + length;
        }
        s += length;
    }
    put(w, run, (size_t)(s - run));
    put_text(w, "\"");
}

void exoplace__jw_key(exoplace__json_writer *w, const char *key)
{
    before_value(w);
    put_quoted(w, key);
    put_text(w, w->compact ? ":" : ": ");
    w->after_key = 1;
}

void exoplace__jw_string(exoplace__json_writer *w, const char *value)
{
    before_value(w);
    put_quoted(w, value);
}

void exoplace__jw_u64(exoplace__json_writer *w, uint64_t value)
{
    char digits[24];
    size_t n = sizeof digits;
    do {
        digits[--n] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    before_value(w);
    put(w, digits + n, sizeof digits - n);
}

void exoplace__jw_u128(exoplace__json_writer *w, exoplace__u128 value)
{
    char digits[EXOPLACE__U128_TEXT_BYTES];
    exoplace__u128_text(digits, value);
    before_value(w);
    put_text(w, digits);
}

void exoplace__jw_member_u64(exoplace__json_writer *w, const char *key, uint64_t value)
{
    exoplace__jw_key(w, key);
    exoplace__jw_u64(w, value);
}

void exoplace__jw_raw(exoplace__json_writer *w, const char *json, size_t len)
{
    before_value(w);
    put(w, json, len);
}

void exoplace__jw_float_literal(exoplace__json_writer *w, const char *literal, size_t len)
{
    exoplace__jw_raw(w, literal, len);
    if (!memchr(literal, '.', len) && !memchr(literal, 'e', len) && !memchr(literal, 'E', len))
        put_text(w, ".0");
}

void exoplace__jw_bool(exoplace__json_writer *w, int value)
{
    before_value(w);
    put_text(w, value ? "true" : "false");
}

void exoplace__jw_null(exoplace__json_writer *w)
{
    before_value(w);
    put_text(w, "null");
}

/* ---- responses (docs/json.md "Output") ------------------------------------------- */

/* Writes with `write` into a fresh writer and hands the text to *out. */
static exoplace_status write_response(char **out, void (*write)(exoplace__json_writer *, const void *),
                                      const void *what, exoplace_error *err)
{
    exoplace__json_writer w;
    exoplace__jw_init(&w);
    write(&w, what);
    return exoplace__jw_finish(out, &w, err);
}

/* The same for a writer that can fail (an exo-main instance: its card, its size). */
typedef exoplace_status (*checked_writer)(exoplace__json_writer *w, const void *what, exoplace_error *err);

static exoplace_status write_checked_response(char **out, checked_writer write, const void *what,
                                              exoplace_error *err)
{
    exoplace__json_writer w;
    exoplace__jw_init(&w);
    exoplace_status st = write(&w, what, err);
    if (st == EXOPLACE_OK)
        st = exoplace__json_check_output_size(&w, err);
    if (st) {
        exoplace__jw_dispose(&w);
        return st;
    }
    return exoplace__jw_finish(out, &w, err);
}

static exoplace_status null_argument(exoplace_error *err)
{
    return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "out and the value to write must not be NULL");
}

static void write_nodes_and_shards(exoplace__json_writer *w, const exoplace_placement *placement)
{
    exoplace__jw_key(w, "nodes");
    exoplace__jw_begin_array(w);
    for (size_t i = 0; i < placement->n_nodes; i++)
        exoplace__jw_string(w, placement->shards[i].node_id);
    exoplace__jw_end_array(w);
    exoplace__jw_key(w, "shards");
    exoplace__jw_begin_array(w);
    for (size_t i = 0; i < placement->n_nodes; i++) {
        const exoplace_shard *shard = &placement->shards[i];
        exoplace__jw_begin_object(w);
        exoplace__jw_key(w, "node_id");
        exoplace__jw_string(w, shard->node_id);
        exoplace__jw_member_u64(w, "device_rank", shard->device_rank);
        exoplace__jw_member_u64(w, "world_size", shard->world_size);
        exoplace__jw_member_u64(w, "start_layer", shard->start_layer);
        exoplace__jw_member_u64(w, "end_layer", shard->end_layer);
        exoplace__jw_member_u64(w, "n_layers", shard->n_layers);
        exoplace__jw_end_object(w);
    }
    exoplace__jw_end_array(w);
}

static void write_tier(exoplace__json_writer *w, const exoplace_placement *placement)
{
    exoplace__jw_key(w, "is_low_memory");
    exoplace__jw_bool(w, placement->is_low_memory);
    exoplace__jw_key(w, "memory_tier");
    exoplace__jw_string(w, exoplace_memory_tier_name(placement->memory_tier));
}

typedef struct placement_with_model {
    const exoplace_placement *placement;
    const exoplace_model *model;
    const exoplace_explanation *explanation; /* NULL: none */
} placement_with_model;

/* The "explanation" member, when there is one. */
static void write_explanation_member(exoplace__json_writer *w, const exoplace_explanation *explanation)
{
    if (!explanation)
        return;
    exoplace__jw_key(w, "explanation");
    exoplace__json_write_explanation(w, explanation);
}

static void write_placement(exoplace__json_writer *w, const void *what)
{
    const placement_with_model *pm = what;
    const exoplace_placement *placement = pm->placement;
    exoplace__jw_begin_object(w);
    exoplace__jw_key(w, "ok");
    exoplace__jw_bool(w, 1);
    exoplace__jw_key(w, "model_id");
    exoplace__jw_string(w, pm->model->model_id);
    exoplace__jw_key(w, "sharding");
    exoplace__jw_string(w, exoplace_sharding_name(placement->sharding));
    exoplace__jw_key(w, "instance_meta");
    exoplace__jw_string(w, exoplace_instance_meta_name(placement->instance_meta));
    write_tier(w, placement);
    write_nodes_and_shards(w, placement);
    write_explanation_member(w, pm->explanation);
    exoplace__jw_end_object(w);
}

/* exo-main.md section 9: exo's instance and the tier that placed it. */
static exoplace_status write_exo_main_placement(exoplace__json_writer *w, const void *what, exoplace_error *err)
{
    const placement_with_model *pm = what;
    exoplace__jw_begin_object(w);
    exoplace__jw_key(w, "ok");
    exoplace__jw_bool(w, 1);
    exoplace__jw_key(w, "rules");
    exoplace__jw_string(w, exoplace_rules_name(EXOPLACE_RULES_EXO_MAIN));
    exoplace__jw_key(w, "instance");
    exoplace_status st = exoplace__json_write_instance(w, pm->placement, pm->model, err);
    write_tier(w, pm->placement);
    write_explanation_member(w, pm->explanation);
    exoplace__jw_end_object(w);
    return st;
}

exoplace_status exoplace_placement_write_json(char **out, const exoplace_placement *placement,
                                              const exoplace_model *model, exoplace_error *err)
{
    return exoplace_placement_explained_write_json(out, placement, model, NULL, err);
}

exoplace_status exoplace_placement_explained_write_json(char **out, const exoplace_placement *placement,
                                                         const exoplace_model *model,
                                                         const exoplace_explanation *explanation, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !placement || !model || !model->model_id)
        return null_argument(err);
    *out = NULL;
    placement_with_model pm = {placement, model, explanation};
    if (placement->rules == EXOPLACE_RULES_EXO_MAIN)
        return write_checked_response(out, write_exo_main_placement, &pm, err);
    return write_response(out, write_placement, &pm, err);
}

typedef struct failure_in_rules {
    const exoplace_error *failure;
    exoplace_rules rules;
    const exoplace_explanation *explanation; /* NULL: none */
} failure_in_rules;

static void write_failure(exoplace__json_writer *w, const void *what)
{
    const failure_in_rules *f = what;
    exoplace__jw_begin_object(w);
    exoplace__jw_key(w, "ok");
    exoplace__jw_bool(w, 0);
    if (f->rules == EXOPLACE_RULES_EXO_MAIN) {
        exoplace__jw_key(w, "rules");
        exoplace__jw_string(w, exoplace_rules_name(f->rules));
    }
    exoplace__jw_key(w, "code");
    exoplace__jw_string(w, exoplace_status_name(f->failure->code));
    exoplace__jw_key(w, "error");
    exoplace__jw_string(w, f->failure->message[0] ? f->failure->message : exoplace_status_str(f->failure->code));
    write_explanation_member(w, f->explanation);
    exoplace__jw_end_object(w);
}

exoplace_status exoplace_failure_write_json(char **out, const exoplace_error *failure, exoplace_rules rules,
                                            exoplace_error *err)
{
    return exoplace_failure_explained_write_json(out, failure, rules, NULL, err);
}

exoplace_status exoplace_failure_explained_write_json(char **out, const exoplace_error *failure,
                                                       exoplace_rules rules, const exoplace_explanation *explanation,
                                                       exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !failure)
        return null_argument(err);
    *out = NULL;
    if (!exoplace_status_is_placement_failure(failure->code))
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "failure.code", "%s is not a placement failure",
                              exoplace_status_name(failure->code));
    failure_in_rules f = {failure, rules, explanation};
    return write_response(out, write_failure, &f, err);
}

static int shard_id_before(const void *ctx, uint32_t a, uint32_t b)
{
    const exoplace_shard *shards = ctx;
    return strcmp(shards[a].node_id, shards[b].node_id) < 0;
}

/* memory_delta_by_node, keyed in id order (the order the bytes were split in). */
static void write_memory_delta(exoplace__json_writer *w, const exoplace_placement *placement)
{
    size_t n = placement->n_nodes;
    uint32_t *order = malloc((n ? n : 1) * 2 * sizeof *order);
    if (!order) {
        w->out_of_memory = 1;
        return;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    exoplace__sort(order, order + n, n, shard_id_before, placement->shards);
    exoplace__jw_begin_object(w);
    for (size_t i = 0; i < n; i++) {
        const exoplace_shard *shard = &placement->shards[order[i]];
        exoplace__jw_key(w, shard->node_id);
        exoplace__jw_u64(w, shard->memory_delta);
    }
    exoplace__jw_end_object(w);
    free(order);
}

static void write_preview(exoplace__json_writer *w, const char *model_id, const exoplace_preview *preview)
{
    int ok = preview->status == EXOPLACE_OK;
    exoplace__jw_begin_object(w);
    exoplace__jw_key(w, "model_id");
    exoplace__jw_string(w, model_id);
    exoplace__jw_key(w, "sharding");
    exoplace__jw_string(w, exoplace_sharding_name(preview->sharding));
    exoplace__jw_key(w, "instance_meta");
    exoplace__jw_string(w, exoplace_instance_meta_name(preview->instance_meta));
    if (ok) {
        write_nodes_and_shards(w, &preview->placement);
    } else {
        exoplace__jw_key(w, "nodes");
        exoplace__jw_null(w);
        exoplace__jw_key(w, "shards");
        exoplace__jw_null(w);
    }
    exoplace__jw_key(w, "memory_delta_by_node");
    if (ok) {
        write_memory_delta(w, &preview->placement);
    } else {
        exoplace__jw_begin_object(w);
        exoplace__jw_end_object(w);
    }
    exoplace__jw_key(w, "error");
    if (ok)
        exoplace__jw_null(w);
    else
        exoplace__jw_string(w, preview->error.message);
    exoplace__jw_key(w, "is_low_memory");
    exoplace__jw_bool(w, ok && preview->placement.is_low_memory);
    exoplace__jw_key(w, "memory_tier");
    if (ok)
        exoplace__jw_string(w, exoplace_memory_tier_name(preview->placement.memory_tier));
    else
        exoplace__jw_null(w);
    exoplace__jw_end_object(w);
}

typedef struct preview_lists {
    const exoplace_preview_list *const *lists;
    const exoplace_model *models;
    size_t count;
} preview_lists;

/* exo-main.md 8.6: exo's PlacementPreview, with the tier as extra members
 * (and the code of a failure). */
static exoplace_status write_exo_main_preview(exoplace__json_writer *w, const exoplace_model *model,
                                              const exoplace_preview *preview, exoplace_error *err)
{
    int ok = preview->status == EXOPLACE_OK;
    exoplace_status st = EXOPLACE_OK;
    exoplace__jw_begin_object(w);
    exoplace__jw_key(w, "model_id");
    exoplace__jw_string(w, model->model_id);
    exoplace__jw_key(w, "sharding");
    exoplace__jw_string(w, exoplace_sharding_name(preview->sharding));
    exoplace__jw_key(w, "instance_meta");
    exoplace__jw_string(w, exoplace_instance_meta_name(preview->instance_meta));
    exoplace__jw_key(w, "instance");
    if (ok)
        st = exoplace__json_write_instance(w, &preview->placement, model, err);
    else
        exoplace__jw_null(w);
    exoplace__jw_key(w, "memory_delta_by_node");
    if (ok)
        write_memory_delta(w, &preview->placement);
    else
        exoplace__jw_null(w);
    exoplace__jw_key(w, "error");
    if (ok) {
        exoplace__jw_null(w);
    } else {
        exoplace__jw_string(w, preview->error.message);
        exoplace__jw_key(w, "code");
        exoplace__jw_string(w, exoplace_status_name(preview->status));
    }
    if (ok) {
        write_tier(w, &preview->placement);
    } else {
        exoplace__jw_key(w, "is_low_memory");
        exoplace__jw_bool(w, 0);
        exoplace__jw_key(w, "memory_tier");
        exoplace__jw_null(w);
    }
    exoplace__jw_end_object(w);
    return st;
}

static exoplace_status write_preview_lists(exoplace__json_writer *w, const void *what, exoplace_error *err)
{
    const preview_lists *p = what;
    exoplace_status st = EXOPLACE_OK;
    exoplace__jw_begin_object(w);
    exoplace__jw_key(w, "previews");
    exoplace__jw_begin_array(w);
    for (size_t m = 0; m < p->count && !st; m++) {
        for (size_t i = 0; i < exoplace_preview_list_count(p->lists[m]) && !st; i++) {
            const exoplace_preview *preview = exoplace_preview_list_get(p->lists[m], i);
            if (preview->rules == EXOPLACE_RULES_EXO_MAIN)
                st = write_exo_main_preview(w, &p->models[m], preview, err);
            else
                write_preview(w, p->models[m].model_id, preview);
            if (!st)
                st = exoplace__json_check_output_size(w, err);
        }
    }
    exoplace__jw_end_array(w);
    exoplace__jw_end_object(w);
    return st;
}

exoplace_status exoplace_preview_lists_write_json(char **out, const exoplace_preview_list *const *lists,
                                                  const exoplace_model *models, size_t n_models, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || (n_models && (!lists || !models)))
        return null_argument(err);
    *out = NULL;
    for (size_t m = 0; m < n_models; m++)
        if (!lists[m] || !models[m].model_id)
            return null_argument(err);
    preview_lists p = {lists, models, n_models};
    return write_checked_response(out, write_preview_lists, &p, err);
}

typedef struct cycle_list {
    const exoplace_topology *topology;
    const size_t *starts, *nodes;
    size_t count;
    const uint8_t *keep;
} cycle_list;

static void write_cycle_list(exoplace__json_writer *w, const void *what)
{
    const cycle_list *c = what;
    exoplace__jw_begin_object(w);
    exoplace__jw_key(w, "cycles");
    exoplace__jw_begin_array(w);
    for (size_t i = 0; i < c->count; i++) {
        if (c->keep && !c->keep[i])
            continue;
        exoplace__jw_begin_array(w);
        for (size_t j = c->starts[i]; j < c->starts[i + 1]; j++)
            exoplace__jw_string(w, exoplace_topology_node_id(c->topology, c->nodes[j]));
        exoplace__jw_end_array(w);
    }
    exoplace__jw_end_array(w);
    exoplace__jw_end_object(w);
}

exoplace_status exoplace_cycle_list_write_json(char **out, const exoplace_topology *topology,
                                               const size_t *cycle_starts, const size_t *cycle_nodes,
                                               size_t cycle_count, const uint8_t *keep, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !topology || (cycle_count && (!cycle_starts || !cycle_nodes)))
        return null_argument(err);
    *out = NULL;
    size_t n_nodes = exoplace_topology_node_count(topology);
    for (size_t i = 0; i < cycle_count; i++) {
        if (cycle_starts[i + 1] < cycle_starts[i])
            return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "cycle_starts", "decreases at %zu", i + 1);
        for (size_t j = cycle_starts[i]; j < cycle_starts[i + 1]; j++)
            if (cycle_nodes[j] >= n_nodes)
                return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "cycle_nodes",
                                      "node index %zu out of range", cycle_nodes[j]);
    }
    cycle_list c = {topology, cycle_starts, cycle_nodes, cycle_count, keep};
    return write_response(out, write_cycle_list, &c, err);
}

typedef struct layer_counts {
    const uint32_t *layers;
    size_t count;
} layer_counts;

static void write_layers(exoplace__json_writer *w, const void *what)
{
    const layer_counts *l = what;
    exoplace__jw_begin_object(w);
    exoplace__jw_key(w, "ok");
    exoplace__jw_bool(w, 1);
    exoplace__jw_key(w, "layers");
    exoplace__jw_begin_array(w);
    for (size_t i = 0; i < l->count; i++)
        exoplace__jw_u64(w, l->layers[i]);
    exoplace__jw_end_array(w);
    exoplace__jw_end_object(w);
}

exoplace_status exoplace_layers_write_json(char **out, const uint32_t *layers, size_t n_nodes, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || (n_nodes && !layers))
        return null_argument(err);
    *out = NULL;
    layer_counts l = {layers, n_nodes};
    return write_response(out, write_layers, &l, err);
}

typedef struct model_fits {
    const exoplace_topology *topology;
    const exoplace_model *models;
    const size_t *order;
    size_t count;
} model_fits;

static const char *fit_name(const exoplace_model_fit *fit)
{
    return fit->will_fit ? "fits" : fit->can_fit ? "low_memory" : "does_not_fit";
}

static void write_model_fits(exoplace__json_writer *w, const void *what)
{
    const model_fits *f = what;
    exoplace__jw_begin_object(w);
    exoplace__jw_key(w, "models");
    exoplace__jw_begin_array(w);
    for (size_t i = 0; i < f->count; i++) {
        const exoplace_model *model = &f->models[f->order ? f->order[i] : i];
        exoplace_model_fit fit;
        exoplace_model_fit_check(&fit, f->topology, model->storage_size, NULL);
        exoplace__jw_begin_object(w);
        exoplace__jw_key(w, "model_id");
        exoplace__jw_string(w, model->model_id);
        exoplace__jw_member_u64(w, "storage_size", model->storage_size);
        exoplace__jw_key(w, "will_fit");
        exoplace__jw_bool(w, fit.will_fit);
        exoplace__jw_key(w, "can_fit");
        exoplace__jw_bool(w, fit.can_fit);
        exoplace__jw_key(w, "fit");
        exoplace__jw_string(w, fit_name(&fit));
        exoplace__jw_end_object(w);
    }
    exoplace__jw_end_array(w);
    exoplace__jw_end_object(w);
}

exoplace_status exoplace_model_fit_write_json(char **out, const exoplace_topology *topology,
                                              const exoplace_model *models, const size_t *order, size_t n_models,
                                              exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !topology || (n_models && !models))
        return null_argument(err);
    *out = NULL;
    for (size_t i = 0; i < n_models; i++) {
        if (order && order[i] >= n_models)
            return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "order", "order[%zu] is out of range", i);
        if (!models[i].model_id)
            return null_argument(err);
    }
    model_fits f = {topology, models, order, n_models};
    return write_response(out, write_model_fits, &f, err);
}
