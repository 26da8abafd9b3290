/* Reading requests: the validated text is walked with a cursor (json_parse.h)
 * and what a reader uses goes straight into the request's C structs; every
 * other member is skipped. Which reader reads a request is decided here:
 * "rules", else the shape (exo-main.md section 1). */
#include "json_read.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "request.h"
#include "utf8.h"

/* ---- paths ------------------------------------------------------------------ */

void exoplace__json_path_init(exoplace__json_path *path)
{
    path->text[0] = '\0';
    path->len = 0;
}

/* Appends `n` bytes, cut to fit at a character boundary (always
 * NUL-terminated). A path is built for every field read, error or not:
 * plain copies, no printf. */
static void path_append(exoplace__json_path *path, const char *text, size_t n)
{
    size_t room = sizeof path->text - path->len;
    if (room <= 1)
        return;
    if (n > room - 1) {
        n = room - 1;
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(path->text + path->len, text, n);
    path->len += n;
    path->text[path->len] = '\0';
}

size_t exoplace__json_path_push_key(exoplace__json_path *path, const char *key)
{
    size_t old = path->len;
    if (path->len)
        path_append(path, ".", 1);
    path_append(path, key, strlen(key));
    return old;
}

size_t exoplace__json_path_push_index(exoplace__json_path *path, size_t index)
{
    size_t old = path->len;
    char digits[24];
    size_t at = sizeof digits;
    digits[--at] = ']';
    do
        digits[--at] = (char)('0' + index % 10);
    while ((index /= 10) != 0);
    digits[--at] = '[';
    path_append(path, digits + at, sizeof digits - at);
    return old;
}

size_t exoplace__json_path_push_text(exoplace__json_path *path, const exoplace__json_string *key)
{
    size_t old = path->len;
    char text[EXOPLACE_ERROR_FIELD_BYTES];
    size_t n = exoplace__json_string_copy(text, sizeof text, key);
    if (n >= sizeof text)
        n = strlen(text);
    if (path->len)
        path_append(path, ".", 1);
    /* Ids are arbitrary text: control bytes are written as \xNN so that a
     * path never carries them, and U+0000 cannot cut it short. */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x20 || c == 0x7F) {
            static const char hex[] = "0123456789abcdef";
            char escaped[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            path_append(path, escaped, 4);
        } else {
            path_append(path, text + i, 1);
        }
    }
    return old;
}

void exoplace__json_path_pop(exoplace__json_path *path, size_t len)
{
    path->len = len;
    path->text[len] = '\0';
}

exoplace_status exoplace__json_fail(exoplace_error *err, exoplace_status code, const exoplace__json_path *path,
                                    const char *fmt, ...)
{
    char problem[EXOPLACE_ERROR_MESSAGE_BYTES + 8];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(problem, sizeof problem, fmt, ap);
    va_end(ap);
    return exoplace__fail(err, code, path->text, "%s", problem);
}

exoplace_status exoplace__json_forward(exoplace_error *err, const exoplace__json_path *path,
                                       const exoplace_error *sub)
{
    if (sub->code == EXOPLACE_E_NO_MEMORY)
        return exoplace__fail_no_memory(err);
    return exoplace__json_fail(err, sub->code, path, "%s", sub->message);
}

/* ---- members ------------------------------------------------------------------ */

static int key_has_underscore(const exoplace__json_string *key)
{
    return memchr(key->raw, '_', key->raw_len) != NULL;
}

