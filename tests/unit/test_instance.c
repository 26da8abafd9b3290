/*
 * exo-main's instance (exo-main.md 7): the address priority tables of ring
 * and jaccl (every interface type, ties to the newest connection, the last
 * matching interface deciding), ring hosts with the placeholder and self,
 * IPv6, one-way and missing links, RDMA-only pairs, the jaccl devices
 * matrix and coordinators, /dns candidates, exo's error order, and the
 * random parts (drawn in exo's order, reproducible with a seed).
 */
#include "unit.h"

#include "error.h"
#include "instance.h"

#include <stdio.h>
#include <string.h>

static void node(exoplace_topology *t, const char *id)
{
    t_node(t, id, 100 * T_GIB, 90 * T_GIB);
}

static void sock(exoplace_topology *t, const char *a, const char *b, const char *multiaddr)
{
    exoplace_error err;
    exoplace_status st = exoplace_topology_add_connection(t, a, b, multiaddr, &err);
    ck_assert_msg(st == EXOPLACE_OK, "%s -> %s %s: %s", a, b, multiaddr, err.message);
}

/* A socket connection a -> b at /ip4/<ip>/tcp/52415. */
static void sock4(exoplace_topology *t, const char *a, const char *b, const char *ip)
{
    char multiaddr[80];
    snprintf(multiaddr, sizeof multiaddr, "/ip4/%s/tcp/52415", ip);
    sock(t, a, b, multiaddr);
}

static void rdma(exoplace_topology *t, const char *a, const char *b, const char *source_iface)
{
    ck_assert_int_eq(exoplace_topology_add_rdma_connection(t, a, b, source_iface, "rdma_sink", NULL), EXOPLACE_OK);
}

static void iface(exoplace_topology *t, const char *id, const char *ip, exoplace_interface_type type)
{
    ck_assert_int_eq(exoplace_topology_add_interface(t, id, "en", ip, type, NULL), EXOPLACE_OK);
}

static exoplace_model model(void)
{
    exoplace_model m = t_model("m", T_GIB, 12);
    m.hidden_size = 4096;
    m.supports_tensor = 1;
    return m;
}

static exoplace__random seeded(uint64_t seed)
{
    exoplace_place_options o = t_random_options(NULL, NULL, 1, seed);
    exoplace__random r;
    exoplace__random_init(&r, &o);
    return r;
}

/* Places the cycle (ids in rank order) with shards and instance. */
static exoplace_status place_with(exoplace_placement *p, exoplace_error *err, const exoplace_topology *t,
                                  const exoplace__out_edges *out_edges, const char *const *ids, size_t n,
                                  exoplace_sharding sharding, exoplace_instance_meta meta, exoplace__random *random)
{
    uint32_t cycle[16];
    for (size_t i = 0; i < n; i++)
        cycle[i] = (uint32_t)t_index(t, ids[i]);
    exoplace_model m = model();
    exoplace__error_clear(err);
    return exoplace__exo_main_place_cycle(p, t, out_edges, cycle, n, &m, sharding, meta, EXOPLACE_TIER_AVAILABLE,
                                          random, err);
}

static void place_ok(exoplace_placement *p, const exoplace_topology *t, const char *const *ids, size_t n,
                     exoplace_instance_meta meta)
{
    exoplace__random r = seeded(7);
    exoplace_error err;
    exoplace_sharding sharding = meta == EXOPLACE_INSTANCE_MLX_JACCL ? EXOPLACE_SHARDING_TENSOR
                                                                      : EXOPLACE_SHARDING_PIPELINE;
    exoplace_status st = place_with(p, &err, t, NULL, ids, n, sharding, meta, &r);
    ck_assert_msg(st == EXOPLACE_OK, "%s: %s", exoplace_status_name(st), err.message);
}

static void place_fails(const exoplace_topology *t, const char *const *ids, size_t n, exoplace_instance_meta meta,
                        exoplace_status code, const char *text)
{
    exoplace_placement p;
    exoplace_error err;
    exoplace__random r = seeded(7);
    exoplace_sharding sharding = meta == EXOPLACE_INSTANCE_MLX_JACCL ? EXOPLACE_SHARDING_TENSOR
                                                                      : EXOPLACE_SHARDING_PIPELINE;
    exoplace_status st = place_with(&p, &err, t, NULL, ids, n, sharding, meta, &r);
    ck_assert_msg(st == code, "%s (%s), expected %s", exoplace_status_name(st), err.message,
                  exoplace_status_name(code));
    ck_assert_str_eq(err.message, text);
    ck_assert_ptr_null(p.shards);
    ck_assert_ptr_null(p.instance.runner_ids);
}

static const char ring_no_link[] = "MLX ring backend requires connectivity between neighbouring nodes";
static const char not_all_to_all[] = "Current jaccl backend requires all-to-all RDMA connections";
static const char unreachable[] = "Current jaccl backend requires all participating devices to be able to communicate";

/* ---- address tables ---- */

