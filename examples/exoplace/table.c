/* Tables for people: colour, byte counts, memory bars and the placement
 * table, drawn from the library's result structs. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Colour only when standard output is a terminal and NO_COLOR is unset;
 * asked once, since a table asks for every cell. */
static int use_colour(void)
{
    static int decided = -1;
    if (decided < 0)
        decided = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
    return decided;
}

const char *cli_colour_on(cli_colour c)
{
    if (!use_colour())
        return "";
    switch (c) {
    case CLI_GREEN: return "\033[32m";
    case CLI_YELLOW: return "\033[33m";
    case CLI_RED: return "\033[31m";
    case CLI_BOLD: return "\033[1m";
    case CLI_DIM: return "\033[2m";
    case CLI_PLAIN: break;
    }
    return "";
}

const char *cli_colour_off(void)
{
    return use_colour() ? "\033[0m" : "";
}

void cli_format_bytes(char *buf, size_t size, double bytes)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    size_t unit = 0;
    while (bytes >= 1024.0 && unit + 1 < sizeof units / sizeof units[0]) {
        bytes /= 1024.0;
        unit++;
    }
    if (unit == 0)
        snprintf(buf, size, "%.0f B", bytes);
    else
        snprintf(buf, size, "%.1f %s", bytes, units[unit]);
}

const char *cli_plural(uint64_t count)
{
    return count == 1 ? "" : "s";
}

/* Cells for part out of whole in a bar of width cells, rounded. */
static size_t cells(double part, double whole, size_t width)
{
    if (whole <= 0 || part <= 0)
        return 0;
    double n = part / whole * (double)width + 0.5;
    return n >= (double)width ? width : (size_t)n;
}

/* A bar of `width` cells for one node's memory out of `total`: '=' used by
 * other programs (total - available), '#' this placement's share, '.' free,
 * '!' the share beyond what is available. buf holds width + 3 bytes. */
static void memory_bar(char *buf, size_t width, double total, double available, double share)
{
    if (available > total)
        available = total;
    double used = total - available;
    size_t n_used = cells(used, total, width);
    size_t n_share = cells(share < available ? share : available, total, width);
    size_t n_over = share > available ? cells(share - available, total, width) : 0;
    if (n_used + n_share > width)
        n_share = width - n_used;
    /* The part beyond what is available is drawn over the used part. */
    if (n_over > n_used)
        n_over = n_used;
    size_t i = 0;
    buf[i++] = '[';
    for (size_t k = 0; k < n_used - n_over; k++)
        buf[i++] = '=';
    for (size_t k = 0; k < n_over; k++)
        buf[i++] = '!';
    for (size_t k = 0; k < n_share; k++)
        buf[i++] = '#';
    while (i < width + 1)
        buf[i++] = '.';
    buf[i++] = ']';
    buf[i] = '\0';
}

#define BAR_WIDTH 24

/* What a shard's node holds of the model: its layers' part of the bytes
 * (pipeline), or an even slice (tensor: every node holds every layer). */
static double shard_share(const exoplace_placement *placement, const exoplace_shard *shard,
                          const exoplace_model *model)
{
    double size = (double)model->storage_size;
    if (placement->sharding == EXOPLACE_SHARDING_TENSOR || shard->n_layers == 0)
        return size / (double)placement->n_nodes;
    return size * (double)(shard->end_layer - shard->start_layer) / (double)shard->n_layers;
}

/* One rank's row. Every rule set's placement is drawn the same way: its
 * shards carry the node (by index: no lookup by id) and the layer range. */
