/*
 * Status codes, names and texts (the stable table of exoplace.h), error
 * filling, version, and the enum-name helpers.
 */
#include "unit.h"

#include "error.h"

#include <stdio.h>
#include <string.h>

#ifndef EXOPLACE_TEST_PROJECT_VERSION
#error "meson passes the project version as EXOPLACE_TEST_PROJECT_VERSION"
#endif

/* The table, restated: values are fixed for good. */
static const struct {
    exoplace_status status;
    int value;
    const char *name;
    const char *text;
} table[] = {
    {EXOPLACE_OK, 0, "ok", "success"},
    {EXOPLACE_E_INVALID_ARGUMENT, 1, "invalid_argument", "invalid argument"},
    {EXOPLACE_E_NO_MEMORY, 2, "out_of_memory", "out of memory"},
    {EXOPLACE_E_INVALID_JSON, 3, "invalid_json", "malformed JSON"},
    {EXOPLACE_E_DUPLICATE_NODE, 4, "duplicate_node", "duplicate node id"},
    {EXOPLACE_E_UNKNOWN_NODE, 5, "unknown_node", "no node with that id"},
    {EXOPLACE_E_LIMIT, 6, "limit_exceeded", "a documented limit was exceeded"},
    {EXOPLACE_E_BUFFER_TOO_SMALL, 7, "buffer_too_small", "output buffer too small"},
    {EXOPLACE_E_TOO_MANY_CYCLES, 8, "too_many_cycles", "too many cycles to list"},
    {EXOPLACE_E_INSUFFICIENT_MEMORY, 9, "insufficient_memory", "No cycles found with sufficient memory"},
    {EXOPLACE_E_TENSOR_NOT_SUPPORTED, 10, "tensor_not_supported",
     "Requested Tensor sharding but this model does not support tensor parallelism"},
    {EXOPLACE_E_NO_TENSOR_SHARDING, 11, "no_tensor_sharding", "No tensor sharding found for model"},
    {EXOPLACE_E_INVALID_SPLIT, 12, "invalid_split", "the layer split would give a node no layers"},
    {EXOPLACE_E_SEARCH_LIMIT, 13, "search_limit", "the placement search exceeded its work bound"},
    {EXOPLACE_E_PROBE, 14, "probe_failed", "the local memory probe failed"},
    {EXOPLACE_E_TENSOR_UNSUPPORTED, 15, "tensor_unsupported",
     "Requested Tensor sharding but this model does not support tensor parallelism"},
    {EXOPLACE_E_TENSOR_INDIVISIBLE, 16, "tensor_indivisible", "No tensor sharding found for model"},
    {EXOPLACE_E_PIPELINE_UNSUPPORTED_MODEL, 17, "pipeline_unsupported_model",
     "Pipeline parallelism is not supported for this model"},
    {EXOPLACE_E_PIPELINE_SINGLE_NODE_ONLY, 18, "pipeline_single_node_only",
     "Pipeline parallelism over several nodes is not supported for this model"},
    {EXOPLACE_E_BACKEND_INCOMPATIBLE_MODEL, 19, "backend_incompatible_model",
     "the model's backends cannot satisfy the engine"},
    {EXOPLACE_E_BACKEND_NO_CYCLE, 20, "backend_no_cycle", "no cycle where every node supports a backend of the model"},
    {EXOPLACE_E_RDMA_NO_CYCLE, 21, "rdma_no_cycle", "Requested RDMA (MlxJaccl) but no RDMA-connected cycles available"},
    {EXOPLACE_E_ZERO_MEMORY, 22, "zero_memory", "Cannot create shard assignments: total available memory is 0"},
    {EXOPLACE_E_TOO_FEW_LAYERS, 23, "too_few_layers", "fewer layers than nodes"},
    {EXOPLACE_E_NODE_INSUFFICIENT_MEMORY, 24, "node_insufficient_memory", "a node has insufficient memory for its layers"},
    {EXOPLACE_E_RING_NO_LINK, 25, "ring_no_link", "MLX ring backend requires connectivity between neighbouring nodes"},
    {EXOPLACE_E_JACCL_NOT_ALL_TO_ALL, 26, "jaccl_not_all_to_all", "Current jaccl backend requires all-to-all RDMA connections"},
    {EXOPLACE_E_JACCL_UNREACHABLE_COORDINATOR, 27, "jaccl_unreachable_coordinator",
     "Current jaccl backend requires all participating devices to be able to communicate"},
    {EXOPLACE_E_INVALID_MULTIADDR, 28, "invalid_multiaddr", "Invalid multiaddr format"},
    {EXOPLACE_E_RANDOM, 29, "random_failed", "the random source failed"},
};
#define TABLE_SIZE (sizeof table / sizeof table[0])

START_TEST(status_values_are_pinned)
{
    for (size_t i = 0; i < TABLE_SIZE; i++)
        ck_assert_int_eq((int)table[i].status, table[i].value);
}
END_TEST

