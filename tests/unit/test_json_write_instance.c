/*
 * exo's JSON of an instance (exo-main.md 7.4 and 9): the card as exo
 * re-serializes it (every member with its default, the echoed members as
 * written in either spelling, the placement members from the model's
 * fields, vision.weightsRepo filled in), the field paths of a card exo
 * refuses, the card's limits, and the shapes of the place and preview
 * responses of the exo-main rule set.
 */
#include "unit.h"

#include "error.h"
#include "instance.h"
#include "json_write_instance.h"
#include "shards_exo_main.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const exoplace_backend metal[] = {EXOPLACE_BACKEND_MLX_METAL, EXOPLACE_BACKEND_MLX_CPU};
static const exoplace_task text_generation[] = {EXOPLACE_TASK_TEXT_GENERATION};

static exoplace_model card_model(const char *card_json)
{
    exoplace_model m = t_model("org/model", 12345678901ull, 32);
    m.hidden_size = 4096;
    m.supports_tensor = 1;
    m.num_key_value_heads = 8;
    m.base_model = "Base";
    m.backends = metal;
    m.n_backends = 2;
    m.tasks = text_generation;
    m.n_tasks = 1;
    m.card_json = card_json;
    return m;
}

/* The card written for the model, parsed; asserts it writes. */
static json_t *written_card(const exoplace_model *m)
{
    exoplace__json_writer w;
    exoplace__jw_init(&w);
    exoplace_error err;
    exoplace__error_clear(&err);
    exoplace_status st = exoplace__json_write_model_card(&w, m, &err);
    ck_assert_msg(st == EXOPLACE_OK, "%s: %s (%s)", exoplace_status_name(st), err.message, err.field);
    char *text = NULL;
    ck_assert_int_eq(exoplace__jw_finish(&text, &w, NULL), EXOPLACE_OK);
    json_error_t parse_error;
    json_t *card = json_loads(text, 0, &parse_error);
    ck_assert_msg(card != NULL, "not JSON: %s: %s", parse_error.text, text);
    exoplace_free(text);
    return card;
}

/* The card refused with code, err->field and message. */
static void expect_refused(const char *card_json, exoplace_status code, const char *field, const char *message)
{
    exoplace_model m = card_model(card_json);
    exoplace__json_writer w;
    exoplace__jw_init(&w);
    exoplace_error err;
    exoplace__error_clear(&err);
    exoplace_status st = exoplace__json_write_model_card(&w, &m, &err);
    exoplace__jw_dispose(&w);
    ck_assert_msg(st == code, "%s: %s, expected %s", card_json, exoplace_status_name(st), exoplace_status_name(code));
    ck_assert_str_eq(err.field, field);
    if (message)
        ck_assert_str_eq(err.message, message);
    /* The readers' check names the same member under their own root. */
    exoplace__error_clear(&err);
    ck_assert_int_eq(exoplace__json_check_card_echo(card_json, "model", &err), code);
    if (strncmp(field, "model.card_json", 15) == 0) {
        char under_model[EXOPLACE_ERROR_FIELD_BYTES];
        snprintf(under_model, sizeof under_model, "model%s", field + 15);
        ck_assert_str_eq(err.field, under_model);
    }
}

static void expect_member(const json_t *object, const char *key, const char *json)
{
    json_t *expected = json_loads(json, JSON_DECODE_ANY, NULL);
    ck_assert_msg(expected != NULL, "bad expectation %s", json);
    const json_t *got = json_object_get(object, key);
    char *got_text = got ? json_dumps(got, JSON_ENCODE_ANY) : NULL;
    ck_assert_msg(got && json_equal(got, expected), "%s: %s, expected %s", key, got_text ? got_text : "(absent)",
                  json);
    free(got_text);
    json_decref(expected);
}

