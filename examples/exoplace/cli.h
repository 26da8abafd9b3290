/* The exoplace command line tool: shared declarations.
 * The tool talks to the library only through exoplace.h; the verbs send the
 * request to the JSON entry points and read the response back with jansson
 * to draw tables for people. */
#ifndef EXOPLACE_CLI_H
#define EXOPLACE_CLI_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "exoplace.h"

/* Exit statuses (json.md "Command line"). */
enum {
    CLI_EXIT_OK = 0,      /* placed / done */
    CLI_EXIT_NOT_PLACED = 1, /* well-formed request that cannot be placed, or a refused confirmation */
    CLI_EXIT_USAGE = 2    /* bad input or usage */
};

/* One verb of the dispatch table in main.c. */
typedef struct cli_command {
    const char *name;
    const char *summary;
    const char *usage; /* the verb's --help text */
    int (*run)(int argc, char **argv); /* argv[0] is the verb */
} cli_command;

extern const cli_command cli_place_command;
extern const cli_command cli_previews_command;
extern const cli_command cli_cycles_command;
extern const cli_command cli_layers_command;
extern const cli_command cli_fit_command;
extern const cli_command cli_probe_command;

/* ---- input and errors (output.c) ---- */

/* Reads FILE, or standard input when path is NULL or "-". On failure prints
 * the reason and returns CLI_EXIT_USAGE; *text_out is freed with free(). */
int cli_read_request(char **text_out, const char *verb, const char *path);

/* --models FILE (models.c): adds the catalogue's list (a JSON list, or an
 * object with a "models" list) to *request as its "models" member, which
 * then wins over any list the request has. The request came from
 * request_path (NULL or "-": standard input). Returns 0 with *request
 * replaced (freed with free()), or prints why not and returns
 * CLI_EXIT_USAGE with *request as it was. */
int cli_join_models(char **request, const char *verb, const char *request_path, const char *models_path);

/* Prints "exoplace VERB: message" on standard error; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *verb, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Reports a failed library call on standard error and returns the exit
 * status for it: 1 for a placement failure, 2 for anything else. */
int cli_library_error(const char *verb, exoplace_status status, const exoplace_error *err);

/* Option values. Each returns 0 and fills *out, or prints why not and
 * returns CLI_EXIT_USAGE. */
int cli_parse_u64(uint64_t *out, const char *verb, const char *option, const char *text);
int cli_parse_strategy(exoplace_layer_strategy *out, const char *verb, const char *text);

/* Handles an option getopt_long() did not know (after it returned '?'). */
int cli_unknown_option(const char *verb, char **argv);

/* The request of a verb: its single FILE operand (none or "-": standard
 * input), with the catalogue of --models joined when models_path is not
 * NULL (cli_join_models). Returns 0, or prints why not and returns the exit
 * status; *text_out is freed with free(). */
int cli_read_operand(char **text_out, const char *verb, int argc, char **argv, const char *models_path);

/* Prints the JSON response as the library wrote it, one line. */
void cli_print_json(const char *response);

/* Parses a response for the tables (numbers as doubles: only for display). */
json_t *cli_parse_response(const char *response);

/* ---- presentation (output.c) ---- */

typedef enum cli_colour {
    CLI_PLAIN,
    CLI_GREEN,  /* fits */
    CLI_YELLOW, /* low memory */
    CLI_RED,    /* does not fit */
    CLI_BOLD,
    CLI_DIM
} cli_colour;

/* Colour only when standard output is a terminal and NO_COLOR is unset. */
int cli_use_colour(void);
/* The escape sequence starting colour c ("" when colour is off), and the reset. */
const char *cli_colour_on(cli_colour c);
const char *cli_colour_off(void);

/* "192.0 GiB", "512 B" */
void cli_format_bytes(char *buf, size_t size, double bytes);

/* Terminal columns of UTF-8 text: East Asian wide characters and emoji take
 * two, combining marks none, the rest one; a table's ids line up whatever
 * script they are written in. */
size_t cli_text_width(const char *text);
/* Prints text followed by spaces up to width columns. */
void cli_print_padded(const char *text, size_t width);

/* A bar of `width` cells for one node's memory out of `total`: '=' used by
 * other programs (total - available), '#' this placement's share, '.' free,
 * '!' the share beyond what is available. */
void cli_memory_bar(char *buf, size_t width, double total, double available, double share);

/* ---- the request, read for display only (output.c) ---- */

typedef struct cli_node {
    const char *id;
    int has_memory;
    double ram_total;
    double ram_available;
} cli_node;

typedef struct cli_request_info {
    json_t *doc;
    cli_node *nodes;
    size_t n_nodes;
    int has_model;
    double storage_size;
    double n_layers;
} cli_request_info;

/* Best effort: whatever cannot be read is left out of the tables. */
void cli_request_info_load(cli_request_info *info, const char *request);
const cli_node *cli_request_node(const cli_request_info *info, const char *id);
void cli_request_info_dispose(cli_request_info *info);

/* A member by camelCase or snake_case key; a memory value as a double. */
const json_t *cli_member(const json_t *object, const char *camel, const char *snake);
double cli_bytes_value(const json_t *value, int *ok);

/* Prints a placement as a table (used by place and previews). */
void cli_print_placement_table(const json_t *placement, const cli_request_info *info);

#endif