exoplace_status exoplace__json_members(exoplace__json_cursor *c, exoplace__json_member *members, size_t n,
                                       exoplace__json_unknown unknown, const exoplace__json_path *path,
                                       exoplace_error *err)
{
    exoplace_status st = exoplace__json_expect(c, EXOPLACE__JSON_OBJECT, "an object", path, err);
    if (st)
        return st;
    /* Two slots per member: the camelCase and the snake_case occurrence. */
    enum { MAX_MEMBERS = 32 };
    int found[MAX_MEMBERS][2] = {{0}};
    exoplace__json_cursor at[MAX_MEMBERS][2];
    if (n > MAX_MEMBERS)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "too many members for one object");
    int snake_keys = 0, camel_keys = 0;
    exoplace__json_enter(c);
    exoplace__json_string key;
    while (exoplace__json_next_member(c, &key)) {
        if (key_has_underscore(&key))
            snake_keys++;
        else
            camel_keys++;
        int matched = 0;
        for (size_t i = 0; i < n && !matched; i++) {
            for (int spelling = 0; spelling < 2 && !matched; spelling++) {
                const char *name = spelling ? members[i].snake : members[i].camel;
                if (name && exoplace__json_string_equals(&key, name)) {
                    found[i][spelling] = exoplace__json_kind_at(c) != EXOPLACE__JSON_NULL;
                    at[i][spelling] = *c;
                    matched = 1;
                }
            }
        }
        if (!matched && unknown == EXOPLACE__JSON_REFUSE_UNKNOWN) {
            exoplace__json_path member_path = *path;
            exoplace__json_path_push_text(&member_path, &key);
            return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, &member_path, "unknown member");
        }
        exoplace__json_skip(c);
    }
    for (size_t i = 0; i < n; i++) {
        exoplace__json_member *m = &members[i];
        int spelling = found[i][0] ? 0 : found[i][1] ? 1 : -1;
        m->present = spelling >= 0;
        if (m->present)
            m->value = at[i][spelling];
        m->spelled = spelling == 1 || (spelling < 0 && m->snake && snake_keys > camel_keys) ? m->snake : m->camel;
    }
    return EXOPLACE_OK;
}

size_t exoplace__json_path_push_member(exoplace__json_path *path, const exoplace__json_member *member)
{
    return exoplace__json_path_push_key(path, member->spelled);
}

/* ---- typed values ------------------------------------------------------------- */

exoplace_status exoplace__json_expect(exoplace__json_cursor *c, exoplace__json_kind kind, const char *what,
                                      const exoplace__json_path *path, exoplace_error *err)
{
    exoplace__json_kind got = exoplace__json_kind_at(c);
    if (got == kind || (kind == EXOPLACE__JSON_TRUE && got == EXOPLACE__JSON_FALSE))
        return EXOPLACE_OK;
    return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "expected %s", what);
}

exoplace_status exoplace__json_read_u64(uint64_t *out, exoplace__json_cursor *c, const exoplace__json_path *path,
                                        exoplace_error *err)
{
    static const char expected[] = "expected a non-negative integer";
    if (exoplace__json_kind_at(c) != EXOPLACE__JSON_NUMBER)
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "%s", expected);
    exoplace__json_number number = exoplace__json_number_at(c);
    if (!number.is_integer || (number.negative && number.magnitude != 0))
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "%s", expected);
    if (number.overflow)
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "exceeds 2^64-1");
    *out = number.magnitude;
    return EXOPLACE_OK;
}

exoplace_status exoplace__json_read_bytes(uint64_t *out, exoplace__json_cursor *c, exoplace_rules rules,
                                          exoplace__json_path *path, exoplace_error *err)
{
    if (exoplace__json_kind_at(c) != EXOPLACE__JSON_OBJECT && rules == EXOPLACE_RULES_SEED)
        return exoplace__json_read_u64(out, c, path, err);
    if (exoplace__json_kind_at(c) != EXOPLACE__JSON_OBJECT)
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "expected an object {\"inBytes\": N}");
    exoplace__json_member in_bytes = {"inBytes", "in_bytes", 0, {0}, NULL};
    exoplace_status st = exoplace__json_members(c, &in_bytes, 1, EXOPLACE__JSON_IGNORE_UNKNOWN, path, err);
    return st ? st : exoplace__json_member_u64(out, &in_bytes, path, err);
}

