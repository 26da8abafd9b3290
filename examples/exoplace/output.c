/* Shared helpers of the exoplace tool: input, errors, option values,
 * colour, byte counts, memory bars and the placement table. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- input and errors ---- */

int cli_usage_error(const char *verb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "exoplace %s: ", verb);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

int cli_library_error(const char *verb, exoplace_status status, const exoplace_error *err)
{
    const char *message = err->message[0] ? err->message : exoplace_status_str(status);
    if (err->field[0])
        fprintf(stderr, "exoplace %s: %s: %s (%s)\n", verb, err->field, message, exoplace_status_name(status));
    else
        fprintf(stderr, "exoplace %s: %s (%s)\n", verb, message, exoplace_status_name(status));
    return exoplace_status_is_placement_failure(status) ? CLI_EXIT_NOT_PLACED : CLI_EXIT_USAGE;
}

int cli_read_request(char **text_out, const char *verb, const char *path)
{
    *text_out = NULL;
    int from_stdin = !path || strcmp(path, "-") == 0;
    FILE *in = from_stdin ? stdin : fopen(path, "rb");
    if (!in)
        return cli_usage_error(verb, "cannot open %s: %s", path, strerror(errno));
    /* One byte past the limit is enough for the library to refuse it. */
    size_t limit = (size_t)EXOPLACE_MAX_INPUT_BYTES + 1;
    size_t capacity = 4096, len = 0;
    char *text = malloc(capacity + 1);
    int status = CLI_EXIT_OK;
    while (text && len < limit) {
        if (len == capacity) {
            capacity *= 2;
            char *grown = realloc(text, capacity + 1);
            if (!grown) {
                free(text);
                text = NULL;
                break;
            }
            text = grown;
        }
        size_t want = capacity - len < limit - len ? capacity - len : limit - len;
        size_t got = fread(text + len, 1, want, in);
        len += got;
        if (got < want)
            break;
    }
    if (!text)
        status = cli_usage_error(verb, "out of memory reading the request");
    else if (ferror(in))
        status = cli_usage_error(verb, "cannot read %s: %s", from_stdin ? "standard input" : path, strerror(errno));
    else if (memchr(text, '\0', len))
        status = cli_usage_error(verb, "%s contains a NUL byte", from_stdin ? "standard input" : path);
    if (!from_stdin)
        fclose(in);
    if (status != CLI_EXIT_OK) {
        free(text);
        return status;
    }
    text[len] = '\0';
    *text_out = text;
    return CLI_EXIT_OK;
}

int cli_parse_u64(uint64_t *out, const char *verb, const char *option, const char *text)
{
    uint64_t value = 0;
    if (!*text)
        return cli_usage_error(verb, "%s: expected a non-negative integer", option);
    for (const char *c = text; *c; c++) {
        if (*c < '0' || *c > '9')
            return cli_usage_error(verb, "%s: expected a non-negative integer, got '%s'", option, text);
        uint64_t digit = (uint64_t)(*c - '0');
        if (value > (UINT64_MAX - digit) / 10)
            return cli_usage_error(verb, "%s: exceeds 2^64-1", option);
        value = value * 10 + digit;
    }
    *out = value;
    return 0;
}

int cli_parse_strategy(exoplace_layer_strategy *out, const char *verb, const char *text)
{
    const exoplace_layer_strategy all[] = {EXOPLACE_LAYERS_LARGEST_REMAINDER, EXOPLACE_LAYERS_EXO};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (strcmp(text, exoplace_layer_strategy_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    }
    return cli_usage_error(verb, "--strategy: unknown strategy '%s' (exo or largest-remainder)", text);
}

int cli_unknown_option(const char *verb, char **argv)
{
    if (optopt)
        return cli_usage_error(verb, "option -%c is unknown or needs a value (try 'exoplace %s --help')", optopt,
                               verb);
    return cli_usage_error(verb, "option '%s' is unknown or needs a value (try 'exoplace %s --help')",
                           argv[optind - 1], verb);
}

/* The single FILE operand, or NULL for standard input; more than one is a
 * usage error (returns CLI_EXIT_USAGE, else 0). */
static int file_operand(const char **path_out, const char *verb, int argc, char **argv)
{
    *path_out = NULL;
    if (optind < argc)
        *path_out = argv[optind];
    if (optind + 1 < argc)
        return cli_usage_error(verb, "expected at most one FILE, got '%s' and '%s'", argv[optind], argv[optind + 1]);
    return 0;
}

int cli_read_operand(char **text_out, const char *verb, int argc, char **argv, const char *models_path)
{
    const char *path;
    *text_out = NULL;
    if (file_operand(&path, verb, argc, argv))
        return CLI_EXIT_USAGE;
    int status = cli_read_request(text_out, verb, path);
    if (status == CLI_EXIT_OK && models_path && (status = cli_join_models(text_out, verb, path, models_path))) {
        free(*text_out);
        *text_out = NULL;
    }
    return status;
}

void cli_print_json(const char *response)
{
    fputs(response, stdout);
    fputc('\n', stdout);
}

json_t *cli_parse_response(const char *response)
{
    return json_loads(response, JSON_DECODE_INT_AS_REAL, NULL);
}

/* ---- presentation ---- */

int cli_use_colour(void)
{
    return isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
}

const char *cli_colour_on(cli_colour c)
{
    if (!cli_use_colour())
        return "";
    switch (c) {
    case CLI_GREEN: return "\033[32m";
    case CLI_YELLOW: return "\033[33m";
    case CLI_RED: return "\033[31m";
    case CLI_BOLD: return "\033[1m";
    case CLI_DIM: return "\033[2m";
    case CLI_PLAIN: break;
    }
    return "";
}

const char *cli_colour_off(void)
{
    return cli_use_colour() ? "\033[0m" : "";
}

void cli_format_bytes(char *buf, size_t size, double bytes)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    size_t unit = 0;
    while (bytes >= 1024.0 && unit + 1 < sizeof units / sizeof units[0]) {
        bytes /= 1024.0;
        unit++;
    }
    if (unit == 0)
        snprintf(buf, size, "%.0f B", bytes);
    else
        snprintf(buf, size, "%.1f %s", bytes, units[unit]);
}

