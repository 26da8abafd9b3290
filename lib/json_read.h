/* Reading requests from a cursor over validated JSON text: paths of
 * fields, the members an object has, and typed values that name the field
 * when they are wrong (internal, not installed). The readers of the two rule
 * sets (json_read_seed.c, json_read_state.c) are built on these. */
#ifndef EXOPLACE_JSON_READ_H
#define EXOPLACE_JSON_READ_H

#include "exoplace.h"
#include "json_parse.h"
#include "names.h"

/* Path of the field being read, e.g. "topology.nodes[2].nodeId". A path
 * too long for the buffer is cut (the error field is cut the same way). */
typedef struct exoplace__json_path {
    char text[EXOPLACE_ERROR_FIELD_BYTES];
    size_t len;
} exoplace__json_path;

void exoplace__json_path_init(exoplace__json_path *path);
/* Append ".key" (or "key" at the root) / "[index]"; both return the length
 * to restore with exoplace__json_path_pop(). */
size_t exoplace__json_path_push_key(exoplace__json_path *path, const char *key);
size_t exoplace__json_path_push_index(exoplace__json_path *path, size_t index);
/* Append ".<the string's text>" (a map key: a node id), cut to fit, with its
 * control characters (C0 and DEL, U+0000 included) written as \xNN so that a
 * path never carries them. Everything else is kept as written, quotes, dots,
 * brackets and backslashes included: such a key makes the path ambiguous,
 * which a message for people can live with (the tool shows a backslash as
 * \\ in turn). */
size_t exoplace__json_path_push_text(exoplace__json_path *path, const exoplace__json_string *key);
void exoplace__json_path_pop(exoplace__json_path *path, size_t len);

