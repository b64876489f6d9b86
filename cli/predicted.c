/* costfront command: shared surrogate options, fitting, and predicted candidates for `frontier --predicted`. */
#include "predicted.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Below this many training runs the surrogate commands print a note that the fit leans on its priors. */
#define CF_CLI_FEW_RUNS 20

const char cf_cli_surrogate_options_help[] =
    "Surrogate options:\n"
    "  --target NAME           metric to learn (default accuracy; any numeric column of the runs)\n"
    "  --log A,B               numeric columns to model on a log scale (default: positive columns spanning more\n"
    "                          than two orders of magnitude, such as a learning rate)\n"
    "  --linear A,B            numeric columns never put on a log scale\n"
    "  --precision-categorical treat precision as unordered categories (default: ordered fp32 .. int4)\n"
    "  --seed N                seed of the GP restarts and of the search (default 0)\n"
    "  --restarts N            Sobol restarts of each GP fit besides the default start (default 4)\n";

int cf_cli_surrogate_option(cf_surrogate_opts *o, int opt, const char *arg)
{
    long v = 0;
    switch (opt) {
    case CF_OPT_SURR_TARGET: o->target = arg; return 1;
    case CF_OPT_SURR_LOG: o->log_params = arg; return 1;
    case CF_OPT_SURR_LINEAR: o->linear_params = arg; return 1;
    case CF_OPT_SURR_PREC_CAT: o->precision_categorical = 1; return 1;
    case CF_OPT_SURR_SEED:
        if (cf_cli_parse_long("--seed", arg, &v) != 0 || v < 0) {
            if (v < 0) fprintf(stderr, "costfront: --seed: expected a non-negative integer, found '%s'\n", arg);
            return -1;
        }
        o->seed = (unsigned long)v;
        return 1;
    case CF_OPT_SURR_RESTARTS:
        if (cf_cli_parse_long("--restarts", arg, &v) != 0 || v < 0 || v > 1000) {
            fprintf(stderr, "costfront: --restarts: expected an integer in [0, 1000], found '%s'\n", arg);
            return -1;
        }
        o->restarts = (size_t)v;
        return 1;
    default: return 0;
    }
}

/* Warns about numeric columns that track the target almost exactly (|Pearson r| > 0.98 over at least 5 runs):
 * usually another outcome of the same run (a BLEU next to an accuracy, a loss), which would leak into the model as
 * an input. Such a column is left in (it may be a real cause); the note says how to leave it out. */
static void warn_outcome_columns(const cf_runset *rs, const char *target)
{
    size_t n = cf_runset_size(rs);
    for (size_t j = 0; j < cf_runset_param_count(rs); j++) {
        const char *name = cf_runset_param_name(rs, j);
        if (cf_runset_param_kind(rs, j) == CF_PARAM_CATEGORICAL || !strcmp(name, target)) continue;
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            double x = cf_runset_param_num(rs, i, j), y;
            if (!isfinite(x) || cf_runset_numeric(rs, i, target, &y) != CF_OK || !isfinite(y)) continue;
            sx += x;
            sy += y;
            sxx += x * x;
            syy += y * y;
            sxy += x * y;
            m++;
        }
        if (m < 5) continue;
        double cov = sxy - sx * sy / (double)m, vx = sxx - sx * sx / (double)m, vy = syy - sy * sy / (double)m;
        if (!(vx > 0 && vy > 0)) continue;
        double r = cov / sqrt(vx * vy);
        if (fabs(r) > 0.98)
            fprintf(stderr,
                    "note: surrogate: column '%s' tracks %s almost exactly (r = %.3f over %zu runs); if it is another "
                    "outcome rather than a setting, leave it out with --map %s=ignore\n",
                    name, target, r, m, name);
    }
}

