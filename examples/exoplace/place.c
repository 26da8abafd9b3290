/* exoplace place: get_placement (strict, then the memory-tier fallback),
 * with a confirmation before a low-memory placement when a person is there. */
#include "cli.h"

#include <fcntl.h>
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
    "When it cannot be placed, or only below available memory, standard error\n"
    "says why (lines from \"why:\"): the need, the first tier's best cycle,\n"
    "its sum and what it lacks, what each of its nodes must free, and which\n"
    "tier places it or that none can; --json carries the same figures as the\n"
    "response's \"explanation\".\n"
    "FILE (default: standard input) is a request, or exo's /state with the\n"
    "model given by --model.\n"
    "\n" CLI_INSTANCE_HELP
    "\n"
    "options:\n"
    "  --json                 print the library's JSON response only\n"
    "  --model CARD           the model to place, from a file (a model, or\n"
    "                         exo's ModelCard for a /state); wins over the\n"
    "                         request's \"model\"\n"
    "  --sharding NAME        Pipeline or Tensor\n"
    "  --instance-meta NAME   MlxRing or MlxJaccl\n"
    "  --min-nodes N          place on at least N nodes (at least 1)\n"
    "  --node-ids A,B,...     only on cycles that contain every node given\n"
    "                         (these four win over the request's own)\n"
    "  --no-retry             one attempt in the request's own tier (exo's place)\n"
    "  --no-fallback          one attempt, no automatic fallback tier\n"
    "  --allow-swap           the ladder may reach the swap tier\n"
    "  --yes                  accept a low-memory placement without asking\n"
    "  --strategy NAME        layer split: largest-remainder (default), exo or\n"
    "                         fit (the smallest ring whose nodes hold every\n"
    "                         layer with the model's KV cache and the\n"
    "                         request's reserveBytes), unless the request\n"
    "                         names one\n"
    "  --max-search-steps N   work bound of the placement search (0: the default)\n"
    "  --seed N               exo-main: draw the instance's ids and port from\n"
    "                         seed N (reproducible output), not at random\n"
    "  -h, --help             this text\n"
    "\n"
    "exit status: 0 placed, 1 cannot be placed (or not confirmed), 2 bad input\n";

enum {
    OPT_JSON, OPT_MODEL, OPT_SHARDING, OPT_INSTANCE_META, OPT_MIN_NODES, OPT_NODE_IDS, OPT_NO_RETRY, OPT_NO_FALLBACK,
    OPT_ALLOW_SWAP, OPT_YES, OPT_STRATEGY, OPT_MAX_SEARCH_STEPS, OPT_SEED
};

static const cli_option option_table[] = {
    {"json", 0, OPT_JSON},
    {"model", 1, OPT_MODEL},
    {"sharding", 1, OPT_SHARDING},
    {"instance-meta", 1, OPT_INSTANCE_META},
    {"min-nodes", 1, OPT_MIN_NODES},
    {"node-ids", 1, OPT_NODE_IDS},
    {"no-retry", 0, OPT_NO_RETRY},
    {"no-fallback", 0, OPT_NO_FALLBACK},
    {"allow-swap", 0, OPT_ALLOW_SWAP},
    {"yes", 0, OPT_YES},
    {"strategy", 1, OPT_STRATEGY},
    {"max-search-steps", 1, OPT_MAX_SEARCH_STEPS},
    {"seed", 1, OPT_SEED},
    {NULL, 0, 0},
};

/* The flags, as C values. The placement settings are set only when given:
 * they then win over the request's own. */
typedef struct place_flags {
    int json, no_retry, yes;
    exoplace_json_options host; /* read with the request, as the JSON entry points take them */
    const char *model_path;
    int has_sharding, has_instance_meta, has_min_nodes;
    exoplace_sharding sharding;
    exoplace_instance_meta instance_meta;
    uint32_t min_nodes;
    char *node_id_text;         /* --node-ids, split in place at the commas */
    const char **node_ids;
    size_t n_node_ids;
} place_flags;

static void flags_dispose(place_flags *flags)
{
    free(flags->node_id_text);
    free(flags->node_ids);
}

