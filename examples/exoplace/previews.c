/* exoplace previews: every sharding x backend x node count, as exo's
 * placement previews. */
#include "cli.h"

#include <stdlib.h>

static const char usage[] =
    "usage: exoplace previews [OPTIONS] [FILE]\n"
    "\n"
    "Lists the placements exo would offer for the request's \"model\" (or each\n"
    "of its \"models\"): for Pipeline and Tensor sharding, MlxRing and MlxJaccl,\n"
    "and every minimum node count, the placement or the reason there is none.\n"
    "\n" CLI_INSTANCE_HELP
    "\n"
    "options:\n"
    "  --json                 print the library's JSON response only\n"
    "  --models FILE          the models, from a catalogue: a JSON list of models\n"
    "                         (exo's ModelCards for a /state), an object with a\n"
    "                         \"models\" list, or one model; FILE is then a cluster\n"
    "  --strategy NAME        layer split: largest-remainder (default), exo or\n"
    "                         fit (the smallest ring whose nodes hold every\n"
    "                         layer with the model's KV cache and the\n"
    "                         request's reserveBytes), unless the request\n"
    "                         names one\n"
    "  --no-fallback          one attempt per preview, no fallback tier\n"
    "  --allow-swap           previews may use the swap tier\n"
    "  --max-search-steps N   work bound of one placement search (0: the default)\n"
    "  --seed N               exo-main: draw the instances' ids and ports from\n"
    "                         seed N (reproducible output), not at random\n"
    "  -h, --help             this text\n"
    "\n"
    "exit status: 0 when the list was produced (even if every preview is an\n"
    "error), 2 bad input\n";

enum { OPT_JSON, OPT_MODELS, OPT_STRATEGY, OPT_NO_FALLBACK, OPT_ALLOW_SWAP, OPT_MAX_SEARCH_STEPS, OPT_SEED };

static const cli_option option_table[] = {
    {"json", 0, OPT_JSON},
    {"models", 1, OPT_MODELS},
    {"strategy", 1, OPT_STRATEGY},
    {"no-fallback", 0, OPT_NO_FALLBACK},
    {"allow-swap", 0, OPT_ALLOW_SWAP},
    {"max-search-steps", 1, OPT_MAX_SEARCH_STEPS},
    {"seed", 1, OPT_SEED},
    {NULL, 0, 0},
};

static int print_preview(const exoplace_preview *preview, const exoplace_model *model,
                         const exoplace_topology *topology)
{
    int ok = preview->status == EXOPLACE_OK;
    const exoplace_placement *placement = &preview->placement;
    int low = ok && placement->is_low_memory;
    cli_colour colour = !ok ? CLI_RED : low ? CLI_YELLOW : CLI_GREEN;
    printf("%s%-8s %-8s%s ", cli_colour_on(colour), exoplace_sharding_name(preview->sharding),
           exoplace_instance_meta_name(preview->instance_meta), cli_colour_off());
    if (!ok) {
        printf("%sdoes not fit%s: ", cli_colour_on(CLI_RED), cli_colour_off());
        cli_put_text(stdout, preview->error.message);
        putchar('\n');
        return 0;
    }
    printf("%zu node%s (", placement->n_nodes, cli_plural(placement->n_nodes));
    for (size_t i = 0; i < placement->n_nodes; i++) {
        if (i)
            fputs(", ", stdout);
        cli_put_text(stdout, placement->shards[i].node_id);
    }
    printf(")  %s%s%s%s\n", cli_colour_on(colour), low ? "low memory, tier " : "fits",
           low ? exoplace_memory_tier_name(placement->memory_tier) : "", cli_colour_off());
    cli_print_placement_table(placement, model, topology);
    return cli_print_instance_table("previews", placement);
}

static int print_table(const exoplace_preview_list *const *lists, const cli_models *models,
                       const exoplace_topology *topology)
{
    size_t shown = 0;
    int status = CLI_EXIT_OK;
    for (size_t m = 0; status == CLI_EXIT_OK && m < models->count; m++) {
        size_t n = exoplace_preview_list_count(lists[m]);
        if (n == 0)
            continue;
        printf("%s%s", shown ? "\n" : "", cli_colour_on(CLI_BOLD));
        cli_put_text(stdout, models->models[m].model_id);
        printf("%s\n", cli_colour_off());
        for (size_t i = 0; status == CLI_EXIT_OK && i < n; i++)
            status = print_preview(exoplace_preview_list_get(lists[m], i), &models->models[m], topology);
        shown += n;
    }
    if (shown == 0)
        printf("no previews (the topology has no nodes)\n");
    return status;
}

/* One preview list per model, then the JSON or the table. */
static int previews(const exoplace_request *request, const cli_models *models, int json)
{
    exoplace_preview_list **lists = calloc(models->count, sizeof *lists);
    if (!lists)
        return cli_usage_error("previews", "out of memory");
    exoplace_status st = EXOPLACE_OK;
    exoplace_error err;
    for (size_t m = 0; st == EXOPLACE_OK && m < models->count; m++)
        st = exoplace_preview_list_new(&lists[m], request->topology, &models->models[m], &request->options, &err);
    char *text = NULL;
    if (st == EXOPLACE_OK && json)
        st = exoplace_preview_lists_write_json(&text, (const exoplace_preview_list *const *)lists, models->models,
                                               models->count, &err);
    int status = CLI_EXIT_OK;
    if (st != EXOPLACE_OK)
        status = cli_library_error("previews", st, &err);
    else if (json)
        cli_print_json(text);
    else
        status = print_table((const exoplace_preview_list *const *)lists, models, request->topology);
    for (size_t m = 0; m < models->count; m++)
        exoplace_preview_list_free(lists[m]);
    free(lists);
    return status;
}

static int run(int argc, char **argv)
{
    exoplace_json_options host;
    exoplace_json_options_init(&host);
    const char *models_path = NULL, *path = NULL;
    int json = 0, got, status = 0;
    cli_parser parser;
    cli_parser_init(&parser, &cli_previews_command, option_table, argc, argv);
    while (status == 0 && (got = cli_parser_next(&parser)) == CLI_PARSE_OPTION) {
        switch (parser.option->id) {
        case OPT_JSON: json = 1; break;
        case OPT_MODELS: models_path = parser.value; break;
        case OPT_STRATEGY:
            status = cli_option_strategy(&host.strategy, &parser);
            break;
        case OPT_NO_FALLBACK: host.no_fallback = 1; break;
        case OPT_ALLOW_SWAP: host.allow_swap = 1; break;
        case OPT_MAX_SEARCH_STEPS: status = cli_option_number(&host.max_search_steps, &parser, 0, UINT64_MAX); break;
        case OPT_SEED:
            status = cli_option_number(&host.random_seed, &parser, 0, UINT64_MAX);
            host.use_random_seed = 1;
            break;
        }
    }
    if (status || got == CLI_PARSE_ERROR)
        return CLI_EXIT_USAGE;
    if (got == CLI_PARSE_HELP)
        return CLI_EXIT_OK;
    if ((status = cli_parser_operand(&path, &parser)))
        return status;

    exoplace_request *request;
    if ((status = cli_check_stdin("previews", path, "--models", models_path)))
        return status;
    if ((status = cli_request_load(&request, "previews", path, &host)))
        return status;
    cli_models models;
    status = cli_models_load(&models, "previews", request, models_path);
    if (status == 0)
        status = previews(request, &models, json);
    cli_models_dispose(&models);
    exoplace_request_free(request);
    return status;
}

const cli_command cli_previews_command = {
    "previews", "every placement exo would offer, with errors", usage, run,
};
