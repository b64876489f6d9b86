/* costfront command: what every subcommand shares (cli/common.c). Uses only the public headers.
 *
 * Ownership: cf_cli_inputs owns the catalog, column map and runset it loads; cf_cli_inputs_free releases them.
 */
#ifndef CF_CLI_H
#define CF_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "costfront/catalog.h"
#include "costfront/runset.h"
#include "costfront/status.h"
#include "exit_codes.h"

/* A subcommand: its name, one-line summary, and entry point (argv[0] is the subcommand name). */
typedef struct cf_cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} cf_cli_command;

/* Long-option ids shared by commands that read runs; each command appends CF_CLI_RUN_OPTIONS to its table. */
enum {
    CF_OPT_CATALOG = 1000,
    CF_OPT_CATALOG_ONLY,
    CF_OPT_MAP,
    CF_OPT_MAP_FILE,
    CF_OPT_ACCURACY_UNIT,
    CF_OPT_REJECTS,
    CF_OPT_KEEP_GOING,
    CF_OPT_STORE,
    CF_OPT_MAX_ERRORS,
    CF_OPT_QUIET,
    CF_OPT_CARBON_PRICE,
    CF_OPT_PROVIDER,
    CF_OPT_REGION,
    CF_OPT_CHECKPOINT_MIN,
    CF_OPT_RESTART_MIN,
    CF_OPT_TODAY,
    CF_OPT_STORAGE_CLASS,    /* issue 16 */
    CF_OPT_KEEP_CHECKPOINTS, /* issue 16 */
    CF_OPT_CHECKPOINT_EVERY, /* issue 16 */
    CF_OPT_METRIC,           /* issue 11 */
    CF_OPT_COMMAND_BASE = 1100 /* commands number their own long-only options from here */
};

#define CF_CLI_RUN_OPTIONS                                                                                             \
    {"catalog", required_argument, 0, CF_OPT_CATALOG}, {"catalog-only", no_argument, 0, CF_OPT_CATALOG_ONLY},          \
        {"map", required_argument, 0, CF_OPT_MAP}, {"map-file", required_argument, 0, CF_OPT_MAP_FILE},                \
        {"accuracy-unit", required_argument, 0, CF_OPT_ACCURACY_UNIT},                                                 \
        {"rejects", required_argument, 0, CF_OPT_REJECTS}, {"keep-going", no_argument, 0, CF_OPT_KEEP_GOING},          \
        {"store", required_argument, 0, CF_OPT_STORE}, {"max-errors", required_argument, 0, CF_OPT_MAX_ERRORS},        \
        {"quiet", no_argument, 0, CF_OPT_QUIET}, {"carbon-price", required_argument, 0, CF_OPT_CARBON_PRICE},          \
        {"provider", required_argument, 0, CF_OPT_PROVIDER}, {"region", required_argument, 0, CF_OPT_REGION},          \
        {"checkpoint-minutes", required_argument, 0, CF_OPT_CHECKPOINT_MIN},                                           \
        {"today", required_argument, 0, CF_OPT_TODAY},                                                                 \
        {"storage-class", required_argument, 0, CF_OPT_STORAGE_CLASS},                                                 \
        {"keep-checkpoints", required_argument, 0, CF_OPT_KEEP_CHECKPOINTS},                                           \
        {"checkpoint-every", required_argument, 0, CF_OPT_CHECKPOINT_EVERY},                                           \
        {"metric", required_argument, 0, CF_OPT_METRIC},                                                               \
    {                                                                                                                  \
        "restart-minutes", required_argument, 0, CF_OPT_RESTART_MIN                                                    \
    }

/* Help text for the shared options, printed by each command's --help. */
extern const char cf_cli_run_options_help[];
extern const char cf_cli_catalog_options_help[];

/* Everything loaded from the shared options. */
typedef struct cf_cli_inputs {
    const char *catalog_path;
    int catalog_only;
    const char *map_pairs;
    const char *map_file;
    const char *metric; /* --metric NAME: the accuracy metric picked out of free text (issue 11), or NULL */
    int accuracy_percent; /* -1 detect, 0 fraction, 1 percent */
    const char *rejects_path;
    int keep_going;
    const char *store_path;
    long max_errors;
    int quiet;
    double carbon_price; /* NaN: catalog's */
    const char *provider;
    const char *region;
    double checkpoint_minutes, restart_minutes; /* NaN: defaults */
    const char *today; /* --today YYYY-MM-DD (checked), or NULL: cf_cli_today gives the date in UTC */
    int storage_class;             /* --storage-class (a cf_storage_class), -1: default */
    long keep_checkpoints;         /* --keep-checkpoints K, 0: keep all */
    double checkpoint_every_hours; /* --checkpoint-every H (non-spot), NaN: none */
    cf_catalog *catalog;
    cf_colmap *map;
    cf_runset *runs;
} cf_cli_inputs;

