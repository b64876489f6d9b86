/* costfront catalog: show, validate and export the price catalog. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void help(void)
{
    printf("usage: costfront catalog [list|hardware|regions|offers|show NAME|validate FILE|export] [options]\n\n"
           "Shows the price catalog costfront uses: hardware (with aliases, power, embodied carbon, price, life),\n"
           "regions (grid intensity, PUE, electricity), offers (USD per accelerator-hour by provider, region and\n"
           "hardware) and the carbon shadow price, each with its source.\n\n"
           "  list (default)   a summary: counts and the carbon price\n"
           "  hardware         every accelerator and its aliases\n"
           "  regions          every region\n"
           "  offers           every offer\n"
           "  show NAME        one hardware (id or any alias) with its offers\n"
           "  validate FILE    check a user catalog file; errors name the JSON path (offers[3].spot)\n"
           "  export           print the effective catalog as JSON (default merged with --catalog)\n\n%s\n"
           "Examples:\n"
           "  costfront catalog show \"NVIDIA A100-SXM4-80GB\"\n"
           "  costfront catalog validate my-prices.json\n"
           "  costfront catalog export --catalog my-prices.json > effective.json\n",
           cf_cli_catalog_options_help);
}

static void fmt_num(char *buf, size_t n, double v, const char *fmt)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, fmt, v);
}

static void print_offer(const cf_offer *o)
{
    char od[32], r1[32], r3[32], sp[32], lam[32];
    fmt_num(od, sizeof od, o->on_demand, "%.3f");
    fmt_num(r1, sizeof r1, o->reserved_1y, "%.3f");
    fmt_num(r3, sizeof r3, o->reserved_3y, "%.3f");
    fmt_num(sp, sizeof sp, o->spot, "%.3f");
    fmt_num(lam, sizeof lam, o->spot_interruptions_per_hour, "%.3f");
    printf("  %-20s %-16s %-14s %9s %9s %9s %9s %8s  %s\n", o->provider, o->region, o->hardware, od, r1, r3, sp, lam,
           o->source ? o->source : "");
}

static void offers_header(void)
{
    printf("  %-20s %-16s %-14s %9s %9s %9s %9s %8s  %s\n", "provider", "region", "hardware", "on_demand", "reserv_1y",
           "reserv_3y", "spot", "lambda/h", "source (USD per accelerator-hour)");
}

static void print_hardware(const cf_hardware *h, int verbose)
{
    char pw[32], emb[32], life[32], usd[32];
    fmt_num(pw, sizeof pw, h->board_power_w, "%.0f W");
    fmt_num(emb, sizeof emb, h->embodied_kgco2e, "%.0f kg");
    fmt_num(life, sizeof life, h->life_years, "%.1f y");
    fmt_num(usd, sizeof usd, h->purchase_usd, "%.0f USD");
    printf("  %-16s %-28s %8s %8s %7s %10s\n", h->id, h->name ? h->name : "", pw, emb, life, usd);
    if (verbose) {
        printf("    aliases:");
        for (const char *const *a = h->aliases; a && *a; a++) printf(" \"%s\"", *a);
        printf("\n    source: %s\n", h->source ? h->source : "");
    }
}

int cf_cmd_catalog(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'}, CF_CLI_RUN_OPTIONS, {0, 0, 0, 0}};
    cf_cli_inputs in;
    cf_cli_inputs_init(&in);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            help();
            return CF_EXIT_OK;
        }
        int r = cf_cli_inputs_option(&in, c, optarg);
        if (r < 0) return CF_EXIT_USAGE;
        if (r == 0) return cf_cli_usage_error("catalog", "unknown option");
    }
    const char *sub = optind < argc ? argv[optind] : "list";
    int rc = CF_EXIT_OK;
    if (!strcmp(sub, "validate")) {
        if (optind + 1 >= argc) return cf_cli_usage_error("catalog", "validate needs a FILE");
        cf_catalog *cat = cf_catalog_create();
        cf_error err;
        cf_error_clear(&err);
        /* --catalog-only checks the file as a whole catalog on its own; otherwise as merged over the default. */
        cf_status st = cat == NULL ? CF_ERR_NOMEM : CF_OK;
        if (st == CF_OK && !in.catalog_only) st = cf_catalog_load_default(cat, &err);
        if (st == CF_OK) st = cf_catalog_load_file(cat, argv[optind + 1], &err);
        if (st != CF_OK) {
            if (cat == NULL) fprintf(stderr, "costfront: out of memory\n");
            else cf_cli_print_error(NULL, &err);
            rc = cf_cli_exit_for(st);
        } else {
            for (size_t i = 0; i < cf_catalog_note_count(cat); i++) printf("note: %s\n", cf_catalog_note_at(cat, i));
            printf("%s: valid (%zu hardware, %zu regions, %zu offers %s)\n", argv[optind + 1],
                   cf_catalog_hardware_count(cat), cf_catalog_region_count(cat), cf_catalog_offer_count(cat),
                   in.catalog_only ? "on its own, without the default catalog" : "after merging with the default catalog");
        }
        cf_cli_inputs_free(&in);
        cf_catalog_destroy(cat);
        return rc;
    }
    rc = cf_cli_load_catalog(&in);
    if (rc != CF_EXIT_OK) {
        cf_cli_inputs_free(&in);
        return rc;
    }
    const cf_catalog *cat = in.catalog;
    if (!strcmp(sub, "list")) {
        printf("carbon price: %g USD per tonne CO2e (%s)\n", cf_catalog_carbon_price(cat),
               cf_catalog_carbon_price_source(cat) ? cf_catalog_carbon_price_source(cat) : "no source");
        printf("%zu hardware, %zu regions, %zu offers\n", cf_catalog_hardware_count(cat), cf_catalog_region_count(cat),
               cf_catalog_offer_count(cat));
        for (size_t i = 0; i < cf_catalog_hardware_count(cat); i++) print_hardware(cf_catalog_hardware_at(cat, i), 0);
    } else if (!strcmp(sub, "hardware")) {
        for (size_t i = 0; i < cf_catalog_hardware_count(cat); i++) print_hardware(cf_catalog_hardware_at(cat, i), 1);
    } else if (!strcmp(sub, "regions")) {
        for (size_t i = 0; i < cf_catalog_region_count(cat); i++) {
            const cf_region *r = cf_catalog_region_at(cat, i);
            char el[32];
            fmt_num(el, sizeof el, r->electricity_usd_per_kwh, "%.4f");
            printf("  %-16s %7.1f gCO2e/kWh  PUE %.2f  %s USD/kWh  %s\n", r->id, r->grid_gco2e_per_kwh, r->pue, el,
                   r->source ? r->source : "");
        }
    } else if (!strcmp(sub, "offers")) {
        offers_header();
        for (size_t i = 0; i < cf_catalog_offer_count(cat); i++) print_offer(cf_catalog_offer_at(cat, i));
    } else if (!strcmp(sub, "show")) {
        if (optind + 1 >= argc) {
            cf_cli_inputs_free(&in);
            return cf_cli_usage_error("catalog", "show needs a hardware NAME");
        }
        const cf_hardware *h = cf_catalog_hardware(cat, argv[optind + 1]);
        if (h == NULL) {
            fprintf(stderr, "costfront: unknown hardware '%s'; see 'costfront catalog hardware'\n", argv[optind + 1]);
            rc = CF_EXIT_INPUT;
        } else {
            print_hardware(h, 1);
            offers_header();
            for (size_t i = 0; i < cf_catalog_offer_count(cat); i++) {
                const cf_offer *o = cf_catalog_offer_at(cat, i);
                if (!strcmp(o->hardware, h->id)) print_offer(o);
            }
        }
    } else if (!strcmp(sub, "export")) {
        cf_error err;
        cf_error_clear(&err);
        char *text = NULL;
        cf_status st = cf_catalog_to_json(cat, &text, &err);
        if (st != CF_OK) {
            cf_cli_print_error(NULL, &err);
            rc = cf_cli_exit_for(st);
        } else {
            rc = cf_cli_write_output(NULL, text);
        }
        free(text);
    } else {
        rc = cf_cli_usage_error("catalog", "unknown subcommand '%s'", sub);
    }
    cf_cli_inputs_free(&in);
    return rc;
}
