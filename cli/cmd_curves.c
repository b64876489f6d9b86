/* costfront curves: what the learning curves of runs cost after they stopped improving, and what early-stopping
 * policies would have saved (the analysis is models/waste.c; the output reports/report_curves.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "costfront/curves.h"
#include "costfront/output.h"
#include "costfront/report_curves.h"
#include "costfront/sources.h"
#include "costfront/waste.h"

static void help(void)
{
    printf("usage: costfront curves RUNS... [--curves HISTORY]... [--curve-metric NAME[:max|min]] [options]\n\n"
           "Reads the runs (GPU-hours, hardware, procurement) and the step histories of their metrics, finds where\n"
           "each run's validation metric stopped improving (early stopping with --patience evaluations and\n"
           "--min-delta), and prices the GPU-hours spent after that point under the run's own procurement. Also\n"
           "replays the median stopping rule and successive halving over each group of runs: hours and cost they\n"
           "would have saved, and the runs whose result they would have lost.\n\n"
           "Histories: an MLflow file store or tracking database (read for curves as well when given as RUNS), a\n"
           "W&B history export (CSV with _step and one column per metric), or the long form in JSON Lines or CSV\n"
           "(run_id, step, metric, value[, time]).\n\n"
           "  --curves FILE           a history source (repeatable); default: the MLflow sources among RUNS\n"
           "  --curve-metric M[:D]    the validation metric and its direction, max (default) or min;\n"
           "                          default: the first of val_accuracy, val_acc, ..., val_loss, loss present\n"
           "  --patience P            evaluations without improvement before stopping (default 3)\n"
           "  --min-delta D           smallest change that counts as an improvement (default 0)\n"
           "  --group-by FIELD        totals and policies per value of a run field (model, dataset, project,\n"
           "                          hardware, ...) or hyperparameter\n"
           "  --median-min-evals N    the median rule may stop a run from its N-th evaluation on (default 3)\n"
           "  --eta E, --rungs K      successive halving's reduction factor (default 3) and rungs (default 3)\n"
           "  --top N                 runs listed in the table (default 20; 0: all)\n"
           "  --format F              table (default), json or csv (every run)\n"
           "  --out FILE              write to FILE (atomically) instead of standard output\n\n%s\n%s\n"
           "Examples:\n"
           "  costfront curves mlruns/\n"
           "  costfront curves runs.csv --curves history.jsonl --curve-metric val_loss:min --group-by model\n",
           cf_cli_run_options_help, cf_cli_catalog_options_help);
}

enum {
    OPT_CURVES = CF_OPT_COMMAND_BASE,
    OPT_METRIC,
    OPT_PATIENCE,
    OPT_MIN_DELTA,
    OPT_GROUP_BY,
    OPT_MEDIAN_MIN,
    OPT_ETA,
    OPT_RUNGS,
    OPT_TOP,
    OPT_FORMAT,
    OPT_OUT
};

/* Prints the history counts, rejected points (at most max) and notes. */
static void print_curve_counts(const cf_curves *cv, long max, int quiet)
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