int cf_cli_fit_surrogate(const cf_cli_inputs *in, const cf_surrogate_opts *o, cf_surrogate **out)
{
    *out = NULL;
    cf_error err;
    cf_error_clear(&err);
    cf_surrogate *s = NULL;
    cf_status st = cf_surrogate_create(in->runs, in->catalog, o, &s, &err);
    if (st == CF_OK) st = cf_surrogate_fit(s, &err);
    if (st != CF_OK) {
        cf_cli_print_error("surrogate", &err);
        cf_surrogate_destroy(s);
        /* A bad --target, --log or --linear is a usage error; bad runs are input errors. */
        if (!strcmp(err.source, "--target") || !strcmp(err.source, "--log") || !strcmp(err.source, "--linear"))
            return CF_EXIT_USAGE;
        return cf_cli_exit_for(st);
    }
    if (!in->quiet) warn_outcome_columns(in->runs, cf_surrogate_target(s));
    /* Few runs: the fit succeeds, but say plainly that it leans on the priors (predictions, not just fit). */
    size_t n0 = cf_surrogate_n_train(s, CF_SURR_METRIC), n1 = cf_surrogate_n_train(s, CF_SURR_HOURS);
    size_t nmin = n0 < n1 ? n0 : n1;
    if (nmin < CF_CLI_FEW_RUNS && !in->quiet)
        fprintf(stderr,
                "note: surrogate: only %zu runs with %s and %zu with GPU-hours: the models lean on their priors, "
                "intervals are wide and the leave-one-out figures are rough%s\n",
                n0, cf_surrogate_target(s), n1, nmin < 2 ? " (undefined below 2 runs)" : "");
    *out = s;
    return CF_EXIT_OK;
}

int cf_cli_add_predictions(const cf_cli_inputs *in, const cf_frontier_opts *fo, cf_frontier *f, unsigned long seed,
                           size_t limit)
{
    cf_surrogate_opts so;
    cf_surrogate_opts_default(&so);
    so.seed = seed;
    cf_surrogate *s = NULL;
    int rc = cf_cli_fit_surrogate(in, &so, &s);
    if (rc != CF_EXIT_OK) return rc;
    cf_search_opts sr;
    cf_search_opts_default(&sr);
    sr.seed = seed;
    if (limit > 0) sr.limit = limit;
    cf_candidate *cand = NULL;
    size_t n = 0;
    cf_search_stats stats;
    cf_error err;
    cf_error_clear(&err);
    cf_status st = cf_surrogate_search(s, fo, &sr, &cand, &n, &stats, &err);
    if (st != CF_OK) {
        cf_cli_print_error("--predicted", &err);
        cf_surrogate_destroy(s);
        return cf_cli_exit_for(st);
    }
    for (size_t i = 0; i < n && st == CF_OK; i++) st = cf_frontier_add_candidate(f, &cand[i]);
    if (!in->quiet && st == CF_OK) {
        double r0, r1;
        cf_surrogate_loo(s, CF_SURR_METRIC, &r0, NULL, NULL);
        cf_surrogate_loo(s, CF_SURR_HOURS, &r1, NULL, NULL);
        fprintf(stderr,
                "predicted: surrogates fitted in %.2f s (LOO RMSE accuracy %.4f, log GPU-hours %.3f); %zu "
                "configurations never run searched in %.2f s%s; %zu predicted candidates added, %zu leaning on the "
                "catalog prior\n",
                cf_surrogate_fit_seconds(s, CF_SURR_METRIC) + cf_surrogate_fit_seconds(s, CF_SURR_HOURS), r0, r1,
                stats.predicted, stats.seconds, stats.truncated ? " (capped)" : "", n, stats.leaning_on_prior);
    }
    cf_surrogate_candidates_free(cand, n);
    cf_surrogate_destroy(s);
    if (st != CF_OK) {
        fprintf(stderr, "costfront: --predicted: out of memory\n");
        return CF_EXIT_INTERNAL;
    }
    return CF_EXIT_OK;
}