/* Records a failure whose field is the path. Returns code. */
exoplace_status exoplace__json_fail(exoplace_error *err, exoplace_status code, const exoplace__json_path *path,
                                    const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* A member a reader wants of an object, and where its value is. */
typedef struct exoplace__json_member {
    const char *camel;           /* exo's spelling */
    const char *snake;           /* the other accepted spelling; NULL when there is none */
    int present;                 /* found, with a value other than null */
    exoplace__json_cursor value; /* at the value, when present */
    const char *spelled;         /* the spelling found, or the one a missing member is named by */
} exoplace__json_member;

/* Which members exoplace__json_members() accepts besides the wanted ones. */
typedef enum exoplace__json_unknown { EXOPLACE__JSON_IGNORE_UNKNOWN, EXOPLACE__JSON_REFUSE_UNKNOWN } exoplace__json_unknown;

/*
 * Reads the object at *c into members[0..n): for each, the last occurrence
 * of its camelCase key, else of its snake_case key (a null value counts as
 * absent); other keys are skipped, or refused with REFUSE_UNKNOWN. A missing
 * member is named by its snake_case spelling when the object's other keys are
 * snake_case. Leaves *c after the object. E_INVALID_ARGUMENT "expected an
 * object" when the value is not one.
 */
exoplace_status exoplace__json_members(exoplace__json_cursor *c, exoplace__json_member *members, size_t n,
                                       exoplace__json_unknown unknown, const exoplace__json_path *path,
                                       exoplace_error *err);

/* Pushes the member's spelling on the path (for reading its value). */
size_t exoplace__json_path_push_member(exoplace__json_path *path, const exoplace__json_member *member);

/* "expected <what>" unless the value at *c is of kind `kind`. */
exoplace_status exoplace__json_expect(exoplace__json_cursor *c, exoplace__json_kind kind, const char *what,
                                      const exoplace__json_path *path, exoplace_error *err);

/* Typed values at *c (moved past them). */
exoplace_status exoplace__json_read_u64(uint64_t *out, exoplace__json_cursor *c, const exoplace__json_path *path,
                                        exoplace_error *err);
/* A memory value as rule set `rules` reads it: exo's Memory {"inBytes": N}
 * (or {"in_bytes": N}) under both; the seed rule set also takes a bare N
 * (docs/json.md), exo-main does not (exo's Memory is a model, exo-main.md 1.2). */
exoplace_status exoplace__json_read_bytes(uint64_t *out, exoplace__json_cursor *c, exoplace_rules rules,
                                          exoplace__json_path *path, exoplace_error *err);
/* An integer in [min, max]: "must be at least MIN" below (negative
 * literals of any size included), "must be at most MAX" above. */
exoplace_status exoplace__json_read_u32(uint32_t *out, exoplace__json_cursor *c, uint32_t min, uint32_t max,
                                        const exoplace__json_path *path, exoplace_error *err);
exoplace_status exoplace__json_read_bool(int *out, exoplace__json_cursor *c, const exoplace__json_path *path,
                                         exoplace_error *err);
/* A string without U+0000, at most max_bytes bytes, non-empty unless
 * allow_empty; *out is a new allocation (free()). */
exoplace_status exoplace__json_read_text(char **out, exoplace__json_cursor *c, size_t max_bytes, int allow_empty,
                                         const exoplace__json_path *path, exoplace_error *err);
/* A string that names a value of `info`; the error lists them. */
exoplace_status exoplace__json_read_enum(int *out, exoplace__json_cursor *c, const exoplace__enum_info *info,
                                         const exoplace__json_path *path, exoplace_error *err);

/* The same, for a member: "missing" when it is absent. */
exoplace_status exoplace__json_member_u64(uint64_t *out, const exoplace__json_member *m, exoplace__json_path *path,
                                          exoplace_error *err);
exoplace_status exoplace__json_member_bytes(uint64_t *out, const exoplace__json_member *m, exoplace_rules rules,
                                            exoplace__json_path *path, exoplace_error *err);
exoplace_status exoplace__json_member_u32(uint32_t *out, const exoplace__json_member *m, uint32_t min, uint32_t max,
                                          exoplace__json_path *path, exoplace_error *err);
exoplace_status exoplace__json_member_bool(int *out, const exoplace__json_member *m, exoplace__json_path *path,
                                           exoplace_error *err);
exoplace_status exoplace__json_member_text(char **out, const exoplace__json_member *m, size_t max_bytes,
                                           int allow_empty, exoplace__json_path *path, exoplace_error *err);
exoplace_status exoplace__json_member_enum(int *out, const exoplace__json_member *m, const exoplace__enum_info *info,
                                           exoplace__json_path *path, exoplace_error *err);

/* Forwards a failure a C API call reported while a reader fed it the field
 * at path: the call's code and text, the reader's path. */
exoplace_status exoplace__json_forward(exoplace_error *err, const exoplace__json_path *path,
                                       const exoplace_error *sub);

/* The readers of the two rule sets, over the members of a request's top
 * object (the names below, in this order; see json_read.c). */
enum {
    EXOPLACE__TOP_TOPOLOGY,
    EXOPLACE__TOP_MODEL,
    EXOPLACE__TOP_MODELS,
    EXOPLACE__TOP_SHARDING,
    EXOPLACE__TOP_INSTANCE_META,
    EXOPLACE__TOP_MIN_NODES,
    EXOPLACE__TOP_ALLOW_LOW_MEMORY,
    EXOPLACE__TOP_STRATEGY,
    EXOPLACE__TOP_NODE_IDS,
    EXOPLACE__TOP_RULES,
    EXOPLACE__TOP_NODES, /* a bare topology (seed) */
    EXOPLACE__TOP_CONNECTIONS,
    EXOPLACE__TOP_NODE_MEMORY,
    EXOPLACE__TOP_NODE_NETWORK,
    EXOPLACE__TOP_NODE_BACKENDS,
    EXOPLACE__TOP_NODE_RDMA_CTL,
    EXOPLACE__TOP_DOWNLOADS,
    EXOPLACE__TOP_RESERVE_BYTES,
    EXOPLACE__TOP_COUNT
};

/* Shared by both readers: a memory object as rule set `rules` reads it
 * (exo-main: all four figures required, each a Memory object), "model" and
 * "models" read by read_model, and sharding, instance meta, min_nodes and reserve_bytes. */
exoplace_status exoplace__json_read_memory(exoplace_node_memory *memory, exoplace__json_cursor *c,
                                           exoplace__json_path *path, exoplace_rules rules, exoplace_error *err);
typedef exoplace_status (*exoplace__json_model_reader)(exoplace_request *request, int as_the_model,
                                                       exoplace__json_cursor *c, exoplace__json_path *path,
                                                       exoplace_error *err);
exoplace_status exoplace__json_read_models(exoplace_request *request, exoplace__json_member *top,
                                           exoplace__json_path *path, exoplace__json_model_reader read_model,
                                           exoplace_error *err);
exoplace_status exoplace__json_read_settings(exoplace_place_options *options, exoplace__json_member *top,
                                             exoplace__json_path *path, exoplace_error *err);

/* A layers request {"memory": [...], "n_layers": N, "strategy": S,
 * "layer_cost": B}: the memory figures into a new array (*memory_out,
 * free()), *strategy left as it is unless the request names one; layer_cost
 * is read with strategy fit (which needs it) and only then. */
exoplace_status exoplace__json_read_layers_request(uint64_t **memory_out, size_t *n_out, uint32_t *n_layers,
                                                   exoplace_layer_strategy *strategy, uint64_t *layer_cost,
                                                   const char *text, size_t length, exoplace_error *err);

/* seed (docs/json.md): the topology, models and settings of a request. */
exoplace_status exoplace__json_read_seed(exoplace_request *request, exoplace__json_member *top,
                                         exoplace__json_path *path, exoplace_error *err);
/* seed: one model object into *model, strings allocated into the request. */
exoplace_status exoplace__json_read_seed_model(exoplace_request *request, int as_the_model, exoplace__json_cursor *c,
                                               exoplace__json_path *path, exoplace_error *err);

/* exo-main (exo-main.md 1): exo's /state with the placement fields. */
exoplace_status exoplace__json_read_state(exoplace_request *request, exoplace__json_member *top,
                                          exoplace__json_path *path, exoplace_error *err);
/* exo-main: one ModelCard. */
exoplace_status exoplace__json_read_card(exoplace_request *request, int as_the_model, exoplace__json_cursor *c,
                                         exoplace__json_path *path, exoplace_error *err);

#endif
