/* exoplace layers: the pipeline layer split over nodes with given memory. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: exoplace layers --memory B1,B2,... --layers N [OPTIONS]\n"
    "       exoplace layers [OPTIONS] [FILE]\n"
    "\n"
    "Splits N pipeline layers over nodes in the order given, in proportion to\n"
    "their memory in bytes. Without --memory, reads {\"memory\": [...],\n"
    "\"n_layers\": N} from FILE or standard input and prints the library's JSON\n"
    "response.\n"
    "\n"
    "options:\n"
    "  --memory LIST     comma-separated byte counts, one per node\n"
    "  --layers N        number of layers (at least 1)\n"
    "  --strategy NAME   largest-remainder (default, exact), exo (exo's numbers)\n"
    "                    or fit (the memory is each node's capacity; no node\n"
    "                    gets more layers than it holds; needs --layer-cost)\n"
    "  --layer-cost B    fit: the bytes of one layer with its KV cache\n"
    "  --json            print the library's JSON response only\n"
    "  -h, --help        this text\n"
    "\n"
    "exit status: 0 split, 1 no valid split (a node would get no layers, or with\n"
    "fit more than it holds), 2 bad input\n";

enum { OPT_JSON, OPT_MEMORY, OPT_LAYERS, OPT_STRATEGY, OPT_LAYER_COST };

static const cli_option option_table[] = {
    {"json", 0, OPT_JSON},
    {"memory", 1, OPT_MEMORY},
    {"layers", 1, OPT_LAYERS},
    {"strategy", 1, OPT_STRATEGY},
    {"layer-cost", 1, OPT_LAYER_COST},
    {NULL, 0, 0},
};

/* --memory 312,518,1024: one byte count per node, as many as a topology may
 * have. Returns 0 with *memory_out (free() it), or prints why not. */
static int parse_memory(uint64_t **memory_out, size_t *n_out, const char *text)
{
    size_t n = 1;
    for (const char *c = text; *c; c++)
        n += *c == ',';
    if (n > EXOPLACE_MAX_NODES)
        return cli_usage_error("layers", "--memory: %zu nodes, more than %d", n, EXOPLACE_MAX_NODES);
    uint64_t *memory = malloc(n * sizeof *memory);
    if (!memory)
        return cli_usage_error("layers", "out of memory");
    const char *field = text;
    for (size_t i = 0; i < n; i++) {
        size_t length = strcspn(field, ",");
        char label[48];
        snprintf(label, sizeof label, "--memory (node %zu)", i + 1);
        if (cli_parse_number(&memory[i], "layers", label, field, length, 0, UINT64_MAX)) {
            free(memory);
            return CLI_EXIT_USAGE;
        }
        field += length + 1;
    }
    *memory_out = memory;
    *n_out = n;
    return 0;
}

static void print_table(const uint64_t *memory, const uint32_t *layers, size_t n)
{
    printf("  %s%-4s  %12s  %6s  %s%s\n", cli_colour_on(CLI_BOLD), "NODE", "MEMORY", "LAYERS", "RANGE",
           cli_colour_off());
    uint64_t start = 0;
    for (size_t i = 0; i < n; i++) {
        char bytes[32];
        cli_format_bytes(bytes, sizeof bytes, (double)memory[i]);
        printf("  %-4zu  %12s  %6lu  [%llu, %llu)\n", i, bytes, (unsigned long)layers[i], (unsigned long long)start,
               (unsigned long long)(start + layers[i]));
        start += layers[i];
    }
}

