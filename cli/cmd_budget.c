/* costfront budget check: reads FOCUS bills (data/read_focus.c) and a budget file, and prints each budget's spend
 * to date, burn rate, forecast and thresholds (models/budget.c); exit code 8 when a threshold is crossed or
 * forecast to be crossed, so a pipeline step can stop before an expensive job. Parsing and printing only. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "costfront/budget.h"
#include "costfront/catalog.h"
#include "costfront/focus.h"

static void help(void)
{
    printf("usage: costfront budget check --bill BILL [--bill BILL...] --budget FILE [options]\n\n"
           "Reads FOCUS billing exports (CSV or gzip CSV) and a budget file, and prints per budget the spend to\n"
           "date in the calendar month of the as-of day, the burn rate (mean daily spend), the forecast to the end\n"
           "of the month with a prediction interval, and each threshold: crossed, forecast (alerts), possible\n"
           "(only the interval's high end reaches it) or ok. Budget file (README, \"Budgets and the kill switch\"):\n"
           "  {\"budgets\": [{\"team\": \"nlp\", \"monthly_usd\": 5000, \"thresholds\": [0.5, 0.8, 1.0],\n"
           "                \"periods\": {\"2026-11\": 4000}}]}\n\n"
           "Options:\n"
           "  --bill FILE          a FOCUS export (repeatable; also as positional arguments)\n"
           "  --budget FILE        the budget file (required)\n"
           "  --as-of YYYY-MM-DD   the day to evaluate (default: the last charge day in the bills)\n"
           "  --cost effective|billed  EffectiveCost (default: after commitment discounts) or BilledCost\n"
           "  --level L            prediction-interval level in (0, 1) (default 0.95)\n"
           "  --format table|json  (default table)\n"
           "  --keep-going         skip rejected bill rows (counted and listed) instead of stopping\n"
           "  -o, --output FILE    write the table or JSON to FILE (atomically) instead of standard output\n\n"
           "Exit codes: 0 no alert, 1 usage, 2 bad bill or budget file (file:line:column or JSON path),\n"
           "3 output not written, 8 a threshold is crossed or forecast to be crossed.\n\n"
           "Example:\n"
           "  costfront budget check --bill focus.csv.gz --budget budgets.json || exit 0  # stop the DAG here\n");
}

/* What the row callbacks share. */
typedef struct budget_ctx {
    cf_budget_eval *ev;
    int billed;
    long last_day;
    size_t non_usd;
    cf_error *err;
} budget_ctx;

/* First pass: the last charge day. */
static cf_status last_day_fn(const cf_focus_row *row, void *p)
{
    budget_ctx *c = p;
    long d = (long)floor(row->charge_start / 86400.0);
    if (d > c->last_day) c->last_day = d;
    return CF_OK;
}

/* Second pass: every row into the evaluation. */
static cf_status add_fn(const cf_focus_row *row, void *p)
{
    budget_ctx *c = p;
    return cf_budget_eval_add_focus(c->ev, row, c->billed, &c->non_usd);
}

/* Reads every bill through fn; prints rejects and counts. Returns an exit code. */
static int read_bills(char **bills, size_t nb, int keep_going, cf_focus_row_fn fn, budget_ctx *c, int verbose)
{
    cf_focus_reader *r = cf_focus_reader_create();
    if (!r) return CF_EXIT_INTERNAL;
    cf_focus_reader_set_keep_going(r, keep_going);
    int rc = CF_EXIT_OK;
    for (size_t i = 0; i < nb && rc == CF_EXIT_OK; i++) {
        cf_error err;
        cf_error_clear(&err);
        c->err = &err;
        cf_status st = cf_focus_read(r, bills[i], fn, c, &err);
        if (st != CF_OK) {
            cf_cli_print_error("--bill", &err);
            rc = st == CF_ERR_NOMEM ? CF_EXIT_INTERNAL : CF_EXIT_INPUT;
        }
    }
    if (verbose) {
        size_t nrej = cf_focus_reader_rejected(r);
        for (size_t i = 0; i < nrej && i < CF_FOCUS_MAX_REJECTS; i++) cf_cli_print_error("rejected", cf_focus_reader_reject(r, i));
        fprintf(stderr, "costfront budget: bill rows read %zu, accepted %zu, rejected %zu\n", cf_focus_reader_read(r),
                cf_focus_reader_accepted(r), nrej);
    }
    cf_focus_reader_destroy(r);
    return rc;
}

