/* exoplace layers: the pipeline layer split over nodes with given memory. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: exoplace layers --memory B1,B2,... --layers N [OPTIONS]\n"
    "       exoplace layers [OPTIONS] [FILE]\n"
    "\n"
    "Splits N pipeline layers over nodes in the order given, in proportion to\n"
    "their memory in bytes. Without --memory, reads {\"memory\": [...],\n"
    "\"n_layers\": N} from FILE or standard input.\n"
    "\n"
    "options:\n"
    "  --memory LIST     comma-separated byte counts, one per node\n"
    "  --layers N        number of layers (at least 1)\n"
    "  --strategy NAME   largest-remainder (default, exact) or exo (exo's numbers)\n"
    "  --json            print the library's JSON response only\n"
    "  -h, --help        this text\n"
    "\n"
    "exit status: 0 split, 1 no valid split (a node would get no layers), 2 bad input\n";

/* Builds {"memory": [...], "n_layers": N} from the flags, checking each number. */
static int request_from_flags(char **out, const char *memory, const char *layers)
{
    uint64_t value;
    if (cli_parse_u64(&value, "layers", "--layers", layers))
        return CLI_EXIT_USAGE;
    if (value < 1 || value > UINT32_MAX)
        return cli_usage_error("layers", "--layers: must be between 1 and %lu", (unsigned long)UINT32_MAX);
    size_t size = strlen(memory) + strlen(layers) + 64;
    char *text = malloc(size);
    char *item = strdup(memory);
    if (!text || !item) {
        free(text);
        free(item);
        return cli_usage_error("layers", "out of memory");
    }
    size_t len = (size_t)snprintf(text, size, "{\"memory\": [");
    int first = 1;
    char *rest = item;
    for (char *field = strsep(&rest, ","); field; field = strsep(&rest, ",")) {
        if (cli_parse_u64(&value, "layers", "--memory", field)) {
            free(text);
            free(item);
            return CLI_EXIT_USAGE;
        }
        len += (size_t)snprintf(text + len, size - len, "%s%s", first ? "" : ", ", field);
        first = 0;
    }
    snprintf(text + len, size - len, "], \"n_layers\": %s}", layers);
    free(item);
    *out = text;
    return CLI_EXIT_OK;
}

static void print_table(const json_t *response, const char *request)
{
    json_t *req = json_loads(request, JSON_DECODE_INT_AS_REAL, NULL);
    const json_t *memory = json_object_get(req, "memory");
    const json_t *layers = json_object_get(response, "layers");
    printf("  %s%-4s  %12s  %6s  %s%s\n", cli_colour_on(CLI_BOLD), "NODE", "MEMORY", "LAYERS", "RANGE",
           cli_colour_off());
    double start = 0;
    for (size_t i = 0; i < json_array_size(layers); i++) {
        double count = json_number_value(json_array_get(layers, i));
        int ok;
        double bytes = cli_bytes_value(json_array_get(memory, i), &ok);
        char bytes_text[32] = "?";
        if (ok)
            cli_format_bytes(bytes_text, sizeof bytes_text, bytes);
        printf("  %-4zu  %12s  %6.0f  [%.0f, %.0f)\n", i, bytes_text, count, start, start + count);
        start += count;
    }
    json_decref(req);
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"json", no_argument, NULL, 'j'},
        {"memory", required_argument, NULL, 'M'},
        {"layers", required_argument, NULL, 'L'},
        {"strategy", required_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    exoplace_json_options json_options;
    exoplace_json_options_init(&json_options);
    const char *memory = NULL, *layers = NULL;
    int json = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'M': memory = optarg; break;
        case 'L': layers = optarg; break;
        case 'S':
            if (cli_parse_strategy(&json_options.strategy, "layers", optarg))
                return CLI_EXIT_USAGE;
            break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: return cli_unknown_option("layers", argv);
        }
    }
    char *request = NULL;
    int status;
    if (memory || layers) {
        if (!memory || !layers)
            return cli_usage_error("layers", "--memory and --layers go together");
        if (optind < argc)
            return cli_usage_error("layers", "give either --memory/--layers or a FILE, not both");
        status = request_from_flags(&request, memory, layers);
    } else {
        status = cli_read_operand(&request, "layers", argc, argv, NULL);
    }
    if (status)
        return status;

    char *response = NULL;
    exoplace_error err;
    exoplace_status st = exoplace_layers_json(&response, request, strlen(request), &json_options, &err);
    if (st != EXOPLACE_OK) {
        if (response && json)
            cli_print_json(response);
        status = cli_library_error("layers", st, &err);
    } else {
        json_t *parsed = json ? NULL : cli_parse_response(response);
        if (parsed)
            print_table(parsed, request);
        else
            cli_print_json(response);
        json_decref(parsed);
    }
    exoplace_free(response);
    free(request);
    return status;
}

const cli_command cli_layers_command = {
    "layers", "split pipeline layers over nodes by memory", usage, run,
};
