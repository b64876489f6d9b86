/* costfront report: writes the HTML report (charts, frontier, dominated runs, data quality) to a directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "costfront/report.h"

static void help(void)
{
    printf("usage: costfront report RUNS... --out DIR [options]\n\n"
           "Writes DIR/index.html (readable without a server), its SVG charts drawn by gnuplot, and the same result\n"
           "as DIR/report.json. DIR is replaced atomically: a failed run leaves an earlier report untouched.\n\n"
           "  --out DIR               the report directory (required)\n"
           "  --title TEXT            the report's title\n"
           "  --no-charts             tables only (no gnuplot needed)\n\n%s\n%s\n%s\n"
           "Examples:\n"
           "  costfront report examples/runs.csv --out report\n"
           "  costfront report runs.csv --target-accuracy 0.9 --carbon-price 85 --out report\n",
           cf_cli_frontier_options_help, cf_cli_run_options_help, cf_cli_catalog_options_help);
}

enum { OPT_OUT = CF_OPT_COMMAND_BASE, OPT_TITLE, OPT_NO_CHARTS };

int cf_cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"out", required_argument, 0, OPT_OUT},
                                             {"title", required_argument, 0, OPT_TITLE},
                                             {"no-charts", no_argument, 0, OPT_NO_CHARTS},
                                             CF_CLI_FRONTIER_OPTIONS,
                                             CF_CLI_RUN_OPTIONS,
                                             {0, 0, 0, 0}};
    cf_cli_inputs in;
    cf_cli_inputs_init(&in);
    cf_cli_frontier fr;
    cf_cli_frontier_init(&fr);
    cf_report_opts ro;
    cf_report_opts_default(&ro);
    const char *out_dir = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': help(); return CF_EXIT_OK;
        case 'o':
        case OPT_OUT: out_dir = optarg; continue;
        case OPT_TITLE: ro.title = optarg; continue;
        case OPT_NO_CHARTS: ro.charts = 0; continue;
        default: break;
        }
        int r = cf_cli_frontier_option(&fr, c, optarg);
        if (r == 0) r = cf_cli_inputs_option(&in, c, optarg);
        if (r < 0) return CF_EXIT_USAGE;
        if (r == 0) return cf_cli_usage_error("report", "unknown option");
    }
    if (out_dir == NULL) return cf_cli_usage_error("report", "--out DIR is required");
    int rc = cf_cli_frontier_finish(&fr, &in);
    if (rc != CF_EXIT_OK) return rc;
    ro.target_accuracy = fr.target_accuracy;
    rc = cf_cli_load_runs(&in, argc - optind, argv + optind);
    cf_frontier *f = NULL;
    if (rc != CF_EXIT_OK) goto out;
    f = cf_cli_compute_frontier(&fr, &in, &rc);
    if (f == NULL) goto out;
    cf_error err;
    cf_error_clear(&err);
    cf_status st = cf_report_write(f, in.runs, in.catalog, &ro, out_dir, &err);
    if (st != CF_OK) {
        cf_cli_print_error("report", &err);
        rc = CF_EXIT_OUTPUT;
        goto out;
    }
    printf("report written to %s/index.html\n", out_dir);
out:
    cf_frontier_destroy(f);
    cf_cli_inputs_free(&in);
    return rc;
}
