/* costfront command: a TCO plan (--plan FILE) shared by frontier, report, plan and tco (cli/plan_common.c).
 *
 * With a plan, on_prem and hybrid become procurement options of the frontier, priced at the plan's cost per useful
 * GPU-hour and carbon per GPU-hour (cf_tco_unit_rates), and only for runs on the plan's hardware
 * (cf_frontier_opts.owned_hardware). The report gains the TCO section (cf_report_tco) and, with a frontier, the
 * recommendation section (cf_report_recommendation).
 *
 * Ownership: cf_cli_plan_apply hands the caller a plan to free with cf_plan_destroy; the frontier options keep a
 * pointer to a hardware id owned by in->catalog, which must outlive the frontier.
 */
#ifndef CF_CLI_PLAN_COMMON_H
#define CF_CLI_PLAN_COMMON_H

#include <stddef.h>

#include "cli.h"
#include "costfront/recommend.h"
#include "costfront/report.h"
#include "costfront/tco.h"

#define CF_OPT_PLAN      (CF_OPT_COMMAND_BASE - 20)
#define CF_OPT_PLAN_SEED (CF_OPT_COMMAND_BASE - 19)
#define CF_CLI_PLAN_OPTIONS                                                                                            \
    {                                                                                                                  \
        "plan", required_argument, 0, CF_OPT_PLAN                                                                      \
    }

/* Default Monte Carlo samples and seed of the TCO section and of `costfront tco`. */
#define CF_CLI_MC_SAMPLES 2000
#define CF_CLI_MC_SEED    1UL

extern const char cf_cli_plan_options_help[];

/* Handles --plan and --seed: 1 handled, 0 not one of them, -1 bad value (message printed). */
int cf_cli_plan_option(int opt, const char *arg, const char **plan_path, unsigned long *seed);

/* Parses a seed (a non-negative integer) for option opt; returns 0 on success, prints and returns -1 otherwise. */
int cf_cli_parse_seed(const char *opt, const char *s, unsigned long *out);

/* Loads the plan at plan_path against in->catalog (loaded here when it is not yet), prints its errors (file, JSON
 * path, expected vs found), and when fr is not NULL sets the frontier's on_prem and hybrid rates, restricts them to
 * the plan's hardware and adds both to fr->opts.procurements. plan_path NULL: nothing to do (*out = NULL). Call it
 * before cf_cli_frontier_finish. Returns an exit code; *out is the loaded plan (free with cf_plan_destroy). */
int cf_cli_plan_apply(const char *plan_path, cf_cli_inputs *in, cf_cli_frontier *fr, cf_plan **out);

/* Evaluates the plan (tornado and a Monte Carlo of CF_CLI_MC_SAMPLES samples seeded by seed, progress on stderr
 * only when it is a terminal) and appends the TCO section to r. Returns an exit code. */
int cf_cli_plan_report(cf_report *r, cf_plan *plan, const cf_cli_inputs *in, unsigned long seed);

/* Recommends a candidate of f with no constraint but the target accuracy (NaN: none) and appends the
 * recommendation section to r. Returns an exit code. */
int cf_cli_recommend_report(cf_report *r, const cf_frontier *f, const cf_cli_inputs *in, double target_accuracy);

/* Progress callback for cf_tco_monte_carlo that draws "monte carlo: 40%" on stderr (user unused). */
void cf_cli_mc_progress(void *user, size_t done, size_t total);

/* Runs the plan's Monte Carlo (n samples, seed, metric) with progress on stderr when it is a terminal and not
 * quiet. Returns the library's status; err says why. */
cf_status cf_cli_plan_monte_carlo(const cf_plan *plan, const cf_cli_inputs *in, size_t n, unsigned long seed,
                                  cf_tco_metric metric, cf_tco_mc_result *mc, cf_error *err);

#endif
