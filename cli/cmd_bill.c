/* costfront bill: showback from FOCUS billing exports (parsing and printing only; the reader is data/read_focus.c
 * and the grouping models/bill.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "costfront/bill.h"
#include "costfront/focus.h"
#include "costfront/output.h"

static void help(void)
{
    printf("usage: costfront bill BILLS... [--by KEY,KEY...] [options]\n\n"
           "Reads FOCUS 1.0, 1.1 or 1.2 billing exports (CSV or gzip-compressed CSV, e.g. from AWS Data Exports,\n"
           "Azure cost exports or Google Cloud's FOCUS export; '-' is standard input), streamed, and prints the\n"
           "showback: BilledCost and EffectiveCost per month and per group of tag values (Tags column), with the\n"
           "share of the month's total. Rows carrying none of the --by keys are shown as (untagged); Tax rows and\n"
           "rows tagged shared=true as (shared).\n\n"
           "  --by KEYS               comma-separated tag keys that form a group (e.g. team,project)\n"
           "  --spread-shared         spread each month's shared cost over its groups by their own cost\n"
           "  --shared-tag KEY=VALUE  the tag that marks shared cost (default shared=true; '' : Tax rows only)\n"
           "  --format F              table (default), json or csv\n"
           "  --out FILE              write to FILE (atomically) instead of standard output\n"
           "  --runs FILE             join the accelerator rows to these runs (repeat for more files; any run\n"
           "                          source), or --store DB; runs may carry start_time, end_time, resource_id,\n"
           "                          status and gpu_util columns. Output: per run billed and effective cost\n"
           "                          against the modelled cost (hours, price and discount effects), unassigned\n"
           "                          rows with their rule, idle cost per resource and hour of day, unit economics\n"
           "  --join-tag KEY          the tag holding a run id (default run_id; e.g. mlflow.runId, job)\n"
           "  --baseline ACC          accuracy baseline of cost per accuracy point (default: the least accurate)\n"
           "  --keep-going            skip rejected rows (they are listed) instead of stopping at the first\n"
           "  --max-errors N          rejected rows listed\n"
           "  --quiet                 no counts on standard error\n\n%s\n%s\n"
           "Exit codes: 0 done, 1 usage, 2 a bill could not be read or has rejected rows (without --keep-going),\n"
           "3 the output could not be written.\n\n"
           "Examples:\n"
           "  costfront bill focus-2026-03.csv.gz --by team,project\n"
           "  costfront bill *.csv.gz --by team --spread-shared --format json --out showback.json\n"
           "  costfront bill bill.csv.gz --runs runs.csv --join-tag run_id\n",
           cf_cli_run_options_help, cf_cli_catalog_options_help);
}

enum { OPT_BY = CF_OPT_COMMAND_BASE, OPT_SPREAD, OPT_SHARED_TAG, OPT_FORMAT, OPT_OUT, OPT_RUNS, OPT_JOIN_TAG, OPT_BASELINE };

/* Both consumers of the rows: the showback and, with runs, the join. */
typedef struct both {
    cf_bill *bill;
    cf_bill_join *join;
} both;

static cf_status both_fn(const cf_focus_row *row, void *ctx)
{
    both *b = ctx;
    cf_status st = cf_bill_add_row(b->bill, row);
    if (st == CF_OK && b->join) st = cf_bill_join_add_row(b->join, row);
    return st;
}

/* Prints the kept rejected rows of r, at most max. */
static void print_rejects(const cf_focus_reader *r, long max)
{
    size_t n = cf_focus_reader_rejected(r);
    size_t shown = 0;
    for (size_t i = 0; i < n && (long)shown < max; i++) {
        const cf_error *e = cf_focus_reader_reject(r, i);
        if (e == NULL) break;
        cf_cli_print_error(NULL, e);
        shown++;
    }
    if (n > shown) fprintf(stderr, "costfront bill: ... and %zu more rejected rows\n", n - shown);
}

