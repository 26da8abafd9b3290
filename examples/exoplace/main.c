/* exoplace: decides where a large language model runs on an exo cluster.
 * One table of verbs; each verb lives in its own file. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_command *const commands[] = {
    &cli_place_command, &cli_previews_command, &cli_cycles_command,
    &cli_layers_command, &cli_fit_command, &cli_probe_command,
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void print_help(FILE *out)
{
    fprintf(out, "usage: exoplace VERB [OPTIONS] [FILE]\n"
                 "       exoplace --help | --version\n\n"
                 "Reads a request in exo's JSON format (or exo's /state) from FILE or\n"
                 "standard input.\n\n"
                 "verbs:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-9s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out, "\n'exoplace VERB --help' describes a verb.\n"
                 "Exit status: 0 placed, 1 cannot be placed, 2 bad input or usage.\n");
    fputs(cli_help_footer, out);
}

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *first = argv[1];
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0) {
        print_help(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(first, "--version") == 0) {
        printf("exoplace %s\n", exoplace_version());
        return CLI_EXIT_OK;
    }
    if (strcmp(first, "help") == 0) {
        const cli_command *command = argc > 2 ? find_command(argv[2]) : NULL;
        if (argc > 2 && !command)
            return cli_usage_error("help", "unknown verb '%s'", argv[2]);
        if (command)
            cli_print_usage(command);
        else
            print_help(stdout);
        return CLI_EXIT_OK;
    }
    const cli_command *command = find_command(first);
    if (!command) {
        cli_message("exoplace: unknown verb '%s' (try 'exoplace --help')", first);
        return CLI_EXIT_USAGE;
    }
    return command->run(argc - 1, argv + 1);
}
