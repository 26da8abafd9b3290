/* exoplace place: get_placement (strict, then the memory-tier fallback),
 * with a confirmation before a low-memory placement when a person is there. */
#include "cli.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char usage[] =
    "usage: exoplace place [OPTIONS] [FILE]\n"
    "\n"
    "Places the request's model on the cluster: the strict placement in\n"
    "available memory first, then the fallback tiers (pressure, total, swap).\n"
    "A placement that only fits in a fallback tier is low memory: at a\n"
    "terminal you are asked to confirm it; otherwise a warning is printed.\n"
    "\n"
    "options:\n"
    "  --json                 print the library's JSON response only\n"
    "  --no-retry             one attempt in the request's own tier (exo's place)\n"
    "  --no-fallback          one attempt, no automatic fallback tier\n"
    "  --allow-swap           the ladder may reach the swap tier\n"
    "  --yes                  accept a low-memory placement without asking\n"
    "  --strategy NAME        layer split: largest-remainder (default) or exo\n"
    "  --max-search-steps N   work bound of the placement search\n"
    "  -h, --help             this text\n"
    "\n"
    "exit status: 0 placed, 1 cannot be placed (or not confirmed), 2 bad input\n";

typedef struct place_flags {
    int json, no_retry, yes;
    exoplace_json_options options;
} place_flags;

static const char *tier_meaning(const char *tier)
{
    if (!tier)
        return "fits only beyond the memory that is available now";
    if (strcmp(tier, "pressure") == 0)
        return "fits only in the memory the OS says it can reclaim under pressure "
               "(other programs may be compressed or paged out)";
    if (strcmp(tier, "total") == 0)
        return "fits only if other programs free memory";
    if (strcmp(tier, "swap") == 0)
        return "fits only if the OS pushes other programs to swap";
    return "fits only beyond the memory that is available now";
}

/* The figures a person needs before saying yes. */
static void describe_low_memory(FILE *out, const json_t *placement, const cli_request_info *info)
{
    const char *tier = json_string_value(json_object_get(placement, "memory_tier"));
    const char *model = json_string_value(json_object_get(placement, "model_id"));
    const json_t *nodes = json_object_get(placement, "nodes");
    double available = 0, total = 0;
    int known = 1;
    for (size_t i = 0; i < json_array_size(nodes); i++) {
        const cli_node *node = cli_request_node(info, json_string_value(json_array_get(nodes, i)));
        if (!node || !node->has_memory) {
            known = 0;
            continue;
        }
        available += node->ram_available;
        total += node->ram_total;
    }
    char needed_text[32], available_text[32], total_text[32];
    cli_format_bytes(needed_text, sizeof needed_text, info->storage_size);
    cli_format_bytes(available_text, sizeof available_text, available);
    cli_format_bytes(total_text, sizeof total_text, total);
    fprintf(out, "Low memory: %s needs %s", model ? model : "the model", info->has_model ? needed_text : "?");
    if (known)
        fprintf(out, "; the %zu chosen node%s %s available of %s total", json_array_size(nodes),
                json_array_size(nodes) == 1 ? " has" : "s have", available_text, total_text);
    fprintf(out, ".\nMemory tier '%s': it %s.\n", tier ? tier : "?", tier_meaning(tier));
}

/* A person is there when the terminal can be opened and stderr (where the
 * question goes) is a terminal too. The answer is read from /dev/tty, so the
 * request may still come on standard input. */
static int ask_to_continue(int *answered_yes)
{
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
    if (fd < 0)
        return 0;
    if (!isatty(STDERR_FILENO)) {
        close(fd);
        return 0;
    }
    FILE *tty = fdopen(fd, "r");
    if (!tty) {
        close(fd);
        return 0;
    }
    fputs("Continue anyway? [y/N] ", stderr);
    fflush(stderr);
    char line[64];
    *answered_yes = 0;
    if (fgets(line, sizeof line, tty)) {
        line[strcspn(line, "\r\n")] = '\0';
        *answered_yes = strcasecmp(line, "y") == 0 || strcasecmp(line, "yes") == 0;
    } else {
        fputc('\n', stderr);
    }
    fclose(tty);
    return 1;
}