/* The table of results. NULL when memory runs out. */
static char *table(const cf_budget_eval *ev)
{
    char *buf = NULL;
    size_t len = 0;
    int bad = 0;
    const cf_budget_result *r0 = cf_budget_eval_result(ev, 0);
    bad |= cf_cli_cat(&buf, &len, "period %s, day %ld of %ld\n", r0->period, r0->days_elapsed, r0->days_in_period);
    bad |= cf_cli_cat(&buf, &len, "%-24s %12s %12s %12s %12s %25s  %s\n", "budget", "budget_usd", "spend_usd",
                      "burn_usd/day", "forecast_usd", "interval_usd", "thresholds");
    for (size_t i = 0; i < cf_budget_eval_count(ev); i++) {
        const cf_budget_result *r = cf_budget_eval_result(ev, i);
        char iv[64];
        if (isnan(r->forecast_low_usd))
            snprintf(iv, sizeof iv, "-");
        else
            snprintf(iv, sizeof iv, "[%.2f, %.2f]", r->forecast_low_usd, r->forecast_high_usd);
        bad |= cf_cli_cat(&buf, &len, "%-24s %12.2f %12.2f %12.2f %12.2f %25s ", r->name, r->budget_usd,
                          r->spend_usd, r->burn_usd_per_day, r->forecast_usd, iv);
        for (size_t k = 0; k < r->threshold_count; k++)
            bad |= cf_cli_cat(&buf, &len, " %g%%:%s", 100 * r->thresholds[k].fraction,
                              cf_budget_level_name(r->thresholds[k].level));
        if (isnan(r->budget_usd)) bad |= cf_cli_cat(&buf, &len, " (no amount for %s)", r->period);
        bad |= cf_cli_cat(&buf, &len, "\n");
    }
    for (size_t i = 0; i < cf_budget_eval_alert_count(ev); i++)
        bad |= cf_cli_cat(&buf, &len, "ALERT: %s\n", cf_budget_eval_alert_text(ev, i));
    if (bad) {
        free(buf);
        return NULL;
    }
    return buf;
}

enum { OPT_BILL = 1, OPT_BUDGET, OPT_ASOF, OPT_COST, OPT_LEVEL, OPT_FORMAT, OPT_KEEP };

