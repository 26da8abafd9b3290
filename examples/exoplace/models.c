/* --models FILE: a model catalogue (examples/models.json, or a bare list)
 * joined to the cluster request. The catalogue's list is spliced into the
 * request text as its last member, "models", so it wins over any list the
 * request already has. Text, not parse and re-write: re-writing through
 * jansson would round byte counts past 2^53. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static size_t skip_space(const char *text, size_t i)
{
    while (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')
        i++;
    return i;
}

/* One past the end of the string whose opening quote is at i. */
static size_t string_end(const char *text, size_t i)
{
    for (i++; text[i] && text[i] != '"'; i++)
        if (text[i] == '\\' && text[i + 1])
            i++;
    return text[i] ? i + 1 : i;
}

/* One past the end of the value at i, in text already known to be JSON. */
static size_t value_end(const char *text, size_t i)
{
    if (text[i] == '"')
        return string_end(text, i);
    if (text[i] != '{' && text[i] != '[') {
        while (text[i] && !strchr(",]} \t\n\r", text[i]))
            i++;
        return i;
    }
    size_t depth = 0;
    while (text[i]) {
        if (text[i] == '"') {
            i = string_end(text, i);
            continue;
        }
        if (text[i] == '{' || text[i] == '[')
            depth++;
        else if ((text[i] == '}' || text[i] == ']') && --depth == 0)
            return i + 1;
        i++;
    }
    return i;
}

/* The list's span in the catalogue: the whole value when it is an array,
 * else the value of the top-level member spelled exactly "models". */
static int list_span(const char *text, size_t *start, size_t *end)
{
    size_t i = skip_space(text, 0);
    if (text[i] == '[') {
        *start = i;
        *end = value_end(text, i);
        return 1;
    }
    if (text[i] != '{')
        return 0;
    i = skip_space(text, i + 1);
    while (text[i] == '"') {
        size_t key_end = string_end(text, i);
        int is_models = key_end - i == 8 && memcmp(text + i, "\"models\"", 8) == 0;
        i = skip_space(text, key_end);
        if (text[i] != ':')
            return 0;
        i = skip_space(text, i + 1);
        size_t value_stop = value_end(text, i);
        if (is_models && text[i] == '[') {
            *start = i;
            *end = value_stop;
            return 1;
        }
        i = skip_space(text, value_stop);
        if (text[i] != ',')
            return 0;
        i = skip_space(text, i + 1);
    }
    return 0;
}

int cli_join_models(char **request, const char *verb, const char *request_path, const char *models_path)
{
    int request_from_stdin = !request_path || strcmp(request_path, "-") == 0;
    if (request_from_stdin && strcmp(models_path, "-") == 0)
        return cli_usage_error(verb, "the request and --models cannot both come from standard input");
    char *catalogue;
    int status = cli_read_request(&catalogue, verb, models_path);
    if (status)
        return status;
    /* jansson checks the syntax first, so that errors name the catalogue's
     * own lines; doubles, so that no byte count is too large for it. */
    json_error_t jerr;
    json_t *doc = json_loads(catalogue, JSON_DECODE_INT_AS_REAL, &jerr);
    size_t start = 0, end = 0;
    if (!doc)
        status = cli_usage_error(verb, "%s: line %d, column %d: %s", models_path, jerr.line, jerr.column, jerr.text);
    else if (!list_span(catalogue, &start, &end))
        status = cli_usage_error(verb, "%s: expected a list of models or an object with a \"models\" list",
                                 models_path);
    json_decref(doc);
    if (status) {
        free(catalogue);
        return status;
    }

    /* The request must be an object: its closing brace is the last
     * character that is not white space. */
    const char *text = *request;
    size_t close = strlen(text);
    while (close > 0 && strchr(" \t\n\r", text[close - 1]))
        close--;
    if (close == 0 || text[close - 1] != '}') {
        free(catalogue);
        return cli_usage_error(verb, "--models needs a request that is a JSON object");
    }
    close--;
    size_t before = close;
    while (before > 0 && strchr(" \t\n\r", text[before - 1]))
        before--;
    int empty = before > 0 && text[before - 1] == '{';

    static const char member[] = "\"models\": ";
    const char *separator = empty ? "" : ", ";
    size_t list_len = end - start, tail_len = strlen(text + close);
    size_t len = close + strlen(separator) + strlen(member) + list_len + tail_len;
    char *joined = malloc(len + 1);
    if (!joined) {
        free(catalogue);
        return cli_usage_error(verb, "out of memory joining --models");
    }
    char *at = joined;
    memcpy(at, text, close);
    at += close;
    at += sprintf(at, "%s%s", separator, member);
    memcpy(at, catalogue + start, list_len);
    at += list_len;
    memcpy(at, text + close, tail_len + 1);
    free(catalogue);
    free(*request);
    *request = joined;
    return CLI_EXIT_OK;
}
