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

static void print_row(const char *label, const json_t *memory, const char *camel, const char *snake)
{
    int ok;
    double bytes = cli_bytes_value(cli_member(memory, camel, snake), &ok);
    char text[32] = "-";
    if (ok)
        cli_format_bytes(text, sizeof text, bytes);
    printf("  %-15s %s\n", label, text);
}

static void print_table(const json_t *node)
{
    const json_t *profile = cli_member(node, "nodeProfile", "node_profile");
    const json_t *memory = cli_member(profile, "memory", NULL);
    printf("%snode %s%s\n", cli_colour_on(CLI_BOLD), json_string_value(cli_member(node, "nodeId", "node_id")),
           cli_colour_off());
    print_row("ram total", memory, "ramTotal", "ram_total");
    print_row("ram available", memory, "ramAvailable", "ram_available");
    print_row("swap total", memory, "swapTotal", "swap_total");
    print_row("swap available", memory, "swapAvailable", "swap_available");
    const char *level = json_string_value(cli_member(memory, "pressureLevel", "pressure_level"));
    cli_colour colour = !level ? CLI_PLAIN
                        : strcmp(level, "critical") == 0 ? CLI_RED
                        : strcmp(level, "warn") == 0     ? CLI_YELLOW
                                                         : CLI_GREEN;
    printf("  %-15s %s%s%s\n", "pressure", cli_colour_on(colour), level ? level : "not reported", cli_colour_off());
    const json_t *free_percent = cli_member(memory, "freePercent", "free_percent");
    if (json_is_number(free_percent))
        printf("  %-15s %.0f%%\n", "free percent", json_number_value(free_percent));
    const json_t *interfaces = cli_member(profile, "networkInterfaces", "network_interfaces");
    for (size_t i = 0; i < json_array_size(interfaces); i++) {
        const json_t *interface = json_array_get(interfaces, i);
        printf("  %-15s %s %s\n", i ? "" : "interfaces", json_string_value(json_object_get(interface, "name")),
               json_string_value(cli_member(interface, "ipAddress", "ip_address")));
    }
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

    char *node = NULL;
    exoplace_error err;
    exoplace_status st = exoplace_probe_local(&node, &probe_options, &err);
    if (st != EXOPLACE_OK)
        return cli_library_error("probe", st, &err);
    json_t *parsed = json ? NULL : cli_parse_response(node);
    if (parsed)
        print_table(parsed);
    else
        cli_print_json(node);
    json_decref(parsed);
    exoplace_free(node);
    return CLI_EXIT_OK;
}

const cli_command cli_probe_command = {
    "probe", "describe this machine as an exo node", usage, run,
};