START_TEST(status_names_are_the_stable_codes)
{
    for (size_t i = 0; i < TABLE_SIZE; i++)
        ck_assert_str_eq(exoplace_status_name(table[i].status), table[i].name);
}
END_TEST

START_TEST(status_texts_are_the_default_texts)
{
    for (size_t i = 0; i < TABLE_SIZE; i++)
        ck_assert_str_eq(exoplace_status_str(table[i].status), table[i].text);
}
END_TEST

START_TEST(status_names_are_distinct)
{
    for (size_t i = 0; i < TABLE_SIZE; i++)
        for (size_t j = i + 1; j < TABLE_SIZE; j++)
            ck_assert_str_ne(exoplace_status_name(table[i].status), exoplace_status_name(table[j].status));
}
END_TEST

START_TEST(unknown_status_is_named_unknown)
{
    ck_assert_str_eq(exoplace_status_name((exoplace_status)TABLE_SIZE), "unknown");
    ck_assert_str_eq(exoplace_status_name((exoplace_status)9999), "unknown");
    ck_assert_str_eq(exoplace_status_str((exoplace_status)TABLE_SIZE), "unknown status");
    ck_assert_str_eq(exoplace_status_str((exoplace_status)9999), "unknown status");
}
END_TEST

START_TEST(placement_failures_are_exactly_the_documented_ones)
{
    for (size_t i = 0; i < TABLE_SIZE; i++) {
        exoplace_status s = table[i].status;
        int seed = s == EXOPLACE_E_INSUFFICIENT_MEMORY || s == EXOPLACE_E_TENSOR_NOT_SUPPORTED ||
                   s == EXOPLACE_E_NO_TENSOR_SHARDING || s == EXOPLACE_E_INVALID_SPLIT ||
                   s == EXOPLACE_E_SEARCH_LIMIT;
        int exo_main = s >= EXOPLACE_E_TENSOR_UNSUPPORTED && s <= EXOPLACE_E_INVALID_MULTIADDR;
        ck_assert_msg(!!exoplace_status_is_placement_failure(s) == (seed || exo_main), "%s", table[i].name);
    }
    ck_assert_int_eq(exoplace_status_is_placement_failure((exoplace_status)999), 0);
}
END_TEST

START_TEST(version_is_the_meson_project_version)
{
    ck_assert_str_eq(exoplace_version(), EXOPLACE_TEST_PROJECT_VERSION);
}
END_TEST

START_TEST(version_matches_the_header_macros)
{
    char expected[64];
    snprintf(expected, sizeof expected, "%d.%d.%d", EXOPLACE_VERSION_MAJOR, EXOPLACE_VERSION_MINOR,
             EXOPLACE_VERSION_PATCH);
    ck_assert_str_eq(exoplace_version(), expected);
}
END_TEST

