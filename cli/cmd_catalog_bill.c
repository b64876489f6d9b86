/* costfront catalog from-bill: reads FOCUS bills and writes a user catalog of the effective prices per
 * accelerator-hour the team really pays (models/bill_prices.c). Parsing and printing only. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "costfront/bill_prices.h"
#include "costfront/focus.h"

static void help(void)
{
    printf("usage: costfront catalog from-bill BILL... -o user_catalog.json [--catalog FILE] [--keep-going]\n\n"
           "Writes a user catalog of effective prices per accelerator-hour (EffectiveCost / accelerator-hours) by\n"
           "hardware x region x commitment from FOCUS exports (CSV or gzip CSV): on_demand from usage without a\n"
           "commitment discount, reserved_1y from usage under one; the bill as source, the last charge day as\n"
           "as_of. Hardware comes from the x_ columns, SkuId or ResourceName through the catalog's names and\n"
           "instance types (--catalog adds yours). Use the result with --catalog in frontier, plan, report.\n\n"
           "Exit codes: 0 written, 1 usage, 2 bad bill or nothing to price, 3 output not written.\n\n"
           "Example:\n"
           "  costfront catalog from-bill focus-2026-03.csv.gz -o negotiated.json\n"
           "  costfront frontier runs.csv --catalog negotiated.json\n");
}

static cf_status add_fn(const cf_focus_row *row, void *ctx)
{
    return cf_bill_prices_add(ctx, row, NULL);
}

int cf_cmd_catalog_from_bill(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},       {"output", required_argument, 0, 'o'},
                                             {"catalog", required_argument, 0, 'c'}, {"keep-going", no_argument, 0, 'k'},
                                             {0, 0, 0, 0}};
    const char *out = NULL, *user = NULL;
    int keep = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': help(); return CF_EXIT_OK;
        case 'o': out = optarg; break;
        case 'c': user = optarg; break;
        case 'k': keep = 1; break;
        default: return cf_cli_usage_error("catalog from-bill", "unknown option");
        }
    }
    if (optind >= argc) return cf_cli_usage_error("catalog from-bill", "at least one BILL file is required");
    if (out == NULL) return cf_cli_usage_error("catalog from-bill", "-o FILE is required (the user catalog to write)");
    cf_error err;
    cf_error_clear(&err);
    cf_catalog *cat = cf_catalog_create();
    if (!cat) return CF_EXIT_INTERNAL;
    int rc = CF_EXIT_OK;
    if (cf_catalog_load_default(cat, &err) != CF_OK || (user && cf_catalog_load_file(cat, user, &err) != CF_OK)) {
        cf_cli_print_error("--catalog", &err);
        cf_catalog_destroy(cat);
        return CF_EXIT_INPUT;
    }
    cf_bill_prices *bp = cf_bill_prices_create(cat);
    cf_focus_reader *r = cf_focus_reader_create();
    char *text = NULL, *names = NULL;
    size_t nlen = 0;
    if (!bp || !r) {
        rc = CF_EXIT_INTERNAL;
        goto done;
    }
    cf_focus_reader_set_keep_going(r, keep);
    for (int i = optind; i < argc && rc == CF_EXIT_OK; i++) {
        const char *base = strrchr(argv[i], '/');
        if (cf_cli_cat(&names, &nlen, "%s%s", i > optind ? ", " : "", base ? base + 1 : argv[i])) rc = CF_EXIT_INTERNAL;
        else if (cf_focus_read(r, argv[i], add_fn, bp, &err) != CF_OK) {
            cf_cli_print_error(NULL, &err);
            rc = err.status == CF_ERR_NOMEM ? CF_EXIT_INTERNAL : CF_EXIT_INPUT;
        }
    }
    size_t nrej = cf_focus_reader_rejected(r);
    for (size_t i = 0; i < nrej && i < CF_FOCUS_MAX_REJECTS; i++) cf_cli_print_error("rejected", cf_focus_reader_reject(r, i));
    fprintf(stderr,
            "costfront catalog from-bill: bill rows read %zu, accepted %zu, rejected %zu; priced %zu accelerator "
            "usage rows, %zu compute usage rows with no known hardware, %zu unused-commitment rows (%.2f USD)\n",
            cf_focus_reader_read(r), cf_focus_reader_accepted(r), nrej, cf_bill_prices_priced(bp),
            cf_bill_prices_unresolved(bp), cf_bill_prices_unused(bp), cf_bill_prices_unused_cost(bp));
    if (rc != CF_EXIT_OK) goto done;
    for (size_t i = 0; i < cf_bill_prices_count(bp); i++) {
        const cf_bill_price *p = cf_bill_prices_at(bp, i);
        fprintf(stderr, "  %-10s %-14s %-12s %-11s %10.4f USD/accelerator-hour (%.2f USD / %.2f h, %zu rows)\n",
                p->provider, p->region, p->hardware, p->committed ? "committed" : "on-demand",
                p->usd_per_accelerator_hour, p->effective_cost, p->accelerator_hours, p->rows);
    }
    if (cf_bill_prices_to_catalog(bp, names, &text, &err) != CF_OK) {
        cf_cli_print_error(NULL, &err);
        rc = err.status == CF_ERR_NOMEM ? CF_EXIT_INTERNAL : CF_EXIT_INPUT;
        goto done;
    }
    /* The catalog written must load: check it against the one it resolved names with before writing. */
    cf_catalog *check = cf_catalog_create();
    cf_status st = check ? cf_catalog_load_default(check, &err) : CF_ERR_NOMEM;
    if (st == CF_OK && user) st = cf_catalog_load_file(check, user, &err);
    if (st == CF_OK) st = cf_catalog_load_string(check, text, out, &err);
    cf_catalog_destroy(check);
    if (st != CF_OK) {
        cf_cli_print_error("internal: the written catalog does not load", &err);
        rc = CF_EXIT_INTERNAL;
        goto done;
    }
    rc = cf_cli_write_output(out, text);
done:
    free(text);
    free(names);
    cf_focus_reader_destroy(r);
    cf_bill_prices_destroy(bp);
    cf_catalog_destroy(cat);
    return rc;
}