exoplace_status exoplace__json_read_u32(uint32_t *out, exoplace__json_cursor *c, uint32_t min, uint32_t max,
                                        const exoplace__json_path *path, exoplace_error *err)
{
    if (exoplace__json_kind_at(c) != EXOPLACE__JSON_NUMBER)
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "expected an integer");
    exoplace__json_number number = exoplace__json_number_at(c);
    if (!number.is_integer)
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "expected an integer");
    if ((number.negative && number.magnitude != 0) || (!number.overflow && number.magnitude < min))
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "must be at least %lu",
                                   (unsigned long)min);
    if (number.overflow || number.magnitude > max)
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "must be at most %lu",
                                   (unsigned long)max);
    *out = (uint32_t)number.magnitude;
    return EXOPLACE_OK;
}

exoplace_status exoplace__json_read_bool(int *out, exoplace__json_cursor *c, const exoplace__json_path *path,
                                         exoplace_error *err)
{
    exoplace__json_kind kind = exoplace__json_kind_at(c);
    if (kind != EXOPLACE__JSON_TRUE && kind != EXOPLACE__JSON_FALSE)
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "expected true or false");
    *out = kind == EXOPLACE__JSON_TRUE;
    exoplace__json_skip(c);
    return EXOPLACE_OK;
}

exoplace_status exoplace__json_read_text(char **out, exoplace__json_cursor *c, size_t max_bytes, int allow_empty,
                                         const exoplace__json_path *path, exoplace_error *err)
{
    *out = NULL;
    if (exoplace__json_kind_at(c) != EXOPLACE__JSON_STRING)
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "expected a string");
    exoplace__json_string s = exoplace__json_string_at(c);
    char *text;
    size_t len;
    int has_nul;
    exoplace_status st = exoplace__json_string_decode(&text, &len, &has_nul, &s, err);
    if (st)
        return st;
    if (len == 0 && !allow_empty)
        st = exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "expected a non-empty string");
    else if (has_nul)
        st = exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "contains a NUL character");
    else if (max_bytes && len > max_bytes)
        st = exoplace__json_fail(err, EXOPLACE_E_LIMIT, path, "longer than %zu bytes", max_bytes);
    if (st) {
        free(text);
        return st;
    }
    *out = text;
    return EXOPLACE_OK;
}

exoplace_status exoplace__json_read_enum(int *out, exoplace__json_cursor *c, const exoplace__enum_info *info,
                                         const exoplace__json_path *path, exoplace_error *err)
{
    if (exoplace__json_kind_at(c) != EXOPLACE__JSON_STRING)
        return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "expected a string");
    exoplace__json_string s = exoplace__json_string_at(c);
    for (size_t i = 0; i < info->count; i++) {
        if (exoplace__json_string_equals(&s, info->names[i])) {
            *out = info->values[i];
            return EXOPLACE_OK;
        }
    }
    /* The value is the caller's text: shown cut, at most 64 bytes. */
    char text[65], expected[160];
    exoplace__json_string_copy(text, sizeof text, &s);
    exoplace__enum_expected(expected, sizeof expected, info);
    return exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "unknown value \"%s\" (expected %s)", text,
                               expected);
}

#define MEMBER_READER_(name, type, call)                                                                    \
    exoplace_status exoplace__json_member_##name MEMBER_ARGS_##name                                     \
    {                                                                                                   \
        size_t mark = exoplace__json_path_push_member(path, m);                                         \
        exoplace_status st;                                                                             \
        if (!m->present) {                                                                              \
            st = exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, path, "missing");                \
        } else {                                                                                        \
            exoplace__json_cursor value = m->value;                                                     \
            st = call;                                                                                  \
        }                                                                                               \
        exoplace__json_path_pop(path, mark);                                                            \
        return st;                                                                                      \
    }

#define MEMBER_ARGS_u64 (uint64_t *out, const exoplace__json_member *m, exoplace__json_path *path, exoplace_error *err)
#define MEMBER_ARGS_bytes                                                                                  \
    (uint64_t *out, const exoplace__json_member *m, exoplace_rules rules, exoplace__json_path *path, \
     exoplace_error *err)
#define MEMBER_ARGS_u32                                                                                    \
    (uint32_t *out, const exoplace__json_member *m, uint32_t min, uint32_t max, exoplace__json_path *path, \
     exoplace_error *err)