/* The reference date for stale prices: --today, else today's date in UTC ("YYYY-MM-DD"; static storage). */
const char *cf_cli_today(const cf_cli_inputs *in);

/* Sets defaults. */
void cf_cli_inputs_init(cf_cli_inputs *in);

/* Handles one shared option; returns 1 when opt was one of them, 0 when not, -1 on a bad value (message printed). */
int cf_cli_inputs_option(cf_cli_inputs *in, int opt, const char *arg);

/* Loads the catalog (default, merged with --catalog, or --catalog alone with --catalog-only). Returns an exit code. */
int cf_cli_load_catalog(cf_cli_inputs *in);

/* Loads the catalog and the runs from files (and --store). Prints counts, notes and errors to stderr, writes the
 * rejects file when asked. Returns CF_EXIT_OK or an exit code; with rejected rows and no --keep-going/--rejects it
 * refuses (CF_EXIT_INPUT). */
int cf_cli_load_runs(cf_cli_inputs *in, int nfiles, char **files);

/* Prints at most max_errors rejected records of rs as "source:line[:column][ (record)]: field: message", then how
 * many more there are. Records of directories and databases name the record (e.g. "mlflow run 1a2b"). */
void cf_cli_print_rejects(const cf_runset *rs, long max_errors);

/* Reads a whole file ("-": standard input) into a malloc'd, NUL-terminated string; NULL when it cannot be read
 * (the message, naming cmd and path, is printed). */
char *cf_cli_read_text(const char *cmd, const char *path);

/* Releases what cf_cli_inputs holds. */
void cf_cli_inputs_free(cf_cli_inputs *in);

/* Prints "costfront: <formatted error>" to stderr. */
void cf_cli_print_error(const char *prefix, const cf_error *err);

/* Maps a library status to an exit code (input errors 2, I/O 3, numeric 4). */
int cf_cli_exit_for(cf_status st);

/* Parses a finite double or prints an error naming the option; returns 0 on success. */
int cf_cli_parse_double(const char *opt, const char *s, double *out);
int cf_cli_parse_long(const char *opt, const char *s, long *out);

/* True when stderr is a terminal (progress is shown only then). */
int cf_cli_progress_enabled(void);

/* Prints the usage error "costfront CMD: MSG; see 'costfront CMD --help'" and returns CF_EXIT_USAGE. */
int cf_cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Loads the runs kept in the --store database into in->runs (cli/store_runs.c). Returns an exit code. */
int cf_cli_load_store_runs(cf_cli_inputs *in);

/* Writes text to path atomically, or to stdout when path is NULL or "-". Returns an exit code. */
int cf_cli_write_output(const char *path, const char *text);

/* Streams an output made by write(out, arg, err) to path ("-" or NULL: standard output) as cf_cli_write_output
 * does for a whole text: a file is written to a temporary name and renamed into place only when write succeeded
 * (nothing is left on failure). Prints the error and returns the exit code. */
int cf_cli_stream_output(const char *path, cf_status (*write)(FILE *out, void *arg, cf_error *err), void *arg);

/* Prints root as indented JSON followed by a newline into a malloc'd string (NULL when memory runs out). root is
 * not freed. */
struct cJSON;
char *cf_cli_json_text(const struct cJSON *root);

