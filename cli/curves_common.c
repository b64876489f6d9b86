/* costfront command: the learning-curve options shared by curves and report (see cli/curves_common.h). */
#include "curves_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/sources.h"

const char cf_cli_curves_options_help[] =
    "Learning curves:\n"
    "  --curves FILE           a history source (repeatable): MLflow store or database, W&B history export,\n"
    "                          or JSON Lines / CSV in the long form (run_id, step, metric, value[, time]);\n"
    "                          MLflow sources among RUNS are read for histories too\n"
    "  --curve-metric M[:D]    the validation metric and its direction, max (default) or min; default: the\n"
    "                          first of val_accuracy, val_acc, eval_accuracy, accuracy, val_loss, ..., loss\n"
    "  --patience P            evaluations without improvement before stopping (default 3)\n"
    "  --min-delta D           smallest change that counts as an improvement (default 0)\n"
    "  --median-min-evals N    the median rule may stop a run from its N-th evaluation on (default 3)\n"
    "  --eta E, --rungs K      successive halving's reduction factor (default 3) and rungs (default 3)\n";

void cf_cli_curves_init(cf_cli_curves *cc)
{
    memset(cc, 0, sizeof *cc);
    cf_waste_opts_default(&cc->wo);
}

void cf_cli_curves_free(cf_cli_curves *cc)
{
    free(cc->hist);
    cc->hist = NULL;
    cc->n_hist = cc->cap_hist = 0;
}

/* Appends a history path; returns -1 when memory runs out. */
static int add_hist(cf_cli_curves *cc, const char *path)
{
    if (cc->n_hist == cc->cap_hist) {
        size_t nc = cc->cap_hist ? 2 * cc->cap_hist : 8;
        const char **p = realloc(cc->hist, nc * sizeof *p);
        if (p == NULL) return -1;
        cc->hist = p;
        cc->cap_hist = nc;
    }
    cc->hist[cc->n_hist++] = path;
    return 0;
}

int cf_cli_curves_option(cf_cli_curves *cc, const char *cmd, int opt, const char *arg)
{
    long l;
    double d;
    switch (opt) {
    case CF_OPT_CURVES:
        if (add_hist(cc, arg) != 0) {
            fprintf(stderr, "costfront %s: out of memory\n", cmd);
            return -1;
        }
        return 1;
    case CF_OPT_CURVE_METRIC: {
        const char *colon = strrchr(arg, ':');
        if (colon != NULL && (strcmp(colon, ":max") == 0 || strcmp(colon, ":min") == 0)) {
            snprintf(cc->metric, sizeof cc->metric, "%.*s", (int)(colon - arg), arg);
            cc->wo.maximize = strcmp(colon, ":max") == 0;
        } else {
            snprintf(cc->metric, sizeof cc->metric, "%s", arg);
        }
        if (cc->metric[0] == '\0') {
            cf_cli_usage_error(cmd, "--curve-metric: the metric name is empty");
            return -1;
        }
        cc->wo.metric = cc->metric;
        return 1;
    }
    case CF_OPT_PATIENCE:
    case CF_OPT_MEDIAN_MIN_EVALS:
    case CF_OPT_RUNGS: {
        const char *name = opt == CF_OPT_PATIENCE ? "--patience" : opt == CF_OPT_RUNGS ? "--rungs" : "--median-min-evals";
        if (cf_cli_parse_long(name, arg, &l) != 0) return -1;
        if (l < 1 || l > 1000000) {
            cf_cli_usage_error(cmd, "%s: expected an integer from 1 to 1000000, found %ld", name, l);
            return -1;
        }
        if (opt == CF_OPT_PATIENCE) cc->wo.patience = (int)l;
        else if (opt == CF_OPT_RUNGS) cc->wo.rungs = (int)l;
        else cc->wo.median_min_evals = (int)l;
        return 1;
    }
    case CF_OPT_MIN_DELTA:
    case CF_OPT_ETA: {
        const char *name = opt == CF_OPT_ETA ? "--eta" : "--min-delta";
        if (cf_cli_parse_double(name, arg, &d) != 0) return -1;
        if (opt == CF_OPT_ETA ? !(d > 1) : !(d >= 0)) {
            cf_cli_usage_error(cmd, "%s: expected a number %s, found %s", name, opt == CF_OPT_ETA ? "> 1" : ">= 0", arg);
            return -1;
        }
        if (opt == CF_OPT_ETA) cc->wo.eta = d;
        else cc->wo.min_delta = d;
        return 1;
    }
    default: return 0;
    }
}