#define MEMBER_ARGS_bool (int *out, const exoplace__json_member *m, exoplace__json_path *path, exoplace_error *err)
#define MEMBER_ARGS_text                                                                               \
    (char **out, const exoplace__json_member *m, size_t max_bytes, int allow_empty, exoplace__json_path *path, \
     exoplace_error *err)
#define MEMBER_ARGS_enum                                                                                         \
    (int *out, const exoplace__json_member *m, const exoplace__enum_info *info, exoplace__json_path *path, \
     exoplace_error *err)

MEMBER_READER_(u64, uint64_t, exoplace__json_read_u64(out, &value, path, err))
MEMBER_READER_(bytes, uint64_t, exoplace__json_read_bytes(out, &value, rules, path, err))
MEMBER_READER_(u32, uint32_t, exoplace__json_read_u32(out, &value, min, max, path, err))
MEMBER_READER_(bool, int, exoplace__json_read_bool(out, &value, path, err))
MEMBER_READER_(text, char *, exoplace__json_read_text(out, &value, max_bytes, allow_empty, path, err))
MEMBER_READER_(enum, int, exoplace__json_read_enum(out, &value, info, path, err))

/* ---- requests ------------------------------------------------------------------ */

/* The members of a request's top object both readers may use (the order of
 * the EXOPLACE__TOP_ names). */
static const exoplace__json_member top_members[EXOPLACE__TOP_COUNT] = {
    {"topology", NULL, 0, {0}, NULL},
    {"model", NULL, 0, {0}, NULL},
    {"models", NULL, 0, {0}, NULL},
    {"sharding", NULL, 0, {0}, NULL},
    {"instanceMeta", "instance_meta", 0, {0}, NULL},
    {"minNodes", "min_nodes", 0, {0}, NULL},
    {"allowLowMemory", "allow_low_memory", 0, {0}, NULL},
    {"strategy", NULL, 0, {0}, NULL},
    {"nodeIds", "node_ids", 0, {0}, NULL},
    {"rules", NULL, 0, {0}, NULL},
    {"nodes", NULL, 0, {0}, NULL},
    {"connections", NULL, 0, {0}, NULL},
    {"nodeMemory", "node_memory", 0, {0}, NULL},
    {"nodeNetwork", "node_network", 0, {0}, NULL},
    {"nodeBackends", "node_backends", 0, {0}, NULL},
    {"nodeRdmaCtl", "node_rdma_ctl", 0, {0}, NULL},
    {"downloads", NULL, 0, {0}, NULL},
    {"reserveBytes", "reserve_bytes", 0, {0}, NULL},
};

/* The rule set of a request: its "rules", else exo-main when
 * topology.connections is an object (exo's /state), else seed. */
static exoplace_status request_rules(exoplace_rules *out, exoplace__json_member *top, exoplace__json_path *path,
                                     exoplace_error *err)
{
    if (top[EXOPLACE__TOP_RULES].present) {
        int rules;
        exoplace_status st = exoplace__json_member_enum(&rules, &top[EXOPLACE__TOP_RULES], &exoplace__rules_info,
                                                        path, err);
        *out = (exoplace_rules)rules;
        return st;
    }
    *out = EXOPLACE_RULES_SEED;
    if (!top[EXOPLACE__TOP_TOPOLOGY].present)
        return EXOPLACE_OK;
    exoplace__json_cursor topology = top[EXOPLACE__TOP_TOPOLOGY].value;
    if (exoplace__json_kind_at(&topology) != EXOPLACE__JSON_OBJECT)
        return EXOPLACE_OK; /* the reader says what is wrong with it */
    exoplace__json_member connections = {"connections", NULL, 0, {0}, NULL};
    exoplace_status st = exoplace__json_members(&topology, &connections, 1, EXOPLACE__JSON_IGNORE_UNKNOWN, path, err);
    if (st == EXOPLACE_OK && connections.present && exoplace__json_kind_at(&connections.value) == EXOPLACE__JSON_OBJECT)
        *out = EXOPLACE_RULES_EXO_MAIN;
    return st;
}

