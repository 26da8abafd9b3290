/* Checks on what the JSON entry points answer to an exo-main request
 * (exo-main.md 7.4, 8 and 9), against the request itself as
 * exoplace_request_parse() reads it: exo's instance object is well formed
 * (one shard per rank, layers as the shard kind says, ring hosts or a
 * jaccl matrix for every rank), and the placement keeps the rules of
 * section 5 that can be checked from its nodes alone (memory in the tier it
 * names, tensor divisibility, backends, rdma_ctl, required nodes). */
#ifndef EXOPLACE_FUZZ_EXO_MAIN_CHECK_H
#define EXOPLACE_FUZZ_EXO_MAIN_CHECK_H

#include "fuzz_json_check.h"

/* What the placement was asked for: a place call's request settings, or a
 * preview's loop values (exo-main.md 8.2). */
typedef struct fuzz_exo_ask {
    const exoplace_request *request;
    const exoplace_model *model; /* NULL when the response's model id names no single model */
    exoplace_sharding sharding;
    exoplace_instance_meta instance_meta;
    uint32_t min_nodes;
    const char *tier; /* the response's memory_tier */
} fuzz_exo_ask;

/* The one model of the request with this id, or NULL (none, or several). */
static inline const exoplace_model *fuzz_exo_model(const exoplace_request *request, const char *model_id)
{
    const exoplace_model *found = NULL;
    for (size_t i = 0; model_id && i < request->n_models; i++) {
        if (strcmp(request->models[i].model_id, model_id) != 0)
            continue;
        if (found)
            return NULL;
        found = &request->models[i];
    }
    return found;
}

static inline double fuzz_number(const json_t *object, const char *key)
{
    const json_t *value = json_object_get(object, key);
    FUZZ_CHECK(json_is_number(value));
    return json_number_value(value);
}

/* The single member of a tagged object ({"Kind": {...}}); its key in *kind. */
static inline const json_t *fuzz_tagged(const json_t *value, const char **kind)
{
    FUZZ_CHECK(json_is_object(value) && json_object_size(value) == 1);
    void *it = json_object_iter((json_t *)value);
    *kind = json_object_iter_key(it);
    const json_t *body = json_object_iter_value(it);
    FUZZ_CHECK(json_is_object(body));
    return body;
}

/* The memory of the tier named by the response, as exo-main.md 9 reads it;
 * 0 when the tier is not one the check can recompute (pressure). */
static inline int fuzz_exo_tier_bytes(uint64_t *out, const exoplace_node_memory *m, const char *tier)
{
    if (strcmp(tier, "available") == 0)
        *out = m->ram_available;
    else if (strcmp(tier, "total") == 0)
        *out = m->ram_total;
    else if (strcmp(tier, "swap") == 0)
        *out = m->ram_total + m->swap_available < m->ram_total ? UINT64_MAX : m->ram_total + m->swap_available;
    else
        return 0;
    return 1;
}

/* Checks an instance; fills by_rank[0..n) (borrowed from the response) and
 * returns n. by_rank has room for every node of the request's topology. */