/* --node-ids a,b,c: ids borrowed from a copy of the text, cut at the commas. */
static int parse_node_ids(place_flags *flags, const char *text)
{
    free(flags->node_id_text);
    free(flags->node_ids);
    flags->node_ids = NULL;
    flags->n_node_ids = 0;
    size_t count = 1, length = strlen(text);
    for (size_t i = 0; i < length; i++)
        count += text[i] == ',';
    flags->node_id_text = malloc(length + 1);
    flags->node_ids = malloc(count * sizeof *flags->node_ids);
    if (!flags->node_id_text || !flags->node_ids)
        return cli_usage_error("place", "out of memory reading --node-ids");
    memcpy(flags->node_id_text, text, length + 1);
    char *id = flags->node_id_text;
    for (size_t i = 0; i < count; i++) {
        char *comma = strchr(id, ',');
        if (comma)
            *comma = '\0';
        if (!*id)
            return cli_usage_error("place", "--node-ids: id %zu of '%s' is empty", i + 1, text);
        flags->node_ids[flags->n_node_ids++] = id;
        id = comma ? comma + 1 : id + strlen(id);
    }
    return 0;
}

/* Returns 0, CLI_EXIT_USAGE, or -1 after --help. */
static int parse_flags(place_flags *flags, const char **path, int argc, char **argv)
{
    memset(flags, 0, sizeof *flags);
    exoplace_json_options_init(&flags->host);
    cli_parser parser;
    cli_parser_init(&parser, &cli_place_command, option_table, argc, argv);
    int got, value, status = 0;
    uint64_t number;
    while (status == 0 && (got = cli_parser_next(&parser)) == CLI_PARSE_OPTION) {
        switch (parser.option->id) {
        case OPT_JSON: flags->json = 1; break;
        case OPT_MODEL: flags->model_path = parser.value; break;
        case OPT_SHARDING:
            if (!(status = cli_option_choice(&value, &parser, cli_sharding_name))) {
                flags->sharding = (exoplace_sharding)value;
                flags->has_sharding = 1;
            }
            break;
        case OPT_INSTANCE_META:
            if (!(status = cli_option_choice(&value, &parser, cli_instance_meta_name))) {
                flags->instance_meta = (exoplace_instance_meta)value;
                flags->has_instance_meta = 1;
            }
            break;
        case OPT_MIN_NODES:
            if (!(status = cli_option_number(&number, &parser, 1, UINT32_MAX))) {
                flags->min_nodes = (uint32_t)number;
                flags->has_min_nodes = 1;
            }
            break;
        case OPT_NODE_IDS: status = parse_node_ids(flags, parser.value); break;
        case OPT_NO_RETRY: flags->no_retry = 1; break;
        case OPT_NO_FALLBACK: flags->host.no_fallback = 1; break;
        case OPT_ALLOW_SWAP: flags->host.allow_swap = 1; break;
        case OPT_YES: flags->yes = 1; break;
        case OPT_STRATEGY:
            status = cli_option_strategy(&flags->host.strategy, &parser);
            break;
        case OPT_MAX_SEARCH_STEPS: status = cli_option_number(&flags->host.max_search_steps, &parser, 0, UINT64_MAX); break;
        case OPT_SEED:
            status = cli_option_number(&flags->host.random_seed, &parser, 0, UINT64_MAX);
            flags->host.use_random_seed = 1;
            break;
        }
    }
    if (status)
        return status;
    if (got == CLI_PARSE_HELP)
        return -1;
    if (got == CLI_PARSE_ERROR)
        return CLI_EXIT_USAGE;
    return cli_parser_operand(path, &parser);
}

/* The request's placement options with the flags on top. */
static exoplace_place_options placement_options(const exoplace_request *request, const place_flags *flags)
{
    exoplace_place_options options = request->options;
    if (flags->has_sharding)
        options.sharding = flags->sharding;
    if (flags->has_instance_meta)
        options.instance_meta = flags->instance_meta;
    if (flags->has_min_nodes)
        options.min_nodes = flags->min_nodes;
    if (flags->node_ids) {
        options.required_node_ids = flags->node_ids;
        options.n_required_node_ids = flags->n_node_ids;
    }
    return options;
}

