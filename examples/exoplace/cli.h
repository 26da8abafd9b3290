/* The exoplace command line tool: shared declarations.
 * The tool is a client of the library's C API and sees only exoplace.h:
 * each verb reads its input once through the library, makes the C calls
 * itself, and prints either what the library's JSON writers write (--json)
 * or tables drawn from the result structs. */
#ifndef EXOPLACE_CLI_H
#define EXOPLACE_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "exoplace.h"

/* Exit statuses (docs/json.md "Command line"). */
enum {
    CLI_EXIT_OK = 0,         /* placed / done */
    CLI_EXIT_NOT_PLACED = 1, /* well-formed request that cannot be placed, or a refused confirmation */
    CLI_EXIT_USAGE = 2       /* bad input or usage; nothing on standard output */
};

/* One verb of the dispatch table in main.c. */
typedef struct cli_command {
    const char *name;
    const char *summary;
    const char *usage;                 /* the verb's --help text */
    int (*run)(int argc, char **argv); /* argv[0] is the verb */
} cli_command;

extern const cli_command cli_place_command;
extern const cli_command cli_previews_command;
extern const cli_command cli_cycles_command;
extern const cli_command cli_layers_command;
extern const cli_command cli_fit_command;
extern const cli_command cli_probe_command;

/* What every --help ends with: how text and numbers are shown and read. */
extern const char cli_help_footer[];

/* What place and previews --help say of the instance table
 * (cli_print_instance_table()). */
#define CLI_INSTANCE_HELP                                                         \
    "With rule set exo-main, each placement's table is followed by its\n"         \
    "instance: the instance id and ephemeral port, then one row per rank with\n"  \
    "the node, its layers and how this rank reaches the others. MlxRing:\n"       \
    "TO PREV / TO NEXT are the hosts this rank lists in hostsByNode for rank\n"   \
    "r-1 / r+1 (mod n), as ip:port ([ip]:port for IPv6). MlxJaccl: COORDINATOR\n" \
    "is this rank's address of rank 0 as jacclCoordinators writes it, and\n"      \
    "k:device the RDMA device this rank reaches rank k through (jacclDevices).\n"

/* Prints a verb's --help text and the footer on standard output. */
void cli_print_usage(const cli_command *command);

/* ---- options (options.c): one parser, a table per verb ---- */

/* One option of a verb's table; the table ends with a NULL name. */
typedef struct cli_option {
    const char *name; /* the long name, without "--" */
    int takes_value;  /* 1: "--name VALUE" or "--name=VALUE" */
    int id;           /* what cli_parser_next() reports */
} cli_option;

/* The parser's state: GNU conventions (options and operands in any order,
 * "--" ends the options, "-" is an operand, a long option may be shortened
 * to a unique prefix), "-h" and "--help" for every verb. A verb takes at
 * most one operand; the parser keeps the first two to say so. */
typedef struct cli_parser {
    const cli_command *command;
    const cli_option *table;
    int argc;
    char **argv;
    int next;                  /* next argv index */
    int options_done;          /* after "--" */
    const cli_option *option;  /* the option just read */
    const char *value;         /* its value, when it takes one */
    const char *operands[2];   /* the first two operands */
    size_t n_operands;
} cli_parser;

enum {
    CLI_PARSE_END,    /* no options left */
    CLI_PARSE_OPTION, /* parser->option and ->value are set */
    CLI_PARSE_HELP,   /* --help: the usage was printed; exit 0 */
    CLI_PARSE_ERROR   /* a usage error was printed; exit 2 */
};

void cli_parser_init(cli_parser *parser, const cli_command *command, const cli_option *table, int argc,
                     char **argv);
int cli_parser_next(cli_parser *parser);

/* The single operand (NULL when there is none, "-" for standard input).
 * Returns 0, or prints why not and returns CLI_EXIT_USAGE. */