START_TEST(a_card_without_text_has_every_member_with_exos_default)
{
    exoplace_model m = card_model(NULL);
    json_t *card = written_card(&m);
    ck_assert_uint_eq(json_object_size(card), 20);
    expect_member(card, "modelId", "\"org/model\"");
    expect_member(card, "storageSize", "{\"inBytes\": 12345678901}");
    expect_member(card, "nLayers", "32");
    expect_member(card, "hiddenSize", "4096");
    expect_member(card, "supportsTensor", "true");
    expect_member(card, "numKeyValueHeads", "8");
    expect_member(card, "tasks", "[\"TextGeneration\"]");
    expect_member(card, "components", "null");
    expect_member(card, "family", "\"\"");
    expect_member(card, "quantization", "\"\"");
    expect_member(card, "baseModel", "\"Base\"");
    expect_member(card, "capabilities", "[]");
    expect_member(card, "backends", "[\"MlxMetal\", \"MlxCpu\"]");
    expect_member(card, "reasoningDialect", "\"none\"");
    expect_member(card, "contextLength", "0");
    expect_member(card, "usesCfg", "false");
    expect_member(card, "trustRemoteCode", "true");
    expect_member(card, "isCustom", "false");
    expect_member(card, "vision", "null");
    expect_member(card, "samplingDefaults",
                  "{\"temperature\": null, \"topP\": null, \"topK\": null, \"minP\": null, \"repetitionPenalty\": null,"
                  " \"presencePenalty\": null, \"frequencyPenalty\": null, \"thinking\": null, \"nonThinking\": null}");
    json_decref(card);
    /* No key-value heads and no base model: null and "". */
    m.num_key_value_heads = 0;
    m.base_model = NULL;
    card = written_card(&m);
    expect_member(card, "numKeyValueHeads", "null");
    expect_member(card, "baseModel", "\"\"");
    json_decref(card);
}
END_TEST

START_TEST(echoed_members_are_written_as_given_and_the_fields_win_over_the_text)
{
    const char *text = "{\"modelId\": \"other\", \"nLayers\": 99, \"usesCfg\": true, \"baseModel\": \"Other\","
                       " \"family\": \"llama\", \"quantization\": \"4bit\","
                       " \"capabilities\": [\"text\", \"caf\\u00e9\", \"tab\\there\"],"
                       " \"reasoning_dialect\": \"channel\", \"context_length\": 131072,"
                       " \"trustRemoteCode\": false, \"is_custom\": true, \"unknown\": {\"x\": 1},"
                       " \"sampling_defaults\": {\"temperature\": 1, \"top_p\": 0.95, \"topK\": 40, \"minP\": -0,"
                       " \"repetitionPenalty\": 1e0, \"thinking\": {\"temperature\": 0.6}, \"non_thinking\": null}}";
    exoplace_model m = card_model(text);
    json_t *card = written_card(&m);
    ck_assert_uint_eq(json_object_size(card), 20);
    expect_member(card, "modelId", "\"org/model\"");
    expect_member(card, "nLayers", "32");
    expect_member(card, "usesCfg", "false");
    expect_member(card, "baseModel", "\"Base\"");
    expect_member(card, "family", "\"llama\"");
    expect_member(card, "quantization", "\"4bit\"");
    expect_member(card, "capabilities", "[\"text\", \"caf\\u00e9\", \"tab\\there\"]");
    expect_member(card, "reasoningDialect", "\"channel\"");
    expect_member(card, "contextLength", "131072");
    expect_member(card, "trustRemoteCode", "false");
    expect_member(card, "isCustom", "true");
    ck_assert_ptr_null(json_object_get(card, "unknown"));
    const json_t *sampling = json_object_get(card, "samplingDefaults");
    /* exo's floats: an integer given for one is written as a float. */
    ck_assert(json_is_real(json_object_get(sampling, "temperature")));
    expect_member(sampling, "temperature", "1.0");
    expect_member(sampling, "topP", "0.95");
    ck_assert(json_is_integer(json_object_get(sampling, "topK")));
    expect_member(sampling, "topK", "40");
    ck_assert(json_is_real(json_object_get(sampling, "minP")));
    expect_member(sampling, "repetitionPenalty", "1.0");
    expect_member(sampling, "presencePenalty", "null");
    expect_member(sampling, "thinking",
                  "{\"temperature\": 0.6, \"topP\": null, \"topK\": null, \"minP\": null, \"repetitionPenalty\": null,"
                  " \"presencePenalty\": null, \"frequencyPenalty\": null}");
    expect_member(sampling, "nonThinking", "null");
    json_decref(card);
}
END_TEST

