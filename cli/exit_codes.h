/* costfront command: named exit codes (documented in README.md, "Exit codes"). */
#ifndef CF_CLI_EXIT_CODES_H
#define CF_CLI_EXIT_CODES_H

enum {
    CF_EXIT_OK = 0,        /* success */
    CF_EXIT_USAGE = 1,     /* bad command line: unknown option, missing argument */
    CF_EXIT_INPUT = 2,     /* bad input: a file that cannot be read, parsed or validated; rows rejected */
    CF_EXIT_OUTPUT = 3,    /* an output could not be written (disk, permissions, gnuplot failed) */
    CF_EXIT_INTERNAL = 4,  /* a numerical or internal failure */
    CF_EXIT_ALERT = 5,     /* the job succeeded but a budget or drift alert fired (report --alerts) */
    CF_EXIT_INFEASIBLE = 6, /* plan: no configuration meets the constraints (the binding one is named) */
    CF_EXIT_PRUNE = 7,      /* should-prune: the answer is prune (0 means continue) */
    CF_EXIT_BUDGET = 8      /* budget check: a budget threshold is crossed or forecast to be crossed (kill switch) */
};

#endif