static void print_shard_row(const exoplace_placement *placement, const exoplace_shard *shard,
                            const exoplace_model *model, const exoplace_topology *topology, size_t id_cells)
{
    exoplace_node_memory memory;
    int has_memory = exoplace_topology_node_memory(&memory, topology, shard->node_index);
    double share = shard_share(placement, shard, model);
    char total[32] = "-", available[32] = "-", share_text[32], bar[BAR_WIDTH + 3] = "";
    cli_colour colour = CLI_PLAIN;
    cli_format_bytes(share_text, sizeof share_text, share);
    if (has_memory) {
        double node_total = (double)memory.ram_total, node_available = (double)memory.ram_available;
        cli_format_bytes(total, sizeof total, node_total);
        cli_format_bytes(available, sizeof available, node_available);
        memory_bar(bar, BAR_WIDTH, node_total, node_available, share);
        colour = share <= node_available ? CLI_GREEN : share <= node_total ? CLI_YELLOW : CLI_RED;
    }
    uint32_t count = shard->end_layer - shard->start_layer;
    printf("  %s", cli_colour_on(colour));
    cli_put_padded(stdout, shard->node_id, id_cells);
    printf("%s  %10s  %10s  %10s  %-*s  [%lu, %lu)  %lu layer%s\n", cli_colour_off(), total, available, share_text,
           BAR_WIDTH + 2, bar, (unsigned long)shard->start_layer, (unsigned long)shard->end_layer,
           (unsigned long)count, cli_plural(count));
}

void cli_print_placement_table(const exoplace_placement *placement, const exoplace_model *model,
                               const exoplace_topology *topology)
{
    size_t id_cells = 4;
    for (size_t i = 0; i < placement->n_nodes; i++) {
        size_t n = cli_text_cells(placement->shards[i].node_id);
        if (n > id_cells)
            id_cells = n;
    }
    printf("  %s", cli_colour_on(CLI_BOLD));
    cli_put_padded(stdout, "NODE", id_cells);
    printf("  %10s  %10s  %10s  %-*s  %s%s\n", "TOTAL", "AVAILABLE", "THIS MODEL", BAR_WIDTH + 2, "MEMORY", "LAYERS",
           cli_colour_off());
    for (size_t i = 0; i < placement->n_nodes; i++)
        print_shard_row(placement, &placement->shards[i], model, topology, id_cells);
    printf("  %smemory: '=' used by other programs, '#' this model, '!' beyond available, '.' free%s\n",
           cli_colour_on(CLI_DIM), cli_colour_off());
}

/* ---- the exo-main instance: how the ranks reach each other ---- */

/* hostsByNode[rank][idx] as "ip:port", an IPv6 address in brackets
 * ("[fe80::1]:50213") so the port cannot be read as part of it. */
static char *ring_host_text(const exoplace_instance *instance, size_t rank, size_t idx)
{
    exoplace_host host;
    if (exoplace_instance_ring_host(&host, instance, rank, idx, NULL) != EXOPLACE_OK)
        return cli_format("-");
    if (strchr(host.ip, ':'))
        return cli_format("[%s]:%u", host.ip, (unsigned)host.port);
    return cli_format("%s:%u", host.ip, (unsigned)host.port);
}

/* Row `rank` of jacclDevices, the diagonal left out: "1:rdma_en3 2:rdma_en5",
 * each the rank reached and the device this rank reaches it through. */
static char *jaccl_devices_text(const exoplace_instance *instance, size_t rank)
{
    size_t n = instance->n_nodes, size = 1;
    const char *const *row = instance->jaccl_devices + rank * n;
    for (size_t k = 0; k < n; k++)
        if (k != rank)
            size += (size_t)snprintf(NULL, 0, "%zu:", k) + strlen(row[k] ? row[k] : "-") + 1;
    char *text = malloc(size);
    if (!text)
        return NULL;
    size_t used = 0;
    text[0] = '\0';
    for (size_t k = 0; k < n; k++)
        if (k != rank)
            used += (size_t)snprintf(text + used, size - used, "%s%zu:%s", used ? " " : "", k,
                                     row[k] ? row[k] : "-");
    return text;
}

enum { INSTANCE_COLUMNS = 5 };

