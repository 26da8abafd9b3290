/* exo's Instance and ModelCard as JSON (exo-main.md 7.4): what exo's
 * pydantic models give when FastAPI dumps them (by alias, JSON mode), with
 * the member order of exo's models (which JSON readers do not rely on). The
 * card's echoed members are read from its validated text with the cursor
 * and written as they were given, so nothing is decoded or rebuilt. */
#include "json_write_instance.h"

#include <string.h>

#include "error.h"
#include "json_parse.h"
#include "json_read.h"
#include "names.h"

/* ---- the echoed members of the card --------------------------------------- */

/* What exo's card model (shared/models/model_cards.py) accepts for a member
 * that placement does not read, and what an absent or null one becomes. */
typedef enum field_kind {
    FIELD_STRING,           /* default `text` */
    FIELD_STRING_OR_NULL,   /* default null */
    FIELD_BOOL,             /* default `flag` */
    FIELD_INT,              /* any integer, default 0 */
    FIELD_INT_OR_NULL,      /* default null */
    FIELD_POSITIVE_INT_OR_NULL,
    FIELD_FLOAT_OR_NULL,    /* a number, written as a float; default null */
    FIELD_MEMORY,           /* {"inBytes": N} */
    FIELD_STRING_LIST,      /* default [] */
    FIELD_REASONING_DIALECT,
    FIELD_WEIGHTS_REPO,     /* a string; empty or absent: the model id */
    FIELD_OBJECT,           /* `sub`, default: all of sub's defaults */
    FIELD_OBJECT_OR_NULL,   /* `sub`, default null */
    FIELD_OBJECT_LIST_OR_NULL
} field_kind;

typedef struct schema schema;

typedef struct field {
    const char *camel;
    const char *snake; /* NULL: spelled the same */
    field_kind kind;
    int required;      /* no default: absent or null is refused */
    const char *text;  /* FIELD_STRING's default */
    int flag;          /* FIELD_BOOL's default */
    const schema *sub;
} field;

struct schema {
    const field *fields;
    size_t count;
};

#define SCHEMA_(array) {array, sizeof array / sizeof array[0]}
/* The most members of one schema (the card's echoed ones). */
#define MAX_FIELDS 12

static const field component_fields[] = {
    {"componentName", "component_name", FIELD_STRING, 1, "", 0, NULL},
    {"componentPath", "component_path", FIELD_STRING, 1, "", 0, NULL},
    {"storageSize", "storage_size", FIELD_MEMORY, 1, NULL, 0, NULL},
    {"nLayers", "n_layers", FIELD_POSITIVE_INT_OR_NULL, 0, NULL, 0, NULL},
    {"canShard", "can_shard", FIELD_BOOL, 1, NULL, 0, NULL},
    {"safetensorsIndexFilename", "safetensors_index_filename", FIELD_STRING_OR_NULL, 0, NULL, 0, NULL},
};
static const schema component_schema = SCHEMA_(component_fields);

static const field vision_fields[] = {
    {"imageTokenId", "image_token_id", FIELD_INT, 1, NULL, 0, NULL},
    {"modelType", "model_type", FIELD_STRING, 1, "", 0, NULL},
    {"weightsRepo", "weights_repo", FIELD_WEIGHTS_REPO, 0, NULL, 0, NULL},
    {"imageToken", "image_token", FIELD_STRING_OR_NULL, 0, NULL, 0, NULL},
    {"processorRepo", "processor_repo", FIELD_STRING_OR_NULL, 0, NULL, 0, NULL},
};
static const schema vision_schema = SCHEMA_(vision_fields);

#define SAMPLING_VALUES_                                                                      \
    {"temperature", NULL, FIELD_FLOAT_OR_NULL, 0, NULL, 0, NULL},                             \
        {"topP", "top_p", FIELD_FLOAT_OR_NULL, 0, NULL, 0, NULL},                             \
        {"topK", "top_k", FIELD_INT_OR_NULL, 0, NULL, 0, NULL},                               \
        {"minP", "min_p", FIELD_FLOAT_OR_NULL, 0, NULL, 0, NULL},                             \
        {"repetitionPenalty", "repetition_penalty", FIELD_FLOAT_OR_NULL, 0, NULL, 0, NULL},   \
        {"presencePenalty", "presence_penalty", FIELD_FLOAT_OR_NULL, 0, NULL, 0, NULL},       \
        {"frequencyPenalty", "frequency_penalty", FIELD_FLOAT_OR_NULL, 0, NULL, 0, NULL}