/* Code point ranges by terminal width (a compact subset of Unicode's East
 * Asian Width and combining classes, enough for ids). */
static const uint32_t wide_ranges[][2] = {
    {0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},
    {0xA000, 0xA4CF},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},
    {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F}, {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};
static const uint32_t zero_width_ranges[][2] = {
    {0x0300, 0x036F}, {0x200B, 0x200F}, {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F},
};

static int in_ranges(uint32_t code, const uint32_t (*ranges)[2], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (code >= ranges[i][0] && code <= ranges[i][1])
            return 1;
    return 0;
}

size_t cli_text_width(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t width = 0;
    while (*s) {
        uint32_t code = *s;
        size_t extra = code >= 0xF0 ? 3 : code >= 0xE0 ? 2 : code >= 0xC0 ? 1 : 0;
        if (extra)
            code &= 0x3F >> extra;
        s++;
        /* Ids are valid UTF-8 (the library checked them); a cut sequence ends early. */
        for (; extra && (*s & 0xC0) == 0x80; extra--, s++)
            code = (code << 6) | (*s & 0x3F);
        if (in_ranges(code, zero_width_ranges, sizeof zero_width_ranges / sizeof zero_width_ranges[0]))
            continue;
        width += in_ranges(code, wide_ranges, sizeof wide_ranges / sizeof wide_ranges[0]) ? 2 : 1;
    }
    return width;
}

void cli_print_padded(const char *text, size_t width)
{
    fputs(text, stdout);
    for (size_t used = cli_text_width(text); used < width; used++)
        putchar(' ');
}

/* Cells for part out of whole in a bar of width cells, rounded. */
static size_t cells(double part, double whole, size_t width)
{
    if (whole <= 0 || part <= 0)
        return 0;
    double n = part / whole * (double)width + 0.5;
    return n >= (double)width ? width : (size_t)n;
}

void cli_memory_bar(char *buf, size_t width, double total, double available, double share)
{
    if (available > total)
        available = total;
    double used = total - available;
    size_t n_used = cells(used, total, width);
    size_t n_share = cells(share < available ? share : available, total, width);
    size_t n_over = share > available ? cells(share - available, total, width) : 0;
    if (n_used + n_share > width)
        n_share = width - n_used;
    /* The part beyond what is available is drawn over the used part. */
    if (n_over > n_used)
        n_over = n_used;
    size_t i = 0;
    buf[i++] = '[';
    for (size_t k = 0; k < n_used - n_over; k++)
        buf[i++] = '=';
    for (size_t k = 0; k < n_over; k++)
        buf[i++] = '!';
    for (size_t k = 0; k < n_share; k++)
        buf[i++] = '#';
    while (i < width + 1)
        buf[i++] = '.';
    buf[i++] = ']';
    buf[i] = '\0';
}

/* ---- the request, for display ---- */

const json_t *cli_member(const json_t *object, const char *camel, const char *snake)
{
    const json_t *value = json_object_get(object, camel);
    if ((!value || json_is_null(value)) && snake)
        value = json_object_get(object, snake);
    return value && !json_is_null(value) ? value : NULL;
}

double cli_bytes_value(const json_t *value, int *ok)
{
    if (json_is_object(value))
        value = cli_member(value, "inBytes", "in_bytes");
    *ok = json_is_number(value);
    return *ok ? json_number_value(value) : 0.0;
}

