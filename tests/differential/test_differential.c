/*
 * Differential test: exoplace_place (branch and bound, no cycle list) against
 * an exhaustive reference built from the public pure functions (list every
 * cycle, filter by memory, smallest, thunderbolt, leaf, greatest sum, first in
 * canonical order), on thousands of seeded random digraphs of up to 8 nodes.
 * A second mode does the same for strategy fit: every cycle's safe splits
 * found by enumerating the sums its layer counts can reach, the selection by
 * layers held, and the split recomputed from its definition (the bounded
 * proportional shares of placement.md section 3, found by trying every way
 * of putting each node at its lower bound, its cap or between them).
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

/* ---- strategy fit ------------------------------------------------------------ */

typedef struct fit_case {
    uint32_t n_layers;
    u128 layer_cost;
    uint64_t reserve;
    int use_total;
} fit_case;

/* Layers node `index` holds: floor((metric - reserve) / layer_cost), n_layers when a layer costs nothing. */
static u128 fit_capacity(const exoplace_topology *t, size_t index, const fit_case *fc)
{
    exoplace_node_memory m;
    ck_assert(exoplace_topology_node_memory(&m, t, index));
    uint64_t metric = fc->use_total ? m.ram_total : m.ram_available;
    return metric > fc->reserve ? metric - fc->reserve : 0;
}

static u128 fit_cap(const exoplace_topology *t, size_t index, const fit_case *fc)
{
    return fc->layer_cost == 0 ? fc->n_layers : fit_capacity(t, index, fc) / fc->layer_cost;
}

/* Whether some split gives node i between 1 and cap_i layers, n_layers in
 * all: every sum the first k nodes' counts can reach, k = 1 .. n. */
static int has_safe_split(const exoplace_topology *t, const size_t *nodes, size_t n, const fit_case *fc)
{
    uint8_t reach[2][65];
    ck_assert_uint_le(fc->n_layers, 64);
    memset(reach[0], 0, sizeof reach[0]);
    reach[0][0] = 1;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *from = reach[i % 2];
        uint8_t *to = reach[(i + 1) % 2];
        memset(to, 0, sizeof reach[0]);
        u128 cap = fit_cap(t, nodes[i], fc);
        for (uint32_t sum = 0; sum <= fc->n_layers; sum++)
            for (uint32_t layers = 1; from[sum] && layers <= cap && sum + layers <= fc->n_layers; layers++)
                to[sum + layers] = 1;
    }
    return reach[n % 2][fc->n_layers];
}

/* The split's definition: x_i = clamp(lambda c_i, 1, k_i) summing to
 * n_layers, floors, leftovers to the largest fractions (lower index on ties).
 * Tries every assignment of the nodes to {at 1, between, at k_i} and keeps
 * the one a single lambda makes true. */