static const field sampling_values_fields[] = {SAMPLING_VALUES_};
static const schema sampling_values_schema = SCHEMA_(sampling_values_fields);

static const field sampling_defaults_fields[] = {
    SAMPLING_VALUES_,
    {"thinking", NULL, FIELD_OBJECT_OR_NULL, 0, NULL, 0, &sampling_values_schema},
    {"nonThinking", "non_thinking", FIELD_OBJECT_OR_NULL, 0, NULL, 0, &sampling_values_schema},
};
static const schema sampling_defaults_schema = SCHEMA_(sampling_defaults_fields);

/* The card's echoed members, each written at its place among the others. */
enum {
    CARD_COMPONENTS,
    CARD_FAMILY,
    CARD_QUANTIZATION,
    CARD_CAPABILITIES,
    CARD_REASONING_DIALECT,
    CARD_CONTEXT_LENGTH,
    CARD_TRUST_REMOTE_CODE,
    CARD_IS_CUSTOM,
    CARD_VISION,
    CARD_SAMPLING_DEFAULTS
};
static const field card_echo_fields[] = {
    [CARD_COMPONENTS] = {"components", NULL, FIELD_OBJECT_LIST_OR_NULL, 0, NULL, 0, &component_schema},
    [CARD_FAMILY] = {"family", NULL, FIELD_STRING, 0, "", 0, NULL},
    [CARD_QUANTIZATION] = {"quantization", NULL, FIELD_STRING, 0, "", 0, NULL},
    [CARD_CAPABILITIES] = {"capabilities", NULL, FIELD_STRING_LIST, 0, NULL, 0, NULL},
    [CARD_REASONING_DIALECT] = {"reasoningDialect", "reasoning_dialect", FIELD_REASONING_DIALECT, 0, NULL, 0, NULL},
    [CARD_CONTEXT_LENGTH] = {"contextLength", "context_length", FIELD_INT, 0, NULL, 0, NULL},
    [CARD_TRUST_REMOTE_CODE] = {"trustRemoteCode", "trust_remote_code", FIELD_BOOL, 0, NULL, 1, NULL},
    [CARD_IS_CUSTOM] = {"isCustom", "is_custom", FIELD_BOOL, 0, NULL, 0, NULL},
    [CARD_VISION] = {"vision", NULL, FIELD_OBJECT_OR_NULL, 0, NULL, 0, &vision_schema},
    [CARD_SAMPLING_DEFAULTS] = {"samplingDefaults", "sampling_defaults", FIELD_OBJECT, 0, NULL, 0,
                                &sampling_defaults_schema},
};
static const schema card_echo_schema = SCHEMA_(card_echo_fields);

typedef struct echo {
    exoplace__json_writer *w;
    exoplace__json_path path;
    const char *model_id;
    exoplace_error *err;
} echo;

static exoplace_status refuse(echo *e, const char *problem)
{
    return exoplace__json_fail(e->err, EXOPLACE_E_INVALID_ARGUMENT, &e->path, "%s", problem);
}

/* The text of the value at *c, as written; moves past it. */
static void copy_value(echo *e, exoplace__json_cursor *c)
{
    exoplace__json_kind_at(c);
    size_t start = c->pos;
    exoplace__json_skip(c);
    exoplace__jw_raw(e->w, c->text + start, c->pos - start);
}

static int is_integer_at(exoplace__json_cursor *c, int positive)
{
    if (exoplace__json_kind_at(c) != EXOPLACE__JSON_NUMBER)
        return 0;
    exoplace__json_cursor peek = *c;
    exoplace__json_number number = exoplace__json_number_at(&peek);
    return number.is_integer && (!positive || (!number.negative && (number.overflow || number.magnitude >= 1)));
}

