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
           "  --keep-going            skip rejected rows (they are listed) instead of stopping at the first\n"
           "  --max-errors N          rejected rows listed (default 20)\n"
           "  --quiet                 no counts on standard error\n\n"
           "Exit codes: 0 done, 1 usage, 2 a bill could not be read or has rejected rows (without --keep-going),\n"
           "3 the output could not be written.\n\n"
           "Examples:\n"
           "  costfront bill focus-2026-03.csv.gz --by team,project\n"
           "  costfront bill *.csv.gz --by team --spread-shared --format json --out showback.json\n");
}

enum { OPT_BY = CF_OPT_COMMAND_BASE, OPT_SPREAD, OPT_SHARED_TAG, OPT_FORMAT, OPT_OUT, OPT_KEEP, OPT_MAXERR, OPT_QUIET };

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
                                             {"keep-going", no_argument, 0, OPT_KEEP},
                                             {"max-errors", required_argument, 0, OPT_MAXERR},
                                             {"quiet", no_argument, 0, OPT_QUIET},
                                             {0, 0, 0, 0}};
    const char *by = NULL, *shared_tag = "shared=true", *out_path = NULL;
    int spread = 0, keep_going = 0, quiet = 0;
    long max_errors = 20;
    cf_bill_format format = CF_BILL_TABLE;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': help(); return CF_EXIT_OK;
        case OPT_BY: by = optarg; break;
        case OPT_SPREAD: spread = 1; break;
        case OPT_SHARED_TAG:
            if (*optarg && (strchr(optarg, '=') == NULL || optarg[0] == '='))
                return cf_cli_usage_error("bill", "--shared-tag: expected KEY=VALUE, found '%s'", optarg);
            shared_tag = optarg;
            break;
        case OPT_FORMAT:
            if (!strcmp(optarg, "table")) format = CF_BILL_TABLE;
            else if (!strcmp(optarg, "json")) format = CF_BILL_JSON;
            else if (!strcmp(optarg, "csv")) format = CF_BILL_CSV;
            else return cf_cli_usage_error("bill", "--format: expected table, json or csv, found '%s'", optarg);
            break;
        case OPT_OUT: out_path = optarg; break;
        case OPT_KEEP: keep_going = 1; break;
        case OPT_MAXERR:
            if (cf_cli_parse_long("--max-errors", optarg, &max_errors) != 0) return CF_EXIT_USAGE;
            if (max_errors < 0) return cf_cli_usage_error("bill", "--max-errors: expected N >= 0, found %ld", max_errors);
            break;
        case OPT_QUIET: quiet = 1; break;
        default: return cf_cli_usage_error("bill", "unknown option");
        }
    }
    if (optind >= argc) return cf_cli_usage_error("bill", "give the FOCUS bills (BILLS...)");
    int rc = CF_EXIT_OK;
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
        cf_status st = cf_focus_read(r, argv[i], cf_bill_row_fn, b, &err);
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
        st = cf_bill_write(b, format, stdout, &err);
        if (st == CF_OK && fflush(stdout) != 0) st = cf_error_set(&err, CF_ERR_IO, "stdout", 0, 0, NULL, "write failed");
    } else {
        cf_atomic_file *af = NULL;
        st = cf_atomic_open(out_path, &af, &err);
        if (st == CF_OK) {
            st = cf_bill_write(b, format, cf_atomic_stream(af), &err);
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
    return rc;
}