static void reference_fit_split(uint32_t *out, const u128 *c, const uint32_t *k, size_t n, uint32_t n_layers)
{
    u128 total = 0;
    for (size_t i = 0; i < n; i++)
        total += c[i];
    if (total == 0) {
        for (size_t i = 0; i < n; i++)
            out[i] = n_layers / (uint32_t)n + (i < n_layers % n);
        return;
    }
    size_t assignments = 1;
    for (size_t i = 0; i < n; i++)
        assignments *= 3;
    for (size_t a = 0; a < assignments; a++) {
        int place[MAX_N];
        size_t code = a;
        long fixed = 0;
        u128 middle = 0;
        for (size_t i = 0; i < n; i++, code /= 3) {
            place[i] = (int)(code % 3); /* 0: at 1, 1: between, 2: at k */
            if (place[i] == 0)
                fixed += 1;
            else if (place[i] == 2)
                fixed += k[i];
            else
                middle += c[i];
        }
        if (fixed > (long)n_layers || (middle == 0 && fixed != (long)n_layers))
            continue;
        /* lambda = share / middle; with no middle node any lambda between the
         * largest k_i / c_i at the cap and the smallest 1 / c_i at 1. */
        u128 share = (u128)(n_layers - (uint32_t)fixed);
        int consistent = 1;
        for (size_t i = 0; i < n && consistent; i++) {
            if (middle != 0) {
                u128 x = share * c[i]; /* x_i * middle */
                if (place[i] == 0)
                    consistent = x <= middle;
                else if (place[i] == 2)
                    consistent = x >= (u128)k[i] * middle;
                else
                    consistent = x >= middle && x <= (u128)k[i] * middle;
            } else {
                for (size_t j = 0; j < n && consistent; j++)
                    if (place[i] == 2 && place[j] == 0) /* k_i / c_i <= 1 / c_j */
                        consistent = c[i] != 0 && (u128)k[i] * c[j] <= c[i];
            }
        }
        if (!consistent)
            continue;
        uint32_t given = 0;
        for (size_t i = 0; i < n; i++) {
            out[i] = place[i] == 0 ? 1 : place[i] == 2 ? k[i] : (uint32_t)(share * c[i] / middle);
            given += out[i];
        }
        while (given < n_layers) {
            size_t best = n;
            for (size_t i = 0; i < n; i++) {
                if (place[i] != 1 || share * c[i] % middle == 0)
                    continue;
                /* each node takes at most one leftover: compare with the floor it has */
                if (out[i] != (uint32_t)(share * c[i] / middle))
                    continue;
                if (best == n || share * c[i] % middle > share * c[best] % middle)
                    best = i;
            }
            ck_assert_uint_lt(best, n);
            out[best]++;
            given++;
        }
        return;
    }
    ck_abort_msg("no assignment of the bounds makes the shares sum to %u", n_layers);
}

/* The spec's fit selection over the full cycle list: feasible cycles (a safe
 * split exists) of length >= min_nodes, smallest, thunderbolt, leaf, the most
 * layers held, canonical first. */