int cf_cli_curves_wanted(cf_cli_curves *cc, int nfiles, char **files)
{
    if (cc->n_hist > 0) return 1;
    for (int i = 0; i < nfiles; i++) {
        cf_source_kind k;
        cf_error e;
        cf_error_clear(&e);
        if (cf_detect_source(files[i], &k, &e) == CF_OK && (k == CF_SOURCE_MLFLOW_DIR || k == CF_SOURCE_MLFLOW_DB))
            if (add_hist(cc, files[i]) != 0) return 0;
    }
    return cc->n_hist > 0;
}

/* Prints the history counts, rejected points (at most max) and notes. */
static void print_counts(const cf_curves *cv, long max, int quiet)
{
    fprintf(stderr, "history points: %zu read, %zu accepted, %zu rejected (%zu histories)\n",
            cf_curves_points_read(cv), cf_curves_points_accepted(cv), cf_curves_rejected(cv), cf_curves_count(cv));
    size_t nr = cf_curves_rejected(cv);
    for (size_t i = 0; i < nr && (long)i < max; i++) {
        const cf_curve_reject *r = cf_curves_reject(cv, i);
        fprintf(stderr, "%s", r->source);
        if (r->line > 0) fprintf(stderr, ":%ld", r->line);
        if (r->column > 0) fprintf(stderr, ":%ld", r->column);
        fprintf(stderr, ": %s%s%s\n", r->field, r->field[0] ? ": " : "", r->message);
    }
    if ((long)nr > max) fprintf(stderr, "... and %zu more rejected points\n", nr - (size_t)max);
    if (!quiet)
        for (size_t i = 0; i < cf_curves_note_count(cv); i++) fprintf(stderr, "note: %s\n", cf_curves_note(cv, i));
}

int cf_cli_curves_compute(cf_cli_curves *cc, const cf_cli_inputs *in, cf_curves **cv_out, cf_waste **w_out)
{
    *cv_out = NULL;
    *w_out = NULL;
    cf_curves *cv = cf_curves_create();
    if (cv == NULL) return CF_EXIT_INTERNAL;
    cf_error err;
    cf_error_clear(&err);
    cf_status st = CF_OK;
    for (size_t i = 0; i < cc->n_hist && st == CF_OK; i++) st = cf_curves_read(cv, cc->hist[i], &err);
    if (st != CF_OK) {
        cf_cli_print_error(NULL, &err);
        cf_curves_destroy(cv);
        return st == CF_ERR_NOMEM ? cf_cli_exit_for(st) : CF_EXIT_INPUT; /* an input that cannot be read is bad input */
    }
    print_counts(cv, in->max_errors, in->quiet);
    if (cf_curves_rejected(cv) > 0 && !in->keep_going) {
        fprintf(stderr, "costfront: %zu history points rejected; fix them or pass --keep-going to analyse the others\n",
                cf_curves_rejected(cv));
        cf_curves_destroy(cv);
        return CF_EXIT_INPUT;
    }
    cc->wo.pricing.provider = in->provider;
    cc->wo.pricing.region = in->region;
    if (isfinite(in->checkpoint_minutes)) cc->wo.pricing.spot.checkpoint_hours = in->checkpoint_minutes / 60.0;
    if (isfinite(in->restart_minutes)) cc->wo.pricing.spot.restart_hours = in->restart_minutes / 60.0;
    if (isfinite(in->carbon_price)) cc->wo.pricing.carbon_price_usd_per_t = in->carbon_price;
    cf_waste *w = NULL;
    st = cf_waste_compute(in->runs, cv, in->catalog, &cc->wo, &w, &err);
    if (st != CF_OK) {
        cf_cli_print_error(NULL, &err);
        cf_curves_destroy(cv);
        return st == CF_ERR_ARG || st == CF_ERR_EMPTY ? CF_EXIT_INPUT : cf_cli_exit_for(st);
    }
    *cv_out = cv;
    *w_out = w;
    return CF_EXIT_OK;
}
