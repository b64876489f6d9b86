/* costfront command: dispatches to one subcommand per file in cli/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "costfront/status.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: costfront <command> [options]\n"
                 "       costfront --help | --version\n\n"
                 "What your accuracy really costs: prices ML experiment runs under every way of buying compute,\n"
                 "adds energy and carbon, finds the cost-accuracy frontier and says what to run and buy next.\n\n"
                 "Commands:\n");
    for (const cf_cli_command *c = cf_cli_commands; c->name; c++) fprintf(out, "  %-12s %s\n", c->name, c->summary);
    fprintf(out, "\nRun 'costfront <command> --help' for a command's options.\n"
                 "Exit codes: 0 ok, 1 usage, 2 bad input, 3 output failed, 4 internal/numerical failure,\n"
                 "            5 alert fired (report --alerts), 6 plan infeasible, 7 should-prune says prune.\n");
}

int main(int argc, char **argv)
{
    cf_gsl_quiet();
    if (getenv("OPENBLAS_NUM_THREADS") == NULL) cf_set_blas_threads(1);
    if (argc < 2) {
        usage(stderr);
        return CF_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        if (argc > 2 && strcmp(cmd, "help") == 0) {
            for (const cf_cli_command *c = cf_cli_commands; c->name; c++)
                if (!strcmp(c->name, argv[2])) {
                    char *args[] = {argv[2], "--help", NULL};
                    return c->run(2, args);
                }
        }
        usage(stdout);
        return CF_EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("costfront %s\n", cf_version());
        return CF_EXIT_OK;
    }
    for (const cf_cli_command *c = cf_cli_commands; c->name; c++)
        if (!strcmp(c->name, cmd)) return c->run(argc - 1, argv + 1);
    fprintf(stderr, "costfront: unknown command '%s'; see 'costfront --help'\n", cmd);
    return CF_EXIT_USAGE;
}