/* Reads the object at *c (NULL: none given) into the schema's members. */
static exoplace_status schema_members(echo *e, exoplace__json_member *m, exoplace__json_cursor *c,
                                      const schema *sub)
{
    for (size_t i = 0; i < sub->count; i++)
        m[i] = (exoplace__json_member){sub->fields[i].camel, sub->fields[i].snake, 0, {0}, NULL};
    if (!c)
        return EXOPLACE_OK;
    if (exoplace__json_kind_at(c) != EXOPLACE__JSON_OBJECT)
        return refuse(e, "expected an object");
    return exoplace__json_members(c, m, sub->count, EXOPLACE__JSON_IGNORE_UNKNOWN, &e->path, e->err);
}

static exoplace_status echo_object(echo *e, exoplace__json_cursor *object, const schema *sub);

/* The members of an array, each by `item`. */
static exoplace_status echo_array(echo *e, exoplace__json_cursor *c, const field *f)
{
    if (exoplace__json_kind_at(c) != EXOPLACE__JSON_ARRAY)
        return refuse(e, f->kind == FIELD_STRING_LIST ? "expected an array of strings"
                                                      : "expected an array of objects or null");
    exoplace_status st = EXOPLACE_OK;
    exoplace__jw_begin_array(e->w);
    exoplace__json_enter(c);
    for (size_t i = 0; st == EXOPLACE_OK && exoplace__json_next_element(c); i++) {
        size_t mark = exoplace__json_path_push_index(&e->path, i);
        if (f->kind == FIELD_STRING_LIST)
            st = exoplace__json_kind_at(c) == EXOPLACE__JSON_STRING ? (copy_value(e, c), EXOPLACE_OK)
                                                                   : refuse(e, "expected a string");
        else
            st = echo_object(e, c, f->sub);
        exoplace__json_path_pop(&e->path, mark);
    }
    exoplace__jw_end_array(e->w);
    return st;
}

/* One member by its field description: m is NULL when the object itself
 * was not given. */
