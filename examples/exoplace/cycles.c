/* exoplace cycles: the canonical cycle list, optionally memory-filtered. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

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

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"json", no_argument, NULL, 'j'},
        {"min-bytes", required_argument, NULL, 'b'},
        {"use-total-memory", no_argument, NULL, 't'},
        {"max-cycles", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    exoplace_cycle_filter filter;
    exoplace_cycle_filter_init(&filter);
    int json = 0, c;
    uint64_t max_cycles = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'b':
            filter.by_memory = 1;
            if (cli_parse_u64(&filter.min_bytes, "cycles", "--min-bytes", optarg))
                return CLI_EXIT_USAGE;
            break;
        case 't': filter.tier = EXOPLACE_TIER_TOTAL; break;
        case 'c':
            if (cli_parse_u64(&max_cycles, "cycles", "--max-cycles", optarg))
                return CLI_EXIT_USAGE;
            if (max_cycles == 0 || max_cycles > SIZE_MAX)
                return cli_usage_error("cycles", "--max-cycles: must be at least 1");
            filter.max_cycles = (size_t)max_cycles;
            break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: return cli_unknown_option("cycles", argv);
        }
    }
    if (filter.tier == EXOPLACE_TIER_TOTAL && !filter.by_memory)
        return cli_usage_error("cycles", "--use-total-memory needs --min-bytes");
    char *request;
    int status = cli_read_operand(&request, "cycles", argc, argv, NULL);
    if (status)
        return status;

    char *response = NULL;
    exoplace_error err;
    exoplace_status st = exoplace_cycles_json(&response, request, strlen(request), &filter, &err);
    free(request);
    if (st != EXOPLACE_OK)
        return cli_library_error("cycles", st, &err);
    json_t *parsed = json ? NULL : cli_parse_response(response);
    if (!parsed) {
        cli_print_json(response);
    } else {
        const json_t *cycles = json_object_get(parsed, "cycles");
        size_t n = json_array_size(cycles);
        printf("%s%zu cycle%s%s\n", cli_colour_on(CLI_BOLD), n, n == 1 ? "" : "s", cli_colour_off());
        for (size_t i = 0; i < n; i++) {
            const json_t *cycle = json_array_get(cycles, i);
            printf("  ");
            for (size_t k = 0; k < json_array_size(cycle); k++)
                printf("%s%s", k ? " -> " : "", json_string_value(json_array_get(cycle, k)));
            if (json_array_size(cycle) > 1)
                printf(" -> %s", json_string_value(json_array_get(cycle, 0)));
            printf("\n");
        }
        json_decref(parsed);
    }
    exoplace_free(response);
    return CLI_EXIT_OK;
}

const cli_command cli_cycles_command = {
    "cycles", "the canonical list of cycles, optionally memory-filtered", usage, run,
};