static void reference_fit_place(reference_choice *out, const exoplace_topology *t, const fit_case *fc,
                                uint32_t min_nodes)
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
    for (size_t i = 0; i < count; i++) {
        size_t length = starts[i + 1] - starts[i];
        int profiled = 1;
        for (size_t j = starts[i]; j < starts[i + 1]; j++) {
            exoplace_node_memory m;
            profiled &= exoplace_topology_node_memory(&m, t, nodes[j]);
        }
        keep[i] = (uint8_t)(profiled && length >= min_nodes && has_safe_split(t, nodes + starts[i], length, fc));
    }
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
        for (size_t j = starts[i]; j < starts[i + 1]; j++)
            sum += fit_cap(t, nodes[j], fc);
        if (best < 0 || sum > best_sum) {
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

START_TEST(fit_search_selects_the_exhaustive_choice_and_split)
{
    rng r = {seed ^ 0xf17f17f17ull};
    unsigned placed = 0, refused = 0, differs_from_bytes = 0;
    for (unsigned c = 0; c < cases; c++) {
        unsigned n;
        exoplace_topology *t = random_topology(&r, &n);
        fit_case fc;
        fc.use_total = (int)below(&r, 2);
        fc.n_layers = 1 + below(&r, 16);
        /* a layer of about 1 .. 3 * 500 / n_layers bytes, so that from one to
         * every node of the cycle is needed; sometimes no weights at all */
        uint64_t per_layer = below(&r, 8) == 0 ? 0 : 1 + below(&r, 2 * 300 / fc.n_layers);
        uint64_t storage = per_layer * fc.n_layers - (per_layer ? below(&r, fc.n_layers) : 0);
        uint64_t kv = below(&r, 3) == 0 ? below(&r, 40) : 0;
        fc.reserve = below(&r, 3) == 0 ? 25 * below(&r, 4) : 0;
        fc.layer_cost = (u128)(storage / fc.n_layers + (storage % fc.n_layers != 0)) + kv;
        uint32_t min_nodes = 1 + (below(&r, 2) ? 0 : below(&r, n + 1));
        reference_choice ref;
        reference_fit_place(&ref, t, &fc, min_nodes);

        exoplace_model model;
        exoplace_model_init(&model);
        model.model_id = "m";
        model.storage_size = storage;
        model.n_layers = fc.n_layers;
        model.kv_cache_bytes_per_layer = kv;
        exoplace_place_options opt;
        exoplace_place_options_init(&opt);
        opt.strategy = EXOPLACE_LAYERS_FIT;
        opt.reserve_bytes = fc.reserve;
        opt.min_nodes = min_nodes;
        opt.memory_tier = fc.use_total ? EXOPLACE_TIER_TOTAL : EXOPLACE_TIER_AVAILABLE;
        exoplace_placement p;
        exoplace_error err;
        exoplace_status st = exoplace_place(&p, t, &model, &opt, &err);
        if (!ref.found) {
            exoplace_status expected =
                min_nodes > fc.n_layers ? EXOPLACE_E_INVALID_SPLIT : EXOPLACE_E_INSUFFICIENT_MEMORY;
            ck_assert_msg(st == expected, "case %u: expected %s, got %s (%s)", c, exoplace_status_name(expected),
                          exoplace_status_name(st), err.message);
            refused++;
        } else {
            ck_assert_msg(st == EXOPLACE_OK, "case %u: expected a placement, got %s (%s)", c,
                          exoplace_status_name(st), err.message);
            ck_assert_uint_eq(p.n_nodes, ref.length);
            for (size_t i = 0; i < ref.length; i++)
                ck_assert_msg(p.shards[i].node_index == ref.nodes[i], "case %u: rank %zu is %s, reference %s", c,
                              i, p.shards[i].node_id, exoplace_topology_node_id(t, ref.nodes[i]));
            u128 capacity[MAX_N];
            uint32_t caps[MAX_N], layers[MAX_N];
            uint64_t narrow[MAX_N];
            for (size_t i = 0; i < ref.length; i++) {
                capacity[i] = fit_capacity(t, ref.nodes[i], &fc);
                narrow[i] = (uint64_t)capacity[i];
                u128 cap = fit_cap(t, ref.nodes[i], &fc);
                caps[i] = cap < fc.n_layers ? (uint32_t)cap : fc.n_layers;
            }
            reference_fit_split(layers, capacity, caps, ref.length, fc.n_layers);
            uint32_t start = 0;
            for (size_t i = 0; i < ref.length; i++) {
                ck_assert_msg(p.shards[i].start_layer == start && p.shards[i].end_layer == start + layers[i],
                              "case %u: rank %zu has [%u, %u), the definition gives %u layers", c, i,
                              p.shards[i].start_layer, p.shards[i].end_layer, layers[i]);
                ck_assert_uint_ge(layers[i], 1);
                ck_assert_uint_le(layers[i], caps[i]);
                start += layers[i];
            }
            /* The public split gives the same counts. */
            uint32_t public_split[MAX_N];
            ck_assert_int_eq(exoplace_layers_fit(public_split, narrow, ref.length, fc.n_layers,
                                                 (uint64_t)fc.layer_cost, NULL),
                             EXOPLACE_OK);
            ck_assert_int_eq(memcmp(public_split, layers, ref.length * sizeof *layers), 0);
            ck_assert_int_eq(p.is_low_memory, fc.use_total);
            placed++;
            /* How often the largest-remainder placement is another cycle or split. */
            exoplace_placement bytes;
            opt.strategy = EXOPLACE_LAYERS_LARGEST_REMAINDER;
            opt.reserve_bytes = 0;
            if (exoplace_place(&bytes, t, &model, &opt, NULL) != EXOPLACE_OK || bytes.n_nodes != p.n_nodes ||
                bytes.shards[0].end_layer != p.shards[0].end_layer)
                differs_from_bytes++;
            exoplace_placement_dispose(&bytes);
            exoplace_placement_dispose(&p);
        }
        exoplace_topology_free(t);
    }
    printf("differential fit: %u placed, %u refused, %u placed otherwise by largest remainder\n", placed, refused,
           differs_from_bytes);
    ck_assert_uint_gt(placed, cases / 4);
    ck_assert_uint_gt(refused, cases / 10);
    ck_assert_uint_gt(differs_from_bytes, cases / 40);
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
    tcase_add_test(tc, fit_search_selects_the_exhaustive_choice_and_split);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