static exoplace_status echo_field(echo *e, const exoplace__json_member *m, const field *f)
{
    size_t mark = m ? exoplace__json_path_push_member(&e->path, m) : exoplace__json_path_push_key(&e->path, f->camel);
    exoplace__json_cursor value = m && m->present ? m->value : (exoplace__json_cursor){NULL, 0, 0};
    int present = m && m->present;
    exoplace__json_kind kind = present ? exoplace__json_kind_at(&value) : EXOPLACE__JSON_NULL;
    exoplace_status st = EXOPLACE_OK;
    exoplace__jw_key(e->w, f->camel);
    if (!present && f->required) {
        st = refuse(e, "missing");
        goto done;
    }
    switch (f->kind) {
    case FIELD_STRING:
    case FIELD_STRING_OR_NULL:
    case FIELD_WEIGHTS_REPO:
        if (present && kind != EXOPLACE__JSON_STRING) {
            st = refuse(e, f->kind == FIELD_STRING_OR_NULL ? "expected a string or null" : "expected a string");
        } else if (f->kind == FIELD_WEIGHTS_REPO) {
            exoplace__json_cursor peek = value;
            if (present && exoplace__json_string_at(&peek).raw_len > 0)
                copy_value(e, &value);
            else
                exoplace__jw_string(e->w, e->model_id);
        } else if (present) {
            copy_value(e, &value);
        } else if (f->kind == FIELD_STRING) {
            exoplace__jw_string(e->w, f->text);
        } else {
            exoplace__jw_null(e->w);
        }
        break;
    case FIELD_BOOL:
        if (present && kind != EXOPLACE__JSON_TRUE && kind != EXOPLACE__JSON_FALSE)
            st = refuse(e, "expected true or false");
        else
            exoplace__jw_bool(e->w, present ? kind == EXOPLACE__JSON_TRUE : f->flag);
        break;
    case FIELD_INT:
    case FIELD_INT_OR_NULL:
    case FIELD_POSITIVE_INT_OR_NULL:
        if (present && !is_integer_at(&value, f->kind == FIELD_POSITIVE_INT_OR_NULL))
            st = refuse(e, f->kind == FIELD_INT                ? "expected an integer"
                           : f->kind == FIELD_INT_OR_NULL       ? "expected an integer or null"
                                                                : "expected an integer >= 1 or null");
        else if (present)
            copy_value(e, &value);
        else if (f->kind == FIELD_INT)
            exoplace__jw_u64(e->w, 0);
        else
            exoplace__jw_null(e->w);
        break;
    case FIELD_FLOAT_OR_NULL:
        if (present && kind != EXOPLACE__JSON_NUMBER) {
            st = refuse(e, "expected a number or null");
        } else if (present) {
            exoplace__json_number number = exoplace__json_number_at(&value);
            exoplace__jw_float_literal(e->w, number.text, number.len);
        } else {
            exoplace__jw_null(e->w);
        }
        break;
    case FIELD_MEMORY: {
        uint64_t bytes = 0;
        if ((st = exoplace__json_read_bytes(&bytes, &value, EXOPLACE_RULES_EXO_MAIN, &e->path, e->err)))
            break;
        exoplace__jw_begin_object(e->w);
        exoplace__jw_key(e->w, "inBytes");
        exoplace__jw_u64(e->w, bytes);
        exoplace__jw_end_object(e->w);
        break;
    }
    case FIELD_STRING_LIST:
        if (present) {
            st = echo_array(e, &value, f);
        } else {
            exoplace__jw_begin_array(e->w);
            exoplace__jw_end_array(e->w);
        }
        break;
    case FIELD_REASONING_DIALECT:
        if (present) {
            exoplace__json_cursor peek = value;
            int dialect;
            if (!(st = exoplace__json_read_enum(&dialect, &peek, &exoplace__reasoning_dialect_info, &e->path,
                                                e->err)))
                copy_value(e, &value);
        } else {
            exoplace__jw_string(e->w, exoplace__reasoning_dialect_info.names[0]);
        }
        break;
    case FIELD_OBJECT:
    case FIELD_OBJECT_OR_NULL:
        if (present || f->kind == FIELD_OBJECT)
            st = echo_object(e, present ? &value : NULL, f->sub);
        else
            exoplace__jw_null(e->w);
        break;
    case FIELD_OBJECT_LIST_OR_NULL:
        if (present)
            st = echo_array(e, &value, f);
        else
            exoplace__jw_null(e->w);
        break;
    }
done:
    exoplace__json_path_pop(&e->path, mark);
    return st;
}

/* Every member of the sub-schema, from the object at *object (NULL: all
 * defaults). */
static exoplace_status echo_object(echo *e, exoplace__json_cursor *object, const schema *sub)
{
    exoplace__json_member m[MAX_FIELDS];
    exoplace_status st = schema_members(e, m, object, sub);
    exoplace__jw_begin_object(e->w);
    for (size_t i = 0; i < sub->count && !st; i++)
        st = echo_field(e, object ? &m[i] : NULL, &sub->fields[i]);
    exoplace__jw_end_object(e->w);
    return st;
}

/* ---- the card ----------------------------------------------------------------- */

/* The model fields exo's card cannot hold as they are. */
static exoplace_status check_model(const exoplace_model *model, exoplace_error *err)
{
    if (!model->model_id || !model->model_id[0])
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "model.model_id", "must not be empty");
    if (model->n_layers < 1)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "model.n_layers", "must be at least 1");
    if (model->hidden_size < 1)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "model.hidden_size", "must be at least 1");
    if (model->supports_tensor != 0 && model->supports_tensor != 1)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "model.supports_tensor", "must be 0 or 1");
    if ((model->n_tasks && !model->tasks) || (model->n_backends && !model->backends))
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "model.backends",
                              "model.backends and model.tasks must not be NULL when their counts are not 0");
    for (size_t i = 0; i < model->n_tasks; i++)
        if (!exoplace_task_name(model->tasks[i]))
            return exoplace__fail_item(err, EXOPLACE_E_INVALID_ARGUMENT, "model.tasks", i, "", "unknown value %d",
                                       (int)model->tasks[i]);
    for (size_t i = 0; i < model->n_backends; i++)
        if (!exoplace_backend_name(model->backends[i]))
            return exoplace__fail_item(err, EXOPLACE_E_INVALID_ARGUMENT, "model.backends", i, "",
                                       "unknown value %d", (int)model->backends[i]);
    return EXOPLACE_OK;
}

