/* The verbs' input: files read once and handed to the library's readers,
 * which fill the C structs the verbs then work on. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cli_is_stdin(const char *path)
{
    return !path || strcmp(path, "-") == 0;
}

const char *cli_source_name(const char *path)
{
    return cli_is_stdin(path) ? "standard input" : path;
}

int cli_read_file(char **text_out, size_t *length_out, const char *verb, const char *path)
{
    *text_out = NULL;
    *length_out = 0;
    int from_stdin = cli_is_stdin(path);
    FILE *in = from_stdin ? stdin : fopen(path, "rb");
    if (!in)
        return cli_usage_error(verb, "cannot open %s: %s", path, strerror(errno));
    /* One byte past the limit is enough for the library to refuse it. */
    size_t limit = (size_t)EXOPLACE_MAX_INPUT_BYTES + 1;
    size_t capacity = 4096, len = 0;
    char *text = malloc(capacity + 1);
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
    int status = CLI_EXIT_OK;
    if (!text)
        status = cli_usage_error(verb, "out of memory reading %s", cli_source_name(path));
    else if (ferror(in))
        status = cli_usage_error(verb, "cannot read %s: %s", cli_source_name(path), strerror(errno));
    else if (memchr(text, '\0', len))
        status = cli_usage_error(verb, "%s contains a NUL byte", cli_source_name(path));
    if (!from_stdin)
        fclose(in);
    if (status != CLI_EXIT_OK) {
        free(text);
        return status;
    }
    text[len] = '\0';
    *text_out = text;
    *length_out = len;
    return CLI_EXIT_OK;
}

int cli_check_stdin(const char *verb, const char *request_path, const char *option, const char *path)
{
    if (path && cli_is_stdin(path) && cli_is_stdin(request_path))
        return cli_usage_error(verb, "the request and %s cannot both come from standard input", option);
    return 0;
}

/* Reads path and hands its text to the library's request reader, or to its
 * catalogue reader when catalogue_rules is given. */
static int load(exoplace_request **out, const char *verb, const char *path, const exoplace_json_options *options,
                const exoplace_rules *catalogue_rules)
{
    *out = NULL;
    char *text;
    size_t length;
    int status = cli_read_file(&text, &length, verb, path);
    if (status)
        return status;
    exoplace_error err;
    exoplace_status st = catalogue_rules ? exoplace_request_parse_catalogue(out, text, length, *catalogue_rules, &err)
                                         : exoplace_request_parse(out, text, length, options, &err);
    free(text);
    if (st != EXOPLACE_OK) {
        /* The request is the verb's FILE; any other input is named. */
        cli_source_error(verb, catalogue_rules ? cli_source_name(path) : NULL, st, &err);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

int cli_request_load(exoplace_request **out, const char *verb, const char *path,
                     const exoplace_json_options *options)
{
    return load(out, verb, path, options, NULL);
}

int cli_catalogue_load(exoplace_request **out, const char *verb, const char *path, exoplace_rules rules)
{
    return load(out, verb, path, NULL, &rules);
}

int cli_models_load(cli_models *out, const char *verb, const exoplace_request *request, const char *models_path)
{
    memset(out, 0, sizeof *out);
    if (!request->has_topology)
        return cli_missing(verb, "topology");
    if (!models_path) {
        if (request->n_models == 0)
            return cli_missing(verb, "model");
        out->models = request->models;
        out->count = request->n_models;
        return CLI_EXIT_OK;
    }
    int status = cli_catalogue_load(&out->catalogue, verb, models_path, request->rules);
    if (status)
        return status;
    if (out->catalogue->n_models == 0) {
        status = cli_usage_error(verb, "%s: the catalogue has no models", cli_source_name(models_path));
        cli_models_dispose(out);
        return status;
    }
    out->models = out->catalogue->models;
    out->count = out->catalogue->n_models;
    return CLI_EXIT_OK;
}

void cli_models_dispose(cli_models *models)
{
    exoplace_request_free(models->catalogue);
    memset(models, 0, sizeof *models);
}

void cli_print_json(char *text)
{
    fputs(text, stdout);
    fputc('\n', stdout);
    exoplace_free(text);
}
