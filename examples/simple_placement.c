/* simple_placement: the C API in one page. Builds a three-node cluster,
 * places a 70B model on it and prints the layer ranges.
 * Only the public header is used. */
#include <stdio.h>

#include <exoplace.h>

#define GIB (1024ull * 1024ull * 1024ull)

static int add_node(exoplace_topology *topology, const char *id, uint64_t total_gib, uint64_t available_gib)
{
    exoplace_node_memory memory;
    exoplace_node_memory_init(&memory);
    memory.ram_total = total_gib * GIB;
    memory.ram_available = available_gib * GIB;
    exoplace_error err;
    if (exoplace_topology_add_node(topology, id, &memory, &err) != EXOPLACE_OK) {
        fprintf(stderr, "add_node %s: %s\n", id, err.message);
        return -1;
    }
    return 0;
}

int main(void)
{
    exoplace_topology *topology = NULL;
    exoplace_error err;
    if (exoplace_topology_new(&topology, &err) != EXOPLACE_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    /* A thunderbolt ring (169.254.x.x) of three Macs. */
    static const char *const ring[][3] = {
        {"studio", "macbook", "/ip4/169.254.10.2/tcp/52415"},
        {"macbook", "mini", "/ip4/169.254.11.2/tcp/52415"},
        {"mini", "studio", "/ip4/169.254.12.2/tcp/52415"},
    };
    int failed = add_node(topology, "studio", 192, 160) || add_node(topology, "macbook", 128, 96) ||
                 add_node(topology, "mini", 64, 48);
    for (size_t i = 0; !failed && i < sizeof ring / sizeof ring[0]; i++) {
        if (exoplace_topology_add_connection(topology, ring[i][0], ring[i][1], ring[i][2], &err) != EXOPLACE_OK) {
            fprintf(stderr, "add_connection: %s\n", err.message);
            failed = 1;
        }
    }

    exoplace_model model;
    exoplace_model_init(&model);
    model.model_id = "mlx-community/Llama-3.3-70B-Instruct-8bit";
    model.storage_size = 75ull * GIB;
    model.n_layers = 80;

    exoplace_place_options options;
    exoplace_place_options_init(&options);

    exoplace_placement placement;
    int exit_status = failed;
    if (!failed) {
        exoplace_status status = exoplace_get_placement(&placement, topology, &model, &options, &err);
        if (status == EXOPLACE_OK) {
            printf("%s on %zu node(s), memory tier %s%s\n", model.model_id, placement.n_nodes,
                   exoplace_memory_tier_name(placement.memory_tier),
                   placement.is_low_memory ? " (low memory)" : "");
            for (size_t i = 0; i < placement.n_nodes; i++) {
                const exoplace_shard *shard = &placement.shards[i];
                printf("  rank %u  %-8s layers [%u, %u)\n", (unsigned)shard->device_rank, shard->node_id,
                       (unsigned)shard->start_layer, (unsigned)shard->end_layer);
            }
            exoplace_placement_dispose(&placement);
        } else {
            fprintf(stderr, "cannot place: %s (%s)\n", err.message, exoplace_status_name(status));
            exit_status = 1;
        }
    }
    exoplace_topology_free(topology);
    return exit_status;
}
