/* costfront curves: what the learning curves of runs cost after they stopped improving, and what early-stopping
 * policies would have saved (the analysis is models/waste.c; the output reports/report_curves.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "curves_common.h"
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
           "  --group-by FIELD        totals and policies per value of a run field (model, dataset, project,\n"
           "                          hardware, ...) or hyperparameter\n"
           "  --top N                 runs listed in the table (default 20; 0: all)\n"
           "  --format F              table (default), json or csv (every run)\n"
           "  --out FILE              write to FILE (atomically) instead of standard output\n\n%s\n%s\n%s\n"
           "Examples:\n"
           "  costfront curves mlruns/\n"
           "  costfront curves runs.csv --curves history.jsonl --curve-metric val_loss:min --group-by model\n",
           cf_cli_curves_options_help, cf_cli_run_options_help, cf_cli_catalog_options_help);
}


enum { OPT_GROUP_BY = CF_OPT_COMMAND_BASE, OPT_TOP, OPT_FORMAT, OPT_OUT };

int cf_cmd_curves(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"group-by", required_argument, 0, OPT_GROUP_BY},
                                             {"top", required_argument, 0, OPT_TOP},
                                             {"format", required_argument, 0, OPT_FORMAT},
                                             {"out", required_argument, 0, OPT_OUT},
                                             CF_CLI_CURVES_OPTIONS,
                                             CF_CLI_RUN_OPTIONS,
                                             {0, 0, 0, 0}};
    cf_cli_inputs in;
    cf_cli_inputs_init(&in);
    cf_cli_curves cc;
    cf_cli_curves_init(&cc);
    long top = 20;
    cf_curves_format format = CF_CURVES_TABLE;
    const char *out_path = NULL;
    int rc = CF_EXIT_OK;
    cf_curves *cv = NULL;
    cf_waste *w = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        long l;
        switch (c) {
        case 'h':
            help();
            cf_cli_curves_free(&cc);
            return CF_EXIT_OK;
        case OPT_TOP:
            if (cf_cli_parse_long("--top", optarg, &l) != 0) {
                rc = CF_EXIT_USAGE;
                goto out;
            }
            if (l < 0 || l > 1000000000L) {
                rc = cf_cli_usage_error("curves", "--top: expected an integer >= 0, found %ld", l);
                goto out;
            }
            top = l;
            continue;
        case OPT_GROUP_BY: cc.wo.group_by = optarg; continue;
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
        int r = cf_cli_curves_option(&cc, "curves", c, optarg);
        if (r == 0) r = cf_cli_inputs_option(&in, c, optarg);
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
    if (!cf_cli_curves_wanted(&cc, argc - optind, argv + optind)) {
        rc = cf_cli_usage_error("curves", "no history given: name one with --curves FILE (the runs are not an "
                                          "MLflow store, whose histories would be read)");
        goto out;
    }
    rc = cf_cli_load_runs(&in, argc - optind, argv + optind);
    if (rc != CF_EXIT_OK) goto out;
    rc = cf_cli_curves_compute(&cc, &in, &cv, &w);
    if (rc != CF_EXIT_OK) goto out;
    if (!in.quiet && format != CF_CURVES_TABLE)
        for (size_t i = 0; i < cf_waste_note_count(w); i++) fprintf(stderr, "note: %s\n", cf_waste_note(w, i));
    cf_error err;
    cf_error_clear(&err);
    cf_status st;
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
out:
    cf_waste_destroy(w);
    cf_curves_destroy(cv);
    cf_cli_curves_free(&cc);
    cf_cli_inputs_free(&in);
    return rc;
}
