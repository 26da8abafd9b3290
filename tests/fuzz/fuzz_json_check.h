/* Checks on what a JSON entry point returned (json.md "Output" and the
 * contract in exoplace.h): a success or a placement failure comes with a
 * response that parses and says so; any other failure comes with no
 * response and with the error filled. */
#ifndef EXOPLACE_FUZZ_JSON_CHECK_H
#define EXOPLACE_FUZZ_JSON_CHECK_H

#include <jansson.h>

#include "fuzz_common.h"

/* Parses a response; it must be a JSON object. Numbers come back as
 * doubles (byte counts may pass int64, which jansson refuses as integers);
 * the counts checked here are exact in a double. Caller decrefs. */
static inline json_t *fuzz_parse_response(const char *out)
{
    json_error_t jerr;
    json_t *doc = json_loads(out, JSON_DECODE_INT_AS_REAL, &jerr);
    if (!doc)
        fprintf(stderr, "response does not parse: %s\n%.2000s\n", jerr.text, out);
    FUZZ_CHECK(doc != NULL);
    FUZZ_CHECK(json_is_object(doc));
    return doc;
}

/* The contract shared by every entry point; returns the parsed response
 * (NULL when there is none). */
static inline json_t *fuzz_check_json_call(exoplace_status st, char *out, const exoplace_error *err)
{
    fuzz_check_error(err, st);
    if (st != EXOPLACE_OK && !exoplace_status_is_placement_failure(st)) {
        FUZZ_CHECK(out == NULL);
        return NULL;
    }
    FUZZ_CHECK(out != NULL);
    json_t *doc = fuzz_parse_response(out);
    const json_t *ok = json_object_get(doc, "ok");
    if (st != EXOPLACE_OK) {
        FUZZ_CHECK(json_is_false(ok));
        const char *code = json_string_value(json_object_get(doc, "code"));
        FUZZ_CHECK(code != NULL && strcmp(code, exoplace_status_name(st)) == 0);
        FUZZ_CHECK(json_is_string(json_object_get(doc, "error")));
    } else if (ok) {
        FUZZ_CHECK(json_is_true(ok));
    }
    return doc;
}

/* nodes and shards of a successful placement (or preview) agree: same ids
 * in rank order, ranks 0..n-1, world size n, contiguous pipeline layers or
 * every layer for tensor. */
static inline void fuzz_check_nodes_and_shards(const json_t *placement)
{
    const json_t *nodes = json_object_get(placement, "nodes");
    const json_t *shards = json_object_get(placement, "shards");
    const char *sharding = json_string_value(json_object_get(placement, "sharding"));
    FUZZ_CHECK(json_is_array(nodes) && json_is_array(shards));
    FUZZ_CHECK(sharding != NULL);
    size_t n = json_array_size(nodes);
    FUZZ_CHECK(n >= 1 && json_array_size(shards) == n);
    int tensor = strcmp(sharding, "Tensor") == 0;
    FUZZ_CHECK(tensor || strcmp(sharding, "Pipeline") == 0);
    double next_start = 0, n_layers = -1;
    for (size_t i = 0; i < n; i++) {
        const json_t *shard = json_array_get(shards, i);
        const char *id = json_string_value(json_array_get(nodes, i));
        const char *shard_id = json_string_value(json_object_get(shard, "node_id"));
        FUZZ_CHECK(id && shard_id && strcmp(id, shard_id) == 0);
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(id, json_string_value(json_array_get(nodes, j))) != 0);
        FUZZ_CHECK(json_number_value(json_object_get(shard, "device_rank")) == (double)i);
        FUZZ_CHECK(json_number_value(json_object_get(shard, "world_size")) == (double)n);
        double start = json_number_value(json_object_get(shard, "start_layer"));
        double end = json_number_value(json_object_get(shard, "end_layer"));
        double layers = json_number_value(json_object_get(shard, "n_layers"));
        FUZZ_CHECK(layers >= 1);
        if (n_layers < 0)
            n_layers = layers;
        FUZZ_CHECK(layers == n_layers);
        if (tensor) {
            FUZZ_CHECK(start == 0 && end == n_layers);
        } else {
            FUZZ_CHECK(start == next_start && end > start);
            next_start = end;
        }
    }
    if (!tensor)
        FUZZ_CHECK(next_start == n_layers);
}

#endif