static int budget_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},          {"bill", required_argument, 0, OPT_BILL},
        {"budget", required_argument, 0, OPT_BUDGET}, {"as-of", required_argument, 0, OPT_ASOF},
        {"cost", required_argument, 0, OPT_COST}, {"level", required_argument, 0, OPT_LEVEL},
        {"format", required_argument, 0, OPT_FORMAT}, {"keep-going", no_argument, 0, OPT_KEEP},
        {"output", required_argument, 0, 'o'},  {0, 0, 0, 0}};
    char **bills = calloc((size_t)argc + 1, sizeof *bills);
    if (!bills) return CF_EXIT_INTERNAL;
    size_t nb = 0;
    const char *budget_path = NULL, *as_of = NULL, *out = NULL;
    int billed = 0, json = 0, keep = 0, c, rc = CF_EXIT_OK;
    double level = 0.95;
    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': help(); free(bills); return CF_EXIT_OK;
        case OPT_BILL: bills[nb++] = optarg; break;
        case OPT_BUDGET: budget_path = optarg; break;
        case OPT_ASOF: as_of = optarg; break;
        case OPT_COST:
            if (strcmp(optarg, "effective") && strcmp(optarg, "billed")) {
                free(bills);
                return cf_cli_usage_error("budget check", "--cost expects effective or billed, found '%s'", optarg);
            }
            billed = !strcmp(optarg, "billed");
            break;
        case OPT_LEVEL:
            if (cf_cli_parse_double("--level", optarg, &level) || !(level > 0 && level < 1)) {
                free(bills);
                return cf_cli_usage_error("budget check", "--level expects a number in (0, 1), found '%s'", optarg);
            }
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "table") && strcmp(optarg, "json")) {
                free(bills);
                return cf_cli_usage_error("budget check", "--format expects table or json, found '%s'", optarg);
            }
            json = !strcmp(optarg, "json");
            break;
        case OPT_KEEP: keep = 1; break;
        case 'o': out = optarg; break;
        default: free(bills); return cf_cli_usage_error("budget check", "unknown option");
        }
    }
    while (optind < argc) bills[nb++] = argv[optind++];
    if (budget_path == NULL) rc = cf_cli_usage_error("budget check", "--budget FILE is required");
    else if (nb == 0) rc = cf_cli_usage_error("budget check", "at least one --bill FILE is required");
    long as_of_day = 0;
    if (rc == CF_EXIT_OK && as_of && !cf_catalog_parse_date(as_of, &as_of_day))
        rc = cf_cli_usage_error("budget check", "--as-of expects a date YYYY-MM-DD, found '%s'", as_of);
    if (rc != CF_EXIT_OK) {
        free(bills);
        return rc;
    }
    cf_budget *b = NULL;
    cf_budget_eval *ev = NULL;
    budget_ctx ctx = {0};
    ctx.billed = billed;
    ctx.last_day = -1000000000L;
    char *text = NULL;
    char *btxt = cf_cli_read_text("budget check --budget", budget_path);
    cf_error err;
    cf_error_clear(&err);
    if (btxt == NULL) {
        rc = CF_EXIT_INPUT;
        goto done;
    }
    if (cf_budget_parse(btxt, strlen(btxt), budget_path, &b, &err) != CF_OK) {
        cf_cli_print_error(NULL, &err);
        rc = err.status == CF_ERR_NOMEM ? CF_EXIT_INTERNAL : CF_EXIT_INPUT;
        goto done;
    }
    char day_text[16];
    if (as_of == NULL) {
        if ((rc = read_bills(bills, nb, keep, last_day_fn, &ctx, 0)) != CF_EXIT_OK) goto done;
        if (ctx.last_day == -1000000000L) {
            fprintf(stderr, "costfront budget check: the bills have no rows; give --as-of\n");
            rc = CF_EXIT_INPUT;
            goto done;
        }
        /* Days since the epoch back to a date (UTC). */
        time_t t = (time_t)ctx.last_day * 86400;
        struct tm tmv;
        gmtime_r(&t, &tmv);
        strftime(day_text, sizeof day_text, "%Y-%m-%d", &tmv);
        as_of = day_text;
    }
    if (cf_budget_eval_create(b, as_of, level, &ev, &err) != CF_OK) {
        cf_cli_print_error(NULL, &err);
        rc = CF_EXIT_INPUT;
        goto done;
    }
    ctx.ev = ev;
    if ((rc = read_bills(bills, nb, keep, add_fn, &ctx, 1)) != CF_EXIT_OK) goto done;
    if (ctx.non_usd > 0) {
        fprintf(stderr, "costfront budget check: %zu bill rows are not in USD (BillingCurrency); budgets are in USD\n",
                ctx.non_usd);
        rc = CF_EXIT_INPUT;
        goto done;
    }
    fprintf(stderr, "costfront budget: %zu rows outside the month up to %s were not counted\n",
            cf_budget_eval_rows_outside(ev), as_of);
    if (cf_budget_eval_finish(ev, &err) != CF_OK) {
        cf_cli_print_error(NULL, &err);
        rc = CF_EXIT_INTERNAL;
        goto done;
    }
    if (json) {
        if (cf_budget_eval_to_json(ev, &text, &err) != CF_OK) {
            cf_cli_print_error(NULL, &err);
            rc = CF_EXIT_INTERNAL;
            goto done;
        }
    } else if ((text = table(ev)) == NULL) {
        rc = CF_EXIT_INTERNAL;
        goto done;
    }
    rc = cf_cli_write_output(out, text);
    if (rc == CF_EXIT_OK && cf_budget_eval_alert(ev)) {
        for (size_t i = 0; json && i < cf_budget_eval_alert_count(ev); i++)
            fprintf(stderr, "ALERT: %s\n", cf_budget_eval_alert_text(ev, i));
        rc = CF_EXIT_BUDGET;
    }
done:
    free(text);
    cf_budget_eval_destroy(ev);
    cf_budget_destroy(b);
    free(btxt);
    free(bills);
    return rc;
}

int cf_cmd_budget(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help();
        return argc < 2 ? CF_EXIT_USAGE : CF_EXIT_OK;
    }
    if (!strcmp(argv[1], "check")) return budget_check(argc - 1, argv + 1);
    return cf_cli_usage_error("budget", "unknown subcommand '%s' (expected check)", argv[1]);
}
