/* exoplace previews: every sharding x backend x node count, as exo's
 * placement previews. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: exoplace previews [OPTIONS] [FILE]\n"
    "\n"
    "Lists the placements exo would offer for the request's \"model\" (or each\n"
    "of its \"models\"): for Pipeline and Tensor sharding, MlxRing and MlxJaccl,\n"
    "and every minimum node count, the placement or the reason there is none.\n"
    "\n"
    "options:\n"
    "  --json            print the library's JSON response only\n"
    "  --models FILE     the models, from a catalogue: a JSON list of models\n"
    "                    or an object with a \"models\" list\n"
    "  --strategy NAME   layer split: largest-remainder (default) or exo\n"
    "  --allow-swap      previews may use the swap tier\n"
    "  -h, --help        this text\n"
    "\n"
    "exit status: 0 when the list was produced (even if every preview is an\n"
    "error), 2 bad input\n";

static void print_preview(const json_t *preview, const cli_request_info *info)
{
    const json_t *nodes = json_object_get(preview, "nodes");
    const char *error = json_string_value(json_object_get(preview, "error"));
    int low = json_is_true(json_object_get(preview, "is_low_memory"));
    const char *tier = json_string_value(json_object_get(preview, "memory_tier"));
    cli_colour colour = error ? CLI_RED : low ? CLI_YELLOW : CLI_GREEN;
    printf("%s%-8s %-8s%s ", cli_colour_on(colour), json_string_value(json_object_get(preview, "sharding")),
           json_string_value(json_object_get(preview, "instance_meta")), cli_colour_off());
    if (error) {
        printf("%sdoes not fit%s: %s\n", cli_colour_on(CLI_RED), cli_colour_off(), error);
        return;
    }
    size_t n = json_array_size(nodes);
    printf("%zu node%s (", n, n == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++)
        printf("%s%s", i ? ", " : "", json_string_value(json_array_get(nodes, i)));
    printf(")  %s%s%s%s\n", cli_colour_on(colour), low ? "low memory, tier " : "fits", low && tier ? tier : "",
           cli_colour_off());
    cli_print_placement_table(preview, info);
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"json", no_argument, NULL, 'j'},
        {"models", required_argument, NULL, 'm'},
        {"strategy", required_argument, NULL, 'S'},
        {"allow-swap", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    exoplace_json_options json_options;
    exoplace_json_options_init(&json_options);
    int json = 0, c;
    const char *models_path = NULL;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'm': models_path = optarg; break;
        case 's': json_options.allow_swap = 1; break;
        case 'S':
            if (cli_parse_strategy(&json_options.strategy, "previews", optarg))
                return CLI_EXIT_USAGE;
            break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: return cli_unknown_option("previews", argv);
        }
    }
    char *request;
    int status = cli_read_operand(&request, "previews", argc, argv, models_path);
    if (status)
        return status;

    char *response = NULL;
    exoplace_error err;
    exoplace_status st = exoplace_previews_json(&response, request, strlen(request), &json_options, &err);
    if (st != EXOPLACE_OK) {
        free(request);
        return cli_library_error("previews", st, &err);
    }
    json_t *parsed = json ? NULL : cli_parse_response(response);
    if (!parsed) {
        cli_print_json(response);
    } else {
        cli_request_info info;
        cli_request_info_load(&info, request);
        const json_t *previews = json_object_get(parsed, "previews");
        const char *last_model = NULL;
        if (json_array_size(previews) == 0)
            printf("no previews (the topology has no nodes)\n");
        for (size_t i = 0; i < json_array_size(previews); i++) {
            const json_t *preview = json_array_get(previews, i);
            const char *model = json_string_value(json_object_get(preview, "model_id"));
            if (!last_model || strcmp(last_model, model) != 0) {
                printf("%s%s%s%s\n", i ? "\n" : "", cli_colour_on(CLI_BOLD), model, cli_colour_off());
                last_model = model;
            }
            /* The table's memory shares need the model this preview is for. */
            const json_t *models = cli_member(info.doc, "models", NULL);
            for (size_t m = 0; m < json_array_size(models); m++) {
                const json_t *entry = json_array_get(models, m);
                const char *id = json_string_value(cli_member(entry, "modelId", "model_id"));
                if (id && strcmp(id, model) == 0) {
                    int ok_size, ok_layers;
                    info.storage_size = cli_bytes_value(cli_member(entry, "storageSize", "storage_size"), &ok_size);
                    info.n_layers = cli_bytes_value(cli_member(entry, "nLayers", "n_layers"), &ok_layers);
                    info.has_model = ok_size && ok_layers;
                }
            }
            print_preview(preview, &info);
        }
        cli_request_info_dispose(&info);
        json_decref(parsed);
    }
    exoplace_free(response);
    free(request);
    return CLI_EXIT_OK;
}

const cli_command cli_previews_command = {
    "previews", "every placement exo would offer, with errors", usage, run,
};
