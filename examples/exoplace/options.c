/* The option parser every verb shares, and the values options take:
 * numbers in decimal digits, names from the library's enum tables. */
#include "cli.h"

#include <string.h>

const char cli_help_footer[] =
    "\n"
    "Numbers are decimal digits only: 010 is ten, not eight; no sign, no\n"
    "exponent. Tables and messages show control characters and other\n"
    "characters a terminal would not print as themselves escaped (\\x1b, \\n,\n"
    "\\u202e for a bidi override, \\\\ for a backslash), so an id cannot move\n"
    "the cursor or forge a line; --json keeps the exact text.\n";

void cli_print_usage(const cli_command *command)
{
    fputs(command->usage, stdout);
    fputs(cli_help_footer, stdout);
}

enum { HELP_ID = -1 };
static const cli_option help_option = {"help", 0, HELP_ID};

void cli_parser_init(cli_parser *parser, const cli_command *command, const cli_option *table, int argc, char **argv)
{
    memset(parser, 0, sizeof *parser);
    parser->command = command;
    parser->table = table;
    parser->argc = argc;
    parser->argv = argv;
    parser->next = 1;
}

static int usage_error_hint(const cli_parser *parser, const char *what, const char *spelling, const char *name)
{
    const char *verb = parser->command->name;
    /* An abbreviation also names the option it stands for. */
    if (name && strcmp(spelling + 2, name) != 0)
        return cli_usage_error(verb, "option '%s' (--%s) %s (try 'exoplace %s --help')", spelling, name, what,
                               verb);
    return cli_usage_error(verb, "option '%s' %s (try 'exoplace %s --help')", spelling, what, verb);
}

/* The verb's options, then --help; NULL past the end. */
static const cli_option *nth_option(const cli_parser *parser, size_t i)
{
    size_t n = 0;
    while (parser->table[n].name)
        n++;
    return i < n ? &parser->table[i] : i == n ? &help_option : NULL;
}

/* The option spelled by the `length` bytes at name: the option of exactly
 * that name, else the one option whose name they begin. NULL when none or
 * several match (*ambiguous set). */
static const cli_option *find_long(const cli_parser *parser, const char *name, size_t length, int *ambiguous)
{
    const cli_option *prefix_of = NULL;
    size_t matches = 0;
    const cli_option *option;
    *ambiguous = 0;
    if (length == 0)
        return NULL;
    for (size_t i = 0; (option = nth_option(parser, i)); i++) {
        if (strncmp(option->name, name, length) != 0)
            continue;
        if (strlen(option->name) == length)
            return option;
        prefix_of = option;
        matches++;
    }
    *ambiguous = matches > 1;
    return matches == 1 ? prefix_of : NULL;
}

