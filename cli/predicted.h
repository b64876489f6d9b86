/* costfront command: the surrogate commands (fit, predict) and predicted frontier candidates (cli/predicted.c).
 *
 * Uses only the public headers. Ownership: cf_cli_fit_surrogate hands the caller a surrogate to free with
 * cf_surrogate_destroy; cf_cli_add_predictions copies its candidates into the frontier (which owns them).
 */
#ifndef CF_CLI_PREDICTED_H
#define CF_CLI_PREDICTED_H

#include <stddef.h>

#include "cli.h"
#include "costfront/frontier.h"
#include "costfront/predicted.h"
#include "costfront/surrogate.h"

/* Long options shared by fit, predict and the --predicted frontier: --target, --log, --linear,
 * --precision-categorical, --seed, --restarts (ids above the commands' own range). */
#define CF_OPT_SURR_TARGET   (CF_OPT_COMMAND_BASE + 60)
#define CF_OPT_SURR_LOG      (CF_OPT_COMMAND_BASE + 61)
#define CF_OPT_SURR_LINEAR   (CF_OPT_COMMAND_BASE + 62)
#define CF_OPT_SURR_PREC_CAT (CF_OPT_COMMAND_BASE + 63)
#define CF_OPT_SURR_SEED     (CF_OPT_COMMAND_BASE + 64)
#define CF_OPT_SURR_RESTARTS (CF_OPT_COMMAND_BASE + 65)
#define CF_CLI_SURROGATE_OPTIONS                                                                                       \
    {"target", required_argument, 0, CF_OPT_SURR_TARGET}, {"log", required_argument, 0, CF_OPT_SURR_LOG},              \
        {"linear", required_argument, 0, CF_OPT_SURR_LINEAR},                                                          \
        {"precision-categorical", no_argument, 0, CF_OPT_SURR_PREC_CAT},                                               \
        {"seed", required_argument, 0, CF_OPT_SURR_SEED},                                                              \
    {                                                                                                                  \
        "restarts", required_argument, 0, CF_OPT_SURR_RESTARTS                                                         \
    }

/* Help text of the shared surrogate options. */
extern const char cf_cli_surrogate_options_help[];

/* Handles one surrogate option into o: 1 handled, 0 not one of them, -1 bad value (message printed). */
int cf_cli_surrogate_option(cf_surrogate_opts *o, int opt, const char *arg);

/* Builds and fits the surrogate of in->runs with options o; prints errors. Returns an exit code; *out is the
 * fitted surrogate on success (free with cf_surrogate_destroy), NULL otherwise. */
int cf_cli_fit_surrogate(const cf_cli_inputs *in, const cf_surrogate_opts *o, cf_surrogate **out);

/* Fits the accuracy and GPU-hours surrogates to in->runs, searches configurations never run under the frontier
 * options fo (seeded by seed, at most limit candidates; 0 for the default 50) and adds them to f as predicted
 * candidates; prints a one-line summary on stderr unless --quiet. Call before cf_frontier_compute. Returns an exit
 * code. */
int cf_cli_add_predictions(const cf_cli_inputs *in, const cf_frontier_opts *fo, cf_frontier *f, unsigned long seed,
                           size_t limit);

/* The subcommands (also declared in cli.h once registered in cli/commands.c). */
int cf_cmd_fit(int argc, char **argv);
int cf_cmd_predict(int argc, char **argv);

#endif
