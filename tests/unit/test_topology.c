/* Topology building: nodes, profiles, connections, leaves, limits (placement.md section 1). */
#include "unit.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static exoplace_topology *t;

static void setup(void)
{
    t = t_topology();
}

static void teardown(void)
{
    exoplace_topology_free(t);
    t = NULL;
}

START_TEST(new_topology_is_empty)
{
    ck_assert_uint_eq(exoplace_topology_node_count(t), 0);
    ck_assert_uint_eq(exoplace_topology_connection_count(t), 0);
    ck_assert_ptr_null(exoplace_topology_node_id(t, 0));
}
END_TEST

START_TEST(node_memory_init_sets_documented_defaults)
{
    exoplace_node_memory m;
    memset(&m, 0x7f, sizeof m);
    exoplace_node_memory_init(&m);
    ck_assert_uint_eq(m.ram_total, 0);
    ck_assert_uint_eq(m.ram_available, 0);
    ck_assert_uint_eq(m.swap_total, 0);
    ck_assert_uint_eq(m.swap_available, 0);
    ck_assert_int_eq(m.pressure_level, EXOPLACE_PRESSURE_UNREPORTED);
    ck_assert_int_eq(m.free_percent, -1);
}
END_TEST

START_TEST(added_nodes_keep_insertion_order_and_profile)
{
    exoplace_node_memory m;
    exoplace_node_memory_init(&m);
    m.ram_total = 64 * T_GIB;
    m.ram_available = 20 * T_GIB;
    m.swap_total = 8 * T_GIB;
    m.swap_available = 3 * T_GIB;
    m.pressure_level = EXOPLACE_PRESSURE_WARN;
    m.free_percent = 42;
    t_node_memory(t, "zeta", &m);
    t_node(t, "alpha", 1000, 500);
    ck_assert_uint_eq(exoplace_topology_node_count(t), 2);
    ck_assert_str_eq(exoplace_topology_node_id(t, 0), "zeta");
    ck_assert_str_eq(exoplace_topology_node_id(t, 1), "alpha");
    ck_assert_ptr_null(exoplace_topology_node_id(t, 2));

    exoplace_node_memory got;
    ck_assert_int_eq(exoplace_topology_node_memory(&got, t, 0), 1);
    ck_assert_uint_eq(got.ram_total, m.ram_total);
    ck_assert_uint_eq(got.ram_available, m.ram_available);
    ck_assert_uint_eq(got.swap_total, m.swap_total);
    ck_assert_uint_eq(got.swap_available, m.swap_available);
    ck_assert_int_eq(got.pressure_level, EXOPLACE_PRESSURE_WARN);
    ck_assert_int_eq(got.free_percent, 42);
}
END_TEST

START_TEST(find_node_returns_the_index)
{
    t_node(t, "a", 1, 1);
    t_node(t, "b", 1, 1);
    size_t index = 99;
    ck_assert_int_eq(exoplace_topology_find_node(&index, t, "b", NULL), EXOPLACE_OK);
    ck_assert_uint_eq(index, 1);
}
END_TEST

START_TEST(find_unknown_node_is_unknown_node)
{
    t_node(t, "a", 1, 1);
    size_t index = 99;
    exoplace_error err;
    ck_assert_int_eq(exoplace_topology_find_node(&index, t, "A", &err), EXOPLACE_E_UNKNOWN_NODE);
    ck_assert_int_eq(err.code, EXOPLACE_E_UNKNOWN_NODE);
}
END_TEST

START_TEST(node_id_is_copied)
{
    char id[8] = "node";
    ck_assert_int_eq(exoplace_topology_add_node(t, id, NULL, NULL), EXOPLACE_OK);
    id[0] = 'X';
    ck_assert_str_eq(exoplace_topology_node_id(t, 0), "node");
}
END_TEST

START_TEST(duplicate_node_id_is_duplicate_node)
{
    t_node(t, "a", 1000, 1000);
    exoplace_node_memory m;
    exoplace_node_memory_init(&m);
    m.ram_total = 5;
    exoplace_error err;
    ck_assert_int_eq(exoplace_topology_add_node(t, "a", &m, &err), EXOPLACE_E_DUPLICATE_NODE);
    ck_assert_int_eq(err.code, EXOPLACE_E_DUPLICATE_NODE);
    ck_assert_uint_eq(exoplace_topology_node_count(t), 1);
    exoplace_node_memory got;
    ck_assert_int_eq(exoplace_topology_node_memory(&got, t, 0), 1);
    ck_assert_uint_eq(got.ram_total, 1000);
}
END_TEST