int cli_parser_operand(const char **path_out, const cli_parser *parser);
/* For a verb that takes no operand. */
int cli_parser_no_operand(const cli_parser *parser);

/* A number in decimal digits only (a leading 0 is still decimal), from min
 * to max; a negative number is reported as below min. label names what the
 * number is for in the message ("--layers"). text need not end at length.
 * Returns 0, or prints why not and returns CLI_EXIT_USAGE. */
int cli_parse_number(uint64_t *out, const char *verb, const char *label, const char *text, size_t length,
                     uint64_t min, uint64_t max);
/* The current option's value as such a number. */
int cli_option_number(uint64_t *out, const cli_parser *parser, uint64_t min, uint64_t max);
/* The current option's value as one of the names name(0), name(1), ...
 * (up to the first NULL): the enum tables' names. */
int cli_option_choice(int *out, const cli_parser *parser, const char *(*name)(int value));

/* --strategy: a layer strategy by name. */
int cli_option_strategy(exoplace_layer_strategy *out, const cli_parser *parser);

/* The enum name functions as cli_option_choice() takes them. */
const char *cli_sharding_name(int value);
const char *cli_instance_meta_name(int value);

/* ---- text shown to people (text.c) ---- */

/* Text in tables and on standard error is shown with every character a
 * terminal would not print as itself escaped: C0 controls as \n, \r, \t or
 * \x1b, DEL as \x7f, C1 controls, format characters (bidi controls,
 * zero-width characters) and line or paragraph separators as \u202e, a byte
 * that is not UTF-8 as \xff, and a backslash as \\. Nothing in it can move
 * the cursor, change colours or start a line. */
void cli_put_text(FILE *out, const char *text);
/* Terminal cells of text as cli_put_text() shows it: East Asian wide
 * characters and emoji take two, combining marks none, the rest one. */
size_t cli_text_cells(const char *text);
/* cli_put_text(), then spaces up to `cells` cells. */
void cli_put_padded(FILE *out, const char *text, size_t cells);

/* printf into a fresh string (free() it); NULL when out of memory. The
 * text is not escaped: show it with cli_put_text(). */