typedef struct candidate {
    const char *ip;
    int typed;                    /* 0: no interface of b has this address */
    exoplace_interface_type type;
} candidate;

/* a <-> b, with the candidates a -> b in the order given (the last is the
 * newest), each typed by an interface of b; b -> a at 10.9.9.9. */
static exoplace_topology *pair_with_candidates(const candidate *c, size_t n)
{
    exoplace_topology *t = t_topology();
    node(t, "a");
    node(t, "b");
    for (size_t i = 0; i < n; i++) {
        sock4(t, "a", "b", c[i].ip);
        if (c[i].typed)
            iface(t, "b", c[i].ip, c[i].type);
    }
    sock4(t, "b", "a", "10.9.9.9");
    rdma(t, "a", "b", "rdma_ab");
    rdma(t, "b", "a", "rdma_ba");
    return t;
}

/* The address a uses for b: the ring host, or a's jaccl coordinator text (b is rank 0). */
static void expect_choice(const candidate *c, size_t n, exoplace_instance_meta meta, const char *expected_ip)
{
    exoplace_topology *t = pair_with_candidates(c, n);
    exoplace_placement p;
    if (meta == EXOPLACE_INSTANCE_MLX_RING) {
        place_ok(&p, t, T_IDS("a", "b"), meta);
        ck_assert_str_eq(p.instance.ring_next[0].ip, expected_ip);
        ck_assert_str_eq(p.instance.ring_prev[0].ip, expected_ip);
        ck_assert_str_eq(p.instance.ring_next[1].ip, "10.9.9.9");
    } else {
        place_ok(&p, t, T_IDS("b", "a"), meta);
        char text[64];
        snprintf(text, sizeof text, "%s:%u", expected_ip, (unsigned)p.instance.ephemeral_port);
        ck_assert_str_eq(p.instance.jaccl_coordinators[1], text);
    }
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
}

#define CANDIDATES(...) ((const candidate[]){__VA_ARGS__}), (sizeof((const candidate[]){__VA_ARGS__}) / sizeof(candidate))

static const candidate tb = {"10.0.0.1", 1, EXOPLACE_INTERFACE_THUNDERBOLT};
static const candidate maybe = {"10.0.0.2", 1, EXOPLACE_INTERFACE_MAYBE_ETHERNET};
static const candidate eth = {"10.0.0.3", 1, EXOPLACE_INTERFACE_ETHERNET};
static const candidate wifi = {"10.0.0.4", 1, EXOPLACE_INTERFACE_WIFI};
static const candidate unknown = {"10.0.0.5", 1, EXOPLACE_INTERFACE_UNKNOWN};
static const candidate untyped = {"10.0.0.6", 0, EXOPLACE_INTERFACE_UNKNOWN};

START_TEST(ring_table_thunderbolt_maybe_ethernet_ethernet_wifi_unknown)
{
    exoplace_instance_meta ring = EXOPLACE_INSTANCE_MLX_RING;
    expect_choice(CANDIDATES(untyped, unknown, wifi, eth, maybe, tb), ring, "10.0.0.1");
    expect_choice(CANDIDATES(tb, maybe, eth, wifi, unknown), ring, "10.0.0.1");
    expect_choice(CANDIDATES(untyped, wifi, eth, maybe), ring, "10.0.0.2");
    expect_choice(CANDIDATES(wifi, eth, unknown), ring, "10.0.0.3");
    expect_choice(CANDIDATES(unknown, wifi, untyped), ring, "10.0.0.4");
    /* unknown and no interface at all rank the same: the newest wins. */
    expect_choice(CANDIDATES(unknown, untyped), ring, "10.0.0.6");
    expect_choice(CANDIDATES(untyped, unknown), ring, "10.0.0.5");
}
END_TEST

START_TEST(jaccl_table_ethernet_wifi_unknown_maybe_ethernet_thunderbolt)
{
    exoplace_instance_meta jaccl = EXOPLACE_INSTANCE_MLX_JACCL;
    expect_choice(CANDIDATES(tb, maybe, untyped, wifi, eth), jaccl, "10.0.0.3");
    expect_choice(CANDIDATES(eth, tb, maybe, untyped, wifi), jaccl, "10.0.0.3");
    expect_choice(CANDIDATES(tb, maybe, untyped, wifi), jaccl, "10.0.0.4");
    expect_choice(CANDIDATES(tb, untyped, maybe), jaccl, "10.0.0.6");
    expect_choice(CANDIDATES(tb, maybe), jaccl, "10.0.0.2");
    expect_choice(CANDIDATES(tb), jaccl, "10.0.0.1");
}
END_TEST