/* Where the card text (NULL: none) holds each echoed member, once the text
 * is known to be one JSON object of at most EXOPLACE_MAX_CARD_JSON_BYTES. */
static exoplace_status echo_card_members(echo *e, const char *card_json, exoplace__json_member *m)
{
    exoplace__json_cursor c;
    size_t len = card_json ? strnlen(card_json, EXOPLACE_MAX_CARD_JSON_BYTES + 1) : 0;
    if (card_json) {
        exoplace_error sub;
        exoplace__error_clear(&sub);
        if (len > EXOPLACE_MAX_CARD_JSON_BYTES)
            return exoplace__json_fail(e->err, EXOPLACE_E_LIMIT, &e->path, "longer than %u bytes",
                                       (unsigned)EXOPLACE_MAX_CARD_JSON_BYTES);
        if (exoplace__json_validate(card_json, len, &sub))
            return exoplace__json_forward(e->err, &e->path, &sub);
        exoplace__json_cursor_init(&c, card_json, len);
    }
    return schema_members(e, m, card_json ? &c : NULL, &card_echo_schema);
}

static void echo_init(echo *e, exoplace__json_writer *w, const char *model_id, const char *root,
                      exoplace_error *err)
{
    e->w = w;
    e->model_id = model_id;
    e->err = err;
    exoplace__json_path_init(&e->path);
    exoplace__json_path_push_key(&e->path, root);
}

exoplace_status exoplace__json_write_model_card(exoplace__json_writer *w, const exoplace_model *model,
                                                exoplace_error *err)
{
    exoplace_status st = check_model(model, err);
    if (st)
        return st;
    echo e;
    echo_init(&e, w, model->model_id, "model.card_json", err);
    exoplace__json_member m[MAX_FIELDS];
    if ((st = echo_card_members(&e, model->card_json, m)))
        return st;
    const exoplace__json_member *given = model->card_json ? m : NULL;

    exoplace__jw_begin_object(w);
    exoplace__jw_key(w, "modelId");
    exoplace__jw_string(w, model->model_id);
    exoplace__jw_key(w, "storageSize");
    exoplace__jw_begin_object(w);
    exoplace__jw_member_u64(w, "inBytes", model->storage_size);
    exoplace__jw_end_object(w);
    exoplace__jw_member_u64(w, "nLayers", model->n_layers);
    exoplace__jw_member_u64(w, "hiddenSize", model->hidden_size);
    exoplace__jw_key(w, "supportsTensor");
    exoplace__jw_bool(w, model->supports_tensor);
    exoplace__jw_key(w, "numKeyValueHeads");
    if (model->num_key_value_heads)
        exoplace__jw_u64(w, model->num_key_value_heads);
    else
        exoplace__jw_null(w);
    exoplace__jw_key(w, "tasks");
    exoplace__jw_begin_array(w);
    for (size_t i = 0; i < model->n_tasks; i++)
        exoplace__jw_string(w, exoplace_task_name(model->tasks[i]));
    exoplace__jw_end_array(w);
    for (size_t i = CARD_COMPONENTS; i <= CARD_QUANTIZATION && !st; i++)
        st = echo_field(&e, given ? &m[i] : NULL, &card_echo_fields[i]);
    exoplace__jw_key(w, "baseModel");
    exoplace__jw_string(w, model->base_model ? model->base_model : "");
    if (!st)
        st = echo_field(&e, given ? &m[CARD_CAPABILITIES] : NULL, &card_echo_fields[CARD_CAPABILITIES]);
    exoplace__jw_key(w, "backends");
    exoplace__jw_begin_array(w);
    for (size_t i = 0; i < model->n_backends; i++)
        exoplace__jw_string(w, exoplace_backend_name(model->backends[i]));
    exoplace__jw_end_array(w);
    for (size_t i = CARD_REASONING_DIALECT; i <= CARD_CONTEXT_LENGTH && !st; i++)
        st = echo_field(&e, given ? &m[i] : NULL, &card_echo_fields[i]);
    exoplace__jw_key(w, "usesCfg");
    exoplace__jw_bool(w, model->uses_cfg);
    for (size_t i = CARD_TRUST_REMOTE_CODE; i <= CARD_SAMPLING_DEFAULTS && !st; i++)
        st = echo_field(&e, given ? &m[i] : NULL, &card_echo_fields[i]);
    exoplace__jw_end_object(w);
    return st;
}

