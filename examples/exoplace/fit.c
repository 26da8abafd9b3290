/* exoplace fit: which models of a list fit the cluster, as exo's model list
 * shows them. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: exoplace fit [OPTIONS] [FILE]\n"
    "\n"
    "For each model of the request's \"models\" (or its \"model\"), whether it\n"
    "fits the cluster's summed memory: 'fits' in available memory, 'low memory'\n"
    "only in total memory (other programs must free memory), or 'does not fit'.\n"
    "Sorted as exo sorts its model list: can fit, then will fit, then larger\n"
    "models first, then by id.\n"
    "\n"
    "options:\n"
    "  --json         print the library's JSON response only\n"
    "  --models FILE  the models to check, from a catalogue: a JSON list of\n"
    "                 models or an object with a \"models\" list (FILE is a\n"
    "                 cluster then, e.g. exo's /state)\n"
    "  -h, --help     this text\n"
    "\n"
    "exit status: 0 listed, 2 bad input\n";

static void print_table(const json_t *response, const cli_request_info *info)
{
    const json_t *models = json_object_get(response, "models");
    double available = 0, total = 0;
    for (size_t i = 0; i < info->n_nodes; i++) {
        if (!info->nodes[i].has_memory)
            continue;
        available += info->nodes[i].ram_available;
        total += info->nodes[i].ram_total;
    }
    char available_text[32], total_text[32];
    cli_format_bytes(available_text, sizeof available_text, available);
    cli_format_bytes(total_text, sizeof total_text, total);
    printf("cluster: %zu node%s, %s available of %s total\n", info->n_nodes, info->n_nodes == 1 ? "" : "s",
           available_text, total_text);
    size_t id_width = 5;
    for (size_t i = 0; i < json_array_size(models); i++) {
        const char *id = json_string_value(json_object_get(json_array_get(models, i), "model_id"));
        if (id && cli_text_width(id) > id_width)
            id_width = cli_text_width(id);
    }
    printf("  %s", cli_colour_on(CLI_BOLD));
    cli_print_padded("MODEL", id_width);
    printf("  %10s  %s%s\n", "SIZE", "FIT", cli_colour_off());
    for (size_t i = 0; i < json_array_size(models); i++) {
        const json_t *model = json_array_get(models, i);
        const char *fit = json_string_value(json_object_get(model, "fit"));
        cli_colour colour = CLI_RED;
        const char *label = "does not fit";
        if (fit && strcmp(fit, "fits") == 0) {
            colour = CLI_GREEN;
            label = "fits";
        } else if (fit && strcmp(fit, "low_memory") == 0) {
            colour = CLI_YELLOW;
            label = "low memory";
        }
        char size[32];
        cli_format_bytes(size, sizeof size, json_number_value(json_object_get(model, "storage_size")));
        const char *id = json_string_value(json_object_get(model, "model_id"));
        printf("  ");
        cli_print_padded(id ? id : "?", id_width);
        printf("  %10s  %s%s%s\n", size, cli_colour_on(colour), label, cli_colour_off());
    }
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"json", no_argument, NULL, 'j'},
        {"models", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int json = 0, c;
    const char *models_path = NULL;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'm': models_path = optarg; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: return cli_unknown_option("fit", argv);
        }
    }
    char *request;
    int status = cli_read_operand(&request, "fit", argc, argv, models_path);
    if (status)
        return status;

    char *response = NULL;
    exoplace_error err;
    exoplace_status st = exoplace_model_fit_json(&response, request, strlen(request), NULL, &err);
    if (st != EXOPLACE_OK) {
        free(request);
        return cli_library_error("fit", st, &err);
    }
    json_t *parsed = json ? NULL : cli_parse_response(response);
    if (parsed) {
        cli_request_info info;
        cli_request_info_load(&info, request);
        print_table(parsed, &info);
        cli_request_info_dispose(&info);
        json_decref(parsed);
    } else {
        cli_print_json(response);
    }
    exoplace_free(response);
    free(request);
    return CLI_EXIT_OK;
}

const cli_command cli_fit_command = {
    "fit", "which models of a list fit the cluster", usage, run,
};