START_TEST(duplicate_node_without_profile_is_duplicate_node)
{
    t_node_bare(t, "a");
    ck_assert_int_eq(exoplace_topology_add_node(t, "a", NULL, NULL), EXOPLACE_E_DUPLICATE_NODE);
    ck_assert_uint_eq(exoplace_topology_node_count(t), 1);
}
END_TEST

START_TEST(node_without_profile_has_no_memory)
{
    t_node_bare(t, "a");
    exoplace_node_memory got;
    memset(&got, 0x33, sizeof got);
    ck_assert_int_eq(exoplace_topology_node_memory(&got, t, 0), 0);
    ck_assert_uint_eq(got.ram_total, UINT64_C(0x3333333333333333));
}
END_TEST

START_TEST(node_memory_out_of_range_is_zero_and_untouched)
{
    t_node(t, "a", 1, 1);
    exoplace_node_memory got;
    memset(&got, 0x33, sizeof got);
    ck_assert_int_eq(exoplace_topology_node_memory(&got, t, 1), 0);
    ck_assert_uint_eq(got.ram_available, UINT64_C(0x3333333333333333));
}
END_TEST

START_TEST(unknown_endpoint_is_added_without_profile)
{
    t_node(t, "a", 1000, 1000);
    ck_assert_int_eq(exoplace_topology_add_connection(t, "a", "ghost", "/ip4/10.0.0.1/tcp/52415", NULL),
                     EXOPLACE_OK);
    ck_assert_uint_eq(exoplace_topology_node_count(t), 2);
    size_t ghost = t_index(t, "ghost");
    exoplace_node_memory got;
    ck_assert_int_eq(exoplace_topology_node_memory(&got, t, ghost), 0);
}
END_TEST

START_TEST(both_unknown_endpoints_are_added)
{
    ck_assert_int_eq(exoplace_topology_add_connection(t, "x", "y", "/ip4/10.0.0.1/tcp/52415", NULL),
                     EXOPLACE_OK);
    ck_assert_uint_eq(exoplace_topology_node_count(t), 2);
    (void)t_index(t, "x");
    (void)t_index(t, "y");
}
END_TEST

START_TEST(add_node_after_connection_gives_the_endpoint_its_profile)
{
    t_eth(t, "a", "late");
    size_t late = t_index(t, "late");
    t_node(t, "late", 2000, 1500);
    ck_assert_uint_eq(exoplace_topology_node_count(t), 2);
    ck_assert_uint_eq(t_index(t, "late"), late);
    exoplace_node_memory got;
    ck_assert_int_eq(exoplace_topology_node_memory(&got, t, late), 1);
    ck_assert_uint_eq(got.ram_total, 2000);
    ck_assert_uint_eq(got.ram_available, 1500);
}
END_TEST

START_TEST(second_add_node_after_connection_is_duplicate_node)
{
    t_eth(t, "a", "late");
    t_node(t, "late", 2000, 1500);
    ck_assert_int_eq(exoplace_topology_add_node(t, "late", NULL, NULL), EXOPLACE_E_DUPLICATE_NODE);
}
END_TEST

START_TEST(identical_connections_count_once)
{
    t_node(t, "a", 1, 1);
    t_node(t, "b", 1, 1);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(exoplace_topology_add_connection(t, "a", "b", "/ip4/10.0.0.1/tcp/52415", NULL),
                         EXOPLACE_OK);
    ck_assert_uint_eq(exoplace_topology_connection_count(t), 1);
}
END_TEST

START_TEST(parallel_different_connections_are_kept)
{
    t_node(t, "a", 1, 1);
    t_node(t, "b", 1, 1);
    ck_assert_int_eq(exoplace_topology_add_connection(t, "a", "b", "/ip4/10.0.0.1/tcp/52415", NULL),
                     EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_add_connection(t, "a", "b", "/ip4/169.254.0.1/tcp/52415", NULL),
                     EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_add_connection(t, "a", "b", "/ip4/10.0.0.1/tcp/52416", NULL),
                     EXOPLACE_OK);
    ck_assert_uint_eq(exoplace_topology_connection_count(t), 3);
}
END_TEST

START_TEST(reverse_direction_is_a_different_connection)
{
    ck_assert_int_eq(exoplace_topology_add_connection(t, "a", "b", "/ip4/10.0.0.1/tcp/52415", NULL),
                     EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_add_connection(t, "b", "a", "/ip4/10.0.0.1/tcp/52415", NULL),
                     EXOPLACE_OK);
    ck_assert_uint_eq(exoplace_topology_connection_count(t), 2);
}
END_TEST