int cf_cmd_bill(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"by", required_argument, 0, OPT_BY},
                                             {"spread-shared", no_argument, 0, OPT_SPREAD},
                                             {"shared-tag", required_argument, 0, OPT_SHARED_TAG},
                                             {"format", required_argument, 0, OPT_FORMAT},
                                             {"out", required_argument, 0, OPT_OUT},
                                             {"runs", required_argument, 0, OPT_RUNS},
                                             {"join-tag", required_argument, 0, OPT_JOIN_TAG},
                                             {"baseline", required_argument, 0, OPT_BASELINE},
                                             CF_CLI_RUN_OPTIONS,
                                             {0, 0, 0, 0}};
    cf_cli_inputs in;
    cf_cli_inputs_init(&in);
    char **runfiles = calloc((size_t)argc + 1, sizeof *runfiles);
    int nrunfiles = 0;
    const char *join_tag = "run_id";
    double baseline = NAN;
    cf_bill_join *join = NULL;
    if (runfiles == NULL) return CF_EXIT_INTERNAL;
    const char *by = NULL, *shared_tag = "shared=true", *out_path = NULL;
    int spread = 0;
    cf_bill_format format = CF_BILL_TABLE;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': help(); free(runfiles); cf_cli_inputs_free(&in); return CF_EXIT_OK;
        case OPT_BY: by = optarg; break;
        case OPT_SPREAD: spread = 1; break;
        case OPT_SHARED_TAG:
            if (*optarg && (strchr(optarg, '=') == NULL || optarg[0] == '=')) {
                cf_cli_usage_error("bill", "--shared-tag: expected KEY=VALUE, found '%s'", optarg);
                goto usage;
            }
            shared_tag = optarg;
            break;
        case OPT_FORMAT:
            if (!strcmp(optarg, "table")) format = CF_BILL_TABLE;
            else if (!strcmp(optarg, "json")) format = CF_BILL_JSON;
            else if (!strcmp(optarg, "csv")) format = CF_BILL_CSV;
            else {
                cf_cli_usage_error("bill", "--format: expected table, json or csv, found '%s'", optarg);
                goto usage;
            }
            break;
        case OPT_OUT: out_path = optarg; break;
        case OPT_RUNS: runfiles[nrunfiles++] = optarg; break;
        case OPT_JOIN_TAG: join_tag = optarg; break;
        case OPT_BASELINE:
            if (cf_cli_parse_double("--baseline", optarg, &baseline) != 0) goto usage;
            break;
        default: {
            int r = cf_cli_inputs_option(&in, c, optarg);
            if (r < 0) goto usage;
            if (r == 0) {
                cf_cli_usage_error("bill", "unknown option");
                goto usage;
            }
        }
        }
    }
    int rc = CF_EXIT_OK;
    int keep_going = in.keep_going, quiet = in.quiet;
    long max_errors = in.max_errors;
    if (optind >= argc) {
        cf_cli_usage_error("bill", "give the FOCUS bills (BILLS...)");
        goto usage;
    }
    if (nrunfiles > 0 || in.store_path) {
        rc = cf_cli_load_runs(&in, nrunfiles, runfiles);
        if (rc != CF_EXIT_OK) {
            free(runfiles);
            cf_cli_inputs_free(&in);
            return rc;
        }
        join = cf_bill_join_create(in.runs, in.catalog, join_tag);
        if (join == NULL) {
            free(runfiles);
            cf_cli_inputs_free(&in);
            return CF_EXIT_INTERNAL;
        }
        cf_bill_join_set_baseline(join, baseline);
    }
    cf_bill *b = cf_bill_create(by);
    cf_focus_reader *r = cf_focus_reader_create();
    cf_error err;
    cf_error_clear(&err);
    if (b == NULL || r == NULL || cf_bill_set_shared_tag(b, shared_tag) != CF_OK) {
        fprintf(stderr, "costfront bill: out of memory\n");
        rc = CF_EXIT_INTERNAL;
        goto out;
    }
    cf_bill_set_spread_shared(b, spread);
    cf_focus_reader_set_keep_going(r, keep_going);
    for (int i = optind; i < argc; i++) {
        both bb = {b, join};
        cf_status st = cf_focus_read(r, argv[i], both_fn, &bb, &err);
        if (st != CF_OK) {
            cf_cli_print_error(NULL, &err);
            if (keep_going == 0 && (st == CF_ERR_INVALID || st == CF_ERR_PARSE) && err.line > 1)
                fprintf(stderr, "costfront bill: stopped at the first rejected row; --keep-going skips them\n");
            /* a bill that cannot be opened or read is bad input (2), like a run file */
            rc = st == CF_ERR_NOMEM ? CF_EXIT_INTERNAL : CF_EXIT_INPUT;
            goto out;
        }
    }
    if (!quiet)
        fprintf(stderr, "bill: read %zu rows, accepted %zu, rejected %zu (FOCUS %s)\n", cf_focus_reader_read(r),
                cf_focus_reader_accepted(r), cf_focus_reader_rejected(r), cf_focus_reader_version(r));
    if (cf_focus_reader_rejected(r)) print_rejects(r, max_errors);
    if (cf_bill_finish(b) != CF_OK) {
        fprintf(stderr, "costfront bill: out of memory\n");
        rc = CF_EXIT_INTERNAL;
        goto out;
    }
    cf_status st;
    if (out_path == NULL || strcmp(out_path, "-") == 0) {
        st = join ? cf_bill_join_write(join, format, stdout, &err) : cf_bill_write(b, format, stdout, &err);
        if (st == CF_OK && fflush(stdout) != 0) st = cf_error_set(&err, CF_ERR_IO, "stdout", 0, 0, NULL, "write failed");
    } else {
        cf_atomic_file *af = NULL;
        st = cf_atomic_open(out_path, &af, &err);
        if (st == CF_OK) {
            st = join ? cf_bill_join_write(join, format, cf_atomic_stream(af), &err)
                      : cf_bill_write(b, format, cf_atomic_stream(af), &err);
            if (st == CF_OK) st = cf_atomic_commit(af, &err);
            else cf_atomic_abort(af);
        }
    }
    if (st != CF_OK) {
        cf_cli_print_error(NULL, &err);
        rc = CF_EXIT_OUTPUT;
    }
out:
    cf_focus_reader_destroy(r);
    cf_bill_destroy(b);
    cf_bill_join_destroy(join);
    free(runfiles);
    cf_cli_inputs_free(&in);
    return rc;
usage:
    free(runfiles);
    cf_cli_inputs_free(&in);
    return CF_EXIT_USAGE;
}
