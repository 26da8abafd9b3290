/* exoplace probe: describes this machine as an exo node. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: exoplace probe [OPTIONS]\n"
    "\n"
    "Reads this machine's memory (and memory pressure, where the OS reports\n"
    "it) and prints it as an exo node: {\"nodeId\", \"nodeProfile\": {...}},\n"
    "ready to paste into a topology's \"nodes\".\n"
    "\n"
    "options:\n"
    "  --json              print the node as JSON only\n"
    "  --id NAME           the node id (default: the host name)\n"
    "  --proc-root DIR     read DIR/meminfo and DIR/pressure/memory instead of\n"
    "                      /proc (default: $EXOPLACE_PROC_ROOT, else /proc)\n"
    "  -h, --help          this text\n"
    "\n"
    "exit status: 0 probed, 2 the probe failed or bad usage\n";

static void print_row(const char *label, uint64_t bytes)
{
    char text[32];
    cli_format_bytes(text, sizeof text, (double)bytes);
    printf("  %-15s %s\n", label, text);
}

static void print_table(const exoplace_probe_result *node)
{
    const exoplace_node_memory *memory = &node->memory;
    printf("%snode %s%s\n", cli_colour_on(CLI_BOLD), node->node_id, cli_colour_off());
    print_row("ram total", memory->ram_total);
    print_row("ram available", memory->ram_available);
    print_row("swap total", memory->swap_total);
    print_row("swap available", memory->swap_available);
    exoplace_pressure_level level = memory->pressure_level;
    cli_colour colour = level == EXOPLACE_PRESSURE_UNREPORTED ? CLI_PLAIN
                        : level == EXOPLACE_PRESSURE_CRITICAL ? CLI_RED
                        : level == EXOPLACE_PRESSURE_WARN     ? CLI_YELLOW
                                                              : CLI_GREEN;
    printf("  %-15s %s%s%s\n", "pressure", cli_colour_on(colour),
           level == EXOPLACE_PRESSURE_UNREPORTED ? "not reported" : exoplace_pressure_level_name(level),
           cli_colour_off());
    if (memory->free_percent >= 0)
        printf("  %-15s %d%%\n", "free percent", (int)memory->free_percent);
    for (size_t i = 0; i < node->n_interfaces; i++)
        printf("  %-15s %s %s\n", i ? "" : "interfaces", node->interfaces[i].name, node->interfaces[i].ip_address);
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"json", no_argument, NULL, 'j'},
        {"id", required_argument, NULL, 'i'},
        {"proc-root", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    exoplace_probe_options probe_options;
    exoplace_probe_options_init(&probe_options);
    probe_options.proc_root = getenv("EXOPLACE_PROC_ROOT");
    if (probe_options.proc_root && !probe_options.proc_root[0])
        probe_options.proc_root = NULL;
    int json = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'i':
            if (!optarg[0])
                return cli_usage_error("probe", "--id: must not be empty");
            probe_options.node_id = optarg;
            break;
        case 'p': probe_options.proc_root = optarg; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: return cli_unknown_option("probe", argv);
        }
    }
    if (optind < argc)
        return cli_usage_error("probe", "takes no FILE (got '%s')", argv[optind]);

    exoplace_probe_result node;
    exoplace_error err;
    exoplace_status st = exoplace_probe_node(&node, &probe_options, &err);
    if (st != EXOPLACE_OK)
        return cli_library_error("probe", st, &err);
    if (!json) {
        print_table(&node);
        exoplace_probe_result_dispose(&node);
        return CLI_EXIT_OK;
    }
    char *text = NULL;
    st = exoplace_probe_result_json(&text, &node, &err);
    exoplace_probe_result_dispose(&node);
    if (st != EXOPLACE_OK)
        return cli_library_error("probe", st, &err);
    cli_print_json(text);
    exoplace_free(text);
    return CLI_EXIT_OK;
}

const cli_command cli_probe_command = {
    "probe", "describe this machine as an exo node", usage, run,
};
