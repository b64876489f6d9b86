/* costfront command: the learning-curve options shared by `costfront curves` and `costfront report`
 * (cli/curves_common.c): which histories to read, the metric and the stopping rules.
 *
 * Ownership: a cf_cli_curves owns its list of history paths (the strings are argv's); cf_cli_curves_free frees it.
 */
#ifndef CF_CLI_CURVES_COMMON_H
#define CF_CLI_CURVES_COMMON_H

#include "cli.h"
#include "costfront/curves.h"
#include "costfront/waste.h"

#define CF_OPT_CURVES           (CF_OPT_COMMAND_BASE + 900)
#define CF_OPT_CURVE_METRIC     (CF_OPT_COMMAND_BASE + 901)
#define CF_OPT_PATIENCE         (CF_OPT_COMMAND_BASE + 902)
#define CF_OPT_MIN_DELTA        (CF_OPT_COMMAND_BASE + 903)
#define CF_OPT_MEDIAN_MIN_EVALS (CF_OPT_COMMAND_BASE + 904)
#define CF_OPT_ETA              (CF_OPT_COMMAND_BASE + 905)
#define CF_OPT_RUNGS            (CF_OPT_COMMAND_BASE + 906)
#define CF_CLI_CURVES_OPTIONS                                                                                          \
    {"curves", required_argument, 0, CF_OPT_CURVES}, {"curve-metric", required_argument, 0, CF_OPT_CURVE_METRIC},      \
        {"patience", required_argument, 0, CF_OPT_PATIENCE}, {"min-delta", required_argument, 0, CF_OPT_MIN_DELTA},    \
        {"median-min-evals", required_argument, 0, CF_OPT_MEDIAN_MIN_EVALS}, {"eta", required_argument, 0, CF_OPT_ETA}, \
    {                                                                                                                  \
        "rungs", required_argument, 0, CF_OPT_RUNGS                                                                    \
    }

extern const char cf_cli_curves_options_help[];

/* The learning-curve settings gathered from the command line. */
typedef struct cf_cli_curves {
    const char **hist; /* --curves paths */
    size_t n_hist, cap_hist;
    cf_waste_opts wo;
    char metric[256];
} cf_cli_curves;

/* Sets the defaults. */
void cf_cli_curves_init(cf_cli_curves *cc);

/* Releases the path list. */
void cf_cli_curves_free(cf_cli_curves *cc);

/* Handles one learning-curve option of command cmd: 1 handled, 0 not one of them, -1 bad value (message printed). */
int cf_cli_curves_option(cf_cli_curves *cc, const char *cmd, int opt, const char *arg);

/* True when there is something to read: --curves was given, or an MLflow store or database is among files (whose
 * histories are then read too: they are added to the list). */
int cf_cli_curves_wanted(cf_cli_curves *cc, int nfiles, char **files);

/* Reads the histories, prints their counts, rejected points and notes (like the runs'), refuses rejected points
 * without --keep-going, and analyses them over in->runs. On success *cv and *w are the caller's to destroy.
 * Returns an exit code. */
int cf_cli_curves_compute(cf_cli_curves *cc, const cf_cli_inputs *in, cf_curves **cv, cf_waste **w);

#endif