/* Appends printf-formatted text to the malloc'd buffer *buf of length *len; returns -1 when memory runs out. */
int cf_cli_cat(char **buf, size_t *len, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The subcommands. */
int cf_cmd_frontier(int argc, char **argv);
int cf_cmd_report(int argc, char **argv);
int cf_cmd_catalog(int argc, char **argv);
int cf_cmd_score(int argc, char **argv);
int cf_cmd_import(int argc, char **argv);
int cf_cmd_store(int argc, char **argv);
int cf_cmd_fit(int argc, char **argv);
int cf_cmd_predict(int argc, char **argv);

extern const cf_cli_command cf_cli_commands[];

/* Options that shape a frontier (cli/frontier_common.c): --objectives, --procurement, --reference. */
#define CF_OPT_OBJECTIVES      (CF_OPT_COMMAND_BASE - 10)
#define CF_OPT_PROCUREMENT     (CF_OPT_COMMAND_BASE - 9)
#define CF_OPT_REFERENCE       (CF_OPT_COMMAND_BASE - 8)
#define CF_OPT_TARGET          (CF_OPT_COMMAND_BASE - 7)
#define CF_OPT_WHERE           (CF_OPT_COMMAND_BASE - 6)
#define CF_OPT_PREDICTED       (CF_OPT_COMMAND_BASE - 5)
#define CF_OPT_PREDICTED_LIMIT (CF_OPT_COMMAND_BASE - 4)
#define CF_OPT_SEED            (CF_OPT_COMMAND_BASE - 3)
#define CF_CLI_FRONTIER_OPTIONS                                                                                        \
    {"objectives", required_argument, 0, CF_OPT_OBJECTIVES},                                                           \
        {"procurement", required_argument, 0, CF_OPT_PROCUREMENT},                                                     \
        {"reference", required_argument, 0, CF_OPT_REFERENCE},                                                         \
        {"target-accuracy", required_argument, 0, CF_OPT_TARGET}, {"where", required_argument, 0, CF_OPT_WHERE},       \
        {"predicted", no_argument, 0, CF_OPT_PREDICTED},                                                               \
        {"predicted-limit", required_argument, 0, CF_OPT_PREDICTED_LIMIT},                                             \
    {                                                                                                                  \
        "seed", required_argument, 0, CF_OPT_SEED                                                                      \
    }

extern const char cf_cli_frontier_options_help[];

#include "costfront/frontier.h"

/* Frontier settings gathered from the command line. */
typedef struct cf_cli_frontier {
    cf_frontier_opts opts;
    const char *reference_spec;         /* parsed once the objectives are known */
    double target_accuracy;             /* NaN: none */
    char where_field[CF_MAX_WHERE][64]; /* field names of --where (opts.where_field points here) */
    int predicted;                      /* --predicted: add configurations never run, from the surrogates */
    long predicted_limit;               /* at most this many predicted candidates (0: the search's default, 50) */
    unsigned long seed;                 /* --seed: for the predicted search and Monte Carlo (default 1) */
} cf_cli_frontier;

void cf_cli_frontier_init(cf_cli_frontier *fr);

/* Handles one frontier option: 1 handled, 0 not one of them, -1 bad value (message printed). */
int cf_cli_frontier_option(cf_cli_frontier *fr, int opt, const char *arg);

/* Applies the shared pricing options of in to fr (provider, region, spot, carbon price) and parses --reference.
 * Returns an exit code. */
int cf_cli_frontier_finish(cf_cli_frontier *fr, const cf_cli_inputs *in);

/* Computes the frontier over in->runs; on failure prints the error, returns NULL and sets *rc. */
cf_frontier *cf_cli_compute_frontier(const cf_cli_frontier *fr, const cf_cli_inputs *in, int *rc);
/* Prints a frontier's notes on stderr, a kind that repeats once per run summarised in one line with a count. */
void cf_cli_print_frontier_notes(const cf_frontier *f);

/* Procurement and TCO (cli/cmd_tco.c, cli/cmd_plan.c). */
int cf_cmd_tco(int argc, char **argv);
int cf_cmd_plan(int argc, char **argv);
int cf_cmd_serve(int argc, char **argv);

/* Serving plans (cli/cmd_serve.c), shared with `report --demand`: loads a demand spec (a JSON file, or a rate such
 * as "2e9 tokens/day") into *d, and builds the plan of the loaded runs (notes on stderr). Return exit codes. */
struct cf_serve_demand;
struct cf_serve_plan;
int cf_cli_serve_demand(const char *spec, struct cf_serve_demand *d);
int cf_cli_serve_build(cf_cli_inputs *in, struct cf_serve_demand *d, struct cf_serve_plan **out);

/* Multi-objective Bayesian optimisation studies (cli/cmd_study.c, cli/cmd_suggest.c, cli/cmd_observe.c). */
int cf_cmd_study(int argc, char **argv);
int cf_cmd_suggest(int argc, char **argv);
int cf_cmd_observe(int argc, char **argv);
int cf_cmd_curves(int argc, char **argv);
int cf_cmd_should_prune(int argc, char **argv); /* cli/cmd_prune.c */
int cf_cmd_bill(int argc, char **argv);         /* cli/cmd_bill.c (issue 12) */
int cf_cmd_budget(int argc, char **argv);       /* cli/cmd_budget.c */
int cf_cmd_catalog_from_bill(int argc, char **argv); /* cli/cmd_catalog_bill.c */

#endif
