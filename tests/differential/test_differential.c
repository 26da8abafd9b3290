/*
 * Differential test: exoplace_place (branch and bound, no cycle list) against
 * an exhaustive reference built from the public pure functions (list every
 * cycle, filter by memory, smallest, thunderbolt, leaf, greatest sum, first in
 * canonical order), on thousands of seeded random digraphs of up to 8 nodes.
 * EXOPLACE_DIFFERENTIAL_CASES=N EXOPLACE_DIFFERENTIAL_SEED=S run other cases.
 */
#include <check.h>
#include <exoplace.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_N 8
/* The defaults CI runs; EXOPLACE_DIFFERENTIAL_CASES and _SEED run others. */
#define DEFAULT_CASES 4000u
#define DEFAULT_SEED 0x5eed1234abcdull

static unsigned cases = DEFAULT_CASES;
static uint64_t seed = DEFAULT_SEED;

typedef struct rng {
    uint64_t state;
} rng;

static uint64_t next_u64(rng *r)
{
    uint64_t x = r->state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return r->state = x;
}

static unsigned below(rng *r, unsigned n)
{
    return (unsigned)(next_u64(r) % n);
}

/* Exact sums, as the library keeps them. */
__extension__ typedef unsigned __int128 u128;

typedef struct reference_choice {
    int found;
    size_t length;
    size_t nodes[MAX_N];
} reference_choice;

/* The spec's selection over the full cycle list. */
static void reference_place(reference_choice *out, const exoplace_topology *t, uint64_t required,
                            int use_total, uint32_t min_nodes)
{
    size_t count = 0, total = 0;
    exoplace_error err;
    out->found = 0;
    exoplace_status st = exoplace_cycle_list(&count, &total, NULL, 0, NULL, 0, t, 0, &err);
    ck_assert_int_eq(st, count == 0 ? EXOPLACE_OK : EXOPLACE_E_BUFFER_TOO_SMALL);
    size_t *starts = malloc((count + 1) * sizeof *starts);
    size_t *nodes = malloc((total ? total : 1) * sizeof *nodes);
    uint8_t *keep = calloc(count ? count : 1, 1);
    uint8_t *smallest = calloc(count ? count : 1, 1);
    ck_assert_int_eq(exoplace_cycle_list(&count, &total, starts, count + 1, nodes, total, t, 0, &err), EXOPLACE_OK);
    ck_assert_int_eq(exoplace_cycle_list_filter_by_memory(keep, t, starts, nodes, count, required, (use_total) ? EXOPLACE_TIER_TOTAL : EXOPLACE_TIER_AVAILABLE, &err),
                     EXOPLACE_OK);
    for (size_t i = 0; i < count; i++)
        if (starts[i + 1] - starts[i] < min_nodes)
            keep[i] = 0;
    ck_assert_int_eq(exoplace_cycle_list_smallest(smallest, starts, count, keep, &err), EXOPLACE_OK);

    int any_tb = 0, any_leaf = 0;
    int *tb = calloc(count ? count : 1, sizeof *tb), *leaf = calloc(count ? count : 1, sizeof *leaf);
    for (size_t i = 0; i < count; i++) {
        if (!smallest[i])
            continue;
        ck_assert_int_eq(exoplace_cycle_is_thunderbolt(&tb[i], t, nodes + starts[i], starts[i + 1] - starts[i], &err),
                         EXOPLACE_OK);
        any_tb |= tb[i];
    }
    for (size_t i = 0; i < count; i++) {
        if (!smallest[i] || (any_tb && !tb[i]))
            continue;
        for (size_t j = starts[i]; j < starts[i + 1]; j++)
            leaf[i] |= exoplace_topology_node_is_leaf(t, nodes[j], EXOPLACE_RULES_SEED);
        any_leaf |= leaf[i];
    }
    u128 best_sum = 0;
    long best = -1;
    for (size_t i = 0; i < count; i++) {
        if (!smallest[i] || (any_tb && !tb[i]) || (any_leaf && !leaf[i]))
            continue;
        u128 sum = 0;
        for (size_t j = starts[i]; j < starts[i + 1]; j++) {
            exoplace_node_memory m;
            ck_assert(exoplace_topology_node_memory(&m, t, nodes[j]));
            sum += use_total ? m.ram_total : m.ram_available;
        }
        if (best < 0 || sum > best_sum) { /* strictly greater: the first in canonical order wins ties */
            best = (long)i;
            best_sum = sum;
        }
    }
    if (best >= 0) {
        out->found = 1;
        out->length = starts[best + 1] - starts[best];
        memcpy(out->nodes, nodes + starts[best], out->length * sizeof *nodes);
    }
    free(starts);
    free(nodes);
    free(keep);
    free(smallest);
    free(tb);
    free(leaf);
}

