/* costfront report: writes the HTML report (charts, frontier, dominated runs, data quality) to a directory. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "costfront/output.h"
#include "costfront/report.h"
#include "costfront/report_predicted.h"
#include "nightly.h"
#include "plan_common.h"

#include <math.h>
#include <time.h>

static void help(void)
{
    printf(
        "usage: costfront report RUNS... --out DIR [options]\n"
        "       costfront report --store DB --out DIR [--alerts FILE] [options]   (the nightly job)\n\n"
        "Writes DIR/index.html (readable without a server), its SVG charts drawn by gnuplot, and the same result\n"
        "as DIR/report.json. DIR is replaced atomically: a failed run leaves an earlier report untouched.\n\n"
        "With --store, the report is dated: it is written to DIR/YYYY-MM-DD/, DIR/latest points at it, the\n"
        "report gains \"What changed since the last report\" (new runs, runs that entered or left the frontier,\n"
        "hypervolume and best cost at the target accuracy over time) and is recorded in the store's history.\n"
        "Hypervolumes stay comparable: without --reference the first stored report's reference point is reused.\n\n"
        "  --out DIR               the report directory (required)\n"
        "  --title TEXT            the report's title\n"
        "  --no-charts             tables only (no gnuplot needed)\n"
        "  --alerts FILE           budget and drift alerts (JSON; see README, \"The nightly job\"); when one fires\n"
        "                          it is printed, shown in the report, and the exit code is 5\n"
        "  --date YYYY-MM-DD       the report's date with --store (default: today, UTC)\n"
        "  --plan FILE             a TCO plan: adds on_prem and hybrid options, the recommendation and the\n"
        "                          \"Procurement and TCO\" section (cumulative cost, breakdown, tornado, Monte Carlo;\n"
        "                          --seed sets the Monte Carlo's seed)\n\n%s\n%s\n%s\n"
        "Examples:\n"
        "  costfront report examples/runs.csv --out report\n"
        "  costfront report runs.csv --target-accuracy 0.9 --carbon-price 85 --out report\n"
        "  costfront report --store runs.db --alerts alerts.json --out reports/\n",
        cf_cli_frontier_options_help, cf_cli_run_options_help, cf_cli_catalog_options_help);
}

enum { OPT_OUT = CF_OPT_COMMAND_BASE, OPT_TITLE, OPT_NO_CHARTS, OPT_ALERTS, OPT_DATE };

int cf_cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"out", required_argument, 0, OPT_OUT},
                                             {"title", required_argument, 0, OPT_TITLE},
                                             {"no-charts", no_argument, 0, OPT_NO_CHARTS},
                                             {"alerts", required_argument, 0, OPT_ALERTS},
                                             {"date", required_argument, 0, OPT_DATE},
                                             CF_CLI_PLAN_OPTIONS,
                                             CF_CLI_FRONTIER_OPTIONS,
                                             CF_CLI_RUN_OPTIONS,
                                             {0, 0, 0, 0}};
    cf_cli_inputs in;
    cf_cli_inputs_init(&in);
    cf_cli_frontier fr;
    cf_cli_frontier_init(&fr);
    cf_report_opts ro;
    cf_report_opts_default(&ro);
    const char *out_dir = NULL, *alerts_path = NULL, *date = NULL, *plan_path = NULL;
    unsigned long seed =
        CF_CLI_MC_SEED; /* --seed is a frontier option (fr.seed); this only receives cf_cli_plan_option */
    cf_plan *plan = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': help(); return CF_EXIT_OK;
        case 'o':
        case OPT_OUT: out_dir = optarg; continue;
        case OPT_TITLE: ro.title = optarg; continue;
        case OPT_NO_CHARTS: ro.charts = 0; continue;
        case OPT_ALERTS: alerts_path = optarg; continue;
        case OPT_DATE: date = optarg; continue;
        default: break;
        }
        int r = cf_cli_plan_option(c, optarg, &plan_path, &seed);
        if (r == 0) r = cf_cli_frontier_option(&fr, c, optarg);
        if (r == 0) r = cf_cli_inputs_option(&in, c, optarg);
        if (r < 0) return CF_EXIT_USAGE;
        if (r == 0) return cf_cli_usage_error("report", "unknown option");
    }
    if (out_dir == NULL) return cf_cli_usage_error("report", "--out DIR is required");
    int rc = cf_cli_plan_apply(plan_path, &in, &fr, &plan);
    if (rc == CF_EXIT_OK) rc = cf_cli_frontier_finish(&fr, &in);
    if (rc != CF_EXIT_OK) goto early;
    cf_cli_alerts alerts;
    if (alerts_path) {
        if (in.store_path == NULL) {
            rc = cf_cli_usage_error("report", "--alerts needs --store DB (alerts compare with the report history)");
            goto early;
        }
        rc = cf_cli_alerts_load(alerts_path, &alerts);
        if (rc != CF_EXIT_OK) goto early;
        if (!isfinite(fr.target_accuracy)) fr.target_accuracy = alerts.target_accuracy;
    }
    /* The report's date (UTC): --date, or now. */
    long long now = (long long)time(NULL);
    char day[16];
    if (date) {
        struct tm tm;
        memset(&tm, 0, sizeof tm);
        const char *end = strptime(date, "%Y-%m-%d", &tm);
        if (end == NULL || *end != '\0') {
            rc = cf_cli_usage_error("report", "--date: expected YYYY-MM-DD, found '%s'", date);
            goto early;
        }
        tm.tm_hour = 12;
        now = (long long)timegm(&tm);
    }
    {
        time_t tt = (time_t)now;
        struct tm tm;
        gmtime_r(&tt, &tm);
        strftime(day, sizeof day, "%Y-%m-%d", &tm);
    }
    if (in.store_path) {
        rc = cf_cli_history_reference(in.store_path, &fr);
        if (rc != CF_EXIT_OK) goto early;
    }
    ro.target_accuracy = fr.target_accuracy;
    rc = cf_cli_load_runs(&in, argc - optind, argv + optind);
    cf_frontier *f = NULL;
    cf_report *rep = NULL;
    char *dated = NULL;
    cf_store_report pending;
    memset(&pending, 0, sizeof pending);
    int fired = 0;
    if (rc != CF_EXIT_OK) goto out;
    f = cf_cli_compute_frontier(&fr, &in, &rc);
    if (f == NULL) goto out;
    cf_error err;
    cf_error_clear(&err);
    rep = cf_report_create(ro.title);
    if (rep == NULL) {
        rc = CF_EXIT_INTERNAL;
        goto out;
    }
    cf_status st = cf_report_frontier(rep, f, in.runs, in.catalog, &ro, &err);
    if (st == CF_OK && fr.predicted) st = cf_report_predicted(rep, f, &err);
    if (st == CF_OK && plan) {
        rc = cf_cli_recommend_report(rep, f, &in, fr.target_accuracy);
        if (rc == CF_EXIT_OK) rc = cf_cli_plan_report(rep, plan, &in, fr.seed);
        if (rc != CF_EXIT_OK) goto out;
    }
    if (st == CF_OK && in.store_path) {
        rc = cf_cli_history_section(in.store_path, rep, f, in.runs, alerts_path ? &alerts : NULL, fr.target_accuracy,
                                    now, &fired, &pending);
        if (rc != CF_EXIT_OK) goto out;
    }
    const char *target_dir = out_dir;
    if (st == CF_OK && in.store_path) {
        size_t n = strlen(out_dir) + strlen(day) + 2;
        dated = malloc(n);
        if (dated == NULL) {
            rc = CF_EXIT_INTERNAL;
            goto out;
        }
        snprintf(dated, n, "%s/%s", out_dir, day);
        if (mkdir(out_dir, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "costfront: report: cannot create %s: %s\n", out_dir, strerror(errno));
            rc = CF_EXIT_OUTPUT;
            goto out;
        }
        target_dir = dated;
    }
    if (st == CF_OK) st = cf_report_publish(rep, target_dir, &err);
    if (st != CF_OK) {
        cf_cli_print_error("report", &err);
        rc = CF_EXIT_OUTPUT;
        goto out;
    }
    if (in.store_path) {
        size_t n = strlen(out_dir) + 8;
        char *latest = malloc(n);
        if (latest == NULL) {
            rc = CF_EXIT_INTERNAL;
            goto out;
        }
        snprintf(latest, n, "%s/latest", out_dir);
        st = cf_symlink_atomic(day, latest, &err);
        free(latest);
        if (st != CF_OK) {
            cf_cli_print_error("report", &err);
            rc = CF_EXIT_OUTPUT;
            goto out;
        }
        rc = cf_cli_history_record(in.store_path, &pending);
        if (rc != CF_EXIT_OK) goto out;
    }
    printf("report written to %s/index.html\n", target_dir);
    if (fired > 0) {
        fprintf(stderr, "costfront: %d alert%s fired (exit code %d)\n", fired, fired == 1 ? "" : "s", CF_EXIT_ALERT);
        rc = CF_EXIT_ALERT;
    }
out:
    free(pending.frontier_json);
    free(dated);
    cf_report_destroy(rep);
    cf_frontier_destroy(f);
    cf_plan_destroy(plan);
    cf_cli_inputs_free(&in);
    return rc;
early: /* failures before the report is built: only the plan and the catalog are held */
    cf_plan_destroy(plan);
    cf_cli_inputs_free(&in);
    return rc;
}
