/* exoplace fit: which models of a list fit the cluster, as exo's model list
 * shows them. */
#include "cli.h"

#include <stdlib.h>

static const char usage[] =
    "usage: exoplace fit [OPTIONS] [FILE]\n"
    "\n"
    "For each model of the request's \"models\" (or its \"model\"), whether it\n"
    "fits the cluster's summed memory: 'fits' in available memory, 'low memory'\n"
    "only in total memory (other programs must free memory), or 'does not fit'.\n"
    "Sorted as exo sorts its model list: can fit, then will fit, then larger\n"
    "models first, then by id. SHORT is what the placement search's best\n"
    "cycle lacks in the request's first memory tier (available memory unless\n"
    "the request says otherwise), in layers with strategy fit: '-' when it\n"
    "places there, '<=' before it when the search stopped at its work bound\n"
    "(a better cycle may lack less), '?' when the placement search itself\n"
    "stopped there.\n"
    "--json prints the library's model list, without SHORT.\n"
    "\n"
    "options:\n"
    "  --json         print the library's JSON response only\n"
    "  --models FILE  the models to check, from a catalogue: a JSON list of\n"
    "                 models (exo's ModelCards for a /state), an object with a\n"
    "                 \"models\" list, or one model (FILE is a cluster then,\n"
    "                 e.g. exo's /state)\n"
    "  -h, --help     this text\n"
    "\n"
    "exit status: 0 listed, 2 bad input\n";

enum { OPT_JSON, OPT_MODELS };

static const cli_option option_table[] = {
    {"json", 0, OPT_JSON},
    {"models", 1, OPT_MODELS},
    {NULL, 0, 0},
};

static void print_cluster(const exoplace_topology *topology)
{
    size_t n = exoplace_topology_node_count(topology);
    double available = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        exoplace_node_memory memory;
        if (!exoplace_topology_node_memory(&memory, topology, i))
            continue;
        available += (double)memory.ram_available;
        total += (double)memory.ram_total;
    }
    char available_text[32], total_text[32];
    cli_format_bytes(available_text, sizeof available_text, available);
    cli_format_bytes(total_text, sizeof total_text, total);
    printf("cluster: %zu node%s, %s available of %s total\n", n, cli_plural(n), available_text, total_text);
}

/* The SHORT cell: the gap of the explanation's first tier. Returns 0, or
 * prints why not and returns the exit status. */
static int shortfall_text(char *buf, size_t size, const exoplace_topology *topology, const exoplace_model *model,
                          const exoplace_place_options *options)
{
    exoplace_explanation explanation;
    exoplace_error err;
    exoplace_status st = exoplace_explain(&explanation, topology, model, options, &err);
    if (st != EXOPLACE_OK)
        return cli_library_error("fit", st, &err);
    const exoplace_explained_tier *first = explanation.n_tiers ? &explanation.tiers[0] : NULL;
    if (!first || first->status == EXOPLACE_OK) {
        snprintf(buf, size, "-");
    } else if (first->status == EXOPLACE_E_SEARCH_LIMIT) {
        snprintf(buf, size, "?");
    } else {
        /* A search stopped by its work bound gives the greatest cycle found:
         * the best one lacks at most that. */
        char gap[40];
        cli_format_amount(gap, sizeof gap, first->gap, first->by_layers);
        snprintf(buf, size, "%s%s", first->complete ? "" : "<=", gap);
    }
    exoplace_explanation_dispose(&explanation);
    return 0;
}

static int print_table(const exoplace_topology *topology, const exoplace_place_options *options,
                       const cli_models *models, const size_t *order)
{
    /* Every cell is made before anything is printed: an error leaves no half table. */
    char (*shortfalls)[48] = calloc(models->count ? models->count : 1, sizeof *shortfalls);
    if (!shortfalls)
        return cli_usage_error("fit", "out of memory");
    for (size_t i = 0; i < models->count; i++) {
        int status = shortfall_text(shortfalls[i], sizeof shortfalls[i], topology, &models->models[order[i]], options);
        if (status) {
            free(shortfalls);
            return status;
        }
    }
    print_cluster(topology);
    size_t id_cells = 5;
    for (size_t i = 0; i < models->count; i++) {
        size_t n = cli_text_cells(models->models[i].model_id);
        if (n > id_cells)
            id_cells = n;
    }
    printf("  %s", cli_colour_on(CLI_BOLD));
    cli_put_padded(stdout, "MODEL", id_cells);
    printf("  %10s  %10s  %s%s\n", "SIZE", "SHORT", "FIT", cli_colour_off());
    for (size_t i = 0; i < models->count; i++) {
        const exoplace_model *model = &models->models[order[i]];
        exoplace_model_fit fit = {0, 0};
        exoplace_model_fit_check(&fit, topology, model->storage_size, NULL);
        cli_colour colour = fit.will_fit ? CLI_GREEN : fit.can_fit ? CLI_YELLOW : CLI_RED;
        const char *label = fit.will_fit ? "fits" : fit.can_fit ? "low memory" : "does not fit";
        char size[32];
        cli_format_bytes(size, sizeof size, (double)model->storage_size);
        printf("  ");
        cli_put_padded(stdout, model->model_id, id_cells);
        printf("  %10s  %10s  %s%s%s\n", size, shortfalls[i], cli_colour_on(colour), label, cli_colour_off());
    }
    free(shortfalls);
    return 0;
}

/* The models in exo's display order, then the JSON or the table. */
static int fit(const exoplace_request *request, const cli_models *models, int json)
{
    const exoplace_topology *topology = request->topology;
    size_t *order = malloc(models->count * sizeof *order);
    if (!order)
        return cli_usage_error("fit", "out of memory");
    exoplace_error err;
    char *text = NULL;
    exoplace_status st = exoplace_models_order(order, topology, models->models, models->count, &err);
    if (st == EXOPLACE_OK && json)
        st = exoplace_model_fit_write_json(&text, topology, models->models, order, models->count, &err);
    int status = CLI_EXIT_OK;
    if (st != EXOPLACE_OK)
        status = cli_library_error("fit", st, &err);
    else if (json)
        cli_print_json(text);
    else
        status = print_table(topology, &request->options, models, order);
    free(order);
    return status;
}

static int run(int argc, char **argv)
{
    const char *models_path = NULL, *path = NULL;
    int json = 0, got;
    cli_parser parser;
    cli_parser_init(&parser, &cli_fit_command, option_table, argc, argv);
    while ((got = cli_parser_next(&parser)) == CLI_PARSE_OPTION) {
        switch (parser.option->id) {
        case OPT_JSON: json = 1; break;
        case OPT_MODELS: models_path = parser.value; break;
        }
    }
    if (got == CLI_PARSE_ERROR)
        return CLI_EXIT_USAGE;
    if (got == CLI_PARSE_HELP)
        return CLI_EXIT_OK;
    int status = cli_parser_operand(&path, &parser);
    if (status)
        return status;

    exoplace_request *request;
    if ((status = cli_check_stdin("fit", path, "--models", models_path)))
        return status;
    if ((status = cli_request_load(&request, "fit", path, NULL)))
        return status;
    cli_models models;
    status = cli_models_load(&models, "fit", request, models_path);
    if (status == 0)
        status = fit(request, &models, json);
    cli_models_dispose(&models);
    exoplace_request_free(request);
    return status;
}

const cli_command cli_fit_command = {
    "fit", "which models of a list fit the cluster", usage, run,
};