exoplace_status exoplace__json_check_card_echo(const char *card_json, const char *root, exoplace_error *err)
{
    exoplace__json_writer scratch;
    exoplace__jw_init_compact(&scratch);
    echo e;
    echo_init(&e, &scratch, "", root, err);
    exoplace__json_member m[MAX_FIELDS];
    exoplace_status st = echo_card_members(&e, card_json, m);
    exoplace__jw_begin_object(&scratch);
    for (size_t i = 0; i < card_echo_schema.count && !st; i++)
        st = echo_field(&e, card_json ? &m[i] : NULL, &card_echo_fields[i]);
    exoplace__jw_end_object(&scratch);
    if (!st && scratch.out_of_memory)
        st = exoplace__fail_no_memory(err);
    exoplace__jw_dispose(&scratch);
    return st;
}

/* ---- the instance ------------------------------------------------------------- */

exoplace_status exoplace__json_check_output_size(const exoplace__json_writer *w, exoplace_error *err)
{
    if (w->len > EXOPLACE_MAX_OUTPUT_BYTES)
        return exoplace__fail(err, EXOPLACE_E_LIMIT, NULL, "the response passes %u bytes",
                              (unsigned)EXOPLACE_MAX_OUTPUT_BYTES);
    return EXOPLACE_OK;
}

static void write_host(exoplace__json_writer *w, exoplace_host host)
{
    exoplace__jw_begin_object(w);
    exoplace__jw_key(w, "ip");
    exoplace__jw_string(w, host.ip);
    exoplace__jw_member_u64(w, "port", host.port);
    exoplace__jw_end_object(w);
}

static exoplace_status write_shard_assignments(exoplace__json_writer *w, const exoplace_placement *p,
                                              const exoplace_model *model, const char *card, size_t card_len,
                                              exoplace_error *err)
{
    const exoplace_instance *inst = &p->instance;
    exoplace__jw_begin_object(w);
    exoplace__jw_key(w, "modelId");
    exoplace__jw_string(w, model->model_id);
    exoplace__jw_key(w, "runnerToShard");
    exoplace__jw_begin_object(w);
    exoplace_status st = EXOPLACE_OK;
    for (size_t r = 0; r < p->n_nodes && !st; r++) {
        const exoplace_shard *sh = &p->shards[r];
        exoplace__jw_key(w, inst->runner_ids[r]);
        exoplace__jw_begin_object(w);
        exoplace__jw_key(w, exoplace_shard_kind_name(sh->kind));
        exoplace__jw_begin_object(w);
        exoplace__jw_key(w, "modelCard");
        exoplace__jw_raw(w, card, card_len);
        exoplace__jw_member_u64(w, "deviceRank", sh->device_rank);
        exoplace__jw_member_u64(w, "worldSize", sh->world_size);
        exoplace__jw_key(w, "immediateException");
        exoplace__jw_bool(w, 0);
        exoplace__jw_key(w, "shouldTimeout");
        exoplace__jw_null(w);
        exoplace__jw_member_u64(w, "startLayer", sh->start_layer);
        exoplace__jw_member_u64(w, "endLayer", sh->end_layer);
        exoplace__jw_member_u64(w, "nLayers", sh->n_layers);
        if (sh->kind == EXOPLACE_SHARD_CFG) {
            exoplace__jw_member_u64(w, "cfgRank", sh->cfg_rank);
            exoplace__jw_member_u64(w, "cfgWorldSize", sh->cfg_world_size);
            exoplace__jw_member_u64(w, "pipelineRank", sh->pipeline_rank);
            exoplace__jw_member_u64(w, "pipelineWorldSize", sh->pipeline_world_size);
        }
        exoplace__jw_end_object(w);
        exoplace__jw_end_object(w);
        st = exoplace__json_check_output_size(w, err);
    }
    exoplace__jw_end_object(w);
    exoplace__jw_key(w, "nodeToRunner");
    exoplace__jw_begin_object(w);
    for (size_t r = 0; r < p->n_nodes; r++) {
        exoplace__jw_key(w, p->shards[r].node_id);
        exoplace__jw_string(w, inst->runner_ids[r]);
    }
    exoplace__jw_end_object(w);
    exoplace__jw_end_object(w);
    return st;
}