START_TEST(equal_priorities_go_to_the_newest_connection)
{
    const candidate eth_a = {"10.1.0.1", 1, EXOPLACE_INTERFACE_ETHERNET};
    const candidate eth_b = {"10.1.0.2", 1, EXOPLACE_INTERFACE_ETHERNET};
    const candidate eth_c = {"10.1.0.3", 1, EXOPLACE_INTERFACE_ETHERNET};
    expect_choice(CANDIDATES(eth_a, eth_b, eth_c), EXOPLACE_INSTANCE_MLX_RING, "10.1.0.3");
    expect_choice(CANDIDATES(eth_c, eth_b, eth_a), EXOPLACE_INSTANCE_MLX_RING, "10.1.0.1");
    expect_choice(CANDIDATES(eth_a, eth_b, wifi), EXOPLACE_INSTANCE_MLX_JACCL, "10.1.0.2");
}
END_TEST

START_TEST(the_last_interface_with_the_address_decides_its_type)
{
    exoplace_topology *t = t_topology();
    node(t, "a");
    node(t, "b");
    sock4(t, "a", "b", "10.2.0.1");
    sock4(t, "a", "b", "10.2.0.2");
    sock4(t, "b", "a", "10.9.9.9");
    /* 10.2.0.1 is listed as thunderbolt first, then as wifi: it counts as wifi,
     * so the older ethernet 10.2.0.2 wins the ring (thunderbolt would have won). */
    iface(t, "b", "10.2.0.1", EXOPLACE_INTERFACE_THUNDERBOLT);
    iface(t, "b", "10.2.0.2", EXOPLACE_INTERFACE_ETHERNET);
    iface(t, "b", "10.2.0.1", EXOPLACE_INTERFACE_WIFI);
    /* Interfaces of the source do not count. */
    iface(t, "a", "10.2.0.2", EXOPLACE_INTERFACE_WIFI);
    exoplace_placement p;
    place_ok(&p, t, T_IDS("a", "b"), EXOPLACE_INSTANCE_MLX_RING);
    ck_assert_str_eq(p.instance.ring_next[0].ip, "10.2.0.2");
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
}
END_TEST

/* ---- ring hosts ---- */

static exoplace_topology *ring_of_four(int with_diagonals)
{
    exoplace_topology *t = t_topology();
    const char *ids[] = {"n0", "n1", "n2", "n3"};
    for (size_t i = 0; i < 4; i++)
        node(t, ids[i]);
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++) {
            int neighbours = (i + 1) % 4 == j || (j + 1) % 4 == i;
            if (i == j || (!neighbours && !with_diagonals))
                continue;
            char ip[32];
            snprintf(ip, sizeof ip, "10.0.%zu.%zu", i, j);
            sock4(t, ids[i], ids[j], ip);
        }
    return t;
}