static const char *tier_meaning(exoplace_memory_tier tier)
{
    switch (tier) {
    case EXOPLACE_TIER_PRESSURE:
        return "fits only in the memory the OS says it can reclaim under pressure "
               "(other programs may be compressed or paged out)";
    case EXOPLACE_TIER_TOTAL: return "fits only if other programs free memory";
    case EXOPLACE_TIER_SWAP: return "fits only if the OS pushes other programs to swap";
    case EXOPLACE_TIER_AVAILABLE: break;
    }
    return "fits only beyond the memory that is available now";
}

/* The flags the words of an explanation may suggest. */
static cli_explain_flags explain_flags(const place_flags *flags, int failed)
{
    cli_explain_flags out = {failed, flags->no_retry, flags->host.no_fallback, flags->host.allow_swap};
    return out;
}

/* The figures a person needs before saying yes, and why available memory
 * does not do (explanation: NULL when there is none). */
static void describe_low_memory(const place_flags *flags, const exoplace_placement *placement,
                                const exoplace_model *model, const exoplace_topology *topology,
                                const exoplace_explanation *explanation)
{
    double available = 0, total = 0;
    int known = 1;
    for (size_t i = 0; i < placement->n_nodes; i++) {
        exoplace_node_memory memory;
        if (!exoplace_topology_node_memory(&memory, topology, placement->shards[i].node_index)) {
            known = 0;
            continue;
        }
        available += (double)memory.ram_available;
        total += (double)memory.ram_total;
    }
    char needed_text[32], available_text[32], total_text[32], nodes_text[160] = "";
    cli_format_bytes(needed_text, sizeof needed_text, (double)model->storage_size);
    cli_format_bytes(available_text, sizeof available_text, available);
    cli_format_bytes(total_text, sizeof total_text, total);
    if (known)
        snprintf(nodes_text, sizeof nodes_text, "; the %zu chosen node%s %s available of %s total",
                 placement->n_nodes, placement->n_nodes == 1 ? " has" : "s have", available_text, total_text);
    cli_message("Low memory: %s needs %s%s.", model->model_id, needed_text, nodes_text);
    cli_message("Memory tier '%s': it %s.", exoplace_memory_tier_name(placement->memory_tier),
                tier_meaning(placement->memory_tier));
    if (explanation) {
        cli_explain_flags words = explain_flags(flags, 0);
        cli_print_explanation(explanation, &words);
    }
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

/* A low-memory placement goes ahead with --yes, with --json or without a
 * terminal (with a warning), or when the person at the terminal says so. */
static int confirm_low_memory(const place_flags *flags, const exoplace_placement *placement,
                              const exoplace_model *model, const exoplace_topology *topology,
                              const exoplace_explanation *explanation)
{
    if (flags->yes)
        return CLI_EXIT_OK;
    if (flags->json) {
        cli_message("warning: low-memory placement: it fits only in memory tier '%s'",
                    exoplace_memory_tier_name(placement->memory_tier));
        return CLI_EXIT_OK;
    }
    describe_low_memory(flags, placement, model, topology, explanation);
    int yes = 0;
    if (!ask_to_continue(&yes)) {
        cli_message("warning: low-memory placement (no terminal to confirm; pass --yes to silence this)");
        return CLI_EXIT_OK;
    }
    if (yes)
        return CLI_EXIT_OK;
    cli_message("Not placed. Free memory on the chosen nodes (quit other programs or models), or pass --yes to "
                "place anyway.");
    return CLI_EXIT_NOT_PLACED;
}

static int print_table(const exoplace_placement *placement, const exoplace_model *model,
                       const exoplace_topology *topology)
{
    char size[32];
    cli_format_bytes(size, sizeof size, (double)model->storage_size);
    printf("%s", cli_colour_on(CLI_BOLD));
    cli_put_text(stdout, model->model_id);
    printf("%s  %s, %lu layer%s  %s / %s on %zu node%s  memory tier: %s%s%s\n", cli_colour_off(), size,
           (unsigned long)model->n_layers, cli_plural(model->n_layers), exoplace_sharding_name(placement->sharding),
           exoplace_instance_meta_name(placement->instance_meta), placement->n_nodes, cli_plural(placement->n_nodes),
           cli_colour_on(placement->is_low_memory ? CLI_YELLOW : CLI_GREEN),
           exoplace_memory_tier_name(placement->memory_tier), cli_colour_off());
    cli_print_placement_table(placement, model, topology);
    return cli_print_instance_table("place", placement);
}

/* A placement that cannot be made: the failure object with --json, the
 * reason on standard error, and for people why (explanation: NULL when
 * there is none) and a hint. */
static int report_failure(const place_flags *flags, exoplace_status st, const exoplace_error *result,
                          exoplace_rules rules, const exoplace_explanation *explanation)
{
    if (!exoplace_status_is_placement_failure(st))
        return cli_library_error("place", st, result);
    if (flags->json) {
        char *text = NULL;
        exoplace_error err;
        exoplace_status written = exoplace_failure_explained_write_json(&text, result, rules, explanation, &err);
        if (written != EXOPLACE_OK)
            return cli_library_error("place", written, &err);
        cli_print_json(text);
    }
    cli_library_error("place", st, result);
    if (!flags->json) {
        if (explanation) {
            cli_explain_flags words = explain_flags(flags, 1);
            cli_print_explanation(explanation, &words);
        }
        cli_message("hint: free memory on the cluster, add nodes, or try 'exoplace fit' for what fits");
    }
    return CLI_EXIT_NOT_PLACED;
}

static int place(const place_flags *flags, const char *path)
{
    exoplace_request *request = NULL, *card = NULL;
    int status = cli_check_stdin("place", path, "--model", flags->model_path);
    if (status == 0)
        status = cli_request_load(&request, "place", path, &flags->host);
    if (status == 0 && flags->model_path)
        status = cli_catalogue_load(&card, "place", flags->model_path, request->rules);
    if (status == 0 && card && card->n_models != 1)
        status = cli_usage_error("place", "%s: expected one model, got %zu", cli_source_name(flags->model_path),
                                 card->n_models);
    const exoplace_model *model = NULL;
    if (status == 0)
        model = card ? &card->models[0] : request->model;
    /* What exoplace_get_placement_json() needs of a request. */
    if (status == 0 && !request->has_topology)
        status = cli_missing("place", "topology");
    if (status == 0 && !model)
        status = cli_missing("place", "model");
    if (status) {
        exoplace_request_free(card);
        exoplace_request_free(request);
        return status;
    }

    exoplace_place_options options = placement_options(request, flags);
    exoplace_placement placement;
    exoplace_error result;
    if (flags->no_retry)
        options.no_fallback = 1; /* exoplace_place()'s one attempt */
    exoplace_explanation explanation;
    /* Explained where the JSON entry points explain, from the same search. */
    exoplace_status st =
        exoplace_get_placement_explained(&placement, &explanation, request->topology, model, &options, &result);
    const exoplace_explanation *shown = explanation.tiers ? &explanation : NULL;
    if (status == 0 && st != EXOPLACE_OK)
        status = report_failure(flags, st, &result, options.rules, shown);
    if (status == 0 && st == EXOPLACE_OK && placement.is_low_memory)
        status = confirm_low_memory(flags, &placement, model, request->topology, shown);
    if (st == EXOPLACE_OK && status == CLI_EXIT_OK) {
        if (flags->json) {
            char *text = NULL;
            exoplace_error err;
            exoplace_status written = exoplace_placement_explained_write_json(&text, &placement, model, shown, &err);
            if (written == EXOPLACE_OK)
                cli_print_json(text);
            else
                status = cli_library_error("place", written, &err);
        } else {
            status = print_table(&placement, model, request->topology);
        }
    }
    exoplace_explanation_dispose(&explanation);
    exoplace_placement_dispose(&placement);
    exoplace_request_free(card);
    exoplace_request_free(request);
    return status;
}

static int run(int argc, char **argv)
{
    place_flags flags;
    const char *path = NULL;
    int status = parse_flags(&flags, &path, argc, argv);
    if (status == 0)
        status = place(&flags, path);
    flags_dispose(&flags);
    return status < 0 ? CLI_EXIT_OK : status;
}

const cli_command cli_place_command = {
    "place", "place a model: strict, then the low-memory fallback", usage, run,
};