static exoplace_status write_ring(exoplace__json_writer *w, const exoplace_placement *p, exoplace_error *err)
{
    const exoplace_instance *inst = &p->instance;
    exoplace_status st = EXOPLACE_OK;
    exoplace__jw_key(w, "hostsByNode");
    exoplace__jw_begin_object(w);
    for (size_t r = 0; r < p->n_nodes && !st; r++) {
        exoplace__jw_key(w, p->shards[r].node_id);
        exoplace__jw_begin_array(w);
        for (size_t idx = 0; idx < p->n_nodes; idx++) {
            exoplace_host host;
            exoplace_instance_ring_host(&host, inst, r, idx, NULL);
            write_host(w, host);
        }
        exoplace__jw_end_array(w);
        st = exoplace__json_check_output_size(w, err);
    }
    exoplace__jw_end_object(w);
    exoplace__jw_member_u64(w, "ephemeralPort", inst->ephemeral_port);
    return st;
}

static exoplace_status write_jaccl(exoplace__json_writer *w, const exoplace_placement *p, exoplace_error *err)
{
    const exoplace_instance *inst = &p->instance;
    size_t n = p->n_nodes;
    exoplace_status st = EXOPLACE_OK;
    exoplace__jw_key(w, "jacclDevices");
    exoplace__jw_begin_array(w);
    for (size_t i = 0; i < n && !st; i++) {
        exoplace__jw_begin_array(w);
        for (size_t j = 0; j < n; j++) {
            const char *iface = inst->jaccl_devices[i * n + j];
            if (iface)
                exoplace__jw_string(w, iface);
            else
                exoplace__jw_null(w);
        }
        exoplace__jw_end_array(w);
        st = exoplace__json_check_output_size(w, err);
    }
    exoplace__jw_end_array(w);
    exoplace__jw_key(w, "jacclCoordinators");
    exoplace__jw_begin_object(w);
    for (size_t r = 0; r < n; r++) {
        exoplace__jw_key(w, p->shards[r].node_id);
        exoplace__jw_string(w, inst->jaccl_coordinators[r]);
    }
    exoplace__jw_end_object(w);
    return st;
}

exoplace_status exoplace__json_write_instance(exoplace__json_writer *w, const exoplace_placement *placement,
                                             const exoplace_model *model, exoplace_error *err)
{
    const exoplace_instance *inst = &placement->instance;
    int ring = inst->kind == EXOPLACE_INSTANCE_MLX_RING;
    if (!placement->shards || !inst->runner_ids || inst->n_nodes != placement->n_nodes ||
        (ring ? !inst->ring_prev : !inst->jaccl_devices))
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "placement.instance", "no exo-main instance");
    /* The card once, then the same text in every shard. */
    exoplace__json_writer card;
    exoplace__jw_init(&card);
    card.compact = w->compact;
    exoplace_status st = exoplace__json_write_model_card(&card, model, err);
    if (!st && card.out_of_memory)
        st = exoplace__fail_no_memory(err);
    if (!st) {
        exoplace__jw_begin_object(w);
        exoplace__jw_key(w, ring ? "MlxRingInstance" : "MlxJacclInstance");
        exoplace__jw_begin_object(w);
        exoplace__jw_key(w, "instanceId");
        exoplace__jw_string(w, inst->instance_id);
        exoplace__jw_key(w, "shardAssignments");
        st = write_shard_assignments(w, placement, model, card.text, card.len, err);
        if (!st)
            st = ring ? write_ring(w, placement, err) : write_jaccl(w, placement, err);
        exoplace__jw_end_object(w);
        exoplace__jw_end_object(w);
    }
    exoplace__jw_dispose(&card);
    return st;
}