char *cli_format(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* One line on standard error, escaped as above; the newline is added. */
void cli_message(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* "exoplace VERB: message" on standard error; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *verb, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* A failed library call: "exoplace VERB: FIELD: MESSAGE (code)", or with
 * source (a file's name) "exoplace VERB: SOURCE: FIELD: MESSAGE (code)".
 * Returns the exit status: 1 for a placement failure, 2 for the rest. */
int cli_library_error(const char *verb, exoplace_status status, const exoplace_error *err);
int cli_source_error(const char *verb, const char *source, exoplace_status status, const exoplace_error *err);

/* A member the call needs is missing: "exoplace VERB: FIELD: missing
 * (invalid_argument)", as the JSON entry points say it. */
int cli_missing(const char *verb, const char *field);

/* ---- explanations in words (explain.c) ---- */

/* An amount as a double (for sizes shown rounded). */
double cli_amount_value(exoplace_amount amount);
/* An amount in its tier's unit: "12.0 GiB" (cli_format_bytes()), or with
 * by_layers "14 layers", exact. */
void cli_format_amount(char *buf, size_t size, exoplace_amount amount, int by_layers);

/* What the words may suggest: the call failed, and the flags it ran with. */
typedef struct cli_explain_flags {
    int failed;      /* no placement: say which tier would place it and how to reach it */
    int no_retry;    /* --no-retry */
    int no_fallback; /* --no-fallback */
    int allow_swap;  /* --allow-swap */
} cli_explain_flags;

/* A few lines on standard error from exoplace_explain()'s data, the first
 * "why: ...": for the first tier tried, the best cycle, its sum against
 * the need and the gap, and what each of its nodes must free; a search the
 * work bound stopped; that not even every node's total memory (and swap)
 * holds it, or the tier that does; each rule that removed cycle lengths.
 * Ids are escaped as cli_message() escapes them. */
void cli_print_explanation(const exoplace_explanation *explanation, const cli_explain_flags *flags);

/* ---- input (input.c) ---- */

/* 1 when path means standard input (NULL or "-"). */
int cli_is_stdin(const char *path);
/* How a path is named in messages: "standard input" for cli_is_stdin(). */
const char *cli_source_name(const char *path);

/* Reads FILE or standard input: at most EXOPLACE_MAX_INPUT_BYTES + 1 bytes
 * (enough for the library to refuse it), no NUL byte. Returns 0 with
 * *text_out (free() it) and *length_out, or prints why not and returns
 * CLI_EXIT_USAGE. */
int cli_read_file(char **text_out, size_t *length_out, const char *verb, const char *path);

/* Reads and parses the request at path (exoplace_request_parse()). Returns
 * 0, or prints why not and returns CLI_EXIT_USAGE. */
int cli_request_load(exoplace_request **out, const char *verb, const char *path,
                     const exoplace_json_options *options);

/* Only one input can come from standard input: the request (at
 * request_path) or the file of `option` (path; NULL when not given).
 * Returns 0, or prints why not and returns CLI_EXIT_USAGE. */
int cli_check_stdin(const char *verb, const char *request_path, const char *option, const char *path);

/* Reads and parses a catalogue of models in the request's rule set
 * (exoplace_request_parse_catalogue()); errors name the file. */
int cli_catalogue_load(exoplace_request **out, const char *verb, const char *path, exoplace_rules rules);

/* The models a verb works on: the catalogue's (--models) or the request's. */
typedef struct cli_models {
    const exoplace_model *models;
    size_t count;
    exoplace_request *catalogue; /* owned; NULL without --models */
} cli_models;

/* Checks what a call over models needs (a topology, at least one model) and
 * fills *out. Returns 0, or prints why not and returns CLI_EXIT_USAGE. */
int cli_models_load(cli_models *out, const char *verb, const exoplace_request *request, const char *models_path);
void cli_models_dispose(cli_models *models);

/* Prints a JSON text the library wrote, one line, and frees it. */
void cli_print_json(char *text);

/* ---- tables (table.c) ---- */

typedef enum cli_colour {
    CLI_PLAIN,
    CLI_GREEN,  /* fits */
    CLI_YELLOW, /* low memory */
    CLI_RED,    /* does not fit */
    CLI_BOLD,
    CLI_DIM
} cli_colour;

/* The escape sequence starting colour c ("" when standard output is not a
 * terminal or NO_COLOR is set), and the reset. */
const char *cli_colour_on(cli_colour c);
const char *cli_colour_off(void);

/* "192.0 GiB", "512 B" */
void cli_format_bytes(char *buf, size_t size, double bytes);

/* The "pluralizing s": "" for 1, "s" for any other count. */
const char *cli_plural(uint64_t count);

/* A placement as a table, one row per shard in rank order: the node, its
 * memory (from the topology, by the shard's node index), what the model
 * needs of it and a bar, and its layers. */
void cli_print_placement_table(const exoplace_placement *placement, const exoplace_model *model,
                               const exoplace_topology *topology);

/* An exo-main placement's instance (nothing for the seed rule set): its
 * id, kind and ephemeral port on one line, then a table with one row per
 * rank: the rank, the node, its layers, and how it reaches the others.
 * MlxRing: TO PREV and TO NEXT, the hosts this rank lists in hostsByNode
 * for rank r-1 and r+1 (mod n), as ip:port ([ip]:port for IPv6). MlxJaccl:
 * COORDINATOR, this rank's jacclCoordinators text as exo writes it, and
 * its row of jacclDevices as "k:device" for every other rank k. Returns 0,
 * or prints why not ("VERB: out of memory") and returns CLI_EXIT_USAGE. */
int cli_print_instance_table(const char *verb, const exoplace_placement *placement);

#endif