static void print_table(const json_t *placement, const cli_request_info *info)
{
    const char *model = json_string_value(json_object_get(placement, "model_id"));
    const char *tier = json_string_value(json_object_get(placement, "memory_tier"));
    int low = json_is_true(json_object_get(placement, "is_low_memory"));
    char size[32] = "?";
    if (info->has_model)
        cli_format_bytes(size, sizeof size, info->storage_size);
    printf("%s%s%s  %s, %.0f layer%s  %s / %s on %zu node%s  memory tier: %s%s%s\n", cli_colour_on(CLI_BOLD),
           model ? model : "?", cli_colour_off(), size, info->n_layers, info->n_layers == 1 ? "" : "s",
           json_string_value(json_object_get(placement, "sharding")),
           json_string_value(json_object_get(placement, "instance_meta")),
           json_array_size(json_object_get(placement, "nodes")),
           json_array_size(json_object_get(placement, "nodes")) == 1 ? "" : "s",
           cli_colour_on(low ? CLI_YELLOW : CLI_GREEN), tier ? tier : "?", cli_colour_off());
    cli_print_placement_table(placement, info);
}

static int parse_flags(place_flags *flags, int argc, char **argv)
{
    static const struct option options[] = {
        {"json", no_argument, NULL, 'j'},
        {"no-retry", no_argument, NULL, 'r'},
        {"no-fallback", no_argument, NULL, 'f'},
        {"allow-swap", no_argument, NULL, 's'},
        {"yes", no_argument, NULL, 'y'},
        {"strategy", required_argument, NULL, 'S'},
        {"max-search-steps", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(flags, 0, sizeof *flags);
    exoplace_json_options_init(&flags->options);
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'j': flags->json = 1; break;
        case 'r': flags->no_retry = 1; break;
        case 'f': flags->options.no_fallback = 1; break;
        case 's': flags->options.allow_swap = 1; break;
        case 'y': flags->yes = 1; break;
        case 'S':
            if (cli_parse_strategy(&flags->options.strategy, "place", optarg))
                return CLI_EXIT_USAGE;
            break;
        case 'm':
            if (cli_parse_u64(&flags->options.max_search_steps, "place", "--max-search-steps", optarg))
                return CLI_EXIT_USAGE;
            break;
        case 'h': fputs(usage, stdout); return -1;
        default: return cli_unknown_option("place", argv);
        }
    }
    return 0;
}

static int run(int argc, char **argv)
{
    place_flags flags;
    int status = parse_flags(&flags, argc, argv);
    if (status)
        return status < 0 ? CLI_EXIT_OK : status;
    char *request;
    if ((status = cli_read_operand(&request, "place", argc, argv, NULL)))
        return status;

    char *response = NULL;
    exoplace_error err;
    exoplace_status st = flags.no_retry ? exoplace_place_json(&response, request, strlen(request), &flags.options, &err)
                                        : exoplace_get_placement_json(&response, request, strlen(request), &flags.options, &err);
    if (st != EXOPLACE_OK) {
        if (response && flags.json)
            cli_print_json(response);
        status = cli_library_error("place", st, &err);
        if (status == CLI_EXIT_NOT_PLACED && !flags.json)
            fprintf(stderr, "hint: free memory on the cluster, add nodes, or try 'exoplace fit' for what fits\n");
        exoplace_free(response);
        free(request);
        return status;
    }

    json_t *placement = cli_parse_response(response);
    /* The request's node memory is only shown to people: --json never needs a second parse. */
    cli_request_info info;
    if (flags.json)
        memset(&info, 0, sizeof info);
    else
        cli_request_info_load(&info, request);
    int low_memory = json_is_true(json_object_get(placement, "is_low_memory"));
    status = CLI_EXIT_OK;
    if (low_memory) {
        int yes = 0;
        if (!flags.json && !flags.yes) {
            describe_low_memory(stderr, placement, &info);
            if (ask_to_continue(&yes) && !yes) {
                fprintf(stderr, "Not placed. Free memory on the chosen nodes (quit other programs or "
                                "models), or pass --yes to place anyway.\n");
                status = CLI_EXIT_NOT_PLACED;
            } else if (!yes) {
                fprintf(stderr, "warning: low-memory placement (no terminal to confirm; pass --yes to "
                                "silence this)\n");
            }
        } else if (!flags.yes) {
            fprintf(stderr, "warning: low-memory placement: it fits only in memory tier '%s'\n",
                    json_string_value(json_object_get(placement, "memory_tier")));
        }
    }
    if (status == CLI_EXIT_OK) {
        if (flags.json || !placement)
            cli_print_json(response);
        else
            print_table(placement, &info);
    }
    cli_request_info_dispose(&info);
    json_decref(placement);
    exoplace_free(response);
    free(request);
    return status;
}

const cli_command cli_place_command = {
    "place", "place a model: strict, then the low-memory fallback", usage, run,
};
