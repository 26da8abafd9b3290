/*
 * instance_bench: what exo-main does after the selection (exo-main.md 5.12,
 * 6, 7 and 7.4) for a chosen cycle: the shards, the instance and the JSON
 * response, on a full mesh of N nodes (a socket connection and an RDMA one
 * each way between every pair, one typed interface per node) with a card of
 * the size exo's own cards have.
 *
 * Usage: instance_bench [--runs N] [NODES...]   (default 2 8 64; 21 runs)
 * For each size and engine it prints the median time of the place-cycle
 * call alone, with the topology's out-edge index and with a scan of every
 * connection, then of writing the response, and the response's size. Not a
 * test: nothing is asserted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exoplace.h"
#include "instance.h"

static const char card_json[] =
    "{\"modelId\": \"mlx-community/Llama-3.3-70B-Instruct-4bit\", \"storageSize\": {\"inBytes\": 40652747776},"
    " \"nLayers\": 80, \"hiddenSize\": 8192, \"supportsTensor\": true, \"numKeyValueHeads\": 8,"
    " \"tasks\": [\"TextGeneration\"], \"family\": \"llama\", \"quantization\": \"4bit\","
    " \"baseModel\": \"Llama 3.3 70B\", \"capabilities\": [\"text\", \"thinking_toggle\"],"
    " \"backends\": [\"MlxMetal\", \"MlxCuda\", \"MlxCpu\"], \"contextLength\": 131072,"
    " \"samplingDefaults\": {\"temperature\": 0.6, \"topP\": 0.95}}";

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, compare_double);
    return t[n / 2];
}

static exoplace_topology *mesh(size_t n)
{
    exoplace_topology *t = NULL;
    if (exoplace_topology_new(&t, NULL) != EXOPLACE_OK)
        exit(2);
    char id[32], ip[32], addr[64];
    for (size_t i = 0; i < n; i++) {
        exoplace_node_memory memory;
        exoplace_node_memory_init(&memory);
        memory.ram_total = (uint64_t)128 << 30;
        memory.ram_available = ((uint64_t)96 << 30) + i * 12345;
        snprintf(id, sizeof id, "node-%03zu", i);
        snprintf(ip, sizeof ip, "10.%zu.%zu.1", i / 250, i % 250);
        if (exoplace_topology_add_node(t, id, &memory, NULL) ||
            exoplace_topology_add_interface(t, id, "en0", ip, EXOPLACE_INTERFACE_ETHERNET, NULL))
            exit(2);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            if (i == j)
                continue;
            char from[32], to[32];
            snprintf(from, sizeof from, "node-%03zu", i);
            snprintf(to, sizeof to, "node-%03zu", j);
            snprintf(addr, sizeof addr, "/ip4/10.%zu.%zu.1/tcp/52415", j / 250, j % 250);
            if (exoplace_topology_add_connection(t, from, to, addr, NULL) ||
                exoplace_topology_add_rdma_connection(t, from, to, "rdma_en2", "rdma_en3", NULL))
                exit(2);
        }
    return t;
}

static void bench(size_t n, int runs)
{
    exoplace_topology *t = mesh(n);
    exoplace__out_edges index;
    if (exoplace__out_edges_init(&index, t, NULL) != EXOPLACE_OK)
        exit(2);
    uint32_t *cycle = malloc(n * sizeof *cycle);
    double *times = malloc((size_t)runs * sizeof *times);
    if (!cycle || !times)
        exit(2);
    for (size_t i = 0; i < n; i++)
        cycle[i] = (uint32_t)i;
    exoplace_model m;
    exoplace_model_init(&m);
    m.model_id = "mlx-community/Llama-3.3-70B-Instruct-4bit";
    m.storage_size = 40652747776ull;
    m.n_layers = 80;
    m.hidden_size = 8192;
    m.supports_tensor = 1;
    m.card_json = card_json;
    for (int meta = 0; meta < 2; meta++) {
        exoplace_sharding sharding = meta ? EXOPLACE_SHARDING_TENSOR : EXOPLACE_SHARDING_PIPELINE;
        double place_us[2] = {0, 0}, write_us = 0;
        size_t bytes = 0;
        for (int with_index = 1; with_index >= 0; with_index--) {
            for (int r = 0; r < runs; r++) {
                exoplace_place_options o;
                exoplace_place_options_init(&o);
                o.use_random_seed = 1;
                o.random_seed = (uint64_t)r;
                exoplace__random random;
                exoplace__random_init(&random, &o);
                exoplace_placement p;
                double start = now_us();
                if (exoplace__exo_main_place_cycle(&p, t, with_index ? &index : NULL, cycle, n, &m, sharding,
                                                   (exoplace_instance_meta)meta, EXOPLACE_TIER_AVAILABLE, &random,
                                                   NULL) != EXOPLACE_OK)
                    exit(2);
                times[r] = now_us() - start;
                if (with_index) {
                    char *text = NULL;
                    double write_start = now_us();
                    if (exoplace_placement_write_json(&text, &p, &m, NULL) != EXOPLACE_OK)
                        exit(2);
                    double spent = now_us() - write_start;
                    bytes = strlen(text);
                    exoplace_free(text);
                    exoplace_placement_dispose(&p);
                    write_us += spent;
                } else {
                    exoplace_placement_dispose(&p);
                }
            }
            place_us[with_index] = median(times, runs);
        }
        printf("mesh-%-4zu %-9s shards+instance %9.1f us (index) %9.1f us (scan)   write %9.1f us   %9zu bytes\n",
               n, meta ? "MlxJaccl" : "MlxRing", place_us[1], place_us[0], write_us / runs, bytes);
    }
    free(times);
    free(cycle);
    exoplace__out_edges_dispose(&index);
    exoplace_topology_free(t);
}

int main(int argc, char **argv)
{
    int runs = 21, sizes = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            runs = atoi(argv[++i]);
            if (runs < 1)
                runs = 1;
        }
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--runs") == 0) {
            i++;
            continue;
        }
        bench((size_t)strtoul(argv[i], NULL, 10), runs);
        sizes++;
    }
    if (!sizes) {
        bench(2, runs);
        bench(8, runs);
        bench(64, runs);
    }
    return 0;
}
