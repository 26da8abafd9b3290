/* exoplace probe: describes this machine as an exo node. */
#include "cli.h"

#include <stdlib.h>

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

enum { OPT_JSON, OPT_ID, OPT_PROC_ROOT };

static const cli_option option_table[] = {
    {"json", 0, OPT_JSON},
    {"id", 1, OPT_ID},
    {"proc-root", 1, OPT_PROC_ROOT},
    {NULL, 0, 0},
};

static void print_row(const char *label, uint64_t bytes)
{
    char text[32];
    cli_format_bytes(text, sizeof text, (double)bytes);
    printf("  %-15s %s\n", label, text);
}

static void print_table(const exoplace_probe_result *node)
{
    const exoplace_node_memory *memory = &node->memory;
    printf("%snode ", cli_colour_on(CLI_BOLD));
    cli_put_text(stdout, node->node_id);
    printf("%s\n", cli_colour_off());
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
    for (size_t i = 0; i < node->n_interfaces; i++) {
        printf("  %-15s ", i ? "" : "interfaces");
        cli_put_text(stdout, node->interfaces[i].name);
        putchar(' ');
        cli_put_text(stdout, node->interfaces[i].ip_address);
        putchar('\n');
    }
}

static int run(int argc, char **argv)
{
    exoplace_probe_options probe_options;
    exoplace_probe_options_init(&probe_options);
    probe_options.proc_root = getenv("EXOPLACE_PROC_ROOT");
    if (probe_options.proc_root && !probe_options.proc_root[0])
        probe_options.proc_root = NULL;
    int json = 0, got;
    cli_parser parser;
    cli_parser_init(&parser, &cli_probe_command, option_table, argc, argv);
    while ((got = cli_parser_next(&parser)) == CLI_PARSE_OPTION) {
        switch (parser.option->id) {
        case OPT_JSON: json = 1; break;
        case OPT_ID:
            if (!parser.value[0])
                return cli_usage_error("probe", "--id: must not be empty");
            probe_options.node_id = parser.value;
            break;
        case OPT_PROC_ROOT: probe_options.proc_root = parser.value; break;
        }
    }
    if (got == CLI_PARSE_ERROR)
        return CLI_EXIT_USAGE;
    if (got == CLI_PARSE_HELP)
        return CLI_EXIT_OK;
    if (cli_parser_no_operand(&parser))
        return CLI_EXIT_USAGE;

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
    return CLI_EXIT_OK;
}

const cli_command cli_probe_command = {
    "probe", "describe this machine as an exo node", usage, run,
};