START_TEST(vision_weights_repo_is_the_model_id_when_empty_and_components_get_defaults)
{
    exoplace_model m = card_model("{\"vision\": {\"imageTokenId\": 151655, \"modelType\": \"qwen3_vl\", \"weightsRepo\": \"\"},"
                                  " \"components\": [{\"componentName\": \"vae\", \"componentPath\": \"vae/\","
                                  " \"storageSize\": {\"inBytes\": 10}, \"canShard\": false},"
                                  " {\"component_name\": \"t\", \"component_path\": \"t/\", \"storage_size\": {\"in_bytes\": 7},"
                                  " \"n_layers\": 57, \"can_shard\": true, \"safetensors_index_filename\": \"i.json\"}]}");
    json_t *card = written_card(&m);
    expect_member(card, "vision",
                  "{\"imageTokenId\": 151655, \"modelType\": \"qwen3_vl\", \"weightsRepo\": \"org/model\","
                  " \"imageToken\": null, \"processorRepo\": null}");
    expect_member(card, "components",
                  "[{\"componentName\": \"vae\", \"componentPath\": \"vae/\", \"storageSize\": {\"inBytes\": 10},"
                  " \"nLayers\": null, \"canShard\": false, \"safetensorsIndexFilename\": null},"
                  " {\"componentName\": \"t\", \"componentPath\": \"t/\", \"storageSize\": {\"inBytes\": 7},"
                  " \"nLayers\": 57, \"canShard\": true, \"safetensorsIndexFilename\": \"i.json\"}]");
    json_decref(card);
    m.card_json = "{\"vision\": {\"imageTokenId\": -1, \"modelType\": \"m\", \"weightsRepo\": \"org/vision\","
                  " \"imageToken\": \"<image>\"}}";
    card = written_card(&m);
    expect_member(card, "vision",
                  "{\"imageTokenId\": -1, \"modelType\": \"m\", \"weightsRepo\": \"org/vision\","
                  " \"imageToken\": \"<image>\", \"processorRepo\": null}");
    json_decref(card);
    m.card_json = "{\"vision\": {\"image_token_id\": 3, \"model_type\": \"m\"}}";
    card = written_card(&m);
    expect_member(json_object_get(card, "vision"), "weightsRepo", "\"org/model\"");
    json_decref(card);
}
END_TEST

START_TEST(members_exo_refuses_are_named_by_their_path)
{
    exoplace_status bad = EXOPLACE_E_INVALID_ARGUMENT;
    expect_refused("{\"family\": 5}", bad, "model.card_json.family", "expected a string");
    expect_refused("{\"capabilities\": [\"a\", 1]}", bad, "model.card_json.capabilities[1]", "expected a string");
    expect_refused("{\"capabilities\": \"a\"}", bad, "model.card_json.capabilities", "expected an array of strings");
    expect_refused("{\"contextLength\": 1.5}", bad, "model.card_json.contextLength", "expected an integer");
    expect_refused("{\"trust_remote_code\": \"yes\"}", bad, "model.card_json.trust_remote_code",
                   "expected true or false");
    expect_refused("{\"reasoningDialect\": \"loud\"}", bad, "model.card_json.reasoningDialect", NULL);
    expect_refused("{\"vision\": {\"modelType\": \"m\"}}", bad, "model.card_json.vision.imageTokenId", "missing");
    expect_refused("{\"vision\": [1]}", bad, "model.card_json.vision", "expected an object");
    expect_refused("{\"components\": [{\"componentName\": \"a\", \"componentPath\": \"a/\", \"canShard\": true}]}", bad,
                   "model.card_json.components[0].storageSize", "missing");
    /* exo's Memory is an object: a bare byte count is refused. */
    expect_refused("{\"components\": [{\"componentName\": \"a\", \"componentPath\": \"a/\", \"storageSize\": 1,"
                   " \"canShard\": true}]}",
                   bad, "model.card_json.components[0].storageSize", "expected an object {\"inBytes\": N}");
    expect_refused("{\"components\": [{\"componentName\": \"a\", \"componentPath\": \"a/\","
                   " \"storageSize\": {\"inBytes\": 1}, \"canShard\": true, \"nLayers\": 0}]}",
                   bad, "model.card_json.components[0].nLayers", "expected an integer >= 1 or null");
    expect_refused("{\"samplingDefaults\": {\"thinking\": {\"topK\": 2.5}}}", bad,
                   "model.card_json.samplingDefaults.thinking.topK", "expected an integer or null");
    expect_refused("{\"sampling_defaults\": {\"top_p\": \"high\"}}", bad, "model.card_json.sampling_defaults.top_p",
                   "expected a number or null");
    expect_refused("[]", bad, "model.card_json", "expected an object");
    expect_refused("{\"family\": ", EXOPLACE_E_INVALID_JSON, "model.card_json", NULL);
}
END_TEST