/* The options an ambiguous abbreviation may stand for, for the message. */
static void list_candidates(char *buf, size_t size, const cli_parser *parser, const char *name, size_t length)
{
    size_t used = 0;
    buf[0] = '\0';
    const cli_option *option;
    for (size_t i = 0; (option = nth_option(parser, i)); i++) {
        if (strncmp(option->name, name, length) != 0)
            continue;
        int n = snprintf(buf + used, size - used, "%s--%s", used ? ", " : "", option->name);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
}

static int take_option(cli_parser *parser, const cli_option *option)
{
    parser->option = option;
    if (option->id == HELP_ID) {
        cli_print_usage(parser->command);
        return CLI_PARSE_HELP;
    }
    return CLI_PARSE_OPTION;
}

static int long_option(cli_parser *parser, const char *arg)
{
    const char *name = arg + 2;
    const char *equals = strchr(name, '=');
    size_t length = equals ? (size_t)(equals - name) : strlen(name);
    char spelling[128];
    /* "--=x" names no option: show it whole. */
    snprintf(spelling, sizeof spelling, "--%.*s", (int)(length == 0 ? strlen(name) : length < 100 ? length : 100),
             name);
    int ambiguous;
    const cli_option *option = find_long(parser, name, length, &ambiguous);
    if (ambiguous) {
        char candidates[512];
        list_candidates(candidates, sizeof candidates, parser, name, length);
        cli_usage_error(parser->command->name, "option '%s' is ambiguous: %s (try 'exoplace %s --help')", spelling,
                        candidates, parser->command->name);
        return CLI_PARSE_ERROR;
    }
    if (!option) {
        usage_error_hint(parser, "is unknown", spelling, NULL);
        return CLI_PARSE_ERROR;
    }
    if (!option->takes_value && equals) {
        usage_error_hint(parser, "doesn't allow an argument", spelling, option->name);
        return CLI_PARSE_ERROR;
    }
    parser->value = NULL;
    if (option->takes_value) {
        if (equals) {
            parser->value = equals + 1;
        } else if (parser->next < parser->argc) {
            parser->value = parser->argv[parser->next++];
        } else {
            usage_error_hint(parser, "requires an argument", spelling, option->name);
            return CLI_PARSE_ERROR;
        }
    }
    return take_option(parser, option);
}

int cli_parser_next(cli_parser *parser)
{
    while (parser->next < parser->argc) {
        const char *arg = parser->argv[parser->next++];
        if (parser->options_done || arg[0] != '-' || arg[1] == '\0') {
            if (parser->n_operands < 2)
                parser->operands[parser->n_operands] = arg;
            parser->n_operands++;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            parser->options_done = 1;
            continue;
        }
        if (arg[1] == '-')
            return long_option(parser, arg);
        if (strcmp(arg, "-h") == 0)
            return take_option(parser, &help_option);
        usage_error_hint(parser, "is unknown", arg, NULL);
        return CLI_PARSE_ERROR;
    }
    return CLI_PARSE_END;
}

int cli_parser_operand(const char **path_out, const cli_parser *parser)
{
    *path_out = parser->n_operands ? parser->operands[0] : NULL;
    if (parser->n_operands > 1)
        return cli_usage_error(parser->command->name, "expected at most one FILE, got '%s' and '%s'",
                               parser->operands[0], parser->operands[1]);
    return 0;
}

int cli_parser_no_operand(const cli_parser *parser)
{
    if (parser->n_operands)
        return cli_usage_error(parser->command->name, "takes no FILE (got '%s')", parser->operands[0]);
    return 0;
}

/* ---- option values ---- */

int cli_parse_number(uint64_t *out, const char *verb, const char *label, const char *text, size_t length,
                     uint64_t min, uint64_t max)
{
    int negative = length > 0 && text[0] == '-';
    size_t start = negative ? 1 : 0;
    if (length == start)
        return cli_usage_error(verb, "%s: expected a number in decimal digits, got '%.*s'", label, (int)length, text);
    uint64_t value = 0;
    int too_large = 0;
    for (size_t i = start; i < length; i++) {
        if (text[i] < '0' || text[i] > '9')
            return cli_usage_error(verb, "%s: expected a number in decimal digits, got '%.*s'", label, (int)length,
                                   text);
        uint64_t digit = (uint64_t)(text[i] - '0');
        if (value > (UINT64_MAX - digit) / 10)
            too_large = 1;
        else
            value = value * 10 + digit;
    }
    if (negative && (value != 0 || too_large))
        return cli_usage_error(verb, "%s: must be at least %llu, got '%.*s'", label, (unsigned long long)min,
                               (int)length, text);
    if (too_large || value > max)
        return cli_usage_error(verb, "%s: must be at most %llu, got '%.*s'", label, (unsigned long long)max,
                               (int)length, text);
    if (value < min)
        return cli_usage_error(verb, "%s: must be at least %llu, got '%.*s'", label, (unsigned long long)min,
                               (int)length, text);
    *out = value;
    return 0;
}

int cli_option_number(uint64_t *out, const cli_parser *parser, uint64_t min, uint64_t max)
{
    char label[64];
    snprintf(label, sizeof label, "--%s", parser->option->name);
    return cli_parse_number(out, parser->command->name, label, parser->value, strlen(parser->value), min, max);
}

int cli_option_choice(int *out, const cli_parser *parser, const char *(*name)(int value))
{
    char names[256];
    size_t used = 0;
    names[0] = '\0';
    for (int value = 0; name(value); value++) {
        if (strcmp(parser->value, name(value)) == 0) {
            *out = value;
            return 0;
        }
        int n = snprintf(names + used, sizeof names - used, "%s%s", value ? ", " : "", name(value));
        if (n > 0 && (size_t)n < sizeof names - used)
            used += (size_t)n;
    }
    return cli_usage_error(parser->command->name, "--%s: unknown value '%s' (%s)", parser->option->name,
                           parser->value, names);
}

static const char *strategy_name(int value)
{
    return exoplace_layer_strategy_name((exoplace_layer_strategy)value);
}

int cli_option_strategy(exoplace_layer_strategy *out, const cli_parser *parser)
{
    int value;
    int status = cli_option_choice(&value, parser, strategy_name);
    if (status == 0)
        *out = (exoplace_layer_strategy)value;
    return status;
}

const char *cli_sharding_name(int value)
{
    return exoplace_sharding_name((exoplace_sharding)value);
}

const char *cli_instance_meta_name(int value)
{
    return exoplace_instance_meta_name((exoplace_instance_meta)value);
}
