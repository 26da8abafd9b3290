/* exoplace cycles: the canonical cycle list, optionally memory-filtered. */
#include "cli.h"

#include <stdlib.h>

static const char usage[] =
    "usage: exoplace cycles [OPTIONS] [FILE]\n"
    "\n"
    "Lists every cycle of the topology (a request with \"topology\", or a bare\n"
    "topology) in canonical order: each cycle starts at its smallest node id;\n"
    "shorter cycles first. Every node is also a one-node cycle.\n"
    "\n"
    "options:\n"
    "  --json               print the library's JSON response only\n"
    "  --min-bytes N        keep the cycles whose nodes together have at least\n"
    "                       N bytes available (exo's memory filter)\n"
    "  --use-total-memory   with --min-bytes: count total memory, not available\n"
    "  --max-cycles N       stop with an error past N cycles (default 1000000)\n"
    "  -h, --help           this text\n"
    "\n"
    "exit status: 0 listed, 2 bad input (or too many cycles)\n";

enum { OPT_JSON, OPT_MIN_BYTES, OPT_USE_TOTAL_MEMORY, OPT_MAX_CYCLES };

static const cli_option option_table[] = {
    {"json", 0, OPT_JSON},
    {"min-bytes", 1, OPT_MIN_BYTES},
    {"use-total-memory", 0, OPT_USE_TOTAL_MEMORY},
    {"max-cycles", 1, OPT_MAX_CYCLES},
    {NULL, 0, 0},
};

/* The flat cycle list (exoplace_cycle_list()): arrays sized for a small
 * cluster first, so that most calls list the cycles once; when they are too
 * small the call says how large they must be. Returns E_NO_MEMORY with err
 * untouched and no arrays when they cannot be had. */
typedef struct cycle_list {
    size_t count;
    size_t *starts;
    size_t *nodes;
} cycle_list;

static exoplace_status list_cycles(cycle_list *out, const exoplace_topology *topology, size_t max_cycles,
                                   exoplace_error *err)
{
    size_t n = exoplace_topology_node_count(topology);
    size_t starts_capacity = 2 * n + 65, nodes_capacity = 4 * n + 256;
    exoplace_status st = EXOPLACE_E_BUFFER_TOO_SMALL;
    /* Twice at most: the topology does not change between the calls. */
    for (int attempt = 0; attempt < 2 && st == EXOPLACE_E_BUFFER_TOO_SMALL; attempt++) {
        free(out->starts);
        free(out->nodes);
        out->starts = malloc(starts_capacity * sizeof *out->starts);
        out->nodes = malloc(nodes_capacity * sizeof *out->nodes);
        if (!out->starts || !out->nodes) {
            free(out->starts);
            free(out->nodes);
            out->starts = out->nodes = NULL;
            return EXOPLACE_E_NO_MEMORY;
        }
        size_t node_total = 0;
        st = exoplace_cycle_list(&out->count, &node_total, out->starts, starts_capacity, out->nodes, nodes_capacity,
                                 topology, max_cycles, err);
        starts_capacity = out->count + 1;
        nodes_capacity = node_total ? node_total : 1;
    }
    return st;
}

static void print_table(const exoplace_topology *topology, const cycle_list *cycles, const uint8_t *keep)
{
    size_t shown = 0;
    for (size_t i = 0; i < cycles->count; i++)
        shown += !keep || keep[i];
    printf("%s%zu cycle%s%s\n", cli_colour_on(CLI_BOLD), shown, cli_plural(shown), cli_colour_off());
    for (size_t i = 0; i < cycles->count; i++) {
        if (keep && !keep[i])
            continue;
        size_t first = cycles->starts[i], end = cycles->starts[i + 1];
        printf("  ");
        for (size_t k = first; k < end; k++) {
            if (k > first)
                fputs(" -> ", stdout);
            cli_put_text(stdout, exoplace_topology_node_id(topology, cycles->nodes[k]));
        }
        if (end - first > 1) {
            fputs(" -> ", stdout);
            cli_put_text(stdout, exoplace_topology_node_id(topology, cycles->nodes[first]));
        }
        putchar('\n');
    }
}

/* As exoplace_cycles_json(): every cycle, or those the memory filter keeps. */
static int cycles(const exoplace_request *request, const exoplace_cycle_filter *filter, int json)
{
    if (!request->has_topology)
        return cli_missing("cycles", "topology");
    cycle_list list = {0, NULL, NULL};
    uint8_t *keep = NULL;
    exoplace_error err;
    exoplace_status st = list_cycles(&list, request->topology, filter->max_cycles, &err);
    int no_memory = st == EXOPLACE_E_NO_MEMORY && !list.starts;
    if (st == EXOPLACE_OK && filter->by_memory && list.count) {
        keep = malloc(list.count);
        no_memory = !keep;
        if (keep)
            st = exoplace_cycle_list_filter_by_memory(keep, request->topology, list.starts, list.nodes, list.count,
                                                      filter->min_bytes, filter->tier, &err);
    }
    char *text = NULL;
    if (st == EXOPLACE_OK && json)
        st = exoplace_cycle_list_write_json(&text, request->topology, list.starts, list.nodes, list.count, keep, &err);
    int status = CLI_EXIT_OK;
    if (no_memory)
        status = cli_usage_error("cycles", "out of memory");
    else if (st != EXOPLACE_OK)
        status = cli_library_error("cycles", st, &err);
    else if (json)
        cli_print_json(text);
    else
        print_table(request->topology, &list, keep);
    free(list.starts);
    free(list.nodes);
    free(keep);
    return status;
}

static int run(int argc, char **argv)
{
    exoplace_cycle_filter filter;
    exoplace_cycle_filter_init(&filter);
    const char *path = NULL;
    int json = 0, got, status = 0;
    uint64_t number;
    cli_parser parser;
    cli_parser_init(&parser, &cli_cycles_command, option_table, argc, argv);
    while (status == 0 && (got = cli_parser_next(&parser)) == CLI_PARSE_OPTION) {
        switch (parser.option->id) {
        case OPT_JSON: json = 1; break;
        case OPT_MIN_BYTES:
            filter.by_memory = 1;
            status = cli_option_number(&filter.min_bytes, &parser, 0, UINT64_MAX);
            break;
        case OPT_USE_TOTAL_MEMORY: filter.tier = EXOPLACE_TIER_TOTAL; break;
        case OPT_MAX_CYCLES:
            if (!(status = cli_option_number(&number, &parser, 1, SIZE_MAX)))
                filter.max_cycles = (size_t)number;
            break;
        }
    }
    if (status || got == CLI_PARSE_ERROR)
        return CLI_EXIT_USAGE;
    if (got == CLI_PARSE_HELP)
        return CLI_EXIT_OK;
    if (filter.tier == EXOPLACE_TIER_TOTAL && !filter.by_memory)
        return cli_usage_error("cycles", "--use-total-memory needs --min-bytes");
    if ((status = cli_parser_operand(&path, &parser)))
        return status;

    exoplace_request *request;
    if ((status = cli_request_load(&request, "cycles", path, NULL)))
        return status;
    status = cycles(request, &filter, json);
    exoplace_request_free(request);
    return status;
}

const cli_command cli_cycles_command = {
    "cycles", "the canonical list of cycles, optionally memory-filtered", usage, run,
};