static exoplace_topology *random_topology(rng *r, unsigned *n_out)
{
    exoplace_topology *t = NULL;
    ck_assert_int_eq(exoplace_topology_new(&t, NULL), EXOPLACE_OK);
    unsigned n = 1 + below(r, MAX_N);
    unsigned density = 1 + below(r, 9); /* edge probability in tenths */
    /* Few distinct memory values so that ties are common. */
    unsigned spread = 1 + below(r, 4);
    /* Thunderbolt share of links in quarters: none, some, all. */
    unsigned thunderbolt_quarters = below(r, 5);
    char id[16];
    for (unsigned i = 0; i < n; i++) {
        /* Ids out of insertion order, so index order and id order differ. */
        snprintf(id, sizeof id, "%c%u", 'a' + (int)((i * 5 + 3) % MAX_N), i);
        exoplace_node_memory m;
        exoplace_node_memory_init(&m);
        m.ram_total = 100 * (1 + below(r, spread + 1));
        m.ram_available = m.ram_total - 25 * below(r, 4);
        int profiled = below(r, 12) != 0;
        ck_assert_int_eq(exoplace_topology_add_node(t, id, profiled ? &m : NULL, NULL), EXOPLACE_OK);
    }
    for (unsigned a = 0; a < n; a++)
        for (unsigned b = 0; b < n; b++) {
            if (a == b ? below(r, 20) != 0 : below(r, 10) >= density)
                continue;
            unsigned links = 1 + (below(r, 4) == 0);
            for (unsigned k = 0; k < links; k++) {
                char addr[48];
                int tb = below(r, 4) < thunderbolt_quarters;
                snprintf(addr, sizeof addr, "/ip4/%s.%u.%u/tcp/5000", tb ? "169.254" : "10.0", a, b + 10 * k);
                ck_assert_int_eq(exoplace_topology_add_connection(t, exoplace_topology_node_id(t, a),
                                                                  exoplace_topology_node_id(t, b), addr, NULL),
                                 EXOPLACE_OK);
            }
        }
    *n_out = n;
    return t;
}

START_TEST(test_branch_and_bound_selects_the_exhaustive_choice)
{
    rng r = {seed};
    unsigned compared = 0, placed = 0;
    for (unsigned c = 0; c < cases; c++) {
        unsigned n;
        exoplace_topology *t = random_topology(&r, &n);
        int use_total = (int)below(&r, 2);
        uint32_t min_nodes = 1 + below(&r, n + 1);
        uint64_t required = 50 * below(&r, 2 + 4 * n);
        reference_choice ref;
        reference_place(&ref, t, required, use_total, min_nodes);

        exoplace_model model;
        exoplace_model_init(&model);
        model.model_id = "m";
        model.storage_size = required;
        model.n_layers = 64;
        exoplace_place_options opt;
        exoplace_place_options_init(&opt);
        opt.min_nodes = min_nodes;
        opt.memory_tier = use_total ? EXOPLACE_TIER_TOTAL : EXOPLACE_TIER_AVAILABLE;
        exoplace_placement p;
        exoplace_error err;
        exoplace_status st = exoplace_place(&p, t, &model, &opt, &err);
        if (!ref.found) {
            ck_assert_msg(st == EXOPLACE_E_INSUFFICIENT_MEMORY, "case %u: expected no placement, got %s (%s)", c,
                          exoplace_status_name(st), err.message);
        } else {
            ck_assert_msg(st == EXOPLACE_OK, "case %u: expected a placement, got %s (%s)", c,
                          exoplace_status_name(st), err.message);
            ck_assert_uint_eq(p.n_nodes, ref.length);
            for (size_t i = 0; i < ref.length; i++)
                ck_assert_msg(p.shards[i].node_index == ref.nodes[i], "case %u: rank %zu is %s, reference %s", c,
                              i, p.shards[i].node_id, exoplace_topology_node_id(t, ref.nodes[i]));
            /* Shards: the largest-remainder split of the tier's memory, contiguous. */
            uint64_t mem[MAX_N];
            uint32_t layers[MAX_N];
            for (size_t i = 0; i < ref.length; i++) {
                exoplace_node_memory m;
                exoplace_topology_node_memory(&m, t, ref.nodes[i]);
                mem[i] = use_total ? m.ram_total : m.ram_available;
            }
            ck_assert_int_eq(exoplace_layers_distribute(layers, mem, ref.length, 64,
                                                        EXOPLACE_LAYERS_LARGEST_REMAINDER, NULL),
                             EXOPLACE_OK);
            uint32_t start = 0;
            for (size_t i = 0; i < ref.length; i++) {
                ck_assert_uint_eq(p.shards[i].start_layer, start);
                start += layers[i];
                ck_assert_uint_eq(p.shards[i].end_layer, start);
            }
            ck_assert_int_eq(p.is_low_memory, use_total);
            exoplace_placement_dispose(&p);
            placed++;
        }
        compared++;
        exoplace_topology_free(t);
    }
    ck_assert_uint_eq(compared, cases);
    /* The generator must exercise both outcomes, or the comparison says little. */
    ck_assert_uint_gt(placed, cases / 4);
    ck_assert_uint_lt(placed, cases);
}
END_TEST

int main(void)
{
    const char *text = getenv("EXOPLACE_DIFFERENTIAL_CASES");
    if (text && *text)
        cases = (unsigned)strtoul(text, NULL, 10);
    text = getenv("EXOPLACE_DIFFERENTIAL_SEED");
    if (text && *text)
        seed = strtoull(text, NULL, 0);
    if (cases < 100 || seed == 0) {
        fprintf(stderr, "EXOPLACE_DIFFERENTIAL_CASES must be at least 100, EXOPLACE_DIFFERENTIAL_SEED nonzero\n");
        return EXIT_FAILURE;
    }
    printf("differential: %u cases from seed %#llx\n", cases, (unsigned long long)seed);
    Suite *s = suite_create("differential");
    TCase *tc = tcase_create("random digraphs");
    tcase_set_timeout(tc, 120.0 * (cases / DEFAULT_CASES + 1));
    tcase_add_test(tc, test_branch_and_bound_selects_the_exhaustive_choice);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