/* The split of the flags, as exoplace_layers_json() would answer it. */
static int split(const uint64_t *memory, size_t n, uint32_t n_layers, exoplace_layer_strategy strategy,
                 uint64_t layer_cost, int json)
{
    uint32_t *layers = malloc(n * sizeof *layers);
    if (!layers)
        return cli_usage_error("layers", "out of memory");
    exoplace_error result, err;
    char *text = NULL;
    int status = CLI_EXIT_OK;
    exoplace_status st = strategy == EXOPLACE_LAYERS_FIT
                             ? exoplace_layers_fit(layers, memory, n, n_layers, layer_cost, &result)
                             : exoplace_layers_distribute(layers, memory, n, n_layers, strategy, &result);
    if (st == EXOPLACE_OK) {
        exoplace_status written = json ? exoplace_layers_write_json(&text, layers, n, &err) : EXOPLACE_OK;
        if (written != EXOPLACE_OK)
            status = cli_library_error("layers", written, &err);
        else if (json)
            cli_print_json(text);
        else
            print_table(memory, layers, n);
    } else {
        exoplace_status written = EXOPLACE_OK;
        if (json && exoplace_status_is_placement_failure(st))
            written = exoplace_failure_write_json(&text, &result, EXOPLACE_RULES_SEED, &err);
        if (written != EXOPLACE_OK) {
            status = cli_library_error("layers", written, &err);
        } else {
            if (text)
                cli_print_json(text);
            status = cli_library_error("layers", st, &result);
        }
    }
    free(layers);
    return status;
}

/* A FILE operand: the library reads it (exoplace_layers_json()). */
static int split_request(const char *path, const exoplace_json_options *host, int json)
{
    char *request, *response = NULL;
    size_t length;
    int status = cli_read_file(&request, &length, "layers", path);
    if (status)
        return status;
    exoplace_error err;
    exoplace_status st = exoplace_layers_json(&response, request, length, host, &err);
    free(request);
    if (st != EXOPLACE_OK) {
        if (response && json)
            cli_print_json(response);
        else
            exoplace_free(response);
        return cli_library_error("layers", st, &err);
    }
    cli_print_json(response);
    return CLI_EXIT_OK;
}

static int run(int argc, char **argv)
{
    exoplace_json_options host;
    exoplace_json_options_init(&host);
    const char *memory_text = NULL, *path = NULL;
    int json = 0, got, status = 0, has_layers = 0, has_layer_cost = 0;
    uint64_t n_layers = 0, layer_cost = 0;
    cli_parser parser;
    cli_parser_init(&parser, &cli_layers_command, option_table, argc, argv);
    while (status == 0 && (got = cli_parser_next(&parser)) == CLI_PARSE_OPTION) {
        switch (parser.option->id) {
        case OPT_JSON: json = 1; break;
        case OPT_MEMORY: memory_text = parser.value; break;
        case OPT_LAYERS:
            status = cli_option_number(&n_layers, &parser, 1, UINT32_MAX);
            has_layers = 1;
            break;
        case OPT_STRATEGY:
            status = cli_option_strategy(&host.strategy, &parser);
            break;
        case OPT_LAYER_COST:
            status = cli_option_number(&layer_cost, &parser, 0, UINT64_MAX);
            has_layer_cost = 1;
            break;
        }
    }
    if (status || got == CLI_PARSE_ERROR)
        return CLI_EXIT_USAGE;
    if (got == CLI_PARSE_HELP)
        return CLI_EXIT_OK;
    if ((status = cli_parser_operand(&path, &parser)))
        return status;
    if (!memory_text && !has_layers) {
        if (has_layer_cost)
            return cli_usage_error("layers", "--layer-cost goes with --memory and --layers (a FILE gives layer_cost)");
        return split_request(path, &host, json);
    }
    if (!memory_text || !has_layers)
        return cli_usage_error("layers", "--memory and --layers go together");
    if (has_layer_cost != (host.strategy == EXOPLACE_LAYERS_FIT))
        return cli_usage_error("layers", has_layer_cost ? "--layer-cost goes with --strategy fit"
                                                        : "--strategy fit needs --layer-cost");
    if (parser.n_operands)
        return cli_usage_error("layers", "give either --memory/--layers or a FILE, not both");

    uint64_t *memory = NULL;
    size_t n = 0;
    if ((status = parse_memory(&memory, &n, memory_text)))
        return status;
    status = split(memory, n, (uint32_t)n_layers, host.strategy, layer_cost, json);
    free(memory);
    return status;
}

const cli_command cli_layers_command = {
    "layers", "split pipeline layers over nodes by memory", usage, run,
};