START_TEST(ring_hosts_are_self_neighbours_and_the_placeholder)
{
    exoplace_topology *t = ring_of_four(0);
    exoplace_placement p;
    place_ok(&p, t, T_IDS("n2", "n3", "n0", "n1"), EXOPLACE_INSTANCE_MLX_RING);
    const exoplace_instance *inst = &p.instance;
    ck_assert_int_eq(inst->kind, EXOPLACE_INSTANCE_MLX_RING);
    ck_assert_uint_eq(inst->n_nodes, 4);
    uint16_t port = inst->ephemeral_port;
    ck_assert(port >= 49152 && port != 52415);
    /* rank 0 is n2: next n3 (n2 -> n3 is 10.0.2.3), previous n1 (10.0.2.1). */
    ck_assert_str_eq(inst->ring_next[0].ip, "10.0.2.3");
    ck_assert_str_eq(inst->ring_prev[0].ip, "10.0.2.1");
    ck_assert_str_eq(inst->ring_next[3].ip, "10.0.1.2");
    ck_assert_str_eq(inst->ring_prev[3].ip, "10.0.1.0");
    exoplace_host h;
    ck_assert_int_eq(exoplace_instance_ring_host(&h, inst, 0, 0, NULL), EXOPLACE_OK);
    ck_assert_str_eq(h.ip, "0.0.0.0");
    ck_assert_uint_eq(h.port, port);
    ck_assert_int_eq(exoplace_instance_ring_host(&h, inst, 0, 1, NULL), EXOPLACE_OK);
    ck_assert_str_eq(h.ip, "10.0.2.3");
    ck_assert_uint_eq(h.port, port);
    ck_assert_int_eq(exoplace_instance_ring_host(&h, inst, 0, 2, NULL), EXOPLACE_OK);
    ck_assert_str_eq(h.ip, "198.51.100.1");
    ck_assert_uint_eq(h.port, 0);
    ck_assert_int_eq(exoplace_instance_ring_host(&h, inst, 0, 3, NULL), EXOPLACE_OK);
    ck_assert_str_eq(h.ip, "10.0.2.1");
    ck_assert_int_eq(exoplace_instance_ring_host(&h, inst, 1, 3, NULL), EXOPLACE_OK);
    ck_assert_str_eq(h.ip, "198.51.100.1");
    /* Wrong arguments. */
    exoplace_error err;
    ck_assert_int_eq(exoplace_instance_ring_host(&h, inst, 4, 0, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "rank");
    ck_assert_int_eq(exoplace_instance_ring_host(&h, inst, 0, 4, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_instance_ring_host(NULL, inst, 0, 0, &err), EXOPLACE_E_INVALID_ARGUMENT);
    exoplace_placement_dispose(&p);
    ck_assert_ptr_null(p.instance.ring_next);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(one_node_lists_itself_and_two_nodes_each_other)
{
    exoplace_topology *t = t_topology();
    node(t, "solo");
    exoplace_placement p;
    place_ok(&p, t, T_IDS("solo"), EXOPLACE_INSTANCE_MLX_RING);
    ck_assert_str_eq(p.instance.ring_next[0].ip, "0.0.0.0");
    ck_assert_uint_eq(p.instance.ring_next[0].port, p.instance.ephemeral_port);
    exoplace_host h;
    ck_assert_int_eq(exoplace_instance_ring_host(&h, &p.instance, 0, 0, NULL), EXOPLACE_OK);
    ck_assert_str_eq(h.ip, "0.0.0.0");
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);

    t = t_topology();
    node(t, "a");
    node(t, "b");
    sock4(t, "a", "b", "10.0.0.2");
    sock4(t, "b", "a", "10.0.0.1");
    place_ok(&p, t, T_IDS("b", "a"), EXOPLACE_INSTANCE_MLX_RING);
    ck_assert_str_eq(p.instance.ring_next[0].ip, "10.0.0.1");
    ck_assert_str_eq(p.instance.ring_prev[0].ip, "10.0.0.1");
    ck_assert_str_eq(p.instance.ring_next[1].ip, "10.0.0.2");
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(ipv6_addresses_are_the_text_after_ip6)
{
    exoplace_topology *t = t_topology();
    node(t, "a");
    node(t, "b");
    sock(t, "a", "b", "/ip6/fe80::2/tcp/52415");
    sock(t, "b", "a", "/ip6/2001:db8::1/tcp/52415/p2p/QmPeer");
    iface(t, "b", "fe80::2", EXOPLACE_INTERFACE_ETHERNET);
    exoplace_placement p;
    place_ok(&p, t, T_IDS("a", "b"), EXOPLACE_INSTANCE_MLX_RING);
    ck_assert_str_eq(p.instance.ring_next[0].ip, "fe80::2");
    ck_assert_str_eq(p.instance.ring_next[1].ip, "2001:db8::1");
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(a_ring_with_links_between_neighbours_only_is_enough)
{
    exoplace_topology *t = ring_of_four(0);
    exoplace_placement p;
    place_ok(&p, t, T_IDS("n0", "n1", "n2", "n3"), EXOPLACE_INSTANCE_MLX_RING);
    exoplace_placement_dispose(&p);
    /* Not in ring order: n0 and n2 are neighbours in this cycle but not linked. */
    place_fails(t, T_IDS("n0", "n2", "n1", "n3"), EXOPLACE_INSTANCE_MLX_RING, EXOPLACE_E_RING_NO_LINK, ring_no_link);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(one_way_ring_fails_both_neighbours_are_looked_up)
{
    exoplace_topology *t = t_topology();
    node(t, "a");
    node(t, "b");
    node(t, "c");
    sock4(t, "a", "b", "10.0.0.2");
    sock4(t, "b", "c", "10.0.0.3");
    sock4(t, "c", "a", "10.0.0.1");
    place_fails(t, T_IDS("a", "b", "c"), EXOPLACE_INSTANCE_MLX_RING, EXOPLACE_E_RING_NO_LINK, ring_no_link);
    /* A pair linked one way only. */
    place_fails(t, T_IDS("a", "b"), EXOPLACE_INSTANCE_MLX_RING, EXOPLACE_E_RING_NO_LINK, ring_no_link);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(rdma_only_pair_has_no_ring_address)
{
    exoplace_topology *t = t_topology();
    node(t, "a");
    node(t, "b");
    rdma(t, "a", "b", "rdma_en1");
    rdma(t, "b", "a", "rdma_en2");
    place_fails(t, T_IDS("a", "b"), EXOPLACE_INSTANCE_MLX_RING, EXOPLACE_E_RING_NO_LINK, ring_no_link);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(dns_candidate_is_invalid_multiaddr_even_beside_an_ip)
{
    exoplace_topology *t = t_topology();
    node(t, "a");
    node(t, "b");
    sock4(t, "a", "b", "10.0.0.2");
    sock(t, "a", "b", "/dns/old.example/tcp/1");
    sock(t, "a", "b", "/dns4/new.example/tcp/1");
    sock4(t, "b", "a", "10.0.0.1");
    /* exo reads every candidate, newest first, and stops at the first /dns one. */
    place_fails(t, T_IDS("a", "b"), EXOPLACE_INSTANCE_MLX_RING, EXOPLACE_E_INVALID_MULTIADDR,
                "Invalid multiaddr format: /dns4/new.example/tcp/1. Expected format like /ip6/::1/tcp/4001");
    exoplace_topology_free(t);
}
END_TEST

START_TEST(ring_errors_come_in_rank_then_index_order)
{
    /* Rank 0's neighbours are rank 1 (index 1) and rank 2 (index 2): index 1
     * is looked up first, so its missing link wins over rank 2's /dns. */
    exoplace_topology *t = t_topology();
    node(t, "a");
    node(t, "b");
    node(t, "c");
    sock(t, "a", "c", "/dns/c.example/tcp/1");
    sock4(t, "b", "a", "10.0.0.1");
    sock4(t, "b", "c", "10.0.0.3");
    sock4(t, "c", "a", "10.0.0.1");
    sock4(t, "c", "b", "10.0.0.2");
    place_fails(t, T_IDS("a", "b", "c"), EXOPLACE_INSTANCE_MLX_RING, EXOPLACE_E_RING_NO_LINK, ring_no_link);
    sock4(t, "a", "b", "10.0.0.2");
    place_fails(t, T_IDS("a", "b", "c"), EXOPLACE_INSTANCE_MLX_RING, EXOPLACE_E_INVALID_MULTIADDR,
                "Invalid multiaddr format: /dns/c.example/tcp/1. Expected format like /ip6/::1/tcp/4001");
    exoplace_topology_free(t);
}
END_TEST

/* ---- jaccl ---- */

/* Three nodes, sockets both ways, RDMA both ways except as told. */
static exoplace_topology *jaccl_three(int drop_c_to_a_rdma)
{
    exoplace_topology *t = t_topology();
    const char *ids[] = {"a", "b", "c"};
    for (size_t i = 0; i < 3; i++)
        node(t, ids[i]);
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++) {
            if (i == j)
                continue;
            char ip[32], dev[32];
            snprintf(ip, sizeof ip, "10.0.%zu.%zu", i, j);
            snprintf(dev, sizeof dev, "rdma_%s%s", ids[i], ids[j]);
            sock4(t, ids[i], ids[j], ip);
            if (!(drop_c_to_a_rdma && i == 2 && j == 0))
                rdma(t, ids[i], ids[j], dev);
        }
    return t;
}

START_TEST(jaccl_matrix_and_coordinators)
{
    exoplace_topology *t = jaccl_three(0);
    rdma(t, "b", "a", "rdma_ba_newer"); /* the newest RDMA connection names the device */
    exoplace_placement p;
    place_ok(&p, t, T_IDS("b", "c", "a"), EXOPLACE_INSTANCE_MLX_JACCL);
    const exoplace_instance *inst = &p.instance;
    ck_assert_int_eq(inst->kind, EXOPLACE_INSTANCE_MLX_JACCL);
    ck_assert_ptr_null(inst->ring_next);
    const char *expected[3][3] = {{NULL, "rdma_bc", "rdma_ba_newer"}, {"rdma_cb", NULL, "rdma_ca"},
                                  {"rdma_ab", "rdma_ac", NULL}};
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++) {
            const char *got = inst->jaccl_devices[i * 3 + j];
            if (!expected[i][j])
                ck_assert_ptr_null(got);
            else
                ck_assert_str_eq(got, expected[i][j]);
        }
    char text[64];
    snprintf(text, sizeof text, "0.0.0.0:%u", (unsigned)inst->ephemeral_port);
    ck_assert_str_eq(inst->jaccl_coordinators[0], text);
    snprintf(text, sizeof text, "10.0.2.1:%u", (unsigned)inst->ephemeral_port); /* c -> b */
    ck_assert_str_eq(inst->jaccl_coordinators[1], text);
    snprintf(text, sizeof text, "10.0.0.1:%u", (unsigned)inst->ephemeral_port); /* a -> b */
    ck_assert_str_eq(inst->jaccl_coordinators[2], text);
    exoplace_host h;
    exoplace_error err;
    ck_assert_int_eq(exoplace_instance_ring_host(&h, inst, 0, 0, &err), EXOPLACE_E_INVALID_ARGUMENT);
    exoplace_placement_dispose(&p);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(jaccl_ring_that_is_not_all_to_all_fails)
{
    /* An RDMA ring one way: every node reaches its successor only. Few
     * connections: refused before the matrix is built. */
    exoplace_topology *t = t_topology();
    node(t, "a");
    node(t, "b");
    node(t, "c");
    rdma(t, "a", "b", "r1");
    rdma(t, "b", "c", "r2");
    rdma(t, "c", "a", "r3");
    place_fails(t, T_IDS("a", "b", "c"), EXOPLACE_INSTANCE_MLX_JACCL, EXOPLACE_E_JACCL_NOT_ALL_TO_ALL, not_all_to_all);
    exoplace_topology_free(t);
    /* Many connections, one ordered pair without RDMA. */
    t = jaccl_three(1);
    place_fails(t, T_IDS("a", "b", "c"), EXOPLACE_INSTANCE_MLX_JACCL, EXOPLACE_E_JACCL_NOT_ALL_TO_ALL, not_all_to_all);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(jaccl_coordinator_must_be_reachable_from_every_node)
{
    exoplace_topology *t = t_topology();
    node(t, "a");
    node(t, "b");
    rdma(t, "a", "b", "r1");
    rdma(t, "b", "a", "r2");
    sock4(t, "a", "b", "10.0.0.2");
    /* a can reach b: with a as rank 1 and b the coordinator, it works. */
    exoplace_placement p;
    place_ok(&p, t, T_IDS("b", "a"), EXOPLACE_INSTANCE_MLX_JACCL);
    exoplace_placement_dispose(&p);
    /* b cannot reach a. */
    place_fails(t, T_IDS("a", "b"), EXOPLACE_INSTANCE_MLX_JACCL, EXOPLACE_E_JACCL_UNREACHABLE_COORDINATOR,
                unreachable);
    sock(t, "b", "a", "/dns/a.example/tcp/1");
    place_fails(t, T_IDS("a", "b"), EXOPLACE_INSTANCE_MLX_JACCL, EXOPLACE_E_INVALID_MULTIADDR,
                "Invalid multiaddr format: /dns/a.example/tcp/1. Expected format like /ip6/::1/tcp/4001");
    exoplace_topology_free(t);
}
END_TEST

START_TEST(jaccl_coordinator_errors_come_in_node_index_order)
{
    /* exo asks every node of the subgraph, in index order, for its way to the
     * coordinator: a (index 0, rank 2) has only a /dns edge to c, b (index 1,
     * rank 1) none; a's error is the one reported. */
    exoplace_topology *t = t_topology();
    const char *ids[] = {"a", "b", "c"};
    for (size_t i = 0; i < 3; i++)
        node(t, ids[i]);
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++)
            if (i != j)
                rdma(t, ids[i], ids[j], "rdma_en1");
    sock(t, "a", "c", "/dns/c.example/tcp/1");
    place_fails(t, T_IDS("c", "b", "a"), EXOPLACE_INSTANCE_MLX_JACCL, EXOPLACE_E_INVALID_MULTIADDR,
                "Invalid multiaddr format: /dns/c.example/tcp/1. Expected format like /ip6/::1/tcp/4001");
    sock4(t, "a", "c", "10.0.0.3");
    place_fails(t, T_IDS("c", "b", "a"), EXOPLACE_INSTANCE_MLX_JACCL, EXOPLACE_E_INVALID_MULTIADDR,
                "Invalid multiaddr format: /dns/c.example/tcp/1. Expected format like /ip6/::1/tcp/4001");
    exoplace_topology_free(t);
    t = t_topology();
    for (size_t i = 0; i < 3; i++)
        node(t, ids[i]);
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++)
            if (i != j)
                rdma(t, ids[i], ids[j], "rdma_en1");
    /* Now b (index 1) has the /dns edge and a (index 0) nothing: a's "unreachable" wins. */
    sock(t, "b", "c", "/dns/c.example/tcp/1");
    place_fails(t, T_IDS("c", "b", "a"), EXOPLACE_INSTANCE_MLX_JACCL, EXOPLACE_E_JACCL_UNREACHABLE_COORDINATOR,
                unreachable);
    exoplace_topology_free(t);
}
END_TEST

/* ---- random parts ---- */

/* A callback source counting its calls; it fails from call `fail_at` on (0: never). */
typedef struct counted {
    size_t calls;
    size_t fail_at;
} counted;

static int counted_bytes(void *ctx, void *buffer, size_t length)
{
    counted *c = ctx;
    c->calls++;
    memset(buffer, 0x11, length);
    return c->fail_at && c->calls >= c->fail_at ? -1 : 0;
}

static exoplace__random counted_source(counted *c)
{
    exoplace_place_options o = t_random_options(counted_bytes, c, 0, 0);
    exoplace__random r;
    exoplace__random_init(&r, &o);
    return r;
}

/* How many draws a placement of the cycle makes before it ends with `code`. */
static void expect_draws(const exoplace_topology *t, const char *const *ids, size_t n, exoplace_instance_meta meta,
                         exoplace_status code, size_t draws)
{
    counted c = {0, 0};
    exoplace__random r = counted_source(&c);
    exoplace_placement p;
    exoplace_error err;
    exoplace_sharding sharding = meta == EXOPLACE_INSTANCE_MLX_JACCL ? EXOPLACE_SHARDING_TENSOR
                                                                      : EXOPLACE_SHARDING_PIPELINE;
    exoplace_status st = place_with(&p, &err, t, NULL, ids, n, sharding, meta, &r);
    ck_assert_msg(st == code, "%s (%s), expected %s", exoplace_status_name(st), err.message,
                  exoplace_status_name(code));
    ck_assert_uint_eq(c.calls, draws);
    if (st == EXOPLACE_OK) {
        ck_assert_str_eq(p.instance.instance_id, "11111111-1111-4111-9111-111111111111");
        ck_assert_uint_eq(p.instance.ephemeral_port, 49153 + 0x1111); /* above 52415: not moved down */
    }
    exoplace_placement_dispose(&p);
}

START_TEST(draws_come_in_exos_order_and_stop_where_exo_fails)
{
    exoplace_topology *t = t_topology();
    node(t, "a");
    node(t, "b");
    rdma(t, "a", "b", "r1");
    rdma(t, "b", "a", "r2");
    /* Ring: runner ids, the instance id and the port come before the hosts. */
    expect_draws(t, T_IDS("a", "b"), EXOPLACE_INSTANCE_MLX_RING, EXOPLACE_E_RING_NO_LINK, 4);
    /* Jaccl: the port comes after the devices matrix, before the coordinators. */
    expect_draws(t, T_IDS("a", "b"), EXOPLACE_INSTANCE_MLX_JACCL, EXOPLACE_E_JACCL_UNREACHABLE_COORDINATOR, 4);
    exoplace_topology *one_way = t_topology();
    node(one_way, "a");
    node(one_way, "b");
    rdma(one_way, "a", "b", "r1");
    sock4(one_way, "a", "b", "10.0.0.2");
    sock4(one_way, "b", "a", "10.0.0.1");
    expect_draws(one_way, T_IDS("a", "b"), EXOPLACE_INSTANCE_MLX_JACCL, EXOPLACE_E_JACCL_NOT_ALL_TO_ALL, 3);
    exoplace_topology_free(one_way);
    sock4(t, "a", "b", "10.0.0.2");
    sock4(t, "b", "a", "10.0.0.1");
    expect_draws(t, T_IDS("a", "b"), EXOPLACE_INSTANCE_MLX_RING, EXOPLACE_OK, 4);
    expect_draws(t, T_IDS("a", "b"), EXOPLACE_INSTANCE_MLX_JACCL, EXOPLACE_OK, 4);
    exoplace_topology_free(t);
    /* The split fails before any draw. */
    t = t_topology();
    t_node(t, "a", T_GIB, 0);
    t_node(t, "b", T_GIB, 0);
    sock4(t, "a", "b", "10.0.0.2");
    sock4(t, "b", "a", "10.0.0.1");
    expect_draws(t, T_IDS("a", "b"), EXOPLACE_INSTANCE_MLX_RING, EXOPLACE_E_ZERO_MEMORY, 0);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(a_failing_source_fails_the_placement_and_leaves_nothing)
{
    exoplace_topology *t = t_topology();
    node(t, "a");
    node(t, "b");
    sock4(t, "a", "b", "10.0.0.2");
    sock4(t, "b", "a", "10.0.0.1");
    for (size_t fail_at = 1; fail_at <= 4; fail_at++) {
        counted c = {0, fail_at};
        exoplace__random r = counted_source(&c);
        exoplace_placement p;
        exoplace_error err;
        ck_assert_int_eq(place_with(&p, &err, t, NULL, T_IDS("a", "b"), EXOPLACE_SHARDING_PIPELINE,
                                    EXOPLACE_INSTANCE_MLX_RING, &r),
                         EXOPLACE_E_RANDOM);
        ck_assert_str_eq(err.message, "the random_bytes callback returned -1");
        ck_assert_uint_eq(c.calls, fail_at);
        ck_assert_ptr_null(p.shards);
        ck_assert_ptr_null(p.instance.runner_ids);
        ck_assert_uint_eq(p.n_nodes, 0);
    }
    exoplace_topology_free(t);
}
END_TEST

START_TEST(seeded_instances_repeat_and_ids_are_distinct_uuid4s)
{
    exoplace_topology *t = ring_of_four(1);
    exoplace_placement p[3];
    exoplace__random r1 = seeded(0), r2 = seeded(0), r3 = seeded(1);
    exoplace_error err;
    exoplace__random *sources[3] = {&r1, &r2, &r3};
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(place_with(&p[i], &err, t, NULL, T_IDS("n0", "n1", "n2", "n3"), EXOPLACE_SHARDING_PIPELINE,
                                    EXOPLACE_INSTANCE_MLX_RING, sources[i]),
                         EXOPLACE_OK);
    ck_assert_str_eq(p[0].instance.instance_id, p[1].instance.instance_id);
    ck_assert_str_ne(p[0].instance.instance_id, p[2].instance.instance_id);
    ck_assert_uint_eq(p[0].instance.ephemeral_port, p[1].instance.ephemeral_port);
    for (size_t r = 0; r < 4; r++) {
        ck_assert_str_eq(p[0].instance.runner_ids[r], p[1].instance.runner_ids[r]);
        ck_assert_uint_eq(strlen(p[0].instance.runner_ids[r]), 36);
        ck_assert_int_eq(p[0].instance.runner_ids[r][14], '4');
        ck_assert_str_ne(p[0].instance.runner_ids[r], p[0].instance.instance_id);
        for (size_t q = 0; q < r; q++)
            ck_assert_str_ne(p[0].instance.runner_ids[r], p[0].instance.runner_ids[q]);
    }
    /* A stream continues: the next placement from the same source differs. */
    exoplace_placement next;
    ck_assert_int_eq(place_with(&next, &err, t, NULL, T_IDS("n0", "n1", "n2", "n3"), EXOPLACE_SHARDING_PIPELINE,
                                EXOPLACE_INSTANCE_MLX_RING, &r1),
                     EXOPLACE_OK);
    ck_assert_str_ne(next.instance.instance_id, p[0].instance.instance_id);
    exoplace_placement_dispose(&next);
    for (int i = 0; i < 3; i++)
        exoplace_placement_dispose(&p[i]);
    exoplace_topology_free(t);
}
END_TEST

START_TEST(out_edge_index_gives_the_same_instance_as_a_full_scan)
{
    exoplace_topology *t = jaccl_three(0);
    node(t, "far");
    sock4(t, "far", "a", "10.7.7.7");
    sock4(t, "a", "far", "10.7.7.8");
    exoplace__out_edges index;
    ck_assert_int_eq(exoplace__out_edges_init(&index, t, NULL), EXOPLACE_OK);
    for (int meta = 0; meta < 2; meta++) {
        exoplace_placement with_index, without;
        exoplace__random r1 = seeded(3), r2 = seeded(3);
        exoplace_error err;
        exoplace_sharding sharding = meta ? EXOPLACE_SHARDING_TENSOR : EXOPLACE_SHARDING_PIPELINE;
        ck_assert_int_eq(place_with(&with_index, &err, t, &index, T_IDS("c", "a", "b"), sharding,
                                    (exoplace_instance_meta)meta, &r1),
                         EXOPLACE_OK);
        ck_assert_int_eq(place_with(&without, &err, t, NULL, T_IDS("c", "a", "b"), sharding,
                                    (exoplace_instance_meta)meta, &r2),
                         EXOPLACE_OK);
        for (size_t r = 0; r < 3; r++) {
            if (meta) {
                ck_assert_str_eq(with_index.instance.jaccl_coordinators[r], without.instance.jaccl_coordinators[r]);
                for (size_t s = 0; s < 3; s++)
                    ck_assert_ptr_eq(with_index.instance.jaccl_devices[r * 3 + s],
                                     without.instance.jaccl_devices[r * 3 + s]);
            } else {
                ck_assert_str_eq(with_index.instance.ring_next[r].ip, without.instance.ring_next[r].ip);
                ck_assert_str_eq(with_index.instance.ring_prev[r].ip, without.instance.ring_prev[r].ip);
            }
        }
        exoplace_placement_dispose(&with_index);
        exoplace_placement_dispose(&without);
    }
    exoplace__out_edges_dispose(&index);
    exoplace_topology_free(t);
}
END_TEST

static Suite *instance_suite(void)
{
    Suite *s = suite_create("instance");
    TCase *tc = tcase_create("addresses");
    tcase_add_test(tc, ring_table_thunderbolt_maybe_ethernet_ethernet_wifi_unknown);
    tcase_add_test(tc, jaccl_table_ethernet_wifi_unknown_maybe_ethernet_thunderbolt);
    tcase_add_test(tc, equal_priorities_go_to_the_newest_connection);
    tcase_add_test(tc, the_last_interface_with_the_address_decides_its_type);
    suite_add_tcase(s, tc);
    tc = tcase_create("ring");
    tcase_add_test(tc, ring_hosts_are_self_neighbours_and_the_placeholder);
    tcase_add_test(tc, one_node_lists_itself_and_two_nodes_each_other);
    tcase_add_test(tc, ipv6_addresses_are_the_text_after_ip6);
    tcase_add_test(tc, a_ring_with_links_between_neighbours_only_is_enough);
    tcase_add_test(tc, one_way_ring_fails_both_neighbours_are_looked_up);
    tcase_add_test(tc, rdma_only_pair_has_no_ring_address);
    tcase_add_test(tc, dns_candidate_is_invalid_multiaddr_even_beside_an_ip);
    tcase_add_test(tc, ring_errors_come_in_rank_then_index_order);
    suite_add_tcase(s, tc);
    tc = tcase_create("jaccl");
    tcase_add_test(tc, jaccl_matrix_and_coordinators);
    tcase_add_test(tc, jaccl_ring_that_is_not_all_to_all_fails);
    tcase_add_test(tc, jaccl_coordinator_must_be_reachable_from_every_node);
    tcase_add_test(tc, jaccl_coordinator_errors_come_in_node_index_order);
    suite_add_tcase(s, tc);
    tc = tcase_create("random");
    tcase_add_test(tc, draws_come_in_exos_order_and_stop_where_exo_fails);
    tcase_add_test(tc, a_failing_source_fails_the_placement_and_leaves_nothing);
    tcase_add_test(tc, seeded_instances_repeat_and_ids_are_distinct_uuid4s);
    tcase_add_test(tc, out_edge_index_gives_the_same_instance_as_a_full_scan);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run(instance_suite());
}