START_TEST(self_connection_is_accepted)
{
    t_node(t, "a", 1, 1);
    ck_assert_int_eq(exoplace_topology_add_connection(t, "a", "a", "/ip4/10.0.0.1/tcp/52415", NULL),
                     EXOPLACE_OK);
    ck_assert_uint_eq(exoplace_topology_node_count(t), 1);
    ck_assert_uint_eq(exoplace_topology_connection_count(t), 1);
}
END_TEST

START_TEST(node_with_one_successor_is_a_leaf)
{
    t_eth(t, "a", "b");
    ck_assert_int_eq(exoplace_topology_node_is_leaf(t, t_index(t, "a"), EXOPLACE_RULES_SEED), 1);
}
END_TEST

START_TEST(node_without_successor_is_not_a_leaf)
{
    t_eth(t, "a", "b");
    ck_assert_int_eq(exoplace_topology_node_is_leaf(t, t_index(t, "b"), EXOPLACE_RULES_SEED), 0);
}
END_TEST

START_TEST(parallel_connections_to_one_successor_still_make_a_leaf)
{
    t_eth(t, "a", "b");
    t_tb(t, "a", "b");
    t_eth(t, "a", "b");
    ck_assert_int_eq(exoplace_topology_node_is_leaf(t, t_index(t, "a"), EXOPLACE_RULES_SEED), 1);
}
END_TEST

START_TEST(node_with_two_successors_is_not_a_leaf)
{
    t_eth(t, "a", "b");
    t_eth(t, "a", "c");
    ck_assert_int_eq(exoplace_topology_node_is_leaf(t, t_index(t, "a"), EXOPLACE_RULES_SEED), 0);
}
END_TEST

START_TEST(leaf_counts_successors_in_the_whole_topology)
{
    /* a -> b -> a is a ring, but b also reaches x: b is not a leaf, a is. */
    t_eth(t, "a", "b");
    t_eth(t, "b", "a");
    t_eth(t, "b", "x");
    ck_assert_int_eq(exoplace_topology_node_is_leaf(t, t_index(t, "a"), EXOPLACE_RULES_SEED), 1);
    ck_assert_int_eq(exoplace_topology_node_is_leaf(t, t_index(t, "b"), EXOPLACE_RULES_SEED), 0);
}
END_TEST

START_TEST(self_loop_makes_the_node_its_own_successor)
{
    /* a -> a and a -> b: two distinct out-neighbours, a and b */
    t_eth(t, "a", "a");
    t_eth(t, "a", "b");
    ck_assert_int_eq(exoplace_topology_node_is_leaf(t, t_index(t, "a"), EXOPLACE_RULES_SEED), 0);
}
END_TEST

START_TEST(self_loop_alone_is_one_successor)
{
    t_eth(t, "a", "a");
    ck_assert_int_eq(exoplace_topology_node_is_leaf(t, t_index(t, "a"), EXOPLACE_RULES_SEED), 1);
}
END_TEST

START_TEST(leaf_out_of_range_is_zero)
{
    t_eth(t, "a", "b");
    ck_assert_int_eq(exoplace_topology_node_is_leaf(t, 2, EXOPLACE_RULES_SEED), 0);
}
END_TEST