/* Validates text, then checks what every request needs of it. */
static exoplace_status begin_text(exoplace__json_cursor *c, const char *text, size_t length, exoplace_error *err)
{
    exoplace_status st = exoplace__json_validate(text, length, err);
    if (st)
        return st;
    exoplace__json_cursor_init(c, text, length);
    return EXOPLACE_OK;
}

exoplace_status exoplace_request_parse(exoplace_request **out, const char *text, size_t length,
                                       const exoplace_json_options *options, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !text)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "out and text must not be NULL");
    *out = NULL;
    exoplace_json_options host;
    exoplace_status st = exoplace__json_options_resolve(&host, options, err);
    exoplace__json_cursor c;
    if (st == EXOPLACE_OK)
        st = begin_text(&c, text, length, err);
    if (st)
        return st;
    exoplace__json_path path;
    exoplace__json_path_init(&path);
    exoplace__json_member top[EXOPLACE__TOP_COUNT];
    memcpy(top, top_members, sizeof top);
    st = exoplace__json_members(&c, top, EXOPLACE__TOP_COUNT, EXOPLACE__JSON_IGNORE_UNKNOWN, &path, err);
    exoplace_rules rules = EXOPLACE_RULES_SEED;
    if (st == EXOPLACE_OK)
        st = request_rules(&rules, top, &path, err);
    exoplace_request *request = NULL;
    if (st == EXOPLACE_OK)
        st = exoplace__request_new(&request, &host, err);
    if (st == EXOPLACE_OK) {
        request->rules = rules;
        request->options.rules = rules;
        st = rules == EXOPLACE_RULES_EXO_MAIN ? exoplace__json_read_state(request, top, &path, err)
                                              : exoplace__json_read_seed(request, top, &path, err);
    }
    if (st) {
        exoplace_request_free(request);
        return st;
    }
    exoplace__request_finish_models(request);
    *out = request;
    return EXOPLACE_OK;
}

/* One model of a catalogue, by the catalogue's rule set. */
static exoplace_status catalogue_model(exoplace_request *request, exoplace_rules rules, int as_the_model,
                                       exoplace__json_cursor *c, exoplace__json_path *path, exoplace_error *err)
{
    return rules == EXOPLACE_RULES_EXO_MAIN ? exoplace__json_read_card(request, as_the_model, c, path, err)
                                            : exoplace__json_read_seed_model(request, as_the_model, c, path, err);
}

exoplace_status exoplace_request_parse_catalogue(exoplace_request **out, const char *text, size_t length,
                                                 exoplace_rules rules, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !text)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, NULL, "out and text must not be NULL");
    *out = NULL;
    if (!exoplace__enum_is_valid(&exoplace__rules_info, (int)rules))
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "rules", "unknown value %d", (int)rules);
    exoplace__json_cursor c;
    exoplace_status st = begin_text(&c, text, length, err);
    if (st)
        return st;
    exoplace_request *request = NULL;
    if ((st = exoplace__request_new(&request, NULL, err)))
        return st;
    request->rules = rules;
    request->options.rules = rules;
    exoplace__json_path path;
    exoplace__json_path_init(&path);
    exoplace__json_cursor list = c;
    int is_list = exoplace__json_kind_at(&c) == EXOPLACE__JSON_ARRAY;
    if (!is_list) {
        /* {"models": [...]}, or one model object. */
        exoplace__json_member models = {"models", NULL, 0, {0}, NULL};
        exoplace__json_cursor object = c;
        st = exoplace__json_members(&object, &models, 1, EXOPLACE__JSON_IGNORE_UNKNOWN, &path, err);
        if (st == EXOPLACE_OK && models.present) {
            list = models.value;
            exoplace__json_path_push_key(&path, "models");
            is_list = 1;
            st = exoplace__json_expect(&list, EXOPLACE__JSON_ARRAY, "an array", &path, err);
        } else if (st == EXOPLACE_OK) {
            st = catalogue_model(request, rules, 0, &c, &path, err);
        }
    }
    if (st == EXOPLACE_OK && is_list) {
        exoplace__json_enter(&list);
        for (size_t i = 0; st == EXOPLACE_OK && exoplace__json_next_element(&list); i++) {
            size_t mark = exoplace__json_path_push_index(&path, i);
            st = catalogue_model(request, rules, 0, &list, &path, err);
            exoplace__json_path_pop(&path, mark);
        }
    }
    if (st) {
        exoplace_request_free(request);
        return st;
    }
    *out = request;
    return EXOPLACE_OK;
}