static inline size_t fuzz_check_exo_instance(const json_t *instance, const fuzz_exo_ask *ask, const char **by_rank)
{
    const exoplace_topology *t = ask->request->topology;
    const exoplace_model *model = ask->model;
    const char *kind;
    const json_t *body = fuzz_tagged(instance, &kind);
    int ring = strcmp(kind, "MlxRingInstance") == 0;
    FUZZ_CHECK(ring || strcmp(kind, "MlxJacclInstance") == 0);
    FUZZ_CHECK(fuzz_is_uuid4(json_string_value(json_object_get(body, "instanceId"))));
    const json_t *sa = json_object_get(body, "shardAssignments");
    FUZZ_CHECK(json_is_object(sa));
    const char *model_id = json_string_value(json_object_get(sa, "modelId"));
    FUZZ_CHECK(model_id != NULL);
    if (model)
        FUZZ_CHECK(strcmp(model_id, model->model_id) == 0);
    const json_t *node_to_runner = json_object_get(sa, "nodeToRunner");
    const json_t *runner_to_shard = json_object_get(sa, "runnerToShard");
    FUZZ_CHECK(json_is_object(node_to_runner) && json_is_object(runner_to_shard));
    size_t n = json_object_size(node_to_runner);
    size_t n_nodes = exoplace_topology_node_count(t);
    FUZZ_CHECK(n >= 1 && n <= n_nodes && json_object_size(runner_to_shard) == n);
    FUZZ_CHECK(n >= ask->min_nodes);

    /* Shards by rank. */
    double *start = calloc(n, sizeof *start), *end = calloc(n, sizeof *end);
    double *cfg_rank = calloc(n, sizeof *cfg_rank), *pipeline_rank = calloc(n, sizeof *pipeline_rank);
    FUZZ_CHECK(start && end && cfg_rank && pipeline_rank);
    for (size_t r = 0; r < n; r++)
        by_rank[r] = NULL;
    const char *shard_kind = NULL, *node;
    double n_layers = -1;
    json_t *runner;
    json_object_foreach((json_t *)node_to_runner, node, runner) {
        FUZZ_CHECK(json_is_string(runner));
        const json_t *tagged = json_object_get(runner_to_shard, json_string_value(runner));
        FUZZ_CHECK(tagged != NULL);
        FUZZ_CHECK(fuzz_is_uuid4(json_string_value(runner)));
        const char *this_kind;
        const json_t *shard = fuzz_tagged(tagged, &this_kind);
        if (!shard_kind)
            shard_kind = this_kind;
        FUZZ_CHECK(strcmp(shard_kind, this_kind) == 0);
        double rank = fuzz_number(shard, "deviceRank");
        FUZZ_CHECK(rank >= 0 && rank < (double)n && rank == (double)(size_t)rank);
        size_t r = (size_t)rank;
        FUZZ_CHECK(by_rank[r] == NULL);
        by_rank[r] = node;
        FUZZ_CHECK(fuzz_number(shard, "worldSize") == (double)n);
        double layers = fuzz_number(shard, "nLayers");
        if (n_layers < 0)
            n_layers = layers;
        FUZZ_CHECK(layers == n_layers && layers >= 1);
        if (model)
            FUZZ_CHECK(layers == (double)model->n_layers);
        start[r] = fuzz_number(shard, "startLayer");
        end[r] = fuzz_number(shard, "endLayer");
        const json_t *card = json_object_get(shard, "modelCard");
        FUZZ_CHECK(json_is_object(card));
        const char *card_id = json_string_value(json_object_get(card, "modelId"));
        FUZZ_CHECK(card_id && strcmp(card_id, model_id) == 0);
        if (strcmp(this_kind, "CfgShardMetadata") == 0) {
            cfg_rank[r] = fuzz_number(shard, "cfgRank");
            pipeline_rank[r] = fuzz_number(shard, "pipelineRank");
            FUZZ_CHECK(fuzz_number(shard, "cfgWorldSize") == 2);
            FUZZ_CHECK(fuzz_number(shard, "pipelineWorldSize") == (double)(n / 2));
        }
    }
    int tensor = strcmp(shard_kind, "TensorShardMetadata") == 0;
    int cfg = strcmp(shard_kind, "CfgShardMetadata") == 0;
    FUZZ_CHECK(tensor || cfg || strcmp(shard_kind, "PipelineShardMetadata") == 0);
    if (tensor) {
        for (size_t r = 0; r < n; r++)
            FUZZ_CHECK(start[r] == 0 && end[r] == n_layers);
    } else {
        /* CFG (6.3): the first half is a pipeline; position p >= n/2 runs
         * pipeline rank n-1-p with that rank's range. */
        size_t stages = cfg ? n / 2 : n;
        FUZZ_CHECK(!cfg || (n >= 2 && n % 2 == 0));
        double next = 0;
        for (size_t r = 0; r < stages; r++) {
            FUZZ_CHECK(start[r] == next && end[r] > start[r]);
            next = end[r];
            if (cfg)
                FUZZ_CHECK(cfg_rank[r] == 0 && pipeline_rank[r] == (double)r);
        }
        FUZZ_CHECK(next == n_layers);
        for (size_t p = stages; p < n; p++) {
            size_t q = n - 1 - p;
            FUZZ_CHECK(cfg_rank[p] == 1 && pipeline_rank[p] == (double)q);
            FUZZ_CHECK(start[p] == start[q] && end[p] == end[q]);
        }
    }
    free(start);
    free(end);
    free(cfg_rank);
    free(pipeline_rank);

    /* What was asked (5.4, 5.8, 5.9, 5.12, 6.2). One node is always
     * Pipeline on MlxRing. */
    if (n == 1)
        FUZZ_CHECK(ring && strcmp(shard_kind, "PipelineShardMetadata") == 0);
    else {
        FUZZ_CHECK(ring == (ask->instance_meta == EXOPLACE_INSTANCE_MLX_RING));
        FUZZ_CHECK(tensor == (ask->sharding == EXOPLACE_SHARDING_TENSOR));
    }
    if (model) {
        if (ask->sharding == EXOPLACE_SHARDING_TENSOR)
            FUZZ_CHECK(model->supports_tensor == 1);
        if (tensor) {
            FUZZ_CHECK(model->hidden_size % n == 0);
            int exempt = model->num_key_value_heads == 0 ||
                         (model->base_model && strncmp(model->base_model, "DeepSeek V4", 11) == 0);
            FUZZ_CHECK(exempt || model->num_key_value_heads % n == 0);
        }
        if (cfg)
            FUZZ_CHECK(model->uses_cfg);
        if (ask->sharding == EXOPLACE_SHARDING_PIPELINE) {
            FUZZ_CHECK(strcmp(model->model_id, "mlx-community/DeepSeek-V3.1-8bit") != 0);
            if (model->base_model && strncmp(model->base_model, "Gemma 4", 7) == 0)
                FUZZ_CHECK(n == 1);
        }
    }
    uint32_t engine = EXOPLACE_BACKEND_BIT(EXOPLACE_BACKEND_MLX_METAL);
    if (ask->instance_meta == EXOPLACE_INSTANCE_MLX_RING)
        engine |= EXOPLACE_BACKEND_BIT(EXOPLACE_BACKEND_MLX_CUDA) | EXOPLACE_BACKEND_BIT(EXOPLACE_BACKEND_MLX_CPU);
    uint32_t usable = 0;
    for (size_t i = 0; model && i < model->n_backends; i++)
        usable |= EXOPLACE_BACKEND_BIT(model->backends[i]) & engine;
    if (model)
        FUZZ_CHECK(usable != 0);

    /* The nodes (1.2, 5.2, 5.3, 5.8, 5.9). */
    uint64_t need = model ? model->storage_size : 0, sum = 0;
    int saturated = 0, tier_known = ask->tier != NULL;
    for (size_t r = 0; r < n; r++) {
        size_t index;
        FUZZ_CHECK(by_rank[r] != NULL);
        FUZZ_CHECK(exoplace_topology_find_node(&index, t, by_rank[r], NULL) == EXOPLACE_OK);
        exoplace_node_memory memory;
        FUZZ_CHECK(exoplace_topology_node_memory(&memory, t, index));
        uint64_t bytes;
        if (tier_known && fuzz_exo_tier_bytes(&bytes, &memory, ask->tier)) {
            sum += bytes;
            saturated |= sum < bytes;
        } else {
            tier_known = 0;
        }
        if (model)
            FUZZ_CHECK((exoplace_topology_node_backends(t, index) & usable) != 0);
        if (ask->instance_meta == EXOPLACE_INSTANCE_MLX_JACCL)
            FUZZ_CHECK(exoplace_topology_node_rdma_ctl(t, index) == 1);
    }
    if (model && tier_known)
        FUZZ_CHECK(saturated || sum >= need);
    const exoplace_place_options *o = &ask->request->options;
    for (size_t k = 0; k < o->n_required_node_ids; k++) {
        int found = 0;
        for (size_t r = 0; r < n; r++)
            found |= strcmp(by_rank[r], o->required_node_ids[k]) == 0;
        FUZZ_CHECK(found);
    }

    /* The engine's part (7.2, 7.3). */
    if (ring) {
        double port = fuzz_number(body, "ephemeralPort");
        FUZZ_CHECK(port >= 49152 && port <= 65535 && port != 52415);
        const json_t *hosts = json_object_get(body, "hostsByNode");
        FUZZ_CHECK(json_is_object(hosts) && json_object_size(hosts) == n);
        for (size_t r = 0; r < n; r++) {
            const json_t *list = json_object_get(hosts, by_rank[r]);
            FUZZ_CHECK(json_is_array(list) && json_array_size(list) == n);
            for (size_t i = 0; i < n; i++) {
                const json_t *host = json_array_get(list, i);
                const char *ip = json_string_value(json_object_get(host, "ip"));
                FUZZ_CHECK(ip != NULL);
                FUZZ_CHECK(i != r || strcmp(ip, "0.0.0.0") == 0);
                double host_port = fuzz_number(host, "port");
                FUZZ_CHECK(host_port == port || (host_port == 0 && strcmp(ip, "198.51.100.1") == 0));
            }
        }
    } else {
        const json_t *devices = json_object_get(body, "jacclDevices");
        const json_t *coordinators = json_object_get(body, "jacclCoordinators");
        FUZZ_CHECK(json_is_array(devices) && json_array_size(devices) == n);
        FUZZ_CHECK(json_is_object(coordinators) && json_object_size(coordinators) == n);
        for (size_t i = 0; i < n; i++) {
            const json_t *row = json_array_get(devices, i);
            FUZZ_CHECK(json_is_array(row) && json_array_size(row) == n);
            for (size_t j = 0; j < n; j++)
                FUZZ_CHECK((i == j) == json_is_null(json_array_get(row, j)) &&
                           (i == j || json_is_string(json_array_get(row, j))));
            const char *coordinator = json_string_value(json_object_get(coordinators, by_rank[i]));
            FUZZ_CHECK(coordinator && strrchr(coordinator, ':'));
            if (i == 0)
                FUZZ_CHECK(strncmp(coordinator, "0.0.0.0:", 8) == 0);
        }
    }
    return n;
}

/* is_low_memory and memory_tier of a success (exo-main.md 9). */
static inline const char *fuzz_check_exo_tier(const json_t *doc, int allow_swap)
{
    const char *tier = json_string_value(json_object_get(doc, "memory_tier"));
    FUZZ_CHECK(tier != NULL);
    FUZZ_CHECK(strcmp(tier, "available") == 0 || strcmp(tier, "pressure") == 0 || strcmp(tier, "total") == 0 ||
               (allow_swap && strcmp(tier, "swap") == 0));
    FUZZ_CHECK(json_is_boolean(json_object_get(doc, "is_low_memory")));
    FUZZ_CHECK(json_is_true(json_object_get(doc, "is_low_memory")) == (strcmp(tier, "available") != 0));
    return tier;
}

#endif