int cf_cmd_curves(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"curves", required_argument, 0, OPT_CURVES},
                                             {"curve-metric", required_argument, 0, OPT_METRIC},
                                             {"patience", required_argument, 0, OPT_PATIENCE},
                                             {"min-delta", required_argument, 0, OPT_MIN_DELTA},
                                             {"group-by", required_argument, 0, OPT_GROUP_BY},
                                             {"median-min-evals", required_argument, 0, OPT_MEDIAN_MIN},
                                             {"eta", required_argument, 0, OPT_ETA},
                                             {"rungs", required_argument, 0, OPT_RUNGS},
                                             {"top", required_argument, 0, OPT_TOP},
                                             {"format", required_argument, 0, OPT_FORMAT},
                                             {"out", required_argument, 0, OPT_OUT},
                                             CF_CLI_RUN_OPTIONS,
                                             {0, 0, 0, 0}};
    cf_cli_inputs in;
    cf_cli_inputs_init(&in);
    cf_waste_opts wo;
    cf_waste_opts_default(&wo);
    const char **hist = calloc((size_t)argc + 1, sizeof *hist);
    size_t n_hist = 0;
    char metric[256] = "";
    long top = 20;
    cf_curves_format format = CF_CURVES_TABLE;
    const char *out_path = NULL;
    int rc = CF_EXIT_OK;
    if (hist == NULL) return CF_EXIT_INTERNAL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        long l;
        double d;
        switch (c) {
        case 'h':
            help();
            free(hist);
            return CF_EXIT_OK;
        case OPT_CURVES: hist[n_hist++] = optarg; continue;
        case OPT_METRIC: {
            const char *colon = strrchr(optarg, ':');
            if (colon != NULL && (strcmp(colon, ":max") == 0 || strcmp(colon, ":min") == 0)) {
                snprintf(metric, sizeof metric, "%.*s", (int)(colon - optarg), optarg);
                wo.maximize = strcmp(colon, ":max") == 0;
            } else {
                snprintf(metric, sizeof metric, "%s", optarg);
            }
            if (metric[0] == '\0') {
                rc = cf_cli_usage_error("curves", "--curve-metric: the metric name is empty");
                goto out;
            }
            wo.metric = metric;
            continue;
        }
        case OPT_PATIENCE:
        case OPT_MEDIAN_MIN:
        case OPT_RUNGS:
        case OPT_TOP: {
            const char *name = c == OPT_PATIENCE ? "--patience" : c == OPT_MEDIAN_MIN ? "--median-min-evals"
                               : c == OPT_RUNGS  ? "--rungs"
                                                 : "--top";
            if (cf_cli_parse_long(name, optarg, &l) != 0) {
                rc = CF_EXIT_USAGE;
                goto out;
            }
            if (l < (c == OPT_TOP ? 0 : 1) || l > 1000000) {
                rc = cf_cli_usage_error("curves", "%s: expected an integer from %d to 1000000, found %ld", name,
                                        c == OPT_TOP ? 0 : 1, l);
                goto out;
            }
            if (c == OPT_PATIENCE) wo.patience = (int)l;
            if (c == OPT_MEDIAN_MIN) wo.median_min_evals = (int)l;
            if (c == OPT_RUNGS) wo.rungs = (int)l;
            if (c == OPT_TOP) top = l;
            continue;
        }
        case OPT_MIN_DELTA:
        case OPT_ETA:
            if (cf_cli_parse_double(c == OPT_ETA ? "--eta" : "--min-delta", optarg, &d) != 0) {
                rc = CF_EXIT_USAGE;
                goto out;
            }
            if (c == OPT_ETA ? !(d > 1) : !(d >= 0)) {
                rc = cf_cli_usage_error("curves", "%s: expected a number %s, found %s",
                                        c == OPT_ETA ? "--eta" : "--min-delta", c == OPT_ETA ? "> 1" : ">= 0", optarg);
                goto out;
            }
            if (c == OPT_ETA) wo.eta = d;
            else wo.min_delta = d;
            continue;
        case OPT_GROUP_BY: wo.group_by = optarg; continue;
        case OPT_FORMAT:
            if (!strcmp(optarg, "table")) format = CF_CURVES_TABLE;
            else if (!strcmp(optarg, "json")) format = CF_CURVES_JSON;
            else if (!strcmp(optarg, "csv")) format = CF_CURVES_CSV;
            else {
                rc = cf_cli_usage_error("curves", "--format: expected table, json or csv, found '%s'", optarg);
                goto out;
            }
            continue;
        case OPT_OUT: out_path = optarg; continue;
        default: break;
        }
        int r = cf_cli_inputs_option(&in, c, optarg);
        if (r < 0) {
            rc = CF_EXIT_USAGE;
            goto out;
        }
        if (r == 0) {
            rc = cf_cli_usage_error("curves", "unknown option");
            goto out;
        }
    }
    if (optind >= argc && in.store_path == NULL) {
        rc = cf_cli_usage_error("curves", "give the runs (RUNS... or --store DB)");
        goto out;
    }
    /* Without --curves, the MLflow sources among the runs hold the histories too. */
    if (n_hist == 0)
        for (int i = optind; i < argc; i++) {
            cf_source_kind k;
            cf_error e;
            cf_error_clear(&e);
            if (cf_detect_source(argv[i], &k, &e) == CF_OK && (k == CF_SOURCE_MLFLOW_DIR || k == CF_SOURCE_MLFLOW_DB))
                hist[n_hist++] = argv[i];
        }
    if (n_hist == 0) {
        rc = cf_cli_usage_error("curves", "no history given: name one with --curves FILE (the runs are not an "
                                          "MLflow store, whose histories would be read)");
        goto out;
    }
    rc = cf_cli_load_runs(&in, argc - optind, argv + optind);
    if (rc != CF_EXIT_OK) goto out;
    cf_curves *cv = cf_curves_create();
    cf_waste *w = NULL;
    cf_error err;
    cf_error_clear(&err);
    if (cv == NULL) {
        rc = CF_EXIT_INTERNAL;
        goto out;
    }
    cf_status st = CF_OK;
    for (size_t i = 0; i < n_hist && st == CF_OK; i++) st = cf_curves_read(cv, hist[i], &err);
    if (st != CF_OK) {
        cf_cli_print_error(NULL, &err);
        rc = st == CF_ERR_NOMEM ? cf_cli_exit_for(st) : CF_EXIT_INPUT; /* an input that cannot be read is bad input */
        goto done;
    }
    print_curve_counts(cv, in.max_errors, in.quiet);
    if (cf_curves_rejected(cv) > 0 && !in.keep_going) {
        fprintf(stderr, "costfront curves: %zu history points rejected; fix them or pass --keep-going to analyse "
                        "the others\n",
                cf_curves_rejected(cv));
        rc = CF_EXIT_INPUT;
        goto done;
    }
    wo.pricing.provider = in.provider;
    wo.pricing.region = in.region;
    if (isfinite(in.checkpoint_minutes)) wo.pricing.spot.checkpoint_hours = in.checkpoint_minutes / 60.0;
    if (isfinite(in.restart_minutes)) wo.pricing.spot.restart_hours = in.restart_minutes / 60.0;
    if (isfinite(in.carbon_price)) wo.pricing.carbon_price_usd_per_t = in.carbon_price;
    st = cf_waste_compute(in.runs, cv, in.catalog, &wo, &w, &err);
    if (st != CF_OK) {
        cf_cli_print_error(NULL, &err);
        rc = st == CF_ERR_ARG || st == CF_ERR_EMPTY ? CF_EXIT_INPUT : cf_cli_exit_for(st);
        goto done;
    }
    if (!in.quiet && format != CF_CURVES_TABLE)
        for (size_t i = 0; i < cf_waste_note_count(w); i++) fprintf(stderr, "note: %s\n", cf_waste_note(w, i));
    if (out_path == NULL || strcmp(out_path, "-") == 0) {
        st = cf_report_waste(w, format, (size_t)top, stdout, &err);
        if (st == CF_OK && fflush(stdout) != 0) st = cf_error_set(&err, CF_ERR_IO, "stdout", 0, 0, NULL, "write failed");
    } else {
        cf_atomic_file *af = NULL;
        st = cf_atomic_open(out_path, &af, &err);
        if (st == CF_OK) {
            st = cf_report_waste(w, format, (size_t)top, cf_atomic_stream(af), &err);
            if (st == CF_OK) st = cf_atomic_commit(af, &err);
            else cf_atomic_abort(af);
        }
    }
    if (st != CF_OK) {
        cf_cli_print_error(NULL, &err);
        rc = CF_EXIT_OUTPUT;
    }
done:
    cf_waste_destroy(w);
    cf_curves_destroy(cv);
out:
    free(hist);
    cf_cli_inputs_free(&in);
    return rc;
}