START_TEST(null_and_empty_arguments_are_invalid)
{
    exoplace_error err;
    ck_assert_int_eq(exoplace_topology_add_node(NULL, "a", NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(err.code, EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_topology_add_node(t, NULL, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_topology_add_node(t, "", NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_uint_eq(exoplace_topology_node_count(t), 0);

    const char *addr = "/ip4/10.0.0.1/tcp/52415";
    ck_assert_int_eq(exoplace_topology_add_connection(NULL, "a", "b", addr, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_topology_add_connection(t, NULL, "b", addr, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_topology_add_connection(t, "a", NULL, addr, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_topology_add_connection(t, "", "b", addr, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_topology_add_connection(t, "a", "", addr, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_topology_add_connection(t, "a", "b", NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_topology_add_connection(t, "a", "b", "", &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_uint_eq(exoplace_topology_node_count(t), 0);
    ck_assert_uint_eq(exoplace_topology_connection_count(t), 0);

    t_node(t, "a", 1, 1);
    ck_assert_int_eq(exoplace_topology_add_interface(NULL, "a", "en0", "10.0.0.1", EXOPLACE_INTERFACE_UNKNOWN, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_topology_add_interface(t, NULL, "en0", "10.0.0.1", EXOPLACE_INTERFACE_UNKNOWN, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_topology_add_interface(t, "a", NULL, "10.0.0.1", EXOPLACE_INTERFACE_UNKNOWN, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_topology_add_interface(t, "a", "en0", NULL, EXOPLACE_INTERFACE_UNKNOWN, &err), EXOPLACE_E_INVALID_ARGUMENT);

    size_t index;
    ck_assert_int_eq(exoplace_topology_find_node(NULL, t, "a", &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_topology_find_node(&index, NULL, "a", &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_topology_find_node(&index, t, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
}
END_TEST

START_TEST(getters_on_a_null_topology_return_nothing)
{
    exoplace_node_memory m;
    ck_assert_uint_eq(exoplace_topology_node_count(NULL), 0);
    ck_assert_uint_eq(exoplace_topology_connection_count(NULL), 0);
    ck_assert_ptr_null(exoplace_topology_node_id(NULL, 0));
    ck_assert_int_eq(exoplace_topology_node_is_leaf(NULL, 0, EXOPLACE_RULES_SEED), 0);
    ck_assert_int_eq(exoplace_topology_node_memory(&m, NULL, 0), 0);
    t_node(t, "a", 1, 1);
    ck_assert_int_eq(exoplace_topology_node_memory(NULL, t, 0), 0);
}
END_TEST

START_TEST(malformed_multiaddr_connection_is_invalid_and_adds_nothing)
{
    exoplace_error err;
    ck_assert_int_eq(exoplace_topology_add_connection(t, "a", "b", "/ip4/300.0.0.1/tcp/1", &err),
                     EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(err.code, EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_uint_eq(exoplace_topology_connection_count(t), 0);
    ck_assert_uint_eq(exoplace_topology_node_count(t), 0);
}
END_TEST

START_TEST(interface_on_known_node_is_accepted)
{
    t_node(t, "a", 1, 1);
    ck_assert_int_eq(exoplace_topology_add_interface(t, "a", "en0", "169.254.3.4", EXOPLACE_INTERFACE_UNKNOWN, NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_add_interface(t, "a", "en1", "fe80::1", EXOPLACE_INTERFACE_UNKNOWN, NULL), EXOPLACE_OK);
}
END_TEST

START_TEST(interface_on_unknown_node_is_unknown_node)
{
    t_node(t, "a", 1, 1);
    exoplace_error err;
    ck_assert_int_eq(exoplace_topology_add_interface(t, "b", "en0", "10.0.0.1", EXOPLACE_INTERFACE_UNKNOWN, &err), EXOPLACE_E_UNKNOWN_NODE);
    ck_assert_int_eq(err.code, EXOPLACE_E_UNKNOWN_NODE);
}
END_TEST

START_TEST(free_percent_outside_minus_one_to_100_is_invalid)
{
    exoplace_node_memory m;
    exoplace_node_memory_init(&m);
    m.free_percent = 101;
    ck_assert_int_eq(exoplace_topology_add_node(t, "a", &m, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    m.free_percent = -2;
    ck_assert_int_eq(exoplace_topology_add_node(t, "a", &m, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_uint_eq(exoplace_topology_node_count(t), 0);
    m.free_percent = 100;
    ck_assert_int_eq(exoplace_topology_add_node(t, "b", &m, NULL), EXOPLACE_OK);
    m.free_percent = 0;
    ck_assert_int_eq(exoplace_topology_add_node(t, "c", &m, NULL), EXOPLACE_OK);
}
END_TEST

START_TEST(unknown_pressure_level_is_invalid)
{
    exoplace_node_memory m;
    exoplace_node_memory_init(&m);
    m.pressure_level = (exoplace_pressure_level)4;
    ck_assert_int_eq(exoplace_topology_add_node(t, "a", &m, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_uint_eq(exoplace_topology_node_count(t), 0);
}
END_TEST

static char *id_of_length(size_t n)
{
    char *id = malloc(n + 1);
    ck_assert_ptr_nonnull(id);
    memset(id, 'n', n);
    id[n] = '\0';
    return id;
}

START_TEST(id_of_max_id_bytes_is_accepted)
{
    char *id = id_of_length(EXOPLACE_MAX_ID_BYTES);
    ck_assert_int_eq(exoplace_topology_add_node(t, id, NULL, NULL), EXOPLACE_OK);
    ck_assert_str_eq(exoplace_topology_node_id(t, 0), id);
    free(id);
}
END_TEST

START_TEST(id_longer_than_max_id_bytes_is_limit)
{
    char *id = id_of_length(EXOPLACE_MAX_ID_BYTES + 1);
    exoplace_error err;
    ck_assert_int_eq(exoplace_topology_add_node(t, id, NULL, &err), EXOPLACE_E_LIMIT);
    ck_assert_int_eq(err.code, EXOPLACE_E_LIMIT);
    ck_assert_uint_eq(exoplace_topology_node_count(t), 0);
    free(id);
}
END_TEST

START_TEST(connection_endpoint_longer_than_max_id_bytes_is_limit)
{
    char *id = id_of_length(EXOPLACE_MAX_ID_BYTES + 1);
    t_node(t, "a", 1, 1);
    ck_assert_int_eq(exoplace_topology_add_connection(t, "a", id, "/ip4/10.0.0.1/tcp/1", NULL), EXOPLACE_E_LIMIT);
    ck_assert_int_eq(exoplace_topology_add_connection(t, id, "a", "/ip4/10.0.0.1/tcp/1", NULL), EXOPLACE_E_LIMIT);
    ck_assert_uint_eq(exoplace_topology_node_count(t), 1);
    ck_assert_uint_eq(exoplace_topology_connection_count(t), 0);
    free(id);
}
END_TEST

START_TEST(interface_name_or_address_longer_than_max_id_bytes_is_limit)
{
    char *name = id_of_length(EXOPLACE_MAX_ID_BYTES + 1);
    t_node(t, "a", 1, 1);
    ck_assert_int_eq(exoplace_topology_add_interface(t, "a", name, "10.0.0.1", EXOPLACE_INTERFACE_UNKNOWN, NULL), EXOPLACE_E_LIMIT);
    ck_assert_int_eq(exoplace_topology_add_interface(t, "a", "en0", name, EXOPLACE_INTERFACE_UNKNOWN, NULL), EXOPLACE_E_LIMIT);
    free(name);
}
END_TEST

static void fill_to(unsigned count)
{
    char id[32];
    for (unsigned i = (unsigned)exoplace_topology_node_count(t); i < count; i++) {
        snprintf(id, sizeof id, "n%u", i);
        ck_assert_int_eq(exoplace_topology_add_node(t, id, NULL, NULL), EXOPLACE_OK);
    }
    ck_assert_uint_eq(exoplace_topology_node_count(t), count);
}

static void fill_to_max_nodes(void)
{
    fill_to(EXOPLACE_MAX_NODES);
}

START_TEST(max_nodes_is_limit_with_an_error_struct)
{
    fill_to_max_nodes();
    exoplace_error err;
    ck_assert_int_eq(exoplace_topology_add_node(t, "one-too-many", NULL, &err), EXOPLACE_E_LIMIT);
    ck_assert_int_eq(err.code, EXOPLACE_E_LIMIT);
    ck_assert_int_eq(exoplace_topology_add_connection(t, "n0", "one-too-many", "/ip4/10.0.0.1/tcp/1", &err),
                     EXOPLACE_E_LIMIT);
    ck_assert_uint_eq(exoplace_topology_node_count(t), EXOPLACE_MAX_NODES);
}
END_TEST

START_TEST(connection_failing_at_the_node_limit_adds_neither_endpoint)
{
    /* one place left: a connection between two new ids fails whole */
    fill_to(EXOPLACE_MAX_NODES - 1);
    exoplace_error err;
    ck_assert_int_eq(exoplace_topology_add_connection(t, "new-x", "new-y", "/ip4/10.0.0.1/tcp/1", &err),
                     EXOPLACE_E_LIMIT);
    ck_assert_int_eq(err.code, EXOPLACE_E_LIMIT);
    ck_assert_uint_eq(exoplace_topology_node_count(t), EXOPLACE_MAX_NODES - 1);
    ck_assert_uint_eq(exoplace_topology_connection_count(t), 0);
}
END_TEST

START_TEST(max_nodes_is_limit_without_an_error_struct)
{
    /* the status must not depend on whether the caller passed an exoplace_error */
    fill_to_max_nodes();
    ck_assert_int_eq(exoplace_topology_add_node(t, "one-too-many", NULL, NULL), EXOPLACE_E_LIMIT);
    ck_assert_int_eq(exoplace_topology_add_connection(t, "n0", "one-too-many", "/ip4/10.0.0.1/tcp/1", NULL),
                     EXOPLACE_E_LIMIT);
    ck_assert_uint_eq(exoplace_topology_node_count(t), EXOPLACE_MAX_NODES);
}
END_TEST


START_TEST(rdma_and_socket_connections_keep_their_order_and_kind)
{
    ck_assert_int_eq(exoplace_topology_add_connection(t, "a", "b", "/ip4/10.0.0.2/tcp/52415", NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_add_rdma_connection(t, "a", "b", "rdma_en3", "rdma_en4", NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_add_rdma_connection(t, "b", "a", "rdma_en4", "rdma_en3", NULL), EXOPLACE_OK);
    ck_assert_uint_eq(exoplace_topology_connection_count(t), 3);
    exoplace_connection_info info;
    ck_assert_int_eq(exoplace_topology_connection(&info, t, 0, NULL), EXOPLACE_OK);
    ck_assert_int_eq(info.kind, EXOPLACE_CONNECTION_SOCKET);
    ck_assert_str_eq(info.multiaddr, "/ip4/10.0.0.2/tcp/52415");
    ck_assert_ptr_null(info.source_iface);
    ck_assert_int_eq(exoplace_topology_connection(&info, t, 1, NULL), EXOPLACE_OK);
    ck_assert_int_eq(info.kind, EXOPLACE_CONNECTION_RDMA);
    ck_assert_uint_eq(info.source, t_index(t, "a"));
    ck_assert_uint_eq(info.sink, t_index(t, "b"));
    ck_assert_str_eq(info.source_iface, "rdma_en3");
    ck_assert_str_eq(info.sink_iface, "rdma_en4");
    ck_assert_ptr_null(info.multiaddr);
    exoplace_error err;
    ck_assert_int_eq(exoplace_topology_connection(&info, t, 3, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "index");
}
END_TEST

START_TEST(identical_rdma_connections_count_once_and_differ_from_sockets)
{
    ck_assert_int_eq(exoplace_topology_add_rdma_connection(t, "a", "b", "x", "y", NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_add_rdma_connection(t, "a", "b", "x", "y", NULL), EXOPLACE_OK);
    ck_assert_uint_eq(exoplace_topology_connection_count(t), 1);
    /* The two interface names are two fields: "x" + "y" is not "xy" + "". */
    ck_assert_int_eq(exoplace_topology_add_rdma_connection(t, "a", "b", "xy", "", NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_add_rdma_connection(t, "a", "b", "y", "x", NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_add_rdma_connection(t, "b", "a", "x", "y", NULL), EXOPLACE_OK);
    ck_assert_uint_eq(exoplace_topology_connection_count(t), 4);
}
END_TEST

START_TEST(rdma_connection_adds_unknown_endpoints_without_profile)
{
    ck_assert_int_eq(exoplace_topology_add_rdma_connection(t, "a", "b", "x", "y", NULL), EXOPLACE_OK);
    ck_assert_uint_eq(exoplace_topology_node_count(t), 2);
    exoplace_node_memory m;
    ck_assert_int_eq(exoplace_topology_node_memory(&m, t, 0), 0);
    /* A self RDMA connection makes the node its own successor, like a socket one. */
    ck_assert_int_eq(exoplace_topology_add_rdma_connection(t, "c", "c", "x", "x", NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_node_is_leaf(t, t_index(t, "c"), EXOPLACE_RULES_SEED), 1);
}
END_TEST

START_TEST(rdma_connection_refuses_null_and_empty_ids)
{
    exoplace_error err;
    ck_assert_int_eq(exoplace_topology_add_rdma_connection(t, "", "b", "x", "y", &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "source_node_id");
    ck_assert_int_eq(exoplace_topology_add_rdma_connection(t, "a", "b", NULL, "y", &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "source_iface");
    ck_assert_int_eq(exoplace_topology_add_rdma_connection(NULL, "a", "b", "x", "y", &err),
                     EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_uint_eq(exoplace_topology_node_count(t), 0);
}
END_TEST

START_TEST(leaf_is_exactly_one_successor_in_seed_and_at_most_one_in_exo_main)
{
    t_node(t, "isolated", T_GIB, T_GIB);
    ck_assert_int_eq(exoplace_topology_add_connection(t, "a", "b", "/ip4/10.0.0.2/tcp/1", NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_add_rdma_connection(t, "a", "b", "x", "y", NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_add_connection(t, "b", "a", "/ip4/10.0.0.1/tcp/1", NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_add_connection(t, "b", "c", "/ip4/10.0.0.3/tcp/1", NULL), EXOPLACE_OK);
    size_t isolated = t_index(t, "isolated"), a = t_index(t, "a"), b = t_index(t, "b");
    ck_assert_int_eq(exoplace_topology_node_is_leaf(t, isolated, EXOPLACE_RULES_SEED), 0);
    ck_assert_int_eq(exoplace_topology_node_is_leaf(t, isolated, EXOPLACE_RULES_EXO_MAIN), 1);
    /* Parallel connections of two kinds are one distinct successor. */
    ck_assert_int_eq(exoplace_topology_node_is_leaf(t, a, EXOPLACE_RULES_SEED), 1);
    ck_assert_int_eq(exoplace_topology_node_is_leaf(t, a, EXOPLACE_RULES_EXO_MAIN), 1);
    ck_assert_int_eq(exoplace_topology_node_is_leaf(t, b, EXOPLACE_RULES_EXO_MAIN), 0);
    ck_assert_int_eq(exoplace_topology_node_is_leaf(t, a, (exoplace_rules)7), 0);
}
END_TEST

START_TEST(node_backends_and_rdma_ctl_are_set_and_read)
{
    t_node(t, "a", T_GIB, T_GIB);
    ck_assert_uint_eq(exoplace_topology_node_backends(t, 0), 0);
    ck_assert_int_eq(exoplace_topology_node_rdma_ctl(t, 0), 0);
    uint32_t mask = EXOPLACE_BACKEND_BIT(EXOPLACE_BACKEND_MLX_METAL) | EXOPLACE_BACKEND_BIT(EXOPLACE_BACKEND_VLLM);
    ck_assert_int_eq(exoplace_topology_set_node_backends(t, "a", mask, NULL), EXOPLACE_OK);
    ck_assert_uint_eq(exoplace_topology_node_backends(t, 0), mask);
    ck_assert_int_eq(exoplace_topology_set_node_rdma_ctl(t, "a", 1, NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_node_rdma_ctl(t, 0), 1);
    exoplace_error err;
    ck_assert_int_eq(exoplace_topology_set_node_backends(t, "a", 1u << 4, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "backends");
    ck_assert_uint_eq(exoplace_topology_node_backends(t, 0), mask);
    ck_assert_int_eq(exoplace_topology_set_node_backends(t, "b", mask, &err), EXOPLACE_E_UNKNOWN_NODE);
    ck_assert_int_eq(exoplace_topology_set_node_rdma_ctl(t, "a", 2, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_topology_set_node_rdma_ctl(t, "zz", 1, &err), EXOPLACE_E_UNKNOWN_NODE);
    ck_assert_uint_eq(exoplace_topology_node_backends(t, 5), 0);
    ck_assert_int_eq(exoplace_topology_node_rdma_ctl(NULL, 0), 0);
}
END_TEST

START_TEST(downloads_are_checked_and_copied)
{
    t_node(t, "a", T_GIB, T_GIB);
    exoplace_download d;
    exoplace_download_init(&d);
    ck_assert_int_eq(d.kind, EXOPLACE_DOWNLOAD_COMPLETED);
    char model[] = "mlx-community/m";
    d.model_id = model;
    d.kind = EXOPLACE_DOWNLOAD_ONGOING;
    d.downloaded_bytes = 5;
    d.total_bytes = 10;
    ck_assert_int_eq(exoplace_topology_add_download(t, "a", &d, NULL), EXOPLACE_OK);
    model[0] = 'X'; /* copied: changing the caller's text changes nothing */
    exoplace_error err;
    d.model_id = "";
    ck_assert_int_eq(exoplace_topology_add_download(t, "a", &d, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "download.model_id");
    d.model_id = "m";
    d.kind = (exoplace_download_kind)9;
    ck_assert_int_eq(exoplace_topology_add_download(t, "a", &d, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "download.kind");
    d.kind = EXOPLACE_DOWNLOAD_FAILED;
    ck_assert_int_eq(exoplace_topology_add_download(t, "nobody", &d, &err), EXOPLACE_E_UNKNOWN_NODE);
    d.struct_size = 3;
    ck_assert_int_eq(exoplace_topology_add_download(t, "a", &d, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "download.struct_size");
    ck_assert_int_eq(exoplace_topology_add_download(t, "a", NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
}
END_TEST

START_TEST(interface_type_is_checked)
{
    t_node(t, "a", T_GIB, T_GIB);
    exoplace_error err;
    ck_assert_int_eq(exoplace_topology_add_interface(t, "a", "en0", "10.0.0.1", EXOPLACE_INTERFACE_THUNDERBOLT, &err),
                     EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_add_interface(t, "a", "en0", "10.0.0.1", (exoplace_interface_type)5, &err),
                     EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "type");
}
END_TEST

START_TEST(node_memory_is_set_apart_and_removed)
{
    ck_assert_int_eq(exoplace_topology_add_node(t, "a", NULL, NULL), EXOPLACE_OK);
    exoplace_node_memory m;
    ck_assert_int_eq(exoplace_topology_node_memory(&m, t, 0), 0);
    exoplace_node_memory memory;
    exoplace_node_memory_init(&memory);
    memory.ram_total = 10;
    memory.ram_available = 7;
    ck_assert_int_eq(exoplace_topology_set_node_memory(t, "a", &memory, NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_node_memory(&m, t, 0), 1);
    ck_assert_uint_eq(m.ram_available, 7);
    ck_assert_int_eq(exoplace_topology_set_node_memory(t, "a", NULL, NULL), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_topology_node_memory(&m, t, 0), 0);
    /* Without an error struct the status still says what went wrong. */
    ck_assert_int_eq(exoplace_topology_set_node_memory(t, "b", &memory, NULL), EXOPLACE_E_UNKNOWN_NODE);
    ck_assert_int_eq(exoplace_topology_set_node_backends(t, "b", 0, NULL), EXOPLACE_E_UNKNOWN_NODE);
    memory.free_percent = 101;
    exoplace_error err;
    ck_assert_int_eq(exoplace_topology_set_node_memory(t, "a", &memory, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "memory.free_percent");
    ck_assert_int_eq(exoplace_topology_node_memory(&m, t, 0), 0);
}
END_TEST
static Suite *topology_suite(void)
{
    Suite *s = suite_create("topology");
    TCase *tc = tcase_create("nodes");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, new_topology_is_empty);
    tcase_add_test(tc, node_memory_init_sets_documented_defaults);
    tcase_add_test(tc, added_nodes_keep_insertion_order_and_profile);
    tcase_add_test(tc, find_node_returns_the_index);
    tcase_add_test(tc, find_unknown_node_is_unknown_node);
    tcase_add_test(tc, node_id_is_copied);
    tcase_add_test(tc, duplicate_node_id_is_duplicate_node);
    tcase_add_test(tc, duplicate_node_without_profile_is_duplicate_node);
    tcase_add_test(tc, node_without_profile_has_no_memory);
    tcase_add_test(tc, node_memory_out_of_range_is_zero_and_untouched);
    suite_add_tcase(s, tc);

    tc = tcase_create("connections");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, unknown_endpoint_is_added_without_profile);
    tcase_add_test(tc, both_unknown_endpoints_are_added);
    tcase_add_test(tc, add_node_after_connection_gives_the_endpoint_its_profile);
    tcase_add_test(tc, second_add_node_after_connection_is_duplicate_node);
    tcase_add_test(tc, identical_connections_count_once);
    tcase_add_test(tc, parallel_different_connections_are_kept);
    tcase_add_test(tc, reverse_direction_is_a_different_connection);
    tcase_add_test(tc, self_connection_is_accepted);
    tcase_add_test(tc, interface_on_known_node_is_accepted);
    tcase_add_test(tc, interface_on_unknown_node_is_unknown_node);
    suite_add_tcase(s, tc);

    tc = tcase_create("leaves");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, node_with_one_successor_is_a_leaf);
    tcase_add_test(tc, node_without_successor_is_not_a_leaf);
    tcase_add_test(tc, parallel_connections_to_one_successor_still_make_a_leaf);
    tcase_add_test(tc, node_with_two_successors_is_not_a_leaf);
    tcase_add_test(tc, leaf_counts_successors_in_the_whole_topology);
    tcase_add_test(tc, self_loop_makes_the_node_its_own_successor);
    tcase_add_test(tc, self_loop_alone_is_one_successor);
    tcase_add_test(tc, leaf_out_of_range_is_zero);
    suite_add_tcase(s, tc);

    tc = tcase_create("arguments_and_limits");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, null_and_empty_arguments_are_invalid);
    tcase_add_test(tc, getters_on_a_null_topology_return_nothing);
    tcase_add_test(tc, malformed_multiaddr_connection_is_invalid_and_adds_nothing);
    tcase_add_test(tc, free_percent_outside_minus_one_to_100_is_invalid);
    tcase_add_test(tc, unknown_pressure_level_is_invalid);
    tcase_add_test(tc, id_of_max_id_bytes_is_accepted);
    tcase_add_test(tc, id_longer_than_max_id_bytes_is_limit);
    tcase_add_test(tc, connection_endpoint_longer_than_max_id_bytes_is_limit);
    tcase_add_test(tc, interface_name_or_address_longer_than_max_id_bytes_is_limit);
    tcase_add_test(tc, max_nodes_is_limit_with_an_error_struct);
    tcase_add_test(tc, max_nodes_is_limit_without_an_error_struct);
    tcase_add_test(tc, connection_failing_at_the_node_limit_adds_neither_endpoint);
    tcase_add_test(tc, rdma_and_socket_connections_keep_their_order_and_kind);
    tcase_add_test(tc, identical_rdma_connections_count_once_and_differ_from_sockets);
    tcase_add_test(tc, rdma_connection_adds_unknown_endpoints_without_profile);
    tcase_add_test(tc, rdma_connection_refuses_null_and_empty_ids);
    tcase_add_test(tc, leaf_is_exactly_one_successor_in_seed_and_at_most_one_in_exo_main);
    tcase_add_test(tc, node_backends_and_rdma_ctl_are_set_and_read);
    tcase_add_test(tc, downloads_are_checked_and_copied);
    tcase_add_test(tc, interface_type_is_checked);
    tcase_add_test(tc, node_memory_is_set_apart_and_removed);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run(topology_suite());
}
