/* costfront frontier: prices runs and prints the cost-accuracy Pareto frontier. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "costfront/report.h"
#include "plan_common.h"

static void help(void)
{
    printf("usage: costfront frontier RUNS... [--format table|json|csv] [--out FILE] [options]\n\n"
           "Prices every run under every procurement option, computes the Pareto frontier over the (run, option)\n"
           "pairs, the Pareto ranks, the knee, the hypervolume, and for every dominated pair one pair that\n"
           "dominates it and by how much.\n\n"
           "  --format F              table (default), json or csv\n"
           "  --out FILE              write to FILE (atomically) instead of standard output\n"
           "  --plan FILE             a TCO plan: on_prem and hybrid become options for runs on its hardware\n\n"
           "%s\n%s\n%s\n"
           "Examples:\n"
           "  costfront frontier examples/runs.csv\n"
           "  costfront frontier examples/runs.csv --objectives accuracy:max,cost_usd:min,co2e_kg:min --format json\n"
           "  costfront frontier my.csv --map val_acc=accuracy,gpu=hardware --procurement spot,on_demand\n",
           cf_cli_frontier_options_help, cf_cli_run_options_help, cf_cli_catalog_options_help);
}

enum { OPT_FORMAT = CF_OPT_COMMAND_BASE, OPT_OUT };

/* What the JSON writer needs. */
typedef struct json_args {
    const cf_frontier *f;
    const cf_runset *rs;
    const cf_catalog *cat;
    const cf_report_opts *ro;
} json_args;

/* Streams the frontier's JSON to out (cf_cli_stream_output's writer). */
static cf_status json_writer(FILE *out, void *arg, cf_error *err)
{
    const json_args *a = arg;
    return cf_report_json_stream(a->f, a->rs, a->cat, a->ro, out, err);
}

int cf_cmd_frontier(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"format", required_argument, 0, OPT_FORMAT},
                                             {"out", required_argument, 0, OPT_OUT},
                                             {"plan", required_argument, 0, CF_OPT_PLAN},
                                             CF_CLI_FRONTIER_OPTIONS,
                                             CF_CLI_RUN_OPTIONS,
                                             {0, 0, 0, 0}};
    cf_cli_inputs in;
    cf_cli_inputs_init(&in);
    cf_cli_frontier fr;
    cf_cli_frontier_init(&fr);
    const char *format = "table", *out_path = NULL, *plan_path = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            help();
            return CF_EXIT_OK;
        }
        if (c == OPT_FORMAT) {
            if (strcmp(optarg, "table") && strcmp(optarg, "json") && strcmp(optarg, "csv"))
                return cf_cli_usage_error("frontier", "--format: expected table, json or csv, found '%s'", optarg);
            format = optarg;
            continue;
        }
        if (c == OPT_OUT) {
            out_path = optarg;
            continue;
        }
        if (c == CF_OPT_PLAN) {
            plan_path = optarg;
            continue;
        }
        int r = cf_cli_frontier_option(&fr, c, optarg);
        if (r == 0) r = cf_cli_inputs_option(&in, c, optarg);
        if (r < 0) return CF_EXIT_USAGE;
        if (r == 0) return cf_cli_usage_error("frontier", "unknown option");
    }
    cf_plan *plan = NULL;
    cf_frontier *f = NULL;
    char *text = NULL;
    int rc = cf_cli_plan_apply(plan_path, &in, &fr, &plan);
    if (rc == CF_EXIT_OK) rc = cf_cli_frontier_finish(&fr, &in);
    if (rc == CF_EXIT_OK) rc = cf_cli_load_runs(&in, argc - optind, argv + optind);
    if (rc != CF_EXIT_OK) goto out;
    f = cf_cli_compute_frontier(&fr, &in, &rc);
    if (f == NULL) goto out;
    cf_error err;
    cf_error_clear(&err);
    cf_status st;
    cf_report_opts ro;
    cf_report_opts_default(&ro);
    ro.target_accuracy = fr.target_accuracy;
    if (!strcmp(format, "json")) {
        /* Streamed (issue 14): a million runs' JSON is never held in memory whole. */
        rc = cf_cli_stream_output(out_path, json_writer, &(json_args){f, in.runs, in.catalog, &ro});
        goto out;
    } else if (!strcmp(format, "csv"))
        st = cf_report_csv(f, &text, &err);
    else
        st = cf_report_table_opts(f, in.runs, &ro, &text, &err);
    if (st != CF_OK) {
        cf_cli_print_error(NULL, &err);
        rc = cf_cli_exit_for(st);
        goto out;
    }
    rc = cf_cli_write_output(out_path, text);
out:
    free(text);
    cf_frontier_destroy(f);
    cf_plan_destroy(plan);
    cf_cli_inputs_free(&in);
    return rc;
}