void cli_request_info_load(cli_request_info *info, const char *request)
{
    memset(info, 0, sizeof *info);
    /* Doubles are exact enough for a table and never refuse a big integer. */
    info->doc = json_loads(request, JSON_DECODE_INT_AS_REAL, NULL);
    if (!json_is_object(info->doc))
        return;
    const json_t *model = cli_member(info->doc, "model", NULL);
    if (json_is_object(model)) {
        int ok_size, ok_layers;
        info->storage_size = cli_bytes_value(cli_member(model, "storageSize", "storage_size"), &ok_size);
        info->n_layers = cli_bytes_value(cli_member(model, "nLayers", "n_layers"), &ok_layers);
        info->has_model = ok_size && ok_layers;
    }
    const json_t *topology = cli_member(info->doc, "topology", NULL);
    if (!topology)
        topology = info->doc;
    const json_t *nodes = cli_member(topology, "nodes", NULL);
    size_t n = json_array_size(nodes);
    info->nodes = n ? calloc(n, sizeof *info->nodes) : NULL;
    if (!info->nodes)
        return;
    for (size_t i = 0; i < n; i++) {
        const json_t *node = json_array_get(nodes, i);
        const char *id = json_string_value(cli_member(node, "nodeId", "node_id"));
        if (!id)
            continue;
        cli_node *out = &info->nodes[info->n_nodes++];
        out->id = id;
        const json_t *memory = cli_member(cli_member(node, "nodeProfile", "node_profile"), "memory", NULL);
        int ok_total, ok_available;
        out->ram_total = cli_bytes_value(cli_member(memory, "ramTotal", "ram_total"), &ok_total);
        out->ram_available = cli_bytes_value(cli_member(memory, "ramAvailable", "ram_available"), &ok_available);
        out->has_memory = ok_total && ok_available;
    }
}

const cli_node *cli_request_node(const cli_request_info *info, const char *id)
{
    for (size_t i = 0; id && i < info->n_nodes; i++)
        if (strcmp(info->nodes[i].id, id) == 0)
            return &info->nodes[i];
    return NULL;
}

void cli_request_info_dispose(cli_request_info *info)
{
    free(info->nodes);
    json_decref(info->doc);
    memset(info, 0, sizeof *info);
}

/* ---- the placement table ---- */

#define BAR_WIDTH 24

static int layers_of(const json_t *shard, double *start, double *end)
{
    const json_t *s = json_object_get(shard, "start_layer"), *e = json_object_get(shard, "end_layer");
    if (!json_is_number(s) || !json_is_number(e))
        return 0;
    *start = json_number_value(s);
    *end = json_number_value(e);
    return 1;
}

void cli_print_placement_table(const json_t *placement, const cli_request_info *info)
{
    const json_t *shards = json_object_get(placement, "shards");
    const char *sharding = json_string_value(json_object_get(placement, "sharding"));
    int tensor = sharding && strcmp(sharding, "Tensor") == 0;
    size_t n = json_array_size(shards);
    size_t id_width = 4;
    for (size_t i = 0; i < n; i++) {
        const char *id = json_string_value(json_object_get(json_array_get(shards, i), "node_id"));
        if (id && cli_text_width(id) > id_width)
            id_width = cli_text_width(id);
    }
    printf("  %s", cli_colour_on(CLI_BOLD));
    cli_print_padded("NODE", id_width);
    printf("  %10s  %10s  %10s  %-*s  %s%s\n", "TOTAL", "AVAILABLE", "THIS MODEL", BAR_WIDTH + 2, "MEMORY", "LAYERS",
           cli_colour_off());
    for (size_t i = 0; i < n; i++) {
        const json_t *shard = json_array_get(shards, i);
        const char *id = json_string_value(json_object_get(shard, "node_id"));
        const cli_node *node = cli_request_node(info, id);
        double start = 0, end = 0;
        int has_layers = layers_of(shard, &start, &end);
        char total[32] = "-", available[32] = "-", share_text[32] = "-", bar[BAR_WIDTH + 3] = "";
        cli_colour colour = CLI_PLAIN;
        if (info->has_model && n) {
            /* Pipeline: what this node's layers weigh; tensor: an even slice. */
            double share = tensor || !has_layers || info->n_layers <= 0
                               ? info->storage_size / (double)n
                               : info->storage_size * (end - start) / info->n_layers;
            cli_format_bytes(share_text, sizeof share_text, share);
            if (node && node->has_memory) {
                cli_memory_bar(bar, BAR_WIDTH, node->ram_total, node->ram_available, share);
                colour = share <= node->ram_available ? CLI_GREEN : share <= node->ram_total ? CLI_YELLOW : CLI_RED;
            }
        }
        if (node && node->has_memory) {
            cli_format_bytes(total, sizeof total, node->ram_total);
            cli_format_bytes(available, sizeof available, node->ram_available);
        }
        printf("  %s", cli_colour_on(colour));
        cli_print_padded(id ? id : "?", id_width);
        printf("%s  %10s  %10s  %10s  %-*s  ", cli_colour_off(), total, available, share_text, BAR_WIDTH + 2, bar);
        if (has_layers)
            printf("[%.0f, %.0f)  %.0f layer%s\n", start, end, end - start, end - start == 1 ? "" : "s");
        else
            printf("-\n");
    }
    printf("  %smemory: '=' used by other programs, '#' this model, '!' beyond available, '.' free%s\n",
           cli_colour_on(CLI_DIM), cli_colour_off());
}