START_TEST(failing_call_fills_error_code_and_message)
{
    exoplace_error err;
    memset(&err, 0x55, sizeof err);
    ck_assert_int_eq(exoplace_topology_new(NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(err.code, EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(memchr(err.message, '\0', sizeof err.message));
    ck_assert_ptr_nonnull(memchr(err.field, '\0', sizeof err.field));
    ck_assert_uint_gt(strlen(err.message), 0);
}
END_TEST

START_TEST(successful_call_clears_a_stale_error)
{
    exoplace_error err;
    memset(&err, 0x55, sizeof err);
    err.code = EXOPLACE_E_LIMIT;
    exoplace_topology *t = NULL;
    ck_assert_int_eq(exoplace_topology_new(&t, &err), EXOPLACE_OK);
    ck_assert_int_eq(err.code, EXOPLACE_OK);
    ck_assert_str_eq(err.message, "");
    ck_assert_str_eq(err.field, "");
    exoplace_topology_free(t);
}
END_TEST

START_TEST(failing_call_accepts_null_error)
{
    ck_assert_int_eq(exoplace_topology_new(NULL, NULL), EXOPLACE_E_INVALID_ARGUMENT);
}
END_TEST

START_TEST(first_error_set_wins)
{
    exoplace_error err;
    exoplace__error_clear(&err);
    ck_assert_int_eq(exoplace__fail(&err, EXOPLACE_E_LIMIT, "a.b", "first %d", 1), EXOPLACE_E_LIMIT);
    ck_assert_int_eq(exoplace__fail(&err, EXOPLACE_E_UNKNOWN_NODE, "c", "second"), EXOPLACE_E_UNKNOWN_NODE);
    ck_assert_int_eq(err.code, EXOPLACE_E_LIMIT);
    ck_assert_str_eq(err.message, "first 1");
    ck_assert_str_eq(err.field, "a.b");
}
END_TEST

START_TEST(fail_without_format_uses_the_default_text)
{
    exoplace_error err;
    exoplace__error_clear(&err);
    exoplace__fail(&err, EXOPLACE_E_INSUFFICIENT_MEMORY, NULL, NULL);
    ck_assert_str_eq(err.message, "No cycles found with sufficient memory");
    ck_assert_str_eq(err.field, "");
}
END_TEST

START_TEST(long_message_and_field_are_cut_and_terminated)
{
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    exoplace_error err;
    exoplace__error_clear(&err);
    exoplace__fail(&err, EXOPLACE_E_LIMIT, big, "%s", big);
    ck_assert_uint_eq(strlen(err.message), EXOPLACE_ERROR_MESSAGE_BYTES - 1);
    ck_assert_uint_eq(strlen(err.field), EXOPLACE_ERROR_FIELD_BYTES - 1);
}
END_TEST

START_TEST(fail_with_null_error_returns_the_code)
{
    ck_assert_int_eq(exoplace__fail(NULL, EXOPLACE_E_PROBE, NULL, NULL), EXOPLACE_E_PROBE);
    exoplace__error_clear(NULL);
}
END_TEST

START_TEST(enum_names_are_exo_spellings)
{
    ck_assert_str_eq(exoplace_sharding_name(EXOPLACE_SHARDING_PIPELINE), "Pipeline");
    ck_assert_str_eq(exoplace_sharding_name(EXOPLACE_SHARDING_TENSOR), "Tensor");
    ck_assert_str_eq(exoplace_instance_meta_name(EXOPLACE_INSTANCE_MLX_RING), "MlxRing");
    ck_assert_str_eq(exoplace_instance_meta_name(EXOPLACE_INSTANCE_MLX_JACCL), "MlxJaccl");
    ck_assert_str_eq(exoplace_memory_tier_name(EXOPLACE_TIER_AVAILABLE), "available");
    ck_assert_str_eq(exoplace_memory_tier_name(EXOPLACE_TIER_PRESSURE), "pressure");
    ck_assert_str_eq(exoplace_memory_tier_name(EXOPLACE_TIER_TOTAL), "total");
    ck_assert_str_eq(exoplace_memory_tier_name(EXOPLACE_TIER_SWAP), "swap");
    ck_assert_str_eq(exoplace_pressure_level_name(EXOPLACE_PRESSURE_NORMAL), "normal");
    ck_assert_str_eq(exoplace_pressure_level_name(EXOPLACE_PRESSURE_WARN), "warn");
    ck_assert_str_eq(exoplace_pressure_level_name(EXOPLACE_PRESSURE_CRITICAL), "critical");
    ck_assert_str_eq(exoplace_layer_strategy_name(EXOPLACE_LAYERS_LARGEST_REMAINDER), "largest-remainder");
    ck_assert_str_eq(exoplace_layer_strategy_name(EXOPLACE_LAYERS_EXO), "exo");
}
END_TEST

START_TEST(unknown_enum_values_have_no_name)
{
    ck_assert_ptr_null(exoplace_sharding_name((exoplace_sharding)2));
    ck_assert_ptr_null(exoplace_instance_meta_name((exoplace_instance_meta)2));
    ck_assert_ptr_null(exoplace_memory_tier_name((exoplace_memory_tier)4));
    ck_assert_ptr_null(exoplace_pressure_level_name((exoplace_pressure_level)4));
    ck_assert_ptr_null(exoplace_layer_strategy_name((exoplace_layer_strategy)3));
}
END_TEST

START_TEST(free_functions_accept_null)
{
    exoplace_free(NULL);
    exoplace_topology_free(NULL);
    exoplace_placement_dispose(NULL);
    exoplace_preview_list_free(NULL);
}
END_TEST

static Suite *errors_suite(void)
{
    Suite *s = suite_create("errors");
    TCase *tc = tcase_create("status");
    tcase_add_test(tc, status_values_are_pinned);
    tcase_add_test(tc, status_names_are_the_stable_codes);
    tcase_add_test(tc, status_texts_are_the_default_texts);
    tcase_add_test(tc, status_names_are_distinct);
    tcase_add_test(tc, unknown_status_is_named_unknown);
    tcase_add_test(tc, placement_failures_are_exactly_the_documented_ones);
    suite_add_tcase(s, tc);

    tc = tcase_create("version");
    tcase_add_test(tc, version_is_the_meson_project_version);
    tcase_add_test(tc, version_matches_the_header_macros);
    suite_add_tcase(s, tc);

    tc = tcase_create("error_struct");
    tcase_add_test(tc, failing_call_fills_error_code_and_message);
    tcase_add_test(tc, successful_call_clears_a_stale_error);
    tcase_add_test(tc, failing_call_accepts_null_error);
    tcase_add_test(tc, first_error_set_wins);
    tcase_add_test(tc, fail_without_format_uses_the_default_text);
    tcase_add_test(tc, long_message_and_field_are_cut_and_terminated);
    tcase_add_test(tc, fail_with_null_error_returns_the_code);
    suite_add_tcase(s, tc);

    tc = tcase_create("names");
    tcase_add_test(tc, enum_names_are_exo_spellings);
    tcase_add_test(tc, unknown_enum_values_have_no_name);
    tcase_add_test(tc, free_functions_accept_null);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run(errors_suite());
}