/* One line of the instance table: each cell padded to its column but the last. */
static void print_instance_row(char *const *texts, const size_t *widths)
{
    for (size_t c = 0; c + 1 < INSTANCE_COLUMNS; c++) {
        cli_put_padded(stdout, texts[c], widths[c]);
        fputs("  ", stdout);
    }
    cli_put_text(stdout, texts[INSTANCE_COLUMNS - 1]);
}

int cli_print_instance_table(const char *verb, const exoplace_placement *placement)
{
    const exoplace_instance *instance = &placement->instance;
    if (placement->rules != EXOPLACE_RULES_EXO_MAIN || instance->n_nodes != placement->n_nodes ||
        placement->n_nodes == 0)
        return 0;
    int ring = instance->kind == EXOPLACE_INSTANCE_MLX_RING;
    static const char *const ring_header[INSTANCE_COLUMNS] = {"RANK", "NODE", "LAYERS", "TO PREV (r-1)",
                                                              "TO NEXT (r+1)"};
    static const char *const jaccl_header[INSTANCE_COLUMNS] = {"RANK", "NODE", "LAYERS", "COORDINATOR",
                                                               "RDMA DEVICES (rank:device)"};
    const char *const *header = ring ? ring_header : jaccl_header;
    size_t n = placement->n_nodes;
    /* Every cell is made before anything is printed: the widths need them. */
    char **cells = calloc(n * INSTANCE_COLUMNS, sizeof *cells);
    int missing = cells == NULL;
    for (size_t r = 0; !missing && r < n; r++) {
        const exoplace_shard *shard = &placement->shards[r];
        char **row = cells + r * INSTANCE_COLUMNS;
        row[0] = cli_format("%lu", (unsigned long)shard->device_rank);
        row[1] = cli_format("%s", shard->node_id);
        row[2] = cli_format("[%lu, %lu)", (unsigned long)shard->start_layer, (unsigned long)shard->end_layer);
        if (ring) {
            row[3] = ring_host_text(instance, r, (r + n - 1) % n);
            row[4] = ring_host_text(instance, r, (r + 1) % n);
        } else {
            row[3] = cli_format("%s", instance->jaccl_coordinators[r]);
            row[4] = jaccl_devices_text(instance, r);
        }
        for (size_t c = 0; c < INSTANCE_COLUMNS; c++)
            missing |= row[c] == NULL;
    }
    if (!missing) {
        size_t widths[INSTANCE_COLUMNS];
        for (size_t c = 0; c < INSTANCE_COLUMNS; c++) {
            widths[c] = cli_text_cells(header[c]);
            for (size_t r = 0; r < n; r++) {
                size_t w = cli_text_cells(cells[r * INSTANCE_COLUMNS + c]);
                if (w > widths[c])
                    widths[c] = w;
            }
        }
        printf("  instance %s (%sInstance)  ephemeral port %u\n", instance->instance_id,
               exoplace_instance_meta_name(instance->kind), (unsigned)instance->ephemeral_port);
        printf("  %s", cli_colour_on(CLI_BOLD));
        print_instance_row((char *const *)header, widths);
        printf("%s\n", cli_colour_off());
        for (size_t r = 0; r < n; r++) {
            fputs("  ", stdout);
            print_instance_row(cells + r * INSTANCE_COLUMNS, widths);
            putchar('\n');
        }
        if (ring)
            printf("  %shosts: TO PREV / TO NEXT are what this rank lists in hostsByNode for rank r-1 / r+1 "
                   "(mod n)%s\n",
                   cli_colour_on(CLI_DIM), cli_colour_off());
        else
            printf("  %sCOORDINATOR: this rank's address of rank 0 (jacclCoordinators); k:device: its RDMA "
                   "device to rank k (jacclDevices)%s\n",
                   cli_colour_on(CLI_DIM), cli_colour_off());
    }
    for (size_t i = 0; cells && i < n * INSTANCE_COLUMNS; i++)
        free(cells[i]);
    free(cells);
    if (missing)
        return cli_usage_error(verb, "out of memory drawing the instance table");
    return 0;
}