START_TEST(a_card_longer_than_the_limit_is_refused_when_placed_and_written)
{
    size_t len = EXOPLACE_MAX_CARD_JSON_BYTES + 1;
    char *text = malloc(len + 1);
    ck_assert_ptr_nonnull(text);
    memset(text, ' ', len);
    text[0] = '{';
    text[len - 1] = '}';
    text[len] = '\0';
    expect_refused(text, EXOPLACE_E_LIMIT, "model.card_json", NULL);
    /* Placing checks the bound too. */
    exoplace_topology *t = t_topology();
    t_node(t, "a", 100 * T_GIB, 90 * T_GIB);
    exoplace_model m = card_model(text);
    exoplace_placement p;
    exoplace_error err;
    ck_assert_int_eq(exoplace_place(&p, t, &m, NULL, &err), EXOPLACE_E_LIMIT);
    ck_assert_str_eq(err.field, "model.card_json");
    /* One byte less is a card. */
    text[len - 2] = '}';
    text[len - 1] = '\0';
    json_t *card = written_card(&m);
    json_decref(card);
    exoplace_topology_free(t);
    free(text);
}
END_TEST

START_TEST(a_card_exo_cannot_hold_is_refused)
{
    exoplace_model m = card_model(NULL);
    m.supports_tensor = -1;
    exoplace__json_writer w;
    exoplace__jw_init(&w);
    exoplace_error err;
    exoplace__error_clear(&err);
    ck_assert_int_eq(exoplace__json_write_model_card(&w, &m, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "model.supports_tensor");
    m = card_model(NULL);
    m.hidden_size = 0;
    exoplace__error_clear(&err);
    ck_assert_int_eq(exoplace__json_write_model_card(&w, &m, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "model.hidden_size");
    exoplace__jw_dispose(&w);
    exoplace__jw_init(&w);
    w.len = (size_t)EXOPLACE_MAX_OUTPUT_BYTES + 1;
    exoplace__error_clear(&err);
    ck_assert_int_eq(exoplace__json_check_output_size(&w, &err), EXOPLACE_E_LIMIT);
    w.len = EXOPLACE_MAX_OUTPUT_BYTES;
    ck_assert_int_eq(exoplace__json_check_output_size(&w, &err), EXOPLACE_OK);
}
END_TEST

/* ---- the responses ---- */

static exoplace_topology *pair_topology(void)
{
    exoplace_topology *t = t_topology();
    t_node(t, "a", 100 * T_GIB, 90 * T_GIB);
    t_node(t, "b", 100 * T_GIB, 90 * T_GIB);
    ck_assert_int_eq(exoplace_topology_add_connection(t, "a", "b", "/ip4/10.0.0.2/tcp/52415", NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_add_connection(t, "b", "a", "/ip4/10.0.0.1/tcp/52415", NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_add_rdma_connection(t, "a", "b", "rdma_a", "rdma_b", NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_add_rdma_connection(t, "b", "a", "rdma_b", "rdma_a", NULL), EXOPLACE_OK);
    return t;
}

/* The response of exoplace_placement_write_json() for the cycle b, a. */
static json_t *placed_response(const exoplace_topology *t, const exoplace_model *m, exoplace_sharding sharding,
                               exoplace_instance_meta meta, exoplace_memory_tier tier)
{
    exoplace_place_options o = t_random_options(NULL, NULL, 1, 5);
    exoplace__random random;
    exoplace__random_init(&random, &o);
    uint32_t cycle[] = {(uint32_t)t_index(t, "b"), (uint32_t)t_index(t, "a")};
    exoplace_placement p;
    exoplace_error err;
    exoplace__error_clear(&err);
    exoplace_status st = exoplace__exo_main_place_cycle(&p, t, NULL, cycle, 2, m, sharding, meta, tier, &random, &err);
    ck_assert_msg(st == EXOPLACE_OK, "%s", err.message);
    char *text = NULL;
    ck_assert_int_eq(exoplace_placement_write_json(&text, &p, m, &err), EXOPLACE_OK);
    exoplace_placement_dispose(&p);
    json_t *doc = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(doc);
    exoplace_free(text);
    return doc;
}

START_TEST(the_exo_main_place_response_is_ok_rules_instance_and_tier)
{
    exoplace_topology *t = pair_topology();
    exoplace_model m = card_model("{\"family\": \"f\"}");
    json_t *doc = placed_response(t, &m, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_RING, EXOPLACE_TIER_TOTAL);
    ck_assert_uint_eq(json_object_size(doc), 5);
    expect_member(doc, "ok", "true");
    expect_member(doc, "rules", "\"exo-main\"");
    expect_member(doc, "is_low_memory", "true");
    expect_member(doc, "memory_tier", "\"total\"");
    const json_t *ring = json_object_get(json_object_get(doc, "instance"), "MlxRingInstance");
    ck_assert_ptr_nonnull(ring);
    ck_assert_uint_eq(json_object_size(ring), 4);
    const json_t *assignments = json_object_get(ring, "shardAssignments");
    expect_member(assignments, "modelId", "\"org/model\"");
    const json_t *node_to_runner = json_object_get(assignments, "nodeToRunner");
    const json_t *runner_to_shard = json_object_get(assignments, "runnerToShard");
    ck_assert_uint_eq(json_object_size(node_to_runner), 2);
    const json_t *shard_b = json_object_get(
        json_object_get(runner_to_shard, json_string_value(json_object_get(node_to_runner, "b"))),
        "PipelineShardMetadata");
    ck_assert_ptr_nonnull(shard_b);
    ck_assert_uint_eq(json_object_size(shard_b), 8);
    expect_member(shard_b, "deviceRank", "0");
    expect_member(shard_b, "worldSize", "2");
    expect_member(shard_b, "immediateException", "false");
    expect_member(shard_b, "shouldTimeout", "null");
    expect_member(shard_b, "startLayer", "0");
    expect_member(shard_b, "endLayer", "16");
    expect_member(json_object_get(shard_b, "modelCard"), "family", "\"f\"");
    json_int_t port = json_integer_value(json_object_get(ring, "ephemeralPort"));
    ck_assert(port >= 49152 && port <= 65535 && port != 52415);
    const json_t *hosts_b = json_object_get(json_object_get(ring, "hostsByNode"), "b");
    ck_assert_uint_eq(json_array_size(hosts_b), 2);
    expect_member(json_array_get(hosts_b, 0), "ip", "\"0.0.0.0\"");
    expect_member(json_array_get(hosts_b, 1), "ip", "\"10.0.0.1\"");
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(hosts_b, 1), "port")), port);
    json_decref(doc);

    doc = placed_response(t, &m, EXOPLACE_SHARDING_TENSOR, EXOPLACE_INSTANCE_MLX_JACCL, EXOPLACE_TIER_AVAILABLE);
    expect_member(doc, "is_low_memory", "false");
    expect_member(doc, "memory_tier", "\"available\"");
    const json_t *jaccl = json_object_get(json_object_get(doc, "instance"), "MlxJacclInstance");
    ck_assert_ptr_nonnull(jaccl);
    ck_assert_uint_eq(json_object_size(jaccl), 4);
    expect_member(jaccl, "jacclDevices", "[[null, \"rdma_b\"], [\"rdma_a\", null]]");
    const json_t *coordinators = json_object_get(jaccl, "jacclCoordinators");
    ck_assert(strncmp(json_string_value(json_object_get(coordinators, "b")), "0.0.0.0:", 8) == 0);
    ck_assert(strncmp(json_string_value(json_object_get(coordinators, "a")), "10.0.0.2:", 9) == 0);
    json_decref(doc);

    m.uses_cfg = 1;
    doc = placed_response(t, &m, EXOPLACE_SHARDING_PIPELINE, EXOPLACE_INSTANCE_MLX_RING, EXOPLACE_TIER_AVAILABLE);
    assignments = json_object_get(json_object_get(json_object_get(doc, "instance"), "MlxRingInstance"),
                                  "shardAssignments");
    node_to_runner = json_object_get(assignments, "nodeToRunner");
    const json_t *shard_a = json_object_get(
        json_object_get(json_object_get(assignments, "runnerToShard"),
                        json_string_value(json_object_get(node_to_runner, "a"))),
        "CfgShardMetadata");
    ck_assert_ptr_nonnull(shard_a);
    ck_assert_uint_eq(json_object_size(shard_a), 12);
    expect_member(shard_a, "cfgRank", "1");
    expect_member(shard_a, "cfgWorldSize", "2");
    expect_member(shard_a, "pipelineRank", "0");
    expect_member(shard_a, "pipelineWorldSize", "1");
    expect_member(shard_a, "startLayer", "0");
    expect_member(shard_a, "endLayer", "32");
    json_decref(doc);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(a_placement_without_its_instance_is_not_written_as_exo_main)
{
    exoplace_topology *t = pair_topology();
    exoplace_model m = card_model(NULL);
    uint32_t cycle[] = {0, 1};
    exoplace_placement p;
    ck_assert_int_eq(exoplace__exo_main_shards(&p, t, cycle, 2, &m, EXOPLACE_SHARDING_PIPELINE,
                                               EXOPLACE_INSTANCE_MLX_RING, EXOPLACE_TIER_AVAILABLE, NULL),
                     EXOPLACE_OK);
    char *text = (char *)"untouched";
    exoplace_error err;
    ck_assert_int_eq(exoplace_placement_write_json(&text, &p, &m, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_ptr_null(text);
    ck_assert_str_eq(err.field, "placement.instance");
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(exo_main_error_previews_have_exos_shape_and_a_code)
{
    exoplace_topology *t = pair_topology();
    exoplace_model m = card_model(NULL);
    m.storage_size = 1000 * T_GIB;
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.rules = EXOPLACE_RULES_EXO_MAIN;
    o.no_fallback = 1;
    exoplace_preview_list *list = NULL;
    ck_assert_int_eq(exoplace_preview_list_new(&list, t, &m, &o, NULL), EXOPLACE_OK);
    ck_assert_uint_gt(exoplace_preview_list_count(list), 0);
    char *text = NULL;
    const exoplace_preview_list *lists[] = {list};
    ck_assert_int_eq(exoplace_preview_lists_write_json(&text, lists, &m, 1, NULL), EXOPLACE_OK);
    json_t *doc = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(doc);
    const json_t *previews = json_object_get(doc, "previews");
    ck_assert_uint_eq(json_array_size(previews), exoplace_preview_list_count(list));
    for (size_t i = 0; i < json_array_size(previews); i++) {
        const json_t *preview = json_array_get(previews, i);
        ck_assert_uint_eq(json_object_size(preview), 9);
        expect_member(preview, "model_id", "\"org/model\"");
        expect_member(preview, "instance", "null");
        expect_member(preview, "memory_delta_by_node", "null");
        expect_member(preview, "error", "\"No cycles found with sufficient memory\"");
        expect_member(preview, "code", "\"insufficient_memory\"");
        expect_member(preview, "is_low_memory", "false");
        expect_member(preview, "memory_tier", "null");
        ck_assert_ptr_nonnull(json_string_value(json_object_get(preview, "sharding")));
        ck_assert_ptr_nonnull(json_string_value(json_object_get(preview, "instance_meta")));
    }
    json_decref(doc);
    exoplace_free(text);
    exoplace_preview_list_free(list);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(exo_main_success_previews_carry_the_instance_and_memory_delta)
{
    /* Each successful exo-main preview owns the instance its own placement
     * drew (exo-main.md 8.6), and the writer puts it in the preview. */
    exoplace_topology *t = pair_topology();
    uint32_t mask = EXOPLACE_BACKEND_BIT(EXOPLACE_BACKEND_MLX_METAL);
    ck_assert_int_eq(exoplace_topology_set_node_backends(t, "a", mask, NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_set_node_backends(t, "b", mask, NULL), EXOPLACE_OK);
    exoplace_model m = card_model("{\"family\": \"f\"}");
    m.storage_size = 3;
    exoplace_place_options o;
    exoplace_place_options_init(&o);
    o.rules = EXOPLACE_RULES_EXO_MAIN;
    o.no_fallback = 1;
    exoplace_preview_list *list = NULL;
    ck_assert_int_eq(exoplace_preview_list_new(&list, t, &m, &o, NULL), EXOPLACE_OK);
    size_t successes = 0;
    for (size_t i = 0; i < exoplace_preview_list_count(list); i++) {
        const exoplace_preview *preview = exoplace_preview_list_get(list, i);
        if (preview->status != EXOPLACE_OK)
            continue;
        ck_assert_uint_eq(preview->placement.instance.n_nodes, preview->placement.n_nodes);
        ck_assert_uint_eq(preview->placement.instance.kind, preview->placement.instance_meta);
        successes++;
    }
    ck_assert_uint_gt(successes, 0);
    char *text = NULL;
    const exoplace_preview_list *lists[] = {list};
    exoplace_error err;
    ck_assert_int_eq(exoplace_preview_lists_write_json(&text, lists, &m, 1, &err), EXOPLACE_OK);
    json_t *doc = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(doc);
    const json_t *previews = json_object_get(doc, "previews");
    size_t written = 0;
    for (size_t i = 0; i < json_array_size(previews); i++) {
        const json_t *preview = json_array_get(previews, i);
        if (!json_is_null(json_object_get(preview, "error")))
            continue;
        written++;
        ck_assert_uint_eq(json_object_size(preview), 8); /* no "code" */
        expect_member(preview, "is_low_memory", "false");
        expect_member(preview, "memory_tier", "\"available\"");
        const json_t *instance = json_object_get(preview, "instance");
        ck_assert_uint_eq(json_object_size(instance), 1);
        const json_t *delta = json_object_get(preview, "memory_delta_by_node");
        size_t nodes = json_object_size(delta);
        ck_assert(nodes == 1 || nodes == 2);
        /* 3 bytes: one node takes them all, two split them 2 + 1 in id order. */
        if (nodes == 2) {
            expect_member(delta, "a", "2");
            expect_member(delta, "b", "1");
        } else {
            const char *key;
            const json_t *value;
            json_object_foreach((json_t *)delta, key, value) ck_assert_int_eq(json_integer_value(value), 3);
        }
    }
    ck_assert_uint_eq(written, successes);
    json_decref(doc);
    exoplace_free(text);
    exoplace_preview_list_free(list);
    exoplace_topology_free(t);
}
END_TEST

static Suite *json_write_instance_suite(void)
{
    Suite *s = suite_create("json_write_instance");
    TCase *tc = tcase_create("card");
    tcase_add_test(tc, a_card_without_text_has_every_member_with_exos_default);
    tcase_add_test(tc, echoed_members_are_written_as_given_and_the_fields_win_over_the_text);
    tcase_add_test(tc, vision_weights_repo_is_the_model_id_when_empty_and_components_get_defaults);
    tcase_add_test(tc, members_exo_refuses_are_named_by_their_path);
    tcase_add_test(tc, a_card_longer_than_the_limit_is_refused_when_placed_and_written);
    tcase_add_test(tc, a_card_exo_cannot_hold_is_refused);
    suite_add_tcase(s, tc);
    tc = tcase_create("responses");
    tcase_add_test(tc, the_exo_main_place_response_is_ok_rules_instance_and_tier);
    tcase_add_test(tc, a_placement_without_its_instance_is_not_written_as_exo_main);
    tcase_add_test(tc, exo_main_error_previews_have_exos_shape_and_a_code);
    tcase_add_test(tc, exo_main_success_previews_carry_the_instance_and_memory_delta);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run(json_write_instance_suite());
}