/* ---- layers requests ---------------------------------------------------------------- */

enum { LAYERS_MEMORY, LAYERS_COUNT, LAYERS_STRATEGY, LAYERS_COST };
static const exoplace__json_member layers_members[] = {
    {"memory", NULL, 0, {0}, NULL},
    {"nLayers", "n_layers", 0, {0}, NULL},
    {"strategy", NULL, 0, {0}, NULL},
    {"layerCost", "layer_cost", 0, {0}, NULL},
};

exoplace_status exoplace__json_read_layers_request(uint64_t **memory_out, size_t *n_out, uint32_t *n_layers,
                                                   exoplace_layer_strategy *strategy, uint64_t *layer_cost,
                                                   const char *text, size_t length, exoplace_error *err)
{
    *memory_out = NULL;
    *n_out = 0;
    exoplace__json_cursor c;
    exoplace_status st = begin_text(&c, text, length, err);
    if (st)
        return st;
    exoplace__json_path path;
    exoplace__json_path_init(&path);
    exoplace__json_member m[4];
    memcpy(m, layers_members, sizeof m);
    if ((st = exoplace__json_members(&c, m, 4, EXOPLACE__JSON_IGNORE_UNKNOWN, &path, err)))
        return st;
    size_t mark = exoplace__json_path_push_member(&path, &m[LAYERS_MEMORY]);
    exoplace__json_cursor list = m[LAYERS_MEMORY].value;
    if (!m[LAYERS_MEMORY].present)
        st = exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, &path, "missing");
    else if (exoplace__json_kind_at(&list) != EXOPLACE__JSON_ARRAY)
        st = exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, &path, "expected a non-empty array");
    uint64_t *memory = NULL;
    size_t n = 0, capacity = 0;
    if (st == EXOPLACE_OK)
        exoplace__json_enter(&list);
    while (st == EXOPLACE_OK && exoplace__json_next_element(&list)) {
        if (n == EXOPLACE_MAX_NODES) {
            st = exoplace__json_fail(err, EXOPLACE_E_LIMIT, &path, "more than %d nodes", EXOPLACE_MAX_NODES);
            break;
        }
        if (n == capacity) {
            capacity = capacity ? capacity * 2 : 8;
            uint64_t *grown = realloc(memory, capacity * sizeof *grown);
            if (!grown) {
                st = exoplace__fail_no_memory(err);
                break;
            }
            memory = grown;
        }
        size_t item_mark = exoplace__json_path_push_index(&path, n);
        st = exoplace__json_read_bytes(&memory[n], &list, EXOPLACE_RULES_SEED, &path, err);
        exoplace__json_path_pop(&path, item_mark);
        n++;
    }
    if (st == EXOPLACE_OK && n == 0)
        st = exoplace__json_fail(err, EXOPLACE_E_INVALID_ARGUMENT, &path, "expected a non-empty array");
    exoplace__json_path_pop(&path, mark);
    if (st == EXOPLACE_OK)
        st = exoplace__json_member_u32(n_layers, &m[LAYERS_COUNT], 1, UINT32_MAX, &path, err);
    int value;
    if (st == EXOPLACE_OK && m[LAYERS_STRATEGY].present &&
        !(st = exoplace__json_member_enum(&value, &m[LAYERS_STRATEGY], &exoplace__layer_strategy_info, &path, err)))
        *strategy = (exoplace_layer_strategy)value;
    if (st == EXOPLACE_OK && *strategy == EXOPLACE_LAYERS_FIT)
        st = exoplace__json_member_bytes(layer_cost, &m[LAYERS_COST], EXOPLACE_RULES_SEED, &path, err);
    if (st) {
        free(memory);
        return st;
    }
    *memory_out = memory;
    *n_out = n;
    return EXOPLACE_OK;
}
